"""Red-flag rules in Neo4j: each rule's canned query (``cypher/flag_<rule>.cypher``) runs in
a read transaction with its parameters, and the rule's report turns the rows into findings,
the same code as on the embedded store. The statistics rules read only the small tables
they need (countries, KP status periods, KP statistics)."""

from __future__ import annotations

from ..graph import GraphModel
from ..neo4j.store import Neo4jStore
from ..queries import get
from . import Finding, chosen, order_findings, touching

__all__ = ["run_rules", "statistics_model"]

_STATISTICS_TABLES = ("countries", "kp_status", "kp_statistics")


def statistics_model(store: Neo4jStore) -> GraphModel:
    """A graph model holding the tables the statistics rules read, and no trade."""
    return GraphModel({name: store.read_table(name, extras=False)
                       for name in _STATISTICS_TABLES})


def run_rules(store: Neo4jStore, ids: list[str] | None = None, since=None, until=None
              ) -> list[Finding]:
    """The chosen rules (all by default) over the shipments of a period, in Neo4j; the
    same findings, in the same order, as :func:`kpgraph.rules.run_rules` on the same data."""
    out: list[Finding] = []
    stats = None
    for r in chosen(ids):
        if r.query is None:
            stats = stats or statistics_model(store)
            out += touching(r.fn(stats, **r.params), since, until)
            continue
        rows = store.runner.run(get(r.query).cypher, r.query_params(since, until), mode="read")
        out += r.fn(rows, **r.params)
    return order_findings(out)
