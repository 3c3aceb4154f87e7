//! Redis Streams with a consumer group: the same log idea as Kafka, but acknowledged entry by
//! entry. Entries delivered with `XREADGROUP … >` go into the group's pending entries list (PEL)
//! with their consumer and a delivery count; `XACK` removes them. A crashed consumer's entries
//! stay pending until someone claims them (`XAUTOCLAIM` with a minimum idle time), which bumps
//! the delivery count. There is no built-in DLQ: past a delivery count, the application adds the
//! entry to a dead stream and acknowledges it.

use std::collections::{BTreeMap, VecDeque};

use crate::kernel::agenda::Agenda;
use crate::kernel::rng::Rng;
use crate::Millis;

/// A stream entry id, `<ms>-<seq>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntryId {
    pub ms: u64,
    pub seq: u64,
}

impl std::fmt::Display for EntryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub id: EntryId,
    /// Fails every time it is processed (a poison entry).
    pub poison: bool,
}

impl Entry {
    /// The CloudEvent this entry carries. Redis Streams has no CloudEvents binding; the panel
    /// shows it stored structured, as one field of the entry.
    pub fn envelope(&self) -> crate::envelope::Envelope {
        use crate::envelope::{event_uuid, rfc3339, Envelope};
        let n = (self.id.ms << 20) | self.id.seq;
        let order = format!("ord-{}-{}", self.id.ms, self.id.seq);
        Envelope {
            specversion: "1.0".into(),
            id: event_uuid(0x5245_4449, n),
            source: "/pizza-shop/order-service".into(),
            ty: "com.example.pizzashop.order.placed.v1".into(),
            subject: order.clone(),
            time: rfc3339(Millis(self.id.ms)),
            datacontenttype: "application/json".into(),
            dataschema: "https://schemas.example.com/pizzashop/order-placed/v1.json".into(),
            data: if self.poison {
                serde_json::json!({ "order_id": order, "pizza": "pineapple", "quantity": "a dozen" })
            } else {
                serde_json::json!({ "order_id": order, "pizza": "margherita", "quantity": 1 })
            },
            traceparent: crate::trace::TraceIds::for_message(0x5245_4449, n).traceparent(),
            partitionkey: "orders".into(),
            sequence: None,
            replyto: None,
        }
    }
}

/// One pending entry: who has it, since when, and how often it was delivered.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub consumer: usize,
    pub delivered_at: Millis,
    pub deliveries: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Consumer {
    pub name: String,
    pub alive: bool,
    /// Entries read and not yet worked on.
    pub inbox: VecDeque<EntryId>,
    pub busy: Option<EntryId>,
    pub acked: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RedisConfig {
    pub seed: u64,
    /// Entries added per second (`XADD`).
    pub rate: f64,
    pub poison_share: f64,
    pub consumers: u32,
    /// `XREADGROUP … COUNT`.
    pub count: u32,
    pub processing: Millis,
    /// How often the janitor runs `XAUTOCLAIM`, and the `min-idle-time` it uses.
    pub claim_every: Millis,
    pub min_idle: Millis,
    /// Past this many deliveries an entry goes to the dead stream.
    pub max_deliveries: u32,
}

impl Default for RedisConfig {
    fn default() -> Self {
        RedisConfig {
            seed: 42,
            rate: 5.0,
            poison_share: 0.0,
            consumers: 2,
            count: 10,
            processing: Millis(150),
            claim_every: Millis::from_secs(5),
            min_idle: Millis::from_secs(10),
            max_deliveries: 3,
        }
    }
}

/// The stream is trimmed to about this many entries (`MAXLEN ~`), keeping memory bounded.
pub const MAXLEN: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Due {
    Add,
    Read(usize),
    Done(usize),
    Claim,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RedisCounts {
    pub added: u64,
    pub acked: u64,
    pub claimed: u64,
    pub dead: u64,
    pub failures: u64,
    /// Processed by a consumer after the janitor had already given it to another.
    pub duplicates: u64,
}

/// One stream (`orders`), one consumer group (`kitchen`), and a janitor that claims idle entries.
pub struct RedisStreamSim {
    pub config: RedisConfig,
    now: Millis,
    rng: Rng,
    agenda: Agenda<Due>,
    pub entries: VecDeque<Entry>,
    pub pel: BTreeMap<EntryId, Pending>,
    /// The group's `last-delivered-id`.
    pub last_delivered: Option<EntryId>,
    pub consumers: Vec<Consumer>,
    /// Ids moved to `orders:dead`, with their delivery count.
    pub dead_stream: Vec<(EntryId, u32)>,
    pub counts: RedisCounts,
    last_ms: Option<u64>,
    ms_seq: u64,
    /// Next add time in fractional milliseconds, so rates above 1,000/s keep their rate.
    due: f64,
}

impl RedisStreamSim {
    pub fn new(config: RedisConfig) -> RedisStreamSim {
        let mut sim = RedisStreamSim {
            now: Millis::ZERO,
            rng: Rng::stream(config.seed, "main"),
            agenda: Agenda::new(),
            entries: VecDeque::new(),
            pel: BTreeMap::new(),
            last_delivered: None,
            consumers: (0..config.consumers)
                .map(|i| Consumer {
                    name: format!("kitchen-{}", i + 1),
                    alive: true,
                    inbox: VecDeque::new(),
                    busy: None,
                    acked: 0,
                })
                .collect(),
            dead_stream: Vec::new(),
            counts: RedisCounts::default(),
            last_ms: None,
            ms_seq: 0,
            due: 0.0,
            config,
        };
        if sim.config.rate > 0.0 {
            sim.schedule(Millis::ZERO, Due::Add);
        }
        for c in 0..sim.consumers.len() {
            sim.schedule(Millis::ZERO, Due::Read(c));
        }
        sim.schedule(sim.config.claim_every, Due::Claim);
        sim
    }

    pub fn now(&self) -> Millis {
        self.now
    }

    fn schedule(&mut self, at: Millis, due: Due) {
        self.agenda.schedule(self.now, at, due);
    }

    pub fn advance_to(&mut self, t: Millis) {
        while let Some((at, due)) = self.agenda.pop_until(t) {
            self.now = at;
            match due {
                Due::Add => self.add(),
                Due::Read(c) => self.read(c),
                Due::Done(c) => self.done(c),
                Due::Claim => self.claim(),
            }
        }
        self.now = self.now.max(t);
    }

    /// Entries no consumer of the group has read yet (after `last-delivered-id`).
    pub fn undelivered(&self) -> u64 {
        (self.entries.len() - self.first_undelivered()) as u64
    }

    /// Index of the first entry after `last-delivered-id` (ids only grow, so a binary search).
    fn first_undelivered(&self) -> usize {
        match self.last_delivered {
            Some(last) => self.entries.partition_point(|e| e.id <= last),
            None => 0,
        }
    }

    pub fn entry(&self, id: EntryId) -> Option<&Entry> {
        self.entries
            .binary_search_by_key(&id, |e| e.id)
            .ok()
            .map(|i| &self.entries[i])
    }

    /// The consumer dies: what it read stays pending in the PEL under its name.
    pub fn crash(&mut self, consumer: usize) {
        if let Some(c) = self.consumers.get_mut(consumer) {
            c.alive = false;
            c.inbox.clear();
            c.busy = None;
        }
    }

    fn add(&mut self) {
        while self.due <= self.now.0 as f64 {
            let ms = self.now.0;
            if self.last_ms == Some(ms) {
                self.ms_seq += 1;
            } else {
                self.last_ms = Some(ms);
                self.ms_seq = 0;
            }
            let poison = self.rng.chance(self.config.poison_share);
            self.entries.push_back(Entry {
                id: EntryId {
                    ms,
                    seq: self.ms_seq,
                },
                poison,
            });
            self.counts.added += 1;
            self.due += 1000.0 / self.config.rate;
        }
        // XADD … MAXLEN ~ 10000: old entries go, except those still unread or pending.
        while self.entries.len() > MAXLEN {
            let head = self.entries[0].id;
            if self.pel.contains_key(&head) || self.last_delivered.is_none_or(|l| head > l) {
                break;
            }
            self.entries.pop_front();
        }
        self.schedule(Millis(self.due.ceil() as u64), Due::Add);
    }

    /// `XREADGROUP GROUP kitchen <consumer> COUNT n STREAMS orders >`: new entries only.
    fn read(&mut self, c: usize) {
        if !self.consumers[c].alive || self.consumers[c].busy.is_some() {
            return;
        }
        if self.consumers[c].inbox.is_empty() {
            let from = self.first_undelivered();
            let fresh: Vec<EntryId> = self
                .entries
                .range(from..)
                .take(self.config.count as usize)
                .map(|e| e.id)
                .collect();
            for id in &fresh {
                self.pel.insert(
                    *id,
                    Pending {
                        consumer: c,
                        delivered_at: self.now,
                        deliveries: 1,
                    },
                );
            }
            if let Some(last) = fresh.last() {
                self.last_delivered = Some(*last);
            }
            self.consumers[c].inbox.extend(fresh);
        }
        self.start(c);
    }

    fn start(&mut self, c: usize) {
        match self.consumers[c].inbox.pop_front() {
            Some(id) => {
                self.consumers[c].busy = Some(id);
                let at = self.now.saturating_add(self.config.processing);
                self.schedule(at, Due::Done(c));
            }
            // BLOCK 100: wait a little for new entries.
            None => self.schedule(self.now.saturating_add(Millis(100)), Due::Read(c)),
        }
    }

    fn done(&mut self, c: usize) {
        let Some(id) = self.consumers[c].busy.take() else {
            return;
        };
        if !self.consumers[c].alive {
            return;
        }
        let still_mine = self.pel.get(&id).is_some_and(|p| p.consumer == c);
        let poison = self.entry(id).is_some_and(|e| e.poison);
        if still_mine && !poison {
            // XACK
            self.pel.remove(&id);
            self.consumers[c].acked += 1;
            self.counts.acked += 1;
        } else if poison {
            // Failed: left pending, for the janitor to claim again later.
            self.counts.failures += 1;
        } else {
            // Claimed away while it waited here: the work was done twice.
            self.counts.duplicates += 1;
        }
        self.read(c);
    }

    /// The janitor: `XAUTOCLAIM orders kitchen <a live consumer> <min-idle> 0`. Entries past
    /// the delivery limit go to the dead stream and are acknowledged instead.
    fn claim(&mut self) {
        let live: Vec<usize> = (0..self.consumers.len())
            .filter(|&i| self.consumers[i].alive)
            .collect();
        let idle: Vec<EntryId> = self
            .pel
            .iter()
            .filter(|(id, p)| {
                self.now.0.saturating_sub(p.delivered_at.0) >= self.config.min_idle.0
                    && self.consumers[p.consumer].busy != Some(**id)
            })
            .map(|(id, _)| *id)
            .collect();
        for (n, id) in idle.into_iter().enumerate() {
            let deliveries = self.pel[&id].deliveries;
            if deliveries >= self.config.max_deliveries {
                self.pel.remove(&id);
                self.dead_stream.push((id, deliveries));
                self.counts.dead += 1;
                continue;
            }
            let Some(&to) = live.get(n % live.len().max(1)) else {
                continue;
            };
            let p = self.pel.get_mut(&id).expect("listed");
            p.consumer = to;
            p.deliveries += 1;
            p.delivered_at = self.now;
            self.counts.claimed += 1;
            self.consumers[to].inbox.push_back(id);
            if self.consumers[to].busy.is_none() {
                self.schedule(self.now, Due::Read(to));
            }
        }
        self.schedule(self.now.saturating_add(self.config.claim_every), Due::Claim);
    }
}
