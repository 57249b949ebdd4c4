//! "Chinese is Chinese": a report written with `--lang zh` shows names, not
//! machine ids. Outside the appendix (the data-file table, which names files
//! and ids on purpose) no snake_case identifier (`[a-z]+_[a-z_]+`: step ids,
//! actions, body ids, event kinds, statuses) may appear in report.md or in
//! the visible text of report.html — for the default run and every bundled
//! scenario. And `drillsim report RUN_DIR` keeps the run's language.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use drillsim::report::labels::SEC_APPENDIX;

fn drillsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("drillsim runs")
}

fn run(args: &[&str], out: &Path) {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.to_str().unwrap()]);
    let o = drillsim(&all);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Every snake_case token of `text` (maximal runs of `[a-z_]` that hold
/// `[a-z]+_[a-z_]+`), with some context, once each.
fn snake_case(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut found: Vec<String> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !(b[i].is_ascii_lowercase() || b[i] == b'_') {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_lowercase() || b[i] == b'_') {
            i += 1;
        }
        let run = &text[start..i];
        let snake = run
            .trim_start_matches('_')
            .split_once('_')
            .is_some_and(|(a, rest)| {
                !a.is_empty() && a.bytes().all(|c| c.is_ascii_lowercase()) && !rest.is_empty()
            });
        if snake {
            let from = text.floor_char_boundary(start.saturating_sub(60));
            let to = text.ceil_char_boundary((i + 60).min(text.len()));
            let ctx = text[from..to].replace('\n', " ");
            let item = format!("`{run}` in …{ctx}…");
            if !found.iter().any(|f| f.starts_with(&format!("`{run}`"))) {
                found.push(item);
            }
        }
    }
    found
}

/// report.md without its appendix section.
fn md_body(md: &str) -> String {
    let head = format!("## {}", SEC_APPENDIX.0);
    let start = md.find(&head).expect("the appendix heading");
    let end = md[start + head.len()..]
        .find("\n## ")
        .map_or(md.len(), |e| start + head.len() + e);
    let body = format!("{}{}", &md[..start], &md[end..]);
    // Link targets (`](charts/threat.png)`) are file paths, not text.
    let mut out = String::with_capacity(body.len());
    let mut rest = body.as_str();
    while let Some(i) = rest.find("](") {
        out.push_str(&rest[..i + 1]);
        rest = &rest[i + 2..];
        rest = rest.find(')').map_or("", |j| &rest[j + 1..]);
    }
    out.push_str(rest);
    out
}

/// The visible text of report.html without its appendix section: no
/// `<style>`, no tags or attributes (SVG text stays: it is visible).
fn html_text(html: &str) -> String {
    let start = html
        .find("<section id=\"appendix\">")
        .expect("the appendix section");
    let end = start + html[start..].find("</section>").expect("its end");
    let mut s = format!("{}{}", &html[..start], &html[end..]);
    while let Some(a) = s.find("<style") {
        let b = a + s[a..].find("</style>").expect("style end") + "</style>".len();
        s.replace_range(a..b, " ");
    }
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn assert_chinese(dir: &Path, what: &str) {
    let md = fs::read_to_string(dir.join("report.md")).unwrap();
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(
        html.contains("lang=\"zh-CN\""),
        "{what}: not a Chinese report"
    );
    let mut bad = snake_case(&md_body(&md))
        .into_iter()
        .map(|t| format!("report.md: {t}"))
        .collect::<Vec<_>>();
    bad.extend(
        snake_case(&html_text(&html))
            .into_iter()
            .map(|t| format!("report.html: {t}")),
    );
    assert!(
        bad.is_empty(),
        "{what}: {} snake_case identifier(s) in the Chinese report body:\n{}",
        bad.len(),
        bad.join("\n")
    );
    // The appendix is still there (and may name files and ids).
    assert!(md.contains(SEC_APPENDIX.0));
}

#[test]
fn the_finder_finds_snake_case() {
    let found = snake_case("隔离 isolate_hosts，restore 和 a_b_c; Ab_c; x_ 9_a");
    let runs: Vec<&str> = found.iter().map(|f| f.split('`').nth(1).unwrap()).collect();
    assert_eq!(runs, ["isolate_hosts", "a_b_c", "b_c"]);
    assert!(md_body("# t\n\n## 附录：数据文件\n\n| events_csv |\n").trim() == "# t");
    assert_eq!(
        md_body("![图](charts/a_b.png) x_y\n## 附录：数据文件\n"),
        "![图] x_y\n"
    );
}

/// The default run (seed 1) in Chinese.
#[test]
fn the_default_run_is_chinese_outside_the_appendix() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("run");
    run(&["--seed", "1", "--lang", "zh"], &out);
    assert_chinese(&out, "default run, seed 1");
    // Step names come from the plan file; events are told in Chinese.
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    for s in ["隔离受感染主机", "首台主机被感染", "事件 1：定为"] {
        assert!(md.contains(s), "{s} missing");
    }
}

/// Every bundled scenario, with the overall plan and with the unit plan.
#[test]
fn every_bundled_scenario_is_chinese_outside_the_appendix() {
    let t = tempfile::tempdir().unwrap();
    let mut files: Vec<_> = fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    for f in &files {
        for plan in ["sat-overall", "unit-plan"] {
            let name = format!("{}-{plan}", f.file_stem().unwrap().to_string_lossy());
            let out = t.path().join(&name);
            run(&[f.to_str().unwrap(), "--plan", plan, "--seed", "3"], &out);
            assert_chinese(&out, &name);
        }
    }
}

/// `drillsim report RUN_DIR` rewrites the report in the language the run
/// was written in unless `--lang` says otherwise, and remembers the new one.
#[test]
fn report_keeps_the_run_language() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("run");
    run(&["--seed", "2", "--lang", "en"], &out);
    let lang = |d: &Path| fs::read_to_string(d.join("report.lang")).unwrap();
    let html_lang_en = |d: &Path| {
        fs::read_to_string(d.join("report.html"))
            .unwrap()
            .contains("<html lang=\"en\"")
    };
    assert_eq!(lang(&out), "en\n");
    let first = fs::read(out.join("report.md")).unwrap();
    let report = |extra: &[&str]| {
        let mut args = vec!["report", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        let o = drillsim(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    // No --lang: still English, byte for byte.
    report(&[]);
    assert!(html_lang_en(&out));
    assert_eq!(fs::read(out.join("report.md")).unwrap(), first);
    // --lang zh switches, and the folder now says zh.
    report(&["--lang", "zh"]);
    assert_eq!(lang(&out), "zh-CN\n");
    assert!(!html_lang_en(&out));
    report(&[]);
    assert!(!html_lang_en(&out));
    // A folder from before report.lang: the report.html's language is kept.
    report(&["--lang", "en"]);
    fs::remove_file(out.join("report.lang")).unwrap();
    report(&[]);
    assert!(html_lang_en(&out));
    assert_eq!(lang(&out), "en\n");
}
