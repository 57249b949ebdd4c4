//! Writing a run's record: `timeline.csv`, `events.csv`, `summary.json`.
//!
//! Pure formatting of a [`RunRecord`]; the only I/O is [`write_atomically`],
//! which writes into a temporary sibling folder and renames it into place so
//! a failed run never leaves half-written output.

use std::fs;
use std::io;
use std::path::Path;

use serde::Serialize;

use std::collections::BTreeMap;

use crate::engine::RunRecord;

pub mod cells;
pub mod guard;
pub mod record_check;
use crate::report::Lang;
use crate::score::{Assessment, Outcomes};

/// Files of one run folder, relative path → contents.
pub type Files = [(String, Vec<u8>)];

/// Calendar time of a minute offset from the scenario start.
pub fn clock(start: &str, minute: f64) -> String {
    let Ok(start) = start.parse::<jiff::civil::DateTime>() else {
        return format!("+{minute:.3}m");
    };
    let secs = (minute * 60.0).round() as i64;
    start
        .checked_add(jiff::SignedDuration::from_secs(secs))
        .map(|t| t.strftime("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|_| format!("+{minute:.3}m"))
}

/// `timeline.csv`: the network's state at the end of every tick, followed by
/// the compliance columns of the assessment. In memory; a run folder's is
/// written row by row ([`write_timeline_csv`]).
pub fn timeline_csv(rec: &RunRecord, a: &Assessment) -> Vec<u8> {
    let mut out = Vec::new();
    write_timeline_csv(&mut out, rec, a).expect("in-memory csv");
    out
}

/// [`timeline_csv`] written to `w` row by row: nothing the size of the
/// file is held (a year of 1-minute ticks is over 100 MB).
pub fn write_timeline_csv(w: impl io::Write, rec: &RunRecord, a: &Assessment) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(w);
    let mut head: Vec<String> = [
        "time",
        "minute",
        "hosts_susceptible",
        "hosts_infected",
        "hosts_cleaned",
        "hosts_immune",
        "nodes_affected",
        "nodes_down",
        "nodes_cut_off",
        "links_saturated",
        "services_available_pct",
        "taxpayer_services_down",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    head.extend(crate::score::compliance_head(a));
    w.write_record(crate::output::cells::record(&head))?;
    let mut points = (!a.compliance.is_empty()).then(|| {
        crate::score::compliance::at_rows(&a.compliance, rec.timeline.iter().map(|r| r.minute))
    });
    let mut row: Vec<String> = Vec::with_capacity(head.len());
    for r in &rec.timeline {
        row.clear();
        row.extend([
            clock(&rec.start, r.minute),
            format!("{:.0}", r.minute),
            r.hosts_susceptible.to_string(),
            r.hosts_infected.to_string(),
            r.hosts_cleaned.to_string(),
            r.hosts_immune.to_string(),
            r.nodes_affected.to_string(),
            r.nodes_down.to_string(),
            r.nodes_cut_off.to_string(),
            r.links_saturated.to_string(),
            format!("{:.3}", r.services_available_pct),
            r.taxpayer_services_down.to_string(),
        ]);
        if let Some(p) = points.as_mut().and_then(|it| it.next()) {
            crate::score::compliance_cells(p, &mut row);
        }
        w.write_record(crate::output::cells::record(&row))?;
    }
    w.flush()
}

/// `events.csv`: every event, in order, with its exact minute.
pub fn events_csv(rec: &RunRecord) -> Vec<u8> {
    let mut out = Vec::new();
    write_events_csv(&mut out, rec).expect("in-memory csv");
    out
}

/// [`events_csv`] written to `w` row by row.
pub fn write_events_csv(w: impl io::Write, rec: &RunRecord) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(w);
    w.write_record(crate::output::cells::record([
        "time", "minute", "kind", "node", "actor", "clause", "detail",
    ]))?;
    for e in &rec.events {
        let node = e
            .node
            .and_then(|v| rec.meta.nodes.get(v as usize))
            .map(|n| n.id.as_str())
            .unwrap_or("");
        w.write_record(crate::output::cells::record([
            clock(&rec.start, e.minute).as_str(),
            format!("{:.3}", e.minute).as_str(),
            e.kind.as_str(),
            node,
            &*e.actor,
            &*e.clause,
            e.detail.as_ref(),
        ]))?;
    }
    w.flush()
}

/// The run's headline numbers (`summary.json`).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub scenario: String,
    pub scenario_file: String,
    pub seed: u64,
    pub start: String,
    pub duration_hours: f64,
    pub tick_minutes: f64,
    pub response: bool,
    pub nodes: usize,
    pub links: usize,
    pub hosts: u64,
    pub services: usize,
    pub peak_infected_hosts: u64,
    pub peak_minute: f64,
    pub peak_time: String,
    pub total_infected_hosts: u64,
    pub nodes_affected: u32,
    pub nodes_infected: u32,
    pub nodes_down_max: u32,
    pub nodes_cut_off_max: u32,
    pub service_hours_lost: f64,
    pub taxpayer_service_hours_lost: f64,
    pub data_lost_hours: f64,
    /// Records lost to threats that damaged data (the damage model's).
    pub records_lost: u64,
    /// Sites whose data a threat damaged, and of those restored by the end.
    pub sites_damaged: u32,
    pub sites_restored: u32,
    /// Per damaged site: what was lost, where and why.
    pub data_losses: Vec<DataLossRow>,
    pub events: usize,
    /// Plan revision (empty without response).
    pub plan: String,
    /// Timings, costs and obligation counts of the assessment.
    pub outcomes: Outcomes,
    /// Capability → P/S/M/U.
    pub ratings: BTreeMap<String, String>,
}

/// One site's data loss in `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct DataLossRow {
    pub node: String,
    pub cause: String,
    pub time: String,
    pub backup_age_hours: f64,
    pub hosts: u32,
    pub records: u64,
    /// When restored from the backup (empty: not restored).
    pub restored: String,
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

pub fn summary(rec: &RunRecord, a: &Assessment) -> Summary {
    let t = &rec.totals;
    Summary {
        scenario: rec.scenario.clone(),
        scenario_file: rec.scenario_slug.clone(),
        seed: rec.seed,
        start: clock(&rec.start, 0.0),
        duration_hours: round(rec.duration_min / 60.0, 3),
        tick_minutes: rec.tick_min,
        response: rec.response,
        nodes: rec.wan_nodes,
        links: rec.links,
        hosts: rec.hosts,
        services: rec.services,
        peak_infected_hosts: t.peak_infected_hosts,
        peak_minute: round(t.peak_minute, 3),
        peak_time: clock(&rec.start, t.peak_minute),
        total_infected_hosts: t.total_infected_hosts,
        nodes_affected: t.nodes_affected,
        nodes_infected: t.nodes_infected,
        nodes_down_max: t.nodes_down_max,
        nodes_cut_off_max: t.nodes_cut_off_max,
        service_hours_lost: round(t.service_hours_lost, 3),
        taxpayer_service_hours_lost: round(t.taxpayer_service_hours_lost, 3),
        data_lost_hours: round(t.data_lost_hours, 3),
        records_lost: t.records_lost,
        sites_damaged: t.sites_damaged,
        sites_restored: t.sites_restored,
        data_losses: rec
            .data_losses
            .iter()
            .map(|l| DataLossRow {
                node: rec
                    .meta
                    .nodes
                    .get(l.node as usize)
                    .map(|n| n.id.clone())
                    .unwrap_or_else(|| l.node.to_string()),
                cause: l.cause.clone(),
                time: clock(&rec.start, l.minute),
                backup_age_hours: round(l.backup_age_hours, 3),
                hosts: l.hosts,
                records: l.records,
                restored: l.restored.map(|m| clock(&rec.start, m)).unwrap_or_default(),
            })
            .collect(),
        events: rec.events.len(),
        plan: rec.meta.plan.clone(),
        outcomes: a.outcomes.clone(),
        ratings: a
            .ratings
            .iter()
            .map(|r| (r.capability.as_str().to_string(), format!("{:?}", r.rating)))
            .collect(),
    }
}

pub fn summary_json(rec: &RunRecord, a: &Assessment) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(&summary(rec, a)).expect("plain struct");
    out.push(b'\n');
    out
}

/// `record.json`: the whole record, so that scoring and reports can be
/// redone from a run folder without re-simulating.
pub fn record_json(rec: &RunRecord) -> Vec<u8> {
    serde_json::to_vec(rec).expect("plain data")
}

/// [`record_json`] written to `w` as it is serialised.
pub fn write_record_json(w: impl io::Write, rec: &RunRecord) -> io::Result<()> {
    serde_json::to_writer(w, rec).map_err(io::Error::other)
}

/// Reads a run folder's `record.json`.
pub fn read_record(dir: &Path) -> Result<RunRecord, String> {
    crate::output::guard::note_input(dir);
    let path = dir.join("record.json");
    let bytes =
        fs::read(&path).map_err(|e| format!("{}: {e}", crate::model::diag::shown_path(&path)))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "{}:{}:{}: not a drillsim run record: {e}",
            crate::model::diag::shown_path(&path),
            e.line(),
            e.column()
        )
    })
}

/// All files of a run folder: the record's tables, the assessment's, and
/// the report. A pure function of the record and its assessment, so that
/// `drillsim report` rebuilds exactly what `drillsim run` wrote.
pub fn run_files(rec: &RunRecord, a: &Assessment, lang: Lang) -> Vec<(String, Vec<u8>)> {
    run_files_with(rec, a, lang, None)
}

/// [`run_files`] plus `spread.json` and the report's spread section when
/// the run has a spread across seeds.
pub fn run_files_with(
    rec: &RunRecord,
    a: &Assessment,
    lang: Lang,
    spread: Option<&crate::report::spread::Spread>,
) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        ("timeline.csv".to_string(), timeline_csv(rec, a)),
        ("events.csv".to_string(), events_csv(rec)),
        (
            "obligations.csv".to_string(),
            crate::score::obligations_csv(a, rec),
        ),
        ("summary.json".to_string(), summary_json(rec, a)),
        ("record.json".to_string(), record_json(rec)),
        (
            LANG_FILE.to_string(),
            format!("{}\n", lang.tag()).into_bytes(),
        ),
    ];
    if let Some(sp) = spread {
        files.push(("spread.json".to_string(), sp.to_json()));
    }
    files.extend(crate::report::render_with(rec, a, lang, spread).0);
    files
}

/// Writes the files of [`run_files_with`] into the folder `dir` (a
/// temporary folder of [`write_atomically_mode`]), the same bytes, but
/// the large ones — `timeline.csv`, `events.csv`, `record.json` — row by
/// row through a buffer instead of whole in memory: the run's size in
/// memory then no longer grows with these files. Each file is checked
/// against interruption before it is written, like [`write_atomically`]'s.
pub fn write_run_files(
    dir: &Path,
    rec: &RunRecord,
    a: &Assessment,
    lang: Lang,
    spread: Option<&crate::report::spread::Spread>,
) -> io::Result<()> {
    type Stream<'a> = &'a dyn Fn(&mut dyn io::Write) -> io::Result<()>;
    let streamed: [(&str, Stream); 3] = [
        ("timeline.csv", &|w| write_timeline_csv(w, rec, a)),
        ("events.csv", &|w| write_events_csv(w, rec)),
        ("record.json", &|w| write_record_json(w, rec)),
    ];
    let delay = write_delay();
    for (name, write) in streamed {
        guard::stop_if_interrupted();
        let mut w = io::BufWriter::with_capacity(1 << 16, fs::File::create(dir.join(name))?);
        write(&mut w)?;
        io::Write::flush(&mut w)?;
        w.into_inner().map_err(|e| e.into_error())?;
        pause(delay);
    }
    let mut files = vec![
        (
            "obligations.csv".to_string(),
            crate::score::obligations_csv(a, rec),
        ),
        ("summary.json".to_string(), summary_json(rec, a)),
        (
            LANG_FILE.to_string(),
            format!("{}\n", lang.tag()).into_bytes(),
        ),
    ];
    if let Some(sp) = spread {
        files.push(("spread.json".to_string(), sp.to_json()));
    }
    write_files(dir, &files)?;
    // The report last, file by file as rendered.
    let report = crate::report::render_with(rec, a, lang, spread).0;
    write_files(dir, &report)
}

/// The run folder's `spread.json`, if it has one (None when absent; an
/// unreadable or malformed file is an error with its line and column).
pub fn read_spread(dir: &Path) -> Result<Option<crate::report::spread::Spread>, String> {
    let path = dir.join("spread.json");
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", crate::model::diag::shown_path(&path))),
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        format!(
            "{}:{}:{}: {e}",
            crate::model::diag::shown_path(&path),
            e.line(),
            e.column()
        )
    })
}

/// The run folder's file naming the report's language (`zh-CN` or `en`),
/// so that `drillsim report` rebuilds the report in it.
pub const LANG_FILE: &str = "report.lang";

/// The language a run folder's report was written in: `report.lang`; for a
/// folder without it, the `lang` attribute of its `report.html`; else None.
pub fn read_lang(dir: &Path) -> Option<Lang> {
    if let Ok(s) = fs::read_to_string(dir.join(LANG_FILE)) {
        return Lang::parse(s.trim());
    }
    let html = fs::read_to_string(dir.join("report.html")).ok()?;
    let at = html.find("<html lang=\"")? + "<html lang=\"".len();
    let end = at + html[at..].find('"')?;
    Lang::parse(&html[at..end])
}

/// A short human summary of a run.
pub fn human_summary(rec: &RunRecord, a: &Assessment, out: &Path) -> String {
    let s = summary(rec, a);
    format!(
        "scenario   {} (seed {}, {} h from {}, {})\n\
         network    {} WAN nodes, {} links, {} hosts, {} services\n\
         worm       peak {} hosts infected at {}; {} infected in all over {} nodes\n\
         outages    up to {} nodes down, up to {} cut off from HQ\n\
         services   {:.1} service-hours lost ({:.1} of them taxpayer services)\n\
         data       {}\n\
         {}\
         results    {}",
        crate::model::diag::escape_controls(&s.scenario),
        s.seed,
        s.duration_hours,
        s.start,
        if s.response {
            "with response"
        } else {
            "no response"
        },
        s.nodes,
        s.links,
        s.hosts,
        s.services,
        s.peak_infected_hosts,
        s.peak_time,
        s.total_infected_hosts,
        s.nodes_infected,
        s.nodes_down_max,
        s.nodes_cut_off_max,
        s.service_hours_lost,
        s.taxpayer_service_hours_lost,
        if s.sites_damaged == 0 {
            "no data damaged".to_string()
        } else {
            format!(
                "damaged at {} site(s) ({} restored): {:.1} site-hours, ~{} records lost since their last backups",
                s.sites_damaged, s.sites_restored, s.data_lost_hours, s.records_lost
            )
        },
        response_line(a),
        crate::model::diag::shown_path(out)
    )
}

/// The response's scores in one line (empty without obligations).
fn response_line(a: &Assessment) -> String {
    let o = &a.outcomes;
    if o.obligations == 0 {
        return String::new();
    }
    let ratings: Vec<String> = a
        .ratings
        .iter()
        .map(|r| format!("{} {:?}", r.capability.as_str(), r.rating))
        .collect();
    format!(
        "response   {} obligations: {} on time, {} late, {} missed, {} other deviations, {} pending, {} not due; \
         compliance {:.1}%\nratings    {}\n",
        o.obligations,
        o.on_time,
        o.late,
        o.missed,
        o.other_deviations,
        o.pending,
        o.not_due,
        o.final_compliance,
        ratings.join(", ")
    )
}

/// Writes `files` into `dir` atomically: everything goes to a temporary
/// sibling folder first, which then replaces `dir` by rename. On error the
/// temporary folder is removed and `dir` is left as it was. An existing
/// `dir` is replaced only if drillsim wrote it and it holds nothing else
/// ([`guard::check_target`]; else an error before anything is written).
pub fn write_atomically(dir: &Path, files: &Files) -> io::Result<()> {
    write_atomically_with(dir, |tmp| write_files(tmp, files))
}

/// Like [`write_atomically`], but files in `dir` that drillsim did not
/// write (a user's notes in a run folder) are kept in the new folder
/// (`drillsim report RUN`), and the command's inputs may be inside `dir`.
pub fn write_atomically_keeping(dir: &Path, files: &Files) -> io::Result<()> {
    write_atomically_mode(dir, guard::Mode::KeepForeign, |tmp| write_files(tmp, files))
}

/// Environment variable of the test hook: sleep this many milliseconds
/// after each file written into a temporary folder (so that tests can
/// interrupt a write in the middle).
pub const WRITE_DELAY_ENV: &str = "DRILLSIM_WRITE_DELAY_MS";

fn write_delay() -> Option<u64> {
    std::env::var(WRITE_DELAY_ENV)
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
}

fn pause(delay: Option<u64>) {
    if let Some(ms) = delay {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

/// Writes `files` into the folder `tmp` (a temporary folder of
/// [`write_atomically_mode`]), checking for interruption before each.
pub fn write_files(tmp: &Path, files: &Files) -> io::Result<()> {
    let delay = write_delay();
    for (file, bytes) in files {
        guard::stop_if_interrupted();
        let path = tmp.join(file);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(path, bytes)?;
        pause(delay);
    }
    Ok(())
}

/// Like [`write_atomically`], but `fill` writes the files into the
/// temporary folder itself (for outputs too large to hold in memory).
pub fn write_atomically_with(
    dir: &Path,
    fill: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<()> {
    write_atomically_mode(dir, guard::Mode::Replace, fill)
}

/// The atomic folder write behind the others: sweeps what dead processes
/// left beside `dir`, checks `dir` may be replaced (before writing
/// anything), fills `.NAME.tmp-PID` (removed on SIGINT/SIGTERM while
/// registered), writes the marker and swaps the folder in.
pub fn write_atomically_mode(
    dir: &Path,
    mode: guard::Mode,
    fill: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<()> {
    let (parent, tmp) = guard::temp_sibling(dir);
    fs::create_dir_all(&parent)?;
    guard::sweep_stale(dir);
    guard::check_target(dir, mode)?;
    if tmp.exists() {
        fs::remove_dir_all(&tmp)?;
    }
    // Registered before it exists, so that a signal never misses it.
    guard::register(&tmp);
    if let Err(e) = fs::create_dir(&tmp) {
        guard::deregister(&tmp);
        return Err(e);
    }
    let result = (|| {
        fill(&tmp)?;
        guard::stop_if_interrupted();
        install_dir_mode(&tmp, dir, mode)
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
        guard::deregister(&tmp);
    }
    result
}

/// Moves the finished folder `tmp` to `dir` (a sibling) by rename,
/// replacing the folder drillsim wrote there before: checks `dir` again
/// ([`guard::check_target`]), writes the marker listing `tmp`'s files,
/// then swaps. Call [`guard::check_target`] before a long job too, so that
/// it fails before the work.
pub fn install_dir(tmp: &Path, dir: &Path) -> io::Result<()> {
    install_dir_mode(tmp, dir, guard::Mode::Replace)
}

fn install_dir_mode(tmp: &Path, dir: &Path, mode: guard::Mode) -> io::Result<()> {
    let target = guard::check_target(dir, mode)?;
    guard::write_marker(tmp)?;
    // The user's files join after the marker: it lists drillsim's only.
    guard::carry_over(dir, tmp, &target.foreign)?;
    let note = match (target.exists, mode, target.forced) {
        (true, guard::Mode::Replace, true) => Some("--force: with everything in it"),
        (true, guard::Mode::Replace, false) => Some("written by an earlier drillsim command"),
        _ => None,
    };
    guard::swap_in(tmp, dir, note)
}
