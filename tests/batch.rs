//! `drillsim batch`: thread-count independence, agreement with `drillsim
//! run`, paired statistics, bad input.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use drillsim::batch::report::verdict;
use drillsim::batch::stats::{paired, t_quantile};

fn drillsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("drillsim runs")
}

fn batch(out: &Path, jobs: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "batch",
        "--plan",
        "sat-overall",
        "--plan",
        "unit-plan",
        "--runs",
        "4",
        "--seed",
        "3",
        "--jobs",
        jobs,
        "--lang",
        "en",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    drillsim(&args)
}

fn csv_rows(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(bytes);
    let head = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (head, rows)
}

#[test]
fn outputs_do_not_depend_on_jobs_and_match_drillsim_run() {
    let t = tempfile::tempdir().unwrap();
    let (a, b) = (t.path().join("j1"), t.path().join("j2"));
    let oa = batch(&a, "1", &[]);
    assert!(
        oa.status.success(),
        "{}",
        String::from_utf8_lossy(&oa.stderr)
    );
    // No progress bar when stderr is not a terminal.
    assert!(
        oa.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&oa.stderr)
    );
    let ob = batch(&b, "2", &[]);
    assert!(
        ob.status.success(),
        "{}",
        String::from_utf8_lossy(&ob.stderr)
    );
    for f in ["runs.csv", "summary.csv", "report.md"] {
        let (x, y) = (fs::read(a.join(f)).unwrap(), fs::read(b.join(f)).unwrap());
        assert!(x == y, "{f} differs between --jobs 1 and --jobs 2");
    }

    // N × variants rows, in (variant, seed) order.
    let (head, rows) = csv_rows(&fs::read(a.join("runs.csv")).unwrap());
    assert_eq!(rows.len(), 4 * 2);
    let keys: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[1].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(&head[..4], ["scenario", "plan", "teams", "seed"]);
    assert_eq!(
        keys,
        [
            ("sat-overall", "3"),
            ("sat-overall", "4"),
            ("sat-overall", "5"),
            ("sat-overall", "6"),
            ("unit-plan", "3"),
            ("unit-plan", "4"),
            ("unit-plan", "5"),
            ("unit-plan", "6"),
        ]
    );
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();

    // The row of (unit-plan, seed 5) is what `drillsim run --seed 5` reports.
    let run_dir = t.path().join("run");
    let o = drillsim(&[
        "run",
        "--plan",
        "unit-plan",
        "--seed",
        "5",
        "--out",
        run_dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value =
        serde_json::from_slice(&fs::read(run_dir.join("summary.json")).unwrap()).unwrap();
    let row = &rows[6];
    assert_eq!(row[col("seed")], "5");
    assert_eq!(
        row[col("total_infected_hosts")],
        s["total_infected_hosts"].to_string()
    );
    assert_eq!(
        row[col("peak_infected_hosts")],
        s["peak_infected_hosts"].to_string()
    );
    assert_eq!(row[col("on_time")], s["outcomes"]["on_time"].to_string());
    let fc: f64 = row[col("final_compliance")].parse().unwrap();
    let want = s["outcomes"]["final_compliance"].as_f64().unwrap();
    assert!((fc - want).abs() < 5e-4, "{fc} vs {want}");
    let sh: f64 = row[col("service_hours_lost")].parse().unwrap();
    assert!((sh - s["service_hours_lost"].as_f64().unwrap()).abs() < 5e-4);
    for (cap, rating) in s["ratings"].as_object().unwrap() {
        assert_eq!(
            &row[col(&format!("rating_{cap}"))],
            rating.as_str().unwrap()
        );
    }

    // summary.csv: one row per variant × metric, n = runs for always-present metrics.
    let (sh, srows) = csv_rows(&fs::read(a.join("summary.csv")).unwrap());
    assert_eq!(srows.len(), 2 * drillsim::batch::METRICS.len());
    let n = sh.iter().position(|h| h == "n").unwrap();
    let metric = sh.iter().position(|h| h == "metric").unwrap();
    let tih = srows
        .iter()
        .find(|r| r[1] == "unit-plan" && r[metric] == "total_infected_hosts")
        .unwrap();
    assert_eq!(tih[n], "4");
    let mean: f64 = tih[sh.iter().position(|h| h == "mean").unwrap()]
        .parse()
        .unwrap();
    let by_hand: f64 = rows[4..]
        .iter()
        .map(|r| r[col("total_infected_hosts")].parse::<f64>().unwrap())
        .sum::<f64>()
        / 4.0;
    assert!((mean - by_hand).abs() < 5e-4);

    // Two variants: the report carries paired differences.
    let md = fs::read_to_string(a.join("report.md")).unwrap();
    assert!(
        md.contains("## Paired differences against `sat-overall`"),
        "{md}"
    );
    assert!(md.contains("### `unit-plan` against `sat-overall`"), "{md}");
}

#[test]
fn t_quantile_matches_published_table() {
    for (df, want) in [
        (1.0, 12.706),
        (2.0, 4.303),
        (4.0, 2.776),
        (9.0, 2.262),
        (29.0, 2.045),
        (120.0, 1.980),
        (1e7, 1.960),
    ] {
        let got = t_quantile(0.975, df);
        assert!(
            (got - want).abs() < 5e-4,
            "t(0.975, {df}) = {got}, want {want}"
        );
    }
    assert!((t_quantile(0.95, 5.0) - 2.015).abs() < 5e-4);
    assert!((t_quantile(0.995, 10.0) - 3.169).abs() < 5e-4);
    assert!((t_quantile(0.025, 9.0) + 2.262).abs() < 5e-4);
}

#[test]
fn paired_ci_on_a_hand_made_example() {
    // a = 1..5, b = 2,4,3,6,8: differences 1,2,0,2,3, mean 1.6, sd √1.3;
    // half-width t(0.975, 4)·√1.3/√5 = 2.776445 · 0.509902 = 1.415715.
    let a = [1.0, 2.0, 3.0, 4.0, 5.0];
    let b = [2.0, 4.0, 3.0, 6.0, 8.0];
    let pairs: Vec<_> = a
        .iter()
        .zip(&b)
        .map(|(x, y)| (Some(*x), Some(*y)))
        .collect();
    let p = paired(&pairs).unwrap();
    assert_eq!(p.n, 5);
    assert!((p.mean_a - 3.0).abs() < 1e-12 && (p.mean_b - 4.6).abs() < 1e-12);
    assert!((p.diff - 1.6).abs() < 1e-12);
    let (l, h) = p.ci.unwrap();
    assert!((l - 0.184285).abs() < 1e-5, "{l}");
    assert!((h - 3.015715).abs() < 1e-5, "{h}");
    assert!(p.significant());
    let (r, rci) = p.relative().unwrap();
    assert!((r - 1.6 / 3.0).abs() < 1e-12);
    let (rl, rh) = rci.unwrap();
    assert!((rl - 0.184285 / 3.0).abs() < 1e-5 && (rh - 3.015715 / 3.0).abs() < 1e-5);
    assert_eq!(
        verdict("b", "a", "total infected hosts", &p),
        "`b` raises mean total infected hosts by 53% (95% CI 6–101%) against `a` (3.00 → 4.60)"
    );

    // Reversed: lowers, CI given as magnitudes, low to high.
    let rev: Vec<_> = pairs.iter().map(|&(x, y)| (y, x)).collect();
    let q = paired(&rev).unwrap();
    assert_eq!(
        verdict("a", "b", "total infected hosts", &q),
        "`a` lowers mean total infected hosts by 35% (95% CI 4–66%) against `b` (4.60 → 3.00)"
    );

    // Pairing matters: the same values shuffled give differences that
    // straddle zero, and the verdict says so. Missing values drop the pair.
    let noisy = [
        (Some(1.0), Some(8.0)),
        (Some(2.0), Some(2.0)),
        (Some(3.0), Some(3.0)),
        (Some(4.0), Some(4.0)),
        (Some(5.0), Some(2.0)),
        (None, Some(100.0)),
    ];
    let n = paired(&noisy).unwrap();
    assert_eq!(n.n, 5);
    assert!(!n.significant());
    assert!(
        verdict("b", "a", "records lost", &n).contains("no significant difference"),
        "{}",
        verdict("b", "a", "records lost", &n)
    );
}

#[test]
fn bad_plan_or_scenario_exits_2_and_writes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let bad_scenario = t.path().join("bad.ron");
    fs::write(&bad_scenario, "(name: \"x\", oops: 1)").unwrap();
    let out = t.path().join("out");
    let cases: Vec<Vec<&str>> = vec![
        vec!["--plan", "no-such-plan"],
        vec![bad_scenario.to_str().unwrap()],
        vec!["--runs", "0"],
        vec!["--plan", "sat-overall", "--plan", "sat-overall"],
    ];
    for extra in cases {
        let mut args = vec!["batch", "--runs", "2", "--out", out.to_str().unwrap()];
        args.extend_from_slice(&extra);
        let o = drillsim(&args);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{extra:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(!o.stderr.is_empty());
        let left: Vec<_> = fs::read_dir(t.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, ["bad.ron"], "{extra:?} wrote something");
    }
}

#[test]
fn keep_runs_keeps_records_that_drillsim_report_renders() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("kept");
    let o = drillsim(&[
        "batch",
        "--plan",
        "sat-overall",
        "--plan",
        "unit-plan",
        "--runs",
        "2",
        "--seed",
        "3",
        "--keep-runs",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut kept: Vec<String> = fs::read_dir(out.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    kept.sort();
    assert_eq!(
        kept,
        [
            "sat-overall-3",
            "sat-overall-4",
            "unit-plan-3",
            "unit-plan-4"
        ]
    );
    // No temporary folder is left beside it.
    assert_eq!(fs::read_dir(t.path()).unwrap().count(), 1);
    let run = out.join("runs/unit-plan-4");
    let r = drillsim(&["report", run.to_str().unwrap(), "--lang", "en"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(run.join("report.md").exists());
    // The re-rendered run agrees with the batch's row for it.
    let s: serde_json::Value =
        serde_json::from_slice(&fs::read(run.join("summary.json")).unwrap()).unwrap();
    let (head, rows) = csv_rows(&fs::read(out.join("runs.csv")).unwrap());
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let row = rows
        .iter()
        .find(|r| r[col("plan")] == "unit-plan" && r[col("seed")] == "4")
        .unwrap();
    assert_eq!(
        row[col("total_infected_hosts")],
        s["total_infected_hosts"].to_string()
    );
    // Without --keep-runs: no runs/ folder, the same tables.
    let plain = t.path().join("plain");
    let o = batch(&plain, "2", &[]);
    assert!(o.status.success());
    assert!(!plain.join("runs").exists());
    let kept4 = t.path().join("kept4");
    assert!(batch(&kept4, "2", &["--keep-runs"]).status.success());
    for f in ["runs.csv", "summary.csv", "report.md"] {
        assert_eq!(
            fs::read(plain.join(f)).unwrap(),
            fs::read(kept4.join(f)).unwrap(),
            "{f}"
        );
    }
}
