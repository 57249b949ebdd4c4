//! The WAN model: nodes (bureaus and units), links, services.
//!
//! A [`Topology`] is immutable once built; the engine shares it behind an
//! `Arc` so that building a world for another seed is cheap. It comes either
//! from the generator (`assets/topology.ron`, see [`super::topology_spec`]) or
//! from `nodes.csv` + `links.csv` (see [`super::topology_csv`]);
//! [`super::topology_summary::summary`] prints an overview.

use serde::{Deserialize, Serialize};

/// Index of a node in [`Topology::nodes`].
pub type NodeId = u32;
/// Index of a link in [`Topology::links`].
pub type LinkId = u32;

/// Tier of a node in the four-tier tax WAN (plus the grassroots extension and
/// external partners reached from HQ).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// 总局 State Taxation Administration headquarters.
    Hq,
    /// 省局 provincial bureau (31 provinces + 5 separately planned cities).
    Provincial,
    /// 地市局 prefecture bureau.
    Prefecture,
    /// 县区局 county or district bureau.
    County,
    /// 基层征收单位 grassroots collection unit.
    Grassroots,
    /// An outside partner linked to HQ (customs, finance, banks). Not a WAN node.
    External,
}

impl Tier {
    pub const ALL: [Tier; 6] = [
        Tier::Hq,
        Tier::Provincial,
        Tier::Prefecture,
        Tier::County,
        Tier::Grassroots,
        Tier::External,
    ];
    /// The name used in CSV files and scenarios.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Hq => "hq",
            Tier::Provincial => "provincial",
            Tier::Prefecture => "prefecture",
            Tier::County => "county",
            Tier::Grassroots => "grassroots",
            Tier::External => "external",
        }
    }
    pub fn parse(s: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.as_str() == s)
    }
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Tier::Hq => "总局",
            Tier::Provincial => "省局",
            Tier::Prefecture => "地市局",
            Tier::County => "县区局",
            Tier::Grassroots => "基层单位",
            Tier::External => "外部单位",
        }
    }
    /// Whether the node counts as a node of the tax WAN.
    pub fn is_wan(self) -> bool {
        self != Tier::External
    }
}

/// Kind of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// HQ ↔ provincial bureau primary line.
    Backbone,
    /// Provincial ↔ prefecture bureau primary line.
    Regional,
    /// Prefecture (or provincial, for municipalities) ↔ county primary line.
    Metro,
    /// County ↔ grassroots unit line.
    Access,
    /// Second path of a provincial or prefecture bureau, idle until the
    /// primary fails and the failover delay has passed.
    Backup,
    /// HQ ↔ an outside partner (customs, finance, banks).
    External,
}

impl LinkKind {
    pub const ALL: [LinkKind; 6] = [
        LinkKind::Backbone,
        LinkKind::Regional,
        LinkKind::Metro,
        LinkKind::Access,
        LinkKind::Backup,
        LinkKind::External,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Backbone => "backbone",
            LinkKind::Regional => "regional",
            LinkKind::Metro => "metro",
            LinkKind::Access => "access",
            LinkKind::Backup => "backup",
            LinkKind::External => "external",
        }
    }
    pub fn parse(s: &str) -> Option<LinkKind> {
        LinkKind::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// A service hosted on a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// 内部网站 internal website (every bureau).
    InternalWebsite,
    /// 网上申报 online filing (internet-facing, at internet gateways).
    OnlineFiling,
    /// 网上查询 online enquiry (internet-facing).
    OnlineEnquiry,
    /// 门户网站 public website (internet-facing).
    PublicWebsite,
    /// 征管系统 core tax-administration system (data centres).
    CoreTaxSystem,
    /// Data exchange with customs, finance and banks (HQ).
    DataExchange,
}

impl ServiceKind {
    pub const ALL: [ServiceKind; 6] = [
        ServiceKind::InternalWebsite,
        ServiceKind::OnlineFiling,
        ServiceKind::OnlineEnquiry,
        ServiceKind::PublicWebsite,
        ServiceKind::CoreTaxSystem,
        ServiceKind::DataExchange,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceKind::InternalWebsite => "internal_website",
            ServiceKind::OnlineFiling => "online_filing",
            ServiceKind::OnlineEnquiry => "online_enquiry",
            ServiceKind::PublicWebsite => "public_website",
            ServiceKind::CoreTaxSystem => "core_tax_system",
            ServiceKind::DataExchange => "data_exchange",
        }
    }
    pub fn parse(s: &str) -> Option<ServiceKind> {
        ServiceKind::ALL.into_iter().find(|t| t.as_str() == s)
    }
    /// Whether taxpayers reach it over the internet (through a gateway).
    pub fn internet_facing(self) -> bool {
        matches!(
            self,
            ServiceKind::OnlineFiling | ServiceKind::OnlineEnquiry | ServiceKind::PublicWebsite
        )
    }
}

/// A provincial-level unit (31 provinces + 5 separately planned cities).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Province {
    /// Short lower-case code, e.g. `gd`, `sz`. Node ids start with it.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// A WAN node: one bureau or unit site.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Stable text id, e.g. `hq`, `gd`, `gd.03`, `gd.03.05`, `gd.03.05.g2`.
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub tier: Tier,
    /// Parent in the primary tree (None for HQ and external partners).
    pub parent: Option<NodeId>,
    /// Index into [`Topology::provinces`] (None for HQ and external partners).
    pub province: Option<u16>,
    /// Networked computers at the site.
    pub hosts: u32,
    /// Has an internet gateway (HQ and provincial bureaus).
    pub gateway: bool,
    /// Hosts a data centre.
    pub data_centre: bool,
    /// Hours the site runs on backup power (UPS + generator) in a power outage.
    pub backup_power_hours: f64,
    pub services: Vec<ServiceKind>,
}

/// A line between two nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub a: NodeId,
    pub b: NodeId,
    pub kind: LinkKind,
    /// Capacity in kbit/s (worm traffic above it saturates the line).
    pub capacity_kbps: f64,
    /// For backup lines: minutes from the primary failing to traffic on the backup.
    pub failover_min: f64,
}

/// A service instance: a service kind at a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Service {
    pub node: NodeId,
    pub kind: ServiceKind,
}

/// The whole network, immutable once built.
#[derive(Clone, Debug, Default)]
pub struct Topology {
    pub provinces: Vec<Province>,
    pub nodes: Vec<Node>,
    pub links: Vec<Link>,
    /// Every service instance, node by node.
    pub services: Vec<Service>,
    /// How many of them are internet-facing (taxpayer) services.
    pub taxpayer_services: u32,
    /// The HQ node.
    pub hq: NodeId,
    /// CSR adjacency: neighbours of node `v` are `adj[adj_start[v]..adj_start[v+1]]`.
    pub adj_start: Vec<u32>,
    /// `(neighbour, link)` pairs.
    pub adj: Vec<(NodeId, LinkId)>,
    /// The capacity (kbit/s) of each `adj` entry's link, in the same order:
    /// the worm's saturation check reads it beside the adjacency instead of
    /// one 32-byte [`Link`] per neighbour from across the link table.
    pub adj_capacity: Vec<f64>,
    /// For each backup link, the primary link it protects.
    pub backup_of: Vec<(LinkId, LinkId)>,
}

impl Topology {
    /// Builds the derived indexes (adjacency, services, backups) from nodes and links.
    /// `nodes` and `links` must already be valid (ids in range, one HQ).
    pub fn new(provinces: Vec<Province>, nodes: Vec<Node>, links: Vec<Link>) -> Topology {
        let n = nodes.len();
        let mut degree = vec![0u32; n + 1];
        for l in &links {
            degree[l.a as usize] += 1;
            degree[l.b as usize] += 1;
        }
        let mut adj_start = vec![0u32; n + 1];
        for v in 0..n {
            adj_start[v + 1] = adj_start[v] + degree[v];
        }
        let mut fill = adj_start.clone();
        let mut adj = vec![(0u32, 0u32); links.len() * 2];
        for (i, l) in links.iter().enumerate() {
            adj[fill[l.a as usize] as usize] = (l.b, i as LinkId);
            fill[l.a as usize] += 1;
            adj[fill[l.b as usize] as usize] = (l.a, i as LinkId);
            fill[l.b as usize] += 1;
        }
        let adj_capacity = adj
            .iter()
            .map(|&(_, l)| links[l as usize].capacity_kbps)
            .collect();
        let hq = nodes.iter().position(|n| n.tier == Tier::Hq).unwrap_or(0) as NodeId;
        let services: Vec<Service> = nodes
            .iter()
            .enumerate()
            .flat_map(|(i, n)| {
                n.services.iter().map(move |&kind| Service {
                    node: i as NodeId,
                    kind,
                })
            })
            .collect();
        let mut topo = Topology {
            provinces,
            nodes,
            links,
            taxpayer_services: services
                .iter()
                .filter(|s: &&Service| s.kind.internet_facing())
                .count() as u32,
            services,
            hq,
            adj_start,
            adj,
            adj_capacity,
            backup_of: Vec::new(),
        };
        // A backup line protects the primary line from its lower end to that node's parent.
        let mut backup_of = Vec::new();
        for (i, l) in topo.links.iter().enumerate() {
            if l.kind != LinkKind::Backup {
                continue;
            }
            let (lo, _hi) = if topo.nodes[l.a as usize].tier > topo.nodes[l.b as usize].tier {
                (l.a, l.b)
            } else {
                (l.b, l.a)
            };
            if let Some(p) = topo.nodes[lo as usize].parent
                && let Some(primary) = topo.link_between(lo, p)
            {
                backup_of.push((i as LinkId, primary));
            }
        }
        topo.backup_of = backup_of;
        topo
    }

    /// Neighbours of `v` with the link to each.
    #[inline]
    pub fn neighbours(&self, v: NodeId) -> &[(NodeId, LinkId)] {
        &self.adj[self.adj_start[v as usize] as usize..self.adj_start[v as usize + 1] as usize]
    }

    /// [`Topology::neighbours`] with each line's capacity (kbit/s).
    pub fn neighbours_with_capacity(
        &self,
        v: NodeId,
    ) -> impl Iterator<Item = (NodeId, LinkId, f64)> + '_ {
        let range = self.adj_start[v as usize] as usize..self.adj_start[v as usize + 1] as usize;
        self.adj[range.clone()]
            .iter()
            .zip(&self.adj_capacity[range])
            .map(|(&(w, l), &c)| (w, l, c))
    }

    /// The first non-backup link between `a` and `b`.
    pub fn link_between(&self, a: NodeId, b: NodeId) -> Option<LinkId> {
        self.neighbours(a)
            .iter()
            .find(|&&(w, l)| w == b && self.links[l as usize].kind != LinkKind::Backup)
            .map(|&(_, l)| l)
    }

    /// Node index by text id.
    pub fn find(&self, id: &str) -> Option<NodeId> {
        // Linear scan is fine: used while loading, not in the engine.
        self.nodes
            .iter()
            .position(|n| n.id == id)
            .map(|i| i as NodeId)
    }

    /// Province index by code.
    pub fn find_province(&self, code: &str) -> Option<u16> {
        self.provinces
            .iter()
            .position(|p| p.code == code)
            .map(|i| i as u16)
    }

    /// Number of WAN nodes (external partners excluded).
    pub fn wan_nodes(&self) -> usize {
        self.nodes.iter().filter(|n| n.tier.is_wan()).count()
    }

    /// Total networked computers.
    pub fn total_hosts(&self) -> u64 {
        self.nodes.iter().map(|n| n.hosts as u64).sum()
    }
}
