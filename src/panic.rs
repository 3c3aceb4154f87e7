//! A panic in wasm aborts the whole module, so whatever Yew had rendered stays frozen and every
//! button goes dead. The hook replaces that silent failure with a readable panel.
//!
//! The panel is built with plain DOM calls (no Yew: the renderer may be mid-update when the panic
//! happens) and text is only ever set with `textContent`, never parsed as HTML. Its "Reload" button
//! works without wasm: `static/boot.js` listens for clicks on `[data-reload]`, because after the
//! abort no Rust closure can run again.

use std::panic::PanicHookInfo;

/// The id of the error panel, for tests and for styling.
pub const PANEL_ID: &str = "panic-panel";

/// Installs the hook. It goes through Yew, because Yew's renderer otherwise installs its own
/// console-only hook over anything set with `std::panic::set_hook`.
pub fn install() {
    yew::set_custom_panic_hook(Box::new(on_panic));
}

fn on_panic(info: &PanicHookInfo<'_>) {
    let message = describe(info);
    web_sys::console::error_1(&format!("Queue Playground crashed: {message}").into());
    // Showing the panel is best effort: if the DOM itself is unavailable there is nothing better to do.
    let _ = show_panel(&message);
}

/// The panic payload and location in one line, the way a bug report needs it.
pub fn describe(info: &PanicHookInfo<'_>) -> String {
    let payload = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown error".to_owned());
    match info.location() {
        Some(loc) => format!("{payload} (at {}:{})", loc.file(), loc.line()),
        None => payload,
    }
}

fn show_panel(message: &str) -> Option<()> {
    let document = web_sys::window()?.document()?;
    if document.get_element_by_id(PANEL_ID).is_some() {
        return Some(());
    }
    let body = document.body()?;
    let panel = document.create_element("section").ok()?;
    panel.set_id(PANEL_ID);
    panel.set_attribute("role", "alertdialog").ok()?;
    panel.set_attribute("aria-labelledby", "panic-title").ok()?;
    panel
        .set_attribute("aria-describedby", "panic-detail")
        .ok()?;

    let title = document.create_element("h2").ok()?;
    title.set_id("panic-title");
    title.set_text_content(Some("The playground stopped working"));

    let explain = document.create_element("p").ok()?;
    explain.set_text_content(Some(
        "Something went wrong inside the simulation and it cannot continue. \
         Reloading the page starts it again.",
    ));

    let detail = document.create_element("pre").ok()?;
    detail.set_id("panic-detail");
    detail.set_text_content(Some(message));

    let reload = document.create_element("button").ok()?;
    reload.set_attribute("type", "button").ok()?;
    reload.set_attribute("data-reload", "").ok()?;
    reload.set_text_content(Some("Reload"));

    for child in [&title, &explain, &detail, &reload] {
        panel.append_child(child).ok()?;
    }
    body.class_list().add_1("has-crashed").ok()?;
    body.append_child(&panel).ok()?;
    // Move focus so keyboard and screen-reader users land on the explanation, not a dead control.
    if let Ok(button) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(reload) {
        let _ = button.focus();
    }
    Some(())
}
