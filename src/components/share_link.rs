//! "Copy link": a permalink to exactly what is on screen, copied to the clipboard and shown in a
//! field for browsers that refuse the clipboard.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ShareLinkProps {
    /// Builds the query string that reproduces the current view; called only on a click, so
    /// the link is not re-encoded every frame.
    pub onlink: Callback<(), String>,
    /// The page the link opens (a mounted playground's own index.html); default: this page.
    #[prop_or_default]
    pub page: Option<AttrValue>,
    /// Locked by the embedding page: shown, not usable.
    #[prop_or_default]
    pub locked: bool,
}

/// "Copy link": the address of exactly what is on screen (scenario, settings, every command
/// given, and the current simulated time). Also shown in a field, for browsers that refuse the
/// clipboard.
#[component]
pub fn ShareLink(props: &ShareLinkProps) -> Html {
    let shown = use_state(|| None::<String>);
    let onclick = {
        let shown = shown.clone();
        let onlink = props.onlink.clone();
        let page = props.page.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(window) = web_sys::window() else {
                return;
            };
            let base = crate::host::page_url(page.as_deref());
            let url = format!("{base}?{}", onlink.emit(()));
            // Best effort: the field below shows the link either way.
            let _ = window.navigator().clipboard().write_text(&url);
            shown.set(Some(url));
        })
    };
    html! {
        <div class="share">
            <button type="button" id="copy-link" disabled={props.locked} {onclick}
                title="Copy a link that reopens exactly this moment: scenario, settings, every action and the time">
                { "Copy link" }
            </button>
            if let Some(url) = &*shown {
                <input id="share-url" type="text" readonly=true value={url.clone()} aria-label="Link to this moment" size="30" />
                <span role="status">{ "Link copied" }</span>
            }
        </div>
    }
}
