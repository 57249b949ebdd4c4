//! Determinism checks CI runs (`cargo test --release`), beyond the ones
//! already in `cli.rs` (the default scenario twice), `pipeline.rs` and
//! `batch.rs` (`--jobs 1` vs `--jobs 2`, shards merged vs one machine),
//! `spread.rs` (`run --spread --jobs`) and `engine_validation*.rs` (tick
//! length): every bundled scenario, with the response, gives byte-identical
//! folders in two processes; `assess`'s counterfactuals do not depend on
//! `--jobs`.

use std::fs;
use std::path::Path;

use crate::util::assert_same_folders;
use std::process::Command;

fn drillsim(args: &[&str]) {
    let o = Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn every_bundled_scenario_repeats_byte_for_byte_in_another_process() {
    let t = tempfile::tempdir().unwrap();
    let mut names: Vec<_> = fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    names.sort();
    assert!(names.len() >= 10, "{names:?}");
    for sc in &names {
        let stem = sc.file_stem().unwrap().to_str().unwrap();
        let (a, b) = (
            t.path().join(format!("{stem}-a")),
            t.path().join(format!("{stem}-b")),
        );
        for out in [&a, &b] {
            drillsim(&[
                "run",
                sc.to_str().unwrap(),
                "--seed",
                "3",
                "--lang",
                "en",
                "--out",
                out.to_str().unwrap(),
            ]);
        }
        assert_same_folders(&a, &b);
    }
}

#[test]
fn assess_counterfactuals_do_not_depend_on_jobs() {
    let t = tempfile::tempdir().unwrap();
    let (a, b) = (t.path().join("a"), t.path().join("b"));
    for (out, jobs) in [(&a, "1"), (&b, "2")] {
        drillsim(&[
            "assess",
            "tests/data/drill/sc-outage.ron",
            "--log",
            "tests/data/drill/hand.csv",
            "--runs",
            "4",
            "--jobs",
            jobs,
            "--out",
            out.to_str().unwrap(),
        ]);
    }
    assert_same_folders(&a, &b);
}
