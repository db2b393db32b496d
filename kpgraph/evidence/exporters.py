"""Exporters: one class per format, one registry, one interface (``write``, ``finalize``).

Each exporter writes an :class:`~kpgraph.evidence.graph.EvidenceGraph` into a bundle
folder, deterministically: the same graph gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
from pathlib import Path

import networkx as nx

from ..contract import contract
from ..formats import escaped, spreadsheet_text
from .graph import EvidenceGraph

__all__ = ["Exporter", "EXPORTERS", "cypher_literal"]

EXPORTERS: dict[str, type[Exporter]] = {}


class Exporter:
    """Base class. Subclasses set ``name`` and implement :meth:`write`."""

    name = ""

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if cls.name:
            EXPORTERS[cls.name] = cls

    def __init__(self, folder: Path, context: dict):
        self.folder = folder
        self.context = context
        self.files: list[Path] = []

    def _open(self, relative: str, bom: bool = False):
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        self.files.append(path)
        # newline="" so that the writer's own line ends are kept on every platform
        return path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="")

    def write(self, graph: EvidenceGraph) -> None:
        raise NotImplementedError

    def finalize(self) -> list[Path]:
        """The files written (relative paths are taken by the bundle)."""
        return self.files


def _text(v) -> str | int | float | bool:
    """A property value as GraphML / GEXF / JSON can hold it (dates as ISO text)."""
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return v


# XML 1.0 cannot hold these characters at all, not even as character references: a
# GraphML or GEXF file with one is not well-formed, and Gephi and networkx refuse it.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(v):
    r"""A property value as GraphML and GEXF can hold it: characters XML 1.0 forbids are
    written as ``\xNN`` / ``\uNNNN`` escapes (JSON, CSV and Cypher keep them).

    >>> _xml_text("Almas\x1b[2J Co"), _xml_text(12.5)
    ('Almas\\x1b[2J Co', 12.5)
    """
    v = _text(v)
    return escaped(v, _NOT_XML) if isinstance(v, str) else v


def _nx(graph: EvidenceGraph) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for n in graph.nodes:
        g.add_node(_xml_text(n.id), label=n.label, key=_xml_text(n.key),
                   **{f"p_{k}": _xml_text(v) for k, v in sorted(n.properties.items())})
    for e in graph.edges:
        g.add_edge(_xml_text(e.source), _xml_text(e.target), key=e.type, relationship=e.type)
    return g


class GraphMLExporter(Exporter):
    """GraphML (Gephi, yEd, networkx). Node properties are ``p_<name>`` attributes beside
    ``label`` and ``key``; each edge has a ``relationship`` attribute (its type)."""

    name = "graphml"

    def write(self, graph: EvidenceGraph) -> None:
        with self._open("subgraph.graphml") as fh:
            for line in nx.generate_graphml(_nx(graph), named_key_ids=True):
                fh.write(line + "\n")


class GEXFExporter(Exporter):
    """GEXF 1.2 (Gephi). The file's date is the bundle's, not the clock's."""

    name = "gexf"

    def write(self, graph: EvidenceGraph) -> None:
        day = self.context["created"][:10]
        dated = False  # the date is in the header: lines after it are written as they are
        with self._open("subgraph.gexf") as fh:
            for line in nx.generate_gexf(_nx(graph)):
                if not dated:
                    line, dated = re.subn(r'lastmodifieddate="[^"]*"',
                                          f'lastmodifieddate="{day}"', line)
                fh.write(line + "\n")


def _csv_cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return spreadsheet_text(v) if isinstance(v, str) else str(v)


class CSVExporter(Exporter):
    """One nodes file per label and one edges file per relationship type, UTF-8 with a
    byte-order mark so that Excel reads the text right. A text cell that starts with
    ``= + - @`` gets a leading ``'`` so that Excel shows it instead of running it."""

    name = "csv"

    def write(self, graph: EvidenceGraph) -> None:
        c = contract()
        by_label: dict[str, list] = {}
        for n in graph.nodes:
            by_label.setdefault(n.label, []).append(n)
        for t in c.tables.values():
            nodes = by_label.get(t.label)
            if not nodes:
                continue
            cols = [t.key_property] if t.key_property not in t.columns else []
            cols += list(t.columns)
            cols += sorted({k for n in nodes for k in n.properties} - set(cols))
            with self._open(f"csv/nodes_{t.label}.csv", bom=True) as fh:
                w = csv.writer(fh, lineterminator="\r\n")
                w.writerow(cols)
                for n in nodes:
                    w.writerow([_csv_cell(n.properties.get(k)) for k in cols])
        for rtype in graph.types():
            with self._open(f"csv/edges_{rtype}.csv", bom=True) as fh:
                w = csv.writer(fh, lineterminator="\r\n")
                w.writerow(["source", "target", "type"])
                for e in graph.edges:
                    if e.type == rtype:
                        w.writerow([_csv_cell(e.source), _csv_cell(e.target), rtype])


class JSONExporter(Exporter):
    """``{"nodes": [...], "links": [...]}`` with every property (dates as ISO text)."""

    name = "json"

    def write(self, graph: EvidenceGraph) -> None:
        doc = {
            "nodes": [{"id": n.id, "label": n.label, "key": n.key,
                       "properties": {k: _text(v) for k, v in sorted(n.properties.items())}}
                      for n in graph.nodes],
            "links": [{"source": e.source, "target": e.target, "type": e.type}
                      for e in graph.edges],
        }
        with self._open("subgraph.json") as fh:
            fh.write(json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def cypher_literal(v) -> str:
    """A Cypher literal for a value. Strings are single-quoted with every quote, backslash
    and control character escaped, so no data can end the literal."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"cannot write {v!r} as a Cypher literal")
        return repr(v)
    if isinstance(v, dt.datetime):
        v = v.date()
    if isinstance(v, dt.date):
        return f"date('{v.isoformat()}')"
    out = []
    for ch in str(v):
        if ch in "\\'\"":
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or ch in "\u2028\u2029":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "'" + "".join(out) + "'"


def _cypher_name(name: str) -> str:
    """A property name: plain when it is an identifier, else back-quoted."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        return name
    return "`" + name.replace("`", "``") + "`"


class CypherExporter(Exporter):
    """A script that recreates the subgraph in an empty Neo4j (cypher-shell -f, or paste
    into Neo4j Browser): constraints, one ``CREATE`` per node, one ``MATCH … CREATE`` per
    relationship. One statement per line, each ending with ``;``."""

    name = "cypher"

    def write(self, graph: EvidenceGraph) -> None:
        c = contract()
        keyprop = {t.label: t.key_property for t in c.tables.values()}
        key_of = {n.id: (n.label, n.properties[keyprop[n.label]]) for n in graph.nodes}
        with self._open("subgraph.cypher") as fh:
            fh.write("// kpgraph evidence subgraph: run in an empty Neo4j 5 database.\n")
            for label in graph.labels():
                k = keyprop[label]
                fh.write(f"CREATE CONSTRAINT kp_{label}_{k} IF NOT EXISTS "
                         f"FOR (n:{label}) REQUIRE n.{k} IS UNIQUE;\n")
            for n in graph.nodes:
                props = ", ".join(f"{_cypher_name(k)}: {cypher_literal(v)}"
                                  for k, v in sorted(n.properties.items()))
                fh.write(f"CREATE (:{n.label} {{{props}}});\n")
            for e in graph.edges:
                (la, ka), (lb, kb) = key_of[e.source], key_of[e.target]
                fh.write(f"MATCH (a:{la} {{{keyprop[la]}: {cypher_literal(ka)}}}), "
                         f"(b:{lb} {{{keyprop[lb]}: {cypher_literal(kb)}}}) "
                         f"CREATE (a)-[:{e.type}]->(b);\n")


class FtMExporter(Exporter):
    """FollowTheMoney entities, one JSON object per line, for OCCRP Aleph: companies as
    ``Company``, shipments as ``EconomicActivity`` (a customs declaration: sender,
    receiver, date, countries, HS code, declared value), KP certificates as ``License``.
    Built and checked with the followthemoney library's model."""

    name = "ftm"

    def write(self, graph: EvidenceGraph) -> None:
        from .ftm import entities

        lines = sorted(json.dumps(e, sort_keys=True, ensure_ascii=False)
                       for e in entities(graph))
        with self._open("entities.ftm.json") as fh:
            for line in lines:
                fh.write(line + "\n")


class HTMLExporter(Exporter):
    """The interactive view of the selection (see :mod:`kpgraph.render.view`)."""

    name = "html"

    def write(self, graph: EvidenceGraph) -> None:
        from ..render.view import render_view

        with self._open("view.html") as fh:
            fh.write(render_view(self.context["view"]))
