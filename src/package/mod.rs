//! `drillsim package`: what a real drill needs, derived from a scenario and
//! a plan.
//!
//! The actions the plan expects are not typed in: the scenario is run once
//! with the plan and perfect-readiness teams (as `run --perfect-readiness`)
//! at the seed, and every task of that run — unit, body, action, site, when
//! it arose, its deadline and clause — is an expected action. From that
//! run's record (and the scenario's injects, for what the players are told)
//! [`build`] makes the [`Package`], a pure value; [`files`] writes it out:
//!
//! - `msel.csv` / `msel.html` ([`msel`]): the injects with their time,
//!   recipient and message, then the actions the plan expects, grouped by
//!   inject and unit tier in the HTML, one row each in the CSV;
//! - `observer-<body>.html` ([`observer`]): a printable sheet per body;
//! - `drill-log.csv` ([`drill_log_csv`]): the drill-log template (the
//!   format `drillsim assess` reads), `time` empty;
//! - with `--deadline`: `schedule.csv` and a section of `msel.html`
//!   ([`schedule`]), worked back from the deadline.
//!
//! Everything goes through the atomic folder write; a date that cannot fit
//! is refused (exit 2) before anything runs or is written.

pub mod labels;
pub mod msel;
pub mod observer;
pub mod schedule;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::civil::{Date, DateTime};

use crate::app::{self, Error};
use crate::engine::record::{EventKind, TaskRecord};
use crate::engine::{self, ResponseSetup, RunConfig, RunRecord};
use crate::model::scenario::{InjectKind, Scenario};
use crate::model::topology::Topology;
use crate::model::{Diagnostic, Diagnostics};
use crate::report::Lang;
use crate::report::labels::{L, fill};
use labels as lb;
use schedule::Schedule;

/// Options of `drillsim package`.
#[derive(Debug, Clone, Default)]
pub struct PackageArgs {
    pub scenario: Option<PathBuf>,
    pub topology: Option<PathBuf>,
    /// Plan name or file (default `sat-overall`).
    pub plan: Option<String>,
    /// Teams file: its duty calendar gives the working days (the run itself
    /// uses the same teams at perfect readiness).
    pub teams: Option<PathBuf>,
    pub seed: u64,
    pub drill_date: Option<Date>,
    pub deadline: Option<Date>,
    pub lang: Lang,
    pub out: Option<PathBuf>,
}

/// What `drillsim package` wrote.
#[derive(Debug)]
pub struct PackageOutput {
    pub out: PathBuf,
    pub injects: usize,
    pub actions: usize,
    /// Bodies with an observer sheet.
    pub bodies: usize,
    pub schedule: Option<Schedule>,
    pub drill_date: Option<Date>,
}

/// The default output folder: `packages/<scenario>-<plan>`.
pub fn default_out(scenario: &Scenario, plan: &str) -> PathBuf {
    let plan = Path::new(plan)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| plan.to_string());
    PathBuf::from("packages").join(format!("{}-{plan}", scenario.slug))
}

/// The options as the user typed them, for positioned date errors.
fn date_options(args: &PackageArgs) -> (String, usize, usize) {
    let mut line = String::new();
    let mut drill_col = 1;
    let mut deadline_col = 1;
    if let Some(d) = args.drill_date {
        line.push_str("--drill-date ");
        drill_col = line.chars().count() + 1;
        line.push_str(&d.to_string());
    }
    if let Some(d) = args.deadline {
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str("--deadline ");
        deadline_col = line.chars().count() + 1;
        line.push_str(&d.to_string());
    }
    (line, drill_col, deadline_col)
}

/// `drillsim package`: loads the inputs, checks the dates, runs the
/// scenario once at perfect readiness, writes the package atomically.
pub fn package(args: &PackageArgs) -> Result<PackageOutput, Error> {
    let plan_name = args.plan.as_deref().unwrap_or(app::DEFAULT_PLAN);
    let app::Inputs {
        topo,
        scenario,
        plan,
        teams,
        ..
    } = app::load_inputs(&app::InputFiles {
        topology: args.topology.as_deref(),
        scenario: args.scenario.as_deref(),
        plan: Some(plan_name),
        teams: args.teams.as_deref(),
        scoring: None,
    })?;

    // Dates first: a schedule that cannot fit is refused before any work.
    let schedule = match args.deadline {
        Some(deadline) => {
            let cal = schedule::Calendar::new(&teams.roster);
            match schedule::schedule(&cal, deadline, args.drill_date) {
                Ok(s) => Some(s),
                Err(r) => {
                    let (line, drill_col, deadline_col) = date_options(args);
                    let col = if r.option == "--drill-date" && args.drill_date.is_some() {
                        drill_col
                    } else {
                        deadline_col
                    };
                    return Err(Error::Input(Diagnostics(vec![Diagnostic::at(
                        Path::new("drillsim package"),
                        &line,
                        1,
                        col,
                        r.message,
                    )])));
                }
            }
        }
        None => None,
    };
    let drill_date = schedule.as_ref().map(|s| s.drill).or(args.drill_date);

    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&scenario, plan_name));
    let setup = ResponseSetup {
        plan,
        teams: Arc::new((*teams).clone().perfect()),
        spread: false,
    };
    let record = engine::run_with(
        topo.clone(),
        scenario.clone(),
        Some(setup),
        RunConfig {
            seed: args.seed,
            response: true,
        },
    );
    let pkg = build(&record, &scenario, &topo, args.lang, drill_date, schedule);
    let files = files(&pkg);
    crate::output::write_atomically(&out, &files).map_err(|source| Error::Io {
        path: out.clone(),
        source,
    })?;
    Ok(PackageOutput {
        out,
        injects: pkg.injects.len(),
        actions: pkg.actions.len(),
        bodies: pkg.bodies().len(),
        drill_date,
        schedule: pkg.schedule,
    })
}

/// One scenario inject as the MSEL shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct InjectRow {
    /// 0-based index among the scenario's (sorted) injects.
    pub index: usize,
    pub minute: f64,
    /// When controllers hand the message over: the perfect run's first
    /// detection of its incident, else the inject's minute.
    pub deliver: f64,
    /// The unit (node id) that first sees it or that the inject names.
    pub recipient: Option<String>,
    /// The body of the recipient that saw it first (detections only).
    pub recipient_body: Option<String>,
    /// What the players are told, in the package's language.
    pub message: String,
    /// The first inject of the same compound event, when not this one.
    pub same_as: Option<usize>,
    /// The incident (`TaskRecord::incident`) it was matched to.
    pub incident: Option<usize>,
}

/// One expected action: a task of the perfect run.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    /// Index into `RunRecord::tasks`.
    pub task: usize,
    /// The inject (its index) whose incident the task belongs to.
    pub inject: Option<usize>,
}

/// Everything the package's files show: a pure function of the perfect
/// run's record, the scenario and the dates.
pub struct Package<'a> {
    pub rec: &'a RunRecord,
    pub lang: Lang,
    pub scenario_name: String,
    pub injects: Vec<InjectRow>,
    /// In the order they arise (then task id).
    pub actions: Vec<Action>,
    /// The drill date, given or picked by the schedule.
    pub drill_date: Option<Date>,
    pub drill_picked: bool,
    pub schedule: Option<Schedule>,
    /// The perfect run's detections (the template's `detect` rows).
    pub detections: Vec<Detection>,
    /// The seed of the perfect run (the template says it).
    pub seed: u64,
    start: Option<DateTime>,
    nodes: HashMap<&'a str, usize>,
}

/// Builds the package from a perfect run's record.
pub fn build<'a>(
    rec: &'a RunRecord,
    scenario: &Scenario,
    topo: &Topology,
    lang: Lang,
    drill_date: Option<Date>,
    schedule: Option<Schedule>,
) -> Package<'a> {
    let nodes: HashMap<&str, usize> = rec
        .meta
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let start = drill_date.map(|d| d.to_datetime(scenario.start.time()));
    let injects = inject_rows(rec, scenario, topo, lang);
    let by_incident: HashMap<usize, usize> = injects
        .iter()
        .filter(|i| i.same_as.is_none())
        .filter_map(|i| i.incident.map(|inc| (inc, i.index)))
        .collect();
    let mut actions: Vec<Action> = rec
        .tasks
        .iter()
        .enumerate()
        .map(|(k, t)| Action {
            task: k,
            inject: by_incident.get(&t.incident).copied(),
        })
        .collect();
    actions.sort_by(|a, b| {
        let (ta, tb) = (&rec.tasks[a.task], &rec.tasks[b.task]);
        ta.created.total_cmp(&tb.created).then(a.task.cmp(&b.task))
    });
    Package {
        rec,
        lang,
        scenario_name: scenario.name.clone(),
        injects,
        actions,
        drill_date,
        drill_picked: schedule.as_ref().is_some_and(|s| s.drill_picked),
        schedule,
        detections: detections(rec),
        seed: rec.seed,
        start,
        nodes,
    }
}

/// Node ids an inject names (for matching incidents and its recipient).
fn inject_nodes(kind: &InjectKind, topo: &Topology) -> Vec<u32> {
    match kind {
        InjectKind::Worm(w) => w
            .initial_nodes
            .iter()
            .chain(&w.internet_entry)
            .copied()
            .collect(),
        InjectKind::LinkCut { link, .. } => {
            let l = &topo.links[*link as usize];
            vec![l.a, l.b]
        }
        InjectKind::NodeFailure { node, .. } => vec![*node],
        InjectKind::PowerOutage { nodes, .. } | InjectKind::Disaster { nodes, .. } => nodes.clone(),
        InjectKind::Intrusion(i) => vec![i.entry],
        InjectKind::Defacement(d) => vec![d.site],
        InjectKind::DenialOfService(d) => vec![d.site],
        InjectKind::DataLeak(d) => vec![d.site],
        InjectKind::Virus(v) => vec![v.site],
        InjectKind::Insider(m) => vec![m.site],
    }
}

/// An incident the run opened: (incident, minute, site, actor).
type Opening<'r> = (usize, f64, Option<u32>, &'r str);

/// The injects, each matched to the incident the perfect run opened for it.
///
/// The record numbers incidents, not injects: injects sharing an
/// `incident` label are one compound event; each incident the run opened
/// (`incident_opened`, in order) goes to the earliest compound event not
/// yet matched that started by then, preferring one that names the site it
/// was opened at, then a worm (which spreads anywhere).
fn inject_rows(
    rec: &RunRecord,
    scenario: &Scenario,
    topo: &Topology,
    lang: Lang,
) -> Vec<InjectRow> {
    let n = scenario.injects.len();
    // Leader of each inject's compound event.
    let leader: Vec<usize> = (0..n)
        .map(|i| match &scenario.injects[i].incident {
            Some(label) => (0..i)
                .find(|&j| scenario.injects[j].incident.as_deref() == Some(label))
                .unwrap_or(i),
            None => i,
        })
        .collect();
    let named: Vec<Vec<u32>> = scenario
        .injects
        .iter()
        .map(|i| inject_nodes(&i.kind, topo))
        .collect();
    // Every opening, in record order.
    let openings: Vec<Opening> = rec
        .events
        .iter()
        .filter(|e| e.kind == EventKind::IncidentOpened)
        .filter_map(|e| {
            let num = e.detail.strip_prefix("incident ")?.split(' ').next()?;
            let inc = num.parse::<usize>().ok()?.checked_sub(1)?;
            Some((inc, e.minute, e.node, e.actor.as_str()))
        })
        .collect();
    let mut matched: Vec<Option<Opening>> = vec![None; n];
    for &(inc, minute, site, actor) in &openings {
        let free = |i: &usize| {
            leader[*i] == *i
                && matched[*i].is_none()
                && scenario.injects[*i].at_min <= minute + 1e-9
        };
        let group_names =
            |i: usize, s: u32| (0..n).any(|j| leader[j] == i && named[j].contains(&s));
        let is_worm = |i: usize| {
            (0..n)
                .any(|j| leader[j] == i && matches!(scenario.injects[j].kind, InjectKind::Worm(_)))
        };
        let pick = (0..n)
            .filter(free)
            .find(|&i| site.is_some_and(|s| group_names(i, s)))
            .or_else(|| (0..n).filter(free).find(|&i| is_worm(i)))
            .or_else(|| (0..n).find(free));
        if let Some(i) = pick {
            matched[i] = Some((inc, minute, site, actor));
        }
    }
    (0..n)
        .map(|i| {
            let inj = &scenario.injects[i];
            let lead = leader[i];
            let m = matched[lead];
            let (recipient, recipient_body) = match (i == lead, m) {
                (true, Some((_, _, _, actor))) => match actor.split_once(' ') {
                    Some((u, b)) => (Some(u.to_string()), Some(b.to_string())),
                    None => (Some(actor.to_string()), None),
                },
                _ => (
                    named[i].first().map(|&v| topo.nodes[v as usize].id.clone()),
                    None,
                ),
            };
            let seen_site = m.and_then(|(_, _, s, _)| s);
            InjectRow {
                index: i,
                minute: inj.at_min,
                deliver: match m {
                    Some((_, minute, _, _)) if i == lead => minute,
                    _ => inj.at_min,
                },
                message: message(&inj.kind, topo, lang, seen_site.filter(|_| i == lead)),
                recipient,
                recipient_body,
                same_as: (lead != i).then_some(lead),
                incident: m.map(|(inc, ..)| inc),
            }
        })
        .collect()
}

/// What the players are told of an inject: symptoms, place and name,
/// never counts, shares or durations the players could not know.
fn message(kind: &InjectKind, topo: &Topology, lang: Lang, seen_at: Option<u32>) -> String {
    let name = |v: u32| {
        let n = &topo.nodes[v as usize];
        lang.pick(&n.name_zh, &n.name_en).to_string()
    };
    let sites = |nodes: &[u32]| {
        // The first three; the label's count says how many (Chinese: 等).
        let mut names: Vec<String> = nodes.iter().take(3).map(|&v| name(v)).collect();
        if nodes.len() > 3 && lang == Lang::En {
            names.push("…".into());
        }
        names.join(lang.pick("、", ", "))
    };
    let t = |l: L| l.get(lang);
    match kind {
        InjectKind::Worm(w) => match seen_at {
            Some(v) => fill(
                t(lb::MSG_WORM),
                &[("site", name(v)), ("name", w.name.clone())],
            ),
            None => fill(t(lb::MSG_WORM_UNSEEN), &[("name", w.name.clone())]),
        },
        InjectKind::LinkCut { link, .. } => {
            let l = &topo.links[*link as usize];
            fill(t(lb::MSG_LINK), &[("a", name(l.a)), ("b", name(l.b))])
        }
        InjectKind::NodeFailure { node, .. } => fill(t(lb::MSG_NODE), &[("node", name(*node))]),
        InjectKind::PowerOutage { nodes, .. } => fill(
            t(lb::MSG_POWER),
            &[("sites", sites(nodes)), ("n", nodes.len().to_string())],
        ),
        InjectKind::Disaster { nodes, .. } => fill(
            t(lb::MSG_DISASTER),
            &[("sites", sites(nodes)), ("n", nodes.len().to_string())],
        ),
        InjectKind::Intrusion(i) => lang
            .pick(
                "{site} 互联网服务出现异常访问告警。",
                "Alerts of unusual access to the internet-facing service at {site}.",
            )
            .replace("{site}", &name(i.entry)),
        InjectKind::Defacement(d) => lang
            .pick(
                "有人反映 {site} 的网站出现不应有的内容。",
                "Reports that the website of {site} shows content it should not.",
            )
            .replace("{site}", &name(d.site)),
        InjectKind::DenialOfService(d) => lang
            .pick(
                "纳税人反映 {site} 网上申报打不开或很慢，网关流量异常。",
                "Taxpayers report that online filing at {site} is slow or will not open; the gateway shows unusual traffic.",
            )
            .replace("{site}", &name(d.site)),
        InjectKind::DataLeak(d) => lang
            .pick(
                "有线索显示 {site} 数据中心的纳税人信息在外流传。",
                "Leads that taxpayer records from the data centre of {site} are circulating outside.",
            )
            .replace("{site}", &name(d.site)),
        InjectKind::Virus(v) => lang
            .pick(
                "{site} 有办公电脑文件丢失，杀毒软件报警。",
                "Office computers at {site} lose files; the antivirus raises alerts.",
            )
            .replace("{site}", &name(v.site)),
        InjectKind::Insider(m) => lang
            .pick(
                "审计发现 {site} 有违规操作的迹象。",
                "An audit at {site} shows signs of a rule being broken.",
            )
            .replace("{site}", &name(m.site)),
    }
}

/// Minutes as the CSVs write them: whole minutes bare, else up to three
/// decimals.
pub fn minutes(m: f64) -> String {
    let s = format!("{m:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

impl<'a> Package<'a> {
    pub fn t(&self, l: L) -> &'static str {
        l.get(self.lang)
    }

    pub fn task(&self, a: &Action) -> &'a TaskRecord {
        &self.rec.tasks[a.task]
    }

    /// Clock time of a minute, when the drill date is known.
    pub fn clock(&self, minute: f64) -> Option<String> {
        let start = self.start?;
        let t = start
            .checked_add(jiff::SignedDuration::from_secs(
                (minute * 60.0).round() as i64
            ))
            .ok()?;
        Some(t.strftime("%Y-%m-%d %H:%M").to_string())
    }

    /// The drill's start (drill date + the scenario's start time).
    pub fn start(&self) -> Option<DateTime> {
        self.start
    }

    pub fn node_id(&self, v: u32) -> &'a str {
        self.rec
            .meta
            .nodes
            .get(v as usize)
            .map(|n| n.id.as_str())
            .unwrap_or("")
    }

    pub fn node_name(&self, v: u32) -> String {
        self.rec
            .meta
            .nodes
            .get(v as usize)
            .map(|n| self.lang.pick(&n.name_zh, &n.name_en).to_string())
            .unwrap_or_default()
    }

    /// A node's name by id (the id if unknown).
    pub fn node_name_of(&self, id: &str) -> String {
        match self.nodes.get(id) {
            Some(&i) => self.node_name(i as u32),
            None => id.to_string(),
        }
    }

    pub fn tier(&self, v: u32) -> &'a str {
        self.rec
            .meta
            .nodes
            .get(v as usize)
            .map(|n| n.tier.as_str())
            .unwrap_or("")
    }

    pub fn body_name(&self, id: &str) -> String {
        self.rec
            .meta
            .bodies
            .iter()
            .find(|b| b.id == id)
            .map(|b| self.lang.pick(&b.name_zh, &b.name_en).to_string())
            .unwrap_or_else(|| id.to_string())
    }

    /// The level a grade or activation calls for (`I`..`IV`).
    pub fn level(&self, t: &TaskRecord) -> Option<&'a str> {
        let l = match t.kind.as_str() {
            "grade" => t.expected_level.as_deref().unwrap_or(t.action.as_str()),
            "activate" => t.action.as_str(),
            _ => return None,
        };
        crate::model::plan::Level::parse(l).map(|l| l.as_str())
    }

    /// The drill-log action: `report`, `grade`, `activate` or the step id.
    pub fn log_action(t: &TaskRecord) -> &str {
        match t.kind.as_str() {
            "report" | "grade" | "activate" => t.kind.as_str(),
            _ => t.name.as_str(),
        }
    }

    /// The action's name in the package's language, with its level or
    /// the report's recipient.
    pub fn action_name(&self, t: &TaskRecord) -> String {
        let names = crate::report::names::Names::new(self.rec, self.lang);
        let name = names.task(&t.kind, &t.name, &t.source);
        if t.kind == "grade"
            && let Some(l) = self.level(t).and_then(crate::model::plan::Level::parse)
        {
            let level = match self.lang {
                Lang::Zh => l.roman(),
                Lang::En => l.as_str(),
            };
            return fill(
                self.t(lb::LEVEL),
                &[("action", name), ("level", level.to_string())],
            );
        }
        if t.kind == "report" {
            return fill(
                self.t(lb::REPORT_TO),
                &[("action", name), ("to", self.node_name_of(&t.action))],
            );
        }
        name
    }

    /// Bodies with expected actions, in the plan's order.
    pub fn bodies(&self) -> Vec<&'a str> {
        self.rec
            .meta
            .bodies
            .iter()
            .map(|b| b.id.as_str())
            .filter(|b| self.rec.tasks.iter().any(|t| t.body == *b))
            .collect()
    }

    /// The drill-log template's rows: detections and tasks by the minute
    /// they arise (a detection before the tasks it makes).
    pub fn template_rows(&self) -> Vec<TemplateRow<'_>> {
        let mut rows: Vec<(f64, u8, usize, TemplateRow)> = self
            .detections
            .iter()
            .enumerate()
            .map(|(k, d)| (d.minute, 0, k, TemplateRow::Detect(d)))
            .collect();
        rows.extend(
            self.actions
                .iter()
                .enumerate()
                .map(|(k, a)| (self.task(a).created, 1, k, TemplateRow::Task(a))),
        );
        rows.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        rows.into_iter().map(|r| r.3).collect()
    }

    /// Actions of inject `i` (None: not attributed), in order.
    pub fn actions_of(&self, inject: Option<usize>) -> impl Iterator<Item = &Action> {
        self.actions.iter().filter(move |a| a.inject == inject)
    }
}

/// Tiers in the order the MSEL groups them.
pub const TIERS: [&str; 6] = [
    "hq",
    "provincial",
    "prefecture",
    "county",
    "grassroots",
    "external",
];

/// A UTF-8 byte order mark: spreadsheet programs then read the Chinese
/// text right (the drill-log reader accepts it).
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `drill-log.csv`: the template `drillsim assess` reads (see
/// README "The drill log"): a comment line with the scenario's seed and
/// the `assess` command, then one row per expected action — the monitoring
/// bodies' `detect` rows (the perfect run's detections) and every task —
/// in the order they arise, `time` empty; `due` (minutes from the start),
/// `reference` (the minute the perfect run did it: the time to use when
/// there is no deadline) and `clause` filled.
pub fn drill_log_csv(p: &Package) -> Vec<u8> {
    let mut out = BOM.to_vec();
    // No comma in the comment: a spreadsheet keeps it one cell, unquoted.
    out.extend_from_slice(
        format!(
            "# drillsim package: seed {} — assess with the same seed: drillsim assess SCENARIO --plan PLAN --seed {} --log drill-log.csv\n",
            p.seed, p.seed
        )
        .as_bytes(),
    );
    let mut w = csv::Writer::from_writer(out);
    let _ = w.write_record(TEMPLATE_COLUMNS);
    for row in p.template_rows() {
        match row {
            TemplateRow::Detect(d) => {
                let note = fill(
                    p.t(if d.close {
                        lb::CLOSE_NOTE
                    } else {
                        lb::DETECT_NOTE
                    }),
                    &[("site", p.node_name(d.site))],
                );
                let _ = w.write_record([
                    "",
                    p.node_id(d.unit),
                    &d.body,
                    if d.close { "close" } else { "detect" },
                    p.node_id(d.site),
                    "",
                    &note,
                    "",
                    &minutes(d.minute),
                    d.clause.as_str(),
                ]);
            }
            TemplateRow::Task(a) => {
                let t = p.task(a);
                let note = match t.kind.as_str() {
                    "report" => format!("{} ({} → {})", p.action_name(t), t.name, t.action),
                    _ => p.action_name(t),
                };
                let _ = w.write_record([
                    "",
                    p.node_id(t.unit),
                    &t.body,
                    Package::log_action(t),
                    p.node_id(t.site),
                    p.level(t).unwrap_or(""),
                    &note,
                    &t.due.map(minutes).unwrap_or_default(),
                    &t.finished.map(minutes).unwrap_or_default(),
                    &t.clause,
                ]);
            }
        }
    }
    w.into_inner().unwrap_or_default()
}

/// The template's columns: the drill log's, then `due`, `reference` and
/// `clause` (informational; the reader ignores them).
pub const TEMPLATE_COLUMNS: [&str; 10] = [
    "time",
    "unit",
    "body",
    "action",
    "target",
    "level",
    "note",
    "due",
    "reference",
    "clause",
];

/// A detection of the perfect run (who saw which site when), or the end
/// of a response (`close`: who declared it, at which lead unit).
#[derive(Clone, Debug, PartialEq)]
pub struct Detection {
    /// The end of a response, not a detection.
    pub close: bool,
    pub minute: f64,
    pub site: u32,
    pub unit: u32,
    pub body: String,
    pub clause: String,
}

/// One row of the drill-log template.
pub enum TemplateRow<'p> {
    Detect(&'p Detection),
    Task(&'p Action),
}

/// The perfect run's detections and ends of response, in record order.
fn detections(rec: &RunRecord) -> Vec<Detection> {
    let node = |id: &str| rec.meta.nodes.iter().position(|n| n.id == id);
    rec.events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Detection | EventKind::ResponseEnded))
        .filter_map(|e| {
            let (unit, body) = e.actor.split_once(' ')?;
            Some(Detection {
                close: e.kind == EventKind::ResponseEnded,
                minute: e.minute,
                site: e.node?,
                unit: node(unit)? as u32,
                body: body.to_string(),
                clause: e.clause.to_string(),
            })
        })
        .collect()
}

/// Every file of the package: relative path → bytes. Pure.
pub fn files(p: &Package) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![
        ("msel.csv".to_string(), msel::csv(p)),
        ("msel.html".to_string(), msel::html(p)),
        ("drill-log.csv".to_string(), drill_log_csv(p)),
    ];
    if let Some(s) = &p.schedule {
        out.push(("schedule.csv".to_string(), msel::schedule_csv(p, s)));
    }
    for body in p.bodies() {
        out.push((format!("observer-{body}.html"), observer::html(p, body)));
    }
    out
}
