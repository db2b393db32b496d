"""The canned query pack: exact answers on a hand-made dataset, on both backends; the
embedded twins equal to the Cypher on the demo dataset; the CLI; read-only execution."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

import kpgraph
from kpgraph.neo4j.config import Neo4jConfig
from kpgraph.queries import TWINS, pack
from kpgraph.rules import all_rules

from .neo4j_server.fixture import load_once

ROOT = Path(__file__).parent.parent
HAND = Path(__file__).parent / "corpus" / "queries"
DEMO = ROOT / "datasets" / "demo"
D = dt.date

# Hand-computed answers on tests/corpus/queries (see that folder's CSV files).
T1 = {"company_id": "T1", "name": "Almas Trading DMCC", "country": "ARE", "role": "trader",
      "free_zone": "DMCC"}
T2 = {"company_id": "T2", "name": "Gold Tower Gems DMCC", "country": "ARE", "role": "trader",
      "free_zone": "DMCC"}


def _ship(sid, day, exp, imp, carats, value, hs, cert, origin):
    return {"shipment_id": sid, "shipped_on": day, "exporter_id": exp, "importer_id": imp,
            "carats": carats, "value_usd": value, "hs_code": hs, "certificate_id": cert,
            "declared_origin": origin}


def _balance(origin, high_risk, n_in, c_in, v_in, n_out, c_out, v_out):
    return {"origin": origin, "high_risk": high_risk, "shipments_in": n_in,
            "carats_in": c_in, "value_in": v_in, "shipments_out": n_out, "carats_out": c_out,
            "value_out": v_out, "carats_in_not_out": c_in - c_out}


CASES = [
    ("company_profile", {"company_id": "T1"}, [{
        **{k: T1[k] for k in ("company_id", "name", "country")},
        "country_name": "United Arab Emirates", "role": "trader", "free_zone": "DMCC",
        "registration_no": "AE-2002", "address": "Unit 12, Almas Tower, JLT, Dubai",
        "last_audit": None, "shipments_out": 2, "carats_out": 950, "value_out": 152000,
        "shipments_in": 3, "carats_in": 1220, "value_in": 370000, "buyers": 1,
        "suppliers": 3, "first_trade": D(2014, 6, 1), "last_trade": D(2021, 7, 1)}]),
    ("company_profile", {"company_id": "nobody"}, []),
    ("company_shipments", {"company_id": "P1", "since": "2021-03-01"}, [
        {"shipment_id": "S9", "shipped_on": D(2021, 7, 1), "direction": "out",
         "counterparty_id": "T1", "carats": 100, "value_usd": 200000, "hs_code": "7102.39",
         "certificate_id": None, "declared_origin": "IND"},
        {"shipment_id": "S6", "shipped_on": D(2021, 5, 20), "direction": "in",
         "counterparty_id": "B1", "carats": 400, "value_usd": 60000, "hs_code": "7102.31",
         "certificate_id": "K4", "declared_origin": "MIXED"},
        {"shipment_id": "S4", "shipped_on": D(2021, 4, 10), "direction": "out",
         "counterparty_id": "R1", "carats": 300, "value_usd": 450000, "hs_code": "7102.39",
         "certificate_id": None, "declared_origin": "IND"},
        {"shipment_id": "S3", "shipped_on": D(2021, 3, 2), "direction": "in",
         "counterparty_id": "T1", "carats": 50, "value_usd": 8000, "hs_code": "7102.10",
         "certificate_id": "K3", "declared_origin": "BWA"}]),
    ("certificate_trail", {"certificate_id": "K2"}, [
        {"certificate_id": "K2", "issuing_country": "ARE", "issued_on": D(2021, 2, 1),
         "expires_on": D(2021, 4, 1), "confirmed_on": D(2021, 2, 15),
         "cert_exporter_id": "T1", "cert_importer_id": "P1", "cert_origin": "MIXED",
         "cert_carats": 900, "cert_value_usd": 144000, **row}
        for row in ({"shipment_id": "S2", "shipped_on": D(2021, 2, 3), "exporter_id": "T1",
                     "importer_id": "P1", "carats": 900, "value_usd": 144000},
                    {"shipment_id": "S7", "shipped_on": D(2021, 6, 15), "exporter_id": "T2",
                     "importer_id": "B1", "carats": 200, "value_usd": None})]),
    ("country_trade_partners", {"iso3": "ARE", "year": 2021}, [
        {"iso3": "ARE", "year": 2021, "direction": "export", "partner": "IND", "shipments": 2,
         "carats": 950, "value_usd": 152000},
        {"iso3": "ARE", "year": 2021, "direction": "export", "partner": "BEL", "shipments": 1,
         "carats": 200, "value_usd": 0},
        {"iso3": "ARE", "year": 2021, "direction": "import", "partner": "IND", "shipments": 1,
         "carats": 100, "value_usd": 200000},
        {"iso3": "ARE", "year": 2021, "direction": "import", "partner": "BWA", "shipments": 1,
         "carats": 1000, "value_usd": 150000}]),
    ("country_trade_totals", {"from_country": "ARE", "to_country": "IND", "year": 2021}, [
        {"from_country": "ARE", "to_country": "IND", "year": 2021, "hs_code": "7102.10",
         "shipments": 1, "carats": 50, "value_usd": 8000},
        {"from_country": "ARE", "to_country": "IND", "year": 2021, "hs_code": "7102.31",
         "shipments": 1, "carats": 900, "value_usd": 144000}]),
    ("shared_identifiers", {}, [
        {"kind": "address", "value": "12 hoveniersstraat antwerp", "companies": 2,
         "company_ids": ["B1", "C1"], "names": ["Antwerp Rough BVBA", "Bangui Gems"],
         "countries": ["BEL", "CAF"]},
        {"kind": "registration_no", "value": "AE2002", "companies": 2,
         "company_ids": ["T1", "T2"], "names": ["Almas Trading DMCC", "Gold Tower Gems DMCC"],
         "countries": ["ARE", "ARE"]}]),
    ("shared_identifiers", {"company_id": "C1"}, [
        {"kind": "address", "value": "12 hoveniersstraat antwerp", "companies": 2,
         "company_ids": ["B1", "C1"], "names": ["Antwerp Rough BVBA", "Bangui Gems"],
         "countries": ["BEL", "CAF"]}]),
    ("company_neighbourhood", {"company_id": "M1"}, [
        {**T1, "hops": 1},
        {"company_id": "C1", "name": "Bangui Gems", "country": "CAF", "role": "trader",
         "free_zone": None, "hops": 2},
        {"company_id": "P1", "name": "Surat Brilliants Pvt Ltd", "country": "IND",
         "role": "polisher", "free_zone": "SEEPZ", "hops": 2}]),
    ("company_neighbourhood", {"company_id": "J1", "hops": 1}, [{**T2, "hops": 1}]),
    ("companies_by_name", {"text": "dmcc"}, [T1, T2]),
    ("kp_status_on", {"day": "2014-06-01"}, [
        {"iso3": "CAF", "name": "Central African Republic", "status": "suspended",
         "start": D(2013, 5, 23), "end": D(2016, 6, 30),
         "note": "KPCS administrative decision"},
        {"iso3": "SSD", "name": "South Sudan", "status": "not a participant", "start": None,
         "end": None, "note": None}]),
    ("kp_status_on", {"day": "2021-06-01"}, [
        {"iso3": "SSD", "name": "South Sudan", "status": "not a participant", "start": None,
         "end": None, "note": None}]),
    ("rough_without_certificate", {}, [
        {"shipment_id": "S5", "shipped_on": D(2014, 6, 1), "exporter_id": "C1",
         "exporter_country": "CAF", "importer_id": "T1", "importer_country": "ARE",
         "carats": 120, "value_usd": 20000, "hs_code": "7102.10", "declared_origin": "CAF"},
        {"shipment_id": "S8", "shipped_on": D(2022, 1, 10), "exporter_id": "J1",
         "exporter_country": "SSD", "importer_id": "T2", "importer_country": "ARE",
         "carats": 80, "value_usd": 4000, "hs_code": "7102.10", "declared_origin": "SSD"}]),
    ("rough_without_certificate", {"until": "2021-12-31"}, [
        {"shipment_id": "S5", "shipped_on": D(2014, 6, 1), "exporter_id": "C1",
         "exporter_country": "CAF", "importer_id": "T1", "importer_country": "ARE",
         "carats": 120, "value_usd": 20000, "hs_code": "7102.10", "declared_origin": "CAF"}]),
    ("unconfirmed_certificates", {}, [
        {"certificate_id": "K3", "issuing_country": "ARE", "issued_on": D(2021, 3, 1),
         "exporter_id": "T1", "importer_id": "P1", "carats": 50, "value_usd": 8000,
         "days_open": 78, "shipments": 1}]),
    ("unconfirmed_certificates", {"as_of": "2021-12-31"}, [
        {"certificate_id": "K3", "issuing_country": "ARE", "issued_on": D(2021, 3, 1),
         "exporter_id": "T1", "importer_id": "P1", "carats": 50, "value_usd": 8000,
         "days_open": 305, "shipments": 1},
        {"certificate_id": "K4", "issuing_country": "BEL", "issued_on": D(2021, 5, 18),
         "exporter_id": "B1", "importer_id": "P1", "carats": 400, "value_usd": 60000,
         "days_open": 227, "shipments": 1}]),
    ("free_zone_throughput", {}, [
        {"company_id": "P1", "name": "Surat Brilliants Pvt Ltd", "country": "IND",
         "free_zone": "SEEPZ", "shipments_in": 3, "carats_in": 1350, "value_in": 212000,
         "shipments_out": 0, "carats_out": 0, "value_out": 0,
         "value_per_carat_in": 212000 / 1350, "value_per_carat_out": None,
         "out_over_in": None},
        {**{k: T1[k] for k in ("company_id", "name", "country", "free_zone")},
         "shipments_in": 2, "carats_in": 1120, "value_in": 170000, "shipments_out": 2,
         "carats_out": 950, "value_out": 152000, "value_per_carat_in": 170000 / 1120,
         "value_per_carat_out": 160.0, "out_over_in": 160.0 / (170000 / 1120)},
        {**{k: T2[k] for k in ("company_id", "name", "country", "free_zone")},
         "shipments_in": 1, "carats_in": 80, "value_in": 4000, "shipments_out": 1,
         "carats_out": 200, "value_out": 0, "value_per_carat_in": 50.0,
         "value_per_carat_out": 0.0, "out_over_in": 0.0}]),
    ("free_zone_throughput", {"zone": "SEEPZ"}, [
        {"company_id": "P1", "name": "Surat Brilliants Pvt Ltd", "country": "IND",
         "free_zone": "SEEPZ", "shipments_in": 3, "carats_in": 1350, "value_in": 212000,
         "shipments_out": 0, "carats_out": 0, "value_out": 0,
         "value_per_carat_in": 212000 / 1350, "value_per_carat_out": None,
         "out_over_in": None}]),
    # T1: BWA 1,000 ct in (S1), 50 ct out (S3); CAF 120 ct in (S5, a country with a KP
    # status); 900 ct out as MIXED (S2); S9 is polished, not rough
    ("hub_origin_balance", {"company_id": "T1"}, [
        _balance("CAF", True, 1, 120, 20000, 0, 0, 0),
        _balance("BWA", False, 1, 1000, 150000, 1, 50, 8000),
        _balance("MIXED", False, 0, 0, 0, 1, 900, 144000)]),
    ("hub_origin_balance", {"company_id": "T1", "until": "2020-12-31"}, [
        _balance("CAF", True, 1, 120, 20000, 0, 0, 0)]),
    # T2: SSD (never a participant) 80 ct in; 200 ct out as MIXED with no declared value
    ("hub_origin_balance", {"company_id": "T2", "historical": []}, [
        _balance("SSD", True, 1, 80, 4000, 0, 0, 0),
        _balance("MIXED", False, 0, 0, 0, 1, 200, 0)]),
    ("hub_origin_balance", {"company_id": "R1"}, []),
    ("hub_origin_balance", {"company_id": "nobody"}, []),
    ("polisher_ledger", {"company_id": "P1"}, [
        {"month": m, "ledger_rough_in": a, "shipped_rough_in": b, "ledger_polished_out": c,
         "shipped_polished_out": d, "ledger_rough_out": e, "shipped_rough_out": 0,
         "closing_stock": f}
        for m, a, b, c, d, e, f in (("2021-02", 900, 900, 0, 0, 0, 1000),
                                    ("2021-03", 50, 50, 320, 0, 0, 250),
                                    ("2021-04", None, 0, None, 300, None, None),
                                    ("2021-05", 400, 400, 0, 0, 0, 650),
                                    ("2021-07", None, 0, None, 100, None, None))]),
    ("top_exporters", {"year": 2021, "limit": 3}, [
        {"company_id": "P1", "name": "Surat Brilliants Pvt Ltd", "country": "IND",
         "role": "polisher", "shipments": 2, "carats": 400, "value_usd": 650000},
        {"company_id": "T1", "name": "Almas Trading DMCC", "country": "ARE", "role": "trader",
         "shipments": 2, "carats": 950, "value_usd": 152000},
        {"company_id": "M1", "name": "Jwaneng Mining (Pty) Ltd", "country": "BWA",
         "role": "miner", "shipments": 1, "carats": 1000, "value_usd": 150000}]),
    ("country_statistics", {"iso3": "BWA"}, [
        {"iso3": "BWA", "year": 2021, "half": 1, "production_carats": 1100,
         "production_usd": 160000, "production_usd_per_carat": 160000 / 1100,
         "export_carats": 1000, "export_usd": 150000, "export_usd_per_carat": 150.0,
         "import_carats": 0, "import_usd": 0, "import_usd_per_carat": None},
        {"iso3": "BWA", "year": 2021, "half": 2, "production_carats": 1000,
         "production_usd": 150000, "production_usd_per_carat": 150.0,
         "export_carats": 0, "export_usd": 0, "export_usd_per_carat": None,
         "import_carats": 0, "import_usd": 0, "import_usd_per_carat": None}]),
    ("trade_between", {"company_a": "P1", "company_b": "T1"}, [
        _ship("S2", D(2021, 2, 3), "T1", "P1", 900, 144000, "7102.31", "K2", "MIXED"),
        _ship("S3", D(2021, 3, 2), "T1", "P1", 50, 8000, "7102.10", "K3", "BWA"),
        _ship("S9", D(2021, 7, 1), "P1", "T1", 100, 200000, "7102.39", None, "IND")]),
    # S1 -> S2 (T1 to P1, MIXED); S3 is declared BWA but 20 times smaller than S1, so no
    # continuation of it; P1 sends on no rough. No chain returns to where it began.
    ("routes_from_origin", {"origin": "BWA"}, [{"shipments": ["S1", "S2"]},
                                               {"shipments": ["S3"]}]),
    ("round_trips", {}, []),
]


def _norm(v):
    """Numbers as floats, dates as ISO text, lists element by element."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return None if isinstance(v, float) and math.isnan(v) else float(v)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()[:10]
    if isinstance(v, (list, tuple)):
        return [_norm(x) for x in v]
    return v


def _close(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    return a == b


def _sort_key(row: dict) -> str:
    return repr({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in row.items()})


def assert_same_rows(got: list[dict], want: list[dict], ordered: bool = True) -> None:
    """The documented comparison: numbers equal within a relative 1e-9 (sums may be added
    in another order), dates as ISO text; rows in the query's order, or sorted when the
    order has ties (``ordered=False``)."""
    got = [{k: _norm(v) for k, v in r.items()} for r in got]
    want = [{k: _norm(v) for k, v in r.items()} for r in want]
    if not ordered:
        got, want = sorted(got, key=_sort_key), sorted(want, key=_sort_key)
    assert len(got) == len(want), (got, want)
    for g, w in zip(got, want):
        assert list(g) == list(w), (g, w)
        assert all(_close(g[k], w[k]) for k in g), (g, w)


def _red_flag_queries() -> set[str]:
    """The red-flag rules' queries: their hand cases and differential tests are in
    tests/test_rules.py, through the rules."""
    return {r.query for r in all_rules().values() if r.query}


def test_pack_has_at_least_15_queries_each_with_twin_and_case():
    flag_queries = _red_flag_queries()  # loads the rules, which register their twins
    assert len(pack()) >= 15
    assert set(pack()) <= set(TWINS), f"no twin: {set(pack()) - set(TWINS)}"
    assert set(pack()) - flag_queries <= {name for name, _, _ in CASES}
    assert flag_queries <= set(pack())


@pytest.mark.parametrize("name,params,expected", CASES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(CASES)])
def test_exact_output_embedded(name, params, expected):
    assert_same_rows(kpgraph.run_query(name, params, path=HAND), expected)


@pytest.fixture
def hand_in_neo4j(neo4j_server) -> Neo4jConfig:
    load_once(neo4j_server, HAND)
    return neo4j_server.config()


@pytest.mark.neo4j
@pytest.mark.parametrize("name,params,expected", CASES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(CASES)])
def test_exact_output_neo4j(hand_in_neo4j, name, params, expected):
    assert_same_rows(kpgraph.run_query(name, params, backend="neo4j", neo4j=hand_in_neo4j),
                     expected)


# -- the twins equal the Cypher on the demo dataset ---------------------------------------
def _examples(g) -> dict[str, list[dict]]:
    """Parameters for every query of the pack that hit real rows of the demo data."""
    s = g.shipments
    busy = s["exporter_id"].value_counts().index[0]
    reused = s["certificate_id"].value_counts().index[0]
    country = g.companies.set_index("company_id")["country"]
    pair = (s.assign(a=s["exporter_id"].map(country), b=s["importer_id"].map(country),
                     y=s["shipped_on"].dt.year)
            .groupby(["a", "b", "y"]).size().sort_values().index[-1])
    year = int(pair[2])
    polisher = g.production_records["company_id"].value_counts().index[0]
    partner = s.loc[s["exporter_id"] == busy, "importer_id"].iloc[0]
    last = s["shipped_on"].max().date()
    hub = s.loc[s["declared_origin"] == "MIXED", "exporter_id"].value_counts().index[0]
    quiet = g.companies.loc[~g.companies["company_id"].isin(s["exporter_id"]), "company_id"]
    return {
        "company_profile": [{"company_id": busy}, {"company_id": quiet.iloc[0]}],
        "company_shipments": [{"company_id": busy},
                              {"company_id": busy, "since": f"{year}-01-01",
                               "until": f"{year}-06-30"},
                              {"company_id": "no-such-company"}],
        "certificate_trail": [{"certificate_id": reused}, {"certificate_id": "KP-none"}],
        "country_trade_totals": [{"from_country": pair[0], "to_country": pair[1],
                                  "year": year}],
        "country_trade_partners": [{"iso3": pair[0], "year": year}, {"iso3": "ARE"}],
        "shared_identifiers": [{}, {"company_id": busy}],
        "company_neighbourhood": [{"company_id": polisher, "hops": 1},
                                  {"company_id": partner, "hops": 2}],
        "companies_by_name": [{"text": "diamonds"}, {"text": "DMCC"}],
        "kp_status_on": [{"day": str(d.date())} for d in g.kp_status["start"]]
                        + [{"day": str(last)}],
        "rough_without_certificate": [{}, {"since": f"{year}-01-01"}],
        "unconfirmed_certificates": [{}, {"min_days": 0}, {"as_of": str(last), "min_days": 30}],
        "free_zone_throughput": [{}, {"zone": "DMCC"}],
        "hub_origin_balance": [{"company_id": hub}, {"company_id": polisher},
                               {"company_id": hub, "since": f"{year}-01-01",
                                "until": f"{year}-12-31", "historical": ["ZWE"]}],
        "polisher_ledger": [{"company_id": polisher}],
        "top_exporters": [{"year": year}, {"year": year, "limit": 5}],
        "country_statistics": [{"iso3": pair[0]}, {"iso3": "BWA"}],
        "trade_between": [{"company_a": busy, "company_b": partner}],
        "routes_from_origin": [{"origin": "SSD"}, {"origin": "CAF", "to_country": "IND"},
                               {"origin": "ZWE", "window_days": 60, "max_hops": 3},
                               *({"origin": "CAF", "part": i, "parts": 3} for i in range(3))],
        "round_trips": [{}, {"part": 0, "parts": 2}, {"part": 1, "parts": 2}],
    }


@pytest.mark.neo4j
@pytest.mark.parametrize("name", sorted(set(pack()) - _red_flag_queries()))
def test_every_canned_query_has_an_equal_embedded_twin(demo_in_neo4j, demo_graph, name):
    examples = _examples(demo_graph)
    assert name in examples, f"no differential example for {name}"
    hits = 0
    for params in examples[name]:
        local = kpgraph.run_query(name, params, path=DEMO)
        remote = kpgraph.run_query(name, params, backend="neo4j", neo4j=demo_in_neo4j)
        assert_same_rows(local, remote, ordered=False)
        hits += bool(local)
    assert hits, f"{name}: no example returned rows"


# -- the command line ----------------------------------------------------------------------
def test_query_list_and_show(cli):
    r = cli("query", "list", "--format", "csv")
    assert r.exit_code == 0
    assert len(r.stdout.strip().splitlines()) == len(pack()) + 1
    r = cli("query", "show", "company_shipments")
    assert r.exit_code == 0
    assert r.stdout.startswith("// name: company_shipments")
    assert "MATCH (c:Company {company_id: $company_id})" in r.stdout


def test_query_run_types_parameters(cli):
    r = cli("query", "run", "top_exporters", str(HAND), "-p", "year=2021", "-p", "limit=1",
            "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert '"company_id": "P1"' in r.stdout and '"T1"' not in r.stdout


@pytest.mark.parametrize("params,message", [
    ([], "missing parameter 'year'"),
    (["-p", "year=twenty"], "parameter 'year': 'twenty' is not a int"),
    (["-p", "year=2021", "-p", "colour=red"], "unknown parameter(s) colour"),
    (["-p", "year"], "is not key=value"),
    (["-p", "year=2021", "-p", "limit=0"], "parameter 'limit': 0 is out of range; it takes 1"),
    (["-p", "year=99999999999999999999"], "is out of range"),
])
def test_query_run_parameter_errors_name_the_parameter(cli, params, message):
    r = cli("query", "run", "top_exporters", str(HAND), *params)
    assert r.exit_code == 2
    assert message in r.stderr and "Traceback" not in r.stderr


def test_unknown_query_is_a_usage_error(cli):
    r = cli("query", "run", "no_such_query", str(HAND))
    assert r.exit_code == 2 and "no canned query named" in r.stderr


def test_date_and_list_parameters_are_typed():
    from kpgraph.queries import Param, coerce_params
    from kpgraph.queries.registry import CannedQuery

    q = CannedQuery("q", "", "", (Param("d", "date"), Param("xs", "list[int]", None)), (),
                    (), "", "")
    assert coerce_params(q, {"d": "2021-02-03", "xs": "1, 2,3"}) == {
        "d": dt.date(2021, 2, 3), "xs": [1, 2, 3]}
    with pytest.raises(kpgraph.UsageError, match="'xs'"):
        coerce_params(q, {"d": "2021-02-03", "xs": "1,b"})


def test_every_number_parameter_declares_its_range_and_keeps_to_it():
    """A team's or a rule's parameter out of its range used to reach the analysis: a
    months of 0 divided by zero, a grace of 10^20 days overflowed a date."""
    for q in pack().values():
        for p in q.params:
            if p.type.removeprefix("list[").rstrip("]") in ("int", "float"):
                assert p.min is not None and p.max is not None, (q.name, p.name)
                for v in (p.default, p.example):
                    if isinstance(v, int | float) and not isinstance(v, bool):
                        assert p.min <= v <= p.max, (q.name, p.name, v)
    from kpgraph.queries import Param, coerce_params
    from kpgraph.queries.registry import CannedQuery

    q = CannedQuery("q", "", "", (Param("xs", "list[float]", None, min=0, max=1),), (), (),
                    "", "")
    assert coerce_params(q, {"xs": "0, 0.5,1"}) == {"xs": [0.0, 0.5, 1.0]}
    for bad in ("0,2", "inf", "nan", "-0.1"):
        with pytest.raises(kpgraph.UsageError, match="'xs'"):
            coerce_params(q, {"xs": bad})


def test_a_range_on_a_text_parameter_is_refused(tmp_path, cli):
    (tmp_path / "ours.cypher").write_text(
        "// name: ours\n// description: x\n// params:\n"
        "//   who: {type: string, min: 1, description: y}\n// returns: [n]\n"
        "MATCH (c:Company {company_id: $who}) RETURN c.name AS n\n")
    r = cli("query", "list", env={"KPGRAPH_QUERY_PATH": str(tmp_path)})
    assert r.exit_code == 2 and "min and max are numbers, for an int or float" in r.stderr


WRITER = """// name: sneaky_writer
// description: A query that tries to write.
// params:
//   name: {type: string, example: x, description: a name}
// returns: [n]
CREATE (p:Intruder {name: $name}) RETURN count(p) AS n;
"""


@pytest.mark.neo4j
def test_canned_queries_cannot_write(cli, tmp_path, monkeypatch, hand_in_neo4j):
    (tmp_path / "sneaky_writer.cypher").write_text(WRITER)
    monkeypatch.setenv("KPGRAPH_QUERY_PATH", str(tmp_path))
    env = {"NEO4J_URI": hand_in_neo4j.uri, "NEO4J_USER": hand_in_neo4j.user,
           "NEO4J_PASSWORD": hand_in_neo4j.password}
    r = cli("query", "run", "sneaky_writer", "--backend", "neo4j", "-p", "name=x", env=env)
    assert r.exit_code == 4
    assert "write" in r.stderr.lower() and "Traceback" not in r.stderr
    rows = kpgraph.run_cypher("MATCH (p:Intruder) RETURN count(p) AS n", neo4j=hand_in_neo4j)
    assert rows == [{"n": 0}]
    assert kpgraph.info(backend="neo4j", neo4j=hand_in_neo4j) == kpgraph.info(HAND)


@pytest.mark.neo4j
def test_adhoc_cypher_is_read_only_unless_write(cli, neo4j_config):
    env = {"NEO4J_URI": neo4j_config.uri, "NEO4J_USER": neo4j_config.user,
           "NEO4J_PASSWORD": neo4j_config.password}
    r = cli("cypher", "CREATE (p:Probe {n: $n}) RETURN p.n AS n", "-p", "n=1", env=env)
    assert r.exit_code == 4
    assert kpgraph.run_cypher("MATCH (p:Probe) RETURN count(p) AS c",
                              neo4j=neo4j_config) == [{"c": 0}]
    r = cli("cypher", "CREATE (p:Probe {n: $n}) RETURN p.n AS n", "-p", "n=1", "--write",
            "--format", "json", env=env)
    assert r.exit_code == 0, r.stderr
    assert '"n": 1' in r.stdout
    r = cli("cypher", "MATCH (p:Probe) WHERE p.n = $n RETURN count(p) AS c", "-p", "n=1",
            "--format", "csv", env=env)
    assert r.stdout == "c\n1\n"


def test_every_canned_query_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text("utf-8")
    table = {line.split("|")[1].strip() for line in readme.splitlines()
             if line.startswith("| `")}
    missing = {q for q in set(pack()) - _red_flag_queries() if f"`{q}`" not in table}
    assert not missing, f"README's query table lacks {sorted(missing)}"
