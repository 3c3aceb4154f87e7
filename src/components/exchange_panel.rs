//! The RabbitMQ broker: publish with a routing key to any exchange and see which bindings
//! matched, each queue's messages with ack, reject and requeue, and the `x-death` history of
//! what was dead-lettered. It runs the rabbitmq-pizza system (`scenarios/rabbitmq-pizza.json`).

use queue_engine::envelope::{Binding, Envelope};
use queue_engine::topology::RouterType;
use queue_engine::{Message, Millis, MsgId, MsgState, Sim, TakeOutcome, World, MAX_ROUTING_KEY};
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::{panel_inspector, Inspected};
use crate::panels::{Panel, PanelAction, PanelCommand, PanelHandle};
#[derive(Properties, PartialEq)]
pub struct ExchangePanelProps {
    /// The main run's simulated time: queue TTLs run out on it.
    pub now: Millis,
    /// The playground's worlds: this panel reads and acts on the RabbitMQ broker.
    pub panels: PanelHandle,
}

/// Routing keys worth trying, each showing one rule.
const PRESETS: &[(&str, &str, &str)] = &[
    (
        "orders",
        "order.pizza.eu",
        "a pizza in Europe: kitchen, audit and EU billing",
    ),
    (
        "orders",
        "order.drink.us",
        "a drink in the US: bar and audit",
    ),
    (
        "orders",
        "refund.pizza.us",
        "no binding matches: unroutable",
    ),
    (
        "notifications",
        "order.ready",
        "fanout ignores the key: every bound queue",
    ),
    ("payments", "payment.failed", "direct: only the exact key"),
    (
        "",
        "kitchen",
        "the default exchange: the queue named by the key",
    ),
];

/// A queue row: a queue member (its index), or the dead-letter queue behind one.
struct Row<'a> {
    name: &'a str,
    member: u16,
    dead_letters: bool,
}

/// The message at the head of a member's queue: its oldest ready one (RabbitMQ hands them
/// out in order, and a requeued one goes back to its place at the head).
fn head(w: &World, m: u16) -> Option<&Message> {
    w.members()[m as usize]
        .message_iter()
        .filter(|msg| msg.state() == MsgState::Visible)
        .min_by_key(|msg| msg.id())
}

/// Up to `n` dead letters, newest first. Picked one at a time rather than sorted: the panel's
/// queues hold a handful, and a sort of messages would add about 5 kB to the page.
fn newest_dead(sim: &Sim, n: usize) -> Vec<&Message> {
    let mut out: Vec<&Message> = Vec::new();
    let mut below = MsgId::MAX;
    while out.len() < n {
        let next = sim
            .message_iter()
            .filter(|m| m.id() < below && matches!(m.state(), MsgState::DeadLettered { .. }))
            .max_by_key(|m| m.id());
        let Some(m) = next else { break };
        below = m.id();
        out.push(m);
    }
    out
}

/// The queue's arguments as a RabbitMQ operator would declare them.
fn arguments(w: &World, row: &Row) -> String {
    if row.dead_letters {
        return "takes what the dead-letter exchange routes to it".into();
    }
    let sc = w.members()[row.member as usize].scenario();
    let q = &sc.queue;
    let mut args: Vec<String> = Vec::new();
    // The engine's longest retention stands in for "no TTL".
    if q.retention < Millis::from_secs(1_209_600) {
        args.push(format!("x-message-ttl {}", q.retention));
    }
    if let Some(max) = q.max_depth {
        let how = match q.overflow {
            queue_engine::Overflow::DropOldest => "drop-head",
            queue_engine::Overflow::RejectPublish => "reject-publish",
        };
        args.push(format!("x-max-length {max} ({how})"));
    }
    let limit = sc
        .dlq
        .as_ref()
        .map(|d| d.max_receive_count)
        .filter(|&n| n != queue_engine::NO_DELIVERY_LIMIT)
        .or(q.max_deliveries);
    if let (true, Some(deliveries)) = (q.limit_at_return(), limit) {
        args.push(format!(
            "quorum, x-delivery-limit {}",
            deliveries.saturating_sub(1)
        ));
    }
    match &w.member_nodes(row.member).dlx {
        Some(dlx) => args.push(format!("x-dead-letter-exchange {dlx}")),
        None => args.push("no DLX: what dies is dropped".into()),
    }
    args.join(" · ")
}

/// RabbitMQ's model: exchanges route by binding, queues hold, and the dead-letter exchange
/// catches what dies, with the reason in `x-death`. Publish with any key and see which bindings
/// it matched; take the head of any queue and ack, reject or requeue it; let the kitchen's TTL
/// run out. It runs as a world (`scenarios/rabbitmq-pizza.json`) on the main clock.
#[component]
pub fn ExchangePanel(props: &ExchangePanelProps) -> Html {
    let act = props.panels.actions(Panel::Exchanges);
    let exchange = use_state(|| "orders".to_owned());
    let key = use_state(|| "order.pizza.eu".to_owned());
    // Empty when there is none (see `ComparePanel`'s variant for why not an `Option`).
    let error = use_state(String::new);
    // A message opened to read its envelope: (member, message id).
    let opened = super::Chosen(use_mut_ref(|| None::<super::Opened>), use_force_update());
    let panels = props.panels.read(Panel::Exchanges, props.now);
    let Some(w) = panels.world(Panel::Exchanges) else {
        return Html::default();
    };
    let last = w.last_publish();

    let publish = |ex: String, k: String| {
        let act = act.clone();
        let error = error.clone();
        move || {
            if k.len() > MAX_ROUTING_KEY {
                error.set(format!(
                    "routing key: expected at most {MAX_ROUTING_KEY} bytes (AMQP short string), got {} bytes",
                    k.len()
                ));
                return;
            }
            error.set(String::new());
            act.emit(PanelAction::Command(PanelCommand::Publish {
                exchange: ex.clone(),
                key: k.clone(),
            }));
        }
    };
    let onsubmit = {
        let go = publish((*exchange).clone(), (*key).clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            go();
        })
    };
    let onexchange = {
        let exchange = exchange.clone();
        Callback::from(move |e: Event| {
            exchange.set(super::select_value(&e));
        })
    };
    let onkey = {
        let key = key.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                key.set(i.value());
            }
        })
    };

    // Every queue member, then the dead-letter queues behind them.
    let members = 0..w.members().len() as u16;
    let mut rows: Vec<Row> = members
        .clone()
        .map(|m| Row {
            name: &w.member_nodes(m).queue,
            member: m,
            dead_letters: false,
        })
        .collect();
    rows.extend(members.filter_map(|m| {
        Some(Row {
            name: w.member_nodes(m).dlq.as_deref()?,
            member: m,
            dead_letters: true,
        })
    }));
    let count = |row: &Row| {
        let c = w.members()[row.member as usize].counts();
        if row.dead_letters {
            c.dead_lettered
        } else {
            c.visible
        }
    };
    // Each exchange's bindings, as (router, binding key, queue row name, member).
    let dlq_of = |dlx: &str| {
        rows.iter()
            .find(|r| r.dead_letters && w.member_nodes(r.member).dlx.as_deref() == Some(dlx))
    };
    let bindings: Vec<(&str, RouterType, String, &str, Option<u16>)> = w
        .routers()
        .iter()
        .flat_map(|r| {
            let own = r.binds.iter().map(move |(bind, m)| {
                let key = match r.kind {
                    RouterType::Fanout => "(any key)".to_owned(),
                    _ => bind.clone().unwrap_or_default(),
                };
                (
                    r.name.as_str(),
                    r.kind,
                    key,
                    w.member_nodes(*m).queue.as_str(),
                    Some(*m),
                )
            });
            let dead = dlq_of(&r.name).filter(|_| r.dead_letter).map(|row| {
                (
                    r.name.as_str(),
                    r.kind,
                    "(any key)".to_owned(),
                    row.name,
                    None,
                )
            });
            own.chain(dead)
        })
        .collect();
    let gone: u64 = w
        .members()
        .iter()
        .map(|s| {
            let c = s.counts();
            c.rejected + c.dropped + c.expired
        })
        .sum();
    let last_text = last.map(|p| {
        let on = if p.exchange.is_empty() { "the default exchange".to_owned() } else { format!("exchange {}", p.exchange) };
        let names: Vec<&str> = p.to.iter().map(|&m| w.member_nodes(m).queue.as_str()).collect();
        if names.is_empty() {
            format!(
                "Published \"{}\" to {on}: no binding matches, so it is unroutable and dropped ({} so far). Publishing with mandatory=true would return it; an alternate exchange would catch it.",
                p.key, w.unroutable()
            )
        } else if p.refused {
            format!("Published \"{}\" to {on}: routed to {}, but a full queue refused it (reject-publish), so the publisher's confirm is a nack.", p.key, names.join(", "))
        } else {
            format!("Published \"{}\" to {on}: copied to {}.", p.key, names.join(", "))
        }
    });

    let open = |m: u16, id: u64| {
        let opened = opened.clone();
        Callback::from(move |_: MouseEvent| opened.set(Some((u64::from(m), id))))
    };
    let detail = opened.get().and_then(|(m, id)| {
        let m = m as u16;
        let sim = w.members().get(m as usize)?;
        let msg = sim.message(id)?;
        let (_, routing_key) = w.published_with(m, msg);
        let nodes = w.member_nodes(m);
        let queue = match msg.state() {
            MsgState::DeadLettered { .. } => nodes.dlq.as_deref().unwrap_or(&nodes.queue),
            _ => &nodes.queue,
        };
        let headers = w.dead_letter_headers(m, msg);
        let close = opened.clone();
        let inspected = Inspected::queued(
            w,
            m,
            msg,
            format!("{queue} · message #{} · routing key {routing_key}", msg.event()),
            Envelope::for_message(msg, sim.scenario()),
            Some(Binding::Amqp),
        );
        Some(html! {
            <>
                { panel_inspector("rmq-detail", inspected, Callback::from(move |()| close.set(None))) }
                if let Some(headers) = headers {
                    <pre class="export" id="rmq-x-death">{ headers }</pre>
                }
            </>
        })
    });
    let table_rows = rows.iter().map(|row| {
        let bound: Vec<String> = bindings
            .iter()
            .filter(|b| b.3 == row.name)
            .map(|(ex, kind, key, _, _)| if *kind == RouterType::Fanout { (*ex).to_owned() } else { format!("{ex} ({key})") })
            .collect();
        let n_ready = count(row);
        let head = if row.dead_letters { None } else { head(w, row.member) };
        let take = |outcome: TakeOutcome| {
            let member = row.member;
            act.reform(move |_: MouseEvent| PanelAction::Command(PanelCommand::Take { member, outcome }))
        };
        html! {
            <tr data-queue={row.name.to_owned()}>
                <th scope="row">{ row.name }</th>
                <td>{ bound.join(", ") }</td>
                <td class="ready">
                    if let Some(head) = head {
                        <button type="button" class="link head" onclick={open(row.member, head.id())}
                            aria-label={format!("Open the envelope of the message at the head of {}", row.name)}>
                            { n_ready }
                        </button>
                    } else {
                        { n_ready }
                    }
                </td>
                <td class="hint">{ arguments(w, row) }</td>
                <td class="rmq-actions">
                    if !row.dead_letters {
                        <button type="button" disabled={head.is_none()} onclick={take(TakeOutcome::Ack)}
                            aria-label={format!("Take and ack the head of {}", row.name)}>{ "Ack" }</button>
                        <button type="button" disabled={head.is_none()} onclick={take(TakeOutcome::Reject)}
                            aria-label={format!("Reject the head of {} without requeue", row.name)}>{ "Reject" }</button>
                        <button type="button" disabled={head.is_none()} onclick={take(TakeOutcome::Requeue)}
                            aria-label={format!("Nack the head of {} with requeue", row.name)}>{ "Requeue" }</button>
                    }
                </td>
            </tr>
        }
    });

    // Each dead-letter queue's messages, newest first, with why they died.
    let dead_queue = rows.iter().find(|r| r.dead_letters);
    let dead = dead_queue.map(|row| {
        let sim = &w.members()[row.member as usize];
        newest_dead(sim, 20).into_iter().map(|msg| {
            let (_, routing_key) = w.published_with(row.member, msg);
            html! {
                <li class="x-death-entry">
                    <button type="button" class="link" onclick={open(row.member, msg.id())}>
                        <code>{ format!("#{} {routing_key}", msg.event()) }</code>
                    </button>
                    <ol class="x-death" aria-label="x-death, newest first">
                        { for w.x_death(row.member, msg).iter().map(|d| html! {
                            <li>{ format!(
                                "reason {} · queue {} · count {} · exchange {} · routing-keys [{}] · at {}",
                                d.reason, d.queue, d.count,
                                if d.exchange.is_empty() { "\"\"" } else { d.exchange.as_str() },
                                d.routing_keys.join(", "), d.time
                            ) }</li>
                        }) }
                    </ol>
                </li>
            }
        }).collect::<Html>()
    });
    let dead_title = dead_queue.map_or("dead letters".to_owned(), |r| {
        format!("{}: what died, and why (x-death)", r.name)
    });

    html! {
        <div class="exchanges">
            { super::fixed(r#"<p class="hint">RabbitMQ routes in the exchange, not the queue: a topic exchange matches dotted keys word by word (* is one word, # is any number), a direct exchange the exact key, a fanout exchange ignores the key. The kitchen is a quorum queue with a TTL, a length limit, a delivery limit and a dead-letter exchange.</p>"#) }
            <form class="control-row" id="rmq-publish" onsubmit={onsubmit} aria-label="Publish a message">
                <label>{ "Exchange " }
                    <select id="rmq-exchange" onchange={onexchange}>
                        { for w.routers().iter().filter(|r| !r.dead_letter).map(|r| html! {
                            <option value={r.name.clone()} selected={*exchange == r.name}>{ format!("{} ({})", r.name, r.kind.id()) }</option>
                        }) }
                        <option value="" selected={exchange.is_empty()}>{ "(default exchange)" }</option>
                    </select>
                </label>
                <label>{ "Routing key " }
                    <input id="rmq-key" type="text" value={(*key).clone()} oninput={onkey} spellcheck="false"
                        aria-invalid={(!error.is_empty()).to_string()} aria-describedby="rmq-error" />
                </label>
                { super::fixed(r#"<button type="submit">Publish</button>"#) }
            </form>
            <p id="rmq-error" class="control-error" role="alert">{ (*error).clone() }</p>
            <div class="control-row" role="group" aria-label="Try a key">
                { for PRESETS.iter().map(|(ex, k, why)| {
                    let go = publish((*ex).to_owned(), (*k).to_owned());
                    let (exchange, key) = (exchange.clone(), key.clone());
                    let onclick = Callback::from(move |_: MouseEvent| {
                        exchange.set((*ex).to_owned());
                        key.set((*k).to_owned());
                        go();
                    });
                    html! { <button type="button" class="preset" title={*why} {onclick}>{ if ex.is_empty() { format!("\"\" ← {k}") } else { format!("{ex} ← {k}") } }</button> }
                }) }
            </div>
            <p class="rmq-last" id="rmq-last" aria-live="polite">{ last_text.unwrap_or_else(|| "Nothing published yet.".into()) }</p>
            <p class="rmq-totals" id="rmq-totals">{ format!("Unroutable: {} · dropped (no dead-letter exchange): {gone}", w.unroutable()) }</p>
            // A compact lesson folds the table behind this box (style.css); the full page hides the box.
            // It holds no state Yew knows of, so it can be text (`fixed`).
            { super::fixed(r#"<label class="switch fold"><input type="checkbox" class="unfold"> Show the queues, to ack, reject or requeue</label>"#) }
            <table class="rmq-queues" id="rmq-queues">
                <thead><tr>{ super::heads(&["Queue", "Bound from", "Ready", "Arguments", "Take the head"]) }</tr></thead>
                <tbody>{ for table_rows }</tbody>
            </table>
            <h3>{ dead_title }</h3>
            <ol class="x-deaths" id="x-deaths">{ dead.unwrap_or_default() }</ol>
            { detail.unwrap_or_default() }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use queue_engine::topology::plan::Plan;
    use queue_engine::Scenario;

    /// Every order is a poison pill dead-lettered on its first receive, so the DLQ fills with
    /// messages whose ids are known to run in order.
    #[test]
    fn newest_dead_letters_come_first_and_only_dead_ones() {
        let s = Scenario::from_json(
            r#"{"producers":[{"rate":2,"poison_share":1.0}],
                "dlq":{"max_receive_count":1},
                "queue":{"visibility_timeout":"1s"}}"#,
        )
        .expect("valid scenario");
        let mut w = World::new(Plan::single(s)).expect("valid plan");
        w.advance_to(Millis::from_secs(20));
        let sim = &w.members()[0];
        let mut expected: Vec<MsgId> = sim
            .messages()
            .into_iter()
            .filter(|m| matches!(m.state(), MsgState::DeadLettered { .. }))
            .map(|m| m.id())
            .collect();
        expected.reverse();
        assert!(expected.len() > 10, "{} dead letters", expected.len());
        expected.truncate(5);
        let picked: Vec<MsgId> = newest_dead(sim, 5).iter().map(|m| m.id()).collect();
        assert_eq!(picked, expected);
        assert_eq!(
            newest_dead(sim, 1000).len(),
            sim.counts().dead_lettered as usize
        );
    }
}
