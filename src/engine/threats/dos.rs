//! Denial of service on online filing: a flood of traffic at the internet
//! link of a provincial (or HQ) e-filing portal, and the taxpayers' filings
//! it turns away.
//!
//! **Attack.** From the inject the flood takes `attack_share` of the
//! portal's capacity (`capacity_per_hour` filings): what is left serves
//! `capacity × max(0, 1 − attack_share)` filings an hour. At a share of 1
//! or more the link is saturated: the site's internet-facing services are
//! down (`Net::flooded`), which the grading facts and the service-hours
//! see like any outage. The flood ends when the attacker stops by itself
//! (the inject's `duration`) or when the response mitigates it:
//! `cut_attack_source` at the portal's site (filtering the attack traffic at
//! the gateway or asking the carrier to drop it upstream), `block_at_gateways`
//! of the same incident (traffic filtering at the lead's gateways) or
//! `restore_service` at the site (service restored on a standby portal —
//! failover) [I].
//!
//! **Demand** [I: a shape, not a measured series]. Filings per hour at
//! calendar minute t = `filings_per_month` × day weight / Σ day weights of
//! that month × hour weight / Σ hour weights, with
//! - a monthly cycle: the filing period runs from the 1st to the deadline
//!   on the 15th (holiday extensions are not modelled); weight 1 on days
//!   1–10, then 1.5, 2, 3, 4.5 and 6 on the 11th–15th (most returns are
//!   filed in the last days), 0.2 after the deadline (corrections, late
//!   filers) — [`DAY_WEIGHTS`];
//! - a daily profile: almost nothing at night, peaks in the morning and
//!   afternoon office hours, an evening tail — [`HOUR_WEIGHTS`].
//!
//! **Losses.** While the flood lasts, filings above the served capacity are
//! turned away: `abandon_share` of them are lost (the taxpayer gives up, or
//! files late at the counter), the rest retry once the portal is back
//! (delayed; a retry is not turned away twice — [I]). Exact: the demand is
//! piecewise constant per clock hour, so the integral is a sum over hours.
//!
//! **Symptoms.** Monitoring alarms or taxpayers' complaints show the flood
//! after an exponential wait at `notice_per_hour` (drawn from the `dos`
//! random stream at the inject): a [`Symptom`] at the site.

use bevy_ecs::prelude::Resource;

use super::{Ctx, Symptom};
use crate::engine::agenda::Action;
use crate::engine::record::{EventKind, ThreatOutcome};
use crate::engine::rng;
use crate::model::plan::StepAction;
use crate::model::scenario::DosInject;
use crate::model::topology::{NodeId, Topology};

/// Relative filing volume by day of the month (index 0 = the 1st) [I].
pub const DAY_WEIGHTS: [f64; 31] = [
    1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, // 1st–10th
    1.5, 2.0, 3.0, 4.5, 6.0, // 11th–15th: the deadline
    0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2,
];

/// Relative filing volume by hour of the day (index 0 = 00:00–01:00) [I].
pub const HOUR_WEIGHTS: [f64; 24] = [
    0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 1.0, 4.0, 9.0, 10.0, 9.0, 5.0, 6.0, 9.0, 10.0, 9.0, 6.0,
    4.0, 4.0, 4.0, 3.0, 2.0, 1.0,
];

/// Filings per hour a portal of `per_month` receives on `date` at `hour` [I].
pub fn demand_per_hour(per_month: f64, date: jiff::civil::Date, hour: usize) -> f64 {
    let days = date.days_in_month() as usize;
    let month: f64 = DAY_WEIGHTS[..days].iter().sum();
    let day = DAY_WEIGHTS[date.day() as usize - 1] / month;
    let hours: f64 = HOUR_WEIGHTS.iter().sum();
    per_month * day * HOUR_WEIGHTS[hour] / hours
}

/// One attack.
#[derive(Debug, Clone)]
pub struct Attack {
    pub inject: usize,
    pub group: usize,
    pub p: DosInject,
    pub start: f64,
    pub noticed: Option<f64>,
    /// When and how the flood ended: a step's `as_str`, or `attacker`.
    pub stopped: Option<(f64, &'static str)>,
}

/// Every attack of the run; its stream is only made at the first one.
#[derive(Debug, Resource)]
pub struct Dos {
    /// The scenario's calendar start (the demand follows the calendar).
    origin: jiff::civil::DateTime,
    rng: rng::LazyStream,
    pub attacks: Vec<Attack>,
}

impl Dos {
    pub fn new(seed: u64, origin: jiff::civil::DateTime) -> Dos {
        Dos {
            origin,
            rng: rng::LazyStream::new(seed, "dos"),
            attacks: Vec::new(),
        }
    }

    fn draw(&mut self) -> f64 {
        self.rng.draw()
    }

    /// Filings turned away by attack `a` between minutes `from` and `to`.
    pub fn turned_away(&self, a: &Attack, from: f64, to: f64) -> f64 {
        turned_away(self.origin, &a.p, from, to)
    }

    /// (lost, delayed) filings of attack `a` up to minute `t`.
    pub fn losses(&self, a: &Attack, t: f64) -> (u64, u64) {
        let end = a.stopped.map_or(t, |s| s.0.min(t));
        let n = self.turned_away(a, a.start, end);
        let lost = (n * a.p.abandon_share).round();
        (lost as u64, (n.round() - lost).max(0.0) as u64)
    }

    /// Inject `k` (incident `group`) starts a flood at `ctx.t`.
    pub fn inject(&mut self, ctx: &mut Ctx, k: usize, group: usize, p: &DosInject) {
        ctx.rec.event(
            ctx.t,
            EventKind::Inject,
            Some(p.site),
            None,
            describe(ctx.topo, p),
        );
        let c = self.attacks.len();
        let wait = -(1.0 - self.draw()).ln() / p.notice_per_hour * 60.0;
        ctx.agenda.push(ctx.t + wait, Action::Dos(c, false));
        if let Some(d) = p.duration_min {
            ctx.agenda.push(ctx.t + d, Action::Dos(c, true));
        }
        if p.attack_share >= 1.0 {
            ctx.net.set_flooded(p.site, true);
        }
        self.attacks.push(Attack {
            inject: k,
            group,
            p: p.clone(),
            start: ctx.t,
            noticed: None,
            stopped: None,
        });
    }

    /// Attack `c` is noticed (`ends` false) or its attacker stops (true).
    pub fn on_action(&mut self, ctx: &mut Ctx, c: usize, ends: bool) {
        if self.attacks[c].stopped.is_some() {
            return;
        }
        if ends {
            self.stop(ctx, c, "attacker");
            return;
        }
        let a = &self.attacks[c];
        if a.noticed.is_some() {
            return;
        }
        let (lost, delayed) = self.losses(a, ctx.t);
        let a = &mut self.attacks[c];
        a.noticed = Some(ctx.t);
        ctx.rec.event(
            ctx.t,
            EventKind::DenialOfService,
            Some(a.p.site),
            None,
            format!(
                "denial of service {}: flood noticed at {}; {} filings lost and {} delayed so far",
                a.p.name, ctx.topo.nodes[a.p.site as usize].id, lost, delayed
            ),
        );
        ctx.symptoms.0.push(Symptom {
            node: a.p.site,
            inject: a.inject,
        });
    }

    fn stop(&mut self, ctx: &mut Ctx, c: usize, by: &'static str) {
        self.attacks[c].stopped = Some((ctx.t, by));
        let a = &self.attacks[c];
        let (lost, delayed) = self.losses(a, ctx.t);
        // Another flood still running at the same site keeps it down.
        let site = a.p.site;
        let others = self
            .attacks
            .iter()
            .any(|o| o.p.site == site && o.stopped.is_none() && o.p.attack_share >= 1.0);
        if !others {
            ctx.net.set_flooded(site, false);
        }
        let a = &self.attacks[c];
        let id = &ctx.topo.nodes[site as usize].id;
        let how = if by == "attacker" {
            format!("the attacker stopped the flood at {id}")
        } else {
            format!("flood mitigated by {by} at {id}")
        };
        ctx.rec.event(
            ctx.t,
            EventKind::DenialOfService,
            Some(site),
            None,
            format!(
                "denial of service {}: {how} after {:.1} h; {lost} filings lost, {delayed} delayed",
                a.p.name,
                (ctx.t - a.start) / 60.0
            ),
        );
    }

    /// A response step of incident `group` finished at `site`.
    pub fn on_step(&mut self, ctx: &mut Ctx, action: StepAction, site: NodeId, group: usize) {
        for c in 0..self.attacks.len() {
            let a = &self.attacks[c];
            if a.group != group || a.stopped.is_some() {
                continue;
            }
            let ends = match action {
                StepAction::CutAttackSource | StepAction::RestoreService => a.p.site == site,
                StepAction::BlockAtGateways => true,
                _ => false,
            };
            if ends {
                self.stop(ctx, c, action.as_str());
            }
        }
    }

    /// What each attack cost by minute `horizon`.
    pub fn outcomes(&self, horizon: f64) -> Vec<ThreatOutcome> {
        self.attacks
            .iter()
            .map(|a| {
                let (lost, delayed) = self.losses(a, horizon);
                ThreatOutcome {
                    inject: a.inject,
                    threat: "denial_of_service".into(),
                    stage: match a.stopped {
                        Some((_, "attacker")) => "ended",
                        Some(_) => "mitigated",
                        None => "ongoing",
                    }
                    .into(),
                    node: a.p.site,
                    stopped: a.stopped.map(|s| s.0),
                    stopped_by: a.stopped.map(|s| s.1.to_string()).unwrap_or_default(),
                    alerts: a.noticed.is_some() as u32,
                    filings_lost: lost,
                    filings_delayed: delayed,
                    ..ThreatOutcome::default()
                }
            })
            .collect()
    }
}

/// Filings turned away between minutes `from` and `to` of a run starting
/// at `origin` (exact: the demand is constant within each clock hour).
pub fn turned_away(origin: jiff::civil::DateTime, p: &DosInject, from: f64, to: f64) -> f64 {
    let served = p.capacity_per_hour * (1.0 - p.attack_share).max(0.0);
    let day0 = origin.date();
    let t0 = f64::from(origin.hour()) * 60.0
        + f64::from(origin.minute())
        + f64::from(origin.second()) / 60.0;
    let mut t = from;
    let mut sum = 0.0;
    // Cached per day: the date of the day index last seen.
    let mut day_cache: Option<(i64, jiff::civil::Date)> = None;
    while t < to {
        let abs = t0 + t;
        let day = (abs / 1440.0).floor();
        let in_day = abs - day * 1440.0;
        let hour = ((in_day / 60.0).floor() as usize).min(23);
        let next = (t + (hour as f64 + 1.0) * 60.0 - in_day).min(to);
        let di = day as i64;
        let date = match day_cache {
            Some((d, date)) if d == di => date,
            _ => {
                let date = day0.checked_add(jiff::Span::new().days(di)).unwrap_or(day0);
                day_cache = Some((di, date));
                date
            }
        };
        let excess = demand_per_hour(p.filings_per_month, date, hour) - served;
        if excess > 0.0 {
            sum += excess * (next - t) / 60.0;
        }
        if next <= t {
            break;
        }
        t = next;
    }
    sum
}

/// One line describing the inject.
pub fn describe(topo: &Topology, p: &DosInject) -> String {
    format!(
        "denial of service {}: flood at the online-filing portal of {}",
        p.name, topo.nodes[p.site as usize].id
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attack(share: f64) -> DosInject {
        DosInject {
            name: "t".into(),
            site: 0,
            filings_per_month: 3_000_000.0,
            capacity_per_hour: 80_000.0,
            attack_share: share,
            duration_min: None,
            abandon_share: 0.3,
            notice_per_hour: 2.0,
        }
    }

    #[test]
    fn demand_adds_up_to_the_month_and_peaks_before_the_deadline() {
        let per_month = 3_000_000.0;
        let first: jiff::civil::Date = "2026-11-01".parse().unwrap();
        let mut total = 0.0;
        let mut by_day = Vec::new();
        for d in 0..30 {
            let date = first.checked_add(jiff::Span::new().days(d)).unwrap();
            let day: f64 = (0..24).map(|h| demand_per_hour(per_month, date, h)).sum();
            by_day.push(day);
            total += day;
        }
        assert!((total - per_month).abs() < 1e-6 * per_month, "{total}");
        // The 15th is the busiest day, the 16th falls away.
        let max = by_day.iter().cloned().fold(0.0, f64::max);
        assert_eq!(by_day[14], max);
        assert!(by_day[15] < by_day[0]);
        // Night is quiet, mid-morning busy.
        let d15: jiff::civil::Date = "2026-11-15".parse().unwrap();
        assert!(demand_per_hour(per_month, d15, 3) * 20.0 < demand_per_hour(per_month, d15, 10));
    }

    #[test]
    fn turned_away_is_zero_unless_demand_exceeds_what_is_served() {
        let origin: jiff::civil::DateTime = "2026-11-14T09:00:00".parse().unwrap();
        // Peak demand on the 14th–15th is ~62,000/h: 80,000 with a 10 % flood
        // still serves it all.
        assert_eq!(turned_away(origin, &attack(0.1), 0.0, 48.0 * 60.0), 0.0);
        // A saturating flood turns every filing away: the demand itself.
        let full = turned_away(origin, &attack(1.5), 0.0, 60.0);
        let date: jiff::civil::Date = "2026-11-14".parse().unwrap();
        assert!((full - demand_per_hour(3_000_000.0, date, 9)).abs() < 1e-6);
        // Longer floods cost more; the sum over pieces is the whole.
        let a = turned_away(origin, &attack(1.5), 0.0, 90.0);
        let b = turned_away(origin, &attack(1.5), 90.0, 600.0);
        let ab = turned_away(origin, &attack(1.5), 0.0, 600.0);
        assert!(ab > full);
        assert!((a + b - ab).abs() < 1e-6 * ab);
    }
}
