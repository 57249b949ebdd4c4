//! Golden files: the obligations (and their statuses) of small scenarios,
//! exactly. A change in the engine, the plans, the teams or the scoring
//! that moves any of them shows here. To accept a deliberate change:
//! `UPDATE_GOLDEN=1 cargo test golden` and review the diff.

use std::fs;
use std::path::Path;
use std::process::Command;

fn check(name: &str, args: &[&str]) {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("run");
    let mut all: Vec<&str> = vec!["run"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.to_str().unwrap()]);
    let o = Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .args(&all)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let got = fs::read_to_string(out.join("obligations.csv")).unwrap();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.obligations.csv"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::write(&golden, &got).unwrap();
    }
    let want = fs::read_to_string(&golden).unwrap();
    for (i, (g, w)) in got.lines().zip(want.lines()).enumerate() {
        assert_eq!(g, w, "{name}: line {} of obligations.csv differs", i + 1);
    }
    assert_eq!(
        got.lines().count(),
        want.lines().count(),
        "{name}: row count"
    );
}

/// HQ's core router fails; perfect readiness: every obligation on time, the
/// 7-day evaluation and 30-day summary included (done after the network
/// horizon, as the teams' paperwork goes on).
#[test]
fn hq_core_router_failure_with_perfect_readiness() {
    check(
        "hq-core-router-failure-perfect",
        &[
            "scenarios/hq-core-router-failure.ron",
            "--perfect-readiness",
        ],
    );
    let want = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden/hq-core-router-failure-perfect.obligations.csv"),
    )
    .unwrap();
    let mut rdr = csv::Reader::from_reader(want.as_bytes());
    let col = rdr
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "status")
        .unwrap();
    let statuses: Vec<String> = rdr.records().map(|r| r.unwrap()[col].to_string()).collect();
    assert!(statuses.len() > 10);
    assert!(statuses.iter().all(|s| s == "on_time"), "{statuses:?}");
}

/// Sichuan's data centre loses power; default teams, seed 8: late and
/// missed obligations among the on-time ones.
#[test]
fn provincial_dc_power_failure_with_default_teams() {
    check(
        "provincial-dc-power-failure-seed8",
        &["scenarios/provincial-dc-power-failure.ron", "--seed", "8"],
    );
}
