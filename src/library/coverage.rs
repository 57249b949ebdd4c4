//! `drillsim coverage --plan PLAN [SCENARIO…] [--runs N] [--jobs J]`: which
//! clauses of a plan a set of scenarios exercises. Each scenario runs N
//! seeds with the plan through the batch's per-run path
//! ([`crate::batch::each`]: the same engine, seeds and common random numbers
//! as `drillsim batch`, in parallel, no per-run files); a clause is
//! *exercised* in a run when the run has an obligation under it, *scored*
//! when one of them was assessed (not pending, not due). Writes
//! `coverage.csv` (clauses × scenarios), `coverage.md` (the verdict in
//! Chinese and English with a smallest covering set of scenarios
//! ([`super::cover`]: exact branch and bound), the clauses no scenario
//! exercises, each with the reason) and the heat map `charts/coverage.svg`
//! / `.png` ([`super::coverage_chart`]) through the atomic folder write.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use crate::app::{self, Error};
use crate::batch::Variant;
use crate::batch::each::{self, Each};
use crate::engine;
use crate::model::plan::{Level, Plan, ReportKind};
use crate::model::scenario::Scenario;
use crate::report::Lang;

/// One clause of the plan, as coverage counts it.
#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    /// The key obligations are matched by (`procedure:0/isolate`,
    /// `report/initial_report/<clause>`, `grade`, `activate/I`, …).
    pub key: String,
    /// `grading`, `activation`, `report`, `procedure step`, `special plan
    /// step`, `level duty`, `standing order` (organisational: training,
    /// budget, drills — nothing a simulated incident does).
    pub section: &'static str,
    /// The procedure or special plan it belongs to (its bilingual name as
    /// the plan writes it; empty for the plan-wide clauses).
    pub owner: String,
    /// The clause's short name in Chinese and English (chart rows).
    pub item_zh: String,
    pub item_en: String,
    /// What a planner reads: procedure or plan, step, clause text.
    pub label: String,
    /// The least severe level at which the clause applies (None: any).
    pub min_level: Option<Level>,
    /// The incident classes it applies to (procedure / special plan),
    /// empty = every class.
    pub classes: Vec<usize>,
}

/// Chinese names of the tiers (report clauses' chart rows).
fn tier_zh(t: &str) -> &str {
    match t {
        "hq" => "总局",
        "provincial" => "省局",
        "prefecture" => "地市局",
        "county" => "县区局",
        "grassroots" => "基层",
        "external" => "外部",
        other => other,
    }
}

fn or_id(name: &str, id: &str) -> String {
    if name.is_empty() { id } else { name }.to_string()
}

/// Every clause of `plan` coverage can count, in plan order; the plan's
/// standing orders (`preparedness`) last, as organisational clauses no run
/// exercises.
pub fn clauses(plan: &Plan) -> Vec<Clause> {
    let mut v = Vec::new();
    v.push(Clause {
        key: "grade".into(),
        section: "grading",
        owner: String::new(),
        item_zh: "定级".into(),
        item_en: "grading".into(),
        label: labelled("grading".into(), &plan.grading.clause),
        min_level: None,
        classes: Vec::new(),
    });
    for l in &plan.levels {
        let lv = l.level.as_str();
        v.push(Clause {
            key: format!("activate/{lv}"),
            section: "activation",
            owner: String::new(),
            item_zh: format!("启动 {lv} 级响应"),
            item_en: format!("level {lv} activation"),
            label: labelled(format!("level {lv} activation"), &l.clause),
            min_level: Some(l.level),
            classes: Vec::new(),
        });
    }
    let mut seen = BTreeSet::new();
    for r in &plan.reporting {
        let (name, zh) = match r.kind {
            ReportKind::Initial => ("initial_report", "初报"),
            ReportKind::Written => ("written_report", "书面报告"),
        };
        let tier = r.from_tier.as_str();
        let key = format!("report/{name}/{tier}/{}", r.clause);
        if seen.insert(key.clone()) {
            v.push(Clause {
                key,
                section: "report",
                owner: String::new(),
                item_zh: format!("{}{zh}", tier_zh(tier)),
                item_en: format!("{} from {tier}", name.replace('_', " ")),
                label: labelled(format!("{name} from {tier}"), &r.clause),
                min_level: Some(r.min_level),
                classes: Vec::new(),
            });
        }
    }
    for (pi, p) in plan.procedures.iter().enumerate() {
        for s in &p.steps {
            v.push(Clause {
                key: format!("procedure:{pi}/{}", s.id),
                section: "procedure step",
                owner: p.name.clone(),
                item_zh: or_id(&s.name_zh, &s.id),
                item_en: or_id(&s.name_en, &s.id),
                label: labelled(format!("{} / {}", p.name, s.id), &s.clause),
                min_level: s.min_level,
                classes: vec![p.class],
            });
        }
    }
    for (si, sp) in plan.special_plans.iter().enumerate() {
        for s in &sp.steps {
            v.push(Clause {
                key: format!("special:{si}/{}", s.id),
                section: "special plan step",
                owner: sp.name.clone(),
                item_zh: or_id(&s.name_zh, &s.id),
                item_en: or_id(&s.name_en, &s.id),
                label: labelled(format!("{} / {}", sp.name, s.id), &s.clause),
                min_level: s.min_level,
                classes: sp.classes.clone(),
            });
        }
    }
    for (li, l) in plan.levels.iter().enumerate() {
        let lv = l.level.as_str();
        for s in &l.duties {
            v.push(Clause {
                key: format!("level:{li}/{}", s.id),
                section: "level duty",
                owner: String::new(),
                item_zh: format!("{lv} 级 / {}", or_id(&s.name_zh, &s.id)),
                item_en: format!("level {lv} / {}", or_id(&s.name_en, &s.id)),
                label: labelled(format!("level {lv} / {}", s.id), &s.clause),
                min_level: Some(l.level),
                classes: Vec::new(),
            });
        }
    }
    for p in &plan.preparedness {
        v.push(Clause {
            key: format!("preparedness/{}", p.id),
            section: ORGANISATIONAL,
            owner: String::new(),
            item_zh: p.id.clone(),
            item_en: p.id.clone(),
            label: labelled(format!("standing order {}: {}", p.id, p.task), &p.clause),
            min_level: None,
            classes: Vec::new(),
        });
    }
    v
}

/// The section of the plan's standing orders.
pub const ORGANISATIONAL: &str = "standing order";

fn labelled(what: String, clause: &str) -> String {
    if clause.is_empty() {
        what
    } else {
        format!("{what}: {clause}")
    }
}

/// The coverage key of a run's task.
fn task_key(rec: &crate::engine::RunRecord, t: &crate::engine::record::TaskRecord) -> String {
    match &*t.kind {
        "step" => format!("{}/{}", &*t.source, &*t.name),
        "report" => format!(
            "report/{}/{}/{}",
            &*t.name, rec.meta.nodes[t.unit as usize].tier, &*t.clause
        ),
        "grade" => "grade".into(),
        _ => format!("activate/{}", t.name.trim_start_matches("activate_")),
    }
}

/// Counts for one scenario over its runs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Column {
    pub scenario: String,
    /// Per clause (in `clauses` order): runs that exercised it, runs that
    /// scored it.
    pub exercised: Vec<u32>,
    pub scored: Vec<u32>,
    /// The most severe level any unit activated, per run (None: none).
    pub levels: BTreeSet<&'static str>,
    /// Incident classes seen (threat kinds of the scenario's injects).
    pub threats: BTreeSet<&'static str>,
}

/// Why a clause was left out (no scenario exercised it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// No scenario has a threat of the clause's incident class.
    NoThreatOfClass,
    /// The scenarios' threats have a more specific procedure.
    MoreSpecificProcedure,
    /// The clause needs a level no run reached.
    LevelNotReached,
    /// It applies, but no run needed it (data damaged, a tier reached, …).
    Conditional,
    /// An organisational clause (training, budget, drills, setting up the
    /// organisation): outside any incident, nothing a simulation scores.
    Organisational,
}

impl Why {
    pub fn as_str(self) -> &'static str {
        match self {
            Why::NoThreatOfClass => "no_threat_of_class",
            Why::MoreSpecificProcedure => "more_specific_procedure",
            Why::LevelNotReached => "level_not_reached",
            Why::Conditional => "conditional",
            Why::Organisational => "organisational",
        }
    }
}

/// A clause no scenario exercised.
#[derive(Clone, Debug, PartialEq)]
pub struct LeftOut {
    /// Index into `Coverage::clauses`.
    pub clause: usize,
    pub why: Why,
    /// The reason as a planner reads it.
    pub text: String,
}

/// The matrix and what it says.
#[derive(Clone, Debug)]
pub struct Coverage {
    pub plan: String,
    pub runs: u64,
    pub seed: u64,
    pub clauses: Vec<Clause>,
    pub columns: Vec<Column>,
    /// The clauses no scenario exercised, in clause order, each with why.
    pub uncovered: Vec<LeftOut>,
    /// A smallest covering set of scenarios (column indexes, in library
    /// order) of every clause some scenario exercises.
    pub cover: super::cover::Cover,
}

impl Coverage {
    /// Whether any scenario exercised clause `i` in any run.
    pub fn exercised(&self, i: usize) -> bool {
        self.columns.iter().any(|c| c.exercised[i] > 0)
    }

    /// The scenarios of the covering set, by slug.
    pub fn cover_names(&self) -> Vec<&str> {
        self.cover
            .chosen
            .iter()
            .map(|&j| self.columns[j].scenario.as_str())
            .collect()
    }
}

/// What one run exercised and scored, and the levels it activated.
struct RunCoverage {
    exercised: Vec<bool>,
    scored: Vec<bool>,
    levels: Vec<&'static str>,
}

/// Runs `scenarios` × seeds `seed..seed+runs` under `plan` (default network,
/// teams and scoring) through [`each::map_runs`] on `jobs` threads (0 = one
/// per core) and fills the matrix. The result does not depend on `jobs`.
pub fn compute(
    plan: Arc<Plan>,
    scenarios: &[Arc<Scenario>],
    runs: u64,
    seed: u64,
    jobs: usize,
) -> Result<Coverage, Error> {
    let topo = app::load_topology(None)?;
    let teams = app::load_teams(None, &topo)?;
    let th = app::load_scoring(None)?;
    let clauses = clauses(&plan);
    let index: std::collections::BTreeMap<&str, usize> = clauses
        .iter()
        .enumerate()
        .map(|(i, c)| (c.key.as_str(), i))
        .collect();
    let variants: Vec<Variant> = scenarios
        .iter()
        .map(|s| Variant {
            scenario: s.clone(),
            plan: plan.clone(),
            teams: teams.clone(),
            teams_slug: "default".into(),
        })
        .collect();
    let job = Each {
        topo,
        variants: &variants,
        seed,
        runs,
        perfect: false,
        no_response: false,
        jobs,
    };
    let per_run = each::map_runs(&job, |_, _, rec| {
        let obligations = crate::score::obligations::obligations(rec, &th);
        let mut r = RunCoverage {
            exercised: vec![false; clauses.len()],
            scored: vec![false; clauses.len()],
            levels: Vec::new(),
        };
        for o in &obligations {
            let t = &rec.tasks[o.task];
            if let Some(&i) = index.get(task_key(rec, t).as_str()) {
                r.exercised[i] = true;
                r.scored[i] |= o.status.assessed();
            }
            if &*t.kind == "activate" {
                let l = t.name.trim_start_matches("activate_");
                if let Some(l) = Level::ALL.iter().find(|x| x.as_str() == l) {
                    r.levels.push(l.as_str());
                }
            }
        }
        r
    })?;
    let mut columns: Vec<Column> = scenarios
        .iter()
        .map(|s| {
            let mut col = Column {
                scenario: s.slug.clone(),
                exercised: vec![0; clauses.len()],
                scored: vec![0; clauses.len()],
                ..Default::default()
            };
            for k in engine::inject_threats(s) {
                col.threats.insert(k.as_str());
            }
            col
        })
        .collect();
    for (k, r) in per_run.into_iter().enumerate() {
        let col = &mut columns[k / runs.max(1) as usize];
        for i in 0..clauses.len() {
            col.exercised[i] += r.exercised[i] as u32;
            col.scored[i] += r.scored[i] as u32;
        }
        col.levels.extend(r.levels);
    }
    let uncovered = clauses
        .iter()
        .enumerate()
        .filter(|(i, _)| columns.iter().all(|c| c.exercised[*i] == 0))
        .map(|(i, c)| {
            let (why, text) = reason(&plan, c, &columns);
            LeftOut {
                clause: i,
                why,
                text,
            }
        })
        .collect();
    let sets: Vec<Vec<bool>> = columns
        .iter()
        .map(|c| c.exercised.iter().map(|&x| x > 0).collect())
        .collect();
    let cover = super::cover::min_cover(&sets);
    Ok(Coverage {
        plan: plan.slug.clone(),
        runs,
        seed,
        clauses,
        columns,
        uncovered,
        cover,
    })
}

/// Why no scenario exercised clause `c`.
fn reason(plan: &Plan, c: &Clause, columns: &[Column]) -> (Why, String) {
    if c.section == ORGANISATIONAL {
        return (
            Why::Organisational,
            "organisational (a standing order outside any incident: organisation, training, \
             drills, budget): no simulated incident exercises it and no run scores it"
                .into(),
        );
    }
    // The classes the scenarios' threats map to (and their parents).
    let mut classes = BTreeSet::new();
    let mut direct = BTreeSet::new();
    for col in columns {
        for t in &col.threats {
            for (k, class) in &plan.threat_classes {
                if k.as_str() == *t {
                    direct.insert(*class);
                    let mut x = Some(*class);
                    while let Some(ci) = x {
                        classes.insert(ci);
                        x = plan.classes[ci].parent;
                    }
                }
            }
        }
    }
    if !c.classes.is_empty() && !c.classes.iter().any(|x| classes.contains(x)) {
        let names: Vec<&str> = c
            .classes
            .iter()
            .map(|&x| plan.classes[x].code.as_str())
            .collect();
        return (
            Why::NoThreatOfClass,
            format!(
                "no scenario exercises its incident class: no threat of class {} in these \
                 scenarios",
                names.join(", ")
            ),
        );
    }
    // A procedure runs for a class only when no more specific one exists.
    if let Some(pi) = c
        .key
        .strip_prefix("procedure:")
        .and_then(|k| k.split('/').next())
        .and_then(|k| k.parse::<usize>().ok())
    {
        let used = direct.iter().any(|&leaf| {
            let mut x = Some(leaf);
            while let Some(ci) = x {
                if let Some(found) = plan.procedures.iter().position(|p| p.class == ci) {
                    return found == pi;
                }
                x = plan.classes[ci].parent;
            }
            false
        });
        if !used {
            return (
                Why::MoreSpecificProcedure,
                format!(
                    "the scenarios' threats have a more specific procedure than `{}`",
                    plan.procedures[pi].name
                ),
            );
        }
    }
    let reached: BTreeSet<&str> = columns
        .iter()
        .flat_map(|c| c.levels.iter().copied())
        .collect();
    if let Some(l) = c.min_level {
        // Levels are ordered I (most severe) … IV.
        let reached_at_least = Level::ALL
            .iter()
            .filter(|x| **x <= l)
            .any(|x| reached.contains(x.as_str()));
        if !reached_at_least {
            return (
                Why::LevelNotReached,
                format!(
                    "needs level {} or more severe; levels activated: {}",
                    l.as_str(),
                    if reached.is_empty() {
                        "none".to_string()
                    } else {
                        reached.iter().copied().collect::<Vec<_>>().join(", ")
                    }
                ),
            );
        }
    }
    (
        Why::Conditional,
        "applies, but no run needed it (a conditional step, e.g. only where data was damaged or \
         a line failed, or a tier no incident reached; or a step whose action another of the \
         incident's plans had already ordered there, e.g. a second take-down)"
            .into(),
    )
}

/// `coverage.csv`: one row per clause; per scenario the runs that exercised
/// and that scored it; the runs per scenario; why it was left out (empty
/// when some scenario exercised it).
pub fn csv(c: &Coverage) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec!["key".to_string(), "section".into(), "clause".into()];
    for col in &c.columns {
        head.push(format!("{}_exercised", col.scenario));
        head.push(format!("{}_scored", col.scenario));
    }
    head.push("runs".into());
    head.push("left_out_because".into());
    let _ = w.write_record(crate::output::cells::record(&head));
    for (i, cl) in c.clauses.iter().enumerate() {
        let mut row = vec![cl.key.clone(), cl.section.to_string(), cl.label.clone()];
        for col in &c.columns {
            row.push(col.exercised[i].to_string());
            row.push(col.scored[i].to_string());
        }
        row.push(c.runs.to_string());
        row.push(
            c.uncovered
                .iter()
                .find(|l| l.clause == i)
                .map_or(String::new(), |l| l.why.as_str().to_string()),
        );
        let _ = w.write_record(crate::output::cells::record(&row));
    }
    w.into_inner().unwrap_or_default()
}

/// "A, B and C" / "A、B 和 C".
fn join_and(v: &[&str], lang: Lang) -> String {
    let (sep, and) = match lang {
        Lang::Zh => ("、", " 和 "),
        Lang::En => (", ", " and "),
    };
    match v {
        [] => String::new(),
        [a] => a.to_string(),
        [rest @ .., last] => format!("{}{and}{last}", rest.join(sep)),
    }
}

/// The verdict for drill planning: which scenarios to run to exercise
/// every clause the scenarios can reach, whether that set is proven
/// smallest, and how many clauses are left out.
pub fn verdict(c: &Coverage, lang: Lang) -> String {
    let n = c.clauses.len();
    let covered = n - c.uncovered.len();
    let names = c.cover_names();
    let k = names.len();
    let list = join_and(&names, lang);
    let left = c.uncovered.len();
    match lang {
        Lang::En => {
            if k == 0 {
                return format!(
                    "No scenario exercises any clause of {}: none of its {n} clauses can be \
                     drilled with these scenarios.",
                    c.plan
                );
            }
            let what = if left == 0 {
                format!("every clause of {}", c.plan)
            } else {
                format!(
                    "every clause of {} that these scenarios reach ({covered} of {n}; the \
                     {left} left out are listed with the reason)",
                    c.plan
                )
            };
            let minimal = if !c.cover.exact {
                format!(
                    " (a covering set found by greedy search, not proven smallest: the exact \
                     search stopped after {} nodes)",
                    super::cover::NODE_LIMIT
                )
            } else if k == 1 {
                " (one scenario is enough)".to_string()
            } else {
                format!(
                    " (a smallest covering set: {} them all{})",
                    if k == 2 {
                        "no single scenario exercises".to_string()
                    } else {
                        format!("no {} of the scenarios exercise", k - 1)
                    },
                    if c.cover.greedy > k {
                        format!("; the greedy heuristic picks {}", c.cover.greedy)
                    } else {
                        String::new()
                    }
                )
            };
            format!(
                "To exercise {what} before the deadline, run scenario{} {list}{minimal}.",
                if k == 1 { "" } else { "s" }
            )
        }
        Lang::Zh => {
            if k == 0 {
                return format!("这些场景不演练 {} 的任何条款（共 {n} 条）。", c.plan);
            }
            let what = if left == 0 {
                format!("{} 的每一条款", c.plan)
            } else {
                format!(
                    "{} 中这些场景能演练到的每一条款（{n} 条中的 {covered} 条；其余 {left} \
                     条及原因见下）",
                    c.plan
                )
            };
            let minimal = if !c.cover.exact {
                format!(
                    "（贪心搜索所得的覆盖集，未证明最小：精确搜索在 {} 个节点后停止）",
                    super::cover::NODE_LIMIT
                )
            } else if k == 1 {
                "（一个场景即可）".to_string()
            } else {
                format!(
                    "（最小覆盖集：任何{}场景都不能全部演练到{}）",
                    if k == 2 {
                        "单个".to_string()
                    } else {
                        format!(" {} 个", k - 1)
                    },
                    if c.cover.greedy > k {
                        format!("；贪心算法需 {} 个", c.cover.greedy)
                    } else {
                        String::new()
                    }
                )
            };
            format!("要在截止日期前演练 {what}，请运行场景 {list}{minimal}。")
        }
    }
}

/// Section names in Chinese.
pub fn section_zh(section: &str) -> &str {
    match section {
        "grading" => "定级",
        "activation" => "启动响应",
        "report" => "报告",
        "procedure step" => "处置程序步骤",
        "special plan step" => "专项预案步骤",
        "level duty" => "级别职责",
        ORGANISATIONAL => "日常工作（组织、培训、演练）",
        other => other,
    }
}

/// `coverage.md`: the verdict (zh and en), the clauses left out and why,
/// per-section counts.
pub fn markdown(c: &Coverage) -> String {
    let mut s = String::new();
    let n = c.clauses.len();
    let covered = n - c.uncovered.len();
    let _ = writeln!(s, "# Coverage of `{}`\n", c.plan);
    let _ = writeln!(
        s,
        "{} scenario(s) × {} run(s) (seeds {}–{}); {covered} of {n} clauses exercised. \
         Chart: `charts/coverage.svg` (`.png`).\n",
        c.columns.len(),
        c.runs,
        c.seed,
        c.seed + c.runs.saturating_sub(1)
    );
    let _ = writeln!(s, "## 结论 Verdict\n");
    let _ = writeln!(s, "{}\n", verdict(c, Lang::Zh));
    let _ = writeln!(s, "{}\n", verdict(c, Lang::En));
    let _ = writeln!(s, "## Clauses no scenario exercises\n");
    if c.uncovered.is_empty() {
        let _ = writeln!(s, "None.\n");
    } else {
        let _ = writeln!(s, "| clause | section | why |\n|---|---|---|");
        for l in &c.uncovered {
            let cl = &c.clauses[l.clause];
            let _ = writeln!(s, "| {} | {} | {} |", md(&cl.key), cl.section, md(&l.text));
        }
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "## By section\n\n| section | clauses | exercised |\n|---|---|---|"
    );
    let mut sections: Vec<&str> = c.clauses.iter().map(|x| x.section).collect();
    sections.dedup();
    for sec in sections {
        let idx: Vec<usize> = (0..n).filter(|&i| c.clauses[i].section == sec).collect();
        let ex = idx.iter().filter(|&&i| c.exercised(i)).count();
        let _ = writeln!(s, "| {sec} | {} | {ex} |", idx.len());
    }
    s
}

fn md(s: &str) -> String {
    s.replace('|', "\\|")
}

/// Options of `drillsim coverage`.
#[derive(Clone, Debug, Default)]
pub struct Args {
    /// A bundled plan's name or a RON file.
    pub plan: String,
    /// Scenario files; empty = every bundled scenario.
    pub scenarios: Vec<PathBuf>,
    /// Runs per scenario (seeds `seed..seed+runs`); at least 1.
    pub runs: u64,
    pub seed: u64,
    /// Worker threads (0 = one per core); the outputs do not depend on it.
    pub jobs: usize,
    /// Output folder; `coverage-<plan>` when `None`.
    pub out: Option<PathBuf>,
    /// The chart's language.
    pub lang: Lang,
}

/// `drillsim coverage`: loads the plan and scenarios (every bundled
/// scenario when none is given), computes, writes `coverage.csv`,
/// `coverage.md` and `charts/coverage.{svg,png}` into `out` atomically.
pub fn coverage(args: &Args) -> Result<(Coverage, PathBuf), Error> {
    if args.runs == 0 {
        return Err(crate::batch::usage("--runs must be at least 1".into()));
    }
    let plan = app::load_plan(&args.plan)?;
    let topo = app::load_topology(None)?;
    let mut loaded = Vec::new();
    let mut problems = crate::model::Diagnostics::default();
    if args.scenarios.is_empty() {
        for (name, src) in super::BUNDLED_SCENARIOS {
            let path = PathBuf::from(format!("scenarios/{name}.ron"));
            loaded.push(Arc::new(crate::model::scenario_file::parse(
                src, &path, name, &topo,
            )?));
        }
    } else {
        for p in &args.scenarios {
            match app::load_scenario(Some(p), &topo) {
                Ok(s) => loaded.push(s),
                Err(Error::Input(d)) => problems.0.extend(d.0),
                Err(e) => return Err(e),
            }
        }
    }
    // The plan against the bundled teams the runs use, as `run` checks it.
    let teams = app::load_teams(None, &topo)?;
    problems
        .0
        .extend(app::staff_beyond_teams(&args.plan, &plan, &teams));
    if !problems.is_empty() {
        return Err(Error::Input(problems));
    }
    let c = compute(plan, &loaded, args.runs, args.seed, args.jobs)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("coverage-{}", c.plan)));
    let chart = super::coverage_chart::chart(&c, args.lang);
    let files = vec![
        ("coverage.csv".to_string(), csv(&c)),
        ("coverage.md".to_string(), markdown(&c).into_bytes()),
        ("charts/coverage.svg".to_string(), chart.svg.into_bytes()),
        ("charts/coverage.png".to_string(), chart.png),
    ];
    crate::output::write_atomically(&out, &files).map_err(|source| Error::Io {
        path: out.clone(),
        source,
    })?;
    Ok((c, out))
}
