"""Time-respecting route search over continuation links.

A route is a chain of shipments s1 … sk where each next exporter is the last importer,
each next shipment leaves on or after the last one and at most ``window_days`` later,
carats stay within ``tolerance`` of the previous shipment's, and no company is visited
twice (except that a route of at least three shipments may close where it started: a
round trip, which ends it).

The embedded backend searches breadth-first from the start shipments along the
continuation links of :mod:`kpgraph.continuation`, one route length at a time, pruning as
it goes (a link outside the window, the tolerance, the period or back to a visited company
is not followed), and keeps the routes that are complete: they reached the destination,
closed a cycle, used ``max_hops`` shipments, or have no continuation left. It never
enumerates static paths. All routes of one length are a rectangle of index positions, so
each step is a handful of array operations over all of them; only the links of the
distinct last shipments are looked up one by one (and cached by the index).
Cost: O(starts · b^h) link visits in the worst case for branching b = LINK_BRANCH and
h = max_hops; in trade data most chains end within three or four legs.

>>> import pandas as pd
>>> from kpgraph.continuation import ShipmentIndex
>>> s = pd.DataFrame({"shipment_id": ["A", "B", "C"], "exporter_id": ["x", "y", "z"],
...                   "importer_id": ["y", "z", "w"], "hs_code": ["710210"] * 3,
...                   "shipped_on": pd.to_datetime(["2020-01-01", "2020-02-01", "2020-01-15"]),
...                   "carats": [100.0, 90.0, 80.0], "value_usd": [1e4, 1e4, 1e4],
...                   "declared_origin": ["COD"] * 3})
>>> ix = ShipmentIndex(s, pd.Series({"x": "COD", "y": "ARE", "z": "BEL", "w": "IND"}))
>>> m = search_paths(ix, ix.positions(["A"]), max_hops=6, window_days=120, tolerance=10.0,
...                  lo_day=-10**9, hi_day=10**9, ends=None)
>>> [[str(ix.ids[i]) for i in row if i >= 0] for row in m]  # C left before B arrived
[['A', 'B']]
"""

from __future__ import annotations

import numpy as np

from ..continuation import ShipmentIndex

__all__ = ["search_paths", "within_rows", "padded_rows", "MIN_CYCLE"]

# A parcel sent back to the company that sold it is a commercial return; a round trip
# goes through at least two other companies.
MIN_CYCLE = 3


def search_paths(index: ShipmentIndex, starts: np.ndarray, *, max_hops: int,
                 window_days: int, tolerance: float, lo_day: int, hi_day: int,
                 ends: np.ndarray | None, closed_only: bool = False) -> np.ndarray:
    """Complete routes from the ``starts`` positions, one per row of index positions,
    padded with -1 to ``max_hops`` columns, shortest first.

    ``ends[company_code]`` says whether a company is a destination (None: anywhere);
    ``closed_only`` keeps only the routes that return to where they started.
    """
    exp, imp, day, ct = index.exporter, index.importer, index.day, index.carats
    starts = np.asarray(starts, dtype=np.int64)
    starts = starts[(day[starts] >= lo_day) & (day[starts] <= hi_day)]
    path = starts[:, None]                                   # positions, one row a route
    comps = np.stack([exp[starts], imp[starts]], axis=1)     # companies visited, in order
    done: list[np.ndarray] = []
    for k in range(1, max_hops + 1):
        if not len(path):
            break
        origin, here = comps[:, 0], comps[:, k]
        closed = (here == origin) & (k >= MIN_CYCLE)
        if closed_only:
            complete = closed
        elif ends is not None:
            complete = ends[here]
        else:  # a round trip ends the route
            complete = closed
        done.append(path[complete])
        go = ~complete & ~closed
        if k == max_hops:
            if ends is None and not closed_only:
                done.append(path[go])
            break
        row, nxt = _continuations(index, path[go][:, -1])
        src = np.flatnonzero(go)[row]
        last = path[src, -1]
        c = imp[nxt]
        keep = ((day[nxt] - day[last] <= window_days) & (day[nxt] <= hi_day)
                & (np.maximum(ct[nxt] / ct[last], ct[last] / ct[nxt]) <= tolerance)
                & ~(comps[src, 1:] == c[:, None]).any(axis=1)
                & ((c != comps[src, 0]) | (k + 1 >= MIN_CYCLE)))
        src, nxt = src[keep], nxt[keep]
        if ends is None and not closed_only:
            # a route with nowhere left to go ends where it is
            stuck = go.copy()
            stuck[src] = False
            done.append(path[stuck])
        path = np.concatenate([path[src], nxt[:, None]], axis=1)
        comps = np.concatenate([comps[src], imp[nxt][:, None]], axis=1)
    out = np.full((sum(map(len, done)), max_hops), -1, dtype=np.int64)
    at = 0
    for part in done:
        out[at:at + len(part), :part.shape[1]] = part
        at += len(part)
    return out


def _continuations(index: ShipmentIndex, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each entry of ``last``, its continuation links, flattened: (entry, link) pairs."""
    uniq, inverse = np.unique(last, return_inverse=True)
    index.prefetch(uniq)
    links = [index.links(u) for u in uniq.tolist()]
    counts = np.fromiter(map(len, links), dtype=np.int64, count=len(links))
    flat = np.concatenate(links) if links else np.zeros(0, dtype=np.int64)
    offset = np.concatenate([[0], np.cumsum(counts)])
    n = counts[inverse]
    row = np.repeat(np.arange(len(last)), n)
    # each entry's links are flat[offset[u] : offset[u] + n]
    return row, flat[np.repeat(offset[inverse], n) + within_rows(n)].astype(np.int64)


def within_rows(length: np.ndarray) -> np.ndarray:
    """For rows of these lengths laid end to end, each entry's place in its row.

    >>> within_rows(np.array([2, 0, 3])).tolist()
    [0, 1, 0, 1, 2]
    """
    return np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)


def padded_rows(values: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Rows of these lengths, their values laid end to end, as a matrix padded with -1
    (at least one column wide).

    >>> padded_rows(np.array([7, 8, 9]), np.array([2, 1])).tolist()
    [[7, 8], [9, -1]]
    """
    rows = np.full((len(length), max(int(length.max(initial=0)), 1)), -1, dtype=np.int64)
    rows[np.repeat(np.arange(len(length)), length), within_rows(length)] = values
    return rows
