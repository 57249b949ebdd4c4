//! Fuzzing harness: a deterministic, structure-aware mutation fuzzer of our
//! own (seeded ChaCha8, no nightly, no libFuzzer, no network), one target per
//! parser and validator. Each case takes a bundled file (the seeds), applies
//! one to four mutations — bit flips, interesting bytes, truncation, deleted,
//! duplicated or swapped lines and CSV cells, numbers replaced by extremes,
//! non-UTF-8 bytes, huge strings, deep nesting, tokens spliced from other
//! seeds — and calls the library's parse + validate entry point in-process
//! (what the CLI calls). Every case must return without a panic (caught with
//! `catch_unwind`), and a refused input must come back with at least one
//! diagnostic that names the file and a position inside it (line:col within
//! the text, or a CSV row within the file).
//!
//! `cargo test --release --test main fuzz` runs a short budget per target
//! (CI); `FUZZ_CASES=1000000 cargo test --release --test main fuzz::
//! -- --nocapture --test-threads 1` runs a million inputs per target and
//! prints cases per second. `FUZZ_SEED=N` changes the random stream. A
//! finding is written to `$CARGO_TARGET_TMPDIR/fuzz-findings/` and fails the
//! test; the fixed inputs are kept in `tests/data/fuzz/<target>/` and run
//! first, every time.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use drillsim::model::{Diagnostics, topology::Topology};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Cases per target in a normal test run (a few seconds in release).
const CI_CASES: u64 = 3_000;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// What an input of a target is: one file, or several (topology: nodes,
/// links, provinces); a case mutates one of them.
type Input = Vec<Vec<u8>>;

/// A refused input's diagnostics.
struct Refused {
    diags: Diagnostics,
}

/// A target's parse + validate call.
type Parse = dyn Fn(&Input) -> Result<(), Refused> + Sync;

struct Target {
    name: &'static str,
    seeds: Vec<Input>,
    /// Parses and validates; `Err` with the diagnostics of a refusal.
    run: Box<Parse>,
    /// The files the diagnostics may name, in the order of an input's parts.
    files: Vec<PathBuf>,
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn national() -> &'static Arc<Topology> {
    static T: OnceLock<Arc<Topology>> = OnceLock::new();
    T.get_or_init(|| drillsim::app::load_topology(None).unwrap())
}

fn tree() -> &'static Arc<Topology> {
    static T: OnceLock<Arc<Topology>> = OnceLock::new();
    T.get_or_init(|| {
        drillsim::app::load_topology(Some(&root().join("tests/data/tree-topology"))).unwrap()
    })
}

fn ron_seeds(dirs: &[&str], files: &[&str]) -> Vec<Input> {
    let mut out = Vec::new();
    for d in dirs {
        let mut names: Vec<PathBuf> = std::fs::read_dir(root().join(d))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "ron" || x == "csv"))
            .collect();
        names.sort();
        out.extend(names.iter().map(|p| vec![std::fs::read(p).unwrap()]));
    }
    out.extend(files.iter().map(|f| vec![read(f)]));
    out
}

fn target(name: &str) -> Target {
    let p = |s: &str| PathBuf::from(s);
    match name {
        "scenario" => Target {
            name: "scenario",
            seeds: ron_seeds(&["scenarios", "tests/data/bad-scenarios"], &[]),
            files: vec![p("fuzz.ron")],
            run: Box::new(|i| {
                drillsim::model::scenario_file::parse(
                    &lossy(&i[0]),
                    Path::new("fuzz.ron"),
                    "fuzz",
                    national(),
                )
                .map(drop)
                .map_err(|diags| Refused { diags })
            }),
        },
        "plan" => Target {
            name: "plan",
            seeds: ron_seeds(&["scenarios/plans", "tests/data/plans"], &[]),
            files: vec![p("fuzz.ron")],
            run: Box::new(|i| {
                let r = drillsim::check::check_source(&lossy(&i[0]), Path::new("fuzz.ron"), "fuzz");
                if r.plan.is_some() && !r.has_errors() {
                    Ok(())
                } else {
                    Err(Refused {
                        diags: Diagnostics(r.errors().cloned().collect()),
                    })
                }
            }),
        },
        "teams" => Target {
            name: "teams",
            seeds: ron_seeds(
                &[],
                &["assets/teams.ron", "tests/data/library/bad-teams.ron"],
            ),
            files: vec![p("fuzz.ron")],
            run: Box::new(|i| {
                drillsim::model::teams_file::parse_for(
                    &lossy(&i[0]),
                    Path::new("fuzz.ron"),
                    &national().provinces,
                )
                .map(drop)
                .map_err(|diags| Refused { diags })
            }),
        },
        "scoring" => Target {
            name: "scoring",
            seeds: ron_seeds(
                &[],
                &["assets/scoring.ron", "tests/data/library/bad-scoring.ron"],
            ),
            files: vec![p("fuzz.ron")],
            run: Box::new(|i| {
                drillsim::score::thresholds::parse(&lossy(&i[0]), Path::new("fuzz.ron"))
                    .map(drop)
                    .map_err(|diags| Refused { diags })
            }),
        },
        "topology" => {
            let mut seeds = Vec::new();
            for d in ["tests/data/tree-topology", "tests/data/one-node-topology"] {
                let dir = root().join(d);
                let prov = std::fs::read(dir.join("provinces.csv")).unwrap_or_default();
                seeds.push(vec![
                    std::fs::read(dir.join("nodes.csv")).unwrap(),
                    std::fs::read(dir.join("links.csv")).unwrap(),
                    prov,
                ]);
            }
            // One seed with a provinces.csv, written from the tree.
            let tree =
                drillsim::model::topology_csv::import(&root().join("tests/data/tree-topology"))
                    .unwrap();
            let files = drillsim::model::topology_csv::files(&tree).unwrap();
            let get = |n: &str| files.iter().find(|f| f.0 == n).map(|f| f.1.clone());
            seeds.push(vec![
                get("nodes.csv").unwrap(),
                get("links.csv").unwrap(),
                get("provinces.csv").unwrap_or_default(),
            ]);
            Target {
                name: "topology",
                seeds,
                files: vec![
                    p("fuzz/nodes.csv"),
                    p("fuzz/links.csv"),
                    p("fuzz/provinces.csv"),
                ],
                run: Box::new(|i| {
                    use drillsim::model::topology_csv::{CsvFiles, import_bytes};
                    import_bytes(
                        Path::new("fuzz"),
                        CsvFiles {
                            nodes: &i[0],
                            links: &i[1],
                            // An empty third part: no provinces.csv.
                            provinces: (!i[2].is_empty()).then_some(&i[2][..]),
                        },
                    )
                    .map(drop)
                    .map_err(|diags| Refused { diags })
                }),
            }
        }
        "drill_log" => {
            static PLAN: OnceLock<Arc<drillsim::model::plan::Plan>> = OnceLock::new();
            PLAN.get_or_init(|| drillsim::app::load_plan("sat-overall").unwrap());
            // The logs name Sichuan's bureau; on the small tree network (fast
            // to resolve names against) that is province 1's.
            let mut seeds = ron_seeds(&["tests/data/drill"], &["assets/drill-log-template.csv"]);
            seeds.retain(|s| !s[0].starts_with(b"//"));
            for s in &mut seeds {
                let t = lossy(&s[0])
                    .replace(",sc,", ",p1,")
                    .replace(",sc,", ",p1,")
                    .replace("四川省税务局", "第1省局");
                s[0] = t.into_bytes();
            }
            Target {
                name: "drill_log",
                seeds,
                files: vec![p("fuzz.csv")],
                run: Box::new(|i| {
                    let start: jiff::civil::DateTime = "2026-09-14T09:00:00".parse().unwrap();
                    drillsim::drill::log::parse(
                        &i[0],
                        Path::new("fuzz.csv"),
                        tree(),
                        PLAN.get().unwrap(),
                        start,
                    )
                    .map(drop)
                    .map_err(|diags| Refused { diags })
                }),
            }
        }
        "record" => Target {
            name: "record",
            seeds: vec![vec![small_record()]],
            files: vec![p("fuzz/record.json")],
            run: Box::new(|i| {
                drillsim::output::record_check::parse(&i[0], Path::new("fuzz/record.json"))
                    .map(drop)
                    .map_err(|diags| Refused { diags })
            }),
        },
        _ => panic!("no fuzz target {name}"),
    }
}

/// A real `record.json` of a short run on the one-node network (small, so
/// a million cases take minutes, not hours).
fn small_record() -> Vec<u8> {
    let t = tempfile::tempdir().unwrap();
    let sc = t.path().join("sc.ron");
    std::fs::write(
        &sc,
        r#"Scenario(
    name: "fuzz seed",
    start: "2026-09-14T09:00:00",
    duration: "2h",
    tick: "10m",
    injects: [
        (at: "+0m", what: Worm((
            name: "w",
            initial_nodes: ["hq"],
            beta_per_hour: 2.0,
            tau_per_hour: 0.0,
        ))),
        (at: "+30m", what: NodeFailure((node: "hq", duration: Some("1h")))),
    ],
)"#,
    )
    .unwrap();
    // The one-node network with the national provinces (the bundled teams
    // name them).
    let topo = t.path().join("topo");
    std::fs::create_dir(&topo).unwrap();
    for f in ["nodes.csv", "links.csv"] {
        std::fs::copy(
            root().join("tests/data/one-node-topology").join(f),
            topo.join(f),
        )
        .unwrap();
    }
    let files = drillsim::model::topology_csv::files(national()).unwrap();
    let prov = files.iter().find(|f| f.0 == "provinces.csv").unwrap();
    std::fs::write(topo.join("provinces.csv"), &prov.1).unwrap();
    let out = t.path().join("run");
    drillsim::app::run(&drillsim::app::RunArgs {
        scenario: Some(sc),
        topology: Some(topo),
        out: Some(out.clone()),
        seed: 1,
        ..Default::default()
    })
    .unwrap();
    std::fs::read(out.join("record.json")).unwrap()
}

// ---------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------

const EXTREMES: [&str; 16] = [
    "0",
    "-1",
    "-0.0",
    "1e308",
    "-1e308",
    "1e-320",
    "NaN",
    "inf",
    "-inf",
    "18446744073709551616",
    "-9223372036854775809",
    "4294967295",
    "4294967296",
    "65536",
    "99999999999999999999999999999",
    "0.0000000000000000001",
];

const INTERESTING: [u8; 18] = [
    0, 0xff, b'"', b'(', b')', b'[', b']', b'{', b'}', b',', b'\n', b':', b';', b'\\', 0xc3, 0x80,
    b'\r', b'\'',
];

fn span_of<F: Fn(u8) -> bool>(b: &[u8], at: usize, is: F) -> (usize, usize) {
    let mut s = at;
    while s > 0 && is(b[s - 1]) {
        s -= 1;
    }
    let mut e = at;
    while e < b.len() && is(b[e]) {
        e += 1;
    }
    (s, e)
}

/// Start and end of the line (without its newline) holding byte `at`.
fn line_at(b: &[u8], at: usize) -> (usize, usize) {
    span_of(b, at, |c| c != b'\n')
}

fn is_num(c: u8) -> bool {
    c.is_ascii_digit() || c == b'.' || c == b'-' || c == b'e' || c == b'E' || c == b'+'
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

fn mutate(rng: &mut ChaCha8Rng, b: &mut Vec<u8>, dict: &[Vec<u8>]) {
    let len = b.len();
    let at = if len == 0 {
        0
    } else {
        rng.random_range(0..len)
    };
    match rng.random_range(0..14u32) {
        0 if len > 0 => b[at] ^= 1 << rng.random_range(0..8u32),
        1 if len > 0 => b[at] = INTERESTING[rng.random_range(0..INTERESTING.len())],
        2 => b.truncate(at),
        3 if len > 0 => {
            let n = rng.random_range(1..=16usize.min(len - at));
            b.drain(at..at + n);
        }
        // Delete a line (a RON field, a CSV row).
        4 if len > 0 => {
            let (s, e) = line_at(b, at);
            b.drain(s..(e + 1).min(len));
        }
        // Duplicate a line.
        5 if len > 0 => {
            let (s, e) = line_at(b, at);
            let line: Vec<u8> = b[s..(e + 1).min(len)].to_vec();
            b.splice(s..s, line);
        }
        // Delete or duplicate a CSV cell / list item.
        6 if len > 0 => {
            let (s, e) = span_of(b, at, |c| c != b',' && c != b'\n');
            if rng.random_bool(0.5) {
                b.drain(s..(e + 1).min(len));
            } else {
                let cell: Vec<u8> = b[s..(e + 1).min(len)].to_vec();
                b.splice(s..s, cell);
            }
        }
        // A number replaced by an extreme.
        7 => {
            let digits: Vec<usize> = (0..len).filter(|&i| b[i].is_ascii_digit()).collect();
            if digits.is_empty() {
                return;
            }
            let (s, e) = span_of(b, digits[rng.random_range(0..digits.len())], is_num);
            let x = EXTREMES[rng.random_range(0..EXTREMES.len())];
            b.splice(s..e, x.bytes());
        }
        // Non-UTF-8.
        8 => {
            let bad: &[&[u8]] = &[
                b"\xff",
                b"\xc0\x80",
                b"\xed\xa0\x80",
                b"\xe6\x98",
                b"\xef\xbb\xbf",
            ];
            b.splice(at..at, bad[rng.random_range(0..bad.len())].iter().copied());
        }
        // A huge string or token.
        9 => {
            // Mostly long, now and then huge (a whole case costs its length).
            let max = if rng.random_bool(0.05) {
                200_000
            } else {
                2_000
            };
            let n = rng.random_range(1..=max);
            let unit: &[u8] = ["A".as_bytes(), "星".as_bytes(), b"9", b" "][rng.random_range(0..4)];
            let q = b
                .iter()
                .position(|&c| c == b'"')
                .map(|q| q + 1)
                .unwrap_or(at);
            let q = if rng.random_bool(0.5) { q } else { at };
            b.splice(q..q, unit.iter().copied().cycle().take(n * unit.len()));
        }
        // Deep nesting.
        10 => {
            let n = rng.random_range(1..=5_000usize);
            let open = [b'(', b'[', b'{'][rng.random_range(0..3)];
            b.splice(at..at, std::iter::repeat_n(open, n));
        }
        // A token from another seed.
        11 if !dict.is_empty() && len > 0 => {
            let (s, e) = span_of(b, at, is_ident);
            let w = &dict[rng.random_range(0..dict.len())];
            b.splice(s..e, w.iter().copied());
        }
        // Copy a chunk elsewhere.
        12 if len > 0 => {
            let n = rng.random_range(1..=256usize.min(len - at));
            let chunk: Vec<u8> = b[at..at + n].to_vec();
            let to = rng.random_range(0..=len);
            b.splice(to..to, chunk);
        }
        // Swap two lines.
        13 if len > 0 => {
            let (s1, e1) = line_at(b, at);
            let (s2, e2) = line_at(b, rng.random_range(0..len));
            if e1 < s2 {
                let l1 = b[s1..e1].to_vec();
                let l2 = b[s2..e2].to_vec();
                b.splice(s2..e2, l1);
                b.splice(s1..e1, l2);
            }
        }
        _ => b.clear(),
    }
}

// ---------------------------------------------------------------------------
// The loop
// ---------------------------------------------------------------------------

/// Checks that a refusal names one of the files and a position inside it.
fn positioned(t: &Target, input: &Input, r: &Refused) -> Result<(), String> {
    if r.diags.is_empty() {
        return Err("refused with no diagnostic".into());
    }
    for d in &r.diags.0 {
        let Some(k) = t.files.iter().position(|f| *f == d.file) else {
            return Err(format!("diagnostic names another file: {d}"));
        };
        let text = &input[k];
        // A CSV record may also end at a lone `\r` (old Mac line ends).
        let ends: &[u8] = if d.csv { b"\n\r" } else { b"\n" };
        let lines = text.iter().filter(|c| ends.contains(c)).count() + 1;
        if d.line < 1 || d.col < 1 || d.line > lines + 1 {
            return Err(format!(
                "position {}:{} outside the file ({lines} lines): {d}",
                d.line, d.col
            ));
        }
        // Rendering must not panic either (snippet, caret).
        let _ = d.to_string();
    }
    let _ = r.diags.to_string();
    Ok(())
}

fn finding_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-findings")
}

/// The fixed inputs of earlier findings: `tests/data/fuzz/<target>/*`
/// (one file; a topology finding is a folder with its CSVs).
fn regressions(t: &Target) -> Vec<Input> {
    let dir = root().join("tests/data/fuzz").join(t.name);
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = rd.map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            if p.is_dir() {
                ["nodes.csv", "links.csv", "provinces.csv"]
                    .iter()
                    .map(|f| std::fs::read(p.join(f)).unwrap_or_default())
                    .collect()
            } else {
                vec![std::fs::read(p).unwrap()]
            }
        })
        .collect()
}

fn fuzz(name: &str) {
    let t = target(name);
    let cases: u64 = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CI_CASES);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!(!t.seeds.is_empty(), "{name}: no seeds");
    let dict: Vec<Vec<u8>> = t
        .seeds
        .iter()
        .flatten()
        .flat_map(|f| f.split(|&c| !is_ident(c)).filter(|w| !w.is_empty()))
        .map(<[u8]>::to_vec)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(
        name.bytes()
            .fold(0u64, |h, c| h.wrapping_mul(31).wrapping_add(c as u64)),
    );

    let mut findings: Vec<String> = Vec::new();
    let (mut accepted, mut refused) = (0u64, 0u64);
    let mut slowest = (0f64, 0u64);
    let mut check = |i: u64, input: &Input, findings: &mut Vec<String>| {
        let t0 = Instant::now();
        let res = catch_unwind(AssertUnwindSafe(|| (t.run)(input)));
        let dt = t0.elapsed().as_secs_f64();
        if dt > slowest.0 {
            slowest = (dt, i);
        }
        let problem = match res {
            Err(e) => Some(format!(
                "panic: {}",
                e.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            )),
            Ok(Ok(())) => {
                accepted += 1;
                None
            }
            Ok(Err(r)) => {
                refused += 1;
                positioned(&t, input, &r).err()
            }
        };
        if let Some(p) = problem {
            let dir = finding_dir().join(format!("{name}-{seed}-{i}"));
            std::fs::create_dir_all(&dir).unwrap();
            for (k, f) in t.files.iter().enumerate() {
                std::fs::write(dir.join(f.file_name().unwrap()), &input[k]).unwrap();
            }
            findings.push(format!("case {i}: {p} (input in {})", dir.display()));
        }
    };
    // Earlier findings and the unmutated seeds first.
    for input in regressions(&t).iter().chain(&t.seeds) {
        check(u64::MAX, input, &mut findings);
    }
    let t0 = Instant::now();
    for i in 0..cases {
        let mut input = t.seeds[rng.random_range(0..t.seeds.len())].clone();
        for _ in 0..rng.random_range(1..=4u32) {
            let part = rng.random_range(0..input.len());
            mutate(&mut rng, &mut input[part], &dict);
        }
        check(i, &input, &mut findings);
        if (i + 1) % 100_000 == 0 {
            eprintln!(
                "fuzz {name}: {} cases, {:.0} s, {} findings",
                i + 1,
                t0.elapsed().as_secs_f64(),
                findings.len()
            );
        }
        if findings.len() >= 20 {
            break;
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "fuzz {name}: {cases} cases (seed {seed}) in {secs:.1} s = {:.0} cases/s; \
         {accepted} accepted, {refused} refused with a position; slowest case {:.1} ms (#{}); \
         {} findings",
        cases as f64 / secs,
        slowest.0 * 1e3,
        slowest.1,
        findings.len()
    );
    assert!(findings.is_empty(), "{name}:\n{}", findings.join("\n"));
}

#[test]
fn scenario() {
    fuzz("scenario");
}

#[test]
fn plan() {
    fuzz("plan");
}

#[test]
fn teams() {
    fuzz("teams");
}

#[test]
fn scoring() {
    fuzz("scoring");
}

#[test]
fn topology() {
    fuzz("topology");
}

#[test]
fn drill_log() {
    fuzz("drill_log");
}

#[test]
fn record() {
    fuzz("record");
}
