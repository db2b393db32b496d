"""Sanctioned trade: the KPCS only works if suspended, expelled, embargoed and
non-participant countries are kept out of the trade."""

from __future__ import annotations

import pandas as pd

from ...graph import GraphModel
from ...queries.twins import in_period, shipment_columns, twin
from ...selection import status_on_dates
from .. import Finding, entities, period_of, rule

__all__ = ["sanctioned_trade_rows", "sanctioned_trade"]

SEVERITY = {"embargoed": 1.0, "suspended": 0.95, "expelled": 0.95, "withdrawn": 0.9,
            "not a participant": 0.85}


@twin("flag_sanctioned_trade")
def sanctioned_trade_rows(g: GraphModel, since=None, until=None) -> list[dict]:
    g = in_period(g, since, until)
    s = g.shipments
    if s.empty:
        return []
    country = g.companies.set_index("company_id")["country"]
    ec, ic = s["exporter_id"].map(country), s["importer_id"].map(country)
    es = status_on_dates(g, ec, s["shipped_on"])
    is_ = status_on_dates(g, ic, s["shipped_on"])
    both = pd.concat([
        s.assign(restricted=ec, status=es, side="exporter")[es.notna()],
        s.assign(restricted=ic, status=is_, side="importer")[is_.notna()],
    ])
    rows = []
    for (exp, imp, iso3, status), grp in both.groupby(
            ["exporter_id", "importer_id", "restricted", "status"], sort=True):
        side = "exporter" if (grp["side"] == "exporter").any() else "importer"
        grp = grp.drop_duplicates("shipment_id")
        rows.append({"exporter_id": exp, "importer_id": imp, "country": iso3,
                     "status": status, "side": side, **shipment_columns(grp),
                     "carats": float(grp["carats"].sum()),
                     "value_usd": float(grp["value_usd"].sum())})
    return rows


@rule("sanctioned_trade", "sanctioned_trade",
      "Recommendation 2 (compliance and suspension): suspensions must bite",
      query="flag_sanctioned_trade")
def sanctioned_trade(rows: list[dict]) -> list[Finding]:
    """Shipments sent by or to a company whose country, on the shipping date, was
    suspended, expelled, withdrawn or embargoed (kp_status; where periods overlap, the one
    that began last), or not a KP participant (no membership date, or a later one). One
    finding per exporter, importer and restricted country, listing the shipments."""
    return [Finding(
        rule="sanctioned_trade", typology="sanctioned_trade",
        severity=SEVERITY.get(r["status"], 0.9),
        summary=(f"{len(r['shipments'])} shipment(s) from {r['exporter_id']} to "
                 f"{r['importer_id']} ({r['carats']:,.2f} ct, {r['value_usd']:,.2f} USD) "
                 f"while the {r['side']}'s country {r['country']} was {r['status']}."),
        entities=entities(countries=[r["country"]],
                          companies=[r["exporter_id"], r["importer_id"]],
                          shipments=r["shipments"], certificates=r["certificates"]),
        period=period_of([r["first_day"], r["last_day"]]),
        evidence={"status": r["status"], "country": r["country"], "side": r["side"],
                  "shipments": len(r["shipments"]), "carats": round(r["carats"], 4),
                  "value_usd": round(r["value_usd"], 4)}) for r in rows]
