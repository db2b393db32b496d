"""Centrality inside Neo4j with the Graph Data Science library, when the server has it.

The projection is a Cypher aggregation (below: it is plumbing for the algorithms, not an
analyst's query, so it is not in the ``cypher/`` pack); the algorithms are GDS procedures
called with parameters. Results come back keyed by company id, for the
same :class:`~kpgraph.analyses.centrality.Measure` the embedded path returns.
"""

from __future__ import annotations

import uuid

import pandas as pd

from ..analyses.centrality import Measure
from .runner import QueryRunner

__all__ = ["has_gds", "gds_measure", "GDS_MEASURES"]

GDS_MEASURES = ("betweenness", "pagerank", "weak_components")

PROJECTION = """
MATCH (e:Company)-[:EXPORTED]->(s:Shipment)-[:IMPORTED_BY]->(i:Company)
WHERE ($since IS NULL OR s.shipped_on >= $since) AND ($until IS NULL OR s.shipped_on <= $until)
WITH e, i, sum(s.carats) AS carats
WITH gds.graph.project($graph, e, i, {relationshipProperties: {carats: carats}}) AS g
RETURN g.graphName AS graph, g.nodeCount AS nodes, g.relationshipCount AS relationships
"""

_CALLS = {
    "betweenness": "CALL gds.betweenness.stream($graph) YIELD nodeId, score "
                   "RETURN gds.util.asNode(nodeId).company_id AS id, score",
    "pagerank": "CALL gds.pageRank.stream($graph, {relationshipWeightProperty: 'carats', "
                "dampingFactor: 0.85, maxIterations: 100, tolerance: 1e-10}) "
                "YIELD nodeId, score RETURN gds.util.asNode(nodeId).company_id AS id, score",
    "weak_components": "CALL gds.wcc.stream($graph) YIELD nodeId, componentId "
                       "RETURN gds.util.asNode(nodeId).company_id AS id, "
                       "componentId AS score",
}


def has_gds(runner: QueryRunner) -> str | None:
    """The GDS version the server has, or None."""
    try:
        rows = runner.run("SHOW PROCEDURES YIELD name WHERE name = 'gds.version' "
                          "RETURN count(*) AS n", mode="read")
        if not rows or rows[0]["n"] == 0:
            return None
        return runner.run("RETURN gds.version() AS v", mode="read")[0]["v"]
    except Exception:  # noqa: BLE001 - any refusal means: no usable GDS
        return None


def gds_measure(runner: QueryRunner, measure: str, since=None, until=None) -> Measure:
    """Project, run one GDS algorithm, drop the projection. Companies without trade in the
    period are not in the projection (the embedded path gives them 0 or their own
    component)."""
    name = f"kpgraph-{uuid.uuid4().hex[:12]}"
    since, until = (None if d is None else pd.Timestamp(d).date() for d in (since, until))
    runner.run_auto(PROJECTION, {"graph": name, "since": since, "until": until})
    try:
        rows = runner.run(_CALLS[measure], {"graph": name}, mode="read")
    finally:
        runner.run_auto("CALL gds.graph.drop($graph, false) YIELD graphName "
                        "RETURN graphName", {"graph": name})
    values = {r["id"]: float(r["score"]) for r in rows}
    if measure == "weak_components":
        # renumber as the embedded path does: largest first, ties by smallest company id
        groups: dict = {}
        for cid, comp in values.items():
            groups.setdefault(comp, []).append(cid)
        ordered = sorted(groups.values(), key=lambda p: (-len(p), min(p)))
        values = {c: i for i, part in enumerate(ordered) for c in part}
        return Measure("weak_component", values, {"components": len(ordered)})
    return Measure(measure, values, {})
