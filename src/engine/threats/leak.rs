//! Data leak: taxpayer records copied out of a data centre at
//! `records_per_hour` from the inject, until the exfiltration ends by
//! itself (the inject's `duration`) or the response cuts it
//! (`cut_attack_source`, `isolate` or `disconnect_site` at the site) [I].
//!
//! Nobody sees the copying itself: the leak is discovered later, by an
//! internal audit or from outside — a buyer offered the data, the press,
//! the police — each at its own rate per hour (competing exponential
//! clocks drawn from the `leak` random stream at the inject; the first to
//! find it tells the site: a [`Symptom`]). The number of records leaked
//! becomes a fact of the incident then (`Response::set_records_leaked`), and
//! again, complete, when the source is cut (forensics): the plan's grading
//! rules on records leaked (`RecordsLeakedAtLeast`) grade the incident by
//! it, through the ordinary grading path, so the reports up the chain
//! follow the level.

use bevy_ecs::prelude::Resource;

use super::site_case::{SiteCase, stop_at_site};
use super::{Ctx, Symptom};
use crate::engine::agenda::Action;
use crate::engine::record::{EventKind, ThreatOutcome};
use crate::engine::rng;
use crate::model::plan::StepAction;
use crate::model::scenario::{LEAK_DISCOVERERS, LeakInject};
use crate::model::topology::{NodeId, Topology};

/// One leak.
#[derive(Debug, Clone)]
pub struct Leak {
    pub inject: usize,
    pub group: usize,
    pub p: LeakInject,
    pub start: f64,
    /// Who discovers it (index into [`LEAK_DISCOVERERS`]); drawn at the inject.
    pub discoverer: usize,
    pub discovered: Option<f64>,
    /// When and how the copying stopped: a step's `as_str`, or `attacker`.
    pub stopped: Option<(f64, &'static str)>,
}

impl Leak {
    /// Records copied out up to minute `t`.
    pub fn records(&self, t: f64) -> u64 {
        let mut end = t;
        if let Some(d) = self.p.duration_min {
            end = end.min(self.start + d);
        }
        if let Some((s, _)) = self.stopped {
            end = end.min(s);
        }
        ((end - self.start).max(0.0) / 60.0 * self.p.records_per_hour).round() as u64
    }
}

/// Every leak of the run; its stream is only made at the first one.
#[derive(Debug, Default, Resource)]
pub struct Leaks {
    rng: rng::LazyStream,
    pub leaks: Vec<Leak>,
}

impl Leaks {
    pub fn new(seed: u64) -> Leaks {
        Leaks {
            rng: rng::LazyStream::new(seed, "leak"),
            ..Leaks::default()
        }
    }

    fn draw(&mut self) -> f64 {
        self.rng.draw()
    }

    /// Inject `k` (incident `group`) starts the copying at `ctx.t`.
    pub fn inject(&mut self, ctx: &mut Ctx, k: usize, group: usize, p: &LeakInject) {
        ctx.rec.event(
            ctx.t,
            EventKind::Inject,
            Some(p.site),
            None,
            describe(ctx.topo, p),
        );
        // Competing exponential clocks: the first discovery comes at rate
        // Σ r, by discoverer i with probability r_i / Σ r.
        let total: f64 = p.discover_per_hour.iter().sum();
        let (u, w) = (self.draw(), self.draw());
        let wait = -(1.0 - u).ln() / total * 60.0;
        let mut who = LEAK_DISCOVERERS.len() - 1;
        let mut acc = 0.0;
        for (i, r) in p.discover_per_hour.iter().enumerate() {
            acc += r / total;
            if w < acc && *r > 0.0 {
                who = i;
                break;
            }
        }
        let c = self.leaks.len();
        ctx.agenda.push(ctx.t + wait, Action::Leak(c, false));
        if let Some(d) = p.duration_min {
            ctx.agenda.push(ctx.t + d, Action::Leak(c, true));
        }
        self.leaks.push(Leak {
            inject: k,
            group,
            p: p.clone(),
            start: ctx.t,
            discoverer: who,
            discovered: None,
            stopped: None,
        });
    }

    /// Leak `c` is discovered (`ends` false) or its copying ends by itself
    /// (true). Returns (incident, records known) when the response learns a
    /// number.
    pub fn on_action(&mut self, ctx: &mut Ctx, c: usize, ends: bool) -> Option<(usize, u64)> {
        let l = &mut self.leaks[c];
        let id = &ctx.topo.nodes[l.p.site as usize].id;
        if ends {
            if l.stopped.is_none() {
                let n = l.records(ctx.t);
                l.stopped = Some((ctx.t, "attacker"));
                ctx.rec.event(
                    ctx.t,
                    EventKind::DataLeak,
                    Some(l.p.site),
                    None,
                    format!(
                        "data leak {}: copying from {id} ended after {:.1} h; {n} records copied out",
                        l.p.name,
                        (ctx.t - l.start) / 60.0
                    ),
                );
            }
            return None;
        }
        if l.discovered.is_some() {
            return None;
        }
        l.discovered = Some(ctx.t);
        let n = l.records(ctx.t);
        ctx.rec.event(
            ctx.t,
            EventKind::DataLeak,
            Some(l.p.site),
            None,
            format!(
                "data leak {}: discovered by {} at {id}; {n} records copied out so far",
                l.p.name, LEAK_DISCOVERERS[l.discoverer]
            ),
        );
        ctx.symptoms.0.push(Symptom {
            node: l.p.site,
            inject: l.inject,
        });
        Some((l.group, n))
    }

    /// A response step of incident `group` finished at `site`. Returns
    /// (incident, records) for each leak it stopped (forensics count them).
    pub fn on_step(
        &mut self,
        ctx: &mut Ctx,
        action: StepAction,
        site: NodeId,
        group: usize,
    ) -> Vec<(usize, u64)> {
        stop_at_site(&mut self.leaks, ctx, action, site, group)
    }

    /// What each leak came to by minute `horizon`.
    pub fn outcomes(&self, horizon: f64) -> Vec<ThreatOutcome> {
        self.leaks
            .iter()
            .map(|l| ThreatOutcome {
                inject: l.inject,
                threat: "data_leak".into(),
                stage: match (l.stopped, l.discovered) {
                    (Some((_, "attacker")), _) => "ended",
                    (Some(_), _) => "stopped",
                    (None, Some(d)) if d <= horizon => "copying",
                    _ => "undiscovered",
                }
                .into(),
                node: l.p.site,
                stopped: l.stopped.map(|s| s.0),
                stopped_by: l.stopped.map(|s| s.1.to_string()).unwrap_or_default(),
                alerts: l.discovered.is_some() as u32,
                noticed_by: if l.discovered.is_some() {
                    LEAK_DISCOVERERS[l.discoverer].into()
                } else {
                    String::new()
                },
                records_leaked: l.records(horizon),
                ..ThreatOutcome::default()
            })
            .collect()
    }
}

impl SiteCase for Leak {
    const STOPPED_BY: &'static [StepAction] = &[
        StepAction::CutAttackSource,
        StepAction::Isolate,
        StepAction::DisconnectSite,
    ];
    fn running_at(&self) -> Option<(usize, NodeId)> {
        self.stopped.is_none().then_some((self.group, self.p.site))
    }
    fn stop(
        &mut self,
        t: f64,
        action: StepAction,
        topo: &Topology,
    ) -> (EventKind, String, Option<u64>) {
        self.stopped = Some((t, action.as_str()));
        let n = self.records(t);
        let detail = format!(
            "data leak {}: copying stopped by {} at {}; {n} records copied out",
            self.p.name,
            action.as_str(),
            topo.nodes[self.p.site as usize].id
        );
        (EventKind::DataLeak, detail, Some(n))
    }
}

/// One line describing the inject.
pub fn describe(topo: &Topology, p: &LeakInject) -> String {
    format!(
        "data leak {}: records copied out of the data centre of {}",
        p.name, topo.nodes[p.site as usize].id
    )
}
