"""Polishing mass balance: a cutting centre's monthly ledger against its shipments and
against physics. Amnesty International asked governments to require monthly records of
rough in, polished out and rough left over, and to audit factories' stock against them
(Recommendation 6); once polished, diamonds leave KP controls."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...graph import ROUGH_HS_CODES, WORKED_HS_CODES, GraphModel
from ...queries.twins import in_period, twin
from ...routes.search import within_rows
from .. import Finding, entities, rule

__all__ = ["ledger_below_shipments_rows", "ledger_below_shipments", "implied_yield_rows",
           "implied_yield"]

SERVES = "Recommendation 6 (internal controls of cutting and polishing centres)"


def _finding(rid: str, r: dict, summary: str, severity: float, evidence: dict) -> Finding:
    last = pd.Timestamp(f"{r['months'][-1]}-01") + pd.offsets.MonthEnd(0)
    return Finding(
        rule=rid, typology="polishing_mass_balance", severity=severity, summary=summary,
        entities=entities(countries=[r["country"]], companies=[r["company_id"]],
                          shipments=r["shipments"], certificates=r["certificates"]),
        period={"from": f"{r['months'][0]}-01", "to": f"{last:%Y-%m-%d}"},
        evidence=evidence)


def _ids_and_certificates(ships: pd.DataFrame) -> dict:
    return {"shipments": sorted(ships["shipment_id"]),
            "certificates": sorted(ships["certificate_id"].dropna().unique())}


def _shipments_of(ships: pd.DataFrame, side: str, company, months) -> dict:
    return _ids_and_certificates(ships[(ships[side] == company) & ships["month"].isin(months)])


def _ledger_trade(g: GraphModel, codes, side: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ledgers, and the shipments under ``codes`` whose ``side`` (exporter_id or
    importer_id) keeps one."""
    led = g.production_records
    s = g.shipments
    return led, s[s["hs_code"].isin(codes) & s[side].isin(set(led["company_id"]))]


# -- the ledger records less rough in than the shipments delivered ------------------------
@twin("flag_ledger_below_shipments")
def ledger_below_shipments_rows(g: GraphModel, since=None, until=None, transit_days: int = 10,
                                tolerance: float = 0.1, min_carats: float = 50.0
                                ) -> list[dict]:
    g = in_period(g, since, until)
    led, s = _ledger_trade(g, ROUGH_HS_CODES, "importer_id")
    if led.empty:
        return []
    # a shipment is surely in its month's ledger when it left by transit_days before the
    # month's end; one that left later is in that month's or the next's
    cut = s["shipped_on"] + pd.offsets.MonthEnd(0) - pd.Timedelta(days=transit_days)
    s = s.assign(month=s["shipped_on"].dt.strftime("%Y-%m"), sure=s["shipped_on"] <= cut)
    sums = s.pivot_table(index=["importer_id", "month"], columns="sure", values="carats",
                         aggfunc="sum", fill_value=0.0)
    sums = sums.reindex(columns=[True, False], fill_value=0.0)
    sums.columns = ["sure", "late"]
    sums.index = sums.index.set_names(["company_id", "month"])
    # every month from a centre's first ledger month to its last is on its books: one
    # missing among them recorded no rough in (a ledger may skip months without trade)
    ordinal = pd.Series(pd.PeriodIndex(led["month"], freq="M").asi8,
                        index=led["company_id"].to_numpy())
    span = ordinal.groupby(level=0).agg(["min", "max"])
    n = (span["max"] - span["min"] + 1).to_numpy()
    on_books = np.repeat(span["min"].to_numpy(), n) + within_rows(n)
    books = pd.DataFrame({
        "company_id": np.repeat(span.index.to_numpy(), n), "ordinal": on_books,
        "month": pd.PeriodIndex.from_ordinals(on_books, freq="M").strftime("%Y-%m")})
    rows = books.merge(led[["company_id", "month", "rough_in_carats"]],
                       on=["company_id", "month"], how="left").merge(
        sums.reset_index(), on=["company_id", "month"], how="left")
    rows = rows.assign(ledger=rows["rough_in_carats"].fillna(0.0),
                       sure=rows["sure"].fillna(0.0), late=rows["late"].fillna(0.0))
    rows = rows.sort_values(["company_id", "month"], ignore_index=True)

    def short(delivered, ledger):
        return delivered - ledger > (tolerance * delivered).clip(lower=min_carats)

    single = rows[(rows["sure"] > 0) & short(rows["sure"], rows["ledger"])]
    pair = rows.assign(next=rows["ordinal"] + 1).merge(
        rows, left_on=["company_id", "next"], right_on=["company_id", "ordinal"],
        suffixes=("", "_2"))
    pair = pair.assign(delivered=pair["sure"] + pair["late"] + pair["sure_2"],
                       both=pair["ledger"] + pair["ledger_2"])
    flagged = set(zip(single["company_id"], single["month"]))
    alone = pd.Series([(c, a) in flagged or (c, b) in flagged for c, a, b in
                       zip(pair["company_id"], pair["month"], pair["month_2"])],
                      index=pair.index, dtype=bool)
    pair = pair[short(pair["delivered"], pair["both"]) & ~alone]
    windows = pd.concat([
        pd.DataFrame({"company_id": single["company_id"], "first": single["month"],
                      "last": single["month"], "ledger": single["ledger"],
                      "delivered": single["sure"]}),
        pd.DataFrame({"company_id": pair["company_id"], "first": pair["month"],
                      "last": pair["month_2"], "ledger": pair["both"],
                      "delivered": pair["delivered"]})]).sort_values(
        ["company_id", "first", "last"])
    country = g.companies.set_index("company_id")["country"]
    received = s[s["importer_id"].isin(set(windows["company_id"]))].groupby("importer_id")
    out = []
    for company, grp in windows.groupby("company_id", sort=True):
        mine = received.get_group(company)
        take = pd.Series(False, index=mine.index)
        for a, b in zip(grp["first"], grp["last"]):
            take |= ((mine["month"] == a) & (mine["sure"] | (a != b))) | (
                (mine["month"] == b) & mine["sure"])
        out.append({"company_id": company, "country": country.get(company),
                    "months": sorted(set(grp["first"]) | set(grp["last"])),
                    "windows": [[a, b] for a, b in zip(grp["first"], grp["last"])],
                    "ledger": list(map(float, grp["ledger"])),
                    "delivered": list(map(float, grp["delivered"])),
                    **_ids_and_certificates(mine[take])})
    return out


@rule("ledger_below_shipments", "polishing_mass_balance", SERVES,
      query="flag_ledger_below_shipments", transit_days=10, tolerance=0.1, min_carats=50.0)
def ledger_below_shipments(rows: list[dict], transit_days: int = 10, tolerance: float = 0.1,
                           min_carats: float = 50.0) -> list[Finding]:
    """Months in which a cutting centre's ledger records less rough received than its
    shipments certainly delivered: rough shipped to it from the first of the month to
    ``transit_days`` (default 10) before the month's end has arrived within the month, so
    the ledger's rough in must be at least that, less ``tolerance`` (default 10 %). A
    month missing from the ledger, between its first month and its last, recorded none.
    Rough shipped in a month's last ``transit_days`` arrives that month or the next, so two
    consecutive months are also held together against everything shipped from the first of
    the one to ``transit_days`` before the end of the other (a shortfall split across a
    month's end); a pair is reported only when neither of its months is short alone. Only
    shortfalls over ``min_carats`` (default 50) count. Rough kept off the books is rough
    whose fate no one can audit."""
    out = []
    for r in rows:
        gaps, taken, short = [], set(), 0.0
        for (a, b), lg, d in zip(r["windows"], r["ledger"], r["delivered"]):
            gaps.append({"month": a, **({"to": b} if b != a else {}),
                         "ledger_rough_in": round(lg, 4), "delivered_at_least": round(d, 4)})
            if not {a, b} & taken:  # overlapping pairs: the shortfall is counted once
                taken |= {a, b}
                short += d - lg
        short = round(short, 4)
        out.append(_finding(
            "ledger_below_shipments", r,
            f"{r['company_id']}'s ledger records {short:,.2f} ct less rough received than "
            f"its shipments delivered, in {len(r['months'])} month(s) "
            f"({', '.join(r['months'])}).", min(1.0, 0.6 + 0.1 * len(r["months"])),
            {"months": gaps, "shortfall_carats": short}))
    return out


# -- more polished out than the rough used can give ---------------------------------------
@twin("flag_implied_yield")
def implied_yield_rows(g: GraphModel, since=None, until=None, max_yield: float = 0.6,
                       min_carats: float = 50.0) -> list[dict]:
    g = in_period(g, since, until)
    led, s = _ledger_trade(g, WORKED_HS_CODES, "exporter_id")
    if led.empty:
        return []
    s = s.assign(month=s["shipped_on"].dt.strftime("%Y-%m"))
    country = g.companies.set_index("company_id")["country"]
    rows = led.sort_values(["company_id", "month"]).reset_index(drop=True)
    opening = rows.groupby("company_id")["closing_stock_carats"].shift(1)
    used = (opening + rows["rough_in_carats"].fillna(0) - rows["rough_out_carats"].fillna(0)
            - rows["closing_stock_carats"])
    polished = rows["polished_out_carats"].fillna(0)
    excess = polished - max_yield * used.clip(lower=0)
    # the months of the period only (a month's opening stock is the month before's close)
    inside = pd.Series(True, index=rows.index)
    if since is not None:
        inside &= rows["month"] >= pd.Timestamp(since).strftime("%Y-%m")
    if until is not None:
        inside &= rows["month"] <= pd.Timestamp(until).strftime("%Y-%m")
    bad = rows[used.notna() & (excess > min_carats) & inside]
    out = []
    for company, grp in bad.groupby("company_id", sort=True):
        months = list(grp["month"])
        out.append({"company_id": company, "country": country.get(company), "months": months,
                    "polished": list(map(float, polished[grp.index])),
                    "used": list(map(float, used[grp.index])),
                    **_shipments_of(s, "exporter_id", company, months)})
    return out


@rule("implied_yield", "polishing_mass_balance", SERVES, query="flag_implied_yield",
      max_yield=0.6, min_carats=50.0)
def implied_yield(rows: list[dict], max_yield: float = 0.6, min_carats: float = 50.0
                  ) -> list[Finding]:
    """Months in which a cutting centre's ledger shows more polished output than its rough
    could give: rough used in a month is the previous ledger month's closing stock plus
    rough in, less rough out and this month's closing stock, and polished carats above
    ``max_yield`` (default 0.6) of it, by more than ``min_carats`` (default 50), are stones
    that came from rough the ledger never saw. Cutting keeps well under two thirds of a
    rough stone. With ``--since``/``--until``, the months the period touches (the month
    before still gives the opening stock)."""
    out = []
    for r in rows:
        detail = [{"month": m, "polished_out": round(p, 4), "rough_used": round(u, 4)}
                  for m, p, u in zip(r["months"], r["polished"], r["used"])]
        out.append(_finding(
            "implied_yield", r,
            f"{r['company_id']}'s ledger shows {sum(r['polished']):,.2f} ct polished from "
            f"{sum(max(u, 0.0) for u in r['used']):,.2f} ct of rough used in "
            f"{len(r['months'])} month(s) ({', '.join(r['months'])}), above the "
            f"{max_yield:.0%} that cutting can yield.", min(1.0, 0.7 + 0.1 * len(r["months"])),
            {"months": detail, "max_yield": max_yield}))
    return out
