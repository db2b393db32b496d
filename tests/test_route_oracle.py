"""The route search against a brute-force oracle on random small trade.

The oracle restates the documented definitions directly and slowly, one shipment and one
step at a time: continuation links (kpgraph/continuation.py: the importer's later rough,
within 180 days and the tolerance of 10, an origin that could be the same goods', the
four closest by log carats plus log value per carat, then by date, then by id) and routes
(README, "What a route is": window, tolerance, period, no company twice, at most
``max_hops`` shipments, ends at ``--to`` or where the route can go no further, round trips
back to the first exporter after three or more shipments). Random data is drawn to make
the edges likely: a few companies, days close together, carats and prices from a short
list (ties), worked goods, unknown origins and values, MIXED and own-country origins. The
embedded search must give exactly the oracle's routes (hypothesis, many datasets); Neo4j,
on a few seeded datasets, too.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpgraph.routes import drop_suffixes

from .neo4j_server.fixture import load_once
from .test_routes import _routes

COUNTRIES = [("COD", "2003-01-01", "true"), ("ARE", "2003-11-01", "false"),
             ("BEL", "2003-01-01", "false"), ("IND", "2003-01-01", "false")]
ROLES = ["miner", "trader", "trader", "polisher", "retailer"]
CARATS = [10.0, 40.0, 100.0, 100.0, 120.0, 400.0, 1000.0, 1001.0]
PRICES = [50.0, 100.0, 100.0, 200.0]
ORIGINS = ["COD", "ARE", "BEL", "MIXED", ""]
ROUGH = ["7102.31", "7102.31", "7102.10", "7102.21", "7102.39"]
DAY0 = pd.Timestamp("2021-01-01")
QUERIES = [
    {"origin": "COD"},
    {"origin": "COD", "window_days": 30, "tolerance": 4.0},
    {"origin": "ARE", "max_hops": 3},
    {"origin": "COD", "to": "BEL"},
    {"origin": "BEL", "since": "2021-01-20", "until": "2021-05-01"},
    {"origin": "*"},
    {"origin": "*", "max_hops": 4, "window_days": 60},
]


@st.composite
def trades(draw) -> dict:
    """A random small dataset as rows (see :func:`_seeded`)."""
    return _seeded(draw(st.randoms(use_true_random=False)), draw(st.integers(3, 6)),
                   draw(st.integers(2, 40)))


def write(d: dict, folder: Path) -> Path:
    """The rows as a dataset folder under the data contract."""
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame([(c, c, since, prod) for c, since, prod in COUNTRIES],
                 columns=["iso3", "name", "kp_member_since", "producer"]).to_csv(
        folder / "countries.csv", index=False)
    pd.DataFrame([(c, c, country, role, zone, "", "", "")
                  for c, country, role, zone in d["companies"]],
                 columns=["company_id", "name", "country", "role", "free_zone",
                          "registration_no", "address", "last_audit"]).to_csv(
        folder / "companies.csv", index=False)
    pd.DataFrame([(k, country, DAY0.date().isoformat(), origin)
                  for k, country, origin in d["certificates"]],
                 columns=["certificate_id", "issuing_country", "issued_on", "origin"]).to_csv(
        folder / "certificates.csv", index=False)
    pd.DataFrame([(i, (DAY0 + pd.Timedelta(days=day)).date().isoformat(), e, m, c,
                   "" if v is None else f"{v:.2f}", hs, cert, o)
                  for i, day, e, m, c, v, hs, cert, o in d["shipments"]],
                 columns=["shipment_id", "shipped_on", "exporter_id", "importer_id", "carats",
                          "value_usd", "hs_code", "certificate_id", "declared_origin"]).to_csv(
        folder / "shipments.csv", index=False)
    return folder


def oracle(d: dict, q: dict) -> set[tuple[str, ...]]:
    """The routes of query ``q``, by the definitions, one step at a time."""
    country = {c: k for c, k, _r, _z in d["companies"]}
    trading = {c: r not in ("miner", "retailer") for c, _k, r, _z in d["companies"]}
    cert_origin = {k: o for k, _c, o in d["certificates"]}
    ships = {i: {"day": day, "exp": e, "imp": m, "ct": c, "value": v, "origin": o or None,
                 "cert": cert}
             for i, day, e, m, c, v, hs, cert, o in d["shipments"] if hs not in
             ("7102.29", "7102.39")}

    def links(i: str) -> list[str]:
        s = ships[i]
        near = []
        for j, t in ships.items():
            if j == i or t["exp"] != s["imp"] or not s["day"] <= t["day"] <= s["day"] + 180:
                continue
            ct = abs(np.log(t["ct"] / s["ct"]))
            if ct > np.log(10.0) + 1e-12:
                continue
            if not (s["origin"] is None or t["origin"] in (None, s["origin"], "MIXED",
                                                           country[t["exp"]])):
                continue
            vpc = 0.0
            if s["value"] and t["value"]:
                vpc = abs(np.log(t["value"] / t["ct"]) - np.log(s["value"] / s["ct"]))
            near.append((ct + vpc, t["day"], j))
        return [j for _d, _day, j in sorted(near)[:4]]

    window, tol = q.get("window_days", 120), q.get("tolerance", 10.0)
    hops = q.get("max_hops", 6)
    lo = -math.inf if "since" not in q else (pd.Timestamp(q["since"]) - DAY0).days
    hi = math.inf if "until" not in q else (pd.Timestamp(q["until"]) - DAY0).days
    cycles, to = q["origin"] == "*", q.get("to")
    found: set[tuple[str, ...]] = set()

    def walk(path: list[str], comps: list[str]) -> None:
        k, here = len(path), comps[-1]
        closed = here == comps[0] and k >= 3
        complete = closed if cycles or to is None else country[here] == to
        if complete:
            found.add(tuple(path))
        if complete or closed:
            return
        last = ships[path[-1]]
        nxt = [j for j in links(path[-1])
               if ships[j]["day"] - last["day"] <= window and ships[j]["day"] <= hi
               and max(ships[j]["ct"] / last["ct"], last["ct"] / ships[j]["ct"]) <= tol
               and ships[j]["imp"] not in comps[1:]
               and (ships[j]["imp"] != comps[0] or k + 1 >= 3)] if k < hops else []
        if not nxt and to is None and not cycles:
            found.add(tuple(path))  # nowhere left to go (or max_hops reached)
        for j in nxt:
            walk(path + [j], comps + [ships[j]["imp"]])

    for i, s in ships.items():
        if s["exp"] == s["imp"] or not lo <= s["day"] <= hi:
            continue
        if cycles:
            start = trading[s["exp"]] and trading[s["imp"]]
        else:
            start = q["origin"] in (country[s["exp"]], s["origin"],
                                    cert_origin.get(s["cert"]))
        if start:
            walk([i], [s["exp"], s["imp"]])
    return found


def searched(q: dict, **kw) -> set[tuple[str, ...]]:
    """The routes ``kpgraph.api.routes`` gives for the query, via any, unranked."""
    return set(map(tuple, _routes(q, **kw)))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(d=trades(), q=st.sampled_from(QUERIES))
def test_embedded_routes_are_the_oracles(tmp_path_factory, d, q):
    folder = write(d, tmp_path_factory.mktemp("trade"))
    expected = set(drop_suffixes(oracle(d, q)))
    assert searched(q, path=folder) == expected


def test_embedded_routes_are_the_oracles_through_busy_companies(tmp_path):
    # four companies and 600 shipments: many a shipment has more than 8 * LINK_BRANCH
    # candidate links, where only the nearest are sorted (continuation._kth)
    d = _seeded(random.Random(1), 4, 600)
    folder = write(d, tmp_path / "busy")
    for q in QUERIES:
        expected = set(drop_suffixes(oracle(d, q)))
        assert searched(q, path=folder) == expected, q


def test_the_oracle_finds_routes_of_every_kind(tmp_path):
    # the random data must reach the cases the property is about, or it proves little
    rnd = random.Random(5)
    kinds = {"plain": 0, "long": 0, "cycle": 0, "to": 0}
    for _ in range(200):
        d = _seeded(rnd, 6, 24)
        kinds["plain"] += len(oracle(d, {"origin": "COD"})) > 0
        kinds["long"] += any(len(p) >= 3 for p in oracle(d, {"origin": "COD"}))
        kinds["cycle"] += len(oracle(d, {"origin": "*"})) > 0
        kinds["to"] += len(oracle(d, {"origin": "COD", "to": "BEL"})) > 0
    assert min(kinds.values()) >= 10, kinds


def _seeded(rnd, n_comp: int, n_ship: int) -> dict:
    """A random dataset as rows: companies, certificates and shipments. Ids are out of
    date order and days close together (ties); some values and origins are missing."""
    companies = [(f"C{k}", rnd.choice(COUNTRIES)[0], rnd.choice(ROLES),
                  rnd.choice(["", "", "DMCC"])) for k in range(n_comp)]
    shipments, certificates = [], []
    for k in range(n_ship):
        exp, imp = rnd.sample(range(n_comp), 2)
        carats, price = rnd.choice(CARATS), rnd.choice(PRICES + [None])
        cert = ""
        if rnd.random() < 0.5:
            cert = f"K{k}"
            certificates.append((cert, companies[exp][1], rnd.choice(ORIGINS[:4])))
        # days mostly on a grid of ten, so that gaps fall exactly on the windows' edges
        day = rnd.randrange(0, 151, 10) if rnd.random() < 0.7 else rnd.randrange(151)
        shipments.append((f"S{rnd.randrange(100):02d}{k}", day, f"C{exp}",
                          f"C{imp}", carats, None if price is None else carats * price,
                          rnd.choice(ROUGH), cert, rnd.choice(ORIGINS)))
    return {"companies": companies, "shipments": shipments, "certificates": certificates}


@pytest.mark.neo4j
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_neo4j_routes_are_the_oracles(neo4j_server, tmp_path, seed):
    d = _seeded(random.Random(seed), 8, 60)
    folder = write(d, tmp_path / f"trade-{seed}")
    load_once(neo4j_server, folder)
    cfg = neo4j_server.config()
    total = 0
    for q in QUERIES:
        expected = set(drop_suffixes(oracle(d, q)))
        assert searched(q, backend="neo4j", neo4j=cfg) == expected, q
        total += len(expected)
    assert total > 0
