//! The studio's messages of each queue in a system of one's own, under its canvas: the canvas
//! counts them, and here each one is a token to open in the inspector (envelope, lifecycle and
//! trace), as the built-in systems' messages are.
//!
//! # Contract
//! - One section per queue, named by the queue, with a row per place that holds messages
//!   (ready, delayed, in flight, dead letters): its count, then its oldest [`SHOWN`] messages
//!   as the main diagram draws them, by shape and letter as well as colour.
//! - The message opened is kept in the logs' selection (`Opened`) with [`QUEUE`] set in its
//!   first half, which no log's record has, so a queue and a log never open each other's.

use queue_engine::envelope::Envelope;
use queue_engine::Millis;
use yew::prelude::*;

use super::{message_token, panel_inspector, Chosen, Inspected, MessageToken, Opened};
use crate::panels::{Panel, PanelHandle};

/// Marks a selection as a queue's message; the rest of its first half is the member's index.
const QUEUE: u64 = 1 << 63;
/// Tokens drawn per place: a row that fits a 360 px phone. The count beside it stays exact.
const SHOWN: usize = 12;
/// A token's width and the room around it, in px (its picture is 18 wide).
const PITCH: f64 = 20.0;

/// Every queue of the studio's own system, each with its messages to open.
pub fn own_queues(now: Millis, handle: &PanelHandle, selected: &Chosen<Option<Opened>>) -> Html {
    let panels = handle.read(Panel::Own, now);
    let Some(world) = panels.world(Panel::Own) else {
        return Html::default();
    };
    let opened = selected.get().filter(|(k, _)| k & QUEUE != 0);
    let queues = world.members().iter().enumerate().map(|(i, sim)| {
        let name = world.member_nodes(i as u16).queue.as_str();
        let mine = opened
            .filter(|(k, _)| *k == QUEUE | i as u64)
            .map(|(_, id)| id);
        let onselect = {
            let selected = selected.clone();
            Callback::from(move |id| selected.set(Some((QUEUE | i as u64, id))))
        };
        let (s, c) = (sim.snapshot(SHOWN), sim.counts());
        let places = [
            ("ready", &s.visible, c.visible),
            ("delayed", &s.delayed, c.delayed),
            ("in flight", &s.in_flight, c.in_flight + c.held),
            ("dead letters", &s.dlq, c.dead_lettered),
        ];
        let rows = places.into_iter().filter(|p| p.2 > 0).map(|(place, tokens, n)| {
            html! {
                <li>
                    <span class="own-place">{ format!("{place} {n}") }</span>
                    <span class="own-tokens">
                        { for tokens.iter().enumerate().map(|(k, t)| message_token(MessageToken {
                            token: t,
                            key: t.id,
                            x: PITCH * k as f64 + PITCH / 2.0,
                            y: PITCH / 2.0,
                            selected: mine == Some(t.id),
                            from: None,
                            remaining: None,
                            onselect: &onselect,
                        })) }
                    </span>
                </li>
            }
        });
        let detail = mine.and_then(|id| {
            let m = sim.message(id)?;
            let inspected = Inspected::queued(
                world,
                i as u16,
                m,
                format!("{name}: message {id}"),
                Envelope::for_message(m, sim.scenario()),
                None,
            );
            let close = selected.clone();
            Some(panel_inspector(
                "queue-detail",
                inspected,
                Callback::from(move |()| close.set(None)),
            ))
        });
        html! {
            <section class="own-queue" aria-label={name.to_owned()}>
                <h3>{ name }</h3>
                <ul class="own-places">{ for rows }</ul>
                { detail.unwrap_or_default() }
            </section>
        }
    });
    queues.collect()
}
