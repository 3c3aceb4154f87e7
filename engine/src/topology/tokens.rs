//! The plan's short written forms. The page reads every built-in system as a plan, and serde's
//! derived reader for each nested object or tagged enum costs it kilobytes of wasm, where a
//! string and a list of strings have readers already. So three parts of a plan are written as
//! strings:
//! - a command's [`Target`]: `world`, `p0` (a producer), `m2` (a member), `g1.0` (a log's group);
//! - a member's node names ([`MemberNodes`]): its queue's name, then `key=name` for each other
//!   node it has (`dlq=orders-dlq`, `group=kitchen`);
//! - the routers ([`routers`]).
//!
//! # Contract
//! - Each form reads back exactly what was written.
//! - Anything that names no target or node is refused with a message naming what was
//!   expected and what was given. (Numbers are read as Rust reads them, so `m01` is `m1`.)

use serde::de::Error;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::plan::MemberNodes;

/// What a timed command acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The whole world (a traffic spike).
    World,
    Producer(u32),
    Member(u16),
    /// A consumer group of a log: the log's index among the world's logs, and the group's.
    Group {
        log: u16,
        group: u16,
    },
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::World => f.write_str("world"),
            Target::Producer(p) => write!(f, "p{p}"),
            Target::Member(m) => write!(f, "m{m}"),
            Target::Group { log, group } => write!(f, "g{log}.{group}"),
        }
    }
}

impl std::str::FromStr for Target {
    type Err = String;

    /// The form [`Target`]'s `Display` writes.
    fn from_str(text: &str) -> Result<Target, String> {
        let target = match text.split_at_checked(1) {
            _ if text == "world" => Some(Target::World),
            Some(("p", rest)) => rest.parse().ok().map(Target::Producer),
            Some(("m", rest)) => rest.parse().ok().map(Target::Member),
            Some(("g", rest)) => rest.split_once('.').and_then(|(l, g)| {
                Some(Target::Group {
                    log: l.parse().ok()?,
                    group: g.parse().ok()?,
                })
            }),
            _ => None,
        };
        target.ok_or_else(|| format!("target: expected world, pN, mN or gL.G; got {text:?}"))
    }
}

impl Serialize for Target {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Target, D::Error> {
        String::deserialize(d)?.parse().map_err(D::Error::custom)
    }
}

impl Serialize for MemberNodes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut out = vec![self.queue.clone()];
        let one = [
            ("dlq", &self.dlq),
            ("consumer", &self.consumer),
            ("store", &self.store),
            ("replies", &self.replies),
            ("dlx", &self.dlx),
        ];
        out.extend(
            one.iter()
                .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}"))),
        );
        out.extend(self.groups.iter().map(|g| format!("group={g}")));
        out.serialize(s)
    }
}

impl<'de> Deserialize<'de> for MemberNodes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MemberNodes, D::Error> {
        let mut tokens = Vec::<String>::deserialize(d)?.into_iter();
        let queue = tokens
            .next()
            .ok_or_else(|| D::Error::custom("nodes: expected the queue's name first; got []"))?;
        let mut nodes = MemberNodes::of_queue(queue);
        for token in tokens {
            let refused = || {
                D::Error::custom(format!(
                    "nodes: expected dlq=, consumer=, store=, replies=, dlx= or group= and a name; got {token:?}"
                ))
            };
            let (key, name) = token.split_once('=').ok_or_else(refused)?;
            let slot = match key {
                "dlq" => &mut nodes.dlq,
                "consumer" => &mut nodes.consumer,
                "store" => &mut nodes.store,
                "replies" => &mut nodes.replies,
                "dlx" => &mut nodes.dlx,
                "group" => {
                    nodes.groups.push(name.to_owned());
                    continue;
                }
                _ => return Err(refused()),
            };
            *slot = Some(name.to_owned());
        }
        Ok(nodes)
    }
}

/// The routers written as one flat list of strings, not as nested objects: the page reads
/// every plan, and serde's derived readers for the nested form (a list of routers, lists of
/// tuples, the router kind) cost it about 2 kB of gzip, where a list of strings has a reader
/// already. Each router is `@`, its name, its kind's id, `1` for a dead-letter exchange (else
/// `0`), then `b` and a member or `p` and a producer, each followed by its key: `=` and the key,
/// or `-` for none.
pub(super) mod routers {
    use crate::topology::plan::PlannedRouter;
    use crate::topology::RouterType;
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(routers: &[PlannedRouter], s: S) -> Result<S::Ok, S::Error> {
        let mut out: Vec<String> = Vec::new();
        let key = |k: &Option<String>| k.as_ref().map_or("-".to_owned(), |k| format!("={k}"));
        for r in routers {
            out.extend(["@".into(), r.name.clone(), r.kind.id().into()]);
            out.push(if r.dead_letter { "1" } else { "0" }.into());
            for (tag, list) in [("b", &r.binds), ("p", &r.publishers)] {
                for (k, i) in list {
                    out.extend([tag.to_owned(), i.to_string(), key(k)]);
                }
            }
        }
        out.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<PlannedRouter>, D::Error> {
        let tokens = Vec::<String>::deserialize(d)?;
        parse(tokens).ok_or_else(|| D::Error::custom("routers: not a list of router tokens"))
    }

    fn parse(tokens: Vec<String>) -> Option<Vec<PlannedRouter>> {
        let mut routers: Vec<PlannedRouter> = Vec::new();
        let mut t = tokens.into_iter();
        while let Some(tag) = t.next() {
            if tag == "@" {
                let name = t.next()?;
                let kind = RouterType::from_id(&t.next()?)?;
                let dead_letter = t.next()? == "1";
                routers.push(PlannedRouter {
                    name,
                    kind,
                    binds: Vec::new(),
                    publishers: Vec::new(),
                    dead_letter,
                });
                continue;
            }
            let index: u16 = t.next()?.parse().ok()?;
            let key = t.next()?;
            let key = match key.strip_prefix('=') {
                Some(k) => Some(k.to_owned()),
                None if key == "-" => None,
                None => return None,
            };
            let router = routers.last_mut()?;
            match tag.as_str() {
                "b" => router.binds.push((key, index)),
                "p" => router.publishers.push((key, index)),
                _ => return None,
            }
        }
        Some(routers)
    }
}

#[cfg(test)]
mod tests {
    use super::{MemberNodes, Target};

    #[test]
    fn every_target_reads_back_as_written() {
        for t in [
            Target::World,
            Target::Producer(0),
            Target::Producer(u32::MAX),
            Target::Member(7),
            Target::Group { log: 1, group: 0 },
        ] {
            let json = serde_json::to_string(&t).expect("writes");
            assert_eq!(
                serde_json::from_str::<Target>(&json).expect("reads"),
                t,
                "{json}"
            );
        }
        assert_eq!(Target::Member(2).to_string(), "m2");
    }

    #[test]
    fn anything_else_is_refused_with_what_was_expected_and_given() {
        for bad in [
            "", "w", "m", "m-1", "m70000", "g1", "g1.", "x3", "p 1", "{}",
        ] {
            let err = bad.parse::<Target>().expect_err(bad);
            assert!(err.contains("expected world, pN, mN or gL.G"), "{err}");
            assert!(err.contains(&format!("{bad:?}")), "{err}");
        }
        let err = serde_json::from_str::<Target>(r#"{"Member":2}"#).expect_err("the old form");
        assert!(err.to_string().contains("expected a string"), "{err}");
    }

    #[test]
    fn node_names_read_back_as_written_and_odd_ones_are_refused() {
        let full = MemberNodes {
            queue: "orders".into(),
            dlq: Some("orders-dlq".into()),
            consumer: Some("kitchen".into()),
            store: Some("db".into()),
            replies: Some("replies".into()),
            groups: vec!["a=b".into(), "c".into()],
            dlx: Some("dlx".into()),
        };
        let bare = MemberNodes::of_queue("q".into());
        for nodes in [full, bare] {
            let json = serde_json::to_string(&nodes).expect("writes");
            let back: MemberNodes = serde_json::from_str(&json).expect("reads");
            assert_eq!(back, nodes, "{json}");
        }
        for bad in [r#"[]"#, r#"["q", "owner=x"]"#, r#"["q", "dlq"]"#] {
            let err = serde_json::from_str::<MemberNodes>(bad)
                .expect_err(bad)
                .to_string();
            assert!(err.contains("nodes: expected"), "{err}");
        }
    }
}
