"""KP statistics anomalies: published figures that break with the country's own history.
Amnesty International asked KP governments to compare export, import and production
figures and publish them, because anomalies reveal illicit trade (Recommendation 4).

The rules read ``kp_statistics`` only, so they run on a statistics-only folder such as
``datasets/kp_statistics`` (``kpgraph stats``). They compare like with like: half-years
with half-years of the same country, whole years with whole years, so that a year with one
half reported is not read as a collapse. History is summarised robustly (median and median
absolute deviation of the logarithm), so one outlier cannot hide another.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...graph import GraphModel
from .. import Finding, rule

__all__ = ["exports_exceed_supply", "production_break", "value_per_carat_break",
           "identical_periods", "reporting_gap", "round_figures", "trade_value_gap"]

SERVES = "Recommendation 4 (transparent statistics: compare export, import, production)"


def _period(row) -> tuple[str, str]:
    y = int(row.year)
    if pd.isna(row.half):
        return f"{y}-01-01", f"{y}-12-31"
    return (f"{y}-01-01", f"{y}-06-30") if int(row.half) == 1 else (f"{y}-07-01",
                                                                   f"{y}-12-31")


def _label(row) -> str:
    return f"{int(row.year)}" if pd.isna(row.half) else f"{int(row.year)}-H{int(row.half)}"


def _finding(rid, row, severity, summary, evidence) -> Finding:
    a, b = _period(row)
    return Finding(rule=rid, typology="statistical_anomaly", severity=severity,
                   summary=summary,
                   entities={"countries": [row.iso3], "companies": [], "shipments": [],
                             "certificates": []},
                   period={"from": a, "to": b}, evidence=evidence)


def _times(ratio: float) -> str:
    """A ratio in words, without a float's exponent or a long tail of digits.

    >>> _times(2.25), _times(1e12), _times(0.25)
    ('2.2 times', '1,000,000,000,000 times', '1/4 of')
    """
    if ratio >= 1:
        return f"{ratio:.1f} times" if ratio < 1000 else f"{ratio:,.0f} times"
    return f"1/{1 / ratio:,.0f} of"


def _robust_z(values: pd.Series) -> pd.Series:
    """(log x - median) / (1.4826 MAD), over the other values of the series."""
    logs = np.log(values)
    out = pd.Series(np.nan, index=values.index)
    for i in values.index:
        others = logs.drop(i)
        if len(others) < 4:
            continue
        med = others.median()
        mad = (others - med).abs().median() * 1.4826
        out[i] = (logs[i] - med) / max(mad, 0.05)  # a floor: very steady series still vary
    return out


@rule("exports_exceed_supply", "statistical_anomaly", SERVES, tolerance=0.25)
def exports_exceed_supply(g: GraphModel, tolerance: float = 0.25) -> list[Finding]:
    """A year in which a country exported more rough than it produced and imported, by more
    than ``tolerance`` (default 25 %): the surplus came from somewhere the statistics do
    not show, as Congo's exports of about 100 times its output did before its 2004
    expulsion. Whole years only (both halves summed, or a yearly row), because rough
    imported in one half is often exported in the next, and stock covers the rest of the
    tolerance. Needs production, export and import figures."""
    st = g.kp_statistics.dropna(subset=["production_carats", "export_carats",
                                        "import_carats"])
    cols = ["production_carats", "import_carats", "export_carats"]
    halves = st[st["half"].notna()]
    full = halves.groupby(["iso3", "year"]).filter(lambda x: set(x["half"]) == {1, 2})
    years = pd.concat([
        full.groupby(["iso3", "year"], as_index=False)[cols].sum(),
        st[st["half"].isna()][["iso3", "year", *cols]],
    ]).drop_duplicates(["iso3", "year"]).sort_values(["iso3", "year"])
    out = []
    for r in years.assign(half=pd.NA).itertuples(index=False):
        supply = r.production_carats + r.import_carats
        if r.export_carats > supply * (1 + tolerance) and r.export_carats - supply > 1:
            ratio = r.export_carats / supply if supply else float("inf")
            out.append(_finding(
                "exports_exceed_supply", r, min(1.0, 0.6 + 0.1 * min(ratio, 4.0)),
                f"{r.iso3} exported {r.export_carats:,.0f} ct in {_label(r)}, more than it "
                f"produced ({r.production_carats:,.0f} ct) and imported "
                f"({r.import_carats:,.0f} ct) together"
                + (f", {ratio:.1f} times that." if supply else "."),
                {"export_carats": float(r.export_carats),
                 "production_carats": float(r.production_carats),
                 "import_carats": float(r.import_carats),
                 "surplus_carats": float(r.export_carats - supply)}))
    return out


def _history(g: GraphModel, column: str) -> pd.DataFrame:
    st = g.kp_statistics.dropna(subset=[column])
    st = st[st[column] > 0]
    return st.assign(kind=st["half"].isna().map({True: "year", False: "half"}))


def _breaks(h: pd.DataFrame, column: str, threshold: float, min_ratio: float):
    """Rows of ``h`` whose ``column`` breaks with the country's other periods of the same
    kind: yields (row, robust z, median, ratio to the median)."""
    for (_iso3, _kind), grp in h.groupby(["iso3", "kind"], sort=True):
        z = _robust_z(grp[column])
        med = grp[column].median()
        for idx in grp.index[(z.abs() > threshold).fillna(False).to_numpy()]:
            ratio = grp.at[idx, column] / med
            if max(ratio, 1 / ratio) >= min_ratio:
                row = next(grp.loc[[idx]].itertuples(index=False))
                yield row, float(z[idx]), float(med), float(ratio)


@rule("production_break", "statistical_anomaly", SERVES, threshold=3.5, min_ratio=2.0)
def production_break(g: GraphModel, threshold: float = 3.5, min_ratio: float = 2.0
                     ) -> list[Finding]:
    """A period whose production breaks with the country's own history: its robust z-score
    (log production against the median and MAD of the country's other periods of the same
    kind, half-years or whole years) beyond ``threshold`` (default 3.5), and at least
    ``min_ratio`` (default 2) times above or below the median. Surges can be laundered
    rough declared as the country's own; collapses, production leaving the books."""
    h = _history(g, "production_carats")
    out = []
    for row, z, med, ratio in _breaks(h, "production_carats", threshold, min_ratio):
        word = "surge" if ratio > 1 else "collapse"
        out.append(_finding(
            "production_break", row, min(1.0, 0.4 + 0.05 * abs(z)),
            f"{row.iso3} reported {row.production_carats:,.0f} ct produced in {_label(row)}, "
            f"{_times(ratio)} its median of {med:,.0f} ct (a {word}, robust z {z:+.1f}).",
            {"production_carats": float(row.production_carats), "median": med,
             "ratio": ratio, "robust_z": z}))
    return out


@rule("value_per_carat_break", "statistical_anomaly", SERVES, threshold=3.5, min_ratio=2.0)
def value_per_carat_break(g: GraphModel, threshold: float = 3.5, min_ratio: float = 2.0
                          ) -> list[Finding]:
    """A period whose production value per carat breaks with the country's own history
    (robust z beyond ``threshold``, default 3.5, and at least ``min_ratio``, default 2,
    times the median): a price that jumps can hide other goods, or a misreported figure;
    one that collapses, undervaluation."""
    h = _history(g, "production_carats")
    h = h[h["production_usd"].notna() & (h["production_usd"] > 0)]
    h = h.assign(vpc=h["production_usd"] / h["production_carats"])
    out = []
    for row, z, med, ratio in _breaks(h, "vpc", threshold, min_ratio):
        out.append(_finding(
            "value_per_carat_break", row, min(1.0, 0.4 + 0.05 * abs(z)),
            f"{row.iso3}'s production in {_label(row)} was valued at {row.vpc:,.2f} USD/ct, "
            f"{_times(ratio)} its median of {med:,.2f} USD/ct (robust z {z:+.1f}).",
            {"usd_per_carat": float(row.vpc), "median": med, "ratio": ratio,
             "robust_z": z}))
    return out


@rule("identical_periods", "statistical_anomaly", SERVES)
def identical_periods(g: GraphModel) -> list[Finding]:
    """Two consecutive half-years with exactly the same production carats (above zero):
    real output does not repeat to the carat; a copied figure is an estimate, or a report
    that was never made."""
    h = _history(g, "production_carats")
    h = h[h["kind"] == "half"].sort_values(["iso3", "year", "half"])
    out = []
    for _iso3, grp in h.groupby("iso3", sort=True):
        rows = list(grp.itertuples(index=False))
        for a, b in zip(rows, rows[1:]):
            consecutive = (b.year * 2 + b.half) - (a.year * 2 + a.half) == 1
            if consecutive and a.production_carats == b.production_carats:
                f = _finding("identical_periods", b, 0.5,
                             f"{b.iso3} reported exactly {b.production_carats:,.2f} ct "
                             f"produced in both {_label(a)} and {_label(b)}.",
                             {"production_carats": float(b.production_carats),
                              "previous_period": _label(a)})
                f.period["from"] = _period(a)[0]
                out.append(f)
    return out


@rule("reporting_gap", "statistical_anomaly", SERVES, min_gap=2)
def reporting_gap(g: GraphModel, min_gap: int = 2) -> list[Finding]:
    """A producer that stops reporting: at least ``min_gap`` (default 2) consecutive
    half-years missing between two reported ones, or reported as no production between
    periods of production. A missing row is not a zero: the gap is flagged, not read as a
    collapse."""
    st = g.kp_statistics[g.kp_statistics["half"].notna()]
    out = []
    for iso3, grp in st.groupby("iso3", sort=True):
        idx = (grp["year"] * 2 + grp["half"] - 1).astype(int)
        produced = grp.assign(i=idx.to_numpy())
        reported = sorted(set(produced["i"]))
        positive = sorted(set(produced.loc[produced["production_carats"] > 0, "i"]))
        if not positive:
            continue
        gaps = []
        for a, b in zip(reported, reported[1:]):
            if b - a - 1 >= min_gap:
                gaps.append((a + 1, b - 1, "missing"))
        zero_run = [i for i in reported if positive[0] < i < positive[-1]
                    and i not in positive]
        run: list[int] = []
        for i in zero_run + [None]:
            if run and (i is None or i != run[-1] + 1):
                if len(run) >= min_gap:
                    gaps.append((run[0], run[-1], "reported no production"))
                run = []
            if i is not None:
                run.append(i)
        for a, b, how in gaps:
            ya, ha, yb, hb = a // 2, a % 2 + 1, b // 2, b % 2 + 1
            row = pd.Series({"iso3": iso3, "year": ya, "half": ha}).to_frame().T
            r = next(row.itertuples(index=False))
            f = _finding("reporting_gap", r, 0.4,
                         f"{iso3} {how} for {b - a + 1} half-years, {ya}-H{ha} to "
                         f"{yb}-H{hb}, between periods it reported.",
                         {"half_years": int(b - a + 1), "how": how,
                          "from": f"{ya}-H{ha}", "to": f"{yb}-H{hb}"})
            f.period["to"] = f"{yb}-{'06-30' if hb == 1 else '12-31'}"
            out.append(f)
    return out


def _roundness(v: float) -> int:
    """How many trailing zeros the whole number ``v`` has (0 for a fraction)."""
    if v <= 0 or v != int(v):
        return 0
    n, k = int(v), 0
    while n % 10 == 0:
        n //= 10
        k += 1
    return k


@rule("round_figures", "statistical_anomaly", SERVES, zeros=3, min_periods=4, share=0.5)
def round_figures(g: GraphModel, zeros: int = 3, min_periods: int = 4, share: float = 0.5
                  ) -> list[Finding]:
    """A country whose production carats end in at least ``zeros`` (default 3) zeros in at
    least ``share`` (default half) of its periods, over at least ``min_periods`` (default
    4): weighed output is never that round, so the figures are estimates, not records.
    Counted over the periods with production above ten thousand carats, where a round
    figure is unlikely by chance (1 in 1,000 for three zeros)."""
    h = _history(g, "production_carats")
    h = h[h["production_carats"] >= 10_000]
    out = []
    for iso3, grp in h.groupby("iso3", sort=True):
        if len(grp) < min_periods:
            continue
        rounds = grp[[_roundness(v) >= zeros for v in grp["production_carats"]]]
        if len(rounds) < share * len(grp):
            continue
        rows = sorted(rounds.itertuples(index=False), key=lambda r: (r.year, r.half or 0))
        first, last = rows[0], rows[-1]
        f = _finding("round_figures", last, round(min(1.0, 0.3 + 0.4 * len(rounds) / len(grp)),
                                                 2),
                     f"{iso3} reported production ending in {zeros} or more zeros in "
                     f"{len(rounds)} of its {len(grp)} periods above 10,000 ct (e.g. "
                     f"{first.production_carats:,.0f} ct in {_label(first)}).",
                     {"round_periods": [_label(r) for r in rows], "periods": len(grp),
                      "zeros": zeros})
        f.period["from"] = _period(first)[0]
        out.append(f)
    return out


@rule("trade_value_gap", "statistical_anomaly", SERVES, trade_ratio=3.0, re_export=0.25,
      min_ratio=2.0)
def trade_value_gap(g: GraphModel, trade_ratio: float = 3.0, re_export: float = 0.25,
                    min_ratio: float = 2.0) -> list[Finding]:
    """For a trading hub in a year (it exported at least ``trade_ratio``, default 3, times
    what it mined, and at least ``re_export``, default a quarter, of what it imported: a
    cutting centre that keeps its rough is not one), the value per carat of its exports
    against that of its imports: at least ``min_ratio`` (default 2) times higher is an
    uplift at the hub, as low or lower an undervaluation. Whole years only, as for
    exports_exceed_supply."""
    cols = ["production_carats", "export_carats", "export_usd", "import_carats", "import_usd"]
    st = g.kp_statistics.dropna(subset=cols)
    halves = st[st["half"].notna()]
    full = halves.groupby(["iso3", "year"]).filter(lambda x: set(x["half"]) == {1, 2})
    years = pd.concat([full.groupby(["iso3", "year"], as_index=False)[cols].sum(),
                       st[st["half"].isna()][["iso3", "year", *cols]]]
                      ).drop_duplicates(["iso3", "year"]).sort_values(["iso3", "year"])
    out = []
    for r in years.assign(half=pd.NA).itertuples(index=False):
        if r.export_carats <= 0 or r.import_carats <= 0 or r.import_usd <= 0:
            continue
        if (r.export_carats < trade_ratio * r.production_carats
                or r.export_carats < re_export * r.import_carats):
            continue
        vx, vm = r.export_usd / r.export_carats, r.import_usd / r.import_carats
        ratio = vx / vm
        if max(ratio, 1 / ratio) < min_ratio:
            continue
        word = "uplift" if ratio > 1 else "undervaluation"
        out.append(_finding(
            "trade_value_gap", r, round(min(1.0, 0.4 + 0.1 * max(ratio, 1 / ratio)), 2),
            f"{r.iso3} exported rough at {vx:,.2f} USD/ct in {_label(r)} and imported it at "
            f"{vm:,.2f} USD/ct, {_times(ratio)} ({word}); it mined "
            f"{r.production_carats:,.0f} ct and exported {r.export_carats:,.0f} ct.",
            {"export_usd_per_carat": float(vx), "import_usd_per_carat": float(vm),
             "ratio": float(ratio), "production_carats": float(r.production_carats),
             "export_carats": float(r.export_carats)}))
    return out
