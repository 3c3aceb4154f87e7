use yew::prelude::*;

use crate::permalink::Notice;

#[derive(Properties, PartialEq)]
pub struct LinkNoticeProps {
    pub notices: super::Same<Vec<Notice>>,
    pub ondismiss: Callback<()>,
}

/// What an opening link asked for that was left out, and why. The playground runs regardless.
#[component]
pub fn LinkNotice(props: &LinkNoticeProps) -> Html {
    if props.notices.is_empty() {
        return Html::default();
    }
    let ondismiss = {
        let cb = props.ondismiss.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    html! {
        <section class="link-notice" id="link-notice" role="status" aria-labelledby="link-notice-title">
            <h2 id="link-notice-title">{ "Part of this link could not be used" }</h2>
            <p>{ "The playground opened without these parts:" }</p>
            <ul>
                { for props.notices.iter().map(|n| html! { <li>{ n.to_string() }</li> }) }
            </ul>
            <button type="button" onclick={ondismiss}>{ "Dismiss" }</button>
        </section>
    }
}
