//! The scenario library: `drillsim list`, `drillsim validate`, and every
//! bundled scenario run once with a non-trivial result.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use drillsim::app::{self, RunArgs};
use drillsim::engine::EventKind;
use drillsim::library::{self, Kind};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn bin(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

/// The bundled scenario files (`scenarios/*.ron`, not the validation ones).
fn scenario_files() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    v.sort();
    v
}

#[test]
fn the_embedded_list_is_every_scenario_file() {
    let files: BTreeSet<String> = scenario_files()
        .iter()
        .map(|p| p.file_stem().unwrap().to_str().unwrap().to_string())
        .collect();
    let embedded: BTreeSet<String> = library::BUNDLED_SCENARIOS
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    assert_eq!(
        files, embedded,
        "add new scenarios to library::BUNDLED_SCENARIOS"
    );
    for (name, src) in library::BUNDLED_SCENARIOS {
        let on_disk = std::fs::read_to_string(root().join(format!("scenarios/{name}.ron")));
        assert_eq!(on_disk.unwrap(), *src);
    }
}

#[test]
fn bilingual_texts_split_at_the_last_chinese_character() {
    assert_eq!(
        library::split_bilingual("全国蠕虫爆发 National worm outbreak"),
        ("全国蠕虫爆发", "National worm outbreak")
    );
    assert_eq!(
        library::split_bilingual("SQL Slammer 蠕虫 SQL Slammer worm"),
        ("SQL Slammer 蠕虫", "SQL Slammer worm")
    );
    assert_eq!(
        library::split_bilingual("预案(单位级) Unit plan"),
        ("预案(单位级)", "Unit plan")
    );
    assert_eq!(
        library::split_bilingual("English only"),
        ("", "English only")
    );
    assert_eq!(
        library::one_line("Calibrated to Moore et al. (2003); 6 hours. More."),
        "Calibrated to Moore et al. (2003); 6 hours."
    );
}

#[test]
fn list_names_every_scenario_and_plan_in_both_languages() {
    let entries = library::entries().unwrap();
    let scenarios = scenario_files().len();
    assert_eq!(
        entries.iter().filter(|e| e.kind == "scenario").count(),
        scenarios
    );
    assert_eq!(
        entries.iter().filter(|e| e.kind == "plan").count(),
        app::BUNDLED_PLANS.len()
    );
    for e in &entries {
        assert!(
            e.title_zh.chars().any(library::is_cjk),
            "{}: Chinese title `{}`",
            e.name,
            e.title_zh
        );
        assert!(
            !e.title_en.chars().any(library::is_cjk) && !e.title_en.is_empty(),
            "{}: English title `{}`",
            e.name,
            e.title_en
        );
        assert!(
            e.summary_zh.chars().any(library::is_cjk),
            "{}: zh summary",
            e.name
        );
        assert!(
            e.summary_en.starts_with(|c: char| c.is_ascii()),
            "{}: en summary",
            e.name
        );
    }
    let o = bin(&["list"]);
    assert!(o.status.success());
    let both = String::from_utf8(o.stdout).unwrap();
    for e in &entries {
        assert!(both.contains(&e.name), "{} missing", e.name);
        assert!(both.contains(&e.title_zh) && both.contains(&e.title_en));
    }
    let en = String::from_utf8(bin(&["list", "--lang", "en"]).stdout).unwrap();
    let zh = String::from_utf8(bin(&["list", "--lang", "zh"]).stdout).unwrap();
    assert!(en.contains("National worm outbreak") && !en.contains("全国蠕虫爆发"));
    assert!(zh.contains("全国蠕虫爆发") && !zh.contains("National worm outbreak"));
    // One line per entry and language, plus the name line.
    assert_eq!(
        en.lines().filter(|l| l.starts_with("    ")).count(),
        entries.len()
    );
    assert_eq!(
        both.lines().filter(|l| l.starts_with("    ")).count(),
        2 * entries.len()
    );
}

#[test]
fn validate_tells_each_kind_from_its_content() {
    let cases: [(&str, Kind); 8] = [
        ("scenarios/national-worm.ron", Kind::Scenario),
        ("scenarios/plans/sat-overall.ron", Kind::Plan),
        ("assets/teams.ron", Kind::Teams),
        ("assets/scoring.ron", Kind::Scoring),
        ("tests/data/tree-topology", Kind::Topology),
        ("tests/data/tree-topology/nodes.csv", Kind::Topology),
        ("tests/data/tree-topology/links.csv", Kind::Topology),
        (
            "tests/data/bad-scenarios/fraction-above-one.ron",
            Kind::Scenario,
        ),
    ];
    for (f, k) in cases {
        assert_eq!(library::detect(&root().join(f)).unwrap(), k, "{f}");
    }
    // Renamed files keep their kind: the content decides.
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("whatever.txt");
    std::fs::copy(root().join("assets/teams.ron"), &p).unwrap();
    assert_eq!(library::detect(&p).unwrap(), Kind::Teams);
}

/// A good and a bad file of each kind: good ones pass, each bad one is
/// reported with its position, everything in one run, exit 2.
#[test]
fn validate_reports_every_problem_with_its_position() {
    let good = [
        "scenarios/national-worm.ron",
        "scenarios/plans/unit-plan.ron",
        "assets/teams.ron",
        "assets/scoring.ron",
        "tests/data/tree-topology",
    ];
    let o = bin(&[&["validate"][..], &good[..]].concat());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        out.lines().filter(|l| l.starts_with("ok: ")).count(),
        good.len()
    );

    // (file, the position the error must name)
    let bad = [
        (
            "tests/data/bad-scenarios/fraction-above-one.ron",
            "fraction-above-one.ron:14:34:",
        ),
        ("tests/data/library/two-errors.ron", "two-errors.ron:6:11:"),
        ("tests/data/library/two-errors.ron", "two-errors.ron:12:34:"),
        (
            "tests/data/bad-plans/unknown-body.ron",
            "unknown-body.ron:37:43:",
        ),
        ("tests/data/library/bad-teams.ron", "bad-teams.ron:37:17:"),
        (
            "tests/data/library/bad-scoring.ron",
            "bad-scoring.ron:17:9:",
        ),
        (
            "tests/data/bad-topology/bad-tier",
            "bad-tier/nodes.csv: row 4, column 4:",
        ),
        (
            "tests/data/bad-topology/unknown-parent/nodes.csv",
            "unknown-parent/nodes.csv: row 6, column 5:",
        ),
        (
            "tests/data/library/unknown-kind.ron",
            "unknown-kind.ron:3:1:",
        ),
    ];
    let mut files: Vec<&str> = bad.iter().map(|(f, _)| *f).collect();
    files.dedup();
    let mut args = vec!["validate", "assets/teams.ron"];
    args.extend(&files);
    let o = bin(&args);
    assert_eq!(o.status.code(), Some(2));
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(out.contains("ok: assets/teams.ron (teams)"), "{out}");
    for f in &files {
        assert!(out.contains(&format!("invalid: {f}")), "{f}: {out}");
    }
    for (f, pos) in bad {
        assert!(err.contains(pos), "{f}: no error at `{pos}` in\n{err}");
    }
    assert!(err.contains("9 problems found"), "{err}");
    // A missing file is an input error too, not a panic.
    let o = bin(&["validate", "no/such/file.ron"]);
    assert_eq!(o.status.code(), Some(2));
}

/// Every bundled scenario, once under sat-overall (seed 1), detects its
/// incident, reports it up a chain and writes a non-empty report.
#[test]
fn every_bundled_scenario_runs_with_a_non_trivial_result() {
    let t = tempfile::tempdir().unwrap();
    for f in scenario_files() {
        let name = f.file_stem().unwrap().to_str().unwrap().to_string();
        let out = t.path().join(&name);
        let r = app::run(&RunArgs {
            scenario: Some(f.clone()),
            plan: Some("sat-overall".into()),
            seed: 1,
            out: Some(out.clone()),
            ..Default::default()
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let count = |k: EventKind| r.record.events.iter().filter(|e| e.kind == k).count();
        assert!(count(EventKind::Detection) >= 1, "{name}: no detection");
        assert!(count(EventKind::IncidentOpened) >= 1, "{name}: no incident");
        // A report chain: at least one hop, unless every detection is at HQ,
        // the top of the chain (hq-core-router-failure: nothing to report up).
        let hq = r
            .record
            .meta
            .nodes
            .iter()
            .position(|n| n.id == "hq")
            .map(|i| i as u32);
        let only_at_hq = r
            .record
            .events
            .iter()
            .filter(|e| e.kind == EventKind::Detection)
            .all(|e| e.node == hq);
        // Or no report was owed: an incident graded Ⅳ and handled where it
        // arose (provincial-portal-intrusion, seed 1) makes no report task.
        let owed = r.record.tasks.iter().any(|t| &*t.kind == "report");
        assert!(
            only_at_hq || !owed || count(EventKind::Report) >= 1,
            "{name}: detected below HQ, reports owed, never reported"
        );
        assert!(count(EventKind::Grading) >= 1, "{name}: never graded");
        let report = std::fs::read_to_string(out.join("report.md")).unwrap();
        assert!(
            report.len() > 2000,
            "{name}: report.md has {} bytes",
            report.len()
        );
        assert!(!r.record.tasks.is_empty(), "{name}: no obligations");
    }
}

/// Coverage of the minimal test plan by two scenarios, checked by hand:
/// the HQ router failure is an equipment failure at HQ (grading, level IV,
/// the equipment procedure's two steps, no report: HQ is the top); the
/// national worm is malware (the malware procedure's three steps, reports
/// up from the counties it reaches, level II in both runs, III in one, the
/// provincial report only when III is reached); nothing reaches level I,
/// and no scenario is a disaster.
#[test]
fn coverage_of_a_small_plan_matches_the_hand_checked_matrix() {
    use drillsim::library::coverage;
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("cov");
    let plan = root().join("tests/data/plans/minimal.ron");
    let (c, _) = coverage::coverage(
        plan.to_str().unwrap(),
        &[
            root().join("scenarios/hq-core-router-failure.ron"),
            root().join("scenarios/national-worm.ron"),
        ],
        2,
        1,
        Some(&out),
    )
    .unwrap();
    let row = |key: &str| {
        let i = c
            .clauses
            .iter()
            .position(|x| x.key == key)
            .unwrap_or_else(|| panic!("{key}"));
        (c.columns[0].exercised[i], c.columns[1].exercised[i])
    };
    assert_eq!(row("grade"), (2, 2));
    assert_eq!(row("activate/IV"), (2, 2));
    assert_eq!(row("activate/I"), (0, 0));
    assert_eq!(row("procedure:0/isolate"), (0, 2));
    assert_eq!(row("procedure:0/clean"), (0, 2));
    assert_eq!(row("procedure:1/repair"), (2, 0));
    assert_eq!(row("procedure:1/restore"), (2, 0));
    assert_eq!(row("procedure:2/rebuild"), (0, 0));
    // The provincial rule needs level III, reached in one run of two.
    assert_eq!(row("activate/III"), (0, 1));
    assert_eq!(row("report/initial_report/provincial/"), (0, 1));
    assert_eq!(row("report/initial_report/county/"), (0, 2));
    assert_eq!(row("report/initial_report/hq/"), (0, 2));
    let why = |key: &str| {
        let i = c.clauses.iter().position(|x| x.key == key).unwrap();
        c.uncovered
            .iter()
            .find(|(j, _)| *j == i)
            .map(|(_, w)| w.clone())
            .unwrap()
    };
    assert!(
        why("procedure:2/rebuild").contains("class disaster"),
        "{}",
        why("procedure:2/rebuild")
    );
    assert!(
        why("activate/I").contains("needs level I"),
        "{}",
        why("activate/I")
    );
    // Both scenarios are needed to cover what is covered.
    assert_eq!(c.cover.len(), 2);
    let csv = std::fs::read_to_string(out.join("coverage.csv")).unwrap();
    assert_eq!(csv.lines().count(), c.clauses.len() + 1);
    let md = std::fs::read_to_string(out.join("coverage.md")).unwrap();
    assert!(
        md.contains("run national-worm and hq-core-router-failure"),
        "{md}"
    );
}
