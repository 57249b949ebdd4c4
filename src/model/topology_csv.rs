//! Topology as CSV: `nodes.csv`, `links.csv` and (optional on import)
//! `provinces.csv`.
//!
//! ```text
//! nodes.csv      id,name,name_en,tier,parent,province,hosts,gateway,data_centre,backup_power_hours,services
//! links.csv      a,b,kind,capacity_kbps,failover_min
//! provinces.csv  code,name,name_en
//! ```
//!
//! `parent`, `a` and `b` are node text ids, `province` a province code,
//! `services` a `;`-separated list of service names. Columns may come in any
//! order on import; every problem is reported with file, row (header = 1) and
//! column.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use csv::StringRecord;

use super::diag::{Diagnostic, Diagnostics};
use super::topology::{Link, LinkKind, Node, NodeId, Province, ServiceKind, Tier, Topology};

const NODE_COLS: [&str; 11] = [
    "id",
    "name",
    "name_en",
    "tier",
    "parent",
    "province",
    "hosts",
    "gateway",
    "data_centre",
    "backup_power_hours",
    "services",
];
const LINK_COLS: [&str; 5] = ["a", "b", "kind", "capacity_kbps", "failover_min"];
const PROVINCE_COLS: [&str; 3] = ["code", "name", "name_en"];

/// Writes `provinces.csv`, `nodes.csv` and `links.csv` into `dir` (created if
/// needed). The output is byte-identical for equal topologies.
pub fn export(topo: &Topology, dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, bytes) in files(topo)? {
        std::fs::write(dir.join(name), bytes)?;
    }
    Ok(())
}

/// The three CSV files of a topology, name → contents.
pub fn files(topo: &Topology) -> io::Result<Vec<(&'static str, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(crate::output::cells::record(PROVINCE_COLS))?;
    for p in &topo.provinces {
        w.write_record(crate::output::cells::record([
            &p.code, &p.name_zh, &p.name_en,
        ]))?;
    }
    out.push(("provinces.csv", w.into_inner().map_err(|e| e.into_error())?));

    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(crate::output::cells::record(NODE_COLS))?;
    for n in &topo.nodes {
        let parent = n
            .parent
            .map(|p| topo.nodes[p as usize].id.as_str())
            .unwrap_or("");
        let province = n
            .province
            .map(|p| topo.provinces[p as usize].code.as_str())
            .unwrap_or("");
        let services: Vec<&str> = n.services.iter().map(|s| s.as_str()).collect();
        w.write_record(crate::output::cells::record([
            n.id.as_str(),
            &n.name_zh,
            &n.name_en,
            n.tier.as_str(),
            parent,
            province,
            &n.hosts.to_string(),
            if n.gateway { "true" } else { "false" },
            if n.data_centre { "true" } else { "false" },
            &n.backup_power_hours.to_string(),
            &services.join(";"),
        ]))?;
    }
    out.push(("nodes.csv", w.into_inner().map_err(|e| e.into_error())?));

    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(crate::output::cells::record(LINK_COLS))?;
    for l in &topo.links {
        w.write_record(crate::output::cells::record([
            topo.nodes[l.a as usize].id.as_str(),
            &topo.nodes[l.b as usize].id,
            l.kind.as_str(),
            &l.capacity_kbps.to_string(),
            &l.failover_min.to_string(),
        ]))?;
    }
    out.push(("links.csv", w.into_inner().map_err(|e| e.into_error())?));
    Ok(out)
}

/// One CSV file read with its header checked.
struct Table {
    path: PathBuf,
    /// Column name → 0-based index.
    cols: HashMap<&'static str, usize>,
    /// `(row, record)`, row 1-based with the header as row 1.
    rows: Vec<(usize, StringRecord)>,
}

impl Table {
    /// The field `name` of `rec` and its 1-based column.
    fn get<'r>(&self, rec: &'r StringRecord, name: &str) -> (&'r str, usize) {
        let i = self.cols[name];
        (rec.get(i).unwrap_or(""), i + 1)
    }
}

fn row_of(pos: Option<&csv::Position>) -> usize {
    pos.map(|p| p.record() as usize + 1).unwrap_or(1)
}

/// Reads `dir/name` (or `given`, its bytes in memory: `Some(None)` = absent).
/// `Ok(None)` when the file does not exist and is optional; `Err(())` when
/// it cannot be used (problems already recorded).
fn read_table(
    dir: &Path,
    name: &str,
    cols: &[&'static str],
    optional: bool,
    given: Option<Option<&[u8]>>,
    d: &mut Diagnostics,
) -> Result<Option<Table>, ()> {
    let path = dir.join(name);
    use super::limits::{MAX_CSV_BYTES, MAX_LINKS, MAX_NODES};
    let size = match given {
        Some(Some(b)) => Some(b.len() as u64),
        Some(None) => None,
        None => std::fs::metadata(&path).ok().map(|m| m.len()),
    };
    if let Some(len) = size
        && len > MAX_CSV_BYTES
    {
        d.push(Diagnostic::csv(
            &path,
            1,
            1,
            format!("file is {len} bytes, above the limit of {MAX_CSV_BYTES} bytes"),
        ));
        return Err(());
    }
    let max_rows = match name {
        "nodes.csv" => MAX_NODES,
        "links.csv" => MAX_LINKS,
        _ => u16::MAX as usize,
    };
    let read = match given {
        Some(Some(b)) => Ok(b.to_vec()),
        Some(None) => Err(io::Error::from(io::ErrorKind::NotFound)),
        None => std::fs::read(&path),
    };
    let bytes = match read {
        Ok(b) => b,
        Err(e) if optional && e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            let what = if e.kind() == io::ErrorKind::NotFound {
                "file is missing".to_string()
            } else {
                format!("file is unreadable: {e}")
            };
            d.push(Diagnostic::csv(&path, 1, 1, what));
            return Err(());
        }
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes.as_slice());
    let header = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            d.push(Diagnostic::csv(&path, 1, 1, format!("bad header: {e}")));
            return Err(());
        }
    };
    let mut ok = true;
    let mut map: HashMap<&'static str, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let h = h.trim();
        match cols.iter().find(|&&c| c == h) {
            Some(&c) => {
                if map.insert(c, i).is_some() {
                    d.push(Diagnostic::csv(
                        &path,
                        1,
                        i + 1,
                        format!("duplicate column `{h}`"),
                    ));
                    ok = false;
                }
            }
            None => {
                d.push(Diagnostic::csv(
                    &path,
                    1,
                    i + 1,
                    format!("unknown column `{h}` (expected {})", cols.join(",")),
                ));
                ok = false;
            }
        }
    }
    for c in cols {
        if !map.contains_key(c) {
            d.push(Diagnostic::csv(
                &path,
                1,
                header.len() + 1,
                format!("missing required column `{c}`"),
            ));
            ok = false;
        }
    }
    if !ok {
        return Err(());
    }
    let mut rows = Vec::new();
    for rec in rdr.records() {
        if rows.len() == max_rows {
            d.push(Diagnostic::csv(
                &path,
                max_rows + 2,
                1,
                format!("more than {max_rows} rows: the limit of {name} is {max_rows}"),
            ));
            return Err(());
        }
        match rec {
            Ok(r) => rows.push((row_of(r.position()), crate::output::cells::read_record(&r))),
            Err(e) => {
                let (row, msg, fatal) = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        pos,
                        expected_len,
                        len,
                    } => (
                        row_of(pos.as_ref()),
                        format!("row has {len} fields, expected {expected_len}"),
                        false,
                    ),
                    csv::ErrorKind::Utf8 { pos, .. } => {
                        (row_of(pos.as_ref()), "row is not valid UTF-8".into(), false)
                    }
                    _ => (row_of(e.position()), format!("cannot read row: {e}"), true),
                };
                d.push(Diagnostic::csv(&path, row, 1, msg));
                if fatal {
                    break;
                }
            }
        }
    }
    Ok(Some(Table {
        path,
        cols: map,
        rows,
    }))
}

fn parse_u32(s: &str, what: &str) -> Result<u32, String> {
    let t = s.trim();
    match t.parse::<u32>() {
        Ok(v) => Ok(v),
        Err(_) => match t.parse::<i64>() {
            Ok(v) if v < 0 => Err(format!("{what} must not be negative, got `{t}`")),
            Ok(_) => Err(format!("{what} `{t}` is too large")),
            Err(_) => Err(format!("{what} `{t}` is not a whole number")),
        },
    }
}

fn parse_f64(s: &str, what: &str, positive: bool) -> Result<f64, String> {
    let t = s.trim();
    match t.parse::<f64>() {
        Ok(v) if !v.is_finite() => Err(format!("{what} `{t}` is not a finite number")),
        Ok(v) if positive && v <= 0.0 => Err(format!("{what} must be positive, got `{t}`")),
        Ok(v) if v < 0.0 => Err(format!("{what} must not be negative, got `{t}`")),
        Ok(v) => Ok(v),
        Err(_) => Err(format!("{what} `{t}` is not a number")),
    }
}

fn parse_bool(s: &str, what: &str) -> Result<bool, String> {
    match s.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" | "" => Ok(false),
        t => Err(format!("{what} `{t}` must be `true` or `false`")),
    }
}

/// A node as read, before its references are resolved.
struct RawNode {
    row: usize,
    parent: String,
    province: String,
    node: Node,
}

/// Reads a topology from `dir` (`nodes.csv`, `links.csv`, optional
/// `provinces.csv`), checking everything and reporting every problem.
pub fn import(dir: &Path) -> Result<Topology, Diagnostics> {
    crate::output::guard::note_input(dir);
    import_from(dir, None)
}

/// The three files' bytes, as [`import_bytes`] takes them (`provinces`
/// optional, as on disk).
#[derive(Clone, Copy, Debug)]
pub struct CsvFiles<'a> {
    pub provinces: Option<&'a [u8]>,
    pub nodes: &'a [u8],
    pub links: &'a [u8],
}

/// [`import`] of files already in memory (the fuzzing harness's entry
/// point); diagnostics name `dir/nodes.csv` etc. as if read from `dir`.
pub fn import_bytes(dir: &Path, files: CsvFiles<'_>) -> Result<Topology, Diagnostics> {
    import_from(dir, Some(files))
}

fn import_from(dir: &Path, files: Option<CsvFiles<'_>>) -> Result<Topology, Diagnostics> {
    let mut d = Diagnostics::default();
    let (prov_b, node_b, link_b) = match files {
        Some(f) => (Some(f.provinces), Some(Some(f.nodes)), Some(Some(f.links))),
        None => (None, None, None),
    };
    let prov_t = read_table(dir, "provinces.csv", &PROVINCE_COLS, true, prov_b, &mut d);
    let node_t = read_table(dir, "nodes.csv", &NODE_COLS, false, node_b, &mut d);
    let link_t = read_table(dir, "links.csv", &LINK_COLS, false, link_b, &mut d);
    let (Ok(prov_t), Ok(Some(node_t)), Ok(Some(link_t))) = (prov_t, node_t, link_t) else {
        return Err(d);
    };

    // Provinces.
    let mut provinces: Vec<Province> = Vec::new();
    let mut prov_idx: HashMap<String, u16> = HashMap::new();
    if let Some(t) = &prov_t {
        let mut first_row: HashMap<String, usize> = HashMap::new();
        for (row, rec) in &t.rows {
            let (code, col) = t.get(rec, "code");
            let code = code.trim();
            if code.is_empty() {
                d.push(Diagnostic::csv(&t.path, *row, col, "empty province code"));
                continue;
            }
            if let Some(r) = first_row.get(code) {
                d.push(Diagnostic::csv(
                    &t.path,
                    *row,
                    col,
                    format!("duplicate province code `{code}` (first at row {r})"),
                ));
                continue;
            }
            if provinces.len() >= u16::MAX as usize {
                d.push(Diagnostic::csv(&t.path, *row, col, "too many provinces"));
                break;
            }
            first_row.insert(code.to_string(), *row);
            prov_idx.insert(code.to_string(), provinces.len() as u16);
            provinces.push(Province {
                code: code.to_string(),
                name_zh: t.get(rec, "name").0.to_string(),
                name_en: t.get(rec, "name_en").0.to_string(),
            });
        }
    }
    let provinces_given = prov_t.is_some();

    // Nodes, fields first.
    let nt = &node_t;
    let mut raw: Vec<RawNode> = Vec::new();
    for (row, rec) in &nt.rows {
        let row = *row;
        let bad = |res: Result<(), String>, col: usize, d: &mut Diagnostics| {
            if let Err(m) = res {
                d.push(Diagnostic::csv(&nt.path, row, col, m));
            }
        };
        let (id, id_col) = nt.get(rec, "id");
        let id = id.trim();
        if id.is_empty() {
            bad(Err("empty node id".into()), id_col, &mut d);
        }
        let (tier_s, col) = nt.get(rec, "tier");
        let tier = Tier::parse(tier_s.trim());
        if tier.is_none() {
            let names: Vec<&str> = Tier::ALL.iter().map(|t| t.as_str()).collect();
            bad(
                Err(format!(
                    "unknown tier `{}` (expected one of {})",
                    tier_s.trim(),
                    names.join(", ")
                )),
                col,
                &mut d,
            );
        }
        let (s, col) = nt.get(rec, "hosts");
        let hosts = parse_u32(s, "hosts")
            .and_then(|h| {
                if h > super::limits::MAX_HOSTS_PER_NODE {
                    Err(format!(
                        "hosts {h} is above the limit of {} per node",
                        super::limits::MAX_HOSTS_PER_NODE
                    ))
                } else {
                    Ok(h)
                }
            })
            .map_err(|m| bad(Err(m), col, &mut d));
        let (s, col) = nt.get(rec, "gateway");
        let gateway = parse_bool(s, "gateway").map_err(|m| bad(Err(m), col, &mut d));
        let (s, col) = nt.get(rec, "data_centre");
        let data_centre = parse_bool(s, "data_centre").map_err(|m| bad(Err(m), col, &mut d));
        let (s, col) = nt.get(rec, "backup_power_hours");
        let power = parse_f64(s, "backup_power_hours", false).map_err(|m| bad(Err(m), col, &mut d));
        let (s, col) = nt.get(rec, "services");
        let mut services = Vec::new();
        for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            match ServiceKind::parse(part) {
                Some(k) if services.contains(&k) => {
                    bad(Err(format!("service `{part}` listed twice")), col, &mut d)
                }
                Some(k) => services.push(k),
                None => {
                    let names: Vec<&str> = ServiceKind::ALL.iter().map(|t| t.as_str()).collect();
                    bad(
                        Err(format!(
                            "unknown service `{part}` (expected one of {})",
                            names.join(", ")
                        )),
                        col,
                        &mut d,
                    )
                }
            }
        }
        raw.push(RawNode {
            row,
            parent: nt.get(rec, "parent").0.trim().to_string(),
            province: nt.get(rec, "province").0.trim().to_string(),
            node: Node {
                id: id.to_string(),
                name_zh: nt.get(rec, "name").0.to_string(),
                name_en: nt.get(rec, "name_en").0.to_string(),
                // Placeholder for an unknown tier (already reported).
                tier: tier.unwrap_or(Tier::External),
                parent: None,
                province: None,
                hosts: hosts.unwrap_or(0),
                gateway: gateway.unwrap_or(false),
                data_centre: data_centre.unwrap_or(false),
                backup_power_hours: power.unwrap_or(0.0),
                services,
            },
        });
    }
    let tier_known: Vec<bool> = nt
        .rows
        .iter()
        .map(|(_, rec)| Tier::parse(nt.get(rec, "tier").0.trim()).is_some())
        .collect();
    if raw.len() > u32::MAX as usize / 2 {
        d.push(Diagnostic::csv(&nt.path, 1, 1, "too many nodes"));
        return Err(d);
    }

    // Ids.
    let col_of = |name: &str| nt.cols[name] + 1;
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for (i, r) in raw.iter().enumerate() {
        if r.node.id.is_empty() {
            continue;
        }
        if let Some(&j) = by_id.get(r.node.id.as_str()) {
            d.push(Diagnostic::csv(
                &nt.path,
                r.row,
                col_of("id"),
                format!(
                    "duplicate node id `{}` (first at row {})",
                    r.node.id, raw[j].row
                ),
            ));
        } else {
            by_id.insert(&r.node.id, i);
        }
    }

    // Provinces from nodes when provinces.csv is absent.
    if !provinces_given {
        for r in &raw {
            if !r.province.is_empty() && !prov_idx.contains_key(&r.province) {
                if provinces.len() >= u16::MAX as usize {
                    d.push(Diagnostic::csv(
                        &nt.path,
                        r.row,
                        col_of("province"),
                        "too many provinces",
                    ));
                    return Err(d);
                }
                prov_idx.insert(r.province.clone(), provinces.len() as u16);
                provinces.push(Province {
                    code: r.province.clone(),
                    name_zh: r.province.clone(),
                    name_en: r.province.clone(),
                });
            }
        }
    }

    // Resolve parent and province references.
    let mut parents: Vec<Option<usize>> = vec![None; raw.len()];
    let mut prov_of: Vec<Option<u16>> = vec![None; raw.len()];
    let mut hq_rows: Vec<usize> = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        let tier = r.node.tier;
        let known = tier_known[i];
        if known && tier == Tier::Hq {
            hq_rows.push(i);
        }
        if !r.province.is_empty() {
            match prov_idx.get(&r.province) {
                Some(&p) => prov_of[i] = Some(p),
                None => d.push(Diagnostic::csv(
                    &nt.path,
                    r.row,
                    col_of("province"),
                    format!("unknown province `{}` (not in provinces.csv)", r.province),
                )),
            }
        }
        if known {
            match tier {
                Tier::Hq | Tier::External if !r.province.is_empty() => {
                    d.push(Diagnostic::csv(
                        &nt.path,
                        r.row,
                        col_of("province"),
                        format!("a node of tier {} must not have a province", tier.as_str()),
                    ));
                }
                Tier::Provincial | Tier::Prefecture | Tier::County | Tier::Grassroots
                    if r.province.is_empty() =>
                {
                    d.push(Diagnostic::csv(
                        &nt.path,
                        r.row,
                        col_of("province"),
                        format!("a node of tier {} needs a province", tier.as_str()),
                    ));
                }
                _ => {}
            }
        }
        if r.parent.is_empty() {
            if known && !matches!(tier, Tier::Hq | Tier::External) {
                d.push(Diagnostic::csv(
                    &nt.path,
                    r.row,
                    col_of("parent"),
                    format!(
                        "node `{}` has no parent, so it does not reach HQ",
                        r.node.id
                    ),
                ));
            }
            continue;
        }
        if known && matches!(tier, Tier::Hq | Tier::External) {
            d.push(Diagnostic::csv(
                &nt.path,
                r.row,
                col_of("parent"),
                format!("a node of tier {} must not have a parent", tier.as_str()),
            ));
            continue;
        }
        let Some(&p) = by_id.get(r.parent.as_str()) else {
            d.push(Diagnostic::csv(
                &nt.path,
                r.row,
                col_of("parent"),
                format!("unknown parent `{}`", r.parent),
            ));
            continue;
        };
        parents[i] = Some(p);
        if known && tier_known[p] {
            let pt = raw[p].node.tier;
            if pt >= tier {
                d.push(Diagnostic::csv(
                    &nt.path,
                    r.row,
                    col_of("parent"),
                    format!(
                        "parent `{}` is {} ({}), not above {} ({})",
                        r.parent,
                        pt.as_str(),
                        pt.zh(),
                        tier.as_str(),
                        tier.zh()
                    ),
                ));
            } else if pt != Tier::Hq
                && !r.province.is_empty()
                && !raw[p].province.is_empty()
                && r.province != raw[p].province
            {
                d.push(Diagnostic::csv(
                    &nt.path,
                    r.row,
                    col_of("province"),
                    format!(
                        "province `{}` differs from parent `{}`'s province `{}`",
                        r.province, r.parent, raw[p].province
                    ),
                ));
            }
        }
    }
    match hq_rows.len() {
        0 => d.push(Diagnostic::csv(
            &nt.path,
            1,
            col_of("tier"),
            "no node has tier `hq`; exactly one is needed",
        )),
        1 => {}
        _ => {
            for &i in &hq_rows[1..] {
                d.push(Diagnostic::csv(
                    &nt.path,
                    raw[i].row,
                    col_of("tier"),
                    format!(
                        "second node of tier `hq` (first at row {}); exactly one is needed",
                        raw[hq_rows[0]].row
                    ),
                ));
            }
        }
    }

    // Parent cycles: 0 unknown, 1 on the current path, 2 done.
    let mut state = vec![0u8; raw.len()];
    for start in 0..raw.len() {
        let mut path = Vec::new();
        let mut v = start;
        loop {
            match state[v] {
                2 => break,
                1 => {
                    let at = path.iter().position(|&w| w == v).unwrap_or(0);
                    let ids: Vec<&str> = path[at..]
                        .iter()
                        .chain(std::iter::once(&v))
                        .map(|&w| raw[w].node.id.as_str())
                        .collect();
                    for &w in &path[at..] {
                        d.push(Diagnostic::csv(
                            &nt.path,
                            raw[w].row,
                            col_of("parent"),
                            format!(
                                "node `{}` is on a parent cycle ({}) and does not reach HQ",
                                raw[w].node.id,
                                ids.join(" → ")
                            ),
                        ));
                    }
                    break;
                }
                _ => {
                    state[v] = 1;
                    path.push(v);
                    match parents[v] {
                        Some(p) => v = p,
                        None => break,
                    }
                }
            }
        }
        for w in path {
            state[w] = 2;
        }
    }

    // Links.
    let lt = &link_t;
    let mut links: Vec<Link> = Vec::new();
    let mut seen: HashMap<(usize, usize, LinkKind), usize> = HashMap::new();
    let names: Vec<&str> = LinkKind::ALL.iter().map(|t| t.as_str()).collect();
    for (row, rec) in &lt.rows {
        let row = *row;
        let end = |name: &str, d: &mut Diagnostics| -> Option<usize> {
            let (s, col) = lt.get(rec, name);
            let s = s.trim();
            let found = by_id.get(s).copied();
            if found.is_none() {
                let msg = if s.is_empty() {
                    format!("empty link endpoint `{name}`")
                } else {
                    format!("unknown node `{s}`")
                };
                d.push(Diagnostic::csv(&lt.path, row, col, msg));
            }
            found
        };
        let a = end("a", &mut d);
        let b = end("b", &mut d);
        let (s, col) = lt.get(rec, "kind");
        let kind = LinkKind::parse(s.trim());
        if kind.is_none() {
            d.push(Diagnostic::csv(
                &lt.path,
                row,
                col,
                format!(
                    "unknown link kind `{}` (expected one of {})",
                    s.trim(),
                    names.join(", ")
                ),
            ));
        }
        let (s, col) = lt.get(rec, "capacity_kbps");
        let cap = parse_f64(s, "capacity_kbps", true)
            .map_err(|m| d.push(Diagnostic::csv(&lt.path, row, col, m)));
        let (s, col) = lt.get(rec, "failover_min");
        let fail = parse_f64(s, "failover_min", false)
            .map_err(|m| d.push(Diagnostic::csv(&lt.path, row, col, m)));
        let (Some(a), Some(b)) = (a, b) else { continue };
        if a == b {
            d.push(Diagnostic::csv(
                &lt.path,
                row,
                lt.cols["b"] + 1,
                format!("link from `{}` to itself", raw[a].node.id),
            ));
            continue;
        }
        let Some(kind) = kind else { continue };
        let key = (a.min(b), a.max(b), kind);
        if let Some(r) = seen.get(&key) {
            d.push(Diagnostic::csv(
                &lt.path,
                row,
                lt.cols["a"] + 1,
                format!(
                    "duplicate {} link between `{}` and `{}` (first at row {r})",
                    kind.as_str(),
                    raw[a].node.id,
                    raw[b].node.id
                ),
            ));
            continue;
        }
        seen.insert(key, row);
        links.push(Link {
            a: a as NodeId,
            b: b as NodeId,
            kind,
            capacity_kbps: cap.unwrap_or(1.0),
            failover_min: fail.unwrap_or(0.0),
        });
    }

    if d.is_empty() {
        let total: u64 = raw.iter().map(|r| u64::from(r.node.hosts)).sum();
        if total > super::limits::MAX_TOTAL_HOSTS {
            d.push(Diagnostic::csv(
                &nt.path,
                1,
                col_of("hosts"),
                format!(
                    "the nodes have {total} hosts in all, above the limit of {}",
                    super::limits::MAX_TOTAL_HOSTS
                ),
            ));
        }
        unreachable_nodes(&raw, &hq_rows, &links, &nt.path, &lt.path, &mut d);
    }
    if !d.is_empty() {
        return Err(d);
    }
    let nodes: Vec<Node> = raw
        .into_iter()
        .enumerate()
        .map(|(i, r)| Node {
            parent: parents[i].map(|p| p as NodeId),
            province: prov_of[i],
            ..r.node
        })
        .collect();
    Ok(Topology::new(provinces, nodes, links))
}

/// Every node must reach HQ over some line (primary, backup or external):
/// a `links.csv` with only its header, or a node nobody linked, would
/// otherwise cut nodes off silently. One error naming the first of them,
/// with the count.
fn unreachable_nodes(
    raw: &[RawNode],
    hq_rows: &[usize],
    links: &[Link],
    nodes_path: &Path,
    links_path: &Path,
    d: &mut Diagnostics,
) {
    let [hq] = hq_rows else { return };
    if raw.len() < 2 {
        return;
    }
    if links.is_empty() {
        d.push(Diagnostic::csv(
            links_path,
            1,
            1,
            format!(
                "links.csv has no lines: the {} nodes other than HQ would all be cut off",
                raw.len() - 1
            ),
        ));
        return;
    }
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); raw.len()];
    for l in links {
        adj[l.a as usize].push(l.b as usize);
        adj[l.b as usize].push(l.a as usize);
    }
    let mut seen = vec![false; raw.len()];
    seen[*hq] = true;
    let mut stack = vec![*hq];
    while let Some(v) = stack.pop() {
        for &w in &adj[v] {
            if !seen[w] {
                seen[w] = true;
                stack.push(w);
            }
        }
    }
    let cut: Vec<usize> = (0..raw.len()).filter(|&v| !seen[v]).collect();
    let Some(&first) = cut.first() else { return };
    let lonely = cut.iter().filter(|&&v| adj[v].is_empty()).count();
    let names: Vec<&str> = cut
        .iter()
        .take(10)
        .map(|&v| raw[v].node.id.as_str())
        .collect();
    d.push(Diagnostic::csv(
        nodes_path,
        raw[first].row,
        1,
        format!(
            "{} of {} nodes cannot reach HQ over any line ({} with no line at all): {}{}",
            cut.len(),
            raw.len(),
            lonely,
            names.join(", "),
            if cut.len() > names.len() { ", …" } else { "" }
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::topology_spec::default_topology;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).unwrap();
    }

    const NODES_HEADER: &str = "id,name,name_en,tier,parent,province,hosts,gateway,data_centre,backup_power_hours,services\n";
    const GOOD_NODES: &str = "hq,总局,HQ,hq,,,10,true,true,24,internal_website;data_exchange\n\
        gd,广东,Guangdong,provincial,hq,gd,5,true,true,8,internal_website\n\
        gd.01,广东01,GD 01,prefecture,gd,gd,2,false,false,4,internal_website\n\
        gd.01.01,c,c,county,gd.01,gd,1,false,false,1,\n\
        ext.customs,海关,Customs,external,,,0,false,false,0,\n";
    const LINKS_HEADER: &str = "a,b,kind,capacity_kbps,failover_min\n";
    const GOOD_LINKS: &str = "gd,hq,backbone,2048,0\n\
        gd.01,gd,regional,2048,0\n\
        gd.01.01,gd.01,metro,512,0\n\
        gd,hq,backup,512,5\n\
        ext.customs,hq,external,1024,0\n";

    /// Writes a small network with `nodes`/`links` bodies and imports it.
    fn import_with(nodes: &str, links: &str) -> (tempfile::TempDir, Diagnostics) {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "nodes.csv", &format!("{NODES_HEADER}{nodes}"));
        write(dir.path(), "links.csv", &format!("{LINKS_HEADER}{links}"));
        let e = import(dir.path()).expect_err("should fail");
        (dir, e)
    }

    fn has(e: &Diagnostics, file: &str, row: usize, col: usize, text: &str) -> bool {
        e.0.iter().any(|d| {
            d.file.file_name().unwrap() == file
                && d.line == row
                && d.col == col
                && d.message.contains(text)
        })
    }

    #[test]
    fn small_good_network_imports() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "nodes.csv",
            &format!("{NODES_HEADER}{GOOD_NODES}"),
        );
        write(
            dir.path(),
            "links.csv",
            &format!("{LINKS_HEADER}{GOOD_LINKS}"),
        );
        let t = import(dir.path()).unwrap();
        assert_eq!(t.nodes.len(), 5);
        assert_eq!(t.provinces[0].code, "gd");
        assert_eq!(t.provinces[0].name_zh, "gd");
        assert_eq!(t.nodes[3].parent, Some(2));
        assert_eq!(t.backup_of.len(), 1);
        assert_eq!(t.wan_nodes(), 4);
    }

    #[test]
    fn round_trip_default_topology() {
        let t = default_topology();
        let dir = tempfile::tempdir().unwrap();
        export(&t, dir.path()).unwrap();
        let u = import(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.provinces, u.provinces);
        assert_eq!(t.nodes, u.nodes);
        assert_eq!(t.links, u.links);
        assert_eq!(t.services, u.services);
        assert_eq!(t.backup_of, u.backup_of);
        assert_eq!(t.hq, u.hq);
        // Byte-identical second export.
        let dir2 = tempfile::tempdir().unwrap();
        export(&u, dir2.path()).unwrap();
        for f in ["provinces.csv", "nodes.csv", "links.csv"] {
            let a = std::fs::read(dir.path().join(f)).unwrap();
            let b = std::fs::read(dir2.path().join(f)).unwrap();
            assert!(a == b, "{f} differs");
        }
        let nodes = std::fs::read_to_string(dir.path().join("nodes.csv")).unwrap();
        assert!(nodes.starts_with(NODES_HEADER));
    }

    #[test]
    fn unknown_parent() {
        let nodes = GOOD_NODES.replace("gd.01.01,c,c,county,gd.01,", "gd.01.01,c,c,county,gd.09,");
        let (_d, e) = import_with(&nodes, GOOD_LINKS);
        assert!(has(&e, "nodes.csv", 5, 5, "unknown parent `gd.09`"), "{e}");
    }

    #[test]
    fn bad_tier_and_bad_numbers() {
        let nodes = GOOD_NODES
            .replace("prefecture,gd,gd,2,", "prefect,gd,gd,2,")
            .replace(
                "county,gd.01,gd,1,false,false,1,",
                "county,gd.01,gd,many,false,false,-1,",
            )
            .replace("provincial,hq,gd,5,", "provincial,hq,gd,-5,");
        let (_d, e) = import_with(&nodes, GOOD_LINKS);
        assert!(has(&e, "nodes.csv", 4, 4, "unknown tier `prefect`"), "{e}");
        assert!(has(&e, "nodes.csv", 5, 7, "not a whole number"), "{e}");
        assert!(has(&e, "nodes.csv", 5, 10, "must not be negative"), "{e}");
        assert!(has(&e, "nodes.csv", 3, 7, "must not be negative"), "{e}");
    }

    #[test]
    fn duplicate_and_empty_ids_and_unknown_service() {
        let nodes = format!(
            "{GOOD_NODES}gd,dup,dup,county,gd.01,gd,1,false,false,1,\n,e,e,county,gd.01,gd,1,false,false,1,web\n"
        );
        let (_d, e) = import_with(&nodes, GOOD_LINKS);
        assert!(
            has(
                &e,
                "nodes.csv",
                7,
                1,
                "duplicate node id `gd` (first at row 3)"
            ),
            "{e}"
        );
        assert!(has(&e, "nodes.csv", 8, 1, "empty node id"), "{e}");
        assert!(has(&e, "nodes.csv", 8, 11, "unknown service `web`"), "{e}");
    }

    #[test]
    fn hq_count_and_tier_order() {
        // Two HQs; a county directly above a prefecture.
        let nodes = GOOD_NODES
            .replace("ext.customs,海关,Customs,external,,,", "hq2,x,x,hq,,,")
            .replace(
                "gd.01,广东01,GD 01,prefecture,gd,",
                "gd.01,广东01,GD 01,prefecture,gd.01.01,",
            );
        let (_d, e) = import_with(&nodes, "");
        assert!(
            has(
                &e,
                "nodes.csv",
                6,
                4,
                "second node of tier `hq` (first at row 2)"
            ),
            "{e}"
        );
        assert!(has(&e, "nodes.csv", 4, 5, "not above prefecture"), "{e}");
        assert!(has(&e, "nodes.csv", 4, 5, "parent cycle"), "{e}");
        let (_d, e) = import_with("gd,广东,Guangdong,provincial,,gd,5,true,true,8,\n", "");
        assert!(has(&e, "nodes.csv", 1, 4, "no node has tier `hq`"), "{e}");
        assert!(has(&e, "nodes.csv", 2, 5, "does not reach HQ"), "{e}");
    }

    #[test]
    fn bad_links() {
        let links = format!(
            "{GOOD_LINKS}gd,gd,metro,1,0\nhq,gd,backbone,2048,0\nhq,nowhere,metro,1,0\nhq,gd,wire,1,0\nhq,gd.01,regional,-3,x\nhq,gd\n"
        );
        let (_d, e) = import_with(GOOD_NODES, &links);
        assert!(has(&e, "links.csv", 7, 2, "to itself"), "{e}");
        assert!(has(&e, "links.csv", 8, 1, "duplicate backbone link"), "{e}");
        assert!(has(&e, "links.csv", 9, 2, "unknown node `nowhere`"), "{e}");
        assert!(
            has(&e, "links.csv", 10, 3, "unknown link kind `wire`"),
            "{e}"
        );
        assert!(has(&e, "links.csv", 11, 4, "must be positive"), "{e}");
        assert!(has(&e, "links.csv", 11, 5, "not a number"), "{e}");
        assert!(has(&e, "links.csv", 12, 1, "2 fields, expected 5"), "{e}");
    }

    #[test]
    fn missing_columns_and_files() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "nodes.csv",
            "id,name,tier,colour\nhq,x,hq,red\n",
        );
        write(
            dir.path(),
            "provinces.csv",
            "code,name,name_en\ngd,广东,Guangdong\n",
        );
        let e = import(dir.path()).unwrap_err();
        assert!(has(&e, "nodes.csv", 1, 4, "unknown column `colour`"), "{e}");
        assert!(
            has(&e, "nodes.csv", 1, 5, "missing required column `hosts`"),
            "{e}"
        );
        assert!(has(&e, "links.csv", 1, 1, "missing"), "{e}");
    }

    #[test]
    fn unknown_province_with_provinces_file() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "nodes.csv",
            &format!("{NODES_HEADER}{GOOD_NODES}"),
        );
        write(
            dir.path(),
            "links.csv",
            &format!("{LINKS_HEADER}{GOOD_LINKS}"),
        );
        write(
            dir.path(),
            "provinces.csv",
            "code,name,name_en\nsz,深圳,Shenzhen\nsz,深圳,Shenzhen\n",
        );
        let e = import(dir.path()).unwrap_err();
        assert!(
            has(&e, "provinces.csv", 3, 1, "duplicate province code `sz`"),
            "{e}"
        );
        assert!(has(&e, "nodes.csv", 3, 6, "unknown province `gd`"), "{e}");
    }

    #[test]
    fn fixtures() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
        let t = import(&root.join("tree-topology")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.nodes.len(), 40);
        assert_eq!(t.links.len(), 39);
        let t = import(&root.join("one-node-topology")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((t.nodes.len(), t.total_hosts()), (1, 1000));
        for case in ["unknown-parent", "bad-tier", "non-numeric-hosts"] {
            let e = import(&root.join("bad-topology").join(case)).unwrap_err();
            assert_eq!(e.len(), 1, "{case}: {e}");
            assert_eq!(e.0[0].file.file_name().unwrap(), "nodes.csv");
        }
    }
}
