"""Laundering routes: hand-made cases (split, merge, wrong order in time, window edge,
tolerance, cycle) on both backends; the same ranked routes from both on the demo data; the
continuation links, reasons and score on tiny data; the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kpgraph
from kpgraph.continuation import LINK_BRANCH, ShipmentIndex
from kpgraph.neo4j.config import Neo4jConfig
from kpgraph.routes import (
    RouteQuery,
    _facts,
    find_paths,
    find_routes,
    first_per_chain,
    risky_origins,
)
from kpgraph.routes.reasons import FLAG_AT, combine

from .neo4j_server.fixture import load_once

ROOT = Path(__file__).parent.parent
HAND = Path(__file__).parent / "corpus" / "routes"
DEMO = ROOT / "datasets" / "demo"

# tests/corpus/routes: M (COD miner) sends S1 (100 ct) to the DMCC hub H on 2021-01-01.
# H splits it: S2 (60 ct) to the polisher P, S3 (40 ct) to the trader B. S0 left H before
# S1 arrived (wrong order); S6 is 20 times S1 (beyond the tolerance of 10). P merges into
# S5 (300 ct, 5x) to B. B sends S4 to X exactly 120 days after S3 (the window's edge), and
# X sends S7 back to H: H -> B -> X -> H is a round trip, as is H -> P -> B -> X -> H.
CASES = [
    ({"origin": "COD"}, [["S1", "S2", "S5", "S4"], ["S1", "S3", "S4"]]),
    ({"origin": "COD", "window_days": 119}, [["S1", "S2", "S5", "S4"], ["S1", "S3"]]),
    ({"origin": "COD", "to": "BEL"}, [["S1", "S2", "S5"], ["S1", "S3"]]),
    ({"origin": "COD", "to": "X"}, [["S1", "S2", "S5", "S4"], ["S1", "S3", "S4"]]),
    ({"origin": "COD", "max_hops": 2}, [["S1", "S2"], ["S1", "S3"]]),
    ({"origin": "COD", "tolerance": 4.0}, [["S1", "S2"], ["S1", "S3", "S4"]]),
    ({"origin": "COD", "until": "2021-04-30"}, [["S1", "S2", "S5"], ["S1", "S3"]]),
    ({"origin": "COD", "since": "2021-01-02"}, []),
    ({"origin": "*"}, [["S2", "S5", "S4", "S7"], ["S3", "S4", "S7"]]),
    ({"origin": "*", "max_hops": 3}, [["S3", "S4", "S7"]]),
]


def _routes(params: dict, **kw) -> list[list[str]]:
    p = dict(params)
    origin = p.pop("origin")
    found = kpgraph.api.routes(origin=None if origin == "*" else origin,
                               round_trips=origin == "*", limit=None, via="any", **p, **kw)
    return sorted(r.shipments for r in found)


@pytest.mark.parametrize("params,expected", CASES, ids=[str(c[0]) for c in CASES])
def test_hand_cases_embedded(params, expected):
    assert _routes(params, path=HAND) == expected


@pytest.fixture
def hand_routes_in_neo4j(neo4j_server) -> Neo4jConfig:
    load_once(neo4j_server, HAND)
    return neo4j_server.config()


@pytest.mark.neo4j
@pytest.mark.parametrize("params,expected", CASES, ids=[str(c[0]) for c in CASES])
def test_hand_cases_neo4j(hand_routes_in_neo4j, params, expected):
    assert _routes(params, backend="neo4j", neo4j=hand_routes_in_neo4j) == expected


def test_suffixes_of_longer_routes_are_dropped():
    from kpgraph.routes import drop_suffixes

    got = drop_suffixes([("a", "b", "c"), ("b", "c"), ("c",), ("b", "d"), ("a", "b", "c")])
    assert got == [("a", "b", "c"), ("b", "d")]


def test_ranking_keeps_the_best_and_breaks_ties_by_id():
    # eight paths, four tied on score and carats around the cut at three: the cut must
    # hold what a full sort by (score, carats, id) holds
    from kpgraph.routes import _ranked, route_id

    paths = [(f"S{i}",) for i in range(8)]
    scores = np.array([0.9, 0.5, 0.5, 0.5, 0.5, 0.2, 0.95, 0.1])
    carats = np.array([10.0, 7.0, 7.0, 7.0, 7.0, 1.0, 3.0, 99.0])
    full = sorted(range(8), key=lambda i: (-scores[i], -carats[i], route_id(paths[i])))
    made = []

    def ident(i):
        made.append(i)
        return route_id(paths[i])

    for limit in (None, 1, 2, 3, 4, 5, 6, 8, 20):
        assert _ranked(8, scores, carats, limit, None, ident) == full[:limit]
    assert _ranked(8, scores, carats, 3, 0.5, ident) == [i for i in full if scores[i] >= 0.5][:3]
    assert _ranked(8, scores, carats, 0, None, ident) == []
    made.clear()
    _ranked(8, scores, carats, 1, None, ident)
    assert made == [6]  # no tie at the cut: one id made


def test_via_keeps_only_routes_through_a_hub_or_polisher():
    g = kpgraph.open_graph(HAND)
    # from IND, P's merge S5 goes to B, then X, then the DMCC hub H: no polisher after P
    assert sorted(find_paths(g, RouteQuery(origin="IND", via="any"))) == [("S5", "S4", "S7")]
    assert find_routes(g, RouteQuery(origin="IND", via="polisher")) == []
    # X took rough from H abroad and sent rough abroad: a transit trader, so a hub
    assert [r.hubs for r in find_routes(g, RouteQuery(origin="IND", via="hub"))] == [["X", "H"]]
    got = find_routes(g, RouteQuery(origin="COD", via="polisher"), limit=None)
    assert [r.shipments for r in got] == [["S1", "S2", "S5", "S4"]]


@pytest.mark.neo4j
@pytest.mark.parametrize("distinct", [False, True])
def test_both_backends_give_the_same_ranked_routes_on_the_demo(demo_in_neo4j, demo_graph,
                                                               distinct):
    origins = [*risky_origins(demo_graph)[:6], "*"]
    total = 0
    for origin in origins:
        q = RouteQuery(origin=origin, distinct=distinct)
        local = [r.as_dict() for r in find_routes(demo_graph, q, limit=None)]
        remote = [r.as_dict() for r in kpgraph.api.routes(
            origin=None if origin == "*" else origin, round_trips=origin == "*", limit=None,
            distinct=distinct, backend="neo4j", neo4j=demo_in_neo4j)]
        assert json.dumps(local, sort_keys=True) == json.dumps(remote, sort_keys=True), origin
        total += len(local)
    assert total > 50


@pytest.mark.parametrize("name,params", [("routes_from_origin", {"origin": "CAF"}),
                                         ("routes_from_origin", {"origin": "SSD",
                                                                 "since": "2021-03-01"}),
                                         ("round_trips", {})])
def test_parts_of_the_starts_give_the_whole_search_together(demo_graph, name, params):
    # what the Neo4j backend runs in parallel: parts by date, disjoint, the whole together
    from kpgraph.queries.twins import TWINS

    whole = [tuple(r["shipments"]) for r in TWINS[name](demo_graph, **params)]
    for parts in (2, 3):
        got = [[tuple(r["shipments"]) for r in TWINS[name](demo_graph, **params, part=i,
                                                           parts=parts)]
               for i in range(parts)]
        assert all(got), "a part found nothing: the split says nothing"
        assert sorted(p for part in got for p in part) == whole
        # in order of date: every route of a part starts no earlier than the last part's
        day = demo_graph.shipments.set_index("shipment_id")["shipped_on"]
        for a, b in zip(got, got[1:]):
            assert max(day[p[0]] for p in a) <= min(day[p[0]] for p in b)


@pytest.mark.neo4j
@pytest.mark.parametrize("parallel", [1, 3])
def test_neo4j_routes_are_the_same_in_any_number_of_parts(demo_in_neo4j, demo_graph,
                                                          parallel):
    from dataclasses import replace

    cfg = replace(demo_in_neo4j, parallel=parallel)
    for origin in [*risky_origins(demo_graph)[:2], "*"]:
        local = find_routes(demo_graph, RouteQuery(origin=origin), limit=None)
        remote = kpgraph.api.routes(origin=None if origin == "*" else origin,
                                    round_trips=origin == "*", limit=None, backend="neo4j",
                                    neo4j=cfg)
        assert local and [r.as_dict() for r in local] == [r.as_dict() for r in remote], origin


def test_distinct_keeps_the_best_route_of_each_chain_of_companies(demo_graph):
    # against the plain ranking: the first route of each chain of companies, in order,
    # with the number of routes along it
    for origin in [*risky_origins(demo_graph)[:4], "*"]:
        full = find_routes(demo_graph, RouteQuery(origin=origin), limit=None)
        chains: dict = {}
        for r in full:
            chains.setdefault(tuple(r.companies), []).append(r)
        want = [(rs[0].id, len(rs)) for rs in chains.values()]
        assert len(want) < len(full), origin  # the demo has chains walked more than once
        for limit in (None, 5):
            got = find_routes(demo_graph, RouteQuery(origin=origin, distinct=True),
                              limit=limit)
            assert [(r.id, r.same_companies) for r in got] == want[:limit], origin
            # the same from a list of routes already ranked (the report's merged list)
            assert [r.as_dict() for r in first_per_chain(full)[:limit]] == [
                r.as_dict() for r in got]
    assert all(r.same_companies is None for r in full)
    assert "same_companies" not in full[0].as_dict()


def test_distinct_breaks_ties_within_a_chain_by_id():
    from kpgraph.routes import _best_per_chain, route_id

    class Facts:  # three companies 0 > 1 > 2; routes 0, 1, 2 share the chain, 3 does not
        exp = np.array([0, 0, 0, 0, 1, 1])
        imp = np.array([1, 1, 1, 2, 2, 2])

    rows = np.array([[0, 4], [1, 5], [2, 4], [3, -1]])
    scores = np.array([0.5, 0.9, 0.9, 0.1])
    carats = np.array([1.0, 2.0, 2.0, 9.0])
    names = ["A", "B", "C", "D"]
    ident = lambda i: route_id([names[i]])  # noqa: E731
    best, size = _best_per_chain(rows, Facts, scores, carats, ident)
    tie = min((1, 2), key=ident)
    assert best.tolist() == [tie, 3] and size.tolist() == [3, 1]


def test_links_keep_the_closest_parcels_and_respect_time_and_tolerance():
    day = pd.Timestamp("2021-01-01")
    rows = [("IN", day, "A", "H", 100.0, 1000.0)]
    # 12 candidates after the arrival, one before it, one beyond the tolerance
    for k in range(12):
        rows.append((f"O{k:02d}", day + pd.Timedelta(days=k + 1), "H", "B", 100.0 + 10 * k,
                     1000.0 + 100 * k))
    rows.append(("EARLY", day - pd.Timedelta(days=1), "H", "B", 100.0, 1000.0))
    rows.append(("HUGE", day + pd.Timedelta(days=2), "H", "B", 1001.0, 10010.0))
    s = pd.DataFrame(rows, columns=["shipment_id", "shipped_on", "exporter_id", "importer_id",
                                    "carats", "value_usd"])
    s["hs_code"], s["declared_origin"] = "7102.31", "MIXED"
    ix = ShipmentIndex(s, pd.Series({"A": "COD", "H": "ARE", "B": "BEL"}))
    got = list(ix.ids[ix.links(ix.positions(["IN"])[0])])
    assert got == [f"O{k:02d}" for k in range(LINK_BRANCH)]
    links = ix.all_links()
    assert set(links["source"]) == {"IN"} and (links["days"] >= 0).all()


def test_busy_hubs_keep_the_closest_links_with_ties_in_date_order():
    # 60 candidates (a busy hub: only the nearest are sorted), with ties: equal parcels on
    # the same day and on later days; the links are the four closest, ties broken by date
    # then id, as a full stable sort gives them
    day = pd.Timestamp("2021-01-01")
    rows = [("IN", day, "A", "H", 100.0, 1000.0)]
    for k in range(60):
        carats = 100.0 + 10 * (k % 7)  # k % 7 == 0: as close as can be (a tie)
        rows.append((f"O{k:02d}", day + pd.Timedelta(days=1 + k // 3), "H", "B", carats,
                     carats * 10))
    s = pd.DataFrame(rows, columns=["shipment_id", "shipped_on", "exporter_id", "importer_id",
                                    "carats", "value_usd"])
    s["hs_code"], s["declared_origin"] = "7102.31", "MIXED"
    ix = ShipmentIndex(s, pd.Series({"A": "COD", "H": "ARE", "B": "BEL"}))
    got = list(ix.ids[ix.links(ix.positions(["IN"])[0])])
    assert got == ["O00", "O07", "O14", "O21"][:LINK_BRANCH]


def test_links_are_the_same_in_small_chunks(monkeypatch):
    # links are judged for many shipments at once, in chunks of candidates: a chunk smaller
    # than one busy shipment's window must give the same links as one chunk for all
    import kpgraph.continuation as continuation

    g = kpgraph.open_graph(DEMO)
    country = g.companies.set_index("company_id")["country"]
    whole = ShipmentIndex(g.shipments, country).all_links()
    monkeypatch.setattr(continuation, "_CHUNK", 7)
    small = ShipmentIndex(g.shipments, country)
    assert small.all_links().equals(whole)
    some = small.positions(whole["source"].head(50))
    assert [list(small.ids[small.links(p)]) for p in some] == [
        list(whole.loc[whole["source"] == s, "target"]) for s in whole["source"].head(50)]
    assert len(whole) > 1000


def test_score_tiers():
    assert combine([]) == 0.0
    assert combine([{"code": "kp_status", "weight": 0.9}]) == pytest.approx(0.81)
    # context alone never flags a route
    ctx = [{"code": c, "weight": 0.5} for c in ("value_jump", "new_company")]
    assert combine(ctx) < FLAG_AT


def test_reasons_on_a_smuggled_parcel(tmp_path):
    import shutil

    d = tmp_path / "smuggled"
    shutil.copytree(HAND, d)
    with open(d / "kp_status.csv", "w") as f:
        f.write("iso3,status,start,end,note\nCOD,suspended,2020-06-01,2021-12-31,test\n")
    g = kpgraph.open_graph(d)
    routes = find_routes(g, RouteQuery(origin="COD", via="any"), limit=None)
    top = routes[0]
    codes = {r["code"] for r in top.reasons}
    assert {"kp_status", "no_certificate"} <= codes
    status = next(r for r in top.reasons if r["code"] == "kp_status")
    assert {(e["country"], e["status"]) for e in status["figures"]["events"]} == {
        ("COD", "suspended")}
    assert top.flagged


def test_ranking_scores_equal_the_reasons_they_list():
    from kpgraph.routes.reasons import combine

    g = kpgraph.open_graph(DEMO)
    checked = 0
    for origin in [*risky_origins(g), "*"]:
        for r in find_routes(g, RouteQuery(origin=origin), limit=None):
            assert r.score == pytest.approx(combine(r.reasons), abs=1e-4), (r.id, r.reasons)
            checked += 1
    assert checked > 1000


def test_cli_routes_json_and_errors(cli):
    r = cli("routes", str(HAND), "--origin", "COD", "--via", "any", "--format", "json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert sorted(x["shipments"] for x in data) == CASES[0][1]
    first = data[0]
    assert set(first) >= {"id", "shipments", "companies", "hubs", "dates", "carats", "values",
                          "score", "reasons"}
    assert first["companies"][0] == "M" and len(first["dates"]) == len(first["shipments"])
    r = cli("routes", str(HAND), "--origin", "ZZZ")
    assert r.exit_code == 2 and "ZZZ" in r.stderr
    r = cli("routes", str(HAND), "--origin", "COD", "--window-days", "500")
    assert r.exit_code == 2 and "window" in r.stderr
    r = cli("routes", str(HAND))
    assert r.exit_code == 2 and "--origin" in r.stderr


def test_a_first_small_query_ranks_on_its_own_facts_the_same_way():
    """A model's first query that finds routes through few shipments ranks them on facts of
    those shipments only; the routes, scores and reasons are those of the facts of every
    shipment, for every risky origin of the demo and the round trips."""
    queries = [RouteQuery(origin=o) for o in risky_origins(kpgraph.open_graph(DEMO))]
    queries.append(RouteQuery(origin="*", via="any"))
    whole = kpgraph.open_graph(DEMO)
    _facts(whole)  # every shipment's facts, as after a big query
    small = 0
    for q in queries:
        fresh = kpgraph.open_graph(DEMO)
        got = find_routes(fresh, q, limit=None)
        small += not fresh.memoised("route_facts")
        want = find_routes(whole, q, limit=None)
        assert [(r.id, r.score, r.reasons) for r in got] == [
            (r.id, r.score, r.reasons) for r in want], q.origin
    assert 0 < small < len(queries)  # both ways were taken


def test_first_per_chain_keeps_the_order_and_counts_the_routes_along_each_chain():
    from kpgraph.investigation import Investigation
    from kpgraph.routes import Route

    def route(sid, companies, score):
        return Route(shipments=[sid], companies=companies, hubs=[], dates=["2021-01-01"],
                     carats=[1.0], values=[1.0], score=score)

    ranked = [route("S1", ["A", "H", "P"], 0.9), route("S2", ["A", "H", "Q"], 0.8),
              route("S3", ["A", "H", "P"], 0.7), route("S4", ["H", "P"], 0.6),
              route("S5", ["A", "H", "P"], 0.5)]
    got = first_per_chain(ranked)
    assert [(r.shipments, r.same_companies) for r in got] == [
        (["S1"], 3), (["S2"], 1), (["S4"], 1)]
    assert ranked[0].same_companies is None  # the list given is left as it was
    inv = Investigation(dataset="d", backend="embedded", counts={}, period=(None, None),
                        routes=ranked)
    assert [r.shipments for r in inv.top_routes(2)] == [["S1"], ["S2"]]


# More COD starts on S1's day, with ids that UTF-16 and code points order differently
# (U+1F600 is D83D DE00 in UTF-16, before U+FF21; as a code point it comes after), short
# and long (stored inline or apart). Neo4j orders stored text by code point, as Python does.
WIDE = ["\uFF21", "\uFF21" + "long" * 20, "\U0001F600", "\U0001F600" + "long" * 20]


@pytest.fixture(scope="module")
def wide_ids(tmp_path_factory) -> Path:
    import shutil

    out = tmp_path_factory.mktemp("wide") / "routes"
    shutil.copytree(HAND, out)
    f = out / "shipments.csv"
    frame = pd.read_csv(f, dtype=str, keep_default_na=False)
    s1 = frame[frame["shipment_id"] == "S1"]
    frame = pd.concat([frame, *(s1.assign(shipment_id=x) for x in WIDE)])
    frame.to_csv(f, index=False)
    return out


def test_parts_split_the_starts_by_date_then_code_points(wide_ids):
    from kpgraph.queries.twins import TWINS

    g = kpgraph.open_graph(wide_ids)
    got = [{r["shipments"][0] for r in TWINS["routes_from_origin"](g, "COD", part=i, parts=5)}
           for i in range(5)]
    assert got == [{x} for x in ["S1", *WIDE]]


@pytest.mark.neo4j
def test_neo4j_parts_equal_their_twins_with_ids_beyond_the_bmp(neo4j_server, wide_ids):
    load_once(neo4j_server, wide_ids)
    cfg = neo4j_server.config()
    for name, params in (("routes_from_origin", {"origin": "COD"}), ("round_trips", {})):
        for part in range(5):
            p = {**params, "part": part, "parts": 5}
            local = kpgraph.run_query(name, p, path=wide_ids)
            remote = kpgraph.run_query(name, p, backend="neo4j", neo4j=cfg)
            assert sorted(r["shipments"] for r in local) == sorted(
                r["shipments"] for r in remote), (name, part)
