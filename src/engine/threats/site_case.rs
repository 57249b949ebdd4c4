//! What a data leak and an insider's misuse share: a case at one site of
//! one incident that a finished response step at that site stops, with the
//! records forensics then count as a grading fact.

use super::Ctx;
use crate::engine::record::EventKind;
use crate::model::plan::StepAction;
use crate::model::topology::{NodeId, Topology};

/// A threat case at one site that a response step stops.
pub(super) trait SiteCase {
    /// The steps that stop it (at its site, for its incident).
    const STOPPED_BY: &'static [StepAction];
    /// Its incident (the group of its inject) and site while it runs;
    /// `None` once stopped.
    fn running_at(&self) -> Option<(usize, NodeId)>;
    /// Stops it at minute `t` by `action`: its event (kind, detail) and the
    /// records forensics count then (`None`: no number to tell).
    fn stop(
        &mut self,
        t: f64,
        action: StepAction,
        topo: &Topology,
    ) -> (EventKind, String, Option<u64>);
}

/// A response step of incident `group` finished at `site`: stops each of
/// `cases` it reaches, in order, and records why. Returns (incident,
/// records) for each stopped case with a number to tell.
pub(super) fn stop_at_site<C: SiteCase>(
    cases: &mut [C],
    ctx: &mut Ctx,
    action: StepAction,
    site: NodeId,
    group: usize,
) -> Vec<(usize, u64)> {
    let mut known = Vec::new();
    if !C::STOPPED_BY.contains(&action) {
        return known;
    }
    for c in cases
        .iter_mut()
        .filter(|c| c.running_at() == Some((group, site)))
    {
        let (kind, detail, records) = c.stop(ctx.t, action, ctx.topo);
        ctx.rec.event(ctx.t, kind, Some(site), None, detail);
        if let Some(n) = records {
            known.push((group, n));
        }
    }
    known
}
