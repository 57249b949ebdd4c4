//! The bad-input corpus (`tests/data/bad/`, listed in its `MANIFEST`): every
//! file through the CLI command that reads it must exit 2 with an error that
//! names the file and a position inside it and carries the expected
//! fragment, and write nothing. Plus a 100 MB scenario, written at test time.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn corpus() -> PathBuf {
    root().join("tests/data/bad")
}

struct Entry {
    file: String,
    command: String,
    fragment: String,
}

fn manifest() -> Vec<Entry> {
    let text = fs::read_to_string(corpus().join("MANIFEST")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.splitn(3, '|').map(str::trim).collect();
            assert_eq!(f.len(), 3, "MANIFEST line `{l}`");
            Entry {
                file: f[0].into(),
                command: f[1].into(),
                fragment: f[2].into(),
            }
        })
        .collect()
}

/// The lines of a text file, or the rows of a CSV (each at least 1).
fn line_count(path: &Path) -> usize {
    fs::read(path)
        .map(|b| b.split(|&c| c == b'\n').count())
        .unwrap_or(1)
        .max(1)
}

/// Runs one corpus entry; `Err` says what went wrong.
fn check(e: &Entry) -> Result<(), String> {
    let t = tempfile::tempdir().unwrap();
    let input = corpus().join(&e.file);
    let out = t.path().join("out");
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let mut named = input.clone();
    let args: Vec<String> = match e.command.as_str() {
        "run" => vec!["run".into(), s(&input), "--out".into(), s(&out)],
        "run-plan" => vec![
            "run".into(),
            "--plan".into(),
            s(&input),
            "--out".into(),
            s(&out),
        ],
        "check" => vec!["check".into(), s(&input)],
        "validate" => vec!["validate".into(), s(&input)],
        "teams" => vec![
            "run".into(),
            "--teams".into(),
            s(&input),
            "--out".into(),
            s(&out),
        ],
        "scoring" => vec![
            "run".into(),
            "--scoring".into(),
            s(&input),
            "--out".into(),
            s(&out),
        ],
        "topology" => vec![
            "run".into(),
            "--topology".into(),
            s(&input),
            "--out".into(),
            s(&out),
        ],
        "assess" => vec![
            "assess".into(),
            s(&root().join("tests/data/drill/sc-worm.ron")),
            "--log".into(),
            s(&input),
            "--runs".into(),
            "0".into(),
            "--out".into(),
            s(&out),
        ],
        "report" => {
            fs::create_dir(&out).unwrap();
            fs::copy(&input, out.join("record.json")).unwrap();
            named = out.join("record.json");
            vec!["report".into(), s(&out)]
        }
        c => return Err(format!("unknown command `{c}`")),
    };
    let o = Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .args(&args)
        .current_dir(t.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    if o.status.code() != Some(2) {
        return Err(format!("exit {:?}, want 2; stderr: {err}", o.status.code()));
    }
    if !err.contains(&e.fragment) {
        return Err(format!("no `{}` in: {err}", e.fragment));
    }
    // The first error names the file (a topology folder: one of its CSVs)
    // and a position inside it.
    let first = err
        .lines()
        .find(|l| l.starts_with("error: "))
        .ok_or(format!("no error line: {err}"))?;
    let rest = first
        .strip_prefix("error: ")
        .and_then(|r| r.strip_prefix(named.to_str().unwrap()))
        .ok_or(format!(
            "the error does not name {}: {first}",
            named.display()
        ))?;
    let (file, pos) = if named.is_dir() {
        let (csv, rest) = rest
            .strip_prefix('/')
            .and_then(|r| r.split_once(':'))
            .ok_or(format!("no CSV named: {first}"))?;
        (named.join(csv), format!(":{rest}"))
    } else {
        (named.clone(), rest.to_string())
    };
    let nums: Vec<usize> = if let Some(r) = pos.strip_prefix(": row ") {
        let (row, r) = r.split_once(", column ").ok_or(first.to_string())?;
        let col = r.split(':').next().unwrap_or("");
        vec![row.parse().unwrap_or(0), col.parse().unwrap_or(0)]
    } else {
        pos.split(':')
            .skip(1)
            .take(2)
            .map(|x| x.parse().unwrap_or(0))
            .collect()
    };
    let lines = line_count(&file);
    if nums.len() != 2 || nums[0] < 1 || nums[1] < 1 || nums[0] > lines + 1 {
        return Err(format!(
            "no position inside the file ({lines} lines): {first}"
        ));
    }
    // Nothing written: no output folder, no temporary left beside it; a
    // report leaves the run folder as it was.
    if e.command == "report" {
        let names: Vec<_> = fs::read_dir(&out)
            .unwrap()
            .map(|d| d.unwrap().file_name())
            .collect();
        if names != ["record.json"] {
            return Err(format!("report wrote into the run folder: {names:?}"));
        }
    } else {
        let left: Vec<_> = fs::read_dir(t.path())
            .unwrap()
            .map(|d| d.unwrap().file_name())
            .collect();
        if !left.is_empty() {
            return Err(format!("left {left:?} in the output's folder"));
        }
    }
    Ok(())
}

#[test]
fn the_manifest_lists_every_corpus_file_and_at_least_80() {
    let m = manifest();
    let listed: Vec<&str> = m.iter().map(|e| e.file.as_str()).collect();
    let mut on_disk: Vec<String> = fs::read_dir(corpus())
        .unwrap()
        .map(|d| d.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "MANIFEST")
        .collect();
    on_disk.sort();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(sorted, on_disk, "MANIFEST and tests/data/bad/ differ");
    assert!(m.len() >= 80, "{} corpus files", m.len());
}

#[test]
fn every_bad_input_exits_2_with_a_position_and_writes_nothing() {
    let failures: Vec<String> = manifest()
        .iter()
        .filter_map(|e| {
            check(e)
                .err()
                .map(|m| format!("{} ({}): {m}", e.file, e.command))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A 100 MB scenario (a valid one, then a 100 MB comment and a stray
/// token): read whole, refused at the stray token's line, nothing written.
#[test]
fn a_100_mb_file_is_refused_at_its_position() {
    let t = tempfile::tempdir().unwrap();
    let path = t.path().join("huge.ron");
    let mut src = fs::read(root().join("scenarios/worm-hq-outage.ron")).unwrap();
    let lines = src.iter().filter(|&&c| c == b'\n').count();
    src.extend_from_slice(b"// ");
    src.resize(src.len() + 100 * 1024 * 1024, b'x');
    src.extend_from_slice(b"\nScenario()\n");
    fs::write(&path, &src).unwrap();
    let out = t.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .args([
            "run",
            path.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    // ron places the stray token at the end of the comment line before it.
    let want = format!("huge.ron:{}:{}: ", lines + 1, 3 + 100 * 1024 * 1024 + 1);
    assert!(
        err.contains(&want) && err.contains("Non-whitespace trailing characters"),
        "want `{want}` in {}",
        &err[..err.len().min(2000)]
    );
    assert!(!out.exists());
    // The 100 MB line is not echoed back whole.
    assert!(err.len() < 100_000, "stderr of {} bytes", err.len());
}

/// The snippet under an error: a long line is cut around the column.
#[test]
fn a_long_line_is_shown_around_the_column_with_the_caret_on_it() {
    let line = format!("{}X{}", "a".repeat(5000), "b".repeat(5000));
    let src = format!("first\n{line}\n");
    let d = drillsim::model::Diagnostic::at(Path::new("f.ron"), &src, 2, 5001, "bad");
    let text = d.to_string();
    assert!(text.len() < 600, "{text}");
    let shown: Vec<&str> = text.lines().collect();
    let (code, caret) = (shown[2], shown[3]);
    assert!(code.starts_with("2 | …") && code.ends_with('…'), "{code}");
    let at = caret.find('^').unwrap();
    assert_eq!(code[..].chars().nth(caret[..at].chars().count()), Some('X'));
    // A short line is shown whole.
    let d = drillsim::model::Diagnostic::at(Path::new("f.ron"), "abc", 1, 2, "bad");
    assert!(d.to_string().contains("1 | abc\n  |  ^"), "{d}");
}
