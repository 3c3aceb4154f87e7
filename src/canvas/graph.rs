//! The canvas's picture of any world: one box per node, placed on a grid, and the edges between
//! them. Pure: it reads a [`World`] and returns positions, so it is tested natively against
//! every built-in system.
//!
//! # Contract
//! - Left to right by what a node does: producers, routers (exchanges and topics), queues and
//!   logs, consumer pools and groups, then stores and reply queues ([`Role::column`]); a kind
//!   the system does not have takes no column. A dead-letter queue sits in its source queue's
//!   column, on the row below it.
//! - Rows follow the file's order within each column, and a pool sits level with the queue it
//!   reads where the column has room. A node added at the end of a file therefore lands below
//!   the others: nothing already drawn moves. One exception: the world keeps logs apart from
//!   queues, so logs are drawn above every queue, and a log added to a system with queues
//!   moves the queues (and what hangs off them) down; and the first router of a system moves
//!   everything right of the producers one column on.
//! - The synchronous baseline (HTTP mode) is drawn as it runs: the producer calls the
//!   consumer pool, with no queue between them; its queues are named as not drawn until used.
//! - A node named twice (two queues sharing one dead-letter queue) is drawn once. A dead-letter
//!   queue the broker provides (ActiveMQ's `ActiveMQ.DLQ`) is drawn though no node names it.

use queue_engine::{EdgeKind, Mode, World};

/// What a box stands for; its glyph and shape say so without colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Producer,
    Router,
    Queue,
    DeadLetter,
    Log,
    Consumer,
    Store,
    Replies,
}

impl Role {
    /// The grid column a role's boxes go in, when every kind is there; an empty column closes up.
    pub fn column(self) -> u16 {
        match self {
            Role::Producer => 0,
            Role::Router => 1,
            Role::Queue | Role::DeadLetter | Role::Log => 2,
            Role::Consumer => 3,
            Role::Store | Role::Replies => 4,
        }
    }

    /// The short word drawn in the box's corner, so a box's kind is read, not guessed from
    /// its colour.
    pub fn glyph(self) -> &'static str {
        match self {
            Role::Producer => "producer",
            Role::Router => "router",
            Role::Queue => "queue",
            Role::DeadLetter => "dead letters",
            Role::Log => "log",
            Role::Consumer => "consumers",
            Role::Store => "store",
            Role::Replies => "replies",
        }
    }
}

/// Which part of the world a box reads its numbers from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Producer(u32),
    Router(u16),
    /// A queue member's queue, dead-letter queue, pool, store or reply queue.
    Member(u16),
    /// A log (its index among the world's members, numbered after the queues), or one of its
    /// consumer groups.
    Log {
        member: u16,
        group: Option<u16>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub name: String,
    pub role: Role,
    pub source: Source,
    pub col: u16,
    pub row: u16,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    /// A binding or routing key, drawn on the edge.
    pub label: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Graph {
    pub places: Vec<Place>,
    pub links: Vec<Link>,
    /// Rows in the tallest column.
    pub rows: u16,
    /// Columns in use (the rightmost one plus one).
    pub cols: u16,
    /// Routers left out because nothing has used them yet (see [`graph`]), and the queues a
    /// system wired for direct HTTP does not use.
    pub unused: Vec<String>,
}

impl Graph {
    /// The place named `name` with `role`, if drawn.
    pub fn find(&self, name: &str, role: Role) -> Option<usize> {
        self.places
            .iter()
            .position(|p| p.name == name && p.role == role)
    }

    /// Adds a box on the next free row of its column, or no lower than `level`; a name
    /// already drawn in the same role is the same box.
    fn add(&mut self, name: &str, role: Role, source: Source, level: u16) -> usize {
        if let Some(i) = self.find(name, role) {
            return i;
        }
        let col = role.column();
        let free = self
            .places
            .iter()
            .filter(|p| p.col == col)
            .map(|p| p.row + 1)
            .max()
            .unwrap_or(0);
        let row = free.max(level);
        self.rows = self.rows.max(row + 1);
        self.cols = self.cols.max(col + 1);
        self.places.push(Place {
            name: name.to_owned(),
            role,
            source,
            col,
            row,
        });
        self.places.len() - 1
    }

    fn link(&mut self, from: usize, to: usize, kind: EdgeKind, label: Option<&str>) {
        let label = label.map(str::to_owned);
        let link = Link {
            from,
            to,
            kind,
            label,
        };
        if !self.links.contains(&link) {
            self.links.push(link);
        }
    }
}

/// Lays out `w` (see the module's contract). With `only_used`, it lays out what `w` has used
/// so far: a router with no publish edge, that no person has published to and whose queues
/// hold nothing yet is left out, with the queues only it feeds, and named in
/// [`Graph::unused`]. A lesson about one exchange of a broker then draws that exchange, not
/// the whole broker. What appears later was later in the file, so it lands below and nothing
/// drawn moves.
pub fn graph(w: &World, only_used: bool) -> Graph {
    let mut g = Graph::default();
    let queues = w.members().len() as u16;
    let members = queues + w.logs().len() as u16;
    let empty = |m: u16| {
        w.members()
            .get(usize::from(m))
            .is_some_and(|s| s.counts().published == 0)
    };
    let unused: Vec<bool> = w
        .routers()
        .iter()
        .map(|r| {
            only_used
                && !r.dead_letter
                && r.publishers.is_empty()
                && !w.published_to(&r.name)
                && r.binds.iter().all(|(_, m)| empty(*m))
        })
        .collect();
    // A member is left out when an unused router feeds it, no used one does, and it is empty
    // (so nothing has published to it directly either).
    let mut left_out = vec![false; members as usize];
    let mut kept = vec![false; members as usize];
    for (r, &u) in w.routers().iter().zip(&unused) {
        for (_, m) in &r.binds {
            let to = if u { &mut left_out } else { &mut kept };
            if let Some(x) = to.get_mut(usize::from(*m)) {
                *x = true;
            }
        }
    }
    // Queues and logs first: producers and routers are then drawn level with what they feed.
    // Logs come first, so that a queue added at the end of a file lands below everything.
    let mut fed = vec![None; members as usize];
    for m in (queues..members).chain(0..queues) {
        let i = usize::from(m);
        if left_out[i] && !kept[i] && empty(m) {
            continue;
        }
        let nodes = w.member_nodes(m);
        let log = m >= queues;
        let (role, source) = if log {
            let source = Source::Log {
                member: m,
                group: None,
            };
            (Role::Log, source)
        } else {
            (Role::Queue, Source::Member(m))
        };
        // The synchronous baseline has no queue between the service and the kitchen: its
        // producer calls the pool, and neither a dead-letter queue nor replies take part.
        let http = !log && w.members()[i].scenario().mode == Mode::Http;
        let (q, row) = if http {
            // Still there, one switch of the wiring away: named under the drawing.
            g.unused.push(nodes.queue.clone());
            g.unused
                .extend(nodes.dlq.iter().chain(&nodes.replies).cloned());
            (None, 0)
        } else {
            let q = g.add(&nodes.queue, role, source, 0);
            fed[i] = Some(q);
            let row = g.places[q].row;
            if let Some(dlq) = &nodes.dlq {
                let d = g.add(dlq, Role::DeadLetter, Source::Member(m), row + 1);
                g.link(q, d, EdgeKind::DeadLetter, nodes.dlx.as_deref());
            }
            (Some(q), row)
        };
        if let Some(pool) = &nodes.consumer {
            let c = g.add(pool, Role::Consumer, Source::Member(m), row);
            match q {
                Some(q) => g.link(q, c, EdgeKind::Subscribe, None),
                None => fed[i] = Some(c),
            }
            if let Some(store) = &nodes.store {
                let s = g.add(store, Role::Store, Source::Member(m), g.places[c].row);
                g.link(c, s, EdgeKind::Write, None);
            }
            if let Some(replies) = nodes.replies.as_ref().filter(|_| !http) {
                let r = g.add(replies, Role::Replies, Source::Member(m), g.places[c].row);
                g.link(c, r, EdgeKind::Reply, None);
            }
        }
        for (k, group) in nodes.groups.iter().enumerate() {
            let source = Source::Log {
                member: m,
                group: Some(k as u16),
            };
            let c = g.add(group, Role::Consumer, source, row);
            if let Some(q) = q {
                g.link(q, c, EdgeKind::Subscribe, None);
            }
        }
    }
    let level =
        |g: &Graph, targets: &[usize]| targets.iter().map(|&t| g.places[t].row).min().unwrap_or(0);
    // What each producer reaches through a router it publishes to; the rest of its route it
    // publishes to directly.
    let mut via: Vec<Vec<u16>> = vec![Vec::new(); w.producer_names().len()];
    for (r, router) in w.routers().iter().enumerate() {
        if unused[r] {
            g.unused.push(router.name.clone());
            continue;
        }
        // A dead-letter exchange whose queue is drawn as a dead-letter queue: the edge to
        // that queue carries its name, and a box of its own would lead nowhere.
        if router.dead_letter && router.binds.is_empty() {
            continue;
        }
        let bound: Vec<(Option<&str>, usize)> = router
            .binds
            .iter()
            .filter_map(|(key, m)| Some((key.as_deref(), fed.get(*m as usize).copied()??)))
            .collect();
        let targets: Vec<usize> = bound.iter().map(|b| b.1).collect();
        let x = g.add(
            &router.name,
            Role::Router,
            Source::Router(r as u16),
            level(&g, &targets),
        );
        for (key, t) in bound {
            g.link(x, t, EdgeKind::Bind, key);
        }
        for (key, p) in &router.publishers {
            if let Some(reached) = via.get_mut(*p as usize) {
                reached.extend(router.binds.iter().map(|(_, m)| *m));
            }
            let name = w.producer_names().nth(*p as usize).unwrap_or_default();
            let at = g.places[x].row;
            let from = g.add(name, Role::Producer, Source::Producer(u32::from(*p)), at);
            g.link(from, x, EdgeKind::Publish, key.as_deref());
        }
    }
    for (p, name) in w.producer_names().enumerate() {
        let targets: Vec<usize> = w
            .routes(p as u32)
            .iter()
            .filter(|m| !via[p].contains(m))
            .filter_map(|m| fed.get(*m as usize).copied().flatten())
            .collect();
        let at = level(&g, &targets);
        let from = g.add(name, Role::Producer, Source::Producer(p as u32), at);
        for t in targets {
            let kind = if g.places[t].role == Role::Consumer {
                EdgeKind::Call
            } else {
                EdgeKind::Publish
            };
            g.link(from, t, kind, None);
        }
    }
    // A column no box uses takes no room: a system without routers draws its queues next to
    // its producers, and the pizza shop fits its panel.
    // Renumbered in place: a box moves to a column no further right than its own, which a
    // later (larger) column number never matches.
    let mut cols = 0;
    for c in 0..g.cols {
        let mut used = false;
        for p in g.places.iter_mut().filter(|p| p.col == c) {
            p.col = cols;
            used = true;
        }
        cols += u16::from(used);
    }
    g.cols = cols;
    g
}
