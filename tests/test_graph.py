"""The graph model on the hand-made base dataset, where every answer is counted by hand."""

from __future__ import annotations

from pathlib import Path

import kpgraph

BASE = Path(__file__).parent / "corpus" / "base"


def test_counts_by_hand():
    counts = kpgraph.info(BASE)
    assert counts["nodes"] == {"Country": 5, "KPStatus": 1, "Company": 5, "Certificate": 3,
                               "Shipment": 5, "ProductionRecord": 2, "KPStatistic": 3}
    rels = counts["relationships"]
    assert rels["EXPORTED"] == 5 and rels["IMPORTED_BY"] == 5
    assert rels["COVERED_BY"] == 3  # S4, S5 travelled without a certificate
    assert rels["DECLARED_ORIGIN"] == 4  # S2 is MIXED, which is not a country
    assert rels["CERTIFIED_ORIGIN"] == 2  # KP-ARE-1 is MIXED


def test_company_network_aggregates_pairs():
    g = kpgraph.open_graph(BASE)
    net = g.company_network()
    assert net.number_of_nodes() == 5
    assert set(net.edges()) == {("M1", "T1"), ("T1", "P1"), ("P1", "R1"), ("C1", "T1")}
    tp = net.edges["T1", "P1"]
    assert tp == {"carats": 950.0, "value_usd": 152000.0, "count": 2}
    assert net.nodes["T1"]["free_zone"] == "DMCC"


def test_company_network_by_commodity_and_period():
    g = kpgraph.open_graph(BASE)
    assert set(g.company_network(commodity="polished").edges()) == {("P1", "R1")}
    assert set(g.company_network(since="2021-02-01", until="2021-03-31").edges()) == {
        ("T1", "P1")}


def test_composite_keys_are_joined():
    g = kpgraph.open_graph(BASE)
    assert list(g.kp_statistics["key"]) == ["BWA|2021|1", "ARE|2021|1", "BWA|2021|"]
    assert list(g.kp_status["key"]) == ["CAF|suspended|2013-05-23"]
