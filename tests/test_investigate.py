"""`kpgraph investigate`: the report in a real browser (drawn, offline, inert to hostile
text), findings.json in the contract's format, evidence bundles that verify, the folder
replaced only when it holds an earlier report, and the same findings from both backends."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import kpgraph
from kpgraph.contract import contract
from kpgraph.routes import ROUND_TRIPS, RouteQuery, find_routes, risky_origins

from .neo4j_server.fixture import load_once
from .test_reliability import hostile_ids
from .test_views import PAYLOADS

ROOT = Path(__file__).parent.parent
DEMO = ROOT / "datasets" / "demo"
KEYS = {"id", "rule", "typology", "severity", "entities", "period", "summary", "evidence"}


@pytest.fixture(scope="module")
def small_report(tmp_path_factory, small_synth):
    out = tmp_path_factory.mktemp("inv") / "report"
    result = kpgraph.api.investigate(small_synth, out=out, top=3)
    return out, result


def test_report_folder_and_findings(small_report):
    out, result = small_report
    assert (out / "index.html").exists() and result["report"] == str(out / "index.html")
    findings = json.loads((out / "findings.json").read_text())
    assert findings and all(set(f) == KEYS for f in findings)
    typologies = set(contract().typologies)
    assert {f["typology"] for f in findings} <= typologies
    assert [f["severity"] for f in findings] == sorted((f["severity"] for f in findings),
                                                       reverse=True)
    routes = [f for f in findings if f["rule"] == "route"]
    assert routes and all(f["severity"] >= 0.5 for f in routes)
    assert all(f["evidence"]["shipments"] == f["entities"]["shipments"] for f in routes)
    assert sum(result["by_typology"].values()) == len(findings)
    # every bundle the report links verifies
    bundles = sorted((out / "evidence").glob("*.zip"))
    assert len(bundles) == result["bundles"] >= 3
    for b in bundles:
        report = kpgraph.api.verify(b)
        assert report.intact and report.checked > 5, report
    assert len(list((out / "routes").glob("R-*.html"))) == 3
    # the report names the data it read, as the bundles' manifests do
    with zipfile.ZipFile(bundles[0]) as z:
        fingerprint = json.loads(z.read("manifest.json"))["source"]["dataset_fingerprint"]
    assert f"dataset SHA-256 {fingerprint}" in (out / "index.html").read_text()


# For each vis-network of a list (a JS expression), how many of its nodes' boxes, labels
# included, reach outside the network's box.
OUTSIDE = """(nets) => eval(nets).map(net => {
    const c = net.body.container.getBoundingClientRect();
    return Object.keys(net.getPositions()).filter(id => {
        const bb = net.getBoundingBox(id);
        const a = net.canvasToDOM({x: bb.left, y: bb.top});
        const z = net.canvasToDOM({x: bb.right, y: bb.bottom});
        return a.x < 0 || a.y < 0 || z.x > c.width || z.y > c.height;
    }).length;
})"""


def test_report_renders_offline_without_errors(small_report, open_page):
    out, result = small_report
    opened = open_page(out / "index.html", wait_settled=True)
    state = opened.page.evaluate("window.kpgraphReport")
    assert state["drawn"] == state["routes"] == 3 and state["settled"] == 3
    text = opened.page.inner_text("body")
    for f in result["top"][:3]:
        assert f["id"] in text
    assert "Audit priorities" in text and "Brokers" in text
    # numbers line up on the right, text on the left
    align = opened.page.evaluate("""() => [...document.querySelectorAll('#audit ~ table td')]
        .slice(0, 8).map(td => getComputedStyle(td).textAlign)""")
    assert align[:4] == ["left"] * 4 and align[4:] == ["right"] * 4  # company .. role, score ..
    # a company never audited says so, rather than leaving its years since an audit blank
    since = opened.page.evaluate("""() => [...document.querySelectorAll('#audit ~ table tr')]
        .slice(1).map(tr => tr.cells[8].textContent)""")
    assert "never" in since and all(s == "never" or float(s) >= 0 for s in since)
    assert opened.page.locator("svg figure, figure svg").count() >= 1
    # every label of every chart inside its chart (the last x label was cut in half)
    cut = opened.page.evaluate("""() => [...document.querySelectorAll('figure svg')].flatMap(
        svg => [...svg.querySelectorAll('text')].filter(t => {
            const b = t.getBBox(), w = svg.viewBox.baseVal.width;
            return b.x < 0 || b.x + b.width > w + 0.5;
        }).map(t => t.textContent))""")
    assert cut == []
    # at a laptop's width, column titles stay whole ("severity", not "severit" over "y")
    opened.page.set_viewport_size({"width": 700, "height": 800})
    broken = opened.page.evaluate("""() => [...document.querySelectorAll('th')].filter(
        th => th.getBoundingClientRect().height
              > 1.5 * parseFloat(getComputedStyle(th).lineHeight) + 8).map(th => th.textContent)""")
    assert broken == []
    # a period breaks between its dates, never inside one (a hyphen lets a line break)
    lines = opened.page.evaluate("""() => {
        const out = [];
        const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walk.nextNode(); n; n = walk.nextNode()) {
            const td = n.parentElement.closest("td");
            // the cells that hold dates alone: periods and route steps' days
            const day = "\\\\d{4}-\\\\d{2}-\\\\d{2}";
            if (!td || !new RegExp(`^${day}( to ${day})?$`).test(td.textContent)) continue;
            for (const m of n.textContent.matchAll(/\\d{4}-\\d{2}-\\d{2}/g)) {
                const r = document.createRange();
                r.setStart(n, m.index);
                r.setEnd(n, m.index + 10);
                out.push(r.getClientRects().length);
            }
        }
        return out;
    }""")
    assert lines and set(lines) == {1}
    assert opened.errors == [] and opened.requests == [] and opened.dialogs == []


def test_route_networks_show_every_label_whole(tmp_path, open_page):
    # on the demo, vis-network's own fit left labels at the edges cut off in 4 of the 10
    kpgraph.api.investigate(DEMO, out=tmp_path / "r", top=10)
    opened = open_page(tmp_path / "r" / "index.html", wait_settled=True)
    outside = opened.page.evaluate(OUTSIDE, "window.kpgraphReport.nets")
    assert outside == [0] * 10


def test_report_is_inert_to_hostile_text(tmp_path, small_synth, open_page):
    data = tmp_path / "hostile"
    shutil.copytree(small_synth, data)
    comp = pd.read_csv(data / "companies.csv", dtype=str, keep_default_na=False)
    for i, col in enumerate(("name", "address", "registration_no")):
        comp[col] = [PAYLOADS[(i + j) % len(PAYLOADS)] + f" {j}" for j in range(len(comp))]
    comp["name"] = comp["name"] + " " + "W" * 3000  # names that would fill any drawing
    comp.to_csv(data / "companies.csv", index=False)
    countries = pd.read_csv(data / "countries.csv", dtype=str, keep_default_na=False)
    countries["name"] = [PAYLOADS[j % len(PAYLOADS)] for j in range(len(countries))]
    countries.to_csv(data / "countries.csv", index=False)
    kpgraph.api.investigate(data, out=tmp_path / "r", top=2)
    html = (tmp_path / "r" / "index.html").read_text()
    assert "<img src=x" not in html and "<svg onload" not in html
    opened = open_page(tmp_path / "r" / "index.html", wait_settled=True)
    # show every tooltip of every route network
    opened.page.evaluate("""() => document.querySelectorAll('.net canvas').forEach(
        c => c.dispatchEvent(new MouseEvent('mousemove', {clientX: 5, clientY: 5})))""")
    assert opened.page.evaluate("window.__xss") is None
    # the names are drawn cut, so the route networks keep a readable scale
    scales = opened.page.evaluate("window.kpgraphReport.nets.map(n => n.getScale())")
    assert scales and min(scales) > 0.2
    assert opened.dialogs == [] and opened.requests == [] and opened.errors == []


def test_report_is_inert_to_hostile_identifiers(tmp_path, small_synth, open_page):
    data = tmp_path / "ids"
    hostile_ids(small_synth, data, PAYLOADS)
    kpgraph.api.investigate(data, out=tmp_path / "r", top=2)
    pages = sorted((tmp_path / "r").rglob("*.html"))
    assert len(pages) > 2  # the report and its route views
    assert "&lt;img src=x" in (tmp_path / "r" / "index.html").read_text()  # shown, as text
    for page in pages:
        assert "<svg onload" not in page.read_text() and "<img src=x" not in page.read_text()
        opened = open_page(page, wait_settled=True)
        assert opened.page.evaluate("window.__xss") is None, page
        assert opened.dialogs == [] and opened.requests == [] and opened.errors == [], page
    findings = json.loads((tmp_path / "r" / "findings.json").read_text())
    assert any(PAYLOADS[1] in s for f in findings for s in f["entities"]["shipments"])


def test_out_folder_is_replaced_only_when_it_holds_a_report(tmp_path, small_synth, cli):
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep")
    r = cli("investigate", str(small_synth), "--out", str(other), "--top", "1")
    assert r.exit_code == 2 and "not an earlier kpgraph report" in r.stderr
    assert (other / "mine.txt").read_text() == "keep"
    out = tmp_path / "rep"
    first = cli("investigate", str(small_synth), "--out", str(out), "--top", "1",
                "--format", "json")
    assert first.exit_code == 0, first.stderr
    assert "report:" in first.stderr and "routes" in first.stderr
    rows = json.loads(first.stdout)
    assert rows[-1]["typology"] == "routes flagged" and rows[-1]["findings"] > 0
    before = (out / "findings.json").read_bytes()
    again = cli("investigate", str(small_synth), "--out", str(out), "--top", "1")
    assert again.exit_code == 0 and (out / "findings.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes", "rep"]  # no leftovers


def test_bad_data_writes_no_report(tmp_path, cli):
    bad = Path(__file__).parent / "corpus" / "bad"
    case = sorted(p for p in bad.iterdir() if p.is_dir())[0]
    r = cli("investigate", str(case), "--out", str(tmp_path / "r"))
    assert r.exit_code == 1 and not (tmp_path / "r").exists()
    assert [p for p in tmp_path.iterdir()] == []


@pytest.mark.neo4j
def test_both_backends_give_the_same_findings(tmp_path, neo4j_server, monkeypatch):
    load_once(neo4j_server, DEMO)
    cfg = neo4j_server.config()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    kpgraph.api.investigate(DEMO, out=tmp_path / "e", top=2)
    kpgraph.api.investigate(DEMO, out=tmp_path / "n", top=2, backend="neo4j", neo4j=cfg)
    local = json.loads((tmp_path / "e" / "findings.json").read_text())
    remote = json.loads((tmp_path / "n" / "findings.json").read_text())
    assert len(local) > 100
    assert local == remote


def test_a_period_gives_the_findings_of_flags_for_it(tmp_path):
    """`investigate --since/--until` runs the rules as `flags --since/--until` does."""
    period = {"since": "2021-01-01", "until": "2021-12-31"}
    kpgraph.api.investigate(DEMO, out=tmp_path / "r", top=1, **period)
    found = json.loads((tmp_path / "r" / "findings.json").read_text())
    rules = [f for f in found if f["rule"] != "route"]

    def by_id(fs):
        return sorted(fs, key=lambda f: f["id"])

    assert by_id(rules) == by_id(f.as_dict() for f in kpgraph.flags(DEMO, **period))
    assert rules and len(rules) < len(kpgraph.flags(DEMO))
    # and searches the routes as `kpgraph routes --since/--until` does: over the whole
    # data's links, the period a parameter (as on Neo4j), from the period's risky origins
    routes = {f["evidence"]["id"] for f in found if f["rule"] == "route"}
    g = kpgraph.api.open_graph(DEMO)
    origins = risky_origins(g.restricted(period["since"], period["until"]))
    expected = {r.id for o in [*origins, ROUND_TRIPS]
                for r in find_routes(g, RouteQuery(origin=o, **period), limit=None)
                if r.flagged}
    assert routes and routes == expected
