//! An embedded playground reports its content height to the parent page, so the host can size
//! the iframe without scrollbars. Posted only when the height changes.

use std::cell::Cell;
use std::rc::Rc;

use gloo_events::EventListener;
use serde_json::json;
use yew::prelude::*;

use crate::embed::EmbedOptions;

fn content_height() -> Option<i32> {
    // The shell, not the document: the document is at least as tall as the iframe itself, so
    // it could never report that the content got smaller.
    let shell = crate::document().query_selector(".shell").ok().flatten()?;
    Some(shell.scroll_height())
}

fn report(last: &Cell<i32>, options: &EmbedOptions) {
    if let Some(h) = content_height() {
        if last.replace(h) != h {
            crate::host::emit(None, options, "height", json!({ "height": h }));
        }
    }
}

#[hook]
pub fn use_report_height(enabled: bool, options: Rc<EmbedOptions>) {
    let last = use_memo((), |_| Cell::new(-1));
    {
        // After every render: the content grows and shrinks as the run goes on.
        let last = last.clone();
        let options = options.clone();
        use_effect(move || {
            if enabled {
                report(&last, &options);
            }
        });
    }
    // And when a new iframe width reflows the layout while paused.
    use_effect_with(enabled, move |enabled| {
        let listener = enabled.then(|| {
            let window = web_sys::window().expect("a browser window");
            EventListener::new(&window, "resize", move |_| report(&last, &options))
        });
        move || drop(listener)
    });
}
