//! `drillsim run --spread N`: the spread across seeds is stored beside the
//! record, independent of `--jobs`, rebuilt byte for byte by `drillsim
//! report`, and the report says how typical the run is (or that it comes
//! from one seed).

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use drillsim::report::spread::Spread;

fn drillsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn run(out: &Path, extra: &[&str]) {
    let mut args = vec![
        "run",
        "--seed",
        "3",
        "--lang",
        "en",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = drillsim(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn read(dir: &Path, f: &str) -> Vec<u8> {
    fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(f).display()))
}

fn spread_section(md: &str) -> &str {
    let start = md.find("### Spread across seeds").expect("spread section");
    let rest = &md[start..];
    let end = rest[4..].find("\n## ").map_or(rest.len(), |i| i + 4);
    &rest[..end]
}

#[test]
fn spread_is_deterministic_jobs_independent_and_rebuilt_by_report() {
    let t = tempfile::tempdir().unwrap();
    let (a, b, c) = (t.path().join("a"), t.path().join("b"), t.path().join("c"));
    run(&a, &["--spread", "8", "--jobs", "1"]);
    run(&b, &["--spread", "8", "--jobs", "2"]);
    run(&c, &["--spread", "8", "--jobs", "1"]);
    for f in ["spread.json", "report.md", "report.html", "record.json"] {
        assert_eq!(read(&a, f), read(&b, f), "{f}: --jobs 1 vs 2");
        assert_eq!(read(&a, f), read(&c, f), "{f}: same command twice");
    }
    let sp: Spread = serde_json::from_slice(&read(&a, "spread.json")).unwrap();
    assert_eq!((sp.seed, sp.first_seed, sp.runs), (3, 3, 8));
    // The run's own value is the record's.
    let rec = drillsim::output::read_record(&a).unwrap();
    let total = sp
        .metrics
        .iter()
        .find(|m| m.name == "total_infected_hosts")
        .unwrap();
    assert_eq!(total.this, Some(rec.totals.total_infected_hosts as f64));
    assert_eq!(total.n, 8);
    let (lo, hi) = (total.p5.unwrap(), total.p95.unwrap());
    assert!(lo <= total.median.unwrap() && total.median.unwrap() <= hi);
    let p = total.percentile.unwrap();
    assert!((0.0..=100.0).contains(&p));
    // The report: a table of the key metrics and one sentence.
    let md = String::from_utf8(read(&a, "report.md")).unwrap();
    let s = spread_section(&md);
    assert!(s.contains("were run with 8 seeds (3 to 10)"), "{s}");
    assert!(s.contains("percentile of 8 seeds (median"), "{s}");
    assert!(s.contains("| total infected hosts |"), "{s}");
    // `drillsim report` keeps the spread and rebuilds the same bytes.
    let o = drillsim(&["report", a.to_str().unwrap(), "--lang", "en"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["spread.json", "report.md", "report.html"] {
        assert_eq!(read(&a, f), read(&b, f), "{f}: rebuilt by drillsim report");
    }
}

#[test]
fn without_spread_the_report_says_it_is_one_seed() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("one");
    run(&d, &[]);
    assert!(!d.join("spread.json").exists());
    let md = String::from_utf8(read(&d, "report.md")).unwrap();
    let s = spread_section(&md);
    assert!(s.contains("This report comes from one seed (3)"), "{s}");
    assert!(s.contains("drillsim run --seed 3 --spread 50"), "{s}");
}

#[test]
fn a_broken_spread_file_is_a_positioned_error_and_changes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("run");
    run(&d, &["--spread", "2"]);
    let before = read(&d, "report.md");
    fs::write(
        d.join("spread.json"),
        "{\n  \"format\": 1,\n  \"seed\": \"x\"\n}\n",
    )
    .unwrap();
    let o = drillsim(&["report", d.to_str().unwrap(), "--lang", "en"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("spread.json:3:"), "{err}");
    assert_eq!(read(&d, "report.md"), before);
}
