//! The `drillsim` binary as a user runs it: outputs, determinism, bad input.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn drillsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("drillsim runs")
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).expect("run folder") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let name = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                v.push((name, fs::read(&p).expect("file")));
            }
        }
    }
    v.sort();
    v
}

fn run_default(out: &Path, seed: &str) -> Vec<(String, Vec<u8>)> {
    let o = drillsim(&[
        "run",
        "--seed",
        seed,
        "--no-response",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    files_of(out)
}

#[test]
fn same_seed_gives_byte_identical_files_and_another_seed_differs() {
    let t = tmp();
    let a = run_default(&t.path().join("a"), "7");
    let b = run_default(&t.path().join("b"), "7");
    let c = run_default(&t.path().join("c"), "8");
    let names: Vec<&str> = a.iter().map(|(n, _)| n.as_str()).collect();
    for f in [
        "events.csv",
        "obligations.csv",
        "record.json",
        "report.html",
        "report.md",
        "summary.json",
        "timeline.csv",
    ] {
        assert!(names.contains(&f), "{f} missing: {names:?}");
    }
    assert_eq!(a, b, "same seed, different bytes");
    for ((name, x), (_, y)) in a.iter().zip(&c) {
        if name == "timeline.csv" || name == "events.csv" || name == "record.json" {
            assert_ne!(x, y, "{name} did not change with the seed");
        }
    }
}

#[test]
fn run_writes_the_promised_columns_and_summary_fields() {
    let t = tmp();
    let out = t.path().join("run");
    let o = drillsim(&["run", "--no-response", "--out", out.to_str().unwrap()]);
    assert!(o.status.success());
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("16132 WAN nodes"), "{stdout}");
    let timeline = fs::read_to_string(out.join("timeline.csv")).unwrap();
    let header = timeline.lines().next().unwrap();
    for col in [
        "time",
        "hosts_susceptible",
        "hosts_infected",
        "hosts_cleaned",
        "hosts_immune",
        "nodes_affected",
        "nodes_down",
        "nodes_cut_off",
        "services_available_pct",
    ] {
        assert!(
            header.split(',').any(|c| c == col),
            "timeline.csv lacks {col}"
        );
    }
    // 72 h of 1-minute ticks plus the initial row.
    assert_eq!(timeline.lines().count(), 1 + 1 + 72 * 60);
    let events = fs::read_to_string(out.join("events.csv")).unwrap();
    assert!(events.starts_with("time,minute,kind,node,actor,clause,detail"));
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    for key in [
        "scenario",
        "seed",
        "nodes",
        "links",
        "hosts",
        "peak_infected_hosts",
        "peak_minute",
        "total_infected_hosts",
        "nodes_affected",
        "nodes_down_max",
        "service_hours_lost",
    ] {
        assert!(summary.get(key).is_some(), "summary.json lacks {key}");
    }
    assert!(summary["nodes"].as_u64().unwrap() >= 16_000);
    assert!(summary["hosts"].as_u64().unwrap() >= 250_000);
    // The default worm, unchecked, reaches most of the country in 72 h.
    assert!(summary["nodes_affected"].as_u64().unwrap() > 5_000);
}

/// `// expect: LINE:COL` in a bad scenario's header.
fn expected_position(file: &Path) -> String {
    let src = fs::read_to_string(file).unwrap();
    src.lines()
        .find_map(|l| l.strip_prefix("// expect: "))
        .unwrap_or_else(|| panic!("{} has no expect line", file.display()))
        .trim()
        .to_string()
}

fn assert_rejected(args: &[&str], out: &Path, must_contain: &str) {
    let o = drillsim(args);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(
        stderr.contains(must_contain),
        "{args:?}: expected {must_contain:?} in\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!out.exists(), "{} was created", out.display());
    let parent = out.parent().unwrap();
    let leftovers: Vec<PathBuf> = fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}

#[test]
fn malformed_scenarios_exit_2_with_their_position_and_write_nothing() {
    let mut files: Vec<PathBuf> = fs::read_dir("tests/data/bad-scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 10);
    for f in files {
        let t = tmp();
        let out = t.path().join("out");
        let pos = format!("{}:{}", f.display(), expected_position(&f));
        assert_rejected(
            &["run", f.to_str().unwrap(), "--out", out.to_str().unwrap()],
            &out,
            &pos,
        );
    }
}

#[test]
fn malformed_topologies_exit_2_with_file_and_row() {
    for case in ["bad-tier", "non-numeric-hosts", "unknown-parent"] {
        let t = tmp();
        let out = t.path().join("out");
        let dir = format!("tests/data/bad-topology/{case}");
        assert_rejected(
            &["run", "--topology", &dir, "--out", out.to_str().unwrap()],
            &out,
            "nodes.csv: row ",
        );
    }
    let t = tmp();
    let out = t.path().join("out");
    assert_rejected(
        &[
            "run",
            "--topology",
            "tests/data/no-such-folder",
            "--out",
            out.to_str().unwrap(),
        ],
        &out,
        "nodes.csv",
    );
}

#[test]
fn exported_topology_runs_exactly_like_the_generated_one() {
    let t = tmp();
    let topo = t.path().join("topo");
    let o = drillsim(&["topology", "export", topo.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let nodes = fs::read_to_string(topo.join("nodes.csv")).unwrap();
    let header = nodes.lines().next().unwrap();
    for col in ["id", "name", "tier", "parent", "province", "hosts"] {
        assert!(header.split(',').any(|c| c == col), "nodes.csv lacks {col}");
    }
    assert!(
        fs::read_to_string(topo.join("links.csv"))
            .unwrap()
            .starts_with("a,b,kind")
    );
    let a = run_default(&t.path().join("a"), "3");
    let o = drillsim(&[
        "run",
        "--seed",
        "3",
        "--no-response",
        "--topology",
        topo.to_str().unwrap(),
        "--out",
        t.path().join("b").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(a, files_of(&t.path().join("b")));
}

#[test]
fn topology_summary_prints_the_national_counts() {
    let o = drillsim(&["topology", "summary"]);
    assert!(o.status.success());
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("16132") || s.contains("16,132"), "{s}");
    assert!(s.contains("255478") || s.contains("255,478"), "{s}");
}

#[test]
fn outage_scenarios_take_nodes_down_and_cut_them_off() {
    let t = tmp();
    let out = t.path().join("hq");
    let o = drillsim(&[
        "run",
        "scenarios/hq-core-router-failure.ron",
        "--no-response",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    // HQ down: every other WAN node is cut off from HQ.
    assert_eq!(s["nodes_down_max"], 1);
    assert_eq!(
        s["nodes_cut_off_max"].as_u64().unwrap(),
        s["nodes"].as_u64().unwrap() - 1
    );
    assert!(s["service_hours_lost"].as_f64().unwrap() > 0.0);
    let events = fs::read_to_string(out.join("events.csv")).unwrap();
    assert!(events.contains(",node_down,hq,"));
    assert!(events.contains(",node_up,hq,"));

    let out = t.path().join("dc");
    let o = drillsim(&[
        "run",
        "scenarios/provincial-dc-power-failure.ron",
        "--no-response",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert!(s["nodes_down_max"].as_u64().unwrap() >= 1);
    // Everything behind the provincial bureau is cut off while it is down.
    assert!(s["nodes_cut_off_max"].as_u64().unwrap() > 100);
}

#[test]
fn check_passes_the_bundled_plans() {
    let o = drillsim(&["check", "scenarios/plans/sat-overall.ron", "unit-plan"]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        stdout.contains("plan `sat-overall` is consistent"),
        "{stdout}"
    );
    assert!(
        stdout.contains("plan `unit-plan` is consistent"),
        "{stdout}"
    );
}

/// What the 2002 notice lacks for an incident, each at its place in the file.
const SAT_2002_MISSING: [(&str, &str); 5] = [
    ("Plan(", "no end of response"),
    ("    grading:", "no grading"),
    ("    levels: []", "no response levels"),
    (
        "    procedures: []",
        "no procedure for classes `network_attack`, `content_security`",
    ),
    ("    reporting: []", "no reporting rules"),
];

fn assert_sat_2002_missing(stderr: &str) {
    let src = fs::read_to_string("scenarios/plans/sat-2002.ron").unwrap();
    for (needle, what) in SAT_2002_MISSING {
        let line = src.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
        // The absent `end` is reported at the plan itself.
        let col = match needle {
            "Plan(" => 1,
            _ => src.lines().nth(line - 1).unwrap().find(['(', '[']).unwrap() + 1,
        };
        let want = format!(
            "scenarios/plans/sat-2002.ron:{line}:{col}: plan `sat-2002` cannot run an incident: {what}"
        );
        assert!(stderr.contains(&want), "expected {want} in\n{stderr}");
    }
    assert!(stderr.contains("5 problems found"), "{stderr}");
}

#[test]
fn check_lists_what_the_2002_notice_lacks() {
    for arg in ["sat-2002", "scenarios/plans/sat-2002.ron"] {
        let o = drillsim(&["check", arg]);
        assert_eq!(o.status.code(), Some(2), "{arg}");
        assert!(
            o.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&o.stdout)
        );
        assert_sat_2002_missing(&String::from_utf8_lossy(&o.stderr));
    }
}

#[test]
fn run_refuses_the_2002_notice_and_writes_nothing() {
    let t = tmp();
    let out = t.path().join("run");
    let o = drillsim(&["run", "--plan", "sat-2002", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_sat_2002_missing(&String::from_utf8_lossy(&o.stderr));
    assert!(!out.exists());
    assert_eq!(fs::read_dir(t.path()).unwrap().count(), 0);
}

/// `run` refuses every plan `check` calls an error, not only those the
/// loader rejects (here a reporting gap found by the linter).
#[test]
fn run_refuses_a_plan_check_rejects() {
    let t = tmp();
    let out = t.path().join("run");
    let bad = "tests/data/bad-plans/reporting-gap.ron";
    let o = drillsim(&["run", "--plan", bad, "--out", out.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("reporting gap"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn check_finds_the_seeded_faults_with_positions() {
    let mut files: Vec<PathBuf> = fs::read_dir("tests/data/bad-plans")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut errors = 0;
    for f in &files {
        let src = fs::read_to_string(f).unwrap();
        if src.contains("// severity: warning") {
            continue;
        }
        errors += 1;
        let o = drillsim(&["check", f.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{}: {stderr}", f.display());
        let pos = format!("{}:{}", f.display(), expected_position(f));
        assert!(
            stderr.contains(&pos),
            "{}: expected {pos} in\n{stderr}",
            f.display()
        );
    }
    assert!(errors >= 8, "only {errors} broken plans");
}

#[test]
fn run_takes_a_plan_revision_and_records_the_response() {
    let t = tmp();
    let out = t.path().join("run");
    let o = drillsim(&[
        "run",
        "--plan",
        "unit-plan",
        "--seed",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let events = fs::read_to_string(out.join("events.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(events.as_bytes());
    let mut kinds = std::collections::BTreeSet::new();
    for r in rdr.records() {
        let r = r.unwrap();
        if [
            "detection",
            "report",
            "grading",
            "activation",
            "step_start",
            "step_finish",
        ]
        .contains(&&r[2])
        {
            assert!(!r[4].is_empty(), "no actor: {r:?}");
            assert!(!r[5].is_empty(), "no clause: {r:?}");
            kinds.insert(r[2].to_string());
        }
    }
    assert_eq!(kinds.len(), 6, "{kinds:?}");

    // A bad plan file is reported like any other bad input.
    let t = tmp();
    let out = t.path().join("bad");
    assert_rejected(
        &[
            "run",
            "--plan",
            "tests/data/bad-plans/unknown-body.ron",
            "--out",
            out.to_str().unwrap(),
        ],
        &out,
        "tests/data/bad-plans/unknown-body.ron:",
    );
}
