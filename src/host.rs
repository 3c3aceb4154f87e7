//! Talking to the page around the playground: DOM `CustomEvent`s out (on the element a script
//! `mount()`ed it into, or on the page, where `static/boot.js` posts them to an iframe's parent
//! with the resize messages of course platforms), and commands in.
//!
//! Commands in: `{ target: "queue-playground", command, lesson? }` from the parent window,
//! obeyed only from the playground's own origin and those in `origin=`.

use wasm_bindgen::JsValue;

use crate::embed::EmbedOptions;
use crate::state::Action;

pub const SOURCE: &str = "queue-playground";

fn own_origin() -> Option<String> {
    web_sys::window()?.location().origin().ok()
}

/// Tells the host something happened: a CustomEvent `queue-playground:<kind>` with `detail`
/// (a JSON object's text, built with `format!`, which costs far less wasm than
/// `serde_json::json!`) on the element a script mounted the playground into, or else on the
/// page's root element, where boot.js forwards it to the parent window of an iframe. Doing the
/// postMessage side in plain JS is much smaller than in wasm. boot.js forwards the kinds it
/// lists (`ready`, `checkpoint-answered`, `lesson-completed`, `xapi`): a new kind goes there too.
pub fn emit(host: Option<&web_sys::Element>, kind: &str, detail: &str) {
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&js_sys::JSON::parse(detail).unwrap_or(JsValue::NULL));
    init.set_bubbles(true);
    let target = host
        .cloned()
        .or_else(|| crate::document().document_element());
    if let (Some(target), Ok(event)) = (
        target,
        web_sys::CustomEvent::new_with_event_init_dict(&format!("{SOURCE}:{kind}"), &init),
    ) {
        let _ = target.dispatch_event(&event);
    }
}

/// The page copied links open and lesson ids start from: `page` (a mounted playground's own
/// index.html) or this page's address without its query. From `href`, not `origin`, so a file
/// opened from disk gets `file:///…` rather than `null/…`.
pub fn page_url(page: Option<&str>) -> String {
    page.map(str::to_owned).unwrap_or_else(|| {
        let href = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default();
        let end = href.find(['?', '#']).unwrap_or(href.len());
        href[..end].to_owned()
    })
}

/// An xAPI statement's JSON text, without `actor` (only the host page knows the learner), for
/// a lesson's checkpoint. `verb` is an ADL verb (`answered`, `completed`); the object is the
/// lesson's address, `page?lesson=<id>`; `result` is the inside of the result object.
/// Strings are quoted by [`quoted`]. The optional parts (the verb's `display`, the object's
/// `objectType`, which defaults to `Activity`) are left out to save download bytes.
pub fn statement(verb: &str, object: &str, title: &str, result: &str) -> String {
    let (object, title) = (quoted(object), quoted(title));
    format!(
        r#"{{"statement":{{"verb":{{"id":"http://adlnet.gov/expapi/verbs/{verb}"}},"object":{{"id":{object},"definition":{{"name":{{"en-US":{title}}}}}}},"result":{{{result}}}}}}}"#
    )
}

/// `text` as a JSON string, quotes and escapes included. Not `{:?}`, whose escapes are Rust's
/// (`\u{1f}`, not JSON's `\u001f`), and which would bring Rust's debug escaping into the page.
pub fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// A command from the parent page, if it is one of ours and from an allowed origin.
/// Err explains a message that was addressed to us but cannot be obeyed.
pub fn command_from(
    event: &web_sys::MessageEvent,
    options: &EmbedOptions,
) -> Option<Result<Action, String>> {
    let data = event.data();
    // Read straight off the message's object: any other shape is not addressed to us.
    let field = |name: &str| js_sys::Reflect::get(&data, &name.into()).ok()?.as_string();
    if field("target").as_deref() != Some(SOURCE) {
        return None;
    }
    let own = own_origin().unwrap_or_default();
    if !options.allows(&event.origin(), &own) {
        return Some(Err(format!(
            "ignored a command from {}: allowed origins are {} and those in the origin option",
            event.origin(),
            own
        )));
    }
    let lesson = field("lesson");
    Some(parse_command(
        &field("command").unwrap_or_default(),
        lesson.as_deref(),
    ))
}

/// The commands a host can give, by name (shared by postMessage and the script API), with the
/// lesson id `load-lesson` takes.
pub fn parse_command(name: &str, lesson: Option<&str>) -> Result<Action, String> {
    Ok(match name {
        "play" => Action::SetPlaying(true),
        "pause" => Action::SetPlaying(false),
        "step" => Action::Step,
        "load-lesson" => match lesson {
            Some(id) if crate::lessons::known(id) => Action::LoadLesson(Some(id.to_owned())),
            Some("") | None => Action::LoadLesson(None),
            Some(other) => {
                return Err(format!(
                    "load-lesson: lesson expected one of {}; got \"{}\"",
                    crate::lessons::id_list(),
                    crate::permalink::truncate(other)
                ))
            }
        },
        other => {
            return Err(format!(
                "command: expected play, pause, step or load-lesson; got \"{}\"",
                crate::permalink::truncate(other)
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    /// A statement is JSON whatever the lesson's title holds: quotes, backslashes and control
    /// characters are escaped the way JSON spells them.
    #[test]
    fn a_statement_is_json_for_any_title() {
        let title = "The \"poison\" pill \\ a\u{1f}b";
        let text = super::statement(
            "answered",
            "https://x.test/?lesson=p",
            title,
            r#""success":true"#,
        );
        let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(
            v["statement"]["object"]["definition"]["name"]["en-US"],
            title
        );
        assert_eq!(v["statement"]["object"]["id"], "https://x.test/?lesson=p");
        assert_eq!(v["statement"]["result"]["success"], true);
        assert!(text.contains(r"\u001f"), "{text}");
    }
}
