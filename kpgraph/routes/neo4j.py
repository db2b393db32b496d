"""Route search in Neo4j: the canned Cypher walks the ``NEXT`` links, and the same
statement reads the rows that scoring reads for the routes it found; they are ranked by
the same code as the embedded backend (:func:`kpgraph.routes.finish`). Every statement is
a read with parameters.

The server runs a query on one core, so the search runs in parts at once, as many as the
connection's ``parallel`` setting asks (``KPGRAPH_NEO4J_PARALLEL``, default 2: the canned
queries split their starts, in order of date, with ``part`` and ``parts``),
each reading its own routes' shipments, certificates, companies and company flows as it
ends: the nodes are found again by id in the same transaction, and no second round trip
waits on the first. Parts in order of date share few shipments (a route runs for weeks
from its start), so the rows they both read are few. The small tables are read meanwhile.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from ..contract import contract
from ..errors import UsageError
from ..flows import FLOW_COLUMNS
from ..graph import GraphModel
from ..neo4j.schema import FLOW_LABEL, row_values
from ..neo4j.store import Neo4jStore, typed_rows
from ..queries import coerce_params, get
from . import ROUND_TRIPS, Route, RouteQuery, finish

__all__ = ["find_routes"]


def _context_tail() -> str:
    """What follows a canned route query's rows (``shipments``, a list of ids each): the
    routes collected, with the rows of their shipments, of the shipments' certificates
    (over ``COVERED_BY``), and of their companies and company flows, each as lists of
    values (labels, relationship and property names from the contract)."""
    c = contract()
    s, k, co = c.tables["shipments"], c.tables["certificates"], c.tables["companies"]
    covered = s.columns["certificate_id"].rel
    flow = ("[f.company_id, " + ", ".join(f"toString(f.{x})" if x == "first_trade" else f"f.{x}"
                                          for x in FLOW_COLUMNS) + "]")
    return f"""WITH collect(shipments) AS paths
CALL (paths) {{
  UNWIND paths AS p
  UNWIND p AS id
  WITH DISTINCT id
  MATCH (n:{s.label} {{{s.key_property}: id}})
  OPTIONAL MATCH (n)-[:{covered}]->(k:{k.label})
  WITH collect({row_values(s, "n")}) AS shipments, collect(DISTINCT k) AS ks,
       collect(DISTINCT n.exporter_id) + collect(DISTINCT n.importer_id) AS cids
  // certificates made distinct as nodes, then as rows (lists hash slowly)
  WITH shipments, [k IN ks | {row_values(k, "k")}] AS certificates, cids
  CALL (cids) {{
    UNWIND cids AS cid
    WITH DISTINCT cid
    MATCH (c:{co.label} {{{co.key_property}: cid}})
    OPTIONAL MATCH (f:{FLOW_LABEL} {{company_id: cid}})
    RETURN collect({row_values(co, "c")}) AS companies,
           collect(CASE WHEN f IS NOT NULL THEN {flow} END) AS flows
  }}
  RETURN shipments, certificates, companies, flows
}}
RETURN paths, shipments, certificates, companies, flows"""


_TAIL = _context_tail()
_FIRST_DAY = """MATCH (s:Shipment) WHERE s.shipped_on IS NOT NULL
RETURN s.shipped_on AS day ORDER BY day LIMIT 1"""


def _search(store: Neo4jStore, q: RouteQuery, parts: int) -> tuple[str, dict]:
    """The statement of a query's search (its canned query, then :func:`_context_tail`)
    and its parameters, but for ``part``."""
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
    typed = coerce_params(query, {**params, "parts": parts})
    # the canned query as it is, its rows collected into one record with their context
    body = query.cypher.strip().removesuffix(";")
    return f"CALL () {{\n{body}\n}}\n{_TAIL}", typed


def _flows(rows: list) -> pd.DataFrame:
    stats = pd.DataFrame(rows, columns=["company_id", *FLOW_COLUMNS]).drop_duplicates(
        "company_id").set_index("company_id")
    for c in FLOW_COLUMNS[:6]:
        stats[c] = pd.to_numeric(stats[c]).fillna(0.0).astype(float)
    stats["transit"] = stats["transit"].astype(bool)
    stats["first_trade"] = pd.to_datetime(stats["first_trade"].astype("string"),
                                          format="%Y-%m-%d").astype("datetime64[s]")
    return stats


def _first_day(store: Neo4jStore) -> pd.Timestamp:
    first = store.runner.run(_FIRST_DAY, mode="read")
    return pd.Timestamp(str(first[0]["day"])) if first else pd.Timestamp("1970-01-01")


def _found(parts: list[dict]) -> tuple:
    """The parts' routes, and their shipments, certificates, companies and company flows,
    each table's rows once, in key order."""
    def table(name: str, column: str, key: str) -> pd.DataFrame:
        rows = typed_rows(name, [r for g in parts for r in g[column]])
        return rows.drop_duplicates(key).sort_values(key, ignore_index=True)

    return ([tuple(p) for g in parts for p in g["paths"]],
            table("shipments", "shipments", "shipment_id"),
            table("certificates", "certificates", "certificate_id"),
            table("companies", "companies", "company_id"),
            _flows([r for g in parts for r in g["flows"]]))


def find_routes(store: Neo4jStore, q: RouteQuery, limit: int | None = 50,
                min_score: float | None = None) -> list[Route]:
    """Routes of a query in Neo4j, ranked exactly as :func:`kpgraph.routes.find_routes`."""
    q.check()
    # one part per core the server gives a query (two on the machine measured: three
    # parts there were slower, each reading again the rows it shares with the others)
    n = store.runner.config.parallel
    with ThreadPoolExecutor(max_workers=n + 4) as pool:
        small = {name: pool.submit(store.read_table, name, extras=False)
                 for name in ("countries", "kp_status", "kp_statistics")}
        data_from = pool.submit(_first_day, store)
        statement, params = _search(store, q, n)
        parts = [pool.submit(store.runner.run, statement, {**params, "part": i}, mode="read",
                             plain=True) for i in range(n)]
        paths, shipments, certificates, companies, flows = _found(
            [p.result()[0] for p in parts])
        ctx = GraphModel({**{name: f.result() for name, f in small.items()},
                          "shipments": shipments, "companies": companies,
                          "certificates": certificates})
        return finish(paths, ctx, flows, data_from.result(), q.via, limit, min_score,
                      q.distinct)
