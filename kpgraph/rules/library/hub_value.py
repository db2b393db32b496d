"""Hub value manipulation: a hub that re-exports rough at a value per carat far above
(uplift) or below (undervaluation) what the goods are worth, moving money across borders in
the price of the stones. Amnesty International asked for vigilance over customs-free zones
and their valuations (Recommendation 5)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...flows import company_flows
from ...graph import ROUGH_HS_CODES, GraphModel
from .. import Finding, rule

MAD_SCALE = 1.4826


def _norms(rough: pd.DataFrame) -> pd.DataFrame:
    """Per declared origin (not MIXED): median and scaled MAD of log value per carat."""
    named = rough[rough["declared_origin"].notna() & (rough["declared_origin"] != "MIXED")]
    if named.empty:
        return pd.DataFrame({"median": [], "mad": [], "n": []})
    lv = np.log(named["value_usd"] / named["carats"])
    grp = lv.groupby(named["declared_origin"])
    med = grp.median()
    mad = (lv - named["declared_origin"].map(med)).abs().groupby(named["declared_origin"]
                                                                  ).median() * MAD_SCALE
    return pd.DataFrame({"median": med, "mad": mad, "n": grp.size()})


@rule("hub_value_manipulation", "hub_value_manipulation",
      "Recommendation 5 (vigilance over customs-free zones)", min_ratio=3.0, threshold=3.5,
      min_norm=20)
def hub_value_manipulation(g: GraphModel, min_ratio: float = 3.0, threshold: float = 3.5,
                           min_norm: int = 20) -> list[Finding]:
    """Rough a hub (a free-zone company, or a trader that takes rough from abroad and sends
    it abroad) sends on declared from a named origin, at a value per carat at least
    ``min_ratio`` (default 3) times above or below that origin's norm, and beyond
    ``threshold`` (default 3.5) robust deviations of it (median and MAD of the log value per
    carat of all rough declared from that origin, over at least ``min_norm``, default 20,
    shipments). The norm is robust, so a few manipulated parcels cannot move it; an origin
    whose prices vary widely gets a wide norm. One finding per hub and direction."""
    s = g.shipments
    rough = s[s["hs_code"].isin(ROUGH_HS_CODES) & (s["carats"] > 0)
              & (s["value_usd"] > 0)]
    norms = _norms(rough)
    norms = norms[norms["n"] >= min_norm]
    flows = company_flows(g)
    comp = g.companies.set_index("company_id")
    zone = set(comp.index[comp["free_zone"].notna()])
    hubs = zone | set(flows.index[flows["transit"]])
    out_ = rough[rough["exporter_id"].isin(hubs) & rough["declared_origin"].isin(norms.index)]
    if out_.empty:
        return []
    lv = np.log(out_["value_usd"] / out_["carats"])
    med = out_["declared_origin"].map(norms["median"]).astype(float)
    mad = out_["declared_origin"].map(norms["mad"]).astype(float).clip(lower=0.05)
    z = (lv - med) / mad
    ratio = np.exp(lv - med)
    hit = out_[(z.abs() > threshold) & ((ratio >= min_ratio) | (ratio <= 1 / min_ratio))]
    hit = hit.assign(ratio=ratio[hit.index], z=z[hit.index],
                     direction=np.where(ratio[hit.index] > 1, "uplift", "undervaluation"))
    findings = []
    for (hub, direction), grp in hit.groupby(["exporter_id", "direction"], sort=True):
        worst = float(grp["ratio"].max() if direction == "uplift" else grp["ratio"].min())
        findings.append(Finding(
            rule="hub_value_manipulation", typology="hub_value_manipulation",
            severity=round(min(1.0, 0.5 + 0.1 * len(grp)), 2),
            summary=(f"{hub} ({comp.at[hub, 'country']}) sent {len(grp)} rough shipment(s) at "
                     f"values per carat {'above' if direction == 'uplift' else 'below'} their "
                     f"declared origin's norm, up to {worst if worst >= 1 else 1 / worst:.1f} "
                     f"times ({direction})."),
            entities={"countries": sorted({str(comp.at[hub, "country"])}
                                          | set(grp["declared_origin"])),
                      "companies": [hub], "shipments": sorted(grp["shipment_id"]),
                      "certificates": sorted(grp["certificate_id"].dropna().unique())},
            period={"from": f"{grp['shipped_on'].min():%Y-%m-%d}",
                    "to": f"{grp['shipped_on'].max():%Y-%m-%d}"},
            evidence={"direction": direction, "shipments": int(len(grp)),
                      "ratios": [round(float(x), 3) for x in grp["ratio"]],
                      "robust_z": [round(float(x), 2) for x in grp["z"]]}))
    return findings
