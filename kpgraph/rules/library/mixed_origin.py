"""Mixed-origin recertification: a hub that takes in rough from high-risk origins and sends
it on certified as MIXED, so that the origin disappears from the papers. Amnesty
International asked governments to watch customs-free zones (Recommendation 5)."""

from __future__ import annotations

import pandas as pd

from ...flows import high_risk_origins
from ...graph import ROUGH_HS_CODES, GraphModel
from .. import Finding, rule


@rule("mixed_origin_recertification", "mixed_origin_recertification",
      "Recommendation 5 (vigilance over customs-free zones)", min_share=0.95,
      min_inbound=3)
def mixed_origin_recertification(g: GraphModel, min_share: float = 0.95,
                                 min_inbound: int = 3) -> list[Finding]:
    """A company whose rough inbound is at least ``min_share`` (default 0.95, by carats)
    from high-risk origins, over at least ``min_inbound`` (default 3) shipments, and
    whose rough outbound is at least ``min_share`` declared MIXED. High-risk origins:
    countries with a KP status period in the data, non-participants, and the
    participants with such a record in the scheme's history (CAF, COG, VEN, CIV, LBR,
    ZWE)."""
    s = g.shipments[g.shipments["hs_code"].isin(ROUGH_HS_CODES)]
    risky = high_risk_origins(g)
    inbound = s.assign(risky=s["declared_origin"].isin(risky))
    # only companies with enough high-risk inbound are worth a closer look
    counts = inbound[inbound["risky"]].groupby("importer_id").size()
    candidates = set(counts.index[counts >= min_inbound])
    inbound = inbound[inbound["importer_id"].isin(candidates)]
    outbound = dict(list(s[s["exporter_id"].isin(candidates)].groupby("exporter_id")))
    out = []
    for company, grp in inbound.groupby("importer_id", sort=True):
        risky_in = grp[grp["risky"]]
        if len(risky_in) < min_inbound:
            continue
        share_in = risky_in["carats"].sum() / grp["carats"].sum()
        if share_in < min_share:
            continue
        sent = outbound.get(company)
        if sent is None or sent.empty:
            continue
        mixed = sent[sent["declared_origin"] == "MIXED"]
        share_mixed = mixed["carats"].sum() / sent["carats"].sum()
        if share_mixed < min_share:
            continue
        ships = pd.concat([risky_in.drop(columns="risky"), mixed])
        origins = sorted(set(risky_in["declared_origin"]))
        out.append(Finding(
            rule="mixed_origin_recertification", typology="mixed_origin_recertification",
            severity=round(min(1.0, 0.5 + 0.5 * share_in * share_mixed), 2),
            summary=(f"{company} took in {risky_in['carats'].sum():,.2f} ct of rough "
                     f"({share_in:.0%} of its inbound) from high-risk origins "
                     f"({', '.join(origins)}) and sent out {mixed['carats'].sum():,.2f} ct "
                     f"({share_mixed:.0%} of its outbound) declared MIXED."),
            entities={"countries": origins, "companies": sorted({company}
                                                               | set(risky_in["exporter_id"])
                                                               | set(mixed["importer_id"])),
                      "shipments": sorted(ships["shipment_id"]),
                      "certificates": sorted(ships["certificate_id"].dropna().unique())},
            period={"from": f"{ships['shipped_on'].min():%Y-%m-%d}",
                    "to": f"{ships['shipped_on'].max():%Y-%m-%d}"},
            evidence={"high_risk_inbound_carats": float(risky_in["carats"].sum()),
                      "high_risk_share": float(share_in),
                      "mixed_outbound_carats": float(mixed["carats"].sum()),
                      "mixed_share": float(share_mixed), "origins": origins}))
    return out
