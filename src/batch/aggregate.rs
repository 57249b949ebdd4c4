//! The running aggregates of a batch that `runs.csv` cannot give: bands of
//! the key time series (mean and 5th/50th/95th percentile of infected
//! hosts, nodes cut off and compliance, minute by minute on a fixed grid)
//! and each clause's on-time counts.
//!
//! Everything here is an integer count or an integer sum, so aggregates add
//! up to the same bytes in any order: with `--jobs 1` or `--jobs 2`, after a
//! `--resume`, and when `drillsim merge` adds the shards of a batch run on
//! several machines. Memory does not grow with the number of runs: a series
//! holds, per grid point, one sum and a histogram whose bins are fixed in
//! advance (exact below 64, then 32 bins per doubling, ≤ 1.6% wide).
//! Percentiles of the bands are read from the histograms, so they are exact
//! to within one bin; means are exact.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::engine::record::{RunRecord, TimelineRow};
use crate::score::{Assessment, Status};

/// How a series' integer values map to histogram bins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Binning {
    /// Exact below 64, then 32 bins per doubling (counts of hosts, nodes).
    Log,
    /// One bin per unit (compliance in hundredths of a percent / 10, i.e.
    /// per mille).
    Linear,
}

const EXACT: u64 = 64;
const PER_OCTAVE_BITS: u32 = 5;

impl Binning {
    /// The bin of `v`.
    pub fn bin(self, v: u64) -> u32 {
        match self {
            Binning::Linear => v.min(u32::MAX as u64) as u32,
            Binning::Log => {
                if v < EXACT {
                    return v as u32;
                }
                let e = 63 - v.leading_zeros(); // ≥ 6
                let shift = e - PER_OCTAVE_BITS;
                let m = (v >> shift) as u32; // 32..64
                EXACT as u32 + (e - 6) * 32 + (m - 32)
            }
        }
    }

    /// The smallest and largest value of bin `b`.
    pub fn range(self, b: u32) -> (u64, u64) {
        match self {
            Binning::Linear => (b as u64, b as u64),
            Binning::Log => {
                if (b as u64) < EXACT {
                    return (b as u64, b as u64);
                }
                let k = b - EXACT as u32;
                let e = k / 32 + 6;
                let m = (k % 32 + 32) as u64;
                let shift = e - PER_OCTAVE_BITS;
                let lo = m << shift;
                let hi = lo.saturating_add((1u64 << shift) - 1);
                (lo, hi)
            }
        }
    }

    /// The value a bin stands for: its midpoint.
    pub fn value(self, b: u32) -> f64 {
        let (lo, hi) = self.range(b);
        (lo as f64 + hi as f64) / 2.0
    }
}

/// A histogram over bins `offset..offset + counts.len()`, grown on demand.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hist {
    pub offset: u32,
    pub counts: Vec<u64>,
}

impl Hist {
    pub fn add(&mut self, bin: u32, n: u64) {
        if self.counts.is_empty() {
            self.offset = bin;
            self.counts.push(0);
        } else if bin < self.offset {
            let grow = (self.offset - bin) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.offset = bin;
        } else if (bin - self.offset) as usize >= self.counts.len() {
            self.counts.resize((bin - self.offset) as usize + 1, 0);
        }
        self.counts[(bin - self.offset) as usize] += n;
    }

    pub fn merge(&mut self, other: &Hist) {
        for (i, &c) in other.counts.iter().enumerate() {
            if c > 0 {
                self.add(other.offset + i as u32, c);
            }
        }
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The bin holding the nearest-rank `p` quantile (0 < p ≤ 1).
    pub fn quantile_bin(&self, p: f64) -> Option<u32> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let rank = ((p * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(self.offset + i as u32);
            }
        }
        None
    }
}

/// One time series over a batch's runs, on a fixed grid of minutes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesAgg {
    pub binning: Binning,
    /// Recorded integer = value × `scale` (rounded).
    pub scale: f64,
    pub runs: u64,
    /// Per grid point: Σ of the recorded integers.
    pub sums: Vec<u64>,
    /// Per grid point: the histogram of the recorded integers.
    pub hists: Vec<Hist>,
}

/// A band's values at one grid point, in the series' own unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BandPoint {
    pub minute: f64,
    pub mean: f64,
    pub p5: f64,
    pub median: f64,
    pub p95: f64,
}

impl SeriesAgg {
    pub fn new(binning: Binning, scale: f64, points: usize) -> Self {
        SeriesAgg {
            binning,
            scale,
            runs: 0,
            sums: vec![0; points],
            hists: vec![Hist::default(); points],
        }
    }

    /// Adds one run's values, one per grid point.
    pub fn add(&mut self, values: &[f64]) {
        debug_assert_eq!(values.len(), self.sums.len());
        self.runs += 1;
        for (i, &v) in values.iter().enumerate() {
            let x = (v * self.scale).round().max(0.0) as u64;
            self.sums[i] = self.sums[i].saturating_add(x);
            self.hists[i].add(self.binning.bin(x), 1);
        }
    }

    pub fn merge(&mut self, other: &SeriesAgg) {
        self.runs += other.runs;
        for (a, b) in self.sums.iter_mut().zip(&other.sums) {
            *a = a.saturating_add(*b);
        }
        for (a, b) in self.hists.iter_mut().zip(&other.hists) {
            a.merge(b);
        }
    }

    /// Mean and percentiles per grid point (empty when no run was added).
    pub fn band(&self, minutes: &[f64]) -> Vec<BandPoint> {
        if self.runs == 0 {
            return Vec::new();
        }
        let q = |h: &Hist, p: f64| {
            h.quantile_bin(p)
                .map_or(0.0, |b| self.binning.value(b) / self.scale)
        };
        minutes
            .iter()
            .zip(self.sums.iter().zip(&self.hists))
            .map(|(&minute, (&s, h))| BandPoint {
                minute,
                mean: s as f64 / self.runs as f64 / self.scale,
                p5: q(h, 0.05),
                median: q(h, 0.5),
                p95: q(h, 0.95),
            })
            .collect()
    }
}

/// On-time counts of one clause over a variant's runs (assessed
/// obligations only: pending and not-yet-due ones are left out).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseAgg {
    /// The capability the clause's obligations are scored under.
    pub capability: String,
    pub assessed: u64,
    pub on_time: u64,
    pub late: u64,
    pub missed: u64,
    /// Wrong actor, out of order, wrong level.
    pub other: u64,
    /// Runs in which the clause had at least one assessed obligation.
    pub runs: u64,
}

impl ClauseAgg {
    /// On-time share of the assessed obligations (0–1).
    pub fn on_time_rate(&self) -> Option<f64> {
        (self.assessed > 0).then(|| self.on_time as f64 / self.assessed as f64)
    }

    fn merge(&mut self, o: &ClauseAgg) {
        if self.capability.is_empty() {
            self.capability = o.capability.clone();
        }
        self.assessed += o.assessed;
        self.on_time += o.on_time;
        self.late += o.late;
        self.missed += o.missed;
        self.other += o.other;
        self.runs += o.runs;
    }
}

/// Everything aggregated for one variant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VariantAgg {
    /// The grid, minutes from the scenario's start.
    pub minutes: Vec<f64>,
    pub runs: u64,
    /// Hosts infected at each grid minute.
    pub infected: SeriesAgg,
    /// Nodes cut off from HQ at each grid minute.
    pub cut_off: SeriesAgg,
    /// Overall compliance (%) at each grid minute, recorded in per mille.
    pub compliance: SeriesAgg,
    /// By clause text (the obligation's `clause`).
    pub clauses: BTreeMap<String, ClauseAgg>,
}

/// Grid steps tried, in minutes: the first that gives ≤ 300 intervals.
const STEPS: &[f64] = &[
    1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 60.0, 120.0, 180.0, 360.0, 720.0, 1440.0,
];

/// The grid for a run of `duration_min` minutes with ticks of `tick_min`:
/// 0, step, 2·step, … and the end. The step is a whole number of ticks.
pub fn grid(duration_min: f64, tick_min: f64) -> Vec<f64> {
    let want = (duration_min / 300.0).max(tick_min);
    let mut step = STEPS
        .iter()
        .copied()
        .find(|&s| s >= want)
        .unwrap_or_else(|| (want / 1440.0).ceil() * 1440.0);
    if tick_min > 0.0 {
        step = (step / tick_min).ceil() * tick_min;
    }
    let mut out = Vec::new();
    let mut k = 0u64;
    loop {
        let m = k as f64 * step;
        if m >= duration_min - 1e-9 {
            break;
        }
        out.push(m);
        k += 1;
    }
    out.push(duration_min);
    out
}

/// The value of `f` at each grid minute: the last row at or before it (the
/// first row before any).
fn sample<T>(
    rows: &[T],
    minute: impl Fn(&T) -> f64,
    f: impl Fn(&T) -> f64,
    grid: &[f64],
) -> Vec<f64> {
    let mut out = Vec::with_capacity(grid.len());
    let mut k = 0usize;
    for &g in grid {
        while k + 1 < rows.len() && minute(&rows[k + 1]) <= g + 1e-9 {
            k += 1;
        }
        out.push(rows.get(k).map_or(0.0, &f));
    }
    out
}

impl VariantAgg {
    pub fn new(duration_min: f64, tick_min: f64) -> Self {
        let minutes = grid(duration_min, tick_min);
        let n = minutes.len();
        VariantAgg {
            minutes,
            runs: 0,
            infected: SeriesAgg::new(Binning::Log, 1.0, n),
            cut_off: SeriesAgg::new(Binning::Log, 1.0, n),
            compliance: SeriesAgg::new(Binning::Linear, 10.0, n),
            clauses: BTreeMap::new(),
        }
    }

    /// Adds one run.
    pub fn add(&mut self, record: &RunRecord, a: &Assessment) {
        self.runs += 1;
        let tl = &record.timeline;
        let m = |r: &TimelineRow| r.minute;
        self.infected
            .add(&sample(tl, m, |r| r.hosts_infected as f64, &self.minutes));
        self.cut_off
            .add(&sample(tl, m, |r| r.nodes_cut_off as f64, &self.minutes));
        self.compliance.add(&sample(
            &a.compliance,
            |c| c.minute,
            |c| c.overall,
            &self.minutes,
        ));
        let mut this_run: BTreeMap<&str, ClauseAgg> = BTreeMap::new();
        for o in &a.obligations {
            if !o.status.assessed() {
                continue;
            }
            let c = this_run.entry(&*o.clause).or_default();
            if c.capability.is_empty() {
                c.capability = o.capability.as_str().to_string();
            }
            c.assessed += 1;
            match o.status {
                Status::OnTime => c.on_time += 1,
                Status::Late => c.late += 1,
                Status::Missed => c.missed += 1,
                _ => c.other += 1,
            }
        }
        for (clause, mut c) in this_run {
            c.runs = 1;
            self.clauses
                .entry(clause.to_string())
                .or_default()
                .merge(&c);
        }
    }

    /// Adds another part of the same variant (a shard, or the runs done
    /// before a resume). Both must have the same grid.
    pub fn merge(&mut self, o: &VariantAgg) -> Result<(), String> {
        if self.minutes != o.minutes {
            return Err("the time grids differ (different scenario duration or tick)".into());
        }
        self.runs += o.runs;
        self.infected.merge(&o.infected);
        self.cut_off.merge(&o.cut_off);
        self.compliance.merge(&o.compliance);
        for (k, c) in &o.clauses {
            self.clauses.entry(k.clone()).or_default().merge(c);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_bins_cover_every_value_in_order() {
        let b = Binning::Log;
        let mut last = 0;
        for v in (0..5000u64).chain([1 << 20, (1 << 20) + 1, u64::MAX / 2, u64::MAX]) {
            let k = b.bin(v);
            assert!(k >= last, "bins must not decrease");
            let (lo, hi) = b.range(k);
            assert!(lo <= v && v <= hi, "{v} not in bin {k} = {lo}..={hi}");
            if v >= EXACT {
                assert!((hi - lo) as f64 / lo as f64 <= 1.0 / 32.0 + 1e-12);
            } else {
                assert_eq!((lo, hi), (v, v));
            }
            last = k;
        }
    }

    #[test]
    fn hist_quantiles_and_merge_do_not_depend_on_order() {
        let vals: Vec<u64> = (0..1000).map(|i| (i * 7919) % 1000).collect();
        let mut a = Hist::default();
        for &v in &vals {
            a.add(Binning::Linear.bin(v), 1);
        }
        let mut b = Hist::default();
        let mut c = Hist::default();
        for &v in vals.iter().rev() {
            if v % 2 == 0 {
                b.add(v as u32, 1)
            } else {
                c.add(v as u32, 1)
            }
        }
        b.merge(&c);
        assert_eq!(a, b);
        assert_eq!(a.quantile_bin(0.05), Some(49));
        assert_eq!(a.quantile_bin(0.5), Some(499));
        assert_eq!(a.quantile_bin(0.95), Some(949));
        assert_eq!(a.quantile_bin(1.0), Some(999));
    }

    #[test]
    fn grid_ends_at_the_duration_in_whole_ticks() {
        let g = grid(72.0 * 60.0, 1.0);
        assert_eq!(g[1], 15.0);
        assert_eq!(*g.last().unwrap(), 4320.0);
        assert_eq!(g.len(), 289);
        let g = grid(30.0 * 1440.0, 60.0);
        assert!(g.windows(2).all(|w| w[1] > w[0]));
        assert!(g[1] % 60.0 == 0.0);
        assert!(g.len() <= 302);
    }

    #[test]
    fn series_band_mean_is_exact() {
        let mut s = SeriesAgg::new(Binning::Log, 1.0, 2);
        s.add(&[0.0, 100.0]);
        s.add(&[2.0, 300.0]);
        let band = s.band(&[0.0, 1.0]);
        assert_eq!(band[0].mean, 1.0);
        assert_eq!(band[1].mean, 200.0);
        assert_eq!(band[1].p95, Binning::Log.value(Binning::Log.bin(300)));
    }
}
