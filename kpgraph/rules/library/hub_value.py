"""Hub value manipulation: a hub that re-exports rough at a value per carat far above
(uplift) or below (undervaluation) what the goods are worth, moving money across borders in
the price of the stones. Amnesty International asked for vigilance over customs-free zones
and their valuations (Recommendation 5)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...flows import company_flows
from ...graph import ROUGH_HS_CODES, GraphModel
from ...queries.twins import in_period, shipment_columns, twin
from .. import Finding, entities, period_of, rule

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


@twin("flag_hub_value_manipulation")
def hub_value_rows(g: GraphModel, since=None, until=None, min_ratio: float = 3.0,
                   threshold: float = 3.5, min_norm: int = 20) -> list[dict]:
    g = in_period(g, since, until)
    s = g.shipments
    rough = s[s["hs_code"].isin(ROUGH_HS_CODES) & (s["carats"] > 0)
              & (s["value_usd"] > 0)]
    norms = _norms(rough)
    norms = norms[norms["n"] >= min_norm]
    flows = company_flows(g)
    comp = g.companies.set_index("company_id")
    hubs = set(comp.index[comp["free_zone"].notna()]) | set(flows.index[flows["transit"]])
    out_ = rough[rough["exporter_id"].isin(hubs) & rough["declared_origin"].isin(norms.index)]
    if out_.empty:
        return []
    lv = np.log(out_["value_usd"] / out_["carats"])
    med = out_["declared_origin"].map(norms["median"]).astype(float)
    mad = out_["declared_origin"].map(norms["mad"]).astype(float).clip(lower=0.05)
    z = (lv - med) / mad
    ratio = np.exp(lv - med)
    hit = (z.abs() > threshold) & ((ratio >= min_ratio) | (ratio <= 1 / min_ratio))
    found = out_[hit].assign(ratio=ratio[hit], z=z[hit],
                             direction=np.where(ratio[hit] > 1, "uplift", "undervaluation"))
    rows = []
    for (hub, direction), grp in found.sort_values("shipment_id").groupby(
            ["exporter_id", "direction"], sort=True):
        rows.append({"company_id": hub, "country": comp.at[hub, "country"],
                     "direction": direction, "origins": sorted(set(grp["declared_origin"])),
                     # in shipment id order, as the shipments
                     "ratios": list(map(float, grp["ratio"])), "z": list(map(float, grp["z"])),
                     **shipment_columns(grp)})
    return rows


@rule("hub_value_manipulation", "hub_value_manipulation",
      "Recommendation 5 (vigilance over customs-free zones)",
      query="flag_hub_value_manipulation", min_ratio=3.0, threshold=3.5, min_norm=20)
def hub_value_manipulation(rows: list[dict], min_ratio: float = 3.0, threshold: float = 3.5,
                           min_norm: int = 20) -> list[Finding]:
    """Rough a hub (a free-zone company, or a trader that takes rough from abroad and sends
    it abroad) sends on declared from a named origin, at a value per carat at least
    ``min_ratio`` (default 3) times above or below that origin's norm, and beyond
    ``threshold`` (default 3.5) robust deviations of it (median and MAD of the log value per
    carat of all rough declared from that origin, over at least ``min_norm``, default 20,
    shipments; the MAD scaled by 1.4826 and at least 0.05). The norm is robust, so a few
    manipulated parcels cannot move it; an origin whose prices vary widely gets a wide
    norm. One finding per hub and direction."""
    out = []
    for r in rows:
        up = r["direction"] == "uplift"
        worst = max(r["ratios"]) if up else min(r["ratios"])
        n = len(r["shipments"])
        out.append(Finding(
            rule="hub_value_manipulation", typology="hub_value_manipulation",
            severity=round(min(1.0, 0.5 + 0.1 * n), 2),
            summary=(f"{r['company_id']} ({r['country']}) sent {n} rough shipment(s) at "
                     f"values per carat {'above' if up else 'below'} their declared origin's "
                     f"norm, up to {worst if up else 1 / worst:.1f} times "
                     f"({r['direction']})."),
            entities=entities(countries=[r["country"], *r["origins"]],
                              companies=[r["company_id"]], shipments=r["shipments"],
                              certificates=r["certificates"]),
            period=period_of([r["first_day"], r["last_day"]]),
            evidence={"direction": r["direction"], "shipments": n,
                      "ratios": [round(x, 3) for x in r["ratios"]],
                      "robust_z": [round(x, 2) for x in r["z"]]}))
    return out
