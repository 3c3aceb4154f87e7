//! "Copy link": a permalink to exactly what is on screen, copied to the clipboard and shown in a
//! field for browsers that refuse the clipboard.

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Links longer than this are cut by some course platforms and chat tools (README, links), so
/// Copy link says so when it makes one.
const LINK_LIMIT: usize = 2_000;

/// "Copy link": the address of exactly what is on screen (scenario, settings, every command
/// given, and the current simulated time), built by `onlink` only on a click so that the link
/// is not re-encoded every frame, for `page` (a mounted playground's own index.html; default:
/// this page). Locked by the embedding page, it is shown but not usable.
///
/// The link is also shown in a field, for browsers that refuse the clipboard. A view, not a
/// component: the field is the only state, and it keeps its own value (Yew leaves a value and
/// a `hidden` it never set alone), which saves a component's worth of Yew's code.
pub fn share_link(onlink: Callback<(), String>, page: Option<AttrValue>, locked: bool) -> Html {
    let onclick = Callback::from(move |e: MouseEvent| {
        let base = crate::host::page_url(page.as_deref());
        let url = format!("{base}?{}", onlink.emit(()));
        let share = e
            .target()
            .and_then(|b| b.unchecked_into::<web_sys::Element>().parent_element());
        let within = |selector: &str| share.as_ref()?.query_selector(selector).ok().flatten();
        if let Some(field) = within("input") {
            let field = field.unchecked_into::<HtmlInputElement>();
            field.set_value(&url);
            field.set_hidden(false);
        }
        if let Some(note) = within(".link-long") {
            note.unchecked_into::<web_sys::HtmlElement>()
                .set_hidden(url.len() <= LINK_LIMIT);
        }
        super::copy(&e, &url);
    });
    html! {
        <div class="share">
            { super::copy_button("copy-link", "Copy link", Some("Copy a link that reopens exactly this moment: scenario, settings, every action and the time"), locked, onclick) }
            <input id="share-url" type="text" readonly=true hidden=true aria-label="Link to this moment" size="30" />
            <p class="hint link-long" role="status" hidden=true>{ "Over 2,000 characters: some platforms cut links this long, so share the file instead." }</p>
        </div>
    }
}
