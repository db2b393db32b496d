"""The graph model: the one interface that every analysis reads.

Tables are pandas frames typed by the contract (dates as ``datetime64``, figures as
``float64``, identifiers as text). Per-shipment data stays columnar: a million shipments are
a frame, never a million attribute dicts. The company trade network is a networkx
``DiGraph`` aggregated from the shipments (one edge per exporter and importer pair, with
carats, value and shipment count), built on demand.

The model does not know which store it came from; both stores build it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from .contract import Table, contract

__all__ = ["GraphModel", "ROUGH_HS_CODES", "WORKED_HS_CODES"]

ROUGH_HS_CODES = ("7102.10", "7102.21", "7102.31")
WORKED_HS_CODES = ("7102.29", "7102.39")


def _empty_frame(table: Table) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=col.dtype) for c, col in table.columns.items()})
    if len(table.key) > 1:
        frame.insert(0, "key", pd.Series(dtype="str"))
    return frame


@dataclass
class GraphModel:
    """Typed tables plus the views that analyses share."""

    frames: dict[str, pd.DataFrame]
    source: str = ""
    _network_cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for name, table in contract().tables.items():
            if name not in self.frames:
                self.frames[name] = _empty_frame(table)

    def table(self, name: str) -> pd.DataFrame:
        return self.frames[name]

    @property
    def countries(self) -> pd.DataFrame:
        return self.frames["countries"]

    @property
    def companies(self) -> pd.DataFrame:
        return self.frames["companies"]

    @property
    def shipments(self) -> pd.DataFrame:
        return self.frames["shipments"]

    @property
    def certificates(self) -> pd.DataFrame:
        return self.frames["certificates"]

    @property
    def kp_status(self) -> pd.DataFrame:
        return self.frames["kp_status"]

    @property
    def production_records(self) -> pd.DataFrame:
        return self.frames["production_records"]

    @property
    def kp_statistics(self) -> pd.DataFrame:
        return self.frames["kp_statistics"]

    # -- counts -------------------------------------------------------------------------
    def counts(self) -> dict[str, dict[str, int]]:
        """Rows per node label and references per relationship type, as in the graph."""
        c = contract()
        nodes = {t.label: int(len(self.frames[name])) for name, t in c.tables.items()}
        rels = {}
        for rel in c.relationships:
            col = self.frames[rel.table][rel.column]
            also = c.tables[rel.table].columns[rel.column].also
            rels[rel.type] = int((col.notna() & ~col.isin(also)).sum())
        return {"nodes": nodes, "relationships": rels}

    # -- the company network ------------------------------------------------------------
    def company_network(self, since=None, until=None, commodity: str | None = None
                        ) -> nx.DiGraph:
        """Companies as nodes, trade as weighted edges (``carats``, ``value_usd``, ``count``).

        ``commodity`` is ``"rough"`` or ``"polished"`` (by HS code); ``since``/``until``
        bound ``shipped_on``. Node attributes: ``name``, ``country``, ``role``,
        ``free_zone``. Cost: one group-by over the selected shipments.
        """
        key = (since, until, commodity)
        if key in self._network_cache:
            return self._network_cache[key]
        s = self.shipments_between(since, until)
        if commodity is not None:
            codes = {"rough": ROUGH_HS_CODES, "polished": WORKED_HS_CODES}.get(commodity)
            if codes is None:
                raise ValueError("commodity must be 'rough' or 'polished'")
            s = s[s["hs_code"].isin(codes)]
        agg = (s.groupby(["exporter_id", "importer_id"], sort=True, observed=True)
               .agg(carats=("carats", "sum"), value_usd=("value_usd", "sum"),
                    count=("shipment_id", "size"))
               .reset_index())
        g = nx.DiGraph()
        comp = self.companies
        attrs = comp[["company_id", "name", "country", "role", "free_zone"]].astype(object)
        attrs = attrs.where(attrs.notna(), None)
        g.add_nodes_from(
            (row[0], {"name": row[1], "country": row[2], "role": row[3], "free_zone": row[4]})
            for row in attrs.itertuples(index=False, name=None))
        g.add_edges_from(
            (e, i, {"carats": float(c), "value_usd": float(v), "count": int(n)})
            for e, i, c, v, n in zip(agg["exporter_id"], agg["importer_id"], agg["carats"],
                                     agg["value_usd"].fillna(0.0), agg["count"]))
        self._network_cache[key] = g
        return g

    def memo(self, key, build):
        """A value derived from the frames, built once per model (the frames are not
        changed after loading)."""
        key = ("memo", key)
        if key not in self._network_cache:
            self._network_cache[key] = build()
        return self._network_cache[key]

    def memoised(self, key) -> bool:
        """Whether :meth:`memo` has built ``key`` on this model yet."""
        return ("memo", key) in self._network_cache

    def restricted(self, since=None, until=None) -> GraphModel:
        """The same model with only the shipments of a period (other tables whole)."""
        frames = dict(self.frames)
        frames["shipments"] = self.shipments_between(since, until)
        return GraphModel(frames, source=self.source)

    # -- slices ---------------------------------------------------------------------------
    def shipments_between(self, since=None, until=None) -> pd.DataFrame:
        s = self.shipments
        if since is None and until is None:
            return s
        mask = np.ones(len(s), dtype=bool)
        if since is not None:
            mask &= (s["shipped_on"] >= pd.Timestamp(since)).to_numpy(dtype=bool)
        if until is not None:
            mask &= (s["shipped_on"] <= pd.Timestamp(until)).to_numpy(dtype=bool)
        return s[mask]
