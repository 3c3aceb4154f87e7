//! A/B compare: the scenario run twice on the same workload and seed, differing in one
//! setting, with the two sides' counters in one table and their charts on shared axes (told
//! apart by line style and the legend, never colour alone).

use queue_engine::Decimal;
use queue_engine::{Command, Millis, Scenario, Series, Sim, World};
use yew::prelude::*;

use crate::compare;

#[derive(Properties, PartialEq)]
pub struct ComparePanelProps {
    /// The scenario as configured; each side starts from it with one setting forced.
    pub base: super::Same<Scenario>,
    /// The person's actions, replayed on both sides (settings excluded).
    pub history: History,
    /// Both sides are shown at the main run's simulated time.
    pub now: Millis,
}

/// The person's actions with their times (as the reducer keeps them).
type History = super::Same<Vec<(Millis, Command)>>;

struct Running {
    /// What the sides were built from, compared by value: a history of the same length with a
    /// different command (acting in the past) must rebuild too.
    key: (String, super::Same<Scenario>, History),
    sides: [(&'static str, World); 2],
}

/// One chart, both sides on the same axes: A solid, B dashed (told apart by line style and
/// the legend, not by colour alone).
fn overlay(title: &str, a: &Series, b: &Series) -> Html {
    let max = a.max().max(b.max()).max(1.0);
    let path = |s: &Series| -> String {
        let n = s.points.len().max(2) as f64 - 1.0;
        s.points
            .iter()
            .enumerate()
            .map(|(i, v)| {
                format!(
                    "{},{} ",
                    Decimal::fixed(i as f64 / n * 300.0, 1),
                    Decimal::fixed(58.0 - v / max * 56.0, 1)
                )
            })
            .collect()
    };
    html! {
        <figure class="overlay">
            <svg viewBox="0 0 300 60" role="img"
                aria-label={format!("{title}: A peaks at {}, B at {}", Decimal::fixed(a.max(), 0), Decimal::fixed(b.max(), 0))}>
                <polyline points={path(a)} class="side-a" />
                <polyline points={path(b)} class="side-b" />
            </svg>
            <figcaption>{ format!("{title} (peak {})", Decimal::fixed(max, 0)) }</figcaption>
        </figure>
    }
}

/// A/B compare: the same workload and seed under two settings, counters and charts aligned.
#[component]
pub fn ComparePanel(props: &ComparePanelProps) -> Html {
    // Empty while off, not an `Option`: a state of a type of its own is its own copy of Yew's
    // state code, and the page's other states are strings.
    let variant = use_state(String::new);
    let running = use_mut_ref(|| None::<Running>);
    let onchange = {
        let variant = variant.clone();
        Callback::from(move |e: Event| {
            variant.set(super::select_value(&e));
        })
    };
    let picker = html! {
        <label>
            { "Compare " }
            <select id="compare" {onchange}>
                <option value="" selected={variant.is_empty()}>{ "(off)" }</option>
                { for compare::VARIANTS.iter().map(|(id, label)| html! {
                    <option value={*id} selected={*variant == *id}>{ *label }</option>
                }) }
            </select>
        </label>
    };
    let v = (*variant).clone();
    if v.is_empty() {
        return html! {
            <div class="compare">
                { picker }
                { super::fixed(r#"<p class="hint">Run two versions of this scenario side by side, same workload and seed, differing in one setting.</p>"#) }
            </div>
        };
    }
    let key = (v.clone(), props.base.clone(), props.history.clone());
    let mut slot = running.borrow_mut();
    let stale = slot
        .as_ref()
        .is_none_or(|r| r.key != key || r.sides[0].1.now() > props.now);
    if stale {
        *slot = compare::run(&v, &props.base, &props.history, props.now)
            .map(|sides| Running { key, sides });
    } else if let Some(r) = slot.as_mut() {
        for (_, world) in r.sides.iter_mut() {
            world.advance_to(props.now);
        }
    }
    let Some(r) = slot.as_ref() else {
        return html! { <div class="compare">{ picker }{ super::fixed(r#"<p role="alert">This comparison cannot run on this scenario.</p>"#) }</div> };
    };
    let [(la, a), (lb, b)] = &r.sides;
    let (a, b) = (&a.members()[0], &b.members()[0]);
    let (ca, cb) = (a.counts(), b.counts());
    let p95 = |s: &Sim| {
        s.metrics()
            .latency_all
            .quantile(0.95)
            .map_or("–".to_owned(), |v| Millis(v).to_string())
    };
    let rows: Vec<(&str, String, String)> = vec![
        (
            "Published",
            ca.published.to_string(),
            cb.published.to_string(),
        ),
        (
            "Processed",
            ca.processed.to_string(),
            cb.processed.to_string(),
        ),
        (
            "Waiting",
            ca.backlog().to_string(),
            cb.backlog().to_string(),
        ),
        (
            "In DLQ",
            ca.dead_lettered.to_string(),
            cb.dead_lettered.to_string(),
        ),
        (
            "Duplicates",
            ca.duplicates.to_string(),
            cb.duplicates.to_string(),
        ),
        ("Lost", ca.lost.to_string(), cb.lost.to_string()),
        (
            "Producer errors",
            ca.producer_errors.to_string(),
            cb.producer_errors.to_string(),
        ),
        (
            "Store records",
            ca.store_records.to_string(),
            cb.store_records.to_string(),
        ),
        ("Latency p95", p95(a), p95(b)),
    ];
    let (ma, mb) = (a.metrics(), b.metrics());
    html! {
        <div class="compare">
            { picker }
            <table class="compare-table" id="compare-table">
                <thead><tr>
                    <th scope="col">{ format!("t = {}", props.now) }</th>
                    <th scope="col">{ format!("A: {la}") }{ super::fixed(r#"<span class="legend-a" aria-hidden="true"> ━</span>"#) }</th>
                    <th scope="col">{ format!("B: {lb}") }{ super::fixed(r#"<span class="legend-b" aria-hidden="true"> ╍</span>"#) }</th>
                </tr></thead>
                <tbody>
                    { for rows.into_iter().map(|(name, x, y)| {
                        let differs = x != y;
                        html! {
                            <tr class={super::class(&[differs.then_some("differs")])} data-name={name}>
                                <th scope="row">{ name }{ if differs { " ≠" } else { "" } }</th>
                                <td>{ x }</td>
                                <td>{ y }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            <div class="overlays">
                { overlay("Waiting", &ma.lag, &mb.lag) }
                { overlay("Producer errors", &ma.producer_errors, &mb.producer_errors) }
                { overlay("In DLQ", &ma.dlq, &mb.dlq) }
                { overlay("Duplicates", &ma.duplicates, &mb.duplicates) }
            </div>
        </div>
    }
}
