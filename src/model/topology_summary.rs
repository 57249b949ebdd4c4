//! A plain-text overview of a [`Topology`].

use std::fmt::Write;

use super::topology::{LinkKind, ServiceKind, Tier, Topology};

/// Terminal width of a string: CJK and full-width characters count 2.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

/// `s` padded on the right to `w` terminal columns.
fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

/// `12345` → `12,345`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Nodes and hosts per tier, totals, links per kind, services per kind,
/// gateways and data centres, as an aligned plain-text table.
pub fn summary(topo: &Topology) -> String {
    let mut out = String::new();
    let label_w = 24;
    let _ = writeln!(
        out,
        "{}{:>10}{:>12}",
        pad("Tier", label_w),
        "nodes",
        "hosts"
    );
    for tier in Tier::ALL {
        let nodes = topo.nodes.iter().filter(|n| n.tier == tier);
        let (count, hosts) = nodes.fold((0u64, 0u64), |(c, h), n| (c + 1, h + n.hosts as u64));
        let label = format!("{} {}", tier.as_str(), tier.zh());
        let _ = writeln!(
            out,
            "{}{:>10}{:>12}",
            pad(&label, label_w),
            thousands(count),
            thousands(hosts)
        );
    }
    let wan_hosts: u64 = topo
        .nodes
        .iter()
        .filter(|n| n.tier.is_wan())
        .map(|n| n.hosts as u64)
        .sum();
    let _ = writeln!(
        out,
        "{}{:>10}{:>12}",
        pad("WAN total 广域网合计", label_w),
        thousands(topo.wan_nodes() as u64),
        thousands(wan_hosts)
    );
    let _ = writeln!(
        out,
        "{}{:>10}{:>12}",
        pad("All nodes", label_w),
        thousands(topo.nodes.len() as u64),
        thousands(topo.total_hosts())
    );

    let _ = writeln!(out);
    let _ = writeln!(out, "{}{:>10}", pad("Link kind", label_w), "links");
    for kind in LinkKind::ALL {
        let n = topo.links.iter().filter(|l| l.kind == kind).count();
        let _ = writeln!(
            out,
            "{}{:>10}",
            pad(kind.as_str(), label_w),
            thousands(n as u64)
        );
    }
    let _ = writeln!(
        out,
        "{}{:>10}",
        pad("All links", label_w),
        thousands(topo.links.len() as u64)
    );

    let _ = writeln!(out);
    let _ = writeln!(out, "{}{:>10}", pad("Service", label_w), "instances");
    for kind in ServiceKind::ALL {
        let n = topo.services.iter().filter(|s| s.kind == kind).count();
        let _ = writeln!(
            out,
            "{}{:>10}",
            pad(kind.as_str(), label_w),
            thousands(n as u64)
        );
    }

    let _ = writeln!(out);
    let gateways = topo.nodes.iter().filter(|n| n.gateway).count();
    let dcs = topo.nodes.iter().filter(|n| n.data_centre).count();
    let _ = writeln!(
        out,
        "{}{:>10}",
        pad("Gateways 互联网出口", label_w),
        thousands(gateways as u64)
    );
    let _ = writeln!(
        out,
        "{}{:>10}",
        pad("Data centres 数据中心", label_w),
        thousands(dcs as u64)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::topology_spec::default_topology;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(255_478), "255,478");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn default_summary_is_aligned() {
        let s = summary(&default_topology());
        assert!(s.contains("provincial 省局"));
        let tier_lines: Vec<&str> = s.lines().take(9).collect();
        let w = width(tier_lines[0]);
        for l in &tier_lines {
            assert_eq!(width(l), w, "{l:?}");
        }
        assert!(
            s.lines()
                .any(|l| l.starts_with("backup") && l.ends_with(" 364")),
            "{s}"
        );
    }
}
