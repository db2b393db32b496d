"""The Neo4j backend against a real Neo4j 5.26 (started by the test session)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import signal
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import kpgraph
from kpgraph.continuation import ShipmentIndex
from kpgraph.contract import contract
from kpgraph.errors import BackendError, BackendUnavailableError
from kpgraph.neo4j.config import Neo4jConfig
from kpgraph.neo4j.runner import QueryRunner
from kpgraph.neo4j.store import Neo4jStore

from .neo4j_server.fixture import LOADER, load_once
from .neo4j_server.proxy import CuttableProxy
from .neo4j_server.server import free_port

ROOT = Path(__file__).parent.parent
BASE = Path(__file__).parent / "corpus" / "base"
DEMO = ROOT / "datasets" / "demo"

pytestmark = pytest.mark.neo4j


def _constraints(cfg) -> set[str]:
    with QueryRunner(cfg) as r:
        return {row["name"] for row in r.run("SHOW CONSTRAINTS YIELD name", mode="read")}


def test_schema_is_generated_and_idempotent(neo4j_config):
    with Neo4jStore.connect(neo4j_config) as store:
        store.apply_schema("before")
        store.apply_schema("before")
        store.apply_schema("after")
    expected = {f"kp_{t.label}_{t.key_property}" for t in contract().tables.values()}
    # and the key of the company flows written beside the contract's nodes
    assert _constraints(neo4j_config) == expected | {"kp_CompanyFlow_company_id"}


def test_load_base_matches_embedded_and_is_idempotent(neo4j_config):
    first = kpgraph.load(BASE, backend="neo4j", neo4j=neo4j_config)
    assert first == kpgraph.info(BASE)
    second = kpgraph.load(BASE, backend="neo4j", neo4j=neo4j_config, batch_size=2)
    assert second == first


def test_another_dataset_is_not_mixed_into_a_loaded_one(cli, neo4j_env, neo4j_config,
                                                       tmp_path):
    """A load writes only rows whose key is new: a corrected file loaded over the first
    would leave the old figures in place. It is refused, and changes nothing, unless the
    user asks to add the new rows."""
    kpgraph.load(BASE, backend="neo4j", neo4j=neo4j_config)
    fixed = tmp_path / "fixed"
    shutil.copytree(BASE, fixed)
    ships = fixed / "shipments.csv"
    lines = ships.read_text().splitlines()
    head, first = lines[0].split(","), lines[1].split(",")
    first[head.index("carats")] = "777"
    ships.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n")
    sid = first[head.index("shipment_id")]
    query = "MATCH (s:Shipment {shipment_id: $id}) RETURN s.carats AS c"
    with QueryRunner(neo4j_config) as q:
        before = q.run(query, {"id": sid}, mode="read")[0]["c"]
    r = cli("load", str(fixed), "--backend", "neo4j", env=neo4j_env)
    assert r.exit_code == 2 and "holds another dataset (base)" in r.stderr
    assert kpgraph.info(backend="neo4j", neo4j=neo4j_config) == kpgraph.info(BASE)
    r = cli("load", str(fixed), "--backend", "neo4j", "--add", env=neo4j_env)
    assert r.exit_code == 0, r.stderr
    with QueryRunner(neo4j_config) as q:
        assert q.run(query, {"id": sid}, mode="read")[0]["c"] == before != 777.0
        assert len(q.run("MATCH (d:KpgraphDataset) RETURN d", mode="read")) == 2
        q.run("MATCH (d:KpgraphDataset) DETACH DELETE d", mode="write")
    # data that no load recorded (loaded by another tool) is refused the same way
    r = cli("load", str(BASE), "--backend", "neo4j", env=neo4j_env)
    assert r.exit_code == 2 and "no kpgraph load recorded" in r.stderr
    # --replace deletes what loads wrote, then loads: the corrected figure is in
    r = cli("load", str(fixed), "--backend", "neo4j", "--replace", env=neo4j_env)
    assert r.exit_code == 0, r.stderr
    assert kpgraph.info(backend="neo4j", neo4j=neo4j_config) == kpgraph.info(fixed)
    with QueryRunner(neo4j_config) as q:
        assert q.run(query, {"id": sid}, mode="read")[0]["c"] == 777.0
        assert [r["s"] for r in q.run("MATCH (d:KpgraphDataset) RETURN d.source AS s",
                                      mode="read")] == ["fixed"]
    assert cli("load", str(fixed), "--backend", "neo4j", "--add", "--replace",
               env=neo4j_env).exit_code == 2


def test_properties_are_typed(neo4j_config):
    kpgraph.load(BASE, backend="neo4j", neo4j=neo4j_config)
    with QueryRunner(neo4j_config) as r:
        (row,) = r.run("MATCH (s:Shipment {shipment_id: $id}) RETURN s {.*} AS s",
                       {"id": "S1"}, mode="read")
    s = row["s"]
    assert s["shipped_on"] == dt.date(2021, 1, 5)
    assert s["carats"] == 1000.5 and s["exporter_id"] == "M1"
    with QueryRunner(neo4j_config) as r:
        (row,) = r.run("MATCH (c:Company {company_id: 'T1'}) RETURN c.last_audit AS a, "
                       "c.free_zone AS z", mode="read")
    assert row == {"a": None, "z": "DMCC"}


def test_read_graph_round_trips(neo4j_config):
    kpgraph.load(BASE, backend="neo4j", neo4j=neo4j_config)
    back = kpgraph.open_graph(backend="neo4j", neo4j=neo4j_config)
    local = kpgraph.open_graph(BASE)
    assert back.counts() == local.counts()
    for name in contract().tables:
        a = local.table(name).sort_values(local.table(name).columns[0]).reset_index(drop=True)
        b = back.table(name)[list(a.columns)].sort_values(a.columns[0]).reset_index(drop=True)
        assert a.astype(str).equals(b.astype(str)), name


def test_invalid_data_writes_nothing(cli, neo4j_env, neo4j_config):
    r = cli("load", str(BASE.parent / "bad" / "dangling_reference"), "--backend", "neo4j",
            env=neo4j_env)
    assert r.exit_code == 1
    with QueryRunner(neo4j_config) as q:
        assert q.run("MATCH (n) RETURN count(n) AS n", mode="read") == [{"n": 0}]
    assert _constraints(neo4j_config) == set()


def test_cli_load_and_info(cli, neo4j_env):
    r = cli("load", str(BASE), "--backend", "neo4j", "--format", "json", env=neo4j_env)
    assert r.exit_code == 0, r.stderr
    r2 = cli("info", "--backend", "neo4j", "--format", "json", env=neo4j_env)
    assert json.loads(r2.stdout) == json.loads(r.stdout)
    assert {"kind": "node", "name": "Shipment", "count": 5} in json.loads(r.stdout)
    # which data the database holds: the files' fingerprint, as manifests record it
    fingerprint = kpgraph.api.dataset_fingerprint(kpgraph.api.read_dataset(BASE).files)
    assert f"dataset: base (SHA-256 {fingerprint})" in r2.stderr


def test_killed_load_is_completed_by_a_rerun(neo4j_config, small_synth):
    """Kill the loading client (SIGKILL) mid-shipments, then load again: exact counts."""
    proc = subprocess.Popen([sys.executable, "-c", LOADER, str(small_synth), neo4j_config.uri,
                             neo4j_config.password, "200"], stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:
        table, done, _total = line.split()
        if table == "shipments" and int(done) >= 600:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with Neo4jStore.connect(neo4j_config) as store:
        partial = store.counts()
    expected = kpgraph.info(small_synth)
    assert 0 < partial["nodes"]["Shipment"] < expected["nodes"]["Shipment"]
    assert kpgraph.load(small_synth, backend="neo4j", neo4j=neo4j_config) == expected


def test_lost_connection_mid_load_then_rerun(neo4j_config, small_synth):
    """Cut the client's TCP connections mid-load (through a proxy): the load either
    recovers by itself or fails cleanly, and a re-run ends with the exact counts."""
    host, port = neo4j_config.uri.removeprefix("bolt://").split(":")
    proxy = CuttableProxy((host, int(port)))
    cfg = Neo4jConfig(uri=proxy.uri, user=neo4j_config.user,
                      password=neo4j_config.password)

    def progress(table, done, total):
        if table == "shipments" and done > 0 and not proxy.cuts:
            proxy.cut()

    try:
        try:
            kpgraph.load(small_synth, backend="neo4j", neo4j=cfg, progress=progress,
                         batch_size=300)
        except (BackendError, BackendUnavailableError):
            pass  # a clean, typed failure is also acceptable; the re-run must complete
        assert proxy.cuts == 1
    finally:
        proxy.close()
    expected = kpgraph.info(small_synth)
    assert kpgraph.load(small_synth, backend="neo4j", neo4j=neo4j_config) == expected


def test_read_transactions_cannot_write(neo4j_config):
    with QueryRunner(neo4j_config) as r:
        with pytest.raises(BackendError, match="write"):
            r.run("CREATE (:Intruder {name: $n})", {"n": "x"}, mode="read")
        assert r.run("MATCH (n:Intruder) RETURN count(n) AS n", mode="read") == [{"n": 0}]


def test_values_travel_as_parameters(neo4j_config):
    payload = "x'}) DETACH DELETE n //"
    with QueryRunner(neo4j_config) as r:
        r.run("CREATE (:Probe {name: $n})", {"n": payload}, mode="write")
        rows = r.run("MATCH (p:Probe) RETURN p.name AS name", mode="read")
    assert rows == [{"name": payload}]


# -- failures: one clear line, exit 3, never a traceback or the password ------------------
def _env(neo4j_env, **over):
    env = dict(neo4j_env)
    env.update(over)
    return env


def test_unreachable_server_exit_3(cli, neo4j_env):
    env = _env(neo4j_env, NEO4J_URI=f"bolt://127.0.0.1:{free_port()}")
    r = cli("info", "--backend", "neo4j", env=env)
    assert r.exit_code == 3
    assert "cannot reach Neo4j" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_bad_password_exit_3_and_never_printed(cli, neo4j_env):
    secret = "wrong-Secret-4242"
    r = cli("load", str(BASE), "--backend", "neo4j", env=_env(neo4j_env,
                                                                NEO4J_PASSWORD=secret))
    assert r.exit_code == 3
    assert "refused the credentials" in r.stderr
    assert secret not in r.stderr + r.stdout
    assert neo4j_env["NEO4J_PASSWORD"] not in r.stderr + r.stdout


def test_wrong_database_exit_3(cli, neo4j_env):
    r = cli("info", "--backend", "neo4j", env=_env(neo4j_env, NEO4J_DATABASE="nosuchdb"))
    assert r.exit_code == 3
    assert "nosuchdb" in r.stderr and "Traceback" not in r.stderr


def test_password_prompt(cli, neo4j_env):
    env = _env(neo4j_env, NEO4J_PASSWORD="")
    r = cli("info", "--backend", "neo4j", "--ask-password", env=env,
            input=neo4j_env["NEO4J_PASSWORD"] + "\n")
    assert r.exit_code == 0, r.stderr
    assert neo4j_env["NEO4J_PASSWORD"] not in r.stdout + r.stderr


def test_missing_key_constraints_are_warned_about_and_load_adds_them(cli, neo4j_env,
                                                                      neo4j_server):
    # a bulk import without `kpgraph load` leaves the data without its key constraints
    load_once(neo4j_server, BASE)
    with QueryRunner(neo4j_server.config()) as r:
        r.run_auto("DROP CONSTRAINT kp_Shipment_shipment_id")
    try:
        r = cli("info", "--backend", "neo4j", env=neo4j_env)
        assert r.exit_code == 0
        (line,) = [x for x in r.stderr.splitlines() if "warning" in x]
        assert line.startswith("kpgraph: warning: the database has no key constraint "
                               "Shipment.shipment_id ") and "kpgraph load" in line
        fixed = cli("load", str(BASE), "--backend", "neo4j", env=neo4j_env)
        assert fixed.exit_code == 0 and "warning" not in fixed.stderr
    finally:
        with Neo4jStore.connect(neo4j_server.config(), check_schema=False) as store:
            store.apply_schema("before")
    again = cli("info", "--backend", "neo4j", env=neo4j_env)
    assert again.exit_code == 0 and "warning" not in again.stderr


def test_a_user_who_may_not_list_constraints_still_reads(neo4j_server, monkeypatch):
    # the constraint check is advice: a read-only role without the privilege to list
    # constraints (enterprise RBAC, which the test server lacks) must not be locked out
    def forbidden(self):
        raise BackendError("Neo4j error Neo.ClientError.Security.Forbidden: not allowed")

    monkeypatch.setattr(Neo4jStore, "missing_constraints", forbidden)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with Neo4jStore.connect(neo4j_server.config()) as store:
            assert store.counts()


def test_config_repr_hides_password():
    cfg = Neo4jConfig(password="hunter2")
    assert "hunter2" not in repr(cfg) and "hunter2" not in cfg.describe()


def test_parallel_setting_from_the_environment(cli):
    assert Neo4jConfig.from_env(env={}).parallel == 2
    assert Neo4jConfig.from_env(env={"KPGRAPH_NEO4J_PARALLEL": "4"}).parallel == 4
    for bad in ("0", "17", "two", "2.5", "-1"):
        r = cli("routes", "--backend", "neo4j", "--origin", "COD",
                env={"KPGRAPH_NEO4J_PARALLEL": bad, "NEO4J_URI": "bolt://127.0.0.1:1"})
        assert r.exit_code == 2 and "KPGRAPH_NEO4J_PARALLEL" in r.stderr, (bad, r.stderr)


@pytest.mark.parametrize("uri", ["bolt://neo4j:s3cret-pw@127.0.0.1:1",
                                 "neo4j+s://neo4j:s3cret-pw@db.example.invalid"])
def test_a_password_written_into_the_uri_is_never_printed(cli, uri):
    """The driver refuses a URI with ``user:password@`` and quotes it in its error."""
    r = cli("info", "--backend", "neo4j", env={"NEO4J_URI": uri, "NEO4J_PASSWORD": "x"})
    assert r.exit_code == 3 and "is not valid" in r.stderr
    assert "s3cret-pw" not in r.stdout + r.stderr and "***@" in r.stderr


# -- the two backends agree on the demo dataset ------------------------------------------
def test_demo_counts_agree(neo4j_server):
    from .neo4j_server.fixture import load_once

    load_once(neo4j_server, DEMO)
    cfg = neo4j_server.config()
    with Neo4jStore.connect(cfg) as store:
        counts = store.counts()
    assert counts == kpgraph.info(DEMO)
    assert counts["nodes"]["Shipment"] > 19_000


def test_bulk_import_builds_the_same_graph(tmp_path, cli):
    """bulk-export's files, imported by neo4j-admin into a new store, give the graph that
    the transactional loader builds; a load afterwards adds the schema and writes nothing."""
    from .neo4j_server import server

    r = cli("bulk-export", str(BASE), str(tmp_path / "import"))
    assert r.exit_code == 0, r.stderr
    argv = r.stdout.split()
    assert argv[:5] == ["neo4j-admin", "database", "import", "full", "neo4j"]
    with server.start(prepare=lambda home: server.admin_import(home, argv[1:])) as srv:
        cfg = srv.config()
        with Neo4jStore.connect(cfg) as store:
            imported = store.counts()
        assert imported == kpgraph.info(BASE)
        # the import records its dataset as a load does: loading it again writes nothing
        assert kpgraph.load(BASE, backend="neo4j", neo4j=cfg) == imported
        # the contract's keys, and the derived company flows' key
        assert _constraints(cfg) == {f"kp_{t.label}_{t.key_property}" for t in
                                     contract().tables.values()} | {"kp_CompanyFlow_company_id"}
        with QueryRunner(cfg) as q:
            (row,) = q.run("MATCH (s:Shipment {shipment_id: 'S1'}) RETURN s.shipped_on AS d, "
                           "s.carats AS c", mode="read")
        assert row == {"d": dt.date(2021, 1, 5), "c": 1000.5}
        # the route search's NEXT links came with the import, and the load added none
        g = kpgraph.open_graph(BASE)
        want = ShipmentIndex(g.shipments, g.companies.set_index("company_id")["country"]
                             ).all_links()
        with QueryRunner(cfg) as q:
            got = q.run("MATCH (a:Shipment)-[l:NEXT]->(b:Shipment) RETURN a.shipment_id AS s, "
                        "b.shipment_id AS t, l.days AS d, l.ratio AS r ORDER BY s, t",
                        mode="read")
        assert len(want) > 0
        assert [(x["s"], x["t"], x["d"], x["r"]) for x in got] == sorted(
            zip(want["source"], want["target"], want["days"].astype(int), want["ratio"]))
        # and the routes read from the import are the embedded ones, reasons and all
        for origin in ("BWA", "ARE"):
            local = kpgraph.api.routes(BASE, origin=origin, via="any", limit=None)
            remote = kpgraph.api.routes(origin=origin, via="any", limit=None,
                                        backend="neo4j", neo4j=cfg)
            assert [r.as_dict() for r in remote] == [r.as_dict() for r in local]


def test_server_has_apoc_and_gds(neo4j_config):
    with QueryRunner(neo4j_config) as q:
        (row,) = q.run("RETURN apoc.version() AS apoc, gds.version() AS gds", mode="read")
    assert row["apoc"].startswith("5.26") and row["gds"].startswith("2.13")
