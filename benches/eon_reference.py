#!/usr/bin/env python3
"""Side by side: EoN ``fast_SIR`` and drillsim's network SIR on the national graph.

One invocation measures both, with the same τ, γ and initial node ``hq``:

- EoN: ``EoN.fast_SIR(G, tau, gamma, initial_infecteds=['hq'])`` on the
  graph exported by ``drillsim topology export``, run to extinction; after 2
  warm-up outbreaks each of ``--eon-runs`` outbreaks is timed with
  ``time.perf_counter`` (per-outbreak time = their mean; the median is
  printed too).
- drillsim: ``drillsim batch SCENARIO --no-response --runs N --jobs 1
  --quiet`` (one process, N outbreaks in one batch, seeds 1..N), timed from
  the outside; per-outbreak time = wall / N (process start, network
  generation and the batch's own files included). The scenario is
  ``scenarios/validation/network-sir-tau1.7.ron`` by default; with other
  ``--tau``/``--gamma`` the script writes a copy of
  ``scenarios/validation/network-sir.ron`` with those rates into a
  temporary folder and runs that instead (the rates are the only
  difference). drillsim's mean final size is the mean of
  ``total_infected_hosts`` in the batch's ``summary.csv`` (one host per
  node, so hosts ever infected = nodes ever infected).

With ``--repeat K`` (default 1) the whole side-by-side measurement (the
drillsim batch, then the EoN outbreaks) is made K times in a row and a last
line gives the min–max of each ratio over the K rounds; every round prints
the 1-minute load average before it (other work on a shared machine moves
both timings).

It prints both per-outbreak times, their ratio, the same from CPU time
(EoN: ``time.process_time`` per outbreak; drillsim: the child's user +
system time / N), which other load on the machine moves less than wall
time, both mean final sizes with
standard errors and the tree formula E[R∞] = Σ_d n_d·T^d, T = τ/(τ+γ), n_d
the number of nodes at depth d from hq.

Usage (from the repository root, after ``cargo build --release``):
    python3 -m venv /tmp/eon && /tmp/eon/bin/pip install EoN networkx numpy scipy
    target/release/drillsim topology export /tmp/natnet
    /tmp/eon/bin/python benches/eon_reference.py /tmp/natnet \\
        [--drillsim target/release/drillsim] [--tau 1.7] [--gamma 1.0] \\
        [--runs 1000] [--eon-runs 30] [--seed 1] [--repeat 1]

The graph is undirected, built from ``links.csv`` without ``backup`` rows
(backup lines are idle in drillsim until a primary fails): the primary tree
plus the external links.
"""

import argparse
import csv
import math
import os
import random
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import EoN
import networkx as nx
import numpy as np

REPO = Path(__file__).resolve().parent.parent
SCENARIO_17 = REPO / "scenarios" / "validation" / "network-sir-tau1.7.ron"
SCENARIO_BASE = REPO / "scenarios" / "validation" / "network-sir.ron"


def load_graph(folder: Path) -> nx.Graph:
    g = nx.Graph()
    with open(folder / "links.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["kind"] != "backup":
                g.add_edge(row["a"], row["b"])
    return g


def scenario_for(tau: float, gamma: float, tmp: Path) -> Path:
    """The validation scenario with these rates (the bundled one at 1.7/1.0)."""
    if tau == 1.7 and gamma == 1.0:
        return SCENARIO_17
    text = SCENARIO_BASE.read_text(encoding="utf-8")
    for key, value in (("tau_per_hour", tau), ("gamma_per_hour", gamma)):
        old = f"{key}: 1.0,"
        if old not in text:
            raise SystemExit(f"{SCENARIO_BASE}: no '{old}' to replace")
        text = text.replace(old, f"{key}: {value!r},", 1)
    path = tmp / f"network-sir-tau{tau:g}-gamma{gamma:g}.ron"
    path.write_text(text, encoding="utf-8")
    return path


def drillsim_batch(exe: str, scenario: Path, runs: int, seed: int, out: Path):
    """(wall seconds, CPU seconds, mean final size, its standard error)."""
    cmd = [exe, "batch", str(scenario), "--no-response", "--runs", str(runs),
           "--seed", str(seed), "--jobs", "1", "--quiet", "--out", str(out)]
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    with open(out / "summary.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["metric"] == "total_infected_hosts":
                n = int(row["n"])
                return wall, cpu, float(row["mean"]), float(row["sd"]) / math.sqrt(n)
    raise SystemExit(f"{out}/summary.csv: no total_infected_hosts row")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path, help="folder with nodes.csv and links.csv")
    ap.add_argument("--drillsim", default=str(REPO / "target" / "release" / "drillsim"),
                    help="drillsim binary (default: target/release/drillsim)")
    ap.add_argument("--tau", type=float, default=1.7, help="per-edge transmission rate (1/h)")
    ap.add_argument("--gamma", type=float, default=1.0, help="recovery rate (1/h)")
    ap.add_argument("--runs", type=int, default=1000, help="drillsim outbreaks (one batch)")
    ap.add_argument("--eon-runs", type=int, default=30, help="timed EoN outbreaks")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1,
                    help="side-by-side rounds (min-max of the ratios at the end)")
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

    wall_ratios, cpu_ratios, loads = [], [], []
    for k in range(args.repeat):
        if args.repeat > 1:
            print(f"-- round {k + 1} of {args.repeat}")
        w, c, load = side_by_side(args, g, t, expected, n_d)
        wall_ratios.append(w)
        cpu_ratios.append(c)
        loads.append(load)
    if args.repeat > 1:
        print(f"over {args.repeat} rounds: ratio (wall) {min(wall_ratios):.1f}-"
              f"{max(wall_ratios):.1f}x, ratio (CPU) {min(cpu_ratios):.1f}-"
              f"{max(cpu_ratios):.1f}x, load average {min(loads):.2f}-{max(loads):.2f}")


def side_by_side(args, g, t, expected, n_d):
    """One round: (wall ratio, CPU ratio, 1-minute load average before it)."""
    load = os.getloadavg()[0]
    print(f"load average (1 min) before this round: {load:.2f}")
    # drillsim first (one batch of --runs outbreaks).
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        scenario = scenario_for(args.tau, args.gamma, tmp)
        wall, d_cpu, d_mean, d_se = drillsim_batch(args.drillsim, scenario, args.runs,
                                            args.seed, tmp / "batch")
    d_per = wall / args.runs

    # EoN.
    random.seed(args.seed)
    np.random.seed(args.seed)

    def outbreak() -> int:
        _, _, _, r = EoN.fast_SIR(g, args.tau, args.gamma, initial_infecteds=["hq"])
        return int(r[-1])

    for _ in range(2):
        outbreak()
    secs, cpus, sizes = [], [], []
    for _ in range(args.eon_runs):
        t0 = time.perf_counter()
        c0 = time.process_time()
        sizes.append(outbreak())
        cpus.append(time.process_time() - c0)
        secs.append(time.perf_counter() - t0)
    e_per = statistics.mean(secs)
    e_cpu = statistics.mean(cpus)
    d_cpu_per = d_cpu / args.runs
    e_mean = statistics.mean(sizes)
    e_se = statistics.stdev(sizes) / math.sqrt(len(sizes)) if len(sizes) > 1 else 0.0

    print(f"tau={args.tau:g}/h gamma={args.gamma:g}/h, initial node hq, seed {args.seed}")
    print(f"EoN {EoN.__version__} (networkx {nx.__version__}), {args.eon_runs} outbreaks: "
          f"{e_per * 1e3:.2f} ms per outbreak (mean; median "
          f"{statistics.median(secs) * 1e3:.2f} ms)")
    print(f"drillsim ({scenario.name}), {args.runs} outbreaks in one batch, --jobs 1: "
          f"{wall:.2f} s wall, {d_per * 1e3:.3f} ms per outbreak")
    print(f"ratio EoN / drillsim per outbreak: {e_per / d_per:.1f}x")
    print(f"CPU time per outbreak (less sensitive to other load): EoN {e_cpu * 1e3:.2f} ms, "
          f"drillsim {d_cpu_per * 1e3:.3f} ms (user + sys / {args.runs}), "
          f"ratio {e_cpu / d_cpu_per:.1f}x")
    print(f"mean final size: drillsim {d_mean:.1f} ± {d_se:.1f}, EoN {e_mean:.1f} ± {e_se:.1f} "
          f"(± 1 standard error)")
    print(f"tree formula sum_d n_d T^d (T={t:.4f}): {expected:.1f}; n_d = {n_d}")
    return e_per / d_per, e_cpu / d_cpu_per, load


if __name__ == "__main__":
    main()
