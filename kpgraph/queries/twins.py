"""Embedded twins of the canned queries: the same answer, computed on the graph model.

Each function takes the graph model and the typed parameters and returns rows (dicts with
the columns the query's header lists). A differential test holds every pair equal.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from ..flows import HISTORICAL, high_risk_origins
from ..graph import ROUGH_HS_CODES, WORKED_HS_CODES, GraphModel
from ..identifiers import normalise_address, normalise_registration

__all__ = ["TWINS", "twin", "records", "in_period", "shipment_columns"]

TWINS: dict[str, Callable[..., list[dict]]] = {}


def twin(name: str):
    def register(fn):
        TWINS[name] = fn
        return fn

    return register


def records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    """Plain Python rows: dates as ``datetime.date``, missing values as ``None``."""
    out = frame[columns].copy()
    for c in columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.date
    out = out.astype(object)
    out = out.where(out.notna(), None)
    return out.to_dict("records")


def in_period(g: GraphModel, since=None, until=None) -> GraphModel:
    """The model with only the shipments of a period (the ``since``/``until`` of a query)."""
    return g if since is None and until is None else g.restricted(since, until)


def shipment_columns(ships: pd.DataFrame) -> dict:
    """The columns a red-flag query returns for a finding's shipments: their ids and
    certificates, sorted, and the first and last shipping day (``None`` without any)."""
    some = len(ships) > 0
    return {"shipments": sorted(ships["shipment_id"]),
            "certificates": sorted(ships["certificate_id"].dropna().unique()),
            "first_day": ships["shipped_on"].min().date() if some else None,
            "last_day": ships["shipped_on"].max().date() if some else None}


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
    return records(both, ["shipment_id", "shipped_on", "direction", "counterparty_id",
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
    return records(rows, ["certificate_id", "issuing_country", "issued_on", "expires_on",
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
    return records(agg, ["from_country", "to_country", "year", "hs_code", "shipments",
                          "carats", "value_usd"])


def _sum(series: pd.Series) -> float:
    return float(series.sum()) if len(series) else 0.0


@twin("company_profile")
def company_profile(g: GraphModel, company_id: str) -> list[dict]:
    comp = g.companies[g.companies["company_id"] == company_id]
    if comp.empty:
        return []
    c = comp.iloc[0]
    s = g.shipments
    out, inn = s[s["exporter_id"] == company_id], s[s["importer_id"] == company_id]
    both = s[(s["exporter_id"] == company_id) | (s["importer_id"] == company_id)]
    names = g.countries.set_index("iso3")["name"]
    row = {k: c[k] for k in ("company_id", "name", "country")}
    row["country_name"] = names.get(c["country"])
    row.update({k: c[k] for k in ("role", "free_zone", "registration_no", "address",
                                  "last_audit")})
    row.update({
        "shipments_out": len(out), "carats_out": _sum(out["carats"]),
        "value_out": _sum(out["value_usd"]), "shipments_in": len(inn),
        "carats_in": _sum(inn["carats"]), "value_in": _sum(inn["value_usd"]),
        "buyers": out["importer_id"].nunique(), "suppliers": inn["exporter_id"].nunique(),
        "first_trade": both["shipped_on"].min() if len(both) else None,
        "last_trade": both["shipped_on"].max() if len(both) else None,
    })
    return records(pd.DataFrame([row]), list(row))


def _directional(g: GraphModel) -> pd.DataFrame:
    """Each shipment twice: as its exporter's export and as its importer's import."""
    country = g.companies.set_index("company_id")["country"]
    s = g.shipments
    e, i = s["exporter_id"].map(country), s["importer_id"].map(country)
    return pd.concat([s.assign(side=e, direction="export", partner=i),
                      s.assign(side=i, direction="import", partner=e)])


@twin("country_trade_partners")
def country_trade_partners(g: GraphModel, iso3: str, year=None) -> list[dict]:
    d = _directional(g)
    d = d[d["side"] == iso3]
    if year is not None:
        d = d[d["shipped_on"].dt.year == year]
    agg = (d.assign(year=d["shipped_on"].dt.year)
           .groupby(["year", "direction", "partner"])
           .agg(shipments=("shipment_id", "size"), carats=("carats", "sum"),
                value_usd=("value_usd", "sum")).reset_index())
    agg = agg.sort_values(["year", "direction", "value_usd", "partner"],
                          ascending=[True, True, False, True])
    agg.insert(0, "iso3", iso3)
    return records(agg, ["iso3", "year", "direction", "partner", "shipments", "carats",
                          "value_usd"])


@twin("shared_identifiers")
def shared_identifiers(g: GraphModel, company_id=None) -> list[dict]:
    comp = g.companies.sort_values("company_id")
    rows = []
    for kind, norm in (("registration_no", normalise_registration),
                       ("address", normalise_address)):
        values = comp[kind].map(norm)
        frame = comp.assign(value=values)
        frame = frame[frame["value"].notna() & (frame["value"] != "")]
        for value, grp in frame.groupby("value", sort=True):
            if len(grp) < 2:
                continue
            if company_id is not None and company_id not in set(grp["company_id"]):
                continue
            rows.append({"kind": kind, "value": value, "companies": len(grp),
                         "company_ids": list(grp["company_id"]), "names": list(grp["name"]),
                         "countries": list(grp["country"])})
    rows.sort(key=lambda r: (r["kind"], r["value"]))
    return rows


@twin("company_neighbourhood")
def company_neighbourhood(g: GraphModel, company_id: str, hops: int = 2) -> list[dict]:
    import networkx as nx

    net = g.company_network()
    if company_id not in net:
        return []
    dist = nx.single_source_shortest_path_length(net.to_undirected(as_view=True), company_id,
                                                 cutoff=hops)
    comp = g.companies.set_index("company_id")
    rows = [{"company_id": c, "name": comp.at[c, "name"], "country": comp.at[c, "country"],
             "role": comp.at[c, "role"], "free_zone": comp.at[c, "free_zone"], "hops": d}
            for c, d in dist.items() if d > 0]
    rows.sort(key=lambda r: (r["hops"], r["company_id"]))
    return records(pd.DataFrame(rows, columns=["company_id", "name", "country", "role",
                                                "free_zone", "hops"]),
                    ["company_id", "name", "country", "role", "free_zone", "hops"])


@twin("companies_by_name")
def companies_by_name(g: GraphModel, text: str) -> list[dict]:
    c = g.companies
    hit = c[c["name"].str.lower().str.contains(text.lower(), regex=False).fillna(False)
            .astype(bool)]
    hit = hit.sort_values(["name", "company_id"])
    return records(hit, ["company_id", "name", "country", "role", "free_zone"])


@twin("kp_status_on")
def kp_status_on(g: GraphModel, day) -> list[dict]:
    day = pd.Timestamp(day)
    st = g.kp_status
    active = st[(st["start"] <= day) & (st["end"].isna() | (st["end"] >= day))]
    rows = active.merge(g.countries[["iso3", "name"]], on="iso3")
    c = g.countries
    outside = c[(c["kp_member_since"].isna() | (c["kp_member_since"] > day))
                & ~c["iso3"].isin(rows["iso3"])]
    outside = outside.assign(status="not a participant", start=pd.NaT, end=pd.NaT, note=None)
    out = pd.concat([rows, outside]).sort_values(["iso3", "status"])
    return records(out, ["iso3", "name", "status", "start", "end", "note"])


@twin("rough_without_certificate")
def rough_without_certificate(g: GraphModel, since=None, until=None) -> list[dict]:
    country = g.companies.set_index("company_id")["country"]
    s = _between(g.shipments, since, until)
    s = s[s["hs_code"].isin(ROUGH_HS_CODES) & s["certificate_id"].isna()]
    s = s.assign(exporter_country=s["exporter_id"].map(country),
                 importer_country=s["importer_id"].map(country))
    s = s.sort_values(["shipped_on", "shipment_id"])
    return records(s, ["shipment_id", "shipped_on", "exporter_id", "exporter_country",
                        "importer_id", "importer_country", "carats", "value_usd", "hs_code",
                        "declared_origin"])


@twin("unconfirmed_certificates")
def unconfirmed_certificates(g: GraphModel, as_of=None, min_days: int = 60) -> list[dict]:
    k = g.certificates
    if k.empty:
        return []
    as_of = pd.Timestamp(as_of) if as_of is not None else k["issued_on"].max()
    hit = k[k["confirmed_on"].isna() & (k["issued_on"] <= as_of - pd.Timedelta(days=min_days))]
    used = g.shipments["certificate_id"].value_counts()
    hit = hit.assign(days_open=(as_of - hit["issued_on"]).dt.days,
                     shipments=hit["certificate_id"].map(used).fillna(0).astype(int))
    hit = hit.sort_values(["issued_on", "certificate_id"])
    return records(hit, ["certificate_id", "issuing_country", "issued_on", "exporter_id",
                          "importer_id", "carats", "value_usd", "days_open", "shipments"])


def _ratio(a, b):
    return a / b if b > 0 else None


@twin("free_zone_throughput")
def free_zone_throughput(g: GraphModel, zone=None) -> list[dict]:
    c = g.companies[g.companies["free_zone"].notna()]
    if zone is not None:
        c = c[c["free_zone"] == zone]
    rough = g.shipments[g.shipments["hs_code"].isin(ROUGH_HS_CODES)]
    rows = []
    for comp in c.sort_values("company_id").itertuples(index=False):
        inn = rough[rough["importer_id"] == comp.company_id]
        out = rough[rough["exporter_id"] == comp.company_id]
        ci, vi, co, vo = (_sum(inn["carats"]), _sum(inn["value_usd"]), _sum(out["carats"]),
                          _sum(out["value_usd"]))
        vin, vout = _ratio(vi, ci), _ratio(vo, co)
        rows.append({"company_id": comp.company_id, "name": comp.name,
                     "country": comp.country, "free_zone": comp.free_zone,
                     "shipments_in": len(inn), "carats_in": ci, "value_in": vi,
                     "shipments_out": len(out), "carats_out": co, "value_out": vo,
                     "value_per_carat_in": vin, "value_per_carat_out": vout,
                     "out_over_in": (vout / vin if vin and vout is not None else None)})
    return rows


@twin("hub_origin_balance")
def hub_origin_balance(g: GraphModel, company_id: str, since=None, until=None,
                       historical=HISTORICAL) -> list[dict]:
    if not (g.companies["company_id"] == company_id).any():
        return []
    s = _between(g.shipments[g.shipments["hs_code"].isin(ROUGH_HS_CODES)], since, until)
    both = pd.concat([s[s["importer_id"] == company_id].assign(way="in"),
                      s[s["exporter_id"] == company_id].assign(way="out")])
    if both.empty:
        return []
    risky = high_risk_origins(g, extra=historical)
    rows = []
    # an unknown origin is a row of its own, as Cypher groups on null
    for origin, grp in both.groupby("declared_origin", dropna=False, sort=False):
        origin = None if pd.isna(origin) else origin
        inn, out = grp[grp["way"] == "in"], grp[grp["way"] == "out"]
        ci, co = _sum(inn["carats"]), _sum(out["carats"])
        rows.append({"origin": origin, "high_risk": origin in risky,
                     "shipments_in": len(inn), "carats_in": ci,
                     "value_in": _sum(inn["value_usd"]), "shipments_out": len(out),
                     "carats_out": co, "value_out": _sum(out["value_usd"]),
                     "carats_in_not_out": ci - co})
    # as Cypher orders: high-risk first, then by origin with the unknown one last
    return sorted(rows, key=lambda r: (not r["high_risk"], r["origin"] is None,
                                       r["origin"] or ""))


@twin("polisher_ledger")
def polisher_ledger(g: GraphModel, company_id: str) -> list[dict]:
    if not (g.companies["company_id"] == company_id).any():
        return []
    led = g.production_records[g.production_records["company_id"] == company_id]
    s = g.shipments
    month = s["shipped_on"].dt.strftime("%Y-%m")
    rin = s[(s["importer_id"] == company_id) & s["hs_code"].isin(ROUGH_HS_CODES)]
    out = s[s["exporter_id"] == company_id]
    polished = out["hs_code"].isin(WORKED_HS_CODES)
    frame = pd.concat([
        pd.DataFrame({"month": led["month"], "ledger_rough_in": led["rough_in_carats"],
                      "ledger_polished_out": led["polished_out_carats"],
                      "ledger_rough_out": led["rough_out_carats"],
                      "closing_stock": led["closing_stock_carats"]}),
        pd.DataFrame({"month": month[rin.index], "shipped_rough_in": rin["carats"]}),
        pd.DataFrame({"month": month[out.index],
                      "shipped_polished_out": out["carats"].where(polished, 0.0),
                      "shipped_rough_out": out["carats"].where(~polished, 0.0)}),
    ])
    cols = ["ledger_rough_in", "shipped_rough_in", "ledger_polished_out",
            "shipped_polished_out", "ledger_rough_out", "shipped_rough_out", "closing_stock"]
    for col in cols:
        if col not in frame:
            frame[col] = pd.NA
    sums = ["shipped_rough_in", "shipped_polished_out", "shipped_rough_out"]
    agg = frame.groupby("month", sort=True).agg(
        {**{c: "max" for c in cols if c not in sums}, **{c: "sum" for c in sums}})
    return records(agg.reset_index(), ["month", *cols])


@twin("top_exporters")
def top_exporters(g: GraphModel, year: int, limit: int = 20) -> list[dict]:
    s = g.shipments[g.shipments["shipped_on"].dt.year == year]
    agg = (s.groupby("exporter_id")
           .agg(shipments=("shipment_id", "size"), carats=("carats", "sum"),
                value_usd=("value_usd", "sum")).reset_index()
           .rename(columns={"exporter_id": "company_id"}))
    agg = agg.merge(g.companies[["company_id", "name", "country", "role"]], on="company_id")
    agg = agg.sort_values(["value_usd", "company_id"], ascending=[False, True]).head(limit)
    return records(agg, ["company_id", "name", "country", "role", "shipments", "carats",
                          "value_usd"])


@twin("country_statistics")
def country_statistics(g: GraphModel, iso3: str) -> list[dict]:
    r = g.kp_statistics[g.kp_statistics["iso3"] == iso3].copy()
    for what in ("production", "export", "import"):
        c, v = r[f"{what}_carats"], r[f"{what}_usd"]
        r[f"{what}_usd_per_carat"] = (v / c).where(c > 0)
    r = r.sort_values(["year", "half"], na_position="last")
    return records(r, ["iso3", "year", "half", "production_carats", "production_usd",
                        "production_usd_per_carat", "export_carats", "export_usd",
                        "export_usd_per_carat", "import_carats", "import_usd",
                        "import_usd_per_carat"])


@twin("trade_between")
def trade_between(g: GraphModel, company_a: str, company_b: str) -> list[dict]:
    s = g.shipments
    hit = s[((s["exporter_id"] == company_a) & (s["importer_id"] == company_b))
            | ((s["exporter_id"] == company_b) & (s["importer_id"] == company_a))]
    hit = hit.sort_values(["shipped_on", "shipment_id"])
    return records(hit, ["shipment_id", "shipped_on", "exporter_id", "importer_id", "carats",
                          "value_usd", "hs_code", "certificate_id", "declared_origin"])


@twin("routes_from_origin")
def routes_from_origin(g: GraphModel, origin: str, to_country=None, to_company=None,
                       max_hops: int = 6, window_days: int = 120, tolerance: float = 10.0,
                       since=None, until=None, part: int = 0, parts: int = 1) -> list[dict]:
    from ..routes import RouteQuery, find_paths

    q = RouteQuery(origin=origin, to=to_company or to_country, max_hops=max_hops,
                   window_days=window_days, tolerance=tolerance, since=since, until=until)
    return [{"shipments": list(p)} for p in sorted(_part(g, q, find_paths(g, q), part, parts))]


def _part(g: GraphModel, q, paths, part: int, parts: int) -> list:
    """The paths that start in part ``part`` of ``parts`` (how the canned route queries
    split their starts to search in parallel)."""
    from ..routes import start_part

    starts = start_part(g, q, part, parts)
    return [p for p in paths if p[0] in starts]


@twin("round_trips")
def round_trips(g: GraphModel, max_hops: int = 6, window_days: int = 120,
                tolerance: float = 10.0, since=None, until=None, part: int = 0,
                parts: int = 1) -> list[dict]:
    from ..routes import ROUND_TRIPS, RouteQuery, find_paths

    q = RouteQuery(origin=ROUND_TRIPS, max_hops=max_hops, window_days=window_days,
                   tolerance=tolerance, since=since, until=until)
    return [{"shipments": list(p)} for p in sorted(_part(g, q, find_paths(g, q), part, parts))]
