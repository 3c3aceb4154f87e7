use queue_engine::Decimal;
use queue_engine::Millis;
use yew::prelude::*;

use crate::panels::{Panel, PanelHandle};

#[derive(Properties, PartialEq)]
pub struct QueueVsTopicProps {
    /// The main run's simulated time.
    pub now: Millis,
    /// The playground's worlds: this panel reads the queue-vs-topic system.
    pub panels: PanelHandle,
}

/// The same orders, side by side: a queue whose three workers compete (each order is cooked by
/// one of them) and a topic with three subscriptions (each order is handled by all of them):
/// the queue-vs-topic system, `scenarios/queue-vs-topic.json`.
#[component]
pub fn QueueVsTopic(props: &QueueVsTopicProps) -> Html {
    let panels = props.panels.read(Panel::Contrast, props.now);
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
    let per = |n: u64| format!("×{}", Decimal::fixed(n as f64 / published.max(1) as f64, 1));
    let workers = queue.snapshot(0).consumers.into_iter().map(|c| {
        let (i, n) = (c.id + 1, c.processed);
        html! {
            <li class="qt-end" data-worker={i.to_string()}>
                <span class="qt-arrow" aria-hidden="true">{ "→" }</span>
                <span class="qt-box">{ format!("worker {i}") }<strong class="qt-count">{ n }</strong></span>
            </li>
        }
    });
    let subs = topic.iter().enumerate().map(|(i, sim)| {
        let nodes = world.member_nodes(i as u16 + 1);
        let name = nodes.name().to_owned();
        let n = sim.counts().processed;
        html! {
            <li class="qt-end" data-sub={name.clone()}>
                <span class="qt-arrow" aria-hidden="true">{ "⇉" }</span>
                <span class="qt-box">{ format!("{name} (own queue)") }<strong class="qt-count">{ n }</strong></span>
            </li>
        }
    });
    html! {
        <div class="queue-vs-topic">
            <p class="hint">{ format!(
                "One producer feeds both sides on the same clock; orders so far: {published}. Each count is how many orders that one has processed."
            ) }</p>
            <div class="qt-sides">
                <section class="qt-side" id="qt-queue" aria-label="Queue with three competing workers">
                    <h3>{ "Queue: competing consumers" }</h3>
                    <p class="qt-hub"><span class="qt-box">{ "queue orders" }</span></p>
                    <ul class="qt-ends">{ for workers }</ul>
                    <p class="qt-total">{ format!("{queue_total} processings of {published} orders ({}): a queue hands each order to one worker.", per(queue_total)) }</p>
                </section>
                <section class="qt-side" id="qt-topic" aria-label="Topic with three subscriptions">
                    <h3>{ "Topic: one copy per subscription" }</h3>
                    <p class="qt-hub"><span class="qt-box">{ "topic order-placed" }</span></p>
                    <ul class="qt-ends">{ for subs }</ul>
                    <p class="qt-total">{ format!("{topic_total} processings of {published} orders ({}): a topic gives every subscription its own copy.", per(topic_total)) }</p>
                </section>
            </div>
        </div>
    }
}
