//! The intrusion kill chain: reconnaissance of an internet-facing service
//! at the entry → exploit → foothold → lateral movement up the WAN one
//! bureau at a time toward the target (a provincial data centre or HQ; an
//! entry that is the target moves once inside it) →
//! the objective (exfiltration, tampering or defacement).
//!
//! Every stage ends on the agenda at its exact minute (exponential times
//! with the inject's means, drawn from the `intrusion` random stream), and
//! raises an alert with the stage's probability: a [`Symptom`] at the node
//! where it happened, which the teams detect at their usual rate (an alert
//! on a running site is a weak symptom). The response stops the chain at the
//! stage it reached: `cut_attack_source` at any bureau the intruder holds
//! (the way back out to the attacker is cut), `patch` or `harden` at the
//! bureau it is working from (the hole it uses next is closed) [I].
//! Exfiltration copies `records_per_hour` while the objective stage runs.
//!
//! Compromise through an external link: with `via`, the intruder comes in
//! from a compromised partner system (customs, finance, banks) over the
//! partner's `external` line to the entry (HQ) instead of from the
//! internet; `cut_attack_source` at the entry cuts that line (the partner's
//! data exchange stops with it) and `restore_service` there reconnects it.

use bevy_ecs::prelude::Resource;

use super::{Ctx, Symptom};
use crate::engine::agenda::Action;
use crate::engine::record::{EventKind, ThreatOutcome};
use crate::engine::rng;
use crate::model::plan::StepAction;
use crate::model::scenario::{IntrusionGoal, IntrusionInject, Stage};
use crate::model::topology::{LinkId, NodeId, Topology};

/// One kill chain in progress.
#[derive(Debug, Clone)]
pub struct Chain {
    pub inject: usize,
    /// The incident it belongs to (first inject of its compound event).
    pub group: usize,
    pub p: IntrusionInject,
    /// The stage in progress (or the last one, once over).
    pub stage: Stage,
    /// Index into `p.path` of the bureau it works from.
    pub hop: usize,
    pub action_start: Option<f64>,
    pub done: Option<f64>,
    pub stopped: Option<(f64, StepAction)>,
    pub alerts: u32,
    /// The partner line (`p.via`) is cut by the response.
    pub line_cut: bool,
}

impl Chain {
    fn over(&self) -> bool {
        self.done.is_some() || self.stopped.is_some()
    }
    /// Records copied out up to minute `t`.
    pub fn records(&self, t: f64) -> u64 {
        if self.p.objective != IntrusionGoal::Exfiltrate {
            return 0;
        }
        let Some(a) = self.action_start else { return 0 };
        let end = [self.done, self.stopped.map(|s| s.0), Some(t)]
            .into_iter()
            .flatten()
            .fold(f64::INFINITY, f64::min);
        ((end - a).max(0.0) / 60.0 * self.p.records_per_hour).round() as u64
    }
}

/// Every intrusion of the run; its stream is only made at the first one.
#[derive(Debug, Default, Resource)]
pub struct Intrusions {
    rng: rng::LazyStream,
    pub chains: Vec<Chain>,
}

impl Intrusions {
    pub fn new(seed: u64) -> Intrusions {
        Intrusions {
            rng: rng::LazyStream::new(seed, "intrusion"),
            ..Intrusions::default()
        }
    }

    fn draw_exp(&mut self, mean: f64) -> f64 {
        let u = self.rng.draw();
        -mean * (1.0 - u).ln()
    }

    fn draw(&mut self) -> f64 {
        self.rng.draw()
    }

    /// Inject `k` (incident `group`) starts a chain at `ctx.t`.
    pub fn inject(&mut self, ctx: &mut Ctx, k: usize, group: usize, p: &IntrusionInject) {
        let topo = ctx.topo;
        ctx.rec.event(
            ctx.t,
            EventKind::Inject,
            Some(p.entry),
            None,
            describe(topo, p),
        );
        self.chains.push(Chain {
            inject: k,
            group,
            p: p.clone(),
            stage: Stage::Recon,
            hop: 0,
            action_start: None,
            done: None,
            stopped: None,
            alerts: 0,
            line_cut: false,
        });
        let c = self.chains.len() - 1;
        let d = self.draw_exp(p.mean_min[Stage::Recon as usize]);
        ctx.agenda.push(ctx.t + d, Action::Intrusion(c));
    }

    /// The stage in progress of chain `c` ends now.
    pub fn on_action(&mut self, ctx: &mut Ctx, c: usize) {
        if self.chains[c].over() {
            return;
        }
        let (topo, t) = (ctx.topo, ctx.t);
        let stage = self.chains[c].stage;
        let last = self.chains[c].p.path.len() - 1;
        // A lateral move lands on the next bureau up (an entry that is the
        // target itself: one move inside it, from the public web zone to
        // the data centre).
        if stage == Stage::Lateral && last > 0 {
            self.chains[c].hop += 1;
        }
        let node = self.chains[c].p.path[self.chains[c].hop];
        let alert = self.draw() < self.chains[c].p.detect[stage as usize];
        let ch = &mut self.chains[c];
        let what = match stage {
            Stage::Recon => match ch.p.via {
                Some(l) => format!(
                    "reconnaissance over the external line from {}",
                    topo.nodes[partner(topo, l, ch.p.entry) as usize].id
                ),
                None => "reconnaissance of the internet-facing services".to_string(),
            },
            Stage::Exploit => "vulnerability exploited".to_string(),
            Stage::Foothold => "foothold established (backdoor installed)".to_string(),
            Stage::Lateral if ch.hop > 0 => format!(
                "lateral movement from {}",
                topo.nodes[ch.p.path[ch.hop - 1] as usize].id
            ),
            Stage::Lateral => "lateral movement from the public web zone".to_string(),
            Stage::Action => format!("{} finished", goal_str(ch.p.objective)),
        };
        ch.alerts += alert as u32;
        ctx.rec.event(
            t,
            EventKind::Intrusion,
            Some(node),
            None,
            format!(
                "intrusion {}: {what} at {}{}",
                ch.p.name,
                topo.nodes[node as usize].id,
                if alert { "; alert raised" } else { "" }
            ),
        );
        if alert {
            ctx.symptoms.0.push(Symptom {
                node,
                inject: ch.inject,
            });
        }
        let next = match stage {
            Stage::Recon => Stage::Exploit,
            Stage::Exploit => Stage::Foothold,
            Stage::Foothold => Stage::Lateral,
            Stage::Lateral if ch.hop < last => Stage::Lateral,
            Stage::Lateral => Stage::Action,
            Stage::Action => {
                ch.done = Some(t);
                return;
            }
        };
        ch.stage = next;
        if next == Stage::Action {
            ch.action_start = Some(t);
            ctx.rec.event(
                t,
                EventKind::Intrusion,
                Some(node),
                None,
                format!(
                    "intrusion {}: {} started at {}",
                    ch.p.name,
                    goal_str(ch.p.objective),
                    topo.nodes[node as usize].id
                ),
            );
        }
        let mean = ch.p.mean_min[next as usize];
        let d = self.draw_exp(mean);
        ctx.agenda.push(t + d, Action::Intrusion(c));
    }

    /// A response step of incident `group` finished at `site`.
    pub fn on_step(&mut self, ctx: &mut Ctx, action: StepAction, site: NodeId, group: usize) {
        let topo = ctx.topo;
        for ch in self.chains.iter_mut().filter(|c| c.group == group) {
            // In over a partner line: cutting the attack source at the entry
            // cuts that line; restoring the entry's service (after patching
            // and hardening, the plan's order) reconnects it.
            if let Some(l) = ch.p.via
                && site == ch.p.entry
            {
                let cut = match action {
                    StepAction::CutAttackSource if !ch.line_cut => Some(true),
                    StepAction::RestoreService if ch.line_cut => Some(false),
                    _ => None,
                };
                if let Some(cut) = cut {
                    ch.line_cut = cut;
                    ctx.net.set_link_cut(topo, l, cut, ctx.t, ctx.flipped);
                    ctx.rec.event(
                        ctx.t,
                        if cut {
                            EventKind::LinkCut
                        } else {
                            EventKind::LinkRepaired
                        },
                        Some(site),
                        Some(l),
                        super::link_name(topo, l),
                    );
                    ctx.rec.event(
                        ctx.t,
                        EventKind::Intrusion,
                        Some(site),
                        Some(l),
                        format!(
                            "intrusion {}: external line from {} {} at {}",
                            ch.p.name,
                            topo.nodes[partner(topo, l, site) as usize].id,
                            if cut { "cut" } else { "reconnected" },
                            topo.nodes[site as usize].id
                        ),
                    );
                }
            }
            if ch.over() {
                continue;
            }
            let held = &ch.p.path[..=ch.hop];
            let stops = match action {
                StepAction::CutAttackSource => held.contains(&site),
                StepAction::Patch | StepAction::Harden => ch.p.path[ch.hop] == site,
                _ => false,
            };
            if !stops {
                continue;
            }
            ch.stopped = Some((ctx.t, action));
            ctx.rec.event(
                ctx.t,
                EventKind::Intrusion,
                Some(site),
                None,
                format!(
                    "intrusion {}: stopped at stage {} by {} at {}",
                    ch.p.name,
                    ch.stage.as_str(),
                    action.as_str(),
                    topo.nodes[site as usize].id
                ),
            );
        }
    }

    /// What each chain achieved by minute `horizon`.
    pub fn outcomes(&self, horizon: f64) -> Vec<ThreatOutcome> {
        self.chains
            .iter()
            .map(|c| ThreatOutcome {
                inject: c.inject,
                threat: "intrusion".into(),
                stage: c.stage.as_str().into(),
                node: c.p.path[c.hop],
                objective_done: c.done,
                stopped: c.stopped.map(|s| s.0),
                stopped_by: c
                    .stopped
                    .map(|s| s.1.as_str().to_string())
                    .unwrap_or_default(),
                alerts: c.alerts,
                records_leaked: c.records(horizon),
                ..ThreatOutcome::default()
            })
            .collect()
    }
}

fn goal_str(g: IntrusionGoal) -> &'static str {
    match g {
        IntrusionGoal::Exfiltrate => "exfiltration",
        IntrusionGoal::Tamper => "tampering",
        IntrusionGoal::Deface => "defacement",
    }
}

/// The other end of line `l` from `v` (the partner of a partner line).
fn partner(topo: &Topology, l: LinkId, v: NodeId) -> NodeId {
    let link = &topo.links[l as usize];
    if link.a == v { link.b } else { link.a }
}

/// One line describing the inject (in over a partner line: from the partner).
pub fn describe(topo: &Topology, p: &IntrusionInject) -> String {
    let from = p.via.map_or(p.entry, |l| partner(topo, l, p.entry));
    format!(
        "intrusion {}: from {} toward {} ({})",
        p.name,
        topo.nodes[from as usize].id,
        topo.nodes[*p.path.last().unwrap_or(&p.entry) as usize].id,
        goal_str(p.objective)
    )
}
