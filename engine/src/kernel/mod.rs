//! The kernel every model runs on: simulated time, seeded randomness, the agenda of what happens
//! next, and the event log with its hash.
//!
//! # Contract
//! - **Time is a value.** [`time::Millis`] is passed in; nothing here reads a clock.
//! - **One agenda.** [`agenda::Agenda`] fires entries in (time, scheduling order): equal times
//!   keep the order they were scheduled in, and the payload never takes part in the ordering.
//! - **One seed, named streams.** [`rng::Rng::stream`] derives each independent random stream
//!   from the scenario seed and a name, so adding a stream never shifts the draws of another.
//! - **Members hand their timers over.** [`timers::Timers`] is the outbox a queue, log or
//!   stream sets its timers in; the world empties it onto its one agenda.
//! - **One log.** [`log::EventLog`] keeps a bounded window of events for readers and, with the
//!   feature `log-hash`, a hash of every event ever emitted ([`log_hash`]), independent of
//!   pointer width, so native and wasm runs compare.
//! - **Stores that never double.** [`chunked::Chunked`] grows a chunk at a time, so a large
//!   backlog never briefly needs twice its memory (which wasm would keep); the queue's long
//!   lines of handles grow by an eighth ([`lean`]), not by doubling.
//! - **Small maps on a `Vec`.** [`sorted::SortedMap`] keeps the models' small ordered maps
//!   without a tree's code for each of their types.
//! - **Plain decimals.** [`decimal`] reads and writes numbers without the standard float
//!   parser and formatter, which the page would otherwise carry.
//!
//! Nothing in the kernel knows about queues, logs or brokers; the models build on it.

pub(crate) mod agenda;
pub(crate) mod chunked;
pub(crate) mod decimal;
pub(crate) mod lean;
pub(crate) mod log;
#[cfg(feature = "log-hash")]
pub(crate) mod log_hash;
pub(crate) mod rng;
pub(crate) mod sorted;
pub(crate) mod time;
pub(crate) mod timers;
