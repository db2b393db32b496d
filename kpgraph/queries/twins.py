"""Embedded twins of the canned queries: the same answer, computed on the graph model.

Each function takes the graph model and the typed parameters and returns rows (dicts with
the columns the query's header lists). A differential test holds every pair equal.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from ..graph import GraphModel

__all__ = ["TWINS", "twin"]

TWINS: dict[str, Callable[..., list[dict]]] = {}


def twin(name: str):
    def register(fn):
        TWINS[name] = fn
        return fn

    return register


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    """Plain Python rows: dates as ``datetime.date``, missing values as ``None``."""
    out = frame[columns].copy()
    for c in columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.date
    out = out.astype(object)
    out = out.where(out.notna(), None)
    return out.to_dict("records")


def _between(s: pd.DataFrame, since, until) -> pd.DataFrame:
    if since is not None:
        s = s[s["shipped_on"] >= pd.Timestamp(since)]
    if until is not None:
        s = s[s["shipped_on"] <= pd.Timestamp(until)]
    return s


@twin("company_shipments")
def company_shipments(g: GraphModel, company_id: str, since=None, until=None) -> list[dict]:
    s = g.shipments
    if not (g.companies["company_id"] == company_id).any():
        return []
    out = s[s["exporter_id"] == company_id].assign(direction="out",
                                                   counterparty_id=lambda d: d["importer_id"])
    inn = s[s["importer_id"] == company_id].assign(direction="in",
                                                   counterparty_id=lambda d: d["exporter_id"])
    both = _between(pd.concat([out, inn]), since, until)
    both = both.sort_values(["shipped_on", "shipment_id"], ascending=[False, True])
    return _records(both, ["shipment_id", "shipped_on", "direction", "counterparty_id",
                           "carats", "value_usd", "hs_code", "certificate_id",
                           "declared_origin"])


@twin("certificate_trail")
def certificate_trail(g: GraphModel, certificate_id: str) -> list[dict]:
    k = g.certificates[g.certificates["certificate_id"] == certificate_id]
    if k.empty:
        return []
    k = k.rename(columns={"exporter_id": "cert_exporter_id", "importer_id": "cert_importer_id",
                          "origin": "cert_origin", "carats": "cert_carats",
                          "value_usd": "cert_value_usd"})
    s = g.shipments[g.shipments["certificate_id"] == certificate_id]
    rows = k.merge(s[["certificate_id", "shipment_id", "shipped_on", "exporter_id",
                      "importer_id", "carats", "value_usd"]], on="certificate_id", how="left")
    rows = rows.sort_values(["shipped_on", "shipment_id"], na_position="last")
    return _records(rows, ["certificate_id", "issuing_country", "issued_on", "expires_on",
                           "confirmed_on", "cert_exporter_id", "cert_importer_id",
                           "cert_origin", "cert_carats", "cert_value_usd", "shipment_id",
                           "shipped_on", "exporter_id", "importer_id", "carats",
                           "value_usd"])


@twin("country_trade_totals")
def country_trade_totals(g: GraphModel, from_country: str, to_country: str,
                         year: int) -> list[dict]:
    country = g.companies.set_index("company_id")["country"]
    s = g.shipments
    s = s[(s["exporter_id"].map(country) == from_country)
          & (s["importer_id"].map(country) == to_country)
          & (s["shipped_on"].dt.year == year)]
    agg = (s.groupby("hs_code", sort=True)
           .agg(shipments=("shipment_id", "size"), carats=("carats", "sum"),
                value_usd=("value_usd", "sum"))
           .reset_index())
    agg.insert(0, "year", year)
    agg.insert(0, "to_country", to_country)
    agg.insert(0, "from_country", from_country)
    return _records(agg, ["from_country", "to_country", "year", "hs_code", "shipments",
                          "carats", "value_usd"])
