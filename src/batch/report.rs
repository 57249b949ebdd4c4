//! `report.md` of a batch: key metrics per variant, capability ratings side
//! by side, and paired differences against the first variant.

use std::fmt::Write;

use super::stats::{self, Paired};
use super::{BatchInfo, METRICS, RunRow, VariantInfo, values};
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

/// The plain verdict on one paired comparison, e.g. "`unit-plan` raises
/// mean total infected hosts by 38% (95% CI 31–45%) against `sat-overall`".
pub fn verdict(b: &str, a: &str, label: &str, p: &Paired) -> String {
    if p.ci.is_none() {
        return format!("too few paired runs to compare mean {label} of `{b}` and `{a}`");
    }
    if !p.significant() {
        return format!(
            "`{b}` against `{a}`: no significant difference in mean {label} ({} vs {})",
            num(p.mean_b),
            num(p.mean_a)
        );
    }
    let verb = if p.diff > 0.0 { "raises" } else { "lowers" };
    match p.relative() {
        Some((r, Some((lo, hi)))) => {
            let (l, h) = if r > 0.0 { (lo, hi) } else { (-hi, -lo) };
            format!(
                "`{b}` {verb} mean {label} by {} (95% CI {:.0}–{}) against `{a}` ({} → {})",
                pct(r),
                (l * 100.0).abs(),
                pct(h),
                num(p.mean_a),
                num(p.mean_b)
            )
        }
        _ => {
            let (lo, hi) = p.ci.unwrap_or((p.diff, p.diff));
            let (l, h) = if p.diff > 0.0 { (lo, hi) } else { (-hi, -lo) };
            format!(
                "`{b}` {verb} mean {label} by {} (95% CI {}–{}) against `{a}` ({} → {})",
                num(p.diff.abs()),
                num(l),
                num(h),
                num(p.mean_a),
                num(p.mean_b)
            )
        }
    }
}

/// Paired comparison of metric `m` between variants `a` and `b` (same seeds).
pub fn compare(rows: &[RunRow], a: usize, b: usize, m: usize) -> Option<Paired> {
    let ra = rows.iter().filter(|r| r.variant == a);
    let rb = rows.iter().filter(|r| r.variant == b);
    let pairs: Vec<(Option<f64>, Option<f64>)> = ra
        .zip(rb)
        .map(|(x, y)| {
            debug_assert_eq!(x.seed, y.seed);
            (x.values[m], y.values[m])
        })
        .collect();
    stats::paired(&pairs)
}

/// Every report file of a batch (names relative to its folder), a pure
/// function of the batch's info, rows (in (variant, seed) order) and
/// per-variant aggregates.
pub fn files(
    info: &BatchInfo,
    rows: &[RunRow],
    _aggs: &[super::aggregate::VariantAgg],
) -> Vec<(String, Vec<u8>)> {
    vec![("report.md".to_string(), markdown(info, rows).into_bytes())]
}

/// The whole `report.md`.
pub fn markdown(info: &BatchInfo, rows: &[RunRow]) -> String {
    let variants = &info.variants;
    let args = info;
    let names = names(variants);
    let runs = args.runs;
    let mut s = String::new();
    let _ = writeln!(s, "# Batch: {} variant(s) × {runs} runs\n", variants.len());
    let _ = writeln!(
        s,
        "Seeds {}–{} for every variant (common random numbers: run i of each variant uses the same seed, so differences are paired). Response: {}. Readiness: {}.\n",
        args.seed,
        args.seed + runs - 1,
        if args.no_response {
            "none"
        } else {
            "simulated"
        },
        if args.perfect {
            "perfect"
        } else {
            "as in the teams file"
        },
    );
    for (i, v) in variants.iter().enumerate() {
        let _ = writeln!(
            s,
            "- `{}`: scenario `{}` ({}), plan `{}` ({})",
            names[i], v.scenario, v.scenario_name, v.plan, v.plan_name
        );
    }

    let _ = writeln!(s, "\n## Key metrics (mean, 95% CI of the mean)\n");
    let _ = write!(s, "| metric |");
    for n in &names {
        let _ = write!(s, " `{n}` |");
    }
    let _ = write!(s, "\n|---|");
    for _ in &names {
        let _ = write!(s, "---|");
    }
    s.push('\n');
    for (mi, m) in METRICS.iter().enumerate().filter(|(_, m)| m.key) {
        let _ = write!(s, "| {} |", m.label);
        for vi in 0..variants.len() {
            let xs = values(rows, vi, mi);
            let cell = match stats::describe(&xs) {
                None => "–".to_string(),
                Some(d) => {
                    let mut c = num(d.mean);
                    if let Some((l, h)) = d.ci {
                        let _ = write!(c, " ({}–{})", num(l), num(h));
                    }
                    if d.n < runs as usize {
                        let _ = write!(c, " [n={}]", d.n);
                    }
                    c
                }
            };
            let _ = write!(s, " {cell} |");
        }
        s.push('\n');
    }

    let _ = writeln!(
        s,
        "\n## Capability ratings (runs rated P / S / M / U / unrated)\n"
    );
    let _ = write!(s, "| capability |");
    for n in &names {
        let _ = write!(s, " `{n}` |");
    }
    let _ = write!(s, "\n|---|");
    for _ in &names {
        let _ = write!(s, "---|");
    }
    s.push('\n');
    for (ci, c) in Capability::ALL.iter().enumerate() {
        let _ = write!(s, "| {} |", c.name_en());
        for vi in 0..variants.len() {
            let count = |want: Rating| {
                rows.iter()
                    .filter(|r| r.variant == vi && r.ratings[ci] == Some(want))
                    .count()
            };
            let _ = write!(
                s,
                " {} / {} / {} / {} / {} |",
                count(Rating::P),
                count(Rating::S),
                count(Rating::M),
                count(Rating::U),
                rows.iter()
                    .filter(|r| r.variant == vi && r.ratings[ci].is_none())
                    .count()
            );
        }
        s.push('\n');
    }

    if variants.len() >= 2 {
        let _ = writeln!(
            s,
            "\n## Paired differences against `{}`\n\nPer seed, the other variant's value minus `{}`'s; mean of the differences with its 95% CI (t-based), and relative to `{}`'s mean.\n",
            names[0], names[0], names[0]
        );
        for b in 1..variants.len() {
            paired_section(&mut s, rows, 0, b, &names[0], &names[b]);
        }
    }
    for d in &info.plan_diffs {
        let _ = writeln!(
            s,
            "\n## What changed from plan `{}` to plan `{}`\n",
            d.a, d.b
        );
        // The diff's own headings go one level down.
        for line in d.markdown.lines() {
            if line.starts_with('#') {
                let _ = writeln!(s, "##{line}");
            } else {
                let _ = writeln!(s, "{line}");
            }
        }
    }
    s
}

/// One "`b` against `a`" section: the table of paired differences of every
/// key metric and the plain verdicts. `rows` of both variants must be in
/// the same seed order (shared by `batch` and `compare`).
pub fn paired_section(
    s: &mut String,
    rows: &[RunRow],
    a: usize,
    b: usize,
    name_a: &str,
    name_b: &str,
) {
    let _ = writeln!(s, "### `{name_b}` against `{name_a}`\n");
    let _ = writeln!(
        s,
        "| metric | pairs | mean `{name_a}` | mean `{name_b}` | difference (95% CI) | relative (95% CI) |\n|---|---|---|---|---|---|"
    );
    let mut verdicts = Vec::new();
    for (mi, m) in METRICS.iter().enumerate().filter(|(_, m)| m.key) {
        let Some(p) = compare(rows, a, b, mi) else {
            let _ = writeln!(s, "| {} | 0 | – | – | – | – |", m.label);
            continue;
        };
        let diff = match p.ci {
            Some((l, h)) => format!("{:+.2} ({:+.2} to {:+.2})", p.diff, l, h),
            None => format!("{:+.2}", p.diff),
        };
        let rel = match p.relative() {
            Some((r, Some((l, h)))) => format!(
                "{:+.1}% ({:+.1}% to {:+.1}%)",
                r * 100.0,
                l * 100.0,
                h * 100.0
            ),
            Some((r, None)) => format!("{:+.1}%", r * 100.0),
            None => "–".to_string(),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {diff} | {rel} |",
            m.label,
            p.n,
            num(p.mean_a),
            num(p.mean_b)
        );
        verdicts.push(verdict(name_b, name_a, m.label, &p));
    }
    s.push('\n');
    for v in verdicts {
        let _ = writeln!(s, "- {v}.");
    }
    s.push('\n');
}
