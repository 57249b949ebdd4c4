//! Compliance over time.
//!
//! At a timeline minute `t`: `100 × Σ credit earned by t ÷ Σ weight due by t`
//! over the obligations of a group (all, one tier, one body, one capability).
//! An obligation is due by `t` from its entry minute (the earlier of its
//! deadline and the moment it was done or skipped, see
//! [`super::obligations::entry_minutes`]); its credit counts from the
//! moment it was done (a late task earns its reduced credit then). Pending
//! obligations never count. A group with nothing due yet scores 100.
//!
//! One sweep over the sorted entry/credit events and the rows:
//! O(obligations · log obligations + rows × groups).

use super::{Capability, CompliancePoint, Obligation};
use crate::engine::RunRecord;

/// The tiers of `Assessment::tiers`: the five of the plan, then any other
/// tier an obligation names (sorted).
pub fn tiers(obs: &[Obligation]) -> Vec<String> {
    let mut v: Vec<String> = ["hq", "provincial", "prefecture", "county", "grassroots"]
        .map(String::from)
        .to_vec();
    let mut extra: Vec<String> = obs
        .iter()
        .filter(|o| !v.iter().any(|t| *t == o.tier))
        .map(|o| o.tier.to_string())
        .collect();
    extra.sort();
    extra.dedup();
    v.extend(extra);
    v
}

/// The bodies of `Assessment::bodies`: the plan's (`meta.bodies`), then any
/// other body an obligation names (sorted).
pub fn bodies(rec: &RunRecord, obs: &[Obligation]) -> Vec<String> {
    let mut v: Vec<String> = rec.meta.bodies.iter().map(|b| b.id.clone()).collect();
    let mut extra: Vec<String> = obs
        .iter()
        .filter(|o| !v.iter().any(|b| *b == o.body))
        .map(|o| o.body.to_string())
        .collect();
    extra.sort();
    extra.dedup();
    v.extend(extra);
    v
}

/// Sums of one group.
#[derive(Clone, Copy, Debug, Default)]
struct Sums {
    due: f64,
    credit: f64,
}

impl Sums {
    fn score(self) -> f64 {
        if self.due > 0.0 {
            (100.0 * self.credit / self.due).clamp(0.0, 100.0)
        } else {
            100.0
        }
    }
}

/// The compliance series as a step function over the timeline rows: a
/// point at the first row and at each row where an obligation entered or
/// earned its credit; a point holds until the next point's minute (see
/// [`at_rows`]). A year of 1-minute ticks has 525,600 rows but only as
/// many points as the run has such moments (a few hundred).
pub fn compliance(
    rec: &RunRecord,
    obs: &[Obligation],
    entries: &[Option<f64>],
    tiers: &[String],
    bodies: &[String],
) -> Vec<CompliancePoint> {
    let nt = tiers.len();
    let nb = bodies.len();
    let nc = Capability::ALL.len();
    // Group slots: 0 overall, then tiers, bodies, capabilities.
    let groups = |o: &Obligation| -> [usize; 4] {
        let t = tiers.iter().position(|x| *x == o.tier).unwrap_or(0);
        let b = bodies.iter().position(|x| *x == o.body).unwrap_or(0);
        [0, 1 + t, 1 + nt + b, 1 + nt + nb + o.capability as usize]
    };
    // (minute, obligation, is_credit)
    let mut evs: Vec<(f64, usize, bool)> = Vec::new();
    for (i, (o, e)) in obs.iter().zip(entries).enumerate() {
        if let Some(e) = e {
            evs.push((*e, i, false));
            if let Some(d) = o.done_min
                && o.credit > 0.0
            {
                evs.push((d, i, true));
            }
        }
    }
    evs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut sums = vec![Sums::default(); 1 + nt + nb + nc];
    let mut k = 0;
    let mut out = Vec::new();
    for row in &rec.timeline {
        let before = k;
        while k < evs.len() && evs[k].0 <= row.minute {
            let (_, i, credit) = evs[k];
            let o = &obs[i];
            for g in groups(o) {
                if credit {
                    sums[g].credit += o.credit;
                } else {
                    sums[g].due += o.weight;
                }
            }
            k += 1;
        }
        // A point where the values may change (and the first row's).
        if k == before && !out.is_empty() {
            continue;
        }
        out.push(CompliancePoint {
            minute: row.minute,
            overall: sums[0].score(),
            by_tier: (0..nt).map(|t| sums[1 + t].score()).collect(),
            by_body: (0..nb).map(|b| sums[1 + nt + b].score()).collect(),
            by_capability: (0..nc).map(|c| sums[1 + nt + nb + c].score()).collect(),
        });
    }
    out
}

/// The point in force at each of `minutes` (ascending, the timeline's
/// minutes): the last point at or before it (the first point before the
/// first). `points` must not be empty.
pub fn at_rows<'a>(
    points: &'a [CompliancePoint],
    minutes: impl IntoIterator<Item = f64> + 'a,
) -> impl Iterator<Item = &'a CompliancePoint> + 'a {
    let mut j = 0;
    minutes.into_iter().map(move |m| {
        while j + 1 < points.len() && points[j + 1].minute <= m {
            j += 1;
        }
        &points[j]
    })
}

/// Final compliance of the obligations `keep` selects (all assessed ones
/// count: each enters by the end of the run). 100 when none counts.
pub fn final_compliance(obs: &[Obligation], keep: impl Fn(&Obligation) -> bool) -> f64 {
    let mut s = Sums::default();
    for o in obs.iter().filter(|o| o.status.assessed() && keep(o)) {
        s.due += o.weight;
        s.credit += o.credit;
    }
    s.score()
}
