"""Laundering routes: time-respecting chains of shipments from a risky origin through
transit hubs and polishing centres, each with the reasons it is risky and a score.

>>> from kpgraph.routes import RouteQuery
>>> RouteQuery(origin="COD").via
'either'

The search runs on the embedded model (:func:`find_routes`) or in Neo4j
(``cypher/routes_from_origin.cypher`` over ``NEXT`` links, driven by
:mod:`kpgraph.routes.neo4j`); both return paths that :func:`finish` turns into ranked
:class:`Route` objects, so the two backends give the same routes.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..continuation import LINK_BRANCH, LINK_TOLERANCE, LINK_WINDOW_DAYS, ShipmentIndex
from ..errors import UsageError
from ..flows import company_flows, high_risk_origins
from ..graph import GraphModel
from .reasons import CONTEXT, FLAG_AT, WEIGHTS, _Facts, path_rows, route_reasons, score_rows
from .search import padded_rows, search_paths

__all__ = ["Route", "RouteQuery", "find_routes", "find_paths", "find_route", "all_routes",
           "first_per_chain", "start_part",
           "drop_suffixes", "risky_origins", "route_id", "find_routes_of", "route_findings",
           "route_typology", "ROUND_TRIPS", "finish", "rank", "route_context", "VIA",
           "FLAG_AT", "WEIGHTS", "LINK_WINDOW_DAYS", "LINK_TOLERANCE", "LINK_BRANCH"]

VIA = ("either", "hub", "polisher", "any")
ROUND_TRIPS = "*"  # the origin that asks for round trips from anywhere
_EPOCH = np.datetime64("1970-01-01", "D")


@dataclass(frozen=True)
class RouteQuery:
    """What to search: from ``origin`` (ISO3) to ``to`` (ISO3, a company id, or None for
    anywhere), passing ``via`` (``either`` a hub or a polishing centre, ``hub``,
    ``polisher``, or ``any``), with at most ``max_hops`` shipments, each leaving at most
    ``window_days`` after the previous one, carats within ``tolerance`` times the
    previous shipment's, all shipped between ``since`` and ``until``. With ``distinct``,
    only the best route through each chain of companies is kept (the same companies in
    the same order), with the number of routes found along it."""

    origin: str
    to: str | None = None
    via: str = "either"
    max_hops: int = 6
    window_days: int = 120
    tolerance: float = 10.0
    since: str | None = None
    until: str | None = None
    distinct: bool = False

    def check(self) -> None:
        if self.via not in VIA:
            raise UsageError(f"--via must be one of {', '.join(VIA)}, not {self.via!r}")
        if not 1 <= self.max_hops <= 10:
            raise UsageError(f"--max-hops must be between 1 and 10, not {self.max_hops}")
        if not 0 <= self.window_days <= LINK_WINDOW_DAYS:
            raise UsageError(f"--window-days must be between 0 and {LINK_WINDOW_DAYS} (the "
                             f"continuation links reach {LINK_WINDOW_DAYS} days), not "
                             f"{self.window_days}")
        if not 1.0 <= self.tolerance <= LINK_TOLERANCE:
            raise UsageError(f"--tolerance must be between 1 and {LINK_TOLERANCE:g}, not "
                             f"{self.tolerance:g}")

    def days(self) -> tuple[int, int]:
        lo = -(10**9) if self.since is None else _days(self.since)
        hi = 10**9 if self.until is None else _days(self.until)
        return lo, hi


def _days(value) -> int:
    return int((np.datetime64(pd.Timestamp(value).date(), "D") - _EPOCH).astype(np.int64))


@dataclass
class Route:
    """One route: its shipments in order and what they carried, with reasons and score."""

    shipments: list[str]
    companies: list[str]
    hubs: list[str]
    dates: list[str]
    carats: list[float]
    values: list[float | None]
    reasons: list[dict] = field(default_factory=list)
    score: float = 0.0
    # routes found along the same companies in the same order, this one included (set
    # when routes are kept one per chain of companies)
    same_companies: int | None = None

    @property
    def id(self) -> str:
        """A stable id from the shipment chain."""
        return route_id(self.shipments)

    @property
    def flagged(self) -> bool:
        return self.score >= FLAG_AT

    def as_dict(self) -> dict:
        return {"id": self.id, "score": self.score, "shipments": self.shipments,
                "companies": self.companies, "hubs": self.hubs, "dates": self.dates,
                "carats": self.carats, "values": self.values, "reasons": self.reasons,
                **({} if self.same_companies is None
                   else {"same_companies": self.same_companies})}


def _resolve_to(g: GraphModel, to: str | None):
    if to is None:
        return None, None
    if (g.countries["iso3"] == to).any():
        return "country", to
    if (g.companies["company_id"] == to).any():
        return "company", to
    raise UsageError(f"--to {to!r} is neither a country nor a company in the data")


def _index(g: GraphModel) -> ShipmentIndex:
    country = g.companies.set_index("company_id")["country"]
    return g.memo("route_index", lambda: ShipmentIndex(g.shipments, country))


# A first query whose routes pass through at most one shipment in this many is ranked on
# facts of its own shipments rather than on facts of every shipment (3.5 s at 1M).
FEW_SHIPMENTS = 50


def find_paths(g: GraphModel, q: RouteQuery) -> list[tuple[str, ...]]:
    """The complete routes of a query as shipment-id tuples (embedded search). With
    ``origin`` ``*``, the round trips: routes from any company back to it."""
    return _paths_of(g, _search(g, q))


def _paths_of(g: GraphModel, rows: np.ndarray) -> list[tuple[str, ...]]:
    """Rows of shipment index positions as shipment-id tuples."""
    ids = g.memo("route_index_ids", lambda: _index(g).ids.tolist()).__getitem__
    return [tuple(map(ids, p)) for p in _tuples(rows)]


def _search(g: GraphModel, q: RouteQuery) -> np.ndarray:
    """The complete routes of a query as rows of shipment index positions (-1 padded)."""
    q.check()
    cycles = q.origin == ROUND_TRIPS
    if not cycles and not (g.countries["iso3"] == q.origin).any():
        raise UsageError(f"--origin {q.origin!r} is not a country in the data")
    kind, to = _resolve_to(g, q.to)
    ix = _index(g)
    ends = None
    if kind == "country":
        ends = _start_keys_of(g)["company_country"] == to
    elif kind == "company":
        ends = np.asarray(ix.companies == to)
    lo, hi = q.days()
    return search_paths(ix, _starts(g, q), max_hops=q.max_hops, window_days=q.window_days,
                        tolerance=q.tolerance, lo_day=lo, hi_day=hi, ends=ends,
                        closed_only=cycles)


def _starts(g: GraphModel, q: RouteQuery) -> np.ndarray:
    """Index positions of the shipments a query's routes may start with (before its
    period): from the origin (by exporter, declared origin or certificate), or, for round
    trips, between two companies that trade."""
    ix = _index(g)
    keys = _start_keys_of(g)
    if q.origin == ROUND_TRIPS:  # a miner or a retailer does not receive its own rough back
        mask = keys["exp_trading"] & keys["imp_trading"]
    else:
        mask = ((keys["exp_country"] == q.origin) | (keys["declared"] == q.origin)
                | (keys["cert_origin"] == q.origin))
    return np.flatnonzero(mask & (ix.exporter != ix.importer))


def start_part(g: GraphModel, q: RouteQuery, part: int, parts: int) -> set[str]:
    """The ids of the start shipments (those in the query's period) that part ``part`` of
    ``parts`` searches, as the canned route queries split them: in order of date then id,
    the slice from ``n * part // parts`` to ``n * (part + 1) // parts``."""
    ix = _index(g)
    lo, hi = q.days()
    pos = _starts(g, q)
    pos = pos[(ix.day[pos] >= lo) & (ix.day[pos] <= hi)]
    ids = ix.ids[pos].astype(str)
    ids = ids[np.lexsort((ids, ix.day[pos]))]
    n = len(ids)
    return set(ids[n * part // parts:n * (part + 1) // parts].tolist())


def _start_keys_of(g: GraphModel) -> dict[str, np.ndarray]:
    return g.memo("route_start_keys", lambda: _start_keys(g, _index(g)))


def _tuples(m: np.ndarray) -> list[tuple[int, ...]]:
    """Rows of a -1 padded matrix as tuples, in row order (rows of one length at a time:
    a per-row Python loop over hundreds of thousands of routes is the slow part)."""
    length = (m >= 0).sum(axis=1)
    out: list = [None] * len(m)
    for n in np.unique(length):
        at = np.flatnonzero(length == n)
        for i, row in zip(at.tolist(), map(tuple, m[at, :n].tolist())):
            out[i] = row
    return out


def _start_keys(g: GraphModel, ix: ShipmentIndex) -> dict[str, np.ndarray]:
    """What decides where routes start, per position of the shipment index: the
    exporter's country, the declared origin, the certificate's origin, and whether exporter
    and importer trade (neither miner nor retailer)."""
    s = g.shipments.loc[ix.frame_index]
    comp = g.companies.set_index("company_id")
    certs = g.certificates.set_index("certificate_id")["origin"]
    trading = ~comp["role"].reindex(ix.companies).isin(("miner", "retailer")).to_numpy()
    country = comp["country"].reindex(ix.companies).to_numpy(dtype=object)
    return {"exp_country": country[ix.exporter], "company_country": country,
            "declared": _text(s["declared_origin"]),
            "cert_origin": _text(s["certificate_id"].map(certs)),
            "exp_trading": trading[ix.exporter], "imp_trading": trading[ix.importer]}


def _text(x: pd.Series) -> np.ndarray:
    """A text column as Python strings, None where missing."""
    return x.astype(object).where(x.notna(), None).to_numpy(dtype=object)


def drop_suffixes(paths) -> list[tuple[str, ...]]:
    """Unique paths, without those that are the tail of a longer one, in sorted order.

    >>> drop_suffixes([("a", "b", "c"), ("b", "c"), ("c", "d"), ("b", "c")])
    [('a', 'b', 'c'), ('c', 'd')]
    """
    paths = list(map(tuple, paths))
    if not paths:
        return []
    codes, _ = pd.factorize(pd.Series([x for p in paths for x in p], dtype=object))
    length = np.fromiter(map(len, paths), dtype=np.int64, count=len(paths))
    return sorted(paths[i] for i in _kept(padded_rows(codes, length)).tolist())


def _kept(rows: np.ndarray) -> np.ndarray:
    """Positions of the paths (rows, -1 padded) to keep, in order: the first of each
    distinct path, unless it is the tail of another path (a tail that is a path starts
    where some path starts). The paths and every tail that begins at a start are sorted
    together once: no Python loop over hundreds of thousands of paths."""
    n, width = rows.shape
    starts = np.unique(rows[:, 0])
    tails = []
    for i in range(1, width):
        at = (rows[:, i] >= 0) & np.isin(rows[:, i], starts)
        tail = np.full((int(at.sum()), width), -1, dtype=rows.dtype)
        tail[:, :width - i] = rows[at, i:]
        tails.append(tail)
    # return_index takes the first of equal rows (a stable sort)
    _, first, which = np.unique(np.concatenate([rows, *tails]), axis=0, return_index=True,
                                return_inverse=True)
    which = which.ravel()
    is_tail = np.zeros(len(first), dtype=bool)
    is_tail[which[n:]] = True
    own = which[:n]
    return np.flatnonzero((first[own] == np.arange(n)) & ~is_tail[own])


def route_context(g: GraphModel, shipment_ids) -> GraphModel:
    """The rows that scoring reads: the routes' shipments, companies and certificates, with
    the small country tables whole."""
    ix = _index(g)
    ids = sorted(set(shipment_ids))
    pos = ix.positions(ids)
    if (pos >= 0).all():
        s = g.shipments.loc[ix.frame_index[pos]]
    else:  # a chain given by hand may hold worked goods, which the index leaves out
        s = g.shipments[g.shipments["shipment_id"].isin(ids)]
    comps = set(s["exporter_id"]) | set(s["importer_id"])
    certs = g.memo("certificates_by_id",
                   lambda: g.certificates.set_index("certificate_id", drop=False))
    found = certs.index.get_indexer(pd.Index(s["certificate_id"].dropna().unique()))
    return GraphModel({
        "countries": g.countries, "kp_status": g.kp_status,
        "kp_statistics": g.kp_statistics, "shipments": s,
        "companies": g.companies[g.companies["company_id"].isin(comps)],
        "certificates": certs.iloc[np.sort(found[found >= 0])].reset_index(drop=True),
    })


def finish(paths, ctx: GraphModel, stats: pd.DataFrame, data_from, via: str = "either",
           limit: int | None = None, min_score: float | None = None,
           distinct: bool = False) -> list[Route]:
    """Ranked routes from complete paths (shipment-id tuples) over the rows ``ctx`` holds
    for them (:func:`rank`)."""
    paths = [tuple(p) for p in paths]
    if not paths:
        return []
    f = _Facts(ctx, stats, data_from)
    return rank(path_rows(paths, f), f, via, limit, min_score, distinct)


def rank(rows: np.ndarray, f: _Facts, via: str = "either", limit: int | None = None,
         min_score: float | None = None, distinct: bool = False) -> list[Route]:
    """Ranked routes from complete paths given as rows of fact rows (-1 padded): those
    that pass ``via`` kept, suffixes dropped, scored, and sorted by score (highest first),
    then carats moved (largest first), then id; the reasons found for those returned.
    With ``distinct``, first the best route of each chain of companies, in the same order
    (:func:`_best_per_chain`), each returned with the number of routes along its chain.

    A transit hub is a free-zone company or a transit trader (one that received rough
    from abroad and sent rough abroad); a polishing centre is a polisher or manufacturer.
    """
    special = f.c_hub_zone | f.c_polisher
    need = {"either": special, "hub": f.c_hub_zone, "polisher": f.c_polisher}.get(via)
    if need is not None and len(rows):
        ok = rows >= 0
        rows = rows[(need[f.imp[np.where(ok, rows, 0)]] & ok).any(axis=1)]
    rows = rows[_kept(rows)]
    if not len(rows):
        return []
    scores = score_rows(rows, f)
    first_carats = f.a_carats[rows[:, 0]]

    def shipments(i: int) -> list[str]:
        return f.ids[rows[i][rows[i] >= 0]].tolist()

    def ident(i: int) -> str:
        return route_id(shipments(i))

    along = None
    if distinct:
        best, along = _best_per_chain(rows, f, scores, first_carats, ident)
        rows, scores, first_carats = rows[best], scores[best], first_carats[best]

    routes = []
    for i in _ranked(len(rows), scores, first_carats, limit, min_score, ident):
        p = shipments(i)
        facts = [f.ship[sid] for sid in p]
        companies = [facts[0]["exporter"], *(r["importer"] for r in facts)]
        routes.append(Route(
            shipments=p, companies=companies,
            hubs=[c for c in dict.fromkeys(companies[1:])
                  if c in f.comp and special[f.comp.pos[c]]],
            dates=[f"{r['date']:%Y-%m-%d}" for r in facts],
            carats=[round(float(r["carats"]), 4) for r in facts],
            values=[None if r["value"] is None else round(float(r["value"]), 2)
                    for r in facts],
            reasons=route_reasons(p, f), score=float(scores[i]),
            same_companies=None if along is None else int(along[i])))
    return routes


def first_per_chain(routes: list[Route]) -> list[Route]:
    """Of a ranked list of routes (several queries' merged, say), the first route of each
    chain of companies (the same companies in the same order), in the list's order, each
    with the number of routes of the list along its chain (``same_companies``): for one
    query, what ``RouteQuery(distinct=True)`` gives."""
    along = Counter(tuple(r.companies) for r in routes)
    seen: set = set()
    out = []
    for r in routes:
        chain = tuple(r.companies)
        if chain not in seen:
            seen.add(chain)
            out.append(replace(r, same_companies=along[chain]))
    return out


def _best_per_chain(rows: np.ndarray, f: _Facts, scores: np.ndarray,
                    first_carats: np.ndarray, ident) -> tuple[np.ndarray, np.ndarray]:
    """Of routes given as rows of fact rows, the position of the best of each chain of
    companies (the same companies in the same order), ranked as :func:`rank` ranks (score,
    then carats moved, then id, made only for ties), and how many routes each chain has.
    Sorted by position."""
    ok = rows >= 0
    chains = np.concatenate([f.exp[rows[:, :1]], np.where(ok, f.imp[np.where(ok, rows, 0)],
                                                          -1)], axis=1)
    _, chain, size = np.unique(chains, axis=0, return_inverse=True, return_counts=True)
    chain = chain.ravel()
    order = np.lexsort((-first_carats, -scores, chain))  # each chain's best first
    lead = order[np.r_[True, chain[order][1:] != chain[order][:-1]]]
    best = lead.copy()
    # a chain whose best score and carats are shared by several routes: the smallest id
    tied = (scores == scores[lead][chain]) & (first_carats == first_carats[lead][chain])
    many = np.bincount(chain[tied], minlength=len(lead)) > 1
    for c in np.flatnonzero(many).tolist():
        candidates = np.flatnonzero(tied & (chain == c)).tolist()
        best[c] = min(candidates, key=ident)
    keep = np.argsort(best)
    return best[keep], size[keep]


def _ranked(n: int, scores: np.ndarray, first_carats: np.ndarray, limit: int | None,
            min_score: float | None, ident) -> list[int]:
    """Positions of the best ``limit`` of ``n`` paths by score (highest first), then carats
    moved (largest first), then route id (``ident(i)``), of those scoring at least
    ``min_score``. Ids are made only for the paths that tie with the last one kept."""
    keep = np.arange(n) if min_score is None else np.flatnonzero(scores >= min_score)
    by_value = keep[np.lexsort((-first_carats[keep], -scores[keep]))]
    if limit is not None and 0 < limit < len(by_value):
        last = by_value[limit - 1]
        tie = (scores[by_value] == scores[last]) & (first_carats[by_value] == first_carats[last])
        by_value = by_value[:max(limit, int(np.flatnonzero(tie)[-1]) + 1)]
    ids = {int(i): ident(int(i)) for i in by_value}
    order = sorted(ids, key=lambda i: (-scores[i], -first_carats[i], ids[i]))
    return order if limit is None else order[:limit]


_ROUTE_ID = re.compile(r"R-[0-9a-f]{12}")


def route_id(shipments) -> str:
    text = "\x1f".join(shipments)
    return "R-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def find_routes_of(g: GraphModel, paths, via: str = "any", limit: int | None = None,
                   min_score: float | None = None, distinct: bool = False) -> list[Route]:
    """Ranked routes for given paths (shipment-id tuples) on the embedded model."""
    paths = [tuple(p) for p in paths]
    flat = {sid for p in paths for sid in p}
    return finish(paths, route_context(g, flat), company_flows(g),
                  g.shipments["shipped_on"].min(), via, limit, min_score, distinct)


def find_routes(g: GraphModel, q: RouteQuery, limit: int | None = 50,
                min_score: float | None = None) -> list[Route]:
    """Routes of a query on the embedded model, ranked (see :mod:`kpgraph.routes.reasons`);
    the best ``limit``, of those scoring at least ``min_score``.

    Cost: the search (see :mod:`kpgraph.routes.search`), then array operations over the
    routes found; the facts of every shipment are computed once per model, unless the
    model's first query finds routes through few shipments (at most one in
    :data:`FEW_SHIPMENTS`): those get facts of their own, the same facts (each is the
    shipment's or its company's own), at a fraction of the cost.
    """
    rows = _search(g, q)
    if not g.memoised("route_facts"):
        used = np.unique(rows[rows >= 0])
        if used.size * FEW_SHIPMENTS <= len(_index(g).ids):
            return find_routes_of(g, _paths_of(g, rows), q.via, limit, min_score,
                                  q.distinct)
    return rank(rows, _facts(g), q.via, limit, min_score, q.distinct)


def _facts(g: GraphModel) -> _Facts:
    """The route facts of every shipment of the index, a fact row per index position."""
    def build() -> _Facts:
        ix = _index(g)
        whole = GraphModel({**{k: g.frames[k] for k in ("countries", "kp_status",
                                                        "kp_statistics", "companies",
                                                        "certificates")},
                            "shipments": g.shipments.loc[ix.frame_index]})
        return _Facts(whole, company_flows(g), g.shipments["shipped_on"].min())
    return g.memo("route_facts", build)


def risky_origins(g: GraphModel) -> list[str]:
    """The origins an investigation searches from: countries with a KP status period in
    the data, non-participants, participants with such a record in the scheme's history,
    countries whose KP statistics show exports above production plus imports, and
    countries with a company that is not a miner and sent more than 1.5 times the rough it
    received (rough from nowhere: the *unsupplied_source* red flag)."""
    from ..rules.library.statistics import exports_exceed_supply
    from .reasons import unsupplied
    known = set(g.countries["iso3"])
    comp = g.companies.set_index("company_id")
    conduits = unsupplied(company_flows(g), comp["role"])
    found = (high_risk_origins(g)
             | {f.entities["countries"][0] for f in exports_exceed_supply(g)}
             | set(comp.loc[conduits.index[conduits], "country"]))
    return sorted(found & known)


def all_routes(g: GraphModel, limit: int | None = None, min_score: float | None = None,
               since=None, until=None, origins: list[str] | None = None) -> list[Route]:
    """Routes from every risky origin (``origins``, by default :func:`risky_origins`) and
    the round trips, with default parameters and the period ``since``/``until``, each
    once, best first (those scoring at least ``min_score``): what an investigation
    searches. The period is the search's parameter, as on Neo4j: routes are walked over
    the whole data's continuation links and kept when their shipments fall in it."""
    seen: dict[str, Route] = {}
    for origin in [*(risky_origins(g) if origins is None else origins), ROUND_TRIPS]:
        q = RouteQuery(origin=origin, since=since, until=until)
        for r in find_routes(g, q, limit=None, min_score=min_score):
            seen.setdefault(r.id, r)
    out = sorted(seen.values(), key=lambda r: (-r.score, -r.carats[0], r.id))
    return out if limit is None else out[:limit]


def find_route(g: GraphModel, wanted: str) -> Route:
    """A route by its id, or given as its shipment ids joined by commas (``S1,S2,S3``),
    which must form a route (a single shipment id is a route of one shipment, even one that
    looks like a route id).

    An id is looked up among the routes of a search with default parameters: first from
    the risky origins and the round trips (:func:`all_routes`, which an investigation
    reports), then from every other country of the data in turn, so that an id that
    ``kpgraph routes --origin ISO3`` printed is found whichever origin it came from (an id
    not of the shape ``route_id`` gives is refused before any search). A
    search with other parameters (``--to``, ``--window-days``, ``--max-hops``,
    ``--tolerance``, a period) can end its routes elsewhere, which gives them other ids:
    those are given by their shipments."""
    s = g.shipments.set_index("shipment_id")
    single = wanted in s.index
    if single or "," in wanted or not wanted.startswith("R-"):
        chain = [wanted] if single else [x.strip() for x in wanted.split(",") if x.strip()]
        if not chain:
            raise UsageError("--route: give a route id (R-...) or its shipment ids, S1,S2,...")
        missing = [x for x in chain if x not in s.index]
        if missing:
            raise UsageError(f"--route: no shipment {missing[0]!r} in the data")
        rows = s.loc[chain]
        for (a, ra), (b, rb) in zip(rows.iterrows(), list(rows.iterrows())[1:]):
            if ra["importer_id"] != rb["exporter_id"] or rb["shipped_on"] < ra["shipped_on"]:
                raise UsageError(f"--route: {b} does not continue {a} (the next exporter must "
                                 "be the last importer, on or after its date)")
        return find_routes_of(g, [chain], via="any")[0]
    if not _ROUTE_ID.fullmatch(wanted):  # a mistyped id need not cost a search of everything
        raise UsageError(f"--route: {wanted!r} is neither a shipment id nor a route id (R- "
                         "and 12 hexadecimal digits, as kpgraph routes prints them)")
    first = [*risky_origins(g), ROUND_TRIPS]
    rest = sorted(set(g.countries["iso3"]) - set(first))
    for origin in [*first, *rest]:
        for p in find_paths(g, RouteQuery(origin=origin)):
            if route_id(p) == wanted:
                return find_routes_of(g, [p], via="any")[0]
    raise UsageError(f"no route {wanted!r} from any origin (searched with default "
                     "parameters) nor among the round trips; a search with other parameters "
                     "gives other ids: give its shipments instead, --route S1,S2,...")


def route_typology(route: Route) -> str:
    """The typology a route's reasons point to: a rising round trip is round tripping; a
    route through a high-risk hub that re-certifies as MIXED is mixed-origin
    recertification; anything else is origin laundering."""
    codes = {r["code"]: r for r in route.reasons}
    if "round_trip" in codes and codes["round_trip"]["weight"] >= WEIGHTS["round_trip"]:
        return "round_tripping"
    if "high_risk_hub" in codes:
        return "mixed_origin_recertification"
    return "origin_laundering"


def route_findings(g: GraphModel, routes: list[Route]) -> list:
    """Routes as findings of the data contract's format (rule ``route``), their shipments
    looked up in one pass (an investigation turns every flagged route into a finding)."""
    from ..rules import Finding

    wanted = {sid for r in routes for sid in r.shipments}
    papers = _papers(g.shipments[g.shipments["shipment_id"].isin(wanted)])
    country = dict(zip(g.companies["company_id"].tolist(), g.companies["country"].tolist()))
    out = []
    for route in routes:
        origins = {papers[sid][0] for sid in route.shipments} - {None, "MIXED"}
        countries = sorted({str(country[c]) for c in route.companies if c in country}
                           | origins)
        red = [r["text"] for r in route.reasons if r["code"] not in CONTEXT]
        summary = (f"Route {route.id}: {len(route.shipments)} shipments "
                   f"({' > '.join(route.companies)}), {route.dates[0]} to {route.dates[-1]}, "
                   f"{route.carats[0]:,.0f} ct at the start; "
                   + "; ".join(red or ["no red flag"]) + ".")
        out.append(Finding(
            rule="route", typology=route_typology(route), severity=route.score,
            summary=summary,
            entities={"countries": countries, "companies": sorted(set(route.companies)),
                      "shipments": list(route.shipments),
                      "certificates": sorted({papers[sid][1] for sid in route.shipments}
                                             - {None})},
            period={"from": route.dates[0], "to": route.dates[-1]},
            evidence=route.as_dict()))
    return out


def _papers(shipments: pd.DataFrame) -> dict:
    """Per shipment id: its declared origin and certificate id (None where missing)."""
    return dict(zip(shipments["shipment_id"].tolist(),
                    zip(_text(shipments["declared_origin"]).tolist(),
                        _text(shipments["certificate_id"]).tolist())))
