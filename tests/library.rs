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
    let (c, _) = coverage::coverage(&coverage::Args {
        plan: plan.to_str().unwrap().into(),
        scenarios: vec![
            root().join("scenarios/hq-core-router-failure.ron"),
            root().join("scenarios/national-worm.ron"),
        ],
        runs: 2,
        seed: 1,
        jobs: 1,
        out: Some(out.clone()),
        ..Default::default()
    })
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
        c.uncovered.iter().find(|l| l.clause == i).unwrap().clone()
    };
    let w = why("procedure:2/rebuild");
    assert_eq!(w.why, coverage::Why::NoThreatOfClass);
    assert!(w.text.contains("class disaster"), "{}", w.text);
    let w = why("activate/I");
    assert_eq!(w.why, coverage::Why::LevelNotReached);
    assert!(w.text.contains("needs level I"), "{}", w.text);
    // Both scenarios are needed to cover what is covered.
    assert_eq!(c.cover.chosen, vec![0, 1]);
    assert!(c.cover.exact);
    let csv = std::fs::read_to_string(out.join("coverage.csv")).unwrap();
    assert_eq!(csv.lines().count(), c.clauses.len() + 1);
    assert!(
        csv.lines()
            .any(|l| l.starts_with("procedure:2/rebuild,") && l.ends_with(",no_threat_of_class"))
    );
    let md = std::fs::read_to_string(out.join("coverage.md")).unwrap();
    assert!(
        md.contains(
            "To exercise every clause of minimal that these scenarios reach (13 of 15; the 2 \
             left out are listed with the reason) before the deadline, run scenarios \
             hq-core-router-failure and national-worm (a smallest covering set: no single \
             scenario exercises them all)."
        ),
        "{md}"
    );
    assert!(
        md.contains("请运行场景 hq-core-router-failure 和 national-worm（最小覆盖集"),
        "{md}"
    );
    for f in ["charts/coverage.svg", "charts/coverage.png"] {
        assert!(out.join(f).exists(), "{f}");
    }
}

/// The plan's standing orders (training, budget) are organisational: no
/// simulated incident exercises them, and coverage names each with that
/// reason; the chart marks them (one "×" per clause left out).
#[test]
fn coverage_names_organisational_clauses_as_left_out() {
    use drillsim::library::coverage;
    let plan = root().join("tests/data/plans/minimal-standing-orders.ron");
    let p = drillsim::app::load_plan(plan.to_str().unwrap()).unwrap();
    let topo = drillsim::app::load_topology(None).unwrap();
    let s = drillsim::app::load_scenario(
        Some(&root().join("scenarios/hq-core-router-failure.ron")),
        &topo,
    )
    .unwrap();
    let c = coverage::compute(p, &[s], 1, 1, 1).unwrap();
    for id in ["train_and_drill", "budget"] {
        let i = c
            .clauses
            .iter()
            .position(|x| x.key == format!("preparedness/{id}"))
            .unwrap();
        assert_eq!(c.clauses[i].section, coverage::ORGANISATIONAL);
        let l = c.uncovered.iter().find(|l| l.clause == i).unwrap();
        assert_eq!(l.why, coverage::Why::Organisational);
        assert!(l.text.contains("organisational"), "{}", l.text);
    }
    let md = coverage::markdown(&c);
    assert!(
        md.contains("| preparedness/budget | standing order | organisational"),
        "{md}"
    );
    for lang in [drillsim::report::Lang::Zh, drillsim::report::Lang::En] {
        let ch = drillsim::library::coverage_chart::chart(&c, lang);
        assert_eq!(
            ch.svg.matches("\n×\n").count(),
            c.uncovered.len() + 1,
            "one × per clause left out, one in the legend"
        );
        assert!(ch.png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(ch.svg.contains("hq-core-router-failure"));
    }
}

/// `coverage` runs through the batch's parallel per-run path: the same
/// files, byte for byte, on 1 and 2 worker threads.
#[test]
fn coverage_is_the_same_on_one_and_two_threads() {
    use drillsim::library::coverage;
    let t = tempfile::tempdir().unwrap();
    let files = |jobs: usize| {
        let out = t.path().join(format!("cov{jobs}"));
        coverage::coverage(&coverage::Args {
            plan: "sat-overall".into(),
            scenarios: vec![
                root().join("scenarios/provincial-dc-power-failure.ron"),
                root().join("scenarios/national-worm.ron"),
                root().join("scenarios/provincial-website-defacement.ron"),
            ],
            runs: 3,
            seed: 4,
            jobs,
            out: Some(out.clone()),
            lang: drillsim::report::Lang::En,
        })
        .unwrap();
        [
            "coverage.csv",
            "coverage.md",
            "charts/coverage.svg",
            "charts/coverage.png",
        ]
        .map(|f| std::fs::read(out.join(f)).unwrap())
    };
    let (a, b) = (files(1), files(2));
    for (x, y) in a.iter().zip(&b) {
        assert!(x == y);
    }
    // Seeds 4–6 of each scenario, as `drillsim batch --seed 4 --runs 3`.
    let csv = String::from_utf8(a[0].clone()).unwrap();
    assert!(
        csv.lines().nth(1).unwrap().ends_with(",3,3,3,3,3,3,3,"),
        "{csv}"
    );
}

/// Acceptance (issue 11): coverage over the bundled library reports every
/// procedure clause of sat-overall as exercised, or names each one left out
/// and why; and the covering set it gives is a smallest one (checked
/// against every subset of the scenarios).
#[test]
fn coverage_of_the_bundled_library_accounts_for_every_procedure_clause() {
    use drillsim::library::coverage::{self, Why};
    let t = tempfile::tempdir().unwrap();
    let (c, _) = coverage::coverage(&coverage::Args {
        plan: "sat-overall".into(),
        runs: 2,
        seed: 1,
        out: Some(t.path().join("cov")),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(c.columns.len(), library::BUNDLED_SCENARIOS.len());
    let plan = drillsim::app::load_plan("sat-overall").unwrap();
    let steps: usize = plan.procedures.iter().map(|p| p.steps.len()).sum();
    let procedure: Vec<usize> = (0..c.clauses.len())
        .filter(|&i| c.clauses[i].section == "procedure step")
        .collect();
    assert_eq!(procedure.len(), steps);
    let md = coverage::markdown(&c);
    for &i in &procedure {
        if c.exercised(i) {
            continue;
        }
        let l = c
            .uncovered
            .iter()
            .find(|l| l.clause == i)
            .unwrap_or_else(|| panic!("{} neither exercised nor named", c.clauses[i].key));
        assert!(!l.text.is_empty());
        assert!(
            md.contains(&format!(
                "| {} | procedure step | {} |",
                c.clauses[i].key, l.text
            )),
            "{md}"
        );
        // A class reason only where no scenario runs the procedure at all.
        if l.why == Why::NoThreatOfClass {
            let owner = &c.clauses[i].owner;
            assert!(
                c.clauses
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| &x.owner == owner)
                    .all(|(k, _)| !c.exercised(k)),
                "{}",
                c.clauses[i].key
            );
        }
    }
    // Every clause left out is one nobody exercised, and vice versa.
    for i in 0..c.clauses.len() {
        assert_eq!(
            c.exercised(i),
            !c.uncovered.iter().any(|l| l.clause == i),
            "{}",
            c.clauses[i].key
        );
    }
    // The cover exercises everything exercised, and no smaller set does.
    assert!(c.cover.exact);
    let covers = |mask: u32| {
        (0..c.clauses.len()).all(|i| {
            !c.exercised(i)
                || (0..c.columns.len()).any(|j| mask >> j & 1 == 1 && c.columns[j].exercised[i] > 0)
        })
    };
    let chosen: u32 = c.cover.chosen.iter().map(|&j| 1 << j).sum();
    assert!(covers(chosen));
    let smallest = (0..1u32 << c.columns.len())
        .filter(|&m| covers(m))
        .map(u32::count_ones)
        .min()
        .unwrap();
    assert_eq!(c.cover.chosen.len(), smallest as usize);
    let en = coverage::verdict(&c, drillsim::report::Lang::En);
    assert!(
        en.starts_with("To exercise every clause of sat-overall"),
        "{en}"
    );
    for name in c.cover_names() {
        assert!(en.contains(name), "{en}");
    }
}

/// Every bundled scenario's header states its measured outcome range under
/// sat-overall over seeds 1–10, with the command that measured it.
#[test]
fn every_bundled_scenario_states_its_measured_range() {
    for (name, src) in library::BUNDLED_SCENARIOS {
        let header: String = src
            .lines()
            .take_while(|l| !l.starts_with("Scenario("))
            .filter_map(|l| l.strip_prefix("//"))
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            header.contains("Measured outcome range under sat-overall, default teams, seeds 1–10")
                && header.contains(&format!(
                    "`drillsim batch scenarios/{name}.ron --plan sat-overall --runs 10 --seed 1`"
                )),
            "scenarios/{name}.ron: its header must state the outcome range measured with \
             `drillsim batch scenarios/{name}.ron --plan sat-overall --runs 10 --seed 1`"
        );
    }
}

/// Bad input to `coverage`: a scenario with errors is reported with its
/// positions and `--runs 0` refused, exit 2, and no output folder is left.
#[test]
fn coverage_refuses_bad_input_and_writes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("cov");
    let o = bin(&[
        "coverage",
        "tests/data/library/two-errors.ron",
        "--runs",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("two-errors.ron:6:11"), "{err}");
    assert!(err.contains("two-errors.ron:12:34"), "{err}");
    assert!(!out.exists());
    let o = bin(&["coverage", "--runs", "0", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--runs must be at least 1"));
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 0);
}
