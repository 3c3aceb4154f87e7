//! One message of the main queue's diagram as a token: its kind by shape and letter as well as
//! colour, its in-flight countdown, and a focusable, clickable element that opens it.

use queue_engine::Decimal;
use queue_engine::{Payload, Token};
use yew::prelude::*;

/// Where a message token is drawn and how it stands.
pub struct MessageToken<'a> {
    pub token: &'a Token,
    pub x: f64,
    pub y: f64,
    pub selected: bool,
    /// For an in-flight message: the share of its visibility timeout still left (1 = all).
    pub remaining: Option<f64>,
    pub onselect: &'a Callback<u64>,
}

/// One message in the diagram. The payload is shown by shape and letter as well as colour
/// (circle = order, triangle with "!" = poison pill, diamond with "~" = passing fault, square
/// with "L" = large photo, circle with "2" = schema version 2), so no
/// state depends on colour alone. Clickable and focusable.
///
/// A view function keyed by the message id, so a token keeps its element (and its move
/// animates) while the diagram redraws; as a component it redrew anyway whenever it moved.
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
    let (shape, mark, kind, label) = match t.payload {
        Payload::Normal => (html! { <circle r="7" /> }, "", "order", "order"),
        Payload::Poison => (
            html! { <polygon points="0,-8 8,7 -8,7" /> },
            "!",
            "poison",
            "poison pill",
        ),
        Payload::Transient => (
            html! { <polygon points="0,-8 8,0 0,8 -8,0" /> },
            "~",
            "transient",
            "order with a passing fault",
        ),
        Payload::Large => (
            html! { <rect x="-8" y="-8" width="16" height="16" rx="2" /> },
            "L",
            "large",
            "order with a 3 MB photo",
        ),
        Payload::V2 => (
            html! { <circle r="7" /> },
            "2",
            "v2",
            "order in schema version 2",
        ),
    };
    let countdown = props
        .remaining
        .map(|r| {
            format!(
                ", {}% of its visibility timeout left",
                Decimal::fixed(r * 100.0, 0)
            )
        })
        .unwrap_or_default();
    let aria = format!(
        "Message {id}, {label}, {}, received {}{countdown}",
        t.state.name(),
        crate::words::count(t.receive_count, "time", "times")
    );
    html! {
        <g key={id} class={classes!("token", kind, props.selected.then_some("selected"))}
            // A CSS transform (not the SVG attribute) so that moving between places can animate.
            style={format!("transform:translate({}px,{}px)", Decimal::fixed(props.x, 1), Decimal::fixed(props.y, 1))}
            role="button" tabindex="0" aria-label={aria.clone()} data-msg={id.to_string()}
            {onclick} {onkeydown}>
            <title>{ aria }</title>
            { shape }
            if !mark.is_empty() {
                <text class="token-mark" y="4">{ mark }</text>
            }
            if let Some(r) = props.remaining {
                <rect class="countdown-track" x="-8" y="10" width="16" height="3" />
                <rect class="countdown" x="-8" y="10" width={Decimal::fixed(16.0 * r, 1).to_string()} height="3" />
            }
        </g>
    }
}
