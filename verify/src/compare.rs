//! Comparing what the engine says happened to each message with what the broker did, and the
//! report a person reads. No broker and no engine here: plain facts in, differences out, so
//! every rule is unit-tested.
//!
//! # Rules
//! - A message is matched by its engine id (the broker copy carries it as `message_id`).
//! - `place` must be equal: `processed`, `dead_lettered`, `queued` (still in the queue, ready or
//!   held by a consumer at the end of the window), `deleted` (acknowledged unprocessed), or
//!   the engine's own word for anything else (`expired`, `dropped`, …), which no broker run
//!   produces, so it shows up as a difference.
//! - `delivered` is compared by the message's [`CountRule`]:
//!   - [`CountRule::Exact`] when the message settled (processed, dead-lettered, deleted): the
//!     number of deliveries is fixed by the consumer's behaviour and the queue's limit, not by
//!     timing, so the two must be equal.
//!   - [`CountRule::Unbounded`] when the engine leaves it queued after failing again and again
//!     (a classic queue requeues a poison message for ever). How many times a loop turns in a
//!     window depends on timing: the broker rejects at once, the engine spends each attempt's
//!     processing time. So the rule is: both must have delivered it more than once (it really
//!     loops), and the broker at least as often as the engine (the broker is never slower
//!     than the engine's simulated consumer).
//! - `processed` (how many times a consumer processed it to the end, whether or not its
//!   delete then took effect) must be equal when the count rule is exact; a message still
//!   looping is timing-dependent, so its count is not compared.
//! - `order` (FIFO queues only): the message's rank among its group's processed messages, in
//!   the order they were processed. Equal ranks for every message mean the same order within
//!   every group.
//! - `x-death` (dead-lettered messages only): the reason (`delivery_limit`, `rejected`, …) and
//!   the count of the entry for the source queue must be equal.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

/// How a message's delivery count is compared; see the module's rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CountRule {
    Exact,
    Unbounded,
}

/// The `x-death` entry for the queue a message died in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Death {
    pub reason: String,
    pub count: u64,
}

/// One message's fate, on either side.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Facts {
    pub delivered: u32,
    pub processed: u32,
    pub place: String,
    /// FIFO only: rank among the group's processed messages (0 = processed first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub death: Option<Death>,
}

/// What the engine says about one message, and how to compare its count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Expected {
    pub id: u64,
    pub payload: String,
    pub rule: CountRule,
    pub facts: Facts,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub msg: u64,
    pub field: &'static str,
    pub engine: String,
    pub broker: String,
}

/// One row of the table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    pub msg: u64,
    pub payload: String,
    pub rule: CountRule,
    pub engine: Option<Facts>,
    pub broker: Option<Facts>,
    pub agree: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Comparison {
    pub rows: Vec<Row>,
    pub differences: Vec<Difference>,
    pub agree: usize,
    pub differ: usize,
}

impl Comparison {
    pub fn all_agree(&self) -> bool {
        self.differ == 0
    }
}

fn death_text(d: &Option<Death>) -> String {
    match d {
        Some(d) => format!("{} ×{}", d.reason, d.count),
        None => "none".into(),
    }
}

fn opt_text(n: Option<u32>) -> String {
    n.map_or_else(|| "none".into(), |n| format!("#{}", n + 1))
}

/// The differences for one message whose both sides are known.
fn differences(e: &Expected, b: &Facts) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut differ = |field, engine: String, broker: String| {
        out.push(Difference {
            msg: e.id,
            field,
            engine,
            broker,
        })
    };
    let f = &e.facts;
    if f.place != b.place {
        differ("place", f.place.clone(), b.place.clone());
    }
    match e.rule {
        CountRule::Exact if f.delivered != b.delivered => differ(
            "delivered",
            f.delivered.to_string(),
            b.delivered.to_string(),
        ),
        CountRule::Unbounded if f.delivered < 2 || b.delivered < 2 || b.delivered < f.delivered => {
            differ(
                "delivered",
                format!(
                    "{} (a requeue loop: both > 1, broker ≥ engine)",
                    f.delivered
                ),
                b.delivered.to_string(),
            )
        }
        _ => {}
    }
    if e.rule == CountRule::Exact && f.processed != b.processed {
        differ(
            "processed",
            f.processed.to_string(),
            b.processed.to_string(),
        );
    }
    if f.order != b.order {
        differ("group order", opt_text(f.order), opt_text(b.order));
    }
    if (f.place == "dead_lettered" || b.place == "dead_lettered") && f.death != b.death {
        differ("x-death", death_text(&f.death), death_text(&b.death));
    }
    out
}

/// Compares every message the engine published with what the broker observed. A message only
/// one side knows is a difference too.
pub fn compare(engine: &[Expected], broker: &BTreeMap<u64, Facts>) -> Comparison {
    let mut rows = Vec::new();
    let mut all = Vec::new();
    for e in engine {
        let b = broker.get(&e.id);
        let diffs = match b {
            Some(b) => differences(e, b),
            None => vec![Difference {
                msg: e.id,
                field: "place",
                engine: e.facts.place.clone(),
                broker: "never seen".into(),
            }],
        };
        rows.push(Row {
            msg: e.id,
            payload: e.payload.clone(),
            rule: e.rule,
            engine: Some(e.facts.clone()),
            broker: b.cloned(),
            agree: diffs.is_empty(),
        });
        all.extend(diffs);
    }
    for (id, b) in broker {
        if engine.iter().all(|e| e.id != *id) {
            all.push(Difference {
                msg: *id,
                field: "place",
                engine: "never published".into(),
                broker: b.place.clone(),
            });
            rows.push(Row {
                msg: *id,
                payload: "?".into(),
                rule: CountRule::Exact,
                engine: None,
                broker: Some(b.clone()),
                agree: false,
            });
        }
    }
    let agree = rows.iter().filter(|r| r.agree).count();
    Comparison {
        differ: rows.len() - agree,
        agree,
        rows,
        differences: all,
    }
}

/// The table, the `N agree, N differ` line and one line per difference.
pub fn render(c: &Comparison) -> String {
    let mut s = String::new();
    let cell = |f: &Option<Facts>, pick: fn(&Facts) -> String| match f {
        Some(f) => pick(f),
        None => "-".into(),
    };
    let _ = writeln!(
        s,
        "{:>5}  {:<9}  {:>17}  {:>13}  {:<29}  {:<11}  {:<37}  verdict",
        "msg",
        "payload",
        "delivered eng/brk",
        "processed e/b",
        "place engine / broker",
        "order e/b",
        "x-death engine / broker"
    );
    for r in &c.rows {
        let delivered = format!(
            "{}{} / {}",
            if r.rule == CountRule::Unbounded {
                "loop "
            } else {
                ""
            },
            cell(&r.engine, |f| f.delivered.to_string()),
            cell(&r.broker, |f| f.delivered.to_string())
        );
        let processed = format!(
            "{} / {}",
            cell(&r.engine, |f| f.processed.to_string()),
            cell(&r.broker, |f| f.processed.to_string())
        );
        let order = format!(
            "{} / {}",
            cell(&r.engine, |f| opt_text(f.order)),
            cell(&r.broker, |f| opt_text(f.order))
        );
        let place = format!(
            "{} / {}",
            cell(&r.engine, |f| f.place.clone()),
            cell(&r.broker, |f| f.place.clone())
        );
        let death = format!(
            "{} / {}",
            cell(&r.engine, |f| death_text(&f.death)),
            cell(&r.broker, |f| death_text(&f.death))
        );
        let _ = writeln!(
            s,
            "{:>5}  {:<9}  {:>17}  {:>13}  {:<29}  {:<11}  {:<37}  {}",
            r.msg,
            r.payload,
            delivered,
            processed,
            place,
            order,
            death,
            if r.agree { "agree" } else { "DIFFER" }
        );
    }
    let _ = writeln!(s, "{} agree, {} differ", c.agree, c.differ);
    for d in &c.differences {
        let _ = writeln!(
            s,
            "  msg {}: {}: engine {}, broker {}",
            d.msg, d.field, d.engine, d.broker
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(delivered: u32, place: &str, death: Option<(&str, u64)>) -> Facts {
        Facts {
            delivered,
            processed: u32::from(place == "processed"),
            place: place.into(),
            order: None,
            death: death.map(|(r, c)| Death {
                reason: r.into(),
                count: c,
            }),
        }
    }

    fn expected(id: u64, rule: CountRule, f: Facts) -> Expected {
        Expected {
            id,
            payload: "poison".into(),
            rule,
            facts: f,
        }
    }

    fn poison_dead() -> Facts {
        facts(4, "dead_lettered", Some(("delivery_limit", 1)))
    }

    #[test]
    fn equal_facts_agree() {
        let e = [
            expected(1, CountRule::Exact, poison_dead()),
            expected(2, CountRule::Exact, facts(1, "processed", None)),
        ];
        let b = BTreeMap::from([(1, poison_dead()), (2, facts(1, "processed", None))]);
        let c = compare(&e, &b);
        assert_eq!((c.agree, c.differ), (2, 0));
        assert!(c.all_agree());
        assert!(render(&c).contains("2 agree, 0 differ"));
    }

    /// A deliberately wrong engine result (3 deliveries where a quorum queue with
    /// `x-delivery-limit: 3` gives 4) is reported with the message, field and both values.
    #[test]
    fn a_wrong_engine_count_is_a_difference() {
        let wrong = facts(3, "dead_lettered", Some(("delivery_limit", 1)));
        let e = [expected(7, CountRule::Exact, wrong)];
        let b = BTreeMap::from([(7, poison_dead())]);
        let c = compare(&e, &b);
        assert_eq!((c.agree, c.differ), (0, 1));
        assert_eq!(
            c.differences,
            vec![Difference {
                msg: 7,
                field: "delivered",
                engine: "3".into(),
                broker: "4".into()
            }]
        );
        let text = render(&c);
        assert!(text.contains("0 agree, 1 differ"), "{text}");
        assert!(
            text.contains("msg 7: delivered: engine 3, broker 4"),
            "{text}"
        );
    }

    #[test]
    fn place_and_death_reason_are_compared() {
        let e = [expected(
            1,
            CountRule::Exact,
            facts(4, "dead_lettered", Some(("rejected", 1))),
        )];
        let b = BTreeMap::from([(1, poison_dead())]);
        let c = compare(&e, &b);
        assert_eq!(c.differences.len(), 1);
        assert_eq!(c.differences[0].field, "x-death");
        assert_eq!(c.differences[0].engine, "rejected ×1");
        assert_eq!(c.differences[0].broker, "delivery_limit ×1");

        let b = BTreeMap::from([(1, facts(4, "queued", None))]);
        let c = compare(&e, &b);
        let fields: Vec<_> = c.differences.iter().map(|d| d.field).collect();
        assert_eq!(fields, ["place", "x-death"]);
    }

    #[test]
    fn unbounded_loops_need_both_looping_and_the_broker_no_slower() {
        let e = [expected(
            1,
            CountRule::Unbounded,
            facts(120, "queued", None),
        )];
        // The broker turned the loop far more often in the same window: agree.
        let c = compare(&e, &BTreeMap::from([(1, facts(5000, "queued", None))]));
        assert!(c.all_agree(), "{c:?}");
        // Fewer turns than the engine's simulated consumer: differ.
        let c = compare(&e, &BTreeMap::from([(1, facts(100, "queued", None))]));
        assert_eq!(c.differences[0].field, "delivered");
        // An engine that never requeued is wrong however busy the broker was.
        let e = [expected(1, CountRule::Unbounded, facts(1, "queued", None))];
        let c = compare(&e, &BTreeMap::from([(1, facts(5000, "queued", None))]));
        assert_eq!(c.differ, 1);
    }

    #[test]
    fn a_message_on_one_side_only_is_a_difference() {
        let e = [expected(1, CountRule::Exact, facts(1, "processed", None))];
        let c = compare(&e, &BTreeMap::new());
        assert_eq!(c.differences[0].broker, "never seen");
        let c = compare(&[], &BTreeMap::from([(9, facts(1, "processed", None))]));
        assert_eq!(c.differences[0].engine, "never published");
        assert_eq!((c.agree, c.differ), (0, 1));
    }

    /// Two messages of one FIFO group processed in the other order on the broker: each is
    /// reported with its rank on both sides.
    #[test]
    fn a_different_order_within_a_group_is_a_difference() {
        let ranked = |n: u32| Facts {
            order: Some(n),
            ..facts(1, "processed", None)
        };
        let e = [
            expected(1, CountRule::Exact, ranked(0)),
            expected(2, CountRule::Exact, ranked(1)),
        ];
        let same = BTreeMap::from([(1, ranked(0)), (2, ranked(1))]);
        assert!(compare(&e, &same).all_agree());
        let swapped = BTreeMap::from([(1, ranked(1)), (2, ranked(0))]);
        let c = compare(&e, &swapped);
        assert_eq!(c.differ, 2);
        assert_eq!(
            c.differences[0],
            Difference {
                msg: 1,
                field: "group order",
                engine: "#1".into(),
                broker: "#2".into()
            }
        );
    }

    #[test]
    fn processed_counts_are_exact_for_settled_messages_only() {
        let twice = Facts {
            processed: 2,
            ..facts(2, "processed", None)
        };
        let e = [expected(1, CountRule::Exact, facts(2, "processed", None))];
        let c = compare(&e, &BTreeMap::from([(1, twice.clone())]));
        assert_eq!(c.differences[0].field, "processed");
        assert_eq!(
            (
                c.differences[0].engine.as_str(),
                c.differences[0].broker.as_str()
            ),
            ("1", "2")
        );
        let looping = Facts {
            processed: 7,
            ..facts(9, "queued", None)
        };
        let e = [expected(1, CountRule::Unbounded, looping)];
        let b = Facts {
            processed: 3,
            ..facts(9, "queued", None)
        };
        assert!(compare(&e, &BTreeMap::from([(1, b)])).all_agree());
    }
}
