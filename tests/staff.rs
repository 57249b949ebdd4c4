//! Issue 12's "step `staff: 100000` (more than any unit has)": every
//! command that runs a plan with a teams file (`run`, `assess`, `tabletop`,
//! `package`) loads them through one loader (`app::load_inputs`), and
//! `coverage` checks its plan against the bundled teams it runs, so each
//! refuses the pair with the same positioned error and exit code as `run`,
//! and writes nothing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use drillsim::app::{self, InputFiles};

/// The scenario every command plays here (a router failure; 8 h).
const SCENARIO: &str = "tests/data/drill/sc-outage.ron";
/// A first step of sat-overall without its own `staff`.
const STEP: &str = "duration: (median: \"30m\", spread: 0.4),";

/// A copy of `src` named `name` in `dir`, each `(from, to)` replaced once
/// (`from` must be there).
fn edited_copy(src: &str, dir: &Path, name: &str, edits: &[(String, String)]) -> PathBuf {
    let mut text = fs::read_to_string(src).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from.as_str()), "{src}: {from}");
        text = text.replacen(from.as_str(), to, 1);
    }
    let file = dir.join(name);
    fs::write(&file, text).unwrap();
    file
}

/// The 1-based line of `src` holding `needle` first.
fn line_of(src: &str, needle: &str) -> usize {
    let text = fs::read_to_string(src).unwrap();
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{src}: {needle}"));
    text[..at].matches('\n').count() + 1
}

const SAT_OVERALL: &str = "scenarios/plans/sat-overall.ron";

/// sat-overall with that step asking for 100,000 staff: the file and the
/// line of the edit.
fn greedy_plan(dir: &Path) -> (PathBuf, usize) {
    let edit = (
        STEP.to_string(),
        "duration: (median: \"30m\", spread: 0.4), staff: 100000,".to_string(),
    );
    let file = edited_copy(SAT_OVERALL, dir, "greedy-plan.ron", &[edit]);
    (file, line_of(SAT_OVERALL, STEP))
}

/// `drillsim ARGS` with `stdin` as its input.
fn drillsim(args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("drillsim runs");
    // A command that refuses before reading its input closes the pipe.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

/// Every command in `commands` (with `inputs` and its own options) exits 2
/// with byte for byte the error `run` gives, which holds `at` and `want`;
/// shows and writes nothing. `dir` holds only `inputs_on_disk`, before and
/// after.
fn refused_alike(
    dir: &Path,
    commands: &[&str],
    inputs: &[&str],
    at: &str,
    want: &str,
    inputs_on_disk: &[&str],
) {
    let script = fs::read_to_string("tests/data/tabletop/sichuan-office.txt").unwrap();
    let mut first: Option<(Option<i32>, String)> = None;
    for cmd in commands {
        let (extra, stdin): (&[&str], &str) = match *cmd {
            "assess" => (&["--log", "tests/data/drill/hand.csv", "--runs", "0"], ""),
            "tabletop" => (&["--as", "emergency_office@sc"], &script),
            // The plan alone, run against the bundled teams.
            "coverage" => (&["--runs", "1"], ""),
            _ => (&[], ""),
        };
        let o = dir.join(cmd).to_string_lossy().into_owned();
        let mut args = vec![*cmd, SCENARIO, "--out", &o];
        args.extend(inputs);
        args.extend(extra);
        let r = drillsim(&args, stdin);
        let err = String::from_utf8_lossy(&r.stderr).into_owned();
        assert_eq!(r.status.code(), Some(2), "{cmd}: {err}");
        assert!(err.contains(at), "{cmd}: expected {at} in:\n{err}");
        assert!(err.contains(want), "{cmd}: expected {want:?} in:\n{err}");
        // Nothing shown to players, nothing written, no temporary left.
        assert!(r.stdout.is_empty(), "{cmd} printed {:?}", r.stdout);
        assert!(!Path::new(&o).exists(), "{cmd} wrote {o}");
        assert_eq!(crate::util::entries(dir), inputs_on_disk, "{cmd}");
        match &first {
            None => first = Some((r.status.code(), err)),
            // Byte for byte what `run` says.
            Some((code, run_err)) => {
                assert_eq!((r.status.code(), &err), (*code, run_err), "{cmd} vs run");
            }
        }
    }
}

#[test]
fn every_command_refuses_a_step_needing_more_staff_than_any_unit_has_as_run_does() {
    let t = tempfile::tempdir().unwrap();
    let (plan, line) = greedy_plan(t.path());
    let plan = plan.to_str().unwrap();
    refused_alike(
        t.path(),
        &["run", "assess", "tabletop", "package", "coverage"],
        &["--plan", plan],
        &format!("{plan}:{line}:62: "),
        "step `convene` needs 100000 staff, but no unit has more than 9 in the role \
         `command_headquarters` (teams file)",
        &["greedy-plan.ron"],
    );
}

#[test]
fn every_command_refuses_teams_too_thin_for_the_plan_as_run_does() {
    // The bundled plan's nationwide patch order needs 4 of the technical
    // support group; this teams file gives no unit more than 3.
    let t = tempfile::tempdir().unwrap();
    let edits: Vec<(String, String)> = ["15", "6", "2"]
        .iter()
        .map(|n| {
            (
                format!("(\"technical_support\", {n})"),
                "(\"technical_support\", 3)".to_string(),
            )
        })
        .collect();
    let teams = edited_copy("assets/teams.ron", t.path(), "thin-teams.ron", &edits);
    let thin = fs::read_to_string(&teams).unwrap();
    assert!(!thin.contains("(\"technical_support\", 4"));
    let plan = SAT_OVERALL;
    let line = line_of(plan, "(median: \"4h\", spread: 0.4), staff: 4,");
    refused_alike(
        t.path(),
        &["run", "assess", "tabletop", "package"],
        &["--teams", teams.to_str().unwrap()],
        &format!("{plan}:{line}:60: "),
        "step `patch_national` needs 4 staff, but no unit has more than 3 in the role \
         `technical_support` (teams file)",
        &["thin-teams.ron"],
    );
}

#[test]
fn the_loader_keeps_every_problem_and_the_staff_check_with_them() {
    let t = tempfile::tempdir().unwrap();
    let (plan, line) = greedy_plan(t.path());
    let scenario = t.path().join("missing.ron");
    let files = InputFiles {
        scenario: Some(&scenario),
        plan: plan.to_str(),
        ..InputFiles::default()
    };
    let Err(app::Error::Input(d)) = app::load_inputs(&files) else {
        panic!("refused")
    };
    let text = d.to_string();
    // The scenario's problem and the plan's, together, in file order.
    let (s, p) = (
        text.find("missing.ron").expect("scenario problem"),
        text.find(&format!("greedy-plan.ron:{line}:"))
            .expect("staff problem"),
    );
    assert!(s < p, "{text}");
    // A command's own input is read with what loaded and its problems kept.
    let ok = InputFiles {
        scenario: Some(Path::new(SCENARIO)),
        ..InputFiles::default()
    };
    let (inputs, n) = app::load_inputs_with(&ok, |got, _| got.plan.map(|p| p.bodies.len()))
        .expect("the bundled inputs load");
    assert_eq!(n, inputs.plan.bodies.len());
    let Err(app::Error::Input(d)) = app::load_inputs_with(&ok, |_, problems| {
        problems.push(drillsim::model::Diagnostic::at(
            Path::new("--as"),
            "x",
            1,
            1,
            String::from("no body `x`"),
        ));
        Some(())
    }) else {
        panic!("a command's own problem refuses the inputs")
    };
    assert_eq!(d.len(), 1);
}
