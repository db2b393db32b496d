"""Shared fixtures. The Neo4j server fixture lives in tests/neo4j_server/fixture.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kpgraph.synthetic import synth

CORPUS = Path(__file__).parent / "corpus"
BASE = CORPUS / "base"

# one browser for the session: a second sync Playwright in the same thread cannot start
pytest_plugins = ["tests.neo4j_server.fixture", "tests.browser"]


@pytest.fixture
def base_copy(tmp_path) -> Path:
    """A writable copy of the small valid hand-made dataset."""
    out = tmp_path / "base"
    shutil.copytree(BASE, out)
    return out


@pytest.fixture(scope="session")
def small_synth(tmp_path_factory) -> Path:
    """A synthetic dataset of about 3,000 shipments (seed 11)."""
    out = tmp_path_factory.mktemp("synth") / "small"
    synth(out, shipments=3000, seed=11)
    return out


class _Result:
    def __init__(self, exit_code, stdout, stderr):
        self.exit_code, self.stdout, self.stderr = exit_code, stdout, stderr


@pytest.fixture
def cli():
    """Run the kpgraph command in process; returns exit code, stdout and stderr apart."""
    from click.testing import CliRunner

    from kpgraph.cli import main

    def run(*args, env=None, input=None):
        runner = CliRunner()
        r = runner.invoke(main, list(args), env=env, input=input, catch_exceptions=False)
        return _Result(r.exit_code, r.stdout, r.stderr)

    return run
