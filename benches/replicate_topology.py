#!/usr/bin/env python3
"""Replicates the provinces of an exported network K times (scaling benches).

Usage:
    drillsim topology export nat
    python3 benches/replicate_topology.py nat nat10 [--copies 10]
    drillsim run --topology nat10 --no-response

Reads ``nodes.csv``, ``links.csv`` and ``provinces.csv`` from the input
folder (as written by ``drillsim topology export``) and writes the same three
files into the output folder with every province present ``--copies`` times:
copy 0 is the original (same ids, so the bundled scenarios still find
``gd``, ``bj`` …), copy k ≥ 1 renames every node and province code of the
province with the suffix ``~k`` (``gd.03.g2`` → ``gd.03.g2~4``) and appends
`` (k)`` to the names. HQ and the external partners are not copied; every
line of a province is copied, a line to HQ or to a partner keeps that end
(so the copies hang off HQ like the originals, backup lines included). The
default national network (16,135 nodes, ≈ 250,000 hosts) becomes ≈ 161,000
nodes and ≈ 2.5 M hosts at ``--copies 10``. Standard library only.
"""

import argparse
import csv
from pathlib import Path


def read(path: Path):
    with open(path, newline="", encoding="utf-8") as f:
        r = csv.DictReader(f)
        return r.fieldnames, list(r)


def write(path: Path, fields, rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", type=Path, help="exported network folder")
    ap.add_argument("dst", type=Path, help="output folder (created)")
    ap.add_argument("--copies", type=int, default=10, help="copies of each province (≥ 1)")
    args = ap.parse_args()
    if args.copies < 1:
        ap.error("--copies must be at least 1")

    node_fields, nodes = read(args.src / "nodes.csv")
    link_fields, links = read(args.src / "links.csv")
    prov_fields, provinces = read(args.src / "provinces.csv")

    # Nodes without a province (HQ, external partners) are shared by all copies.
    provincial = {n["id"] for n in nodes if n["province"]}

    def rename(node_id: str, k: int) -> str:
        return node_id if k == 0 or node_id not in provincial else f"{node_id}~{k}"

    def suffix(text: str, k: int) -> str:
        return text if k == 0 or not text else f"{text} ({k})"

    out_nodes = [n for n in nodes if not n["province"]]
    out_links = [l for l in links if l["a"] not in provincial and l["b"] not in provincial]
    out_provs = []
    for k in range(args.copies):
        for p in provinces:
            q = dict(p)
            if k:
                q["code"] = f"{p['code']}~{k}"
                q["name"] = suffix(p["name"], k)
                q["name_en"] = suffix(p["name_en"], k)
            out_provs.append(q)
        for n in nodes:
            if not n["province"]:
                continue
            m = dict(n)
            m["id"] = rename(n["id"], k)
            m["parent"] = rename(n["parent"], k) if n["parent"] else ""
            m["province"] = n["province"] if k == 0 else f"{n['province']}~{k}"
            m["name"] = suffix(n["name"], k)
            m["name_en"] = suffix(n["name_en"], k)
            out_nodes.append(m)
        for l in links:
            if l["a"] in provincial or l["b"] in provincial:
                m = dict(l)
                m["a"] = rename(l["a"], k)
                m["b"] = rename(l["b"], k)
                out_links.append(m)

    args.dst.mkdir(parents=True, exist_ok=True)
    write(args.dst / "nodes.csv", node_fields, out_nodes)
    write(args.dst / "links.csv", link_fields, out_links)
    write(args.dst / "provinces.csv", prov_fields, out_provs)
    hosts = sum(int(n["hosts"]) for n in out_nodes)
    print(f"wrote {len(out_nodes)} nodes ({hosts} hosts), {len(out_links)} links, "
          f"{len(out_provs)} provinces to {args.dst}")


if __name__ == "__main__":
    main()
