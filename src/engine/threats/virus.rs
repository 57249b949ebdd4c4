//! A virus in one site's office hosts. It spreads inside the site's LAN
//! only (shared folders, removable media, mail inside the bureau — not over
//! the WAN like the worm) as a continuous-time SI process: the next
//! infection comes after an exponential time of rate `β·S·I/N`, drawn from
//! the `virus` random stream and put on the agenda at its exact minute.
//!
//! On a share of the hosts it infects, its payload deletes or encrypts the
//! local files some time after the infection (exponential, mean
//! `payload_delay_min`): the damage model (`engine::damage`) turns each
//! payload into data lost back to the site's last backup, and the
//! response's `restore_data` step exists only where that happened.
//!
//! Detection: the antivirus alerts on a newly infected host with
//! probability `antivirus`, and a user whose files are gone notices; each
//! is a [`Symptom`] at the site, which the teams detect at their usual rate.
//! The response (the plan's virus procedure, class `malware`): `isolate` at
//! the site unplugs the infected hosts (the spread stops, payloads still
//! fire on the hosts already infected); `clean` removes the virus from every
//! infected host (no payload fires after it, the cleaned hosts are protected
//! by the updated signatures) [I].

use bevy_ecs::prelude::Resource;

use super::{Ctx, Symptom};
use crate::engine::agenda::Action;
use crate::engine::record::{EventKind, ThreatOutcome};
use crate::engine::rng;
use crate::model::plan::StepAction;
use crate::model::scenario::{PayloadKind, VirusInject};
use crate::model::topology::{NodeId, Topology};

/// One virus outbreak at one site.
#[derive(Debug, Clone)]
pub struct Outbreak {
    pub inject: usize,
    pub group: usize,
    pub p: VirusInject,
    /// The site's hosts.
    pub n: u32,
    pub s: u32,
    pub i: u32,
    /// Hosts ever infected.
    pub ever: u32,
    /// Hosts whose files the payload hit.
    pub hit: u32,
    /// Minute of the next infection (None: no spread).
    pub next_infection: Option<f64>,
    /// Payloads still to fire on infected hosts (minutes, unsorted).
    pub payloads: Vec<f64>,
    pub isolated: Option<f64>,
    pub cleaned: Option<f64>,
    pub alerts: u32,
}

impl Outbreak {
    fn rate_per_min(&self) -> f64 {
        if self.isolated.is_some() || self.cleaned.is_some() || self.i == 0 || self.s == 0 {
            return 0.0;
        }
        self.p.spread_per_hour * self.s as f64 * self.i as f64 / self.n as f64 / 60.0
    }
}

/// Data hit by a virus payload, for the damage model to take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub site: NodeId,
    pub inject: usize,
    pub kind: PayloadKind,
    pub hosts: u32,
    pub minute: f64,
}

/// Every virus of the run; its stream is only made at the first one.
#[derive(Debug, Default, Resource)]
pub struct Viruses {
    rng: rng::LazyStream,
    pub outbreaks: Vec<Outbreak>,
    /// Payloads fired since the damage model last looked.
    pub hits: Vec<Hit>,
}

impl Viruses {
    pub fn new(seed: u64) -> Viruses {
        Viruses {
            rng: rng::LazyStream::new(seed, "virus"),
            ..Viruses::default()
        }
    }

    fn draw(&mut self) -> f64 {
        self.rng.draw()
    }

    fn exp_min(&mut self, rate_per_min: f64) -> f64 {
        -(1.0 - self.draw()).ln() / rate_per_min
    }

    /// Inject `k` (incident `group`) infects the site's first hosts at `ctx.t`.
    pub fn inject(&mut self, ctx: &mut Ctx, k: usize, group: usize, p: &VirusInject) {
        ctx.rec.event(
            ctx.t,
            EventKind::Inject,
            Some(p.site),
            None,
            describe(ctx.topo, p),
        );
        let n = ctx.topo.nodes[p.site as usize].hosts.max(1);
        self.outbreaks.push(Outbreak {
            inject: k,
            group,
            p: p.clone(),
            n,
            s: n,
            i: 0,
            ever: 0,
            hit: 0,
            next_infection: None,
            payloads: Vec::new(),
            isolated: None,
            cleaned: None,
            alerts: 0,
        });
        let c = self.outbreaks.len() - 1;
        for _ in 0..p.initial_hosts.min(n) {
            self.infect(ctx, c);
        }
        self.schedule_next(ctx, c);
    }

    /// One more host of outbreak `c` infected at `ctx.t`.
    fn infect(&mut self, ctx: &mut Ctx, c: usize) {
        let alert = self.draw() < self.outbreaks[c].p.antivirus;
        let payload = self.draw() < self.outbreaks[c].p.payload.share;
        let delay = if payload {
            let mean = self.outbreaks[c].p.payload_delay_min;
            Some(self.exp_min(1.0 / mean))
        } else {
            None
        };
        let o = &mut self.outbreaks[c];
        o.s -= 1;
        o.i += 1;
        o.ever += 1;
        if let Some(d) = delay {
            o.payloads.push(ctx.t + d);
            ctx.agenda.push(ctx.t + d, Action::Virus(c));
        }
        if alert {
            o.alerts += 1;
            ctx.rec.event(
                ctx.t,
                EventKind::Virus,
                Some(o.p.site),
                None,
                format!(
                    "virus {}: antivirus alert on an infected host at {} ({} of {} host(s) infected)",
                    o.p.name,
                    ctx.topo.nodes[o.p.site as usize].id,
                    o.i,
                    o.n
                ),
            );
            ctx.symptoms.0.push(Symptom {
                node: o.p.site,
                inject: o.inject,
            });
        }
    }

    fn schedule_next(&mut self, ctx: &mut Ctx, c: usize) {
        let rate = self.outbreaks[c].rate_per_min();
        let next = (rate > 0.0).then(|| ctx.t + self.exp_min(rate));
        self.outbreaks[c].next_infection = next;
        if let Some(t) = next {
            ctx.agenda.push(t, Action::Virus(c));
        }
    }

    /// Whatever of outbreak `c` is due now: payloads, then the next infection.
    pub fn on_action(&mut self, ctx: &mut Ctx, c: usize) {
        let t = ctx.t;
        let o = &mut self.outbreaks[c];
        let before = o.payloads.len();
        o.payloads.retain(|&m| m > t);
        let fired = (before - o.payloads.len()) as u32;
        if fired > 0 {
            o.hit += fired;
            self.hits.push(Hit {
                site: o.p.site,
                inject: o.inject,
                kind: o.p.payload.kind,
                hosts: fired,
                minute: t,
            });
            // The user finds the files gone.
            ctx.symptoms.0.push(Symptom {
                node: o.p.site,
                inject: o.inject,
            });
        }
        if o.next_infection.is_some_and(|m| m <= t) {
            o.next_infection = None;
            self.infect(ctx, c);
            self.schedule_next(ctx, c);
        }
    }

    /// A response step of incident `group` finished at `site`.
    pub fn on_step(&mut self, ctx: &mut Ctx, action: StepAction, site: NodeId, group: usize) {
        let id = &ctx.topo.nodes[site as usize].id;
        for o in self
            .outbreaks
            .iter_mut()
            .filter(|o| o.group == group && o.p.site == site && o.cleaned.is_none())
        {
            match action {
                StepAction::Isolate if o.isolated.is_none() => {
                    o.isolated = Some(ctx.t);
                    o.next_infection = None;
                    ctx.rec.event(
                        ctx.t,
                        EventKind::Virus,
                        Some(site),
                        None,
                        format!(
                            "virus {}: {} infected host(s) isolated at {id}; spread stopped",
                            o.p.name, o.i
                        ),
                    );
                }
                StepAction::Clean => {
                    o.cleaned = Some(ctx.t);
                    o.next_infection = None;
                    let saved = o.payloads.len();
                    o.payloads.clear();
                    ctx.rec.event(
                        ctx.t,
                        EventKind::Virus,
                        Some(site),
                        None,
                        format!(
                            "virus {}: removed from {} host(s) at {id}; {saved} payload(s) prevented",
                            o.p.name, o.i
                        ),
                    );
                    o.i = 0;
                }
                _ => {}
            }
        }
    }

    /// What each outbreak came to by the end of the run.
    pub fn outcomes(&self, _horizon: f64) -> Vec<ThreatOutcome> {
        self.outbreaks
            .iter()
            .map(|o| {
                let (stopped, by) = match (o.cleaned, o.isolated) {
                    (Some(t), _) => (Some(t), "clean"),
                    (None, Some(t)) => (Some(t), "isolate"),
                    _ => (None, ""),
                };
                ThreatOutcome {
                    inject: o.inject,
                    threat: "virus".into(),
                    stage: if o.cleaned.is_some() {
                        "cleaned"
                    } else if o.isolated.is_some() {
                        "isolated"
                    } else {
                        "spreading"
                    }
                    .into(),
                    node: o.p.site,
                    stopped,
                    stopped_by: by.into(),
                    alerts: o.alerts,
                    hosts_infected: o.ever as u64,
                    ..ThreatOutcome::default()
                }
            })
            .collect()
    }
}

/// One line describing the inject.
pub fn describe(topo: &Topology, p: &VirusInject) -> String {
    format!(
        "virus {}: office hosts of {} infected",
        p.name, topo.nodes[p.site as usize].id
    )
}
