//! Redis Streams with a consumer group: the same log idea as Kafka, but acknowledged entry by
//! entry. Entries delivered with `XREADGROUP … >` go into the group's pending entries list (PEL)
//! with their consumer and a delivery count; `XACK` removes them. A crashed consumer's entries
//! stay pending until someone claims them (`XAUTOCLAIM` with a minimum idle time), which bumps
//! the delivery count. There is no built-in DLQ: past a delivery count, the application adds the
//! entry to a dead stream and acknowledges it.

use std::collections::VecDeque;

use crate::kernel::sorted::SortedMap;

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
    /// Its place in the stream, counting from 0 (the `offset` of its events in a world).
    pub n: u64,
    /// Its CloudEvents id (every copy of a message keeps it).
    pub event: u64,
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
                crate::envelope::poison_order(&order)
            } else {
                use serde_json::Value;
                crate::envelope::obj(vec![
                    ("order_id", Value::from(order.as_str())),
                    ("pizza", Value::from("margherita")),
                    ("quantity", Value::from(1)),
                ])
            },
            traceparent: crate::trace::TraceIds::for_message(0x5245_4449, n).traceparent(),
            partitionkey: "orders".into(),
            sequence: None,
            replyto: None,
            dataref: None,
        }
    }
}

/// One pending entry: who has it, since when, and how often it was delivered.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    /// The owner's index (u16 keeps a pending record, the list's value, at 24 bytes in wasm).
    pub consumer: u16,
    pub delivered_at: Millis,
    pub deliveries: u32,
    /// The entry's place in the stream: it stays pending after `MAXLEN` trims its data.
    pub n: u64,
    /// Whether it fails, as the consumer's copy says: a consumer works on what
    /// `XREADGROUP` returned, even once `MAXLEN` has trimmed the stream's own copy.
    pub poison: bool,
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

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RedisConfig {
    pub seed: u64,
    pub consumers: u32,
    /// `XREADGROUP … COUNT`.
    pub count: u32,
    pub processing: Millis,
    /// How often the janitor runs `XAUTOCLAIM`, and the `min-idle-time` it uses.
    pub claim_every: Millis,
    pub min_idle: Millis,
    /// Past this many deliveries an entry goes to the dead stream.
    pub max_deliveries: u32,
    /// `XADD … MAXLEN`: entries kept, read or not.
    pub max_len: u32,
}

impl Default for RedisConfig {
    fn default() -> Self {
        RedisConfig {
            seed: 42,
            consumers: 2,
            count: 10,
            processing: Millis(150),
            claim_every: Millis::from_secs(5),
            min_idle: Millis::from_secs(10),
            max_deliveries: 3,
            max_len: MAXLEN,
        }
    }
}

/// The stream is trimmed to this many entries (`MAXLEN`) unless a scenario says otherwise,
/// keeping memory bounded.
pub const MAXLEN: u32 = 10_000;

/// A timer of the stream; as a world's member it sits on the world's agenda.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Due {
    Read(u32),
    Done(u32),
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
    /// Trimmed by `MAXLEN ~` before the group read them: lost for it.
    pub trimmed_unread: u64,
    /// Pending entries whose data was trimmed: `XAUTOCLAIM` reported them deleted and dropped
    /// them from the pending list.
    pub deleted_pending: u64,
}

/// One stream, one consumer group (`kitchen`), and a janitor that claims idle entries. It runs
/// only as a world's member: the world's producers add its entries (`append`) and the
/// world's agenda runs its timers.
pub struct RedisStreamSim {
    pub config: RedisConfig,
    now: Millis,
    /// The timers it set since the world last collected them.
    pub(crate) timers: crate::kernel::timers::Timers<Due>,
    pub entries: VecDeque<Entry>,
    pub pel: SortedMap<EntryId, Pending>,
    /// The group's `last-delivered-id`.
    pub last_delivered: Option<EntryId>,
    pub consumers: Vec<Consumer>,
    /// Ids moved to `orders:dead`, with their delivery count.
    pub dead_stream: Vec<(EntryId, u32)>,
    pub counts: RedisCounts,
    last_ms: Option<u64>,
    ms_seq: u64,
    /// The events emitted since the world last collected them.
    pub(crate) emitted: Vec<crate::Event>,
}

impl RedisStreamSim {
    pub(crate) fn member(config: RedisConfig) -> RedisStreamSim {
        let mut sim = RedisStreamSim {
            now: Millis::ZERO,
            timers: crate::kernel::timers::Timers::new(),
            entries: VecDeque::new(),
            pel: SortedMap::default(),
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
            emitted: Vec::new(),
            config,
        };
        for c in 0..sim.consumers.len() {
            sim.schedule(Millis::ZERO, Due::Read(c as u32));
        }
        sim.schedule(sim.config.claim_every, Due::Claim);
        sim
    }

    pub fn now(&self) -> Millis {
        self.now
    }

    fn schedule(&mut self, at: Millis, due: Due) {
        self.timers.schedule(self.now, at, due);
    }

    fn emit(&mut self, kind: crate::EventKind) {
        self.emitted.push(crate::Event { t: self.now, kind });
    }

    /// An event about entry `id` in the world's log (a Redis stream is one partition, and an
    /// entry's offset is its place in it).
    fn entry_event(&mut self, n: Option<u64>, kind: impl FnOnce(u64) -> crate::EventKind) {
        if let Some(n) = n {
            self.emit(kind(n));
        }
    }

    /// An entry's place in the stream, from its pending record (which outlives a trim) or its
    /// data.
    fn place(&self, id: EntryId) -> Option<u64> {
        self.pel
            .get(&id)
            .map(|p| p.n)
            .or_else(|| self.entry(id).map(|e| e.n))
    }

    pub(crate) fn fire_timer(&mut self, due: Due, at: Millis) {
        self.now = self.now.max(at);
        self.fire(due);
    }

    pub(crate) fn set_now(&mut self, now: Millis) {
        self.now = self.now.max(now);
    }

    fn fire(&mut self, due: Due) {
        match due {
            Due::Read(c) => self.read(c as usize),
            Due::Done(c) => self.done(c as usize),
            Due::Claim => self.claim(),
        }
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
        if let Some(c) = self.consumers.get_mut(consumer).filter(|c| c.alive) {
            c.alive = false;
            c.inbox.clear();
            c.busy = None;
            self.emit(crate::EventKind::GroupMemberLeft {
                group: 0,
                member: consumer as u32,
                crashed: true,
            });
        }
    }

    /// `XADD` of a message from the world's producers.
    pub(crate) fn append(&mut self, event: u64, poison: bool) {
        let id = self.next_id();
        let n = self.counts.added;
        self.entries.push_back(Entry {
            id,
            poison,
            n,
            event,
        });
        self.counts.added += 1;
        self.emit(crate::EventKind::Appended {
            event,
            key: 0,
            partition: 0,
            offset: n,
        });
        self.trim();
        // Consumers blocked in XREADGROUP wake up at their next poll, as on their own.
    }

    /// The next entry id: the time in ms, and a sequence within that millisecond.
    fn next_id(&mut self) -> EntryId {
        let ms = self.now.0;
        if self.last_ms == Some(ms) {
            self.ms_seq += 1;
        } else {
            self.last_ms = Some(ms);
            self.ms_seq = 0;
        }
        EntryId {
            ms,
            seq: self.ms_seq,
        }
    }

    /// `XADD … MAXLEN`: the oldest entries go, read or not.
    /// Trimming ignores the consumer group (semantics notes §4, observed on Redis 7): an entry
    /// nobody read is lost, and a pending one keeps its place in the pending list without its
    /// data.
    fn trim(&mut self) {
        let mut trimmed = 0;
        while self.entries.len() > self.config.max_len as usize {
            let head = self.entries[0].id;
            if self.last_delivered.is_none_or(|l| head > l) {
                self.counts.trimmed_unread += 1;
            }
            self.entries.pop_front();
            trimmed += 1;
        }
        if trimmed > 0 {
            self.emit(crate::EventKind::RecordsExpired {
                partition: 0,
                count: trimmed,
            });
        }
    }

    /// `XREADGROUP GROUP kitchen <consumer> COUNT n STREAMS orders >`: new entries only.
    fn read(&mut self, c: usize) {
        if !self.consumers[c].alive || self.consumers[c].busy.is_some() {
            return;
        }
        if self.consumers[c].inbox.is_empty() {
            let from = self.first_undelivered();
            let RedisStreamSim {
                entries,
                pel,
                consumers,
                last_delivered,
                now,
                config,
                ..
            } = self;
            for e in entries.range(from..).take(config.count as usize) {
                pel.insert(
                    e.id,
                    Pending {
                        consumer: c as u16,
                        delivered_at: *now,
                        deliveries: 1,
                        n: e.n,
                        poison: e.poison,
                    },
                );
                *last_delivered = Some(e.id);
                consumers[c].inbox.push_back(e.id);
            }
        }
        self.start(c);
    }

    fn start(&mut self, c: usize) {
        match self.consumers[c].inbox.pop_front() {
            Some(id) => {
                self.consumers[c].busy = Some(id);
                let at = self.now.saturating_add(self.config.processing);
                self.schedule(at, Due::Done(c as u32));
            }
            // BLOCK 100: wait a little for new entries.
            None => self.schedule(self.now.saturating_add(Millis(100)), Due::Read(c as u32)),
        }
    }

    fn done(&mut self, c: usize) {
        let Some(id) = self.consumers[c].busy.take() else {
            return;
        };
        if !self.consumers[c].alive {
            return;
        }
        // The pending record, if the entry is still in the list; else the stream's copy.
        let (place, still_mine, deliveries, poison) = match self.pel.get(&id) {
            Some(p) => (Some(p.n), p.consumer as usize == c, p.deliveries, p.poison),
            None => {
                let e = self.entry(id);
                (e.map(|e| e.n), false, 1, e.is_some_and(|e| e.poison))
            }
        };
        let member = c as u32;
        if still_mine && !poison {
            // XACK
            self.pel.remove(&id);
            self.consumers[c].acked += 1;
            self.counts.acked += 1;
            self.entry_event(place, |offset| crate::EventKind::RecordProcessed {
                group: 0,
                member,
                partition: 0,
                offset,
                times: 1,
            });
        } else if poison {
            // Failed: left pending, for the janitor to claim again later.
            self.counts.failures += 1;
            self.entry_event(place, |offset| crate::EventKind::RecordFailed {
                group: 0,
                member,
                partition: 0,
                offset,
                attempt: deliveries,
            });
        } else {
            // Claimed away while it waited here: the work was done twice.
            self.counts.duplicates += 1;
            self.entry_event(place, |offset| crate::EventKind::RecordProcessed {
                group: 0,
                member,
                partition: 0,
                offset,
                times: 2,
            });
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
                    && self.consumers[p.consumer as usize].busy != Some(**id)
            })
            .map(|(id, _)| *id)
            .collect();
        for (n, id) in idle.into_iter().enumerate() {
            let deliveries = self.pel[&id].deliveries;
            let place = self.place(id);
            if self.entry(id).is_none() {
                // Its data was trimmed: XAUTOCLAIM lists it as deleted and drops it.
                self.pel.remove(&id);
                self.counts.deleted_pending += 1;
                self.entry_event(place, |_| crate::EventKind::RecordsSkipped {
                    group: 0,
                    partition: 0,
                    count: 1,
                });
                continue;
            }
            if deliveries >= self.config.max_deliveries {
                self.pel.remove(&id);
                self.dead_stream.push((id, deliveries));
                self.counts.dead += 1;
                self.entry_event(place, |offset| crate::EventKind::RecordDeadLettered {
                    group: 0,
                    partition: 0,
                    offset,
                });
                continue;
            }
            let Some(&to) = live.get(n % live.len().max(1)) else {
                continue;
            };
            let p = self.pel.get_mut(&id).expect("listed");
            p.consumer = to as u16;
            p.deliveries += 1;
            p.delivered_at = self.now;
            let deliveries = p.deliveries;
            self.counts.claimed += 1;
            self.consumers[to].inbox.push_back(id);
            self.entry_event(place, |offset| crate::EventKind::RecordClaimed {
                member: to as u32,
                offset,
                deliveries,
            });
            if self.consumers[to].busy.is_none() {
                self.schedule(self.now, Due::Read(to as u32));
            }
        }
        self.schedule(self.now.saturating_add(self.config.claim_every), Due::Claim);
    }
}
