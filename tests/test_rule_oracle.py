"""Red-flag rules against brute-force oracles on random small trade: hub value
manipulation and the ledger against the shipments.

The oracle restates the rule's documented definition (docs/rules.md, ``kpgraph flags
--docs``) one parcel at a time: which companies are hubs (a free zone, or rough in from
abroad and rough out to abroad), which parcels are judged (rough with carats and value,
all of whose months lie in the data), what each is compared with (the rough the hub bought
from the declared origin, or everything it bought for MIXED, unknown or the hub's own
country, in the parcel's calendar month and the two before) and the direction (at least
three times the dearest, or at most a third of the cheapest). The ledger's oracle walks
each cutting centre's months from its first ledger month to its last (a missing one
recorded nothing), with the rough that surely arrived in each and the rough that left in
its last ten days, and reports the months short alone and the pairs short together.
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


# -- the ledger against the shipments ---------------------------------------------------
def _books(rnd: random.Random) -> tuple[dict, list[tuple]]:
    """A trader selling rough to two or three cutting centres over six months, many
    shipments near a month's end; ledgers that skip months and record round amounts."""
    centres = [f"P{k}" for k in range(rnd.randint(2, 3))]
    companies = [("T", "ARE", "trader", "")] + [(p, "IND", "polisher", "") for p in centres]
    shipments = []
    for k in range(rnd.randint(1, 30)):
        month = rnd.randint(1, 6)
        day = rnd.choice([1, 5, 18, 19, 20, 21, 22, 28]) if month != 2 else rnd.randint(1, 28)
        date = pd.Timestamp(2021, month, day)
        shipments.append((f"S{k:02d}", (date - DAY0).days, "T", rnd.choice(centres),
                          rnd.choice([30.0, 60.0, 100.0, 400.0]), 1000.0,
                          rnd.choice(["7102.31", "7102.10", "7102.39", ""]), "", "COD"))
    ledgers = [(p, f"2021-{m:02d}", rnd.choice([None, 0.0, 60.0, 100.0, 400.0, 800.0]))
               for p in centres for m in range(1, 8) if rnd.random() < 0.6]
    return {"companies": companies, "shipments": shipments, "certificates": []}, ledgers


def ledger_oracle(d: dict, ledgers: list[tuple]) -> set[tuple[str, str, str]]:
    """(centre, first month, last month) of every window the rule's definition reports."""
    def short(delivered, ledger):
        return delivered - ledger > max(0.1 * delivered, 50.0)

    found = set()
    for centre in {p for p, _m, _c in ledgers}:
        books = {m: c or 0.0 for p, m, c in ledgers if p == centre}
        first, last = pd.Period(min(books), "M"), pd.Period(max(books), "M")
        months = [str(first + i) for i in range((last - first).n + 1)]
        sure = dict.fromkeys(months, 0.0)
        late = dict.fromkeys(months, 0.0)
        for _i, day, _e, imp, ct, _v, hs, _c, _o in d["shipments"]:
            date = DAY0 + pd.Timedelta(days=day)
            m = f"{date:%Y-%m}"
            if imp != centre or hs not in ("7102.10", "7102.21", "7102.31") or m not in sure:
                continue
            end = date + pd.offsets.MonthEnd(0)
            (sure if date <= end - pd.Timedelta(days=10) else late)[m] += ct
        alone = {m for m in months if sure[m] > 0 and short(sure[m], books.get(m, 0.0))}
        found |= {(centre, m, m) for m in alone}
        for a, b in zip(months, months[1:]):
            if a not in alone and b not in alone and short(
                    sure[a] + late[a] + sure[b], books.get(a, 0.0) + books.get(b, 0.0)):
                found.add((centre, a, b))
    return found


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rnd=st.randoms(use_true_random=False))
def test_ledger_findings_are_the_oracles(tmp_path_factory, rnd):
    from kpgraph.rules.library.mass_balance import ledger_below_shipments_rows

    d, ledgers = _books(rnd)
    folder = write(d, tmp_path_factory.mktemp("books"))
    pd.DataFrame([(p, m, "" if c is None else c, "", "", "") for p, m, c in ledgers],
                 columns=["company_id", "month", "rough_in_carats", "polished_out_carats",
                          "rough_out_carats", "closing_stock_carats"]).to_csv(
        folder / "production_records.csv", index=False)
    got = {(r["company_id"], a, b)
           for r in ledger_below_shipments_rows(kpgraph.open_graph(folder))
           for a, b in r["windows"]}
    assert got == ledger_oracle(d, ledgers)


def test_the_ledger_oracle_reports_every_kind_of_window_often_enough():
    rnd = random.Random(7)
    kinds = {"single": 0, "pair": 0, "missing month": 0}
    for _ in range(200):
        d, ledgers = _books(rnd)
        recorded = {(p, m) for p, m, _c in ledgers}
        for centre, a, b in ledger_oracle(d, ledgers):
            kinds["single" if a == b else "pair"] += 1
            kinds["missing month"] += (centre, a) not in recorded
    assert min(kinds.values()) >= 20, kinds
