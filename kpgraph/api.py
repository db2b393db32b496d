"""The Python API: every CLI command is a thin wrapper over one function here.

>>> import kpgraph
>>> truth = kpgraph.synth("/tmp/kp-doctest", shipments=300, seed=1)
>>> g = kpgraph.open_graph("/tmp/kp-doctest")
>>> g.counts()["nodes"]["Shipment"] > 0
True
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from .errors import UsageError
from .graph import GraphModel
from .routes import VIA
from .stores.embedded import open_embedded
from .validate import DEFAULT_MAX_ERRORS, Dataset, read_dataset

__all__ = ["BACKENDS", "validate", "open_graph", "load", "info", "loaded_datasets", "synth",
           "run_query", "bulk_export", "run_cypher", "view", "export", "verify", "flags", "stats",
           "centrality", "audit_priorities", "MEASURES"]

MEASURES = ("betweenness", "pagerank", "weak_components", "strong_components",
            "communities", "hubs")

BACKENDS = ("embedded", "neo4j")
ROUTE_VIA = VIA
Progress = Callable[[str, int, int], None]  # (table, rows done, rows in table)


def _check_backend(backend: str) -> None:
    if backend not in BACKENDS:
        raise UsageError(f"unknown backend {backend!r}; one of {', '.join(BACKENDS)}")


def validate(path: Path | str, require: str | None = None,
             max_errors: int = DEFAULT_MAX_ERRORS) -> Dataset:
    """Check a dataset folder against the data contract; raise InvalidDataError if it breaks it."""
    return read_dataset(path, require=require, max_errors=max_errors)


def open_graph(path: Path | str | None = None, backend: str = "embedded",
               neo4j=None) -> GraphModel:
    """The graph model of a dataset folder (embedded) or of a Neo4j database."""
    _check_backend(backend)
    if backend == "embedded":
        if path is None:
            raise UsageError("the embedded backend needs a dataset folder")
        return open_embedded(path)
    from .neo4j.store import Neo4jStore

    with Neo4jStore.connect(neo4j) as store:
        return store.read_graph()


def load(path: Path | str, backend: str = "embedded", neo4j=None,
         progress: Progress | None = None, batch_size: int | None = None,
         add: bool = False, replace: bool = False) -> dict:
    """Validate a dataset, then load it into the backend; return the backend's counts.

    Validation runs first and raises before anything is written. Loading into Neo4j is
    idempotent: a second load of the same data, or a re-run after an interrupted one,
    ends with the same counts. A database holding another dataset (or data no load
    recorded) is refused unless ``add`` (a load writes only rows whose key is new: this
    dataset's new rows are added) or ``replace`` (what loads wrote is deleted first).
    """
    _check_backend(backend)
    if add and replace:
        raise UsageError("--add and --replace exclude each other")
    dataset = read_dataset(path)
    if backend == "embedded":
        return GraphModel(dataset.frames, source=str(path)).counts()
    from .neo4j.store import Neo4jStore

    # a load adds the constraints: nothing to warn about
    with Neo4jStore.connect(neo4j, check_schema=False) as store:
        if replace:
            store.clear(progress)
        store.claim(dataset_fingerprint(dataset.files), Path(path).name, add=add)
        kwargs = {} if batch_size is None else {"batch_size": batch_size}
        store.load(dataset.frames, progress=progress, **kwargs)
        return store.counts()


def dataset_fingerprint(files: dict, digests: dict | None = None) -> str:
    """One SHA-256 for a dataset: over each contract file's name, SHA-256 and size
    (``digests``: those of :func:`source_fingerprint`, when the caller has them)."""
    import hashlib
    import json

    from .evidence.bundle import source_fingerprint

    digests = digests if digests is not None else source_fingerprint(files=files)["files"]
    return hashlib.sha256(json.dumps(digests, sort_keys=True).encode()).hexdigest()


def info(path: Path | str | None = None, backend: str = "embedded", neo4j=None) -> dict:
    """Counts per node label and relationship type, in a dataset folder or in Neo4j."""
    _check_backend(backend)
    if backend == "embedded":
        if path is None:
            raise UsageError("the embedded backend needs a dataset folder")
        return open_embedded(path).counts()
    from .neo4j.store import Neo4jStore

    with Neo4jStore.connect(neo4j) as store:
        return store.counts()


def loaded_datasets(neo4j=None) -> list[dict]:
    """The datasets a Neo4j database records having loaded (fingerprint and source)."""
    from .neo4j.store import Neo4jStore

    with Neo4jStore.connect(neo4j, check_schema=False) as store:
        return store.datasets()


def synth(out: Path | str, shipments: int = 20_000, seed: int = 7) -> dict:
    """Write a synthetic dataset with planted schemes to ``out``; return its ground truth.
    ``out`` must be new, empty or an earlier synthetic dataset (it holds
    ``ground_truth.json``): its files are replaced, and real data must never be."""
    if shipments < 1:
        raise UsageError("--shipments must be at least 1")
    if seed < 0:
        raise UsageError("--seed must be 0 or more")
    out = Path(out)
    if out.is_file() or (out.is_dir() and any(out.iterdir())
                         and not (out / "ground_truth.json").is_file()):
        raise UsageError(f"{out} is not empty and holds no ground_truth.json (it is not an "
                         "earlier synthetic dataset, whose files synth would replace): "
                         "choose another folder")
    from .synthetic import synth as _synth

    return _synth(out, shipments=shipments, seed=seed)


def run_query(name: str, params: dict | None = None, path: Path | str | None = None,
              backend: str = "embedded", neo4j=None) -> list[dict]:
    """Run a canned query of ``cypher/`` by name, with parameters typed by its header.

    On Neo4j the Cypher runs in a read transaction; on the embedded store its registered
    twin computes the same rows.
    """
    from .queries import TWINS, coerce_params, get
    from .rules import all_rules

    all_rules()  # the red-flag queries' twins live with their rules
    _check_backend(backend)
    query = get(name)
    typed = coerce_params(query, params or {})
    if backend == "embedded":
        if path is None:
            raise UsageError("the embedded backend needs a dataset folder")
        if name not in TWINS:
            raise UsageError(f"query {name!r} has no embedded twin; use --backend neo4j")
        return TWINS[name](open_embedded(path), **typed)
    from .neo4j.store import Neo4jStore

    with Neo4jStore.connect(neo4j) as store:
        return store.runner.run(query.cypher, typed, mode="read")


def bulk_export(path: Path | str, out: Path | str, database: str = "neo4j",
                folder: str | None = None, neo4j_admin: str = "neo4j-admin"):
    """Validate a dataset and write it as neo4j-admin bulk-import files into ``out``.

    Returns ``(plan, argv)``: what was written and the ``neo4j-admin database import full``
    command that builds a new store from it (``folder``: where the files are as
    neo4j-admin sees them, e.g. inside a container).
    """
    from .neo4j.bulk import import_command, write_import_files

    dataset = read_dataset(path)
    plan = write_import_files(dataset.frames, out,
                              dataset=(dataset_fingerprint(dataset.files), Path(path).name))
    return plan, import_command(plan, database=database, folder=folder,
                                neo4j_admin=neo4j_admin)


def run_cypher(text: str, params: dict | None = None, write: bool = False,
               neo4j=None) -> list[dict]:
    """Ad-hoc Cypher on Neo4j: a read transaction unless ``write`` is set."""
    from .neo4j.store import Neo4jStore

    with Neo4jStore.connect(neo4j) as store:
        return store.runner.run(text, params or {}, mode="write" if write else "read")


def view(out: Path | str, path: Path | str | None = None, around: str | None = None,
         hops: int = 2, country: str | None = None, since=None, until=None,
         max_nodes: int = 2000, backend: str = "embedded", neo4j=None,
         finding: str | None = None, route: str | None = None) -> dict:
    """Write an interactive, self-contained HTML view of part of the trade network.

    Exactly one of ``around`` (a company, with ``hops``), ``country`` (an ISO3 code),
    ``finding`` (a finding's id) or ``route`` (a route's id, or shipment ids joined by
    commas) chooses the part; ``since``/``until`` bound the shipments. Returns the view data.
    """
    from .render.view import write_view
    from .selection import around_company, country_view

    if sum(x is not None for x in (around, country, finding, route)) != 1:
        raise UsageError("choose one view: --around COMPANY, --country ISO3, --finding ID or "
                         "--route ID")
    if Path(out).suffix.lower() not in (".html", ".htm"):
        # a slip of the keyboard (--out companies.csv) must not write over a data file
        raise UsageError(f"--out {str(out)!r}: a view is an HTML file; name it .html")
    g = open_graph(path, backend=backend, neo4j=neo4j)
    if route is not None:
        from .routes import find_route
        from .selection import route_view

        sub = route_view(g, find_route(g, route))
    elif finding is not None:
        sub = _finding_subgraph(g, finding)
    elif around is not None:
        sub = around_company(g, around, hops=hops, since=since, until=until)
    else:
        sub = country_view(g, country, since=since, until=until)
    return write_view(g, sub, out, max_nodes=max_nodes)


def _finding_subgraph(g: GraphModel, finding_id: str):
    """The companies and shipments a finding names."""
    from .rules import find
    from .selection import finding_view

    return finding_view(g, find(g, finding_id))


def export(out: Path | str, path: Path | str | None = None, around: str | None = None,
           hops: int = 2, query: str | None = None, params: dict | None = None,
           since=None, until=None, formats=None, backend: str = "embedded", neo4j=None,
           command: str | None = None, finding: str | None = None,
           route: str | None = None) -> dict:
    """Export a selection as an evidence bundle (a folder, or ``FILE.zip``); return its
    manifest. The selection is ``around`` a company (with ``hops``) or the entities that a
    canned ``query`` returns (the companies and shipments whose ids appear in its rows; the
    certificates and countries those name come with them)."""
    from .evidence.bundle import FORMATS
    from .queries import coerce_params, get
    from .selection import Subgraph, around_company

    formats = list(formats or FORMATS)
    g = open_graph(path, backend=backend, neo4j=neo4j)
    selection: dict = {"command": command or "", "since": _iso(since), "until": _iso(until)}
    if sum(x is not None for x in (around, query, finding, route)) != 1:
        raise UsageError("choose one selection: --around COMPANY, --query NAME -p ..., "
                         "--finding ID or --route ID")
    if route is not None:
        from .routes import find_route
        from .selection import route_view

        found = find_route(g, route)
        sub = route_view(g, found)
        companies, shipments = set(sub.companies["company_id"]), sub.shipments
        selection.update({"kind": "route", "route": found.id, "shipments": found.shipments,
                          "score": found.score})
    elif finding is not None:
        sub = _finding_subgraph(g, finding)
        companies, shipments = set(sub.companies["company_id"]), sub.shipments
        selection.update({"kind": "finding", "finding": finding})
    elif around is not None:
        sub = around_company(g, around, hops=hops, since=since, until=until)
        companies, shipments = set(sub.companies["company_id"]), sub.shipments
        selection.update({"kind": "around", "company": around, "hops": hops})
    else:
        q = get(query)
        typed = coerce_params(q, params or {})
        rows = run_query(query, params or {}, path=path, backend=backend, neo4j=neo4j)
        values = {str(v) for r in rows for v in r.values() if isinstance(v, str)}
        s = g.shipments_between(since, until)
        shipments = s[s["shipment_id"].isin(values)]
        companies = set(g.companies["company_id"]) & values
        ids = companies | set(shipments["exporter_id"]) | set(shipments["importer_id"])
        sub = Subgraph(title=f"query {query}", companies=g.companies[
            g.companies["company_id"].isin(ids)], shipments=shipments, since=since,
            until=until)
        selection.update({"kind": "query", "query": query, "query_text": q.cypher,
                          "params": {k: _iso(v) for k, v in typed.items()}})
    source = _source(g, path, backend, neo4j)
    return _bundle(g, sub, companies, shipments, out, formats, selection, source)


def _source(g: GraphModel, path, backend: str, neo4j) -> dict:
    """The fingerprint of what an export read: the input files, or the tables in Neo4j."""
    from .evidence.bundle import source_fingerprint

    if backend == "embedded":
        from .validate import find_files

        files = find_files(Path(path))
        hashed = source_fingerprint(files=files)  # each file read once
        return {"backend": "embedded", "dataset": Path(path).name,
                "dataset_fingerprint": dataset_fingerprint(files, hashed["files"]), **hashed}
    from .neo4j.store import Neo4jStore

    with Neo4jStore.connect(neo4j, check_schema=False) as store:
        loaded = store.datasets()
    # the datasets the database records having loaded: an export from Neo4j names the same
    # fingerprint as one made from the files themselves
    return {"backend": "neo4j", "database": neo4j.database if neo4j else "neo4j",
            "datasets_loaded": loaded, **source_fingerprint(frames=g.frames)}


def _bundle(g: GraphModel, sub, companies, shipments, out, formats, selection: dict,
            source: dict) -> dict:
    from .evidence.bundle import bundle_time, write_bundle
    from .evidence.graph import evidence_graph
    from .render.view import view_data

    graph = evidence_graph(g, companies, shipments)
    context = {"created": bundle_time(), "view": view_data(g, sub)}
    return write_bundle(graph, out, formats, context, selection, source)


def _iso(v):
    return v.isoformat()[:10] if hasattr(v, "isoformat") else v


def verify(path: Path | str):
    """Check an evidence bundle against its manifest; return the report."""
    from .evidence.bundle import verify_bundle

    return verify_bundle(path)


def flags(path: Path | str | None = None, rules: list[str] | None = None, since=None,
          until=None, backend: str = "embedded", neo4j=None) -> list:
    """Run red-flag rules (all by default) and return their findings, most severe first.
    On Neo4j each rule's canned query detects in the database (:mod:`kpgraph.rules.neo4j`)."""
    from .rules import run_rules

    _check_backend(backend)
    if backend == "embedded":
        return run_rules(open_graph(path), rules, since=_iso(since), until=_iso(until))
    from .neo4j.store import Neo4jStore
    from .rules.neo4j import run_rules as neo4j_rules

    with Neo4jStore.connect(neo4j) as store:
        return neo4j_rules(store, rules, since=_iso(since), until=_iso(until))


def routes(path: Path | str | None = None, origin: str | None = None, to: str | None = None,
           via: str = "either", max_hops: int = 6, window_days: int = 120,
           tolerance: float = 10.0, since=None, until=None, limit: int | None = 50,
           round_trips: bool = False, distinct: bool = False, backend: str = "embedded",
           neo4j=None) -> list:
    """Laundering routes from ``origin`` (or, with ``round_trips``, chains that return to
    where they began), ranked by score; with ``distinct``, the best of each chain of
    companies; see :mod:`kpgraph.routes`."""
    from .routes import ROUND_TRIPS, RouteQuery, find_routes

    if round_trips == (origin is not None):
        raise UsageError("give either --origin ISO3 or --round-trips")
    if round_trips and to is not None:
        raise UsageError("--to does not apply to round trips")
    q = RouteQuery(origin=ROUND_TRIPS if round_trips else origin, to=to, via=via,
                   max_hops=max_hops, window_days=window_days, tolerance=tolerance,
                   since=_iso(since), until=_iso(until), distinct=distinct)
    q.check()
    _check_backend(backend)
    if backend == "embedded":
        return find_routes(open_graph(path), q, limit=limit)
    from .neo4j.store import Neo4jStore
    from .routes.neo4j import find_routes as neo4j_routes

    with Neo4jStore.connect(neo4j) as store:
        return neo4j_routes(store, q, limit=limit)


def stats(path: Path | str | None = None, backend: str = "embedded", neo4j=None) -> list:
    """The KP statistics rules alone (typology ``statistical_anomaly``): they need only
    ``countries.csv`` and ``kp_statistics.csv``."""
    from .rules import all_rules, run_rules

    _check_backend(backend)
    ids = [r.id for r in all_rules().values() if r.typology == "statistical_anomaly"]
    if backend == "embedded":
        return run_rules(open_graph(path), ids)
    from .neo4j.store import Neo4jStore
    from .rules.neo4j import run_rules as neo4j_rules

    with Neo4jStore.connect(neo4j) as store:
        return neo4j_rules(store, ids)


def centrality(path: Path | str | None = None, measure: str = "betweenness",
               top: int | None = 20, k: int | None = None, seed: int = 0, since=None,
               until=None, commodity: str | None = None, backend: str = "embedded",
               neo4j=None) -> tuple[list[dict], dict]:
    """One measure of the company trade network: (rows best first, how it was computed).

    ``measure`` is one of :data:`MEASURES`; the network can be limited to a period and a
    commodity (``rough`` or ``polished``). On Neo4j the projection is read back and the
    same kernels run in process."""
    from .analyses import centrality as c

    if measure not in MEASURES:
        raise UsageError(f"unknown measure {measure!r}; one of {', '.join(MEASURES)}")
    if commodity not in (None, "rough", "polished"):
        raise UsageError("--commodity must be rough or polished")
    g = open_graph(path, backend=backend, neo4j=neo4j)
    if measure == "hubs":
        rows = c.hub_scores(g, since=since, until=until).to_dict("records")
        return rows[:top] if top else rows, {"measure": "hubs", "backend": backend}
    m = None
    where = "in process (igraph)"
    if backend == "neo4j" and commodity is None and k is None:
        from .neo4j.gds import GDS_MEASURES, gds_measure, has_gds
        from .neo4j.runner import QueryRunner

        if measure in GDS_MEASURES:
            with QueryRunner(neo4j) as runner:
                version = has_gds(runner)
                if version:
                    m = gds_measure(runner, measure, since=since, until=until)
                    where = f"in Neo4j (GDS {version})"
    if m is None:
        m = _measure(c, g.company_network(since=since, until=until, commodity=commodity),
                     measure, k, seed)
    descending = measure in ("betweenness", "pagerank")
    items = sorted(m.values.items(), key=(lambda kv: (-kv[1], kv[0])) if descending
                   else (lambda kv: (kv[1], kv[0])))
    names = g.companies.set_index("company_id")
    rows = [{"company_id": cid, "name": names.at[cid, "name"], "country":
             names.at[cid, "country"], "role": names.at[cid, "role"], m.name: v}
            for cid, v in items]
    meta = {"measure": m.name, "backend": backend, "path": where, **m.meta}
    return (rows[:top] if top else rows), meta


def _measure(c, net, measure: str, k, seed):
    return {"betweenness": lambda: c.betweenness(net, k=k, seed=seed),
         "pagerank": lambda: c.pagerank(net),
         "weak_components": lambda: c.components(net, "weak"),
         "strong_components": lambda: c.components(net, "strong"),
         "communities": lambda: c.communities(net, seed=seed)}[measure]()


def audit_priorities(path: Path | str | None = None, top: int | None = 50,
                     k: int | None = None, seed: int = 0, backend: str = "embedded",
                     neo4j=None) -> tuple[list[dict], dict]:
    """Companies ranked for audit (see :mod:`kpgraph.analyses.audit` for the formula),
    with every part of each score; open findings come from all red-flag rules."""
    from .analyses.audit import audit_priorities as rank
    from .queries.twins import records
    from .rules import run_rules

    g = open_graph(path, backend=backend, neo4j=neo4j)
    table = rank(g, run_rules(g), k=k, seed=seed)
    # a company never audited has no years since an audit: None, not NaN
    rows = records(table, list(table.columns))
    return (rows[:top] if top else rows), {"betweenness": table.attrs["betweenness"]}


REPORT_MARK = "findings.json"  # a folder holding this (and index.html) is a report
# What a report folder holds; anything else in one was put there by someone else.
REPORT_FILES = re.compile(r"index\.html|findings\.json|routes/R-[0-9a-f]{12}\.html"
                          r"|evidence/[RF]-[0-9a-f]{12}\.zip")


def _not_a_report(out: Path) -> str | None:
    """Why ``out`` may not be replaced by a report (None: it is empty or an earlier report
    holding only what kpgraph writes)."""
    if out.is_file():
        return "is a file"
    if not any(out.iterdir()):
        return None
    if not ((out / REPORT_MARK).exists() and (out / "index.html").exists()):
        return "is not an earlier kpgraph report"
    foreign = sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                     if not p.is_dir() and not REPORT_FILES.fullmatch(
                         p.relative_to(out).as_posix()))
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more"
                                          if len(foreign) > 3 else "")
        return f"is an earlier kpgraph report that also holds {shown}, which it would delete"
    return None


def investigate(path: Path | str | None = None, out: Path | str = "kpgraph-report",
                backend: str = "embedded", neo4j=None, since=None, until=None,
                top: int = 10, progress=None) -> dict:
    """The one-command investigation: validate and load, run every analysis, and write
    ``out/index.html`` (the offline report), ``out/findings.json`` (every finding, flagged
    routes included, in the data contract's findings format), the top routes' views
    (``out/routes/``) and evidence bundles for the top findings and routes
    (``out/evidence/``). Returns a summary. ``out`` is replaced only when it is empty or an
    earlier report holding nothing else; everything is written beside it first, so a
    failure leaves the old one.
    """
    import json
    import shutil
    import tempfile

    from . import __version__
    from .evidence.bundle import FORMATS, bundle_time
    from .investigation import investigate as run
    from .render.report import render_report
    from .render.view import write_view
    from .routes import FLAG_AT, ROUND_TRIPS, RouteQuery, risky_origins
    from .selection import finding_view, route_view

    say = progress or (lambda _msg: None)
    _check_backend(backend)
    out = Path(out)
    why = _not_a_report(out) if out.exists() else None
    if why:
        raise UsageError(f"{out} {why}: choose another --out")
    if path is None and backend == "embedded":
        path = Path(__file__).parent.parent / "datasets" / "demo"
        if not path.exists():
            raise UsageError("give a dataset folder (the bundled demo is not installed here)")
    say("validating and loading")
    if backend == "neo4j" and path is not None:
        load(path, backend="neo4j", neo4j=neo4j)
    g = open_graph(path, backend=backend, neo4j=neo4j)
    whole = g
    if since is not None or until is not None:
        g = g.restricted(_iso(since), _iso(until))
    search = None
    if backend == "neo4j":
        from .neo4j.store import Neo4jStore
        from .routes.neo4j import find_routes as neo4j_routes

        def search():
            seen = {}
            with Neo4jStore.connect(neo4j) as store:
                for origin in [*risky_origins(g), ROUND_TRIPS]:
                    q = RouteQuery(origin=origin, since=_iso(since), until=_iso(until))
                    for r in neo4j_routes(store, q, limit=None, min_score=FLAG_AT):
                        seen.setdefault(r.id, r)
            return sorted(seen.values(), key=lambda r: (-r.score, -r.carats[0], r.id))

        def rule_search():
            from .rules.neo4j import run_rules as neo4j_rules

            with Neo4jStore.connect(neo4j) as store:
                return neo4j_rules(store, since=_iso(since), until=_iso(until))
    else:
        from .routes import all_routes

        def search():
            # the period as the route search takes it, as on Neo4j: the whole data's
            # links, the period a parameter; the origins those of the period's data
            return all_routes(whole, min_score=FLAG_AT, since=_iso(since), until=_iso(until),
                              origins=risky_origins(g))

        def rule_search():
            # the period as the rules' queries take it, as `kpgraph flags` does
            from .rules import run_rules

            return run_rules(whole, since=_iso(since), until=_iso(until))
    name = Path(path).name if path is not None else f"neo4j:{neo4j.database if neo4j else ''}"
    inv = run(g, dataset=name, backend=backend, route_search=search,
              rule_search=rule_search, progress=say)

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        say("views and evidence bundles")
        source = _source(g, path, backend, neo4j)
        views, bundles = {}, {}
        top_routes = inv.top_routes(top)
        for r in top_routes:
            sub = route_view(g, r)
            rel = f"routes/{r.id}.html"
            data = write_view(g, sub, tmp / rel)
            views[r.id] = {**data, "file": rel}
            rel = f"evidence/{r.id}.zip"
            _bundle(g, sub, set(sub.companies["company_id"]), sub.shipments, tmp / rel,
                    list(FORMATS), {"command": "kpgraph investigate", "kind": "route",
                                    "route": r.id, "shipments": r.shipments,
                                    "score": r.score}, source)
            bundles[r.id] = rel
        shown = [f for f in inv.findings if f.entities["shipments"] or f.entities["companies"]]
        for f in shown[:top]:
            sub = finding_view(g, f)
            rel = f"evidence/{f.id}.zip"
            _bundle(g, sub, set(sub.companies["company_id"]), sub.shipments, tmp / rel,
                    list(FORMATS), {"command": "kpgraph investigate", "kind": "finding",
                                    "finding": f.id}, source)
            bundles[f.id] = rel
        say("report")
        created = bundle_time()
        findings = [f.as_dict() for f in inv.all_findings()]
        (tmp / REPORT_MARK).write_text(json.dumps(findings, indent=1, ensure_ascii=False,
                                                  sort_keys=True, default=str) + "\n",
                                       encoding="utf-8")
        fingerprints = ((source["dataset_fingerprint"],) if backend == "embedded" else
                        tuple(d["fingerprint"] for d in source["datasets_loaded"]))
        (tmp / "index.html").write_text(render_report(inv, views, bundles, created,
                                                      __version__, top_routes=top_routes,
                                                      fingerprints=fingerprints),
                                        encoding="utf-8")
        os.chmod(tmp, 0o755)
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}-old-{os.getpid()}")
            os.replace(out, old)
        os.replace(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    by_typ: dict[str, int] = {}
    for f in inv.all_findings():
        by_typ[f.typology] = by_typ.get(f.typology, 0) + 1
    return {"report": str(out / "index.html"), "findings": str(out / REPORT_MARK),
            "counts": inv.counts["nodes"], "by_typology": by_typ,
            "flagged_routes": len(inv.flagged_routes),
            "bundles": len(bundles), "seconds": inv.seconds,
            "top": [{"id": f.id, "typology": f.typology, "severity": f.severity,
                     "summary": f.summary} for f in inv.all_findings()[:top]]}

