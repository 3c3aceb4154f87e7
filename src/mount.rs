//! The script API: `mount(element, options)` renders a playground into a host page's element,
//! inside a shadow root so neither page's styles leak into the other. The returned handle plays,
//! pauses, steps and loads lessons; events arrive as `queue-playground:*` CustomEvents on the
//! element.
//!
//! Options are the same names as the iframe's URL parameters (one validator for both). Anything
//! wrong is reported with `console.error`, saying which option, what was expected and what was
//! given, and the playground mounts with the rest.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::AppHandle;

use crate::app::{App, AppProps, Bridge};
use crate::state::Action;

/// Option names a script may pass, with the JSON types accepted.
const OPTIONS: &[&str] = &[
    "lesson", "link", "lock", "hide", "show", "theme", "autoplay", "paused", "origin", "poster",
];

fn type_name(v: &JsValue) -> String {
    if v.is_null() {
        "null".into()
    } else if js_sys::Array::is_array(v) {
        "an array".into()
    } else {
        v.js_typeof().as_string().unwrap_or_default()
    }
}

fn shown(v: &JsValue) -> String {
    let text = js_sys::JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| type_name(v));
    crate::permalink::truncate(&text)
}

fn encode(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}

/// Turns the options object into the query-string form the decoder reads; type errors are
/// returned as messages.
fn options_to_query(options: &JsValue) -> (String, Vec<String>) {
    let mut parts = vec!["embed=1".to_owned()];
    let mut errors = Vec::new();
    if options.is_undefined() || options.is_null() {
        return (parts.join("&"), errors);
    }
    if !options.is_object() || js_sys::Array::is_array(options) {
        errors.push(format!(
            "options: expected an object such as {{ lesson: \"poison-pill\" }}; got {}",
            shown(options)
        ));
        return (parts.join("&"), errors);
    }
    for entry in js_sys::Object::entries(options.unchecked_ref()).iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        let key = pair.get(0).as_string().unwrap_or_default();
        let value = pair.get(1);
        let text = match key.as_str() {
            "lesson" | "theme" | "link" => value.as_string(),
            "autoplay" | "paused" | "poster" => value
                .as_bool()
                .map(|b| if b { "1" } else { "0" }.to_owned()),
            "lock" | "hide" | "show" | "origin" => {
                if js_sys::Array::is_array(&value) {
                    let items: Vec<Option<String>> = js_sys::Array::from(&value)
                        .iter()
                        .map(|v| v.as_string())
                        .collect();
                    items
                        .into_iter()
                        .collect::<Option<Vec<_>>>()
                        .map(|v| v.join(","))
                } else {
                    value.as_string()
                }
            }
            _ => {
                errors.push(format!(
                    "options.{key}: not an option; expected one of {}",
                    OPTIONS.join(", ")
                ));
                continue;
            }
        };
        let expected = match key.as_str() {
            "autoplay" | "paused" | "poster" => "true or false",
            "lock" | "hide" | "show" | "origin" => {
                "an array of strings, or one comma-separated string"
            }
            _ => "a string",
        };
        match text {
            Some(t) if key == "link" => parts.push(t.trim_start_matches('?').to_owned()),
            Some(t) => parts.push(format!("{key}={}", encode(&t))),
            None => errors.push(format!(
                "options.{key}: expected {expected}; got {}",
                shown(&value)
            )),
        }
    }
    (parts.join("&"), errors)
}

/// A playground mounted into a host element.
#[wasm_bindgen]
pub struct MountedPlayground {
    handle: Option<AppHandle<App>>,
    bridge: Rc<Bridge>,
    host: web_sys::Element,
}

impl MountedPlayground {
    fn send(&self, action: Action) {
        if let Some(dispatch) = self.bridge.dispatch.borrow().as_ref() {
            dispatch.emit(action);
        }
    }
}

#[wasm_bindgen]
impl MountedPlayground {
    pub fn play(&self) {
        self.send(Action::SetPlaying(true));
    }

    pub fn pause(&self) {
        self.send(Action::SetPlaying(false));
    }

    pub fn step(&self) {
        self.send(Action::Step);
    }

    /// Opens a lesson by id (`null` or `""`: free play). Throws on an unknown id.
    #[wasm_bindgen(js_name = loadLesson)]
    pub fn load_lesson(&self, id: Option<String>) -> Result<(), JsError> {
        let action = crate::host::parse_command("load-lesson", id.as_deref())
            .map_err(|e| JsError::new(&e))?;
        self.send(action);
        Ok(())
    }

    /// The lessons available, as `[{ id, title }]`.
    pub fn lessons(&self) -> JsValue {
        let list = js_sys::Array::new();
        for &(id, title) in crate::lessons::INDEX {
            let entry = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&entry, &"id".into(), &id.into());
            let _ = js_sys::Reflect::set(&entry, &"title".into(), &title.into());
            list.push(&entry);
        }
        list.into()
    }

    /// Removes the playground; the element can be mounted into again.
    pub fn destroy(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.destroy();
        }
        if let Some(shadow) = self.host.shadow_root() {
            shadow.set_inner_html("");
        }
    }
}

/// Renders a playground into `element`. `stylesheet` is the URL of the playground's CSS (the
/// `playground.js` wrapper passes it).
#[wasm_bindgen(js_name = mountPlayground)]
pub async fn mount(
    element: JsValue,
    options: JsValue,
    stylesheet: Option<String>,
) -> Result<MountedPlayground, JsError> {
    let Some(host) = element.dyn_ref::<web_sys::Element>().cloned() else {
        return Err(JsError::new(&format!(
            "mount: expected an element, such as document.getElementById(\"playground\"); got {}",
            shown(&element)
        )));
    };
    let (query, errors) = options_to_query(&options);
    for e in &errors {
        web_sys::console::error_1(&format!("Queue Playground: {e}").into());
    }
    let document = crate::document();
    // Mounting again into the same element reuses its shadow root.
    let shadow = match host.shadow_root() {
        Some(s) => s,
        None => host
            .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
            .map_err(|_| {
                JsError::new(
                    "mount: this element cannot hold a shadow root; use a <div> or <section>",
                )
            })?,
    };
    shadow.set_inner_html("");
    if let Some(href) = &stylesheet {
        let link = document
            .create_element("link")
            .map_err(|_| JsError::new("mount: cannot create the stylesheet link"))?;
        let _ = link.set_attribute("rel", "stylesheet");
        let _ = link.set_attribute("href", href);
        let _ = shadow.append_child(&link);
    }
    let root = document
        .create_element("div")
        .map_err(|_| JsError::new("mount: cannot create the root element"))?;
    let _ = shadow.append_child(&root);
    let bridge = Rc::new(Bridge::default());
    // "Copy link" in a mounted playground points at the playground's own page, next to the
    // stylesheet, not at the course page.
    let page = stylesheet
        .as_deref()
        .and_then(|href| href.rsplit_once('/'))
        .map(|(dir, _)| format!("{dir}/index.html"));
    // Lesson files sit next to the stylesheet too (see lesson_files.rs).
    let folder = page
        .as_deref()
        .map_or("", |p| p.trim_end_matches("index.html"));
    crate::lesson_files::prepare(&query, folder).await;
    let props = AppProps {
        page: page.map(Into::into),
        query: Some(query.into()),
        host: Some(host.clone()),
        bridge: Some(bridge.clone()),
    };
    let handle = yew::Renderer::<App>::with_root_and_props(root, props).render();
    Ok(MountedPlayground {
        handle: Some(handle),
        bridge,
        host,
    })
}
