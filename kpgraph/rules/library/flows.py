"""Trader flow imbalance: a company that is not a miner and sent on far more rough than it
ever received (plus what its ledger says it held): rough from nowhere, the mark of a
laundering conduit that certifies smuggled goods as its country's own. Amnesty
International asked governments to compare what enters and leaves (Recommendation 4) and
to hold the industry to its own records (Recommendation 7)."""

from __future__ import annotations

import pandas as pd

from ...flows import SETTLE_DAYS, company_flows
from ...graph import WORKED_HS_CODES, GraphModel
from .. import Finding, rule


@rule("trader_flow_imbalance", "origin_laundering",
      "Recommendations 4 and 7 (compare flows; industry self-regulation)", ratio=1.5,
      min_shipments=2)
def trader_flow_imbalance(g: GraphModel, ratio: float = 1.5, min_shipments: int = 2
                          ) -> list[Finding]:
    """A company that is not a miner whose rough sent declared as its own country's origin
    (from 90 days after the data begins, since earlier parcels may have arrived before it)
    is more than ``ratio`` (default 1.5) times all the rough it received over the whole
    data plus its opening stock (the closing stock of its first ledger month, if it keeps
    one), over at least ``min_shipments`` (default 2) shipments: goods from nowhere,
    certified as the country's own. A hub re-certifying imports as MIXED is another rule's
    business (mixed_origin_recertification)."""
    flows = company_flows(g)
    comp = g.companies.set_index("company_id")
    s = g.shipments
    rough = s[~s["hs_code"].isin(WORKED_HS_CODES)]
    settled = s["shipped_on"].min() + pd.Timedelta(days=SETTLE_DAYS)
    ledgers = g.production_records.sort_values("month")
    opening = ledgers.groupby("company_id")["closing_stock_carats"].first().fillna(0.0)
    own = rough[(rough["shipped_on"] >= settled)
                & (rough["declared_origin"] == rough["exporter_id"].map(comp["country"]))]
    own_out = own.groupby("exporter_id")["carats"].sum()
    out = []
    for cid, sent_ct in own_out.items():
        if cid not in comp.index or comp.at[cid, "role"] == "miner":
            continue
        f = flows.loc[cid]
        stock = float(opening.get(cid, 0.0))
        supply = f["rough_in"] + stock
        if sent_ct <= ratio * supply:
            continue
        sent = own[own["exporter_id"] == cid]
        if len(sent) < min_shipments:
            continue
        times = sent_ct / supply if supply else float("inf")
        out.append(Finding(
            rule="trader_flow_imbalance", typology="origin_laundering",
            severity=round(min(1.0, 0.5 + 0.1 * min(times, 5.0)), 2),
            summary=(f"{cid} ({comp.at[cid, 'role']}, {comp.at[cid, 'country']}) sent "
                     f"{sent_ct:,.2f} ct of rough declared as {comp.at[cid, 'country']}'s in "
                     f"{len(sent)} shipments but received "
                     f"{f['rough_in']:,.2f} ct" + (f" and held {stock:,.2f} ct" if stock else "")
                     + (f": {times:.1f} times its supply." if supply else ": no supply at all.")),
            entities={"countries": [str(comp.at[cid, "country"])], "companies": [cid],
                      "shipments": sorted(sent["shipment_id"]),
                      "certificates": sorted(sent["certificate_id"].dropna().unique())},
            period={"from": f"{sent['shipped_on'].min():%Y-%m-%d}",
                    "to": f"{sent['shipped_on'].max():%Y-%m-%d}"},
            evidence={"own_origin_out_carats": float(sent_ct),
                      "rough_in_carats": float(f["rough_in"]), "opening_stock_carats": stock,
                      "ratio": None if not supply else float(times)}))
    return out
