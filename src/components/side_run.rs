use std::cell::RefCell;
use std::rc::Rc;

use queue_engine::Millis;
use yew::prelude::*;

use crate::side::{SideAction, SideRun, Spec};

/// A lesson's log or topic, owned by the playground, handed to the panel that shows it.
#[derive(Clone)]
pub struct SideHandle {
    pub run: Rc<RefCell<SideRun>>,
    /// The playground's version: the panel redraws whenever the run may have changed.
    pub version: u64,
    /// Where the panel's buttons go: the playground records them with the run.
    pub onaction: Callback<SideAction>,
}

impl PartialEq for SideHandle {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && Rc::ptr_eq(&self.run, &other.run)
    }
}

/// The run a model panel shows: the lesson's (when it runs on this panel's model) or the panel's
/// own (built from `spec` once), which follows the main clock `now` and replays its buttons
/// after a jump back in time.
#[hook]
pub fn use_side_run(
    lesson: Option<SideHandle>,
    now: Millis,
    spec: &dyn Fn() -> Spec,
) -> (Rc<RefCell<SideRun>>, Callback<SideAction>) {
    // Built on the first render only.
    let local = use_mut_ref(|| SideRun::new(spec()));
    let redraw = use_force_update();
    if let Some(h) = lesson {
        return (h.run, h.onaction);
    }
    local.borrow_mut().advance_to(now);
    let act = {
        let local = local.clone();
        Callback::from(move |a: SideAction| {
            let mut run = local.borrow_mut();
            // The panels' buttons only build commands their model accepts.
            let _ = match a {
                SideAction::Command(c) => run.command(c),
                SideAction::LogScenario(sc) => run.set_log(*sc),
            };
            drop(run);
            redraw.force_update();
        })
    };
    (local, act)
}
