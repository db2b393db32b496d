"""Route search latency on the embedded backend, and the naive static-path approach.

    python bench/routes_latency.py [--shipments 1000000] [--seed 7] [--naive-shipments 5000]
    python bench/routes_latency.py --backend neo4j [--shipments 1000000]

Generates a dataset (bench/out/), opens it, builds the continuation index and the route
facts of every shipment once (timed apart), then times `find_routes` (the best 50 routes, as
`kpgraph routes` prints) from every risky origin (p50, p95, max over origins). With
``--backend neo4j`` it bulk-imports the dataset (with its NEXT links) into the test Neo4j
(tests/neo4j_server/, heap 3 GB, page cache 1 GB), adds the key constraints and indexes (as
`kpgraph load` does after a bulk import), and times the same searches there, warm (each
origin run twice, the second timed).
For comparison, on a small dataset it times networkx ``all_simple_paths`` over the static
company network from the origin's companies (cutoff 4) followed by a filter for time
order, which is what the search replaces.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
from generated import dataset  # noqa: E402 (bench/, the script's folder)

import kpgraph  # noqa: E402
from kpgraph.routes import RouteQuery, _facts, _index, find_routes, risky_origins  # noqa: E402


def _search_times(g) -> tuple[list[float], dict]:
    times, counts = [], {}
    for origin in risky_origins(g):
        t = time.perf_counter()
        found = find_routes(g, RouteQuery(origin=origin), limit=50)
        times.append(time.perf_counter() - t)
        counts[origin] = len(found)
    return times, counts


def _neo4j(path: Path, g) -> None:
    import tempfile

    from kpgraph.neo4j.store import Neo4jStore
    from kpgraph.routes.neo4j import find_routes as neo4j_routes
    from tests.neo4j_server import server

    out = Path(tempfile.mkdtemp(prefix="kpgraph-bulk-")) / "import"
    _plan, argv = kpgraph.bulk_export(path, out)
    with server.start(prepare=lambda home: server.admin_import(home, argv[1:]), heap="3g",
                      pagecache="1g") as srv:
        times = []
        with Neo4jStore.connect(srv.config(), check_schema=False) as store:
            # what `kpgraph load` adds after a bulk import: without the key constraints
            # every look-up by id is a label scan
            store.apply_schema("before")
            store.apply_schema("after")
            for origin in risky_origins(g):
                neo4j_routes(store, RouteQuery(origin=origin), limit=50)
                t = time.perf_counter()
                neo4j_routes(store, RouteQuery(origin=origin), limit=50)
                times.append(time.perf_counter() - t)
    print(f"neo4j, {len(times)} risky origins: p50 {statistics.median(times):.3f} s, "
          f"p95 {float(np.percentile(times, 95)):.3f} s, max {max(times):.3f} s")


def _naive(g, origin: str, cutoff: int = 4) -> tuple[float, int]:
    net = g.company_network(commodity="rough")
    s = g.shipments
    first = s.groupby(["exporter_id", "importer_id"])["shipped_on"].min().to_dict()
    last = s.groupby(["exporter_id", "importer_id"])["shipped_on"].max().to_dict()
    sources = g.companies.loc[g.companies["country"] == origin, "company_id"]
    t = time.perf_counter()
    kept = 0
    for src in sources:
        if src not in net:
            continue
        for path in nx.all_simple_paths(net, src, [n for n in net if n != src], cutoff=cutoff):
            legs = list(zip(path, path[1:]))
            if all(first[a] <= last[b] for a, b in zip(legs, legs[1:])):
                kept += 1
    return time.perf_counter() - t, kept


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shipments", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--naive-shipments", type=int, default=5_000)
    ap.add_argument("--backend", choices=["embedded", "neo4j"], default="embedded")
    a = ap.parse_args()
    out = dataset(a.shipments, a.seed)
    g = kpgraph.open_graph(out)
    if a.backend == "neo4j":
        _neo4j(out, g)
        return
    t = time.perf_counter()
    _index(g)
    build = time.perf_counter() - t
    t = time.perf_counter()
    _facts(g)
    facts = time.perf_counter() - t
    times, counts = _search_times(g)
    times2, _ = _search_times(g)  # warm: company statistics cached
    print(f"{a.shipments:,} shipments: index {build:.2f} s, route facts {facts:.2f} s; "
          f"{len(times)} risky origins")
    for label, ts in (("first pass", times), ("warm", times2)):
        print(f"  {label}: p50 {statistics.median(ts):.3f} s, "
              f"p95 {float(np.percentile(ts, 95)):.3f} s, max {max(ts):.3f} s")
    print("  routes per origin:", counts)
    small = dataset(a.naive_shipments, a.seed)
    gs = kpgraph.open_graph(small)
    origin = max(risky_origins(gs), key=lambda o: (gs.companies["country"] == o).sum())
    t = time.perf_counter()
    ours = find_routes(gs, RouteQuery(origin=origin), limit=None)
    ours_t = time.perf_counter() - t
    naive_t, naive_n = _naive(gs, origin)
    print(f"{a.naive_shipments:,} shipments, origin {origin}: search {ours_t:.3f} s "
          f"({len(ours)} routes); all_simple_paths + filter {naive_t:.2f} s "
          f"({naive_n:,} static paths kept)")


if __name__ == "__main__":
    main()
