"""The Neo4j store: load a validated dataset, count it, and read it back as a graph model.

The loader writes each table in batches of ``UNWIND $rows`` (parameters only), in the
contract's reference order so that every relationship finds its target. It is idempotent
and restartable: rows whose key exists are skipped, and a node is created in the same
transaction as its relationships. A load interrupted anywhere (a lost connection, a killed
client) is completed by running it again; a second load of the same data changes nothing.
Rows whose key already exists are not rewritten: reload changed data into an empty database.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed

import numpy as np
import pandas as pd

from ..continuation import ShipmentIndex
from ..contract import contract
from ..errors import BackendError, SlowDatabaseWarning, UsageError
from ..flows import company_flows
from ..graph import GraphModel
from .config import Neo4jConfig
from .runner import QueryRunner
from .schema import (
    DATASET_LABEL,
    FLOW_LABEL,
    clear_statements,
    count_statements,
    create_statement,
    key_constraints,
    read_statement,
    row_columns,
    schema_statements,
)

__all__ = ["Neo4jStore", "DEFAULT_BATCH_SIZE", "typed_rows"]

DEFAULT_BATCH_SIZE = 5_000
DEFAULT_WORKERS = 2  # measured: 2 concurrent writers beat 1 by 15-20 % on 2 cores
Progress = Callable[[str, int, int], None]


def _values(series: pd.Series) -> list:
    """A column as plain Python values, ``None`` for missing (what the driver sends)."""
    missing = series.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(series):
        vals = np.array(series.dt.date, dtype=object)
    elif pd.api.types.is_bool_dtype(series):
        vals = np.array(series.astype(object), dtype=object)
    elif pd.api.types.is_integer_dtype(series):
        vals = series.astype("float64").to_numpy().astype(object)
        vals[~missing] = [int(v) for v in vals[~missing]]
    elif pd.api.types.is_float_dtype(series):
        vals = series.to_numpy().astype(object)
    else:
        vals = np.array(series.astype(object), dtype=object)
    vals[missing] = None
    return vals.tolist()


def _rows(table_name: str, frame: pd.DataFrame) -> tuple[list, bool]:
    table = contract().tables[table_name]
    cols = row_columns(table)
    columns = [_values(frame[c]) for c in cols]
    extras = [c for c in frame.columns if c not in cols]
    if extras:
        ex = [_values(frame[c]) for c in extras]
        maps = [{k: v for k, v in zip(extras, vals) if v is not None} for vals in zip(*ex)]
        columns.append(maps)
    return list(zip(*columns)), bool(extras)


NEXT = "NEXT"
# Two loads at once must not both create a link: writing to the source shipment first takes
# its lock, so the second MERGE waits for the first and then finds its link.
LINK_STATEMENT = """UNWIND $rows AS r
MATCH (a:Shipment {shipment_id: r[0]})
MATCH (b:Shipment {shipment_id: r[1]})
SET a._kpgraph_lock = true REMOVE a._kpgraph_lock
MERGE (a)-[l:NEXT]->(b)
ON CREATE SET l.days = r[2], l.ratio = r[3]
RETURN count(*) AS created"""


FLOW_KEY = (f"kp_{FLOW_LABEL}_company_id", FLOW_LABEL, "company_id")
FLOW_CONSTRAINT = ("CREATE CONSTRAINT {} IF NOT EXISTS FOR (f:{}) REQUIRE f.{} IS UNIQUE"
                   .format(*FLOW_KEY))
FLOW_STATEMENT = f"""UNWIND $rows AS r
MERGE (f:{FLOW_LABEL} {{company_id: r[0]}})
SET f.rough_in = r[1], f.rough_out = r[2], f.high_risk_in = r[3],
    f.high_risk_shipments = r[4], f.sent_all = r[5], f.mixed_out = r[6], f.transit = r[7],
    f.first_trade = r[8]
RETURN count(*) AS created"""


# What a load records of the dataset it wrote: a load writes only rows whose key is new, so
# a second dataset loaded over a first would keep the first's rows as they were (a carat
# figure corrected in the file would stay wrong in the database) and mix the two.
DATASETS = f"MATCH (d:{DATASET_LABEL}) RETURN d.fingerprint AS fingerprint, d.source AS source"
MARK_DATASET = (f"MERGE (d:{DATASET_LABEL} {{fingerprint: $fingerprint}}) "
                "SET d.source = $source RETURN count(*) AS created")


class Neo4jStore:
    """A kpgraph dataset in a Neo4j database."""

    def __init__(self, runner: QueryRunner):
        self.runner = runner

    @classmethod
    def connect(cls, config: Neo4jConfig | None = None, check_schema: bool = True
                ) -> Neo4jStore:
        """Connect and check the server, credentials and database (or raise exit-3 errors).
        With ``check_schema``, warn (:class:`SlowDatabaseWarning`) when a database that
        holds shipments lacks key constraints, as after a bulk import not followed by
        ``kpgraph load``: every look-up by id would scan all nodes of its label."""
        runner = QueryRunner(config or Neo4jConfig.from_env())
        try:
            runner.verify()
            store = cls(runner)
        except Exception:
            runner.close()
            raise
        try:
            missing = store.missing_constraints() if check_schema else []
        except BackendError:
            # a user without the privilege to list constraints can still read: the check
            # is advice, not a condition of the work
            missing = []
        if missing:
            warnings.warn(SlowDatabaseWarning(
                f"the database has no key constraint {', '.join(missing)} (a bulk import "
                "not followed by `kpgraph load`?): every look-up by id scans all nodes of its "
                "label; `kpgraph load --backend neo4j DATA` adds them and writes no row"),
                stacklevel=2)
        return store

    def missing_constraints(self) -> list[str]:
        """The key constraints of the schema (as ``Label.key``) a database holding
        shipments lacks; none for an empty database, which a load will give them."""
        if not self.runner.run("MATCH (s:Shipment) RETURN count(s) > 0 AS some",
                               mode="read")[0]["some"]:
            return []
        have = {r["name"] for r in self.runner.run("SHOW CONSTRAINTS YIELD name RETURN name",
                                                   mode="read")}
        return [f"{label}.{key}" for name, label, key in [*key_constraints(), FLOW_KEY]
                if name not in have]

    def close(self) -> None:
        self.runner.close()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- schema and load ----------------------------------------------------------------
    def apply_schema(self, phase: str) -> None:
        """The contract's constraints and the company flows' key constraint (``"before"``
        a load) or indexes (``"after"``); waits until the indexes are online."""
        for statement in schema_statements(phase):
            self._schema(statement)
        if phase == "before":
            self._schema(FLOW_CONSTRAINT)
        self.runner.run_auto("CALL db.awaitIndexes(300)")

    def _schema(self, statement: str, attempts: int = 8) -> None:
        """One idempotent schema statement. Two loads at once can deadlock on the schema
        lock (a transient error that auto-commit statements are not retried on): wait and
        run it again; ``IF NOT EXISTS`` makes the second run a no-op. And both can pass the
        ``IF NOT EXISTS`` check before either creates: the loser is told the rule exists,
        which is what it wanted."""
        for attempt in range(attempts):
            try:
                self.runner.run_auto(statement)
                return
            except BackendError as exc:
                if "AlreadyExists" in str(exc):
                    return
                if "TransientError" not in str(exc) or attempt == attempts - 1:
                    raise
                time.sleep(0.1 * (attempt + 1))

    def claim(self, fingerprint: str, source: str, add: bool = False) -> None:
        """Record that the database holds the dataset ``fingerprint`` (before writing any
        row of it, so that a load cut short is completed by loading the same data again).
        Refused (:class:`UsageError`) when the database holds another dataset, or data no
        kpgraph load recorded, unless ``add``: then this dataset's new rows are added and
        both are recorded."""
        held = self.datasets()
        others = [d for d in held if d["fingerprint"] != fingerprint]
        if not add and others:
            raise UsageError(
                f"the database holds another dataset ({others[0]['source']}): a load writes only "
                "rows whose key is new, so that dataset's rows would stay as they are and the "
                "two would mix. Replace it (--replace deletes what loads wrote first), or "
                "add this dataset's new rows to it with --add")
        any_data = f"MATCH (c:{contract().tables['countries'].label}) RETURN count(c) > 0 AS x"
        if not add and not held and self.runner.run(any_data, mode="read")[0]["x"]:
            raise UsageError(
                "the database holds data that no kpgraph load recorded: a load writes only "
                "rows whose key is new, so rows of the same keys would stay as they are. "
                "Replace it (--replace deletes what loads write first), or add this "
                "dataset's new rows to it with --add")
        self.runner.run(MARK_DATASET, {"fingerprint": fingerprint, "source": source},
                        mode="write")

    def clear(self, progress: Progress | None = None) -> None:
        """Delete every node a load writes (the contract's, the company flows, the dataset
        records last), ten thousand at a time: a clear cut short leaves the records, so
        the database still says what it held and a load of that dataset completes it."""
        for label, statement in clear_statements():
            if progress:
                progress(f"clear {label}", 0, 1)
            self.runner.run_auto(statement)
            if progress:
                progress(f"clear {label}", 1, 1)

    def datasets(self) -> list[dict]:
        """The datasets loads have recorded (fingerprint and source), sorted."""
        return sorted(({"fingerprint": r["fingerprint"], "source": r["source"]}
                       for r in self.runner.run(DATASETS, mode="read")),
                      key=lambda d: (d["fingerprint"], d["source"] or ""))

    def load(self, frames: dict[str, pd.DataFrame], progress: Progress | None = None,
             batch_size: int = DEFAULT_BATCH_SIZE, workers: int = DEFAULT_WORKERS
             ) -> dict[str, int]:
        """Write validated frames; return the number of nodes created per table.

        Tables go in reference order; within a table, ``workers`` transactions run at once
        (Neo4j retries the deadlocks two writers to one company can meet).
        """
        self.apply_schema("before")
        created: dict[str, int] = {}
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for name in contract().table_order():
                frame = frames.get(name)
                if frame is None or frame.empty:
                    continue
                rows, extras = _rows(name, frame)
                query = create_statement(contract().tables[name], extras=extras)
                created[name] = 0
                done = 0
                if progress:
                    progress(name, 0, len(rows))
                futures = [pool.submit(self._write_batch, query, rows[i:i + batch_size])
                           for i in range(0, len(rows), batch_size)]
                try:
                    for fut in as_completed(futures):
                        n_created, n_rows = fut.result()
                        created[name] += n_created
                        done += n_rows
                        if progress:
                            progress(name, done, len(rows))
                except BaseException:
                    for fut in futures:
                        fut.cancel()
                    raise
            self._link_shipments(frames, pool, batch_size, progress)
            self._write_flows(frames, batch_size)
        self.apply_schema("after")
        return created

    def _link_shipments(self, frames, pool, batch_size, progress) -> None:
        """The ``NEXT`` continuation links between the loaded shipments (see
        :mod:`kpgraph.routes.links`), merged so that a re-run adds only what is missing."""
        ships, comps = frames.get("shipments"), frames.get("companies")
        if ships is None or ships.empty or comps is None:
            return
        links = ShipmentIndex(ships, comps.set_index("company_id")["country"]).all_links()
        rows = [[a, b, int(d), float(r)] for a, b, d, r in
                zip(links["source"], links["target"], links["days"], links["ratio"])]
        done = 0
        if progress:
            progress(NEXT, 0, len(rows))
        futures = [pool.submit(self._write_batch, LINK_STATEMENT, rows[i:i + batch_size])
                   for i in range(0, len(rows), batch_size)]
        try:
            for fut in as_completed(futures):
                done += fut.result()[1]
                if progress:
                    progress(NEXT, done, len(rows))
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise

    def _write_flows(self, frames, batch_size) -> None:
        """Each company's flows (:mod:`kpgraph.flows`) on a ``(:CompanyFlow)`` node."""
        if frames.get("shipments") is None or frames.get("companies") is None:
            return
        flows = company_flows(GraphModel(dict(frames)))
        rows = [[cid, *(float(v) for v in r[:6]), bool(r[6]),
                 None if pd.isna(r[7]) else r[7].date()]
                for cid, r in zip(flows.index, flows.itertuples(index=False, name=None))]
        for i in range(0, len(rows), batch_size):
            self._write_batch(FLOW_STATEMENT, rows[i:i + batch_size])

    def _write_batch(self, query: str, batch: list, attempts: int = 6) -> tuple[int, int]:
        """One batch in one transaction. A concurrent load that created some of the same
        keys first makes the uniqueness constraint refuse the batch: wait and re-run it,
        and the rows that now exist are skipped."""
        for attempt in range(attempts):
            try:
                rows = self.runner.run(query, {"rows": batch}, mode="write")
                return rows[0]["created"], len(batch)
            except BackendError as exc:
                if "ConstraintValidationFailed" not in str(exc) or attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))  # back off before retrying the batch
        raise AssertionError("unreachable")

    # -- reading ------------------------------------------------------------------------
    def counts(self) -> dict[str, dict[str, int]]:
        """Nodes per contract label and relationships per contract type (count store)."""
        node_q, rel_q = count_statements()
        return {
            "nodes": {k: self.runner.run(q, mode="read")[0]["n"] for k, q in node_q.items()},
            "relationships": {k: self.runner.run(q, mode="read")[0]["n"]
                              for k, q in rel_q.items()},
        }

    def read_table(self, name: str, extras: bool = True) -> pd.DataFrame:
        """One contract table, read back from the nodes' properties and typed again (with
        the file's extra columns, unless ``extras`` is false)."""
        t = contract().tables[name]
        cols = row_columns(t)
        data = [r["n"] for r in self.runner.run(read_statement(t), mode="read")]
        frame = pd.DataFrame(data, columns=None if data else cols)
        for c in cols:
            if c not in frame.columns:
                frame[c] = None
        more = [c for c in frame.columns if c not in cols] if extras else []
        return _typed(t, frame[cols + more])

    def read_frames(self) -> dict[str, pd.DataFrame]:
        """Every contract table, read back from the nodes' properties and typed again."""
        return {name: self.read_table(name) for name in contract().tables}

    def read_graph(self) -> GraphModel:
        return GraphModel(self.read_frames(), source=f"neo4j:{self.runner.config.shown_uri}")


def typed_rows(name: str, data: list) -> pd.DataFrame:
    """A contract table's frame from rows read as :func:`~kpgraph.neo4j.schema.row_values`
    lists, typed as the embedded store types them."""
    t = contract().tables[name]
    return _typed(t, pd.DataFrame(data, columns=row_columns(t)))


def _typed(table, frame: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for c in frame.columns:
        col = table.columns.get(c)
        s = frame[c]
        kind = col.type if col else "text"
        if kind == "date":
            # ISO text or dates (str of a date is its ISO text), nulls as NaT
            out[c] = pd.to_datetime(s.astype("string"), format="%Y-%m-%d"
                                    ).astype("datetime64[s]")
        elif kind == "decimal":
            out[c] = pd.to_numeric(s, errors="coerce").astype("float64")
        elif kind == "integer":
            out[c] = pd.array(s.tolist(), dtype="Int64")
        elif kind == "bool":
            out[c] = pd.array(s.tolist(), dtype="boolean")
        else:
            out[c] = s.astype("str").where(s.notna(), pd.NA) if len(s) else s.astype("str")
    return pd.DataFrame(out, index=np.arange(len(frame)))
