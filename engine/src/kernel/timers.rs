//! Where a world's member puts its timers: an outbox that the world empties onto its one
//! agenda after every call into the member.
//!
//! # Contract
//! - Every member (queue, log, Redis stream) schedules through this one type.
//! - The outbox keeps timers in the order they were set, each no earlier than the time it was
//!   set at; the world gives them their place on its agenda in that order, so ties keep the
//!   order the member set them in.
//! - A member never runs its own timers: only the world pops them, from its agenda.

use super::time::Millis;

pub(crate) struct Timers<D>(Vec<(Millis, D)>);

impl<D> Timers<D> {
    pub fn new() -> Timers<D> {
        Timers(Vec::new())
    }

    pub fn schedule(&mut self, now: Millis, at: Millis, due: D) {
        self.0.push((at.max(now), due));
    }

    /// Hands the timers set since the last call to `each`, in the order they were set. Called
    /// after every call into a member, most often with nothing set: that case returns at once
    /// (it is on the world's hottest path).
    pub fn take(&mut self, mut each: impl FnMut(Millis, D)) {
        if !self.0.is_empty() {
            for (at, due) in self.0.drain(..) {
                each(at, due);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outbox_in_the_order_set_never_before_now() {
        let mut member = Timers::new();
        member.schedule(Millis(5), Millis(9), 'a');
        member.schedule(Millis(5), Millis(2), 'b');
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
