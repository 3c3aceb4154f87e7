//! Pauses the playground while nobody can see it: the page is hidden (another tab, a minimised
//! window) or the playground is scrolled out of view. It resumes on return only if it was
//! playing (the reducer remembers), so a run the learner paused stays paused.
//!
//! Why: a course page often holds several embeds, and one running off-screen both burns the
//! learner's battery and moves past the moment they were about to watch.
//!
//! The same watch tells the playground when one of its regions (a model panel, the event log)
//! leaves view or comes back, so that region stops redrawing meanwhile (`Region::onseen`).

use std::cell::Cell;
use std::rc::Rc;

use gloo_events::EventListener;
use wasm_bindgen::prelude::*;

/// Watches while it lives; dropping it stops watching.
pub struct Watch {
    observer: Option<web_sys::IntersectionObserver>,
    _on_intersect: Closure<dyn Fn(js_sys::Array)>,
    _on_visibility: EventListener,
}

impl Watch {
    /// Calls `hidden(true)` when `target` can no longer be seen, `hidden(false)` when it can.
    /// Boxed, so the playground and each watched region share one copy of this code.
    pub fn new(target: Option<web_sys::Element>, hidden: Box<dyn Fn(bool)>) -> Watch {
        let document = crate::document();
        // Hidden for either reason counts; both must be over to count as seen again.
        let page_hidden = Rc::new(Cell::new(document.hidden()));
        let out_of_view = Rc::new(Cell::new(false));
        let update = {
            let (page_hidden, out_of_view) = (page_hidden.clone(), out_of_view.clone());
            Rc::new(move || hidden(page_hidden.get() || out_of_view.get()))
        };
        let on_visibility = {
            let update = update.clone();
            EventListener::new(&document.clone(), "visibilitychange", move |_| {
                page_hidden.set(document.hidden());
                update();
            })
        };
        // The implicit root is the top-level viewport, also from inside a cross-origin iframe,
        // so an embed learns when the host page scrolls it away.
        let on_intersect = Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let last = entries.get(entries.length().saturating_sub(1));
            if let Ok(entry) = last.dyn_into::<web_sys::IntersectionObserverEntry>() {
                out_of_view.set(!entry.is_intersecting());
                update();
            }
        });
        let observer =
            web_sys::IntersectionObserver::new(on_intersect.as_ref().unchecked_ref()).ok();
        if let (Some(o), Some(el)) = (&observer, target) {
            o.observe(&el);
        }
        Watch {
            observer,
            _on_intersect: on_intersect,
            _on_visibility: on_visibility,
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        if let Some(o) = &self.observer {
            o.disconnect();
        }
    }
}
