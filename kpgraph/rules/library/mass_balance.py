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
    s = g.shipments
    s = s[s["hs_code"].isin(ROUGH_HS_CODES) & s["importer_id"].isin(set(led["company_id"]))]
    # a shipment is surely in its month's ledger when it left by transit_days before the
    # month's end
    cut = (s["shipped_on"] + pd.offsets.MonthEnd(0) - pd.Timedelta(days=transit_days))
    sure = s[s["shipped_on"] <= cut].assign(month=s["shipped_on"].dt.strftime("%Y-%m"))
    delivered = (sure.groupby(["importer_id", "month"])["carats"].sum()
                 .rename("delivered").reset_index()
                 .rename(columns={"importer_id": "company_id"}))
    rows = led.merge(delivered, on=["company_id", "month"], how="left")
    rows["delivered"] = rows["delivered"].fillna(0.0)
    rows["ledger"] = rows["rough_in_carats"].fillna(0.0)
    gap = rows["delivered"] - rows["ledger"]
    bad = rows[gap > (tolerance * rows["delivered"]).clip(lower=min_carats)]
    country = g.companies.set_index("company_id")["country"]
    out = []
    for company, grp in bad.sort_values(["company_id", "month"]).groupby("company_id"):
        flagged = list(grp["month"])
        gaps = [{"month": m, "ledger_rough_in": float(lg), "delivered_at_least": float(d)}
                for m, lg, d in zip(grp["month"], grp["ledger"], grp["delivered"])]
        ships = sure[(sure["importer_id"] == company) & sure["month"].isin(flagged)]
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
    s = s[s["hs_code"].isin(WORKED_HS_CODES) & s["exporter_id"].isin(set(led["company_id"]))]
    s = s.assign(month=s["shipped_on"].dt.strftime("%Y-%m"))
    country = g.companies.set_index("company_id")["country"]
    rows = led.sort_values(["company_id", "month"]).reset_index(drop=True)
    opening = rows.groupby("company_id")["closing_stock_carats"].shift(1)
    used = (opening + rows["rough_in_carats"].fillna(0) - rows["rough_out_carats"].fillna(0)
            - rows["closing_stock_carats"])
    polished = rows["polished_out_carats"].fillna(0)
    excess = polished - max_yield * used.clip(lower=0)
    bad = rows[opening.notna() & (excess > min_carats)]
    out = []
    for company, grp in bad.groupby("company_id", sort=True):
        months = list(grp["month"])
        sent = s[(s["exporter_id"] == company) & s["month"].isin(months)]
        detail = [{"month": m, "polished_out": float(p), "rough_used": float(u)}
                  for m, p, u in zip(grp["month"], polished[grp.index], used[grp.index])]
        out.append(_finding(
                     "implied_yield", company, country.get(company), months, sent,
                     f"{company}'s ledger shows {float(polished[grp.index].sum()):,.2f} ct "
                     f"polished from {float(used[grp.index].clip(lower=0).sum()):,.2f} ct of "
                     f"rough used in {len(months)} month(s) ({', '.join(months)}), above "
                     f"the {max_yield:.0%} that cutting can yield.",
                     min(1.0, 0.7 + 0.1 * len(months)),
                     {"months": detail, "max_yield": max_yield}))
    return out
