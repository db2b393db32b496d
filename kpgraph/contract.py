"""The data contract, loaded from ``schema/contract.yaml`` and checked when it loads.

Everything that knows about tables, columns, keys and references reads it from here:
validation (:mod:`kpgraph.validate`), the typed frames of the embedded store, the Neo4j
labels, relationships and constraints (:mod:`kpgraph.neo4j.schema`) and the generated docs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

__all__ = [
    "Column",
    "Contract",
    "Relationship",
    "Table",
    "COLUMN_TYPES",
    "contract",
]

COLUMN_TYPES = frozenset(
    {"id", "text", "code", "date", "month", "decimal", "integer", "bool", "enum"}
)
PANDAS_DTYPES = {"decimal": "float64", "integer": "Int64", "date": "datetime64[s]",
                 "bool": "boolean"}
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_REL_TYPE = re.compile(r"^[A-Z][A-Z0-9_]*$")


class ContractError(ValueError):
    """The contract declaration itself is inconsistent (a bug in kpgraph, not in data)."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str = ""
    required: bool = False
    ref: tuple[str, str] | None = None  # (table, column)
    ref_where: dict[str, tuple[str, ...]] | None = None
    also: tuple[str, ...] = ()
    rel: str | None = None
    rel_from_target: bool = False
    values: tuple[str, ...] = ()
    pattern: str | None = None
    min: float | None = None
    max: float | None = None
    min_exclusive: float | None = None
    not_before: str | None = None
    index: bool = False

    @property
    def is_numeric(self) -> bool:
        return self.type in ("decimal", "integer")

    @property
    def dtype(self) -> str:
        """The pandas dtype of the column's typed frame column."""
        return PANDAS_DTYPES.get(self.type, "str")


@dataclass(frozen=True)
class Relationship:
    """A reference column as it appears in the graph: (start)-[:type]->(end)."""

    type: str
    table: str  # the table that holds the reference column
    column: str
    target: str  # the referenced table
    from_target: bool  # True: (target)-[:type]->(row); False: (row)-[:type]->(target)

    @property
    def start_label(self) -> str:
        return contract().tables[self.target if self.from_target else self.table].label

    @property
    def end_label(self) -> str:
        return contract().tables[self.table if self.from_target else self.target].label


@dataclass(frozen=True)
class Table:
    name: str
    label: str
    key: tuple[str, ...]
    columns: dict[str, Column]
    description: str = ""
    required: bool = False

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def key_property(self) -> str:
        """The node property that identifies a row: the key column, or ``key`` when composite."""
        return self.key[0] if len(self.key) == 1 else "key"

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns.values() if c.required]


@dataclass(frozen=True)
class Contract:
    version: int
    tables: dict[str, Table]
    requirements: dict[str, tuple[str, ...]]
    typologies: dict[str, str]
    relationships: tuple[Relationship, ...] = field(default=())

    def table_order(self) -> list[str]:
        """Tables ordered so that every referenced table comes before its referrers."""
        order: list[str] = []
        seen: set[str] = set()

        def visit(name: str) -> None:
            if name in seen:
                return
            seen.add(name)
            for col in self.tables[name].columns.values():
                if col.ref and col.ref[0] != name:
                    visit(col.ref[0])
            order.append(name)

        for name in self.tables:
            visit(name)
        return order


def _column(table: str, name: str, spec: dict) -> Column:
    where = f"{table}.{name}"
    if not _IDENT.match(name):
        raise ContractError(f"{where}: column name is not an identifier")
    ctype = spec.get("type")
    if ctype not in COLUMN_TYPES:
        raise ContractError(f"{where}: unknown type {ctype!r}")
    ref = None
    if "ref" in spec:
        rtable, _, rcol = str(spec["ref"]).partition(".")
        ref = (rtable, rcol)
        if not spec.get("rel"):
            raise ContractError(f"{where}: a reference needs a relationship type (rel)")
    if spec.get("rel") and not _REL_TYPE.match(spec["rel"]):
        raise ContractError(f"{where}: relationship type {spec['rel']!r} is not UPPER_SNAKE")
    if ctype == "enum" and not spec.get("values"):
        raise ContractError(f"{where}: an enum needs values")
    ref_where = None
    if spec.get("ref_where"):
        ref_where = {k: tuple(map(str, v)) for k, v in spec["ref_where"].items()}
    return Column(
        name=name,
        type=ctype,
        description=str(spec.get("description", "")),
        required=bool(spec.get("required", False)),
        ref=ref,
        ref_where=ref_where,
        also=tuple(map(str, spec.get("also", ()))),
        rel=spec.get("rel"),
        rel_from_target=bool(spec.get("rel_from_target", False)),
        values=tuple(map(str, spec.get("values", ()))),
        pattern=spec.get("pattern"),
        min=spec.get("min"),
        max=spec.get("max"),
        min_exclusive=spec.get("min_exclusive"),
        not_before=spec.get("not_before"),
        index=bool(spec.get("index", False)),
    )


def parse_contract(doc: dict) -> Contract:
    """Build and cross-check a :class:`Contract` from its YAML document."""
    tables: dict[str, Table] = {}
    for tname, tspec in doc["tables"].items():
        if not _IDENT.match(tname) or not _IDENT.match(tspec["label"]):
            raise ContractError(f"{tname}: table name and label must be identifiers")
        columns = {name: _column(tname, name, spec) for name, spec in tspec["columns"].items()}
        key = tuple(tspec["key"])
        for k in key:
            if k not in columns:
                raise ContractError(f"{tname}: key column {k!r} is not declared")
        tables[tname] = Table(
            name=tname,
            label=tspec["label"],
            key=key,
            columns=columns,
            description=str(tspec.get("description", "")),
            required=bool(tspec.get("required", False)),
        )
    rels = []
    for t in tables.values():
        for c in t.columns.values():
            if c.ref is None:
                continue
            rtable, rcol = c.ref
            if rtable not in tables or tables[rtable].key != (rcol,):
                raise ContractError(f"{t.name}.{c.name}: reference {rtable}.{rcol} is not a key")
            for wcol in (c.ref_where or {}):
                if wcol not in tables[rtable].columns:
                    raise ContractError(f"{t.name}.{c.name}: ref_where on unknown {wcol!r}")
            rels.append(Relationship(c.rel, t.name, c.name, rtable, c.rel_from_target))
        for c in t.columns.values():
            if c.not_before and c.not_before not in t.columns:
                raise ContractError(f"{t.name}.{c.name}: not_before names an unknown column")
    if len({r.type for r in rels}) != len(rels):
        raise ContractError("relationship types must be unique")
    requirements = {k: tuple(v) for k, v in doc.get("requirements", {}).items()}
    for names in requirements.values():
        for n in names:
            if n not in tables:
                raise ContractError(f"requirements name unknown table {n!r}")
    return Contract(
        version=int(doc["version"]),
        tables=tables,
        requirements=requirements,
        typologies=dict(doc.get("typologies", {})),
        relationships=tuple(rels),
    )


@lru_cache(maxsize=1)
def contract() -> Contract:
    """The contract shipped with kpgraph (parsed once)."""
    text = resources.files("kpgraph.schema").joinpath("contract.yaml").read_text("utf-8")
    return parse_contract(yaml.safe_load(text))


def to_markdown(c: Contract | None = None) -> str:
    """The contract as a Markdown reference (docs/data-contract.md is this, generated)."""
    c = c or contract()
    out = [f"# kpgraph data contract, version {c.version}", "",
           "Generated from `kpgraph/schema/contract.yaml` by `kpgraph contract`; do not edit.",
           ""]
    for t in c.tables.values():
        need = " (required)" if t.required else " (optional)"
        out += [f"## {t.filename}{need}", "", t.description, "",
                f"Graph: one `:{t.label}` node per row, keyed by "
                f"`{', '.join(t.key)}`" + (" (joined with `|` as `key`)" if len(t.key) > 1
                                           else "") + ".", "",
                "| column | type | required | rules | graph | meaning |",
                "|---|---|---|---|---|---|"]
        for col in t.columns.values():
            rules = []
            if col.values:
                rules.append("one of " + ", ".join(f"`{v}`" for v in col.values))
            if col.pattern:
                rules.append(f"matches `{col.pattern}`")
            if col.min_exclusive is not None:
                rules.append(f"> {col.min_exclusive:g}")
            if col.min is not None:
                rules.append(f"≥ {col.min:g}")
            if col.max is not None:
                rules.append(f"≤ {col.max:g}")
            if col.not_before:
                rules.append(f"≥ `{col.not_before}`")
            if col.index:
                rules.append("indexed")
            if col.ref:
                rules.append(f"→ {col.ref[0]}.{col.ref[1]}"
                             + (f" or {', '.join(col.also)}" if col.also else ""))
            if col.ref_where:
                rules.append("; ".join(f"whose {k} is {' or '.join(v)}"
                                       for k, v in col.ref_where.items()))
            graph = ""
            if col.rel:
                arrow = (f"`(:{c.tables[col.ref[0]].label})-[:{col.rel}]->(:{t.label})`"
                         if col.rel_from_target else
                         f"`(:{t.label})-[:{col.rel}]->(:{c.tables[col.ref[0]].label})`")
                graph = arrow
            out.append(f"| {col.name} | {col.type} | {'yes' if col.required else ''} | "
                       f"{'; '.join(rules)} | {graph} | {col.description} |")
        out.append("")
    out += ["## Typologies", "", "| typology | what it is |", "|---|---|"]
    out += [f"| `{k}` | {v} |" for k, v in c.typologies.items()]
    return "\n".join(out) + "\n"
