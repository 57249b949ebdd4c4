//! `record.json` read back like any input: a syntax or type error at its
//! line and column, and a record that contradicts itself (a task state the
//! engine never writes, a node index out of range, a tick of 0, times that
//! are not finite) refused with the JSON path of the bad value — exit 2,
//! nothing written.

use std::fs;
use std::path::Path;

use crate::engine::RunRecord;
use crate::model::{Diagnostic, Diagnostics};

/// The task states the engine writes.
pub const TASK_STATES: [&str; 6] = ["waiting", "ready", "running", "done", "skipped", "not_due"];

/// Reads and validates `dir/record.json`.
pub fn read(dir: &Path) -> Result<RunRecord, Diagnostics> {
    crate::output::guard::note_input(dir);
    let path = dir.join("record.json");
    let one = |line, col, msg: String| Diagnostics(vec![Diagnostic::at(&path, "", line, col, msg)]);
    // Parsed as it is read, not read whole first: a year of 1-minute ticks
    // is a record.json of over 100 MB.
    let file =
        fs::File::open(&path).map_err(|e| one(1, 1, format!("cannot read run record: {e}")))?;
    let rec: RunRecord = serde_json::from_reader(std::io::BufReader::with_capacity(1 << 16, file))
        .map_err(|e| {
            if e.is_io() {
                one(1, 1, format!("cannot read run record: {e}"))
            } else {
                one(
                    e.line().max(1),
                    e.column().max(1),
                    format!("not a drillsim run record: {e}"),
                )
            }
        })?;
    checked(rec, &path)
}

/// [`read`] of `record.json`'s bytes in memory (the fuzzing harness's entry
/// point); diagnostics name `path`.
pub fn parse(bytes: &[u8], path: &Path) -> Result<RunRecord, Diagnostics> {
    let one = |line, col, msg: String| Diagnostics(vec![Diagnostic::at(path, "", line, col, msg)]);
    let rec: RunRecord = serde_json::from_slice(bytes).map_err(|e| {
        one(
            e.line().max(1),
            e.column().max(1),
            format!("not a drillsim run record: {e}"),
        )
    })?;
    checked(rec, path)
}

/// `rec` if [`check`] finds nothing, else its problems.
fn checked(rec: RunRecord, path: &Path) -> Result<RunRecord, Diagnostics> {
    let problems = check(&rec);
    if problems.is_empty() {
        Ok(rec)
    } else {
        Err(Diagnostics(
            problems
                .into_iter()
                .map(|m| Diagnostic::at(path, "", 1, 1, m))
                .collect(),
        ))
    }
}

/// What contradicts itself in a record (JSON path: problem), at most 20.
pub fn check(rec: &RunRecord) -> Vec<String> {
    let mut p = Vec::new();
    let nodes = rec.meta.nodes.len();
    let finite_pos = |x: f64| x.is_finite() && x >= 0.0;
    if !(rec.tick_min.is_finite() && rec.tick_min > 0.0) {
        p.push(format!(
            "tick_min: {} is not a positive tick length",
            rec.tick_min
        ));
    }
    if !(rec.duration_min.is_finite() && rec.duration_min > 0.0) {
        p.push(format!(
            "duration_min: {} is not a positive duration",
            rec.duration_min
        ));
    }
    if rec.wan_nodes > nodes {
        p.push(format!(
            "wan_nodes: {} WAN nodes, but meta.nodes lists {nodes}",
            rec.wan_nodes
        ));
    }
    let node = |p: &mut Vec<String>, at: String, v: u32| {
        if v as usize >= nodes {
            p.push(format!(
                "{at}: node index {v} out of range (the record has {nodes} nodes)"
            ));
        }
    };
    for (i, r) in rec.timeline.iter().enumerate() {
        if !finite_pos(r.minute) {
            p.push(format!("timeline[{i}].minute: {} is not a time", r.minute));
        }
    }
    for (i, e) in rec.events.iter().enumerate() {
        if !finite_pos(e.minute) {
            p.push(format!("events[{i}].minute: {} is not a time", e.minute));
        }
        if let Some(v) = e.node {
            node(&mut p, format!("events[{i}].node"), v);
        }
    }
    for (i, t) in rec.tasks.iter().enumerate() {
        if !TASK_STATES.contains(&&*t.state) {
            p.push(format!(
                "tasks[{i}].state: unknown task state `{}` (one of {})",
                &*t.state,
                TASK_STATES.join(", ")
            ));
        }
        node(&mut p, format!("tasks[{i}].unit"), t.unit);
        node(&mut p, format!("tasks[{i}].site"), t.site);
        for (what, m) in [
            ("created", Some(t.created)),
            ("due", t.due),
            ("started", t.started),
            ("finished", t.finished),
        ] {
            if let Some(m) = m
                && !m.is_finite()
            {
                p.push(format!("tasks[{i}].{what}: {m} is not a time"));
            }
        }
    }
    for (i, l) in rec.data_losses.iter().enumerate() {
        node(&mut p, format!("data_losses[{i}].node"), l.node);
    }
    if p.len() > 20 {
        let n = p.len();
        p.truncate(20);
        p.push(format!("… {} more problem(s)", n - 20));
    }
    p
}
