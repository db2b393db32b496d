"""The one-command investigation: every analysis over one graph model, as plain records
that the report renders and ``findings.json`` holds.

:func:`investigate` runs the routes from every risky origin and the round trips, every
red-flag rule (the KP statistics rules among them), the broker and hub rankings and the
audit priorities; it does not write anything (see :func:`kpgraph.api.investigate`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from .graph import GraphModel

__all__ = ["Investigation", "investigate", "STEPS"]

STEPS = ("routes", "red flags", "brokers and hubs", "audit priorities", "charts")


@dataclass
class Investigation:
    """What an investigation found, ready to render."""

    dataset: str
    backend: str
    counts: dict
    period: tuple[str | None, str | None]
    findings: list = field(default_factory=list)  # rule findings, most severe first
    routes: list = field(default_factory=list)  # every route found, best first
    route_findings: list = field(default_factory=list)  # the flagged routes as findings
    brokers: list[dict] = field(default_factory=list)
    broker_method: dict = field(default_factory=dict)
    hubs: list[dict] = field(default_factory=list)
    audit: list[dict] = field(default_factory=list)
    countries: dict = field(default_factory=dict)  # iso3 -> {labels, production, vpc}
    seconds: dict = field(default_factory=dict)

    def all_findings(self) -> list:
        """Rule findings and flagged routes together, most severe first, then by id."""
        return sorted([*self.findings, *self.route_findings],
                      key=lambda f: (-f.severity, f.id))

    @property
    def flagged_routes(self) -> list:
        return [r for r in self.routes if r.flagged]

    def top_routes(self, n: int) -> list:
        """The best ``n`` routes of distinct chains of companies: the best routes are
        often one channel walked by several parcels, which the report shows once."""
        from .routes import first_per_chain

        return first_per_chain(self.routes)[:n]


def _country_series(g: GraphModel, countries: list[str]) -> dict:
    """Production carats and value per carat by half-year for each country."""
    st = g.kp_statistics
    out = {}
    for iso3 in countries:
        rows = st[st["iso3"] == iso3].copy()
        if rows.empty:
            continue
        rows["half_key"] = rows["half"].fillna(0).astype(int)
        rows = rows.sort_values(["year", "half_key"])
        labels = [f"{int(y)}" + (f"-H{int(h)}" if h else "")
                  for y, h in zip(rows["year"], rows["half_key"])]
        prod = rows["production_carats"].astype(float)
        vpc = rows["production_usd"].astype(float) / prod.where(prod > 0)
        out[iso3] = {"labels": labels,
                     "production": [None if pd.isna(v) else float(v) for v in prod],
                     "vpc": [None if pd.isna(v) else float(v) for v in vpc]}
    return out


def investigate(g: GraphModel, dataset: str, backend: str = "embedded",
                route_search: Callable | None = None, rule_search: Callable | None = None,
                top: int = 15, progress: Callable[[str], None] | None = None
                ) -> Investigation:
    """Run every analysis on ``g``. ``route_search`` (default: the embedded search) returns
    every route, best first, and ``rule_search`` (default: the rules on ``g``) every
    finding; the Neo4j backend passes its own, which run in the database."""
    from .analyses import centrality as c
    from .analyses.audit import audit_priorities
    from .queries.twins import records
    from .routes import FLAG_AT, all_routes, route_findings
    from .rules import run_rules

    s = g.shipments
    period = (None if s.empty else f"{s['shipped_on'].min():%Y-%m-%d}",
              None if s.empty else f"{s['shipped_on'].max():%Y-%m-%d}")
    inv = Investigation(dataset=dataset, backend=backend, counts=g.counts(), period=period)

    def step(name: str):
        if progress:
            progress(name)
        return time.perf_counter()

    trade = not s.empty
    t = step("routes")
    if trade:
        # only the flagged routes are kept: the report shows the best, findings.json all
        inv.routes = route_search() if route_search else all_routes(g, min_score=FLAG_AT)
        inv.route_findings = route_findings(g, [r for r in inv.routes if r.flagged])
    inv.seconds["routes"] = time.perf_counter() - t
    t = step("red flags")
    inv.findings = rule_search() if rule_search else run_rules(g)
    inv.seconds["red flags"] = time.perf_counter() - t
    t = step("brokers and hubs")
    if trade:
        net = g.company_network()
        m = c.betweenness(net)  # exact below EXACT_BELOW companies, else sampled
        names = g.companies.set_index("company_id")
        best = sorted(m.values.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        inv.brokers = [{"company_id": cid, "name": names.at[cid, "name"],
                        "country": names.at[cid, "country"], "role": names.at[cid, "role"],
                        "betweenness": v} for cid, v in best]
        inv.broker_method = m.meta
        hubs = c.hub_scores(g).head(top)
        hubs = hubs.assign(
            vpc_in=hubs["value_in"] / hubs["carats_in"].where(hubs["carats_in"] > 0),
            vpc_out=hubs["value_out"] / hubs["carats_out"].where(hubs["carats_out"] > 0))
        inv.hubs = records(hubs, list(hubs.columns))
    inv.seconds["brokers and hubs"] = time.perf_counter() - t
    t = step("audit priorities")
    if trade:
        table = audit_priorities(g, [*inv.findings, *inv.route_findings],
                                 bt=m).head(top * 2)
        inv.audit = records(table, list(table.columns))
    inv.seconds["audit priorities"] = time.perf_counter() - t
    t = step("charts")
    flagged = sorted({iso for f in inv.findings if f.typology == "statistical_anomaly"
                      for iso in f.entities["countries"]})
    inv.countries = _country_series(g, flagged[:12])
    inv.seconds["charts"] = time.perf_counter() - t
    return inv

