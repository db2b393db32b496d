"""What each company moved, over the whole data: the figures the route reasons read
(rough in and out, high-risk inbound, MIXED outbound, transit trade, first trade), and
the high-risk origins they are measured against.

Part of the graph model: both stores compute it with :func:`company_flows`; Neo4j keeps
it on ``(:CompanyFlow)`` nodes written at load time, so that a route query reads a few
properties instead of aggregating a hub's hundred thousand shipments.
"""

from __future__ import annotations

import pandas as pd

from .graph import WORKED_HS_CODES, GraphModel

__all__ = ["HISTORICAL", "SETTLE_DAYS", "high_risk_origins", "company_flows", "FLOW_COLUMNS"]

# KP participants with a record of suspension, embargo, expulsion or withdrawal in the
# scheme's history (Central African Republic 2013, Congo 2004, Venezuela 2008, Cote
# d'Ivoire 2005-2014, Liberia until 2007, Zimbabwe/Marange 2009-2011). Countries with a
# status period in the data, and non-participants, are added to these.
HISTORICAL = ("CAF", "COG", "VEN", "CIV", "LBR", "ZWE")
SETTLE_DAYS = 90  # parcels sent this soon after the data begins may have come before it
FLOW_COLUMNS = ["rough_in", "rough_out", "high_risk_in", "high_risk_shipments", "sent_all",
                "mixed_out", "transit", "first_trade"]


def high_risk_origins(g: GraphModel, extra=HISTORICAL) -> set[str]:
    """Countries with a KP status period in the data, non-participants, and ``extra``."""
    c = g.countries
    return (set(g.kp_status["iso3"]) | set(c.loc[c["kp_member_since"].isna(), "iso3"])
            | set(extra))


def company_flows(g: GraphModel) -> pd.DataFrame:
    """Per company (the index): whether it is a ``transit`` trader (received rough from
    abroad and sent rough abroad), rough carats received (``rough_in``) and sent
    (``rough_out``, counting only what left at least :data:`SETTLE_DAYS` days after the
    data begins; ``sent_all`` counts everything), the carats and shipments received
    declared from a high-risk origin, the carats sent declared MIXED, and the first day it
    traded. Memoised on the model."""
    return g.memo("company_flows", lambda: _flows(g.shipments, g.companies,
                                                  high_risk_origins(g)))


def _flows(shipments: pd.DataFrame, companies: pd.DataFrame, high_risk: set[str]
           ) -> pd.DataFrame:
    rough = shipments[~shipments["hs_code"].isin(WORKED_HS_CODES)]
    settled = shipments["shipped_on"].min() + pd.Timedelta(days=SETTLE_DAYS)
    got = rough.groupby("importer_id")["carats"].sum()
    later = rough[rough["shipped_on"] >= settled]
    sent = later.groupby("exporter_id")["carats"].sum()
    risky_rows = rough[rough["declared_origin"].isin(high_risk)]
    risky = risky_rows.groupby("importer_id")["carats"].agg(["sum", "size"])
    sent_all = rough.groupby("exporter_id")["carats"].sum()
    mixed = rough[rough["declared_origin"] == "MIXED"].groupby("exporter_id")["carats"].sum()
    first = pd.concat([shipments.groupby("exporter_id")["shipped_on"].min(),
                       shipments.groupby("importer_id")["shipped_on"].min()])
    first = first.groupby(level=0).min()
    country = companies.set_index("company_id")["country"]
    foreign = rough[rough["exporter_id"].map(country) != rough["importer_id"].map(country)]
    transit = (pd.Index(foreign["importer_id"].unique())
               .intersection(pd.Index(foreign["exporter_id"].unique())))
    out = pd.DataFrame({"rough_in": got, "rough_out": sent, "high_risk_in": risky["sum"],
                        "high_risk_shipments": risky["size"], "sent_all": sent_all,
                        "mixed_out": mixed, "first_trade": first})
    cols = FLOW_COLUMNS[:6]
    out[cols] = out[cols].fillna(0.0)
    out["transit"] = out.index.isin(transit)
    out.index.name = "company_id"
    return out[FLOW_COLUMNS]
