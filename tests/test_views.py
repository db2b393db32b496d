"""Interactive views, checked in a real headless Chromium."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kpgraph
from kpgraph.render.layout import BIG_VIEW, SPACING_PX, STILL_LINKS, spring_positions
from kpgraph.render.view import view_data
from kpgraph.selection import around_company, country_view

HAND = Path(__file__).parent / "corpus" / "queries"
DEMO = Path(__file__).parent.parent / "datasets" / "demo"
PAYLOADS = [
    "<img src=x onerror=\"window.__xss=1\">",
    "</script><script>window.__xss=2</script>",
    "\"><svg onload=window.__xss=3>",
    "{{VIS_JS}}<b>bold</b>&amp;",
    "javascript:window.__xss=4",
]


def _pairs(sub) -> int:
    return len(sub.shipments[["exporter_id", "importer_id"]].drop_duplicates())


def test_view_counts_match_the_subgraph(tmp_path, open_page):
    out = tmp_path / "v.html"
    r = kpgraph.view(out, path=HAND, around="T1", hops=1)
    sub = around_company(kpgraph.open_graph(HAND), "T1", hops=1)
    assert len(r["nodes"]) == len(sub.companies) == 4  # T1 and its partners M1, C1, P1
    opened = open_page(out)
    counts = opened.page.evaluate("[window.kpgraphView.nodes, window.kpgraphView.edges]")
    assert counts == [len(sub.companies), _pairs(sub)]
    assert opened.errors == [] and opened.requests == [] and opened.dialogs == []


def test_canvas_is_drawn(tmp_path, open_page):
    out = tmp_path / "v.html"
    kpgraph.view(out, path=HAND, country="ARE")
    opened = open_page(out)
    inked = opened.page.evaluate("""() => {
        const c = document.querySelector('#network canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4)
            if (d[i + 3] > 0 && (d[i] < 200 || d[i + 1] < 200)) n++;
        return n;
    }""")
    assert inked > 500
    assert opened.errors == []


def _hostile_dataset(tmp_path: Path) -> Path:
    """The hand-made dataset with a payload in every text field."""
    out = tmp_path / "hostile"
    shutil.copytree(HAND, out)
    comp = pd.read_csv(out / "companies.csv", dtype=str, keep_default_na=False)
    for i, col in enumerate(("name", "free_zone", "registration_no", "address")):
        comp[col] = [PAYLOADS[(i + j) % len(PAYLOADS)] + f" {j}" if v or col == "name" else v
                     for j, v in enumerate(comp[col])]
    comp.to_csv(out / "companies.csv", index=False)
    countries = pd.read_csv(out / "countries.csv", dtype=str, keep_default_na=False)
    countries["name"] = [p + c for p, c in zip(PAYLOADS * 3, countries["name"])]
    countries.to_csv(out / "countries.csv", index=False)
    status = pd.read_csv(out / "kp_status.csv", dtype=str, keep_default_na=False)
    status["note"] = PAYLOADS[0]
    status.to_csv(out / "kp_status.csv", index=False)
    kpgraph.validate(out)
    return out


@pytest.mark.parametrize("how", [{"around": "T1", "hops": 3}, {"country": "ARE"}])
def test_xss_payloads_stay_inert(tmp_path, open_page, how):
    data = _hostile_dataset(tmp_path)
    out = tmp_path / "x.html"
    kpgraph.view(out, path=data, **how)
    html = out.read_text("utf-8")
    assert "<img src=x" not in html and "</script><script>window" not in html
    opened = open_page(out)
    page = opened.page
    # hover every node so that every tooltip is built and shown
    ids = page.evaluate("window.kpgraphView.network.body.data.nodes.getIds()")
    shown = []
    for node_id in ids:
        pos = page.evaluate(
            "(id) => { const n = window.kpgraphView.network;"
            " return n.canvasToDOM(n.getPositions([id])[id]); }", node_id)
        box = page.locator("#network").bounding_box()
        page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
        page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5000)
        shown.append(page.locator("div.vis-tooltip").inner_text())
        page.mouse.move(1, 1)
    assert page.evaluate("window.__xss === undefined")
    assert opened.dialogs == [] and opened.requests == [] and opened.errors == []
    text = "\n".join(shown)
    assert PAYLOADS[0] in text  # shown as text, not run as HTML
    assert page.locator("#network img, #network svg, #legend img").count() == 0


def test_a_name_thousands_of_characters_long_does_not_shrink_the_view(tmp_path, open_page):
    """The view fits its drawing to the page: a 5,000-character name drawn whole would
    push every company out of sight. Drawn and in tooltips it is cut (and a bidirectional
    control shown as a mark); search still finds it by its end."""
    data = tmp_path / "long"
    shutil.copytree(HAND, data)
    comp = pd.read_csv(data / "companies.csv", dtype=str, keep_default_na=False)
    comp.loc[comp["company_id"] == "T1", "name"] = "\u202e" + "A" * 5000 + "Zed"
    comp.to_csv(data / "companies.csv", index=False)
    scales = []
    for folder in (HAND, data):
        out = tmp_path / f"{folder.name}.html"
        kpgraph.view(out, path=folder, around="T1", hops=1)
        opened = open_page(out)
        scales.append(opened.page.evaluate("window.kpgraphView.network.getScale()"))
    page = opened.page
    label = page.evaluate("window.kpgraphView.network.body.data.nodes.get('T1').label")
    assert len(label) <= 40 and label.startswith("[U+202E]AAA") and label.endswith("\u2026")
    assert scales[1] > scales[0] / 2, scales
    page.fill("#search", "aaazed")
    assert page.evaluate("window.kpgraphView.network.getSelectedNodes()") == ["T1"]
    assert opened.errors == []


def test_big_views_are_refused_with_advice(cli):
    r = cli("view", str(HAND), "--around", "T1", "--hops", "3", "--max-nodes", "3",
            "--out", "/tmp/never.html")
    assert r.exit_code == 2
    assert "--max-nodes" in r.stderr and "narrow" in r.stderr
    assert not Path("/tmp/never.html").exists()


def test_view_options_are_checked(cli, tmp_path):
    out = str(tmp_path / "v.html")
    assert cli("view", str(HAND), "--out", out).exit_code == 2
    assert cli("view", str(HAND), "--around", "T1", "--country", "ARE", "--out",
               out).exit_code == 2
    r = cli("view", str(HAND), "--around", "nobody", "--out", out)
    assert r.exit_code == 2 and "no company" in r.stderr
    data = tmp_path / "data"
    shutil.copytree(HAND, data)
    before = (data / "companies.csv").read_bytes()
    r = cli("view", str(data), "--around", "T1", "--out", str(data / "companies.csv"))
    assert r.exit_code == 2 and "name it .html" in r.stderr
    assert (data / "companies.csv").read_bytes() == before


def test_same_view_same_bytes(tmp_path):
    kpgraph.view(tmp_path / "a.html", path=HAND, around="P1")
    kpgraph.view(tmp_path / "b.html", path=HAND, around="P1")
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


def test_country_view_selects_partners():
    sub = country_view(kpgraph.open_graph(HAND), "ARE")
    assert set(sub.companies["company_id"]) == {"T1", "T2", "M1", "C1", "P1", "B1", "J1"}


def test_status_and_missing_certificate_colour_edges():
    from kpgraph.render.view import EDGE_COLOURS, view_data

    g = kpgraph.open_graph(HAND)
    data = view_data(g, around_company(g, "T1", hops=1))
    by_pair = {(e["from"], e["to"]): e for e in data["edges"]}
    assert by_pair[("C1", "T1")]["flag"] == "status"  # CAF suspended on 2014-06-01
    assert by_pair[("C1", "T1")]["colour"] == EDGE_COLOURS["status"]
    assert by_pair[("M1", "T1")]["flag"] == "none"
    data = view_data(g, around_company(g, "T2", hops=1))
    pairs = {(e["from"], e["to"]): e["flag"] for e in data["edges"]}
    assert pairs[("J1", "T2")] == "status"  # SSD was never a participant


@pytest.fixture(scope="module")
def big_dataset(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("big") / "d"
    kpgraph.synth(out, shipments=50_000, seed=5)
    return out


def test_a_2000_node_view_settles(big_dataset, tmp_path, open_page):
    g = kpgraph.open_graph(big_dataset)
    hub = g.shipments["importer_id"].value_counts().index[0]
    out = tmp_path / "big.html"
    data = kpgraph.view(out, path=big_dataset, around=hub, hops=3, max_nodes=3000)
    assert len(data["nodes"]) >= 2000 and len(data["edges"]) > STILL_LINKS and data["still"]
    opened = open_page(out)  # waits until the layout has settled
    settle = opened.page.evaluate("window.kpgraphView.settleMs")
    assert settle is not None and settle > 0
    # drawn where the view's data puts it: the page ran no physics of its own
    drawn = opened.page.evaluate("window.kpgraphView.network.getPositions()")
    assert {n["id"]: [n["x"], n["y"]] for n in data["nodes"]} == {
        k: [round(v["x"]), round(v["y"])] for k, v in drawn.items()}
    assert opened.page.evaluate("window.kpgraphView.layout") == "given"
    assert opened.errors == []


def test_a_big_view_with_fewer_links_is_evened_out_from_its_positions(tmp_path, open_page):
    out = tmp_path / "mid.html"
    g = kpgraph.open_graph(DEMO)
    hub = g.shipments["importer_id"].value_counts().index[0]
    data = kpgraph.view(out, path=DEMO, around=hub, hops=1)
    assert len(data["nodes"]) > BIG_VIEW and len(data["edges"]) <= STILL_LINKS
    assert data["big"] and not data["still"]
    opened = open_page(out)
    assert opened.page.evaluate("window.kpgraphView.layout") == "given, evened out"
    drawn = opened.page.evaluate("window.kpgraphView.network.getPositions()")
    given = {n["id"]: (n["x"], n["y"]) for n in data["nodes"]}
    moved = [k for k, v in drawn.items() if (round(v["x"]), round(v["y"])) != given[k]]
    assert len(moved) > len(given) / 2  # the physics ran from the given start
    assert opened.errors == []


def test_big_views_carry_their_layout_and_small_ones_do_not(big_dataset):
    g = kpgraph.open_graph(big_dataset)
    hub = g.shipments["importer_id"].value_counts().index[0]
    big = view_data(g, around_company(g, hub, hops=2))
    assert len(big["nodes"]) > BIG_VIEW and big["big"]
    assert big["still"] == (len(big["edges"]) > STILL_LINKS)
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in big["nodes"])
    assert len({(n["x"], n["y"]) for n in big["nodes"]}) > 0.9 * len(big["nodes"])
    assert view_data(g, around_company(g, hub, hops=2)) == big  # reproducible
    small = view_data(kpgraph.open_graph(HAND), around_company(kpgraph.open_graph(HAND), "T1"))
    assert not small["big"] and not small["still"]
    assert not any("x" in n for n in small["nodes"])


def test_spring_positions_on_tiny_graphs():
    assert spring_positions([], []) == {}
    assert spring_positions(["a"], []) == {"a": (0, 0)}
    # a path a-b-c: b between the others, its two neighbours SPACING_PX away (the median
    # nearest-neighbour distance, whatever the input order, repeats and self-links)
    pos = spring_positions(["c", "b", "a"], [("a", "b"), ("b", "c"), ("c", "b"), ("a", "a")])
    assert pos == spring_positions(["a", "b", "c"], [("b", "a"), ("c", "b")])
    a, b, c = (np.array(pos[k], dtype=float) for k in "abc")
    assert np.linalg.norm(a - b) == pytest.approx(SPACING_PX, abs=1)
    assert np.linalg.norm(c - b) == pytest.approx(SPACING_PX, abs=1)
    assert np.linalg.norm(a - c) > 1.5 * SPACING_PX
    # links to companies outside the view are ignored
    assert spring_positions(["a", "b"], [("a", "b"), ("a", "zz")]) == spring_positions(
        ["a", "b"], [("a", "b")])


def test_view_and_export_of_a_finding(tmp_path, cli):
    (reuse,) = kpgraph.flags(HAND, rules=["certificate_reused"])
    data = kpgraph.view(tmp_path / "f.html", path=HAND, finding=reuse.id)
    # S2 (T1 to P1) and S7 (T2 to B1) travelled on K2
    assert sorted(n["id"] for n in data["nodes"]) == ["B1", "P1", "T1", "T2"]
    assert sorted((e["from"], e["to"]) for e in data["edges"]) == [("T1", "P1"), ("T2", "B1")]
    m = kpgraph.export(tmp_path / "b", path=HAND, finding=reuse.id, formats=["json"])
    assert m["selection"]["kind"] == "finding" and m["selection"]["finding"] == reuse.id
    r = cli("view", str(HAND), "--finding", "F-000000000000", "--out", str(tmp_path / "x.html"))
    assert r.exit_code == 2 and "no finding" in r.stderr


ROUTES = Path(__file__).parent / "corpus" / "routes"


def test_route_view_is_drawn_in_order_with_dates(tmp_path, open_page):
    from kpgraph.routes import RouteQuery, find_routes

    g = kpgraph.open_graph(ROUTES)
    # a round trip: always among the routes an id is looked up in
    route = find_routes(g, RouteQuery(origin="*"), limit=None)[0]
    out = tmp_path / "route.html"
    data = kpgraph.view(out, path=ROUTES, route=route.id)
    assert [e["step"] for e in data["edges"]] == list(range(1, len(route.shipments) + 1))
    assert [e["label"] for e in data["edges"]] == [f"{n}. {d}" for n, d in
                                                   enumerate(route.dates, 1)]
    assert [(e["from"], e["to"]) for e in data["edges"]] == list(
        zip(route.companies, route.companies[1:]))
    assert data["notes"] == [r["text"] for r in route.reasons] and data["notes"]
    # read left to right: each company in the column of the step that first reached it;
    # the round trip's closing step runs back
    first = {c: i for i, c in reversed(list(enumerate(route.companies)))}
    assert {n["id"]: n["level"] for n in data["nodes"]} == first
    assert [e["back"] for e in data["edges"]] == [False] * (len(route.shipments) - 1) + [True]
    opened = open_page(out)
    counts = opened.page.evaluate("[window.kpgraphView.nodes, window.kpgraphView.edges]")
    assert counts == [len(set(route.companies)), len(route.shipments)]
    assert opened.page.evaluate("window.kpgraphView.layout") == "route"
    drawn = opened.page.evaluate("window.kpgraphView.network.getPositions()")
    xs = [drawn[c]["x"] for c in sorted(first, key=first.get)]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    legend = opened.page.inner_text("#legend")
    assert "Why it is flagged" in legend and route.reasons[0]["text"] in legend
    assert opened.errors == [] and opened.requests == []
    # the same route given as its shipments
    same = kpgraph.view(tmp_path / "same.html", path=ROUTES, route=",".join(route.shipments))
    assert same["edges"] == data["edges"]


def test_route_selection_errors(tmp_path, cli):
    r = cli("view", str(ROUTES), "--route", "R-000000000000", "--out", str(tmp_path / "x.html"))
    assert r.exit_code == 2 and "no route" in r.stderr
    for typo in ("R-00000000000", "R-0000000000000", "R-00000000000g", "R-ABCDEF123456"):
        r = cli("view", str(ROUTES), "--route", typo, "--out", str(tmp_path / "x.html"))
        assert r.exit_code == 2 and "neither a shipment id nor a route id" in r.stderr
    r = cli("view", str(ROUTES), "--route", "S2,S1", "--out", str(tmp_path / "x.html"))
    assert r.exit_code == 2 and "does not continue" in r.stderr
    for empty in ("", " , "):
        r = cli("view", str(ROUTES), "--route", empty, "--out", str(tmp_path / "x.html"))
        assert r.exit_code == 2 and "give a route id" in r.stderr
    r = cli("export", str(ROUTES), "--route", "S1,S3,S4", "--out", str(tmp_path / "b.zip"),
            "--format", "json,graphml")
    assert r.exit_code == 0, r.stderr
    assert cli("verify", str(tmp_path / "b.zip")).exit_code == 0


def test_xss_payloads_stay_inert_in_the_html_export(tmp_path, open_page):
    data = _hostile_dataset(tmp_path)
    kpgraph.export(tmp_path / "bundle", path=data, around="T1", hops=3, formats=["html"])
    page_file = tmp_path / "bundle" / "view.html"
    html = page_file.read_text("utf-8")
    assert "<img src=x" not in html and "</script><script>window" not in html
    opened = open_page(page_file)
    assert opened.page.evaluate("window.kpgraphView.nodes") > 3
    assert opened.page.evaluate("window.__xss === undefined")
    assert opened.dialogs == [] and opened.requests == [] and opened.errors == []


def test_a_route_id_from_any_origin_is_found(tmp_path):
    from kpgraph.routes import RouteQuery, find_routes, risky_origins

    g = kpgraph.open_graph(DEMO)
    origin = "COD"  # a producer whose routes an investigation does not search
    assert origin not in risky_origins(g)
    route = find_routes(g, RouteQuery(origin=origin), limit=1)[0]
    data = kpgraph.view(tmp_path / "route.html", path=DEMO, route=route.id)
    assert [(e["from"], e["to"]) for e in data["edges"]] == list(
        zip(route.companies, route.companies[1:]))


def test_a_shipment_id_that_looks_like_a_route_id_is_a_route_of_one(tmp_path):
    data = tmp_path / "ids"
    shutil.copytree(ROUTES, data)
    f = data / "shipments.csv"
    frame = pd.read_csv(f, dtype=str, keep_default_na=False)
    frame["shipment_id"] = "R-" + frame["shipment_id"]
    frame.to_csv(f, index=False)
    first = frame["shipment_id"].iloc[0]
    view = kpgraph.view(tmp_path / "one.html", path=data, route=first)
    assert [e["step"] for e in view["edges"]] == [1]
