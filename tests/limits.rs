//! Limits on absurd sizes and the semantic holes of issue 12: each refused
//! before anything is allocated, at its position, with the limit in the
//! message (exit 2, nothing written); large but legal runs are announced on
//! stderr with their expected size.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn drillsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("drillsim runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A small scenario, one field per line (line 4 `duration`, 5 `tick`, 6
/// `hosts_per_node`).
fn scenario(duration: &str, tick: &str, hosts_per_node: &str) -> String {
    format!(
        "Scenario(\n    name: \"limits\",\n    start: \"2002-11-08T09:00:00\",\n    \
         duration: \"{duration}\",\n    tick: \"{tick}\",\n    hosts_per_node: {hosts_per_node},\n    \
         injects: [(at: \"+0m\", what: NodeFailure((node: \"gd\", duration: Some(\"1h\"))))],\n)\n"
    )
}

/// `drillsim run FILE --out OUT` on `text`: exit 2, `want` at `line` of the
/// file in stderr, and no output folder.
fn refused(text: &str, line: usize, want: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.ron");
    fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    let o = drillsim(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let at = format!("{}:{line}:", file.display());
    assert!(err.contains(&at), "expected {at} in:\n{err}");
    assert!(err.contains(want), "expected {want:?} in:\n{err}");
    assert!(!out.exists(), "nothing may be written");
}

/// `drillsim validate FILE` on `text`: exit 0 and its stderr.
fn accepted(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.ron");
    fs::write(&file, text).unwrap();
    let o = drillsim(&["validate", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    stderr(&o)
}

// ---- sizes of a run ------------------------------------------------------

#[test]
fn a_year_of_minute_ticks_is_legal_but_announced_with_its_size() {
    let err = accepted(&scenario("365d", "1m", "None"));
    assert!(
        err.contains("warning:")
            && err.contains("525600 ticks")
            && err.contains("75 MB of memory")
            && err.contains("253 MB of output")
            && err.contains("limit 600000 ticks"),
        "{err}"
    );
    // The bundled scenario is not announced.
    let o = drillsim(&["validate", "scenarios/national-worm.ron"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
}

#[test]
fn ten_years_and_a_thousand_years_are_refused_with_the_limit() {
    for d in ["3650d", "365000d"] {
        refused(
            &scenario(d, "1m", "None"),
            4,
            &format!("duration \"{d}\" is longer than the limit of 366 days"),
        );
    }
}

#[test]
fn a_millisecond_tick_is_refused() {
    refused(
        &scenario("72h", "0.001s", "None"),
        5,
        "tick \"0.001s\" is shorter than the limit of 1s",
    );
}

#[test]
fn too_many_ticks_are_refused_before_allocating() {
    // 366 days of 30-second ticks: 1,054,080 ticks.
    refused(
        &scenario("366d", "30s", "None"),
        5,
        "the run would have 1054080 ticks (duration \"366d\" / tick \"30s\"); the limit is \
         600000 ticks per run",
    );
}

#[test]
fn absurd_hosts_per_node_are_refused() {
    refused(
        &scenario("72h", "1m", "Some(4294967295)"),
        6,
        "hosts_per_node 4294967295 is above the limit of 1000000",
    );
    // Legal per node, but 16,135 nodes × 5,000 = 80,675,000 hosts in all.
    refused(
        &scenario("72h", "1m", "Some(5000)"),
        6,
        "hosts_per_node 5000 gives the 16135 nodes 80675000 hosts in all, above the limit of \
         20000000",
    );
}

#[test]
fn hosts_per_node_on_external_partners_is_a_warning() {
    let err = accepted(&scenario("72h", "1m", "Some(10)"));
    assert!(
        err.contains("gives 10 hosts to each node, the 3 external partner nodes"),
        "{err}"
    );
}

#[test]
fn a_start_running_past_year_9999_is_refused() {
    let text = scenario("30d", "1h", "None").replace("2002-11-08T09:00:00", "9999-12-20T00:00:00");
    refused(&text, 4, "the scenario would end after 9999-12-31");
}

#[test]
fn too_many_runs_and_seeds_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b");
    let o = drillsim(&["batch", "--runs", "2000000", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("above the limit of 1000000 runs per batch"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    let o = drillsim(&["run", "--spread", "1000000", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("above the limit of 100000 seeds"));
    assert!(!out.exists());
}

// ---- the network -----------------------------------------------------------

/// The default network exported to a folder.
fn exported() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t");
    let o = drillsim(&["topology", "export", t.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    dir
}

fn import_errors(dir: &Path) -> String {
    match drillsim::model::topology_csv::import(dir) {
        Ok(_) => panic!("imported"),
        Err(d) => d.to_string(),
    }
}

#[test]
fn links_csv_with_only_a_header_is_refused() {
    let dir = exported();
    let t = dir.path().join("t");
    let links = fs::read_to_string(t.join("links.csv")).unwrap();
    fs::write(
        t.join("links.csv"),
        links.lines().next().unwrap().to_owned() + "\n",
    )
    .unwrap();
    let e = import_errors(&t);
    assert!(
        e.contains("links.csv: row 1, column 1: links.csv has no lines: the 16134 nodes other than HQ would all be cut off"),
        "{e}"
    );
}

#[test]
fn a_node_without_links_is_refused_by_name_with_counts() {
    let dir = exported();
    let t = dir.path().join("t");
    let links = fs::read_to_string(t.join("links.csv")).unwrap();
    // Drop every line touching the Guangdong provincial bureau: it and
    // everything below it lose HQ (backup lines go to the parent as well).
    let kept: Vec<&str> = links
        .lines()
        .filter(|l| {
            let mut f = l.split(',');
            let (a, b) = (f.next().unwrap(), f.next().unwrap());
            a != "gd" && b != "gd"
        })
        .collect();
    fs::write(t.join("links.csv"), kept.join("\n") + "\n").unwrap();
    let e = import_errors(&t);
    assert!(
        e.contains("nodes cannot reach HQ over any line (1 with no line at all): gd"),
        "{e}"
    );
    assert!(e.contains("nodes.csv: row "), "{e}");
}

#[test]
fn absurd_hosts_in_nodes_csv_are_refused_at_their_cell() {
    let dir = exported();
    let t = dir.path().join("t");
    let nodes = fs::read_to_string(t.join("nodes.csv")).unwrap();
    let mut lines: Vec<String> = nodes.lines().map(str::to_owned).collect();
    // Row 2 is HQ; column 7 is `hosts`.
    let mut f: Vec<String> = lines[1].split(',').map(str::to_owned).collect();
    f[6] = "4294967295".into();
    lines[1] = f.join(",");
    fs::write(t.join("nodes.csv"), lines.join("\n") + "\n").unwrap();
    let e = import_errors(&t);
    assert!(
        e.contains(
            "nodes.csv: row 2, column 7: hosts 4294967295 is above the limit of 1000000 per node"
        ),
        "{e}"
    );
}

// ---- semantic holes ----------------------------------------------------------

/// `repo_file` with `from` replaced by `to` (once; `from` must be there),
/// written to a temporary folder under its own name.
fn edited(repo_file: &str, from: &str, to: &str) -> (tempfile::TempDir, std::path::PathBuf, usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = fs::read_to_string(root.join(repo_file)).unwrap();
    let at = text
        .find(from)
        .unwrap_or_else(|| panic!("{from:?} in {repo_file}"));
    let line = text[..at].matches('\n').count() + 1;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(Path::new(repo_file).file_name().unwrap());
    fs::write(&file, text.replacen(from, to, 1)).unwrap();
    (dir, file, line)
}

/// `drillsim run` with `flag FILE` (or the scenario when `flag` is empty):
/// exit 2, `want` at `FILE:line:`, nothing written.
fn run_refuses(flag: &str, file: &Path, line: usize, want: &str) {
    let out = file.parent().unwrap().join("out");
    let f = file.to_str().unwrap();
    let mut args = vec!["run", "--no-response", "--out", out.to_str().unwrap()];
    if flag.is_empty() {
        args.push(f);
    } else {
        args.extend([flag, f]);
    }
    let o = drillsim(&args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let at = format!("{f}:{line}:");
    assert!(err.contains(&at), "expected {at} in:\n{err}");
    assert!(err.contains(want), "expected {want:?} in:\n{err}");
    assert!(!out.exists());
}

const STEP: &str = "duration: (median: \"30m\", spread: 0.4),";

#[test]
fn a_step_needing_more_staff_than_any_unit_has_is_refused() {
    let (_d, f, line) = edited(
        "scenarios/plans/sat-overall.ron",
        STEP,
        "duration: (median: \"30m\", spread: 0.4), staff: 100000,",
    );
    run_refuses(
        "--plan",
        &f,
        line,
        "needs 100000 staff, but no unit has more than",
    );
    // `batch` too, before any run.
    let out = f.parent().unwrap().join("b");
    let o = drillsim(&[
        "batch",
        "--plan",
        f.to_str().unwrap(),
        "--runs",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("{}:{line}:", f.display())),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    // Above the plan's own limit, `check` calls it an error too.
    let (_d, f, line) = edited(
        "scenarios/plans/sat-overall.ron",
        STEP,
        "duration: (median: \"30m\", spread: 0.4), staff: 4294967295,",
    );
    run_refuses(
        "--plan",
        &f,
        line,
        "staff 4294967295 is above the limit of 100000",
    );
    let o = drillsim(&["check", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn absurd_spread_and_median_are_refused() {
    let (_d, f, line) = edited(
        "scenarios/plans/sat-overall.ron",
        STEP,
        "duration: (median: \"30m\", spread: 1e308),",
    );
    run_refuses("--plan", &f, line, "spread 1e308 is above the limit of 5 ");
    for (median, want) in [
        ("1e20d", "median \"1e20d\" is not a duration"),
        (
            "3650d",
            "median \"3650d\" is longer than the limit of 366 days",
        ),
    ] {
        let (_d, f, line) = edited(
            "scenarios/plans/sat-overall.ron",
            STEP,
            &format!("duration: (median: \"{median}\", spread: 0.4),"),
        );
        run_refuses("--plan", &f, line, want);
    }
}

#[test]
fn teams_probabilities_above_one_and_absurd_staff_are_refused() {
    let (_d, f, line) = edited(
        "assets/teams.ron",
        "off_hours_detection: 0.25",
        "off_hours_detection: 5",
    );
    run_refuses(
        "--teams",
        &f,
        line,
        "off_hours_detection is a share of the normal detection rate in [0, 1], not 5",
    );
    let (_d, f, line) = edited(
        "assets/teams.ron",
        "(\"information_centre\", 40)",
        "(\"information_centre\", 4294967295)",
    );
    run_refuses(
        "--teams",
        &f,
        line,
        "4294967295 staff is above the limit of 100000 people in one role at one unit",
    );
}

#[test]
fn out_of_order_due_days_are_refused() {
    let (_d, f, line) = edited(
        "assets/scoring.ron",
        "due_days: (p: 0, s: 90, m: 60, u: 30)",
        "due_days: (p: 0, s: 30, m: 60, u: 90)",
    );
    run_refuses(
        "--scoring",
        &f,
        line,
        "due_days out of order: m (60) is later than s (30)",
    );
}

#[test]
fn huge_rates_are_refused() {
    for (from, to, want) in [
        (
            "tau_per_hour: 0.005",
            "tau_per_hour: 1e300",
            "tau_per_hour 1e300 is above the limit of 1e9",
        ),
        (
            "internet_scan_per_hour: 4.0",
            "internet_scan_per_hour: 1e300",
            "internet_scan_per_hour 1e300 is above the limit of 1e9",
        ),
        (
            "traffic_kbps_per_host: 1.0",
            "traffic_kbps_per_host: 1e300",
            "traffic_kbps_per_host 1e300 is above the limit of 1e9",
        ),
    ] {
        let (_d, f, line) = edited("scenarios/national-worm.ron", from, to);
        run_refuses("", &f, line, want);
    }
}

#[test]
fn initial_hosts_above_the_nodes_hosts_are_refused() {
    let text = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/national-worm.ron"),
    )
    .unwrap()
    .replacen("initial_nodes: [],", "initial_nodes: [\"gd\"],", 1);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("w.ron");
    fs::write(
        &f,
        text.replacen("initial_hosts: 1,", "initial_hosts: 4000000000,", 1),
    )
    .unwrap();
    let line = text[..text.find("initial_hosts: 1,").unwrap()]
        .matches('\n')
        .count()
        + 1;
    run_refuses(
        "",
        &f,
        line,
        "initial_hosts 4000000000 is more than node \"gd\" has",
    );
}

// ---- default batch folders -----------------------------------------------------

#[test]
fn default_batch_folders_differ_by_everything_that_changes_the_result() {
    use drillsim::app;
    use drillsim::batch::{BatchArgs, Variant, default_batch_out};
    let topo = app::load_topology(None).unwrap();
    let scenario = app::load_scenario(None, &topo).unwrap();
    let teams = app::load_teams(None, &topo).unwrap();
    let variant = |plan: &str| Variant {
        scenario: scenario.clone(),
        plan: app::load_plan(plan).unwrap(),
        teams: teams.clone(),
        teams_slug: "default".into(),
    };
    let one = [variant("sat-overall")];
    let two = [variant("sat-overall"), variant("unit-plan")];
    let base = BatchArgs {
        runs: 20,
        seed: 1,
        ..BatchArgs::default()
    };
    let name =
        |a: &BatchArgs, v: &[Variant]| default_batch_out(a, v).to_string_lossy().into_owned();
    assert_eq!(
        name(&base, &one),
        "runs/batch-national-worm-sat-overall-s1-n20"
    );
    assert_eq!(
        name(&base, &two),
        "runs/batch-national-worm-sat-overall+unit-plan-s1-n20"
    );
    let mut seen = vec![name(&base, &one), name(&base, &two)];
    for a in [
        BatchArgs {
            no_response: true,
            ..base.clone()
        },
        BatchArgs {
            perfect: true,
            ..base.clone()
        },
        BatchArgs {
            keep_runs: true,
            ..base.clone()
        },
        BatchArgs {
            lang: drillsim::report::Lang::En,
            ..base.clone()
        },
        BatchArgs {
            scoring: Some("strict.ron".into()),
            ..base.clone()
        },
        BatchArgs {
            seed: 2,
            ..base.clone()
        },
        BatchArgs {
            runs: 21,
            ..base.clone()
        },
    ] {
        let n = name(&a, &one);
        assert!(!seen.contains(&n), "{n} twice");
        seen.push(n);
    }
    // A long name keeps its first 100 bytes and a hash of the whole.
    let many = |last: usize| -> Vec<Variant> {
        (0..=last)
            .map(|k| Variant {
                teams_slug: format!("teams-file-number-{k}"),
                ..variant("unit-plan")
            })
            .collect()
    };
    let long = BatchArgs {
        teams: vec!["x.ron".into()],
        ..base.clone()
    };
    let (a, b) = (name(&long, &many(10)), name(&long, &many(11)));
    assert_eq!(a.len(), "runs/".len() + 100 + 17, "{a}");
    assert!(
        a.starts_with("runs/batch-national-worm-unit-plan-teams-teams-file-number-0+"),
        "{a}"
    );
    assert_ne!(a, b);
}
