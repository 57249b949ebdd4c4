//! Hardening (issue 12): outputs never destroy the user's files, CSV cells
//! never reach a spreadsheet as formulas, interruptions leave nothing
//! half-written, and `run` refuses what `check` refuses.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_drillsim"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn drillsim(args: &[&str]) -> Output {
    bin().args(args).output().expect("drillsim runs")
}

fn drillsim_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("drillsim runs")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every entry of `dir` (names, sorted).
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .expect("folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Temporary or moved-aside siblings drillsim may leave (`.NAME.tmp-PID`, `.NAME.old-PID`).
fn leftovers(parent: &Path) -> Vec<String> {
    names(parent)
        .into_iter()
        .filter(|n| n.contains(".tmp-") || n.contains(".old-"))
        .collect()
}

fn quick_run(out: &Path) -> Output {
    drillsim(&["run", "--no-response", "--out", s(out)])
}

// ---- 1. Silent data loss ----------------------------------------------

#[test]
fn a_folder_drillsim_did_not_write_is_refused_and_kept() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("d");
    fs::create_dir(&d).unwrap();
    fs::write(d.join("keep.txt"), "x").unwrap();
    let o = quick_run(&d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("drillsim did not write it"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(names(&d), ["keep.txt"]);
    assert_eq!(fs::read_to_string(d.join("keep.txt")).unwrap(), "x");
    assert!(leftovers(t.path()).is_empty(), "{:?}", leftovers(t.path()));
    // --force replaces it (documented).
    let o = drillsim(&["run", "--no-response", "--force", "--out", s(&d)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!d.join("keep.txt").exists());
    assert!(d.join(".drillsim").exists() && d.join("record.json").exists());
}

#[test]
fn an_existing_file_or_read_only_folder_is_refused_before_anything_is_touched() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("f");
    fs::write(&f, "mine").unwrap();
    let o = quick_run(&f);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a folder"), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&f).unwrap(), "mine");
    assert_eq!(names(t.path()), ["f"]);

    // A drillsim folder made read-only: refused (even as root, who could
    // write it anyway), left exactly as it was.
    let r = t.path().join("r");
    assert!(quick_run(&r).status.success());
    let before = names(&r);
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&r, fs::Permissions::from_mode(0o555)).unwrap();
    let o = drillsim(&["run", "--no-response", "--force", "--out", s(&r)]);
    fs::set_permissions(&r, fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("read-only"), "{}", stderr(&o));
    assert_eq!(names(&r), before);
    assert!(leftovers(t.path()).is_empty(), "{:?}", leftovers(t.path()));
}

#[test]
fn a_drillsim_folder_is_replaced_but_not_with_a_users_files_in_it() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path().join("r");
    assert!(quick_run(&r).status.success());
    let marker = fs::read_to_string(r.join(".drillsim")).unwrap();
    assert!(marker.starts_with("drillsim "), "{marker}");
    assert!(marker.lines().any(|l| l == "record.json"), "{marker}");
    // Replaced again, with a note on stderr (never silently).
    let o = quick_run(&r);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("replaced"), "{}", stderr(&o));
    // A user's file inside: refused, and everything kept.
    fs::write(r.join("notes.md"), "my notes").unwrap();
    fs::write(r.join("charts").join("mine.svg"), "<svg/>").unwrap();
    let o = quick_run(&r);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("charts/mine.svg"), "{}", stderr(&o));
    assert!(stderr(&o).contains("notes.md"), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(r.join("notes.md")).unwrap(), "my notes");
    assert!(r.join("charts/mine.svg").exists());
}

#[test]
fn report_keeps_the_users_files_in_the_run_folder() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path().join("r");
    assert!(quick_run(&r).status.success());
    let summary = fs::read(r.join("summary.json")).unwrap();
    fs::write(r.join("notes.md"), "debrief notes").unwrap();
    fs::create_dir(r.join("photos")).unwrap();
    fs::write(r.join("photos").join("whiteboard.jpg"), [0xff, 0xd8]).unwrap();
    let o = drillsim(&["report", s(&r), "--lang", "en"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        fs::read_to_string(r.join("notes.md")).unwrap(),
        "debrief notes"
    );
    assert_eq!(
        fs::read(r.join("photos/whiteboard.jpg")).unwrap(),
        [0xff, 0xd8]
    );
    assert_eq!(fs::read(r.join("summary.json")).unwrap(), summary);
    assert_eq!(fs::read_to_string(r.join("report.lang")).unwrap(), "en\n");
    // The marker lists drillsim's files only: a `run` there is refused.
    let marker = fs::read_to_string(r.join(".drillsim")).unwrap();
    assert!(!marker.contains("notes.md") && !marker.contains("photos"));
    assert_eq!(quick_run(&r).status.code(), Some(1));
    assert!(leftovers(t.path()).is_empty(), "{:?}", leftovers(t.path()));
}

#[test]
fn inputs_are_never_inside_what_gets_replaced_even_with_force() {
    let t = tempfile::tempdir().unwrap();
    // `topology export` writes a drillsim folder; a run using it as its
    // topology must not replace it.
    let topo = t.path().join("topo");
    let o = drillsim(&["topology", "export", s(&topo)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let nodes = fs::read(topo.join("nodes.csv")).unwrap();
    let o = drillsim(&[
        "run",
        "--no-response",
        "--force",
        "--topology",
        s(&topo),
        "--out",
        s(&topo),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("input"), "{}", stderr(&o));
    assert_eq!(fs::read(topo.join("nodes.csv")).unwrap(), nodes);
    // A scenario kept in a run folder.
    let r = t.path().join("r");
    assert!(quick_run(&r).status.success());
    let scen = r.join("my-scenario.ron");
    fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/national-worm.ron"),
        &scen,
    )
    .unwrap();
    let o = drillsim(&["run", s(&scen), "--no-response", "--force", "--out", s(&r)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(scen.exists());
}

#[test]
fn topology_export_and_batch_refuse_a_users_folder_before_any_work() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("mine");
    fs::create_dir(&d).unwrap();
    fs::write(d.join("nodes.csv"), "id\n").unwrap();
    let o = drillsim(&["topology", "export", s(&d)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(d.join("nodes.csv")).unwrap(), "id\n");
    let o = drillsim(&[
        "batch",
        "--runs",
        "2",
        "--no-response",
        "--quiet",
        "--out",
        s(&d),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(names(t.path()), ["mine"], "no working folder was made");
}

#[test]
fn a_folder_of_an_older_drillsim_is_recognised_by_its_record() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path().join("r");
    assert!(quick_run(&r).status.success());
    fs::remove_file(r.join(".drillsim")).unwrap();
    let o = quick_run(&r);
    assert!(o.status.success(), "{}", stderr(&o));
    // … but not with a user's file in it.
    fs::remove_file(r.join(".drillsim")).unwrap();
    fs::write(r.join("notes.md"), "x").unwrap();
    assert_eq!(quick_run(&r).status.code(), Some(1));
}

// ---- 4. Runs never overwrite each other -------------------------------

#[test]
fn default_run_folders_differ_by_plan_options_and_language() {
    let t = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scen = root.join("scenarios/national-worm.ron");
    let scen = s(&scen);
    for args in [
        vec!["run", scen, "--no-response"],
        vec!["run", scen, "--no-response", "--plan", "unit-plan"],
        vec!["run", scen, "--no-response", "--lang", "en"],
        vec!["run", scen, "--no-response", "--seed", "2"],
    ] {
        let o = drillsim_in(t.path(), &args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    }
    assert_eq!(
        names(&t.path().join("runs")),
        [
            "national-worm-sat-overall-no-response-en-s1",
            "national-worm-sat-overall-no-response-s1",
            "national-worm-sat-overall-no-response-s2",
            "national-worm-unit-plan-no-response-s1",
        ]
    );
}

// ---- 2. CSV formula injection -----------------------------------------

/// Every cell of every CSV under `dir`: none starts like a formula unless
/// it is a number.
fn assert_no_formula_cells(dir: &Path) -> usize {
    let mut checked = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "csv") {
                continue;
            }
            let mut r = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_path(&p)
                .unwrap();
            for rec in r.records() {
                for cell in rec.unwrap().iter() {
                    checked += 1;
                    let bad = match cell.as_bytes().first() {
                        Some(b'=' | b'@' | b'\t' | b'\r') => true,
                        Some(b'+' | b'-') => cell.parse::<f64>().is_err(),
                        _ => false,
                    };
                    assert!(!bad, "{}: cell {cell:?} starts like a formula", p.display());
                }
            }
        }
    }
    checked
}

#[test]
fn clause_texts_starting_like_formulas_are_neutralised_in_run_csvs() {
    let t = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let plan = fs::read_to_string(root.join("scenarios/plans/sat-overall.ron")).unwrap();
    // Every clause text starts with a formula.
    let evil = plan.replace("clause: \"", "clause: \"=HYPERLINK(\\\"http://x\\\")");
    assert_ne!(evil, plan);
    let plan_path = t.path().join("evil.ron");
    fs::write(&plan_path, evil).unwrap();
    let out = t.path().join("r");
    let o = drillsim(&["run", "--plan", s(&plan_path), "--out", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let events = fs::read_to_string(out.join("events.csv")).unwrap();
    assert!(
        events.contains(",\"'=HYPERLINK(\"\"http://x\"\")"),
        "the clause is kept, prefixed"
    );
    assert!(assert_no_formula_cells(&out) > 1000);
}

#[test]
fn topology_csvs_are_neutralised_and_read_back_exactly() {
    use drillsim::model::topology_csv;
    let t = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("tests/data/tree-topology");
    let a = t.path().join("a");
    fs::create_dir(&a).unwrap();
    for f in ["nodes.csv", "links.csv", "provinces.csv"] {
        if src.join(f).exists() {
            fs::copy(src.join(f), a.join(f)).unwrap();
        }
    }
    // Make a node's id and names formulas (ids are referenced by links.csv
    // and parents: rename them everywhere, quoting for CSV).
    let topo = topology_csv::import(&a).expect("tree topology");
    let victim = topo.nodes[1].id.clone();
    let evil_id = "=cmd|' /C calc'!A0";
    for f in ["nodes.csv", "links.csv"] {
        let text = fs::read_to_string(a.join(f)).unwrap();
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        for rec in r.records() {
            let rec: Vec<String> = rec
                .unwrap()
                .iter()
                .map(|c| {
                    if c == victim {
                        evil_id.to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect();
            w.write_record(&rec).unwrap();
        }
        fs::write(a.join(f), w.into_inner().unwrap()).unwrap();
    }
    let topo = topology_csv::import(&a).expect("topology with a formula id");
    assert_eq!(topo.nodes[1].id, evil_id);
    let b = t.path().join("b");
    let o = drillsim(&["topology", "export", s(&b), "--topology", s(&a)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_no_formula_cells(&b);
    let nodes = fs::read_to_string(b.join("nodes.csv")).unwrap();
    assert!(nodes.contains("\n'=cmd|' /C calc'!A0,"), "{nodes}");
    // Read back: the same network, the same files again.
    let back = topology_csv::import(&b).expect("exported topology reads back");
    assert_eq!(back.nodes[1].id, evil_id);
    let c = t.path().join("c");
    assert!(
        drillsim(&["topology", "export", s(&c), "--topology", s(&b)])
            .status
            .success()
    );
    for f in ["nodes.csv", "links.csv", "provinces.csv"] {
        assert_eq!(
            fs::read(b.join(f)).unwrap(),
            fs::read(c.join(f)).unwrap(),
            "{f}"
        );
    }
}

// ---- 3. Interruptions -------------------------------------------------

fn signal(pid: u32, sig: &str) {
    let _ = Command::new("kill").args([sig, &pid.to_string()]).status();
}

/// A run folder is either absent or complete (marker and record).
fn complete_or_absent(out: &Path) {
    if out.exists() {
        let marker =
            fs::read_to_string(out.join(".drillsim")).expect("complete folder has a marker");
        for f in marker.lines().skip(2) {
            assert!(
                out.join(f).exists(),
                "{f} listed but missing in {}",
                out.display()
            );
        }
        assert!(out.join("record.json").exists());
    }
}

#[test]
fn a_run_interrupted_at_any_moment_leaves_no_half_written_output() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("r");
    let (mut killed, mut mid_write) = (0, 0);
    // The test hook slows the folder write down (60 ms after each file,
    // ~0.6 s in all) so that signals land before, during and after it.
    // Fixed delays can all miss the write on a loaded machine, so each kind
    // of signal is also sent as soon as the run's temporary folder appears
    // (`None`).
    let delays = [20u64, 250, 500, 650, 800, 950, 1100, 1400]
        .map(Some)
        .into_iter()
        .chain([None]);
    for (i, ms) in delays.enumerate() {
        for sig in ["-INT", "-TERM", "-KILL"] {
            let mut child = bin()
                .args(["run", "--out", s(&out), "--seed", &(i % 3 + 1).to_string()])
                .env(drillsim::output::WRITE_DELAY_ENV, "60")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let tmp = t.path().join(format!(".r.tmp-{}", child.id()));
            match ms {
                Some(ms) => std::thread::sleep(Duration::from_millis(ms)),
                None => {
                    let start = std::time::Instant::now();
                    while !tmp.exists()
                        && start.elapsed() < Duration::from_secs(120)
                        && child.try_wait().unwrap().is_none()
                    {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                }
            }
            if tmp.exists() {
                mid_write += 1;
            }
            signal(child.id(), sig);
            if !child.wait().unwrap().success() {
                killed += 1;
            }
            complete_or_absent(&out);
            if sig != "-KILL" {
                assert!(
                    leftovers(t.path()).is_empty(),
                    "{sig} at {ms:?} ms left {:?}",
                    leftovers(t.path())
                );
            }
        }
    }
    assert!(
        killed > 0,
        "no run was interrupted: the delays are too long"
    );
    assert!(
        mid_write > 0,
        "no signal landed while the folder was written"
    );
    eprintln!("{killed} of 27 runs interrupted, {mid_write} while writing");
    // The next write sweeps what SIGKILLs left.
    let o = quick_run(&out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(leftovers(t.path()).is_empty(), "{:?}", leftovers(t.path()));
    complete_or_absent(&out);
}

#[test]
fn stale_temporaries_of_dead_processes_are_swept_and_an_orphaned_old_folder_restored() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("r");
    assert!(quick_run(&out).status.success());
    // A dead process's leftovers (PIDs above the kernel's maximum are never alive).
    let dead = 4_194_999u32;
    let stale = t.path().join(format!(".r.tmp-{dead}"));
    fs::create_dir(&stale).unwrap();
    fs::write(stale.join("events.csv"), "half").unwrap();
    // Killed between moving the old folder aside and moving the new one in.
    fs::rename(&out, t.path().join(format!(".r.old-{dead}"))).unwrap();
    // Another name's temporary is not ours to sweep.
    let other = t.path().join(format!(".other.tmp-{dead}"));
    fs::create_dir(&other).unwrap();
    let swept = drillsim::output::guard::sweep_stale(&out);
    assert_eq!(swept.len(), 2, "{swept:?}");
    assert!(!stale.exists());
    assert!(out.join("record.json").exists(), "old folder moved back");
    assert!(other.exists());
}

#[test]
fn a_batch_killed_and_resumed_gives_the_uninterrupted_result() {
    let t = tempfile::tempdir().unwrap();
    let whole = t.path().join("whole");
    let base = [
        "batch",
        "--runs",
        "24",
        "--jobs",
        "1",
        "--no-response",
        "--quiet",
    ];
    let mut args = base.to_vec();
    args.extend(["--out", s(&whole)]);
    assert!(drillsim(&args).status.success());
    let out = t.path().join("b");
    let mut args = base.to_vec();
    args.extend(["--out", s(&out)]);
    // SIGKILL at a few moments, then resume until done.
    for ms in [300u64, 700] {
        let mut a = args.clone();
        a.push("--resume");
        let child = bin()
            .args(&a)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(ms));
        signal(child.id(), "-KILL");
        let mut child = child;
        child.wait().unwrap();
        complete_or_absent(&out);
    }
    let mut a = args.clone();
    a.push("--resume");
    let o = drillsim(&a);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "runs.csv",
        "summary.csv",
        "aggregates.json",
        "report.md",
        ".drillsim",
    ] {
        assert_eq!(
            fs::read(whole.join(f)).unwrap(),
            fs::read(out.join(f)).unwrap(),
            "{f}"
        );
    }
    assert!(leftovers(t.path()).is_empty(), "{:?}", leftovers(t.path()));
}

/// A batch folder is either absent or complete (marker, batch.json and
/// every file the marker lists).
fn batch_complete_or_absent(out: &Path) {
    if out.exists() {
        let marker =
            fs::read_to_string(out.join(".drillsim")).expect("complete batch has a marker");
        for f in marker.lines().skip(2) {
            assert!(
                out.join(f).exists(),
                "{f} listed but missing in {}",
                out.display()
            );
        }
        assert!(out.join("batch.json").exists());
    }
}

#[test]
fn a_batch_interrupted_by_any_signal_at_random_moments_resumes_to_the_same_files() {
    use rand::{RngExt, SeedableRng};
    let t = tempfile::tempdir().unwrap();
    let base = ["batch", "--runs", "24", "--no-response", "--quiet"];
    let whole = t.path().join("whole");
    let mut args = base.to_vec();
    args.extend(["--jobs", "2", "--out", s(&whole)]);
    assert!(drillsim(&args).status.success());
    let out = t.path().join("b");
    let mut args = base.to_vec();
    args.extend(["--jobs", "1", "--resume", "--out", s(&out)]);
    // Seeded moments (the same every run of the test): SIGINT, SIGTERM and
    // SIGKILL in turn, each 0–1.5 s after the start of a resumed batch.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(12);
    let (mut killed, mut finished) = (0, false);
    for sig in ["-INT", "-TERM", "-KILL"].iter().cycle().take(9) {
        let ms = rng.random_range(0..1500u64);
        let child = bin()
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(ms));
        signal(child.id(), sig);
        let mut child = child;
        let status = child.wait().unwrap();
        batch_complete_or_absent(&out);
        if status.success() {
            finished = true;
            break;
        }
        killed += 1;
        if *sig != "-KILL" {
            let left = leftovers(t.path());
            assert!(left.is_empty(), "{sig} at {ms} ms left {left:?}");
        }
    }
    assert!(killed > 0, "no batch was interrupted");
    if !finished {
        let o = drillsim(&args);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for f in [
        "runs.csv",
        "summary.csv",
        "aggregates.json",
        "report.md",
        ".drillsim",
    ] {
        assert_eq!(
            fs::read(whole.join(f)).unwrap(),
            fs::read(out.join(f)).unwrap(),
            "{f}"
        );
    }
    assert!(leftovers(t.path()).is_empty(), "{:?}", leftovers(t.path()));
    eprintln!("batch interrupted {killed} times, then resumed to the same files");
}

// ---- 5. Plans `check` refuses, exit codes ------------------------------

#[test]
fn run_refuses_every_plan_check_calls_an_error() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let t = tempfile::tempdir().unwrap();
    let mut plans: Vec<PathBuf> = fs::read_dir(root.join("tests/data/bad-plans"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    plans.sort();
    let mut refused = 0;
    for p in &plans {
        let c = drillsim(&["check", s(p)]);
        if c.status.code() != Some(2) {
            continue;
        }
        let out = t.path().join("r");
        let o = drillsim(&["run", "--no-response", "--plan", s(p), "--out", s(&out)]);
        assert_eq!(o.status.code(), Some(2), "{}: {}", p.display(), stderr(&o));
        assert!(!out.exists(), "{}", p.display());
        refused += 1;
    }
    assert!(refused >= 10, "only {refused} bad plans");
}

#[test]
fn a_broken_or_self_contradicting_record_is_refused_at_its_position() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path().join("r");
    assert!(drillsim(&["run", "--out", s(&r)]).status.success());
    let good = fs::read_to_string(r.join("record.json")).unwrap();
    let before = fs::read(r.join("summary.json")).unwrap();
    // Syntax: the real line and column, not 1:1.
    fs::write(
        r.join("record.json"),
        format!("{{\n  \"scenario\": x{}", &good[1..]),
    )
    .unwrap();
    let o = drillsim(&["report", s(&r)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("record.json:2:15:"), "{}", stderr(&o));
    // Self-contradicting records.
    let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
    v["tick_min"] = 0.0.into();
    v["events"][0]["node"] = 99_999_999.into();
    v["tasks"][0]["state"] = "teleported".into();
    fs::write(r.join("record.json"), serde_json::to_vec(&v).unwrap()).unwrap();
    let o = drillsim(&["report", s(&r)]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(
        e.contains("tick_min: 0 is not a positive tick length"),
        "{e}"
    );
    assert!(
        e.contains("events[0].node: node index 99999999 out of range"),
        "{e}"
    );
    assert!(
        e.contains("tasks[0].state: unknown task state `teleported`"),
        "{e}"
    );
    assert_eq!(
        fs::read(r.join("summary.json")).unwrap(),
        before,
        "nothing written"
    );
    assert!(leftovers(t.path()).is_empty());
}

#[test]
fn a_missing_input_file_is_bad_input_exit_2_as_documented() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("r");
    for args in [
        vec!["run", "no/such/scenario.ron", "--out", s(&out)],
        vec!["run", "--teams", "no/such/teams.ron", "--out", s(&out)],
        vec!["run", "--plan", "no/such/plan.ron", "--out", s(&out)],
        vec!["run", "--topology", "no/such/dir", "--out", s(&out)],
        vec!["report", "no/such/run"],
    ] {
        let o = drillsim(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("no/such"), "{args:?}: {}", stderr(&o));
        assert!(!out.exists());
    }
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(readme.contains("including an input file that is missing or unreadable"));
}
