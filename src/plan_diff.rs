//! `drillsim diff`: what changed between two plan revisions, clause by clause.
//!
//! [`diff`] is a pure function of two validated [`Plan`]s. Items are matched
//! by what identifies them in a plan file, never by index: bodies by id,
//! classes by code, threat mappings by threat, levels by level, procedures by
//! class code, special plans and preparedness orders by id, steps and duties
//! by id within their procedure / special plan / level, reporting rules by
//! (from_tier, from_body, kind, to). Grading rules (first match wins, so their
//! order is their meaning) are compared by position. References to bodies and
//! classes are compared by id/code, so renumbered files compare equal.
//!
//! Every change carries the clause text of the side it comes from (the new
//! side for added and changed items, the old side for removed ones). The
//! output order follows plan A, then what only plan B has, so it is the same
//! on every run.

use std::fmt::Write as _;

use crate::model::plan::{
    DeadlineFrom, Graded, LeadAt, Plan, ReportKind, ReportTo, Step, StepScope,
};

/// The part of the plan a change belongs to (the output's headings, in order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    Plan,
    Bodies,
    Classes,
    Grading,
    Levels,
    Procedures,
    SpecialPlans,
    Reporting,
    Preparedness,
    End,
}

impl Section {
    pub const ALL: [Section; 10] = [
        Section::Plan,
        Section::Bodies,
        Section::Classes,
        Section::Grading,
        Section::Levels,
        Section::Procedures,
        Section::SpecialPlans,
        Section::Reporting,
        Section::Preparedness,
        Section::End,
    ];
    pub fn title(self) -> &'static str {
        match self {
            Section::Plan => "Plan",
            Section::Bodies => "Organisation (bodies)",
            Section::Classes => "Incident classes and threat mappings",
            Section::Grading => "Grading",
            Section::Levels => "Response levels",
            Section::Procedures => "Procedures",
            Section::SpecialPlans => "Special plans",
            Section::Reporting => "Reporting",
            Section::Preparedness => "Preparedness",
            Section::End => "End of response",
        }
    }
}

/// What happened to an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// Only in plan B.
    Added,
    /// Only in plan A.
    Removed,
    /// In both, with different fields.
    Changed,
    /// The steps both plans have are listed in another order.
    Reordered,
}

impl ChangeKind {
    fn sign(self) -> &'static str {
        match self {
            ChangeKind::Added => "+",
            ChangeKind::Removed => "-",
            ChangeKind::Changed => "~",
            ChangeKind::Reordered => "↕",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
            ChangeKind::Reordered => "reordered",
        }
    }
}

/// One field of an item: its value in A (`old`) and B (`new`). For an added
/// item `old` is empty, for a removed one `new` is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    pub old: String,
    pub new: String,
}

/// One change line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub section: Section,
    /// What changed, e.g. `procedure malware / step isolate`.
    pub subject: String,
    pub kind: ChangeKind,
    /// Changed fields (all fields of an added or removed item).
    pub fields: Vec<FieldChange>,
    /// Which plan the clause comes from: 'A' or 'B'.
    pub side: char,
    /// The clause text of that side (full; renderers shorten it).
    pub clause: String,
}

/// The differences between two plans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanDiff {
    /// Slug and name of plan A and plan B.
    pub a: (String, String),
    pub b: (String, String),
    pub changes: Vec<Change>,
}

impl PlanDiff {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// An item to match: key, subject line, fields, clause.
struct Item {
    key: String,
    subject: String,
    fields: Vec<(&'static str, String)>,
    clause: String,
    /// The clause is borrowed from another item (a threat mapping cites its
    /// class): a change of it is that item's change, not this one's.
    borrowed_clause: bool,
}

/// Minutes as `45m`, `2h`, `1h30m`, `3d`.
pub fn minutes(m: f64) -> String {
    if m.fract() != 0.0 || !(0.0..1e12).contains(&m) {
        return format!("{m}m");
    }
    let m = m as u64;
    if m >= 1440 && m.is_multiple_of(1440) {
        format!("{}d", m / 1440)
    } else if m >= 60 && m.is_multiple_of(60) {
        format!("{}h", m / 60)
    } else if m >= 60 {
        format!("{}h{}m", m / 60, m % 60)
    } else {
        format!("{m}m")
    }
}

/// A clause text cut to `max` characters (with `…`).
pub fn shorten(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

/// Two different texts shortened so that the difference shows: when they
/// share a long beginning, both start shortly before the first difference.
pub fn shorten_pair(a: &str, b: &str, max: usize) -> (String, String) {
    let (a, b) = (a.trim(), b.trim());
    let same = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    if same + 8 <= max {
        return (shorten(a, max), shorten(b, max));
    }
    let skip = same - 8;
    let cut = |s: &str| {
        format!(
            "…{}",
            shorten(&s.chars().skip(skip).collect::<String>(), max)
        )
    };
    (cut(a), cut(b))
}

fn list<I: IntoIterator<Item = String>>(it: I) -> String {
    let v: Vec<String> = it.into_iter().collect();
    if v.is_empty() {
        "(none)".to_string()
    } else {
        v.join(", ")
    }
}

fn body(p: &Plan, b: usize) -> String {
    p.bodies[b].id.clone()
}

fn class(p: &Plan, c: usize) -> String {
    p.classes[c].code.clone()
}

fn lead_at(l: LeadAt) -> &'static str {
    match l {
        LeadAt::Hq => "hq",
        LeadAt::Provincial => "provincial",
        LeadAt::Local => "local",
    }
}

fn scope(s: StepScope) -> &'static str {
    match s {
        StepScope::Site => "site",
        StepScope::Lead => "lead",
        StepScope::National => "national",
    }
}

fn from(d: DeadlineFrom) -> &'static str {
    match d {
        DeadlineFrom::Detection => "detection",
        DeadlineFrom::Activation => "activation",
        DeadlineFrom::End => "end",
    }
}

fn kind(k: ReportKind) -> &'static str {
    match k {
        ReportKind::Initial => "initial",
        ReportKind::Written => "written",
    }
}

fn to(t: ReportTo) -> &'static str {
    match t {
        ReportTo::Parent => "parent",
        ReportTo::NationalOffice => "national_office",
    }
}

fn step_fields(p: &Plan, steps: &[Step], s: &Step) -> Vec<(&'static str, String)> {
    let d = &s.duration;
    let mut duration = minutes(d.median_min);
    if d.spread != 0.0 {
        let _ = write!(duration, " spread {}", d.spread);
    }
    if d.per_host_min != 0.0 {
        let _ = write!(duration, " + {}/host", minutes(d.per_host_min));
    }
    vec![
        ("name_zh", s.name_zh.clone()),
        ("name_en", s.name_en.clone()),
        ("action", s.action.as_str().to_string()),
        ("actor", body(p, s.actor)),
        ("scope", scope(s.scope).to_string()),
        ("after", list(s.after.iter().map(|&i| steps[i].id.clone()))),
        (
            "min_level",
            s.min_level
                .map_or("(any)".to_string(), |l| l.as_str().to_string()),
        ),
        ("duration", duration),
        ("staff", s.staff.to_string()),
        (
            "deadline",
            s.deadline_min.map_or("(none)".to_string(), |m| {
                format!("{} from {}", minutes(m), from(s.deadline_from))
            }),
        ),
    ]
}

fn step_items(p: &Plan, prefix: &str, steps: &[Step]) -> Vec<Item> {
    steps
        .iter()
        .map(|s| Item {
            key: s.id.clone(),
            subject: format!("{prefix} / step {}", s.id),
            fields: step_fields(p, steps, s),
            clause: s.clause.clone(),
            borrowed_clause: false,
        })
        .collect()
}

/// Positions (in `b`) of a longest common subsequence of `a` and `b`; the
/// steps outside it are the ones called "moved" (of two swapped steps, the
/// one B lists second).
fn lcs_b_positions(a: &[&str], b: &[&str]) -> Vec<bool> {
    let (n, m) = (a.len(), b.len());
    let mut t = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[i][j] = if a[i] == b[j] {
                t[i + 1][j + 1] + 1
            } else {
                t[i + 1][j].max(t[i][j + 1])
            };
        }
    }
    let mut keep = vec![false; m];
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[i] == b[j] {
            keep[j] = true;
            i += 1;
            j += 1;
        } else if t[i + 1][j] >= t[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    keep
}

struct Differ<'p> {
    a: &'p Plan,
    b: &'p Plan,
    out: Vec<Change>,
}

impl Differ<'_> {
    /// Matches items by key (duplicates are numbered in order) and records
    /// what was removed, changed and added.
    fn items(&mut self, section: Section, a: Vec<Item>, b: Vec<Item>) {
        let number = |mut v: Vec<Item>| {
            let mut seen: Vec<String> = Vec::new();
            for it in &mut v {
                let n = seen.iter().filter(|k| **k == it.key).count();
                seen.push(it.key.clone());
                if n > 0 {
                    it.key = format!("{}#{}", it.key, n + 1);
                }
            }
            v
        };
        let (a, b) = (number(a), number(b));
        for ia in &a {
            match b.iter().find(|ib| ib.key == ia.key) {
                None => self.out.push(Change {
                    section,
                    subject: ia.subject.clone(),
                    kind: ChangeKind::Removed,
                    fields: ia
                        .fields
                        .iter()
                        .map(|(f, v)| FieldChange {
                            field: f,
                            old: v.clone(),
                            new: String::new(),
                        })
                        .collect(),
                    side: 'A',
                    clause: ia.clause.clone(),
                }),
                Some(ib) => {
                    let mut fields: Vec<FieldChange> = ia
                        .fields
                        .iter()
                        .zip(&ib.fields)
                        .filter(|((_, x), (_, y))| x != y)
                        .map(|((f, x), (_, y))| FieldChange {
                            field: f,
                            old: x.clone(),
                            new: y.clone(),
                        })
                        .collect();
                    if !ib.borrowed_clause && ia.clause.trim() != ib.clause.trim() {
                        let (old, new) = shorten_pair(&ia.clause, &ib.clause, CLAUSE_CHARS);
                        fields.push(FieldChange {
                            field: "clause",
                            old,
                            new,
                        });
                    }
                    if !fields.is_empty() {
                        self.out.push(Change {
                            section,
                            subject: ib.subject.clone(),
                            kind: ChangeKind::Changed,
                            fields,
                            side: 'B',
                            clause: ib.clause.clone(),
                        });
                    }
                }
            }
        }
        for ib in b.iter().filter(|ib| !a.iter().any(|ia| ia.key == ib.key)) {
            self.out.push(Change {
                section,
                subject: ib.subject.clone(),
                kind: ChangeKind::Added,
                fields: ib
                    .fields
                    .iter()
                    .map(|(f, v)| FieldChange {
                        field: f,
                        old: String::new(),
                        new: v.clone(),
                    })
                    .collect(),
                side: 'B',
                clause: ib.clause.clone(),
            });
        }
    }

    /// Steps of one procedure / special plan / level present in both plans:
    /// added, removed, changed by id, then the order of the common ones.
    fn steps(&mut self, section: Section, prefix: &str, sa: &[Step], sb: &[Step], clause: &str) {
        let (a, b) = (self.a, self.b);
        self.items(
            section,
            step_items(a, prefix, sa),
            step_items(b, prefix, sb),
        );
        let common_a: Vec<&str> = sa
            .iter()
            .map(|s| s.id.as_str())
            .filter(|id| sb.iter().any(|t| t.id == *id))
            .collect();
        let common_b: Vec<&str> = sb
            .iter()
            .map(|s| s.id.as_str())
            .filter(|id| sa.iter().any(|t| t.id == *id))
            .collect();
        if common_a != common_b {
            let keep = lcs_b_positions(&common_a, &common_b);
            let moved = common_b
                .iter()
                .zip(&keep)
                .filter(|(_, k)| !**k)
                .map(|(id, _)| id.to_string());
            self.out.push(Change {
                section,
                subject: prefix.to_string(),
                kind: ChangeKind::Reordered,
                fields: vec![
                    FieldChange {
                        field: "order",
                        old: common_a.join(", "),
                        new: common_b.join(", "),
                    },
                    FieldChange {
                        field: "moved",
                        old: String::new(),
                        new: list(moved),
                    },
                ],
                side: 'B',
                clause: clause.to_string(),
            });
        }
    }
}

fn graded<T>(what: &str, rules: &[Graded<T>], value: impl Fn(&T) -> String) -> Vec<Item> {
    rules
        .iter()
        .enumerate()
        .map(|(i, g)| Item {
            key: format!("{what} {}", i + 1),
            subject: format!("{what} {}", i + 1),
            fields: vec![
                ("all", list(g.all.iter().map(|c| format!("{c:?}")))),
                ("value", value(&g.value)),
            ],
            clause: g.clause.clone(),
            borrowed_clause: false,
        })
        .collect()
}

/// What changed from plan `a` to plan `b`.
pub fn diff(a: &Plan, b: &Plan) -> PlanDiff {
    let mut d = Differ {
        a,
        b,
        out: Vec::new(),
    };
    let plan_item = |p: &Plan| Item {
        key: "plan".into(),
        subject: "plan".into(),
        fields: vec![
            ("name", p.name.clone()),
            ("description", shorten(&p.description, 60)),
            ("standard", format!("{:?}", p.standard)),
        ],
        clause: String::new(),
        borrowed_clause: false,
    };
    d.items(Section::Plan, vec![plan_item(a)], vec![plan_item(b)]);

    let bodies = |p: &Plan| {
        p.bodies
            .iter()
            .map(|x| Item {
                key: x.id.clone(),
                subject: format!("body {}", x.id),
                fields: vec![
                    ("name_zh", x.name_zh.clone()),
                    ("name_en", x.name_en.clone()),
                    ("role", x.role.as_str().to_string()),
                    (
                        "tiers",
                        list(x.tiers.iter().map(|t| t.as_str().to_string())),
                    ),
                    ("head", x.head.clone()),
                    (
                        "reports_to",
                        x.reports_to.map_or("(none)".into(), |r| body(p, r)),
                    ),
                ],
                clause: x.clause.clone(),
                borrowed_clause: false,
            })
            .collect()
    };
    d.items(Section::Bodies, bodies(a), bodies(b));

    let classes = |p: &Plan| {
        let mut v: Vec<Item> = p
            .classes
            .iter()
            .map(|c| Item {
                key: c.code.clone(),
                subject: format!("class {}", c.code),
                fields: vec![
                    ("name_zh", c.name_zh.clone()),
                    ("name_en", c.name_en.clone()),
                    ("parent", c.parent.map_or("(none)".into(), |x| class(p, x))),
                ],
                clause: c.clause.clone(),
                borrowed_clause: false,
            })
            .collect();
        v.extend(p.threat_classes.iter().map(|(t, c)| Item {
            key: format!("threat {}", t.as_str()),
            subject: format!("threat {} → class", t.as_str()),
            fields: vec![("class", class(p, *c))],
            clause: p.classes[*c].clause.clone(),
            borrowed_clause: true,
        }));
        v
    };
    d.items(Section::Classes, classes(a), classes(b));

    let grading = |p: &Plan| {
        let g = &p.grading;
        let mut v = graded("importance rule", &g.importance, |x| format!("{x:?}"));
        v.extend(graded("loss rule", &g.loss, |x| format!("{x:?}")));
        v.extend(g.matrix.iter().map(|(i, l, lv)| Item {
            key: format!("matrix {i:?} × {l:?}"),
            subject: format!("matrix {i:?} × {l:?}"),
            fields: vec![("level", lv.as_str().to_string())],
            clause: g.clause.clone(),
            borrowed_clause: false,
        }));
        v.extend(graded("threshold rule", &g.rules, |x| {
            x.as_str().to_string()
        }));
        v
    };
    d.items(Section::Grading, grading(a), grading(b));

    let levels = |p: &Plan| {
        p.levels
            .iter()
            .map(|l| Item {
                key: l.level.as_str().to_string(),
                subject: format!("level {}", l.level.as_str()),
                fields: vec![
                    ("colour", l.colour.clone()),
                    ("lead", body(p, l.lead)),
                    ("lead_at", lead_at(l.lead_at).to_string()),
                    ("approver", body(p, l.approver)),
                    ("convenes", list(l.convenes.iter().map(|&c| body(p, c)))),
                    ("activation_deadline", minutes(l.activation_deadline_min)),
                    ("round_the_clock_duty", l.round_the_clock_duty.to_string()),
                ],
                clause: l.clause.clone(),
                borrowed_clause: false,
            })
            .collect()
    };
    d.items(Section::Levels, levels(a), levels(b));
    for la in &a.levels {
        if let Some(lb) = b.levels.iter().find(|l| l.level == la.level) {
            let prefix = format!("level {}", la.level.as_str());
            d.steps(Section::Levels, &prefix, &la.duties, &lb.duties, &lb.clause);
        }
    }

    // Procedures: the procedure itself (name, steps of an added or removed
    // one), then its steps where both plans have it.
    let procs = |p: &Plan| {
        p.procedures
            .iter()
            .map(|x| Item {
                key: class(p, x.class),
                subject: format!("procedure {}", class(p, x.class)),
                fields: vec![
                    ("name", x.name.clone()),
                    ("steps", list(x.steps.iter().map(|s| s.id.clone()))),
                ],
                clause: x.clause.clone(),
                borrowed_clause: false,
            })
            .collect::<Vec<_>>()
    };
    d.items(Section::Procedures, procs(a), procs(b));
    // A common procedure's `steps` list is shown by the step lines instead.
    drop_common_steps_field(&mut d.out, Section::Procedures);
    for pa in &a.procedures {
        let code = class(a, pa.class);
        if let Some(pb) = b.procedures.iter().find(|p| class(b, p.class) == code) {
            let prefix = format!("procedure {code}");
            d.steps(
                Section::Procedures,
                &prefix,
                &pa.steps,
                &pb.steps,
                &pb.clause,
            );
        }
    }

    let specials = |p: &Plan| {
        p.special_plans
            .iter()
            .map(|x| Item {
                key: x.id.clone(),
                subject: format!("special plan {}", x.id),
                fields: vec![
                    ("name", x.name.clone()),
                    ("classes", list(x.classes.iter().map(|&c| class(p, c)))),
                    (
                        "services",
                        list(x.services.iter().map(|s| s.as_str().to_string())),
                    ),
                    ("steps", list(x.steps.iter().map(|s| s.id.clone()))),
                ],
                clause: x.clause.clone(),
                borrowed_clause: false,
            })
            .collect::<Vec<_>>()
    };
    d.items(Section::SpecialPlans, specials(a), specials(b));
    drop_common_steps_field(&mut d.out, Section::SpecialPlans);
    for sa in &a.special_plans {
        if let Some(sb) = b.special_plans.iter().find(|s| s.id == sa.id) {
            let prefix = format!("special plan {}", sa.id);
            d.steps(
                Section::SpecialPlans,
                &prefix,
                &sa.steps,
                &sb.steps,
                &sb.clause,
            );
        }
    }

    let reporting = |p: &Plan| {
        p.reporting
            .iter()
            .map(|r| {
                let key = format!(
                    "{} {} {} → {}",
                    r.from_tier.as_str(),
                    body(p, r.from_body),
                    kind(r.kind),
                    to(r.to)
                );
                Item {
                    subject: format!("report {key}"),
                    key,
                    fields: vec![
                        ("to_body", body(p, r.to_body)),
                        ("min_level", r.min_level.as_str().to_string()),
                        ("deadline", minutes(r.deadline_min)),
                    ],
                    clause: r.clause.clone(),
                    borrowed_clause: false,
                }
            })
            .collect()
    };
    d.items(Section::Reporting, reporting(a), reporting(b));

    let prep = |p: &Plan| {
        p.preparedness
            .iter()
            .map(|x| Item {
                key: x.id.clone(),
                subject: format!("preparedness {}", x.id),
                fields: vec![
                    ("task", shorten(&x.task, 60)),
                    ("actor", body(p, x.actor)),
                    (
                        "tiers",
                        list(x.tiers.iter().map(|t| t.as_str().to_string())),
                    ),
                    ("due", x.due.clone().unwrap_or_else(|| "(none)".into())),
                    (
                        "report_to",
                        x.report_to.map_or("(none)".into(), |r| body(p, r)),
                    ),
                ],
                clause: x.clause.clone(),
                borrowed_clause: false,
            })
            .collect()
    };
    d.items(Section::Preparedness, prep(a), prep(b));

    let end = |p: &Plan| Item {
        key: "end".into(),
        subject: "end of response".into(),
        fields: vec![
            ("actor", body(p, p.end.actor)),
            ("evaluation_days", p.end.evaluation_days.to_string()),
            ("summary_report_days", p.end.summary_report_days.to_string()),
        ],
        clause: p.end.clause.clone(),
        borrowed_clause: false,
    };
    d.items(Section::End, vec![end(a)], vec![end(b)]);

    let mut changes = d.out;
    // By section, and within one a step's change right after its procedure /
    // special plan / level (stable: otherwise in the order found).
    let groups: Vec<String> = changes
        .iter()
        .map(|c| group(&c.subject).to_string())
        .collect();
    let first = |g: &str| groups.iter().position(|x| x == g).unwrap_or(0);
    let mut keyed: Vec<(Section, usize, Change)> = changes
        .drain(..)
        .map(|c| (c.section, first(group(&c.subject)), c))
        .collect();
    keyed.sort_by_key(|(s, g, _)| (*s, *g));
    changes.extend(keyed.into_iter().map(|(_, _, c)| c));
    PlanDiff {
        a: (a.slug.clone(), a.name.clone()),
        b: (b.slug.clone(), b.name.clone()),
        changes,
    }
}

/// The procedure, special plan or level a change line belongs to.
fn group(subject: &str) -> &str {
    subject.split(" / ").next().unwrap_or(subject)
}

/// For a procedure or special plan in both plans, the step lines say what
/// happened to its steps: drop the `steps` field (and the change if nothing
/// else changed).
fn drop_common_steps_field(out: &mut Vec<Change>, section: Section) {
    out.retain_mut(|c| {
        if c.section != section || c.kind != ChangeKind::Changed {
            return true;
        }
        c.fields.retain(|f| f.field != "steps");
        !c.fields.is_empty()
    });
}

/// Output format of `drillsim diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "text" => Some(Format::Text),
            "md" => Some(Format::Markdown),
            _ => None,
        }
    }
}

/// Longest clause text shown on a change line.
pub const CLAUSE_CHARS: usize = 56;

fn count(n: usize) -> String {
    if n == 1 {
        "1 difference".into()
    } else {
        format!("{n} differences")
    }
}

/// Plain text: one heading per section, one line per change, its fields below.
pub fn render_text(d: &PlanDiff) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "A: {} ({})", d.a.0, d.a.1);
    let _ = writeln!(s, "B: {} ({})", d.b.0, d.b.1);
    if d.is_empty() {
        s.push_str("no differences\n");
        return s;
    }
    let _ = writeln!(s, "{}", count(d.changes.len()));
    for sec in Section::ALL {
        let mut cs = d.changes.iter().filter(|c| c.section == sec).peekable();
        if cs.peek().is_none() {
            continue;
        }
        let _ = writeln!(s, "\n{}", sec.title());
        for c in cs {
            let _ = write!(s, "  {} {}", c.kind.sign(), c.subject);
            if !c.clause.trim().is_empty() {
                let _ = write!(s, "  [{}: {}]", c.side, shorten(&c.clause, CLAUSE_CHARS));
            }
            s.push('\n');
            match c.kind {
                ChangeKind::Added | ChangeKind::Removed => {
                    let vals: Vec<String> = c
                        .fields
                        .iter()
                        .map(|f| {
                            let v = if c.kind == ChangeKind::Added {
                                &f.new
                            } else {
                                &f.old
                            };
                            format!("{}: {v}", f.field)
                        })
                        .collect();
                    let _ = writeln!(s, "      {}", vals.join("; "));
                }
                ChangeKind::Changed | ChangeKind::Reordered => {
                    for f in &c.fields {
                        if f.old.is_empty() {
                            let _ = writeln!(s, "      {}: {}", f.field, f.new);
                        } else {
                            let _ = writeln!(s, "      {}: {} → {}", f.field, f.old, f.new);
                        }
                    }
                }
            }
        }
    }
    s
}

fn code(v: &str) -> String {
    format!("`{}`", v.replace('`', "'"))
}

fn md_text(v: &str) -> String {
    let mut o = String::with_capacity(v.len());
    for ch in v.chars() {
        if matches!(
            ch,
            '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '`' | '|' | '#'
        ) {
            o.push('\\');
        }
        o.push(ch);
    }
    o
}

/// Markdown: a heading per section, a bullet per change.
pub fn render_markdown(d: &PlanDiff) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Plan diff: {} → {}\n\n- A: {} ({})\n- B: {} ({})\n",
        code(&d.a.0),
        code(&d.b.0),
        code(&d.a.0),
        md_text(&d.a.1),
        code(&d.b.0),
        md_text(&d.b.1)
    );
    if d.is_empty() {
        s.push_str("no differences\n");
        return s;
    }
    let _ = writeln!(s, "{}", count(d.changes.len()));
    for sec in Section::ALL {
        let mut cs = d.changes.iter().filter(|c| c.section == sec).peekable();
        if cs.peek().is_none() {
            continue;
        }
        let _ = writeln!(s, "\n## {}\n", sec.title());
        for c in cs {
            let fields: Vec<String> = c
                .fields
                .iter()
                .map(|f| match c.kind {
                    ChangeKind::Added => format!("{} {}", f.field, code(&f.new)),
                    ChangeKind::Removed => format!("{} {}", f.field, code(&f.old)),
                    _ if f.old.is_empty() => format!("{} {}", f.field, code(&f.new)),
                    _ => format!("{} {} → {}", f.field, code(&f.old), code(&f.new)),
                })
                .collect();
            let _ = write!(
                s,
                "- **{}** {}: {}",
                c.kind.as_str(),
                md_text(&c.subject),
                fields.join("; ")
            );
            if !c.clause.trim().is_empty() {
                let _ = write!(
                    s,
                    " _({}: {})_",
                    c.side,
                    md_text(&shorten(&c.clause, CLAUSE_CHARS))
                );
            }
            s.push('\n');
        }
    }
    s
}

/// Renders in the chosen format.
pub fn render(d: &PlanDiff, f: Format) -> String {
    match f {
        Format::Text => render_text(d),
        Format::Markdown => render_markdown(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn minimal() -> Plan {
        let src = include_str!("../tests/data/plans/minimal.ron");
        let r = crate::check::check_source(src, Path::new("minimal.ron"), "minimal");
        r.plan.expect("minimal plan loads")
    }

    #[test]
    fn a_plan_against_itself_has_no_differences() {
        let p = minimal();
        let d = diff(&p, &p);
        assert!(d.is_empty(), "{:?}", d.changes);
        assert!(render_text(&d).ends_with("no differences\n"));
        assert!(render_markdown(&d).ends_with("no differences\n"));
    }

    /// A renamed step is a change of that step, and only of its name.
    #[test]
    fn a_renamed_step_shows_its_new_name() {
        let a = minimal();
        let mut b = a.clone();
        b.procedures[0].steps[0].name_zh = "隔离受感染主机".into();
        let d = diff(&a, &b);
        let text = render_text(&d);
        assert_eq!(d.changes.len(), 1, "{text}");
        assert!(text.contains("step isolate"), "{text}");
        assert!(text.contains("name_zh"), "{text}");
        assert!(text.contains("隔离受感染主机"), "{text}");
    }

    #[test]
    fn renumbered_bodies_compare_equal() {
        let a = minimal();
        let mut b = a.clone();
        // Swap bodies 0 and 1 and fix every reference: same plan, other indexes.
        b.bodies.swap(0, 1);
        let fix = |x: &mut usize| {
            *x = match *x {
                0 => 1,
                1 => 0,
                o => o,
            }
        };
        for body in &mut b.bodies {
            if let Some(r) = body.reports_to.as_mut() {
                fix(r);
            }
        }
        for l in &mut b.levels {
            fix(&mut l.lead);
            fix(&mut l.approver);
            l.convenes.iter_mut().for_each(fix);
        }
        for p in &mut b.procedures {
            p.steps.iter_mut().for_each(|s| fix(&mut s.actor));
        }
        for r in &mut b.reporting {
            fix(&mut r.from_body);
            fix(&mut r.to_body);
        }
        fix(&mut b.end.actor);
        assert!(diff(&a, &b).is_empty());
        // One real change shows up, with the new side's clause.
        b.levels[3].lead = b.bodies.iter().position(|x| x.id == "centre").unwrap();
        let d = diff(&a, &b);
        assert_eq!(d.changes.len(), 1, "{:?}", d.changes);
        let c = &d.changes[0];
        assert_eq!(
            (c.subject.as_str(), c.kind, c.side),
            ("level IV", ChangeKind::Changed, 'B')
        );
        assert_eq!(
            c.fields,
            vec![FieldChange {
                field: "lead",
                old: "office".into(),
                new: "centre".into()
            }]
        );
    }

    #[test]
    fn swapping_two_steps_is_one_reorder_naming_the_moved_step() {
        let a = minimal();
        let mut b = a.clone();
        // malware: isolate, clean, restore → clean, isolate, restore (after fixed up).
        let steps = &mut b.procedures[0].steps;
        steps.swap(0, 1);
        steps[0].after = vec![1];
        steps[1].after = vec![];
        steps[2].after = vec![0];
        let d = diff(&a, &b);
        assert_eq!(d.changes.len(), 1, "{:?}", d.changes);
        let c = &d.changes[0];
        assert_eq!(c.kind, ChangeKind::Reordered);
        assert_eq!(c.fields[0].old, "isolate, clean, restore");
        assert_eq!(c.fields[0].new, "clean, isolate, restore");
        // A swap keeps the step B lists first and calls the other one moved.
        assert_eq!(c.fields[1].new, "isolate");
    }

    #[test]
    fn minutes_and_shorten() {
        assert_eq!(minutes(45.0), "45m");
        assert_eq!(minutes(120.0), "2h");
        assert_eq!(minutes(90.0), "1h30m");
        assert_eq!(minutes(2880.0), "2d");
        assert_eq!(minutes(0.5), "0.5m");
        assert_eq!(shorten("一二三四五", 3), "一二三…");
        assert_eq!(shorten("abc", 3), "abc");
        let long = "national tax plan (descriptive title) 五.1";
        let (a, b) = shorten_pair(long, &long.replace("五.1", "五.2"), 20);
        assert_ne!(a, b);
        assert!(a.starts_with('…') && a.contains("五.1"), "{a}");
        assert_eq!(shorten_pair("ab", "ac", 20), ("ab".into(), "ac".into()));
    }

    #[test]
    fn markdown_escapes_plan_text() {
        let a = minimal();
        let mut b = a.clone();
        b.name = "x *bold* `tick` | pipe".into();
        let md = render_markdown(&diff(&a, &b));
        assert!(md.contains("\\*bold\\*"), "{md}");
        assert!(md.contains("`x *bold* 'tick' | pipe`"), "{md}");
    }
}
