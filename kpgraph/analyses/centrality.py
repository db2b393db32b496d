"""Brokers and hubs: centrality, components, communities and hub scores of the company
trade network.

The network users see is networkx (:meth:`kpgraph.graph.GraphModel.company_network`);
the arithmetic runs in igraph's C kernels, which give the same betweenness as networkx's
Brandes implementation tens of times faster. Every function takes the networkx graph and
returns plain values keyed by company id.

>>> import networkx as nx
>>> net = nx.DiGraph([("a", "b"), ("b", "c")])
>>> betweenness(net).values
{'a': 0.0, 'b': 1.0, 'c': 0.0}
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import igraph as ig
import networkx as nx
import pandas as pd

from ..graph import ROUGH_HS_CODES, GraphModel

__all__ = ["Measure", "to_igraph", "betweenness", "pagerank", "components", "communities",
           "hub_scores", "EXACT_BELOW"]

EXACT_BELOW = 5_000  # nodes; above this, betweenness is sampled unless k is given


@dataclass
class Measure:
    """One measure's values by company, and how they were computed."""

    name: str
    values: dict
    meta: dict = field(default_factory=dict)


def to_igraph(net: nx.DiGraph) -> tuple[ig.Graph, list]:
    """The network as an igraph graph (nodes in sorted order) with a ``carats`` weight."""
    nodes = sorted(net.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    edges = sorted(net.edges(data=True), key=lambda e: (index[e[0]], index[e[1]]))
    g = ig.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v, _ in edges],
                 directed=True)
    g.es["carats"] = [float(d.get("carats", 1.0)) for _, _, d in edges]
    return g, nodes


def betweenness(net: nx.DiGraph, k: int | None = None, seed: int = 0) -> Measure:
    """Directed, unweighted shortest-path betweenness (Brandes 2001), not normalised.

    Exact below :data:`EXACT_BELOW` nodes (or when ``k`` is None and the graph is small);
    otherwise sampled: the dependencies of ``k`` source companies drawn with ``seed`` from
    those that sell to anyone (the others start no path), scaled by their number over k
    (Brandes and Pich 2007): an unbiased estimate of what networkx's
    ``betweenness_centrality(k=...)`` estimates. Cost: O(k·m) sampled, O(n·m) exact.
    """
    g, nodes = to_igraph(net)
    n = len(nodes)
    if n == 0:
        return Measure("betweenness", {}, {"method": "exact"})
    if k is None and n < EXACT_BELOW:
        values = g.betweenness(directed=True)
        meta = {"method": "exact"}
    else:
        # Only a company that sells to someone starts a shortest path: sampling among
        # those alone keeps the estimate unbiased with less variance.
        senders = [i for i, d in enumerate(g.outdegree()) if d > 0]
        k = min(k or 512, len(senders))
        sources = sorted(random.Random(seed).sample(senders, k)) if k else []
        raw = g.betweenness(directed=True, sources=sources) if k else [0.0] * n
        values = [v * len(senders) / k for v in raw] if k else raw
        meta = {"method": "sampled", "k": k, "seed": seed}
    return Measure("betweenness", {nodes[i]: float(v) for i, v in enumerate(values)}, meta)


def pagerank(net: nx.DiGraph, damping: float = 0.85) -> Measure:
    """PageRank over trade links weighted by carats (igraph's PRPACK solver): a company
    ranks high when much rough flows to it from companies that rank high."""
    g, nodes = to_igraph(net)
    if not nodes:
        return Measure("pagerank", {}, {"damping": damping})
    pr = g.pagerank(directed=True, damping=damping, weights="carats")
    return Measure("pagerank", {nodes[i]: float(v) for i, v in enumerate(pr)},
                   {"damping": damping, "weights": "carats"})


def components(net: nx.DiGraph, mode: str = "weak") -> Measure:
    """Weakly or strongly connected components; values are component numbers, largest
    component first (0), ties by smallest company id."""
    g, nodes = to_igraph(net)
    if not nodes:
        return Measure(f"{mode}_component", {}, {"components": 0})
    parts = g.connected_components(mode=mode)
    groups = sorted(([nodes[i] for i in p] for p in parts), key=lambda p: (-len(p), min(p)))
    values = {c: i for i, part in enumerate(groups) for c in part}
    return Measure(f"{mode}_component", values,
                   {"components": len(groups), "largest": len(groups[0])})


def communities(net: nx.DiGraph, seed: int = 0) -> Measure:
    """Louvain communities (igraph's multilevel modularity optimisation) of the network
    taken as undirected, weighted by carats; numbered largest first. The vertex order it
    visits is random: ``seed`` fixes it."""
    g, nodes = to_igraph(net)
    if not nodes:
        return Measure("community", {}, {"communities": 0})
    u = g.as_undirected(mode="collapse", combine_edges={"carats": "sum"})
    state = random.getstate()
    random.seed(seed)
    try:
        parts = u.community_multilevel(weights="carats")
    finally:
        random.setstate(state)
    groups = sorted(([nodes[i] for i in p] for p in parts), key=lambda p: (-len(p), min(p)))
    values = {c: i for i, part in enumerate(groups) for c in part}
    return Measure("community", values, {"communities": len(groups),
                                         "modularity": float(parts.modularity), "seed": seed})


def hub_scores(g: GraphModel, since=None, until=None) -> pd.DataFrame:
    """For every free-zone company: rough carats and value in and out, and how many
    origins (declared origins of its inbound rough, MIXED counted as one) go to how many
    destination countries (its importers')."""
    s = g.shipments_between(since, until)
    s = s[s["hs_code"].isin(ROUGH_HS_CODES)]
    country = g.companies.set_index("company_id")["country"]
    hubs = g.companies[g.companies["free_zone"].notna()].sort_values("company_id")
    ids = set(hubs["company_id"])
    inn = s[s["importer_id"].isin(ids)].groupby("importer_id").agg(
        carats=("carats", "sum"), value=("value_usd", "sum"),
        origins=("declared_origin", "nunique"))
    out = s[s["exporter_id"].isin(ids)]
    out = out.assign(dest=out["importer_id"].map(country)).groupby("exporter_id").agg(
        carats=("carats", "sum"), value=("value_usd", "sum"), dest=("dest", "nunique"))
    rows = []
    for c in hubs.itertuples(index=False):
        i = inn.loc[c.company_id] if c.company_id in inn.index else None
        o = out.loc[c.company_id] if c.company_id in out.index else None
        cin = 0.0 if i is None else float(i["carats"])
        cout = 0.0 if o is None else float(o["carats"])
        rows.append({
            "company_id": c.company_id, "name": c.name, "country": c.country,
            "free_zone": c.free_zone, "carats_in": cin, "carats_out": cout,
            "throughput_carats": cin + cout,
            "value_in": 0.0 if i is None else float(i["value"]),
            "value_out": 0.0 if o is None else float(o["value"]),
            "origins_in": 0 if i is None else int(i["origins"]),
            "destinations_out": 0 if o is None else int(o["dest"]),
        })
    frame = pd.DataFrame(rows, columns=["company_id", "name", "country", "free_zone",
                                        "carats_in", "carats_out", "throughput_carats",
                                        "value_in", "value_out", "origins_in",
                                        "destinations_out"])
    return frame.sort_values(["throughput_carats", "company_id"], ascending=[False, True])
