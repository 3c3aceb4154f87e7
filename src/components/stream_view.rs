//! The partitioned log (Kafka's model) under its canvas: each partition as a lane of offsets,
//! newest first, with each group's committed cursor and the kitchen's skipped and repeated
//! records marked; the groups' table; and the partitions, commit mode and rebalance switches.

use queue_engine::envelope::{Binding, Envelope};
use queue_engine::stream::{
    CommitMode, Rebalance, RecordMark, SeekTo, StreamCommand, StreamScenario,
};
use queue_engine::Millis;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::{panel_inspector, Inspected};
use crate::panels::{log_of, Panel, PanelAction, PanelCommand, PanelHandle, Spec};

/// Records shown per partition lane (the newest).
const LANE: u64 = 24;

/// The partitioned log: partitions as lanes of offsets, each group's committed cursor under its
/// lane, per-group counters, the dead-letter topic, and any record's envelope. Drawn from
/// `handle`'s log at `now` (the main run's clock: play, pause, speed and time travel all
/// apply), with `selected` the record open in its inspector.
///
/// A view, not a component, as the fan-out and Redis panels: the App keeps `selected` (a
/// [`super::Chosen`], as every panel's opened message). What it draws changes only when the
/// panels' clock moves, so the page's other renders change nothing in the document.
pub fn stream_view(
    now: Millis,
    handle: &PanelHandle,
    selected: &super::Chosen<Option<super::Opened>>,
) -> Html {
    let act = handle.actions(Panel::Log);
    let shared = handle.panels.clone();
    let panels = handle.read(Panel::Log, now);
    let world = panels.world(Panel::Log);
    let (Some(sim), Spec::Log(setup)) = (world.and_then(log_of), panels.spec(Panel::Log)) else {
        return Html::default();
    };
    let hot = world
        .and_then(|w| w.producer(0))
        .is_some_and(|p| p.hot_key_share > 0.0);
    let kitchen = setup.groups.first().cloned().unwrap_or_default();

    let give = |c: StreamCommand| {
        act.reform(move |_: MouseEvent| PanelAction::Command(PanelCommand::Log(c.clone())))
    };
    // The scenario is copied when a select changes, not on every redraw.
    let change = |f: fn(&mut StreamScenario, &str)| {
        let (shared, act) = (shared.clone(), act.clone());
        Callback::from(move |e: Event| {
            let next = match shared.borrow().spec(Panel::Log) {
                Spec::Log(sc) => {
                    let mut next = (**sc).clone();
                    f(&mut next, &super::select_value(&e));
                    Some(next)
                }
                _ => None,
            };
            if let Some(next) = next {
                act.emit(PanelAction::LogScenario(Box::new(next)));
            }
        })
    };
    let onhot = act.reform(|e: Event| {
        let on = e
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            .is_some_and(|i| i.checked());
        PanelAction::Command(PanelCommand::Log(StreamCommand::SetHotKey {
            share: if on { 0.6 } else { 0.0 },
        }))
    });
    let live = |g: usize| sim.groups[g].members.iter().filter(|m| m.alive).count();
    let first_live = sim.groups[0].members.iter().position(|m| m.alive);

    let lanes = sim.partitions.iter().enumerate().map(|(p, log)| {
        let end = log.end();
        let from = end.saturating_sub(LANE).max(log.start);
        let owner = sim.groups[0].cursors[p]
            .owner
            // Counted from 1, as the events' "member 1" and Redis's kitchen-1 are.
            .map_or("unassigned".to_owned(), |id| format!("{}-{}", sim.groups[0].config.name, id + 1));
        // Each group's committed offset, marked with its initial (▲k kitchen, ▲a analytics).
        let cursors: Vec<(char, u64)> = sim
            .groups
            .iter()
            .map(|g| {
                let initial = g.config.name.chars().next().unwrap_or('?');
                (initial, g.cursors[p].committed.unwrap_or(log.start))
            })
            .collect();
        let marks_at = |off: u64| -> String {
            cursors.iter().filter(|(_, c)| *c == off).map(|(i, _)| format!("▲{i}")).collect()
        };
        let tail: String = cursors.iter().filter(|(_, c)| *c >= end).map(|(i, _)| format!("▲{i}")).collect();
        let first_done = cursors.first().map_or(0, |c| c.1);
        let lags: Vec<String> = sim
            .groups
            .iter()
            .enumerate()
            .map(|(g, group)| format!("{} {}", group.config.name, sim.lag(g, p)))
            .collect();
        html! {
            <li class="lane" data-partition={p.to_string()}>
                <div class="lane-head">
                    <strong>{ format!("P{p}") }</strong>
                    <span>{ format!(" owner {owner} · end {end} · lag {}", lags.join(" · ")) }</span>
                </div>
                // Newest first, drawn right to left (`row-reverse`): the lane opens scrolled to
                // its newest record, where the cursors are, and a screen reader hears it first.
                <ol class="offsets" aria-label={format!("Partition {p}, offsets {} down to {from}", end.saturating_sub(1))}>
                    if !tail.is_empty() {
                        <li class="rec tail"><span class="cursor">{ tail.clone() }</span></li>
                    }
                    { for (from..end).rev().map(|off| {
                        let r = &log.records[(off - log.start) as usize];
                        let select = {
                            let selected = selected.clone();
                            Callback::from(move |_: MouseEvent| selected.set(Some((p as u64, off))))
                        };
                        let marks = marks_at(off);
                        // What became of it for the kitchen, whose cursor the shading follows.
                        let (fate, words) = match sim.groups[0].cursors[p].mark(log.start, off) {
                            Some(RecordMark::Skipped) => (Some("skipped"), "; the kitchen skipped it"),
                            Some(RecordMark::Duplicate) => (Some("dup"), "; the kitchen processed it again"),
                            None => (None, ""),
                        };
                        html! {
                            <li class={super::class(&[Some("rec"), r.poison.then_some("poison"), (off < first_done).then_some("done"), fate])}>
                                <button type="button" onclick={select}
                                    title={format!("offset {off}, key {}{words}", r.key.name().as_deref().unwrap_or("none"))}>
                                    { off % 1000 }{ if r.poison { "!" } else { "" } }
                                </button>
                                // Always there (empty when no cursor sits here): the same elements
                                // in every row, so a redraw at speed updates text in place
                                // instead of building new rows.
                                <span class="cursor">{ marks }</span>
                            </li>
                        }
                    }) }
                </ol>
            </li>
        }
    });

    let group_rows = sim.groups.iter().enumerate().map(|(g, group)| {
        let c = &group.counts;
        html! {
            <tr data-group={group.config.name.clone()}>
                <th scope="row">{ &group.config.name }</th>
                <td>{ live(g) }</td>
                <td class="processed">{ c.processed }</td>
                <td class="duplicates">{ c.duplicates }</td>
                <td class="replayed">{ c.replayed }</td>
                <td class="skipped">{ c.skipped }</td>
                <td class="dead">{ c.dead_lettered }</td>
                <td class="lag">{ sim.group_lag(g) }</td>
                <td class="in-hand">{ group.members.iter().filter(|m| m.alive).map(|m| m.queue.len()).sum::<usize>() }</td>
                <td class="rebalances">{ c.rebalances }</td>
            </tr>
        }
    });

    let detail = selected.get().and_then(|(p, off)| {
        let p = p as u32;
        let log = sim.partitions.get(p as usize)?;
        let r = log.records.get(off.checked_sub(log.start)? as usize)?;
        let title = format!(
            "{} · partition {p} · offset {off}",
            sim.scenario().topic.name
        );
        let mut inspected = Inspected::envelope_only(
            title,
            Envelope::for_record(r, p, sim.scenario()),
            Some(Binding::Kafka),
        );
        inspected.timeline = world?.record_timeline(0, p, off);
        inspected.groups = sim.groups.iter().map(|g| g.config.name.clone()).collect();
        // What the lane's mark means, said where the lifecycle shows what is missing.
        let first = &sim.groups[0];
        inspected.note = match first.cursors[p as usize].mark(log.start, off) {
            Some(RecordMark::Skipped) => format!("{} skipped this record: the group committed past it before any member processed it, so none ever will.", first.config.name),
            Some(RecordMark::Duplicate) => format!("{} processed this record more than once: a member fetched it again after a rebalance, from the last committed offset.", first.config.name),
            None => String::new(),
        };
        let close = selected.clone();
        Some(panel_inspector(
            "record-detail",
            inspected,
            Callback::from(move |()| close.set(None)),
        ))
    });

    html! {
        <div class="stream-view">
            { super::fixed(concat!(
                r#"<p class="hint"><span class="aside">A Kafka-style log of the same orders: records stay after they are read, and each group has its own committed offset. </span>"#,
                "Committed offsets: ▲k kitchen, ▲a analytics. The kitchen's records: ✕ skipped, ×2 repeated.</p>",
            )) }
            <div class="control-row" role="group" aria-label="Log settings">
                <label>{ "Partitions " }
                    <select id="stream-partitions" onchange={change(|s, v| s.topic.partitions = v.parse().unwrap_or(4))}>
                        { for [1u32, 2, 4, 8].iter().map(|n| html! { <option value={n.to_string()} selected={*n == setup.topic.partitions}>{ n }</option> }) }
                    </select>
                </label>
                <label title="When the kitchen group commits its offsets">{ "Commit " }
                    <select id="stream-commit" onchange={change(|s, v| s.groups[0].commit = match v {
                        "before_processing" => CommitMode::BeforeProcessing,
                        "auto" => CommitMode::Auto,
                        _ => CommitMode::AfterProcessing,
                    })}>
                        <option value="after_processing" selected={kitchen.commit == CommitMode::AfterProcessing}>{ "after processing" }</option>
                        <option value="before_processing" selected={kitchen.commit == CommitMode::BeforeProcessing}>{ "before processing" }</option>
                        <option value="auto" selected={kitchen.commit == CommitMode::Auto}>{ "auto every 5 s" }</option>
                    </select>
                </label>
                <label title="Eager: every member gives up every partition and the group pauses. Cooperative: only moved partitions pause.">{ "Rebalance " }
                    <select id="stream-rebalance" onchange={change(|s, v| s.groups[0].rebalance = if v == "cooperative" { Rebalance::Cooperative } else { Rebalance::Eager })}>
                        <option value="eager" selected={kitchen.rebalance == Rebalance::Eager}>{ "eager" }</option>
                        <option value="cooperative" selected={kitchen.rebalance == Rebalance::Cooperative}>{ "cooperative" }</option>
                    </select>
                </label>
                <label class="switch" title="60% of orders carry one key, so they all land in one partition">
                    <input id="stream-hot" type="checkbox" checked={hot} onchange={onhot} />{ " Hot key" }
                </label>
            </div>
            <div class="control-row" role="group" aria-label="Consumer group actions">
                <button type="button" id="stream-add" onclick={give(StreamCommand::AddConsumer { group: 0 })}>{ "Add a kitchen consumer" }</button>
                <button type="button" id="stream-crash" disabled={first_live.is_none()}
                    onclick={give(StreamCommand::CrashConsumer { group: 0, consumer: first_live.unwrap_or(0) })}>{ "Crash a kitchen consumer" }</button>
                <button type="button" id="stream-rewind" disabled={sim.groups.len() < 2} onclick={give(StreamCommand::Seek { group: 1, to: SeekTo::Earliest })}
                    title="Move analytics' committed offsets back to the oldest retained record: it reads history again">{ "Rewind analytics" }</button>
            </div>
            <ol class="lanes">{ for lanes }</ol>
            <table class="stream-groups" id="stream-groups">
                <thead><tr>
                    { super::heads(&["Group", "Members", "Processed", "Duplicates", "Replayed", "Skipped", "To DLT", "Lag"]) }
                    <th scope="col" title="Fetched by a member and not yet processed">{ "In hand" }</th>
                    { super::heads(&["Rebalances"]) }
                </tr></thead>
                <tbody>{ for group_rows }</tbody>
            </table>
            <p class="note">
                { format!(
                    "{} published · dead-letter topic {} holds {}",
                    crate::words::count(sim.published(), "record", "records"), sim.dlt_topic(), sim.dlt.len()
                ) }
                { super::fixed(r#"<span class="aside"> (Kafka groups have no DLQ: the application publishes there, with the original topic, partition and offset as headers)</span>"#) }
                { "." }
            </p>
            { detail.unwrap_or_default() }
        </div>
    }
}
