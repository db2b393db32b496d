"""Red-flag speed on both backends, and their findings compared byte for byte.

    python bench/flags_speed.py [--shipments 1000000] [--seed 1] [--no-neo4j]

Generates a dataset (bench/out/), times `kpgraph flags` on the embedded store (opening the
dataset included) and each rule alone; then bulk-imports the dataset into the test Neo4j
(tests/neo4j_server/, heap 3 GB, page cache 1 GB), adds the key constraints and indexes
(as `kpgraph load` does after a bulk import), times every rule together twice (a fresh
server, then warm) and each rule's query alone, and says whether both backends' findings
are the same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from generated import dataset  # noqa: E402 (bench/, the script's folder)

import kpgraph  # noqa: E402
from kpgraph.api import open_graph  # noqa: E402
from kpgraph.rules import all_rules, run_rules  # noqa: E402


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def _bytes(findings) -> str:
    return json.dumps([f.as_dict() for f in findings], sort_keys=True, default=str)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shipments", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-neo4j", action="store_true")
    a = ap.parse_args()
    path = dataset(a.shipments, a.seed)
    local, secs = _timed(lambda: kpgraph.flags(path))
    print(f"{a.shipments:,} shipments, seed {a.seed}")
    print(f"embedded: {secs:.1f} s, {len(local)} findings (opening the dataset included)")
    g = open_graph(path)
    for r in all_rules().values():
        _, secs = _timed(lambda r=r: run_rules(g, [r.id]))
        print(f"  {r.id}: {secs:.2f} s")
    if a.no_neo4j:
        return
    from kpgraph.neo4j.store import Neo4jStore
    from kpgraph.rules.neo4j import run_rules as neo4j_rules
    from tests.neo4j_server import server

    out = Path(tempfile.mkdtemp(prefix="kpgraph-bulk-")) / "import"
    _plan, argv = kpgraph.bulk_export(path, out)
    with server.start(prepare=lambda home: server.admin_import(home, argv[1:]), heap="3g",
                      pagecache="1g") as srv:
        with Neo4jStore.connect(srv.config(), check_schema=False) as store:
            store.apply_schema("before")
            store.apply_schema("after")
            for run in ("fresh server", "warm"):
                remote, secs = _timed(lambda: neo4j_rules(store))
                print(f"neo4j ({run}): {secs:.1f} s, {len(remote)} findings")
            for r in all_rules().values():
                if r.query:
                    _, secs = _timed(lambda r=r: neo4j_rules(store, [r.id]))
                    print(f"  {r.id}: {secs:.2f} s")
    print("the same bytes on both backends:", _bytes(local) == _bytes(remote))


if __name__ == "__main__":
    main()
