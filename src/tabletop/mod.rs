//! `drillsim tabletop`: players play one body of the plan (at one unit, or
//! wherever it exists) against the scenario while the simulated teams play
//! every other body.
//!
//! The session owns a running [`Sim`] whose decisions for the players' body
//! come from the external decision seam (`Control::Only`); each accepted
//! command becomes a [`LoggedAction`] pushed at the current minute.
//! Time moves only when the players say so (`wait 30m`, `wait`). What is
//! shown is what that body would know ([`view`]); `--facilitator` adds the
//! ground truth. At `end` (or the end of the input or of the scenario) the
//! rest of the scenario runs, and the run folder is written atomically:
//! the run's normal outputs (record, obligations, report — as `run` writes
//! them), `drill-log.csv` (the accepted actions in the drill-log format,
//! `time` in minutes: the log `assess` reads) and `tabletop.txt` (the
//! session's transcript, commands included).

pub mod command;
pub mod view;

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::app::{self, Error};
use crate::engine::response::external::{Control, LogAction, LoggedAction};
use crate::engine::{ResponseSetup, RunConfig, RunRecord, Sim};
use crate::model::Diagnostic;
use crate::model::plan::{BodyId, BodyRole, Level, Plan};
use crate::model::scenario::Scenario;
use crate::model::topology::{NodeId, Topology};
use crate::report::Lang;
use crate::score::Assessment;
use command::Command;
use view::{Me, Seen};

/// Options of `drillsim tabletop`.
#[derive(Debug, Clone, Default)]
pub struct TabletopArgs {
    pub scenario: PathBuf,
    pub topology: Option<PathBuf>,
    /// Plan name or file.
    pub plan: String,
    /// `BODY` or `BODY@UNIT` (unit by id or name).
    pub play_as: String,
    pub teams: Option<PathBuf>,
    pub seed: u64,
    /// Show the ground truth too.
    pub facilitator: bool,
    pub lang: Lang,
    /// Output folder. Default: `runs/tabletop-<scenario>-<seed>`.
    pub out: Option<PathBuf>,
}

/// What a tabletop produced.
pub struct TabletopOutput {
    pub record: RunRecord,
    pub assessment: Assessment,
    /// The players' accepted actions, in order.
    pub log: Vec<LoggedAction>,
    pub out: PathBuf,
}

/// Runs a session: commands from `input`, everything shown to `out`.
/// `interactive`: prompt before each command (a terminal); a script is
/// read silently.
pub fn run(
    args: &TabletopArgs,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    interactive: bool,
) -> Result<TabletopOutput, Error> {
    let files = app::InputFiles {
        topology: args.topology.as_deref(),
        scenario: Some(&args.scenario),
        plan: Some(&args.plan),
        teams: args.teams.as_deref(),
        scoring: None,
    };
    let (
        app::Inputs {
            topo,
            scenario,
            plan,
            teams,
            thresholds,
        },
        me,
    ) = app::load_inputs_with(&files, |got, problems| {
        parse_as(&args.play_as, got.plan?, got.topo)
            .map_err(|d| problems.push(d))
            .ok()
    })?;
    let dir = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("runs").join(format!("tabletop-{}-{}", scenario.slug, args.seed))
    });
    let sim = Sim::with_response(
        topo.clone(),
        scenario.clone(),
        Some(ResponseSetup {
            plan: plan.clone(),
            teams,
            spread: true,
        }),
        RunConfig {
            seed: args.seed,
            response: true,
        },
    );
    let sim = sim.with_external(
        Control::Only {
            body: me.body,
            unit: me.unit,
        },
        Vec::new(),
    );
    let mut s = Session {
        sim,
        topo,
        scenario,
        plan,
        me,
        lang: args.lang,
        facilitator: args.facilitator,
        log: Vec::new(),
        seen: Seen::default(),
        injects_told: 0,
        transcript: String::new(),
        full: String::new(),
    };
    s.welcome();
    let mut line_no = 0;
    let mut buf = String::new();
    loop {
        s.flush(out);
        if s.over() {
            s.say(
                s.lang
                    .pick("演练场景已结束。", "The scenario has reached its end."),
            );
            break;
        }
        if interactive {
            let _ = write!(out, "{}> ", s.clock_short());
            let _ = out.flush();
        }
        buf.clear();
        match input.read_line(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        line_no += 1;
        let text = buf.trim_end_matches(['\n', '\r']).to_string();
        // The transcript file keeps the command; the screen does not repeat it.
        s.full.push_str(&format!(
            "> {}\n",
            crate::model::diag::escape_controls(&text)
        ));
        match command::parse(&text) {
            Ok(None) => {}
            Ok(Some(Command::End)) => break,
            Ok(Some(c)) => s.execute(c, line_no, &text),
            Err(e) => s.refuse(line_no, interactive, e.message(s.lang)),
        }
    }
    s.finish_session(&dir, &thresholds, out)
}

/// `BODY` or `BODY@UNIT`.
pub fn parse_as(s: &str, plan: &Plan, topo: &Topology) -> Result<Me, Diagnostic> {
    let (b, u) = match s.split_once('@') {
        Some((b, u)) => (b.trim(), Some(u.trim())),
        None => (s.trim(), None),
    };
    let err = |col: usize, msg: String| Diagnostic::at(Path::new("--as"), s, 1, col, msg);
    let ids: Vec<&str> = plan
        .bodies
        .iter()
        .filter(|x| x.role != BodyRole::NationalOffice)
        .map(|x| x.id.as_str())
        .collect();
    let body = plan
        .bodies
        .iter()
        .position(|x| x.id == b && x.role != BodyRole::NationalOffice)
        .ok_or_else(|| {
            err(
                1,
                format!(
                    "the plan `{}` has no body `{b}` to play (bodies: {})",
                    plan.slug,
                    ids.join(", ")
                ),
            )
        })?;
    let unit = match u {
        None => None,
        Some(u) => {
            let col = b.chars().count() + 2;
            let v = find_node(topo, u).ok_or_else(|| {
                err(
                    col,
                    format!(
                        "no unit `{u}` in the network (a node id such as `hq`, `sc`, or its name)"
                    ),
                )
            })?;
            let tier = topo.nodes[v as usize].tier;
            if !plan.bodies[body].tiers.contains(&tier) {
                return Err(err(
                    col,
                    format!(
                        "the plan has no {b} at a {} unit like `{u}` (it exists at: {})",
                        tier.as_str(),
                        plan.bodies[body]
                            .tiers
                            .iter()
                            .map(|t| t.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            Some(v)
        }
    };
    Ok(Me { body, unit })
}

/// A node by id, Chinese or English name.
pub fn find_node(topo: &Topology, s: &str) -> Option<NodeId> {
    topo.find(s).or_else(|| {
        topo.nodes
            .iter()
            .position(|n| n.name_zh == s || n.name_en.eq_ignore_ascii_case(s))
            .map(|v| v as NodeId)
    })
}

struct Session {
    sim: Sim,
    topo: Arc<Topology>,
    scenario: Arc<Scenario>,
    plan: Arc<Plan>,
    me: Me,
    lang: Lang,
    facilitator: bool,
    log: Vec<LoggedAction>,
    seen: Seen,
    injects_told: usize,
    /// What is to be shown (flushed after each command).
    transcript: String,
    /// The whole session, commands included (`tabletop.txt`).
    full: String,
}

impl Session {
    /// Shows what was said since the last flush and keeps it for the transcript.
    fn flush(&mut self, out: &mut dyn Write) {
        let _ = out.write_all(self.transcript.as_bytes());
        let _ = out.flush();
        self.full.push_str(&self.transcript);
        self.transcript.clear();
    }

    /// Everything shown to the players goes through here: what they typed
    /// and the scenario's texts come out with control characters and bidi
    /// overrides escaped (`model::diag::escape_controls`).
    fn say(&mut self, line: &str) {
        self.transcript
            .push_str(&crate::model::diag::escape_controls(line));
        self.transcript.push('\n');
    }

    fn tr(&self, zh: &str, en: &str) -> String {
        self.lang.pick(zh, en).to_string()
    }

    fn now(&self) -> f64 {
        self.sim.now()
    }

    fn over(&self) -> bool {
        self.sim.tick() >= self.sim.ticks()
    }

    fn rec(&self) -> &RunRecord {
        self.sim.world().resource::<RunRecord>()
    }

    fn clock_short(&self) -> String {
        view::when(self.rec(), self.now())
    }

    fn who(&self) -> String {
        let b = view::body_name(&self.plan, self.me.body, self.lang);
        match self.me.unit {
            Some(u) => format!("{b} @ {}", view::node_name(&self.topo, u, self.lang)),
            None => match self.lang {
                Lang::En => format!("{b}, at every unit"),
                Lang::Zh => format!("{b}（各级单位）"),
            },
        }
    }

    fn welcome(&mut self) {
        let name = self.scenario.name.clone();
        let who = self.who();
        let start = self.rec().start.replace('T', " ");
        let hours = self.scenario.duration_min / 60.0;
        let lines = match self.lang {
            Lang::En => vec![
                format!("Tabletop: {name}"),
                format!("Plan {}; you play {who}.", self.plan.slug),
                format!(
                    "The exercise starts {start} and runs {hours:.0} h. The simulated teams play every other body."
                ),
                "Type `help` for the commands.".into(),
            ],
            Lang::Zh => vec![
                format!("桌面推演：{name}"),
                format!("预案 {}；您扮演 {who}。", self.plan.slug),
                format!("推演自 {start} 开始，共 {hours:.0} 小时。其他机构由模拟队伍扮演。"),
                "输入 `help` 查看命令。".into(),
            ],
        };
        for l in lines {
            self.say(&l);
        }
        self.show_news();
    }

    fn refuse(&mut self, line: usize, _interactive: bool, msg: String) {
        let l = match self.lang {
            Lang::En => format!("line {line}: {msg}"),
            Lang::Zh => format!("第 {line} 行：{msg}"),
        };
        self.say(&l);
    }

    fn execute(&mut self, c: Command, line: usize, text: &str) {
        match c {
            Command::Help => {
                let l: Vec<String> = command::USAGE
                    .iter()
                    .map(|(u, en, zh)| format!("  {u:<26} {}", self.lang.pick(zh, en)))
                    .collect();
                for x in l {
                    self.say(&x);
                }
            }
            Command::Status => {
                let mut l = vec![format!("{} — {}", self.clock_short(), self.who())];
                l.extend(view::status(
                    self.sim.world(),
                    &self.me,
                    self.now(),
                    self.lang,
                ));
                if self.facilitator {
                    l.extend(view::truth(self.sim.world(), self.lang));
                }
                for x in l {
                    self.say(&x);
                }
            }
            Command::Tasks => {
                let mut l = view::tasks(self.sim.world(), &self.me, self.now(), self.lang);
                if l.is_empty() {
                    l.push(self.tr("暂无任务。", "No tasks yet."));
                }
                for x in l {
                    self.say(&x);
                }
            }
            Command::Wait(d) => self.wait(d),
            Command::End => {}
            other => match self.action(other, line, text) {
                Ok(a) => self.accept(a),
                Err(msg) => self.refuse(line, false, msg),
            },
        }
    }

    /// Lets time pass: `d` minutes, or until something happens.
    fn wait(&mut self, d: Option<f64>) {
        let now = self.now();
        let end = self.scenario.duration_min;
        let target = match d {
            Some(d) => (now + d).min(end),
            None => {
                let inject = self
                    .scenario
                    .injects
                    .iter()
                    .skip(self.injects_told)
                    .map(|i| i.at_min)
                    .find(|&m| m > now - 1e-9)
                    // The inject takes effect inside the tick that starts at its minute.
                    .map(|m| m + self.scenario.tick_min);
                let due = view::next_deadline(self.sim.world(), &self.me, now);
                [inject, due, Some(end)]
                    .into_iter()
                    .flatten()
                    .fold(f64::INFINITY, f64::min)
            }
        };
        while self.now() < target - 1e-9 && self.sim.step() {
            if d.is_none() && self.show_news() > 0 {
                break;
            }
        }
        self.show_news();
        if self.facilitator {
            for l in view::truth(self.sim.world(), self.lang) {
                self.say(&l);
            }
        }
    }

    /// Injects told and news since the last look; returns how many lines.
    fn show_news(&mut self) -> usize {
        let now = self.now();
        let mut lines: Vec<(f64, String)> = Vec::new();
        while let Some(i) = self.scenario.injects.get(self.injects_told) {
            // Told once the tick it happens in has run.
            if i.at_min > now - 1e-9 {
                break;
            }
            self.injects_told += 1;
            let rec = self.rec();
            if self.facilitator {
                let d = crate::engine::threat::describe_inject(&self.topo, &i.kind);
                lines.push((
                    i.at_min,
                    format!("[{}] FACILITATOR inject: {d}", view::when(rec, i.at_min)),
                ));
            }
            if view::inject_told(&self.topo, &self.me, &i.kind) {
                let t = view::inject_text(&self.topo, &self.me, &i.kind, self.lang);
                let tag = self.tr("情况通报：", "INJECT: ");
                lines.push((
                    i.at_min,
                    format!("[{}] {tag}{t}", view::when(rec, i.at_min)),
                ));
            }
        }
        let news = view::news(self.sim.world(), &self.me, &mut self.seen, self.lang);
        lines.extend(news);
        lines.sort_by(|a, b| a.0.total_cmp(&b.0));
        let n = lines.len();
        for (_, l) in lines {
            self.say(&l);
        }
        n
    }

    /// The unit a command acts at: the played unit, else `at`, else the
    /// one unit with an open task of that kind.
    fn acting_unit(
        &self,
        at: Option<&str>,
        matches: impl Fn(&crate::engine::response::Task) -> bool,
    ) -> Result<NodeId, String> {
        if let Some(u) = self.me.unit {
            if let Some(a) = at {
                let v = find_node(&self.topo, a).ok_or_else(|| self.no_unit(a))?;
                if v != u {
                    return Err(match self.lang {
                        Lang::En => format!(
                            "you play the body at {}; `at {a}` names another unit",
                            self.topo.nodes[u as usize].id
                        ),
                        Lang::Zh => format!(
                            "您扮演的是 {} 的机构；`at {a}` 是其他单位",
                            self.topo.nodes[u as usize].id
                        ),
                    });
                }
            }
            return Ok(u);
        }
        if let Some(a) = at {
            return find_node(&self.topo, a).ok_or_else(|| self.no_unit(a));
        }
        let units = self.open_units(&matches);
        match units.as_slice() {
            [u] => Ok(*u),
            [] => Err(self.tr(
                "您没有此类待办任务；请用 `at UNIT` 指明单位",
                "you have no such open task; say where with `at UNIT`",
            )),
            many => Err(match self.lang {
                Lang::En => format!(
                    "open at several units; say which with `at UNIT`: {}",
                    self.ids(many)
                ),
                Lang::Zh => format!("多个单位有此任务，请用 `at UNIT` 指明：{}", self.ids(many)),
            }),
        }
    }

    fn ids(&self, v: &[NodeId]) -> String {
        v.iter()
            .map(|&x| self.topo.nodes[x as usize].id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn no_unit(&self, a: &str) -> String {
        match self.lang {
            Lang::En => {
                format!("no unit `{a}` in the network (a node id such as `sc`, or its name)")
            }
            Lang::Zh => format!("网络中没有单位 `{a}`（请用节点编号如 `sc`，或其名称）"),
        }
    }

    /// Units (in id order) with an open task of this body matching.
    fn open_units(&self, matches: &dyn Fn(&crate::engine::response::Task) -> bool) -> Vec<NodeId> {
        let Some(resp) = self
            .sim
            .world()
            .get_resource::<crate::engine::response::Response>()
        else {
            return Vec::new();
        };
        let set: std::collections::BTreeSet<NodeId> = resp
            .tasks
            .iter()
            .filter(|t| self.me.owns(t) && view::open(t) && matches(t))
            .map(|t| t.unit)
            .collect();
        set.into_iter().collect()
    }

    fn has_open(&self, matches: &dyn Fn(&crate::engine::response::Task) -> bool) -> bool {
        !self.open_units(matches).is_empty()
    }

    fn body_list(&self, bodies: &[BodyId]) -> String {
        let mut b: Vec<BodyId> = bodies.to_vec();
        b.sort();
        b.dedup();
        b.iter()
            .map(|&x| view::body_name(&self.plan, x, self.lang))
            .collect::<Vec<_>>()
            .join(self.lang.pick("、", ", "))
    }

    fn may_not(&self, what: &str, who: &[BodyId]) -> String {
        let me = &self.plan.bodies[self.me.body].id;
        match self.lang {
            Lang::En => format!(
                "{me} may not {what}: the plan gives it to {}",
                self.body_list(who)
            ),
            Lang::Zh => format!("{me} 无权{what}：预案规定由 {} 负责", self.body_list(who)),
        }
    }

    /// A command checked against the plan and the network, as a logged action.
    fn action(&self, c: Command, line: usize, text: &str) -> Result<LoggedAction, String> {
        use crate::engine::response::TaskKind as K;
        let body = self.me.body;
        let (unit, action, target, level) = match c {
            Command::Report { at } => {
                let who: Vec<BodyId> = self.plan.reporting.iter().map(|r| r.from_body).collect();
                if !who.contains(&body) {
                    return Err(self.may_not(&self.tr("报告", "report"), &who));
                }
                let u = self.acting_unit(at.as_deref(), |t| matches!(t.kind, K::Report { .. }))?;
                (u, LogAction::Report, None, None)
            }
            Command::Grade { level, at } => {
                let office = self
                    .plan
                    .body(BodyRole::EmergencyOffice)
                    .or_else(|| self.plan.body(BodyRole::LeadershipGroup))
                    .unwrap_or(0);
                if body != office {
                    return Err(self.may_not(&self.tr("定级", "grade"), &[office]));
                }
                let u = self.acting_unit(at.as_deref(), |t| t.kind == K::Grade)?;
                (u, LogAction::Grade, None, Some(level))
            }
            Command::Activate { level, at } => {
                let approver = self.plan.level(level).approver;
                if body != approver {
                    let what = match self.lang {
                        Lang::En => format!("start the level {} response", level.as_str()),
                        Lang::Zh => format!("启动 {} 级响应", level.roman()),
                    };
                    return Err(self.may_not(&what, &[approver]));
                }
                let u = self.acting_unit(at.as_deref(), |t| t.kind == K::Activate { level })?;
                (u, LogAction::Activate, None, Some(level))
            }
            Command::Detect { at } => {
                let site = match (&at, self.me.unit) {
                    (Some(a), _) => find_node(&self.topo, a).ok_or_else(|| self.no_unit(a))?,
                    (None, Some(u)) => u,
                    (None, None) => {
                        return Err(self.tr("请用 `at SITE` 指明地点", "say where with `at SITE`"));
                    }
                };
                (
                    self.me.unit.unwrap_or(site),
                    LogAction::Detect,
                    Some(site),
                    None,
                )
            }
            Command::Do { step, at } => {
                let actors = self.step_actors(&step);
                if actors.is_empty() {
                    let mine = self.steps_of(body);
                    return Err(match self.lang {
                        Lang::En => format!(
                            "the plan `{}` has no step `{step}`; your steps: {}",
                            self.plan.slug,
                            mine.join(", ")
                        ),
                        Lang::Zh => format!(
                            "预案 `{}` 中没有步骤 `{step}`；您的步骤：{}",
                            self.plan.slug,
                            mine.join("、")
                        ),
                    });
                }
                if !actors.contains(&body) {
                    let what = match self.lang {
                        Lang::En => format!("do `{step}`"),
                        Lang::Zh => format!("执行 `{step}`"),
                    };
                    return Err(self.may_not(&what, &actors));
                }
                let site = match &at {
                    Some(a) => Some(find_node(&self.topo, a).ok_or_else(|| self.no_unit(a))?),
                    None => None,
                };
                let is_step = |t: &crate::engine::response::Task| {
                    matches!(t.kind, K::Step { source, step: k }
                        if self.plan_step_id(source, k) == step)
                        && site.is_none_or(|s| t.site == s)
                };
                let unit = match self.me.unit {
                    Some(u) => u,
                    None => match self.open_units(&is_step).as_slice() {
                        [u] => *u,
                        _ => site.ok_or_else(|| {
                            self.tr("请用 `at UNIT` 指明地点", "say where with `at UNIT`")
                        })?,
                    },
                };
                let target = site.or_else(|| {
                    self.sim
                        .world()
                        .get_resource::<crate::engine::response::Response>()
                        .and_then(|r| {
                            r.tasks
                                .iter()
                                .find(|t| {
                                    self.me.owns(t) && t.unit == unit && view::open(t) && is_step(t)
                                })
                                .map(|t| t.site)
                        })
                });
                (unit, LogAction::Step(step), target, None)
            }
            _ => unreachable!("not an action"),
        };
        Ok(LoggedAction {
            at: self.now(),
            unit,
            body: Some(body),
            body_text: self.plan.bodies[body].id.clone(),
            action,
            target,
            level,
            note: text.split('#').next().unwrap_or("").trim().to_string(),
            row: line,
        })
    }

    fn plan_step_id(&self, source: crate::engine::response::StepSource, k: usize) -> &str {
        &crate::engine::response::order::steps_of(&self.plan, source)[k].id
    }

    /// Every step list of the plan.
    fn all_steps(&self) -> Vec<&crate::model::plan::Step> {
        let p = &self.plan;
        p.procedures
            .iter()
            .flat_map(|x| x.steps.iter())
            .chain(p.special_plans.iter().flat_map(|x| x.steps.iter()))
            .chain(p.levels.iter().flat_map(|x| x.duties.iter()))
            .collect()
    }

    /// The bodies that do step `id` somewhere in the plan.
    fn step_actors(&self, id: &str) -> Vec<BodyId> {
        let mut v: Vec<BodyId> = self
            .all_steps()
            .into_iter()
            .filter(|s| s.id == id)
            .map(|s| s.actor)
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// The step ids a body does.
    fn steps_of(&self, b: BodyId) -> Vec<String> {
        let mut v: Vec<String> = self
            .all_steps()
            .into_iter()
            .filter(|s| s.actor == b)
            .map(|s| s.id.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Queues an accepted action and says what it was.
    fn accept(&mut self, a: LoggedAction) {
        use crate::engine::response::TaskKind as K;
        let open = match &a.action {
            LogAction::Report => self.has_open(&|t| matches!(t.kind, K::Report { .. })),
            LogAction::Grade => self.has_open(&|t| t.kind == K::Grade),
            LogAction::Activate => {
                let l = a.level.unwrap_or(Level::IV);
                self.has_open(&|t| t.kind == K::Activate { level: l })
            }
            LogAction::Step(id) => self.has_open(&|t| {
                matches!(t.kind, K::Step { source, step } if self.plan_step_id(source, step) == id)
                    && a.target.is_none_or(|s| t.site == s)
            }),
            _ => true,
        };
        let when = self.clock_short();
        let unit = self.topo.nodes[a.unit as usize].id.clone();
        let target = a
            .target
            .map(|v| format!(" → {}", self.topo.nodes[v as usize].id))
            .unwrap_or_default();
        let level = a
            .level
            .map(|l| format!(" {}", l.as_str()))
            .unwrap_or_default();
        let what = a.action.as_str();
        let mut msg = match self.lang {
            Lang::En => format!(
                "[{when}] logged: {unit} {} {what}{level}{target}",
                a.body_text
            ),
            Lang::Zh => format!(
                "[{when}] 已记录：{unit} {} {what}{level}{target}",
                a.body_text
            ),
        };
        if !open {
            msg.push_str(&self.tr(
                "（目前没有对应的待办任务：若预案稍后要求则计入，否则记为偏差）",
                " (no such task is open for you now: it counts if the plan asks for it later, else it is a deviation)",
            ));
        }
        self.say(&msg);
        self.sim.push_external(a.clone());
        self.log.push(a);
    }

    fn finish_session(
        mut self,
        dir: &Path,
        thresholds: &crate::score::Thresholds,
        out: &mut dyn Write,
    ) -> Result<TabletopOutput, Error> {
        let open = {
            let w = self.sim.world();
            w.get_resource::<crate::engine::response::Response>()
                .map(|r| {
                    r.tasks
                        .iter()
                        .filter(|t| self.me.owns(t) && view::open(t))
                        .count()
                })
                .unwrap_or(0)
        };
        let (now, n) = (self.clock_short(), self.log.len());
        let l = match self.lang {
            Lang::En => format!(
                "[{now}] end of the session: {n} action(s) logged, {open} of your task(s) still open. The simulated teams play the rest of the scenario."
            ),
            Lang::Zh => format!(
                "[{now}] 推演结束：记录 {n} 项行动，尚有 {open} 项任务未完成。场景余下部分由模拟队伍完成。"
            ),
        };
        self.say(&l);
        self.flush(out);
        let transcript = std::mem::take(&mut self.full);
        let record = self.sim.run_to_end();
        let assessment = crate::score::assess(&record, thresholds);
        let files = vec![
            (
                "drill-log.csv".into(),
                drill_log_csv(&self.topo, &self.plan, &self.log),
            ),
            ("tabletop.txt".into(), transcript.into_bytes()),
        ];
        crate::output::write_atomically_with(dir, |tmp| {
            crate::output::write_run_files(tmp, &record, &assessment, self.lang, None)?;
            crate::output::write_files(tmp, &files)
        })
        .map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(TabletopOutput {
            record,
            assessment,
            log: self.log,
            out: dir.to_path_buf(),
        })
    }
}

/// Minutes as the drill log writes them: whole minutes without decimals.
fn minutes(m: f64) -> String {
    if (m - m.round()).abs() < 1e-9 {
        format!("{}", m.round() as i64)
    } else {
        format!("{m:.3}")
    }
}

/// `drill-log.csv`: `time,unit,body,action,target,level,note`, `time` in
/// minutes from the start (the drill-log format `assess` reads).
pub fn drill_log_csv(topo: &Topology, plan: &Plan, log: &[LoggedAction]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["time", "unit", "body", "action", "target", "level", "note"]);
    for a in log {
        let _ = w.write_record([
            minutes(a.at).as_str(),
            &topo.nodes[a.unit as usize].id,
            a.body
                .map_or(a.body_text.as_str(), |b| plan.bodies[b].id.as_str()),
            a.action.as_str(),
            a.target.map_or("", |v| topo.nodes[v as usize].id.as_str()),
            a.level.map_or("", |l| l.as_str()),
            &a.note,
        ]);
    }
    w.into_inner().unwrap_or_default()
}
