"""Hub value manipulation against a brute-force oracle on random small trade.

The oracle restates the rule's documented definition (docs/rules.md, ``kpgraph flags
--docs``) one parcel at a time: which companies are hubs (a free zone, or rough in from
abroad and rough out to abroad), which parcels are judged (rough with carats and value,
all of whose months lie in the data), what each is compared with (the rough the hub bought
from the declared origin, or everything it bought for MIXED, unknown or the hub's own
country, in the parcel's calendar month and the two before) and the direction (at least
three times the dearest, or at most a third of the cheapest).
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kpgraph
from kpgraph.rules.library.hub_value import hub_value_rows

from .test_route_oracle import COUNTRIES, DAY0, write

PRICES = [20.0, 50.0, 60.0, 100.0, 150.0, 180.0, 300.0]
HS = ["7102.31", "7102.31", "7102.10", "7102.21", "7102.39", ""]
ORIGINS = ["COD", "ARE", "BEL", "IND", "MIXED", ""]


def _trade(rnd: random.Random, n_comp: int, n_ship: int) -> dict:
    """Companies in four countries, some in a free zone; shipments over five months (the
    data starting on a month's first day or later in it), prices that differ by factors
    around three, some values zero or missing, some goods worked or of unknown heading."""
    companies = [(f"C{k}", rnd.choice(COUNTRIES)[0], rnd.choice(["trader", "polisher"]),
                  rnd.choice(["", "", "DMCC"])) for k in range(n_comp)]
    late_start = rnd.choice([0, 0, 9])
    shipments = []
    for k in range(n_ship):
        exp, imp = rnd.sample(range(n_comp), 2)
        carats = rnd.choice([10.0, 100.0, 250.0])
        price = rnd.choice(PRICES + [0.0, None])
        shipments.append((f"S{k:03d}", late_start + rnd.randrange(150), f"C{exp}", f"C{imp}",
                          carats, None if price is None else carats * price,
                          rnd.choice(HS), "", rnd.choice(ORIGINS)))
    return {"companies": companies, "shipments": shipments, "certificates": []}


def oracle(d: dict) -> set[tuple[str, str, str]]:
    """(hub, direction, parcel) for every parcel the rule's definition flags."""
    country = {c: k for c, k, _r, _z in d["companies"]}
    zone = {c: bool(z) for c, _k, _r, z in d["companies"]}
    rows = [dict(zip(("id", "day", "exp", "imp", "ct", "value", "hs", "cert", "origin"), s))
            for s in d["shipments"]]
    for r in rows:
        r["date"] = DAY0 + pd.Timedelta(days=r["day"])
        r["month"] = r["date"].year * 12 + r["date"].month - 1
    first = min(r["date"] for r in rows)
    first_month = first.year * 12 + first.month - 1 + (first.day > 1)
    not_worked = [r for r in rows if r["hs"] not in ("7102.29", "7102.39")]
    abroad = [r for r in not_worked if country[r["exp"]] != country[r["imp"]]]
    hubs = {c for c in country if zone[c] or (any(r["imp"] == c for r in abroad)
                                              and any(r["exp"] == c for r in abroad))}
    priced = [r for r in rows if r["hs"] in ("7102.10", "7102.21", "7102.31")
              and r["value"] and r["value"] > 0]
    found = set()
    for r in priced:
        hub = r["exp"]
        if hub not in hubs or r["month"] - 2 < first_month:
            continue
        named = r["origin"] not in ("", "MIXED", country[hub])
        paid = [np.log(b["value"] / b["ct"]) for b in priced
                if b["imp"] == hub and r["month"] - 2 <= b["month"] <= r["month"]
                and (not named or b["origin"] == r["origin"])]
        if not paid:
            continue
        lv = np.log(r["value"] / r["ct"])
        if np.exp(lv - max(paid)) >= 3.0:
            found.add((hub, "uplift", r["id"]))
        elif np.exp(lv - min(paid)) <= 1 / 3.0:
            found.add((hub, "undervaluation", r["id"]))
    return found


def flagged(folder) -> set[tuple[str, str, str]]:
    return {(row["company_id"], row["direction"], s)
            for row in hub_value_rows(kpgraph.open_graph(folder)) for s in row["shipments"]}


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rnd=st.randoms(use_true_random=False), n_comp=st.integers(2, 6),
       n_ship=st.integers(2, 60))
def test_hub_value_findings_are_the_oracles(tmp_path_factory, rnd, n_comp, n_ship):
    d = _trade(rnd, n_comp, n_ship)
    assert flagged(write(d, tmp_path_factory.mktemp("trade"))) == oracle(d)


def test_the_hub_value_oracle_flags_both_directions_often_enough():
    rnd = random.Random(3)
    seen = {"uplift": 0, "undervaluation": 0}
    for _ in range(100):
        for _hub, direction, _s in oracle(_trade(rnd, 4, 60)):
            seen[direction] += 1
    assert min(seen.values()) >= 20, seen
