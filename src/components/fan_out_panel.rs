use queue_engine::fanout::{self, FanOut};
use queue_engine::{Command, Millis};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FanOutPanelProps {
    /// The main run's simulated time (the same clock, play, speed and time travel).
    pub now: Millis,
}

struct Running {
    /// Subscribers taken offline or back, with when: replayed after a jump back in time.
    history: Vec<(Millis, usize, bool)>,
    topic: FanOut,
}

fn build(history: &[(Millis, usize, bool)], until: Millis) -> FanOut {
    let (base, subs) = fanout::video_upload();
    let mut topic = FanOut::new("video-uploaded", &base, &subs).expect("the example is valid");
    for (at, sub, online) in history {
        if *at > until {
            break;
        }
        topic.advance_to(*at);
        let _ = topic.command(
            *sub,
            Command::SetOnline {
                consumer: None,
                online: *online,
            },
        );
    }
    topic.advance_to(until);
    topic
}

/// Fan-out, SNS → SQS style: one "video uploaded" event copied to four subscriptions, each its
/// own queue with its own consumers and DLQ. Take one offline or watch the slow one: the others
/// never wait.
#[component]
pub fn FanOutPanel(props: &FanOutPanelProps) -> Html {
    let running = use_mut_ref(|| Running {
        history: Vec::new(),
        topic: build(&[], Millis::ZERO),
    });
    let redraw = use_force_update();
    {
        let mut r = running.borrow_mut();
        if r.topic.subscriptions[0].1.now() > props.now {
            // Time travel went back: rebuild, keeping only what happened before then.
            let kept: Vec<_> = r
                .history
                .iter()
                .copied()
                .filter(|(at, _, _)| *at <= props.now)
                .collect();
            r.topic = build(&kept, props.now);
            r.history = kept;
        } else {
            r.topic.advance_to(props.now);
        }
    }
    let r = running.borrow();
    let published = r.topic.published();
    let processed: u64 = r
        .topic
        .subscriptions
        .iter()
        .map(|(_, s)| s.counts().processed)
        .sum();
    let columns = r.topic.subscriptions.iter().enumerate().map(|(i, (name, sim))| {
        let c = sim.counts();
        let online = sim.snapshot(0).consumers.iter().any(|v| v.online);
        let toggle = {
            let running = running.clone();
            let redraw = redraw.clone();
            let now = props.now;
            Callback::from(move |_: MouseEvent| {
                let mut r = running.borrow_mut();
                r.history.push((now, i, !online));
                let _ = r.topic.command(i, Command::SetOnline { consumer: None, online: !online });
                drop(r);
                redraw.force_update();
            })
        };
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
                r.topic.topic, r.topic.subscriptions.len()
            ) }</p>
            <ol class="subscribers">{ for columns }</ol>
        </div>
    }
}
