//! The after-action report as a user gets it: files, re-rendering, escaping,
//! and a real headless browser.

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

/// Every file under `dir`, relative path → bytes, sorted.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

fn run(args: &[&str], out: &Path) {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.to_str().unwrap()]);
    let o = drillsim(&all);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn run_writes_the_report_and_report_re_renders_it_identically() {
    let t = tempfile::tempdir().unwrap();
    let a = t.path().join("a");
    run(&["--seed", "4"], &a);
    let files = tree(&a);
    let names: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
    for f in [
        "report.html",
        "report.md",
        "obligations.csv",
        "timeline.csv",
        "events.csv",
        "summary.json",
        "record.json",
    ] {
        assert!(names.iter().any(|n| n == f), "{f} missing: {names:?}");
    }
    assert!(
        names
            .iter()
            .filter(|n| n.starts_with("charts/") && n.ends_with(".svg"))
            .count()
            >= 6,
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .filter(|n| n.starts_with("charts/") && n.ends_with(".png"))
            .count()
            >= 6,
        "{names:?}"
    );

    // Re-render from the saved record only.
    let b = t.path().join("b");
    fs::create_dir(&b).unwrap();
    fs::copy(a.join("record.json"), b.join("record.json")).unwrap();
    let o = drillsim(&["report", b.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let again = tree(&b);
    assert_eq!(files.len(), again.len());
    for ((p, x), (q, y)) in files.iter().zip(&again) {
        assert_eq!(p, q);
        assert!(
            x == y,
            "re-rendered {} differs from the original",
            p.display()
        );
    }

    // English is complete too.
    let o = drillsim(&["report", b.to_str().unwrap(), "--lang", "en"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = fs::read_to_string(b.join("report.html")).unwrap();
    assert!(html.contains("lang=\"en\""), "not an English report");
}

#[test]
fn names_from_user_files_are_escaped_in_html() {
    let t = tempfile::tempdir().unwrap();
    let src = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/national-worm.ron"),
    )
    .unwrap();
    let evil = "<script>alert('x')</script>";
    let start = src.find("name: \"").unwrap() + "name: \"".len();
    let end = start + src[start..].find('"').unwrap();
    let patched = format!("{}{}{}", &src[..start], evil, &src[end..]);
    let file = t.path().join("evil.ron");
    fs::write(&file, patched).unwrap();
    let out = t.path().join("run");
    run(&[file.to_str().unwrap(), "--seed", "2"], &out);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains(evil), "the scenario name was not escaped");
    assert!(
        html.contains("&lt;script&gt;alert("),
        "the escaped name is missing"
    );
}

/// Renders report.html in Debian's Chromium (installed by `.ci/run`) and
/// checks every chart is present and visible and nothing failed to load.
#[test]
fn report_renders_in_a_real_browser() {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let Some(chromium) = chromium else {
        if std::env::var_os("CI").is_some() {
            panic!("chromium is not installed: .ci/run must install it");
        }
        eprintln!("skipped: chromium is not installed (CI installs it)");
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("run");
    run(&["--seed", "1"], &out);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/check_report.sh");
    let o = Command::new("bash")
        .arg(script)
        .arg(out.join("report.html"))
        .env("CHROMIUM", chromium)
        .output()
        .expect("bash runs");
    assert!(
        o.status.success(),
        "browser check failed:\n{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}
