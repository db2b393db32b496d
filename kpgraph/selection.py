"""Subgraphs of the trade network that views and exports show: plain functions over the
graph model, returning a :class:`Subgraph` (the companies, and the shipments among them).
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from .errors import UsageError
from .graph import ROUGH_HS_CODES, GraphModel

__all__ = ["Subgraph", "around_company", "country_view", "finding_view", "route_view",
           "shipment_flags"]


@dataclass
class Subgraph:
    """A selection: its title, companies, shipments among them, and the period."""

    title: str
    companies: pd.DataFrame
    shipments: pd.DataFrame
    centre: str | None = None
    since: object = None
    until: object = None
    route: list[str] | None = None  # shipment ids in order, for a route view
    notes: list[str] | None = None  # why the selection matters (a route's reasons)


def _within(g: GraphModel, ids: set, since, until) -> pd.DataFrame:
    s = g.shipments_between(since, until)
    return s[s["exporter_id"].isin(ids) & s["importer_id"].isin(ids)]


def around_company(g: GraphModel, company_id: str, hops: int = 2, since=None,
                   until=None) -> Subgraph:
    """The companies within ``hops`` trade hops of a company (shipments in either
    direction, in the period), and the shipments among them. Cost: one breadth-first
    search over the company network."""
    if not (g.companies["company_id"] == company_id).any():
        raise UsageError(f"no company {company_id!r} in the data")
    if hops < 0:
        raise UsageError("--hops must be at least 0")
    net = g.company_network(since=since, until=until)
    reach = nx.single_source_shortest_path_length(net.to_undirected(as_view=True),
                                                  company_id, cutoff=hops)
    ids = set(reach)
    comps = g.companies[g.companies["company_id"].isin(ids)].copy()
    comps["hops"] = comps["company_id"].map(reach)
    plural = "" if hops == 1 else "s"
    return Subgraph(title=f"{company_id}: companies within {hops} trade hop{plural}",
                    companies=comps,
                    shipments=_within(g, ids, since, until), centre=company_id,
                    since=since, until=until)


def country_view(g: GraphModel, iso3: str, since=None, until=None) -> Subgraph:
    """The companies registered in a country, their direct trade partners in the
    period, and the shipments among all of them."""
    if not (g.countries["iso3"] == iso3).any():
        raise UsageError(f"no country {iso3!r} in the data")
    home = set(g.companies.loc[g.companies["country"] == iso3, "company_id"])
    s = g.shipments_between(since, until)
    touching = s[s["exporter_id"].isin(home) | s["importer_id"].isin(home)]
    ids = home | set(touching["exporter_id"]) | set(touching["importer_id"])
    comps = g.companies[g.companies["company_id"].isin(ids)].copy()
    comps["hops"] = (~comps["company_id"].isin(home)).astype(int)
    return Subgraph(title=f"{iso3}: its companies and their trade partners",
                    companies=comps, shipments=_within(g, ids, since, until),
                    since=since, until=until)


def finding_view(g: GraphModel, f) -> Subgraph:
    """The companies and shipments a finding (a :class:`kpgraph.rules.Finding`) names."""
    ships = g.shipments[g.shipments["shipment_id"].isin(f.entities["shipments"])]
    ids = set(f.entities["companies"]) | set(ships["exporter_id"]) | set(ships["importer_id"])
    if not ids:
        raise UsageError(f"finding {f.id} names no company or shipment to show "
                         f"(it is about {', '.join(f.entities['countries'])}'s statistics)")
    return Subgraph(title=f"{f.id} ({f.rule})",
                    companies=g.companies[g.companies["company_id"].isin(ids)], shipments=ships)


def route_view(g: GraphModel, route) -> Subgraph:
    """A route's companies and its shipments, in order (``route`` is a
    :class:`kpgraph.routes.Route`)."""
    s = g.shipments[g.shipments["shipment_id"].isin(route.shipments)]
    order = {sid: i for i, sid in enumerate(route.shipments)}
    s = s.iloc[s["shipment_id"].map(order).argsort()]
    comps = g.companies[g.companies["company_id"].isin(route.companies)]
    return Subgraph(title=f"route {route.id} (score {route.score:.2f})", companies=comps,
                    shipments=s, centre=route.companies[0], route=list(route.shipments),
                    notes=[r["text"] for r in route.reasons])


def status_on_dates(g: GraphModel, iso3: pd.Series, dates: pd.Series) -> pd.Series:
    """For each (country, date): the KP status in force, ``not a participant``, or NA.
    Where two status periods overlap, the one that began last holds (on the same day, the
    status last in alphabetical order)."""
    # codes and numpy dates: comparing a million country names once per status period
    # is the slow way
    codes, names = pd.factorize(iso3)
    day = dates.to_numpy(dtype="datetime64[s]")
    out = np.full(len(iso3), pd.NA, dtype=object)
    member = g.countries.set_index("iso3")["kp_member_since"]
    # one more entry, unknown, for the missing countries (code -1)
    since = np.append(member.reindex(names).to_numpy(dtype="datetime64[s]"),
                      np.datetime64("NaT", "s"))
    known = np.append(np.asarray(names.isin(member.index), dtype=bool), False)
    c = np.where(codes >= 0, codes, len(names))
    outside = known[c] & (np.isnat(since[c]) | (since[c] > day))
    out[outside] = "not a participant"
    for row in g.kp_status.sort_values(["start", "status"]).itertuples(index=False):
        if row.iso3 not in names:
            continue
        hit = (codes == names.get_loc(row.iso3)) & (day >= np.datetime64(row.start, "s"))
        if not pd.isna(row.end):
            hit &= day <= np.datetime64(row.end, "s")
        out[hit] = row.status
    return pd.Series(out, index=iso3.index, dtype="object")


def shipment_flags(g: GraphModel, shipments: pd.DataFrame) -> pd.DataFrame:
    """Two plain indicators per shipment, until the red-flag rules give findings:
    ``no_certificate`` (rough without a KP certificate) and ``status`` (the exporter's or
    importer's country was suspended, embargoed, expelled, withdrawn or not a participant
    on the shipping date, as text)."""
    country = g.companies.set_index("company_id")["country"]
    exp_status = status_on_dates(g, shipments["exporter_id"].map(country),
                                 shipments["shipped_on"])
    imp_status = status_on_dates(g, shipments["importer_id"].map(country),
                                 shipments["shipped_on"])
    status = exp_status.where(exp_status.notna(), imp_status)
    return pd.DataFrame({
        "no_certificate": (shipments["hs_code"].isin(ROUGH_HS_CODES)
                           & shipments["certificate_id"].isna()).to_numpy(),
        "status": status.to_numpy(),
    }, index=shipments.index)
