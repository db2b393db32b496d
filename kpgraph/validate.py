"""Validation of a dataset folder against the data contract, and its typed frames.

:func:`read_dataset` reads every contract file in a folder, checks every rule of the
contract's Validation section, and either returns typed pandas frames (one per table) or
raises :class:`~kpgraph.errors.InvalidDataError` listing every violation with file, line,
column and reason. Nothing is returned, so nothing can be loaded, when anything is wrong.

Checks are vectorised over whole columns: one pass per rule, never a Python loop per row,
so that a million shipments validate in seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .contract import Column, Table, contract
from .errors import InvalidDataError, UsageError, Violation
from .files import MAX_FIELD_BYTES, RawTable, read_raw

__all__ = ["Dataset", "find_files", "read_dataset", "DEFAULT_MAX_ERRORS"]

DEFAULT_MAX_ERRORS = 1000
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}
_DATE_RE = r"\d{4}-\d{2}-\d{2}"
_MONTH_RE = r"\d{4}-(?:0[1-9]|1[0-2])"
_INT_RE = r"[+-]?\d+"


@dataclass
class Dataset:
    """A validated dataset: typed frames keyed by table name, and where they came from."""

    path: Path
    frames: dict[str, pd.DataFrame]
    files: dict[str, Path]


class _Collector:
    """Keeps the first ``limit`` violations and counts them all."""

    def __init__(self, limit: int):
        self.limit = limit
        self.items: list[Violation] = []
        self.total = 0

    def add(self, v: Violation) -> None:
        self.total += 1
        if len(self.items) < self.limit:
            self.items.append(v)

    def add_rows(self, raw: RawTable, rows: np.ndarray, column: str, reasons) -> None:
        """One violation per row index in ``rows``; ``reasons`` is a str or a per-row list."""
        rows = np.asarray(rows)
        if rows.size == 0:
            return
        self.total += rows.size
        room = self.limit - len(self.items)
        if room <= 0:
            return
        take = rows[:room]
        lines = raw.line_of(take)
        col = raw.column_number(column)
        if isinstance(reasons, str):
            self.items.extend(Violation(raw.file, int(ln), col, reasons) for ln in lines)
        else:
            self.items.extend(
                Violation(raw.file, int(ln), col, r) for ln, r in zip(lines, reasons[:room])
            )


def find_files(path: Path) -> dict[str, Path]:
    """The contract files present in a folder, by table name."""
    path = Path(path)
    if not path.is_dir():
        raise UsageError(f"{path}: no such dataset folder")
    found: dict[str, Path] = {}
    for name in contract().tables:
        candidates = [path / f"{name}.csv", path / f"{name}.parquet"]
        for p in candidates:
            if p.exists() and not p.is_file():  # a folder, a device: never read as data
                raise UsageError(f"{p}: not a regular file")
        present = [p for p in candidates if p.is_file()]
        if len(present) == 2:
            raise UsageError(f"{path}: both {name}.csv and {name}.parquet exist; keep one")
        if present:
            found[name] = present[0]
    return found


def _needed(found: dict[str, Path], require: str | None) -> tuple[str, ...]:
    reqs = contract().requirements
    if require is not None:
        if require not in reqs:
            raise UsageError(f"unknown requirement {require!r}; one of {', '.join(reqs)}")
        return reqs[require]
    trade_only = set(reqs["trade"]) - set(reqs["statistics"])
    # A folder of statistics alone is a statistics dataset; anything else is a trade one.
    if "kp_statistics" in found and not trade_only & set(found):
        return reqs["statistics"]
    return reqs["trade"]


def read_dataset(
    path: Path | str,
    require: str | None = None,
    max_errors: int = DEFAULT_MAX_ERRORS,
    max_field_bytes: int = MAX_FIELD_BYTES,
) -> Dataset:
    """Read and validate a dataset folder; return typed frames or raise InvalidDataError.

    ``require`` is ``"trade"`` or ``"statistics"`` (which files must be present); by
    default a folder with only statistics files is a statistics dataset.
    """
    path = Path(path)
    found = find_files(path)
    errs = _Collector(max_errors)
    for name in _needed(found, require):
        if name not in found:
            errs.add(Violation(f"{name}.csv", 0, 0, "required file is missing"))
    raws: dict[str, RawTable] = {}
    parsed: dict[str, dict[str, pd.Series]] = {}
    for name in contract().table_order():
        if name not in found:
            continue
        raw = read_raw(found[name], max_field_bytes)
        raws[name] = raw
        for v in raw.violations:
            errs.add(v)
        if raw.data is None:
            continue
        parsed[name] = _check_table(contract().tables[name], raw, errs)
    for name, cols in parsed.items():
        _check_references(contract().tables[name], raws, cols, parsed, errs)
    if errs.total:
        raise InvalidDataError(sorted(errs.items), errs.total)
    frames = {name: _frame(contract().tables[name], raws[name], cols)
              for name, cols in parsed.items()}
    return Dataset(path=path, frames=frames, files=found)


# Extra columns become properties of their nodes; in neo4j-admin's header a colon would
# turn a column's data into labels, ids or types.
_NOT_A_PROPERTY = re.compile(r"[:\x00-\x1f\x7f]")


def _check_table(table: Table, raw: RawTable, errs: _Collector) -> dict[str, pd.Series]:
    """Header, emptiness, types, bounds, codes, keys and row rules of one table."""
    present = set(raw.columns)
    for i, cname in enumerate(raw.columns, 1):
        if cname in table.columns:
            continue
        if _NOT_A_PROPERTY.search(cname):
            errs.add(Violation(raw.file, 1, i, f"extra column {cname!r}: a name with a colon "
                               "or a control character cannot be a property (a colon gives "
                               "a bulk-import header a meaning: :LABEL, :ID, :int)"))
        elif cname == table.key_property:
            errs.add(Violation(raw.file, 1, i, f"extra column {cname!r}: the name of the key "
                               f"kpgraph makes of {', '.join(table.key)}"))
        elif cname.startswith("_kpgraph"):
            errs.add(Violation(raw.file, 1, i, f"extra column {cname!r}: names that start "
                               "with _kpgraph are kpgraph's own (a load uses them)"))
    # a file saved with another separator reads as one column named after the whole header
    other = next((sep for sep in (";", "\t", "|") if len(raw.columns) == 1
                  and sep in raw.columns[0]), None)
    for col in table.required_columns:
        if col not in present:
            errs.add(Violation(raw.file, 1, len(raw.columns) + 1,
                               f"missing required column {col!r}" + (
                                   f" (the header is one column: is the file separated by "
                                   f"{other!r} rather than commas?)" if other else "")))
    n = raw.data.num_rows
    text = {c: raw.data.column(c).to_pandas(types_mapper=pd.ArrowDtype).astype("str")
            for c in raw.columns}
    values: dict[str, pd.Series] = {}
    for cname, col in table.columns.items():
        # an optional column left out reads as that column with every cell empty
        s = text[cname].str.strip() if cname in text else pd.Series([""] * n, dtype="str")
        empty = (s == "").to_numpy()
        if col.required and cname in text:  # (a missing column is reported once, above)
            errs.add_rows(raw, np.flatnonzero(empty), cname, f"{cname}: empty, but required")
        values[cname] = _parse(col, s, empty, raw, errs)
    _check_keys(table, raw, text, errs)
    for cname, col in table.columns.items():
        if col.not_before and cname in text and col.not_before in text:
            a, b = values[cname], values[col.not_before]
            bad = (a < b).fillna(False).to_numpy(dtype=bool)
            rows = np.flatnonzero(bad)
            errs.add_rows(raw, rows, cname, [
                f"{cname} {x:%Y-%m-%d} is before {col.not_before} {y:%Y-%m-%d}"
                for x, y in zip(a.iloc[rows[:errs.limit]], b.iloc[rows[:errs.limit]])])
    # Extra columns are kept as text properties.
    for cname in raw.columns:
        if cname not in table.columns:
            s = text[cname]
            values[cname] = s.where(s != "", pd.NA)
    return values


def _isin(s: pd.Series, values) -> np.ndarray:
    """``s.isin(values)`` as a bool array, computed by Arrow: pandas' own ``isin`` on
    Arrow strings builds a Python list of the values, which costs seconds at a million."""
    arr = pa.array(s.astype("str"), type=pa.string(), from_pandas=True)
    value_set = pa.array(pd.Series(list(values) if not isinstance(values, pd.Series)
                                   else values, dtype="str"),
                         type=pa.string(), from_pandas=True)
    return pc.fill_null(pc.is_in(arr, value_set=value_set), False).to_numpy(
        zero_copy_only=False)


def _bad_values(raw, errs, cname, s, rows, what):
    sample = s.iloc[rows[: max(errs.limit, 0)]]
    errs.add_rows(raw, rows, cname, [f"{cname}: {v[:60]!r} is not {what}" for v in sample])


def _parse(col: Column, s: pd.Series, empty: np.ndarray, raw: RawTable,
           errs: _Collector) -> pd.Series:
    cname = col.name
    t = col.type
    if t in ("decimal", "integer"):
        if t == "integer":
            ok = s.str.fullmatch(_INT_RE).fillna(False).to_numpy(dtype=bool)
        else:
            ok = np.ones(len(s), dtype=bool)
        num = pd.to_numeric(s.where(ok & ~empty, None), errors="coerce").astype("float64")
        arr = num.to_numpy()
        bad = ~empty & (~ok | ~np.isfinite(arr))
        _bad_values(raw, errs, cname, s, np.flatnonzero(bad),
                    "an integer" if t == "integer" else "a decimal number")
        good = ~empty & ~bad
        for bound, test, word in (
            (col.min_exclusive, lambda a, b: a <= b, "greater than"),
            (col.min, lambda a, b: a < b, "at least"),
            (col.max, lambda a, b: a > b, "at most"),
        ):
            if bound is None:
                continue
            rows = np.flatnonzero(good & test(np.where(good, arr, bound + 1 if word != "at most"
                                                         else bound - 1), bound))
            errs.add_rows(raw, rows, cname, [
                f"{cname}: {arr[r]:g} must be {word} {bound:g}" for r in rows[:errs.limit]])
        if col.values:
            rows = np.flatnonzero(good & ~_isin(s, col.values))
            errs.add_rows(raw, rows, cname,
                          f"{cname}: must be one of {', '.join(col.values)} or empty")
        if t == "integer":
            return num.round().astype("Int64")
        return num
    if t in ("date", "month"):
        pattern, fmt, what = ((_DATE_RE, "%Y-%m-%d", "a date (YYYY-MM-DD)") if t == "date"
                              else (_MONTH_RE, "%Y-%m", "a month (YYYY-MM)"))
        shaped = s.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
        parsed = pd.to_datetime(s.where(shaped, None), format=fmt, errors="coerce")
        bad = ~empty & (~shaped | parsed.isna().to_numpy())
        _bad_values(raw, errs, cname, s, np.flatnonzero(bad), what)
        return parsed.astype("datetime64[s]") if t == "date" else s.where(~empty, pd.NA)
    if t == "bool":
        low = s.str.lower()
        is_true = _isin(low, _TRUE)
        is_false = _isin(low, _FALSE)
        bad = ~empty & ~is_true & ~is_false
        _bad_values(raw, errs, cname, s, np.flatnonzero(bad), "true or false")
        out = pd.Series(pd.array([pd.NA] * len(s), dtype="boolean"), index=s.index)
        out[is_true] = True
        out[is_false] = False
        return out
    if t == "enum":
        bad = ~empty & ~_isin(s, col.values)
        _bad_values(raw, errs, cname, s, np.flatnonzero(bad),
                    f"one of {', '.join(col.values)}")
    if col.pattern:
        bad = ~empty & ~s.str.fullmatch(col.pattern).fillna(False).to_numpy(dtype=bool)
        _bad_values(raw, errs, cname, s, np.flatnonzero(bad), "a valid code")
    return s.where(~pd.Series(empty, index=s.index), pd.NA)


def _check_keys(table: Table, raw: RawTable, text: dict[str, pd.Series],
                errs: _Collector) -> None:
    if not all(k in text for k in table.key):
        return
    keys = [text[k].str.strip() for k in table.key]
    frame = pd.DataFrame({k: v for k, v in zip(table.key, keys)})
    dup = frame.duplicated(keep="first").to_numpy()
    rows = np.flatnonzero(dup)
    if rows.size == 0:
        return
    first = frame.drop_duplicates(keep="first")
    first_line = dict(zip(map(tuple, first.to_numpy()), raw.line_of(first.index.to_numpy())))
    label = ", ".join(table.key)
    reasons = []
    for r in rows[: errs.limit]:
        key = tuple(frame.iloc[r])
        shown = key[0] if len(key) == 1 else key
        reasons.append(f"duplicate key ({label}) {shown!r}, first on line {first_line[key]}")
    errs.add_rows(raw, rows, table.key[-1] if len(table.key) > 1 else table.key[0], reasons)


def _check_references(table: Table, raws: dict[str, RawTable], cols: dict[str, pd.Series],
                      parsed: dict[str, dict[str, pd.Series]], errs: _Collector) -> None:
    raw = raws[table.name]
    for cname, col in table.columns.items():
        if col.ref is None or cname not in raw.columns:
            continue
        rtable, rcol = col.ref
        s = cols[cname]
        present = s.notna().to_numpy(dtype=bool)
        target_file = f"{rtable}.csv"
        if rtable not in parsed:
            if rtable in raws:
                continue  # unreadable: reported already, and every row would repeat it
            rows = np.flatnonzero(present & ~_isin(s, col.also))
            if rows.size:
                errs.add_rows(raw, rows[:1], cname,
                              f"{cname}: {rows.size} value(s) refer to {target_file}, "
                              "which is missing")
            continue
        if rcol not in raws[rtable].columns:
            continue  # a missing column, reported already: every row would repeat it
        targets = parsed[rtable][rcol].dropna()
        known = _isin(s, targets) | _isin(s, col.also)
        rows = np.flatnonzero(present & ~known)
        errs.add_rows(raw, rows, cname, [
            f"{cname}: unknown {'code' if col.type == 'code' else 'id'} {v!r} "
            f"(not in {target_file})" for v in s.iloc[rows[: errs.limit]]])
        if col.ref_where:
            target_frame = pd.DataFrame(parsed[rtable]).set_index(rcol)
            for wcol, allowed in col.ref_where.items():
                if wcol not in raws[rtable].columns:
                    continue  # already reported as a missing column
                role = s.map(target_frame[wcol])
                rows = np.flatnonzero(present & known & ~_isin(role, allowed))
                errs.add_rows(raw, rows, cname, [
                    f"{cname}: {v!r} has {wcol} {r!r}; must be one of {', '.join(allowed)}"
                    for v, r in zip(s.iloc[rows[: errs.limit]], role.iloc[rows[: errs.limit]])])


def _frame(table: Table, raw: RawTable, cols: dict[str, pd.Series]) -> pd.DataFrame:
    frame = pd.DataFrame(cols)
    if len(table.key) > 1:
        # Composite keys get one text key for the graph: "AGO|2003|1".
        key = None
        for k in table.key:
            col = frame[k]
            part = (col.dt.strftime("%Y-%m-%d") if table.columns[k].type == "date"
                    else col.astype("str")).where(col.notna(), "")
            key = part if key is None else key + "|" + part
        frame.insert(0, "key", key)
    return frame
