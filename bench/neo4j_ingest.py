"""Benchmark: Neo4j ingest, kpgraph's batched loader against a per-row MERGE loader.

    python bench/neo4j_ingest.py [--shipments 1000000] [--naive-rows 10000] [--seed 1]

Starts the same Neo4j 5.26 as the tests (tests/neo4j_server/, page cache 1 GB, heap 3 GB),
generates the dataset into bench/out/ (not timed), and measures on an empty database:

1. ``kpgraph load`` (validation, constraints, batched ``UNWIND`` writes of every table,
   indexes): wall time, and shipments per second over the shipments table alone;
2. a per-row loader of the kind tutorials show (one auto-commit ``MERGE`` statement per
   shipment, with its four relationships), on the first ``--naive-rows`` shipments, into a
   database that already holds the countries, companies and certificates;
3. the offline bulk path: ``kpgraph bulk-export`` (validation and import files), then
   ``neo4j-admin database import full`` into a new store (run from the same jars).

Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from generated import dataset  # noqa: E402 (bench/, the script's folder)

import kpgraph  # noqa: E402
from kpgraph.neo4j.config import Neo4jConfig  # noqa: E402
from kpgraph.neo4j.store import Neo4jStore  # noqa: E402
from tests.neo4j_server import server  # noqa: E402

NAIVE = """
MERGE (s:Shipment {shipment_id: $id})
SET s.shipped_on = date($shipped_on), s.carats = $carats, s.value_usd = $value_usd,
    s.hs_code = $hs_code, s.exporter_id = $exporter_id, s.importer_id = $importer_id,
    s.certificate_id = $certificate_id, s.declared_origin = $declared_origin
MERGE (e:Company {company_id: $exporter_id})
MERGE (e)-[:EXPORTED]->(s)
MERGE (i:Company {company_id: $importer_id})
MERGE (s)-[:IMPORTED_BY]->(i)
WITH s
OPTIONAL MATCH (c:Certificate {certificate_id: $certificate_id})
FOREACH (_ IN CASE WHEN c IS NULL THEN [] ELSE [1] END | MERGE (s)-[:COVERED_BY]->(c))
WITH s
OPTIONAL MATCH (o:Country {iso3: $declared_origin})
FOREACH (_ IN CASE WHEN o IS NULL THEN [] ELSE [1] END | MERGE (s)-[:DECLARED_ORIGIN]->(o))
"""


def batched(cfg: Neo4jConfig, path: Path) -> dict:
    marks: dict[str, float] = {}

    def progress(table: str, done: int, total: int) -> None:
        marks.setdefault(f"{table}:start", time.perf_counter())
        if done == total:
            marks[f"{table}:end"] = time.perf_counter()

    t0 = time.perf_counter()
    ds = kpgraph.validate(path)
    t1 = time.perf_counter()
    with Neo4jStore.connect(cfg) as store:
        store.load(ds.frames, progress=progress)
        counts = store.counts()
    t2 = time.perf_counter()
    n = len(ds.frames["shipments"])
    ship_s = marks["shipments:end"] - marks["shipments:start"]
    return {"validate_s": t1 - t0, "load_s": t2 - t1, "shipments": n,
            "shipments_per_s": n / ship_s, "ship_s": ship_s,
            "rows_per_s": sum(len(f) for f in ds.frames.values()) / (t2 - t1),
            "counts_ok": counts == kpgraph.GraphModel(ds.frames).counts()}


def naive(cfg: Neo4jConfig, path: Path, rows: int) -> dict:
    from neo4j import GraphDatabase

    ds = kpgraph.validate(path)
    frames = {k: v for k, v in ds.frames.items() if k != "shipments"}
    with Neo4jStore.connect(cfg) as store:
        store.load(frames)
    ship = ds.frames["shipments"].head(rows)
    records = ship.assign(shipped_on=ship["shipped_on"].dt.strftime("%Y-%m-%d")).astype(object)
    records = records.where(records.notna(), None).to_dict("records")
    with GraphDatabase.driver(cfg.uri, auth=(cfg.user, cfg.password)) as driver:
        with driver.session(database=cfg.database) as session:
            t = time.perf_counter()
            for r in records:
                session.run(NAIVE, id=r["shipment_id"], **{k: v for k, v in r.items()
                                                           if k != "shipment_id"}).consume()
            dt = time.perf_counter() - t
    return {"rows": len(records), "s": dt, "rows_per_s": len(records) / dt}


def bulk(path: Path) -> dict:
    import tempfile

    out = Path(tempfile.mkdtemp(prefix="kpgraph-bulk-")) / "import"
    t0 = time.perf_counter()
    plan, argv = kpgraph.bulk_export(path, out)
    t1 = time.perf_counter()
    timing = {}

    def prepare(home: Path) -> None:
        t = time.perf_counter()
        server.admin_import(home, argv[1:])
        timing["import_s"] = time.perf_counter() - t

    with server.start(prepare=prepare, heap="3g", pagecache="1g") as srv:
        cfg = srv.config()
        with Neo4jStore.connect(cfg) as store:
            counts = store.counts()
    n = counts["nodes"]["Shipment"]
    return {"export_s": t1 - t0, "import_s": timing["import_s"], "shipments": n,
            "counts_ok": counts == kpgraph.info(path)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shipments", type=int, default=1_000_000)
    ap.add_argument("--naive-rows", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    path = dataset(args.shipments, args.seed)
    # A fresh server for each loader: deleting a million-row graph costs more than a start.
    with server.start(heap="3g", pagecache="1g") as srv:
        b = batched(srv.config(), path)
    print(f"batched: {b}", file=sys.stderr, flush=True)
    with server.start(heap="3g", pagecache="1g") as srv:
        n = naive(srv.config(), path,
                  args.naive_rows)
    print(f"per-row: {n}", file=sys.stderr, flush=True)
    k = bulk(path)
    print(f"bulk: {k}", file=sys.stderr, flush=True)
    print("| loader | shipments | time (s) | shipments/s |")
    print("|---|---:|---:|---:|")
    print(f"| batched `UNWIND` (kpgraph load), shipments table | {b['shipments']:,} "
          f"| {b['ship_s']:.1f} | {b['shipments_per_s']:,.0f} |")
    print(f"| per-row `MERGE`, one statement per shipment | {n['rows']:,} | {n['s']:.1f} "
          f"| {n['rows_per_s']:,.0f} |")
    print(f"| bulk: `kpgraph bulk-export` (validate + files) | {k['shipments']:,} "
          f"| {k['export_s']:.1f} | |")
    print(f"| bulk: `neo4j-admin database import full` (all tables) | {k['shipments']:,} "
          f"| {k['import_s']:.1f} | {k['shipments'] / k['import_s']:,.0f} |")
    total = k["export_s"] + k["import_s"]
    print(f"| bulk, end to end | {k['shipments']:,} | {total:.1f} "
          f"| {k['shipments'] / total:,.0f} |")
    print()
    print(f"whole `kpgraph load` of all tables: validate {b['validate_s']:.1f} s, "
          f"load {b['load_s']:.1f} s ({b['rows_per_s']:,.0f} rows/s over all tables); "
          f"counts equal to the embedded store: batched {b['counts_ok']}, "
          f"bulk {k['counts_ok']}; batched / per-row: "
          f"{b['shipments_per_s'] / n['rows_per_s']:.0f}x")


if __name__ == "__main__":
    main()
