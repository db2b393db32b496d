"""Neo4j constraints, indexes and load statements, generated from the data contract.

Labels, relationship types and property names in Cypher text come only from the contract
declaration (checked there to be identifiers); every value is a parameter.
"""

from __future__ import annotations

from ..contract import Table, contract

__all__ = ["key_constraints", "schema_statements", "create_statement", "row_columns",
           "row_values", "count_statements", "read_statement", "clear_statements",
           "DATASET_LABEL", "FLOW_LABEL"]

# Nodes a load derives beside the contract's: each company's flows (kpgraph.flows), and the
# record of which dataset it wrote (see Neo4jStore.claim).
FLOW_LABEL = "CompanyFlow"
DATASET_LABEL = "KpgraphDataset"


def _ident(name: str) -> str:
    # The contract checks names when it loads; this guards against a bad edit of it.
    if not name.replace("_", "").isalnum() or name[0].isdigit():
        raise ValueError(f"not an identifier: {name!r}")
    return name


def key_constraints() -> list[tuple[str, str, str]]:
    """``(name, label, key property)`` of the uniqueness constraint on every node key."""
    out = []
    for t in contract().tables.values():
        label, key = _ident(t.label), _ident(t.key_property)
        out.append((f"kp_{label}_{key}", label, key))
    return out


def schema_statements(phase: str) -> list[str]:
    """Uniqueness constraints on every node key (``phase="before"`` a load), and the
    indexes the contract asks for (``phase="after"``: building an index over loaded data
    is cheaper than maintaining it row by row). Idempotent (``IF NOT EXISTS``).
    """
    if phase == "before":
        return [f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{key} "
                "IS UNIQUE" for name, label, key in key_constraints()]
    out = []
    for t in contract().tables.values():
        label = _ident(t.label)
        for col in t.columns.values():
            if col.index and col.name != t.key_property:
                prop = _ident(col.name)
                out.append(f"CREATE INDEX kp_{label}_{prop} IF NOT EXISTS "
                           f"FOR (n:{label}) ON (n.{prop})")
    return out


def row_columns(table: Table) -> list[str]:
    """The values of a row, in order: the node key first, then every contract column."""
    cols = list(table.columns)
    return cols if table.key_property in table.columns else [table.key_property, *cols]


def create_statement(table: Table, extras: bool = False) -> str:
    """The batched write for one table; a row is the values of :func:`row_columns`
    (then a map of the file's extra columns, when ``extras``).

    Rows whose key exists are skipped, so a re-run (after a lost connection, or a second
    load) writes only what is missing. A node and its relationships are created in the
    same transaction: a committed batch is whole, and an uncommitted one left nothing.
    Reference columns are kept as properties too (for display and lookups); traversals
    use the relationships. A reference to a value that is no node (``MIXED``) makes none.
    """
    c = contract()
    cols = row_columns(table)
    label, key = _ident(table.label), _ident(table.key_property)
    props = ", ".join(f"{_ident(name)}: r[{i}]" for i, name in enumerate(cols))
    lines = [
        "UNWIND $rows AS r",
        f"WITH r WHERE NOT EXISTS {{ MATCH (:{label} {{{key}: r[0]}}) }}",
        f"CREATE (n:{label} {{{props}}})",
    ]
    if extras:
        lines.append(f"SET n += r[{len(cols)}]")
    lines.append("WITH n, r")
    for i, cname in enumerate(cols):
        col = table.columns.get(cname)
        if col is None or col.ref is None:
            continue
        target = c.tables[col.ref[0]]
        tlabel, tkey, rel = _ident(target.label), _ident(target.key_property), _ident(col.rel)
        pattern = f"(t)-[:{rel}]->(n)" if col.rel_from_target else f"(n)-[:{rel}]->(t)"
        lines.append(f"CALL (n, r) {{ MATCH (t:{tlabel} {{{tkey}: r[{i}]}}) "
                     f"CREATE {pattern} }}")
    lines.append("RETURN count(n) AS created")
    return "\n".join(lines)


def count_statements() -> tuple[dict[str, str], dict[str, str]]:
    """One count query per contract label and per relationship type (the count store
    answers them without a scan)."""
    c = contract()
    nodes = {t.label: f"MATCH (n:{_ident(t.label)}) RETURN count(n) AS n"
             for t in c.tables.values()}
    rels = {r.type: f"MATCH ()-[r:{_ident(r.type)}]->() RETURN count(r) AS n"
            for r in c.relationships}
    return nodes, rels


def read_statement(table: Table) -> str:
    """Every node of a table with all its properties, in key order."""
    label, key = _ident(table.label), _ident(table.key_property)
    return f"MATCH (n:{label}) RETURN n {{.*}} AS n ORDER BY n.{key}"


def row_values(table: Table, var: str = "n") -> str:
    """A node's row as a Cypher list of the contract's columns (in :func:`row_columns`
    order), dates as ISO text (a string decodes far faster than a date structure)."""
    v = _ident(var)

    def value(c: str) -> str:
        col = table.columns.get(c)
        return f"toString({v}.{_ident(c)})" if col and col.type == "date" else f"{v}.{_ident(c)}"

    return "[" + ", ".join(value(c) for c in row_columns(table)) + "]"


def clear_statements() -> list[tuple[str, str]]:
    """(label, statement) pairs that delete every node a load writes, in batches: the
    contract's labels, the company flows, and the dataset records last."""
    labels = [t.label for t in contract().tables.values()] + [FLOW_LABEL, DATASET_LABEL]
    return [(label, f"MATCH (n:{_ident(label)}) CALL (n) {{ DETACH DELETE n }} "
                    "IN TRANSACTIONS OF 10000 ROWS") for label in labels]
