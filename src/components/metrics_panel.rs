//! The main queue's metrics: headline counters (a bad one marked by a sign, not colour alone)
//! and charts over simulated time, redrawn at the playground's slower clock.

use std::fmt::Write;

use queue_engine::Decimal;

use queue_engine::{Counts, Metrics, Series};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MetricsPanelProps {
    pub counts: super::Same<Counts>,
    pub metrics: super::Same<Metrics>,
    pub lag_alert: bool,
    pub lag_threshold: u32,
}

fn sparkline(series: &Series, label: &str, threshold: Option<f64>) -> Html {
    let points = &series.points;
    let max = series.max().max(threshold.unwrap_or(0.0)).max(1.0);
    let n = points.len().max(2) as f64 - 1.0;
    // Whole numbers in a ten-times viewBox: as sharp as one decimal, and integer formatting is
    // several times cheaper than float formatting, which this path does every frame.
    let mut path = String::with_capacity(points.len() * 9);
    for (i, v) in points.iter().enumerate() {
        let x = (i as f64 / n * 2000.0).round() as i32;
        let y = (400.0 - v / max * 380.0).round() as i32;
        let _ = write!(path, "{x},{y} ");
    }
    let last = series.last().unwrap_or(0.0);
    html! {
        <figure class="spark">
            // Stretched to its column, however wide: kept to its aspect, a chart on a phone
            // drew its line across two thirds of the width, with a blank band each side.
            <svg viewBox="0 0 2000 420" preserveAspectRatio="none" role="img" aria-label={format!("{label}: now {}, peak {}", Decimal::fixed(last, 0), Decimal::fixed(series.max(), 0))}>
                if let Some(t) = threshold {
                    <line x1="0" x2="2000" y1={Decimal::fixed(400.0 - t / max * 380.0, 0).to_string()} y2={Decimal::fixed(400.0 - t / max * 380.0, 0).to_string()} class="threshold" />
                }
                <polyline points={path} />
            </svg>
            <figcaption>{ format!("{label}: {}", Decimal::fixed(last, 0)) }</figcaption>
        </figure>
    }
}

/// Headline counters and live charts over simulated time.
#[component]
pub fn MetricsPanel(props: &MetricsPanelProps) -> Html {
    let c = &props.counts;
    let m = &props.metrics;
    let p95 = m
        .latency_all
        .quantile(0.95)
        .map_or("–".to_owned(), |v| queue_engine::Millis(v).to_string());
    let stat = |id: &str, label: &str, value: String, bad: bool| {
        html! {
            <div class={super::class(&[Some("stat"), bad.then_some("bad")])} id={format!("stat-{id}")}>
                <dt>{ label }</dt><dd>{ value }</dd>
            </div>
        }
    };
    html! {
        <div class="metrics">
            <dl class="stats">
                { stat("published", "Published", c.published.to_string(), false) }
                { stat("visible", "Waiting", c.visible.to_string(), false) }
                { stat("in-flight", "In flight", (c.in_flight + c.held).to_string(), false) }
                { stat("processed", "Processed", c.processed.to_string(), false) }
                { stat("dlq", "In DLQ", c.dead_lettered.to_string(), c.dead_lettered > 0) }
                { stat("duplicates", "Duplicates", c.duplicates.to_string(), c.duplicates > 0) }
                { stat("lost", "Lost", c.lost.to_string(), c.lost > 0) }
                { stat("errors", "Producer errors", c.producer_errors.to_string(), c.producer_errors > 0) }
                { stat("p95", "Latency p95", p95, false) }
            </dl>
            if props.lag_alert {
                <p class="alert" role="status">{ format!("⚠ Consumer lag above {} messages", props.lag_threshold) }</p>
            }
            <div class="sparks">
                { sparkline(&m.lag, "Lag (waiting)", Some(f64::from(props.lag_threshold))) }
                { sparkline(&m.in_flight, "In flight", None) }
                { sparkline(&m.dlq, "DLQ", None) }
                { sparkline(&m.published_per_s, "In /s", None) }
                { sparkline(&m.processed_per_s, "Out /s", None) }
                { sparkline(&m.latency_p95_ms, "Latency p95 ms", None) }
                { sparkline(&m.duplicates, "Duplicates", None) }
                { sparkline(&m.lost, "Lost", None) }
                { sparkline(&m.producer_errors, "Producer errors", None) }
            </div>
        </div>
    }
}
