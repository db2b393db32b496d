"""Files for Neo4j's offline bulk importer (``neo4j-admin database import full``).

The transactional loader (:mod:`kpgraph.neo4j.store`) is what teams use day to day; it is
idempotent and restartable, but a server on two cores writes about 13-15k shipments/s that
way. A first load of millions of rows is faster offline: :func:`write_import_files` writes
header-typed CSV files, one per label and one per relationship type, generated from the
data contract, and :func:`import_command` gives the ``neo4j-admin`` command that builds a
new store from them while the database is stopped. Start the server on it and run
``kpgraph load --backend neo4j`` once: it adds the constraints and indexes, skips every row
(they all exist) and prints the counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ..continuation import ShipmentIndex
from ..contract import contract
from ..flows import company_flows
from ..graph import GraphModel
from ..staging import staged_folder
from .schema import DATASET_LABEL, FLOW_LABEL, row_columns

__all__ = ["ImportPlan", "write_import_files", "import_command"]

_TYPES = {"decimal": "double", "integer": "long", "date": "date", "bool": "boolean"}


@dataclass
class ImportPlan:
    """What was written: node files by label, relationship files by type."""

    folder: Path
    nodes: dict[str, str] = field(default_factory=dict)
    relationships: dict[str, str] = field(default_factory=dict)
    multiline: bool = False


def _csv(frame: pd.DataFrame, header: list[str], path: Path) -> None:
    """Write with pyarrow (several times faster than pandas for a million rows); missing
    values are empty unquoted fields, which neo4j-admin reads as no property."""
    columns = []
    for c, h in zip(frame.columns, header):
        s = frame[c]
        if h.endswith(":date"):
            s = s.dt.strftime("%Y-%m-%d")
        elif h.endswith(":boolean"):
            s = s.map({True: "true", False: "false"})
        elif h.endswith(":long"):
            s = s.astype("Int64")
        columns.append(pa.array(s.astype(object).where(s.notna(), None).tolist())
                       if s.dtype == object else pa.array(s, from_pandas=True))
    table = pa.table(columns, names=header)
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="needed"))


def write_import_files(frames: dict[str, pd.DataFrame], out: Path | str,
                       dataset: tuple[str, str] | None = None) -> ImportPlan:
    """Write validated frames as neo4j-admin import files into ``out`` (all or nothing);
    ``dataset`` (fingerprint, source) is recorded as ``kpgraph load`` records it."""
    c = contract()
    out = Path(out)
    plan = ImportPlan(folder=out)
    with staged_folder(out, ".kpgraph-import-") as tmp:
        for name, t in c.tables.items():
            frame = frames.get(name)
            if frame is None or frame.empty:
                continue
            cols = row_columns(t)
            extras = [x for x in frame.columns if x not in cols]
            header = []
            for col in cols:
                if col == t.key_property:
                    header.append(f"{col}:ID({t.label})")
                else:
                    kind = t.columns[col].type
                    header.append(f"{col}:{_TYPES[kind]}" if kind in _TYPES else col)
            header += extras
            if any(frame[x].astype("str").str.contains("\n", regex=False).any()
                   for x in frame.columns if frame[x].dtype == "str"):
                plan.multiline = True
            fname = f"nodes_{t.label}.csv"
            _csv(frame[cols + extras], header, tmp / fname)
            plan.nodes[t.label] = fname
        for rel in c.relationships:
            frame = frames.get(rel.table)
            if frame is None or frame.empty:
                continue
            t = c.tables[rel.table]
            col = frame[rel.column]
            keep = col.notna() & ~col.isin(t.columns[rel.column].also)
            own = frame.loc[keep, t.key_property]
            ref = col[keep]
            start, end = (ref, own) if rel.from_target else (own, ref)
            pairs = pd.DataFrame({"s": start.to_numpy(), "e": end.to_numpy()})
            fname = f"rels_{rel.type}.csv"
            _csv(pairs, [f":START_ID({rel.start_label})", f":END_ID({rel.end_label})"],
                 tmp / fname)
            plan.relationships[rel.type] = fname
        ships, comps = frames.get("shipments"), frames.get("companies")
        if ships is not None and not ships.empty and comps is not None:
            # the route search's continuation links, as kpgraph load writes them
            links = ShipmentIndex(ships, comps.set_index("company_id")["country"]).all_links()
            _csv(links, [":START_ID(Shipment)", ":END_ID(Shipment)", "days:int", "ratio:double"],
                 tmp / "rels_NEXT.csv")
            plan.relationships["NEXT"] = "rels_NEXT.csv"
            flows = company_flows(GraphModel(dict(frames))).reset_index()
            _csv(flows, [f"company_id:ID({FLOW_LABEL})", "rough_in:double", "rough_out:double",
                         "high_risk_in:double", "high_risk_shipments:double",
                         "sent_all:double", "mixed_out:double", "transit:boolean",
                         "first_trade:date"], tmp / f"nodes_{FLOW_LABEL}.csv")
            plan.nodes[FLOW_LABEL] = f"nodes_{FLOW_LABEL}.csv"
        if dataset is not None:
            _csv(pd.DataFrame([list(dataset)]), ["fingerprint", "source"],
                 tmp / f"nodes_{DATASET_LABEL}.csv")
            plan.nodes[DATASET_LABEL] = f"nodes_{DATASET_LABEL}.csv"
    return plan


def import_command(plan: ImportPlan, database: str = "neo4j", folder: str | None = None,
                   neo4j_admin: str = "neo4j-admin") -> list[str]:
    """The ``neo4j-admin database import full`` argument list for a plan.

    ``folder`` is where the files are as the importer sees them (e.g. a path inside a
    container); by default the plan's own folder.
    """
    where = Path(folder) if folder is not None else plan.folder
    argv = [neo4j_admin, "database", "import", "full", database,
            "--overwrite-destination=true", "--skip-bad-relationships=false",
            "--skip-duplicate-nodes=false", f"--multiline-fields={str(plan.multiline).lower()}"]
    argv += [f"--nodes={label}={where / f}" for label, f in plan.nodes.items()]
    argv += [f"--relationships={rtype}={where / f}" for rtype, f in plan.relationships.items()]
    return argv
