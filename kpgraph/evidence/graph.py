"""The evidence graph: the selected part of the dataset as nodes and relationships of the
contract's graph model (the same labels, keys and relationship types as in Neo4j).

Every exporter writes this one structure; none re-reads the data.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd

from ..contract import contract
from ..graph import GraphModel

__all__ = ["Node", "Edge", "EvidenceGraph", "evidence_graph"]


@dataclass(frozen=True)
class Node:
    label: str
    key: str
    properties: dict

    @property
    def id(self) -> str:
        return f"{self.label}:{self.key}"


@dataclass(frozen=True)
class Edge:
    type: str
    source: str  # node id
    target: str


@dataclass
class EvidenceGraph:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def labels(self) -> list[str]:
        return sorted({n.label for n in self.nodes})

    def types(self) -> list[str]:
        return sorted({e.type for e in self.edges})


def _plain(v):
    """Plain Python values: dates as ``datetime.date``, missing as ``None``."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, dt.datetime):
        return v.date()
    if hasattr(v, "item"):
        return v.item()
    return v


def evidence_graph(g: GraphModel, companies: set[str], shipments: pd.DataFrame
                   ) -> EvidenceGraph:
    """The shipments given, the companies given and those that sent or received them,
    the certificates the shipments travelled on, the countries all of these name, those
    countries' KP status periods, and the selected companies' ledger rows; with every
    contract relationship among them. Nodes and edges come sorted, so the same selection
    always gives the same graph."""
    c = contract()
    ids = set(companies) | set(shipments["exporter_id"]) | set(shipments["importer_id"])
    comp = g.companies[g.companies["company_id"].isin(ids)]
    certs = g.certificates[g.certificates["certificate_id"].isin(
        shipments["certificate_id"].dropna())]
    iso = (set(comp["country"]) | set(shipments["declared_origin"].dropna())
           | set(certs["issuing_country"]) | set(certs["origin"].dropna()))
    frames = {
        "countries": g.countries[g.countries["iso3"].isin(iso)],
        "kp_status": g.kp_status[g.kp_status["iso3"].isin(iso)],
        "companies": comp,
        "certificates": certs,
        "shipments": shipments,
        "production_records": g.production_records[
            g.production_records["company_id"].isin(ids)],
    }
    out = EvidenceGraph()
    keys: dict[str, set] = {}
    for name, frame in frames.items():
        t = c.tables[name]
        keyprop = t.key_property
        frame = frame.sort_values(keyprop)
        cols = list(frame.columns)
        keys[name] = set(frame[keyprop])
        for row in frame.itertuples(index=False, name=None):
            props = {k: _plain(v) for k, v in zip(cols, row)}
            props = {k: v for k, v in props.items() if v is not None}
            out.nodes.append(Node(t.label, str(props[keyprop]), props))
    for rel in c.relationships:
        if rel.table not in frames or rel.target not in frames:
            continue
        t, target = c.tables[rel.table], c.tables[rel.target]
        frame = frames[rel.table]
        col = frame[rel.column]
        ok = col.notna() & col.isin(keys[rel.target])
        for own, ref in sorted(zip(frame.loc[ok, t.key_property], col[ok])):
            a, b = f"{t.label}:{own}", f"{target.label}:{ref}"
            out.edges.append(Edge(rel.type, b, a) if rel.from_target else Edge(rel.type, a, b))
    out.edges.sort(key=lambda e: (e.type, e.source, e.target))
    return out
