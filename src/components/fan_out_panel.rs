use queue_engine::Millis;
use yew::prelude::*;

use super::{use_side_run, SideHandle};
use crate::side::{SideAction, SideCommand, SideModel, Spec};

#[derive(Properties, PartialEq)]
pub struct FanOutPanelProps {
    /// The main run's simulated time (the same clock, play, speed and time travel).
    pub now: Millis,
    /// The fan-out lesson's run, when one is open: shown instead of the panel's own.
    #[prop_or_default]
    pub lesson: Option<SideHandle>,
}

/// Fan-out, SNS → SQS style: one "video uploaded" event copied to four subscriptions, each its
/// own queue with its own consumers and DLQ. Take one offline or watch the slow one: the others
/// never wait.
#[component]
pub fn FanOutPanel(props: &FanOutPanelProps) -> Html {
    let (run, act) = use_side_run(
        props.lesson.clone(),
        props.now,
        Spec::FanOut {
            seed: queue_engine::fanout::VIDEO_UPLOAD_SEED,
        },
    );
    let run = run.borrow();
    let SideModel::FanOut(topic) = &run.model else {
        return Html::default();
    };
    let published = topic.published();
    let processed: u64 = topic
        .subscriptions
        .iter()
        .map(|(_, s)| s.counts().processed)
        .sum();
    let columns = topic.subscriptions.iter().enumerate().map(|(i, (name, sim))| {
        let c = sim.counts();
        let online = sim.snapshot(0).consumers.iter().any(|v| v.online);
        let toggle = act.reform(move |_: MouseEvent| {
            SideAction::Command(SideCommand::Subscriber { sub: i, online: !online })
        });
        html! {
            <li class="subscriber" data-sub={name.clone()}>
                <h3>{ name }</h3>
                <dl>
                    <dt>{ "Received" }</dt><dd class="received">{ c.published }</dd>
                    <dt>{ "Processed" }</dt><dd class="processed">{ c.processed }</dd>
                    <dt>{ "Waiting" }</dt><dd class="waiting">{ c.backlog() + c.in_flight }</dd>
                    <dt>{ "Retries" }</dt><dd>{ c.processing_failures }</dd>
                    <dt>{ "In its DLQ" }</dt><dd class="dlq">{ c.dead_lettered }</dd>
                </dl>
                <button type="button" class="sub-toggle" onclick={toggle} aria-pressed={(!online).to_string()}>
                    { if online { "Take offline" } else { "Bring back online" } }
                </button>
                <p class="hint">{ if online { "● online" } else { "○ offline: its copies wait" } }</p>
            </li>
        }
    });
    html! {
        <div class="fan-out">
            <p class="hint">{ format!(
                "Topic {}: {published} uploads, each copied to all {} subscriptions ({processed} processings so far). A queue with competing consumers would process each upload once; a topic processes it once per subscriber.",
                topic.topic, topic.subscriptions.len()
            ) }</p>
            <ol class="subscribers">{ for columns }</ol>
        </div>
    }
}
