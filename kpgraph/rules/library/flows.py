"""Trader flow imbalance: a company that is not a miner and sent on far more rough than it
ever received (plus what its ledger says it held): rough from nowhere, the mark of a
laundering conduit that certifies smuggled goods as its country's own. Amnesty
International asked governments to compare what enters and leaves (Recommendation 4) and
to hold the industry to its own records (Recommendation 7)."""

from __future__ import annotations

import pandas as pd

from ...flows import SETTLE_DAYS
from ...graph import WORKED_HS_CODES, GraphModel
from ...queries.twins import in_period, shipment_columns, twin
from ...selection import status_on_dates
from .. import Finding, entities, period_of, rule

__all__ = ["trader_flow_rows", "trader_flow_imbalance"]


@twin("flag_trader_flow_imbalance")
def trader_flow_rows(g: GraphModel, since=None, until=None, ratio: float = 1.5,
                     min_shipments: int = 2, settle_days: int = SETTLE_DAYS) -> list[dict]:
    g = in_period(g, since, until)
    s = g.shipments
    if s.empty:
        return []
    comp = g.companies.set_index("company_id")
    rough = s[~s["hs_code"].isin(WORKED_HS_CODES)]
    rough_in = rough.groupby("importer_id")["carats"].sum()
    settled = s["shipped_on"].min() + pd.Timedelta(days=settle_days)
    # the first ledger month that states a closing stock
    opening = (g.production_records.sort_values("month").groupby("company_id")
               ["closing_stock_carats"].first().fillna(0.0))
    own = rough[(rough["shipped_on"] >= settled)
                & (rough["declared_origin"] == rough["exporter_id"].map(comp["country"]))
                & (rough["exporter_id"].map(comp["role"]) != "miner")]
    # while its country could not certify it, rough is sanctioned trade's business
    own = own[status_on_dates(g, own["declared_origin"], own["shipped_on"]).isna().to_numpy()]
    rows = []
    for cid, sent in own.groupby("exporter_id", sort=True):
        supply_in, stock = float(rough_in.get(cid, 0.0)), float(opening.get(cid, 0.0))
        sent_ct = float(sent["carats"].sum())
        if len(sent) < min_shipments or sent_ct <= ratio * (supply_in + stock):
            continue
        rows.append({"company_id": cid, "role": comp.at[cid, "role"],
                     "country": comp.at[cid, "country"], "own_out_carats": sent_ct,
                     "rough_in_carats": supply_in, "opening_stock": stock,
                     **shipment_columns(sent)})
    return rows


@rule("trader_flow_imbalance", "origin_laundering",
      "Recommendations 4 and 7 (compare flows; industry self-regulation)",
      query="flag_trader_flow_imbalance", ratio=1.5, min_shipments=2, settle_days=SETTLE_DAYS)
def trader_flow_imbalance(rows: list[dict], ratio: float = 1.5, min_shipments: int = 2,
                          settle_days: int = SETTLE_DAYS) -> list[Finding]:
    """A company that is not a miner whose rough sent declared as its own country's origin
    (from ``settle_days``, default 90, after the data begins, since earlier parcels may have
    arrived before it) is more than ``ratio`` (default 1.5) times all the rough it received
    over the whole data plus its opening stock (the closing stock of its first ledger month
    that states one, if it keeps a ledger), over at least ``min_shipments`` (default 2)
    shipments: goods from nowhere, certified as the country's own. Only rough sent while the
    country could certify it counts: sent while it was suspended, embargoed or not a
    participant, it is sanctioned trade, another rule's business, as a hub re-certifying
    imports as MIXED is (mixed_origin_recertification)."""
    out = []
    for r in rows:
        cid, country, stock = r["company_id"], r["country"], r["opening_stock"]
        supply = r["rough_in_carats"] + stock
        times = r["own_out_carats"] / supply if supply else float("inf")
        out.append(Finding(
            rule="trader_flow_imbalance", typology="origin_laundering",
            severity=round(min(1.0, 0.5 + 0.1 * min(times, 5.0)), 2),
            summary=(f"{cid} ({r['role']}, {country}) sent {r['own_out_carats']:,.2f} ct of "
                     f"rough declared as {country}'s in {len(r['shipments'])} shipments but "
                     f"received {r['rough_in_carats']:,.2f} ct"
                     + (f" and held {stock:,.2f} ct" if stock else "")
                     + (f": {times:.1f} times its supply." if supply
                        else ": no supply at all.")),
            entities=entities(countries=[country], companies=[cid], shipments=r["shipments"],
                              certificates=r["certificates"]),
            period=period_of([r["first_day"], r["last_day"]]),
            evidence={"own_origin_out_carats": round(r["own_out_carats"], 4),
                      "rough_in_carats": round(r["rough_in_carats"], 4),
                      "opening_stock_carats": round(stock, 4),
                      "ratio": None if not supply else round(times, 6)}))
    return out
