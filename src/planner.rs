//! The studio's side of the planner worker (`planner/`): the systems it plans come here, to
//! run on the canvas and to travel in links.
//!
//! # Contract
//! - The builder's page side (`static/planner_builder.js`, loaded when first used) talks to the
//!   worker and sends each system that runs as the document event
//!   `queue-playground:open-system`, with its plan and its file packed for links. [`opened`]
//!   reads that event's detail; nothing here panics on a detail that is not what it expects.
//! - A link that carries a system (`sf`) is planned before the page first draws:
//!   `static/studio.js` starts it, [`open_link`] waits for it, and the state takes it with
//!   [`take_opened`], so the link opens the system at its moment.
//! - [`packed`] is the open system's file as a link carries it, and [`plan_text`] its plan as
//!   the planner wrote it, which a lesson on the system carries.

use std::cell::RefCell;

use queue_engine::topology::plan::Plan;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// The open file, packed for links.
    static PACKED: RefCell<Option<String>> = const { RefCell::new(None) };
    /// The open file's plan, as the planner wrote it.
    static PLAN: RefCell<String> = const { RefCell::new(String::new()) };
    /// The opening link's file, planned, or why it could not be (None: the link had none).
    static OPENED: RefCell<Option<Result<Plan, String>>> = const { RefCell::new(None) };
}

fn get(object: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(object, &key.into()).ok()?.as_string()
}

/// The plan in an `open-system` event's detail, keeping its packed file for links.
pub fn opened(detail: &JsValue) -> Result<Plan, String> {
    let plan = get(detail, "plan").ok_or("plan: expected the planner's plan; got none")?;
    // The engine's planner made it, so it runs; a worker left over from another build might
    // not agree, and the canvas must not fall back to another system unannounced.
    let planned = crate::panels::own_plan(&plan).map_err(|e| format!("plan: {e}"))?;
    PACKED.with(|p| *p.borrow_mut() = get(detail, "packed").filter(|p| !p.is_empty()));
    PLAN.with(|p| *p.borrow_mut() = plan);
    Ok(planned)
}

/// The open system's file as a link carries it.
pub fn packed() -> Option<String> {
    PACKED.with(|p| p.borrow().clone())
}

/// The open file's plan as the planner wrote it ("" before one is opened).
pub fn plan_text() -> String {
    PLAN.with(|p| p.borrow().clone())
}

/// Waits for the opening link's file (`sf`), which `static/studio.js` began to plan, for
/// [`take_opened`].
pub async fn open_link() {
    const LOST: &str = "the builder did not load (planner_builder.js, beside this page)";
    let waiting = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"queuePlaygroundLinked".into()).ok())
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok());
    let planned = match waiting {
        Some(promise) => match wasm_bindgen_futures::JsFuture::from(promise).await {
            Ok(detail) => opened(&detail),
            Err(why) => Err(why.as_string().unwrap_or_else(|| LOST.to_owned())),
        },
        None => Err(LOST.to_owned()),
    };
    OPENED.with(|o| *o.borrow_mut() = Some(planned));
}

/// The opening link's file, planned; or why not ("no file" when the link carried none).
pub fn take_opened() -> Result<Plan, String> {
    OPENED
        .with(|o| o.borrow_mut().take())
        .unwrap_or_else(|| Err("no file".to_owned()))
}
