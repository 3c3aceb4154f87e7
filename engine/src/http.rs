//! The synchronous baseline: the same order service and kitchen, wired by direct HTTP calls.
//!
//! The kitchen has one worker per consumer and a bounded backlog of accepted requests. The caller
//! waits up to `http.timeout`. What a queue would absorb turns into errors at the caller: refused
//! while the kitchen is down, 503 when its backlog is full, timeouts when it is slow. Requests
//! whose caller gave up are still cooked when their turn comes (wasted work), which is how an
//! overloaded service collapses.

use crate::consumer::Outcome;
use crate::event::EventKind;
use crate::message::{Handle, HttpFailure, MsgState};
use crate::sim::{Sim, Timer};

impl Sim {
    pub(crate) fn http_request(&mut self, h: Handle) {
        let up = self.consumers.iter().any(|c| c.up());
        if !up {
            self.http_fail(h, HttpFailure::Refused);
            return;
        }
        let timeout = self.sc.http.timeout;
        self.schedule(self.now.saturating_add(timeout), Timer::HttpTimeout { h });
        let idle = self
            .consumers
            .iter()
            .position(|c| c.up() && c.http_job.is_none());
        match idle {
            Some(c) => self.http_start(c as u32, h),
            None if self.http_backlog.len() < self.sc.http.backlog_limit as usize => {
                self.http_backlog.push_back(h)
            }
            None => self.http_fail(h, HttpFailure::Overloaded),
        }
    }

    fn http_fail(&mut self, h: Handle, cause: HttpFailure) {
        let at = self.now;
        self.set_state(h, MsgState::Failed { at, cause });
        self.counts.producer_errors += 1;
        self.emit(EventKind::HttpFailed { msg: h.id, cause });
    }

    fn http_start(&mut self, c: u32, h: Handle) {
        let took = self.processing_time();
        if let Some(m) = self.msg_mut(h) {
            m.received();
        }
        if self.state(h) == Some(MsgState::Visible) {
            self.set_state(
                h,
                MsgState::InFlight {
                    consumer: c,
                    deadline: crate::kernel::time::Millis::MAX,
                },
            );
        }
        self.counts.receives += 1;
        self.emit(EventKind::Received {
            msg: h.id,
            consumer: c,
            receive: 1,
            batch: 0,
            hidden_until: None,
        });
        self.consumers[c as usize].http_job = Some(h);
        self.schedule(
            self.now.saturating_add(took),
            Timer::HttpDone { consumer: c, h },
        );
    }

    pub(crate) fn http_timeout(&mut self, h: Handle) {
        if matches!(
            self.state(h),
            Some(MsgState::Visible | MsgState::InFlight { .. })
        ) {
            self.http_fail(h, HttpFailure::Timeout);
        }
    }

    pub(crate) fn http_done(&mut self, c: u32, h: Handle) {
        if self.consumers[c as usize].http_job != Some(h) {
            return;
        }
        self.consumers[c as usize].http_job = None;
        match self.state(h) {
            Some(MsgState::InFlight { .. }) => match self.outcome_for(h) {
                Outcome::Success => {
                    let item = crate::consumer::Item {
                        h,
                        receipt: 1,
                        done_at: self.now,
                        outcome: Outcome::Success,
                    };
                    self.http_complete(c, &item);
                }
                Outcome::Fail(cause) => {
                    self.counts.processing_failures += 1;
                    self.emit(EventKind::Failed {
                        msg: h.id,
                        consumer: c,
                        cause,
                    });
                    self.http_fail(h, HttpFailure::ServerError);
                }
                Outcome::Reject | Outcome::NotRun => self.http_fail(h, HttpFailure::ServerError),
            },
            Some(MsgState::Failed { .. }) => {
                self.counts.wasted_work += 1;
                self.emit(EventKind::WastedWork {
                    msg: h.id,
                    consumer: c,
                });
            }
            _ => {}
        }
        self.http_worker_free(c);
    }

    fn http_complete(&mut self, c: u32, item: &crate::consumer::Item) {
        let at = self.now;
        let published = self.msg(item.h).map_or(at, |m| m.published_at());
        self.metrics.record_latency(at.saturating_sub(published).0);
        self.record_success(c, item);
        self.set_state(item.h, MsgState::Processed { at });
    }

    /// A worker is free: it takes the next request from the backlog, even one whose caller has
    /// already given up (the kitchen cannot know).
    pub(crate) fn http_worker_free(&mut self, c: u32) {
        if !self.consumers[c as usize].up() || self.consumers[c as usize].http_job.is_some() {
            return;
        }
        while let Some(h) = self.http_backlog.pop_front() {
            if matches!(
                self.state(h),
                Some(MsgState::Visible | MsgState::Failed { .. })
            ) {
                self.http_start(c, h);
                return;
            }
        }
    }

    /// A crashed kitchen worker drops the request it was handling: the caller sees an error.
    pub(crate) fn http_crash(&mut self, c: u32) {
        if let Some(h) = self.consumers[c as usize].http_job.take() {
            if matches!(self.state(h), Some(MsgState::InFlight { .. })) {
                self.http_fail(h, HttpFailure::Refused);
            }
        }
    }
}
