//! The report's charts as a reader sees them: every text inside its canvas,
//! and content that follows the run (the threat chart draws only what the
//! record has, the compliance chart marks every missed obligation falling
//! due, the response timeline keeps every missed obligation, the impact
//! chart's rows add up to the summary) — on the default run (seed 1) and
//! the earthquake, plus the other bundled scenarios for the text check.

use std::fs;
use std::path::Path;
use std::process::Command;

use drillsim::engine::{EventKind, RunRecord};
use drillsim::report::charts::{self, compliance, gantt, provinces, threat};
use drillsim::report::{Ctx, Lang, fonts};
use drillsim::score::{Assessment, Status, assess, default_thresholds};

fn run(args: &[&str], lang: &str, out: &Path) -> RunRecord {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--lang", lang, "--out", out.to_str().unwrap()]);
    let o = Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .args(&all)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    drillsim::output::read_record(out).unwrap()
}

/// One `<text>` element of an SVG: position, anchor, vertical offset, size,
/// rotation and content.
#[derive(Debug)]
struct SvgText {
    x: f64,
    y: f64,
    dy: String,
    anchor: String,
    size: f64,
    rotate: Option<(f64, f64, f64)>,
    content: String,
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = start + tag[start..].find('"')?;
    Some(&tag[start..end])
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The canvas (viewBox width, height) and every text of an SVG.
fn svg_texts(svg: &str) -> ((f64, f64), Vec<SvgText>) {
    let root = &svg[..svg.find('>').unwrap()];
    let vb: Vec<f64> = attr(root, "viewBox")
        .expect("viewBox")
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find("<text ") {
        let after = &rest[i..];
        let close = after.find('>').unwrap();
        let tag = &after[..close];
        let end = after.find("</text>").unwrap();
        let content = unescape(after[close + 1..end].trim());
        let rotate = attr(tag, "transform").map(|t| {
            let v: Vec<f64> = t
                .trim_start_matches("rotate(")
                .trim_end_matches(')')
                .split(',')
                .map(|x| x.trim().parse().unwrap())
                .collect();
            (v[0], v[1], v[2])
        });
        out.push(SvgText {
            x: attr(tag, "x").unwrap().parse().unwrap(),
            y: attr(tag, "y").unwrap().parse().unwrap(),
            dy: attr(tag, "dy").unwrap_or("").to_string(),
            anchor: attr(tag, "text-anchor").unwrap_or("start").to_string(),
            size: attr(tag, "font-size").unwrap().parse().unwrap(),
            rotate,
            content,
        });
        rest = &after[end..];
    }
    ((vb[2], vb[3]), out)
}

/// The estimated box of a text (the charts' own estimate: CJK 1 em, other
/// characters 0.6 em), rotated as drawn: (x0, y0, x1, y1).
fn text_box(t: &SvgText) -> (f64, f64, f64, f64) {
    let w: f64 = t
        .content
        .chars()
        .map(|c| if (c as u32) < 0x2E80 { 0.6 } else { 1.0 })
        .sum::<f64>()
        * t.size;
    let (x0, x1) = match t.anchor.as_str() {
        "middle" => (t.x - w / 2.0, t.x + w / 2.0),
        "end" => (t.x - w, t.x),
        _ => (t.x, t.x + w),
    };
    let fs = t.size;
    let (y0, y1) = match t.dy.as_str() {
        "0.76em" => (t.y, t.y + fs),
        "-0.5ex" => (t.y - fs, t.y),
        "0.5ex" => (t.y - fs / 2.0, t.y + fs / 2.0),
        _ => (t.y - 0.8 * fs, t.y + 0.2 * fs),
    };
    match t.rotate {
        None => (x0, y0, x1, y1),
        Some((deg, cx, cy)) => {
            let (s, c) = deg.to_radians().sin_cos();
            let pts = [(x0, y0), (x1, y0), (x0, y1), (x1, y1)].map(|(x, y)| {
                let (dx, dy) = (x - cx, y - cy);
                (cx + dx * c - dy * s, cy + dx * s + dy * c)
            });
            let xs = pts.map(|p| p.0);
            let ys = pts.map(|p| p.1);
            (
                xs.iter().cloned().fold(f64::MAX, f64::min),
                ys.iter().cloned().fold(f64::MAX, f64::min),
                xs.iter().cloned().fold(f64::MIN, f64::max),
                ys.iter().cloned().fold(f64::MIN, f64::max),
            )
        }
    }
}

/// Every text of every chart SVG in `dir/charts` lies inside its canvas.
fn assert_texts_inside(dir: &Path) {
    let mut checked = 0;
    for name in charts::NAMES {
        let svg = fs::read_to_string(dir.join(format!("charts/{name}.svg"))).unwrap();
        let ((w, h), texts) = svg_texts(&svg);
        assert!(!texts.is_empty(), "{name}: no text");
        for t in &texts {
            let (x0, y0, x1, y1) = text_box(t);
            assert!(
                x0 >= -0.5 && y0 >= -0.5 && x1 <= w + 0.5 && y1 <= h + 0.5,
                "{}: {name}: text {:?} at ({x0:.0}, {y0:.0})–({x1:.0}, {y1:.0}) leaves the {w}×{h} canvas",
                dir.display(),
                t.content
            );
            // The PNG draws it with the bundled font, which has no
            // fallback: every character must be one it has.
            let missing: String = fonts::drawable(&t.content)
                .chars()
                .filter(|&c| !fonts::covers(c))
                .collect();
            assert!(
                missing.is_empty(),
                "{}: {name}: text {:?} has characters the bundled font lacks: {missing:?}",
                dir.display(),
                t.content
            );
            checked += 1;
        }
    }
    assert!(checked > 50);
}

#[test]
fn text_box_estimate_catches_a_clipped_label() {
    // The check itself can fail: a label anchored at the right edge.
    let svg = r##"<svg width="100" height="50" viewBox="0 0 100 50" xmlns="http://www.w3.org/2000/svg">
<text x="90" y="20" dy="0.5ex" text-anchor="start" font-family="sans-serif" font-size="10" opacity="1" fill="#000000">
Nodes
</text>
<text x="10" y="25" dy="0.76em" text-anchor="middle" font-family="sans-serif" font-size="10" opacity="1" fill="#000000" transform="rotate(270, 10, 25)">
感染主机
</text>
</svg>"##;
    let ((w, _), texts) = svg_texts(svg);
    assert_eq!(texts.len(), 2);
    let (_, _, x1, _) = text_box(&texts[0]);
    assert!(x1 > w, "a label running off the right edge is seen");
    let (x0, y0, x1, y1) = text_box(&texts[1]);
    assert!((x1 - x0 - 10.0).abs() < 1e-6 && (y1 - y0 - 40.0).abs() < 1e-6);
}

#[test]
fn every_chart_text_stays_inside_its_canvas() {
    let t = tempfile::tempdir().unwrap();
    let mut n = 0;
    for (args, lang) in [
        (vec!["--seed", "1"], "zh"),
        (vec!["--seed", "1"], "en"),
        (vec!["scenarios/regional-disaster.ron"], "zh"),
        (vec!["scenarios/regional-disaster.ron"], "en"),
        (vec!["scenarios/hq-core-router-failure.ron"], "en"),
        (vec!["scenarios/provincial-dc-power-failure.ron"], "zh"),
        (vec!["scenarios/weekend-worm.ron"], "en"),
    ] {
        n += 1;
        let out = t.path().join(format!("r{n}"));
        run(&args, lang, &out);
        assert_texts_inside(&out);
    }
}

struct Run {
    rec: RunRecord,
    a: Assessment,
    summary: serde_json::Value,
    dir: tempfile::TempDir,
}

impl Run {
    fn new(args: &[&str]) -> Run {
        let dir = tempfile::tempdir().unwrap();
        let rec = run(args, "en", dir.path());
        let a = assess(&rec, &default_thresholds());
        let summary =
            serde_json::from_str(&fs::read_to_string(dir.path().join("summary.json")).unwrap())
                .unwrap();
        Run {
            rec,
            a,
            summary,
            dir,
        }
    }
    fn ctx(&self) -> Ctx<'_> {
        Ctx::new(&self.rec, &self.a, Lang::En)
    }
    fn texts(&self, chart: &str) -> Vec<String> {
        let svg = fs::read_to_string(self.dir.path().join(format!("charts/{chart}.svg"))).unwrap();
        svg_texts(&svg).1.into_iter().map(|t| t.content).collect()
    }
    fn sum(&self, key: &str) -> u64 {
        self.summary[key].as_u64().unwrap()
    }
}

fn has(texts: &[String], s: &str) -> bool {
    texts.iter().any(|t| t == s)
}

/// What the threat chart must show for a record: a series where the
/// record has data, none where it has none, and the milestones reached.
fn check_threat(r: &Run) {
    let tl = &r.rec.timeline;
    let texts = r.texts("threat");
    for (label, any) in [
        ("Hosts infected", tl.iter().any(|x| x.hosts_infected > 0)),
        (
            "Nodes cut off from HQ",
            tl.iter().any(|x| x.nodes_cut_off > 0),
        ),
        ("Nodes down", tl.iter().any(|x| x.nodes_down > 0)),
        (
            "Services unavailable",
            tl.iter().any(|x| x.services_available_pct < 99.99),
        ),
    ] {
        assert_eq!(has(&texts, label), any, "threat: {label} shown = {any}?");
    }
    let ctx = r.ctx();
    for (l, m) in threat::milestones(&ctx) {
        assert_eq!(has(&texts, l.1), m.is_some(), "milestone {}", l.1);
    }
    for i in 1..=r.rec.meta.injects.len() {
        assert!(has(&texts, &format!("I{i}")), "inject I{i}");
    }
}

/// Every missed obligation that fell due within the run has a numbered
/// mark in the compliance chart and an entry in its caption (the first 20;
/// the caption counts the rest).
fn check_compliance(r: &Run) {
    let ctx = r.ctx();
    let drops = compliance::drops(&ctx);
    let marked: usize = drops.iter().map(|d| d.obligations.len()).sum();
    let missed =
        r.a.obligations
            .iter()
            .filter(|o| o.status == Status::Missed)
            .count();
    assert!(marked <= missed);
    let svg = fs::read_to_string(r.dir.path().join("charts/compliance.svg")).unwrap();
    let red_numbers = svg_texts(&svg)
        .1
        .iter()
        .filter(|t| t.content.parse::<usize>().is_ok())
        .count();
    assert!(red_numbers >= drops.len(), "numbers drawn");
    // The caption names the first 20 drops and counts the rest.
    let caption = compliance::caption(&ctx);
    for d in drops.iter().take(20) {
        assert!(caption.contains(&format!("{} (+", d.number)), "{caption}");
    }
    if drops.len() > 20 {
        let rest = format!("{} more", drops.len() - 20);
        assert!(caption.contains(&rest), "{caption}");
    }
    // The panels are the tiers with obligations, named.
    let texts = r.texts("compliance");
    for t in compliance::tiers(&ctx) {
        let name = drillsim::report::labels::tier(&r.a.tiers[t]).1;
        assert!(has(&texts, name), "panel {name}");
    }
    assert!(has(&texts, "Overall"), "the legend is drawn");
}

/// The response timeline keeps every missed obligation and says how many
/// it left out.
fn check_gantt(r: &Run) {
    let ctx = r.ctx();
    let (rows, shown, left) = gantt::rows(&ctx);
    assert_eq!(shown + left, r.a.obligations.len());
    let drawn: Vec<usize> = rows
        .iter()
        .filter_map(|x| match x {
            gantt::Row::Obligation(k) => Some(*k),
            gantt::Row::Group(_) => None,
        })
        .collect();
    assert_eq!(drawn.len(), shown);
    for (k, o) in r.a.obligations.iter().enumerate() {
        if o.status == Status::Missed {
            assert!(drawn.contains(&k), "missed obligation {k} not drawn");
        }
    }
    assert!(shown <= gantt::FIRST + r.a.outcomes.missed as usize);
    let caption = gantt::caption(&ctx);
    if left > 0 {
        assert!(
            caption.contains(&format!("{left} more are not shown")),
            "{caption}"
        );
    }
    let texts = r.texts("response_timeline");
    let any = |s: Status| drawn.iter().any(|&k| r.a.obligations[k].status == s);
    assert_eq!(
        has(&texts, "Not done (to its deadline)"),
        any(Status::Missed)
    );
    assert_eq!(
        has(&texts, "Not yet due (at the end)"),
        any(Status::Pending)
    );
}

/// The impact chart's rows add up to the summary and list only units with
/// something to show.
fn check_provinces(r: &Run) {
    let ctx = r.ctx();
    let rows = provinces::rows(&ctx);
    let nodes: u64 = rows.iter().map(|x| x.nodes_infected).sum();
    let hosts: u64 = rows.iter().map(|x| x.hosts_infected).sum();
    let down: u64 = rows.iter().map(|x| x.nodes_down).sum();
    assert_eq!(nodes, r.sum("nodes_infected"));
    assert_eq!(hosts, r.sum("total_infected_hosts"));
    let ever_down: std::collections::BTreeSet<u32> = r
        .rec
        .events
        .iter()
        .filter(|e| e.kind == EventKind::NodeDown)
        .filter_map(|e| e.node)
        .collect();
    assert_eq!(down, ever_down.len() as u64);
    assert!(
        rows.iter()
            .all(|x| x.nodes_infected + x.hosts_infected + x.nodes_down > 0)
    );
    let texts = r.texts("provinces");
    for x in &rows {
        assert!(has(&texts, &x.name), "row {} drawn", x.name);
    }
    // HQ is a row when it was hit.
    let hq_hit = r.rec.events.iter().any(|e| {
        matches!(e.kind, EventKind::NodeInfected | EventKind::NodeDown)
            && e.node
                .is_some_and(|n| r.rec.meta.nodes[n as usize].tier == "hq")
    });
    assert_eq!(rows.first().is_some_and(|x| x.name == "HQ"), hq_hit);
}

#[test]
fn default_run_charts_show_what_the_record_has() {
    let r = Run::new(&["--seed", "1"]);
    check_threat(&r);
    check_compliance(&r);
    check_gantt(&r);
    check_provinces(&r);
    // Seed 1: the worm reaches HQ (the 29th node of the issue's count).
    assert!(provinces::rows(&r.ctx())[0].nodes_infected > 0);
}

#[test]
fn earthquake_charts_show_the_outage() {
    let r = Run::new(&["scenarios/regional-disaster.ron"]);
    check_threat(&r);
    check_compliance(&r);
    check_gantt(&r);
    check_provinces(&r);
    let texts = r.texts("threat");
    assert!(
        !has(&texts, "Hosts infected"),
        "an earthquake infects nothing"
    );
    assert!(has(&texts, "Nodes cut off from HQ") && has(&texts, "Nodes down"));
    // The provinces chart is not empty: the nodes down, by province.
    let rows = provinces::rows(&r.ctx());
    assert!(
        rows.iter().any(|x| x.name == "Sichuan" && x.nodes_down > 0),
        "{rows:?}"
    );
    assert_eq!(
        rows.iter().map(|x| x.nodes_down).sum::<u64>(),
        r.sum("nodes_affected")
    );
    assert!(has(&r.texts("provinces"), "Nodes down (ever)"));
}
