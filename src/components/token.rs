//! One message of the main queue's diagram as a token: its kind by shape and letter as well as
//! colour, its in-flight countdown, and a focusable, clickable element that opens it.

use std::fmt::Write;

use queue_engine::Decimal;
use queue_engine::Token;
use yew::prelude::*;

/// Where a message token is drawn and how it stands.
pub struct MessageToken<'a> {
    pub token: &'a Token,
    /// What keeps its element from one drawing to the next: its message id, or at speed its
    /// place in the diagram.
    pub key: u64,
    pub x: f64,
    pub y: f64,
    pub selected: bool,
    /// Where it was before it changed place (queued, in flight, delayed, dead-lettered), while
    /// it glides from there ([`super::diagram::Glides`]).
    pub from: Option<(f64, f64)>,
    /// For an in-flight message: the share of its visibility timeout still left (1 = all).
    pub remaining: Option<f64>,
    pub onselect: &'a Callback<u64>,
}

/// Each payload's look, in [`queue_engine::Payload`]'s order: its class, its shape (SVG path
/// data, about 7 units from the centre), its mark, what it is in words, and the legend's words
/// for it. Shape and mark say the kind as well as colour does (circle = order, triangle with
/// "!" = poison pill, diamond with "~" = passing fault, square with "L" = large photo, circle
/// with "2" = schema version 2), and the legend draws the same shapes.
pub(crate) const LOOKS: [(&str, &str, &str, &str, &str); 5] = [
    ("order", CIRCLE, "", "order", " order"),
    (
        "poison",
        "M0,-8L8,7H-8Z",
        "!",
        "poison pill",
        " poison pill (!)",
    ),
    (
        "transient",
        "M0,-8L8,0L0,8L-8,0Z",
        "~",
        "order with a passing fault",
        " passing fault (~)",
    ),
    (
        "large",
        "M-8,-8h16v16h-16Z",
        "L",
        "order with a 3 MB photo",
        " 3 MB photo (L)",
    ),
    (
        "v2",
        CIRCLE,
        "2",
        "order in schema version 2",
        " schema v2 (2)",
    ),
];

const CIRCLE: &str = "M-7,0a7,7 0 1,0 14,0a7,7 0 1,0-14,0";

/// One message in the diagram, clickable and focusable.
///
/// A view function keyed by the message id, so a token keeps its element while the diagram
/// redraws (at speed by its place: see `diagram`); as a component it redrew anyway whenever it
/// moved. An HTML element over the drawing (in the diagram's `foreignObject`), not an SVG
/// group: a transform on HTML moves on the compositor, where moving an SVG group repainted the
/// whole diagram on the main thread.
/// Its picture is fixed markup, written as a string rather than a tree of `html!`.
#[inline(never)]
pub fn message_token(props: MessageToken) -> Html {
    let t = props.token;
    let id = t.id;
    let onclick = {
        let onselect = props.onselect.clone();
        Callback::from(move |_: MouseEvent| onselect.emit(id))
    };
    let onkeydown = {
        let onselect = props.onselect.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                onselect.emit(id);
            }
        })
    };
    let (kind, d, mark, label, _) = LOOKS[t.payload as usize];
    let mut picture = format!(
        r#"<svg viewBox="-9 -9 18 23" width="18" height="23" aria-hidden="true"><path d="{d}"/><text class="token-mark" y="4">{mark}</text>"#
    );
    let at = |x: f64, y: f64| format!("({}px,{}px)", Decimal::fixed(x, 1), Decimal::fixed(y, 1));
    let mut style = format!("transform:translate{}", at(props.x, props.y));
    let mut aria = format!(
        "Message {id}, {label}, {}, received {}",
        t.state.name(),
        crate::words::count(t.receive_count, "time", "times")
    );
    if let Some(r) = props.remaining {
        // The bar's length is a style property, not part of the picture: the picture is
        // markup the browser parses again whenever it changes, and a countdown changes at
        // every tick.
        picture.push_str(r#"<rect class="countdown-track" x="-8" y="10" width="16" height="3"/><rect class="countdown" y="10" width="16" height="3"/>"#);
        let _ = write!(style, ";--left:{}", Decimal::fixed(r, 2));
        let _ = write!(
            aria,
            ", {}% of its visibility timeout left",
            Decimal::fixed(r * 100.0, 0)
        );
    }
    picture.push_str("</svg>");
    // An animation from where it was, not a transition: moving between places can move its
    // element in the list, and a moved element starts a fresh style that has nothing to
    // transition from; an animation starts anyway.
    if let Some((x, y)) = props.from {
        style.push_str(";--from:translate");
        style.push_str(&at(x, y));
    }
    html! {
        <span key={props.key} class={classes!("token", kind, props.selected.then_some("selected"), props.from.is_some().then_some("glide"))}
            {style} role="button" tabindex="0" aria-label={aria} data-msg={id.to_string()}
            {onclick} {onkeydown}>
            { Html::from_html_unchecked(picture.into()) }
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::LOOKS;
    use queue_engine::Payload;

    /// A token's look is found by its payload's place in the enum: a variant added or moved
    /// anywhere but at the end would give every later kind the wrong shape.
    #[test]
    fn each_payload_has_its_own_shape_and_mark() {
        let marks: Vec<(&str, &str)> = [
            Payload::Normal,
            Payload::Poison,
            Payload::Transient,
            Payload::Large,
            Payload::V2,
        ]
        .into_iter()
        .map(|p| (LOOKS[p as usize].0, LOOKS[p as usize].2))
        .collect();
        assert_eq!(
            marks,
            [
                ("order", ""),
                ("poison", "!"),
                ("transient", "~"),
                ("large", "L"),
                ("v2", "2")
            ]
        );
    }
}
