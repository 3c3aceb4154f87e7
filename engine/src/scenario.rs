//! Scenarios are data: a versioned JSON model of the topology, its parameters, the seed and the
//! timed commands. Browser, native tests, benchmarks and `qsim` all run the same files.
//!
//! Every field has a default that matches Amazon SQS (and Lambda's SQS event source) unless said
//! otherwise, so a scenario file only writes what its lesson is about. Unknown fields are
//! rejected, because a misspelt setting that is silently ignored teaches the wrong thing.

use serde::{Deserialize, Serialize};

use crate::command::Command;
use crate::error::ScenarioError;
use crate::kernel::time::Millis;

/// The scenario format version this engine reads and writes.
pub const SCENARIO_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    pub version: u32,
    pub name: String,
    pub description: String,
    pub seed: u64,
    /// `queue`: services talk through the queue. `http`: the same services call each other directly.
    pub mode: Mode,
    pub queue: QueueConfig,
    /// A dead-letter queue with a redrive policy; `null` for none.
    pub dlq: Option<DlqConfig>,
    pub consumers: ConsumerConfig,
    pub producers: Vec<ProducerConfig>,
    /// The consumer replies ("pizza ready") to the queue named in each message's `replyto`.
    pub reply_queue: bool,
    /// Successful processing writes a record to a data store.
    pub data_store: bool,
    pub http: HttpConfig,
    pub metrics: MetricsConfig,
    pub limits: Limits,
    /// Commands applied at given simulated times, as if a person had clicked them.
    pub commands: Vec<TimedCommand>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    #[default]
    Queue,
    Http,
}

crate::named_variants!(Mode {
    Queue = "queue",
    Http = "http",
});

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueKind {
    /// At-least-once, best-effort order (SQS standard).
    #[default]
    Standard,
    /// Strict order within a message group, exactly-once processing window (SQS FIFO).
    Fifo,
}

crate::named_variants!(QueueKind {
    Standard = "standard",
    Fifo = "fifo",
});

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Overflow {
    /// The publish fails and the producer sees the error (RabbitMQ `reject-publish`).
    #[default]
    RejectPublish,
    /// The oldest ready message is dropped to make room (RabbitMQ `drop-head`), counted as dropped.
    DropOldest,
}

crate::named_variants!(Overflow {
    RejectPublish = "reject_publish",
    DropOldest = "drop_oldest",
});

/// SQS `MaximumMessageSize`, default and upper bound: 1 MiB (semantics §1.1).
pub const SQS_MAX_MESSAGE_SIZE: u32 = 1_048_576;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueConfig {
    pub kind: QueueKind,
    pub name: String,
    /// How long a received message stays hidden from other consumers (SQS default 30 s, max 12 h).
    pub visibility_timeout: Millis,
    /// How long an unconsumed message is kept (SQS default 4 days, 60 s to 14 days).
    pub retention: Millis,
    /// Delivery delay for every message (SQS `DelaySeconds`, 0 to 15 min).
    pub delay: Millis,
    /// Long-poll wait (SQS `WaitTimeSeconds`, 0 to 20 s). 0 means short polling.
    pub receive_wait: Millis,
    /// How often a short-polling consumer asks again after an empty receive.
    pub short_poll_interval: Millis,
    /// Maximum visible + delayed messages; `null` for unbounded (SQS itself has no such limit).
    pub max_depth: Option<u32>,
    pub overflow: Overflow,
    /// FIFO: derive the deduplication id from the body (SHA-256 in SQS) when none is given.
    pub content_based_dedup: bool,
    /// Standard queues only: a receive may pick any of the first N ready messages, which is how
    /// best-effort ordering shows up. 1 means strictly oldest first.
    pub reorder_window: u32,
    /// The largest message body the queue accepts, in bytes: SQS `MaximumMessageSize`, 1 MiB
    /// (semantics §1.1). A larger send is refused. Profiles with no modelled limit lower to
    /// `u32::MAX`.
    pub max_message_size: u32,
    /// What happens to a message whose processing failed.
    pub retry: RetryPolicy,
    /// Deliveries after which a message is dropped, for a queue with no DLQ: a RabbitMQ quorum
    /// queue's `x-delivery-limit` with no dead-letter exchange (semantics.md §2.3, §2.5).
    /// `null`: no limit. Never set together with `dlq`, whose `max_receive_count` moves instead.
    pub max_deliveries: Option<u32>,
    /// The platform this queue is, which decides how it counts deliveries and what it does
    /// with what expires ([`QueueConfig::limit_at_return`], [`QueueConfig::dead_letter_drops`]).
    /// `null`: Amazon SQS, standard or FIFO as `kind` says (the ordering switch flips `kind`
    /// alone). Lowering a version 2 file writes any other profile here, so a Pub/Sub or
    /// ActiveMQ system is still one after lowering.
    pub profile: Option<crate::topology::profile::QueueProfile>,
}

/// When a failed message becomes receivable again.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    try_from = "crate::tagged::RawRetry"
)]
pub enum RetryPolicy {
    /// Nothing special: it reappears when its visibility timeout runs out (SQS + Lambda).
    #[default]
    VisibilityTimeout,
    /// The consumer releases it at once (`ChangeMessageVisibility 0`, or a RabbitMQ nack with requeue).
    Immediate,
    /// The consumer sets its visibility to `base × 2^(receives − 1)`, capped at `max`.
    Exponential { base: Millis, max: Millis },
    /// Retry after each delay in turn (e.g. 1 min, 5 min, 30 min); after the last, dead-letter it.
    Tiers { delays: Vec<Millis> },
}

/// A dead-letter queue's `max_receive_count` when nothing counts deliveries.
pub const NO_DELIVERY_LIMIT: u32 = u32::MAX;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DlqConfig {
    pub name: String,
    /// Receives after which a message moves to the DLQ (SQS redrive policy; API default 10).
    /// [`NO_DELIVERY_LIMIT`]: none, as on a RabbitMQ classic queue, whose dead-letter exchange
    /// takes only what is rejected, expires or overflows (semantics.md §2.3, §2.5).
    pub max_receive_count: u32,
    pub retention: Millis,
    /// Messages per second moved back when redriving (SQS move tasks allow up to 500/s).
    pub redrive_rate: f64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchFailure {
    /// Any failure returns the whole batch, successes included (Lambda without ReportBatchItemFailures).
    #[default]
    WholeBatch,
    /// Only the failed messages return (Lambda `ReportBatchItemFailures`).
    ReportFailures,
    /// Stop at the first failure; it and every message after it return (FIFO order kept).
    StopAtFirst,
}

crate::named_variants!(BatchFailure {
    WholeBatch = "whole_batch",
    ReportFailures = "report_failures",
    StopAtFirst = "stop_at_first",
});

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AckMode {
    /// Delete after processing: at-least-once; a crash means redelivery.
    #[default]
    AfterProcessing,
    /// Delete on receipt: at-most-once; a crash while processing loses the message.
    BeforeProcessing,
}

crate::named_variants!(AckMode {
    AfterProcessing = "after_processing",
    BeforeProcessing = "before_processing",
});

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnInvalid {
    /// Throw: the message returns and is retried like any failure (a poison pill).
    #[default]
    Throw,
    /// Validate, log and return normally: the message is deleted without retries.
    Discard,
    /// Validate and dead-letter it at once, without retries (AMQP `basic.reject` with
    /// `requeue=false`, or a send to the DLQ before the delete on SQS); deleted as by
    /// `Discard` when there is no dead-letter queue.
    DeadLetter,
}

crate::named_variants!(OnInvalid {
    Throw = "throw",
    Discard = "discard",
    DeadLetter = "dead_letter",
});

/// Each setting's value in plain words, as the event log says it ("ack mode: before
/// processing"), without the derived `Debug` text and the formatting code it brings.
impl BatchFailure {
    pub fn words(self) -> &'static str {
        match self {
            BatchFailure::WholeBatch => "whole batch",
            BatchFailure::ReportFailures => "report failures",
            BatchFailure::StopAtFirst => "stop at first",
        }
    }
}

impl AckMode {
    pub fn words(self) -> &'static str {
        match self {
            AckMode::AfterProcessing => "after processing",
            AckMode::BeforeProcessing => "before processing",
        }
    }
}

impl OnInvalid {
    pub fn words(self) -> &'static str {
        match self {
            OnInvalid::Throw => "throw",
            OnInvalid::Discard => "discard",
            OnInvalid::DeadLetter => "dead-letter",
        }
    }
}

impl RetryPolicy {
    pub fn words(&self) -> String {
        match self {
            RetryPolicy::VisibilityTimeout => "when the visibility timeout ends".to_owned(),
            RetryPolicy::Immediate => "at once".to_owned(),
            RetryPolicy::Exponential { base, max } => {
                format!("exponential from {base} up to {max}")
            }
            RetryPolicy::Tiers { delays } => {
                let delays: Vec<String> = delays.iter().map(|d| d.to_string()).collect();
                format!("after {}", delays.join(", then "))
            }
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Distribution {
    #[default]
    Fixed,
    Exponential,
    /// Uniform between half and one and a half times the mean.
    Uniform,
}

crate::named_variants!(Distribution {
    Fixed = "fixed",
    Exponential = "exponential",
    Uniform = "uniform",
});

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProcessingTime {
    pub mean: Millis,
    pub distribution: Distribution,
}

impl ProcessingTime {
    /// One processing time drawn from the distribution (the queue's consumers and the log's
    /// group members draw the same way).
    pub(crate) fn sample(&self, rng: &mut crate::kernel::rng::Rng) -> Millis {
        let mean = self.mean.0 as f64;
        let ms = match self.distribution {
            Distribution::Fixed => mean,
            Distribution::Exponential => rng.exponential(mean),
            Distribution::Uniform => mean * (0.5 + rng.unit()),
        };
        Millis::round(ms)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsumerConfig {
    pub name: String,
    pub count: u32,
    pub online: bool,
    /// Messages per receive (SQS `MaxNumberOfMessages` 1 to 10; Lambda batches up to 10,000).
    pub batch_size: u32,
    /// Wait up to this long to fill a batch (Lambda `MaximumBatchingWindowInSeconds`).
    pub batch_window: Millis,
    pub processing: ProcessingTime,
    /// Chance that processing one message fails for a passing reason.
    pub failure_rate: f64,
    pub on_invalid: OnInvalid,
    /// The newest event schema version the consumers read; a newer event is invalid to
    /// them and handled as `on_invalid` says.
    pub schema_version: u32,
    pub batch_failure: BatchFailure,
    pub ack: AckMode,
    /// Remember processed event ids and skip repeats (an exactly-once effect).
    pub idempotent: bool,
    /// Heartbeat: extend the visibility timeout every half timeout while processing.
    pub extend_visibility: bool,
    /// Chance that a consumer crashes while processing a batch.
    pub crash_probability: f64,
    pub restart_after: Millis,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Arrival {
    /// Evenly spaced.
    #[default]
    Steady,
    /// Random, memoryless arrivals with the same mean rate.
    Poisson,
}

crate::named_variants!(Arrival {
    Steady = "steady",
    Poisson = "poisson",
});

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnReject {
    /// Count a producer error and drop the order.
    #[default]
    CountError,
    /// Count the error, and pause publishing for `back_off` before trying again.
    BackOff,
}

crate::named_variants!(OnReject {
    CountError = "count_error",
    BackOff = "back_off",
});

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProducerConfig {
    pub name: String,
    /// Messages per second; 0 for manual sends only.
    pub rate: f64,
    pub arrival: Arrival,
    pub start: Millis,
    pub stop: Option<Millis>,
    /// Share of messages that are malformed (a validation failure every time: a poison pill).
    pub poison_share: f64,
    /// Share of messages that hit a passing fault for their first `transient_failures` attempts.
    pub transient_share: f64,
    pub transient_failures: u32,
    /// FIFO message groups (`store-1` … `store-N`), chosen at random per message.
    pub groups: u32,
    /// Share of messages the producer sends twice, as a retry after a lost acknowledgement would.
    pub duplicate_share: f64,
    /// The event schema version it writes: 1, or 2 (its orders become `Payload::V2`).
    pub schema_version: u32,
    /// Store a large body (a photo) aside and send a `dataref` to it instead: the claim-check
    /// pattern (CloudEvents Dataref extension, semantics §10).
    pub claim_check: bool,
    /// Per-message delivery delay (not allowed on FIFO queues).
    pub delay: Millis,
    pub on_reject: OnReject,
    pub back_off: Millis,
    /// Kafka: the share of records sent with the one key `hot` (a hot key), the rest keyed
    /// by their group. Only for a producer that publishes to Kafka logs.
    pub hot_key_share: f64,
    /// Kafka: the share of records sent with no key, which the log's keyless partitioner
    /// spreads. Only for a producer that publishes to Kafka logs.
    pub keyless_share: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// How long the caller waits for the callee before giving up with an error.
    pub timeout: Millis,
    /// Requests the callee accepts beyond those its workers are handling; more are refused (503).
    pub backlog_limit: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    pub sample_every: Millis,
    /// Points kept per series; past that, pairs are merged and the interval doubles.
    pub max_points: u32,
    /// Backlog above which consumer lag is flagged.
    pub lag_alert: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Finished messages kept for inspection; older ones are forgotten (their counts remain).
    pub history: u32,
    /// Events kept for timelines and traces.
    pub event_log: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimedCommand {
    pub at: Millis,
    #[serde(rename = "do")]
    pub command: Command,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            version: SCENARIO_VERSION,
            name: "pizza-shop".into(),
            description: String::new(),
            seed: 1,
            mode: Mode::Queue,
            queue: QueueConfig::default(),
            dlq: None,
            consumers: ConsumerConfig::default(),
            producers: vec![ProducerConfig::default()],
            reply_queue: false,
            data_store: true,
            http: HttpConfig::default(),
            metrics: MetricsConfig::default(),
            limits: Limits::default(),
            commands: Vec::new(),
        }
    }
}

impl QueueConfig {
    /// The platform this queue is: its `profile`, or SQS's standard or FIFO queue by `kind`.
    pub fn profile(&self) -> crate::topology::profile::QueueProfile {
        use crate::topology::profile::QueueProfile::*;
        match (self.profile, self.kind) {
            (Some(p), _) => p,
            (None, QueueKind::Fifo) => SqsFifo,
            (None, QueueKind::Standard) => SqsStandard,
        }
    }

    /// Apply the delivery limit (`dlq.max_receive_count` or `max_deliveries`) when a failed
    /// message comes back, as a broker does on a nack or a poison ack: RabbitMQ quorum queues
    /// (semantics.md §2.5) and ActiveMQ Classic (§8). `false`: on the next receive, as SQS moves
    /// a message only when a receive finds its count used up (§1.3).
    pub fn limit_at_return(&self) -> bool {
        self.profile().limit_at_return()
    }

    /// Dead-letter what expires or what a full queue drops from the head, when there is a
    /// dead-letter queue, instead of discarding it: RabbitMQ does both (semantics.md §2.3);
    /// SQS deletes at retention and has no length limit.
    pub fn dead_letter_drops(&self) -> bool {
        self.profile().dead_letter_drops()
    }
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            kind: QueueKind::Standard,
            name: "orders".into(),
            visibility_timeout: Millis::from_secs(30),
            retention: Millis::from_secs(345_600),
            delay: Millis::ZERO,
            receive_wait: Millis::ZERO,
            short_poll_interval: Millis(200),
            max_depth: None,
            overflow: Overflow::RejectPublish,
            content_based_dedup: false,
            reorder_window: 8,
            max_message_size: SQS_MAX_MESSAGE_SIZE,
            retry: RetryPolicy::VisibilityTimeout,
            max_deliveries: None,
            profile: Default::default(),
        }
    }
}

impl Default for DlqConfig {
    fn default() -> Self {
        DlqConfig {
            name: "orders-dlq".into(),
            max_receive_count: 10,
            retention: Millis::from_secs(1_209_600),
            redrive_rate: 10.0,
        }
    }
}

impl Default for ProcessingTime {
    fn default() -> Self {
        ProcessingTime {
            mean: Millis(100),
            distribution: Distribution::Fixed,
        }
    }
}

impl Default for ConsumerConfig {
    fn default() -> Self {
        ConsumerConfig {
            name: "kitchen".into(),
            count: 1,
            online: true,
            batch_size: 1,
            batch_window: Millis::ZERO,
            processing: ProcessingTime::default(),
            failure_rate: 0.0,
            on_invalid: OnInvalid::Throw,
            schema_version: 2,
            batch_failure: BatchFailure::WholeBatch,
            ack: AckMode::AfterProcessing,
            idempotent: false,
            extend_visibility: false,
            crash_probability: 0.0,
            restart_after: Millis::from_secs(10),
        }
    }
}

impl ProducerConfig {
    /// The key shares are fractions whose sum is at most 1; `at` names a field.
    pub(crate) fn check_keys(&self, at: &dyn Fn(&str) -> String) -> Result<(), ScenarioError> {
        crate::validate::fraction_range(&at("hot_key_share"), self.hot_key_share, 0.0, 1.0)?;
        crate::validate::fraction_range(&at("keyless_share"), self.keyless_share, 0.0, 1.0)?;
        if self.hot_key_share + self.keyless_share > 1.0 {
            return Err(ScenarioError::field(
                at("keyless_share"),
                "hot_key_share + keyless_share at most 1",
                crate::Decimal::short(self.hot_key_share + self.keyless_share),
            ));
        }
        Ok(())
    }

    /// Whether it sends records that only a Kafka log knows what to do with.
    pub(crate) fn keys_records(&self) -> bool {
        self.hot_key_share > 0.0 || self.keyless_share > 0.0
    }
}

impl Default for ProducerConfig {
    fn default() -> Self {
        ProducerConfig {
            name: "order-service".into(),
            rate: 5.0,
            arrival: Arrival::Steady,
            start: Millis::ZERO,
            stop: None,
            poison_share: 0.0,
            transient_share: 0.0,
            transient_failures: 2,
            groups: 1,
            duplicate_share: 0.0,
            schema_version: 1,
            claim_check: false,
            delay: Millis::ZERO,
            on_reject: OnReject::CountError,
            back_off: Millis::from_secs(1),
            hot_key_share: 0.0,
            keyless_share: 0.0,
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            timeout: Millis::from_secs(3),
            backlog_limit: 50,
        }
    }
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            sample_every: Millis::from_secs(1),
            max_points: 600,
            lag_alert: 100,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            history: 10_000,
            event_log: 20_000,
        }
    }
}

impl Scenario {
    /// Parses and validates a scenario file. The error names the field, what was expected and what
    /// was given.
    #[inline]
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let scenario = Self::parse(text)?;
        scenario.validate()?;
        Ok(scenario)
    }

    #[inline]
    fn parse(text: &str) -> Result<Scenario, ScenarioError> {
        parse_json(text)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a scenario always serialises")
    }

    /// Range checks that the type system cannot express, with SQS's documented limits.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        use crate::validate::*;
        if self.version != SCENARIO_VERSION {
            return Err(ScenarioError::field(
                "version",
                format!("{SCENARIO_VERSION} (the only scenario version this build reads)"),
                self.version,
            ));
        }
        let q = &self.queue;
        duration(
            "queue.visibility_timeout",
            q.visibility_timeout,
            Millis::ZERO,
            Millis::from_secs(43_200),
        )?;
        // The queue's platform bounds its retention: RabbitMQ's x-message-ttl is any number of
        // milliseconds (§2.4), SQS keeps a message 60 s to 14 days (§1.1), a Pub/Sub
        // subscription 10 minutes to 31 days (§6). Lowering a file names the platform's setting.
        let l = q.profile().retention();
        duration("queue.retention", q.retention, l.min, l.max)?;
        duration("queue.delay", q.delay, Millis::ZERO, Millis::from_secs(900))?;
        duration(
            "queue.receive_wait",
            q.receive_wait,
            Millis::ZERO,
            Millis::from_secs(20),
        )?;
        duration(
            "queue.short_poll_interval",
            q.short_poll_interval,
            Millis(1),
            Millis::from_secs(60),
        )?;
        if let Some(max) = q.max_depth {
            int("queue.max_depth", max, 1, 10_000_000)?;
        }
        int("queue.reorder_window", q.reorder_window, 1, 1000)?;
        int("queue.max_message_size", q.max_message_size, 1024, u32::MAX)?;
        retry("queue.retry", &q.retry)?;
        if let Some(max) = q.max_deliveries {
            int("queue.max_deliveries", max, 1, 1000)?;
            if self.dlq.is_some() {
                return Err(ScenarioError::field(
                    "queue.max_deliveries",
                    "null when the queue has a DLQ (dlq.max_receive_count moves the message instead)",
                    max,
                ));
            }
        }
        let unlimited = self
            .dlq
            .as_ref()
            .is_none_or(|d| d.max_receive_count == NO_DELIVERY_LIMIT);
        if unlimited && q.profile().limit_always_on() {
            return Err(crate::topology::profile::QueueProfile::limit_off_error(
                "dlq.max_receive_count".into(),
            ));
        }
        if let Some(dlq) = &self.dlq {
            if dlq.max_receive_count != NO_DELIVERY_LIMIT {
                int("dlq.max_receive_count", dlq.max_receive_count, 1, 1000)?;
            }
            // The dead-letter queue is on the queue's platform, with the same range.
            duration("dlq.retention", dlq.retention, l.min, l.max)?;
            fraction_range("dlq.redrive_rate", dlq.redrive_rate, 0.1, 500.0)?;
        }
        let c = &self.consumers;
        int("consumers.count", c.count, 0, 64)?;
        let max_batch = if q.kind == QueueKind::Fifo {
            10
        } else {
            10_000
        };
        int("consumers.batch_size", c.batch_size, 1, max_batch)?;
        duration(
            "consumers.batch_window",
            c.batch_window,
            Millis::ZERO,
            Millis::from_secs(300),
        )?;
        if q.kind == QueueKind::Fifo && c.batch_window > Millis::ZERO {
            return Err(ScenarioError::field(
                "consumers.batch_window",
                "0 on a FIFO queue (Lambda has no batching window for FIFO)",
                c.batch_window,
            ));
        }
        duration(
            "consumers.processing.mean",
            c.processing.mean,
            Millis::ZERO,
            Millis::from_secs(43_200),
        )?;
        fraction_range("consumers.failure_rate", c.failure_rate, 0.0, 1.0)?;
        fraction_range("consumers.crash_probability", c.crash_probability, 0.0, 1.0)?;
        int("consumers.schema_version", c.schema_version, 1, 2)?;
        duration(
            "consumers.restart_after",
            c.restart_after,
            Millis::ZERO,
            Millis::from_secs(86_400),
        )?;
        if self.producers.len() > 16 {
            return Err(ScenarioError::field(
                "producers",
                "at most 16 producers",
                self.producers.len(),
            ));
        }
        for (i, p) in self.producers.iter().enumerate() {
            let at = |f: &str| format!("producers[{i}].{f}");
            fraction_range(&at("rate"), p.rate, 0.0, 100_000.0)?;
            fraction_range(&at("poison_share"), p.poison_share, 0.0, 1.0)?;
            fraction_range(&at("transient_share"), p.transient_share, 0.0, 1.0)?;
            if p.poison_share + p.transient_share > 1.0 {
                return Err(ScenarioError::field(
                    at("transient_share"),
                    "poison_share + transient_share at most 1",
                    crate::Decimal::short(p.poison_share + p.transient_share),
                ));
            }
            int(&at("transient_failures"), p.transient_failures, 1, 100)?;
            int(&at("groups"), p.groups, 1, 10_000)?;
            fraction_range(&at("duplicate_share"), p.duplicate_share, 0.0, 1.0)?;
            int(&at("schema_version"), p.schema_version, 1, 2)?;
            p.check_keys(&at)?;
            duration(&at("delay"), p.delay, Millis::ZERO, Millis::from_secs(900))?;
            if q.kind == QueueKind::Fifo && p.delay > Millis::ZERO {
                return Err(ScenarioError::field(
                    at("delay"),
                    "0 on a FIFO queue (SQS FIFO allows only a queue-wide delay)",
                    p.delay,
                ));
            }
            duration(
                &at("back_off"),
                p.back_off,
                Millis(1),
                Millis::from_secs(3600),
            )?;
            if let Some(stop) = p.stop {
                duration(&at("stop"), stop, p.start, Millis::MAX)?;
            }
        }
        duration(
            "http.timeout",
            self.http.timeout,
            Millis(1),
            Millis::from_secs(600),
        )?;
        int("http.backlog_limit", self.http.backlog_limit, 0, 1_000_000)?;
        duration(
            "metrics.sample_every",
            self.metrics.sample_every,
            Millis(10),
            Millis::from_secs(3600),
        )?;
        int("metrics.max_points", self.metrics.max_points, 16, 100_000)?;
        int("limits.history", self.limits.history, 0, 10_000_000)?;
        int("limits.event_log", self.limits.event_log, 0, 10_000_000)?;
        for (i, tc) in self.commands.iter().enumerate() {
            if let Command::SetHotKey { .. } = tc.command {
                return Err(ScenarioError::field(
                    format!("commands[{i}].do"),
                    "a command a queue's producer understands (a hot key is for a producer \
                     that publishes only to Kafka logs)",
                    "set_hot_key",
                ));
            }
            tc.command.validate(&format!("commands[{i}].do"), self)?;
        }
        Ok(())
    }
}

/// Reads any scenario-shaped JSON. With the `paths` feature the error says which field
/// (`queue.visibility_timeout`); without it (the browser build, which only reads built-in
/// scenarios that CI has already checked with paths) it gives serde's message and position,
/// for a smaller download. Public for the studio's planner, whose builder reads one node,
/// edge or command at a time through the same reader as a whole file.
pub fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ScenarioError> {
    #[cfg(feature = "paths")]
    {
        let mut de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            json_error(e.into_inner(), path)
        })
    }
    #[cfg(not(feature = "paths"))]
    {
        serde_json::from_str(text).map_err(|e| json_error(e, String::new()))
    }
}

fn json_error(inner: serde_json::Error, path: String) -> ScenarioError {
    if inner.is_syntax() || inner.is_eof() || path.is_empty() {
        ScenarioError::Syntax {
            line: inner.line(),
            column: inner.column(),
            message: inner.to_string(),
        }
    } else {
        ScenarioError::from_serde(path, &strip_position(&inner.to_string()))
    }
}

/// serde_json appends " at line L column C" to data errors; the path already says where.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}
