//! What an opening link asked for that was left out, and why. The playground runs regardless.
//!
//! A view function rather than a component: it has no state, and the App that draws it redraws
//! it anyway, so a component would only add Yew's per-component code to the download.

use yew::prelude::*;

use crate::permalink::Notice;

/// The notices, each naming the parameter, what was expected and what was given, with a
/// button that sends `ondismiss`; nothing when there are none.
pub fn link_notice(notices: &[Notice], ondismiss: Callback<()>) -> Html {
    if notices.is_empty() {
        return Html::default();
    }
    let ondismiss = ondismiss.reform(|_: MouseEvent| ());
    html! {
        <section class="link-notice" id="link-notice" role="status" aria-labelledby="link-notice-title">
            { super::fixed(r#"<h2 id="link-notice-title">Part of this link could not be used</h2><p>The playground opened without these parts:</p>"#) }
            <ul>
                { for notices.iter().map(|n| html! { <li>{ n.to_string() }</li> }) }
            </ul>
            <button type="button" onclick={ondismiss}>{ "Dismiss" }</button>
        </section>
    }
}
