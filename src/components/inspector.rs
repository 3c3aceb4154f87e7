//! The message inspector: one message of any system, as its CloudEvents envelope field by
//! field, its renderings in each binding, its lifecycle and (for a queue's message) its trace
//! waterfall on one time axis. What it shows is computed from the engine ([`Inspected`]).

use queue_engine::envelope::{field_doc, Binding, Envelope, Origin};
use queue_engine::trace::Trace;
use queue_engine::Decimal;
use queue_engine::{Event, Message, Millis, World};
use yew::prelude::*;

/// What the inspector shows for one message of any system, computed from the engine on demand:
/// the main queue's, a subscription's copy, a RabbitMQ queue's, a log's record or a stream's
/// entry all open the same inspector.
#[derive(PartialEq)]
pub struct Inspected {
    /// What the head calls it: "Message 12", or where it sits ("orders · partition 2 ·
    /// offset 41").
    pub title: String,
    /// The queue message, when it is one: its state and counts go in the head, and it has a
    /// trace. A log's record has a lifecycle and no trace; a stream's entry has neither.
    pub message: Option<Message>,
    pub envelope: Envelope,
    pub timeline: Vec<Event>,
    pub trace: Option<Trace>,
    /// The binary binding of its platform, shown first (None: the structured JSON).
    pub binding: Option<Binding>,
    /// A word on this message, above the tabs ("" for none): how its platform carries the event
    /// when it has no binding (Redis), or what a log's mark on a record means (skipped).
    pub note: String,
    /// A log record's consumer groups by name, in the log's order, so its lifecycle says
    /// which group did what ([`Event::describe_in`]); empty for a queue's message.
    pub groups: Vec<String>,
}

impl Inspected {
    /// Message `message` of member `m` of world `w`: its lifecycle and trace from the world's
    /// log, opened first in `binding`.
    pub fn queued(
        w: &World,
        m: u16,
        message: &Message,
        title: String,
        envelope: Envelope,
        binding: Option<Binding>,
    ) -> Self {
        Inspected {
            title,
            message: Some(message.clone()),
            envelope,
            timeline: w.timeline(m, message.id()),
            trace: w.trace(m, message.id()),
            binding,
            note: String::new(),
            groups: Vec::new(),
        }
    }

    /// A message that is no queue's: a log's record or a stream's entry. A record's lifecycle
    /// and a note are set on the value after.
    pub fn envelope_only(title: String, envelope: Envelope, binding: Option<Binding>) -> Self {
        Inspected {
            title,
            message: None,
            envelope,
            timeline: Vec::new(),
            trace: None,
            binding,
            note: String::new(),
            groups: Vec::new(),
        }
    }
}

/// A system's inspector inside its panel, under the element id that tests find it by, with
/// `onclose` closing it. The panel builds `inspected` afresh on each of its redraws.
pub fn panel_inspector(id: &'static str, inspected: Inspected, onclose: Callback<()>) -> Html {
    html! {
        <div {id}>
            <Inspector inspected={Some(super::Same(std::rc::Rc::new(inspected)))} onclose={super::Sends(onclose)} />
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    pub inspected: Option<super::Same<Inspected>>,
    pub onclose: super::Sends<()>,
}

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Envelope,
    Timeline,
    Trace,
}

/// What the reader chose to see: the tab, the binding the envelope is rendered in, and the
/// field explained.
#[derive(Clone, Copy)]
struct Shown {
    tab: Tab,
    binding: Option<Binding>,
    field: Option<&'static str>,
}

/// The selected message: its CloudEvents envelope with every field clickable, structured and
/// binary renderings, its lifecycle, and its trace as a waterfall.
#[component]
pub fn Inspector(props: &InspectorProps) -> Html {
    // Opened first in its platform's binding: how the event travels there is the point.
    let shown = super::Chosen(
        use_mut_ref(|| Shown {
            tab: Tab::Envelope,
            binding: props.inspected.as_ref().and_then(|i| i.binding),
            field: None,
        }),
        use_force_update(),
    );
    let now = shown.get();
    let Some(data) = &props.inspected else {
        return super::fixed(
            r#"<p class="region-summary">Click any message in the diagram, the DLQ list or the event log to read its CloudEvents envelope, field by field.</p>"#,
        );
    };
    let tab_button = |t: Tab, label: &str| {
        let shown = shown.clone();
        let on = now.tab == t;
        html! {
            <button type="button" role="tab" aria-selected={on.to_string()}
                class={super::class(&[on.then_some("active")])}
                onclick={Callback::from(move |_: MouseEvent| shown.set(Shown { tab: t, ..shown.get() }))}>{ label }</button>
        }
    };
    let queued = data.message.is_some();
    let close = {
        let onclose = props.onclose.clone();
        Callback::from(move |_: MouseEvent| onclose.emit(()))
    };
    html! {
        <div class="inspector">
            <div class="inspector-head">
                <strong>{ &data.title }{ " " }</strong>
                if let Some(m) = &data.message {
                    <span class="badge">{ m.state().name() }</span>
                    <span>{ format!(" · received {} × · processed {} ×", m.receive_count(), m.processed_count()) }</span>
                }
                <button type="button" class="close" aria-label="Close the inspector" onclick={close}>{ "✕" }</button>
            </div>
            if !data.note.is_empty() {
                <p class="note">{ &data.note }</p>
            }
            if queued || !data.timeline.is_empty() {
                <div role="tablist" class="tabs" aria-label="Message details">
                    { tab_button(Tab::Envelope, "Envelope") }
                    { tab_button(Tab::Timeline, "Lifecycle") }
                    if queued {
                        { tab_button(Tab::Trace, "Trace") }
                    }
                </div>
            }
            {
                match (now.tab, queued) {
                    (Tab::Timeline, _) => timeline_view(&data.timeline, &data.groups),
                    (Tab::Trace, true) => trace_view(data.trace.as_ref()),
                    _ => envelope_view(&data.envelope, &shown),
                }
            }
        </div>
    }
}

fn envelope_view(envelope: &Envelope, shown: &super::Chosen<Shown>) -> Html {
    let now = shown.get();
    let attrs = envelope.attributes();
    let lines: Html = attrs
        .iter()
        .map(|(name, value)| {
            let name: &'static str = name;
            let pick = {
                let shown = shown.clone();
                Callback::from(move |_: MouseEvent| {
                    shown.set(Shown {
                        field: Some(name),
                        ..shown.get()
                    })
                })
            };
            let custom = field_doc(name).is_some_and(|d| d.origin == Origin::Custom);
            let on = now.field == Some(name);
            let value = match value.as_str() {
                Some(s) => format!("\"{s}\""),
                None => value.to_string(),
            };
            html! {
                <li>
                    <button type="button" class={super::class(&[Some("field"), on.then_some("active")])}
                        data-field={name} aria-pressed={on.to_string()} onclick={pick}>
                        <span class="field-name">{ format!("\"{name}\"") }</span>{ ": " }
                        <span class="field-value">{ value }</span>
                        if custom { { super::fixed(r#"<span class="badge custom">custom extension</span>"#) } }
                    </button>
                </li>
            }
        })
        .collect();
    let explanation = now.field.and_then(field_doc).map(|doc| {
        let origin = match doc.origin {
            Origin::Required => "required attribute",
            Origin::Optional => "optional attribute",
            Origin::Extension => "CloudEvents extension",
            Origin::Custom => "custom extension: not part of CloudEvents",
        };
        html! {
            <aside class="explanation" id="field-explanation" aria-live="polite">
                <h3>{ doc.name }<span class="badge">{ origin }</span></h3>
                <p>{ super::fixed("<strong>Why it is here: </strong>") }{ doc.why }</p>
                <p>{ super::fixed("<strong>Without it: </strong>") }{ doc.without }</p>
                <p class="spec">{ doc.spec }</p>
            </aside>
        }
    });
    let mode_button = |b: Option<Binding>, label: &str| {
        let shown = shown.clone();
        let active = now.binding == b;
        html! {
            <button type="button" aria-pressed={active.to_string()} class={super::class(&[active.then_some("active")])}
                onclick={Callback::from(move |_: MouseEvent| shown.set(Shown { binding: b, ..shown.get() }))}>{ label }</button>
        }
    };
    let rendering = now.binding.map(|b| {
        let r = envelope.binary(b);
        html! {
            <div class="rendering">
                <p class="note">{ &r.note }</p>
                <pre>{ r.metadata.iter().map(|(k, v)| format!("{k}: {v}\n")).collect::<String>() }{ "\n" }{ &r.body }</pre>
            </div>
        }
    });
    html! {
        <div class="envelope">
            <div class="modes" role="group" aria-label="Content mode">
                { mode_button(None, "Structured JSON") }
                { for Binding::ALL.iter().map(|b| mode_button(Some(*b), &format!("{} binary", b.label()))) }
            </div>
            if let Some(r) = rendering {
                { r }
            } else {
                <ul class="json" aria-label="CloudEvents envelope; pick a field to learn why it is there">{ lines }</ul>
            }
            { explanation.unwrap_or_else(|| super::fixed(r#"<p class="hint">Pick any field to see why it earns its place.</p>"#)) }
        </div>
    }
}

fn timeline_view(events: &[Event], groups: &[String]) -> Html {
    if events.is_empty() {
        return super::fixed(
            r#"<p class="hint">This message's events are no longer in the log.</p>"#,
        );
    }
    html! {
        <ol class="timeline">
            { for events.iter().map(|e| html! { <li><time>{ e.t.to_string() }</time>{ " " }{ e.describe_in(groups) }</li> }) }
        </ol>
    }
}

fn trace_view(trace: Option<&Trace>) -> Html {
    let Some(trace) = trace else {
        return super::fixed(r#"<p class="hint">No trace available.</p>"#);
    };
    let start = trace
        .spans
        .iter()
        .map(|s| s.start)
        .min()
        .unwrap_or(Millis::ZERO);
    let end = trace.spans.iter().map(|s| s.end).max().unwrap_or(start);
    let span_ms = (end.0.saturating_sub(start.0)).max(1) as f64;
    html! {
        <div class="trace">
            <p class="note">{ format!("trace id {:032x} · {} over {}", trace.ids.trace_id, crate::words::count(trace.spans.len() as u64, "span", "spans"), Millis(span_ms as u64)) }</p>
            if !trace.complete {
                { super::fixed(r#"<p class="hint">Older attempts have left the event log; the waterfall shows what remains.</p>"#) }
            }
            <ul class="waterfall">
                { for trace.spans.iter().map(|s| {
                    let left = (s.start.0 - start.0) as f64 / span_ms * 100.0;
                    let width = ((s.end.0 - s.start.0) as f64 / span_ms * 100.0).max(0.6);
                    let relation = if s.derived { "derived" } else if !s.links.is_empty() && s.parent.is_none() { "linked" } else { "" };
                    html! {
                        <li class={super::class(&[s.derived.then_some("derived")])}>
                            <span class="span-name">{ &s.name }<small>{ format!(" {:?} · {}", s.kind, s.service) }</small>
                                if !relation.is_empty() { <span class="badge">{ relation }</span> }</span>
                            <span class="bar-track"><span class="bar" style={format!("left:{}%;width:{}%", Decimal::fixed(left, 2), Decimal::fixed(width, 2))}></span></span>
                            <span class="span-time">{ Millis(s.end.0 - s.start.0).to_string() }</span>
                        </li>
                    }
                }) }
            </ul>
        </div>
    }
}
