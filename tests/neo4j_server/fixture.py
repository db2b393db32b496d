"""pytest fixtures for the real Neo4j (see server.py): one server per test session.

``neo4j_server`` starts it on first use and stops it at the end. ``neo4j_config`` gives a
test a clean database: every node, relationship, constraint and index is removed first.
With ``CI=true`` or ``KPGRAPH_REQUIRE_NEO4J=1`` a server that cannot start fails the run;
only a developer's bare run skips, and says why.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kpgraph.neo4j.config import Neo4jConfig

from . import server as server_mod


def _required() -> bool:
    return (os.environ.get("CI", "").lower() == "true"
            or os.environ.get("KPGRAPH_REQUIRE_NEO4J") == "1")


@pytest.fixture(scope="session")
def neo4j_server():
    ctx = server_mod.start()
    try:
        srv = ctx.__enter__()
    except server_mod.ServerError as exc:
        if _required():
            pytest.fail(f"the test Neo4j is required here (CI) but did not start: {exc}",
                        pytrace=False)
        pytest.skip(f"no test Neo4j (set KPGRAPH_REQUIRE_NEO4J=1 to fail instead): {exc}")
    try:
        yield srv
    finally:
        ctx.__exit__(None, None, None)


_LOADED: dict[str, str | None] = {"path": None}


def load_once(srv, path) -> None:
    """Make the server hold exactly the dataset at ``path`` (reloading only if needed)."""
    import kpgraph

    if _LOADED["path"] == str(path):
        return
    wipe(srv)
    cfg = srv.config()
    kpgraph.load(path, backend="neo4j", neo4j=cfg)
    _LOADED["path"] = str(path)


def wipe(srv) -> None:
    from neo4j import GraphDatabase

    _LOADED["path"] = None
    with GraphDatabase.driver(srv.uri, auth=(srv.user, srv.password)) as driver:
        with driver.session(database="neo4j") as s:
            s.run("CALL gds.graph.list() YIELD graphName "
                  "CALL gds.graph.drop(graphName, false) YIELD graphName AS dropped "
                  "RETURN count(*)").consume()
            s.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
                  ).consume()
            for rec in list(s.run("SHOW CONSTRAINTS YIELD name")):
                s.run("DROP CONSTRAINT $name", name=rec["name"]).consume()
            for rec in list(s.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'")):
                s.run("DROP INDEX $name", name=rec["name"]).consume()


@pytest.fixture
def neo4j_config(neo4j_server) -> Neo4jConfig:
    """Connection settings for a clean database on the test server."""
    wipe(neo4j_server)
    return neo4j_server.config()


@pytest.fixture
def neo4j_env(neo4j_config) -> dict[str, str]:
    """The same, as the NEO4J_* variables the CLI reads."""
    return {"NEO4J_URI": neo4j_config.uri, "NEO4J_USER": neo4j_config.user,
            "NEO4J_PASSWORD": neo4j_config.password, "NEO4J_DATABASE": neo4j_config.database}


DEMO = Path(__file__).parent.parent.parent / "datasets" / "demo"

# A loader in its own process, printing its progress, for tests that kill it or run two.
LOADER = (
    "import sys, kpgraph\n"
    "from kpgraph.neo4j.config import Neo4jConfig\n"
    "cfg = Neo4jConfig(uri=sys.argv[2], user='neo4j', password=sys.argv[3])\n"
    "def progress(t, done, total):\n"
    "    print(t, done, total, flush=True)\n"
    "kpgraph.load(sys.argv[1], backend='neo4j', neo4j=cfg, progress=progress,"
    " batch_size=int(sys.argv[4]))\n"
)


@pytest.fixture(scope="session")
def demo_graph():
    """The demo dataset's graph model (embedded)."""
    import kpgraph

    return kpgraph.open_graph(DEMO)


@pytest.fixture
def demo_in_neo4j(neo4j_server) -> Neo4jConfig:
    """The test server holding exactly the demo dataset."""
    load_once(neo4j_server, DEMO)
    return neo4j_server.config()
