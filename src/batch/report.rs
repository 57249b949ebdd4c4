//! The report of a batch: `report.html`, `report.md` and `charts/*.svg|png`,
//! in Chinese (default) or English (`BatchInfo::lang`).
//!
//! [`files`] is a pure function of the batch's info, rows and per-variant
//! aggregates: key metrics with 95% CIs, distributions, mean infected
//! hosts and compliance over time with 90% bands, capability ratings side
//! by side, paired differences with plain verdicts, the clauses whose
//! on-time rate changed most, the plan diffs and a method note.
//! `drillsim compare` reuses [`paired_section`] (English).

pub mod charts;
pub mod html;
pub mod labels;

use std::collections::BTreeSet;
use std::fmt::Write;

use self::charts::{Band, ClauseBar, Panel};
use self::html::{Block, Doc, Section};
use self::labels as lb;
use super::aggregate::{ClauseAgg, VariantAgg};
use super::stats::{self, Paired};
use super::{BatchInfo, METRICS, RunRow, VariantInfo, values};
use crate::report::Lang;
use crate::report::charts::Chart;
use crate::report::labels::{self as rl, L, fill};
use crate::report::markdown::esc;
use crate::score::{Capability, Rating};

/// A variant's name in the report: the plan when every variant shares the
/// scenario, the scenario when they share the plan, else both.
pub fn names(variants: &[VariantInfo]) -> Vec<String> {
    let one_scenario = variants.iter().all(|v| v.scenario == variants[0].scenario);
    let one_plan = variants.iter().all(|v| v.plan == variants[0].plan);
    variants
        .iter()
        .map(|v| {
            if one_scenario {
                v.plan.clone()
            } else if one_plan {
                v.scenario.clone()
            } else {
                format!("{}/{}", v.scenario, v.plan)
            }
        })
        .collect()
}

/// The names the report shows: [`names`], with the teams slug appended
/// (`plan/teams`) when the variants differ in their teams, so every
/// variant has its own name.
pub fn display_names(variants: &[VariantInfo]) -> Vec<String> {
    let mut out = names(variants);
    if variants.iter().any(|v| v.teams != variants[0].teams) {
        for (n, v) in out.iter_mut().zip(variants) {
            n.push('/');
            n.push_str(&v.teams);
        }
    }
    out
}

/// A name as inline code (Markdown).
fn code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'"))
}

/// A name for inside a template's backticks.
fn bare(s: &str) -> String {
    s.replace('`', "'")
}

fn num(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

fn pct(x: f64) -> String {
    format!("{:.0}%", (x * 100.0).abs())
}

/// The plain verdict on one paired comparison, in English, e.g.
/// "`unit-plan` raises mean total infected hosts by 38% (95% CI 31–45%)
/// against `sat-overall` (3.00 → 4.60)".
pub fn verdict(b: &str, a: &str, label: &str, p: &Paired) -> String {
    verdict_in(Lang::En, b, a, label, p)
}

/// [`verdict`] in either language. Says plainly when the 95% CI of the
/// mean difference contains zero (not significant) or cannot be computed.
pub fn verdict_in(lang: Lang, b: &str, a: &str, label: &str, p: &Paired) -> String {
    let (a, b) = (bare(a), bare(b));
    if p.ci.is_none() {
        return fill(
            lb::V_FEW.get(lang),
            &[("a", a), ("b", b), ("label", label.into())],
        );
    }
    if !p.significant() {
        return fill(
            lb::V_NOT_SIGNIFICANT.get(lang),
            &[
                ("a", a),
                ("b", b),
                ("label", label.into()),
                ("ma", num(p.mean_a)),
                ("mb", num(p.mean_b)),
            ],
        );
    }
    let verb = if p.diff > 0.0 {
        lb::V_RAISES
    } else {
        lb::V_LOWERS
    };
    let (by, lo, hi) = match p.relative() {
        Some((r, Some((lo, hi)))) => {
            let (l, h) = if r > 0.0 { (lo, hi) } else { (-hi, -lo) };
            (pct(r), format!("{:.0}", (l * 100.0).abs()), pct(h))
        }
        _ => {
            let (lo, hi) = p.ci.unwrap_or((p.diff, p.diff));
            let (l, h) = if p.diff > 0.0 { (lo, hi) } else { (-hi, -lo) };
            (num(p.diff.abs()), num(l), num(h))
        }
    };
    fill(
        lb::V_CHANGE.get(lang),
        &[
            ("a", a),
            ("b", b),
            ("label", label.into()),
            ("verb", verb.get(lang).into()),
            ("by", by),
            ("lo", lo),
            ("hi", hi),
            ("ma", num(p.mean_a)),
            ("mb", num(p.mean_b)),
        ],
    )
}

/// Paired comparison of metric `m` between variants `a` and `b` (same seeds).
pub fn compare(rows: &[RunRow], a: usize, b: usize, m: usize) -> Option<Paired> {
    let ra = rows.iter().filter(|r| r.variant == a);
    let rb = rows.iter().filter(|r| r.variant == b);
    let pairs: Vec<(Option<f64>, Option<f64>)> = ra
        .zip(rb)
        .map(|(x, y)| {
            debug_assert_eq!(x.seed, y.seed);
            (x.values.get(m), y.values.get(m))
        })
        .collect();
    stats::paired(&pairs)
}

/// The paired-differences table of `b` against `a` (every key metric) and
/// its verdicts (each ending with a full stop).
pub struct PairedTable {
    pub heading: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub verdicts: Vec<String>,
}

pub fn paired_table(
    lang: Lang,
    rows: &[RunRow],
    a: usize,
    b: usize,
    name_a: &str,
    name_b: &str,
) -> PairedTable {
    let t = |l: L| l.get(lang);
    let stop = if lang == Lang::Zh { "。" } else { "." };
    let mut out = PairedTable {
        heading: fill(
            t(lb::PAIR_HEADING),
            &[("a", bare(name_a)), ("b", bare(name_b))],
        ),
        head: vec![
            t(lb::PAIR_METRIC).to_string(),
            t(lb::PAIR_PAIRS).to_string(),
            fill(t(lb::PAIR_MEAN), &[("v", code(name_a))]),
            fill(t(lb::PAIR_MEAN), &[("v", code(name_b))]),
            t(lb::PAIR_DIFF).to_string(),
            t(lb::PAIR_REL).to_string(),
        ],
        rows: Vec::new(),
        verdicts: Vec::new(),
    };
    let to = t(lb::PAIR_TO);
    for (mi, m) in METRICS.iter().enumerate().filter(|(_, m)| m.key) {
        let label = lb::metric(m.name, m.label).get(lang);
        let Some(p) = compare(rows, a, b, mi) else {
            out.rows.push(vec![
                label.to_string(),
                "0".into(),
                "–".into(),
                "–".into(),
                "–".into(),
                "–".into(),
            ]);
            continue;
        };
        let diff = match p.ci {
            Some((l, h)) => format!("{:+.2} ({:+.2} {to} {:+.2})", p.diff, l, h),
            None => format!("{:+.2}", p.diff),
        };
        let rel = match p.relative() {
            Some((r, Some((l, h)))) => format!(
                "{:+.1}% ({:+.1}% {to} {:+.1}%)",
                r * 100.0,
                l * 100.0,
                h * 100.0
            ),
            Some((r, None)) => format!("{:+.1}%", r * 100.0),
            None => "–".to_string(),
        };
        out.rows.push(vec![
            label.to_string(),
            p.n.to_string(),
            num(p.mean_a),
            num(p.mean_b),
            diff,
            rel,
        ]);
        out.verdicts
            .push(verdict_in(lang, name_b, name_a, label, &p) + stop);
    }
    out
}

/// One "`b` against `a`" section in Markdown (English): the table of paired
/// differences of every key metric and the plain verdicts. `rows` of both
/// variants must be in the same seed order (used by `drillsim compare`).
pub fn paired_section(
    s: &mut String,
    rows: &[RunRow],
    a: usize,
    b: usize,
    name_a: &str,
    name_b: &str,
) {
    let t = paired_table(Lang::En, rows, a, b, name_a, name_b);
    let _ = writeln!(s, "### {}\n", t.heading);
    let _ = writeln!(s, "| {} |", t.head.join(" | "));
    let _ = writeln!(s, "|{}", "---|".repeat(t.head.len()));
    for r in &t.rows {
        let _ = writeln!(s, "| {} |", r.join(" | "));
    }
    s.push('\n');
    for v in &t.verdicts {
        let _ = writeln!(s, "- {v}");
    }
    s.push('\n');
}

/// The 95% Wilson score interval of a proportion `p` observed on `n`
/// (possibly effective, non-integer) trials.
pub fn wilson(p: f64, n: f64) -> Option<(f64, f64)> {
    if n <= 0.0 {
        return None;
    }
    let z = 1.959_963_984_540_054;
    let z2 = z * z;
    let d = 1.0 + z2 / n;
    let c = (p + z2 / (2.0 * n)) / d;
    let h = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / d;
    Some(((c - h).max(0.0), (c + h).min(1.0)))
}

/// A clause's on-time rate with its conservative interval: Wilson with the
/// number of runs that had the clause as the effective sample size
/// (obligations within a run are correlated, so the design effect is at
/// most the obligations per run and the effective n at least the runs).
pub fn clause_rate(c: &ClauseAgg) -> Option<(f64, (f64, f64))> {
    let r = c.on_time_rate()?;
    Some((r, wilson(r, c.runs as f64)?))
}

/// A clause's text shortened for a chart label: the plan reference and the
/// distinguishing note, without "(descriptive title)" and trailing notes.
pub fn short_clause(s: &str) -> String {
    let s = s.replace(" (descriptive title)", "");
    let head = s.split("; ").next().unwrap_or(&s).trim().to_string();
    match (head.split_once(": 「"), head.split_once(" — ")) {
        (Some((reference, _)), Some((_, note))) => format!("{reference} — {note}"),
        _ => head,
    }
}

/// One clause's standing in a comparison of `b` against `a`.
pub struct ClauseChange<'a> {
    pub clause: &'a str,
    pub a: Option<&'a ClauseAgg>,
    pub b: Option<&'a ClauseAgg>,
    /// Rate b − rate a, when both have assessed obligations.
    pub change: Option<f64>,
}

impl ClauseChange<'_> {
    fn assessed(&self) -> u64 {
        self.a.map_or(0, |c| c.assessed) + self.b.map_or(0, |c| c.assessed)
    }

    /// Both conservative intervals exist and do not overlap.
    pub fn clear(&self) -> bool {
        match (self.a.and_then(clause_rate), self.b.and_then(clause_rate)) {
            (Some((_, (la, ha))), Some((_, (lb, hb)))) => hb < la || lb > ha,
            _ => false,
        }
    }
}

/// The clauses of `b` against `a` ranked by change: clauses both have, by
/// |rate b − rate a| (then by obligations), then those with obligations on
/// one side only, by obligations; ties by clause text.
pub fn clause_changes<'a>(a: &'a VariantAgg, b: &'a VariantAgg) -> Vec<ClauseChange<'a>> {
    let keys: BTreeSet<&String> = a.clauses.keys().chain(b.clauses.keys()).collect();
    let mut out: Vec<ClauseChange> = keys
        .into_iter()
        .map(|k| {
            let ca = a.clauses.get(k).filter(|c| c.assessed > 0);
            let cb = b.clauses.get(k).filter(|c| c.assessed > 0);
            let change = match (
                ca.and_then(|c| c.on_time_rate()),
                cb.and_then(|c| c.on_time_rate()),
            ) {
                (Some(x), Some(y)) => Some(y - x),
                _ => None,
            };
            ClauseChange {
                clause: k.as_str(),
                a: ca,
                b: cb,
                change,
            }
        })
        .filter(|c| c.a.is_some() || c.b.is_some())
        .collect();
    out.sort_by(|x, y| {
        let key = |c: &ClauseChange| c.change.map(f64::abs);
        match (key(x), key(y)) {
            (Some(p), Some(q)) => q.total_cmp(&p),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
        .then(y.assessed().cmp(&x.assessed()))
        .then(x.clause.cmp(y.clause))
    });
    out
}

/// Clauses per comparison table and in the chart.
const TOP_CLAUSES: usize = 12;

/// Chinese section numbers.
fn section_title(lang: Lang, k: usize, title: &str) -> String {
    const ZH: [&str; 12] = [
        "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二",
    ];
    match lang {
        Lang::Zh => format!("{}、{title}", ZH.get(k).copied().unwrap_or("十")),
        Lang::En => title.to_string(),
    }
}

/// A change of rate in percentage points, signed ("+12", "-3", "0").
fn points(d: f64) -> String {
    let p = (d * 100.0).round();
    if p == 0.0 {
        "0".into()
    } else {
        format!("{p:+.0}")
    }
}

fn rate_cell(c: Option<&ClauseAgg>) -> String {
    match c.and_then(|c| clause_rate(c).map(|r| (c, r))) {
        Some((c, (r, (lo, hi)))) => format!(
            "{} ({}/{}; {:.0}–{})",
            pct(r),
            c.on_time,
            c.assessed,
            lo * 100.0,
            pct(hi)
        ),
        None => "–".to_string(),
    }
}

/// Every report file of a batch (names relative to its folder), a pure
/// function of the batch's info, rows (in (variant, seed) order) and
/// per-variant aggregates (`aggs[v]` for variant v; may be empty, then the
/// charts over time and the clause tables are left out and the report
/// says so).
pub fn files(info: &BatchInfo, rows: &[RunRow], aggs: &[VariantAgg]) -> Vec<(String, Vec<u8>)> {
    let lang = info.lang();
    let (doc, charts) = document(info, rows, aggs);
    let mut files = vec![
        (
            "report.html".to_string(),
            html::render_html(&doc, &charts, lang),
        ),
        ("report.md".to_string(), html::render_md(&doc, &charts)),
    ];
    for c in charts {
        files.push((format!("charts/{}.svg", c.name), c.svg.into_bytes()));
        files.push((format!("charts/{}.png", c.name), c.png));
    }
    files
}

/// The metrics of the distribution chart, by `runs.csv` name.
const DIST_METRICS: [&str; 4] = [
    "total_infected_hosts",
    "service_hours_lost",
    "time_to_containment_min",
    "final_compliance",
];

/// The report's content and its charts.
pub fn document(info: &BatchInfo, rows: &[RunRow], aggs: &[VariantAgg]) -> (Doc, Vec<Chart>) {
    let lang = info.lang();
    let t = |l: L| l.get(lang);
    let nv = info.variants.len();
    let names = display_names(&info.variants);
    let codes: Vec<String> = names.iter().map(|n| code(n)).collect();
    let aggs = if aggs.len() == nv { aggs } else { &[] };
    let mut charts: Vec<Chart> = Vec::new();
    let mut sections: Vec<Section> = Vec::new();
    let mut section = |id: &'static str, title: String, blocks: Vec<Block>| {
        let k = sections.len();
        sections.push(Section {
            id,
            title: section_title(lang, k, &title),
            blocks,
        });
    };

    // Overview.
    let last_seed = info.seed + info.runs.saturating_sub(1);
    let mut blocks = vec![
        Block::Facts(vec![
            (t(lb::OV_RUNS).into(), info.runs.to_string()),
            (t(lb::OV_SEEDS).into(), format!("{}–{last_seed}", info.seed)),
            (
                t(lb::OV_RESPONSE).into(),
                t(if info.no_response {
                    lb::OV_RESPONSE_NONE
                } else {
                    lb::OV_RESPONSE_SIM
                })
                .into(),
            ),
            (
                t(lb::OV_READINESS).into(),
                t(if info.perfect {
                    lb::OV_READY_PERFECT
                } else {
                    lb::OV_READY_TEAMS
                })
                .into(),
            ),
        ]),
        Block::Para(t(lb::OV_CRN).into()),
    ];
    blocks.push(Block::Table {
        head: vec![
            t(lb::VAR_NAME).into(),
            t(lb::VAR_SCENARIO).into(),
            t(lb::VAR_PLAN).into(),
            t(lb::VAR_TEAMS).into(),
        ],
        rows: info
            .variants
            .iter()
            .zip(&codes)
            .map(|(v, n)| {
                vec![
                    n.clone(),
                    format!("{} {}", code(&v.scenario), esc(&v.scenario_name)),
                    format!("{} {}", code(&v.plan), esc(&v.plan_name)),
                    code(&v.teams),
                ]
            })
            .collect(),
        num_from: 4,
    });
    section("overview", t(lb::SEC_OVERVIEW).into(), blocks);

    // Key metrics.
    let key: Vec<(usize, &super::Metric)> =
        METRICS.iter().enumerate().filter(|(_, m)| m.key).collect();
    let mut head = vec![t(lb::MET_METRIC).to_string()];
    head.extend(codes.iter().cloned());
    let table_rows = key
        .iter()
        .map(|&(mi, m)| {
            let mut r = vec![lb::metric(m.name, m.label).get(lang).to_string()];
            for vi in 0..nv {
                let xs = values(rows, vi, mi);
                r.push(match stats::describe(&xs) {
                    None => "–".into(),
                    Some(d) => {
                        let mut c = num(d.mean);
                        if let Some((l, h)) = d.ci {
                            let _ = write!(c, " ({}–{})", num(l), num(h));
                        }
                        if d.n < info.runs as usize {
                            let _ = write!(c, " n={}", d.n);
                        }
                        c
                    }
                });
            }
            r
        })
        .collect();
    section(
        "metrics",
        t(lb::SEC_METRICS).into(),
        vec![
            Block::Para(t(lb::MET_LEAD).into()),
            Block::Table {
                head: head.clone(),
                rows: table_rows,
                num_from: 1,
            },
        ],
    );

    // Distributions.
    let panels: Vec<Panel> = DIST_METRICS
        .iter()
        .filter_map(|name| METRICS.iter().position(|m| m.name == *name))
        .map(|mi| Panel {
            label: lb::metric(METRICS[mi].name, METRICS[mi].label)
                .get(lang)
                .to_string(),
            values: (0..nv).map(|vi| values(rows, vi, mi)).collect(),
            max: (METRICS[mi].name == "final_compliance").then_some(100.0),
        })
        .collect();
    let mut blocks = Vec::new();
    match charts::distribution(lang, &names, &panels) {
        Some(c) => {
            blocks.push(Block::Figure(charts.len()));
            charts.push(c);
        }
        None => blocks.push(Block::Skipped(t(lb::SKIP_NO_DIST).into())),
    }
    blocks.push(Block::Para(t(lb::DIST_LEAD).into()));
    blocks.push(Block::Table {
        head,
        rows: key
            .iter()
            .map(|&(mi, m)| {
                let mut r = vec![lb::metric(m.name, m.label).get(lang).to_string()];
                for vi in 0..nv {
                    r.push(match stats::describe(&values(rows, vi, mi)) {
                        None => "–".into(),
                        Some(d) => {
                            format!("{} ({}–{})", num(d.median), num(d.p5), num(d.p95))
                        }
                    });
                }
                r
            })
            .collect(),
        num_from: 1,
    });
    section("distributions", t(lb::SEC_DIST).into(), blocks);

    // Over time.
    let mut blocks = Vec::new();
    if aggs.is_empty() {
        blocks.push(Block::Skipped(t(lb::SKIP_NO_SERIES).into()));
    } else {
        let band_of = |s: &super::aggregate::SeriesAgg, a: &VariantAgg, scale: f64| -> Band {
            s.band(&a.minutes)
                .iter()
                .map(|p| (p.minute / 60.0, p.mean * scale, p.p5 * scale, p.p95 * scale))
                .collect()
        };
        let infected: Vec<Band> = aggs.iter().map(|a| band_of(&a.infected, a, 1.0)).collect();
        if infected.iter().flatten().any(|p| p.1 > 0.0 || p.3 > 0.0) {
            blocks.push(Block::Figure(charts.len()));
            charts.push(charts::bands(
                lang,
                "infected_band",
                lb::CH_INFECTED,
                lb::AXIS_INFECTED,
                &names,
                &infected,
                None,
            ));
        } else {
            blocks.push(Block::Skipped(t(lb::SKIP_NO_INFECTED).into()));
        }
        let assessed = aggs
            .iter()
            .any(|a| a.clauses.values().any(|c| c.assessed > 0));
        if assessed {
            let compliance: Vec<Band> = aggs
                .iter()
                .map(|a| band_of(&a.compliance, a, 1.0))
                .collect();
            blocks.push(Block::Figure(charts.len()));
            charts.push(charts::bands(
                lang,
                "compliance_band",
                lb::CH_COMPLIANCE,
                lb::AXIS_COMPLIANCE,
                &names,
                &compliance,
                Some(101.0),
            ));
        } else {
            blocks.push(Block::Skipped(t(lb::SKIP_NO_COMPLIANCE).into()));
        }
    }
    section("over-time", t(lb::SEC_TIME).into(), blocks);

    // Capability ratings.
    let mut head = vec![t(lb::RAT_CAPABILITY).to_string()];
    head.extend(codes.iter().cloned());
    let rating_rows = Capability::ALL
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let mut r = vec![rl::capability(*c).get(lang).to_string()];
            for vi in 0..nv {
                let mine = rows.iter().filter(|r| r.variant == vi);
                let mut counts: Vec<(usize, String)> = [Rating::P, Rating::S, Rating::M, Rating::U]
                    .iter()
                    .map(|&g| {
                        (
                            mine.clone().filter(|r| r.ratings[ci] == Some(g)).count(),
                            rl::rating_letter(g).to_string(),
                        )
                    })
                    .collect();
                counts.push((
                    mine.clone().filter(|r| r.ratings[ci].is_none()).count(),
                    t(lb::RAT_UNRATED).to_string(),
                ));
                // Most common first; ties in P, S, M, U, unrated order.
                counts.sort_by_key(|c| std::cmp::Reverse(c.0));
                let cell: Vec<String> = counts
                    .iter()
                    .filter(|(n, _)| *n > 0)
                    .map(|(n, g)| format!("{g} {n}"))
                    .collect();
                r.push(if cell.is_empty() {
                    "–".into()
                } else {
                    cell.join(" · ")
                });
            }
            r
        })
        .collect();
    section(
        "ratings",
        t(lb::SEC_RATINGS).into(),
        vec![
            Block::Para(t(lb::RAT_LEAD).into()),
            Block::Table {
                head,
                rows: rating_rows,
                num_from: usize::MAX,
            },
        ],
    );

    // Paired differences.
    if nv >= 2 {
        let a0 = bare(&names[0]);
        let mut blocks = vec![Block::Para(fill(t(lb::PAIR_LEAD), &[("a", a0.clone())]))];
        let infected = METRICS
            .iter()
            .position(|m| m.name == "total_infected_hosts")
            .unwrap_or(0);
        let mut headlines = Vec::new();
        for b in 1..nv {
            let Some(p) = compare(rows, 0, b, infected) else {
                continue;
            };
            let m = &METRICS[infected];
            let mut h = verdict_in(
                lang,
                &names[b],
                &names[0],
                lb::metric(m.name, m.label).get(lang),
                &p,
            );
            let share = |a: &VariantAgg| {
                let (on, all) = a
                    .clauses
                    .values()
                    .fold((0, 0), |(o, n), c| (o + c.on_time, n + c.assessed));
                (all > 0).then(|| on as f64 / all as f64)
            };
            if let (Some(x), Some(y)) = (aggs.first().and_then(share), aggs.get(b).and_then(share))
            {
                let (ra, rb) = (pct(x), pct(y));
                h.push_str(&if ra == rb {
                    fill(t(lb::V_ON_TIME_SAME), &[("ra", ra)])
                } else {
                    let verb = if y > x { lb::V_RAISES } else { lb::V_LOWERS };
                    fill(
                        t(lb::V_ON_TIME),
                        &[("verb", t(verb).into()), ("ra", ra), ("rb", rb)],
                    )
                });
            }
            h.push_str(if lang == Lang::Zh { "。" } else { "." });
            headlines.push(h);
        }
        if !headlines.is_empty() {
            blocks.push(Block::Para(format!("**{}**", t(lb::PAIR_HEADLINES))));
            for h in headlines {
                blocks.push(Block::Para(h));
            }
        }
        for b in 1..nv {
            let pt = paired_table(lang, rows, 0, b, &names[0], &names[b]);
            blocks.push(Block::Heading(pt.heading));
            blocks.push(Block::Table {
                head: pt.head,
                rows: pt.rows,
                num_from: 1,
            });
            blocks.push(Block::Bullets(pt.verdicts));
        }
        section("paired", fill(t(lb::SEC_PAIRED), &[("a", a0)]), blocks);
    }

    // Clauses.
    let any_clause = aggs
        .iter()
        .any(|a| a.clauses.values().any(|c| c.assessed > 0));
    let title = if nv >= 2 {
        t(lb::SEC_CLAUSES)
    } else {
        t(lb::SEC_CLAUSES_ONE)
    };
    let mut blocks = Vec::new();
    if !any_clause {
        blocks.push(Block::Skipped(
            t(if aggs.is_empty() {
                lb::SKIP_NO_SERIES
            } else {
                lb::SKIP_NO_CLAUSES
            })
            .into(),
        ));
    } else if nv == 1 {
        let mut cs: Vec<(&String, &ClauseAgg)> = aggs[0]
            .clauses
            .iter()
            .filter(|(_, c)| c.assessed > 0)
            .collect();
        cs.sort_by(|x, y| y.1.assessed.cmp(&x.1.assessed).then(x.0.cmp(y.0)));
        cs.truncate(TOP_CLAUSES);
        let bars: Vec<ClauseBar> = cs
            .iter()
            .map(|(k, c)| ClauseBar {
                label: short_clause(k),
                rates: vec![c.on_time_rate()],
            })
            .collect();
        blocks.push(Block::Figure(charts.len()));
        charts.push(charts::clauses(lang, &names, &bars));
        blocks.push(Block::Para(fill(
            t(lb::CL_LEAD_ONE),
            &[("n", TOP_CLAUSES.to_string())],
        )));
        blocks.push(Block::Table {
            head: vec![
                t(lb::CL_NO).into(),
                t(lb::CL_CLAUSE).into(),
                fill(t(lb::CL_RATE), &[("v", codes[0].clone())]),
                t(lb::CL_RUNS).into(),
            ],
            rows: cs
                .iter()
                .enumerate()
                .map(|(i, (k, c))| {
                    vec![
                        (i + 1).to_string(),
                        esc(k),
                        rate_cell(Some(c)),
                        c.runs.to_string(),
                    ]
                })
                .collect(),
            num_from: 2,
        });
    } else {
        // The chart: clauses ranked by their largest change against the
        // first variant, over every other variant.
        let all: Vec<Vec<ClauseChange>> = (1..nv)
            .map(|b| clause_changes(&aggs[0], &aggs[b]))
            .collect();
        let mut chart_keys: Vec<&str> = Vec::new();
        let mut rank: Vec<(Option<f64>, u64, &str)> = Vec::new();
        for changes in &all {
            for c in changes {
                let ch = c.change.map(f64::abs);
                match rank.iter_mut().find(|r| r.2 == c.clause) {
                    Some(r) => {
                        r.0 = match (r.0, ch) {
                            (Some(x), Some(y)) => Some(x.max(y)),
                            (x, y) => x.or(y),
                        };
                        r.1 = r.1.max(c.assessed());
                    }
                    None => rank.push((ch, c.assessed(), c.clause)),
                }
            }
        }
        rank.sort_by(|x, y| {
            match (x.0, y.0) {
                (Some(p), Some(q)) => q.total_cmp(&p),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
            .then(y.1.cmp(&x.1))
            .then(x.2.cmp(y.2))
        });
        chart_keys.extend(rank.iter().take(TOP_CLAUSES).map(|r| r.2));
        let bars: Vec<ClauseBar> = chart_keys
            .iter()
            .map(|k| ClauseBar {
                label: short_clause(k),
                rates: aggs
                    .iter()
                    .map(|a| a.clauses.get(*k).and_then(|c| c.on_time_rate()))
                    .collect(),
            })
            .collect();
        blocks.push(Block::Figure(charts.len()));
        charts.push(charts::clauses(lang, &names, &bars));
        blocks.push(Block::Para(fill(
            t(lb::CL_LEAD),
            &[("a", bare(&names[0])), ("n", TOP_CLAUSES.to_string())],
        )));
        for (b, changes) in (1..nv).zip(&all) {
            blocks.push(Block::Para(format!(
                "**{}**",
                fill(
                    t(lb::PAIR_HEADING),
                    &[("a", bare(&names[0])), ("b", bare(&names[b]))]
                )
            )));
            blocks.push(Block::Table {
                head: vec![
                    t(lb::CL_NO).into(),
                    t(lb::CL_CLAUSE).into(),
                    fill(t(lb::CL_RATE), &[("v", codes[0].clone())]),
                    fill(t(lb::CL_RATE), &[("v", codes[b].clone())]),
                    t(lb::CL_CHANGE).into(),
                    t(lb::CL_SURE).into(),
                ],
                rows: changes
                    .iter()
                    .take(TOP_CLAUSES)
                    .enumerate()
                    .map(|(i, c)| {
                        let (change, sure) = match c.change {
                            Some(d) => (
                                fill(t(lb::CL_PP), &[("v", points(d))]),
                                t(if c.clear() {
                                    lb::CL_CLEAR
                                } else {
                                    lb::CL_NOISE
                                })
                                .to_string(),
                            ),
                            None => ("–".into(), t(lb::CL_ONLY_ONE).to_string()),
                        };
                        vec![
                            (i + 1).to_string(),
                            esc(c.clause),
                            rate_cell(c.a),
                            rate_cell(c.b),
                            change,
                            sure,
                        ]
                    })
                    .collect(),
                num_from: 2,
            });
        }
    }
    section("clauses", title.into(), blocks);

    // Plan diffs.
    if !info.plan_diffs.is_empty() {
        let mut blocks = Vec::new();
        for d in &info.plan_diffs {
            blocks.push(Block::Para(fill(
                t(lb::DIFF_LEAD),
                &[("a", bare(&d.a)), ("b", bare(&d.b))],
            )));
            blocks.push(Block::Markdown(d.markdown.clone()));
        }
        section("plan-diff", t(lb::SEC_DIFF).into(), blocks);
    }

    // Method.
    section(
        "method",
        t(lb::SEC_METHOD).into(),
        vec![Block::Bullets(
            [
                lb::METHOD_CRN,
                lb::METHOD_T,
                lb::METHOD_BANDS,
                lb::METHOD_WILSON,
                lb::METHOD_QUANTILES,
            ]
            .iter()
            .map(|l| t(*l).to_string())
            .collect(),
        )],
    );

    let doc = Doc {
        title: t(lb::TITLE).into(),
        subtitle: fill(
            t(lb::SUBTITLE),
            &[
                ("variants", nv.to_string()),
                ("runs", info.runs.to_string()),
            ],
        ),
        note: t(lb::NOTE).into(),
        toc: t(lb::TOC).into(),
        fig: t(lb::FIG).into(),
        sections,
    };
    (doc, charts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_differing_in_teams_get_distinct_names() {
        let v = |plan: &str, teams: &str| VariantInfo {
            scenario: "national-worm".into(),
            scenario_name: String::new(),
            plan: plan.into(),
            plan_name: String::new(),
            teams: teams.into(),
        };
        assert_eq!(
            display_names(&[v("sat-overall", "default"), v("unit-plan", "default")]),
            ["sat-overall", "unit-plan"]
        );
        assert_eq!(
            display_names(&[v("sat-overall", "default"), v("sat-overall", "staffed")]),
            ["sat-overall/default", "sat-overall/staffed"]
        );
    }

    #[test]
    fn wilson_matches_a_published_example() {
        // 81 of 263 (Wilson 1927 / Newcombe 1998 example 1): 0.2553–0.3662.
        let (l, h) = wilson(81.0 / 263.0, 263.0).unwrap();
        assert!(
            (l - 0.2553).abs() < 1e-4 && (h - 0.3662).abs() < 1e-4,
            "{l} {h}"
        );
        // 0 of 10: 0–0.2775.
        let (l, h) = wilson(0.0, 10.0).unwrap();
        assert!(l == 0.0 && (h - 0.2775).abs() < 1e-4, "{h}");
        assert!(wilson(0.5, 0.0).is_none());
    }

    #[test]
    fn clause_labels_keep_the_reference_and_the_distinguishing_note() {
        assert_eq!(
            short_clause(
                "special-system plan (descriptive title) 3.1(2): 「清除病毒,修复漏洞」 — the patching"
            ),
            "special-system plan 3.1(2) — the patching"
        );
        assert_eq!(
            short_clause(
                "special-system plan (descriptive title) 3.1(1): 「迅速隔离受感染系统」; deadline [I]"
            ),
            "special-system plan 3.1(1): 「迅速隔离受感染系统」"
        );
        assert_eq!(
            short_clause("[P] written report within 2 h"),
            "[P] written report within 2 h"
        );
    }
}
