//! A log as the world runs it: a Kafka topic or a Redis stream, behind one face, so the world
//! routes copies to either, runs their timers on its one agenda and collects their events.
//!
//! # Contract
//! - Both kinds run in member mode: they append what the world's producers send, hand every
//!   timer they set to the world (`take_timers`) and every event they emit (`take_events`),
//!   and never read a clock of their own.
//! - A message's FIFO group is its Kafka key; a Redis stream ignores keys (one sequence).

use crate::event::Event;
use crate::kernel::time::Millis;
use crate::redis_stream::RedisStreamSim;
use crate::stream::StreamSim;
use crate::topology::log::LogPlan;
use crate::ScenarioError;

pub enum LogNode {
    Kafka(Box<StreamSim>),
    Redis(Box<RedisStreamSim>),
}

/// A timer of either kind of log, on the world's agenda.
#[derive(Clone, Copy, Debug)]
pub(crate) enum LogTimer {
    Kafka(crate::stream::Due),
    Redis(crate::redis_stream::Due),
}

impl LogNode {
    pub(crate) fn new(plan: LogPlan) -> Result<LogNode, ScenarioError> {
        Ok(match plan {
            LogPlan::Kafka { scenario, keyless } => {
                LogNode::Kafka(Box::new(StreamSim::member(scenario, keyless)?))
            }
            LogPlan::Redis(config) => LogNode::Redis(Box::new(RedisStreamSim::member(config))),
        })
    }

    pub fn as_kafka(&self) -> Option<&StreamSim> {
        match self {
            LogNode::Kafka(s) => Some(s),
            LogNode::Redis(_) => None,
        }
    }

    pub fn as_redis(&self) -> Option<&RedisStreamSim> {
        match self {
            LogNode::Redis(r) => Some(r),
            LogNode::Kafka(_) => None,
        }
    }

    pub(crate) fn as_kafka_mut(&mut self) -> Option<&mut StreamSim> {
        match self {
            LogNode::Kafka(s) => Some(s),
            LogNode::Redis(_) => None,
        }
    }

    pub(crate) fn as_redis_mut(&mut self) -> Option<&mut RedisStreamSim> {
        match self {
            LogNode::Redis(r) => Some(r),
            LogNode::Kafka(_) => None,
        }
    }

    /// Records appended so far.
    pub fn appended(&self) -> u64 {
        match self {
            LogNode::Kafka(s) => s.published(),
            LogNode::Redis(r) => r.counts.added,
        }
    }

    pub(crate) fn set_now(&mut self, now: Millis) {
        match self {
            LogNode::Kafka(s) => s.set_now(now),
            LogNode::Redis(r) => r.set_now(now),
        }
    }

    pub(crate) fn fire(&mut self, timer: LogTimer, at: Millis) {
        match (self, timer) {
            (LogNode::Kafka(s), LogTimer::Kafka(t)) => s.fire_timer(t, at),
            (LogNode::Redis(r), LogTimer::Redis(t)) => r.fire_timer(t, at),
            // A log only ever schedules its own kind of timer.
            _ => {}
        }
    }

    pub(crate) fn append(&mut self, event: u64, group: u32, poison: bool) {
        match self {
            LogNode::Kafka(s) => s.append(event, group, poison),
            LogNode::Redis(r) => r.append(event, poison),
        }
    }

    /// The timers set since the last call, in the order they were set.
    pub(crate) fn take_timers(&mut self, mut each: impl FnMut(Millis, LogTimer)) {
        match self {
            LogNode::Kafka(s) => s.timers.take(|at, t| each(at, LogTimer::Kafka(t))),
            LogNode::Redis(r) => r.timers.take(|at, t| each(at, LogTimer::Redis(t))),
        }
    }

    /// The events emitted since the last call, in order.
    pub(crate) fn take_events(&mut self, mut each: impl FnMut(Event)) {
        let emitted = match self {
            LogNode::Kafka(s) => &mut s.emitted,
            LogNode::Redis(r) => &mut r.emitted,
        };
        for e in emitted.drain(..) {
            each(e);
        }
    }
}
