"""Positions for big views, computed before the page opens.

vis-network lays a view out in the browser with a physics simulation from random
positions; above a few hundred companies that takes seconds to most of a minute (6 s for
953 companies and 8,900 trade links, 21 s for 2,452 and 31,000, on two cores), while the
investigator watches the drawing move. A big view instead carries starting positions,
computed here in igraph's C kernels, from which the page's physics needs a short run to
even out the crowded centre (150 iterations instead of 1,000); above :data:`STILL_LINKS`
trade links even that would take seconds, and the view is drawn where it stands, with the
physics off (dragging a company still moves it).
"""

from __future__ import annotations

import random
from contextlib import contextmanager

import igraph as ig
import numpy as np

__all__ = ["BIG_VIEW", "STILL_LINKS", "SPACING_PX", "spring_positions"]

BIG_VIEW = 150  # companies: a view with more starts from positions computed here
STILL_LINKS = 10_000  # trade links: a big view with more is drawn with no physics at all
# Companies are drawn about 28 pixels wide: a typical company's nearest neighbour this far
# away keeps most of them apart, as the page's own physics did (15 to 20 pixels there).
SPACING_PX = 20


@contextmanager
def _seeded(seed: int):
    """igraph's random numbers from a seeded generator for the duration (its layouts draw
    some even from given starting positions), then Python's ``random`` again (igraph's
    default)."""
    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


def spring_positions(nodes: list[str], links: list[tuple[str, str]], iterations: int = 100,
                     seed: int = 0) -> dict[str, tuple[int, int]]:
    """Force-directed positions for the ``nodes``, in whole pixels.

    Fruchterman-Reingold placement (igraph's implementation) of the undirected simple graph
    the ``links`` make (direction, repeats and self-links ignored), from seeded starting
    positions, scaled so that a node's nearest neighbour is typically (the median)
    :data:`SPACING_PX` pixels away. The same nodes and links give the same positions,
    whatever their order.

    Cost: O(iterations * (n^2 + m)) for n nodes and m links; 1.3 s for 2,453 companies and
    30,000 links at the default 100 iterations.

    Reference: T. M. J. Fruchterman and E. M. Reingold, "Graph drawing by force-directed
    placement", Software: Practice and Experience 21(11), 1991.

    >>> pos = spring_positions(["c", "a", "b"], [("a", "b"), ("b", "c"), ("b", "a")])
    >>> sorted(pos), all(isinstance(v, int) for xy in pos.values() for v in xy)
    (['a', 'b', 'c'], True)
    >>> pos == spring_positions(["a", "b", "c"], [("c", "b"), ("a", "b")])
    True
    """
    ids = sorted(set(nodes))
    if not ids:
        return {}
    at = {k: i for i, k in enumerate(ids)}
    pairs = sorted({(min(at[a], at[b]), max(at[a], at[b])) for a, b in links
                    if a != b and a in at and b in at})
    g = ig.Graph(n=len(ids), edges=pairs)
    start = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(len(ids), 2)).tolist()
    with _seeded(seed):
        xy = np.array(g.layout_fruchterman_reingold(niter=iterations, seed=start).coords,
                      dtype=float).reshape(len(ids), 2)
    xy -= xy.mean(axis=0)
    typical = float(np.median(_nearest(xy))) if len(ids) > 1 else 0.0
    if typical > 0:
        xy *= SPACING_PX / typical
    return {k: (int(round(x)), int(round(y))) for k, (x, y) in zip(ids, xy.tolist())}


def _nearest(xy: np.ndarray, chunk: int = 1024) -> np.ndarray:
    """Each point's distance to its nearest other point (by blocks of rows: a 10,000-node
    view would need 800 MB for all pairs at once)."""
    out = np.empty(len(xy))
    for lo in range(0, len(xy), chunk):
        d = np.hypot(xy[lo:lo + chunk, None, 0] - xy[None, :, 0],
                     xy[lo:lo + chunk, None, 1] - xy[None, :, 1])
        d[np.arange(len(d)), np.arange(lo, lo + len(d))] = np.inf
        out[lo:lo + chunk] = d.min(axis=1)
    return out
