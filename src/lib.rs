//! Queue Playground, the Yew shell.
//!
//! Contract: this crate owns no queue semantics. It paces the deterministic engine
//! (`queue-engine`), renders its snapshots and turns clicks into engine commands. Anything a
//! learner sees as a fact about queues must come from the engine, never from code here.
//!
//! Start-up order: [`start`] installs the panic hook first (so even a failure during the first
//! render shows a readable panel instead of a blank page), then mounts [`App`] into the page's root.
//! Host pages embed it with [`mount`] instead (see EMBEDDING.md).

mod app;
pub mod authoring;
#[cfg(feature = "bench")]
mod bench;
pub mod canvas;
pub mod compare;
pub mod components;
pub mod embed;
mod host;
mod lesson_files;
pub mod lessons;
mod locks;
// The studio has no script API (`playground.js` is the page's): course pages mount the page,
// and embed the studio's lesson links in an iframe (EMBEDDING.md).
#[cfg(not(feature = "studio"))]
mod mount;
pub mod packed;
pub mod panels;
pub mod panic;
pub mod permalink;
#[cfg(feature = "studio")]
mod planner;
mod progress;
pub mod scenarios;
pub mod state;
mod url;
mod visibility;
pub mod words;

pub use app::{App, AppProps, Bridge};
#[cfg(not(feature = "studio"))]
pub use mount::{mount, MountedPlayground};

/// Talc, not Rust's default dlmalloc, hands out the page's memory: 2.6 kB less to download
/// (gzip), and the engine's workloads in Chromium ran within noise of dlmalloc (README, Size).
/// The page's browser tests link this crate, so they run on the allocator the page does.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Human-readable build identifier shown in the footer: crate version plus git revision.
pub const BUILD_VERSION: &str = env!("QP_BUILD_VERSION");

/// The standalone page's root: `<div id="app" data-queue-playground>`. A host page that only
/// imports the module for `mount()` has none, so loading the module draws nothing by itself.
const PAGE_ROOT: &str = "[data-queue-playground]";

/// Installs the panic hook and mounts the app into the page's root, if the page has one.
pub fn start() {
    panic::install();
    #[cfg(feature = "bench")]
    if bench::run_if_requested() {
        return;
    }
    let Ok(Some(root)) = document().query_selector(PAGE_ROOT) else {
        return;
    };
    let query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    wasm_bindgen_futures::spawn_local(async move {
        lesson_files::prepare(query.trim_start_matches('?'), "").await;
        yew::Renderer::<App>::with_root(root).render();
    });
}

pub(crate) fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("the playground runs in a browser page with a document")
}
