//! TEMPORARY stand-in for the engine's external decision seam
//! (`engine::response::external`, built on another branch). Same types and
//! calls; the stand-in only keeps the actions: the simulated teams still
//! play every body. Removed when the real seam is merged.

use crate::engine::Sim;
use crate::model::plan::{BodyId, Level};
use crate::model::topology::NodeId;

/// One action a real team took (a drill-log row, or a player's command).
#[derive(Clone, Debug, PartialEq)]
pub struct LoggedAction {
    pub at: f64,
    pub unit: NodeId,
    pub body: Option<BodyId>,
    pub body_text: String,
    pub action: LogAction,
    pub target: Option<NodeId>,
    pub level: Option<Level>,
    pub note: String,
    pub row: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LogAction {
    Detect,
    Report,
    Grade,
    Activate,
    Escalate,
    Close,
    Step(String),
    Unknown(String),
}

/// Whom the external decision maker decides for.
#[derive(Clone, Debug, PartialEq)]
pub enum Control {
    All,
    Only {
        body: BodyId,
        unit: Option<NodeId>,
    },
}

pub fn with_external(sim: Sim, _control: Control, _actions: Vec<LoggedAction>) -> Sim {
    sim
}

pub fn push_external(_sim: &mut Sim, _a: LoggedAction) {}

pub fn now(sim: &Sim) -> f64 {
    sim.world().resource::<crate::engine::Clock>().now
}
