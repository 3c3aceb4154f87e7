//! Talking to the page around the playground: the parent window of an iframe (`postMessage`,
//! origin-checked both ways) or the element a script `mount()`ed it into (DOM `CustomEvent`s).
//!
//! Messages out: `{ source: "queue-playground", type, ...detail }`, posted only to the
//! playground's own origin and the origins the author allowed (`origin=`), never to `*`.
//! Messages in: `{ target: "queue-playground", command, lesson? }`, obeyed only from those
//! same origins.

use serde_json::{json, Value};
use wasm_bindgen::JsValue;

use crate::embed::EmbedOptions;
use crate::state::Action;

pub const SOURCE: &str = "queue-playground";

fn own_origin() -> Option<String> {
    web_sys::window()?.location().origin().ok()
}

/// The parent window, when the playground runs in an iframe.
fn parent() -> Option<web_sys::Window> {
    let window = web_sys::window()?;
    let parent = window.parent().ok().flatten()?;
    // `window.parent` is the window itself at the top level.
    (!js_sys::Object::is(&parent, &window)).then_some(parent)
}

fn to_js(value: &Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap_or(JsValue::NULL)
}

/// Tells the host something happened: a CustomEvent `queue-playground:<kind>` on the mount
/// element, or a message to the parent window of an embedded iframe.
pub fn emit(host: Option<&web_sys::Element>, options: &EmbedOptions, kind: &str, detail: Value) {
    if let Some(element) = host {
        let init = web_sys::CustomEventInit::new();
        init.set_detail(&to_js(&detail));
        init.set_bubbles(true);
        if let Ok(event) =
            web_sys::CustomEvent::new_with_event_init_dict(&format!("{SOURCE}:{kind}"), &init)
        {
            let _ = element.dispatch_event(&event);
        }
        return;
    }
    if !options.embed {
        return;
    }
    let Some(parent) = parent() else {
        return;
    };
    let mut message = json!({ "source": SOURCE, "type": kind });
    if let (Value::Object(m), Value::Object(d)) = (&mut message, detail) {
        m.extend(d);
    }
    let message = to_js(&message);
    // A page opened from disk has the opaque origin "null", which cannot be a target.
    let targets = own_origin()
        .into_iter()
        .filter(|o| o != "null")
        .chain(options.origins.iter().cloned());
    for target in targets {
        // A target that is not the parent's origin is dropped by the browser, by design.
        let _ = parent.post_message(&message, &target);
    }
}

/// A command from the parent page, if it is one of ours and from an allowed origin.
/// Err explains a message that was addressed to us but cannot be obeyed.
pub fn command_from(
    event: &web_sys::MessageEvent,
    options: &EmbedOptions,
) -> Option<Result<Action, String>> {
    let data: Value = js_sys::JSON::stringify(&event.data())
        .ok()
        .and_then(|s| s.as_string())
        .and_then(|s| serde_json::from_str(&s).ok())?;
    if data.get("target").and_then(Value::as_str) != Some(SOURCE) {
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
    Some(parse_command(&data))
}

/// The commands a host can give, by name (shared by postMessage and the script API).
pub fn parse_command(data: &Value) -> Result<Action, String> {
    let name = data.get("command").and_then(Value::as_str).unwrap_or("");
    Ok(match name {
        "play" => Action::SetPlaying(true),
        "pause" => Action::SetPlaying(false),
        "step" => Action::Step,
        "load-lesson" => {
            let id = data.get("lesson").and_then(Value::as_str);
            match id {
                Some(id) if crate::lessons::by_id(id).is_some() => {
                    Action::LoadLesson(Some(id.to_owned()))
                }
                Some("") | None => Action::LoadLesson(None),
                Some(other) => {
                    return Err(format!(
                        "load-lesson: lesson expected one of {}; got \"{}\"",
                        crate::lessons::id_list(),
                        crate::permalink::truncate(other)
                    ))
                }
            }
        }
        other => {
            return Err(format!(
                "command: expected play, pause, step or load-lesson; got \"{}\"",
                crate::permalink::truncate(other)
            ))
        }
    })
}
