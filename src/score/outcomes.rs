//! Outcome metrics: NIST SP 800-61 timings and the costs.
//!
//! Every time is in minutes from the first inject (the earliest of
//! `meta.injects`; without any, the first `inject` or `worm_release` event;
//! else minute 0). Definitions:
//! - **detect**: the first `detection` event;
//! - **first report**: the first `report` event (any hop);
//! - **report reaches HQ**: the first report task done whose target is the
//!   HQ node (tier `hq`); without tasks (a drill log), the first `report`
//!   event whose detail names `to <hq id> `;
//! - **correct grade**: the run's most severe warranted level is the most
//!   severe `expected_level` over all grade tasks (I most severe); the time
//!   is the first grade task done that chose exactly that level (by anyone,
//!   any incident). None without grade tasks or if never chosen;
//! - **activation**: the first `activation` event;
//! - **containment** — worm runs (some host ever infected): let `k` be the
//!   last timeline row at which `hosts_infected` rose (above the previous
//!   row). Contained at row `k`'s minute (no growth ever after) if `k` is
//!   not the final row and some later row is below the peak; None if the
//!   worm was still growing at the end or stayed at its peak. If nothing was
//!   ever infected there was nothing to contain: None. Outage runs (no
//!   infection): a failure cuts nodes off at once, so "stopped growing"
//!   would date containment at the failure itself; instead the earlier of
//!   (a) the first row at which `nodes_down` is back to 0 after being above
//!   0 and (b) the first row after `nodes_cut_off` reached its maximum at
//!   which it is below that maximum (failover, a backup line or a repair
//!   started giving reach back). None if neither happened (or nothing was
//!   ever down or cut off). Threat models with a state of their own
//!   (intrusion, defacement, denial of service, data leak, virus, insider):
//!   the latest minute at which one was stopped (by the response, or by the
//!   attacker ending it), None while any one has not stopped. A scenario
//!   with several kinds is contained when every kind is: the latest of
//!   their minutes;
//! - **recovery**: the first row at or after containment with
//!   `services_available_pct` ≥ its minute-0 value − 0.1 and
//!   `nodes_down` = 0; None without containment or if never.
//!
//! Costs come from `totals` (the outcome `total_infected_hosts` adds the
//! hosts virus outbreaks infected to the worms'); data-hours and records lost are the engine's
//! damage model's (`engine::damage`): what threats damaged since the last
//! backup, never what the response did.

use super::{Obligation, Outcomes, Status, compliance};
use crate::engine::{EventKind, RunRecord, TimelineRow};

/// Severity rank of a level name (I most severe = 1); None if unknown.
pub fn level_rank(level: &str) -> Option<u8> {
    match level {
        "I" => Some(1),
        "II" => Some(2),
        "III" => Some(3),
        "IV" => Some(4),
        _ => None,
    }
}

/// Minute of the first inject (see the module docs).
pub fn first_inject(rec: &RunRecord) -> f64 {
    if let Some(m) = rec
        .meta
        .injects
        .iter()
        .map(|(m, _)| *m)
        .min_by(f64::total_cmp)
    {
        return m;
    }
    rec.events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Inject | EventKind::WormRelease))
        .map(|e| e.minute)
        .min_by(f64::total_cmp)
        .unwrap_or(0.0)
}

fn first_event(rec: &RunRecord, kind: EventKind) -> Option<f64> {
    rec.events
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.minute)
        .min_by(f64::total_cmp)
}

fn hq_id(rec: &RunRecord) -> String {
    rec.meta
        .nodes
        .iter()
        .find(|n| n.tier == "hq")
        .map(|n| n.id.clone())
        .unwrap_or_else(|| "hq".to_owned())
}

/// Minute a report first reached HQ.
pub fn report_reached_hq(rec: &RunRecord) -> Option<f64> {
    let hq = hq_id(rec);
    if rec.tasks.is_empty() {
        let needle = format!("to {hq} ");
        return rec
            .events
            .iter()
            .filter(|e| e.kind == EventKind::Report && e.detail.contains(&needle))
            .map(|e| e.minute)
            .min_by(f64::total_cmp);
    }
    rec.tasks
        .iter()
        .filter(|t| t.kind == "report" && t.state == "done" && t.action == hq)
        .filter_map(|t| t.finished)
        .min_by(f64::total_cmp)
}

/// Minute the most severe warranted level was first chosen.
pub fn correct_grade(rec: &RunRecord) -> Option<f64> {
    let worst = rec
        .tasks
        .iter()
        .filter(|t| t.kind == "grade")
        .filter_map(|t| t.expected_level.as_deref())
        .filter_map(|l| level_rank(l).map(|r| (r, l)))
        .min_by_key(|(r, _)| *r)?
        .1;
    rec.tasks
        .iter()
        .filter(|t| t.kind == "grade" && t.state == "done" && t.action == worst)
        .filter_map(|t| t.finished)
        .min_by(f64::total_cmp)
}

/// Last row index at which `f` rose, if a later row is below the maximum.
fn last_rise_then_recede(rows: &[TimelineRow], f: impl Fn(&TimelineRow) -> f64) -> Option<usize> {
    let k = (1..rows.len())
        .rev()
        .find(|&i| f(&rows[i]) > f(&rows[i - 1]))?;
    let peak = rows.iter().map(&f).fold(f64::MIN, f64::max);
    rows[k + 1..].iter().any(|r| f(r) < peak).then_some(k)
}

/// Minute of containment (see the module docs).
pub fn containment(rec: &RunRecord) -> Option<f64> {
    // Threat models with a state of their own (intrusion, defacement, denial
    // of service, leak, virus, insider): contained when each has stopped.
    let stoppable = rec.threats.iter().filter(|o| o.threat != "worm");
    let threats = stoppable.clone().next().map(|_| {
        stoppable
            .map(|o| o.stopped)
            .try_fold(f64::NEG_INFINITY, |m, s| s.map(|s| m.max(s)))
    });
    match (network_containment(rec), threats) {
        (Some(a), Some(b)) => a.zip(b).map(|(a, b)| a.max(b)),
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => None,
    }
}

/// Containment of the worms and outages seen on the network: `None` when
/// there was nothing to contain, `Some(None)` when it was never contained.
fn network_containment(rec: &RunRecord) -> Option<Option<f64>> {
    let rows = &rec.timeline;
    if rec.totals.total_infected_hosts > 0 || rows.iter().any(|r| r.hosts_infected > 0) {
        return Some(
            last_rise_then_recede(rows, |r| r.hosts_infected as f64).map(|k| rows[k].minute),
        );
    }
    let ever_down = rows.iter().any(|r| r.nodes_down > 0);
    let max_cut = rows.iter().map(|r| r.nodes_cut_off).max().unwrap_or(0);
    if !ever_down && max_cut == 0 {
        return None;
    }
    let down_back = rows
        .iter()
        .position(|r| r.nodes_down > 0)
        .and_then(|i| rows[i..].iter().find(|r| r.nodes_down == 0))
        .map(|r| r.minute);
    let cut_stops = if max_cut > 0 {
        rows.iter()
            .position(|r| r.nodes_cut_off == max_cut)
            .and_then(|i| rows[i..].iter().find(|r| r.nodes_cut_off < max_cut))
            .map(|r| r.minute)
    } else {
        None
    };
    Some(match (down_back, cut_stops) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    })
}

/// Minute of recovery after `contained` (see the module docs).
pub fn recovery(rec: &RunRecord, contained: Option<f64>) -> Option<f64> {
    let c = contained?;
    let base = rec.timeline.first()?.services_available_pct;
    rec.timeline
        .iter()
        .find(|r| r.minute >= c && r.services_available_pct >= base - 0.1 && r.nodes_down == 0)
        .map(|r| r.minute)
}

/// Hosts ever infected by the run's virus outbreaks. The worms' count is
/// `totals.total_infected_hosts` (the timeline's); a virus in an office LAN
/// infects hosts too, so the outcome `total_infected_hosts` is the sum: an
/// assessor comparing runs expects infected hosts whatever the malware.
/// (Several worms' own figures are already in the totals: not added.)
fn virus_hosts(rec: &RunRecord) -> u64 {
    rec.threats
        .iter()
        .filter(|o| o.threat == "virus")
        .map(|o| o.hosts_infected)
        .sum()
}

pub fn outcomes(rec: &RunRecord, obs: &[Obligation]) -> Outcomes {
    let t0 = first_inject(rec);
    let since = |m: Option<f64>| m.map(|m| (m - t0).max(0.0));
    let contained = containment(rec);
    let count = |s: Status| obs.iter().filter(|o| o.status == s).count() as u32;
    let tot = &rec.totals;
    Outcomes {
        time_to_detect_min: since(first_event(rec, EventKind::Detection)),
        time_to_first_report_min: since(first_event(rec, EventKind::Report)),
        time_to_report_hq_min: since(report_reached_hq(rec)),
        time_to_correct_grade_min: since(correct_grade(rec)),
        time_to_activation_min: since(first_event(rec, EventKind::Activation)),
        time_to_containment_min: since(contained),
        time_to_recovery_min: since(recovery(rec, contained)),
        peak_infected_hosts: tot.peak_infected_hosts,
        total_infected_hosts: tot.total_infected_hosts + virus_hosts(rec),
        nodes_affected: tot.nodes_affected,
        nodes_cut_off_max: tot.nodes_cut_off_max,
        service_hours_lost: tot.service_hours_lost,
        taxpayer_service_hours_lost: tot.taxpayer_service_hours_lost,
        data_lost_hours: tot.data_lost_hours,
        records_lost: tot.records_lost,
        final_compliance: compliance::final_compliance(obs, |_| true),
        obligations: obs.len() as u32,
        on_time: count(Status::OnTime),
        late: count(Status::Late),
        missed: count(Status::Missed),
        other_deviations: count(Status::OutOfOrder)
            + count(Status::WrongLevel)
            + count(Status::WrongActor),
        pending: count(Status::Pending),
        not_due: count(Status::NotDue),
        filings_lost: rec.threats.iter().map(|o| o.filings_lost).sum(),
        filings_delayed: rec.threats.iter().map(|o| o.filings_delayed).sum(),
        records_leaked: rec.threats.iter().map(|o| o.records_leaked).sum(),
    }
}
