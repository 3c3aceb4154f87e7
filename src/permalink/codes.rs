//! The short codes links give commands: the controls' (`h`) and the panels' (`pf`, `pq`,
//! `pl`, `px`, `pr`). Each code reads back as the command it was written from; a code that does
//! not read is None, and the caller names it in a notice.

use queue_engine::stream::{SeekTo, StreamCommand};
use queue_engine::{AckMode, BatchFailure, Command, Millis, Payload, TakeOutcome};

use crate::panels::PanelCommand;

/// A code's letter and its number: one formatting call for every such code.
fn tag(letter: &str, n: u64) -> String {
    format!("{letter}{n}")
}

/// The short code of a command the controls can give; None for commands links do not carry.
pub fn command_code(c: &Command) -> Option<String> {
    let on = |b: bool| u64::from(b);
    Some(match c {
        Command::Send {
            payload: Payload::Normal,
            group: None,
            producer: 0,
        } => "o".into(),
        Command::Send {
            payload: Payload::Poison,
            group: None,
            producer: 0,
        } => "p".into(),
        Command::Spike { factor, duration }
            if *factor == 10.0 && *duration == Millis::from_secs(30) =>
        {
            "s".into()
        }
        Command::SetOnline {
            consumer: None,
            online,
        } => tag("k", on(*online)),
        Command::ScaleConsumers { count } => tag("w", u64::from(*count)),
        Command::SetBatchFailure {
            mode: BatchFailure::WholeBatch,
        } => "bw".into(),
        Command::SetBatchFailure {
            mode: BatchFailure::ReportFailures,
        } => "bp".into(),
        Command::SetBatchFailure {
            mode: BatchFailure::StopAtFirst,
        } => "bs".into(),
        Command::SetBatchSize { size } => tag("z", u64::from(*size)),
        Command::SetMaxReceiveCount { count } => tag("d", u64::from(count.unwrap_or(0))),
        Command::SetVisibilityTimeout { timeout } if timeout.0 % 1000 == 0 => {
            tag("v", timeout.0 / 1000)
        }
        Command::SetExtendVisibility { on: b } => tag("e", on(*b)),
        Command::SetAck {
            mode: AckMode::AfterProcessing,
        } => "aa".into(),
        Command::SetAck {
            mode: AckMode::BeforeProcessing,
        } => "ab".into(),
        Command::SetIdempotent { on: b } => tag("i", on(*b)),
        Command::RedriveAll => "R".into(),
        Command::RedriveOne { message } => tag("r", *message),
        Command::Discard { message } => tag("x", *message),
        Command::FixPoison => "F".into(),
        _ => return None,
    })
}

pub(super) fn parse_code(code: &str) -> Option<Command> {
    let num = |s: &str| s.parse::<u64>().ok();
    let flag = |s: &str| match s {
        "0" => Some(false),
        "1" => Some(true),
        _ => None,
    };
    let (head, rest) = code.split_at(code.char_indices().nth(1).map_or(code.len(), |(i, _)| i));
    Some(match (head, rest) {
        ("o", "") => Command::Send {
            producer: 0,
            payload: Payload::Normal,
            group: None,
        },
        ("p", "") => Command::Send {
            producer: 0,
            payload: Payload::Poison,
            group: None,
        },
        ("s", "") => Command::Spike {
            factor: 10.0,
            duration: Millis::from_secs(30),
        },
        ("k", b) => Command::SetOnline {
            consumer: None,
            online: flag(b)?,
        },
        ("w", n) => Command::ScaleConsumers {
            count: u32::try_from(num(n)?).ok()?,
        },
        ("b", "w") => Command::SetBatchFailure {
            mode: BatchFailure::WholeBatch,
        },
        ("b", "p") => Command::SetBatchFailure {
            mode: BatchFailure::ReportFailures,
        },
        ("b", "s") => Command::SetBatchFailure {
            mode: BatchFailure::StopAtFirst,
        },
        ("z", n) => Command::SetBatchSize {
            size: u32::try_from(num(n)?).ok()?,
        },
        ("d", n) => {
            let n = u32::try_from(num(n)?).ok()?;
            Command::SetMaxReceiveCount {
                count: (n > 0).then_some(n),
            }
        }
        ("v", n) => Command::SetVisibilityTimeout {
            timeout: Millis::from_secs(num(n)?.min(43_200)),
        },
        ("e", b) => Command::SetExtendVisibility { on: flag(b)? },
        ("a", "a") => Command::SetAck {
            mode: AckMode::AfterProcessing,
        },
        ("a", "b") => Command::SetAck {
            mode: AckMode::BeforeProcessing,
        },
        ("i", b) => Command::SetIdempotent { on: flag(b)? },
        ("R", "") => Command::RedriveAll,
        ("r", n) => Command::RedriveOne { message: num(n)? },
        ("x", n) => Command::Discard { message: num(n)? },
        ("F", "") => Command::FixPoison,
        _ => return None,
    })
}

/// The short code of a command given in a panel. `A0` add a consumer to group 0, `D0` remove
/// one, `C0-1` crash group 0's consumer 1, `E1` / `L1` seek group 1 to the earliest / latest
/// offset, `H60` hot key on 60 % of records, `S3-0` take subscription 3 offline (`S3-1` back
/// online), `Porders:order.pizza` publish to an exchange with a routing key (both escaped with
/// [`escape`]), `T2-a` take the head of queue 2 and ack it (`r` reject, `q` requeue), `K1` crash
/// Redis consumer 1.
pub fn panel_code(c: &PanelCommand) -> String {
    match c {
        PanelCommand::Log(StreamCommand::AddConsumer { group }) => tag("A", *group as u64),
        PanelCommand::Log(StreamCommand::RemoveConsumer { group }) => tag("D", *group as u64),
        PanelCommand::Log(StreamCommand::CrashConsumer { group, consumer }) => {
            format!("C{group}-{consumer}")
        }
        PanelCommand::Log(StreamCommand::Seek { group, to }) => match to {
            SeekTo::Earliest => tag("E", *group as u64),
            SeekTo::Latest => tag("L", *group as u64),
        },
        PanelCommand::Log(StreamCommand::SetHotKey { share }) => {
            tag("H", (share * 100.0).round() as u64)
        }
        PanelCommand::Subscriber { sub, online } => format!("S{sub}-{}", u8::from(*online)),
        PanelCommand::Publish { exchange, key } => {
            format!("P{}:{}", escape(exchange), escape(key))
        }
        PanelCommand::Take { member, outcome } => format!(
            "T{member}-{}",
            match outcome {
                TakeOutcome::Ack => 'a',
                TakeOutcome::Reject => 'r',
                TakeOutcome::Requeue => 'q',
            }
        ),
        PanelCommand::Crash { consumer } => tag("K", *consumer as u64),
    }
}

/// Exchange names and routing keys in a link: letters, digits and `-_.*` as they are, any other
/// byte as `!` and two hex digits. It survives percent-decoding untouched and never contains the
/// separators `~` and `:`, so a key like `order.#` or `a~b` comes back as given.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.*".contains(&b) {
            out.push(b as char);
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.extend([
                '!',
                HEX[usize::from(b >> 4)] as char,
                HEX[usize::from(b & 15)] as char,
            ]);
        }
    }
    out
}

/// [`escape`] undone; None past 255 bytes (AMQP's short string). A broken escape is kept as
/// written, as in the rest of the query.
fn unescape(s: &str) -> Option<String> {
    Some(super::unescape_with(s, b'!', false)).filter(|s| s.len() <= 255)
}

pub(super) fn parse_panel_code(code: &str) -> Option<PanelCommand> {
    let (head, rest) = code.split_at(code.char_indices().nth(1).map_or(code.len(), |(i, _)| i));
    let num = |s: &str| s.parse::<usize>().ok().filter(|n| *n < 1000);
    let pair = |s: &str| {
        s.split_once('-')
            .and_then(|(a, b)| Some((num(a)?, num(b)?)))
    };
    Some(match head {
        "A" => PanelCommand::Log(StreamCommand::AddConsumer { group: num(rest)? }),
        "D" => PanelCommand::Log(StreamCommand::RemoveConsumer { group: num(rest)? }),
        "C" => {
            let (group, consumer) = pair(rest)?;
            PanelCommand::Log(StreamCommand::CrashConsumer { group, consumer })
        }
        "E" | "L" => PanelCommand::Log(StreamCommand::Seek {
            group: num(rest)?,
            to: if head == "E" {
                SeekTo::Earliest
            } else {
                SeekTo::Latest
            },
        }),
        "H" => PanelCommand::Log(StreamCommand::SetHotKey {
            share: num(rest).filter(|p| *p <= 100)? as f64 / 100.0,
        }),
        "S" => {
            let (sub, online) = pair(rest)?;
            PanelCommand::Subscriber {
                sub,
                online: match online {
                    0 => false,
                    1 => true,
                    _ => return None,
                },
            }
        }
        "P" => {
            let (exchange, key) = rest.split_once(':')?;
            PanelCommand::Publish {
                exchange: unescape(exchange)?,
                key: unescape(key)?,
            }
        }
        "T" => {
            let (member, outcome) = rest.split_once('-')?;
            PanelCommand::Take {
                member: u16::try_from(num(member)?).ok()?,
                outcome: match outcome {
                    "a" => TakeOutcome::Ack,
                    "r" => TakeOutcome::Reject,
                    "q" => TakeOutcome::Requeue,
                    _ => return None,
                },
            }
        }
        "K" => PanelCommand::Crash {
            consumer: num(rest)?,
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_routing_key_past_255_bytes_is_refused() {
        let key = "k".repeat(256);
        assert_eq!(unescape(&key), None);
        assert_eq!(unescape(&key[1..]).as_deref(), Some(&key[1..]));
    }
}
