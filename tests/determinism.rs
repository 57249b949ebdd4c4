//! Determinism checks CI runs (`cargo test --release`), beyond the ones
//! already in `cli.rs` (the default scenario twice), `pipeline.rs` and
//! `batch.rs` (`--jobs 1` vs `--jobs 2`, shards merged vs one machine),
//! `spread.rs` (`run --spread --jobs`) and `engine_validation*.rs` (tick
//! length): every bundled scenario, with the response, gives byte-identical
//! folders in two processes; `assess`'s counterfactuals do not depend on
//! `--jobs`.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
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

/// Every file under `dir` (relative name → bytes), charts included.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, d: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let name = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(name, fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn assert_same(a: &Path, b: &Path) {
    let (fa, fb) = (files(a), files(b));
    assert_eq!(
        fa.keys().collect::<Vec<_>>(),
        fb.keys().collect::<Vec<_>>(),
        "{} vs {}",
        a.display(),
        b.display()
    );
    for (name, x) in &fa {
        assert!(
            x == &fb[name],
            "{name} differs: {} vs {}",
            a.display(),
            b.display()
        );
    }
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
        assert_same(&a, &b);
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
    assert_same(&a, &b);
}
