"""Mixed-origin recertification: a hub that takes in rough from high-risk origins and sends
it on certified as MIXED, so that the origin disappears from the papers. Amnesty
International asked governments to watch customs-free zones (Recommendation 5)."""

from __future__ import annotations

import pandas as pd

from ...flows import HISTORICAL, high_risk_origins
from ...graph import ROUGH_HS_CODES, GraphModel
from ...queries.twins import in_period, shipment_columns, twin
from .. import Finding, entities, period_of, rule

__all__ = ["mixed_origin_rows", "mixed_origin_recertification"]


@twin("flag_mixed_origin_recertification")
def mixed_origin_rows(g: GraphModel, since=None, until=None, min_share: float = 0.95,
                      min_inbound: int = 3, historical=HISTORICAL) -> list[dict]:
    g = in_period(g, since, until)
    s = g.shipments[g.shipments["hs_code"].isin(ROUGH_HS_CODES)]
    risky = high_risk_origins(g, extra=historical)
    risky_in = s[s["declared_origin"].isin(risky)]
    took = risky_in.groupby("importer_id")["carats"].agg(["size", "sum"])
    # only companies with enough high-risk inbound are worth a closer look
    candidates = took.index[took["size"] >= min_inbound]
    in_ct = s[s["importer_id"].isin(candidates)].groupby("importer_id")["carats"].sum()
    share_in = (took["sum"].reindex(candidates) / in_ct.reindex(candidates)).dropna()
    sent = s[s["exporter_id"].isin(share_in.index[share_in >= min_share])]
    mixed = sent[sent["declared_origin"] == "MIXED"]
    sent_ct = sent.groupby("exporter_id")["carats"].sum()
    share_mixed = (mixed.groupby("exporter_id")["carats"].sum().reindex(sent_ct.index)
                   .fillna(0.0) / sent_ct)
    rows = []
    for company in sorted(share_mixed.index[share_mixed >= min_share]):
        took = risky_in[risky_in["importer_id"] == company]
        went = mixed[mixed["exporter_id"] == company]
        rows.append({
            "company_id": company, "origins": sorted(set(took["declared_origin"])),
            "high_risk_in_carats": float(took["carats"].sum()),
            "high_risk_share": float(share_in[company]),
            "mixed_out_carats": float(went["carats"].sum()),
            "mixed_share": float(share_mixed[company]),
            "companies": sorted({company} | set(took["exporter_id"])
                                | set(went["importer_id"])),
            **shipment_columns(pd.concat([took, went]))})
    return rows


@rule("mixed_origin_recertification", "mixed_origin_recertification",
      "Recommendation 5 (vigilance over customs-free zones)",
      query="flag_mixed_origin_recertification", min_share=0.95, min_inbound=3,
      historical=list(HISTORICAL))
def mixed_origin_recertification(rows: list[dict], min_share: float = 0.95,
                                 min_inbound: int = 3, historical=HISTORICAL
                                 ) -> list[Finding]:
    """A company whose rough inbound is at least ``min_share`` (default 0.95, by carats)
    from high-risk origins, over at least ``min_inbound`` (default 3) shipments, and
    whose rough outbound is at least ``min_share`` declared MIXED. High-risk origins:
    countries with a KP status period in the data, non-participants, and the
    participants with such a record in the scheme's history (``historical``: CAF, COG,
    VEN, CIV, LBR, ZWE). The shares are over the company's whole trade in the period: a
    hub where such parcels are a small part of a larger trade is not found (narrow the
    period with ``--since``/``--until`` to look at a few months of it)."""
    return [Finding(
        rule="mixed_origin_recertification", typology="mixed_origin_recertification",
        severity=round(min(1.0, 0.5 + 0.5 * r["high_risk_share"] * r["mixed_share"]), 2),
        summary=(f"{r['company_id']} took in {r['high_risk_in_carats']:,.2f} ct of rough "
                 f"({r['high_risk_share']:.0%} of its inbound) from high-risk origins "
                 f"({', '.join(r['origins'])}) and sent out {r['mixed_out_carats']:,.2f} ct "
                 f"({r['mixed_share']:.0%} of its outbound) declared MIXED."),
        entities=entities(countries=r["origins"], companies=r["companies"],
                          shipments=r["shipments"], certificates=r["certificates"]),
        period=period_of([r["first_day"], r["last_day"]]),
        evidence={"high_risk_inbound_carats": round(r["high_risk_in_carats"], 4),
                  "high_risk_share": round(r["high_risk_share"], 6),
                  "mixed_outbound_carats": round(r["mixed_out_carats"], 4),
                  "mixed_share": round(r["mixed_share"], 6), "origins": r["origins"]})
        for r in rows]
