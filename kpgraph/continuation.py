"""Continuation links: which later shipments could carry on a parcel that a shipment
delivered.

A shipment *s* (exporter a, importer b, date d, carats c) may be continued by a shipment
*t* that b sends on or after d and at most :data:`LINK_WINDOW_DAYS` days later, of rough
(any HS code that is not a worked heading), whose carats are within a factor of
:data:`LINK_TOLERANCE` of c (a parcel can be split or merged at a hub, but not grow or
shrink tenfold and stay one flow), and whose declared origin could be the same goods':
the same origin, ``MIXED``, unknown, or the country of t's exporter (a re-exporter
declaring its own origin is how laundered rough changes papers, so that must stay
followable). Of those, the :data:`LINK_BRANCH` most like the parcel that arrived (smallest
``|log(ct_t / ct_s)| + |log(vpc_t / vpc_s)|`` for carats and value per carat, then
earliest, then by id) are *s*'s continuation links: a busy hub sends thousands of parcels
in a window, and without the cap the number of candidate routes through it grows as the
product of its degrees, almost all of them through unrelated parcels.

This is part of the graph model (an index of shipments by company and date), so that both
stores can build it. The same definition gives the embedded search (computed for the
shipments a search reaches) and Neo4j's ``NEXT`` relationships (computed for every
shipment at load time), so both backends walk the same links; a route query narrows them
with its own window and tolerance. Cost: one sort of the shipments, then per shipment a
binary search in its importer's outbound shipments and a partial sort of the candidates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .graph import WORKED_HS_CODES

__all__ = ["LINK_WINDOW_DAYS", "LINK_TOLERANCE", "LINK_BRANCH", "ShipmentIndex"]

LINK_WINDOW_DAYS = 180
LINK_TOLERANCE = 10.0
LINK_BRANCH = 4

_EPOCH = np.datetime64("1970-01-01", "D")


class ShipmentIndex:
    """Rough shipments sorted by (exporter, date, id), with each company's outbound range.

    Positions in the index are ``0..n-1``; arrays ``ids``, ``day`` (days since 1970),
    ``carats``, ``exporter`` and ``importer`` (company codes) hold one value per position.
    """

    def __init__(self, shipments: pd.DataFrame, country_of: pd.Series):
        rough = shipments[~shipments["hs_code"].isin(WORKED_HS_CODES)]
        companies = pd.Index(pd.unique(pd.concat([rough["exporter_id"],
                                                  rough["importer_id"]], ignore_index=True)))
        exporter = companies.get_indexer(rough["exporter_id"])
        importer = companies.get_indexer(rough["importer_id"])
        day = ((rough["shipped_on"].to_numpy(dtype="datetime64[D]") - _EPOCH)
               .astype(np.int64))
        ids = rough["shipment_id"].to_numpy(dtype=object)
        order = np.lexsort((ids.astype(str), day, exporter))
        self.companies = companies
        self.ids = ids[order]
        self.day = day[order]
        self.carats = rough["carats"].to_numpy(dtype=float)[order]
        self.exporter = exporter[order]
        self.importer = importer[order]
        self.frame_index = rough.index.to_numpy()[order]
        vpc = (rough["value_usd"] / rough["carats"]).to_numpy(dtype=float)[order]
        self.log_vpc = np.log(np.where(vpc > 0, vpc, np.nan))
        origins = pd.Index(pd.unique(pd.concat([rough["declared_origin"].dropna(),
                                                 country_of.dropna()], ignore_index=True)))
        self.origin = origins.get_indexer(rough["declared_origin"])[order]  # -1 = unknown
        self.home = origins.get_indexer(rough["exporter_id"].map(country_of))[order]
        self.mixed = origins.get_loc("MIXED") if "MIXED" in origins else -2
        self.position = pd.Index(self.ids)
        n_comp = len(companies)
        self.start = np.searchsorted(self.exporter, np.arange(n_comp + 1), side="left")
        self._cache: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def positions(self, shipment_ids) -> np.ndarray:
        """Index positions of shipment ids (-1 for ids not in the index)."""
        return self.position.get_indexer(list(shipment_ids))

    def links(self, i: int) -> np.ndarray:
        """Positions of shipment ``i``'s continuation links, closest first."""
        got = self._cache.get(i)
        if got is not None:
            return got
        b = self.importer[i]
        lo, hi = self.start[b], self.start[b + 1]
        days = self.day[lo:hi]
        a = lo + np.searchsorted(days, self.day[i], side="left")
        z = lo + np.searchsorted(days, self.day[i] + LINK_WINDOW_DAYS, side="right")
        cand = np.arange(a, z)
        cand = cand[cand != i]
        if cand.size:
            ct = np.abs(np.log(self.carats[cand] / self.carats[i]))
            o, mine = self.origin[cand], self.origin[i]
            keep = ((ct <= np.log(LINK_TOLERANCE) + 1e-12)
                    & ((mine < 0) | (o < 0) | (o == mine) | (o == self.mixed)
                       | (o == self.home[cand])))
            cand = cand[keep]
            vpc = np.abs(self.log_vpc[cand] - self.log_vpc[i])
            dist = ct[keep] + np.where(np.isnan(vpc), 0.0, vpc)
            # positions are sorted by (date, id) within the exporter, so a stable sort on
            # distance breaks ties by date, then id
            if cand.size > 8 * LINK_BRANCH:
                # a busy hub: sort only the candidates as close as the LINK_BRANCH-th
                # (every tie with it included, in position order), not all of them
                kth = np.partition(dist, LINK_BRANCH - 1)[LINK_BRANCH - 1]
                near = np.flatnonzero(dist <= kth)
                cand = cand[near[np.argsort(dist[near], kind="stable")[:LINK_BRANCH]]]
            else:
                cand = cand[np.argsort(dist, kind="stable")[:LINK_BRANCH]]
        self._cache[i] = cand
        return cand

    def all_links(self) -> pd.DataFrame:
        """Every continuation link: ``source``, ``target`` (shipment ids), ``days`` and
        ``ratio`` (the larger carats over the smaller, so 1 means equal)."""
        src, dst = [], []
        for i in range(len(self)):
            t = self.links(i)
            if t.size:
                src.append(np.full(t.size, i))
                dst.append(t)
        if not src:
            return pd.DataFrame({"source": [], "target": [], "days": [], "ratio": []})
        s, t = np.concatenate(src), np.concatenate(dst)
        c = self.carats
        return pd.DataFrame({"source": self.ids[s], "target": self.ids[t],
                             "days": (self.day[t] - self.day[s]).astype(int),
                             "ratio": np.maximum(c[t] / c[s], c[s] / c[t])})
