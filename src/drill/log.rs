//! The drill log (CSV): what the observers saw the teams do, row by row.
//!
//! Header row, columns by name (order free, extra columns ignored):
//! `time,unit,body,action,target,level,note` (and `due`, `clause`, which
//! the package's template fills and the reader ignores). `time`, `unit`,
//! `body` and `action` are required columns; `target`, `level`, `note`
//! optional ones.
//!
//! - `time`: minutes from the drill's start (`95`, `95.5`), elapsed `H:MM`
//!   or `HH:MM[:SS]` (`01:35`), or a full date-time `2026-09-14 10:35`,
//!   `2026-09-14T10:35[:00]` (taken relative to the scenario start; not
//!   before it).
//! - `unit`: node id (`gd`, as in nodes.csv) or its Chinese or English name.
//! - `body`: plan body id (or its Chinese or English name). A body the plan
//!   does not have is kept (the action is then scored `wrong_actor` if it
//!   does a task); empty is allowed only for `detect` and `close`.
//! - `action`: `detect`, `report`, `grade`, `activate`, `escalate`,
//!   `close`, or a plan step id; anything else is kept and reported as a
//!   deviation.
//! - `target`: node id or name of the site acted on, or empty.
//! - `level`: `I`..`IV` or `Ⅰ`..`Ⅳ` (grade, activate, escalate), or empty.
//! - `note`: free text.
//!
//! Rows whose first cell starts with `#` are comments (the package's
//! template says its seed there); rows keep the numbers a spreadsheet
//! shows them with.
//!
//! UTF-8 with or without BOM (Excel and WPS exports), LF or CRLF. Every bad
//! row is reported with its row (header = row 1) and column (1-based field
//! number), all of them at once.

use std::collections::HashMap;
use std::path::Path;

use crate::engine::response::external::{LogAction, LoggedAction};
use crate::model::diag::{Diagnostic, Diagnostics};
use crate::model::plan::{Level, Plan};
use crate::model::topology::{NodeId, Topology};

/// The columns the writer puts out, in order.
pub const COLUMNS: [&str; 9] = [
    "time", "unit", "body", "action", "target", "level", "note", "due", "clause",
];

/// Columns a log must have.
const REQUIRED: [&str; 4] = ["time", "unit", "body", "action"];

/// One row as written (strings; the writer's input).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogRow {
    pub time: String,
    pub unit: String,
    pub body: String,
    pub action: String,
    pub target: String,
    pub level: String,
    pub note: String,
    /// Informational: the deadline the plan sets (package template).
    pub due: String,
    /// Informational: the clause behind the action.
    pub clause: String,
}

/// A drill log read and resolved against the network and the plan.
#[derive(Clone, Debug)]
pub struct DrillLog {
    /// The actions, in row order.
    pub actions: Vec<LoggedAction>,
    /// Data rows read.
    pub rows: usize,
}

/// Reads the drill log at `path` (see the module doc).
pub fn read(
    path: &Path,
    topo: &Topology,
    plan: &Plan,
    start: jiff::civil::DateTime,
) -> Result<DrillLog, Diagnostics> {
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostics(vec![Diagnostic::csv(
            path,
            1,
            1,
            format!("cannot read the drill log: {e}"),
        )])
    })?;
    parse(&bytes, path, topo, plan, start)
}

/// Names that resolve to a node: id, Chinese name, English name.
fn node_names(topo: &Topology) -> HashMap<&str, NodeId> {
    let mut m = HashMap::new();
    // Names first, ids last: an id wins over a name that happens to equal it.
    for (i, n) in topo.nodes.iter().enumerate() {
        m.entry(n.name_en.as_str()).or_insert(i as NodeId);
        m.entry(n.name_zh.as_str()).or_insert(i as NodeId);
    }
    for (i, n) in topo.nodes.iter().enumerate() {
        m.insert(n.id.as_str(), i as NodeId);
    }
    m.remove("");
    m
}

/// Every step id of the plan (procedures, special plans, level duties).
pub fn step_ids(plan: &Plan) -> Vec<&str> {
    let mut ids: Vec<&str> = plan
        .procedures
        .iter()
        .flat_map(|p| &p.steps)
        .chain(plan.special_plans.iter().flat_map(|s| &s.steps))
        .chain(plan.levels.iter().flat_map(|l| &l.duties))
        .map(|s| s.id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// A level as written: `I`..`IV`, `Ⅰ`..`Ⅳ` (any case).
pub fn parse_level(s: &str) -> Option<Level> {
    let t = s.trim();
    Level::ALL
        .into_iter()
        .find(|l| l.as_str().eq_ignore_ascii_case(t) || l.roman() == t)
}

/// A time as written (see the module doc), in minutes from `start`.
pub fn parse_time(s: &str, start: jiff::civil::DateTime) -> Result<f64, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("time is empty (fill in when the action was seen)".into());
    }
    if let Ok(m) = t.parse::<f64>() {
        return if !m.is_finite() {
            Err(format!("time `{t}` is not a finite number of minutes"))
        } else if m < 0.0 {
            Err(format!("time `{t}` is before the drill's start"))
        } else {
            Ok(m)
        };
    }
    // Elapsed H:MM or HH:MM[:SS].
    if !t.contains('-') {
        let parts: Vec<&str> = t.split(':').collect();
        let nums: Option<Vec<u32>> = parts.iter().map(|p| p.parse::<u32>().ok()).collect();
        return match (parts.len(), nums) {
            (2 | 3, Some(n)) if n[1..].iter().all(|&x| x < 60) => {
                let secs = n.get(2).copied().unwrap_or(0);
                Ok(n[0] as f64 * 60.0 + n[1] as f64 + secs as f64 / 60.0)
            }
            _ => Err(format!(
                "time `{t}` is not minutes (`95`), elapsed `HH:MM` (`01:35`) or a date-time (`2026-09-14 10:35`)"
            )),
        };
    }
    let iso = t.replacen(' ', "T", 1);
    let with_secs = if iso.matches(':').count() == 1 {
        format!("{iso}:00")
    } else {
        iso
    };
    match with_secs.parse::<jiff::civil::DateTime>() {
        Ok(dt) => {
            let span = start
                .until((jiff::Unit::Second, dt))
                .map_err(|e| format!("time `{t}`: {e}"))?;
            let m = span.get_seconds() as f64 / 60.0;
            if m < 0.0 {
                Err(format!("time `{t}` is before the scenario's start {start}"))
            } else {
                Ok(m)
            }
        }
        Err(_) => Err(format!(
            "time `{t}` is not a date-time like `2026-09-14 10:35`"
        )),
    }
}

/// Parses a drill log (see the module doc). Every bad row is reported.
pub fn parse(
    bytes: &[u8],
    path: &Path,
    topo: &Topology,
    plan: &Plan,
    start: jiff::civil::DateTime,
) -> Result<DrillLog, Diagnostics> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Comment lines before the header are skipped; rows keep the numbers
    // a spreadsheet shows.
    let mut body = bytes;
    let mut skipped = 0;
    while body.first() == Some(&b'#') {
        let end = body
            .iter()
            .position(|&b| b == b'\n')
            .map_or(body.len(), |i| i + 1);
        body = &body[end..];
        skipped += 1;
    }
    let mut d = Diagnostics::default();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(body);
    let header = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            let msg = match e.kind() {
                csv::ErrorKind::Utf8 { .. } => {
                    "the header is not UTF-8 (save the sheet as \"CSV UTF-8\")".to_string()
                }
                _ => format!("bad header: {e}"),
            };
            d.push(Diagnostic::csv(path, 1 + skipped, 1, msg));
            return Err(d);
        }
    };
    let mut cols: HashMap<&'static str, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let h = h.trim().to_ascii_lowercase();
        if let Some(&c) = COLUMNS.iter().find(|&&c| c == h)
            && cols.insert(c, i).is_some()
        {
            d.push(Diagnostic::csv(
                path,
                1 + skipped,
                i + 1,
                format!("duplicate column `{h}`"),
            ));
        }
    }
    for c in REQUIRED {
        if !cols.contains_key(c) {
            d.push(Diagnostic::csv(
                path,
                1 + skipped,
                header.len() + 1,
                format!(
                    "missing required column `{c}` (the header needs {})",
                    REQUIRED.join(",")
                ),
            ));
        }
    }
    if !d.is_empty() {
        return Err(d);
    }
    let names = node_names(topo);
    let steps = step_ids(plan);
    let body_of = |s: &str| {
        plan.bodies
            .iter()
            .position(|b| b.id == s || b.name_zh == s || b.name_en == s)
    };
    let mut actions = Vec::new();
    let mut rows = 0;
    for rec in rdr.records() {
        let r = match rec {
            Ok(r) => r,
            Err(e) => {
                let row = e.position().map_or(1, |p| p.record() as usize + 1) + skipped;
                let msg = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => {
                        "row is not valid UTF-8 (save the sheet as \"CSV UTF-8\")".to_string()
                    }
                    _ => format!("cannot read row: {e}"),
                };
                d.push(Diagnostic::csv(path, row, 1, msg));
                if !matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    break;
                }
                continue;
            }
        };
        let row = r.position().map_or(1, |p| p.record() as usize + 1) + skipped;
        // Rows left entirely empty (spreadsheet padding) and comment rows
        // (first cell starting with `#`) are skipped.
        if r.iter().all(|f| f.trim().is_empty())
            || r.get(0).is_some_and(|f| f.trim_start().starts_with('#'))
        {
            continue;
        }
        rows += 1;
        let get = |c: &str| -> (&str, usize) {
            match cols.get(c) {
                Some(&i) => (r.get(i).unwrap_or("").trim(), i + 1),
                None => ("", header.len() + 1),
            }
        };
        let mut bad = |col: usize, msg: String| d.push(Diagnostic::csv(path, row, col, msg));
        let (time, tc) = get("time");
        let at = parse_time(time, start).map_err(|m| bad(tc, m)).ok();
        let (unit, uc) = get("unit");
        let unit_id = if unit.is_empty() {
            bad(uc, "unit is empty (a node id or name)".into());
            None
        } else {
            let u = names.get(unit).copied();
            if u.is_none() {
                bad(uc, format!("unknown unit `{unit}` (not a node id or name)"));
            }
            u
        };
        let (action, ac) = get("action");
        let act = if action.is_empty() {
            bad(ac, "action is empty".into());
            None
        } else {
            Some(LogAction::parse(action, |s| steps.contains(&s)))
        };
        let (body, bc) = get("body");
        let needs_body = !matches!(act, Some(LogAction::Detect | LogAction::Close) | None);
        if body.is_empty() && needs_body {
            bad(
                bc,
                format!("body is empty (a body of the plan: {})", body_list(plan)),
            );
        }
        let body_id = if body.is_empty() { None } else { body_of(body) };
        let (target, tgc) = get("target");
        let target_id = if target.is_empty() {
            None
        } else {
            let t = names.get(target).copied();
            if t.is_none() {
                bad(
                    tgc,
                    format!("unknown target `{target}` (not a node id or name)"),
                );
            }
            t
        };
        let (level, lc) = get("level");
        let lvl = if level.is_empty() {
            None
        } else {
            let l = parse_level(level);
            if l.is_none() {
                bad(lc, format!("level `{level}` is not I, II, III or IV (Ⅰ–Ⅳ)"));
            }
            l
        };
        let (note, _) = get("note");
        if let (Some(at), Some(unit), Some(action)) = (at, unit_id, act)
            && (target.is_empty() || target_id.is_some())
            && (level.is_empty() || lvl.is_some())
            && (!body.is_empty() || !needs_body)
        {
            actions.push(LoggedAction {
                at,
                unit,
                body: body_id,
                body_text: body.to_string(),
                action,
                target: target_id,
                level: lvl,
                note: note.to_string(),
                row,
            });
        }
    }
    if rows == 0 && d.is_empty() {
        d.push(Diagnostic::csv(path, 2, 1, "the drill log has no rows"));
    }
    if d.is_empty() {
        Ok(DrillLog { actions, rows })
    } else {
        Err(d)
    }
}

fn body_list(plan: &Plan) -> String {
    plan.bodies
        .iter()
        .map(|b| b.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Minutes as the writer puts them: whole minutes bare, else up to three
/// decimals.
pub fn minutes_text(m: f64) -> String {
    if m.fract() == 0.0 {
        format!("{m:.0}")
    } else {
        let s = format!("{m:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The row a logged action is written as (`time` in minutes; ids).
pub fn row_of(a: &LoggedAction, topo: &Topology, plan: &Plan) -> LogRow {
    LogRow {
        time: minutes_text(a.at),
        unit: topo.nodes[a.unit as usize].id.clone(),
        body: match a.body {
            Some(b) => plan.bodies[b].id.clone(),
            None => a.body_text.clone(),
        },
        action: a.action.as_str().to_string(),
        target: a
            .target
            .map(|t| topo.nodes[t as usize].id.clone())
            .unwrap_or_default(),
        level: a.level.map(|l| l.as_str().to_string()).unwrap_or_default(),
        note: a.note.clone(),
        ..LogRow::default()
    }
}

/// Writes rows as a drill log (UTF-8, no BOM, LF), header first.
pub fn write(rows: &[LogRow]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(COLUMNS);
    for r in rows {
        let _ = w.write_record([
            &r.time, &r.unit, &r.body, &r.action, &r.target, &r.level, &r.note, &r.due, &r.clause,
        ]);
    }
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> jiff::civil::DateTime {
        "2026-09-14T09:00:00".parse().expect("date")
    }

    #[test]
    fn times_in_every_form() {
        assert_eq!(parse_time("95", start()), Ok(95.0));
        assert_eq!(parse_time("95.5", start()), Ok(95.5));
        assert_eq!(parse_time("01:35", start()), Ok(95.0));
        assert_eq!(parse_time("1:35:30", start()), Ok(95.5));
        assert_eq!(parse_time("2026-09-14 10:35", start()), Ok(95.0));
        assert_eq!(parse_time("2026-09-14T10:35:00", start()), Ok(95.0));
        assert_eq!(parse_time("2026-09-15 09:00", start()), Ok(1440.0));
        assert!(parse_time("2026-09-14 08:59", start()).is_err());
        assert!(parse_time("-3", start()).is_err());
        assert!(parse_time("1:75", start()).is_err());
        assert!(parse_time("soon", start()).is_err());
        assert!(parse_time("", start()).is_err());
    }

    #[test]
    fn levels_latin_and_roman() {
        assert_eq!(parse_level("III"), Some(Level::III));
        assert_eq!(parse_level("ii"), Some(Level::II));
        assert_eq!(parse_level("Ⅳ"), Some(Level::IV));
        assert_eq!(parse_level("V"), None);
    }

    #[test]
    fn written_rows_read_back() {
        let topo = crate::model::topology_spec::default_topology();
        let plan = crate::app::load_plan("sat-overall").expect("plan");
        let rows = vec![LogRow {
            time: "40".into(),
            unit: "sc".into(),
            body: "emergency_office".into(),
            action: "report".into(),
            note: "电话报告, \"quoted\"".into(),
            ..LogRow::default()
        }];
        let bytes = write(&rows);
        let log = parse(&bytes, Path::new("x.csv"), &topo, &plan, start()).expect("reads");
        assert_eq!(log.actions.len(), 1);
        let a = &log.actions[0];
        assert_eq!(row_of(a, &topo, &plan), rows[0]);
        assert_eq!(a.row, 2);
    }
}

#[cfg(test)]
mod template {
    use super::*;

    #[test]
    fn the_bundled_template_reads() {
        let topo = crate::model::topology_spec::default_topology();
        let plan = crate::app::load_plan("sat-overall").expect("plan");
        let bytes = include_bytes!("../../assets/drill-log-template.csv");
        let start = "2026-09-14T09:00:00".parse().expect("date");
        let log = parse(bytes, Path::new("t.csv"), &topo, &plan, start).expect("template");
        assert_eq!(log.rows, 3);
        let times: Vec<f64> = log.actions.iter().map(|a| a.at).collect();
        assert_eq!(times, [20.0, 30.0, 95.0]);
        assert!(log.actions.iter().all(|a| a.body.is_some()));
    }
}
