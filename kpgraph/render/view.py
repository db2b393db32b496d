"""Interactive network views: one self-contained HTML file per view.

The page carries vis-network 9.1.2 inline (the copy that the pyvis package ships), so it
opens offline, on an air-gapped laptop, from an e-mail attachment. pyvis's own page
template is not used: it loads Bootstrap from a CDN whatever its ``cdn_resources``
setting, which would make every view reach the network.

It cannot be turned against the person who opens it:
- the data travels as JSON in a ``<script type="application/json">`` block, with ``<``,
  ``>`` and ``&`` written as ``\\u003c``-style escapes, and is read with ``JSON.parse``;
- labels are drawn on the canvas, and tooltips are built as DOM nodes with
  ``textContent``: no string from the data is ever parsed as HTML;
- a Content-Security-Policy allows only the page's own inline script and style and no
  request of any kind (``default-src 'none'``).
"""

from __future__ import annotations

import html
import importlib.util
import json
import math
import os
import re
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from .. import __version__
from ..errors import UsageError
from ..graph import GraphModel
from ..selection import Subgraph, shipment_flags, status_on_dates
from .layout import BIG_VIEW, STILL_LINKS, spring_positions

__all__ = ["view_data", "render_view", "write_view", "ROLE_STYLE"]

# role -> (colour, vis-network shape); free-zone companies are drawn as diamonds
ROLE_STYLE = {
    "miner": ("#8d6e63", "triangle"),
    "trader": ("#1e88e5", "dot"),
    "polisher": ("#8e24aa", "square"),
    "manufacturer": ("#5e35b1", "square"),
    "retailer": ("#43a047", "dot"),
}
FREE_ZONE_SHAPE = "diamond"
EDGE_COLOURS = {"status": "#e53935", "no_certificate": "#fb8c00", "none": "#9e9e9e",
                "route": "#1e88e5"}


def _text(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT:
        return ""
    if hasattr(v, "strftime"):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, float):
        return f"{v:,.2f}"
    return str(v)


def view_data(g: GraphModel, sub: Subgraph) -> dict:
    """The nodes, edges and legend of a view, as plain JSON-ready data."""
    s = sub.shipments
    flags = shipment_flags(g, s)
    period_start = sub.since if sub.since is not None else (s["shipped_on"].min()
                                                            if len(s) else None)
    period_end = sub.until if sub.until is not None else (s["shipped_on"].max()
                                                          if len(s) else None)
    # KP status of each company's country during the period (any day of it)
    statuses: dict[str, list[str]] = {}
    for row in g.kp_status.itertuples(index=False):
        if period_start is not None and not pd.isna(row.end) and row.end < pd.Timestamp(
                period_start):
            continue
        if period_end is not None and row.start > pd.Timestamp(period_end):
            continue
        statuses.setdefault(row.iso3, []).append(
            f"{row.status} {_text(row.start)} to {_text(row.end) or 'now'}")
    if period_end is not None:
        comps = sub.companies
        outside = status_on_dates(g, comps["country"],
                                  pd.Series(pd.Timestamp(period_end), index=comps.index))
        for iso3 in comps.loc[outside == "not a participant", "country"].unique():
            statuses.setdefault(iso3, []).append("not a KP participant")
    out_tot = s.groupby("exporter_id").agg(n=("shipment_id", "size"), c=("carats", "sum"),
                                           v=("value_usd", "sum"))
    in_tot = s.groupby("importer_id").agg(n=("shipment_id", "size"), c=("carats", "sum"),
                                          v=("value_usd", "sum"))
    nodes = []
    for c in sub.companies.sort_values("company_id").itertuples(index=False):
        colour, shape = ROLE_STYLE.get(c.role, ("#757575", "dot"))
        zone = _text(c.free_zone)
        if zone:
            shape = FREE_ZONE_SHAPE
        st = statuses.get(c.country, [])
        o = out_tot.loc[c.company_id] if c.company_id in out_tot.index else None
        i = in_tot.loc[c.company_id] if c.company_id in in_tot.index else None
        info = [["Company", _text(c.name)], ["Id", _text(c.company_id)],
                ["Country", _text(c.country)], ["Role", _text(c.role)],
                ["Free zone", zone or "none"], ["Last audit", _text(c.last_audit) or "never"],
                ["Shipments out", f"{0 if o is None else int(o.n)}"],
                ["Carats out", _text(0.0 if o is None else float(o.c))],
                ["Value out (USD)", _text(0.0 if o is None else float(o.v))],
                ["Shipments in", f"{0 if i is None else int(i.n)}"],
                ["Carats in", _text(0.0 if i is None else float(i.c))],
                ["Value in (USD)", _text(0.0 if i is None else float(i.v))]]
        info += [["KP status", x] for x in st]
        nodes.append({
            "id": str(c.company_id), "label": _text(c.name) or str(c.company_id),
            "role": _text(c.role), "country": _text(c.country), "free_zone": zone,
            "colour": colour, "shape": shape, "centre": c.company_id == sub.centre,
            "kp_status": st, "info": info,
        })
    edges = []
    if sub.route is not None and len(s):
        edges = _route_edges(s.assign(status=flags["status"], no_cert=flags["no_certificate"]),
                             sub.route)
    elif len(s):
        s = s.assign(status=flags["status"], no_cert=flags["no_certificate"])
        pair = ["exporter_id", "importer_id"]
        agg = s.groupby(pair, sort=True).agg(
            shipments=("shipment_id", "size"), carats=("carats", "sum"),
            value=("value_usd", "sum"), first=("shipped_on", "min"),
            last=("shipped_on", "max"), no_cert=("no_cert", "sum"))
        # the statuses of the few pairs that have any: a Python function for every one of
        # 31,000 pairs took most of a big view's time
        statuses = (s[s["status"].notna()].groupby(pair)["status"]
                    .agg(lambda x: sorted(set(x))).to_dict())
        for (e, i), r in zip(agg.index, agg.itertuples(index=False)):
            status = statuses.get((e, i), [])
            flag = "status" if status else ("no_certificate" if r.no_cert else "none")
            info = [["From", str(e)], ["To", str(i)], ["Shipments", str(int(r.shipments))],
                    ["Carats", _text(float(r.carats))], ["Value (USD)", _text(float(r.value))],
                    ["USD per carat", _text(float(r.value) / float(r.carats))
                     if r.carats else ""],
                    ["First", _text(r.first)], ["Last", _text(r.last)]]
            if status:
                info.append(["KP status on a shipping date", ", ".join(status)])
            if r.no_cert:
                info.append(["Rough without certificate", f"{int(r.no_cert)} shipment(s)"])
            edges.append({
                "from": str(e), "to": str(i), "carats": float(r.carats),
                "width": round(1 + 2 * math.log10(1 + float(r.carats) / 100), 2),
                "flag": flag, "colour": EDGE_COLOURS[flag], "info": info,
            })
    legend_edges = [["KP status on a shipping date", EDGE_COLOURS["status"]],
                    ["rough without a KP certificate", EDGE_COLOURS["no_certificate"]],
                    ["no indicator", EDGE_COLOURS["none"]]]
    if sub.route is not None:
        legend_edges.insert(0, ["route step (numbered in order, with its date)",
                                EDGE_COLOURS["route"]])
        # a route reads left to right: each company in the column of the step that first
        # reached it (a round trip's last step comes back to the first column)
        column: dict[str, int] = {}
        for e in edges:
            column.setdefault(e["from"], e["step"] - 1)
            column.setdefault(e["to"], e["step"])
        for n in nodes:
            n["level"] = column.get(n["id"], 0)
        for e in edges:  # a round trip's closing step runs back along the chain
            e["back"] = column[e["to"]] <= column[e["from"]]
    big = len(nodes) > BIG_VIEW
    if big:  # laid out here: from random positions the browser's physics takes too long
        at = spring_positions([n["id"] for n in nodes], [(e["from"], e["to"]) for e in edges])
        for n in nodes:
            n["x"], n["y"] = at[n["id"]]
    return {
        "big": big, "still": big and len(edges) > STILL_LINKS, "route": sub.route is not None,
        "title": sub.title, "centre": sub.centre,
        "period": [_text(period_start), _text(period_end)],
        "nodes": nodes, "edges": edges, "version": __version__,
        "legend": {
            "roles": [[r, col, shp] for r, (col, shp) in ROLE_STYLE.items()],
            "free_zone_shape": FREE_ZONE_SHAPE,
            "edges": legend_edges,
        },
        "notes": [_text(n) for n in (sub.notes or [])],
    }


def _route_edges(s: pd.DataFrame, route: list[str]) -> list[dict]:
    """One edge per shipment of a route, numbered in order, labelled with its date; the
    colour says route unless the shipment carries an indicator."""
    rows = s.set_index("shipment_id")
    out = []
    for n, sid in enumerate(route, 1):
        r = rows.loc[sid]
        flag = ("status" if not pd.isna(r.status) else
                "no_certificate" if r.no_cert else "route")
        carats, value = float(r.carats), r.value_usd
        info = [["Step", str(n)], ["Shipment", _text(sid)], ["From", _text(r.exporter_id)],
                ["To", _text(r.importer_id)], ["Date", _text(r.shipped_on)],
                ["Carats", _text(carats)], ["Value (USD)", _text(value)],
                ["USD per carat", _text(float(value) / carats) if not pd.isna(value) else ""],
                ["Declared origin", _text(r.declared_origin)],
                ["Certificate", _text(r.certificate_id) or "none"]]
        if flag == "status":
            info.append(["KP status on the date", _text(r.status)])
        out.append({
            "from": _text(r.exporter_id), "to": _text(r.importer_id), "carats": carats,
            "width": round(1 + 2 * math.log10(1 + carats / 100), 2), "flag": flag,
            "colour": EDGE_COLOURS[flag], "info": info, "step": n,
            "label": f"{n}. {_text(r.shipped_on)}",
        })
    return out


def _script_json(data) -> str:
    """JSON that is safe inside a <script> element whatever the strings hold."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


@lru_cache(maxsize=1)
def _assets() -> tuple[str, str, str]:
    # pyvis's files are found, not imported: importing pyvis imports IPython, which costs a
    # third of a second and raises the interpreter's recursion limit for the whole process
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise UsageError("the pyvis package is not installed: pip install pyvis")
    vis = Path(next(iter(spec.submodule_search_locations))) / "lib" / "vis-9.1.2"
    here = resources.files("kpgraph.render")
    # kpgraph's own helpers (drawing.js) go after the library, in the same inline script
    return (vis.joinpath("vis-network.min.js").read_text("utf-8") + "\n"
            + here.joinpath("drawing.js").read_text("utf-8"),
            vis.joinpath("vis-network.css").read_text("utf-8"),
            here.joinpath("view.html").read_text("utf-8"))


def render_view(data: dict) -> str:
    """The whole HTML page for view data (deterministic: the same data, the same bytes)."""
    js, css, page = _assets()
    # vis-network's own code never contains "</script"; check rather than trust
    if "</script" in js.lower():
        raise RuntimeError("vis-network bundle contains </script>")
    parts = {"TITLE": html.escape(data["title"]), "VIS_CSS": css,
             "DATA": _script_json(data), "VIS_JS": js}
    # one pass, so that nothing substituted is scanned for placeholders again
    return re.sub(r"\{\{(TITLE|VIS_CSS|DATA|VIS_JS)\}\}", lambda m: parts[m.group(1)], page)


def write_view(g: GraphModel, sub: Subgraph, out: Path | str, max_nodes: int = 2000) -> dict:
    """Render a subgraph to ``out`` (written atomically); return its view data.

    A view above ``max_nodes`` companies is refused with advice, not drawn as a hairball.
    """
    n = len(sub.companies)
    if n > max_nodes:
        raise UsageError(
            f"the view has {n:,} companies, above --max-nodes {max_nodes:,}: narrow it "
            "(fewer --hops, a --since/--until period, or one country) or raise --max-nodes")
    data = view_data(g, sub)
    text = render_view(data)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".kpgraph-view-", suffix=".html", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a view is an ordinary file
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return data
