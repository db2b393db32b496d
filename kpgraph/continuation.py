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
binary search in its importer's outbound shipments, and a sort of all candidates by
(shipment, distance, position), done for many shipments at once as arrays, in chunks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .graph import WORKED_HS_CODES

__all__ = ["LINK_WINDOW_DAYS", "LINK_TOLERANCE", "LINK_BRANCH", "ShipmentIndex"]

LINK_WINDOW_DAYS = 180
LINK_TOLERANCE = 10.0
LINK_BRANCH = 4
_BLOCK = 1 << 32  # days of one exporter in one search key: exporter * _BLOCK + day
_CHUNK = 4_000_000  # candidate links judged at once (a few arrays of this many)

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
        self._key: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def positions(self, shipment_ids) -> np.ndarray:
        """Index positions of shipment ids (-1 for ids not in the index)."""
        return self.position.get_indexer(list(shipment_ids))

    def links(self, i: int) -> np.ndarray:
        """Positions of shipment ``i``'s continuation links, closest first."""
        got = self._cache.get(i)
        if got is None:
            self.prefetch(np.array([i]))
            got = self._cache[i]
        return got

    def prefetch(self, positions: np.ndarray) -> None:
        """Compute and cache the links of many shipments at once (those not cached yet)."""
        todo = np.array([p for p in np.unique(positions).tolist() if p not in self._cache],
                        dtype=np.int64)
        if not len(todo):
            return
        src, dst = self._links_of(todo)
        bounds = np.searchsorted(src, todo, side="left").tolist() + [len(src)]
        for k, p in enumerate(todo.tolist()):
            self._cache[p] = dst[bounds[k]:bounds[k + 1]]

    def _links_of(self, todo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every link of the sorted positions ``todo``, as (source, target) arrays sorted by
        source, each source's targets closest first; computed in chunks of candidates."""
        if not len(todo):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        a, z = self._windows(todo)
        n = z - a
        # chunks of about _CHUNK candidates: a busy hub's window holds thousands
        cuts = np.searchsorted(np.cumsum(n), np.arange(_CHUNK, n.sum(), _CHUNK), side="right")
        bounds = np.unique(np.r_[0, cuts, len(todo)]).tolist()
        pieces = [self._select(todo[lo:hi], a[lo:hi], n[lo:hi])
                  for lo, hi in zip(bounds, bounds[1:])]
        return np.concatenate([s for s, _ in pieces]), np.concatenate([d for _, d in pieces])

    def _windows(self, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each position, the range of its importer's outbound shipments that leave on
        or after its day and at most LINK_WINDOW_DAYS later (positions are sorted by
        exporter, then day: one search over both as one key)."""
        if self._key is None:
            self._key = self.exporter.astype(np.int64) * _BLOCK + self.day + _BLOCK // 2
        at = self.importer[pos].astype(np.int64) * _BLOCK + self.day[pos] + _BLOCK // 2
        return (np.searchsorted(self._key, at, side="left"),
                np.searchsorted(self._key, at + LINK_WINDOW_DAYS, side="right"))

    def _select(self, pos: np.ndarray, a: np.ndarray, n: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
        """The links of ``pos`` (candidates ``a[k] .. a[k] + n[k]``): those within the
        tolerance whose origin could be the same goods', the LINK_BRANCH closest of each,
        ties broken by position (date, then id)."""
        group = np.repeat(np.arange(len(pos)), n)
        cand = np.repeat(a, n) + (np.arange(len(group)) - np.repeat(np.cumsum(n) - n, n))
        i = pos[group]
        with np.errstate(divide="ignore", invalid="ignore"):
            ct = np.abs(np.log(self.carats[cand] / self.carats[i]))
        o, mine = self.origin[cand], self.origin[i]
        keep = ((cand != i) & (ct <= np.log(LINK_TOLERANCE) + 1e-12)
                & ((mine < 0) | (o < 0) | (o == mine) | (o == self.mixed)
                   | (o == self.home[cand])))
        group, cand, i, ct = group[keep], cand[keep], i[keep], ct[keep]
        vpc = np.abs(self.log_vpc[cand] - self.log_vpc[i])
        dist = ct + np.where(np.isnan(vpc), 0.0, vpc)
        # a busy hub's window holds thousands of candidates: sort only those as close as
        # the LINK_BRANCH-th of their shipment (every tie with it included)
        near = dist <= _kth(group, dist, len(pos))[group]
        group, cand, dist = group[near], cand[near], dist[near]
        order = np.lexsort((cand, dist, group))
        group, cand = group[order], cand[order]
        first = np.searchsorted(group, group, side="left")
        best = np.arange(len(group)) - first < LINK_BRANCH
        return pos[group[best]], cand[best]

    def all_links(self) -> pd.DataFrame:
        """Every continuation link: ``source``, ``target`` (shipment ids), ``days`` and
        ``ratio`` (the larger carats over the smaller, so 1 means equal)."""
        s, t = self._links_of(np.arange(len(self), dtype=np.int64))
        c = self.carats
        return pd.DataFrame({"source": self.ids[s], "target": self.ids[t],
                             "days": (self.day[t] - self.day[s]).astype(int),
                             "ratio": np.maximum(c[t] / c[s], c[s] / c[t])})


def _kth(group: np.ndarray, dist: np.ndarray, n_groups: int) -> np.ndarray:
    """Per group (``group`` sorted), the LINK_BRANCH-th smallest distance (inf for groups
    with fewer than 8 * LINK_BRANCH members, which are sorted whole). Groups of similar size
    share a padded matrix, partitioned along its rows."""
    out = np.full(n_groups, np.inf)
    counts = np.bincount(group, minlength=n_groups)
    first = np.cumsum(counts) - counts
    big = np.flatnonzero(counts > 8 * LINK_BRANCH)
    if not len(big):
        return out
    size = np.ceil(np.log2(counts[big])).astype(int)
    for width in np.unique(size).tolist():
        gs = big[size == width]
        m = np.full((len(gs), 1 << width), np.inf)
        rows = np.repeat(np.arange(len(gs)), counts[gs])
        cols = np.arange(len(rows)) - np.repeat(np.cumsum(counts[gs]) - counts[gs], counts[gs])
        m[rows, cols] = dist[np.repeat(first[gs], counts[gs]) + cols]
        out[gs] = np.partition(m, LINK_BRANCH - 1, axis=1)[:, LINK_BRANCH - 1]
    return out
