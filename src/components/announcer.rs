//! A paced live region: what a running simulation says to screen readers, at most every five
//! seconds, so the latest state is heard without a flood of updates.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PacedAnnouncementProps {
    pub text: String,
}

/// A status line for screen readers that changes at most every five seconds, so a running
/// simulation does not flood them.
#[component]
pub fn PacedAnnouncement(props: &PacedAnnouncementProps) -> Html {
    let shown = use_mut_ref(|| (f64::NEG_INFINITY, String::new()));
    let now = web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now());
    {
        let mut s = shown.borrow_mut();
        if now - s.0 >= 5000.0 {
            *s = (now, props.text.clone());
        }
    }
    let text = shown.borrow().1.clone();
    html! { <p class="visually-hidden" role="status" aria-live="polite" id="announcer">{ text }</p> }
}
