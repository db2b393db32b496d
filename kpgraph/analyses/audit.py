"""The audit-priority list: which companies inspectors should visit first.

``score = centrality × volume × (1 + open findings) × audit gap``, each part in [0, 1]
except the findings factor:

- centrality: the mean of betweenness and PageRank, each divided by its maximum in the
  network (the companies trade depends on, and those where routes pass);
- volume: log10(1 + value traded in and out) over the same for the largest trader;
- open findings: how many red-flag findings name the company;
- audit gap: years since its last independent audit as of the data's last shipping day,
  capped at 5 and divided by 5 (never audited: 1), floored at 0.1 so that a recent audit
  lowers a company's priority without erasing it.
"""

from __future__ import annotations

import math

import pandas as pd

from ..graph import GraphModel
from .centrality import betweenness, pagerank

__all__ = ["audit_priorities"]


def audit_priorities(g: GraphModel, findings=(), k: int | None = None, seed: int = 0,
                     bt=None) -> pd.DataFrame:
    """Every trading company with its score and the parts of it, best first. ``bt`` is the
    network's betweenness when the caller has it already (else computed with ``k`` and
    ``seed``)."""
    net = g.company_network()
    bt = bt if bt is not None else betweenness(net, k=k, seed=seed)
    pr = pagerank(net)
    s = g.shipments
    value = (s.groupby("exporter_id")["value_usd"].sum()
             .add(s.groupby("importer_id")["value_usd"].sum(), fill_value=0.0))
    open_findings: dict[str, int] = {}
    for f in findings:
        for c in set(f.entities.get("companies", [])):
            open_findings[c] = open_findings.get(c, 0) + 1
    last_day = s["shipped_on"].max() if len(s) else pd.Timestamp.now()
    comp = g.companies.set_index("company_id")
    bmax = max(bt.values.values(), default=0.0) or 1.0
    pmax = max(pr.values.values(), default=0.0) or 1.0
    vmax = math.log10(1 + float(value.max())) if len(value) else 1.0
    rows = []
    for c in sorted(value.index):
        cent = 0.5 * bt.values.get(c, 0.0) / bmax + 0.5 * pr.values.get(c, 0.0) / pmax
        vol = math.log10(1 + float(value[c])) / vmax if vmax else 0.0
        audit = comp.at[c, "last_audit"] if c in comp.index else pd.NaT
        years = None if pd.isna(audit) else max(0.0, (last_day - audit).days / 365.25)
        gap = 1.0 if years is None else max(0.1, min(years, 5.0) / 5.0)
        n = open_findings.get(c, 0)
        rows.append({"company_id": c, "name": comp.at[c, "name"] if c in comp.index else None,
                     "country": comp.at[c, "country"] if c in comp.index else None,
                     "role": comp.at[c, "role"] if c in comp.index else None,
                     "score": cent * vol * (1 + n) * gap, "centrality": cent, "volume": vol,
                     "open_findings": n, "years_since_audit": years, "audit_gap": gap,
                     "value_usd": float(value[c])})
    out = pd.DataFrame(rows, columns=["company_id", "name", "country", "role", "score",
                                      "centrality", "volume", "open_findings",
                                      "years_since_audit", "audit_gap", "value_usd"])
    out.attrs["betweenness"] = bt.meta  # (no trade: no rows, the same columns)
    return out.sort_values(["score", "company_id"], ascending=[False, True]).reset_index(
        drop=True)
