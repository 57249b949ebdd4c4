//! Sources: every quotation in the bundled files is the seed's, verbatim, and
//! no bundled file points outside the repository.

use std::fs;
use std::path::{Path, PathBuf};

const SEED: &str = "assets/sources/seed-zh.txt";

/// Files under `dir` (recursively when `deep`) whose name ends with one of `exts`.
fn files(dir: &str, exts: &[&str], deep: bool) -> Vec<PathBuf> {
    fn walk(d: &Path, exts: &[&str], deep: bool, out: &mut Vec<PathBuf>) {
        for e in fs::read_dir(d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                if deep {
                    walk(&p, exts, deep, out);
                }
            } else if exts
                .iter()
                .any(|x| p.to_string_lossy().ends_with(&format!(".{x}")))
            {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(Path::new(dir), exts, deep, &mut out);
    out.sort();
    out
}

/// The quotations between 「 and 」 in `text`, with their line numbers.
fn quotations(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(a) = rest.find('「') {
        let body = &rest[a + '「'.len_utf8()..];
        let Some(b) = body.find('」') else {
            let line = text[..offset + a].matches('\n').count() + 1;
            out.push((
                line,
                format!("<unclosed> {}", body.chars().take(20).collect::<String>()),
            ));
            break;
        };
        let line = text[..offset + a].matches('\n').count() + 1;
        out.push((line, body[..b].to_owned()));
        let used = a + '「'.len_utf8() + b + '」'.len_utf8();
        offset += used;
        rest = &rest[used..];
    }
    out
}

#[test]
fn every_quotation_is_in_the_seed_verbatim() {
    let seed = fs::read_to_string(SEED).expect("the bundled seed");
    let mut checked = 0;
    let mut bad = Vec::new();
    let all = [
        files("scenarios", &["ron"], true),
        files("assets", &["ron"], false),
        files("tests/data/plans", &["ron"], false),
    ]
    .concat();
    assert!(all.len() >= 10, "{all:?}");
    for f in all {
        // The bad-input corpus holds files that are not UTF-8 on purpose.
        let text = String::from_utf8_lossy(&fs::read(&f).unwrap()).into_owned();
        for (line, q) in quotations(&text) {
            checked += 1;
            if q.is_empty() || !seed.contains(&q) {
                bad.push(format!("{}:{line}: 「{q}」", f.display()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "not in the seed verbatim:\n{}",
        bad.join("\n")
    );
    // The plan revisions quote the seed (a test that finds nothing proves nothing).
    assert!(checked >= 50, "only {checked} quotations");
}

#[test]
fn the_quotation_finder_sees_what_is_quoted() {
    let q = quotations("a 「一」 b\nc 「二,三」");
    assert_eq!(q, vec![(1, "一".to_owned()), (2, "二,三".to_owned())]);
    let seed = fs::read_to_string(SEED).unwrap();
    // A misquote (one character changed) is caught.
    assert!(seed.contains("迅速隔离受感染系统"));
    assert!(!seed.contains("迅速隔离受影响系统"));
}

#[test]
fn no_bundled_file_points_outside_the_repository() {
    let all = [
        files("scenarios", &["ron"], true),
        files("assets", &["ron", "md"], true),
        files("tests/data", &["ron"], true),
        files("src", &["rs"], true),
        files("benches", &["rs"], true),
        vec![
            PathBuf::from("README.md"),
            PathBuf::from("ARCHITECTURE.md"),
            PathBuf::from("Cargo.toml"),
        ],
    ]
    .concat();
    let mut bad = Vec::new();
    for f in all {
        // The bad-input corpus holds files that are not UTF-8 on purpose.
        let text = String::from_utf8_lossy(&fs::read(&f).unwrap()).into_owned();
        for (k, l) in text.lines().enumerate() {
            // Built from parts so this file does not name the paths itself.
            let (work, shared) = (["/wo", "rk/"].concat(), ["sha", "red/"].concat());
            if [work.as_str(), shared.as_str()]
                .iter()
                .any(|p| l.contains(p))
            {
                bad.push(format!("{}:{}: {l}", f.display(), k + 1));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "paths outside the repository:\n{}",
        bad.join("\n")
    );
}
