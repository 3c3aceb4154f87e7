//! The main queue's close-up, under its system on the canvas: every message as a token in its
//! place (visible, in flight with its countdown, delayed, dead-lettered), each worker's state,
//! and in HTTP mode the kitchen's backlog and the failed calls. Counts past the token cap are
//! shown as numbers; shape and a letter, never colour alone, say what kind a message is.

use queue_engine::topology::profile::QueueProfile;
use queue_engine::{ConsumerStatus, Mode, QueueKind, Scenario, Snapshot, Token};
use yew::prelude::*;

use crate::components::{message_token, MessageToken, LOOKS, PICTURE};

/// Tokens drawn per place; the rest are shown as a count, so 10,000 queued messages stay readable.
pub const TOKEN_CAP: usize = 40;
/// Tokens per place in a compact lesson: one row each, so the diagram is about 90 px shorter on a
/// course page. The counts beside each place stay exact.
pub const COMPACT_TOKEN_CAP: usize = PER_ROW;
/// Tokens in one row of a place: the queue box is 380 wide and a token 19.
const PER_ROW: usize = 19;
/// Delayed tokens start after their label, so their one row is shorter.
const DELAYED_ROW: usize = 13;
/// Tokens drawn per place while playing at 100x or more. There most tokens live for a frame or
/// two, so forty per place is a flicker that costs the frame rate; the counts stay exact.
pub const FAST_TOKEN_CAP: usize = 12;

/// What the diagram draws. A view function's arguments, not a component's props: the snapshot
/// is new on every frame, so a component redrew every frame anyway, and cost its own code.
pub struct Diagram<'a> {
    pub snapshot: &'a Snapshot,
    pub selected: Option<u64>,
    /// The settings in force: the queue's name and kind, its visibility timeout (for the
    /// countdown under each in-flight message), and whether replies and the store are on.
    pub settings: &'a Scenario,
    pub onselect: &'a Callback<u64>,
    /// Playing at 100x or more: tokens jump instead of gliding. A 0.35 s glide would show
    /// 35 s or more of simulated time as motion that never happened, and animating every token
    /// on every frame cost the page its frame rate.
    pub fast: bool,
    /// In a compact lesson: one row of tokens per place (`COMPACT_TOKEN_CAP`), so a shorter box.
    pub compact: bool,
    /// Where each token was, so that only a move between places glides.
    pub glides: &'a std::cell::RefCell<Glides>,
}

/// How long a token that changed place keeps its glide: the CSS animation's 0.35 s of moving
/// and a tick. Taking the class away sooner would stop the glide halfway; taking it away is
/// what ends the animation, which is ten times longer and still after its first tenth, as one
/// that ended by itself would cost the main thread a frame of its own.
const GLIDE_MS: f64 = 450.0;

/// Each drawn token's place (queued, in flight, delayed, dead-lettered) and where it was drawn,
/// by message id, from the diagram's last drawing; for one that changed place, where it glides
/// from and since when.
///
/// Only a token that changes place glides; one that moves up a slot in its row, because the
/// message ahead of it left, jumps. Every dequeue moved every queued token a slot, so forty
/// glides ran at once: each ran on the compositor, but starting and ending forty of them kept
/// the main thread drawing 30 frames a second instead of 20, 4 % of its time at 1x
/// (ui-backlog-100, `tests/bench/busy.mjs`).
#[derive(Default)]
pub struct Glides(Vec<Glide>);

struct Glide {
    id: u64,
    place: usize,
    at: (f64, f64),
    from: Option<((f64, f64), f64)>,
}

impl Glides {
    /// Where each of `placed` (as [`place`] lays them out) glides from now, if anywhere;
    /// remembers them for the next drawing.
    fn moved(
        &mut self,
        placed: &[(Token, f64, f64, usize)],
        fast: bool,
    ) -> Vec<Option<(f64, f64)>> {
        let now = js_sys::Date::now();
        let next: Vec<Glide> = placed
            .iter()
            .map(|(t, x, y, place)| {
                let (id, place, at) = (t.id, *place, (*x, *y));
                let from = match self.0.iter().find(|g| g.id == id) {
                    Some(g) if g.place != place => Some((g.at, now)),
                    Some(g) => g.from.filter(|f| now - f.1 < GLIDE_MS),
                    None => None,
                };
                Glide {
                    id,
                    place,
                    at,
                    from: from.filter(|_| !fast),
                }
            })
            .collect();
        let from = next.iter().map(|g| g.from.map(|f| f.0)).collect();
        self.0 = next;
        from
    }
}

/// Where the queue's places sit: attributes as written in the markup (labels in the queue
/// box's own coordinates), token rows in the drawing's. Two fixed layouts rather than
/// arithmetic on a row count, so each can be read off and checked against the drawing.
struct Layout {
    cap: usize,
    in_flight_label: &'static str,
    in_flight_y: f64,
    delayed_label: &'static str,
    delayed_y: f64,
    queue_h: &'static str,
    /// The dashed arrow from the queue box down to the DLQ box.
    arrow: (&'static str, &'static str),
    dlq_at: &'static str,
    dlq_h: &'static str,
    dlq_y: f64,
    min_h: usize,
}

/// Three rows per place (40 tokens).
const FULL: Layout = Layout {
    cap: TOKEN_CAP,
    in_flight_label: "118",
    in_flight_y: 144.0,
    delayed_label: "190",
    delayed_y: 196.0,
    queue_h: "200",
    arrow: ("210", "232"),
    dlq_at: "translate(200,235)",
    dlq_h: "80",
    dlq_y: 275.0,
    min_h: 330,
};

/// One row per place. The delayed row stays clear of the countdown bars under in-flight tokens.
const ONE_ROW: Layout = Layout {
    cap: COMPACT_TOKEN_CAP,
    in_flight_label: "80",
    in_flight_y: 106.0,
    delayed_label: "128",
    delayed_y: 134.0,
    queue_h: "142",
    arrow: ("152", "174"),
    dlq_at: "translate(200,177)",
    dlq_h: "52",
    dlq_y: 217.0,
    min_h: 240,
};

/// Where each token goes, and in which place (`at`: queued, in flight, delayed,
/// dead-lettered): one flat, keyed list, so a message that moves from place to place keeps
/// its element, and [`Glides`] knows where it was.
fn place(
    out: &mut Vec<(Token, f64, f64, usize)>,
    (tokens, at): (&[Token], usize),
    (x0, y0): (f64, f64),
    per_row: usize,
    cap: usize,
) {
    for (i, t) in tokens.iter().take(cap).enumerate() {
        let x = x0 + (i % per_row) as f64 * 19.0;
        let y = y0 + (i / per_row) as f64 * 19.0;
        out.push((t.clone(), x, y, at));
    }
}

fn more(total: u64, shown: usize, cap: usize) -> String {
    let hidden = total.saturating_sub(shown.min(cap) as u64);
    if hidden > 0 {
        format!("+{} more", compact(hidden))
    } else {
        String::new()
    }
}

/// The queue's kind in its platform's word, after its name: "standard", "FIFO", "quorum".
fn kind(p: QueueProfile) -> &'static str {
    match p {
        QueueProfile::SqsFifo => "FIFO",
        QueueProfile::RabbitmqQuorum => "quorum",
        QueueProfile::RabbitmqClassic => "classic",
        QueueProfile::ServiceBus => "Service Bus",
        QueueProfile::Pubsub => "Pub/Sub",
        QueueProfile::Activemq => "ActiveMQ",
        QueueProfile::SqsStandard => "standard",
    }
}

/// A word and its count, as `ready 33.1k`: one call for every such line, not a format each.
pub(crate) fn said(word: &str, v: u64) -> String {
    format!("{word} {}", compact(v))
}

/// A count short enough for its box at any size: exact below 10,000, then `33.1k`, `331k`,
/// `1.2M`. Integer arithmetic only, so the page carries no float formatter for it.
pub(crate) fn compact(n: u64) -> String {
    let unit = |n: u64, size: u64, suffix: &str| {
        let whole = n / size;
        if whole < 100 {
            format!("{whole}.{}{suffix}", n % size * 10 / size)
        } else {
            format!("{whole}{suffix}")
        }
    };
    match n {
        0..=9_999 => n.to_string(),
        10_000..=999_999 => unit(n, 1_000, "k"),
        _ => unit(n, 1_000_000, "M"),
    }
}

/// Producer → queue (visible, in flight, delayed) → consumers, with the DLQ below, and the reply
/// queue and data store when enabled. In HTTP mode the same services are wired by direct calls.
pub fn diagram(props: Diagram) -> Html {
    let s = props.snapshot;
    let c = &s.counts;
    let http = s.mode == Mode::Http;
    let consumers = s
        .consumers
        .iter()
        .filter(|c| c.status != ConsumerStatus::Retired)
        .collect::<Vec<_>>();
    let consumer_boxes: Html = consumers
        .iter()
        .enumerate()
        .map(|(i, con)| {
            let y = 20 + i * 36;
            let (status, class) = match con.status {
                ConsumerStatus::Idle => ("idle".to_owned(), "idle"),
                // Each status fits the 170-wide box beside "kitchen N · " (about 23 characters).
                ConsumerStatus::Waiting => ("long poll".to_owned(), "idle"),
                ConsumerStatus::Busy if !con.online => ("going OFFLINE".to_owned(), "offline"),
                ConsumerStatus::Busy => (format!("busy: {} msg", con.batch), "busy"),
                ConsumerStatus::Offline => ("OFFLINE".to_owned(), "offline"),
                ConsumerStatus::Crashed => ("CRASHED".to_owned(), "offline"),
                ConsumerStatus::Retired => ("retired".to_owned(), "offline"),
            };
            html! {
                <g class={super::class(&[Some("consumer"), Some(class)])} transform={format!("translate(620,{y})")}>
                    { super::fixed(r#"<rect width="170" height="30" rx="5"/>"#) }
                    <text x="8" y="19">{ format!("kitchen {} · {status}", con.id + 1) }</text>
                    if con.status == ConsumerStatus::Busy && !con.online {
                        { super::fixed("<title>Finishing its batch, then going offline</title>") }
                    }
                </g>
            }
        })
        .collect();
    // The HTTP baseline's backlog box and failure lines need the full height.
    let l = if props.compact && !http {
        &ONE_ROW
    } else {
        &FULL
    };
    let cap = l.cap;
    let height = (60 + consumers.len() * 36).max(l.min_h);
    let fifo = s.kind == QueueKind::Fifo;
    // The queue box is at (200, 10) and the DLQ box under it in queue mode; the HTTP backlog
    // box is at (200, 90).
    let mut placed = Vec::new();
    if http {
        place(&mut placed, (&s.visible, 0), (218.0, 135.0), PER_ROW, cap);
    } else {
        place(&mut placed, (&s.visible, 0), (218.0, 64.0), PER_ROW, cap);
        place(
            &mut placed,
            (&s.in_flight, 1),
            (218.0, l.in_flight_y),
            PER_ROW,
            cap,
        );
        // One row beside its label: a second would cross the box's edge and the DLQ arrow.
        // The label's count says how many wait.
        place(
            &mut placed,
            (&s.delayed, 2),
            (320.0, l.delayed_y),
            DELAYED_ROW,
            cap.min(DELAYED_ROW),
        );
        place(&mut placed, (&s.dlq, 3), (218.0, l.dlq_y), PER_ROW, cap);
    }
    let vt = props.settings.queue.visibility_timeout.0.max(1) as f64;
    let from = props.glides.borrow_mut().moved(&placed, props.fast);
    let tokens: Html = placed
        .into_iter()
        .zip(from)
        .enumerate()
        .map(|(i, ((t, x, y, _), from))| {
            // Share of the visibility timeout left, for in-flight messages.
            let remaining = match t.state {
                queue_engine::MsgState::InFlight { deadline, .. }
                    if deadline != queue_engine::Millis::MAX =>
                {
                    Some((deadline.0.saturating_sub(s.now.0) as f64 / vt).clamp(0.0, 1.0))
                }
                _ => None,
            };
            message_token(MessageToken {
                token: &t,
                // At speed nearly every token is another message each frame, and nothing
                // glides: keyed by message, each was a new element whose picture the browser
                // parsed anew (about 12 a frame at 1000x); keyed by place, an element stays
                // and takes the next message's attributes, and its picture stays as long as
                // the kind does.
                key: if props.fast { i as u64 } else { t.id },
                x,
                y,
                remaining,
                selected: props.selected == Some(t.id),
                from,
                onselect: props.onselect,
            })
        })
        .collect();
    html! {
        <figure class="diagram">
            <svg viewBox={format!("0 0 800 {height}")} role="group"
                aria-label="Diagram of the order service, the queue, the dead-letter queue and the kitchen">
                { super::fixed(concat!(
                    r#"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">"#,
                    r#"<path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>"#,
                )) }
                <g class="service" transform="translate(10,20)">
                    { super::fixed(r#"<rect width="130" height="70" rx="6"/><text x="10" y="24" class="service-name">order service</text>"#) }
                    <text x="10" y="44">{ said("sent", c.published) }</text>
                    <text x="10" y="62" class={super::class(&[(c.producer_errors > 0).then_some("bad")])}>
                        { said("errors", c.producer_errors) }
                    </text>
                </g>
                if http {
                    { super::fixed(concat!(
                        r#"<line x1="140" y1="55" x2="615" y2="55" class="flow" marker-end="url(#arrow)"/>"#,
                        r#"<text x="330" y="45" class="label">direct HTTP call</text>"#,
                    )) }
                    <g class="queue" transform="translate(200,90)">
                        { super::fixed(r#"<rect width="380" height="120" rx="6"/>"#) }
                        <text x="10" y="20" class="section">{ format!("kitchen backlog: {} waiting (limit)", s.http_backlog) }</text>
                        <text x="10" y="110" class="more">{ more(u64::from(s.http_backlog), s.visible.len(), cap) }</text>
                    </g>
                    <g class="dlq" transform="translate(200,230)">
                        <text x="0" y="16" class="bad">{ format!("failed calls: {} (refused, 503, timeouts, errors)", c.failed) }</text>
                        <text x="0" y="36">{ format!("wasted work: {} cooked after the caller gave up", crate::words::count(c.wasted_work, "order", "orders")) }</text>
                    </g>
                } else {
                    { super::fixed(concat!(
                        r#"<line x1="140" y1="55" x2="195" y2="55" class="flow" marker-end="url(#arrow)"/>"#,
                        r#"<line x1="580" y1="55" x2="615" y2="55" class="flow" marker-end="url(#arrow)"/>"#,
                    )) }
                    <g class="queue" transform="translate(200,10)">
                        <rect width="380" height={l.queue_h} rx="6" />
                        <text x="10" y="18" class="queue-name">
                            { format!("{} ({})", props.settings.queue.name, kind(props.settings.queue.profile())) }
                        </text>
                        <text x="10" y="38" class="section">{ said("visible", c.visible) }</text>
                        <text x="300" y="38" class="more">{ more(c.visible, s.visible.len(), cap) }</text>
                        <text x="10" y={l.in_flight_label} class="section">
                            { format!("in flight {}{}", c.in_flight + c.held, if fifo { format!(" · {} groups blocked", s.blocked_groups) } else { String::new() }) }
                        </text>
                        <text x="300" y={l.in_flight_label} class="more">{ more(c.in_flight + c.held, s.in_flight.len(), cap) }</text>
                        if c.delayed > 0 {
                            <text x="10" y={l.delayed_label} class="section">{ said("delayed", c.delayed) }</text>
                        }
                    </g>
                    <line x1="390" y1={l.arrow.0} x2="390" y2={l.arrow.1} class="flow dead" marker-end="url(#arrow)" />
                    <g class="dlq" transform={l.dlq_at}>
                        <rect width="380" height={l.dlq_h} rx="6" />
                        <text x="10" y="18" class="queue-name">{ format!("dead-letter queue: {}", c.dead_lettered) }</text>
                        <text x="300" y="18" class="more">{ more(c.dead_lettered, s.dlq.len(), cap) }</text>
                    </g>
                }
                { consumer_boxes }
                <foreignObject width="800" height={height.to_string()}>
                    <div xmlns="http://www.w3.org/1999/xhtml" class="tokens">{ tokens }</div>
                </foreignObject>
                if props.settings.data_store {
                    <g class="service" transform={format!("translate(620,{})", height - 70)}>
                        { super::fixed(r#"<rect width="170" height="30" rx="5"/>"#) }
                        <text x="8" y="19">{ format!("data store · {}", crate::words::count(c.store_records, "order", "orders")) }</text>
                    </g>
                }
                if props.settings.reply_queue && !http {
                    <g class="service" transform="translate(10,110)">
                        { super::fixed(r#"<rect width="130" height="50" rx="6"/><text x="10" y="20">reply queue</text>"#) }
                        <text x="10" y="40">{ crate::words::count(c.replies_received, "reply", "replies") }</text>
                    </g>
                }
            </svg>
            <figcaption class="legend">
                { for LOOKS.iter().map(|&(kind, _, label)| html! {
                    <span><i class={super::class(&[Some("token"), Some(kind)])}>{ super::fixed(PICTURE) }</i>{ label }</span>
                }) }
                { super::fixed("<span>Click any message to inspect it.</span>") }
            </figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::{compact, more, COMPACT_TOKEN_CAP, TOKEN_CAP};

    #[test]
    fn counts_shorten_to_fit_their_box_and_round_down() {
        assert_eq!(compact(0), "0");
        assert_eq!(compact(9_999), "9999");
        assert_eq!(compact(10_000), "10.0k");
        assert_eq!(compact(33_073), "33.0k");
        assert_eq!(compact(33_199), "33.1k");
        assert_eq!(compact(999_999), "999k");
        assert_eq!(compact(1_250_000), "1.2M");
        assert_eq!(compact(123_456_789), "123M");
        assert_eq!(compact(u64::MAX).len(), "18446744073709M".len());
        assert_eq!(more(33_098, 25, TOKEN_CAP), "+33.0k more");
        assert_eq!(more(20, 25, TOKEN_CAP), "");
        assert_eq!(more(20, 19, COMPACT_TOKEN_CAP), "+1 more");
    }
}
