//! One component per file, re-exported here. A part with no state of its own that the App
//! redraws anyway is a view function (`header()`, `time_travel(…)`) rather than a component:
//! each component adds about a kilobyte of Yew's code to the download.

use std::cell::RefCell;
use std::rc::Rc;

use yew::{Event, UseForceUpdateHandle};

/// A value its component redraws after changing: a cell and the component's redraw, not a
/// state. Each state of its own type is its own copy of Yew's state code, which these are not:
/// the inspector's choice, the lens's and the panels' opened messages out of states saved
/// the page 0.43 kB of gzip.
pub struct Chosen<T>(pub Rc<RefCell<T>>, pub UseForceUpdateHandle);

impl<T> Clone for Chosen<T> {
    fn clone(&self) -> Self {
        Chosen(self.0.clone(), self.1.clone())
    }
}

impl<T: Copy> Chosen<T> {
    pub fn get(&self) -> T {
        *self.0.borrow()
    }

    pub fn set(&self, value: T) {
        *self.0.borrow_mut() = value;
        self.1.force_update();
    }
}

mod announcer;
mod checked_note;
mod compare_panel;
mod controls;
mod copy_button;
mod diagram;
mod dlq_list;
mod event_log;
mod exchange_panel;
mod export_box;
mod fan_out_panel;
mod footer;
mod header;
mod inspector;
mod lesson_author;
mod lesson_panel;
mod link_notice;
mod metrics_panel;
#[cfg(feature = "studio")]
mod own_queues;
mod platform_lens;
mod queue_vs_topic;
mod redis_panel;
mod region;
mod share_link;
mod stream_view;
#[cfg(feature = "studio")]
mod system_file;
mod system_picker;
mod time_travel;
mod token;

pub use announcer::{PacedAnnouncement, PacedAnnouncementProps};
pub use checked_note::{checked_line, checked_note};
pub use compare_panel::{ComparePanel, ComparePanelProps};
pub use controls::{Controls, ControlsProps};
pub use copy_button::{copy, copy_button};
pub(crate) use diagram::{compact, said};
pub use diagram::{diagram, Diagram, Glides, COMPACT_TOKEN_CAP, FAST_TOKEN_CAP, TOKEN_CAP};
pub use dlq_list::{dlq_list, DlqList};
pub use event_log::{EventLog, EventLogProps};
pub use exchange_panel::{ExchangePanel, ExchangePanelProps};
pub use export_box::export_box;
pub use fan_out_panel::fan_out_panel;
pub use footer::footer;
pub use header::header;
pub use inspector::{panel_inspector, Inspected, Inspector, InspectorProps};
pub use lesson_author::{author_tools, Writing};
pub use lesson_panel::{LessonPanel, LessonPanelProps};
pub use link_notice::link_notice;
pub use metrics_panel::{MetricsPanel, MetricsPanelProps};
#[cfg(feature = "studio")]
pub use own_queues::own_queues;
pub use platform_lens::{PlatformLens, PlatformLensProps};
pub use queue_vs_topic::queue_vs_topic;
pub use redis_panel::redis_panel;
pub use region::{region, Region, RegionProps};
pub use share_link::share_link;
#[cfg(feature = "studio")]
pub use stream_view::own_logs;
pub use stream_view::stream_view;
#[cfg(feature = "studio")]
pub use system_file::system_file;
pub use system_picker::{system_names, system_picker};
pub use time_travel::time_travel;
pub(crate) use token::{LOOKS, PICTURE};

/// The message a panel has open in its inspector: where it is (a subscription, partition or
/// member, or a stream entry's time) and its id. One type for every panel, so they share
/// one copy of Yew's state code. A log record's partition carries its log's place among the
/// world's logs in its upper 32 bits (`stream_view::log_body`); an own system's queue message
/// has the top bit set there (`own_queues`).
pub(crate) type Opened = (u64, u64);
pub use token::{message_token, MessageToken};

/// Markup that never changes, as text: each `html!` element is its own code in the wasm, where
/// this is one string, and Yew never redraws the same text. Not directly inside a table: the
/// text is parsed as a `div`'s content (an SVG `div` under an SVG element, so SVG works).
pub fn fixed(html: &'static str) -> yew::Html {
    yew::Html::from_html_unchecked(yew::AttrValue::Static(html))
}

/// An element's class names, the `None`s left out, joined by spaces; no attribute when none
/// is left. One function for every element whose classes vary, where Yew's `classes!` built
/// an ordered set of them inline at each.
pub fn class(names: &[Option<&str>]) -> Option<yew::AttrValue> {
    let mut joined = String::new();
    for name in names.iter().flatten() {
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(name);
    }
    (!joined.is_empty()).then(|| joined.into())
}

/// A table's column headers (`<th scope="col">` each): one loop in the wasm rather than an
/// element's code per column.
pub fn heads(cols: &[&'static str]) -> yew::Html {
    cols.iter()
        .map(|c| yew::html! { <th scope="col">{ *c }</th> })
        .collect()
}

/// The value of the select an event came from ("" if it came from anything else).
pub fn select_value(e: &Event) -> String {
    use wasm_bindgen::JsCast;
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|s| s.value())
        .unwrap_or_default()
}

/// A callback prop that only hands its value to the page's one reducer, whose dispatcher never
/// changes: any two do the same, so they compare equal, and a child redraws when what it shows
/// changed, not because the page made its callbacks anew, as it does on every render.
/// (Compared as callbacks, they differed on every tick, and the controls, the inspector, the
/// lesson and the platform lens redrew each time, the lens rebuilding its Terraform and
/// RabbitMQ exports.) Wrap only such callbacks, or one that sets a state of the component that
/// draws the child (a panel's inspector closing): it, too, does the same each render.
pub struct Sends<T>(pub yew::Callback<T>);

impl<T> Clone for Sends<T> {
    fn clone(&self) -> Self {
        Sends(self.0.clone())
    }
}

impl<T> PartialEq for Sends<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> std::ops::Deref for Sends<T> {
    type Target = yew::Callback<T>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

/// A prop that is the same when it is the same allocation: for a large value built once per
/// change (a snapshot, the metrics), where comparing field by field would cost more, in time
/// and in wasm, than the redraw it might save.
pub struct Same<T>(pub std::rc::Rc<T>);

impl<T> Clone for Same<T> {
    fn clone(&self) -> Self {
        Same(self.0.clone())
    }
}

impl<T> PartialEq for Same<T> {
    fn eq(&self, other: &Self) -> bool {
        std::rc::Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> std::ops::Deref for Same<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// The element matching `selector` that an event happened in (the studio's folds listen on
/// their outermost element).
pub(crate) fn around(e: &Event, selector: &str) -> Option<web_sys::Element> {
    use wasm_bindgen::JsCast;
    let target = e.target()?.dyn_into::<web_sys::Element>().ok()?;
    target.closest(selector).ok().flatten()
}

/// The element under `root` matching `selector`, as `T`.
pub(crate) fn find<T: wasm_bindgen::JsCast>(root: &web_sys::Element, selector: &str) -> Option<T> {
    use wasm_bindgen::JsCast;
    root.query_selector(selector)
        .ok()
        .flatten()?
        .dyn_into()
        .ok()
}

#[cfg(test)]
mod tests {
    /// Only the names that are there, in order and one space apart; none at all is no
    /// attribute rather than an empty one.
    #[test]
    fn class_names_join_the_present_ones() {
        let c = super::class(&[Some("token"), None, Some("poison"), Some("selected")]);
        assert_eq!(c.as_deref(), Some("token poison selected"));
        assert_eq!(
            super::class(&[None, Some("active")]).as_deref(),
            Some("active")
        );
        assert_eq!(super::class(&[None, None]), None);
    }
}
