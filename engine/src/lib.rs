//! The queue engine: a deterministic, sans-IO simulation of message queues.
//!
//! Contract:
//! - No I/O and no clocks. Simulated time ([`Millis`]) is passed into every call; the engine never
//!   reads the OS clock, the network or the DOM, and it depends on no web crate.
//! - Determinism: the same scenario, seed and commands at the same simulated times produce the same
//!   event log, byte for byte, on every target (native and wasm).

mod time;

pub use time::Millis;
