//! The queue engine: a deterministic, sans-IO simulation of message queues, the single source of
//! truth for Queue Playground.
//!
//! # Contract
//! - **No I/O, no clocks.** Simulated time ([`Millis`]) is passed in; the engine never reads the
//!   OS clock, the network or the DOM, and depends on no web crate.
//! - **Determinism.** The same [`Scenario`] (seed included) and the same commands at the same
//!   simulated times produce the same event log, byte for byte, on every target (native and
//!   wasm): one seed split into named random streams ([`Rng::stream`]), each drawn in a fixed
//!   order; one agenda ordered by (time, scheduling order); ordered collections only; pure-Rust
//!   maths; and a log hash (`World::log_hash`, feature `log-hash`, on by default) that is
//!   independent of pointer width, so tests compare runs across targets. The time,
//!   randomness, agenda and log every model shares live in the private `kernel` module.
//! - **Conservation.** Every published message is in exactly one [`MsgState`]; the per-state
//!   counts always add up to `published`. Loss happens only through a counted cause: expiry,
//!   overflow drop, at-most-once loss, validation delete, or a person discarding a DLQ message.
//! - **Bounded memory.** Finished messages beyond `limits.history`, events beyond
//!   `limits.event_log` and metric points beyond `metrics.max_points` are forgotten (their counts
//!   remain). Envelopes and traces are built on demand, never stored.
//! - **Built for speed where it runs hot, for size elsewhere.** The engine is built at
//!   opt-level 2 for its loop ([`World::advance_to`] and everything a timer fires; 3 ran no
//!   faster in Chromium, see `Cargo.toml`). Entry points
//!   that run once per click or per file (the readers, [`World::new`], envelopes, traces,
//!   event descriptions, the platform texts) are `#[inline]`, so the crate that calls them, the
//!   page at its size-first opt-level, builds them and the serde readers behind them.
//!
//! # Call order
//! 1. A [`Plan`](topology::plan::Plan): [`ScenarioV2::plan`] for any topology, or
//!    [`Plan::single`](topology::plan::Plan::single) for one queue's [`Scenario`]; then
//!    [`World::new`].
//! 2. Repeatedly: [`World::command`] for what a person does now, [`World::advance_to`] (or
//!    [`World::step`]) to move simulated time forward.
//! 3. Read each queue member ([`World::members`], a [`Sim`]): [`Sim::snapshot`],
//!    [`Sim::counts`], [`Sim::metrics`]; [`World::drain_events`] for the log;
//!    [`World::timeline`] and [`World::trace`] for one message, when someone clicks it.
//!
//! The defaults follow Amazon SQS with Lambda's SQS event source; see `semantics.md` in the
//! project's reference notes for each fact and its source.

pub mod amqp;
mod command;
mod consumer;
pub mod envelope;
mod error;
mod event;
mod http;
mod kernel;
mod line;
mod log_node;
mod message;
mod metrics;
pub mod names;
pub mod platform;
mod producer;
mod queue;
pub mod redis_stream;
mod report;
mod scenario;
mod settle;
mod sim;
mod snapshot;
mod store;
pub mod stream;
mod tagged;
mod take;
pub mod topology;
pub mod trace;
mod validate;
pub mod workload;
mod world;

pub use command::{
    Command, Payload, TakeOutcome, COMMAND_TYPES, LARGE_PAYLOAD_BYTES, MAX_ROUTING_KEY,
};
pub use error::ScenarioError;
pub use event::{Event, EventKind};
pub use kernel::decimal::{parse_decimal, Decimal};
pub use kernel::rng::Rng;
pub use kernel::sorted::SortedMap;
pub use kernel::time::Millis;
pub use log_node::LogNode;
pub use message::{DeadLetterReason, FailureCause, HttpFailure, Message, MsgId, MsgState};
pub use metrics::{Counts, Histogram, Metrics, Series};
pub use producer::DEDUP_WINDOW;
pub use report::{GroupReport, LogReport, QueueReport, WorldReport};
pub use scenario::*;
pub use sim::Sim;
pub use snapshot::{ConsumerStatus, ConsumerView, Snapshot, Token};
pub use topology::scenario::{NodeCommand, ScenarioFile, ScenarioV2};
pub use topology::{Edge, EdgeKind, Node, NodeId, NodeKind, QueueSpec, Topology};
pub use world::{RoutedPublish, World, WorldEvent};
