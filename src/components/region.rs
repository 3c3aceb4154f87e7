//! A labelled landmark of the layout, with the broker check of the system it shows under it.

use yew::prelude::*;

use super::checked_line;

#[derive(Properties, PartialEq)]
pub struct RegionProps {
    /// Stable id: the section is `#region-{id}`, which tests and embed options refer to.
    pub id: AttrValue,
    pub title: AttrValue,
    #[prop_or_default]
    pub children: Html,
    /// Told when the region is scrolled into view (true) or out of it, or the page is hidden.
    #[prop_or_default]
    pub onseen: Option<Callback<bool>>,
    /// The id its broker-check line is keyed by, when not the region's own: the diagram shows
    /// whichever system is open.
    #[prop_or_default]
    pub checked: Option<AttrValue>,
}

/// A labelled landmark of the layout. Screen-reader users can jump between regions by heading.
/// Under a region with content comes the line saying which real broker checked the system it
/// shows, keyed by the region's id (`verify/shown-on.json`): one call site for every panel.
#[component]
pub fn Region(props: &RegionProps) -> Html {
    let heading_id = format!("region-{}-title", props.id);
    let section = use_node_ref();
    {
        let (section, onseen) = (section.clone(), props.onseen.clone());
        use_effect_with((), move |_| {
            let watch = onseen.map(|on| {
                crate::visibility::Watch::new(section.cast(), Box::new(move |h| on.emit(!h)))
            });
            move || drop(watch)
        });
    }
    html! {
        <section ref={section} id={format!("region-{}", props.id)} class={super::class(&[Some("region"), Some(format!("region-{}", props.id).as_str())])}
            aria-labelledby={heading_id.clone()}>
            <h2 id={heading_id}>{ &props.title }</h2>
            { props.children.clone() }
            { checked_line(props.checked.as_ref().unwrap_or(&props.id)) }
        </section>
    }
}

/// A region of the page with what goes in it. One function builds every region's props: each
/// `<Region>` written in the page's markup was its own copy of the same builder code.
#[inline(never)]
pub fn region(
    id: &'static str,
    title: &'static str,
    checked: Option<AttrValue>,
    onseen: Option<Callback<bool>>,
    children: Html,
) -> Html {
    html! { <Region {id} {title} {checked} {onseen}>{ children }</Region> }
}
