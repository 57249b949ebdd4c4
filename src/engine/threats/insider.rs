//! Insider misuse or a rule violation at one unit: from the inject an
//! insider copies taxpayer records without a business need
//! (`data_access`, `records_per_hour`) or keeps a computer of the internal
//! network connected to the internet (`internet_link`, a violation of the
//! rule that keeps the two apart). Nothing shows on the network: it is found
//! by an audit (access logs, network scans) after an exponential time of
//! rate `audit_per_hour`, drawn from the `insider` random stream at the
//! inject; the finding is a [`Symptom`] at the unit, which the teams then
//! detect at their usual rate. The response stops it with `isolate` (the
//! computer unplugged, the account suspended) or `cut_attack_source` at the
//! unit [I]; investigation and the rest follow the plan. The records
//! copied, as the audit counts them and as forensics count them at the
//! stop, are a grading fact of the incident (`Response::set_records_leaked`,
//! as for a data leak): the plan's [R] thresholds grade taxpayer records
//! leaked, whoever copied them out.

use bevy_ecs::prelude::Resource;

use super::site_case::{SiteCase, stop_at_site};
use super::{Ctx, Symptom};
use crate::engine::agenda::Action;
use crate::engine::record::{EventKind, ThreatOutcome};
use crate::engine::rng;
use crate::model::plan::StepAction;
use crate::model::scenario::{InsiderInject, Misuse};
use crate::model::topology::{NodeId, Topology};

/// One insider's misuse.
#[derive(Debug, Clone)]
pub struct Misuser {
    pub inject: usize,
    pub group: usize,
    pub p: InsiderInject,
    pub start: f64,
    pub audited: Option<f64>,
    pub stopped: Option<(f64, StepAction)>,
}

impl Misuser {
    /// Minutes of misuse up to `t` (or the stop).
    pub fn minutes(&self, t: f64) -> f64 {
        let end = self.stopped.map_or(t, |s| s.0.min(t));
        (end - self.start).max(0.0)
    }
    /// Records copied up to `t`.
    pub fn records(&self, t: f64) -> u64 {
        match self.p.misuse {
            Misuse::DataAccess => (self.minutes(t) / 60.0 * self.p.records_per_hour).round() as u64,
            Misuse::InternetLink => 0,
        }
    }
}

/// Every insider of the run; its stream is only made at the first one.
#[derive(Debug, Default, Resource)]
pub struct Insiders {
    rng: rng::LazyStream,
    pub cases: Vec<Misuser>,
}

impl Insiders {
    pub fn new(seed: u64) -> Insiders {
        Insiders {
            rng: rng::LazyStream::new(seed, "insider"),
            ..Insiders::default()
        }
    }

    /// Inject `k` (incident `group`): the misuse starts at `ctx.t`.
    pub fn inject(&mut self, ctx: &mut Ctx, k: usize, group: usize, p: &InsiderInject) {
        ctx.rec.event(
            ctx.t,
            EventKind::Inject,
            Some(p.site),
            None,
            describe(ctx.topo, p),
        );
        let u = self.rng.draw();
        let wait = -(1.0 - u).ln() / p.audit_per_hour * 60.0;
        ctx.agenda
            .push(ctx.t + wait, Action::Insider(self.cases.len()));
        self.cases.push(Misuser {
            inject: k,
            group,
            p: p.clone(),
            start: ctx.t,
            audited: None,
            stopped: None,
        });
    }

    /// The audit finds case `c` now (unless already stopped). Returns
    /// (incident, records copied so far) for a data-access case: a grading
    /// fact from now on.
    pub fn on_action(&mut self, ctx: &mut Ctx, c: usize) -> Option<(usize, u64)> {
        let m = &mut self.cases[c];
        if m.stopped.is_some() || m.audited.is_some() {
            return None;
        }
        m.audited = Some(ctx.t);
        let id = &ctx.topo.nodes[m.p.site as usize].id;
        let what = match m.p.misuse {
            Misuse::DataAccess => format!(
                "audit finds unauthorised access to taxpayer records at {id}; {} record(s) copied so far",
                m.records(ctx.t)
            ),
            Misuse::InternetLink => format!(
                "audit finds an internal computer connected to the internet at {id}, for {:.1} h so far",
                m.minutes(ctx.t) / 60.0
            ),
        };
        ctx.rec.event(
            ctx.t,
            EventKind::Insider,
            Some(m.p.site),
            None,
            format!("insider {}: {what}", m.p.name),
        );
        ctx.symptoms.0.push(Symptom {
            node: m.p.site,
            inject: m.inject,
        });
        let n = m.records(ctx.t);
        (n > 0).then_some((m.group, n))
    }

    /// A response step of incident `group` finished at `site`. Returns
    /// (incident, records) for each data-access case it stopped (forensics
    /// count them).
    pub fn on_step(
        &mut self,
        ctx: &mut Ctx,
        action: StepAction,
        site: NodeId,
        group: usize,
    ) -> Vec<(usize, u64)> {
        stop_at_site(&mut self.cases, ctx, action, site, group)
    }

    /// What each case came to by minute `horizon`.
    pub fn outcomes(&self, horizon: f64) -> Vec<ThreatOutcome> {
        self.cases
            .iter()
            .map(|m| ThreatOutcome {
                inject: m.inject,
                threat: "insider".into(),
                stage: if m.stopped.is_some() {
                    "stopped"
                } else {
                    "ongoing"
                }
                .into(),
                node: m.p.site,
                stopped: m.stopped.map(|s| s.0),
                stopped_by: m
                    .stopped
                    .map(|s| s.1.as_str().to_string())
                    .unwrap_or_default(),
                alerts: m.audited.is_some() as u32,
                records_leaked: m.records(horizon),
                misuse_min: m.minutes(horizon),
                ..ThreatOutcome::default()
            })
            .collect()
    }
}

impl SiteCase for Misuser {
    const STOPPED_BY: &'static [StepAction] = &[StepAction::Isolate, StepAction::CutAttackSource];
    fn running_at(&self) -> Option<(usize, NodeId)> {
        self.stopped.is_none().then_some((self.group, self.p.site))
    }
    fn stop(
        &mut self,
        t: f64,
        action: StepAction,
        topo: &Topology,
    ) -> (EventKind, String, Option<u64>) {
        self.stopped = Some((t, action));
        let detail = format!(
            "insider {}: misuse stopped by {} at {} after {:.1} h",
            self.p.name,
            action.as_str(),
            topo.nodes[self.p.site as usize].id,
            self.minutes(t) / 60.0
        );
        let n = self.records(t);
        (EventKind::Insider, detail, (n > 0).then_some(n))
    }
}

/// One line describing the inject.
pub fn describe(topo: &Topology, p: &InsiderInject) -> String {
    let id = &topo.nodes[p.site as usize].id;
    match p.misuse {
        Misuse::DataAccess => format!(
            "insider {}: unauthorised access to taxpayer records at {id}",
            p.name
        ),
        Misuse::InternetLink => format!(
            "insider {}: internal network connected to the internet at {id}",
            p.name
        ),
    }
}
