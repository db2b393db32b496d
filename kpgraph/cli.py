"""The ``kpgraph`` command. Each command parses, calls one API function, and prints.

kpgraph's typed errors become exit codes here and nowhere else (see :mod:`kpgraph.errors`):
1 invalid data, 2 usage, 3 Neo4j unreachable or refusing, 4 Neo4j failed while working.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
import time
import warnings

import click

from . import __version__, api
from .errors import InvalidDataError, KpgraphError, KpgraphWarning
from .formats import FORMATS, render, terminal_text

__all__ = ["main"]

DEMO_DIR = "datasets/demo"


class _Fail(click.ClickException):
    """A ClickException with our exit code."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


def handle_errors(fn):
    """Map kpgraph's typed errors to one clear line (or a list of violations) and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InvalidDataError as exc:
            for v in exc.violations:
                click.echo(terminal_text(str(v)), err=True)
            shown = len(exc.violations)
            more = f" ({exc.total - shown} more not shown)" if exc.total > shown else ""
            raise _Fail(f"{exc.total} violation(s){more}; nothing was loaded", 1) from None
        except KpgraphError as exc:
            raise _Fail(terminal_text(str(exc)), exc.exit_code) from None

    wrapper.maps_errors = True  # every command has it (tests/test_cli.py)
    return wrapper


def _country_code(_ctx, _param, value):
    """An ISO3 code as the data contract writes it (``cog`` is ``COG``)."""
    return value.strip().upper() if value is not None and len(value.strip()) == 3 else value


def output_options(fn):
    """The shared ``--format table|csv|json`` option."""
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
                        show_default=True, help="Output format.")(fn)


def period_options(fn):
    """The shared ``--since DATE`` and ``--until DATE`` options (shipping days); a period
    that ends before it begins is a usage error, not an empty answer."""

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        since, until = kwargs.get("since"), kwargs.get("until")
        if since is not None and until is not None and since > until:
            raise click.UsageError(f"--since {since:%Y-%m-%d} is after --until {until:%Y-%m-%d}")
        return fn(*args, **kwargs)

    checked = click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None,
                           help="Last shipping day (YYYY-MM-DD).")(checked)
    return click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
                        help="First shipping day (YYYY-MM-DD).")(checked)


def backend_options(fn):
    """``--backend`` and the Neo4j connection (from NEO4J_* variables, or a prompt)."""

    @click.option("--backend", type=click.Choice(api.BACKENDS), default="embedded",
                  show_default=True, envvar="KPGRAPH_BACKEND",
                  help="Where the data lives: in process (embedded) or in Neo4j.")
    @click.option("--ask-password", is_flag=True,
                  help="Prompt for the Neo4j password instead of reading NEO4J_PASSWORD.")
    @functools.wraps(fn)
    def wrapper(*args, backend, ask_password, **kwargs):
        neo4j = None
        if backend == "neo4j":
            from .neo4j.config import Neo4jConfig

            password = (click.prompt("Neo4j password", hide_input=True, err=True)
                        if ask_password else None)
            # read before the command's own error handling: a bad setting maps here
            neo4j = handle_errors(Neo4jConfig.from_env)(password=password)
        return fn(*args, backend=backend, neo4j=neo4j, **kwargs)

    return wrapper


def _emit(rows, fmt: str) -> None:
    click.echo(render(rows, fmt), nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kpgraph")
def main():
    """kpgraph: find laundering routes and red flags in Kimberley Process trade data."""
    # The driver logs each retry and lost connection; kpgraph reports the outcome once, as
    # one line with its exit code, so those records must not reach the terminal.
    quiet = logging.getLogger("neo4j")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    warnings.showwarning = _show_warning


_python_show_warning = warnings.showwarning


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """kpgraph's own warnings as one line on stderr; others as Python shows them."""
    if issubclass(category, KpgraphWarning):
        click.echo(f"kpgraph: warning: {message}", err=True)
    else:
        _python_show_warning(message, category, filename, lineno, file, line)


@main.command("investigate")
@click.argument("data", required=False, type=click.Path(file_okay=False, path_type=str))
@click.option("--out", default="kpgraph-report", show_default=True,
              type=click.Path(file_okay=False, path_type=str),
              help="The report folder (replaced only if it holds an earlier report).")
@period_options
@click.option("--top", type=click.IntRange(min=1, max=100), default=10, show_default=True,
              help="How many routes and findings get a view and an evidence bundle.")
@backend_options
@output_options
@handle_errors
def investigate_cmd(data, out, since, until, top, backend, neo4j, fmt):
    """Run the whole investigation on DATA (default: the bundled demo) and write an offline
    report (OUT/index.html), OUT/findings.json, route views and evidence bundles.

    Validates and loads the data, then runs routes from every risky origin and the round
    trips, every red-flag rule and the KP statistics rules, brokers and hubs, and audit
    priorities; prints the counts per typology and the report's path.
    """
    t0 = time.perf_counter()

    def progress(step):
        click.echo(f"[{time.perf_counter() - t0:6.1f} s] {step}...", err=True)

    result = api.investigate(data, out=out, backend=backend, neo4j=neo4j, since=since,
                             until=until, top=top, progress=progress)
    rows = [{"typology": k, "findings": v} for k, v in sorted(
        result["by_typology"].items(), key=lambda kv: (-kv[1], kv[0]))]
    rows.append({"typology": "routes flagged", "findings": result["flagged_routes"]})
    _emit(rows, fmt)
    click.echo(f"report: {result['report']} ({time.perf_counter() - t0:.1f} s)", err=True)


@main.command()
@click.argument("data", type=click.Path(file_okay=False, path_type=str))
@click.option("--require", type=click.Choice(["trade", "statistics"]), default=None,
              help="Which files must be present (default: statistics if the folder has only "
                   "statistics files, else trade).")
@click.option("--max-errors", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Print at most this many violations (all are counted).")
@handle_errors
def validate(data, require, max_errors):
    """Check the dataset folder DATA against the data contract.

    Prints every violation as FILE:LINE:COLUMN: REASON and exits 1 if there is any.
    """
    ds = api.validate(data, require=require, max_errors=max_errors)
    rows = sum(len(f) for f in ds.frames.values())
    click.echo(f"{data}: valid ({len(ds.frames)} files, {rows:,} rows)")


@main.command()
@click.argument("data", required=False, type=click.Path(file_okay=False, path_type=str))
@backend_options
@output_options
@handle_errors
def info(data, backend, neo4j, fmt):
    """Count nodes per label and relationships per type in DATA (or in Neo4j, and say
    which datasets it was loaded from)."""
    counts = api.info(data, backend=backend, neo4j=neo4j)
    rows = ([{"kind": "node", "name": k, "count": v} for k, v in counts["nodes"].items()]
            + [{"kind": "relationship", "name": k, "count": v}
               for k, v in counts["relationships"].items()])
    _emit(rows, fmt)
    if backend == "neo4j":
        for d in api.loaded_datasets(neo4j) or [{"source": None, "fingerprint": None}]:
            click.echo(terminal_text(f"dataset: {d['source']} (SHA-256 {d['fingerprint']})"
                                     if d["fingerprint"] else
                                     "dataset: none recorded (no kpgraph load wrote this "
                                     "data)"), err=True)


@main.command()
@click.argument("data", type=click.Path(file_okay=False, path_type=str))
@backend_options
@click.option("--batch-size", type=click.IntRange(min=1), default=None,
              help="Rows per Neo4j write transaction.")
@click.option("--add", is_flag=True,
              help="Add DATA's new rows to a Neo4j database that holds another dataset "
                   "(rows whose key exists keep their values; route links and company flows "
                   "are each dataset's own).")
@click.option("--replace", is_flag=True,
              help="Delete what earlier loads wrote to the Neo4j database, then load DATA.")
@output_options
@handle_errors
def load(data, backend, neo4j, batch_size, add, replace, fmt):
    """Validate DATA, then load it into the backend (idempotent)."""
    bar = _ProgressBar()
    try:
        counts = api.load(data, backend=backend, neo4j=neo4j, progress=bar,
                          batch_size=batch_size, add=add, replace=replace)
    finally:
        bar.close()
    rows = ([{"kind": "node", "name": k, "count": v} for k, v in counts["nodes"].items()]
            + [{"kind": "relationship", "name": k, "count": v}
               for k, v in counts["relationships"].items()])
    _emit(rows, fmt)


@main.command()
@click.argument("out", type=click.Path(file_okay=False, path_type=str))
@click.option("--shipments", type=click.IntRange(min=1), default=20_000, show_default=True,
              help="About how many shipments to generate.")
@click.option("--seed", type=click.IntRange(min=0), default=7, show_default=True,
              help="Random seed: the same seed gives the same files.")
@handle_errors
def synth(out, shipments, seed):
    """Write a synthetic dataset with planted schemes (and ground_truth.json) to OUT."""
    truth = api.synth(out, shipments=shipments, seed=seed)
    click.echo(f"{out}: {len(truth['schemes'])} planted schemes (seed {seed})")


@main.command("flags")
@click.argument("data", required=False, type=click.Path(file_okay=False, path_type=str))
@click.option("--rule", "rules", multiple=True, metavar="ID",
              help="Run only this rule (repeat for more); default: every rule.")
@period_options
@click.option("--list", "list_rules", is_flag=True, help="List the rules and exit.")
@click.option("--docs", "docs", is_flag=True,
              help="Print the rules' reference (docs/rules.md) as Markdown and exit.")
@backend_options
@output_options
@handle_errors
def flags_cmd(data, rules, since, until, list_rules, docs, backend, neo4j, fmt):
    """Run the red-flag rules on DATA and print their findings, most severe first.

    JSON output is the data contract's findings format.
    """
    if docs:
        from .rules.reference import to_markdown

        click.echo(to_markdown(), nl=False)
        return
    if list_rules:
        from .rules import all_rules

        _emit([{"rule": r.id, "typology": r.typology, "parameters": r.params,
                "query": r.query, "serves": r.serves} for r in all_rules().values()], fmt)
        return
    findings = api.flags(data, rules=list(rules) or None, since=since, until=until,
                         backend=backend, neo4j=neo4j)
    if fmt == "json":
        _emit([f.as_dict() for f in findings], fmt)
    else:
        _emit([{"id": f.id, "rule": f.rule, "typology": f.typology,
                "severity": f.severity, "from": f.period["from"], "to": f.period["to"],
                "summary": f.summary} for f in findings], fmt)


@main.command("routes")
@click.argument("data", required=False, type=click.Path(file_okay=False, path_type=str))
@click.option("--origin", metavar="ISO3", default=None, callback=_country_code,
              help="Start at companies of this country, or at rough declared from it.")
@click.option("--round-trips", is_flag=True,
              help="Instead of an origin: chains of shipments that return to where they began.")
@click.option("--to", metavar="ISO3|COMPANY", default=None,
              help="End in this country or at this company (default: anywhere).")
@click.option("--via", type=click.Choice(api.ROUTE_VIA), default="either",
              show_default=True,
              help="Pass a transit hub, a polishing centre, either of them, or anything.")
@click.option("--max-hops", type=int, default=6, show_default=True,
              help="At most this many shipments (1-10).")
@click.option("--window-days", type=int, default=120, show_default=True,
              help="Days allowed between one shipment and the next (0-180).")
@click.option("--tolerance", type=float, default=10.0, show_default=True,
              help="Largest ratio of carats between one shipment and the next (1-10).")
@period_options
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True,
              help="Print the best N routes.")
@click.option("--distinct", is_flag=True,
              help="Keep the best route of each chain of companies (the same companies in "
                   "the same order), with the number of routes found along it.")
@backend_options
@output_options
@handle_errors
def routes_cmd(data, origin, round_trips, to, via, max_hops, window_days, tolerance, since,
               until, limit, distinct, backend, neo4j, fmt):
    """Find laundering routes in DATA: time-respecting chains of shipments from an origin
    through transit hubs and polishing centres, ranked by a score with its reasons.

    JSON output gives each route's shipments, companies, hubs, dates, carats, values,
    score and reasons (and with --distinct, same_companies: the routes found along its
    chain of companies).
    """
    found = api.routes(data, origin=origin, to=to, via=via, max_hops=max_hops,
                       window_days=window_days, tolerance=tolerance, since=since,
                       until=until, limit=limit, round_trips=round_trips, distinct=distinct,
                       backend=backend, neo4j=neo4j)
    if fmt == "json":
        _emit([r.as_dict() for r in found], fmt)
    else:
        _emit([{"id": r.id, "score": r.score, "from": r.dates[0], "to": r.dates[-1],
                "shipments": len(r.shipments), "companies": " > ".join(r.companies),
                **({"routes": r.same_companies} if distinct else {}),
                "hubs": ", ".join(r.hubs),
                "reasons": ", ".join(dict.fromkeys(x["code"] for x in r.reasons))}
               for r in found], fmt)


@main.command("stats")
@click.argument("data", required=False, type=click.Path(file_okay=False, path_type=str))
@backend_options
@output_options
@handle_errors
def stats_cmd(data, backend, neo4j, fmt):
    """Run the KP statistics rules on DATA (a folder with countries.csv and
    kp_statistics.csv is enough) and print the anomalies, most severe first."""
    findings = api.stats(data, backend=backend, neo4j=neo4j)
    if fmt == "json":
        _emit([f.as_dict() for f in findings], fmt)
    else:
        _emit([{"rule": f.rule, "country": ", ".join(f.entities["countries"]),
                "severity": f.severity, "from": f.period["from"], "to": f.period["to"],
                "summary": f.summary} for f in findings], fmt)


@main.command("centrality")
@click.argument("data", required=False, type=click.Path(file_okay=False, path_type=str))
@click.option("--measure", type=click.Choice(api.MEASURES), default="betweenness",
              show_default=True, help="What to compute.")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True,
              help="How many companies to print.")
@click.option("--k", type=click.IntRange(min=1), default=None,
              help="Sample this many sources for betweenness (default: exact below "
                   "5,000 companies, else 512).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed for betweenness sampling and community detection.")
@period_options
@click.option("--commodity", type=click.Choice(["rough", "polished"]), default=None,
              help="Only rough or only polished trade.")
@backend_options
@output_options
@handle_errors
def centrality_cmd(data, measure, top, k, seed, since, until, commodity, backend, neo4j,
                   fmt):
    """Rank the companies of DATA's trade network by a centrality measure."""
    rows, meta = api.centrality(data, measure=measure, top=top, k=k, seed=seed, since=since,
                                until=until, commodity=commodity, backend=backend,
                                neo4j=neo4j)
    _emit(rows, fmt)
    if fmt == "table":
        click.echo("; ".join(f"{a}: {b}" for a, b in meta.items()), err=True)


@main.command("audit-priorities")
@click.argument("data", required=False, type=click.Path(file_okay=False, path_type=str))
@click.option("--top", type=click.IntRange(min=1), default=50, show_default=True,
              help="How many companies to print.")
@click.option("--k", type=click.IntRange(min=1), default=None,
              help="Betweenness sample size (default: exact below 5,000 companies).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Sampling seed.")
@backend_options
@output_options
@handle_errors
def audit_priorities_cmd(data, top, k, seed, backend, neo4j, fmt):
    """Rank companies for audit: centrality x volume x (1 + open findings) x audit gap."""
    rows, meta = api.audit_priorities(data, top=top, k=k, seed=seed, backend=backend,
                                      neo4j=neo4j)
    _emit(rows, fmt)
    if fmt == "table":
        how = ", ".join(f"{a} {b}" for a, b in meta["betweenness"].items())
        never = any(r["years_since_audit"] is None for r in rows)
        click.echo(f"betweenness: {how}"
                   + ("; years_since_audit blank: never audited" if never else ""), err=True)


@main.command("view")
@click.argument("data", required=False, type=click.Path(file_okay=False, path_type=str))
@click.option("--around", metavar="COMPANY", help="Centre the view on this company id.")
@click.option("--hops", type=click.IntRange(min=0), default=2, show_default=True,
              help="Trade hops around the company.")
@click.option("--country", metavar="ISO3", callback=_country_code,
              help="Show a country's companies and their direct trade partners.")
@click.option("--finding", metavar="ID",
              help="Show what a finding names (ids: kpgraph flags --format json).")
@click.option("--route", metavar="ID|S1,S2,…",
              help="Show a route in order (ids: kpgraph routes), or a chain of shipment ids.")
@period_options
@click.option("--max-nodes", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Refuse a bigger view (and say how to narrow it).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="The HTML file to write.")
@backend_options
@handle_errors
def view(data, around, hops, country, finding, route, since, until, max_nodes, out, backend,
         neo4j):
    """Write an interactive network view (one offline HTML file) of part of DATA."""
    result = api.view(out, path=data, around=around, hops=hops, country=country,
                      since=since, until=until, max_nodes=max_nodes, backend=backend,
                      neo4j=neo4j, finding=finding, route=route)
    click.echo(f"{out}: {len(result['nodes'])} companies, {len(result['edges'])} trade links")


@main.command("export")
@click.argument("data", required=False, type=click.Path(file_okay=False, path_type=str))
@click.option("--around", metavar="COMPANY", help="Select the companies around this one.")
@click.option("--hops", type=click.IntRange(min=0), default=2, show_default=True,
              help="Trade hops around the company.")
@click.option("--query", metavar="NAME", help="Select what a canned query returns.")
@click.option("--finding", metavar="ID",
              help="Select what a finding names (ids: kpgraph flags --format json).")
@click.option("--route", metavar="ID|S1,S2,…",
              help="Select a route (ids: kpgraph routes), or a chain of shipment ids.")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter of --query (repeat for more).")
@period_options
@click.option("--out", required=True, type=click.Path(path_type=str),
              help="A new folder, or FILE.zip.")
@click.option("--format", "formats", default=",".join(("graphml", "gexf", "csv", "json",
                                                        "cypher", "ftm", "html")),
              show_default=True, help="Comma-separated formats to write.")
@backend_options
@handle_errors
def export(data, around, hops, query, finding, route, params, since, until, out, formats,
           backend, neo4j):
    """Export a selection of DATA as an evidence bundle with a verifiable manifest."""
    import hashlib
    import shlex

    command = shlex.join(["kpgraph", *sys.argv[1:]]) if sys.argv[1:2] == ["export"] else ""
    manifest = api.export(out, path=data, around=around, hops=hops, query=query,
                          params=dict(_param(p) for p in params), since=since, until=until,
                          formats=[f.strip() for f in formats.split(",") if f.strip()],
                          backend=backend, neo4j=neo4j, command=command, finding=finding,
                          route=route)
    raw = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    click.echo(f"{out}: {len(manifest['files'])} files, {manifest['counts']['nodes']} nodes, "
               f"{manifest['counts']['relationships']} relationships")
    click.echo(f"manifest sha256: {hashlib.sha256(raw.encode('utf-8')).hexdigest()}")


@main.command()
@click.argument("bundle", type=click.Path(path_type=str))
@handle_errors
def verify(bundle):
    """Check an evidence bundle (folder or zip) against its manifest; exit 0 if intact."""
    report = api.verify(bundle)
    for line in report.lines():  # names from the bundle, which may be hostile
        click.echo(terminal_text(line))
    click.echo(f"manifest sha256: {report.manifest_sha256}")
    if not report.intact:
        raise _Fail(f"{bundle}: NOT intact ({len(report.lines())} problem(s))", 1)
    click.echo(f"{bundle}: intact ({report.checked} files checked)")


@main.command("bulk-export")
@click.argument("data", type=click.Path(file_okay=False, path_type=str))
@click.argument("out", type=click.Path(file_okay=False, path_type=str))
@click.option("--database", default="neo4j", show_default=True,
              help="The database the import builds.")
@click.option("--import-path", default=None,
              help="Where OUT is as neo4j-admin sees it (e.g. /import in a container).")
@click.option("--neo4j-admin", "admin", default="neo4j-admin", show_default=True,
              help="The neo4j-admin executable to name in the printed command.")
@handle_errors
def bulk_export(data, out, database, import_path, admin):
    """Validate DATA and write neo4j-admin bulk-import files to OUT; print the command.

    For a first load of millions of rows into a stopped, empty Neo4j. Start the server on
    the new store, then run `kpgraph load --backend neo4j DATA` once to add the
    constraints and indexes (it skips every row, which all exist).
    """
    import shlex

    plan, argv = api.bulk_export(data, out, database=database, folder=import_path,
                                 neo4j_admin=admin)
    click.echo(f"{out}: {len(plan.nodes)} node files, {len(plan.relationships)} "
               "relationship files; with the database stopped, run:", err=True)
    click.echo(shlex.join(argv))


@main.group()
def query():
    """Canned Cypher queries from cypher/: list, show and run them."""


@query.command("list")
@output_options
@handle_errors
def query_list(fmt):
    """List the canned queries with their one-line descriptions."""
    from .queries import pack

    _emit([{"name": q.name, "description": q.description} for q in pack().values()], fmt)


@query.command("show")
@click.argument("name")
@handle_errors
def query_show(name):
    """Print a canned query: its header (parameters, columns) and its Cypher."""
    from .queries import get

    click.echo(get(name).text, nl=False)


def _param(value: str) -> tuple[str, str]:
    key, sep, val = value.partition("=")
    if not sep or not key:
        raise click.BadParameter(f"{value!r} is not key=value", param_hint="-p")
    return key, val


@query.command("run")
@click.argument("name")
@click.argument("data", required=False, type=click.Path(file_okay=False, path_type=str))
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A query parameter (repeat for more); typed from the query's header.")
@backend_options
@output_options
@handle_errors
def query_run(name, data, params, backend, neo4j, fmt):
    """Run the canned query NAME on DATA (embedded) or on Neo4j (--backend neo4j)."""
    given = dict(_param(p) for p in params)
    _emit(api.run_query(name, given, path=data, backend=backend, neo4j=neo4j), fmt)


@main.command("cypher")
@click.argument("text")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter; the value is read as JSON when it parses (2021, 1.5, "
                   "[\"a\"], null), else as text. Use date($d) in the query for dates.")
@click.option("--write", is_flag=True,
              help="Run in a write transaction (default: read, so nothing can change).")
@click.option("--ask-password", is_flag=True,
              help="Prompt for the Neo4j password instead of reading NEO4J_PASSWORD.")
@output_options
@handle_errors
def cypher_cmd(text, params, write, ask_password, fmt):
    """Run ad-hoc Cypher TEXT on Neo4j (read-only unless --write)."""
    import json

    from .neo4j.config import Neo4jConfig

    def value(v: str):
        try:
            return json.loads(v)
        except ValueError:
            return v

    given = {k: value(v) for k, v in map(_param, params)}
    password = (click.prompt("Neo4j password", hide_input=True, err=True)
                if ask_password else None)
    rows = api.run_cypher(text, given, write=write,
                          neo4j=Neo4jConfig.from_env(password=password))
    _emit(rows, fmt)


@main.command("contract")
@handle_errors
def contract_cmd():
    """Print the data contract (tables, columns, rules, graph model) as Markdown."""
    from .contract import to_markdown

    click.echo(to_markdown(), nl=False)


class _ProgressBar:
    """Renders the loader's (table, done, total) callbacks as click progress bars."""

    def __init__(self):
        self._table = None
        self._bar = None
        self._done = 0

    def __call__(self, table: str, done: int, total: int) -> None:
        if table != self._table:
            self.close()
            self._table = table
            self._done = 0
            self._bar = click.progressbar(length=max(total, 1), label=f"{table:<20}",
                                          file=sys.stderr, show_pos=True)
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


if __name__ == "__main__":  # pragma: no cover
    main()
