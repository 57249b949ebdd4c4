//! The batch pipeline: shards merged into what one machine writes (also
//! through the Slurm example's scripts), `--resume` after a stop or a
//! SIGKILL, `--teams` variants, the manifest's checks.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::util::assert_same_folders;

const BIN: &str = env!("CARGO_BIN_EXE_drillsim");
const STOP: &str = "DRILLSIM_BATCH_STOP_AFTER";

fn drillsim_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(BIN);
    c.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove(STOP);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("drillsim runs")
}

fn drillsim(args: &[&str]) -> Output {
    drillsim_env(args, &[])
}

fn ok(o: &Output) {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Two plans over seeds 3..3+runs, plus `extra`.
fn batch_args<'a>(out: &'a Path, runs: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "batch",
        "--plan",
        "sat-overall",
        "--plan",
        "unit-plan",
        "--runs",
        runs,
        "--seed",
        "3",
        "--out",
        out.to_str().unwrap(),
    ];
    a.extend_from_slice(extra);
    a
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn jobs_1_and_2_write_the_same_bytes_in_every_file() {
    let t = tempfile::tempdir().unwrap();
    let (a, b) = (t.path().join("j1"), t.path().join("j2"));
    // 2 × 13 runs: chunks of 8 and 16 end at different places.
    ok(&drillsim(&batch_args(
        &a,
        "13",
        &["--jobs", "1", "--lang", "en"],
    )));
    ok(&drillsim(&batch_args(
        &b,
        "13",
        &["--jobs", "2", "--lang", "en"],
    )));
    assert_same_folders(&a, &b);
    let files = entries(&a);
    for f in [
        "aggregates.json",
        "batch.json",
        "report.md",
        "runs.csv",
        "summary.csv",
    ] {
        assert!(files.contains(&f.to_string()), "{f} missing: {files:?}");
    }
    // No working folder is left behind.
    assert_eq!(entries(t.path()), ["j1", "j2"]);
    let m: serde_json::Value =
        serde_json::from_slice(&fs::read(a.join("batch.json")).unwrap()).unwrap();
    assert_eq!(m["info"]["lang"], "en");
    assert_eq!(m["info"]["runs"], 13);
    assert_eq!(m["shard"], serde_json::Value::Null);
    let roles: Vec<&str> = m["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        ["topology", "scenario", "plan", "plan", "teams", "scoring"]
    );
    assert!(
        m["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["fnv1a64"].as_str().unwrap().len() == 16)
    );
    // aggregates.json: one per variant, each over its 13 runs.
    let aggs: Vec<drillsim::batch::aggregate::VariantAgg> =
        serde_json::from_slice(&fs::read(a.join("aggregates.json")).unwrap()).unwrap();
    assert_eq!(aggs.len(), 2);
    assert!(aggs.iter().all(|g| g.runs == 13 && g.infected.runs == 13));
    // The default language is zh.
    let c = t.path().join("zh");
    ok(&drillsim(&batch_args(&c, "1", &[])));
    let m: serde_json::Value =
        serde_json::from_slice(&fs::read(c.join("batch.json")).unwrap()).unwrap();
    assert_eq!(m["info"]["lang"], "zh");
}

#[test]
fn three_shards_merge_into_the_one_machine_batch() {
    let t = tempfile::tempdir().unwrap();
    let one = t.path().join("one");
    ok(&drillsim(&batch_args(&one, "7", &["--jobs", "2"])));
    let mut dirs = Vec::new();
    for i in 1..=3 {
        let d = t.path().join(format!("s{i}"));
        let shard = format!("{i}/3");
        ok(&drillsim(&batch_args(
            &d,
            "7",
            &["--shard", &shard, "--jobs", "1"],
        )));
        assert_eq!(
            entries(&d),
            [".drillsim", "aggregates.json", "batch.json", "runs.csv"]
        );
        dirs.push(d);
    }
    // Shard 2/3 of 7 runs holds seed indices 2..4 (seeds 5, 6) of each plan.
    let rows = fs::read_to_string(dirs[1].join("runs.csv")).unwrap();
    let seeds: Vec<&str> = rows
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap())
        .collect();
    assert_eq!(seeds, ["5", "6", "5", "6"]);
    // Given in any order.
    let merged = t.path().join("merged");
    let o = drillsim(&[
        "merge",
        dirs[2].to_str().unwrap(),
        dirs[0].to_str().unwrap(),
        dirs[1].to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    ok(&o);
    assert_same_folders(&one, &merged);
}

#[test]
fn merge_copies_the_runs_the_shards_kept() {
    let t = tempfile::tempdir().unwrap();
    let one = t.path().join("one");
    ok(&drillsim(&batch_args(&one, "3", &["--keep-runs"])));
    let mut dirs = Vec::new();
    for i in 1..=2 {
        let d = t.path().join(format!("s{i}"));
        let shard = format!("{i}/2");
        ok(&drillsim(&batch_args(
            &d,
            "3",
            &["--shard", &shard, "--keep-runs"],
        )));
        dirs.push(d);
    }
    let merged = t.path().join("merged");
    let args = |out: &Path, ds: &[&Path]| {
        let mut a = vec!["merge".to_string()];
        a.extend(ds.iter().map(|d| d.to_str().unwrap().to_string()));
        a.extend(["--out".to_string(), out.to_str().unwrap().to_string()]);
        a
    };
    let a = args(&merged, &[&dirs[0], &dirs[1]]);
    ok(&drillsim(&a.iter().map(String::as_str).collect::<Vec<_>>()));
    // Six run folders (2 plans × 3 seeds), each record byte for byte the
    // one-machine batch's.
    assert_eq!(entries(&merged.join("runs")).len(), 6);
    assert_same_folders(&one, &merged);
    // A shard without its runs beside one with them is refused.
    let bare = t.path().join("bare");
    ok(&drillsim(&batch_args(&bare, "3", &["--shard", "2/2"])));
    let refused = t.path().join("refused");
    let a = args(&refused, &[&dirs[0], &bare]);
    let o = drillsim(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("--keep-runs"), "{}", err(&o));
    assert!(!refused.exists());
}

#[test]
fn merge_refuses_foreign_missing_and_duplicate_shards() {
    let t = tempfile::tempdir().unwrap();
    let s = |name: &str, shard: &str, seed: &str| {
        let d = t.path().join(name);
        let mut a = batch_args(&d, "4", &["--shard", shard]);
        a[8] = seed;
        ok(&drillsim(&a));
        d
    };
    let a1 = s("a1", "1/2", "3");
    let a2 = s("a2", "2/2", "3");
    let b2 = s("b2", "2/2", "9");
    let out = t.path().join("out");
    let merge = |dirs: &[&PathBuf]| {
        let mut args: Vec<&str> = vec!["merge"];
        args.extend(dirs.iter().map(|d| d.to_str().unwrap()));
        args.extend(["--out", out.to_str().unwrap()]);
        drillsim(&args)
    };
    let o = merge(&[&a1, &b2]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    let e = err(&o);
    assert!(
        e.contains("different batches")
            && e.contains("b2")
            && e.contains("a1")
            && e.contains("seed: 9 vs 3"),
        "{e}"
    );
    let o = merge(&[&a2]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("1/2 missing"), "{}", err(&o));
    let a2copy = t.path().join("a2copy");
    fs::create_dir(&a2copy).unwrap();
    for f in entries(&a2) {
        fs::copy(a2.join(&f), a2copy.join(&f)).unwrap();
    }
    let o = merge(&[&a1, &a2, &a2copy]);
    assert_eq!(o.status.code(), Some(2));
    let e = err(&o);
    assert!(
        e.contains("shard 2/2 given 2 times") && e.contains("a2copy"),
        "{e}"
    );
    // A shard whose runs.csv lost a row is refused, naming it.
    let rows = fs::read_to_string(a2copy.join("runs.csv")).unwrap();
    let cut: Vec<&str> = rows.lines().collect();
    fs::write(
        a2copy.join("runs.csv"),
        cut[..cut.len() - 1].join("\n") + "\n",
    )
    .unwrap();
    let o = merge(&[&a1, &a2copy]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("a2copy") && err(&o).contains("does not hold exactly"),
        "{}",
        err(&o)
    );
    // A whole batch is not a shard.
    let whole = t.path().join("whole");
    ok(&drillsim(&batch_args(&whole, "2", &[])));
    let o = merge(&[&whole]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("not a shard"), "{}", err(&o));
    assert!(!out.exists(), "a refused merge wrote its output");
    // --shard beyond --runs is bad input.
    let o = drillsim(&batch_args(&t.path().join("x"), "2", &["--shard", "1/3"]));
    assert_eq!(o.status.code(), Some(2));
    let o = drillsim(&batch_args(&t.path().join("x"), "2", &["--shard", "3/2"]));
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn resume_after_a_stop_ends_identical_and_redoes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let whole = t.path().join("whole");
    ok(&drillsim(&batch_args(
        &whole,
        "10",
        &["--jobs", "2", "--keep-runs"],
    )));
    let out = t.path().join("cut");
    let work = t.path().join(".cut.partial");
    // Chunks of 8 runs with --jobs 1: stops after 16 of 20.
    let o = drillsim_env(
        &batch_args(&out, "10", &["--jobs", "1", "--keep-runs"]),
        &[(STOP, "9")],
    );
    assert_eq!(o.status.code(), Some(9), "{}", err(&o));
    assert!(!out.exists() && work.is_dir());
    let cp: serde_json::Value =
        serde_json::from_slice(&fs::read(work.join("checkpoint.json")).unwrap()).unwrap();
    assert_eq!(cp["rows"], 16);
    // A kill mid-chunk leaves rows past the checkpoint: they are dropped.
    let mut f = fs::OpenOptions::new()
        .append(true)
        .open(work.join("runs.csv"))
        .unwrap();
    std::io::Write::write_all(&mut f, b"national-worm,unit-plan,default,11,half a row").unwrap();
    drop(f);
    // Other arguments: refused, saying what differs, the folder kept.
    let o = drillsim(&batch_args(
        &out,
        "10",
        &["--jobs", "1", "--keep-runs", "--resume", "--lang", "en"],
    ));
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("lang: zh vs en"), "{}", err(&o));
    let o = drillsim(&batch_args(&out, "10", &["--jobs", "1", "--resume"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--keep-runs"), "{}", err(&o));
    assert!(work.is_dir());
    // Resumed (with another --jobs): only the 4 missing runs are run.
    let o = drillsim(&batch_args(
        &out,
        "10",
        &["--jobs", "2", "--keep-runs", "--resume"],
    ));
    ok(&o);
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(said.contains("16 resumed, 4 run now"), "{said}");
    assert!(!work.exists());
    assert_same_folders(&whole, &out);
}

#[test]
fn without_resume_a_dead_batch_is_replaced_and_said_so() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("b");
    let o = drillsim_env(&batch_args(&out, "6", &["--jobs", "1"]), &[(STOP, "1")]);
    assert_eq!(o.status.code(), Some(9));
    let o = drillsim(&batch_args(&out, "6", &["--jobs", "1"]));
    ok(&o);
    assert!(
        err(&o).contains("replacing") && err(&o).contains(".b.partial"),
        "{}",
        err(&o)
    );
    let whole = t.path().join("whole");
    ok(&drillsim(&batch_args(&whole, "6", &[])));
    assert_same_folders(&whole, &out);
}

#[test]
fn resume_after_sigkill_ends_identical() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("killed");
    let work = t.path().join(".killed.partial");
    let args = batch_args(&out, "40", &["--jobs", "1", "--quiet"]);
    let mut child = Command::new(BIN)
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove(STOP)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait (on the file, not the clock) for the first checkpoint, then kill -9.
    let cp = work.join("checkpoint.json");
    let mut exited = None;
    while !cp.exists() {
        if let Some(s) = child.try_wait().unwrap() {
            exited = Some(s);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert!(
        exited.is_none(),
        "the batch ended before its first checkpoint: {exited:?}"
    );
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    assert!(work.is_dir());
    let mut resume = args.clone();
    resume.push("--resume");
    ok(&drillsim(&resume));
    let whole = t.path().join("whole");
    ok(&drillsim(&batch_args(
        &whole,
        "40",
        &["--jobs", "2", "--quiet"],
    )));
    assert_same_folders(&whole, &out);
}

#[test]
fn slurm_array_script_shards_merge_into_one_machine_batch() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("skipped: bash is not installed");
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/slurm");
    let env = [
        ("DRILLSIM", BIN),
        ("DRILLSIM_OUT", t.path().to_str().unwrap()),
        ("DRILLSIM_RUNS", "5"),
        ("DRILLSIM_SEED", "3"),
        ("DRILLSIM_ARGS", "--plan sat-overall --plan unit-plan"),
        ("SLURM_ARRAY_TASK_COUNT", "3"),
    ];
    let bash = |script: &str, task: Option<u32>| {
        let mut c = Command::new("bash");
        c.arg(root.join(script)).env_remove(STOP);
        for (k, v) in env {
            c.env(k, v);
        }
        if let Some(i) = task {
            c.env("SLURM_ARRAY_TASK_ID", i.to_string());
        }
        let o = c.output().unwrap();
        ok(&o);
    };
    for i in 1..=3 {
        bash("shard.sbatch", Some(i));
    }
    bash("merge.sbatch", None);
    let one = t.path().join("one");
    ok(&drillsim(&batch_args(&one, "5", &[])));
    assert_same_folders(&one, &t.path().join("merged"));
}

#[test]
fn teams_variants_get_a_column_and_compare_reads_it() {
    let t = tempfile::tempdir().unwrap();
    let teams = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/teams.ron");
    let copy = t.path().join("same-staff.ron");
    fs::copy(&teams, &copy).unwrap();
    let out = t.path().join("teams");
    ok(&drillsim(&[
        "batch",
        "--teams",
        teams.to_str().unwrap(),
        "--teams",
        copy.to_str().unwrap(),
        "--runs",
        "3",
        "--keep-runs",
        "--out",
        out.to_str().unwrap(),
    ]));
    let csv = fs::read_to_string(out.join("runs.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("scenario,plan,teams,seed,"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), 1 + 2 * 3);
    let key = |l: &str| l.split(',').take(4).collect::<Vec<_>>().join(",");
    assert_eq!(key(lines[1]), "national-worm,sat-overall,teams,1");
    assert_eq!(key(lines[4]), "national-worm,sat-overall,same-staff,1");
    // The same teams under two names: common random numbers give the same runs.
    let rest = |l: &str| l.splitn(4, ',').nth(3).unwrap().to_string();
    assert_eq!(rest(lines[1]), rest(lines[4]));
    let m: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("batch.json")).unwrap()).unwrap();
    assert_eq!(m["info"]["variants"][1]["teams"], "same-staff");
    assert_eq!(entries(&out.join("runs")).len(), 6);
    let s = fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(s.starts_with("scenario,plan,teams,metric,"));
    // compare reads the new header; an old or foreign header is refused.
    let c = t.path().join("cmp");
    ok(&drillsim(&[
        "compare",
        out.to_str().unwrap(),
        out.to_str().unwrap(),
        "--out",
        c.to_str().unwrap(),
    ]));
    let md = fs::read_to_string(c.join("report.md")).unwrap();
    assert!(md.contains("teams `same-staff`"), "{md}");
    let old = t.path().join("old");
    fs::create_dir(&old).unwrap();
    let old_csv: Vec<String> = csv
        .lines()
        .map(|l| {
            let mut f: Vec<&str> = l.split(',').collect();
            f.remove(2);
            f.join(",")
        })
        .collect();
    fs::write(old.join("runs.csv"), old_csv.join("\n")).unwrap();
    let o = drillsim(&[
        "compare",
        old.to_str().unwrap(),
        out.to_str().unwrap(),
        "--out",
        c.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("older drillsim") && err(&o).contains("row 1, column 3"),
        "{}",
        err(&o)
    );
    fs::write(old.join("runs.csv"), "a,b,c\n1,2,3\n").unwrap();
    let o = drillsim(&[
        "compare",
        old.to_str().unwrap(),
        out.to_str().unwrap(),
        "--out",
        c.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("header has 3 columns"), "{}", err(&o));
}
