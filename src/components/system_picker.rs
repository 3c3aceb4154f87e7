//! The Systems menu. Every built-in system is a scenario file (`scenarios/NAME.json`), and
//! the page shows one at a time: picking another starts it from the beginning, as opening its
//! link (`?s=NAME`) does.
//!
//! A view function rather than a component: it has no state of its own, and the App that
//! draws it redraws it anyway, so a component would only add Yew's per-component code.

use yew::prelude::*;

use super::select_value;

/// Each system's file and what a learner sees in it, in the order a course teaches them:
/// the queue first and the same shop without one, the same shop on each broker's queue, then
/// what copies, orders and keeps messages differently.
const SYSTEMS: [(&str, &str); 12] = [
    ("pizza-shop", "Pizza shop: SQS queue and DLQ"),
    ("http-vs-queue", "HTTP vs queue"),
    ("kitchen-outage", "Kitchen outage"),
    ("rabbitmq-quorum-orders", "RabbitMQ quorum: delivery limit"),
    ("service-bus-orders", "Service Bus: MaxDeliveryCount"),
    ("pubsub-orders", "Pub/Sub: delivery attempts"),
    ("activemq-orders", "ActiveMQ: redelivery policy"),
    ("video-upload", "Video upload: SNS to four queues"),
    ("queue-vs-topic", "Queue vs topic"),
    ("orders-log", "Orders log: Kafka partitions"),
    ("rabbitmq-pizza", "RabbitMQ broker: exchanges, DLX"),
    ("redis-orders", "Redis orders: a stream's PEL"),
];

/// The names the menu offers: what a link's `s` may say.
pub fn system_names() -> impl Iterator<Item = &'static str> {
    SYSTEMS.iter().map(|(name, _)| *name)
}

/// The menu, on `current` (a name from [`system_names`]); `locked` when the course page fixed
/// the system (`lock=system`). `onsystem` gets the name picked.
pub fn system_picker(current: &str, locked: bool, onsystem: Callback<String>) -> Html {
    let onchange = onsystem.reform(|e: Event| select_value(&e));
    // The studio's system from a file is named for what it is, rather than leaving the menu on
    // the first built-in one, which is not what runs.
    let own = cfg!(feature = "studio") && current == crate::panels::OWN;
    html! {
        <label class="system-picker">{ "System " }
            <select id="system" disabled={locked} {onchange}>
                if own {
                    <option value={crate::panels::OWN} selected=true>{ "Your system, from its file" }</option>
                }
                { for SYSTEMS.iter().map(|&(name, label)| html! {
                    <option value={name} selected={current == name}>{ label }</option>
                }) }
            </select>
        </label>
    }
}
