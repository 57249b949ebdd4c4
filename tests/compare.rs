//! `drillsim compare DIR_A DIR_B`: paired differences between two saved
//! batches, read back from their runs.csv.

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

fn ok(o: &Output) {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// `drillsim batch` of `plans` over seeds 3..3+runs into `out`.
fn batch(out: &Path, plans: &[&str], runs: &str, seed: &str) {
    let mut args = vec![
        "batch",
        "--runs",
        runs,
        "--seed",
        seed,
        "--jobs",
        "2",
        "--lang",
        "en",
        "--out",
        out.to_str().unwrap(),
    ];
    for p in plans {
        args.extend_from_slice(&["--plan", p]);
    }
    ok(&drillsim(&args));
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The metric rows of every paired-differences table (after a `###` heading).
fn paired_rows(report: &str) -> Vec<String> {
    let mut inside = false;
    let mut rows = Vec::new();
    for line in report.lines() {
        if line.starts_with("### ") {
            inside = true;
        } else if line.starts_with("## ") {
            inside = false;
        } else if inside
            && line.starts_with("| ")
            && !line.starts_with("| metric ")
            && !line.starts_with("|---")
        {
            rows.push(line.to_string());
        }
    }
    rows
}

#[test]
fn a_batch_against_a_copy_of_itself_differs_in_nothing() {
    let t = tempfile::tempdir().unwrap();
    let a = t.path().join("a");
    batch(&a, &["sat-overall"], "4", "3");
    let copy = t.path().join("copy");
    fs::create_dir(&copy).unwrap();
    fs::copy(a.join("runs.csv"), copy.join("runs.csv")).unwrap();
    let o = drillsim(&["compare", a.to_str().unwrap(), copy.to_str().unwrap()]);
    ok(&o);
    // Default output: beside DIR_B.
    let report = fs::read_to_string(t.path().join("compare-a-vs-copy/report.md")).unwrap();
    let verdicts: Vec<&str> = report
        .lines()
        .filter(|l| l.starts_with("- `B:") && l.contains(" against `"))
        .collect();
    let key = drillsim::batch::METRICS.iter().filter(|m| m.key).count();
    assert_eq!(verdicts.len(), key, "{report}");
    for v in verdicts {
        assert!(v.contains("no significant difference"), "{v}");
    }
    let rows = paired_rows(&report);
    assert_eq!(rows.len(), key);
    for r in rows {
        assert!(
            r.contains("| 4 |") && r.contains("+0.00 (+0.00 to +0.00)"),
            "{r}"
        );
    }
}

#[test]
fn two_one_plan_batches_compare_like_one_two_plan_batch() {
    let t = tempfile::tempdir().unwrap();
    let (both, a, b) = (
        t.path().join("both"),
        t.path().join("a"),
        t.path().join("b"),
    );
    batch(&both, &["sat-overall", "unit-plan"], "6", "3");
    batch(&a, &["sat-overall"], "6", "3");
    batch(&b, &["unit-plan"], "6", "3");
    let out = t.path().join("cmp");
    ok(&drillsim(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]));
    let single = fs::read_to_string(both.join("report.md")).unwrap();
    let cmp = fs::read_to_string(out.join("report.md")).unwrap();
    let want = paired_rows(&single);
    assert!(!want.is_empty());
    assert_eq!(paired_rows(&cmp), want, "{cmp}");
    // The same verdicts, under the compare's names.
    let verdicts = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.starts_with("- `") && l.contains(" against `"))
            .map(|l| l.replace("`A:", "`").replace("`B:", "`"))
            .collect()
    };
    assert_eq!(verdicts(&cmp), verdicts(&single));
    // Two saved batches, two identical comparisons.
    let again = t.path().join("cmp2");
    ok(&drillsim(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]));
    assert_eq!(fs::read(again.join("report.md")).unwrap(), cmp.as_bytes());
}

#[test]
fn mismatched_seeds_exit_2_naming_folders_and_seeds_and_write_nothing() {
    let t = tempfile::tempdir().unwrap();
    let (a, c) = (t.path().join("a"), t.path().join("c"));
    batch(&a, &["sat-overall"], "3", "3"); // seeds 3, 4, 5
    batch(&c, &["unit-plan"], "3", "4"); // seeds 4, 5, 6
    let out = t.path().join("cmp");
    let o = drillsim(&[
        "compare",
        a.to_str().unwrap(),
        c.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("missing in {}: 6", a.display()))
            && err.contains(&format!("missing in {}: 3", c.display())),
        "{err}"
    );
    assert_eq!(names(t.path()), ["a", "c"]);
}

#[test]
fn a_folder_without_runs_csv_or_a_bad_row_is_bad_input() {
    let t = tempfile::tempdir().unwrap();
    let a = t.path().join("a");
    batch(&a, &["sat-overall"], "2", "3");
    let empty = t.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let bad = t.path().join("bad");
    fs::create_dir(&bad).unwrap();
    let csv = fs::read_to_string(a.join("runs.csv")).unwrap();
    // Row 3 (second run): the fourth column (first metric) is not a number.
    let mut lines: Vec<String> = csv.lines().map(String::from).collect();
    let mut f: Vec<&str> = lines[2].split(',').collect();
    f[3] = "lots";
    lines[2] = f.join(",");
    fs::write(bad.join("runs.csv"), lines.join("\n") + "\n").unwrap();
    let out = t.path().join("cmp");
    for (dir, want) in [
        (&empty, format!("{}", empty.join("runs.csv").display())),
        (
            &bad,
            format!("{}: row 3, column 4", bad.join("runs.csv").display()),
        ),
    ] {
        let o = drillsim(&[
            "compare",
            a.to_str().unwrap(),
            dir.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(&want), "{err}");
        assert!(!out.exists());
    }
    assert_eq!(names(t.path()), ["a", "bad", "empty"]);
}
