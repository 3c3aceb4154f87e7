//! Reading the internally tagged enums of the files ([`Command`], [`StreamCommand`] and
//! [`RetryPolicy`]): every field any variant takes, in one flat struct, then checked against
//! the variant's own fields.
//!
//! # Contract
//! - Accepts exactly what the derived, internally tagged form accepted: the tag first or
//!   anywhere, each variant's own fields, optional ones left out, nothing else.
//! - Errors name the field at fault with what was expected and what was given, in serde's
//!   "GIVEN, expected EXPECTED" shape so the scenario error keeps its three parts.
//!
//! Why not derive it: serde reads an internally tagged enum by buffering the whole value in a
//! generic tree first, and builds one reader per variant over that tree. For the 23 commands
//! that was the largest function in the page's wasm; one flat struct is a fraction of it.
//! Writing stays derived.

use serde::Deserialize;

use crate::names::Named;

use crate::command::{Command, Payload, TakeOutcome};
use crate::kernel::time::Millis;
use crate::scenario::{AckMode, BatchFailure, OnInvalid, RetryPolicy};
use crate::stream::{SeekTo, StreamCommand};

/// Each [`Kind`] as the files spell it, in declaration order: the reader's own table, so
/// messages name a command without serialising it.
pub(crate) const KIND_NAMES: &[&str] = <Kind as Named>::NAMES;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Send,
    SetOnline,
    Crash,
    ScaleConsumers,
    Spike,
    SetRate,
    SetBatchFailure,
    SetBatchSize,
    SetAck,
    SetIdempotent,
    SetVisibilityTimeout,
    SetExtendVisibility,
    SetMaxReceiveCount,
    SetFailureRate,
    SetOnInvalid,
    SetProcessingTime,
    SetRetry,
    RedriveAll,
    RedriveOne,
    Discard,
    FixPoison,
    Seek,
    SetHotKey,
    Take,
    Publish,
    Resend,
}

crate::named_variants!(Kind {
    Send = "send",
    SetOnline = "set_online",
    Crash = "crash",
    ScaleConsumers = "scale_consumers",
    Spike = "spike",
    SetRate = "set_rate",
    SetBatchFailure = "set_batch_failure",
    SetBatchSize = "set_batch_size",
    SetAck = "set_ack",
    SetIdempotent = "set_idempotent",
    SetVisibilityTimeout = "set_visibility_timeout",
    SetExtendVisibility = "set_extend_visibility",
    SetMaxReceiveCount = "set_max_receive_count",
    SetFailureRate = "set_failure_rate",
    SetOnInvalid = "set_on_invalid",
    SetProcessingTime = "set_processing_time",
    SetRetry = "set_retry",
    RedriveAll = "redrive_all",
    RedriveOne = "redrive_one",
    Discard = "discard",
    FixPoison = "fix_poison",
    Seek = "seek",
    SetHotKey = "set_hot_key",
    Take = "take",
    Publish = "publish",
    Resend = "resend",
});

impl Command {
    /// The `type` a file writes for this command (`set_ack`), for messages: the reader's own
    /// name table, not the command serialised to read its tag, which would put every variant's
    /// writer in the page.
    pub fn name(&self) -> &'static str {
        let kind = match self {
            Command::Send { .. } => Kind::Send,
            Command::SetOnline { .. } => Kind::SetOnline,
            Command::Crash { .. } => Kind::Crash,
            Command::ScaleConsumers { .. } => Kind::ScaleConsumers,
            Command::Spike { .. } => Kind::Spike,
            Command::SetRate { .. } => Kind::SetRate,
            Command::SetBatchFailure { .. } => Kind::SetBatchFailure,
            Command::SetBatchSize { .. } => Kind::SetBatchSize,
            Command::SetAck { .. } => Kind::SetAck,
            Command::SetIdempotent { .. } => Kind::SetIdempotent,
            Command::SetVisibilityTimeout { .. } => Kind::SetVisibilityTimeout,
            Command::SetExtendVisibility { .. } => Kind::SetExtendVisibility,
            Command::SetMaxReceiveCount { .. } => Kind::SetMaxReceiveCount,
            Command::SetFailureRate { .. } => Kind::SetFailureRate,
            Command::SetOnInvalid { .. } => Kind::SetOnInvalid,
            Command::SetProcessingTime { .. } => Kind::SetProcessingTime,
            Command::SetRetry { .. } => Kind::SetRetry,
            Command::RedriveAll => Kind::RedriveAll,
            Command::RedriveOne { .. } => Kind::RedriveOne,
            Command::Discard { .. } => Kind::Discard,
            Command::FixPoison => Kind::FixPoison,
            Command::Seek { .. } => Kind::Seek,
            Command::SetHotKey { .. } => Kind::SetHotKey,
            Command::Take { .. } => Kind::Take,
            Command::Publish { .. } => Kind::Publish,
            Command::Resend { .. } => Kind::Resend,
        };
        KIND_NAMES[kind as usize]
    }
}

/// The three `mode` settings share a field name; their values never overlap.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    WholeBatch,
    ReportFailures,
    StopAtFirst,
    AfterProcessing,
    BeforeProcessing,
    Throw,
    Discard,
    DeadLetter,
}

crate::named_variants!(Mode {
    WholeBatch = "whole_batch",
    ReportFailures = "report_failures",
    StopAtFirst = "stop_at_first",
    AfterProcessing = "after_processing",
    BeforeProcessing = "before_processing",
    Throw = "throw",
    Discard = "discard",
    DeadLetter = "dead_letter",
});

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCommand {
    #[serde(rename = "type")]
    kind: Kind,
    producer: Option<u32>,
    payload: Option<Payload>,
    group: Option<u32>,
    consumer: Option<u32>,
    online: Option<bool>,
    count: Option<u32>,
    factor: Option<f64>,
    duration: Option<Millis>,
    rate: Option<f64>,
    mode: Option<Mode>,
    size: Option<u32>,
    on: Option<bool>,
    timeout: Option<Millis>,
    mean: Option<Millis>,
    policy: Option<RetryPolicy>,
    message: Option<u64>,
    to: Option<SeekTo>,
    share: Option<f64>,
    outcome: Option<TakeOutcome>,
    exchange: Option<String>,
    key: Option<String>,
    event: Option<u64>,
}

impl RawCommand {
    /// The first field still set after the command took its own.
    fn leftover(&self) -> Option<&'static str> {
        let set = [
            ("producer", self.producer.is_some()),
            ("payload", self.payload.is_some()),
            ("group", self.group.is_some()),
            ("consumer", self.consumer.is_some()),
            ("online", self.online.is_some()),
            ("count", self.count.is_some()),
            ("factor", self.factor.is_some()),
            ("duration", self.duration.is_some()),
            ("rate", self.rate.is_some()),
            ("mode", self.mode.is_some()),
            ("size", self.size.is_some()),
            ("on", self.on.is_some()),
            ("timeout", self.timeout.is_some()),
            ("mean", self.mean.is_some()),
            ("policy", self.policy.is_some()),
            ("message", self.message.is_some()),
            ("to", self.to.is_some()),
            ("share", self.share.is_some()),
            ("outcome", self.outcome.is_some()),
            ("exchange", self.exchange.is_some()),
            ("key", self.key.is_some()),
            ("event", self.event.is_some()),
        ];
        set.iter().find(|(_, is)| *is).map(|(name, _)| *name)
    }
}

fn need<T>(v: Option<T>, field: &str) -> Result<T, String> {
    v.ok_or_else(|| format!("no `{field}`, expected the field `{field}`"))
}

fn wrong_mode(m: Mode, allowed: &str) -> String {
    format!("mode `{}`, expected one of {allowed}", name(m))
}

/// A variant's name as the files spell it: the reader's own table, so the page carries no
/// `Debug` names for these enums.
fn name<T: Named + PartialEq>(v: T) -> &'static str {
    T::ALL
        .iter()
        .position(|x| *x == v)
        .map_or("this", |i| T::NAMES[i])
}

impl TryFrom<RawCommand> for Command {
    type Error = String;

    fn try_from(mut r: RawCommand) -> Result<Command, String> {
        use Kind as K;
        let c = match r.kind {
            K::Send => Command::Send {
                producer: r.producer.take().unwrap_or(0),
                payload: r.payload.take().unwrap_or_default(),
                group: r.group.take(),
            },
            K::SetOnline => Command::SetOnline {
                consumer: r.consumer.take(),
                online: need(r.online.take(), "online")?,
            },
            K::Crash => Command::Crash {
                consumer: need(r.consumer.take(), "consumer")?,
            },
            K::ScaleConsumers => Command::ScaleConsumers {
                count: need(r.count.take(), "count")?,
            },
            K::Spike => Command::Spike {
                factor: need(r.factor.take(), "factor")?,
                duration: need(r.duration.take(), "duration")?,
            },
            K::SetRate => Command::SetRate {
                producer: r.producer.take().unwrap_or(0),
                rate: need(r.rate.take(), "rate")?,
            },
            K::SetBatchFailure => Command::SetBatchFailure {
                mode: match need(r.mode.take(), "mode")? {
                    Mode::WholeBatch => BatchFailure::WholeBatch,
                    Mode::ReportFailures => BatchFailure::ReportFailures,
                    Mode::StopAtFirst => BatchFailure::StopAtFirst,
                    m => {
                        return Err(wrong_mode(
                            m,
                            "`whole_batch`, `report_failures`, `stop_at_first`",
                        ))
                    }
                },
            },
            K::SetBatchSize => Command::SetBatchSize {
                size: need(r.size.take(), "size")?,
            },
            K::SetAck => Command::SetAck {
                mode: match need(r.mode.take(), "mode")? {
                    Mode::AfterProcessing => AckMode::AfterProcessing,
                    Mode::BeforeProcessing => AckMode::BeforeProcessing,
                    m => return Err(wrong_mode(m, "`after_processing`, `before_processing`")),
                },
            },
            K::SetIdempotent => Command::SetIdempotent {
                on: need(r.on.take(), "on")?,
            },
            K::SetVisibilityTimeout => Command::SetVisibilityTimeout {
                timeout: need(r.timeout.take(), "timeout")?,
            },
            K::SetExtendVisibility => Command::SetExtendVisibility {
                on: need(r.on.take(), "on")?,
            },
            // `null` or left out: the redrive policy is off.
            K::SetMaxReceiveCount => Command::SetMaxReceiveCount {
                count: r.count.take(),
            },
            K::SetFailureRate => Command::SetFailureRate {
                rate: need(r.rate.take(), "rate")?,
            },
            K::SetOnInvalid => Command::SetOnInvalid {
                mode: match need(r.mode.take(), "mode")? {
                    Mode::Throw => OnInvalid::Throw,
                    Mode::Discard => OnInvalid::Discard,
                    Mode::DeadLetter => OnInvalid::DeadLetter,
                    m => return Err(wrong_mode(m, "`throw`, `discard`, `dead_letter`")),
                },
            },
            K::SetProcessingTime => Command::SetProcessingTime {
                mean: need(r.mean.take(), "mean")?,
            },
            K::SetRetry => Command::SetRetry {
                policy: need(r.policy.take(), "policy")?,
            },
            K::RedriveAll => Command::RedriveAll,
            K::RedriveOne => Command::RedriveOne {
                message: need(r.message.take(), "message")?,
            },
            K::Discard => Command::Discard {
                message: need(r.message.take(), "message")?,
            },
            K::FixPoison => Command::FixPoison,
            K::Seek => Command::Seek {
                to: need(r.to.take(), "to")?,
            },
            K::SetHotKey => Command::SetHotKey {
                producer: r.producer.take().unwrap_or(0),
                share: need(r.share.take(), "share")?,
            },
            K::Take => Command::Take {
                outcome: need(r.outcome.take(), "outcome")?,
            },
            K::Publish => Command::Publish {
                producer: r.producer.take().unwrap_or(0),
                exchange: need(r.exchange.take(), "exchange")?,
                key: need(r.key.take(), "key")?,
            },
            K::Resend => Command::Resend {
                producer: r.producer.take().unwrap_or(0),
                event: need(r.event.take(), "event")?,
                payload: r.payload.take().unwrap_or_default(),
                group: r.group.take(),
            },
        };
        match r.leftover() {
            Some(field) => Err(format!(
                "field `{field}`, expected only the fields of a `{}` command",
                KIND_NAMES.get(r.kind as usize).unwrap_or(&"this")
            )),
            None => Ok(c),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum StreamKind {
    AddConsumer,
    RemoveConsumer,
    CrashConsumer,
    Seek,
    SetHotKey,
}

crate::named_variants!(StreamKind {
    AddConsumer = "add_consumer",
    RemoveConsumer = "remove_consumer",
    CrashConsumer = "crash_consumer",
    Seek = "seek",
    SetHotKey = "set_hot_key",
});

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStreamCommand {
    #[serde(rename = "type")]
    kind: StreamKind,
    group: Option<usize>,
    consumer: Option<usize>,
    to: Option<SeekTo>,
    share: Option<f64>,
}

impl TryFrom<RawStreamCommand> for StreamCommand {
    type Error = String;

    fn try_from(r: RawStreamCommand) -> Result<StreamCommand, String> {
        use StreamKind as K;
        let group = || need(r.group, "group");
        let (c, own): (StreamCommand, &[&str]) = match r.kind {
            K::AddConsumer => (StreamCommand::AddConsumer { group: group()? }, &["group"]),
            K::RemoveConsumer => (
                StreamCommand::RemoveConsumer { group: group()? },
                &["group"],
            ),
            K::CrashConsumer => (
                StreamCommand::CrashConsumer {
                    group: group()?,
                    consumer: need(r.consumer, "consumer")?,
                },
                &["group", "consumer"],
            ),
            K::Seek => (
                StreamCommand::Seek {
                    group: group()?,
                    to: need(r.to, "to")?,
                },
                &["group", "to"],
            ),
            K::SetHotKey => (
                StreamCommand::SetHotKey {
                    share: need(r.share, "share")?,
                },
                &["share"],
            ),
        };
        let given = [
            ("group", r.group.is_some()),
            ("consumer", r.consumer.is_some()),
            ("to", r.to.is_some()),
            ("share", r.share.is_some()),
        ];
        only(&given, own, name(r.kind))?;
        Ok(c)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RetryKind {
    VisibilityTimeout,
    Immediate,
    Exponential,
    Tiers,
}

crate::named_variants!(RetryKind {
    VisibilityTimeout = "visibility_timeout",
    Immediate = "immediate",
    Exponential = "exponential",
    Tiers = "tiers",
});

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRetry {
    kind: RetryKind,
    base: Option<Millis>,
    max: Option<Millis>,
    delays: Option<Vec<Millis>>,
}

impl TryFrom<RawRetry> for RetryPolicy {
    type Error = String;

    fn try_from(r: RawRetry) -> Result<RetryPolicy, String> {
        let given = [
            ("base", r.base.is_some()),
            ("max", r.max.is_some()),
            ("delays", r.delays.is_some()),
        ];
        let (p, own): (RetryPolicy, &[&str]) = match r.kind {
            RetryKind::VisibilityTimeout => (RetryPolicy::VisibilityTimeout, &[]),
            RetryKind::Immediate => (RetryPolicy::Immediate, &[]),
            RetryKind::Exponential => (
                RetryPolicy::Exponential {
                    base: need(r.base, "base")?,
                    max: need(r.max, "max")?,
                },
                &["base", "max"],
            ),
            RetryKind::Tiers => (
                RetryPolicy::Tiers {
                    delays: need(r.delays, "delays")?,
                },
                &["delays"],
            ),
        };
        only(&given, own, name(r.kind))?;
        Ok(p)
    }
}

/// Refuses the first field given that is not among `own`, the fields of variant `kind`.
fn only(given: &[(&str, bool)], own: &[&str], kind: &str) -> Result<(), String> {
    match given.iter().find(|(f, is)| *is && !own.contains(f)) {
        Some((field, _)) => Err(format!(
            "field `{field}`, expected only the fields of `{kind}`"
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The name table and the derived reader agree on every kind, in order.
    #[test]
    fn kind_names_are_the_names_the_reader_accepts() {
        for (i, name) in KIND_NAMES.iter().enumerate() {
            let kind: Kind = serde_json::from_str(&format!("\"{name}\"")).unwrap();
            assert_eq!(kind as usize, i, "{name}");
        }
        assert_eq!(
            Kind::Resend as usize + 1,
            KIND_NAMES.len(),
            "the last kind is named"
        );
        let err = read(r#"{"type": "set_ack", "mode": "after_processing", "on": true}"#);
        assert!(err.unwrap_err().contains("a `set_ack` command"));
    }

    #[test]
    fn on_invalid_can_be_set_to_dead_letter() {
        assert_eq!(
            read(r#"{"type": "set_on_invalid", "mode": "dead_letter"}"#),
            Ok(Command::SetOnInvalid {
                mode: OnInvalid::DeadLetter
            })
        );
    }

    fn read(json: &str) -> Result<Command, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn every_command_reads_back_what_it_writes() {
        let all = [
            Command::Send {
                producer: 1,
                payload: Payload::Poison,
                group: Some(3),
            },
            Command::Resend {
                producer: 0,
                event: 7,
                payload: Payload::Transient,
                group: None,
            },
            Command::SetOnline {
                consumer: None,
                online: false,
            },
            Command::Crash { consumer: 2 },
            Command::ScaleConsumers { count: 4 },
            Command::Spike {
                factor: 2.5,
                duration: Millis::from_secs(30),
            },
            Command::SetRate {
                producer: 0,
                rate: 3.0,
            },
            Command::SetBatchFailure {
                mode: BatchFailure::ReportFailures,
            },
            Command::SetBatchSize { size: 10 },
            Command::SetAck {
                mode: AckMode::BeforeProcessing,
            },
            Command::SetIdempotent { on: true },
            Command::SetVisibilityTimeout {
                timeout: Millis::from_secs(5),
            },
            Command::SetExtendVisibility { on: false },
            Command::SetMaxReceiveCount { count: Some(3) },
            Command::SetMaxReceiveCount { count: None },
            Command::SetFailureRate { rate: 0.25 },
            Command::SetOnInvalid {
                mode: OnInvalid::Discard,
            },
            Command::SetProcessingTime { mean: Millis(300) },
            Command::SetRetry {
                policy: RetryPolicy::Immediate,
            },
            Command::RedriveAll,
            Command::RedriveOne { message: 7 },
            Command::Discard { message: 8 },
            Command::FixPoison,
            Command::Seek {
                to: SeekTo::Earliest,
            },
            Command::SetHotKey {
                producer: 0,
                share: 0.5,
            },
            Command::Take {
                outcome: crate::command::TakeOutcome::Requeue,
            },
            Command::Publish {
                producer: 1,
                exchange: "orders".into(),
                key: "order.pizza.eu".into(),
            },
        ];
        for c in all {
            let json = serde_json::to_string(&c).unwrap();
            // Messages name a command by `Command::name`, which must be the tag files use.
            let tag: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert_eq!(tag["type"], c.name(), "{json}");
            assert_eq!(read(&json), Ok(c), "{json}");
        }
    }

    #[test]
    fn the_type_may_come_anywhere_and_optional_fields_may_be_left_out() {
        assert_eq!(
            read(r#"{"online": true, "type": "set_online"}"#),
            Ok(Command::SetOnline {
                consumer: None,
                online: true
            })
        );
        assert_eq!(
            read(r#"{"type": "send"}"#),
            Ok(Command::Send {
                producer: 0,
                payload: Payload::Normal,
                group: None
            })
        );
        assert_eq!(
            read(r#"{"type": "set_max_receive_count", "count": null}"#),
            Ok(Command::SetMaxReceiveCount { count: None })
        );
    }

    #[test]
    fn a_field_of_another_command_a_missing_field_or_a_wrong_mode_is_named() {
        let err = read(r#"{"type": "crash", "consumer": 1, "rate": 2}"#).unwrap_err();
        assert!(
            err.starts_with("field `rate`, expected only the fields of a `crash` command"),
            "{err}"
        );
        let err = read(r#"{"type": "spike", "factor": 2}"#).unwrap_err();
        assert!(
            err.starts_with("no `duration`, expected the field `duration`"),
            "{err}"
        );
        let err = read(r#"{"type": "set_ack", "mode": "throw"}"#).unwrap_err();
        assert!(
            err.starts_with(
                "mode `throw`, expected one of `after_processing`, `before_processing`"
            ),
            "{err}"
        );
        let err = read(r#"{"type": "fly"}"#).unwrap_err();
        assert!(err.starts_with("unknown variant `fly`"), "{err}");
        let err = read(r#"{"type": "send", "colour": 1}"#).unwrap_err();
        assert!(err.starts_with("unknown field `colour`"), "{err}");
    }

    #[test]
    fn stream_commands_and_retry_policies_read_back_what_they_write() {
        let commands = [
            StreamCommand::AddConsumer { group: 1 },
            StreamCommand::RemoveConsumer { group: 0 },
            StreamCommand::CrashConsumer {
                group: 0,
                consumer: 2,
            },
            StreamCommand::Seek {
                group: 1,
                to: SeekTo::Latest,
            },
            StreamCommand::SetHotKey { share: 0.5 },
        ];
        for c in commands {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<StreamCommand>(&json).unwrap(), c);
        }
        let policies = [
            RetryPolicy::VisibilityTimeout,
            RetryPolicy::Immediate,
            RetryPolicy::Exponential {
                base: Millis(100),
                max: Millis::from_secs(10),
            },
            RetryPolicy::Tiers {
                delays: vec![Millis::from_secs(60), Millis::from_secs(300)],
            },
        ];
        for p in policies {
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(serde_json::from_str::<RetryPolicy>(&json).unwrap(), p);
        }
    }

    #[test]
    fn a_stream_command_or_retry_policy_with_a_field_of_another_is_named() {
        let err = serde_json::from_str::<StreamCommand>(
            r#"{"share": 1, "type": "seek", "group": 0, "to": "earliest"}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("field `share`, expected only the fields of `seek`"),
            "{err}"
        );
        let err = serde_json::from_str::<RetryPolicy>(r#"{"kind": "immediate", "max": "1s"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("field `max`, expected only the fields of `immediate`"),
            "{err}"
        );
        let err = serde_json::from_str::<RetryPolicy>(r#"{"kind": "tiers"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("no `delays`, expected the field `delays`"),
            "{err}"
        );
    }
}
