use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct RegionProps {
    /// Stable id: the section is `#region-{id}`, which tests and embed options refer to.
    pub id: AttrValue,
    pub title: AttrValue,
    /// One plain sentence saying what the region is for, shown until it has content.
    pub summary: AttrValue,
    #[prop_or_default]
    pub children: Html,
}

/// A labelled landmark of the layout. Screen-reader users can jump between regions by heading.
#[component]
pub fn Region(props: &RegionProps) -> Html {
    let heading_id = format!("region-{}-title", props.id);
    let has_children = props.children != Html::default();
    html! {
        <section id={format!("region-{}", props.id)} class={classes!("region", format!("region-{}", props.id))}
            aria-labelledby={heading_id.clone()}>
            <h2 id={heading_id}>{ &props.title }</h2>
            if has_children {
                { props.children.clone() }
            } else {
                <p class="region-summary">{ &props.summary }</p>
            }
        </section>
    }
}
