//! The topology generator spec (`assets/topology.ron`) and the deterministic
//! generator that turns it into a [`Topology`].
//!
//! The generator uses no randomness: counties are spread over a province's
//! prefectures, and grassroots units over counties, by integer (Bresenham
//! style) rounding, so the same spec always yields the same network.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::diag::{Diagnostic, Diagnostics};
use super::topology::{Link, LinkKind, Node, NodeId, Province, ServiceKind, Tier, Topology};

/// The spec embedded in the binary.
pub const DEFAULT_SPEC: &str = include_str!("../../assets/topology.ron");
const DEFAULT_SPEC_PATH: &str = "assets/topology.ron";

/// Root of `topology.ron`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopologySpec {
    pub hq: HqSpec,
    pub provincial: TierSpec,
    pub prefecture: TierSpec,
    pub county: TierSpec,
    pub grassroots: TierSpec,
    /// Services added at every node with an internet gateway.
    pub gateway_services: Vec<ServiceKind>,
    /// Services added at every node with a data centre.
    pub data_centre_services: Vec<ServiceKind>,
    /// Average grassroots units per county bureau (each county gets the floor
    /// or the ceiling of it).
    pub grassroots_per_county: f64,
    pub links: LinkSpec,
    pub provinces: Vec<ProvinceSpec>,
    pub externals: Vec<ExternalSpec>,
}

/// The HQ node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HqSpec {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub hosts: u32,
    pub gateway: bool,
    pub data_centre: bool,
    pub backup_power_hours: f64,
    pub services: Vec<ServiceKind>,
}

/// Defaults for every generated node of one tier.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierSpec {
    pub hosts: u32,
    pub gateway: bool,
    pub data_centre: bool,
    pub backup_power_hours: f64,
    pub services: Vec<ServiceKind>,
}

/// Line capacities (kbit/s) per kind and the backup lines.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkSpec {
    pub backbone_kbps: f64,
    pub regional_kbps: f64,
    pub metro_kbps: f64,
    pub access_kbps: f64,
    pub external_kbps: f64,
    /// Provincial bureau → HQ backup line.
    pub provincial_backup: BackupSpec,
    /// Prefecture bureau → provincial bureau backup line.
    pub prefecture_backup: BackupSpec,
}

/// A backup line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupSpec {
    pub capacity_kbps: f64,
    pub failover_min: f64,
}

/// One provincial-level unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvinceSpec {
    /// Lower-case code (ISO 3166-2:CN style), the prefix of its node ids.
    pub code: String,
    /// Short name, e.g. `广东`.
    pub name_zh: String,
    /// Full name, e.g. `广东省`; the bureau is `<full_zh>税务局`.
    pub full_zh: String,
    pub name_en: String,
    /// Prefecture bureaus (0: counties hang directly under the provincial bureau).
    pub prefectures: u32,
    /// County/district bureaus in the whole unit.
    pub counties: u32,
}

/// An outside partner linked to HQ.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalSpec {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub hosts: u32,
}

/// Reads and validates a spec file, collecting every problem.
pub fn load_spec(path: &Path) -> Result<TopologySpec, Diagnostics> {
    match std::fs::read_to_string(path) {
        Ok(src) => parse_spec(&src, path),
        Err(e) => {
            let mut d = Diagnostics::default();
            d.push(Diagnostic::at(
                path,
                "",
                1,
                1,
                format!("cannot read topology spec: {e}"),
            ));
            Err(d)
        }
    }
}

/// Parses and validates spec text; `path` is only used in diagnostics.
pub fn parse_spec(src: &str, path: &Path) -> Result<TopologySpec, Diagnostics> {
    let spec: TopologySpec = match ron::Options::default().from_str(src) {
        Ok(s) => s,
        Err(e) => {
            let mut d = Diagnostics::default();
            d.push(Diagnostic::at(
                path,
                src,
                e.span.start.line,
                e.span.start.col,
                e.code.to_string(),
            ));
            return Err(d);
        }
    };
    let diags = validate(&spec, src, path);
    diags.into_result(spec)
}

/// The default national network from the embedded `assets/topology.ron`.
pub fn default_topology() -> Topology {
    let spec = parse_spec(DEFAULT_SPEC, Path::new(DEFAULT_SPEC_PATH))
        .expect("embedded assets/topology.ron is valid (checked by a unit test)");
    generate(&spec)
}

/// Locates keys in RON source for semantic diagnostics. Comments and string
/// contents are blanked (byte for byte) so they never match.
struct Locator<'a> {
    src: &'a str,
    masked: Vec<u8>,
}

impl<'a> Locator<'a> {
    fn new(src: &'a str) -> Self {
        let b = src.as_bytes();
        let mut m = b.to_vec();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'/' if b.get(i + 1) == Some(&b'/') => {
                    while i < b.len() && b[i] != b'\n' {
                        m[i] = b' ';
                        i += 1;
                    }
                }
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                        if b[i] != b'\n' {
                            m[i] = b' ';
                        }
                        i += 1;
                    }
                    if i < b.len() {
                        m[i] = b' ';
                        m[i + 1] = b' ';
                        i += 2;
                    }
                }
                b'"' => {
                    i += 1;
                    while i < b.len() && b[i] != b'"' {
                        if b[i] == b'\\' && i + 1 < b.len() {
                            m[i] = b' ';
                            i += 1;
                        }
                        if b[i] != b'\n' {
                            m[i] = b' ';
                        }
                        i += 1;
                    }
                    i += 1;
                }
                _ => i += 1,
            }
        }
        Locator { src, masked: m }
    }

    /// Offset of `key:` (as a whole word) in `from..to`.
    fn key(&self, from: usize, to: usize, key: &str) -> Option<usize> {
        let m = &self.masked[..to.min(self.masked.len())];
        let k = key.as_bytes();
        let mut i = from;
        while i + k.len() <= m.len() {
            if &m[i..i + k.len()] == k
                && (i == 0 || !(m[i - 1].is_ascii_alphanumeric() || m[i - 1] == b'_'))
            {
                let mut j = i + k.len();
                while j < m.len() && m[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < m.len() && m[j] == b':' {
                    return Some(i);
                }
            }
            i += 1;
        }
        None
    }

    /// Offset of a nested key path, e.g. `["links", "access_kbps"]`.
    fn path(&self, keys: &[&str]) -> usize {
        let mut pos = 0;
        for k in keys {
            match self.key(pos, self.masked.len(), k) {
                Some(p) => pos = p,
                None => break,
            }
        }
        pos
    }

    /// `(start, end)` of the items of the top-level list `key: [ (...), ... ]`.
    fn list_items(&self, key: &str) -> Vec<(usize, usize)> {
        let Some(start) = self.key(0, self.masked.len(), key) else {
            return Vec::new();
        };
        let m = &self.masked;
        let Some(open) = m[start..].iter().position(|&c| c == b'[') else {
            return Vec::new();
        };
        let mut items = Vec::new();
        let mut depth = 0usize;
        let mut item_start = 0;
        for (i, &c) in m.iter().enumerate().skip(start + open) {
            match c {
                b'[' | b'(' | b'{' => {
                    depth += 1;
                    if depth == 2 {
                        item_start = i;
                    }
                }
                b']' | b')' | b'}' => {
                    if depth == 2 {
                        items.push((item_start, i));
                    }
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
        items
    }

    /// Offset of `field` inside item `idx` of list `list` (the item start if absent).
    fn item_field(&self, list: &str, idx: usize, field: &str) -> usize {
        match self.list_items(list).get(idx) {
            Some(&(s, e)) => self.key(s, e, field).unwrap_or(s),
            None => self.key(0, self.masked.len(), list).unwrap_or(0),
        }
    }

    fn diag(&self, path: &Path, offset: usize, msg: impl Into<String>) -> Diagnostic {
        Diagnostic::at_offset(path, self.src, offset, msg)
    }
}

fn valid_code(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Semantic checks on a parsed spec; every problem is reported.
fn validate(spec: &TopologySpec, src: &str, path: &Path) -> Diagnostics {
    let loc = Locator::new(src);
    let mut d = Diagnostics::default();
    let num = |keys: &[&str], v: f64, positive: bool, d: &mut Diagnostics| {
        let ok = v.is_finite() && if positive { v > 0.0 } else { v >= 0.0 };
        if !ok {
            let what = if positive {
                "a positive number"
            } else {
                "a non-negative number"
            };
            let name = keys.join(".");
            d.push(loc.diag(
                path,
                loc.path(keys),
                format!("`{name}` must be {what}, got {v}"),
            ));
        }
    };
    num(
        &["hq", "backup_power_hours"],
        spec.hq.backup_power_hours,
        false,
        &mut d,
    );
    for (name, t) in [
        ("provincial", &spec.provincial),
        ("prefecture", &spec.prefecture),
        ("county", &spec.county),
        ("grassroots", &spec.grassroots),
    ] {
        num(
            &[name, "backup_power_hours"],
            t.backup_power_hours,
            false,
            &mut d,
        );
    }
    let l = &spec.links;
    for (name, v) in [
        ("backbone_kbps", l.backbone_kbps),
        ("regional_kbps", l.regional_kbps),
        ("metro_kbps", l.metro_kbps),
        ("access_kbps", l.access_kbps),
        ("external_kbps", l.external_kbps),
    ] {
        num(&["links", name], v, true, &mut d);
    }
    for (name, b) in [
        ("provincial_backup", &l.provincial_backup),
        ("prefecture_backup", &l.prefecture_backup),
    ] {
        num(
            &["links", name, "capacity_kbps"],
            b.capacity_kbps,
            true,
            &mut d,
        );
        num(
            &["links", name, "failover_min"],
            b.failover_min,
            false,
            &mut d,
        );
    }
    let g = spec.grassroots_per_county;
    if !(g.is_finite() && (0.0..=99.0).contains(&g)) {
        d.push(loc.diag(
            path,
            loc.path(&["grassroots_per_county"]),
            format!("`grassroots_per_county` must be between 0 and 99, got {g}"),
        ));
    }

    let mut ids: HashSet<&str> = HashSet::new();
    if spec.hq.id.is_empty() || spec.hq.id.contains('.') {
        d.push(loc.diag(
            path,
            loc.path(&["hq", "id"]),
            "HQ id must be non-empty and contain no `.`",
        ));
    }
    ids.insert(&spec.hq.id);

    if spec.provinces.len() > u16::MAX as usize {
        d.push(loc.diag(path, loc.path(&["provinces"]), "too many provinces"));
    }
    let mut total: u64 = 1 + spec.externals.len() as u64;
    for (i, p) in spec.provinces.iter().enumerate() {
        if !valid_code(&p.code) {
            d.push(loc.diag(
                path,
                loc.item_field("provinces", i, "code"),
                format!(
                    "province code `{}` must be non-empty lower-case letters, digits or `_`",
                    p.code
                ),
            ));
        } else if !ids.insert(&p.code) {
            d.push(loc.diag(
                path,
                loc.item_field("provinces", i, "code"),
                format!("duplicate province code or id `{}`", p.code),
            ));
        }
        if p.name_zh.is_empty() || p.name_en.is_empty() || p.full_zh.is_empty() {
            d.push(loc.diag(
                path,
                loc.item_field("provinces", i, "name_zh"),
                format!("province `{}` needs non-empty names", p.code),
            ));
        }
        let counties = p.counties as u64;
        let grassroots = (counties as f64 * g.clamp(0.0, 99.0)).ceil() as u64;
        total += 1 + p.prefectures as u64 + counties + grassroots;
    }
    for (i, e) in spec.externals.iter().enumerate() {
        if e.id.is_empty() {
            d.push(loc.diag(
                path,
                loc.item_field("externals", i, "id"),
                "external partner id must not be empty",
            ));
        } else if !ids.insert(&e.id)
            || spec
                .provinces
                .iter()
                .any(|p| e.id.starts_with(&format!("{}.", p.code)))
        {
            d.push(loc.diag(
                path,
                loc.item_field("externals", i, "id"),
                format!("external partner id `{}` clashes with another id", e.id),
            ));
        }
    }
    if total > u32::MAX as u64 / 2 {
        d.push(loc.diag(
            path,
            loc.path(&["provinces"]),
            format!("the spec would generate {total} nodes, too many"),
        ));
    }
    d
}

/// `n` items spread over `k` bins: how many go to bin `i` (0-based).
fn share(n: u64, k: u64, i: u64) -> u64 {
    (i + 1) * n / k - i * n / k
}

/// Canonical service list: tier services plus gateway/data-centre services,
/// in [`ServiceKind::ALL`] order without duplicates.
fn services(spec: &TopologySpec, own: &[ServiceKind], gateway: bool, dc: bool) -> Vec<ServiceKind> {
    let mut v: Vec<ServiceKind> = own.to_vec();
    if gateway {
        v.extend_from_slice(&spec.gateway_services);
    }
    if dc {
        v.extend_from_slice(&spec.data_centre_services);
    }
    v.sort();
    v.dedup();
    v
}

/// Builds the network described by a (validated) spec. Deterministic.
pub fn generate(spec: &TopologySpec) -> Topology {
    let mut nodes: Vec<Node> = Vec::new();
    let mut links: Vec<Link> = Vec::new();
    let mut backups: Vec<Link> = Vec::new();
    let provinces: Vec<Province> = spec
        .provinces
        .iter()
        .map(|p| Province {
            code: p.code.clone(),
            name_zh: p.name_zh.clone(),
            name_en: p.name_en.clone(),
        })
        .collect();

    let hq = &spec.hq;
    nodes.push(Node {
        id: hq.id.clone(),
        name_zh: hq.name_zh.clone(),
        name_en: hq.name_en.clone(),
        tier: Tier::Hq,
        parent: None,
        province: None,
        hosts: hq.hosts,
        gateway: hq.gateway,
        data_centre: hq.data_centre,
        backup_power_hours: hq.backup_power_hours,
        services: services(spec, &hq.services, hq.gateway, hq.data_centre),
    });
    let hq_id: NodeId = 0;

    let ls = &spec.links;
    let milli = (spec.grassroots_per_county.clamp(0.0, 99.0) * 1000.0).round() as u64;
    let mut county_index: u64 = 0; // national, for spreading grassroots units

    // Adds a node of a generated tier under `parent` with its primary link.
    let mut add = |nodes: &mut Vec<Node>,
                   links: &mut Vec<Link>,
                   tier: Tier,
                   id: String,
                   name_zh: String,
                   name_en: String,
                   parent: NodeId,
                   province: u16|
     -> NodeId {
        let (t, kind, cap) = match tier {
            Tier::Provincial => (&spec.provincial, LinkKind::Backbone, ls.backbone_kbps),
            Tier::Prefecture => (&spec.prefecture, LinkKind::Regional, ls.regional_kbps),
            Tier::County => (&spec.county, LinkKind::Metro, ls.metro_kbps),
            _ => (&spec.grassroots, LinkKind::Access, ls.access_kbps),
        };
        let me = nodes.len() as NodeId;
        nodes.push(Node {
            id,
            name_zh,
            name_en,
            tier,
            parent: Some(parent),
            province: Some(province),
            hosts: t.hosts,
            gateway: t.gateway,
            data_centre: t.data_centre,
            backup_power_hours: t.backup_power_hours,
            services: services(spec, &t.services, t.gateway, t.data_centre),
        });
        links.push(Link {
            a: me,
            b: parent,
            kind,
            capacity_kbps: cap,
            failover_min: 0.0,
        });
        me
    };

    for (pi, p) in spec.provinces.iter().enumerate() {
        let pidx = pi as u16;
        let prov = add(
            &mut nodes,
            &mut links,
            Tier::Provincial,
            p.code.clone(),
            format!("{}税务局", p.full_zh),
            format!("{} Tax Bureau", p.name_en),
            hq_id,
            pidx,
        );
        backups.push(Link {
            a: prov,
            b: hq_id,
            kind: LinkKind::Backup,
            capacity_kbps: ls.provincial_backup.capacity_kbps,
            failover_min: ls.provincial_backup.failover_min,
        });
        if p.prefectures == 0 {
            // Municipality or separately planned city: districts under the bureau.
            let group = (prov, p.code.clone(), p.name_zh.clone(), String::new());
            let n = p.counties as u64;
            add_counties(
                &mut add,
                &mut nodes,
                &mut links,
                group,
                n,
                p,
                pidx,
                milli,
                &mut county_index,
            );
        }
        for k in 0..p.prefectures as u64 {
            let no = k + 1;
            let pref = add(
                &mut nodes,
                &mut links,
                Tier::Prefecture,
                format!("{}.{no:02}", p.code),
                format!("{}第{no:02}地市局", p.name_zh),
                format!("{} prefecture bureau {no:02}", p.name_en),
                prov,
                pidx,
            );
            backups.push(Link {
                a: pref,
                b: prov,
                kind: LinkKind::Backup,
                capacity_kbps: ls.prefecture_backup.capacity_kbps,
                failover_min: ls.prefecture_backup.failover_min,
            });
            // Counties of this prefecture follow it directly (depth first).
            let group = (
                pref,
                format!("{}.{no:02}", p.code),
                format!("{}第{no:02}地市", p.name_zh),
                format!("{no:02}-"),
            );
            let n = share(p.counties as u64, p.prefectures as u64, k);
            add_counties(
                &mut add,
                &mut nodes,
                &mut links,
                group,
                n,
                p,
                pidx,
                milli,
                &mut county_index,
            );
        }
    }

    let mut ext_links = Vec::new();
    for e in &spec.externals {
        let me = nodes.len() as NodeId;
        nodes.push(Node {
            id: e.id.clone(),
            name_zh: e.name_zh.clone(),
            name_en: e.name_en.clone(),
            tier: Tier::External,
            parent: None,
            province: None,
            hosts: e.hosts,
            gateway: false,
            data_centre: false,
            backup_power_hours: 0.0,
            services: Vec::new(),
        });
        ext_links.push(Link {
            a: me,
            b: hq_id,
            kind: LinkKind::External,
            capacity_kbps: ls.external_kbps,
            failover_min: 0.0,
        });
    }
    links.extend(backups);
    links.extend(ext_links);
    Topology::new(provinces, nodes, links)
}

type AddFn<'s> = dyn FnMut(&mut Vec<Node>, &mut Vec<Link>, Tier, String, String, String, NodeId, u16) -> NodeId
    + 's;

/// Adds the counties of one group (a prefecture, or a province without
/// prefectures), each followed by its grassroots units.
#[allow(clippy::too_many_arguments)]
fn add_counties(
    add: &mut AddFn<'_>,
    nodes: &mut Vec<Node>,
    links: &mut Vec<Link>,
    group: (NodeId, String, String, String),
    n: u64,
    p: &ProvinceSpec,
    pidx: u16,
    milli: u64,
    county_index: &mut u64,
) {
    let (parent, id_prefix, zh_prefix, en_prefix) = group;
    for c in 1..=n {
        let cid = format!("{id_prefix}.{c:02}");
        let county = add(
            nodes,
            links,
            Tier::County,
            cid.clone(),
            format!("{zh_prefix}第{c:02}县区局"),
            format!("{} county bureau {en_prefix}{c:02}", p.name_en),
            parent,
            pidx,
        );
        let i = *county_index;
        *county_index += 1;
        let units = (i + 1) * milli / 1000 - i * milli / 1000;
        for u in 1..=units {
            add(
                nodes,
                links,
                Tier::Grassroots,
                format!("{cid}.g{u}"),
                format!("{zh_prefix}第{c:02}县区第{u}基层单位"),
                format!("{} grassroots unit {en_prefix}{c:02}-{u}", p.name_en),
                county,
                pidx,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain_reaches_hq(t: &Topology, mut v: NodeId) -> bool {
        for _ in 0..t.nodes.len() {
            if v == t.hq {
                return true;
            }
            match t.nodes[v as usize].parent {
                Some(p) => v = p,
                None => return false,
            }
        }
        false
    }

    #[test]
    fn embedded_spec_parses_and_validates() {
        let spec = parse_spec(DEFAULT_SPEC, Path::new(DEFAULT_SPEC_PATH)).unwrap();
        assert_eq!(spec.provinces.len(), 36);
        let pref: u32 = spec.provinces.iter().map(|p| p.prefectures).sum();
        let cty: u32 = spec.provinces.iter().map(|p| p.counties).sum();
        assert_eq!((pref, cty), (328, 2841));
    }

    #[test]
    fn default_network_numbers() {
        let t = default_topology();
        assert_eq!(t.provinces.len(), 36);
        assert!(t.wan_nodes() >= 16_000, "{}", t.wan_nodes());
        assert!(t.total_hosts() >= 250_000, "{}", t.total_hosts());
        let count = |tier| t.nodes.iter().filter(|n| n.tier == tier).count();
        assert_eq!(count(Tier::Hq), 1);
        assert_eq!(count(Tier::Provincial), 36);
        assert!((320..=340).contains(&count(Tier::Prefecture)));
        assert!((2800..=2900).contains(&count(Tier::County)));
        assert_eq!(count(Tier::External), 3);
        assert_eq!(t.nodes[0].id, "hq");
        assert_eq!(
            t.find("gd.03.05.g2").map(|v| t.nodes[v as usize].tier),
            Some(Tier::Grassroots)
        );
        assert_eq!(
            t.find("bj.07").map(|v| t.nodes[v as usize].tier),
            Some(Tier::County)
        );
        assert_eq!(
            t.nodes[t.find("gd").unwrap() as usize].name_zh,
            "广东省税务局"
        );
        assert_eq!(
            t.nodes[t.find("gd.03").unwrap() as usize].name_zh,
            "广东第03地市局"
        );
        let c = &t.nodes[t.find("gd.03.05").unwrap() as usize];
        assert_eq!(c.name_zh, "广东第03地市第05县区局");
        assert_eq!(c.name_en, "Guangdong county bureau 03-05");
        // Grassroots units: 4 or 5 per county.
        for (v, n) in t.nodes.iter().enumerate() {
            if n.tier == Tier::County {
                let g = t
                    .neighbours(v as NodeId)
                    .iter()
                    .filter(|&&(w, _)| t.nodes[w as usize].tier == Tier::Grassroots)
                    .count();
                assert!((4..=5).contains(&g), "{} has {g}", n.id);
            }
        }
        // Services.
        let hq = &t.nodes[t.hq as usize];
        assert!(hq.services.contains(&ServiceKind::DataExchange));
        assert!(hq.services.contains(&ServiceKind::CoreTaxSystem));
        let gd = &t.nodes[t.find("gd").unwrap() as usize];
        assert!(gd.gateway && gd.data_centre);
        assert!(gd.services.contains(&ServiceKind::OnlineFiling));
        assert_eq!(c.services, vec![ServiceKind::InternalWebsite]);
    }

    #[test]
    fn every_wan_node_reaches_hq() {
        let t = default_topology();
        for (v, n) in t.nodes.iter().enumerate() {
            if n.tier.is_wan() {
                assert!(chain_reaches_hq(&t, v as NodeId), "{}", n.id);
            }
            if let Some(p) = n.parent {
                assert!(t.nodes[p as usize].tier < n.tier);
                assert!(t.link_between(v as NodeId, p).is_some(), "{}", n.id);
            }
        }
    }

    #[test]
    fn one_backup_per_provincial_and_prefecture_bureau() {
        let t = default_topology();
        for (v, n) in t.nodes.iter().enumerate() {
            let backups = t
                .neighbours(v as NodeId)
                .iter()
                .filter(|&&(w, l)| {
                    t.links[l as usize].kind == LinkKind::Backup
                        && t.nodes[w as usize].tier < n.tier
                })
                .count();
            let want = matches!(n.tier, Tier::Provincial | Tier::Prefecture) as usize;
            assert_eq!(backups, want, "{}", n.id);
        }
        assert_eq!(t.backup_of.len(), 36 + 328);
    }

    #[test]
    fn generation_is_deterministic() {
        let a = default_topology();
        let b = default_topology();
        assert_eq!(a.provinces, b.provinces);
        assert_eq!(a.nodes, b.nodes);
        assert_eq!(a.links, b.links);
    }

    #[test]
    fn ron_syntax_error_has_position() {
        let src = DEFAULT_SPEC.replacen("hosts: 2500,", "hosts: 2500,,", 1);
        let e = parse_spec(&src, Path::new("t.ron")).unwrap_err();
        assert_eq!(e.len(), 1);
        let line = src.lines().position(|l| l.contains("2500,,")).unwrap() + 1;
        assert_eq!(e.0[0].line, line);
    }

    #[test]
    fn unknown_field_is_rejected() {
        let src = DEFAULT_SPEC.replacen("hosts: 2500,", "hosts: 2500, colour: 1,", 1);
        let e = parse_spec(&src, Path::new("t.ron")).unwrap_err();
        assert!(e.0[0].message.contains("colour"), "{}", e);
    }

    #[test]
    fn semantic_errors_are_all_collected_with_positions() {
        let src = DEFAULT_SPEC
            .replacen("code: \"tj\"", "code: \"bj\"", 1)
            .replacen("access_kbps: 128.0", "access_kbps: -1.0", 1)
            .replacen("code: \"sz\"", "code: \"S Z\"", 1);
        let e = parse_spec(&src, Path::new("t.ron")).unwrap_err();
        assert_eq!(e.len(), 3, "{e}");
        let line_of = |pat: &str| src.lines().position(|l| l.contains(pat)).unwrap() + 1;
        assert_eq!(e.0[0].line, line_of("access_kbps: -1.0"));
        let tj = src.lines().position(|l| l.contains("\"Tianjin\"")).unwrap() + 1;
        assert_eq!(e.0[1].line, tj);
        assert_eq!(e.0[2].line, line_of("\"S Z\""));
    }

    #[test]
    fn missing_file_is_a_diagnostic() {
        let e = load_spec(Path::new("/nonexistent/topology.ron")).unwrap_err();
        assert_eq!((e.0[0].line, e.0[0].col), (1, 1));
    }
}
