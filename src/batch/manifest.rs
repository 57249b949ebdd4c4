//! `batch.json`: what a batch folder (or a shard of one, or an unfinished
//! working folder) was made from — the [`BatchInfo`], the format version,
//! the shard, and a fingerprint of every input file's bytes. `--resume`
//! and `drillsim merge` refuse folders whose manifests disagree.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::BatchInfo;

/// Version of the batch folder layout (`runs.csv` columns, `batch.json`,
/// `aggregates.json`).
pub const FORMAT: u32 = 2;

/// 64-bit FNV-1a of `bytes`, as 16 hex digits (stable across machines and
/// releases: no `std` hasher).
pub fn fnv1a64(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// A deterministic slice of a batch: shard `index` of `count` (1-based) runs
/// seed indices `⌊(index−1)·N/count⌋ .. ⌊index·N/count⌋` of every variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Parses `i/n` (1 ≤ i ≤ n).
    pub fn parse(s: &str) -> Result<Shard, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("shard `{s}` is not of the form i/n (e.g. 2/8)"))?;
        let (i, n) = match (i.trim().parse::<u64>(), n.trim().parse::<u64>()) {
            (Ok(i), Ok(n)) => (i, n),
            _ => return Err(format!("shard `{s}`: i and n must be whole numbers")),
        };
        if n == 0 || i == 0 || i > n {
            return Err(format!("shard `{s}`: need 1 ≤ i ≤ n"));
        }
        Ok(Shard { index: i, count: n })
    }

    /// The seed indices (0-based, relative to `--seed`) this shard runs.
    pub fn range(self, runs: u64) -> std::ops::Range<u64> {
        let at = |k: u64| ((k as u128 * runs as u128) / self.count as u128) as u64;
        at(self.index - 1)..at(self.index)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// One input file: its role, its name (no path: a batch's folder is the
/// same wherever its inputs lived) and the FNV-1a of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    pub role: String,
    pub name: String,
    pub fnv1a64: String,
}

/// The contents of `batch.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The drillsim version that ran it (results may change between versions).
    pub drillsim: String,
    pub info: BatchInfo,
    pub inputs: Vec<Input>,
    /// `None` for a whole batch (or a merged one).
    pub shard: Option<Shard>,
}

impl Manifest {
    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("manifest serialises");
        v.push(b'\n');
        v
    }

    pub fn read(path: &Path) -> Result<Manifest, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
        serde_json::from_slice(&bytes).map_err(|e| format!("not a batch manifest: {e}"))
    }

    /// What differs between `self` (found) and `want`, one phrase per
    /// field, ignoring the shard when `ignore_shard`. Empty = the same.
    pub fn differences(&self, want: &Manifest, ignore_shard: bool) -> Vec<String> {
        let mut out = Vec::new();
        fn check(out: &mut Vec<String>, name: &str, a: String, b: String) {
            if a != b {
                out.push(format!("{name}: {a} vs {b}"));
            }
        }
        let j = |v: &Vec<super::VariantInfo>| serde_json::to_string(v).unwrap_or_default();
        check(
            &mut out,
            "format",
            self.format.to_string(),
            want.format.to_string(),
        );
        check(
            &mut out,
            "drillsim version",
            self.drillsim.clone(),
            want.drillsim.clone(),
        );
        check(
            &mut out,
            "seed",
            self.info.seed.to_string(),
            want.info.seed.to_string(),
        );
        check(
            &mut out,
            "runs",
            self.info.runs.to_string(),
            want.info.runs.to_string(),
        );
        check(
            &mut out,
            "lang",
            self.info.lang.clone(),
            want.info.lang.clone(),
        );
        check(
            &mut out,
            "no_response",
            self.info.no_response.to_string(),
            want.info.no_response.to_string(),
        );
        check(
            &mut out,
            "perfect readiness",
            self.info.perfect.to_string(),
            want.info.perfect.to_string(),
        );
        check(
            &mut out,
            "variants",
            j(&self.info.variants),
            j(&want.info.variants),
        );
        if self.inputs != want.inputs {
            let name = |i: &Input| format!("{} {} ({})", i.role, i.name, i.fnv1a64);
            let only = |a: &[Input], b: &[Input]| {
                a.iter()
                    .filter(|x| !b.contains(x))
                    .map(name)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            out.push(format!(
                "input files: {} vs {}",
                only(&self.inputs, &want.inputs),
                only(&want.inputs, &self.inputs)
            ));
        }
        if self.info.plan_diffs != want.info.plan_diffs && self.inputs == want.inputs {
            out.push("plan diffs differ".into());
        }
        if !ignore_shard && self.shard != want.shard {
            let s = |x: Option<Shard>| x.map_or("none".to_string(), |s| s.to_string());
            check(&mut out, "shard", s(self.shard), s(want.shard));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_matches_published_vectors() {
        assert_eq!(fnv1a64(b""), "cbf29ce484222325");
        assert_eq!(fnv1a64(b"a"), "af63dc4c8601ec8c");
        assert_eq!(fnv1a64(b"foobar"), "85944171f73967e8");
    }

    #[test]
    fn shards_cover_every_seed_once_in_order() {
        for runs in [1u64, 2, 7, 10, 1000] {
            for n in 1..=runs.min(9) {
                let mut next = 0;
                for i in 1..=n {
                    let r = Shard { index: i, count: n }.range(runs);
                    assert_eq!(r.start, next);
                    assert!(r.end > r.start, "shard {i}/{n} of {runs} is empty");
                    next = r.end;
                }
                assert_eq!(next, runs);
            }
        }
        assert!(Shard::parse("0/3").is_err());
        assert!(Shard::parse("4/3").is_err());
        assert!(Shard::parse("x").is_err());
        assert_eq!(Shard::parse("2/3"), Ok(Shard { index: 2, count: 3 }));
    }
}
