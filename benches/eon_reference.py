#!/usr/bin/env python3
"""Reference timing: EoN ``fast_SIR`` on the national tax-WAN graph.

Gives an outside number to compare drillsim's exact network SIR against
(validation mode, ``scenarios/validation/network-sir.ron``).

Usage:
    pip install EoN networkx
    drillsim topology export /tmp/natnet
    python3 benches/eon_reference.py /tmp/natnet [--tau 1.0] [--gamma 1.0] [--runs 30] [--seed 1]

The graph is undirected, built from ``links.csv`` without ``backup`` rows
(backup lines are idle in drillsim until a primary fails): the primary tree
plus the external links. One outbreak = ``EoN.fast_SIR(G, tau, gamma,
initial_infecteds=['hq'])`` run to extinction; tau is the per-edge
transmission rate and gamma the recovery rate (EoN's convention, the same as
drillsim's τ and γ). After 2 warm-up runs, each of ``--runs`` outbreaks is
timed with ``time.perf_counter``. The mean final size (recovered count at the
end) is printed next to the tree formula E[R∞] = Σ_d n_d·T^d, T = τ/(τ+γ),
where n_d is the number of nodes at depth d from hq.
"""

import argparse
import csv
import random
import statistics
import time
from pathlib import Path

import EoN
import networkx as nx
import numpy as np


def load_graph(folder: Path) -> nx.Graph:
    g = nx.Graph()
    with open(folder / "links.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["kind"] != "backup":
                g.add_edge(row["a"], row["b"])
    return g


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path, help="folder with nodes.csv and links.csv")
    ap.add_argument("--tau", type=float, default=1.0, help="per-edge transmission rate")
    ap.add_argument("--gamma", type=float, default=1.0, help="recovery rate")
    ap.add_argument("--runs", type=int, default=30, help="timed outbreaks")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    g = load_graph(args.folder)
    print(f"graph: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges "
          f"(tree: {nx.is_tree(g)})")

    # Tree formula: Σ_d n_d · T^d over BFS depths from hq.
    t = args.tau / (args.tau + args.gamma)
    depths = nx.single_source_shortest_path_length(g, "hq")
    n_d = [0] * (max(depths.values()) + 1)
    for d in depths.values():
        n_d[d] += 1
    expected = sum(n * t**d for d, n in enumerate(n_d))

    random.seed(args.seed)
    np.random.seed(args.seed)

    def outbreak() -> int:
        _, _, _, r = EoN.fast_SIR(g, args.tau, args.gamma, initial_infecteds=["hq"])
        return int(r[-1])

    for _ in range(2):
        outbreak()
    secs, sizes = [], []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        sizes.append(outbreak())
        secs.append(time.perf_counter() - t0)

    print(f"EoN {EoN.__version__}, networkx {nx.__version__}; "
          f"tau={args.tau} gamma={args.gamma} runs={args.runs} seed={args.seed}")
    print(f"seconds per outbreak: median {statistics.median(secs):.4f}, "
          f"mean {statistics.mean(secs):.4f}")
    print(f"final size R: mean {statistics.mean(sizes):.1f} "
          f"(sd {statistics.stdev(sizes) if len(sizes) > 1 else 0:.1f})")
    print(f"tree formula sum_d n_d T^d (T={t:g}): {expected:.1f}; n_d = {n_d}")


if __name__ == "__main__":
    main()
