//! Website defacement or harmful content: a site's pages are replaced at
//! the inject and stay up until the response takes them down. Exposure —
//! page views — grows with time (`views_per_hour`, growing by
//! `growth_per_hour` of itself each hour as the pages are shared). Staff,
//! taxpayers and the press each notice at their own rate; the first to
//! notice (drawn from the `defacement` random stream at the inject) tells
//! the site: a [`Symptom`] the teams pick up. `take_down_content` at the
//! site ends the exposure; `restore_service` there brings the real pages
//! back (and ends the exposure too if nothing took the pages down first). Evidence is preserved by the procedure's tracing step before the
//! pages are rebuilt (the plan's order, not modelled here).

use bevy_ecs::prelude::Resource;

use super::{Ctx, Symptom};
use crate::engine::agenda::Action;
use crate::engine::record::{EventKind, ThreatOutcome};
use crate::engine::rng;
use crate::model::plan::StepAction;
use crate::model::scenario::DefacementInject;
use crate::model::topology::{NodeId, Topology};

/// Who notices a defaced page, in `notice_per_hour` order.
pub const NOTICERS: [&str; 3] = ["staff", "taxpayers", "press"];

/// One defaced site.
#[derive(Debug, Clone)]
pub struct Defaced {
    pub inject: usize,
    pub group: usize,
    pub p: DefacementInject,
    pub start: f64,
    /// Who notices first (index into [`NOTICERS`]); drawn at the inject.
    pub noticer: Option<usize>,
    pub noticed: Option<f64>,
    pub taken_down: Option<f64>,
    pub taken_down_by: StepAction,
    pub restored: Option<f64>,
}

impl Defaced {
    /// Page views from the start to minute `t` (or the take-down).
    pub fn views(&self, t: f64) -> u64 {
        let end = self.taken_down.map_or(t, |d| d.min(t));
        let h = ((end - self.start) / 60.0).max(0.0);
        let (v, g) = (self.p.views_per_hour, self.p.growth_per_hour);
        let views = if g > 0.0 {
            v * ((g * h).exp() - 1.0) / g
        } else {
            v * h
        };
        views.round() as u64
    }
}

/// Every defacement of the run; its stream is only made at the first one.
#[derive(Debug, Default, Resource)]
pub struct Defacements {
    rng: rng::LazyStream,
    pub sites: Vec<Defaced>,
}

impl Defacements {
    pub fn new(seed: u64) -> Defacements {
        Defacements {
            rng: rng::LazyStream::new(seed, "defacement"),
            ..Defacements::default()
        }
    }

    fn draw(&mut self) -> f64 {
        self.rng.draw()
    }

    /// Inject `k` (incident `group`) defaces the site at `ctx.t`.
    pub fn inject(&mut self, ctx: &mut Ctx, k: usize, group: usize, p: &DefacementInject) {
        ctx.rec.event(
            ctx.t,
            EventKind::Inject,
            Some(p.site),
            None,
            describe(ctx.topo, p),
        );
        // Competing exponential clocks: the first notice comes at rate
        // Σ r, from noticer i with probability r_i / Σ r.
        let total: f64 = p.notice_per_hour.iter().sum();
        let (u, w) = (self.draw(), self.draw());
        let mut noticer = None;
        if total > 0.0 {
            let wait = -(1.0 - u).ln() / total * 60.0;
            let mut acc = 0.0;
            for (i, r) in p.notice_per_hour.iter().enumerate() {
                acc += r / total;
                if w < acc || i == 2 {
                    noticer = Some(i);
                    break;
                }
            }
            ctx.agenda
                .push(ctx.t + wait, Action::Defacement(self.sites.len()));
        }
        self.sites.push(Defaced {
            inject: k,
            group,
            p: p.clone(),
            start: ctx.t,
            noticer,
            noticed: None,
            taken_down: None,
            taken_down_by: StepAction::TakeDownContent,
            restored: None,
        });
    }

    /// Defacement `c` is noticed now (unless already taken down).
    pub fn on_action(&mut self, ctx: &mut Ctx, c: usize) {
        let d = &mut self.sites[c];
        if d.taken_down.is_some() || d.noticed.is_some() {
            return;
        }
        d.noticed = Some(ctx.t);
        let who = NOTICERS[d.noticer.unwrap_or(0)];
        ctx.rec.event(
            ctx.t,
            EventKind::Defacement,
            Some(d.p.site),
            None,
            format!(
                "{} {}: noticed by {who} at {}; {} page views so far",
                kind(&d.p),
                d.p.name,
                ctx.topo.nodes[d.p.site as usize].id,
                d.views(ctx.t)
            ),
        );
        ctx.symptoms.0.push(Symptom {
            node: d.p.site,
            inject: d.inject,
        });
    }

    /// A response step of incident `group` finished at `site`.
    pub fn on_step(&mut self, ctx: &mut Ctx, action: StepAction, site: NodeId, group: usize) {
        for d in self
            .sites
            .iter_mut()
            .filter(|d| d.group == group && d.p.site == site)
        {
            let id = &ctx.topo.nodes[site as usize].id;
            match action {
                // A plan without a take-down step (unit-plan's hacker
                // attack) replaces the pages when it restores the system.
                StepAction::TakeDownContent | StepAction::RestoreService
                    if d.taken_down.is_none() =>
                {
                    d.taken_down = Some(ctx.t);
                    d.taken_down_by = action;
                    if action == StepAction::RestoreService {
                        d.restored = Some(ctx.t);
                    }
                    ctx.rec.event(
                        ctx.t,
                        EventKind::Defacement,
                        Some(site),
                        None,
                        format!(
                            "{} {}: {} taken down at {id} after {:.1} h exposed; {} page views",
                            kind(&d.p),
                            d.p.name,
                            if d.p.harmful { "content" } else { "pages" },
                            (ctx.t - d.start) / 60.0,
                            d.views(ctx.t)
                        ),
                    );
                }
                StepAction::RestoreService if d.taken_down.is_some() && d.restored.is_none() => {
                    d.restored = Some(ctx.t);
                    ctx.rec.event(
                        ctx.t,
                        EventKind::Defacement,
                        Some(site),
                        None,
                        if d.p.harmful {
                            format!("harmful content {}: website restored at {id}", d.p.name)
                        } else {
                            format!("defacement {}: genuine pages restored at {id}", d.p.name)
                        },
                    );
                }
                _ => {}
            }
        }
    }

    /// What each defacement came to by minute `horizon`.
    pub fn outcomes(&self, horizon: f64) -> Vec<ThreatOutcome> {
        self.sites
            .iter()
            .map(|d| ThreatOutcome {
                inject: d.inject,
                threat: "defacement".into(),
                stage: if d.restored.is_some() {
                    "restored"
                } else if d.taken_down.is_some() {
                    "taken_down"
                } else {
                    "exposed"
                }
                .into(),
                node: d.p.site,
                stopped: d.taken_down,
                stopped_by: if d.taken_down.is_some() {
                    d.taken_down_by.as_str().into()
                } else {
                    String::new()
                },
                alerts: d.noticed.is_some() as u32,
                noticed_by: match (d.noticed, d.noticer) {
                    (Some(_), Some(i)) => NOTICERS[i].into(),
                    _ => String::new(),
                },
                exposure_views: d.views(horizon),
                ..ThreatOutcome::default()
            })
            .collect()
    }
}

/// One line describing the inject.
pub fn describe(topo: &Topology, p: &DefacementInject) -> String {
    let id = &topo.nodes[p.site as usize].id;
    if p.harmful {
        format!("harmful content {}: posted on the website of {id}", p.name)
    } else {
        format!("defacement {}: website of {id} defaced", p.name)
    }
}

/// What the event lines call it: harmful content posted, or a defacement.
fn kind(p: &DefacementInject) -> &'static str {
    if p.harmful {
        "harmful content"
    } else {
        "defacement"
    }
}
