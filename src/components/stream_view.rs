//! The partitioned log (Kafka's model) under its canvas: each partition as a lane of offsets,
//! newest first, with each group's committed cursor and the first group's skipped and repeated
//! records marked; the groups' table; any record's envelope; and, for the built-in orders log,
//! the partitions, commit mode and rebalance switches. In the studio, every Kafka-style log of
//! an author's own system is drawn the same way, without the switches (its file holds them).

use queue_engine::envelope::{Binding, Envelope};
use queue_engine::stream::StreamSim;
use queue_engine::stream::{
    CommitMode, Rebalance, RecordMark, SeekTo, StreamCommand, StreamScenario,
};
use queue_engine::{Millis, World};
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
    let (Some(world), Spec::Log(setup)) = (world, panels.spec(Panel::Log)) else {
        return Html::default();
    };
    let Some(sim) = log_of(world) else {
        return Html::default();
    };
    let hot = world.producer(0).is_some_and(|p| p.hot_key_share > 0.0);
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
    let first_live = sim
        .groups
        .first()
        .and_then(|g| g.members.iter().position(|m| m.alive));

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
            { log_body(world, (0, sim), selected, initials(sim), Some("stream-groups")) }
        </div>
    }
}

/// What any Kafka-style log shows, switches aside: its partitions as lanes, the groups' table,
/// the dead-letter topic, and the record open in the inspector, if it is one of this log's.
/// `l` is the log's place among the world's logs; a record opened here is remembered with it
/// in the partition's upper half, so two logs of one system never open each other's records.
fn log_body(
    world: &World,
    (l, sim): (u16, &StreamSim),
    selected: &super::Chosen<Option<super::Opened>>,
    marks: Vec<char>,
    table: Option<&'static str>,
) -> Html {
    // A lesson's log scenario may name no group; then there is no cursor to draw.
    let Some(first) = sim.groups.first() else {
        return Html::default();
    };
    let live = |g: usize| sim.groups[g].members.iter().filter(|m| m.alive).count();

    let lanes = sim.partitions.iter().enumerate().map(|(p, log)| {
        let end = log.end();
        let from = end.saturating_sub(LANE).max(log.start);
        let owner = first.cursors[p]
            .owner
            // Counted from 1, as the events' "member 1" and Redis's kitchen-1 are.
            .map_or("unassigned".to_owned(), |id| format!("{}-{}", first.config.name, id + 1));
        // Where each group has committed to, marked in the lane, so a learner sees how far
        // behind one group is while the other keeps up.
        let cursors: Vec<(char, u64)> = marks
            .iter()
            .zip(&sim.groups)
            .map(|(m, g)| (*m, g.cursors[p].committed.unwrap_or(log.start)))
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
                            Callback::from(move |_: MouseEvent| selected.set(Some(((u64::from(l) << 32) | p as u64, off))))
                        };
                        let marks = marks_at(off);
                        // What became of it for the first group, whose cursor the shading follows.
                        let (fate, words) = match first.cursors[p].mark(log.start, off) {
                            Some(RecordMark::Skipped) => (Some("skipped"), " skipped it"),
                            Some(RecordMark::Duplicate) => (Some("dup"), " processed it again"),
                            None => (None, ""),
                        };
                        let who = if words.is_empty() { "" } else { first.config.name.as_str() };
                        html! {
                            <li class={super::class(&[Some("rec"), r.poison.then_some("poison"), (off < first_done).then_some("done"), fate])}>
                                <button type="button" onclick={select}
                                    title={format!("offset {off}, key {}{}{who}{words}", r.key.name().as_deref().unwrap_or("none"), if words.is_empty() { "" } else { "; " })}>
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
        if p >> 32 != u64::from(l) {
            return None;
        }
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
        inspected.timeline = world.record_timeline(l, p, off);
        inspected.groups = sim.groups.iter().map(|g| g.config.name.clone()).collect();
        // What the lane's mark means, said where the lifecycle shows what is missing.
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

    html! { <>
        <ol class="lanes">{ for lanes }</ol>
        <table class="stream-groups" id={table}>
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
    </> }
}

/// Each group's cursor mark: its initial (▲k kitchen, ▲a analytics).
fn initials(sim: &StreamSim) -> Vec<char> {
    sim.groups
        .iter()
        .map(|g| g.config.name.chars().next().unwrap_or('?'))
        .collect()
}

/// [`initials`], but a group whose initial an earlier group has is marked with the first of
/// 2-9 that no group has (then +), so an author's `kitchen`, `kafka-sink` and `2-audit` stay
/// told apart (▲k, ▲3, ▲2). The built-in log's groups are named apart already.
#[cfg(any(test, feature = "studio"))]
fn markers(sim: &StreamSim) -> Vec<char> {
    let mut marks = initials(sim);
    for g in 1..marks.len() {
        if marks[..g].contains(&marks[g]) {
            marks[g] = ('2'..='9').find(|c| !marks.contains(c)).unwrap_or('+');
        }
    }
    marks
}

/// Every Kafka-style log of the studio's own system, as the built-in orders log is drawn, with
/// its groups' marks spelt out (an author names them). A log no group reads yet has no cursor
/// to draw, and shows only as its box on the canvas.
#[cfg(feature = "studio")]
pub fn own_logs(
    now: Millis,
    handle: &PanelHandle,
    selected: &super::Chosen<Option<super::Opened>>,
) -> Html {
    thread_local! {
        /// The own system's opening whose records `selected` may name.
        static SEEN: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }
    let panels = handle.read(Panel::Own, now);
    // A builder step opens the system anew, from time zero: the record opened before would
    // open again by itself once the rerun reaches its offset, or in another log if one went.
    if SEEN.replace(panels.own_opened) != panels.own_opened {
        selected.set(None);
    }
    let Some(world) = panels.world(Panel::Own) else {
        return Html::default();
    };
    let logs = world.logs().iter().enumerate().filter_map(|(l, log)| {
        let sim = log.as_kafka()?;
        let marks = markers(sim);
        let legend: Vec<String> = marks
            .iter()
            .zip(&sim.groups)
            .map(|(m, g)| format!("▲{m} {}", g.config.name))
            .collect();
        let first = &sim.groups.first()?.config.name;
        Some(html! {
            // Named by its topic, so a screen reader tells two logs' lanes and tables apart.
            <section class="stream-view" aria-label={sim.scenario().topic.name.clone()}>
                <p class="hint">{ format!("{}: committed by {}; ✕ skipped, ×2 repeated by {first}.", sim.scenario().topic.name, legend.join(", ")) }</p>
                { log_body(world, (l as u16, sim), selected, marks, None) }
            </section>
        })
    });
    logs.collect()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::markers;
    use queue_engine::stream::StreamScenario;
    use queue_engine::topology::plan::Plan;
    use queue_engine::World;

    /// Groups an author named with one initial get a free digit or letter instead, so no two
    /// cursors in a lane carry the same mark; the built-in log's keep their initials.
    #[test]
    fn each_group_has_a_mark_of_its_own() {
        let mut sc = StreamScenario::default();
        let marks = |sc: &StreamScenario| {
            let w = World::new(Plan::from_stream(sc).unwrap()).unwrap();
            markers(crate::panels::log_of(&w).unwrap())
        };
        let named = |name: &str| {
            let mut g = sc.groups[0].clone();
            g.name = name.into();
            g
        };
        let more = ["analytics", "kiosk", "audit", "2-audit"].map(named);
        assert_eq!(sc.groups[0].name, "kitchen");
        sc.groups.push(more[0].clone());
        assert_eq!(marks(&sc), ['k', 'a']);
        sc.groups.extend_from_slice(&more[1..3]);
        assert_eq!(marks(&sc), ['k', 'a', '2', '3']);
        // A later group's own initial is not handed to an earlier one.
        sc.groups.push(more[3].clone());
        assert_eq!(marks(&sc), ['k', 'a', '3', '4', '2']);
    }
}
