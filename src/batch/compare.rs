//! `drillsim compare DIR_A DIR_B`: paired differences between two saved
//! batches, read back from their `runs.csv`.
//!
//! Every variant of B is compared with every variant of A that has the same
//! scenario, pairing runs by seed; both must hold exactly the same seeds.
//! The tables and verdicts are those of `batch` (`report::paired_section`).

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use super::report::paired_section;
use super::{METRICS, RunRow, runs_header};
use crate::app::Error;
use crate::model::{Diagnostic, Diagnostics};
use crate::score::{Capability, Rating};

/// A variant as `runs.csv` names it: (scenario, plan, teams) slugs.
pub type VariantKey = (String, String, String);

/// A batch folder read back: its variants (scenario, plan, teams slugs, in
/// order of first appearance) and rows (in (variant, seed) order).
#[derive(Debug, Clone)]
pub struct SavedBatch {
    pub dir: PathBuf,
    pub variants: Vec<VariantKey>,
    pub rows: Vec<RunRow>,
}

fn parse_rating(s: &str) -> Option<Option<Rating>> {
    match s {
        "" => Some(None),
        "P" => Some(Some(Rating::P)),
        "S" => Some(Some(Rating::S)),
        "M" => Some(Some(Rating::M)),
        "U" => Some(Some(Rating::U)),
        _ => None,
    }
}

/// Parses the bytes of a `runs.csv` (`path` only names it in messages):
/// the variants in order of first appearance and the rows in file order
/// (`RunRow::variant` indexes the variants). Every bad row or field is
/// reported with its CSV row (header = 1) and column; a `runs.csv` of an
/// older drillsim (no `teams` column) or of another program is refused.
pub fn parse_runs(
    path: &Path,
    bytes: &[u8],
) -> Result<(Vec<VariantKey>, Vec<RunRow>), Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = r.records();
    let want = runs_header();
    match records.next() {
        Some(Ok(h)) => {
            let got: Vec<&str> = h.iter().collect();
            let old: Vec<&String> = want.iter().filter(|c| *c != "teams").collect();
            if got.len() == old.len() && got.iter().zip(&old).all(|(a, b)| a == b) {
                problems.push(Diagnostic::csv(
                    path,
                    1,
                    3,
                    "runs.csv of an older drillsim (no `teams` column after `plan`): run the batch again",
                ));
            } else if got.len() != want.len() {
                problems.push(Diagnostic::csv(
                    path,
                    1,
                    got.len().min(want.len()) + 1,
                    format!(
                        "header has {} columns, a batch runs.csv has {}",
                        got.len(),
                        want.len()
                    ),
                ));
            } else if let Some(i) = (0..want.len()).find(|&i| got[i] != want[i]) {
                problems.push(Diagnostic::csv(
                    path,
                    1,
                    i + 1,
                    format!("expected column `{}`, found `{}`", want[i], got[i]),
                ));
            }
        }
        Some(Err(e)) => problems.push(Diagnostic::csv(path, 1, 1, e.to_string())),
        None => problems.push(Diagnostic::csv(path, 1, 1, "empty runs.csv")),
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    const SEED: usize = 3;
    let mut variants: Vec<VariantKey> = Vec::new();
    let mut rows = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, rec) in records.enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => crate::output::cells::read_record(&r),
            Err(e) => {
                problems.push(Diagnostic::csv(path, line, 1, e.to_string()));
                continue;
            }
        };
        if rec.len() != want.len() {
            problems.push(Diagnostic::csv(
                path,
                line,
                rec.len().min(want.len()) + 1,
                format!("row has {} fields, expected {}", rec.len(), want.len()),
            ));
            continue;
        }
        let key = (rec[0].to_string(), rec[1].to_string(), rec[2].to_string());
        let seed = match rec[SEED].parse::<u64>() {
            Ok(s) => s,
            Err(_) => {
                problems.push(Diagnostic::csv(
                    path,
                    line,
                    SEED + 1,
                    format!("seed `{}` is not a whole number", &rec[SEED]),
                ));
                continue;
            }
        };
        let mut values = Vec::with_capacity(METRICS.len());
        for (mi, m) in METRICS.iter().enumerate() {
            let f = &rec[SEED + 1 + mi];
            if f.is_empty() {
                values.push(None);
            } else {
                match f.parse::<f64>() {
                    Ok(x) if x.is_finite() => values.push(Some(x)),
                    _ => {
                        problems.push(Diagnostic::csv(
                            path,
                            line,
                            SEED + 2 + mi,
                            format!("{} `{f}` is not a number", m.name),
                        ));
                        values.push(None);
                    }
                }
            }
        }
        let base = SEED + 1 + METRICS.len();
        let mut ratings = Vec::with_capacity(Capability::ALL.len());
        for ci in 0..Capability::ALL.len() {
            let f = &rec[base + ci];
            match parse_rating(f) {
                Some(r) => ratings.push(r),
                None => {
                    problems.push(Diagnostic::csv(
                        path,
                        line,
                        base + ci + 1,
                        format!("rating `{f}` is not P, S, M, U or empty"),
                    ));
                    ratings.push(None);
                }
            }
        }
        let v = match variants.iter().position(|k| *k == key) {
            Some(v) => v,
            None => {
                variants.push(key.clone());
                variants.len() - 1
            }
        };
        if !seen.insert((v, seed)) {
            problems.push(Diagnostic::csv(
                path,
                line,
                SEED + 1,
                format!("seed {seed} of {}/{}/{} appears twice", key.0, key.1, key.2),
            ));
            continue;
        }
        rows.push(RunRow {
            variant: v,
            seed,
            values: values.into_iter().collect(),
            ratings,
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok((variants, rows))
}

/// Reads `dir/runs.csv` (see [`parse_runs`]).
pub fn read_batch(dir: &Path) -> Result<SavedBatch, Error> {
    crate::output::guard::note_input(dir);
    let path = dir.join("runs.csv");
    let bytes = std::fs::read(&path).map_err(|e| {
        Error::Input(Diagnostics(vec![Diagnostic::at(
            &path,
            "",
            1,
            1,
            format!("not a batch folder (no readable runs.csv: {e})"),
        )]))
    })?;
    let (variants, mut rows) =
        parse_runs(&path, &bytes).map_err(|d| Error::Input(Diagnostics(d)))?;
    if rows.is_empty() {
        return Err(Error::Input(Diagnostics(vec![Diagnostic::csv(
            &path,
            2,
            1,
            "runs.csv has no runs",
        )])));
    }
    rows.sort_by_key(|r| (r.variant, r.seed));
    Ok(SavedBatch {
        dir: dir.to_path_buf(),
        variants,
        rows,
    })
}

/// What `drillsim compare` produced.
pub struct CompareOutput {
    pub out: PathBuf,
    /// (variant of A, variant of B) pairs compared.
    pub pairs: Vec<(usize, usize)>,
    pub files: Vec<(String, Vec<u8>)>,
}

fn seeds(b: &SavedBatch, v: usize) -> BTreeSet<u64> {
    b.rows
        .iter()
        .filter(|r| r.variant == v)
        .map(|r| r.seed)
        .collect()
}

fn seed_list(s: &BTreeSet<u64>) -> String {
    const SHOWN: usize = 10;
    let mut out: Vec<String> = s.iter().take(SHOWN).map(u64::to_string).collect();
    if s.len() > SHOWN {
        out.push(format!("… ({} in all)", s.len()));
    }
    out.join(", ")
}

/// The default output folder: `compare-<A>-vs-<B>` beside `dir_b`.
pub fn default_out(dir_a: &Path, dir_b: &Path) -> PathBuf {
    let name = |d: &Path| {
        d.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "batch".into())
    };
    let parent = dir_b
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    parent.join(format!("compare-{}-vs-{}", name(dir_a), name(dir_b)))
}

/// `drillsim compare`: reads both batches, checks the seeds of every pair of
/// variants with the same scenario, writes `report.md` atomically.
pub fn compare(dir_a: &Path, dir_b: &Path, out: Option<&Path>) -> Result<CompareOutput, Error> {
    let (a, b) = match (read_batch(dir_a), read_batch(dir_b)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(Error::Input(mut x)), Err(Error::Input(y))) => {
            x.0.extend(y.0);
            return Err(Error::Input(x));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    let here = |msg: String| Diagnostic::at(Path::new("-"), "", 1, 1, msg);
    let mut pairs = Vec::new();
    let mut problems = Vec::new();
    for (vb, (sb, pb, tb)) in b.variants.iter().enumerate() {
        for (va, (sa, pa, ta)) in a.variants.iter().enumerate() {
            if sa != sb {
                continue;
            }
            let (xa, xb) = (seeds(&a, va), seeds(&b, vb));
            if xa != xb {
                let only_a: BTreeSet<u64> = xa.difference(&xb).copied().collect();
                let only_b: BTreeSet<u64> = xb.difference(&xa).copied().collect();
                let mut msg = format!(
                    "cannot pair {sb}/{pb}/{tb} of {} with {sa}/{pa}/{ta} of {}: the seeds differ",
                    crate::model::diag::shown_path(&b.dir),
                    crate::model::diag::shown_path(&a.dir)
                );
                if !only_b.is_empty() {
                    let _ = write!(
                        msg,
                        "; missing in {}: {}",
                        crate::model::diag::shown_path(&a.dir),
                        seed_list(&only_b)
                    );
                }
                if !only_a.is_empty() {
                    let _ = write!(
                        msg,
                        "; missing in {}: {}",
                        crate::model::diag::shown_path(&b.dir),
                        seed_list(&only_a)
                    );
                }
                problems.push(here(msg));
            } else {
                pairs.push((va, vb));
            }
        }
    }
    if problems.is_empty() && pairs.is_empty() {
        problems.push(here(format!(
            "{} and {} share no scenario: nothing to compare",
            crate::model::diag::shown_path(&a.dir),
            crate::model::diag::shown_path(&b.dir)
        )));
    }
    if !problems.is_empty() {
        return Err(Error::Input(Diagnostics(problems)));
    }
    let out = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| default_out(dir_a, dir_b));
    let files = vec![(
        "report.md".to_string(),
        markdown(&a, &b, &pairs).into_bytes(),
    )];
    crate::output::write_atomically(&out, &files).map_err(|source| Error::Io {
        path: out.clone(),
        source,
    })?;
    Ok(CompareOutput { out, pairs, files })
}

/// `report.md` of a comparison: one paired section per compared pair.
pub fn markdown(a: &SavedBatch, b: &SavedBatch, pairs: &[(usize, usize)]) -> String {
    let one_scenario = a
        .variants
        .iter()
        .chain(&b.variants)
        .all(|v| v.0 == a.variants[0].0);
    let one_teams = a
        .variants
        .iter()
        .chain(&b.variants)
        .all(|v| v.2 == a.variants[0].2);
    let name = |side: &str, (s, p, t): &VariantKey| {
        let mut n = if one_scenario {
            format!("{side}:{p}")
        } else {
            format!("{side}:{s}/{p}")
        };
        if !one_teams {
            n.push('/');
            n.push_str(t);
        }
        n
    };
    // Both batches' rows in one list: A's variants first, then B's.
    let na = a.variants.len();
    let mut rows: Vec<RunRow> = a.rows.clone();
    rows.extend(b.rows.iter().map(|r| RunRow {
        variant: r.variant + na,
        ..r.clone()
    }));
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Compare: {} against {}\n",
        crate::model::diag::shown_path(&b.dir),
        crate::model::diag::shown_path(&a.dir)
    );
    let _ = writeln!(
        s,
        "Runs paired by seed (common random numbers). Per seed, B's value minus A's; mean of the differences with its 95% CI (t-based), and relative to A's mean.\n"
    );
    for (side, sb) in [("A", a), ("B", b)] {
        for v in &sb.variants {
            let n = sb
                .rows
                .iter()
                .filter(|r| sb.variants[r.variant] == *v)
                .count();
            let _ = writeln!(
                s,
                "- `{}`: scenario `{}`, plan `{}`, teams `{}`, {n} runs, from {}",
                name(side, v),
                v.0,
                v.1,
                v.2,
                crate::model::diag::shown_path(&sb.dir)
            );
        }
    }
    s.push('\n');
    let _ = writeln!(s, "## Paired differences\n");
    for &(va, vb) in pairs {
        paired_section(
            &mut s,
            &rows,
            va,
            vb + na,
            &name("A", &a.variants[va]),
            &name("B", &b.variants[vb]),
        );
    }
    s
}
