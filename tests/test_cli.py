"""The command line: every command has help and a README entry; output formats; exit codes."""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
import shutil
import zipfile
from pathlib import Path

import click
import pytest

from kpgraph.cli import main
from kpgraph.contract import to_markdown

ROOT = Path(__file__).parent.parent
BASE = Path(__file__).parent / "corpus" / "base"


def _commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))


COMMANDS = sorted(_commands(main), key=lambda x: x[0])


@pytest.mark.parametrize("path,cmd", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_help_and_readme_docs(cli, path, cmd):
    assert cmd.help and len(cmd.help.strip()) > 20
    result = cli(*path, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    readme = (ROOT / "README.md").read_text("utf-8")
    assert f"kpgraph {' '.join(path)}" in readme, f"README does not document {path}"


@pytest.mark.parametrize("path,cmd", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_maps_errors_to_a_line_and_an_exit_code(path, cmd):
    assert isinstance(cmd, click.Group) or getattr(cmd.callback, "maps_errors", False), path


def test_a_broken_query_file_of_a_team_is_named_not_a_traceback(cli, tmp_path):
    (tmp_path / "ours.cypher").write_text("// name: ours\n// description: [unclosed\n"
                                          "MATCH (n) RETURN n\n")
    r = cli("query", "list", env={"KPGRAPH_QUERY_PATH": str(tmp_path)})
    assert r.exit_code == 2 and "ours.cypher: header is not valid YAML" in r.stderr
    (tmp_path / "ours.cypher").write_text("// name: top_exporters\n// description: x\n"
                                          "// returns: [n]\nMATCH (n) RETURN 1 AS n\n")
    r = cli("query", "list", env={"KPGRAPH_QUERY_PATH": str(tmp_path)})
    assert r.exit_code == 2 and "does not match the file name" in r.stderr
    r = cli("query", "list", env={"KPGRAPH_QUERY_PATH": str(tmp_path / "nope")})
    assert r.exit_code == 2 and "is not a folder" in r.stderr


def test_contract_docs_are_generated_from_the_schema():
    assert (ROOT / "docs" / "data-contract.md").read_text("utf-8") == to_markdown()


def test_info_formats(cli):
    table = cli("info", str(BASE)).stdout
    assert "Shipment" in table and "EXPORTED" in table
    rows = list(csv.DictReader(io.StringIO(cli("info", str(BASE), "--format", "csv").stdout)))
    assert {"kind": "node", "name": "Shipment", "count": "5"} in rows
    data = json.loads(cli("info", str(BASE), "--format", "json").stdout)
    assert {"kind": "relationship", "name": "COVERED_BY", "count": 3} in data


def test_unknown_option_is_a_usage_error(cli):
    assert cli("info", str(BASE), "--format", "xml").exit_code == 2
    assert cli("info", str(BASE), "--backend", "oracle").exit_code == 2


def test_synth_then_validate(cli, tmp_path):
    out = tmp_path / "d"
    r = cli("synth", str(out), "--shipments", "800", "--seed", "2")
    assert r.exit_code == 0 and "planted schemes" in r.stdout
    r = cli("validate", str(out))
    assert r.exit_code == 0 and "valid" in r.stdout
    again = cli("synth", str(out), "--shipments", "800", "--seed", "3")  # replaces it
    assert again.exit_code == 0 and "seed 3" in again.stdout
    assert cli("synth", str(out), "--seed", "-1").exit_code == 2


def test_a_period_that_ends_before_it_begins_is_a_usage_error(cli):
    for cmd in (("flags",), ("routes", "--origin", "CAF"), ("centrality",)):
        r = cli(*cmd, str(BASE), "--since", "2022-01-01", "--until", "2021-01-01")
        assert r.exit_code == 2 and "is after --until" in r.stderr, cmd


def test_country_codes_are_read_in_any_case(cli):
    upper = cli("routes", str(BASE), "--origin", "CAF", "--format", "json")
    lower = cli("routes", str(BASE), "--origin", "caf", "--format", "json")
    assert upper.exit_code == lower.exit_code == 0 and upper.stdout == lower.stdout


def test_synth_never_writes_over_real_data(cli, tmp_path):
    real = tmp_path / "real"
    shutil.copytree(BASE, real)
    before = {p.name: p.read_bytes() for p in real.iterdir()}
    r = cli("synth", str(real), "--shipments", "800")
    assert r.exit_code == 2 and "ground_truth.json" in r.stderr
    assert {p.name: p.read_bytes() for p in real.iterdir()} == before


def test_embedded_load_reports_counts(cli):
    r = cli("load", str(BASE), "--format", "json")
    assert r.exit_code == 0
    assert {"kind": "node", "name": "Company", "count": 5} in json.loads(r.stdout)


# Commands that read a dataset folder but never a backend: checking files, writing files.
FILE_ONLY = {("validate",), ("bulk-export",)}


@pytest.mark.parametrize("path,cmd", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_commands_that_touch_data_take_a_backend(path, cmd):
    names = {p.name for p in cmd.params}
    if "data" in names and path not in FILE_ONLY:
        assert "backend" in names, f"kpgraph {' '.join(path)} lacks --backend"


def _readme_demo_examples() -> list[str]:
    """The README's example commands on the bundled demo (embedded backend)."""
    text = (ROOT / "README.md").read_text("utf-8")
    lines = [line.split(" #")[0].strip() for block in re.findall(r"```bash\n(.*?)```", text,
                                                                  re.S)
             for line in block.splitlines()]
    return [line for line in lines if "datasets/demo" in line and "neo4j" not in line]


@pytest.mark.parametrize("line", _readme_demo_examples())
def test_the_readme_examples_on_the_demo_work_and_find_something(cli, tmp_path, line,
                                                                   monkeypatch):
    # ids in examples go stale when the demo is regenerated: a view of one company, a
    # query with no rows, would still exit 0
    monkeypatch.chdir(ROOT)
    args = shlex.split(line)
    args = args[args.index("kpgraph") + 1:]
    if "--out" in args:
        at = args.index("--out") + 1
        args[at] = str(tmp_path / args[at])
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    assert "(no rows)" not in result.stdout and result.stdout.strip() != "[]"
    drawn = re.search(r"(\d+) companies, (\d+) trade links", result.stdout)
    if args[0] == "view":
        assert drawn and int(drawn.group(1)) > 1 and int(drawn.group(2)) > 0
    if args[0] == "export":
        out = Path(args[args.index("--out") + 1])
        manifest = json.loads(zipfile.ZipFile(out).read("manifest.json") if out.suffix == ".zip"
                              else (out / "manifest.json").read_text("utf-8"))
        assert manifest["counts"]["relationships"] > 0


def test_the_readme_python_api_example_runs(tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text("utf-8")
    section = text[text.index("## Python API"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(tmp_path)  # it writes out/demo, view.html, case.zip, report/
    scope: dict = {}
    exec(compile(code, "README.md (Python API)", "exec"), scope)
    assert scope["findings"] and scope["found"] and scope["summary"]["flagged_routes"] > 0
    assert all(r.same_companies >= 1 for r in scope["found"])
    assert (tmp_path / "case.zip").exists() and (tmp_path / "report" / "index.html").exists()
