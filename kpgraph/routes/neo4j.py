"""Route search in Neo4j: the canned Cypher walks the ``NEXT`` links, then the rows that
scoring reads are fetched for the routes found and ranked by the same code as the
embedded backend (:func:`kpgraph.routes.finish`). Every statement is a read with
parameters.

The reads that do not depend on each other run at once, each in its own session: the small
tables while the path query runs, the routes' shipments in two halves, then their
certificates in two halves beside the companies and company flows. The server runs a query
on one core; two at once keep both busy, and overlap its index seeks with the client's
decoding (reading shipments, certificates, companies and flows all at once, each keyed by
the shipment ids, was slower: the same seeks three times over)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from ..errors import UsageError
from ..flows import FLOW_COLUMNS
from ..graph import GraphModel
from ..neo4j.store import Neo4jStore
from ..queries import coerce_params, get
from . import ROUND_TRIPS, Route, RouteQuery, finish

__all__ = ["find_routes"]

# the flow columns as flows.py declares them; the first trade as ISO text
_FLOWS = ("MATCH (f:CompanyFlow) WHERE f.company_id IN $ids\nRETURN collect([f.company_id, "
          + ", ".join(f"toString(f.{c})" if c == "first_trade" else f"f.{c}"
                      for c in FLOW_COLUMNS) + "]) AS rows")

_FIRST_DAY = """MATCH (s:Shipment) WHERE s.shipped_on IS NOT NULL
RETURN s.shipped_on AS day ORDER BY day LIMIT 1"""


def _paths(store: Neo4jStore, q: RouteQuery) -> list[tuple[str, ...]]:
    if q.origin == ROUND_TRIPS:
        query = get("round_trips")
        params = {"max_hops": q.max_hops, "window_days": q.window_days,
                  "tolerance": q.tolerance, "since": q.since, "until": q.until}
    else:
        query = get("routes_from_origin")
        found = store.runner.run(
            "OPTIONAL MATCH (c:Country {iso3: $to}) OPTIONAL MATCH (k:Company {company_id: $to})"
            " OPTIONAL MATCH (o:Country {iso3: $origin})"
            " RETURN c IS NOT NULL AS country, k IS NOT NULL AS company, o IS NOT NULL AS origin",
            {"to": q.to or "", "origin": q.origin}, mode="read")[0]
        if not found["origin"]:
            raise UsageError(f"--origin {q.origin!r} is not a country in the data")
        if q.to is not None and not (found["country"] or found["company"]):
            raise UsageError(f"--to {q.to!r} is neither a country nor a company in the data")
        params = {"origin": q.origin, "max_hops": q.max_hops, "window_days": q.window_days,
                  "tolerance": q.tolerance, "since": q.since, "until": q.until,
                  "to_country": q.to if q.to is not None and found["country"] else None,
                  "to_company": q.to if q.to is not None and not found["country"] else None}
    typed = coerce_params(query, params)
    # the canned query as it is, its rows collected into one record
    body = query.cypher.strip().removesuffix(";")
    rows = store.runner.run(f"CALL () {{\n{body}\n}}\nRETURN collect(shipments) AS paths",
                            typed, mode="read", plain=True)
    return [tuple(p) for p in rows[0]["paths"]]


def _flows(store: Neo4jStore, comp_ids) -> pd.DataFrame:
    rows = store.runner.run(_FLOWS, {"ids": sorted(comp_ids)}, mode="read", plain=True)
    stats = pd.DataFrame(rows[0]["rows"], columns=["company_id", *FLOW_COLUMNS]
                         ).set_index("company_id")
    for c in FLOW_COLUMNS[:6]:
        stats[c] = pd.to_numeric(stats[c]).fillna(0.0).astype(float)
    stats["transit"] = stats["transit"].astype(bool)
    stats["first_trade"] = pd.to_datetime(stats["first_trade"].astype("string"),
                                          format="%Y-%m-%d").astype("datetime64[s]")
    return stats


def _first_day(store: Neo4jStore) -> pd.Timestamp:
    first = store.runner.run(_FIRST_DAY, mode="read")
    return pd.Timestamp(str(first[0]["day"])) if first else pd.Timestamp("1970-01-01")


def _read_halves(pool: ThreadPoolExecutor, store: Neo4jStore, name: str, keys):
    """A table's rows by key, read as two halves at once (the server runs a query on one
    core: two keep both busy), in key order."""
    keys = sorted(keys)
    mid = len(keys) // 2
    halves = [pool.submit(store.read_rows, name, part) for part in (keys[:mid], keys[mid:])]
    return lambda: pd.concat([h.result() for h in halves], ignore_index=True)


def find_routes(store: Neo4jStore, q: RouteQuery, limit: int | None = 50,
                min_score: float | None = None) -> list[Route]:
    """Routes of a query in Neo4j, ranked exactly as :func:`kpgraph.routes.find_routes`."""
    q.check()
    with ThreadPoolExecutor(max_workers=4) as pool:
        small = {name: pool.submit(store.read_table, name, extras=False)
                 for name in ("countries", "kp_status", "kp_statistics")}
        data_from = pool.submit(_first_day, store)
        paths = _paths(store, q)
        shipments = _read_halves(pool, store, "shipments", {sid for p in paths for sid in p})()
        comp_ids = set(shipments["exporter_id"]) | set(shipments["importer_id"])
        certificates = _read_halves(pool, store, "certificates",
                                    set(shipments["certificate_id"].dropna()))
        companies = pool.submit(store.read_rows, "companies", comp_ids)
        flows = pool.submit(_flows, store, comp_ids)
        ctx = GraphModel({**{name: f.result() for name, f in small.items()},
                          "shipments": shipments, "companies": companies.result(),
                          "certificates": certificates()})
        return finish(paths, ctx, flows.result(), data_from.result(), q.via, limit, min_score)
