//! A/B compare: two configurations that differ in one setting, run on the same workload and
//! seed, side by side.
//!
//! Each side is built from the scenario as configured, with the one setting forced, and the
//! person's workload actions (sends, spikes, outages, scaling, redrives) replayed at the times
//! they were given. Setting changes from the history are left out: they would undo the very
//! difference being compared.

use queue_engine::topology::plan::{Plan, Target};
use queue_engine::{
    AckMode, BatchFailure, Command, DlqConfig, Millis, Mode, QueueKind, Scenario, World,
};

/// The comparisons offered: id, and what is compared.
pub const VARIANTS: &[(&str, &str)] = &[
    ("dlq", "No DLQ vs a DLQ after 3 receives"),
    ("wiring", "Direct HTTP vs a queue"),
    ("batch", "Whole batch retried vs partial batch response"),
    ("ack", "Ack before vs after processing"),
    ("idempotent", "Plain vs idempotent consumer"),
    ("ordering", "Standard vs FIFO queue"),
];

/// The two scenarios of a comparison, with a short label for each side.
pub fn sides(variant: &str, base: &Scenario) -> Option<[(&'static str, Scenario); 2]> {
    let mut a = base.clone();
    let mut b = base.clone();
    let labels = match variant {
        "dlq" => {
            a.dlq = None;
            b.dlq = Some(DlqConfig {
                max_receive_count: 3,
                ..base.dlq.clone().unwrap_or_default()
            });
            ["no DLQ", "DLQ after 3"]
        }
        "wiring" => {
            a.mode = Mode::Http;
            b.mode = Mode::Queue;
            ["HTTP", "queue"]
        }
        "batch" => {
            for s in [&mut a, &mut b] {
                s.consumers.batch_size = s.consumers.batch_size.max(5);
            }
            a.consumers.batch_failure = BatchFailure::WholeBatch;
            b.consumers.batch_failure = BatchFailure::ReportFailures;
            ["whole batch", "partial response"]
        }
        "ack" => {
            a.consumers.ack = AckMode::BeforeProcessing;
            b.consumers.ack = AckMode::AfterProcessing;
            ["ack before", "ack after"]
        }
        "idempotent" => {
            a.consumers.idempotent = false;
            b.consumers.idempotent = true;
            ["plain", "idempotent"]
        }
        "ordering" => {
            crate::state::with_ordering(&mut a, QueueKind::Standard);
            crate::state::with_ordering(&mut b, QueueKind::Fifo);
            ["standard", "FIFO"]
        }
        _ => return None,
    };
    Some([(labels[0], a), (labels[1], b)])
}

/// Whether a recorded command is part of the workload (replayed on both sides) rather than a
/// setting (which the comparison fixes).
pub fn is_workload(c: &Command) -> bool {
    matches!(
        c,
        Command::Send { .. }
            | Command::Resend { .. }
            | Command::Spike { .. }
            | Command::SetOnline { .. }
            | Command::ScaleConsumers { .. }
            | Command::RedriveAll
            | Command::RedriveOne { .. }
            | Command::Discard { .. }
            | Command::FixPoison
    )
}

/// Both sides, run to `until`.
pub fn run(
    variant: &str,
    base: &Scenario,
    history: &[(Millis, Command)],
    until: Millis,
) -> Option<[(&'static str, World); 2]> {
    let [(la, a), (lb, b)] = sides(variant, base)?;
    let build = |s: Scenario| -> Option<World> {
        let mut world = World::new(Plan::single(s)).ok()?;
        for (at, c) in history.iter().filter(|(_, c)| is_workload(c)) {
            // A command a side refuses (e.g. a redrive with no DLQ) is simply not given there.
            let _ = world.command_at(*at, Target::in_one_queue(c), c.clone());
        }
        world.advance_to(until);
        Some(world)
    };
    Some([(la, build(a)?), (lb, build(b)?)])
}
