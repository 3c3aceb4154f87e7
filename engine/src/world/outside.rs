//! A plan from outside the planner: what a lesson file on a system of one's own carries, which
//! an author may have edited by hand since the planner wrote it.
//!
//! # Contract
//! - `World::new` then [`World::check`] accept only a plan whose every index names one of its
//!   own nodes (a producer's routes, a router's bindings and publishers, a timed command's
//!   target: a log's consumer group among its own) and whose every timed command is one its target takes, with the ranges a person's command is held
//!   to. Anything else is an `Err` naming the field, what was expected and what was given.
//! - A plan it accepts runs exactly as [`World::new`] runs it: the checks change nothing.
//!
//! Why: [`World::new`] trusts its plan, as it may (the planner and the build made every plan
//! it is given), and the run indexes by it; a wrong index would panic when first used, and a
//! panic in wasm takes the page down. The checks read the world [`World::new`] built rather
//! than the plan, so the page carries one call of it, not a second copy inlined here.

use crate::error::ScenarioError;

use super::World;

/// `path`: the largest index named, if any, below `len`. One copy for every check, so the
/// page carries one; `what` is said as it is (a number formatted into it cost the studio
/// 200 B of gzip).
fn below(path: &str, what: &str, len: usize, largest: Option<usize>) -> Result<(), ScenarioError> {
    match largest.filter(|&i| i >= len) {
        Some(i) => Err(ScenarioError::field(path, what, i)),
        None => Ok(()),
    }
}

impl World {
    /// Whether the plan [`World::new`] built this world from holds together, when it did not
    /// come from the planner. See the module docs. By reference, so that the world is dropped
    /// where it was made, not once more on each way out of here.
    // Inlined, so it is built where it is called, for size: it runs once per opened file.
    #[inline]
    pub fn check(&self) -> Result<(), ScenarioError> {
        let (producers, nodes) = (self.producers.len(), self.nodes.len());
        if self.routes.len() != producers {
            return Err(ScenarioError::field(
                "routes",
                "one list of members for each producer",
                self.routes.len(),
            ));
        }
        let routed = self.routes.iter().flatten().map(|&m| m as usize);
        below(
            "routes",
            "one of the system's queues and logs",
            nodes,
            routed.max(),
        )?;
        let bound = self.routers.iter().flat_map(|r| &r.binds);
        below(
            "routers",
            "one of the system's queues and logs",
            nodes,
            bound.map(|b| b.1 as usize).max(),
        )?;
        let publishing = self.routers.iter().flat_map(|r| &r.publishers);
        below(
            "routers",
            "one of the system's producers",
            producers,
            publishing.map(|p| p.1 as usize).max(),
        )?;
        // Said as `commands`, not `commands[i]`: the index cost the studio's download 33 B,
        // and the message names the command's fault.
        for c in &self.commands {
            self.exists("commands", c.target, &c.command)?;
            self.validate("commands", c.target, &c.command)?;
        }
        Ok(())
    }
}
