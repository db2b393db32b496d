"""Polishing mass balance: a cutting centre's monthly ledger against its shipments and
against physics. Amnesty International asked governments to require monthly records of
rough in, polished out and rough left over, and to audit factories' stock against them
(Recommendation 6); once polished, diamonds leave KP controls."""

from __future__ import annotations

import pandas as pd

from ...graph import ROUGH_HS_CODES, WORKED_HS_CODES, GraphModel
from .. import Finding, rule

SERVES = "Recommendation 6 (internal controls of cutting and polishing centres)"


def _month_start(m: str) -> pd.Timestamp:
    return pd.Timestamp(f"{m}-01")


def _finding(rid, company, country, months, ships, summary, severity, evidence):
    return Finding(
        rule=rid, typology="polishing_mass_balance", severity=severity, summary=summary,
        entities={"countries": [country] if country else [], "companies": [company],
                  "shipments": sorted(ships["shipment_id"]),
                  "certificates": sorted(ships["certificate_id"].dropna().unique())},
        period={"from": f"{months[0]}-01",
                "to": f"{(_month_start(months[-1]) + pd.offsets.MonthEnd(0)):%Y-%m-%d}"},
        evidence=evidence)


@rule("ledger_below_shipments", "polishing_mass_balance", SERVES, transit_days=10,
      tolerance=0.1, min_carats=50.0)
def ledger_below_shipments(g: GraphModel, transit_days: int = 10, tolerance: float = 0.1,
                           min_carats: float = 50.0) -> list[Finding]:
    """Months in which a cutting centre's ledger records less rough received than its
    shipments certainly delivered: rough shipped to it from the first of the month to
    ``transit_days`` (default 10) before the month's end has arrived within the month, so
    the ledger's rough in must be at least that, less ``tolerance`` (default 10 %). Only
    shortfalls over ``min_carats`` (default 50) count. Rough kept off the books is rough
    whose fate no one can audit."""
    led = g.production_records
    if led.empty:
        return []
    s = g.shipments[g.shipments["hs_code"].isin(ROUGH_HS_CODES)]
    country = g.companies.set_index("company_id")["country"]
    out = []
    for company, rows in led.groupby("company_id", sort=True):
        recv = s[s["importer_id"] == company]
        flagged, ships, gaps = [], [], []
        for r in rows.sort_values("month").itertuples(index=False):
            start = _month_start(r.month)
            cut = start + pd.offsets.MonthEnd(0) - pd.Timedelta(days=transit_days)
            sure = recv[(recv["shipped_on"] >= start) & (recv["shipped_on"] <= cut)]
            delivered = float(sure["carats"].sum())
            ledger = float(r.rough_in_carats) if not pd.isna(r.rough_in_carats) else 0.0
            if delivered - ledger > max(min_carats, tolerance * delivered):
                flagged.append(r.month)
                ships.append(sure)
                gaps.append({"month": r.month, "ledger_rough_in": ledger,
                             "delivered_at_least": delivered})
        if flagged:
            ships = pd.concat(ships)
            short = sum(x["delivered_at_least"] - x["ledger_rough_in"] for x in gaps)
            out.append(_finding(
                "ledger_below_shipments", company, country.get(company), flagged, ships,
                         f"{company}'s ledger records {short:,.2f} ct less rough received than "
                         f"its shipments delivered, in {len(flagged)} month(s) "
                         f"({', '.join(flagged)}).", min(1.0, 0.6 + 0.1 * len(flagged)),
                         {"months": gaps, "shortfall_carats": short}))
    return out


@rule("implied_yield", "polishing_mass_balance", SERVES, max_yield=0.6, min_carats=50.0)
def implied_yield(g: GraphModel, max_yield: float = 0.6, min_carats: float = 50.0
                  ) -> list[Finding]:
    """Months in which a cutting centre's ledger shows more polished output than its rough
    could give: rough used in a month is last month's closing stock plus rough in, less
    rough out and this month's closing stock, and polished carats above ``max_yield``
    (default 0.6) of it, by more than ``min_carats`` (default 50), are stones that came from
    rough the ledger never saw. Cutting keeps well under two thirds of a rough stone."""
    led = g.production_records
    if led.empty:
        return []
    s = g.shipments
    country = g.companies.set_index("company_id")["country"]
    out = []
    for company, rows in led.groupby("company_id", sort=True):
        rows = rows.sort_values("month").reset_index(drop=True)
        opening = rows["closing_stock_carats"].shift(1)
        used = (opening + rows["rough_in_carats"].fillna(0) - rows["rough_out_carats"].fillna(0)
                - rows["closing_stock_carats"])
        polished = rows["polished_out_carats"].fillna(0)
        excess = polished - max_yield * used.clip(lower=0)
        bad = rows[opening.notna() & (excess > min_carats)]
        if bad.empty:
            continue
        months = list(bad["month"])
        sent = s[(s["exporter_id"] == company) & s["hs_code"].isin(WORKED_HS_CODES)
                 & s["shipped_on"].dt.strftime("%Y-%m").isin(months)]
        detail = [{"month": m, "polished_out": float(p), "rough_used": float(u)}
                  for m, p, u in zip(bad["month"], polished[bad.index], used[bad.index])]
        out.append(_finding(
                     "implied_yield", company, country.get(company), months, sent,
                     f"{company}'s ledger shows {float(polished[bad.index].sum()):,.2f} ct "
                     f"polished from {float(used[bad.index].clip(lower=0).sum()):,.2f} ct of "
                     f"rough used in {len(months)} month(s) ({', '.join(months)}), above "
                     f"the {max_yield:.0%} that cutting can yield.",
                     min(1.0, 0.7 + 0.1 * len(months)),
                     {"months": detail, "max_yield": max_yield}))
    return out
