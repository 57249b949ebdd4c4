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

/// sat-overall with that step asking for 100,000 staff: the file and the
/// line of the edit.
fn greedy_plan(dir: &Path) -> (PathBuf, usize) {
    let text = fs::read_to_string("scenarios/plans/sat-overall.ron").unwrap();
    let at = text.find(STEP).expect("the step");
    let line = text[..at].matches('\n').count() + 1;
    let file = dir.join("greedy-plan.ron");
    fs::write(
        &file,
        text.replacen(
            STEP,
            "duration: (median: \"30m\", spread: 0.4), staff: 100000,",
            1,
        ),
    )
    .unwrap();
    (file, line)
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
    let teams = t.path().join("thin-teams.ron");
    let text = fs::read_to_string("assets/teams.ron").unwrap();
    let mut thin = text.clone();
    for n in ["15", "6", "2"] {
        let from = format!("(\"technical_support\", {n})");
        assert!(thin.contains(&from), "{from}");
        thin = thin.replacen(&from, "(\"technical_support\", 3)", 1);
    }
    assert!(!thin.contains("(\"technical_support\", 4"));
    fs::write(&teams, thin).unwrap();
    let plan = "scenarios/plans/sat-overall.ron";
    let line = fs::read_to_string(plan)
        .unwrap()
        .lines()
        .position(|l| l.contains("(median: \"4h\", spread: 0.4), staff: 4,"))
        .expect("patch_national's staff")
        + 1;
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
