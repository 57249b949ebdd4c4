//! The scenario library: `drillsim list` (the bundled scenarios and plans
//! with one-line descriptions in Chinese and English), `drillsim validate`
//! (any input file, its kind told from its content) and `drillsim coverage`
//! (`coverage.rs`: plan clauses × scenarios).

pub mod cover;
pub mod coverage;
pub mod coverage_chart;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::app::{self, BUNDLED_PLANS, Error};
use crate::model::{Diagnostic, Diagnostics, scenario_file};
use crate::report::Lang;

/// The bundled scenarios (file stem, text), embedded so the binary lists and
/// runs them from anywhere. A test checks this is every `scenarios/*.ron`.
pub const BUNDLED_SCENARIOS: &[(&str, &str)] = &[
    (
        "national-worm",
        include_str!("../../scenarios/national-worm.ron"),
    ),
    (
        "weekend-worm",
        include_str!("../../scenarios/weekend-worm.ron"),
    ),
    (
        "slammer-worm",
        include_str!("../../scenarios/slammer-worm.ron"),
    ),
    ("two-worms", include_str!("../../scenarios/two-worms.ron")),
    (
        "political-period-attack",
        include_str!("../../scenarios/political-period-attack.ron"),
    ),
    (
        "provincial-portal-intrusion",
        include_str!("../../scenarios/provincial-portal-intrusion.ron"),
    ),
    (
        "provincial-website-defacement",
        include_str!("../../scenarios/provincial-website-defacement.ron"),
    ),
    (
        "harmful-content-website",
        include_str!("../../scenarios/harmful-content-website.ron"),
    ),
    (
        "prefecture-office-virus",
        include_str!("../../scenarios/prefecture-office-virus.ron"),
    ),
    (
        "customs-link-intrusion",
        include_str!("../../scenarios/customs-link-intrusion.ron"),
    ),
    (
        "provincial-router-no-spare",
        include_str!("../../scenarios/provincial-router-no-spare.ron"),
    ),
    (
        "prefecture-insider-data-access",
        include_str!("../../scenarios/prefecture-insider-data-access.ron"),
    ),
    (
        "hq-core-router-failure",
        include_str!("../../scenarios/hq-core-router-failure.ron"),
    ),
    (
        "provincial-dc-power-failure",
        include_str!("../../scenarios/provincial-dc-power-failure.ron"),
    ),
    (
        "regional-disaster",
        include_str!("../../scenarios/regional-disaster.ron"),
    ),
    ("flood-worm", include_str!("../../scenarios/flood-worm.ron")),
    (
        "worm-hq-outage",
        include_str!("../../scenarios/worm-hq-outage.ron"),
    ),
    (
        "filing-deadline-dos",
        include_str!("../../scenarios/filing-deadline-dos.ron"),
    ),
    (
        "taxpayer-data-leak",
        include_str!("../../scenarios/taxpayer-data-leak.ron"),
    ),
];

/// A bundled scenario's text by name (file stem).
pub fn bundled_scenario(name: &str) -> Option<&'static str> {
    BUNDLED_SCENARIOS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| *s)
}

/// Splits a bilingual text written "中文… English…" (the convention of the
/// bundled files' names and descriptions) into its Chinese part (up to the
/// last CJK character) and its English part (the rest). A text without CJK
/// is English only; one without Latin text after the Chinese is Chinese only.
pub fn split_bilingual(s: &str) -> (&str, &str) {
    let last_cjk = s
        .char_indices()
        .rev()
        .find(|(_, c)| is_cjk(*c))
        .map(|(i, c)| i + c.len_utf8());
    match last_cjk {
        None => ("", s.trim()),
        Some(mut end) => {
            // A closing bracket right after the Chinese belongs to it.
            if s[end..].starts_with(')') && s[..end].contains('(') {
                end += 1;
            }
            (s[..end].trim(), s[end..].trim())
        }
    }
}

/// CJK ideographs and the full-width punctuation used with them.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303F}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}'
        | '\u{FF00}'..='\u{FFEF}' | '\u{2160}'..='\u{217F}' | '\u{FE30}'..='\u{FE4F}')
}

/// One entry of `drillsim list`.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// `scenario` or `plan`.
    pub kind: &'static str,
    /// What to pass to `run` / `--plan`: a bundled plan's name, a
    /// scenario's path `scenarios/NAME.ron`.
    pub name: String,
    pub title_zh: String,
    pub title_en: String,
    pub summary_zh: String,
    pub summary_en: String,
    /// Scenarios: simulated length and threat kinds; plans: what it can run.
    pub facts: String,
}

/// Every bundled scenario and plan, scenarios first, in the order above.
/// Loads each one (a bundled file that does not load is an error).
pub fn entries() -> Result<Vec<Entry>, Error> {
    let topo = app::load_topology(None)?;
    let mut out = Vec::new();
    for (name, src) in BUNDLED_SCENARIOS {
        let path = PathBuf::from(format!("scenarios/{name}.ron"));
        let s = scenario_file::parse(src, &path, name, &topo)?;
        let (tz, te) = split_bilingual(&s.name);
        let (dz, de) = split_bilingual(&s.description);
        let mut kinds: Vec<&str> = Vec::new();
        for k in crate::engine::inject_threats(&s) {
            if !kinds.contains(&k.as_str()) {
                kinds.push(k.as_str());
            }
        }
        out.push(Entry {
            kind: "scenario",
            name: crate::model::diag::shown_path(&path),
            title_zh: or(tz, te),
            title_en: or(te, tz),
            summary_zh: or(dz, de),
            summary_en: or(de, dz),
            facts: format!("{}, {}", fmt_duration(s.duration_min), kinds.join(" + ")),
        });
    }
    for (name, src) in BUNDLED_PLANS {
        let path = PathBuf::from(format!("scenarios/plans/{name}.ron"));
        let report = crate::check::check_source(src, &path, name);
        let runs = report.plan.is_some() && !report.has_errors();
        // The raw file: a plan that cannot run (the 2002 notice) still has
        // a name and a description.
        let raw: crate::model::plan_file::PlanFile = crate::model::diag::parse_ron(src, &path)?;
        let (tz, te) = split_bilingual(&raw.name);
        let (title_zh, title_en) = (or(tz, te), or(te, tz));
        let summary_zh = or(&raw.description_zh, &raw.description);
        let summary_en = or(&raw.description, &raw.description_zh);
        out.push(Entry {
            kind: "plan",
            name: name.to_string(),
            title_zh,
            title_en,
            summary_zh,
            summary_en,
            facts: if runs {
                "runnable".into()
            } else {
                "cannot run an incident (see `drillsim check`)".into()
            },
        });
    }
    Ok(out)
}

/// "72 h", "6 h", "30 min".
fn fmt_duration(min: f64) -> String {
    if min >= 60.0 && (min / 60.0).fract() == 0.0 {
        format!("{} h", min / 60.0)
    } else {
        format!("{min} min")
    }
}

fn or(a: &str, b: &str) -> String {
    if a.is_empty() { b } else { a }.to_string()
}

/// `drillsim list`: the text printed. `lang` None = both languages.
pub fn list(lang: Option<Lang>) -> Result<String, Error> {
    let entries = entries()?;
    let mut s = String::new();
    for (kind, head_zh, head_en) in [("scenario", "场景", "Scenarios"), ("plan", "预案", "Plans")]
    {
        let head = match lang {
            Some(Lang::Zh) => head_zh.to_string(),
            Some(Lang::En) => head_en.to_string(),
            None => format!("{head_zh} {head_en}"),
        };
        let _ = writeln!(s, "{head}:");
        for e in entries.iter().filter(|e| e.kind == kind) {
            let _ = writeln!(s, "  {}  ({})", e.name, e.facts);
            if lang != Some(Lang::En) {
                let _ = writeln!(s, "    {} — {}", e.title_zh, one_line(&e.summary_zh));
            }
            if lang != Some(Lang::Zh) {
                let _ = writeln!(s, "    {} — {}", e.title_en, one_line(&e.summary_en));
            }
        }
        if kind == "scenario" {
            s.push('\n');
        }
    }
    Ok(s)
}

/// The first sentence of a description (up to 。 or a ". " before a
/// capital letter), whitespace folded.
pub fn one_line(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let sentence_end = s.match_indices(". ").map(|(i, _)| i + 1).find(|&i| {
        s[i + 1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_uppercase())
    });
    let cut = [s.find('。').map(|i| i + '。'.len_utf8()), sentence_end]
        .into_iter()
        .flatten()
        .min();
    match cut {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// The kinds of input file `validate` knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Scenario,
    Plan,
    Teams,
    Scoring,
    /// A folder with nodes.csv and links.csv, or one of those files (its
    /// folder is checked).
    Topology,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Scenario => "scenario",
            Kind::Plan => "plan",
            Kind::Teams => "teams",
            Kind::Scoring => "scoring",
            Kind::Topology => "topology",
        }
    }
}

/// What kind of input `path` holds, from its content: a folder or a CSV file
/// whose header has the topology columns is a topology; a RON file is named
/// by its first identifier (`Scenario(`, `Plan(`, `Teams(`, `Scoring(`).
pub fn detect(path: &Path) -> Result<Kind, Diagnostics> {
    if path.is_dir() {
        return Ok(Kind::Topology);
    }
    let src = crate::model::diag::read_source(path, "file")?;
    let first_line = src
        .lines()
        .next()
        .unwrap_or("")
        .trim_start_matches('\u{feff}');
    let cols: Vec<&str> = first_line.split(',').map(str::trim).collect();
    if cols.contains(&"id") && cols.contains(&"tier") || cols.contains(&"a") && cols.contains(&"b")
    {
        return Ok(Kind::Topology);
    }
    let ident = first_ident(&src);
    match ident {
        "Scenario" => Ok(Kind::Scenario),
        "Plan" => Ok(Kind::Plan),
        "Teams" => Ok(Kind::Teams),
        "Scoring" => Ok(Kind::Scoring),
        _ => {
            let (line, col) = first_token_pos(&src);
            Err(Diagnostics(vec![Diagnostic::at(
                path,
                &src,
                line,
                col,
                format!(
                    "cannot tell what kind of input this is{}: expected a RON file starting \
                     Scenario(…), Plan(…), Teams(…) or Scoring(…), a nodes.csv / links.csv, \
                     or a topology folder",
                    if ident.is_empty() {
                        String::new()
                    } else {
                        format!(" (`{ident}`)")
                    }
                ),
            )]))
        }
    }
}

/// The text after comments and whitespace.
fn skip_trivia(src: &str) -> usize {
    let b = src.as_bytes();
    let mut i = 0;
    loop {
        while i < b.len() && (b[i] as char).is_whitespace() {
            i += 1;
        }
        if src[i..].starts_with("\u{feff}") {
            i += 3;
        } else if src[i..].starts_with("//") {
            i += src[i..].find('\n').map_or(src.len() - i, |n| n + 1);
        } else if src[i..].starts_with("/*") {
            i += src[i..].find("*/").map_or(src.len() - i, |n| n + 2);
        } else if src[i..].starts_with("#!") {
            // ron extensions attribute line `#![enable(...)]`
            i += src[i..].find('\n').map_or(src.len() - i, |n| n + 1);
        } else {
            return i;
        }
    }
}

fn first_ident(src: &str) -> &str {
    let i = skip_trivia(src);
    let rest = &src[i..];
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    &rest[..end]
}

fn first_token_pos(src: &str) -> (usize, usize) {
    crate::model::diag::line_col(src, skip_trivia(src))
}

/// What `validate` found in one file.
#[derive(Debug)]
pub struct Validated {
    pub path: PathBuf,
    pub kind: Option<Kind>,
    /// The plan linter's warnings (plans only).
    pub warnings: Vec<Diagnostic>,
    pub errors: Vec<Diagnostic>,
}

/// Validates one input with the loader of its kind (plans also through
/// `check`'s linter). Scenarios and teams are checked against `topology`
/// (the generated national network when `None`).
pub fn validate_one(path: &Path, topology: Option<&Path>) -> Validated {
    let mut v = Validated {
        path: path.to_path_buf(),
        kind: None,
        warnings: Vec::new(),
        errors: Vec::new(),
    };
    let kind = match detect(path) {
        Ok(k) => k,
        Err(d) => {
            v.errors = d.0;
            return v;
        }
    };
    v.kind = Some(kind);
    let errs = |r: Result<(), Error>| match r {
        Ok(()) => Vec::new(),
        Err(Error::Input(d)) => d.0,
        Err(e @ Error::Io { .. }) => vec![Diagnostic::at(path, "", 1, 1, e.to_string())],
    };
    v.errors = match kind {
        Kind::Topology => {
            let dir = if path.is_dir() {
                path.to_path_buf()
            } else {
                path.parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new("."))
                    .to_path_buf()
            };
            errs(app::load_topology(Some(&dir)).map(|_| ()))
        }
        Kind::Scenario | Kind::Teams => match app::load_topology(topology) {
            Err(e) => errs(Err(e)),
            Ok(topo) => errs(if kind == Kind::Scenario {
                app::load_scenario(Some(path), &topo).map(|_| ())
            } else {
                app::load_teams(Some(path), &topo).map(|_| ())
            }),
        },
        Kind::Scoring => errs(app::load_scoring(Some(path)).map(|_| ())),
        Kind::Plan => {
            let report = crate::check::check_plan(path);
            v.warnings = report.warnings().cloned().collect();
            report.errors().cloned().collect()
        }
    };
    v
}

/// `drillsim validate FILE…`: the text for stdout (one line per file,
/// plans' warnings) and every problem of every file as one error (exit 2).
pub fn validate(paths: &[PathBuf], topology: Option<&Path>) -> (String, Result<(), Error>) {
    let mut out = String::new();
    let mut errors = Diagnostics::default();
    for p in paths {
        let v = validate_one(p, topology);
        for w in &v.warnings {
            let _ = writeln!(out, "warning: {w}");
        }
        let kind = v.kind.map_or("unknown", Kind::as_str);
        if v.errors.is_empty() {
            let _ = writeln!(out, "ok: {} ({kind})", crate::model::diag::shown_path(p));
        } else {
            let _ = writeln!(
                out,
                "invalid: {} ({kind}, {} problem{})",
                crate::model::diag::shown_path(p),
                v.errors.len(),
                if v.errors.len() == 1 { "" } else { "s" }
            );
            errors.0.extend(v.errors);
        }
    }
    (out, errors.into_result(()).map_err(Error::Input))
}
