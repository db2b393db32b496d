"""Benchmark: centrality on the company network of 1M shipments, igraph kernels against
networkx's own.

    python bench/centrality.py [--shipments 1000000] [--k 512] [--seed 1] [--skip-networkx]

Reports, for the network of the generated dataset (bench/out/): sampled betweenness
(k sources), PageRank and Louvain communities through kpgraph (igraph), and networkx's
``betweenness_centrality(k=...)`` and ``pagerank`` on the same graph, with time and the
process's peak RSS after each; then, on a 10k-node subgraph, the top-20 overlap of
sampled (k) against exact betweenness.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402
from generated import dataset  # noqa: E402 (bench/, the script's folder)

import kpgraph  # noqa: E402
from kpgraph.analyses.centrality import betweenness, communities, pagerank  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label, fn, rows):
    t = time.perf_counter()
    out = fn()
    rows.append((label, time.perf_counter() - t, rss_mb()))
    print(f"{label}: {rows[-1][1]:.1f} s", file=sys.stderr, flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shipments", type=int, default=1_000_000)
    ap.add_argument("--k", type=int, default=512)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-networkx", action="store_true")
    args = ap.parse_args()
    path = dataset(args.shipments, args.seed)
    net = kpgraph.open_graph(path).company_network()
    rows: list = []
    timed(f"kpgraph betweenness, k={args.k} (igraph)",
          lambda: betweenness(net, k=args.k, seed=0), rows)
    timed("kpgraph pagerank (igraph)", lambda: pagerank(net), rows)
    timed("kpgraph communities, Louvain (igraph)", lambda: communities(net), rows)
    if not args.skip_networkx:
        timed(f"networkx betweenness_centrality(k={args.k})",
              lambda: nx.betweenness_centrality(net, k=args.k, seed=0), rows)
        timed("networkx pagerank", lambda: nx.pagerank(net, weight="carats"), rows)
    # top-20 overlap of sampled against exact betweenness on a 10k-node subgraph
    biggest = max(nx.weakly_connected_components(net), key=len)
    sub = net.subgraph(sorted(biggest)[:10_000]).copy()
    exact = betweenness(sub).values if len(sub) < 5_000 else betweenness(
        sub, k=len(sub)).values
    sampled = betweenness(sub, k=args.k, seed=0).values
    top = lambda d: {n for n, _ in sorted(d.items(), key=lambda kv: -kv[1])[:20]}  # noqa: E731
    overlap = len(top(exact) & top(sampled)) / 20
    print(f"company network: {net.number_of_nodes():,} companies, "
          f"{net.number_of_edges():,} trade links")
    print()
    print("| computation | time (s) | peak RSS so far (MB) |")
    print("|---|---:|---:|")
    for label, sec, rss in rows:
        print(f"| {label} | {sec:.2f} | {rss:,.0f} |")
    print()
    print(f"top-20 overlap, sampled (k={args.k}) against exact betweenness, on a "
          f"{len(sub):,}-node subgraph: {overlap:.2f}")


if __name__ == "__main__":
    main()
