//! The queue-vs-topic system's totals under its canvas: how many orders the queue's competing
//! workers handled between them, and how many each of the topic's subscriptions handled.

use queue_engine::Decimal;
use queue_engine::Millis;
use yew::prelude::*;

use crate::words::count;

use crate::panels::{Panel, PanelHandle};

/// The same orders, side by side: a queue whose three workers compete (each order is cooked by
/// one of them) and a topic with three subscriptions (each order is handled by all of them):
/// the queue-vs-topic system, `scenarios/queue-vs-topic.json`, drawn on the canvas, with the
/// two totals the lesson's checkpoint is about written out under it. `now` is the main run's
/// simulated time, and `handle` the playground's worlds.
///
/// A view function rather than a component: its time changes on every frame, so a component
/// would redraw as often and only add Yew's per-component code to the download.
pub fn queue_vs_topic(now: Millis, handle: &PanelHandle) -> Html {
    let panels = handle.read(Panel::Contrast, now);
    let Some(world) = panels.world(Panel::Contrast) else {
        return Html::default();
    };
    // The first queue has the competing workers; the others are the topic's subscriptions.
    let Some((queue, topic)) = world.members().split_first() else {
        return Html::default();
    };
    let published = world.sent();
    let queue_total = queue.counts().processed;
    let topic_total: u64 = topic.iter().map(|s| s.counts().processed).sum();
    let orders = count(published, "order", "orders");
    let per = |n: u64| format!("×{}", Decimal::fixed(n as f64 / published.max(1) as f64, 1));
    html! {
        <div class="queue-vs-topic">
            <p class="hint">{ format!(
                "One producer feeds both sides on the same clock; orders so far: {published}. Each box counts what that one has processed."
            ) }</p>
            <p class="qt-total" id="qt-queue">{ format!("Queue: {} of {orders} ({}); a queue hands each order to one worker.", count(queue_total, "processing", "processings"), per(queue_total)) }</p>
            <p class="qt-total" id="qt-topic">{ format!("Topic: {} of {orders} ({}); a topic gives every subscription its own copy.", count(topic_total, "processing", "processings"), per(topic_total)) }</p>
        </div>
    }
}
