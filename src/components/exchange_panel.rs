use queue_engine::envelope::Binding;
use queue_engine::routing::{ExchangeKind, Outcome, Routed, MAX_ROUTING_KEY};
use queue_engine::Millis;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::{use_side_run, EnvelopeCard};
use crate::side::{SideAction, SideCommand, SideModel, Spec};

#[derive(Properties, PartialEq)]
pub struct ExchangePanelProps {
    /// The main run's simulated time: queue TTLs run out on it.
    pub now: Millis,
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

/// SVG coordinates without the standard float formatter (see `queue_engine::Decimal`).
fn n(v: f64) -> String {
    queue_engine::Decimal::short(v).to_string()
}

const ROW: f64 = 34.0;
const BOX_H: f64 = 26.0;
const EX_X: f64 = 6.0;
const EX_W: f64 = 150.0;
const Q_X: f64 = 430.0;
const Q_W: f64 = 204.0;

fn kind_name(kind: ExchangeKind) -> &'static str {
    match kind {
        ExchangeKind::Direct => "direct",
        ExchangeKind::Fanout => "fanout",
        ExchangeKind::Topic => "topic",
    }
}

/// RabbitMQ's model: exchanges route by binding, queues hold, and the dead-letter exchange
/// catches what dies, with the reason in `x-death`. Publish with any key and see which bindings
/// it matched; consume, reject or requeue from any queue; let the kitchen's TTL run out.
#[component]
pub fn ExchangePanel(props: &ExchangePanelProps) -> Html {
    let (run, act) = use_side_run(None, props.now, &|| Spec::Exchanges);
    let exchange = use_state(|| "orders".to_owned());
    let key = use_state(|| "order.pizza.eu".to_owned());
    let error = use_state(|| None::<String>);
    // A message opened to read its envelope: (queue, message id).
    let opened = use_state(|| None::<(String, u64)>);
    let run = run.borrow();
    let SideModel::Broker(b) = &run.model else {
        return Html::default();
    };
    let broker = &b.broker;

    let publish = |ex: String, k: String| {
        let act = act.clone();
        let error = error.clone();
        move || {
            if k.len() > MAX_ROUTING_KEY {
                error.set(Some(format!(
                    "routing key: expected at most {MAX_ROUTING_KEY} bytes (AMQP short string), got {} bytes",
                    k.len()
                )));
                return;
            }
            error.set(None);
            act.emit(SideAction::Command(SideCommand::Publish {
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
            if let Some(s) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
            {
                exchange.set(s.value());
            }
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

    // Which bindings the last publish matched (the default exchange has none to draw).
    let hit = |ex: &str, queue: &str| -> bool {
        b.last.as_ref().is_some_and(|p| {
            p.exchange == ex && matches!(&p.routed, Routed::To(qs) if qs.iter().any(|q| q == queue))
        })
    };
    let q_y = |name: &str| -> f64 {
        let i = broker
            .queues
            .iter()
            .position(|q| q.name == name)
            .unwrap_or(0);
        8.0 + i as f64 * ROW
    };
    let ex_y = |name: &str| -> f64 {
        let ys: Vec<f64> = broker
            .bindings
            .iter()
            .filter(|bd| bd.exchange == name)
            .map(|bd| q_y(&bd.queue))
            .collect();
        if ys.is_empty() {
            8.0
        } else {
            ys.iter().sum::<f64>() / ys.len() as f64
        }
    };
    let height = 16.0 + broker.queues.len() as f64 * ROW;

    let bindings = broker.bindings.iter().map(|bd| {
        let (x1, y1) = (EX_X + EX_W, ex_y(&bd.exchange) + BOX_H / 2.0);
        let (x2, y2) = (Q_X - 6.0, q_y(&bd.queue) + BOX_H / 2.0);
        let on = hit(&bd.exchange, &bd.queue);
        let kind = broker.exchanges.iter().find(|e| e.name == bd.exchange).map(|e| e.kind);
        let label = match kind {
            Some(ExchangeKind::Fanout) => "(any key)".to_owned(),
            _ => bd.key.clone(),
        };
        // The label sits near the queue end, where each queue has one incoming binding.
        let (lx, ly) = (x1 + (x2 - x1) * 0.7, y1 + (y2 - y1) * 0.7 - 4.0);
        html! {
            <g class={classes!("binding", on.then_some("hit"))}>
                <line x1={n(x1)} y1={n(y1)} x2={n(x2)} y2={n(y2)} marker-end="url(#rmq-arrow)" />
                <text x={n(lx)} y={n(ly)} text-anchor="middle">{ if on { format!("✓ {label}") } else { label } }</text>
            </g>
        }
    });
    let exchanges = broker.exchanges.iter().map(|e| {
        let y = ex_y(&e.name);
        html! {
            <g class="rmq-exchange">
                <rect x={n(EX_X)} y={n(y)} width={n(EX_W)} height={n(BOX_H)} rx="13" />
                <text x={n(EX_X + 10.0)} y={n(y + 17.0)}>{ format!("{} ({})", e.name, kind_name(e.kind)) }</text>
            </g>
        }
    });
    let queues = broker.queues.iter().map(|q| {
        let y = q_y(&q.name);
        let delivered = b.last.as_ref().is_some_and(|p| {
            p.exchange.is_empty() && matches!(&p.routed, Routed::To(qs) if qs.contains(&q.name))
        });
        html! {
            <g class={classes!("rmq-queue", delivered.then_some("hit"))}>
                <rect x={n(Q_X)} y={n(y)} width={n(Q_W)} height={n(BOX_H)} rx="3" />
                <text x={n(Q_X + 8.0)} y={n(y + 17.0)}>
                    { format!("{}{} · {} ready", if delivered { "✓ " } else { "" }, q.name, q.ready.len()) }
                </text>
            </g>
        }
    });
    // Queues that dead-letter: a dashed arrow back to their dead-letter exchange.
    let dlx_arrows = broker.queues.iter().filter_map(|q| {
        let dlx = q.args.dead_letter_exchange.as_deref()?;
        let (x1, y1) = (Q_X, q_y(&q.name) + BOX_H - 4.0);
        let (x2, y2) = (EX_X + EX_W + 6.0, ex_y(dlx) + 4.0);
        Some(html! {
            <g class="dead-letter-route">
                <line x1={n(x1)} y1={n(y1)} x2={n(x2)} y2={n(y2)} marker-end="url(#rmq-arrow)" />
                <text x={n(x2 + 14.0)} y={n(y2 - 6.0)}>{ "dead letters" }</text>
            </g>
        })
    });

    let last = b.last.as_ref().map(|p| {
        let on = if p.exchange.is_empty() { "the default exchange".to_owned() } else { format!("exchange {}", p.exchange) };
        match &p.routed {
            Routed::To(qs) => format!("Published \"{}\" to {on}: copied to {}.", p.key, qs.join(", ")),
            Routed::Unroutable => format!(
                "Published \"{}\" to {on}: no binding matches, so it is unroutable and dropped ({} so far). Publishing with mandatory=true would return it; an alternate exchange would catch it.",
                p.key, broker.unroutable
            ),
        }
    });

    let open = |queue: String, id: u64| {
        let opened = opened.clone();
        Callback::from(move |_: MouseEvent| opened.set(Some((queue.clone(), id))))
    };
    let detail = opened.as_ref().and_then(|(queue, id)| {
        let m = broker.queue(queue)?.ready.iter().find(|m| m.id == *id)?;
        let title = format!("{queue} · message #{id} · routing key {}", m.routing_key);
        Some(html! {
            <>
                <EnvelopeCard id="rmq-detail" {title} envelope={m.envelope()} binding={Some(Binding::Amqp)} />
                if !m.x_death.is_empty() {
                    <pre class="export" id="rmq-x-death">{ format!("x-death: [{}]", m.x_death_header()) }</pre>
                }
            </>
        })
    });
    let rows = broker.queues.iter().map(|q| {
        let bound: Vec<String> = broker
            .bindings
            .iter()
            .filter(|bd| bd.queue == q.name)
            .map(|bd| if bd.key.is_empty() { bd.exchange.clone() } else { format!("{} ({})", bd.exchange, bd.key) })
            .collect();
        let a = &q.args;
        let mut args: Vec<String> = Vec::new();
        if let Some(ttl) = a.ttl {
            args.push(format!("x-message-ttl {ttl}"));
        }
        if let Some(max) = a.max_length {
            args.push(format!("x-max-length {max} (drop-head)"));
        }
        if let Some(limit) = a.delivery_limit {
            args.push(format!("quorum, x-delivery-limit {limit}"));
        }
        match &a.dead_letter_exchange {
            Some(dlx) => args.push(format!("x-dead-letter-exchange {dlx}")),
            None if q.name != "orders.dead" => args.push("no DLX: what dies is dropped".into()),
            None => {}
        }
        let empty = q.ready.is_empty();
        let consume = |outcome: Outcome| {
            let queue = q.name.clone();
            act.reform(move |_: MouseEvent| SideAction::Command(SideCommand::Consume { queue: queue.clone(), outcome }))
        };
        html! {
            <tr data-queue={q.name.clone()}>
                <th scope="row">{ &q.name }</th>
                <td>{ bound.join(", ") }</td>
                <td class="ready">
                    if let Some(head) = q.ready.front() {
                        <button type="button" class="link head" onclick={open(q.name.clone(), head.id)}
                            aria-label={format!("Open the envelope of the message at the head of {}", q.name)}>
                            { q.ready.len() }
                        </button>
                    } else {
                        { 0 }
                    }
                </td>
                <td class="hint">{ args.join(" · ") }</td>
                <td class="rmq-actions">
                    <button type="button" disabled={empty} onclick={consume(Outcome::Ack)}
                        aria-label={format!("Consume and ack the head of {}", q.name)}>{ "Ack" }</button>
                    <button type="button" disabled={empty} onclick={consume(Outcome::Reject)}
                        aria-label={format!("Reject the head of {} without requeue", q.name)}>{ "Reject" }</button>
                    <button type="button" disabled={empty} onclick={consume(Outcome::Requeue)}
                        aria-label={format!("Nack the head of {} with requeue", q.name)}>{ "Requeue" }</button>
                </td>
            </tr>
        }
    });

    let dead = broker.queue("orders.dead").map(|q| q.ready.iter().rev().take(20).map(|m| {
        html! {
            <li class="x-death-entry">
                <button type="button" class="link" onclick={open("orders.dead".into(), m.id)}>
                    <code>{ format!("#{} {}", m.id, m.x_death.first().map_or(m.routing_key.as_str(), |d| d.routing_keys.first().map_or("", String::as_str))) }</code>
                </button>
                <ol class="x-death" aria-label="x-death, newest first">
                    { for m.x_death.iter().map(|d| html! {
                        <li>{ format!(
                            "reason {} · queue {} · count {} · exchange {} · routing-keys [{}] · at {}",
                            d.reason.as_str(), d.queue, d.count,
                            if d.exchange.is_empty() { "\"\"" } else { d.exchange.as_str() },
                            d.routing_keys.join(", "), d.time
                        ) }</li>
                    }) }
                </ol>
            </li>
        }
    }).collect::<Html>());

    html! {
        <div class="exchanges">
            <p class="hint">{ "RabbitMQ routes in the exchange, not the queue: a topic exchange matches dotted keys word by word (* is one word, # is any number), a direct exchange the exact key, a fanout exchange ignores the key. The kitchen is a quorum queue with a TTL, a length limit, a delivery limit and a dead-letter exchange." }</p>
            <form class="control-row" id="rmq-publish" onsubmit={onsubmit} aria-label="Publish a message">
                <label>{ "Exchange " }
                    <select id="rmq-exchange" onchange={onexchange}>
                        { for broker.exchanges.iter().map(|e| html! {
                            <option value={e.name.clone()} selected={*exchange == e.name}>{ format!("{} ({})", e.name, kind_name(e.kind)) }</option>
                        }) }
                        <option value="" selected={exchange.is_empty()}>{ "(default exchange)" }</option>
                    </select>
                </label>
                <label>{ "Routing key " }
                    <input id="rmq-key" type="text" value={(*key).clone()} oninput={onkey} spellcheck="false"
                        aria-invalid={error.is_some().to_string()} aria-describedby="rmq-error" />
                </label>
                <button type="submit">{ "Publish" }</button>
            </form>
            <p id="rmq-error" class="control-error" role="alert">{ (*error).clone().unwrap_or_default() }</p>
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
            <p class="rmq-last" id="rmq-last" aria-live="polite">{ last.unwrap_or_else(|| "Nothing published yet.".into()) }</p>
            <svg class="rmq-diagram" viewBox={format!("0 0 640 {}", n(height))} role="img"
                aria-label="Exchanges on the left, queues on the right, bindings as arrows labelled with their keys; the last publish's matches are marked with a tick.">
                <defs>
                    <marker id="rmq-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" />
                    </marker>
                </defs>
                { for bindings }
                { for dlx_arrows }
                { for exchanges }
                { for queues }
            </svg>
            <table class="rmq-queues" id="rmq-queues">
                <caption>{ format!("Unroutable: {} · dropped (no dead-letter exchange): {}", broker.unroutable, broker.dropped) }</caption>
                <thead><tr>
                    <th scope="col">{ "Queue" }</th><th scope="col">{ "Bound from" }</th><th scope="col">{ "Ready" }</th>
                    <th scope="col">{ "Arguments" }</th><th scope="col">{ "Take the head" }</th>
                </tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            <h3>{ "orders.dead: what died, and why (x-death)" }</h3>
            <ol class="x-deaths" id="x-deaths">{ dead.unwrap_or_default() }</ol>
            { detail.unwrap_or_default() }
        </div>
    }
}
