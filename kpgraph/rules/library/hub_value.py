"""Hub value manipulation: a hub that re-exports rough at a value per carat far above
(uplift) or below (undervaluation) what it paid, moving money across borders in the price
of the stones. Amnesty International asked for vigilance over customs-free zones and their
valuations (Recommendation 5)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...flows import company_flows
from ...graph import ROUGH_HS_CODES, GraphModel
from ...queries.twins import in_period, shipment_columns, twin
from .. import Finding, entities, period_of, rule

__all__ = ["hub_value_rows", "hub_value_manipulation"]

ALL = "*"  # the purchase class of every origin


def _month(days: pd.Series) -> pd.Series:
    return days.dt.year * 12 + days.dt.month - 1


@twin("flag_hub_value_manipulation")
def hub_value_rows(g: GraphModel, since=None, until=None, min_ratio: float = 3.0,
                   months: int = 3, min_norm: int = 20) -> list[dict]:
    g = in_period(g, since, until)
    s = g.shipments
    if s.empty:
        return []
    rough = s[s["hs_code"].isin(ROUGH_HS_CODES) & (s["carats"] > 0) & (s["value_usd"] > 0)]
    rough = rough.assign(lv=np.log(rough["value_usd"] / rough["carats"]),
                         month=_month(rough["shipped_on"]))
    flows = company_flows(g)
    comp = g.companies.set_index("company_id")
    hubs = set(comp.index[comp["free_zone"].notna()]) | set(flows.index[flows["transit"]])
    # a parcel is judged only when all its months lie in the data: before its first day
    # the hub's purchases are unknown
    first = s["shipped_on"].min()
    first_month = first.year * 12 + first.month - 1 + (first.day > 1)
    out_ = rough[rough["exporter_id"].isin(hubs)
                 & (rough["month"] - (months - 1) >= first_month)]
    bought = rough[rough["importer_id"].isin(hubs)]
    if out_.empty or bought.empty:
        return []
    # a parcel declared from a named origin (not the hub's own country) can only be made of
    # rough bought from that origin; MIXED, unknown or the hub's own country, of any
    own = out_["exporter_id"].map(comp["country"])
    origin = out_["declared_origin"]
    named = origin.notna() & (origin != "MIXED") & (origin != own)
    out_ = out_.assign(cls=origin.where(named, ALL))
    per_class = pd.concat([bought.assign(cls=ALL),
                           bought[bought["declared_origin"].notna()].assign(
                               cls=bought["declared_origin"])])
    paid = (per_class.groupby(["importer_id", "month", "cls"])["lv"]
            .agg(lo="min", hi="max", n="size").reset_index())
    wanted = pd.concat([out_[["shipment_id", "exporter_id", "cls"]].assign(
        month=out_["month"] - k) for k in range(months)])
    seen = wanted.merge(paid, left_on=["exporter_id", "month", "cls"],
                        right_on=["importer_id", "month", "cls"])
    span = seen.groupby("shipment_id").agg(lo=("lo", "min"), hi=("hi", "max"), n=("n", "sum"))
    judged = out_.join(span, on="shipment_id", how="inner")
    up = np.exp(judged["lv"] - judged["hi"])
    down = np.exp(judged["lv"] - judged["lo"])
    judged = judged.assign(
        direction=np.where(up >= min_ratio, "uplift",
                           np.where(down <= 1 / min_ratio, "undervaluation", "")),
        ratio=np.where(up >= min_ratio, up, down))
    found = judged[judged["direction"] != ""]
    if found.empty:
        return []
    named_rough = rough[rough["declared_origin"].notna()
                        & (rough["declared_origin"] != "MIXED")]
    norm = named_rough.groupby("declared_origin")["lv"].agg(["median", "size"])
    norm = norm.loc[norm["size"] >= min_norm, "median"]
    to_norm = np.exp(found["lv"] - found["declared_origin"].map(norm))
    found = found.assign(to_norm=to_norm.astype(object).where(to_norm.notna(), None))
    rows = []
    for (hub, direction), grp in found.sort_values("shipment_id").groupby(
            ["exporter_id", "direction"], sort=True):
        rows.append({"company_id": hub, "country": comp.at[hub, "country"],
                     "direction": direction,
                     "origins": sorted(set(grp["declared_origin"].dropna())),
                     # in shipment id order, as the shipments
                     "ratios": list(map(float, grp["ratio"])),
                     "purchases": list(map(int, grp["n"])),
                     "norm_ratios": [None if x is None else float(x) for x in grp["to_norm"]],
                     **shipment_columns(grp)})
    return rows


@rule("hub_value_manipulation", "hub_value_manipulation",
      "Recommendation 5 (vigilance over customs-free zones)",
      query="flag_hub_value_manipulation", min_ratio=3.0, months=3, min_norm=20)
def hub_value_manipulation(rows: list[dict], min_ratio: float = 3.0, months: int = 3,
                           min_norm: int = 20) -> list[Finding]:
    """Rough a hub (a free-zone company, or a trader that takes rough from abroad and sends
    it abroad) sends on at a value per carat at least ``min_ratio`` (default 3) times above
    the dearest, or below the cheapest, rough it bought in the parcel's calendar month and
    the ``months - 1`` (default 2) before: what it paid bounds what a parcel made of its
    purchases, split, sorted or mixed, can be worth. A parcel declared from a named origin
    other than the hub's own country is compared with the rough bought from that origin;
    a MIXED parcel, or one declared as the hub's own, with all it bought. Parcels whose
    months reach before the data's first day, or with no purchase to compare, are not
    judged. The evidence also gives each parcel's ratio to its declared origin's norm (the
    median value per carat of the rough declared from it, over at least ``min_norm``,
    default 20, shipments). One finding per hub and direction."""
    out = []
    for r in rows:
        up = r["direction"] == "uplift"
        worst = max(r["ratios"]) if up else min(r["ratios"])
        n = len(r["shipments"])
        out.append(Finding(
            rule="hub_value_manipulation", typology="hub_value_manipulation",
            severity=round(min(1.0, 0.5 + 0.1 * n), 2),
            summary=(f"{r['company_id']} ({r['country']}) sent {n} rough shipment(s) at "
                     f"values per carat {'above the dearest' if up else 'below the cheapest'}"
                     f" rough it bought in the same month and the {months - 1} before, up to "
                     f"{worst if up else 1 / worst:.1f} times ({r['direction']})."),
            entities=entities(countries=[r["country"], *r["origins"]],
                              companies=[r["company_id"]], shipments=r["shipments"],
                              certificates=r["certificates"]),
            period=period_of([r["first_day"], r["last_day"]]),
            evidence={"direction": r["direction"], "shipments": n,
                      "ratios": [round(x, 3) for x in r["ratios"]],
                      "purchases_compared": r["purchases"],
                      "norm_ratios": [None if x is None else round(x, 3)
                                      for x in r["norm_ratios"]]}))
    return out
