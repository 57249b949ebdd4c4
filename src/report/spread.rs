//! Spread across seeds: how typical the report's run is.
//!
//! `drillsim run --spread N` runs seeds S..S+N-1 (S the run's own seed; its
//! row is the run's own) through the batch machinery
//! (`batch::spread::rows`, `batch::row`) and stores a [`Spread`] as
//! `spread.json` beside `record.json`; `drillsim report RUN_DIR` reads it
//! back, so the report is rebuilt byte for byte. For each key metric of
//! `runs.csv` ([`crate::batch::METRICS`] with `key`): median, 5th and 95th
//! percentile (type 7, as the batch report), the run's value and its
//! percentile among the seeds (mid-rank: share below plus half the ties).
//! Without `spread.json` the section says the report is from one seed and
//! how to get the spread.

use serde::{Deserialize, Serialize};

use super::Ctx;
use super::content::{Block, Cell, Table};
use super::labels::{L, fill};
use crate::batch::{METRICS, RunRow, stats};

/// `spread.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spread {
    /// Format version (1).
    pub format: u32,
    /// The run's own seed and the seeds compared: `first_seed` ..
    /// `first_seed + runs - 1`.
    pub seed: u64,
    pub first_seed: u64,
    pub runs: u32,
    pub metrics: Vec<SpreadMetric>,
}

/// One key metric across the seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpreadMetric {
    /// Column name of `runs.csv`.
    pub name: String,
    /// Runs that have the metric (a run never contained has no time to
    /// containment).
    pub n: u32,
    pub median: Option<f64>,
    pub p5: Option<f64>,
    pub p95: Option<f64>,
    /// The run's own value and its percentile (0–100) among the `n`.
    pub this: Option<f64>,
    pub percentile: Option<f64>,
}

/// Percentile of `x` among `values` (mid-rank, 0–100).
pub fn percentile_of(values: &[f64], x: f64) -> f64 {
    if values.is_empty() {
        return 50.0;
    }
    let below = values.iter().filter(|v| **v < x).count() as f64;
    let ties = values.iter().filter(|v| **v == x).count() as f64;
    100.0 * (below + 0.5 * ties) / values.len() as f64
}

impl Spread {
    /// The spread of `rows` (one per seed, in seed order; the run's own
    /// among them) for the run with seed `seed`.
    pub fn of(seed: u64, rows: &[RunRow]) -> Spread {
        let this = rows.iter().find(|r| r.seed == seed);
        let metrics = METRICS
            .iter()
            .enumerate()
            .filter(|(_, m)| m.key)
            .map(|(i, m)| {
                let mut v: Vec<f64> = rows.iter().filter_map(|r| r.values.get(i)).collect();
                v.sort_by(f64::total_cmp);
                let q = |p: f64| (!v.is_empty()).then(|| stats::quantile(&v, p));
                let own = this.and_then(|r| r.values.get(i));
                SpreadMetric {
                    name: m.name.to_string(),
                    n: v.len() as u32,
                    median: q(0.5),
                    p5: q(0.05),
                    p95: q(0.95),
                    this: own,
                    percentile: own.map(|x| percentile_of(&v, x)),
                }
            })
            .collect();
        Spread {
            format: 1,
            seed,
            first_seed: rows.iter().map(|r| r.seed).min().unwrap_or(seed),
            runs: rows.len() as u32,
            metrics,
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut b = serde_json::to_vec_pretty(self).expect("spread serialises");
        b.push(b'\n');
        b
    }

    /// The metric whose run value lies furthest from the median of the
    /// seeds (by percentile; ties: the first in `METRICS` order), among
    /// those that vary.
    pub fn headline(&self) -> Option<&SpreadMetric> {
        self.metrics
            .iter()
            .filter(|m| m.percentile.is_some() && m.p5 != m.p95)
            .fold(None::<&SpreadMetric>, |best, m| {
                let d = |m: &SpreadMetric| (m.percentile.unwrap_or(50.0) - 50.0).abs();
                match best {
                    Some(b) if d(b) >= d(m) => Some(b),
                    _ => Some(m),
                }
            })
    }
}

pub const SP_TITLE: L = L("种子间分布", "Spread across seeds");
pub const SP_NONE: L = L(
    "本报告只来自一个随机种子（{seed}），无法判断该次运行是否典型。用 drillsim run --seed {seed} --spread 50 重新运行，可得到 50 个种子（{seed} 至 {last}）的分布并写入 spread.json。",
    "This report comes from one seed ({seed}); it cannot say how typical this run is. Run drillsim run --seed {seed} --spread 50 to add the spread over 50 seeds ({seed} to {last}), stored in spread.json.",
);
pub const SP_LEAD: L = L(
    "同一情景、预案和队伍以 {n} 个种子（{first} 至 {last}）各运行一次；下表给出关键指标的中位数、第 5 与第 95 百分位数，以及本次运行（种子 {seed}）所处的百分位。",
    "The same scenario, plan and teams were run with {n} seeds ({first} to {last}); the table gives each key metric's median, 5th and 95th percentiles and where this run (seed {seed}) falls.",
);
pub const SP_SENTENCE: L = L(
    "本次运行的“{metric}”为 {value}，位于 {n} 个种子的第 {pct} 百分位（中位数 {median}）。",
    "This run's {metric} ({value}) is at the {pct} percentile of {n} seeds (median {median}).",
);
pub const SP_TYPICAL: L = L(
    "各关键指标在种子间没有差异，本次运行即为典型。",
    "No key metric varies across the seeds: this run is typical.",
);
pub const SP_METRIC: L = L("指标", "Metric");
pub const SP_THIS: L = L("本次运行", "This run");
pub const SP_MEDIAN: L = L("中位数", "Median");
pub const SP_P5: L = L("第 5 百分位", "5th pct.");
pub const SP_P95: L = L("第 95 百分位", "95th pct.");
pub const SP_PCT: L = L("本次所处百分位", "This run's percentile");
pub const SP_NA: L = L("无", "n/a");

/// All labels of this module (for the both-languages test).
pub const ALL: [L; 12] = [
    SP_TITLE,
    SP_NONE,
    SP_LEAD,
    SP_SENTENCE,
    SP_TYPICAL,
    SP_METRIC,
    SP_THIS,
    SP_MEDIAN,
    SP_P5,
    SP_P95,
    SP_PCT,
    SP_NA,
];

fn ordinal(p: f64, zh: bool) -> String {
    let k = p.round() as u64;
    if zh {
        return k.to_string();
    }
    let suffix = match (k % 10, k % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{k}{suffix}")
}

/// A metric value as the batch writes it (counts whole, others 1 decimal).
fn value(name: &str, v: Option<f64>, na: &str) -> String {
    let Some(v) = v else {
        return na.to_string();
    };
    match METRICS.iter().find(|m| m.name == name) {
        Some(m) if m.kind == crate::batch::Kind::Count => {
            crate::model::topology_summary::thousands(v.round().max(0.0) as u64)
        }
        _ => format!("{v:.1}"),
    }
}

/// The blocks of the "Spread across seeds" subsection.
pub fn blocks(ctx: &Ctx, spread: Option<&Spread>) -> Vec<Block> {
    let t = |l: L| l.get(ctx.lang);
    let mut out = vec![Block::Heading(t(SP_TITLE).to_string())];
    let Some(s) = spread else {
        let seed = ctx.rec.seed;
        out.push(Block::Para(fill(
            t(SP_NONE),
            &[
                ("seed", seed.to_string()),
                ("last", (seed + 49).to_string()),
            ],
        )));
        return out;
    };
    let last = s.first_seed + u64::from(s.runs.max(1)) - 1;
    out.push(Block::Para(fill(
        t(SP_LEAD),
        &[
            ("n", s.runs.to_string()),
            ("first", s.first_seed.to_string()),
            ("last", last.to_string()),
            ("seed", s.seed.to_string()),
        ],
    )));
    let label = |name: &str| {
        let en = METRICS
            .iter()
            .find(|m| m.name == name)
            .map_or("", |m| m.label);
        crate::batch::report::labels::metric(name, en).get(ctx.lang)
    };
    let zh = ctx.lang == super::Lang::Zh;
    let na = t(SP_NA);
    match s.headline() {
        Some(m) => out.push(Block::Para(fill(
            t(SP_SENTENCE),
            &[
                ("metric", label(&m.name).to_string()),
                ("value", value(&m.name, m.this, na)),
                ("pct", ordinal(m.percentile.unwrap_or(50.0), zh)),
                ("n", m.n.to_string()),
                ("median", value(&m.name, m.median, na)),
            ],
        ))),
        None => out.push(Block::Para(t(SP_TYPICAL).to_string())),
    }
    let num = |text: String| Cell {
        text,
        class: Some("num"),
    };
    out.push(Block::Table(Table {
        head: [SP_METRIC, SP_THIS, SP_MEDIAN, SP_P5, SP_P95, SP_PCT]
            .iter()
            .map(|l| t(*l).to_string())
            .collect(),
        rows: s
            .metrics
            .iter()
            .map(|m| {
                vec![
                    Cell::from(label(&m.name)),
                    num(value(&m.name, m.this, na)),
                    num(value(&m.name, m.median, na)),
                    num(value(&m.name, m.p5, na)),
                    num(value(&m.name, m.p95, na)),
                    num(m
                        .percentile
                        .map_or(na.to_string(), |p| (p.round() as u64).to_string())),
                ]
            })
            .collect(),
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_is_mid_rank() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile_of(&v, 0.5), 0.0);
        assert_eq!(percentile_of(&v, 3.0), 62.5);
        assert_eq!(percentile_of(&v, 9.0), 100.0);
        assert_eq!(percentile_of(&[5.0; 10], 5.0), 50.0);
    }

    #[test]
    fn ordinals() {
        let o = |p| ordinal(p, false);
        assert_eq!(
            [o(1.0), o(2.0), o(3.0), o(11.0), o(12.0), o(22.0), o(80.0)],
            ["1st", "2nd", "3rd", "11th", "12th", "22nd", "80th"]
        );
    }

    #[test]
    fn every_label_has_both_languages() {
        for l in ALL {
            assert!(!l.0.is_empty() && !l.1.is_empty());
            let ph = |s: &'static str| {
                let mut v: Vec<&'static str> = s
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}').map(|(a, _)| a))
                    .collect();
                v.sort();
                v
            };
            assert_eq!(ph(l.0), ph(l.1), "{}", l.1);
        }
    }

    #[test]
    fn spread_of_rows() {
        let rows: Vec<RunRow> = (10..20)
            .map(|s| RunRow {
                variant: 0,
                seed: s,
                values: METRICS.iter().map(|_| Some(s as f64)).collect(),
                ratings: vec![],
            })
            .collect();
        let sp = Spread::of(17, &rows);
        assert_eq!((sp.first_seed, sp.runs), (10, 10));
        let m = &sp.metrics[0];
        assert_eq!(m.n, 10);
        assert_eq!(m.median, Some(14.5));
        assert_eq!(m.this, Some(17.0));
        assert_eq!(m.percentile, Some(75.0));
        let back: Spread = serde_json::from_slice(&sp.to_json()).unwrap();
        assert_eq!(back, sp);
    }
}
