//! The batch report (`batch::report::files`): determinism, languages,
//! charts, skipped charts, the clause ranking and verdict wording.
//!
//! Batches are run in-process here (the same engine, scoring and
//! aggregates the pipeline uses), so the report is tested on real
//! aggregates independently of `drillsim batch`'s plumbing.

use std::path::Path;
use std::sync::Arc;

use drillsim::app;
use drillsim::batch::aggregate::{ClauseAgg, VariantAgg};
use drillsim::batch::report::{self, clause_changes, labels as lb, verdict_in};
use drillsim::batch::stats::Paired;
use drillsim::batch::{BatchInfo, PlanDiffNote, RunRow, VariantInfo, row};
use drillsim::engine::{self, ResponseSetup, RunConfig};
use drillsim::report::Lang;
use drillsim::{plan_diff, score};

/// Runs every (scenario, plan) variant over seeds `seed..seed + runs` and
/// returns what the pipeline hands to `report::files`.
pub fn run_batch(
    scenario: Option<&str>,
    plans: &[&str],
    runs: u64,
    seed: u64,
    lang: &str,
) -> (BatchInfo, Vec<RunRow>, Vec<VariantAgg>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let topo = app::load_topology(None).unwrap();
    let scen = app::load_scenario(scenario.map(|s| root.join(s)).as_deref(), &topo).unwrap();
    let teams = app::load_teams(None, &topo).unwrap();
    let th = app::load_scoring(None).unwrap();
    let plans: Vec<_> = plans.iter().map(|p| app::load_plan(p).unwrap()).collect();
    let mut rows = Vec::new();
    let mut aggs = Vec::new();
    for (vi, plan) in plans.iter().enumerate() {
        let mut agg: Option<VariantAgg> = None;
        for s in seed..seed + runs {
            let rec = engine::run_with(
                topo.clone(),
                scen.clone(),
                Some(ResponseSetup {
                    plan: plan.clone(),
                    teams: Arc::clone(&teams),
                    spread: true,
                }),
                RunConfig {
                    seed: s,
                    response: true,
                },
            );
            let a = score::assess(&rec, &th);
            agg.get_or_insert_with(|| VariantAgg::new(rec.duration_min, rec.tick_min))
                .add(&rec, &a);
            rows.push(row(vi, s, &a));
        }
        aggs.push(agg.unwrap());
    }
    let info = BatchInfo {
        variants: plans
            .iter()
            .map(|p| VariantInfo {
                scenario: scen.slug.clone(),
                scenario_name: scen.name.clone(),
                plan: p.slug.clone(),
                plan_name: p.name.clone(),
                teams: "default".into(),
            })
            .collect(),
        seed,
        runs,
        no_response: false,
        perfect: false,
        lang: lang.into(),
        // As the pipeline does: every other plan against the first.
        plan_diffs: plans[1..]
            .iter()
            .map(|b| PlanDiffNote {
                a: plans[0].slug.clone(),
                b: b.slug.clone(),
                markdown: plan_diff::render_markdown(&plan_diff::diff(&plans[0], b)),
            })
            .collect(),
    };
    (info, rows, aggs)
}

fn get<'a>(files: &'a [(String, Vec<u8>)], name: &str) -> &'a [u8] {
    &files
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .1
}

fn text(files: &[(String, Vec<u8>)], name: &str) -> String {
    String::from_utf8(get(files, name).to_vec()).unwrap()
}

/// The text a reader sees: no `<style>`, no tags or attributes.
fn visible(html: &str) -> String {
    let body = match (html.find("<style>"), html.find("</style>")) {
        (Some(a), Some(b)) => format!("{}{}", &html[..a], &html[b..]),
        _ => html.to_string(),
    };
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

const CHARTS: [&str; 4] = [
    "distributions",
    "infected_band",
    "compliance_band",
    "clauses",
];

#[test]
fn report_files_are_deterministic_with_valid_charts_in_both_languages() {
    let (mut info, rows, aggs) = run_batch(None, &["sat-overall", "unit-plan"], 6, 3, "zh");
    let zh = report::files(&info, &rows, &aggs);
    assert_eq!(zh, report::files(&info, &rows, &aggs), "not deterministic");
    let names: Vec<&str> = zh.iter().map(|(n, _)| n.as_str()).collect();
    let mut want = vec!["report.html".to_string(), "report.md".to_string()];
    for c in CHARTS {
        want.push(format!("charts/{c}.svg"));
        want.push(format!("charts/{c}.png"));
    }
    assert_eq!(names, want);
    for c in CHARTS {
        let png = get(&zh, &format!("charts/{c}.png"));
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{c}.png");
        let svg = text(&zh, &format!("charts/{c}.svg"));
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{c}.svg"
        );
    }

    info.lang = "en".into();
    let en = report::files(&info, &rows, &aggs);
    for (lang, files) in [(Lang::Zh, &zh), (Lang::En, &en)] {
        let html = text(files, "report.html");
        let md = text(files, "report.md");
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains(&format!("<html lang=\"{}\">", lang.tag())));
        for c in CHARTS {
            assert!(html.contains(&format!("data-chart=\"{c}\"><svg")), "{c}");
            assert!(md.contains(&format!("](charts/{c}.png)")), "{c}");
        }
        // Every section heading and chart title in this language; none of
        // the other language's fixed strings.
        let other = if lang == Lang::Zh { Lang::En } else { Lang::Zh };
        for l in [
            lb::SEC_OVERVIEW,
            lb::SEC_METRICS,
            lb::SEC_DIST,
            lb::SEC_TIME,
            lb::SEC_RATINGS,
            lb::SEC_CLAUSES,
            lb::SEC_DIFF,
            lb::SEC_METHOD,
            lb::METHOD_BANDS,
            lb::CL_LEAD,
        ] {
            let mine = l.get(lang).split(['{', '`']).next().unwrap();
            assert!(html.contains(mine) && md.contains(mine), "{mine}");
            let theirs = l.get(other).split(['{', '`']).next().unwrap();
            assert!(!html.contains(theirs) && !md.contains(theirs), "{theirs}");
        }
        // No fixed string of the other language anywhere (each label's
        // text up to its first placeholder or code span, when that is long
        // enough to be distinctive), once the bilingual data (plan and
        // scenario names, the English plan diff) is set aside.
        let mut bare = info.clone();
        bare.lang = lang.tag().into();
        bare.plan_diffs.clear();
        for v in &mut bare.variants {
            v.scenario_name = "x".into();
            v.plan_name = "x".into();
        }
        let bare_files = report::files(&bare, &rows, &aggs);
        let (bh, bm) = (
            visible(&text(&bare_files, "report.html")),
            text(&bare_files, "report.md"),
        );
        for (name, l) in lb::ALL {
            let theirs = l.get(other).split(['{', '`']).next().unwrap().trim();
            if theirs.chars().count() >= 6 {
                assert!(!bh.contains(theirs), "{name} in {lang:?} html: {theirs}");
                assert!(!bm.contains(theirs), "{name} in {lang:?} md: {theirs}");
            }
        }
        for c in ["infected_band", "distributions"] {
            let svg = text(files, &format!("charts/{c}.svg"));
            let title = if c == "infected_band" {
                lb::CH_INFECTED
            } else {
                lb::CH_DIST
            };
            assert!(svg.contains(title.get(lang)), "{c}: {}", title.get(lang));
            assert!(!svg.contains(title.get(other)), "{c}");
        }
    }
    let md = text(&zh, "report.md");
    assert!(md.contains("## 一、批次概况"), "{md}");
    assert!(md.contains("### `unit-plan` 对比 `sat-overall`"), "{md}");
    // The plan diff is embedded in the Markdown and rendered in the HTML.
    assert!(
        md.contains("### Plan diff: `sat-overall` → `unit-plan`"),
        "{md}"
    );
    let html = text(&en, "report.html");
    assert!(html.contains("<h3>Plan diff: <code>sat-overall</code> → <code>unit-plan</code></h3>"));
    // English paired tables keep `drillsim compare`'s layout.
    let md = text(&en, "report.md");
    assert!(md.contains("## Paired differences against `sat-overall`"));
    assert!(md.contains(
        "| metric | pairs | mean `sat-overall` | mean `unit-plan` | difference (95% CI) | relative (95% CI) |"
    ));
}

#[test]
fn an_outage_scenario_skips_the_infected_chart_and_says_so() {
    let (info, rows, aggs) = run_batch(
        Some("scenarios/provincial-dc-power-failure.ron"),
        &["sat-overall"],
        3,
        1,
        "en",
    );
    assert!(
        rows.iter().all(|r| r.values.get(1) == Some(0.0)),
        "the outage scenario infects no host"
    );
    let files = report::files(&info, &rows, &aggs);
    assert!(
        !files
            .iter()
            .any(|(n, _)| n.starts_with("charts/infected_band"))
    );
    assert!(files.iter().any(|(n, _)| n == "charts/distributions.svg"));
    for f in ["report.md", "report.html"] {
        assert!(
            text(&files, f).contains(lb::SKIP_NO_INFECTED.get(Lang::En)),
            "{f}"
        );
    }
    // User text is escaped: a scenario name and a plan diff with markup.
    let mut evil = info.clone();
    evil.variants[0].scenario_name = "<script>alert(1)</script> & co".into();
    evil.plan_diffs = vec![PlanDiffNote {
        a: "a".into(),
        b: "b".into(),
        markdown: "# Diff <img src=x onerror=alert(2)>\n\n- **changed** `<i>`\n".into(),
    }];
    let html = text(&report::files(&evil, &rows, &aggs), "report.html");
    assert!(
        !html.contains("<script>alert") && !html.contains("<img src=x") && !html.contains("<i>")
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"),
        "{html}"
    );
    assert!(html.contains("<h3>Diff &lt;img src=x onerror=alert(2)&gt;</h3>"));
    assert!(html.contains("<li><b>changed</b> <code>&lt;i&gt;</code></li>"));

    // Without aggregates, the charts over time and the clause tables are
    // left out, and the report says why.
    let files = report::files(&info, &rows, &[]);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "report.html",
            "report.md",
            "charts/distributions.svg",
            "charts/distributions.png"
        ]
    );
    assert!(text(&files, "report.md").contains(lb::SKIP_NO_SERIES.get(Lang::En)));
}

fn clause(on_time: u64, assessed: u64, runs: u64) -> ClauseAgg {
    ClauseAgg {
        capability: "containment".into(),
        assessed,
        on_time,
        late: assessed - on_time,
        runs,
        ..ClauseAgg::default()
    }
}

#[test]
fn the_clause_table_ranks_by_change() {
    let mut a = VariantAgg::new(60.0, 1.0);
    let mut b = VariantAgg::new(60.0, 1.0);
    for (k, ca, cb) in [
        (
            "steady",
            Some(clause(50, 100, 50)),
            Some(clause(51, 100, 50)),
        ),
        (
            "big drop",
            Some(clause(90, 100, 50)),
            Some(clause(30, 100, 50)),
        ),
        (
            "small rise",
            Some(clause(40, 100, 50)),
            Some(clause(50, 100, 50)),
        ),
        ("only in A", Some(clause(10, 500, 50)), None),
        ("only in B", None, Some(clause(5, 20, 10))),
    ] {
        if let Some(c) = ca {
            a.clauses.insert(k.into(), c);
        }
        if let Some(c) = cb {
            b.clauses.insert(k.into(), c);
        }
    }
    let ranked = clause_changes(&a, &b);
    let order: Vec<&str> = ranked.iter().map(|c| c.clause).collect();
    assert_eq!(
        order,
        ["big drop", "small rise", "steady", "only in A", "only in B"]
    );
    assert!((ranked[0].change.unwrap() + 0.6).abs() < 1e-12);
    // 90% vs 30% over 50 runs each: the conservative intervals are apart;
    // 40% vs 50% overlap.
    assert!(ranked[0].clear());
    assert!(!ranked[1].clear());
    assert!(ranked[3].change.is_none() && !ranked[3].clear());
}

fn paired(mean_a: f64, mean_b: f64, ci: Option<(f64, f64)>) -> Paired {
    Paired {
        n: 100,
        mean_a,
        mean_b,
        diff: mean_b - mean_a,
        ci,
    }
}

#[test]
fn verdicts_say_what_changed_and_when_nothing_did() {
    let lowers = paired(1000.0, 620.0, Some((-450.0, -310.0)));
    assert_eq!(
        verdict_in(
            Lang::En,
            "sat-overall",
            "sat-2002",
            "total infected hosts",
            &lowers
        ),
        "`sat-overall` lowers mean total infected hosts by 38% (95% CI 31–45%) against `sat-2002` (1000 → 620)"
    );
    assert_eq!(
        verdict_in(Lang::Zh, "sat-overall", "sat-2002", "累计感染主机", &lowers),
        "`sat-overall` 使累计感染主机均值降低 38%（95% CI 31–45%），对比 `sat-2002`（1000 → 620）"
    );
    let same = paired(100.0, 103.0, Some((-2.0, 8.0)));
    assert_eq!(
        verdict_in(Lang::En, "b", "a", "records lost", &same),
        "`b` against `a`: no significant difference in mean records lost (103 vs 100)"
    );
    assert_eq!(
        verdict_in(Lang::Zh, "b", "a", "估计丢失记录数", &same),
        "`b` 与 `a` 的估计丢失记录数均值没有显著差异（103 对 100）"
    );
    // From zero: no relative change, the absolute one.
    let from_zero = paired(0.0, 2.5, Some((1.0, 4.0)));
    assert_eq!(
        verdict_in(Lang::En, "b", "a", "records lost", &from_zero),
        "`b` raises mean records lost by 2.50 (95% CI 1.00–4.00) against `a` (0.00 → 2.50)"
    );
    let one = paired(1.0, 2.0, None);
    assert!(verdict_in(Lang::En, "b", "a", "x", &one).starts_with("too few paired runs"));
}

/// Writes a sample report (two plans, 100 runs, both languages) under
/// `$DRILLSIM_SAMPLE_OUT/{zh,en}`: `cargo test --release --test main
/// batch_report::sample -- --ignored`.
#[test]
#[ignore]
fn sample() {
    let out = std::env::var("DRILLSIM_SAMPLE_OUT")
        .unwrap_or_else(|_| "target/batch-report-sample".into());
    let (mut info, rows, aggs) = run_batch(None, &["sat-overall", "unit-plan"], 100, 1, "zh");
    for lang in ["zh", "en"] {
        info.lang = lang.into();
        let dir = Path::new(&out).join(lang);
        let t = std::time::Instant::now();
        let files = report::files(&info, &rows, &aggs);
        eprintln!("report::files ({lang}): {:.2} s", t.elapsed().as_secs_f64());
        for (name, bytes) in files {
            let p = dir.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
    }
}
