//! The after-action report: charts, `report.html` and `report.md`.
//!
//! [`render`] is a pure function of a run's record and its assessment; the
//! caller writes the files it returns. Content is built once
//! ([`content::document`]) and written twice ([`html`], [`markdown`]).

pub mod charts;
pub mod content;
pub mod drill;
pub mod fonts;
pub mod html;
pub mod labels;
pub mod markdown;
pub mod names;
pub mod spread;

use std::collections::HashMap;

use crate::engine::RunRecord;
use crate::engine::record::{BodyMeta, NodeMeta};
use crate::score::Assessment;

pub use labels::Lang;

/// The files of a report: relative path → bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportFiles(pub Vec<(String, Vec<u8>)>);

impl ReportFiles {
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.0
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, b)| b.as_slice())
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(p, _)| p.as_str())
    }
}

/// Renders the report of one run: `report.html` (self-contained),
/// `report.md`, and `charts/<name>.svg` + `charts/<name>.png` per chart.
/// Pure and deterministic: the same input gives the same bytes.
pub fn render(rec: &RunRecord, a: &Assessment, lang: Lang) -> ReportFiles {
    render_with(rec, a, lang, None)
}

/// [`render`] with the spread across seeds (`spread.json`) when the run
/// folder has one.
pub fn render_with(
    rec: &RunRecord,
    a: &Assessment,
    lang: Lang,
    spread: Option<&spread::Spread>,
) -> ReportFiles {
    let mut ctx = Ctx::new(rec, a, lang);
    ctx.spread = spread;
    let charts = charts::all(&ctx);
    let doc = content::document(&ctx, &charts);
    let mut files = vec![
        ("report.html".to_string(), html::render(&doc, &charts, lang)),
        ("report.md".to_string(), markdown::render(&doc, &charts)),
    ];
    for c in &charts {
        files.push((format!("charts/{}.svg", c.name), c.svg.clone().into_bytes()));
        files.push((format!("charts/{}.png", c.name), c.png.clone()));
    }
    ReportFiles(files)
}

/// What every part of the report needs: the inputs and look-ups by id.
pub struct Ctx<'a> {
    pub rec: &'a RunRecord,
    pub a: &'a Assessment,
    pub lang: Lang,
    /// The spread across seeds, when the run has one.
    pub spread: Option<&'a spread::Spread>,
    bodies: HashMap<&'a str, &'a BodyMeta>,
    nodes: HashMap<&'a str, &'a NodeMeta>,
}

impl<'a> Ctx<'a> {
    pub fn new(rec: &'a RunRecord, a: &'a Assessment, lang: Lang) -> Self {
        Ctx {
            rec,
            a,
            lang,
            spread: None,
            bodies: rec.meta.bodies.iter().map(|b| (b.id.as_str(), b)).collect(),
            nodes: rec.meta.nodes.iter().map(|n| (n.id.as_str(), n)).collect(),
        }
    }

    pub fn t(&self, l: labels::L) -> &'static str {
        l.get(self.lang)
    }

    /// A plan body's name in the report language (its id if unknown).
    pub fn body_name(&self, id: &str) -> String {
        match self.bodies.get(id) {
            Some(b) => self.lang.pick(&b.name_zh, &b.name_en).to_string(),
            None => id.to_string(),
        }
    }

    /// A node's name in the report language (its id if unknown).
    pub fn node_name(&self, id: &str) -> String {
        match self.nodes.get(id) {
            Some(n) => self.lang.pick(&n.name_zh, &n.name_en).to_string(),
            None => id.to_string(),
        }
    }

    /// Node name by index into `meta.nodes`.
    pub fn node_name_at(&self, index: Option<u32>) -> String {
        index
            .and_then(|i| self.rec.meta.nodes.get(i as usize))
            .map(|n| self.lang.pick(&n.name_zh, &n.name_en).to_string())
            .unwrap_or_default()
    }

    /// `gd.05 emergency_office` → `<node name> <body name>`.
    pub fn actor(&self, actor: &str) -> String {
        match actor.split_once(' ') {
            Some((unit, body)) => format!("{} · {}", self.node_name(unit), self.body_name(body)),
            None => actor.to_string(),
        }
    }

    /// Calendar time of a minute offset.
    pub fn clock(&self, minute: f64) -> String {
        crate::output::clock(&self.rec.start, minute)
    }

    /// Minutes as `+12.5 h` style elapsed time.
    pub fn elapsed(&self, minute: f64) -> String {
        format!("+{:.1} {}", minute / 60.0, self.t(labels::HOURS_UNIT))
    }

    /// A duration in minutes, readably (`45 min`, `3.2 h`).
    pub fn duration(&self, minutes: f64) -> String {
        if minutes < 120.0 {
            format!("{:.0} {}", minutes, self.t(labels::MINUTES_UNIT))
        } else {
            format!("{:.1} {}", minutes / 60.0, self.t(labels::HOURS_UNIT))
        }
    }

    /// Run duration in hours (at least a minute, for chart ranges).
    pub fn hours(&self) -> f64 {
        (self.rec.duration_min.max(1.0)) / 60.0
    }
}

#[cfg(test)]
pub(crate) mod testdata;

#[cfg(test)]
mod tests {
    use super::testdata::{assess, record};
    use super::*;

    fn files(name: &str, lang: Lang) -> ReportFiles {
        let rec = record(name);
        let a = assess(&rec);
        render(&rec, &a, lang)
    }

    #[test]
    fn rendering_is_deterministic() {
        for lang in Lang::ALL {
            assert_eq!(files("演练", lang), files("演练", lang));
        }
    }

    #[test]
    fn every_chart_is_in_the_html_and_written_beside_it() {
        for lang in Lang::ALL {
            let f = files("演练", lang);
            let html = String::from_utf8(f.get("report.html").unwrap().to_vec()).unwrap();
            let md = String::from_utf8(f.get("report.md").unwrap().to_vec()).unwrap();
            assert_eq!(html.matches("<svg").count(), charts::NAMES.len());
            for name in charts::NAMES {
                assert!(
                    html.contains(&format!("data-chart=\"{name}\"")),
                    "{name} missing"
                );
                let svg = f.get(&format!("charts/{name}.svg")).expect("svg file");
                assert!(svg.starts_with(b"<svg"), "{name}: not an SVG");
                let png = f.get(&format!("charts/{name}.png")).expect("png file");
                assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}: not a PNG");
                assert!(md.contains(&format!("(charts/{name}.png)")));
                assert!(md.contains(&format!("(charts/{name}.svg)")));
            }
        }
    }

    #[test]
    fn user_strings_are_escaped() {
        let evil = "<script>alert(1)</script>";
        let mut rec = record(evil);
        std::sync::Arc::make_mut(&mut rec.meta).plan_name = evil.into();
        std::sync::Arc::make_mut(&mut rec.meta).bodies[2].name_zh = evil.into();
        std::sync::Arc::make_mut(&mut rec.meta).bodies[2].name_en = evil.into();
        let a = assess(&rec);
        for lang in Lang::ALL {
            let f = render(&rec, &a, lang);
            let html = String::from_utf8(f.get("report.html").unwrap().to_vec()).unwrap();
            assert!(!html.contains("<script"), "raw script tag in HTML");
            assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
            let md = String::from_utf8(f.get("report.md").unwrap().to_vec()).unwrap();
            assert!(!md.contains("<script"), "raw script tag in Markdown");
            for name in charts::NAMES {
                let svg = f.get(&format!("charts/{name}.svg")).unwrap();
                assert!(!String::from_utf8_lossy(svg).contains("<script"));
            }
        }
    }

    #[test]
    fn both_languages_are_complete() {
        let zh =
            String::from_utf8(files("x", Lang::Zh).get("report.html").unwrap().to_vec()).unwrap();
        let en =
            String::from_utf8(files("x", Lang::En).get("report.html").unwrap().to_vec()).unwrap();
        assert!(zh.contains("lang=\"zh-CN\"") && en.contains("lang=\"en\""));
        for (name, l) in labels::ALL {
            // Section titles appear in their own language only.
            if name.starts_with("SEC_") {
                assert!(zh.contains(l.0), "{name} missing in zh");
                assert!(en.contains(l.1), "{name} missing in en");
            }
        }
        // No English section heading leaks into the Chinese report and vice versa.
        assert!(!zh.contains("Executive summary"));
        assert!(!en.contains("执行摘要"));
        // No unfilled placeholders.
        for html in [&zh, &en] {
            for ph in ["{n}", "{total}", "{compliance}", "{nodes}"] {
                assert!(!html.contains(ph), "unfilled {ph}");
            }
        }
    }

    #[test]
    fn empty_run_renders() {
        let mut rec = record("empty");
        rec.response = false;
        rec.tasks.clear();
        rec.timeline.clear();
        rec.events.clear();
        rec.meta = Default::default();
        let a = assess(&rec);
        for lang in Lang::ALL {
            let f = render(&rec, &a, lang);
            assert!(f.get("report.html").is_some());
        }
    }

    /// A capability with no assessed obligation is not rated, and the
    /// report says which and why (none arose / all still open).
    #[test]
    fn capabilities_not_rated_are_named_with_the_reason() {
        use crate::score::{Capability, Status};
        let rec = record("x");
        let mut a = assess(&rec);
        a.ratings.retain(|r| {
            !matches!(
                r.capability,
                Capability::Containment | Capability::Communication
            )
        });
        a.obligations
            .retain(|o| o.capability != Capability::Communication);
        for o in a.obligations.iter_mut() {
            if o.capability == Capability::Containment {
                o.status = Status::NotDue;
            }
        }
        let f = render(&rec, &a, Lang::En);
        let md = String::from_utf8(f.get("report.md").unwrap().to_vec()).unwrap();
        assert!(
            md.contains(&format!(
                "{} of the 6 capabilities are rated",
                a.ratings.len()
            )),
            "{md}"
        );
        assert!(md.contains("- Communication and coordination: the plan required nothing"));
        assert!(md.contains("- Containment: its "));
    }

    #[test]
    fn improvement_due_date_counts_from_the_start() {
        assert_eq!(content::due_date("2002-11-08T09:00:00", 30), "2002-12-08");
        // From minute 4320 (three days in): the plan's 30 days after the end.
        assert_eq!(
            content::due_date_at("2002-11-08T09:00:00", 4320.0, 30),
            "2002-12-11"
        );
        assert_eq!(
            content::due_date_at("2002-11-08T09:00:00", 0.0, 30),
            "2002-12-08"
        );
    }

    /// Renders a real run folder for a look: `REPORT_RUN=/tmp/x cargo test
    /// --lib report::tests::render_run -- --ignored` writes `<run>/report-<lang>/`.
    #[test]
    #[ignore]
    fn render_run() {
        let dir = std::path::PathBuf::from(std::env::var("REPORT_RUN").expect("REPORT_RUN"));
        let rec = crate::output::read_record(&dir).unwrap();
        let a = assess(&rec);
        for lang in Lang::ALL {
            let f = render(&rec, &a, lang);
            let out = dir.join(format!("report-{}", lang.tag()));
            for (p, b) in &f.0 {
                let path = out.join(p);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, b).unwrap();
            }
        }
    }
}
