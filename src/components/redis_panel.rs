//! The Redis orders stream under its canvas: the consumer group's consumers, its pending
//! entries list with each entry's owner, idle time and deliveries, and a crash to claim from.

use queue_engine::redis_stream::EntryId;
use queue_engine::Millis;
use yew::prelude::*;

use super::{panel_inspector, Inspected};
use crate::panels::{Panel, PanelAction, PanelCommand, PanelHandle};

/// Redis Streams: the pending entries list of a consumer group, claiming idle entries from a
/// crashed consumer, and a dead stream for entries delivered too often. It runs the
/// redis-orders system (`scenarios/redis-orders.json`), drawn from `handle`'s world at `now`
/// (the main run's clock), with `opened` the entry open in its inspector.
///
/// A view, not a component, as the fan-out panel: the App keeps `opened` (a
/// [`super::Chosen`], as every panel's opened message), which saves a component's worth of
/// Yew's code.
pub fn redis_panel(
    now: Millis,
    handle: &PanelHandle,
    opened: &super::Chosen<Option<super::Opened>>,
) -> Html {
    let act = handle.actions(Panel::Redis);
    let panels = handle.read(Panel::Redis, now);
    let world = panels.world(Panel::Redis);
    let Some(sim) = world
        .and_then(|w| w.logs().first())
        .and_then(|l| l.as_redis())
    else {
        return Html::default();
    };
    let crash = |consumer: usize| {
        act.reform(move |_: MouseEvent| PanelAction::Command(PanelCommand::Crash { consumer }))
    };
    let cfg = &sim.config;
    let open = |id: EntryId| {
        let opened = opened.clone();
        Callback::from(move |_: MouseEvent| opened.set(Some((id.ms, id.seq))))
    };
    let entry_button = |id: EntryId| {
        html! {
            <button type="button" class="link" onclick={open(id)} aria-label={format!("Open entry {id}")}>
                <code>{ id.to_string() }</code>
            </button>
        }
    };
    let detail = opened.get().and_then(|(ms, seq)| {
        let id = EntryId { ms, seq };
        let e = sim.entry(id)?;
        let title = format!("orders · entry {id}{}", if e.poison { " (poison)" } else { "" });
        let mut inspected = Inspected::envelope_only(title, e.envelope(), None);
        inspected.note = format!(
            "Redis Streams has no CloudEvents binding. A common choice is the structured event in one field: XADD orders {id} cloudevent '<the JSON below>'; the entry id, not the event id, is what XACK and XCLAIM use."
        );
        let close = opened.clone();
        Some(panel_inspector("redis-detail", inspected, Callback::from(move |()| close.set(None))))
    });
    html! {
        <div class="redis">
            <p class="hint">{ format!(
                "Stream orders, group kitchen. XREADGROUP puts each entry in the pending entries list (PEL) until XACK. Every {} s a janitor runs XAUTOCLAIM for entries idle over {} s; past {} deliveries an entry goes to orders:dead.",
                cfg.claim_every.0 / 1000, cfg.min_idle.0 / 1000, cfg.max_deliveries
            ) }</p>
            <p id="redis-summary">{ format!(
                "{} · last-delivered-id {} · {} pending · {} acked · {} claimed · {} dead",
                crate::words::count(sim.counts.added, "entry", "entries"),
                sim.last_delivered.map_or("–".to_owned(), |id| id.to_string()),
                sim.pel.len(), sim.counts.acked, sim.counts.claimed, sim.counts.dead
            ) }</p>
            <ul class="redis-consumers">
                { for sim.consumers.iter().enumerate().map(|(i, c)| html! {
                    <li data-consumer={c.name.clone()}>
                        <strong>{ &c.name }</strong>
                        { format!(" {} · acked {} · pending {}", if c.alive { "● running" } else { "✕ crashed" }, c.acked,
                            sim.pel.values().filter(|p| p.consumer as usize == i).count()) }
                        { " " }
                        <button type="button" class="redis-crash" disabled={!c.alive} onclick={crash(i)}>{ "Crash" }</button>
                    </li>
                }) }
            </ul>
            <table class="pel" id="redis-pel">
                <caption>{ "XPENDING orders kitchen (oldest 8)" }</caption>
                <thead><tr>{ super::heads(&["Entry id", "Consumer", "Idle", "Deliveries"]) }</tr></thead>
                <tbody>
                    { for sim.pel.iter().take(8).map(|(id, p)| html! {
                        <tr>
                            <td>{ entry_button(*id) }</td>
                            <td>{ &sim.consumers[p.consumer as usize].name }</td>
                            <td>{ Millis(now.0.saturating_sub(p.delivered_at.0)).to_string() }</td>
                            <td class="deliveries">{ p.deliveries }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <p class="note" id="redis-dead">{ match sim.dead_stream.len() {
                    0 => "orders:dead is empty.".to_owned(),
                    n => format!("orders:dead holds {n}:"),
                } }
                { for sim.dead_stream.iter().rev().take(5).map(|(id, n)| html! {
                    <>{ " " }{ entry_button(*id) }{ format!(" ({})", crate::words::count(*n, "delivery", "deliveries")) }</>
                }) }
            </p>
            { detail.unwrap_or_default() }
        </div>
    }
}
