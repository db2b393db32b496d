"""Sanctioned trade: the KPCS only works if suspended, expelled, embargoed and
non-participant countries are kept out of the trade."""

from __future__ import annotations

import pandas as pd

from ...graph import GraphModel
from ...selection import status_on_dates
from .. import Finding, rule

SEVERITY = {"embargoed": 1.0, "suspended": 0.95, "expelled": 0.95, "withdrawn": 0.9,
            "not a participant": 0.85}


@rule("sanctioned_trade", "sanctioned_trade",
      "Recommendation 2 (compliance and suspension): suspensions must bite")
def sanctioned_trade(g: GraphModel) -> list[Finding]:
    """Shipments sent by or to a company whose country, on the shipping date, was
    suspended, expelled, withdrawn or embargoed (kp_status), or not a KP participant
    (no membership date, or a later one). One finding per exporter, importer and
    restricted country, listing the shipments."""
    s = g.shipments
    if s.empty:
        return []
    country = g.companies.set_index("company_id")["country"]
    ec, ic = s["exporter_id"].map(country), s["importer_id"].map(country)
    es = status_on_dates(g, ec, s["shipped_on"])
    is_ = status_on_dates(g, ic, s["shipped_on"])
    rows = pd.concat([
        s.assign(restricted=ec, status=es, side="exporter")[es.notna()],
        s.assign(restricted=ic, status=is_, side="importer")[is_.notna()],
    ])
    out = []
    for (exp, imp, iso3, status), grp in rows.groupby(
            ["exporter_id", "importer_id", "restricted", "status"], sort=True):
        grp = grp.drop_duplicates("shipment_id").sort_values("shipped_on")
        side = grp["side"].iloc[0]
        out.append(Finding(
            rule="sanctioned_trade", typology="sanctioned_trade",
            severity=SEVERITY.get(status, 0.9),
            summary=(f"{len(grp)} shipment(s) from {exp} to {imp} "
                     f"({grp['carats'].sum():,.2f} ct, {grp['value_usd'].sum():,.2f} USD) "
                     f"while the {side}'s country {iso3} was {status}."),
            entities={"countries": [iso3], "companies": sorted({exp, imp}),
                      "shipments": sorted(grp["shipment_id"]),
                      "certificates": sorted(grp["certificate_id"].dropna().unique())},
            period={"from": grp["shipped_on"].min().strftime("%Y-%m-%d"),
                    "to": grp["shipped_on"].max().strftime("%Y-%m-%d")},
            evidence={"status": status, "country": iso3, "side": side,
                      "shipments": int(len(grp)), "carats": float(grp["carats"].sum()),
                      "value_usd": float(grp["value_usd"].sum())}))
    return out
