"""Time-respecting route search over continuation links.

A route is a chain of shipments s1 … sk where each next exporter is the last importer,
each next shipment leaves on or after the last one and at most ``window_days`` later,
carats stay within ``tolerance`` of the previous shipment's, and no company is visited
twice (except that a route of at least three shipments may close where it started: a
round trip, which ends it).

The embedded backend searches depth-first from each start shipment along the
continuation links of :mod:`kpgraph.routes.links`, pruning as it goes (a link outside the
window, the tolerance, the period or back to a visited company is not followed), and
keeps the routes that are complete: they reached the destination, closed a cycle, used
``max_hops`` shipments, or have no continuation left. It never enumerates static paths.
Cost: O(starts · b^h) link visits in the worst case for branching b = LINK_BRANCH and
h = max_hops; in trade data most chains end within three or four legs.
"""

from __future__ import annotations

import numpy as np

from ..continuation import ShipmentIndex

__all__ = ["search_paths", "MIN_CYCLE"]

# A parcel sent back to the company that sold it is a commercial return; a round trip
# goes through at least two other companies.
MIN_CYCLE = 3


def search_paths(index: ShipmentIndex, starts: np.ndarray, *, max_hops: int,
                 window_days: int, tolerance: float, lo_day: int, hi_day: int,
                 ends: np.ndarray | None, closed_only: bool = False
                 ) -> list[tuple[int, ...]]:
    """Complete routes (tuples of index positions) from the ``starts`` positions.

    ``ends[company_code]`` says whether a company is a destination (None: anywhere);
    ``closed_only`` keeps only the routes that return to where they started.
    """
    exp, imp, day, ct = index.exporter, index.importer, index.day, index.carats
    out: list[tuple[int, ...]] = []
    for s in starts:
        s = int(s)
        if not lo_day <= day[s] <= hi_day:
            continue
        origin_company = exp[s]
        stack = [((s,), (origin_company, imp[s]))]
        while stack:
            path, comps = stack.pop()
            last = path[-1]
            closed = comps[-1] == origin_company and len(path) >= MIN_CYCLE
            if closed_only:
                if closed:
                    out.append(path)
                    continue
            elif ends is not None and ends[comps[-1]]:
                out.append(path)
                continue
            nxt = []
            if not closed and len(path) < max_hops:
                for t in index.links(last):
                    t = int(t)
                    gap = day[t] - day[last]
                    ratio = max(ct[t] / ct[last], ct[last] / ct[t])
                    if gap > window_days or ratio > tolerance or day[t] > hi_day:
                        continue
                    c = imp[t]
                    if c in comps[1:] or (c == origin_company and len(path) + 1 < MIN_CYCLE):
                        continue
                    nxt.append(t)
            if nxt:
                for t in reversed(nxt):
                    stack.append((path + (t,), comps + (imp[t],)))
            elif ends is None and not closed_only:
                out.append(path)
    return out
