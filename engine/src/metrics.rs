//! Counters and bounded time series.
//!
//! Memory caps: each series holds at most `metrics.max_points` points (default 600); when full,
//! neighbouring points are merged and the sampling interval doubles, so a run of any length costs
//! the same. Latency percentiles come from a fixed 256-bucket log-linear histogram per interval.

use serde::Serialize;

use crate::kernel::time::Millis;
use crate::message::MsgState;

/// Messages by state (their sum is always `published`) and counted outcomes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub published: u64,
    // States: exactly one per published message.
    pub delayed: u64,
    pub visible: u64,
    pub in_flight: u64,
    pub held: u64,
    pub processed: u64,
    pub dead_lettered: u64,
    pub expired: u64,
    pub dropped: u64,
    pub lost: u64,
    pub rejected: u64,
    pub discarded: u64,
    pub failed: u64,
    // Outcomes and activity.
    pub receives: u64,
    pub empty_receives: u64,
    pub processing_failures: u64,
    /// Processing completions of an event that had already been processed (repeated side effects).
    pub duplicates: u64,
    /// Repeats an idempotent consumer recognised and skipped.
    pub duplicates_skipped: u64,
    pub producer_errors: u64,
    pub deduplicated: u64,
    pub stale_deletes: u64,
    pub dlq_moves: u64,
    pub redriven: u64,
    /// Returns to the queue to be received again: a visibility timeout that ran out, or a
    /// failure handed back at once (a nack with requeue). The canvas's Q token.
    pub requeued: u64,
    pub store_writes: u64,
    /// Distinct event ids in the data store.
    pub store_records: u64,
    pub replies_sent: u64,
    pub replies_received: u64,
    pub order_violations: u64,
    pub wasted_work: u64,
    pub crashes: u64,
    /// Sends refused because the body was over the queue's maximum message size.
    pub too_large: u64,
    /// Large bodies stored aside, sent as a `dataref` (the claim-check pattern).
    pub claim_checked: u64,
}

impl Counts {
    /// Every counter by its field name, the names a lesson's checkpoint tests. Written out
    /// rather than read through the derived `Serialize`, which cost the page its whole
    /// serializer for one loop; a test holds the two to the same names and values.
    pub fn named(&self) -> [(&'static str, u64); 33] {
        [
            ("published", self.published),
            ("delayed", self.delayed),
            ("visible", self.visible),
            ("in_flight", self.in_flight),
            ("held", self.held),
            ("processed", self.processed),
            ("dead_lettered", self.dead_lettered),
            ("expired", self.expired),
            ("dropped", self.dropped),
            ("lost", self.lost),
            ("rejected", self.rejected),
            ("discarded", self.discarded),
            ("failed", self.failed),
            ("receives", self.receives),
            ("empty_receives", self.empty_receives),
            ("processing_failures", self.processing_failures),
            ("duplicates", self.duplicates),
            ("duplicates_skipped", self.duplicates_skipped),
            ("producer_errors", self.producer_errors),
            ("deduplicated", self.deduplicated),
            ("stale_deletes", self.stale_deletes),
            ("dlq_moves", self.dlq_moves),
            ("redriven", self.redriven),
            ("requeued", self.requeued),
            ("store_writes", self.store_writes),
            ("store_records", self.store_records),
            ("replies_sent", self.replies_sent),
            ("replies_received", self.replies_received),
            ("order_violations", self.order_violations),
            ("wasted_work", self.wasted_work),
            ("crashes", self.crashes),
            ("too_large", self.too_large),
            ("claim_checked", self.claim_checked),
        ]
    }
    /// The sum over states; equals `published` at every step (the conservation invariant).
    pub fn state_total(&self) -> u64 {
        self.delayed
            + self.visible
            + self.in_flight
            + self.held
            + self.processed
            + self.dead_lettered
            + self.expired
            + self.dropped
            + self.lost
            + self.rejected
            + self.discarded
            + self.failed
    }

    /// Messages waiting to be processed: the consumer lag of a queue.
    pub fn backlog(&self) -> u64 {
        self.visible + self.delayed
    }

    pub(crate) fn state_mut(&mut self, state: &MsgState) -> &mut u64 {
        match state {
            MsgState::Delayed { .. } => &mut self.delayed,
            MsgState::Visible => &mut self.visible,
            MsgState::InFlight { .. } => &mut self.in_flight,
            MsgState::Held { .. } => &mut self.held,
            MsgState::Processed { .. } => &mut self.processed,
            MsgState::DeadLettered { .. } => &mut self.dead_lettered,
            MsgState::Expired { .. } => &mut self.expired,
            MsgState::Dropped { .. } => &mut self.dropped,
            MsgState::Lost { .. } => &mut self.lost,
            MsgState::Rejected { .. } => &mut self.rejected,
            MsgState::Discarded { .. } => &mut self.discarded,
            MsgState::Failed { .. } => &mut self.failed,
        }
    }
}

/// Log-linear histogram of milliseconds: exact below 16 ms, then 16 buckets per power of two
/// (about 4% resolution) up to ~2^19 s; larger values land in the last bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Histogram {
    buckets: Vec<u32>,
    count: u64,
}

const SUB: u32 = 16;
const BUCKETS: usize = 16 * 32;

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            buckets: vec![0; BUCKETS],
            count: 0,
        }
    }
}

impl Histogram {
    fn bucket(ms: u64) -> usize {
        if ms < u64::from(SUB) {
            return ms as usize;
        }
        let exp = 63 - ms.leading_zeros(); // ≥ 4
        let mantissa = (ms >> (exp - 4)) as u32 & (SUB - 1);
        (((exp - 3) * SUB + mantissa) as usize).min(BUCKETS - 1)
    }

    fn lower_bound(bucket: usize) -> u64 {
        let b = bucket as u32;
        if b < SUB {
            return u64::from(b);
        }
        let exp = b / SUB + 3;
        let mantissa = b % SUB;
        (u64::from(SUB + mantissa)) << (exp - 4)
    }

    pub fn record(&mut self, ms: u64) {
        self.buckets[Self::bucket(ms)] += 1;
        self.count += 1;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// The value at quantile `q` (0..=1), as the lower bound of its bucket; None when empty.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        if self.count == 0 {
            return None;
        }
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0u64;
        for (i, &n) in self.buckets.iter().enumerate() {
            seen += u64::from(n);
            if seen >= rank {
                return Some(Self::lower_bound(i));
            }
        }
        None
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.buckets.iter_mut().zip(&other.buckets) {
            *a += b;
        }
        self.count += other.count;
    }

    pub fn clear(&mut self) {
        if self.count > 0 {
            self.buckets.iter_mut().for_each(|b| *b = 0);
            self.count = 0;
        }
    }
}

/// One sampled quantity over simulated time, with a fixed maximum number of points.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Series {
    pub name: &'static str,
    /// Time between points; doubles each time the series is compacted.
    pub interval: Millis,
    /// Time of the first point.
    pub start: Millis,
    pub points: Vec<f64>,
    #[serde(skip)]
    cap: usize,
    /// Samples not yet folded into a point (when the interval has grown).
    #[serde(skip)]
    pending: (f64, u32),
}

impl Series {
    fn new(name: &'static str, interval: Millis, cap: usize) -> Series {
        Series {
            name,
            interval,
            start: Millis::ZERO,
            points: Vec::new(),
            cap: cap.max(2),
            pending: (0.0, 0),
        }
    }

    /// Adds one base-interval sample; every `interval / base` samples make one point.
    fn push(&mut self, value: f64, per_point: u32) {
        self.pending.0 += value;
        self.pending.1 += 1;
        if self.pending.1 < per_point {
            return;
        }
        self.points.push(self.pending.0 / f64::from(self.pending.1));
        self.pending = (0.0, 0);
        if self.points.len() >= self.cap {
            let merged: Vec<f64> = self
                .points
                .chunks(2)
                .map(|c| c.iter().sum::<f64>() / c.len() as f64)
                .collect();
            self.points = merged;
            self.interval = Millis(self.interval.0 * 2);
        }
    }

    pub fn last(&self) -> Option<f64> {
        self.points.last().copied()
    }

    pub fn max(&self) -> f64 {
        self.points.iter().copied().fold(0.0, f64::max)
    }
}

/// The series the playground charts, sampled every `metrics.sample_every`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metrics {
    pub base_interval: Millis,
    pub visible: Series,
    pub in_flight: Series,
    pub delayed: Series,
    pub dlq: Series,
    /// Seconds since the oldest waiting message was published.
    pub oldest_age_s: Series,
    /// Messages waiting (visible + delayed).
    pub lag: Series,
    pub published_per_s: Series,
    pub processed_per_s: Series,
    pub failed_per_s: Series,
    pub duplicates: Series,
    pub lost: Series,
    pub producer_errors: Series,
    pub latency_p50_ms: Series,
    pub latency_p95_ms: Series,
    pub latency_p99_ms: Series,
    /// End-to-end latency (publish to processed) of every message so far.
    #[serde(skip)]
    pub latency_all: Histogram,
    #[serde(skip)]
    latency_window: Histogram,
    #[serde(skip)]
    last: Counts,
    #[serde(skip)]
    samples: u64,
}

impl Metrics {
    pub fn new(interval: Millis, cap: u32) -> Metrics {
        let s = |name| Series::new(name, interval, cap as usize);
        Metrics {
            base_interval: interval,
            visible: s("visible"),
            in_flight: s("in_flight"),
            delayed: s("delayed"),
            dlq: s("dlq"),
            oldest_age_s: s("oldest_age_s"),
            lag: s("lag"),
            published_per_s: s("published_per_s"),
            processed_per_s: s("processed_per_s"),
            failed_per_s: s("failed_per_s"),
            duplicates: s("duplicates"),
            lost: s("lost"),
            producer_errors: s("producer_errors"),
            latency_p50_ms: s("latency_p50_ms"),
            latency_p95_ms: s("latency_p95_ms"),
            latency_p99_ms: s("latency_p99_ms"),
            latency_all: Histogram::default(),
            latency_window: Histogram::default(),
            last: Counts::default(),
            samples: 0,
        }
    }

    pub(crate) fn record_latency(&mut self, ms: u64) {
        self.latency_window.record(ms);
        self.latency_all.record(ms);
    }

    pub(crate) fn sample(&mut self, counts: &Counts, oldest_age: Millis) {
        let per_point = (self.visible.interval.0 / self.base_interval.0.max(1)).max(1) as u32;
        let secs = self.base_interval.as_secs_f64();
        let rate = |now: u64, before: u64| (now - before) as f64 / secs;
        let last = std::mem::take(&mut self.last);
        let q = |h: &Histogram, p| h.quantile(p).map(|v| v as f64).unwrap_or(0.0);
        let (p50, p95, p99) = (
            q(&self.latency_window, 0.5),
            q(&self.latency_window, 0.95),
            q(&self.latency_window, 0.99),
        );
        let values = [
            counts.visible as f64,
            (counts.in_flight + counts.held) as f64,
            counts.delayed as f64,
            counts.dead_lettered as f64,
            oldest_age.as_secs_f64(),
            counts.backlog() as f64,
            rate(counts.published, last.published),
            rate(counts.processed, last.processed),
            rate(
                counts.processing_failures + counts.failed,
                last.processing_failures + last.failed,
            ),
            counts.duplicates as f64,
            counts.lost as f64,
            counts.producer_errors as f64,
            p50,
            p95,
            p99,
        ];
        for (series, value) in self.series_mut().into_iter().zip(values) {
            series.push(value, per_point);
        }
        self.latency_window.clear();
        self.last = counts.clone();
        self.samples += 1;
    }

    fn series_mut(&mut self) -> [&mut Series; 15] {
        [
            &mut self.visible,
            &mut self.in_flight,
            &mut self.delayed,
            &mut self.dlq,
            &mut self.oldest_age_s,
            &mut self.lag,
            &mut self.published_per_s,
            &mut self.processed_per_s,
            &mut self.failed_per_s,
            &mut self.duplicates,
            &mut self.lost,
            &mut self.producer_errors,
            &mut self.latency_p50_ms,
            &mut self.latency_p95_ms,
            &mut self.latency_p99_ms,
        ]
    }

    /// Every series, for charts and reports.
    pub fn series(&self) -> [&Series; 15] {
        [
            &self.visible,
            &self.in_flight,
            &self.delayed,
            &self.dlq,
            &self.oldest_age_s,
            &self.lag,
            &self.published_per_s,
            &self.processed_per_s,
            &self.failed_per_s,
            &self.duplicates,
            &self.lost,
            &self.producer_errors,
            &self.latency_p50_ms,
            &self.latency_p95_ms,
            &self.latency_p99_ms,
        ]
    }

    pub fn samples(&self) -> u64 {
        self.samples
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_quantiles_are_within_bucket_resolution() {
        let mut h = Histogram::default();
        for ms in 1..=1000 {
            h.record(ms);
        }
        let p50 = h.quantile(0.5).unwrap() as f64;
        let p99 = h.quantile(0.99).unwrap() as f64;
        assert!((p50 - 500.0).abs() / 500.0 < 0.07, "p50 {p50}");
        assert!((p99 - 990.0).abs() / 990.0 < 0.07, "p99 {p99}");
        assert_eq!(Histogram::default().quantile(0.5), None);
    }

    #[test]
    fn bucket_bounds_are_monotonic() {
        let mut last = 0;
        for b in 1..BUCKETS {
            let lb = Histogram::lower_bound(b);
            assert!(lb > last, "bucket {b}");
            assert_eq!(Histogram::bucket(lb), b);
            last = lb;
        }
    }

    #[test]
    fn a_series_never_grows_past_its_cap() {
        let mut m = Metrics::new(Millis(1000), 16);
        let counts = Counts::default();
        for _ in 0..10_000 {
            m.sample(&counts, Millis::ZERO);
        }
        assert!(m.visible.points.len() < 16);
        assert!(
            m.visible.interval.0 >= 1000 * 512,
            "interval grew to {}",
            m.visible.interval
        );
    }

    /// The written-out names are the derived ones, every field in order, each with its own
    /// value (a struct literal, so a new counter does not compile until it is named here).
    #[test]
    fn named_counters_match_the_derived_names() {
        let c = Counts {
            published: 1,
            delayed: 2,
            visible: 3,
            in_flight: 4,
            held: 5,
            processed: 6,
            dead_lettered: 7,
            expired: 8,
            dropped: 9,
            lost: 10,
            rejected: 11,
            discarded: 12,
            failed: 13,
            receives: 14,
            empty_receives: 15,
            processing_failures: 16,
            duplicates: 17,
            duplicates_skipped: 18,
            producer_errors: 19,
            deduplicated: 20,
            stale_deletes: 21,
            dlq_moves: 22,
            redriven: 23,
            requeued: 33,
            store_writes: 24,
            store_records: 25,
            replies_sent: 26,
            replies_received: 27,
            order_violations: 28,
            wasted_work: 29,
            crashes: 30,
            too_large: 31,
            claim_checked: 32,
        };
        let named: serde_json::Map<String, serde_json::Value> = c
            .named()
            .iter()
            .map(|&(k, v)| (k.to_owned(), serde_json::json!(v)))
            .collect();
        assert_eq!(
            serde_json::Value::Object(named),
            serde_json::to_value(&c).unwrap()
        );
    }
}
