//! Where a model's timers go: its own agenda when it runs alone, or an outbox that the world
//! empties onto its one agenda after every call, when it is a world's member.
//!
//! # Contract
//! - Every model schedules through this one type, so "alone" and "member" differ in one place.
//! - A member's outbox keeps timers in the order they were set, each no earlier than the time
//!   it was set at; the world gives them their place on its agenda in that order.
//! - A member never pops its own timers: `pop_until` finds nothing.

use super::agenda::Agenda;
use super::time::Millis;

pub(crate) enum Timers<D> {
    Own(Agenda<D>),
    Member(Vec<(Millis, D)>),
}

impl<D> Timers<D> {
    pub fn new(member: bool) -> Timers<D> {
        if member {
            Timers::Member(Vec::new())
        } else {
            Timers::Own(Agenda::new())
        }
    }

    pub fn schedule(&mut self, now: Millis, at: Millis, due: D) {
        match self {
            Timers::Own(agenda) => agenda.schedule(now, at, due),
            Timers::Member(outbox) => outbox.push((at.max(now), due)),
        }
    }

    pub fn pop_until(&mut self, t: Millis) -> Option<(Millis, D)> {
        match self {
            Timers::Own(agenda) => agenda.pop_until(t),
            Timers::Member(_) => None,
        }
    }

    /// Hands a member's timers set since the last call to `each`, in the order they were
    /// set. Called after every call into a member, most often with nothing set: that case
    /// returns at once (it is on the world's hottest path).
    pub fn take(&mut self, mut each: impl FnMut(Millis, D)) {
        if let Timers::Member(outbox) = self {
            if !outbox.is_empty() {
                for (at, due) in outbox.drain(..) {
                    each(at, due);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alone_it_is_an_agenda_and_as_a_member_an_outbox_in_order() {
        let mut own = Timers::new(false);
        own.schedule(Millis(5), Millis(9), 'a');
        own.schedule(Millis(5), Millis(7), 'b');
        own.take(|_, _| panic!("its own agenda keeps them"));
        assert_eq!(own.pop_until(Millis(8)), Some((Millis(7), 'b')));
        assert_eq!(own.pop_until(Millis(8)), None);

        let mut member = Timers::new(true);
        member.schedule(Millis(5), Millis(9), 'a');
        member.schedule(Millis(5), Millis(2), 'b');
        assert_eq!(
            member.pop_until(Millis::MAX),
            None,
            "a member never runs its own timers"
        );
        let mut taken = Vec::new();
        member.take(|at, d| taken.push((at, d)));
        assert_eq!(
            taken,
            vec![(Millis(9), 'a'), (Millis(5), 'b')],
            "never before now"
        );
        member.take(|_, _| panic!("taken once"));
    }
}
