//! `obligations.csv` and the compliance columns of `timeline.csv`.

use super::Assessment;
use crate::engine::RunRecord;
use crate::output::clock;

fn opt_time(rec: &RunRecord, m: Option<f64>) -> (String, String) {
    match m {
        Some(m) => (clock(&rec.start, m), format!("{m:.3}")),
        None => (String::new(), String::new()),
    }
}

fn status_str(s: super::Status) -> &'static str {
    s.as_str()
}

/// `obligations.csv`: one row per obligation, times as calendar time and
/// exact minutes (empty when none).
pub fn obligations_csv(a: &Assessment, rec: &RunRecord) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(crate::output::cells::record([
        "id",
        "incident",
        "kind",
        "name",
        "capability",
        "clause",
        "unit",
        "tier",
        "body",
        "site",
        "trigger_time",
        "trigger_minute",
        "due_time",
        "due_minute",
        "done_time",
        "done_minute",
        "status",
        "weight",
        "credit",
    ]))
    .expect("in-memory csv");
    for o in &a.obligations {
        let (tt, tm) = opt_time(rec, Some(o.trigger_min));
        let (dt, dm) = opt_time(rec, o.due_min);
        let (ft, fm) = opt_time(rec, o.done_min);
        w.write_record(crate::output::cells::record([
            o.task.to_string(),
            o.incident.to_string(),
            o.kind.to_string(),
            o.name.to_string(),
            o.capability.as_str().to_owned(),
            o.clause.to_string(),
            o.unit.to_string(),
            o.tier.to_string(),
            o.body.to_string(),
            o.site.to_string(),
            tt,
            tm,
            dt,
            dm,
            ft,
            fm,
            status_str(o.status).to_owned(),
            format!("{:.3}", o.weight),
            format!("{:.3}", o.credit),
        ]))
        .expect("in-memory csv");
    }
    w.into_inner().expect("in-memory csv")
}

/// Names of the extra `timeline.csv` columns: `compliance_overall`,
/// `compliance_tier_<tier>`, `compliance_body_<id>`,
/// `compliance_cap_<capability>`.
pub fn compliance_head(a: &Assessment) -> Vec<String> {
    let mut head = vec!["compliance_overall".to_owned()];
    head.extend(a.tiers.iter().map(|t| format!("compliance_tier_{t}")));
    head.extend(a.bodies.iter().map(|b| format!("compliance_body_{b}")));
    head.extend(
        super::Capability::ALL
            .iter()
            .map(|c| format!("compliance_cap_{}", c.as_str())),
    );
    head
}

/// One point's cells under [`compliance_head`], 2 decimals, appended to
/// `out`.
pub fn compliance_cells(p: &super::CompliancePoint, out: &mut Vec<String>) {
    let f = |x: f64| format!("{x:.2}");
    out.push(f(p.overall));
    out.extend(p.by_tier.iter().copied().map(f));
    out.extend(p.by_body.iter().copied().map(f));
    out.extend(p.by_capability.iter().copied().map(f));
}

/// Extra `timeline.csv` columns, one row per timeline row (the point in
/// force there, [`super::compliance::at_rows`]). Holds every cell of every
/// row: `timeline.csv` itself is written row by row
/// (`output::write_timeline_csv`); this is for tests and small runs.
pub fn compliance_columns(a: &Assessment, rec: &RunRecord) -> (Vec<String>, Vec<Vec<String>>) {
    let head = compliance_head(a);
    if a.compliance.is_empty() {
        return (head, Vec::new());
    }
    let rows = super::compliance::at_rows(&a.compliance, rec.timeline.iter().map(|r| r.minute))
        .map(|p| {
            let mut r = Vec::with_capacity(head.len());
            compliance_cells(p, &mut r);
            r
        })
        .collect();
    (head, rows)
}
