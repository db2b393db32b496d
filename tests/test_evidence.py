"""Evidence bundles: every format, the manifest, reproducibility and tamper detection."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

import kpgraph
from kpgraph.evidence.exporters import cypher_literal
from kpgraph.neo4j.runner import QueryRunner

HAND = Path(__file__).parent / "corpus" / "queries"


@pytest.fixture
def bundle(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = tmp_path / "bundle"
    kpgraph.export(out, path=HAND, around="T1", hops=1)
    return out


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_bundle_has_every_format_and_verifies(bundle, cli):
    names = _files(bundle)
    for f in ("subgraph.graphml", "subgraph.gexf", "subgraph.json", "subgraph.cypher",
              "entities.ftm.json", "view.html", "csv/nodes_Company.csv",
              "csv/edges_EXPORTED.csv", "manifest.json"):
        assert f in names
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert set(manifest["files"]) == set(names) - {"manifest.json"}
    assert manifest["created"] == "2023-11-14T22:13:20Z"
    assert manifest["selection"]["kind"] == "around" and manifest["selection"]["hops"] == 1
    assert manifest["source"]["files"]["shipments.csv"]["size"] == (
        HAND / "shipments.csv").stat().st_size
    assert manifest["kpgraph_version"] == kpgraph.__version__
    r = cli("verify", str(bundle))
    assert r.exit_code == 0 and "intact" in r.stdout


@pytest.mark.parametrize("how", ["byte", "delete", "add"])
def test_tampering_with_any_file_is_detected(bundle, cli, how):
    for name in _files(bundle):
        if name == "manifest.json":
            continue
        copy = bundle.parent / f"copy-{how}"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(bundle, copy)
        target = copy / name
        if how == "byte":
            data = bytearray(target.read_bytes())
            data[len(data) // 2] ^= 0x01
            target.write_bytes(bytes(data))
            expect = f"altered: {name}"
        elif how == "delete":
            target.unlink()
            expect = f"missing: {name}"
        else:
            (copy / (name + ".extra")).write_text("x")
            expect = f"extra: {name}.extra"
        r = cli("verify", str(copy))
        assert r.exit_code == 1, name
        assert expect in r.stdout and "NOT intact" in r.stderr


def test_zip_bundle_is_reproducible_and_verifiable(tmp_path, monkeypatch, cli):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    a, b = tmp_path / "a.zip", tmp_path / "b.zip"
    kpgraph.export(a, path=HAND, around="P1")
    kpgraph.export(b, path=HAND, around="P1")
    assert a.read_bytes() == b.read_bytes()
    assert cli("verify", str(a)).exit_code == 0
    # alter one entry of the zip
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(a) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "subgraph.json":
                data = data.replace(b'"P1"', b'"P2"', 1)
            zout.writestr(info, data)
    r = cli("verify", str(bad))
    assert r.exit_code == 1 and "altered: subgraph.json" in r.stdout


def test_verify_shows_a_hostile_entry_name_without_obeying_it(tmp_path, cli):
    """A tampered zip may name an entry with terminal escape sequences: verify reports it
    as text."""
    good, bad = tmp_path / "a.zip", tmp_path / "bad.zip"
    kpgraph.export(good, path=HAND, around="P1")
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        zout.writestr("\x1b]0;pwned\x07\x1b[2Jx.txt", b"x")
    r = cli("verify", str(bad))
    assert r.exit_code == 1
    assert "extra: \\x1b]0;pwned\\x07\\x1b[2Jx.txt" in r.stdout
    assert "\x1b" not in r.stdout + r.stderr


@pytest.mark.filterwarnings("ignore:Duplicate name")  # zipfile warns, as it should
def test_a_zip_holding_a_file_twice_is_not_intact(tmp_path, cli):
    """Two entries of one name, the altered one first: which one an unzip tool shows
    depends on the tool, so the bundle cannot be called intact."""
    good, bad = tmp_path / "a.zip", tmp_path / "twice.zip"
    kpgraph.export(good, path=HAND, around="P1")
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        zout.writestr("subgraph.json", zin.read("subgraph.json").replace(b'"P1"', b'"P2"', 1))
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
    r = cli("verify", str(bad))
    assert r.exit_code == 1 and "duplicate: subgraph.json" in r.stdout
    assert "altered: subgraph.json" in r.stdout


def test_same_selection_same_file_bytes_without_fixed_time(tmp_path):
    kpgraph.export(tmp_path / "a", path=HAND, around="T1")
    kpgraph.export(tmp_path / "b", path=HAND, around="T1")
    for name in _files(tmp_path / "a"):
        if name != "manifest.json":
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    ma = json.loads((tmp_path / "a" / "manifest.json").read_text())
    mb = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert ma["files"] == mb["files"]


def test_graphml_and_gexf_read_back_to_the_same_graph(bundle):
    doc = json.loads((bundle / "subgraph.json").read_text())
    want_nodes = {n["id"]: n for n in doc["nodes"]}
    for name, reader in (("subgraph.graphml", nx.read_graphml),
                         ("subgraph.gexf", nx.read_gexf)):
        g = reader(bundle / name)
        assert set(g.nodes) == set(want_nodes)
        edges = sorted((u, v, d["relationship"]) for u, v, d in g.edges(data=True))
        assert edges == sorted((e["source"], e["target"], e["type"]) for e in doc["links"])
        for node, attrs in g.nodes(data=True):
            props = {k[2:]: v for k, v in attrs.items() if k.startswith("p_")}
            assert props == want_nodes[node]["properties"], (name, node)


def test_graphml_and_gexf_hold_characters_xml_forbids(tmp_path):
    """XML 1.0 cannot hold most control characters: GraphML and GEXF write them as
    escapes and stay readable; JSON keeps the exact name."""
    data = tmp_path / "controls"
    shutil.copytree(HAND, data)
    comp = pd.read_csv(data / "companies.csv", dtype=str, keep_default_na=False)
    name = "Almas\x1b[2J\x00\x0b Co\tLine"
    comp.loc[comp["company_id"] == "T1", "name"] = name
    comp.to_csv(data / "companies.csv", index=False)
    out = tmp_path / "b"
    kpgraph.export(out, path=data, around="T1", hops=1)
    doc = json.loads((out / "subgraph.json").read_text())
    assert name in [n["properties"].get("name") for n in doc["nodes"]]
    for file, reader in (("subgraph.graphml", nx.read_graphml),
                         ("subgraph.gexf", nx.read_gexf)):
        names = [d.get("p_name") for _, d in reader(out / file).nodes(data=True)]
        assert "Almas\\x1b[2J\\x00\\x0b Co\tLine" in names, file


def test_csv_opens_cleanly(bundle):
    raw = (bundle / "csv" / "nodes_Company.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with a BOM
    frame = pd.read_csv(bundle / "csv" / "nodes_Company.csv", encoding="utf-8-sig")
    assert list(frame.columns[:3]) == ["company_id", "name", "country"]
    assert set(frame["company_id"]) == {"T1", "M1", "C1", "P1"}


def test_ftm_entities_pass_the_model(bundle):
    from followthemoney import model

    lines = (bundle / "entities.ftm.json").read_text().splitlines()
    schemas = {}
    for line in lines:
        data = json.loads(line)
        model.get(data["schema"]).validate(data)  # raises InvalidData if not valid
        schemas[data["schema"]] = schemas.get(data["schema"], 0) + 1
    assert schemas["Company"] == 4 and schemas["EconomicActivity"] > 0
    assert "License" in schemas


def test_export_by_query(tmp_path):
    m = kpgraph.export(tmp_path / "q", path=HAND, query="trade_between",
                       params={"company_a": "P1", "company_b": "T1"}, formats=["json"])
    assert m["selection"]["query"] == "trade_between"
    assert "MATCH" in m["selection"]["query_text"]
    assert m["selection"]["params"] == {"company_a": "P1", "company_b": "T1"}
    doc = json.loads((tmp_path / "q" / "subgraph.json").read_text())
    ships = {n["key"] for n in doc["nodes"] if n["label"] == "Shipment"}
    assert ships == {"S2", "S3", "S9"}


def test_export_refuses_a_used_place_and_bad_options(cli, bundle, tmp_path):
    r = cli("export", str(HAND), "--around", "T1", "--out", str(bundle))
    assert r.exit_code == 2 and "not empty" in r.stderr
    r = cli("export", str(HAND), "--around", "T1", "--format", "pdf", "--out",
            str(tmp_path / "x"))
    assert r.exit_code == 2 and "unknown format" in r.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("value,literal", [
    ("it's", "'it\\'s'"), ("a\\b", "'a\\\\b'"), ("line\nbreak", "'line\\u000abreak'"),
    (1.5, "1.5"), (3, "3"), (True, "true"), (None, "null"),
])
def test_cypher_literals_escape(value, literal):
    assert cypher_literal(value) == literal


HOSTILE = "x'}) MATCH (n) DETACH DELETE n //\\' \" `;\nCREATE (:Evil)"


@pytest.mark.neo4j
def test_cypher_script_recreates_the_subgraph(tmp_path, neo4j_config):
    data = tmp_path / "hostile"
    shutil.copytree(HAND, data)
    comp = pd.read_csv(data / "companies.csv", dtype=str, keep_default_na=False)
    comp.loc[comp["company_id"] == "T1", "name"] = HOSTILE
    comp.to_csv(data / "companies.csv", index=False)
    out = tmp_path / "b"
    kpgraph.export(out, path=data, around="T1", hops=2, formats=["cypher", "json"])
    script = (out / "subgraph.cypher").read_text()
    statements = [s for s in script.split(";\n") if s.strip() and not s.startswith("//")]
    with QueryRunner(neo4j_config) as r:
        for s in statements:
            r.run_auto(s)
        doc = json.loads((out / "subgraph.json").read_text())
        labels = {}
        for n in doc["nodes"]:
            labels[n["label"]] = labels.get(n["label"], 0) + 1
        for label, count in labels.items():
            got = r.run(f"MATCH (n:{label}) RETURN count(n) AS c", mode="read")[0]["c"]
            assert got == count, label
        types = {}
        for e in doc["links"]:
            types[e["type"]] = types.get(e["type"], 0) + 1
        total = r.run("MATCH ()-[x]->() RETURN count(x) AS c", mode="read")[0]["c"]
        assert total == sum(types.values())
        (row,) = r.run("MATCH (c:Company {company_id: 'T1'}) RETURN c.name AS name",
                       mode="read")
        assert row["name"] == HOSTILE
        assert r.run("MATCH (e:Evil) RETURN count(e) AS c", mode="read")[0]["c"] == 0
        s2 = r.run("MATCH (s:Shipment {shipment_id: 'S2'}) RETURN s.shipped_on AS d, "
                   "s.carats AS c", mode="read")[0]
        assert str(s2["d"]) == "2021-02-03" and s2["c"] == 900.0


@pytest.mark.neo4j
def test_a_neo4j_export_names_the_files_it_was_loaded_from(tmp_path, neo4j_config):
    """The manifest of an export made from the files and that of one made from Neo4j after
    loading them carry the same dataset fingerprint."""
    kpgraph.load(HAND, backend="neo4j", neo4j=neo4j_config)
    kpgraph.export(tmp_path / "files", path=HAND, around="T1", formats=["json"])
    kpgraph.export(tmp_path / "db", backend="neo4j", neo4j=neo4j_config, around="T1",
                   formats=["json"])
    files = json.loads((tmp_path / "files" / "manifest.json").read_text())["source"]
    db = json.loads((tmp_path / "db" / "manifest.json").read_text())["source"]
    assert db["datasets_loaded"] == [{"fingerprint": files["dataset_fingerprint"],
                                      "source": HAND.name}]
    assert (tmp_path / "files" / "subgraph.json").read_bytes() == (
        tmp_path / "db" / "subgraph.json").read_bytes()
