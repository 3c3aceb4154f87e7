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

/// Each payload's look, in [`queue_engine::Payload`]'s order: its class, what it is in words,
/// and the legend's words for it. The class picks its shape and mark out of [`PICTURE`], which
/// say the kind as well as colour does (circle = order, triangle with "!" = poison pill, diamond
/// with "~" = passing fault, square with "L" = large photo, circle with "2" = schema version
/// 2); the legend draws the same picture.
pub(crate) const LOOKS: [(&str, &str, &str); 5] = [
    ("order", "order", " order"),
    ("poison", "poison pill", " poison pill (!)"),
    (
        "transient",
        "order with a passing fault",
        " passing fault (~)",
    ),
    ("large", "order with a 3 MB photo", " 3 MB photo (L)"),
    ("v2", "order in schema version 2", " schema v2 (2)"),
];

/// Every token's picture: each kind's shape (about 7 units from the centre) and mark, and the
/// countdown's track and bar, of which the stylesheet shows the token's own (by its kind's
/// class, and `timed` for the bar). Markup is parsed again whenever it changes, and at speed a
/// token keeps its element while messages of every kind pass through its place: a picture per
/// kind had the browser parsing tokens some 370 times a second at 1000x on the pizza shop. One
/// string for all, so a token's picture is parsed once, when it appears.
pub(crate) const PICTURE: &str = concat!(
    r#"<svg viewBox="-9 -9 18 23" width="18" height="23" aria-hidden="true">"#,
    r#"<path class="order v2" d="M-7,0a7,7 0 1,0 14,0a7,7 0 1,0-14,0"/>"#,
    r#"<path class="poison" d="M0,-8L8,7H-8Z"/><path class="transient" d="M0,-8L8,0L0,8L-8,0Z"/>"#,
    r#"<path class="large" d="M-8,-8h16v16h-16Z"/>"#,
    r#"<text class="token-mark poison" y="4">!</text><text class="token-mark transient" y="4">~</text>"#,
    r#"<text class="token-mark large" y="4">L</text><text class="token-mark v2" y="4">2</text>"#,
    r#"<rect class="countdown-track" x="-8" y="10" width="16" height="3"/>"#,
    r#"<rect class="countdown" y="10" width="16" height="3"/></svg>"#
);

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
    let (kind, label, _) = LOOKS[t.payload as usize];
    let at = |x: f64, y: f64| format!("({}px,{}px)", Decimal::fixed(x, 1), Decimal::fixed(y, 1));
    let mut style = format!("transform:translate{}", at(props.x, props.y));
    let mut aria = format!(
        "Message {id}, {label}, {}, received {}",
        t.state.name(),
        crate::words::count(t.receive_count, "time", "times")
    );
    if let Some(r) = props.remaining {
        // The bar's length is a style property, not part of the picture (see [`PICTURE`]).
        let _ = write!(style, ";--left:{}", Decimal::fixed(r, 2));
        let _ = write!(
            aria,
            ", {}% of its visibility timeout left",
            Decimal::fixed(r * 100.0, 0)
        );
    }
    // An animation from where it was, not a transition: moving between places can move its
    // element in the list, and a moved element starts a fresh style that has nothing to
    // transition from; an animation starts anyway.
    if let Some((x, y)) = props.from {
        style.push_str(";--from:translate");
        style.push_str(&at(x, y));
    }
    html! {
        <span key={props.key} class={super::class(&[Some("token"), Some(kind), props.selected.then_some("selected"), props.from.is_some().then_some("glide"), props.remaining.is_some().then_some("timed")])}
            {style} role="button" tabindex="0" aria-label={aria} data-msg={id.to_string()}
            {onclick} {onkeydown}>
            { super::fixed(PICTURE) }
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::{LOOKS, PICTURE};
    use queue_engine::Payload;

    /// Each kind's shape and mark.
    const SHAPES: [(&str, &str, &str); 5] = [
        ("order", "M-7,0a7,7 0 1,0 14,0a7,7 0 1,0-14,0", ""),
        ("poison", "M0,-8L8,7H-8Z", "!"),
        ("transient", "M0,-8L8,0L0,8L-8,0Z", "~"),
        ("large", "M-8,-8h16v16h-16Z", "L"),
        ("v2", "M-7,0a7,7 0 1,0 14,0a7,7 0 1,0-14,0", "2"),
    ];

    /// A token's look is found by its payload's place in the enum: a variant added or moved
    /// anywhere but at the end would give every later kind the wrong shape.
    #[test]
    fn each_payload_has_its_own_look() {
        let kinds: Vec<&str> = [
            Payload::Normal,
            Payload::Poison,
            Payload::Transient,
            Payload::Large,
            Payload::V2,
        ]
        .into_iter()
        .map(|p| LOOKS[p as usize].0)
        .collect();
        assert_eq!(kinds, SHAPES.map(|s| s.0));
    }

    /// The one picture every token carries holds each kind's shape and mark under that kind's
    /// class, which the stylesheet shows for a token of that kind (`.token.poison .poison`).
    #[test]
    fn the_shared_picture_has_each_kinds_shape_and_mark_under_its_class() {
        let class_of = |at: usize| {
            let open = PICTURE[..at].rfind('<').unwrap();
            let tag = &PICTURE[open..];
            let start = tag.find("class=\"").unwrap() + 7;
            let end = start + tag[start..].find('"').unwrap();
            tag[start..end]
                .split(' ')
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        for (kind, d, mark) in SHAPES {
            let shapes: Vec<_> = PICTURE
                .match_indices(&format!(r#" d="{d}""#))
                .filter(|(at, _)| class_of(*at).iter().any(|c| c == kind))
                .collect();
            assert_eq!(
                shapes.len(),
                1,
                "{kind}'s shape is in the picture, under its class"
            );
            let marks: Vec<_> = PICTURE
                .match_indices(&format!(">{mark}</text>"))
                .filter(|_| !mark.is_empty())
                .filter(|(at, _)| class_of(*at).iter().any(|c| c == kind))
                .collect();
            assert_eq!(
                marks.len(),
                usize::from(!mark.is_empty()),
                "{kind}'s mark {mark:?}"
            );
        }
        // Nothing else: one shape per distinct path, one text per mark.
        assert_eq!(PICTURE.matches("<path").count(), 4);
        assert_eq!(PICTURE.matches("token-mark").count(), 4);
    }
}
