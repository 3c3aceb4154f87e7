//! A locked control says that it is locked, and by whom. Greyed out alone, it tells neither a
//! learner nor a screen reader why it does nothing.
//!
//! Done on the rendered page rather than in each component: one table of selectors
//! (`embed::CONTROLS`) instead of a locked-note branch in every control's markup.

use wasm_bindgen::JsCast;

use crate::embed::EmbedOptions;

/// What a locked control says, as its description and in its tooltip.
pub const NOTE: &str = "Locked by this course page";

/// Marks every locked control under `root`. Cheap to repeat: an element already marked is
/// skipped, and one Yew re-created gets marked again on the next render.
pub fn mark(root: &web_sys::Element, options: &EmbedOptions) {
    for (name, selector) in crate::embed::CONTROLS {
        if !options.locked(name) {
            continue;
        }
        let Ok(list) = root.query_selector_all(selector) else {
            continue;
        };
        for i in 0..list.length() {
            let Some(el) = list
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            else {
                continue;
            };
            let _ = el.set_attribute("aria-description", NOTE);
            // The tooltip is on the control or its label: keep what it explains, add the lock.
            let tip = el.closest("[title]").ok().flatten().unwrap_or(el);
            let title = tip.get_attribute("title").unwrap_or_default();
            if !title.contains(NOTE) {
                let _ = tip.set_attribute("title", &format!("{title} ({NOTE})"));
            }
        }
    }
}
