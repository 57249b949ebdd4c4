//! `drillsim coverage --plan PLAN [SCENARIO…] [--runs N]`: which clauses of a
//! plan a set of scenarios exercises. Each scenario runs N seeds with the
//! plan (the same engine and scoring as `run`); a clause is *exercised* in
//! a run when the run has an obligation under it, *scored* when one of them
//! was assessed (not pending, not due). Writes `coverage.csv` (clauses ×
//! scenarios) and `coverage.md` (the clauses no scenario exercises, each
//! with the reason, and a smallest covering set of scenarios found by the
//! greedy set-cover heuristic: not always the smallest, within a factor
//! ln(clauses) of it) through the atomic folder write.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::app::{self, Error};
use crate::engine::{self, ResponseSetup, RunConfig};
use crate::model::plan::{Level, Plan, ReportKind};
use crate::model::scenario::Scenario;

/// One clause of the plan, as coverage counts it.
#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    /// The key obligations are matched by (`procedure:0/isolate`,
    /// `report/initial_report/<clause>`, `grade`, `activate/I`, …).
    pub key: String,
    /// `procedure step`, `special plan step`, `level duty`, `report`,
    /// `grading`, `activation`.
    pub section: &'static str,
    /// What a planner reads: procedure or plan, step, clause text.
    pub label: String,
    /// The least severe level at which the clause applies (None: any).
    pub min_level: Option<Level>,
    /// The incident classes it applies to (procedure / special plan),
    /// empty = every class.
    pub classes: Vec<usize>,
}

/// Every clause of `plan` coverage can count, in plan order.
pub fn clauses(plan: &Plan) -> Vec<Clause> {
    let mut v = Vec::new();
    v.push(Clause {
        key: "grade".into(),
        section: "grading",
        label: labelled("grading".into(), &plan.grading.clause),
        min_level: None,
        classes: Vec::new(),
    });
    for l in &plan.levels {
        v.push(Clause {
            key: format!("activate/{}", l.level.as_str()),
            section: "activation",
            label: labelled(format!("level {} activation", l.level.as_str()), &l.clause),
            min_level: Some(l.level),
            classes: Vec::new(),
        });
    }
    let mut seen = BTreeSet::new();
    for r in &plan.reporting {
        let name = match r.kind {
            ReportKind::Initial => "initial_report",
            ReportKind::Written => "written_report",
        };
        let key = format!("report/{name}/{}/{}", r.from_tier.as_str(), r.clause);
        if seen.insert(key.clone()) {
            v.push(Clause {
                key,
                section: "report",
                label: labelled(format!("{name} from {}", r.from_tier.as_str()), &r.clause),
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
                label: labelled(format!("{} / {}", sp.name, s.id), &s.clause),
                min_level: s.min_level,
                classes: sp.classes.clone(),
            });
        }
    }
    for (li, l) in plan.levels.iter().enumerate() {
        for s in &l.duties {
            v.push(Clause {
                key: format!("level:{li}/{}", s.id),
                section: "level duty",
                label: labelled(format!("level {} / {}", l.level.as_str(), s.id), &s.clause),
                min_level: Some(l.level),
                classes: Vec::new(),
            });
        }
    }
    v
}

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

/// The matrix and what it says.
#[derive(Clone, Debug)]
pub struct Coverage {
    pub plan: String,
    pub runs: u64,
    pub seed: u64,
    pub clauses: Vec<Clause>,
    pub columns: Vec<Column>,
    /// For each clause no scenario exercised: why (index, reason).
    pub uncovered: Vec<(usize, String)>,
    /// A covering set (greedy), as column indexes, in the order chosen.
    pub cover: Vec<usize>,
}

/// Runs `scenarios` × seeds `seed..seed+runs` under `plan` and fills the matrix.
pub fn compute(
    plan: Arc<Plan>,
    scenarios: &[Arc<Scenario>],
    runs: u64,
    seed: u64,
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
    let setup = ResponseSetup {
        plan: plan.clone(),
        teams,
        spread: true,
    };
    let mut columns = Vec::new();
    for s in scenarios {
        let mut col = Column {
            scenario: s.slug.clone(),
            exercised: vec![0; clauses.len()],
            scored: vec![0; clauses.len()],
            ..Default::default()
        };
        for k in engine::inject_threats(s) {
            col.threats.insert(k.as_str());
        }
        for r in 0..runs {
            let rec = engine::run_with(
                topo.clone(),
                s.clone(),
                Some(setup.clone()),
                RunConfig {
                    seed: seed + r,
                    response: true,
                },
            );
            let obligations = crate::score::obligations::obligations(&rec, &th);
            let mut ex = vec![false; clauses.len()];
            let mut sc = vec![false; clauses.len()];
            for o in &obligations {
                let t = &rec.tasks[o.task];
                if let Some(&i) = index.get(task_key(&rec, t).as_str()) {
                    ex[i] = true;
                    sc[i] |= o.status.assessed();
                }
                if &*t.kind == "activate" {
                    let l = t.name.trim_start_matches("activate_");
                    if let Some(l) = Level::ALL.iter().find(|x| x.as_str() == l) {
                        col.levels.insert(l.as_str());
                    }
                }
            }
            for i in 0..clauses.len() {
                col.exercised[i] += ex[i] as u32;
                col.scored[i] += sc[i] as u32;
            }
        }
        columns.push(col);
    }
    let uncovered = clauses
        .iter()
        .enumerate()
        .filter(|(i, _)| columns.iter().all(|c| c.exercised[*i] == 0))
        .map(|(i, c)| (i, reason(&plan, c, &columns)))
        .collect();
    let cover = greedy_cover(&columns, clauses.len());
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
fn reason(plan: &Plan, c: &Clause, columns: &[Column]) -> String {
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
        return format!(
            "no scenario has a threat of class {} (threat kind not in the library)",
            names.join(", ")
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
            return format!(
                "the scenarios' threats have a more specific procedure than `{}`",
                plan.procedures[pi].name
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
            return format!(
                "needs level {} or more severe; levels activated: {}",
                l.as_str(),
                if reached.is_empty() {
                    "none".to_string()
                } else {
                    reached.iter().copied().collect::<Vec<_>>().join(", ")
                }
            );
        }
    }
    "applies, but no run needed it (a conditional step, e.g. only where data was damaged or a \
     line failed, or a tier no incident reached)"
        .into()
}

/// Greedy set cover: repeatedly the scenario exercising most of the clauses
/// still uncovered (ties: the earlier scenario), until nothing more can be
/// covered.
pub fn greedy_cover(columns: &[Column], n: usize) -> Vec<usize> {
    let mut left: BTreeSet<usize> = (0..n)
        .filter(|&i| columns.iter().any(|c| c.exercised[i] > 0))
        .collect();
    let mut chosen = Vec::new();
    while !left.is_empty() {
        let (best, gain) = columns
            .iter()
            .enumerate()
            .filter(|(j, _)| !chosen.contains(j))
            .map(|(j, c)| (j, left.iter().filter(|&&i| c.exercised[i] > 0).count()))
            .fold((usize::MAX, 0), |a, b| if b.1 > a.1 { b } else { a });
        if gain == 0 {
            break;
        }
        chosen.push(best);
        left.retain(|&i| columns[best].exercised[i] == 0);
    }
    chosen
}

/// `coverage.csv`: one row per clause; per scenario the runs that exercised
/// and that scored it.
pub fn csv(c: &Coverage) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec!["key".to_string(), "section".into(), "clause".into()];
    for col in &c.columns {
        head.push(format!("{}_exercised", col.scenario));
        head.push(format!("{}_scored", col.scenario));
    }
    head.push("runs".into());
    let _ = w.write_record(&head);
    for (i, cl) in c.clauses.iter().enumerate() {
        let mut row = vec![cl.key.clone(), cl.section.to_string(), cl.label.clone()];
        for col in &c.columns {
            row.push(col.exercised[i].to_string());
            row.push(col.scored[i].to_string());
        }
        row.push(c.runs.to_string());
        let _ = w.write_record(&row);
    }
    w.into_inner().unwrap_or_default()
}

/// `coverage.md`: the verdict, the clauses left out and why, per-section counts.
pub fn markdown(c: &Coverage) -> String {
    let mut s = String::new();
    let n = c.clauses.len();
    let covered = n - c.uncovered.len();
    let _ = writeln!(s, "# Coverage of `{}`\n", c.plan);
    let _ = writeln!(
        s,
        "{} scenario(s) × {} run(s) (seeds {}–{}); {covered} of {n} clauses exercised.\n",
        c.columns.len(),
        c.runs,
        c.seed,
        c.seed + c.runs.saturating_sub(1)
    );
    let names: Vec<&str> = c
        .cover
        .iter()
        .map(|&j| c.columns[j].scenario.as_str())
        .collect();
    let _ = writeln!(s, "## Verdict\n");
    let what = if c.uncovered.is_empty() {
        "every clause".to_string()
    } else {
        format!("every clause these scenarios reach ({covered} of {n})")
    };
    let _ = writeln!(
        s,
        "To exercise {what} of `{}`, run {} (a covering set found greedily: \
         each pick covers most of what is still uncovered; it may not be the smallest).\n",
        c.plan,
        join_and(&names)
    );
    let _ = writeln!(s, "## Clauses no scenario exercises\n");
    if c.uncovered.is_empty() {
        let _ = writeln!(s, "None.\n");
    } else {
        let _ = writeln!(s, "| clause | section | why |\n|---|---|---|");
        for (i, why) in &c.uncovered {
            let cl = &c.clauses[*i];
            let _ = writeln!(s, "| {} | {} | {} |", md(&cl.key), cl.section, md(why));
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
        let ex = idx
            .iter()
            .filter(|&&i| c.columns.iter().any(|col| col.exercised[i] > 0))
            .count();
        let _ = writeln!(s, "| {sec} | {} | {ex} |", idx.len());
    }
    s
}

fn md(s: &str) -> String {
    s.replace('|', "\\|")
}

fn join_and(v: &[&str]) -> String {
    match v {
        [] => "no scenario".into(),
        [a] => a.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `drillsim coverage`: loads the plan and scenarios (every bundled
/// scenario when none is given), computes, writes `coverage.csv` and
/// `coverage.md` into `out` atomically.
pub fn coverage(
    plan: &str,
    scenarios: &[PathBuf],
    runs: u64,
    seed: u64,
    out: Option<&Path>,
) -> Result<(Coverage, PathBuf), Error> {
    let plan = app::load_plan(plan)?;
    let topo = app::load_topology(None)?;
    let mut loaded = Vec::new();
    let mut problems = crate::model::Diagnostics::default();
    if scenarios.is_empty() {
        for (name, src) in super::BUNDLED_SCENARIOS {
            let path = PathBuf::from(format!("scenarios/{name}.ron"));
            loaded.push(Arc::new(crate::model::scenario_file::parse(
                src, &path, name, &topo,
            )?));
        }
    } else {
        for p in scenarios {
            match app::load_scenario(Some(p), &topo) {
                Ok(s) => loaded.push(s),
                Err(Error::Input(d)) => problems.0.extend(d.0),
                Err(e) => return Err(e),
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::Input(problems));
    }
    let c = compute(plan, &loaded, runs.max(1), seed)?;
    let out = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(format!("coverage-{}", c.plan)));
    let files = vec![
        ("coverage.csv".to_string(), csv(&c)),
        ("coverage.md".to_string(), markdown(&c).into_bytes()),
    ];
    crate::output::write_atomically(&out, &files).map_err(|source| Error::Io {
        path: out.clone(),
        source,
    })?;
    Ok((c, out))
}
