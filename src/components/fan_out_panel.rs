//! The fan-out system's own controls and numbers, under its canvas: each subscription's queue
//! with its copies (which open the inspector), and a switch to take one consumer offline.

use queue_engine::envelope::{Binding, Envelope};
use queue_engine::Millis;
use yew::prelude::*;

use super::{panel_inspector, Inspected};
use crate::panels::{Panel, PanelAction, PanelCommand, PanelHandle};

/// Fan-out, SNS → SQS style: the video-upload system (`scenarios/video-upload.json`), one
/// "video uploaded" event copied to four subscriptions, each its own queue with its own
/// consumers and DLQ. Take one offline or watch the slow one: the others never wait.
///
/// Drawn from `handle`'s fan-out world at `now` (the main run's clock, play, speed and time
/// travel), with `selected` the subscription's copy opened to read its envelope. A view, not
/// a component: the App keeps `selected` (a [`super::Chosen`], as every panel's opened message),
/// so this costs no Yew state code of its own, and a component's worth less download.
pub fn fan_out_panel(
    now: Millis,
    handle: &PanelHandle,
    selected: &super::Chosen<Option<super::Opened>>,
) -> Html {
    let act = handle.actions(Panel::FanOut);
    let panels = handle.read(Panel::FanOut, now);
    let Some(world) = panels.world(Panel::FanOut) else {
        return Html::default();
    };
    let published = world.sent();
    let subs = world.members();
    let processed: u64 = subs.iter().map(|s| s.counts().processed).sum();
    let name_of = |i: usize| world.member_nodes(i as u16).name().to_owned();
    let columns = subs.iter().enumerate().map(|(i, sim)| {
        let name = name_of(i);
        let c = sim.counts();
        let online = sim.snapshot(0).consumers.iter().any(|v| v.online);
        let toggle = act.reform(move |_: MouseEvent| {
            PanelAction::Command(PanelCommand::Subscriber { sub: i, online: !online })
        });
        // Its copies of the three newest uploads (ids are the same in every subscription).
        let latest = (c.published.saturating_sub(2)..=c.published).filter_map(|id| sim.message(id)).map(|m| {
            let (id, open) = (m.id(), selected.clone());
            let onclick = Callback::from(move |_: MouseEvent| open.set(Some((i as u64, id))));
            html! {
                <li><button type="button" class="copy" data-msg={id.to_string()} {onclick}
                    aria-label={format!("Open {name}'s copy of upload {id}, {}", m.state().name())}>
                    { format!("#{id} {}", m.state().name()) }
                </button></li>
            }
        });
        html! {
            <li class="subscriber" data-sub={name.clone()}>
                <h3>{ &name }</h3>
                <p class="received">{ format!("received {}, retried {}", c.published, c.processing_failures) }</p>
                <button type="button" class="sub-toggle" onclick={toggle} aria-pressed={(!online).to_string()}>
                    { if online { "Take offline" } else { "Bring back online" } }
                </button>
                <p class="hint">{ if online { "● online" } else { "○ offline: its copies wait" } }</p>
                <ul class="copies" aria-label={format!("{name}'s newest copies")}>{ for latest }</ul>
            </li>
        }
    });
    let detail = selected
        .get()
        .and_then(|(i, id)| {
            let i = i as usize;
            let sim = subs.get(i)?;
            let m = sim.message(id)?;
            let close = selected.clone();
            let inspected = Inspected::queued(
                world,
                i as u16,
                m,
                format!("{}'s copy of upload {id}", name_of(i)),
                Envelope::for_video_upload(m, sim.scenario()),
                Some(Binding::Sqs),
            );
            Some(html! {
                <>
                    { panel_inspector("copy-detail", inspected, Callback::from(move |()| close.set(None))) }
                    { super::fixed(r#"<p class="note">Every subscription's copy of this upload carries the same CloudEvents id and source: open another subscriber's copy to compare. That is what lets a consumer that receives a copy twice recognise it.</p>"#) }
                </>
            })
        })
        .unwrap_or_default();
    html! {
        <div class="fan-out">
            <p class="hint">{ format!(
                "Topic video-uploaded: {}, each copied to all {} subscriptions ({} processed so far). ",
                crate::words::count(published, "upload", "uploads"), subs.len(), crate::words::count(processed, "copy", "copies")
            ) }{ super::fixed(r#"<span class="aside">A queue with competing consumers would process each upload once; a topic processes it once per subscriber.</span>"#) }</p>
            <ol class="subscribers">{ for columns }</ol>
            { detail }
        </div>
    }
}
