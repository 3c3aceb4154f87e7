//! Queue Playground, the Yew shell.
//!
//! Contract: this crate owns no queue semantics. It paces the deterministic engine
//! (`queue-engine`), renders its snapshots and turns clicks into engine commands. Anything a
//! learner sees as a fact about queues must come from the engine, never from code here.
//!
//! Start-up order: [`start`] installs the panic hook first (so even a failure during the first
//! render shows a readable panel instead of a blank page), then mounts [`App`] into `#app`.

mod app;
mod bench;
pub mod components;
pub mod lessons;
pub mod panic;
pub mod permalink;
pub mod scenarios;
pub mod state;
pub mod embed;
mod embed_height;
mod host;
mod progress;
mod url;

pub use app::App;

/// Human-readable build identifier shown in the footer: crate version plus git revision.
pub const BUILD_VERSION: &str = env!("QP_BUILD_VERSION");

/// Installs the panic hook and mounts the app into the `#app` element (or `<body>` if absent).
pub fn start() {
    panic::install();
    if bench::run_if_requested() {
        return;
    }
    let document = document();
    match document.get_element_by_id("app") {
        Some(root) => {
            yew::Renderer::<App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<App>::new().render();
        }
    }
}

pub(crate) fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("the playground runs in a browser page with a document")
}
