"""The reliability and security sweep: malformed input leaves both stores unchanged, and
generated data never crashes the loader; injection comes back as data; loads killed at a
random batch or run twice at once end exact; Neo4j failing mid-query gives one clear
message; big input is refused before it is read."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kpgraph
from kpgraph.continuation import ShipmentIndex
from kpgraph.errors import InvalidDataError
from kpgraph.formats import render_csv
from kpgraph.neo4j.runner import QueryRunner
from kpgraph.queries import pack
from kpgraph.validate import read_dataset

from .neo4j_server.fixture import LOADER

CORPUS = Path(__file__).parent / "corpus"
BASE = CORPUS / "base"
BAD = sorted(p for p in (CORPUS / "bad").iterdir() if p.is_dir())
INJECTIONS = [
    "x' OR 1=1 //",
    "'}) DETACH DELETE n //",
    "\"}) MATCH (n) DETACH DELETE n RETURN 1 //",
    "x`) DETACH DELETE n //",
    "$param} CALL apoc.cypher.runWrite('MATCH (n) DETACH DELETE n', {}) //",
    "\\u0027; DROP CONSTRAINT x",
    "Almas\x1b]0;pwned\x07\x1b[2J\x00 Co\u202eoc",  # terminal escapes, NUL, RLO
]


def _env(cfg) -> dict:
    return {"NEO4J_URI": cfg.uri, "NEO4J_USER": cfg.user, "NEO4J_PASSWORD": cfg.password}


def _next_links(cfg) -> list[tuple]:
    with QueryRunner(cfg) as q:
        rows = q.run("MATCH (a:Shipment)-[l:NEXT]->(b:Shipment) RETURN a.shipment_id AS s, "
                     "b.shipment_id AS t, l.days AS d ORDER BY s, t", mode="read")
    return [(r["s"], r["t"], r["d"]) for r in rows]


def _expected_links(path) -> list[tuple]:
    g = kpgraph.open_graph(path)
    links = ShipmentIndex(g.shipments, g.companies.set_index("company_id")["country"]
                          ).all_links()
    return sorted(zip(links["source"], links["target"], links["days"].astype(int)))


# -- malformed input ------------------------------------------------------------------------
def test_at_least_40_kinds_of_malformed_input():
    assert len(BAD) >= 40
    files = {(c / "expected.txt").read_text().split(":")[0] for c in BAD}
    # every file of the contract is covered (and the folder itself, for a missing file)
    assert {"countries.csv", "companies.csv", "shipments.csv", "certificates.csv",
            "kp_status.csv", "production_records.csv", "kp_statistics.csv"} <= files


@pytest.mark.neo4j
def test_malformed_input_leaves_neo4j_unchanged(cli, neo4j_config):
    kpgraph.load(BASE, backend="neo4j", neo4j=neo4j_config)
    before = kpgraph.info(backend="neo4j", neo4j=neo4j_config)
    with QueryRunner(neo4j_config) as q:
        schema = q.run("SHOW CONSTRAINTS YIELD name RETURN count(*) AS n", mode="read")
    for case in BAD:
        expected = (case / "expected.txt").read_text().strip()
        r = cli("load", str(case), "--backend", "neo4j", env=_env(neo4j_config))
        assert r.exit_code == 1, case.name
        assert expected in r.stderr and "Traceback" not in r.stderr, case.name
    assert kpgraph.info(backend="neo4j", neo4j=neo4j_config) == before
    with QueryRunner(neo4j_config) as q:
        assert q.run("SHOW CONSTRAINTS YIELD name RETURN count(*) AS n", mode="read") == schema


def test_malformed_input_writes_nothing_beside_the_data(tmp_path, cli):
    for case in BAD[:10]:
        copy = tmp_path / case.name
        shutil.copytree(case, copy)
        before = sorted(p.name for p in copy.iterdir())
        assert cli("load", str(copy)).exit_code == 1
        assert sorted(p.name for p in copy.iterdir()) == before


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
_CELL = st.one_of(_TEXT, st.sampled_from(["", "-1", "0", "1e309", "nan", "2021-02-30",
                                          "MIXED", "7102.99", "\ufeff", "\"", "a,b", "x\ny"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_cells_never_crash_the_loader(tmp_path_factory, data):
    """Any cell of any file replaced by arbitrary text: either still valid, or refused with
    violations that all name a file, a line, a column and a reason."""
    folder = tmp_path_factory.mktemp("mutated")
    shutil.copytree(BASE, folder, dirs_exist_ok=True)
    name = data.draw(st.sampled_from(sorted(p.name for p in BASE.glob("*.csv"))))
    frame = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
    row = data.draw(st.integers(0, len(frame) - 1))
    col = data.draw(st.sampled_from(list(frame.columns)))
    frame.loc[row, col] = data.draw(_CELL)
    frame.to_csv(folder / name, index=False)
    try:
        ds = read_dataset(folder)
    except InvalidDataError as exc:
        assert exc.violations
        for v in exc.violations:
            assert v.file.endswith(".csv") and v.line >= 1 and v.column >= 1 and v.reason
    else:
        assert len(ds.frames["shipments"]) == 5


_ID = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-_", min_size=1, max_size=8)


@st.composite
def _datasets(draw):
    countries = draw(st.lists(st.sampled_from(["BWA", "ARE", "IND", "BEL", "COD", "RUS"]),
                              min_size=1, max_size=6, unique=True))
    companies = draw(st.lists(_ID, min_size=1, max_size=12, unique=True))
    roles = ["miner", "trader", "polisher", "manufacturer", "retailer"]
    comp = pd.DataFrame({"company_id": companies,
                         "name": [draw(_TEXT) for _ in companies],
                         "country": [draw(st.sampled_from(countries)) for _ in companies],
                         "role": [draw(st.sampled_from(roles)) for _ in companies]})
    n = draw(st.integers(0, 25))
    day = pd.Timestamp("2020-01-01")
    ship = pd.DataFrame({
        "shipment_id": [f"S{i}" for i in range(n)],
        "shipped_on": [f"{day + pd.Timedelta(days=draw(st.integers(0, 900))):%Y-%m-%d}"
                       for _ in range(n)],
        "exporter_id": [draw(st.sampled_from(companies)) for _ in range(n)],
        "importer_id": [draw(st.sampled_from(companies)) for _ in range(n)],
        "carats": [draw(st.floats(0.01, 1e6)) for _ in range(n)],
        "value_usd": [draw(st.one_of(st.just(""), st.floats(0, 1e9).map(str)))
                      for _ in range(n)],
        "declared_origin": [draw(st.sampled_from([*countries, "MIXED", ""])) for _ in range(n)],
    })
    return pd.DataFrame({"iso3": countries}), comp, ship


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(d=_datasets())
def test_random_valid_datasets_always_load(tmp_path_factory, d):
    countries, companies, shipments = d
    folder = tmp_path_factory.mktemp("valid")
    # every field quoted: a bare carriage return in an unquoted field (which pandas writes)
    # ends the line, and is rightly refused as a ragged row
    for name, frame in (("countries", countries), ("companies", companies),
                        ("shipments", shipments)):
        frame.to_csv(folder / f"{name}.csv", index=False, quoting=csv.QUOTE_ALL)
    g = kpgraph.open_graph(folder)
    assert g.counts()["nodes"]["Shipment"] == len(shipments)
    assert g.counts()["nodes"]["Company"] == len(companies)
    # and every analysis runs on it
    kpgraph.api.flags(folder)
    from kpgraph.routes import ROUND_TRIPS, RouteQuery, all_routes, find_routes

    all_routes(g)
    find_routes(g, RouteQuery(origin=ROUND_TRIPS))
    for measure in kpgraph.api.MEASURES:
        kpgraph.api.centrality(folder, measure=measure)
    kpgraph.api.audit_priorities(folder)
    # an evidence bundle of any name (control characters included) verifies, and its XML
    # reads back
    import networkx as nx

    bundle = folder / "bundle"
    kpgraph.export(bundle, path=folder, around=companies["company_id"].iloc[0], hops=1)
    assert kpgraph.api.verify(bundle).intact
    nx.read_graphml(bundle / "subgraph.graphml")
    nx.read_gexf(bundle / "subgraph.gexf")


# -- injection ------------------------------------------------------------------------------
def _hostile(tmp_path: Path) -> Path:
    """The hand-made dataset with an injection payload in every text field."""
    out = tmp_path / "hostile"
    shutil.copytree(BASE, out)
    for f in out.glob("*.csv"):
        frame = pd.read_csv(f, dtype=str, keep_default_na=False)
        for col in frame.columns:
            if col in ("name", "address", "registration_no", "note", "free_zone"):
                frame[col] = [INJECTIONS[(i + len(col)) % len(INJECTIONS)]
                              for i in range(len(frame))]
        frame.to_csv(f, index=False)
    kpgraph.validate(out)
    return out


@pytest.mark.neo4j
def test_injection_in_data_and_parameters_comes_back_as_data(tmp_path, cli, neo4j_config):
    data = _hostile(tmp_path)
    loaded = kpgraph.load(data, backend="neo4j", neo4j=neo4j_config)
    counts = kpgraph.info(backend="neo4j", neo4j=neo4j_config)
    assert counts == kpgraph.info(data)
    names = kpgraph.run_query("companies_by_name", {"text": "DETACH"}, backend="neo4j",
                              neo4j=neo4j_config)
    assert names and all("DETACH" in r["name"] for r in names)
    controls = kpgraph.run_query("companies_by_name", {"text": "pwned"}, backend="neo4j",
                                 neo4j=neo4j_config)
    assert {r["name"] for r in controls} == {INJECTIONS[-1]}  # NUL and escapes kept exactly
    env = _env(neo4j_config)
    # every string parameter of every canned query, with every payload
    for q in pack().values():
        strings = [p for p in q.params if p.type == "string"]
        for p in strings:
            for payload in INJECTIONS:
                params = {x.name: x.example for x in q.params if x.required}
                params[p.name] = payload
                args = ["query", "run", q.name, "--backend", "neo4j", "--format", "json"]
                for k, v in params.items():
                    if v is not None:
                        args += ["-p", f"{k}={v}"]
                r = cli(*args, env=env)
                assert r.exit_code in (0, 2), (q.name, p.name, payload, r.stderr)
                assert "Traceback" not in r.stderr
    # the CLI's own options
    for payload in INJECTIONS:
        for args in (["routes", "--backend", "neo4j", "--origin", payload],
                     ["routes", "--backend", "neo4j", "--origin", "BWA", "--to", payload],
                     ["view", "--backend", "neo4j", "--around", payload, "--out",
                      str(tmp_path / "v.html")],
                     ["export", "--backend", "neo4j", "--around", payload, "--out",
                      str(tmp_path / "e.zip")],
                     ["cypher", "MATCH (c:Company {company_id: $id}) RETURN c.name AS n",
                      "-p", f"id={payload}"]):
            r = cli(*args, env=env)
            assert r.exit_code in (0, 2), (args, r.stderr)
            assert "Traceback" not in r.stderr
    assert kpgraph.info(backend="neo4j", neo4j=neo4j_config) == counts
    assert loaded  # something was written, then nothing changed it


# -- killed and concurrent loads ------------------------------------------------------------
@pytest.mark.neo4j
def test_load_killed_at_a_random_batch_then_rerun_is_exact(neo4j_config, small_synth):
    rng = random.Random()
    batches = []
    counts = kpgraph.info(small_synth)
    for table, n in (("shipments", counts["nodes"]["Shipment"]),
                     ("certificates", counts["nodes"]["Certificate"])):
        batches += [(table, b) for b in range(1, n // 150)]
    table, batch = rng.choice(batches)
    proc = subprocess.Popen([sys.executable, "-c", LOADER, str(small_synth), neo4j_config.uri,
                             neo4j_config.password, "150"], stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:
        t, done, _total = line.split()
        if t == table and int(done) >= batch * 150:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, f"killed in {table} at batch {batch}"
    assert kpgraph.load(small_synth, backend="neo4j", neo4j=neo4j_config) == counts
    assert kpgraph.info(backend="neo4j", neo4j=neo4j_config) == counts
    assert _next_links(neo4j_config) == _expected_links(small_synth)


@pytest.mark.neo4j
def test_two_loads_at_once_end_with_exact_counts(neo4j_config, small_synth):
    procs = [subprocess.Popen([sys.executable, "-c", LOADER, str(small_synth),
                               neo4j_config.uri, neo4j_config.password, "300"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    for p in procs:
        _out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
    assert kpgraph.info(backend="neo4j", neo4j=neo4j_config) == kpgraph.info(small_synth)
    links = _next_links(neo4j_config)
    assert len(links) == len(set(links))  # no link twice
    assert links == _expected_links(small_synth)


# -- Neo4j failing mid-query ----------------------------------------------------------------
@pytest.mark.neo4j
def test_server_stopping_mid_query_gives_one_clear_message(tmp_path):
    from .neo4j_server import server

    with server.start() as srv:
        cfg = srv.config()
        kpgraph.load(BASE, backend="neo4j", neo4j=cfg)
        env = {**os.environ, **_env(cfg)}
        slow = "UNWIND range(1, 400000000) AS i WITH i WHERE i % 7 = 100 RETURN count(i) AS n"
        proc = subprocess.Popen([sys.executable, "-m", "kpgraph", "cypher", slow], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # wait until the query runs on the server, then take the server away
        with QueryRunner(cfg) as q:
            for _ in range(600):
                running = q.run("SHOW TRANSACTIONS YIELD currentQuery "
                                "WHERE currentQuery STARTS WITH 'UNWIND range' "
                                "RETURN count(*) AS n", mode="read")
                if running[0]["n"]:
                    break
                proc.poll()
                assert proc.returncode is None, proc.stderr.read()
        srv.process.send_signal(signal.SIGKILL)  # the server dies mid-query
        out, err = proc.communicate(timeout=300)
    assert proc.returncode in (3, 4), err
    assert "Traceback" not in err and cfg.password not in err
    assert len(err.strip().splitlines()) == 1, err


# -- big input ------------------------------------------------------------------------------
_MEASURE = (
    "import resource, subprocess, sys\n"
    "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "sys.stderr.write(r.stderr)\n"
    "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def _peak_rss_mb_of(argv: list[str]) -> tuple[int, str, float]:
    """Exit code, stderr and peak RSS of ``argv``, measured by a fresh parent process whose
    only child it is (this process's own children include earlier tests' loaders)."""
    r = subprocess.run([sys.executable, "-c", _MEASURE, *argv], capture_output=True,
                       text=True)
    code, kb = r.stdout.split()
    return int(code), r.stderr, int(kb) / 1024


def test_verify_reads_a_huge_zip_entry_in_bounded_memory(tmp_path):
    """A bundle whose entry inflates to 400 MB (a zip bomb, or a big export): verify
    hashes it as a stream."""
    import zipfile

    bundle = tmp_path / "b.zip"
    kpgraph.export(bundle, path=BASE, around="T1")
    big = tmp_path / "big.zip"
    with zipfile.ZipFile(bundle) as zin, zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            z.writestr(info, zin.read(info))
        with z.open("padding.bin", "w", force_zip64=True) as fh:
            block = bytes(1 << 20)
            for _ in range(400):
                fh.write(block)
    code, err, rss = _peak_rss_mb_of([sys.executable, "-m", "kpgraph", "verify", str(big)])
    assert code == 1 and "Traceback" not in err
    assert rss < 300, f"peak RSS {rss:.0f} MB"


def test_a_100_mb_field_is_refused_in_bounded_memory(tmp_path):
    data = tmp_path / "huge"
    shutil.copytree(BASE, data)
    with open(data / "companies.csv", "a", encoding="utf-8") as f:
        f.write("BIG,")
        chunk = "x" * (1 << 20)
        for _ in range(100):
            f.write(chunk)
        f.write(",BWA,trader,,,,\n")
    code, err, rss = _peak_rss_mb_of([sys.executable, "-m", "kpgraph", "validate", str(data)])
    assert code == 1 and "companies.csv:" in err and "Traceback" not in err
    assert rss < 600, f"peak RSS {rss:.0f} MB"


def test_a_2_gb_file_is_refused_before_it_is_read(tmp_path):
    data = tmp_path / "big"
    shutil.copytree(BASE, data)
    with open(data / "shipments.csv", "r+b") as f:  # sparse: no disk, same size
        f.truncate((2 << 30) + 1)
    code, err, rss = _peak_rss_mb_of([sys.executable, "-m", "kpgraph", "validate", str(data)])
    assert code == 1 and "shipments.csv:1:1: the file is 2,147,483,649 bytes" in err
    assert rss < 600


def test_findings_json_of_hostile_data_is_valid_json(tmp_path):
    data = _hostile(tmp_path)
    r = kpgraph.api.flags(data)
    text = json.dumps([f.as_dict() for f in r])
    assert json.loads(text) == [f.as_dict() for f in r]


def test_csv_output_never_hands_a_spreadsheet_a_formula(tmp_path, cli):
    """Names that a spreadsheet would run (CSV injection) come out of ``--format csv`` with
    a leading apostrophe; JSON keeps the exact text; numbers stay numbers."""
    data = tmp_path / "formula"
    shutil.copytree(BASE, data)
    frame = pd.read_csv(data / "companies.csv", dtype=str, keep_default_na=False)
    names = ['=HYPERLINK("http://evil.example","Almas")', "@SUM(1+1) Almas", "+Almas",
             "-Almas"]
    frame.loc[:len(names) - 1, "name"] = names
    frame.to_csv(data / "companies.csv", index=False)
    args = ("query", "run", "companies_by_name", str(data), "-p", "text=almas")
    r = cli(*args, "--format", "csv")
    assert r.exit_code == 0, r.stderr
    got = {row["name"] for row in csv.DictReader(io.StringIO(r.stdout))}
    assert got == {"'" + n for n in names}
    j = cli(*args, "--format", "json")
    assert {row["name"] for row in json.loads(j.stdout)} == set(names)
    assert render_csv([{"carats": -5, "ratio": -0.5, "name": "-5"}]) == (
        "carats,ratio,name\n-5,-0.5,'-5\n")


def test_terminal_output_never_obeys_control_characters(tmp_path, cli):
    """A name carrying terminal escape sequences (clear the screen, retitle the window,
    an 8-bit CSI), a line break and a right-to-left override: the table shows them as
    escapes on one line; JSON escapes them and reads back as the exact name."""
    data = tmp_path / "escapes"
    shutil.copytree(BASE, data)
    frame = pd.read_csv(data / "companies.csv", dtype=str, keep_default_na=False)
    name = "Almas\x1b[2J\x1b]0;pwned\x07\x9b31m Co\nLine\u2028 2\u202eoc"
    frame.loc[0, "name"] = name
    frame.to_csv(data / "companies.csv", index=False)
    args = ("query", "run", "companies_by_name", str(data), "-p", "text=almas")
    table = cli(*args).stdout
    assert "Almas\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m Co\\nLine\\u2028 2\\u202eoc" in table
    j = cli(*args, "--format", "json").stdout
    rows = json.loads(j)
    assert name in [row["name"] for row in rows]
    assert len(table.splitlines()) == 2 + len(rows)  # header, rule, a line a row
    for raw in (table, j):
        assert not {"\x1b", "\x07", "\x9b", "\u202e", "\u2028"} & set(raw)


def test_every_command_answers_a_dataset_without_trade(tmp_path, cli):
    """Countries, companies and statistics but not one shipment (a new case file): every
    command answers, with empty tables where there is nothing to rank."""
    data = tmp_path / "no-trade"
    shutil.copytree(BASE, data)
    for name in ("shipments", "certificates", "production_records"):
        f = data / f"{name}.csv"
        f.write_text(f.read_text().splitlines()[0] + "\n")
    for args in (["flags"], ["routes", "--origin", "CAF"], ["routes", "--round-trips"],
                 ["audit-priorities"], ["stats"],
                 *(["centrality", "--measure", m] for m in
                   ("betweenness", "pagerank", "weak_components", "strong_components",
                    "communities", "hubs"))):
        r = cli(*args, str(data), "--format", "json")
        assert r.exit_code == 0, (args, r.stderr)
        assert isinstance(json.loads(r.stdout), list), args
    assert json.loads(cli("audit-priorities", str(data), "--format", "json").stdout) == []
    r = cli("investigate", str(data), "--out", str(tmp_path / "report"))
    assert r.exit_code == 0 and (tmp_path / "report" / "index.html").exists(), r.stderr
    r = cli("view", str(data), "--country", "CAF", "--out", str(tmp_path / "v.html"))
    assert r.exit_code == 0 and "0 trade links" in r.stdout


# -- hostile identifiers ---------------------------------------------------------------------
# Identifiers are any text (the data contract): markup, injections, wide and invisible
# characters, commas, look-alikes of a route id.
HOSTILE_IDS = [*INJECTIONS[:6], "<b>x</b>", "\U0001F600", "\uFF21", "\u202e", "a,b", "R-",
               " "]
ID_COLUMNS = ("company_id", "exporter_id", "importer_id", "certificate_id", "shipment_id")


def hostile_ids(src: Path, out: Path, prefixes=tuple(HOSTILE_IDS)) -> dict[str, str]:
    """A copy of ``src`` with every identifier prefixed by one of ``prefixes`` (the same
    identifier the same way in every file); returns new id -> old id."""
    shutil.copytree(src, out)
    back: dict[str, str] = {}

    def hostile(v: str) -> str:
        if not v:
            return v
        new = prefixes[sum(map(ord, v)) % len(prefixes)] + v
        back[new.strip()] = v  # values are read trimmed
        return new

    for f in out.glob("*.csv"):
        frame = pd.read_csv(f, dtype=str, keep_default_na=False)
        for col in ID_COLUMNS:
            if col in frame.columns:
                frame[col] = frame[col].map(hostile)
        frame.to_csv(f, index=False)
    return back


def _named(findings, back=None) -> list[tuple]:
    """Each finding's rule and the shipments, companies and certificates it names (in the
    original ids), sorted: what a finding says, whatever its id."""
    def ids(xs):
        return tuple(sorted((back or {}).get(x, x) for x in xs))

    return sorted((f.rule, ids(f.entities.get("shipments", [])),
                   ids(f.entities.get("companies", [])),
                   ids(f.entities.get("certificates", []))) for f in findings)


@pytest.mark.neo4j
def test_hostile_identifiers_change_no_finding_and_no_route_on_either_backend(
        tmp_path, small_synth, neo4j_config):
    data = tmp_path / "ids"
    back = hostile_ids(small_synth, data)
    kpgraph.validate(data)
    clean = kpgraph.flags(small_synth)
    local = kpgraph.flags(data)
    assert clean and _named(local, back) == _named(clean)
    kpgraph.load(data, backend="neo4j", neo4j=neo4j_config)
    remote = kpgraph.flags(backend="neo4j", neo4j=neo4j_config)
    assert [f.as_dict() for f in remote] == [f.as_dict() for f in local]
    from kpgraph.routes import risky_origins

    origins = risky_origins(kpgraph.open_graph(data))
    for origin in [*origins[:3], None]:
        kw = {"origin": origin, "round_trips": origin is None, "limit": None}
        here = kpgraph.api.routes(data, **kw)
        assert here, origin
        # the same routes, with the same scores (ties are ordered by id, which changed)
        assert sorted(([back[s] for s in r.shipments], r.score) for r in here) == sorted(
            (r.shipments, r.score) for r in kpgraph.api.routes(small_synth, **kw)), origin
        there = kpgraph.api.routes(backend="neo4j", neo4j=neo4j_config, **kw)
        assert [r.as_dict() for r in there] == [r.as_dict() for r in here], origin


def blank_optional_cells(src: Path, out: Path, rate: float, seed: int) -> Path:
    """A copy of the dataset ``src`` with about ``rate`` of the cells of every optional
    column (keys excepted) emptied."""
    from kpgraph.contract import contract

    rnd = random.Random(seed)
    out.mkdir()
    for name, table in contract().tables.items():
        if not (src / f"{name}.csv").exists():
            continue
        frame = pd.read_csv(src / f"{name}.csv", dtype=str, keep_default_na=False)
        for col in frame.columns:
            if col not in table.required_columns and col not in table.key:
                frame.loc[[rnd.random() < rate for _ in range(len(frame))], col] = ""
        frame.to_csv(out / f"{name}.csv", index=False)
    return out


@pytest.mark.neo4j
def test_missing_values_give_the_same_findings_and_routes_on_both_backends(
        tmp_path, small_synth, neo4j_config):
    # Cypher's nulls and pandas' missing values follow different rules (comparisons,
    # sums, grouping): with 30 % of every optional cell empty, both must still agree
    data = blank_optional_cells(small_synth, tmp_path / "gaps", 0.3, 5)
    local = kpgraph.flags(data)
    kpgraph.load(data, backend="neo4j", neo4j=neo4j_config)
    remote = kpgraph.flags(backend="neo4j", neo4j=neo4j_config)
    assert local and [f.as_dict() for f in remote] == [f.as_dict() for f in local]
    assert local != kpgraph.flags(small_synth)
    from kpgraph.routes import risky_origins

    for origin in [*risky_origins(kpgraph.open_graph(data))[:3], None]:
        kw = {"origin": origin, "round_trips": origin is None, "limit": None}
        here = kpgraph.api.routes(data, **kw)
        there = kpgraph.api.routes(backend="neo4j", neo4j=neo4j_config, **kw)
        assert here and [r.as_dict() for r in there] == [r.as_dict() for r in here], origin
    # a query that groups on a value that may be missing (the declared origin)
    from .test_queries import assert_same_rows

    s = kpgraph.open_graph(data).shipments
    unknown = 0
    for hub in s.loc[s["declared_origin"] == "MIXED", "exporter_id"].value_counts().index[:3]:
        here = kpgraph.run_query("hub_origin_balance", {"company_id": hub}, path=data)
        there = kpgraph.run_query("hub_origin_balance", {"company_id": hub},
                                  backend="neo4j", neo4j=neo4j_config)
        assert here
        assert_same_rows(there, here)
        unknown += sum(r["origin"] is None for r in here)
    assert unknown
