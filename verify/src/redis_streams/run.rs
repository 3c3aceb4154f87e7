//! The broker side of a Redis Streams verification: the plan's entries appended on a real
//! Redis, a consumer group that behaves as the engine's, and each entry's fate read back from
//! Redis itself (its pending list, delivery counts and the dead stream).
//!
//! # Contract
//! - Every key the run makes (`qsim-<pid>-<time>-<stream>` and its `:dead` stream; the group
//!   lives inside the stream) is deleted when the run ends, whether it succeeded or not.
//! - Threads: the caller appends on schedule; one thread per consumer reads, processes and
//!   acknowledges; one janitor dead-letters and claims. They share only the stop flag, the
//!   per-entry observations and one channel per consumer for the entries claimed for it.
//! - An entry still being processed when the window closes is left unanswered, as the
//!   engine's in-flight entry at `until` is.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use queue_engine::Millis;
use redis::{Connection, Value};

use super::{RedisPlan, DEAD_REASON};
use crate::compare::{Death, Facts};
use crate::plan::payload_name;
use crate::Error;

/// How long a consumer's `XREADGROUP` blocks before it looks at its claimed entries and the
/// stop flag again.
const BLOCK_MS: u64 = 20;

/// One entry as a consumer got it: Redis's id, the plan's message id, and whether it fails.
type Delivery = (String, u64, bool);

#[derive(Default)]
struct Seen {
    /// The highest delivery count Redis reported while the entry was being processed.
    delivered: u32,
    processed: u32,
    acked: bool,
}

struct Shared {
    stop: AtomicBool,
    seen: Mutex<BTreeMap<u64, Seen>>,
    /// Every appended entry: its Redis id (as `(ms, seq)`) and the plan's message id.
    appended: Mutex<BTreeMap<(u64, u64), u64>>,
    /// Entries `XAUTOCLAIM` reported deleted (trimmed while pending) and dropped.
    deleted: Mutex<Vec<u64>>,
    /// Per consumer: the message ids it has read and not yet answered.
    holding: Mutex<Vec<Vec<u64>>>,
    /// Per consumer: crashed (it stops at once, answering nothing more).
    crashed: Vec<AtomicBool>,
}

impl Shared {
    fn crashed(&self, i: u32) -> bool {
        self.crashed[i as usize].load(Ordering::SeqCst)
    }

    fn msg(&self, id: &str) -> Option<u64> {
        let appended = self.appended.lock().expect("no thread panics holding it");
        appended.get(&parse_id(id)?).copied()
    }
}

/// A stream id `<ms>-<seq>`, as numbers, so ids compare in stream order.
fn parse_id(id: &str) -> Option<(u64, u64)> {
    let (ms, seq) = id.split_once('-')?;
    Some((ms.parse().ok()?, seq.parse().ok()?))
}

/// Deletes the run's keys when dropped, so an error never leaves them behind.
struct Keys {
    client: redis::Client,
    names: Vec<String>,
}

impl Drop for Keys {
    fn drop(&mut self) {
        if let Ok(mut c) = self.client.get_connection() {
            let _: Result<i64, _> = redis::cmd("DEL").arg(&self.names).query(&mut c);
        }
    }
}

fn broker(url: &str) -> impl Fn(redis::RedisError) -> Error + '_ {
    move |e| Error::Broker(format!("Redis at {url}: {e}"))
}

fn text(v: &Value) -> String {
    match v {
        Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
        Value::SimpleString(s) => s.clone(),
        Value::Int(n) => n.to_string(),
        _ => String::new(),
    }
}

fn items(v: &Value) -> &[Value] {
    match v {
        Value::Array(a) => a,
        _ => &[],
    }
}

/// The value of field `name` in an entry's flat field/value list.
fn field(v: &Value, name: &str) -> String {
    items(v)
        .chunks(2)
        .find(|kv| kv.len() == 2 && text(&kv[0]) == name)
        .map(|kv| text(&kv[1]))
        .unwrap_or_default()
}

/// An entry's `msg` and whether its `payload` is poison.
fn fields(v: &Value) -> (u64, bool) {
    (
        field(v, "msg").parse().unwrap_or(0),
        field(v, "payload") == "poison",
    )
}

/// `XPENDING key group [IDLE ms] start end count`: (id, delivery count) of each entry.
fn pending(
    c: &mut Connection,
    key: &str,
    group: &str,
    idle: Option<u64>,
    range: (&str, &str),
) -> redis::RedisResult<Vec<(String, u32)>> {
    let mut cmd = redis::cmd("XPENDING");
    cmd.arg(key).arg(group);
    if let Some(ms) = idle {
        cmd.arg("IDLE").arg(ms);
    }
    let v: Value = cmd.arg(range.0).arg(range.1).arg(10_000).query(c)?;
    Ok(items(&v)
        .iter()
        .map(|p| {
            let p = items(p);
            let count = p.get(3).map(text).and_then(|s| s.parse().ok()).unwrap_or(0);
            (p.first().map(text).unwrap_or_default(), count)
        })
        .collect())
}

/// Replays the plan on the Redis at `url` and reports what happened to each entry.
pub fn run(plan: &RedisPlan, url: &str) -> Result<BTreeMap<u64, Facts>, Error> {
    if !url.starts_with("redis://") {
        return Err(Error::File(format!(
            "--broker {url}: expected redis://127.0.0.1:PORT (no TLS: verify runs against a \
             local Redis)"
        )));
    }
    let client = redis::Client::open(url)
        .map_err(|e| Error::File(format!("--broker {url}: not a Redis URL: {e}")))?;
    let mut conn = client
        .get_connection_with_timeout(Duration::from_secs(3))
        .map_err(|e| {
            Error::Broker(format!(
                "cannot reach Redis at {url}: {e}. Start one with `redis-server --port PORT` \
                 (Debian: apt-get install redis-server), or run `cargo xtask verify`"
            ))
        })?;
    let err = broker(url);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let key = format!("qsim-{}-{now}-{}", std::process::id(), plan.stream);
    let dead = format!("{key}:dead");
    let _keys = Keys {
        client: client.clone(),
        names: vec![key.clone(), dead.clone()],
    };
    let group = plan.group.as_str();
    if !group.is_empty() {
        redis::cmd("XGROUP")
            .arg(&["CREATE", &key, group, "0", "MKSTREAM"][..])
            .query::<()>(&mut conn)
            .map_err(&err)?;
    }
    let shared = Arc::new(Shared {
        stop: AtomicBool::new(false),
        seen: Mutex::new(BTreeMap::new()),
        appended: Mutex::new(BTreeMap::new()),
        deleted: Mutex::new(Vec::new()),
        holding: Mutex::new(vec![Vec::new(); plan.config.consumers as usize]),
        crashed: (0..plan.config.consumers)
            .map(|_| AtomicBool::new(false))
            .collect(),
    });
    let start = Instant::now();
    let deadline = start + plan.wall(plan.until);
    let consumers = if group.is_empty() {
        0
    } else {
        plan.config.consumers
    };
    // Every connection first: a failure then returns before any thread runs.
    let mut conns = (0..consumers + u32::from(consumers > 0))
        .map(|_| client.get_connection())
        .collect::<Result<Vec<_>, _>>()
        .map_err(&err)?;
    let mut inboxes = Vec::new();
    let mut workers = Vec::new();
    for i in 0..consumers {
        let (tx, rx) = channel::<Delivery>();
        inboxes.push(tx);
        let mut c = conns.pop().expect("one connection per consumer");
        let (shared, key, group) = (shared.clone(), key.clone(), group.to_owned());
        let (count, processing) = (plan.config.count, plan.wall(plan.config.processing));
        workers.push(std::thread::spawn(move || {
            consume(&mut c, &shared, &key, &group, i, count, processing, &rx)
        }));
    }
    if let Some(mut c) = conns.pop() {
        let (shared, key, dead, group) =
            (shared.clone(), key.clone(), dead.clone(), group.to_owned());
        let every = plan.wall(plan.config.claim_every);
        let min_idle = plan.wall(plan.config.min_idle).as_millis() as u64;
        let limit = plan.config.max_deliveries;
        workers.push(std::thread::spawn(move || {
            janitor(
                &mut c, &shared, &key, &dead, &group, every, min_idle, limit, &inboxes,
            )
        }));
    }
    let appended = replay(&mut conn, plan, &shared, &key, start);
    if appended.is_ok() && plan.settles() {
        // Nothing can change once Redis has settled as many entries as the engine did.
        while Instant::now() < deadline
            && settled(&mut conn, &shared, &key, &dead) < plan.expected.len()
        {
            std::thread::sleep(Duration::from_millis(20));
        }
    } else if appended.is_ok() {
        std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
    }
    shared.stop.store(true, Ordering::SeqCst);
    let mut failed = appended.err();
    for w in workers {
        match w.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => failed = failed.or(Some(e)),
            Err(_) => failed = failed.or(Some(Error::Broker("a consumer thread panicked".into()))),
        }
    }
    if let Some(e) = failed {
        return Err(e);
    }
    facts(&mut conn, plan, &shared, &key, &dead).map_err(&err)
}

/// `XADD … MAXLEN = <max_len>` of every planned entry at its (scaled) time, and the crashes
/// at theirs (after the entries of the same moment). The engine trims exactly, so the run
/// asks Redis for exact trimming too (`~` would keep whole nodes).
fn replay(
    conn: &mut Connection,
    plan: &RedisPlan,
    shared: &Shared,
    key: &str,
    start: Instant,
) -> Result<(), Error> {
    let mut crashes = plan.crashes.iter().peekable();
    for p in plan.publishes.iter().map(Some).chain([None]) {
        let next = p.map_or(Millis::MAX, |p| p.at);
        while let Some(c) = crashes.next_if(|c| c.at < next) {
            std::thread::sleep((start + plan.wall(c.at)).saturating_duration_since(Instant::now()));
            crash(shared, c)?;
        }
        let Some(p) = p else { break };
        std::thread::sleep((start + plan.wall(p.at)).saturating_duration_since(Instant::now()));
        let id: String = redis::cmd("XADD")
            .arg(&[key, "MAXLEN", "="][..])
            .arg(plan.config.max_len)
            .arg("*")
            .arg("msg")
            .arg(p.id)
            .arg("payload")
            .arg(payload_name(p.payload))
            .query(conn)
            .map_err(|e| Error::Broker(format!("XADD: {e}")))?;
        if let Some(id) = parse_id(&id) {
            let mut appended = shared.appended.lock().expect("no thread panics holding it");
            appended.insert(id, p.id);
        }
    }
    Ok(())
}

/// Crashes the consumer holding what the engine's crashed consumer held (see
/// [`super::Crash`]), or, when that held nothing, the one with the same index.
fn crash(shared: &Shared, c: &super::Crash) -> Result<(), Error> {
    let holding = shared.holding.lock().expect("no thread panics holding it");
    let who = if c.held.is_empty() {
        Some(c.consumer as usize)
    } else {
        holding
            .iter()
            .position(|h| h.iter().any(|m| c.held.contains(m)))
    };
    let Some(who) = who.filter(|&w| w < shared.crashed.len()) else {
        return Err(Error::Broker(format!(
            "at {} the engine's consumer {} crashed holding messages {:?}, but no consumer on \
             Redis held any of them (the machine may be too slow for this scenario's time scale)",
            c.at, c.consumer, c.held
        )));
    };
    shared.crashed[who].store(true, Ordering::SeqCst);
    Ok(())
}

/// The first id still in the stream (entries before it were trimmed), if any is left.
fn first_kept(conn: &mut Connection, key: &str) -> redis::RedisResult<Option<(u64, u64)>> {
    let v: Value = redis::cmd("XRANGE")
        .arg(&[key, "-", "+", "COUNT", "1"][..])
        .query(conn)?;
    Ok(items(&v)
        .first()
        .and_then(|e| items(e).first())
        .and_then(|id| parse_id(&text(id))))
}

/// Appended entries that were trimmed before any consumer saw them.
fn trimmed_unread(shared: &Shared, first_kept: Option<(u64, u64)>) -> Vec<u64> {
    let seen = shared.seen.lock().expect("no thread panics holding it");
    let appended = shared.appended.lock().expect("no thread panics holding it");
    appended
        .iter()
        .filter(|(id, msg)| first_kept.is_none_or(|f| **id < f) && !seen.contains_key(msg))
        .map(|(_, msg)| *msg)
        .collect()
}

/// Entries that reached a place nothing changes after (see [`super::SETTLED`]).
fn settled(conn: &mut Connection, shared: &Shared, key: &str, dead: &str) -> usize {
    let acked = shared
        .seen
        .lock()
        .map_or(0, |s| s.values().filter(|s| s.acked).count());
    let dead: usize = redis::cmd("XLEN").arg(dead).query(conn).unwrap_or(0);
    let deleted = shared.deleted.lock().map_or(0, |d| d.len());
    let trimmed = first_kept(conn, key).map_or(0, |f| trimmed_unread(shared, f).len());
    acked + dead + deleted + trimmed
}

/// One consumer of the group: the entries the janitor claimed for it first, else new ones.
#[allow(clippy::too_many_arguments)]
fn consume(
    c: &mut Connection,
    shared: &Shared,
    key: &str,
    group: &str,
    i: u32,
    count: u32,
    processing: Duration,
    claimed: &Receiver<Delivery>,
) -> Result<(), Error> {
    let me = format!("{group}-{}", i + 1);
    let err = |e: redis::RedisError| Error::Broker(format!("{me}: {e}"));
    while !shared.stop.load(Ordering::SeqCst) && !shared.crashed(i) {
        let mut batch: Vec<Delivery> = claimed.try_iter().collect();
        if batch.is_empty() {
            let v: Value = redis::cmd("XREADGROUP")
                .arg(&["GROUP", group, &me, "COUNT"][..])
                .arg(count)
                .arg("BLOCK")
                .arg(BLOCK_MS)
                .arg(&["STREAMS", key, ">"][..])
                .query(c)
                .map_err(err)?;
            // [[key, [[id, [field, value, …]], …]]]
            for stream in items(&v) {
                for entry in items(items(stream).get(1).unwrap_or(&Value::Nil)) {
                    let e = items(entry);
                    let (msg, poison) = fields(e.get(1).unwrap_or(&Value::Nil));
                    batch.push((e.first().map(text).unwrap_or_default(), msg, poison));
                }
            }
        }
        if let Ok(mut h) = shared.holding.lock() {
            h[i as usize].extend(batch.iter().map(|d| d.1));
        }
        for (id, msg, poison) in batch {
            if shared.stop.load(Ordering::SeqCst) || shared.crashed(i) {
                break;
            }
            let count = pending(c, key, group, None, (&id, &id))
                .map_err(err)?
                .first()
                .map_or(0, |p| p.1);
            std::thread::sleep(processing);
            if shared.stop.load(Ordering::SeqCst) || shared.crashed(i) {
                break;
            }
            // A failed (poison) entry is left pending, for the janitor.
            let acked = !poison
                && redis::cmd("XACK")
                    .arg(&[key, group, &id][..])
                    .query::<i64>(c)
                    .map_err(err)?
                    == 1;
            if let Ok(mut h) = shared.holding.lock() {
                h[i as usize].retain(|&m| m != msg);
            }
            let mut seen = shared.seen.lock().expect("no thread panics holding it");
            let s = seen.entry(msg).or_default();
            s.delivered = s.delivered.max(count);
            s.processed += u32::from(!poison);
            s.acked |= acked;
        }
    }
    Ok(())
}

/// Every `every`: entries idle for `min_idle` that reached the delivery limit go to the dead
/// stream; the others are claimed with `XAUTOCLAIM`, one at a time, for the consumers in turn.
#[allow(clippy::too_many_arguments)]
fn janitor(
    c: &mut Connection,
    shared: &Shared,
    key: &str,
    dead: &str,
    group: &str,
    every: Duration,
    min_idle: u64,
    limit: u32,
    inboxes: &[Sender<Delivery>],
) -> Result<(), Error> {
    let err = |e: redis::RedisError| Error::Broker(format!("janitor: {e}"));
    let mut next = Instant::now() + every;
    while !shared.stop.load(Ordering::SeqCst) {
        std::thread::sleep(
            next.saturating_duration_since(Instant::now())
                .min(Duration::from_millis(BLOCK_MS)),
        );
        if Instant::now() < next {
            continue;
        }
        next += every;
        for (id, count) in pending(c, key, group, Some(min_idle), ("-", "+")).map_err(err)? {
            if count < limit {
                continue;
            }
            let v: Value = redis::cmd("XRANGE")
                .arg(&[key, &id, &id][..])
                .query(c)
                .map_err(err)?;
            let Some(entry) = items(&v).first() else {
                // Trimmed while pending: XAUTOCLAIM below reports it deleted, as the engine's
                // janitor does before it looks at the count.
                continue;
            };
            let (msg, _) = fields(items(entry).get(1).unwrap_or(&Value::Nil));
            redis::cmd("XADD")
                .arg(&[dead, "*", "msg"][..])
                .arg(msg)
                .arg("deliveries")
                .arg(count)
                .arg(&["reason", DEAD_REASON][..])
                .query::<String>(c)
                .map_err(err)?;
            redis::cmd("XACK")
                .arg(&[key, group, &id][..])
                .query::<i64>(c)
                .map_err(err)?;
        }
        let live: Vec<usize> = (0..inboxes.len())
            .filter(|&i| !shared.crashed(i as u32))
            .collect();
        for n in 0.. {
            // With nobody alive nothing is claimed; the dead-lettering above still runs.
            let Some(&to) = live.get(n % live.len().max(1)) else {
                break;
            };
            let me = format!("{group}-{}", to + 1);
            // [next-start, [[id, fields]], [deleted ids]]
            let v: Value = redis::cmd("XAUTOCLAIM")
                .arg(&[key, group, &me][..])
                .arg(min_idle)
                .arg(&["0-0", "COUNT", "1"][..])
                .query(c)
                .map_err(err)?;
            for id in items(items(&v).get(2).unwrap_or(&Value::Nil)) {
                if let Some(msg) = shared.msg(&text(id)) {
                    shared
                        .deleted
                        .lock()
                        .expect("no thread panics holding it")
                        .push(msg);
                }
            }
            let Some(entry) = items(items(&v).get(1).unwrap_or(&Value::Nil)).first() else {
                if items(items(&v).get(2).unwrap_or(&Value::Nil)).is_empty() {
                    break;
                }
                continue;
            };
            let e = items(entry);
            let (msg, poison) = fields(e.get(1).unwrap_or(&Value::Nil));
            let _ = inboxes[to].send((e.first().map(text).unwrap_or_default(), msg, poison));
        }
    }
    Ok(())
}

/// Each entry's fate, from Redis: the dead stream, the pending list, and what the consumers
/// acknowledged.
fn facts(
    c: &mut Connection,
    plan: &RedisPlan,
    shared: &Shared,
    key: &str,
    dead: &str,
) -> redis::RedisResult<BTreeMap<u64, Facts>> {
    let still: BTreeMap<u64, u32> = if plan.group.is_empty() {
        BTreeMap::new()
    } else {
        pending(c, key, &plan.group, None, ("-", "+"))?
            .into_iter()
            .filter_map(|(id, n)| Some((shared.msg(&id)?, n)))
            .collect()
    };
    let trimmed = trimmed_unread(shared, first_kept(c, key)?);
    let deleted = shared
        .deleted
        .lock()
        .expect("the threads have ended")
        .clone();
    let dead_entries: Value = redis::cmd("XRANGE").arg(&[dead, "-", "+"][..]).query(c)?;
    let mut died: BTreeMap<u64, Death> = BTreeMap::new();
    for e in items(&dead_entries) {
        let f = items(e).get(1).unwrap_or(&Value::Nil);
        died.insert(
            field(f, "msg").parse().unwrap_or(0),
            Death {
                reason: field(f, "reason"),
                count: field(f, "deliveries").parse().unwrap_or(0),
            },
        );
    }
    let seen = shared.seen.lock().expect("the threads have ended");
    let mut out = BTreeMap::new();
    for p in &plan.publishes {
        let s = seen.get(&p.id);
        let processed = s.map_or(0, |s| s.processed);
        let (place, delivered, death) = if let Some(d) = died.remove(&p.id) {
            ("dead_lettered", d.count as u32, Some(d))
        } else if deleted.contains(&p.id) {
            ("trimmed_pending", s.map_or(0, |s| s.delivered), None)
        } else if let Some(&n) = still.get(&p.id) {
            ("pending", n, None)
        } else if s.is_some_and(|s| s.acked) {
            ("processed", s.map_or(0, |s| s.delivered), None)
        } else if trimmed.contains(&p.id) {
            ("trimmed", 0, None)
        } else {
            ("queued", 0, None)
        };
        out.insert(
            p.id,
            Facts {
                delivered,
                processed,
                place: place.into(),
                order: None,
                death,
            },
        );
    }
    Ok(out)
}
