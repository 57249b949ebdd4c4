//! `drillsim diff`: plan revisions compared clause by clause.

use std::process::{Command, Output};

use drillsim::app;
use drillsim::plan_diff::{self, ChangeKind, Format, Section};

fn drillsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("drillsim runs")
}

const MINIMAL: &str = "tests/data/plans/minimal.ron";
const EDITED: &str = "tests/data/plans/minimal-edited.ron";

fn load(p: &str) -> std::sync::Arc<drillsim::model::plan::Plan> {
    let path = if p.ends_with(".ron") {
        format!("{}/{p}", env!("CARGO_MANIFEST_DIR"))
    } else {
        p.to_string()
    };
    app::load_plan(&path).unwrap_or_else(|e| panic!("{p}: {e}"))
}

#[test]
fn every_bundled_plan_against_itself_has_no_differences() {
    for p in ["sat-overall", "unit-plan", MINIMAL] {
        let plan = load(p);
        let d = plan_diff::diff(&plan, &plan);
        assert!(d.is_empty(), "{p}: {:?}", d.changes);
        let o = drillsim(&["diff", p, p]);
        assert!(o.status.success());
        assert!(String::from_utf8_lossy(&o.stdout).ends_with("no differences\n"));
    }
}

/// Section, subject, kind and (field, old, new) of a change.
type Line<'a> = (
    Section,
    &'a str,
    ChangeKind,
    Vec<(&'a str, &'a str, &'a str)>,
);

#[test]
fn the_hand_edited_minimal_plan_shows_exactly_its_edits() {
    let d = plan_diff::diff(&load(MINIMAL), &load(EDITED));
    let got: Vec<Line> = d
        .changes
        .iter()
        .map(|c| {
            (
                c.section,
                c.subject.as_str(),
                c.kind,
                c.fields
                    .iter()
                    .filter(|_| !matches!(c.kind, ChangeKind::Added | ChangeKind::Removed))
                    .map(|f| (f.field, f.old.as_str(), f.new.as_str()))
                    .collect(),
            )
        })
        .collect();
    use ChangeKind::*;
    let want = vec![
        (
            Section::Levels,
            "level IV",
            Changed,
            vec![("lead", "office", "leader")],
        ),
        (
            Section::Procedures,
            "procedure malware / step isolate",
            Changed,
            vec![("deadline", "2h from detection", "1h from detection")],
        ),
        (
            Section::Procedures,
            "procedure malware / step restore",
            Removed,
            vec![],
        ),
        (
            Section::Procedures,
            "procedure malware / step notify",
            Added,
            vec![],
        ),
        (
            Section::Procedures,
            "procedure equipment_failure",
            Reordered,
            vec![
                ("order", "repair, restore", "restore, repair"),
                ("moved", "", "repair"),
            ],
        ),
        (
            Section::Reporting,
            "report county office initial → parent",
            Changed,
            vec![("deadline", "30m", "1h")],
        ),
    ];
    assert_eq!(got, want);
    // The added step lists what it is; the text names each change once.
    let added = &d.changes[3];
    assert!(
        added
            .fields
            .iter()
            .any(|f| f.field == "action" && f.new == "notify_users")
    );
    let text = plan_diff::render(&d, Format::Text);
    assert!(text.contains("6 differences"), "{text}");
    assert!(
        text.contains("  + procedure malware / step notify\n"),
        "{text}"
    );
    assert!(text.contains("      deadline: 30m → 1h\n"), "{text}");
    let md = plan_diff::render(&d, Format::Markdown);
    assert!(md.contains("## Reporting"), "{md}");
    assert!(md.contains("- **reordered** procedure equipment\\_failure: order `repair, restore` → `restore, repair`"), "{md}");
    // Reversed, additions and removals swap sides.
    let back = plan_diff::diff(&load(EDITED), &load(MINIMAL));
    assert_eq!(back.changes.len(), 6);
    assert!(
        back.changes
            .iter()
            .any(|c| c.subject.ends_with("step notify") && c.kind == Removed)
    );
    assert!(
        back.changes
            .iter()
            .any(|c| c.subject.ends_with("step restore") && c.kind == Added)
    );
}

#[test]
fn overall_against_unit_plan_lists_level_procedure_and_reporting_changes_with_clauses() {
    let o = drillsim(&["diff", "sat-overall", "unit-plan"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8(o.stdout).unwrap();
    for heading in ["\nResponse levels\n", "\nProcedures\n", "\nReporting\n"] {
        let at = out
            .find(heading)
            .unwrap_or_else(|| panic!("{heading:?} in\n{out}"));
        let next = out[at + heading.len()..].lines().next().unwrap();
        assert!(next.starts_with("  "), "a change under {heading:?}: {next}");
    }
    // Change lines cite the clause of the side they come from.
    let d = plan_diff::diff(&load("sat-overall"), &load("unit-plan"));
    let removed = d
        .changes
        .iter()
        .find(|c| c.kind == ChangeKind::Removed && c.section == Section::Bodies)
        .expect("a body only the overall plan has");
    assert_eq!(removed.side, 'A');
    assert!(out.contains(&format!(
        "  - {}  [A: {}]",
        removed.subject,
        plan_diff::shorten(&removed.clause, plan_diff::CLAUSE_CHARS)
    )));
    let lvl = d
        .changes
        .iter()
        .find(|c| c.section == Section::Levels && c.kind == ChangeKind::Changed)
        .expect("a changed level");
    assert_eq!(lvl.side, 'B');
    assert!(!lvl.clause.is_empty());
    // Same inputs, same bytes; Markdown renders too.
    assert_eq!(
        drillsim(&["diff", "sat-overall", "unit-plan"]).stdout,
        out.as_bytes()
    );
    let md = drillsim(&["diff", "sat-overall", "unit-plan", "--format", "md"]);
    assert!(md.status.success());
    assert!(String::from_utf8_lossy(&md.stdout).contains("\n## Procedures\n"));
}

#[test]
fn bad_plans_exit_2_with_positioned_errors() {
    let o = drillsim(&["diff", "sat-overall", "no/such/plan.ron"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no/such/plan.ron:1:1"), "{err}");
    assert!(o.stdout.is_empty());
    // A plan that cannot run an incident (the 2002 notice) is refused like `run` refuses it.
    let o = drillsim(&["diff", "sat-2002", "sat-overall"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("sat-2002.ron:"), "{err}");
    assert!(err.contains("cannot run an incident"), "{err}");
    // Both plans' errors at once.
    let o = drillsim(&["diff", "sat-2002", "nope.ron"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("sat-2002.ron:") && err.contains("nope.ron:1:1"),
        "{err}"
    );
    let o = drillsim(&["diff", "sat-overall", "unit-plan", "--format", "html"]);
    assert_eq!(o.status.code(), Some(2));
}
