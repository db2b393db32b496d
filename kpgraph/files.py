"""Reading one contract file (CSV or Parquet) into raw text columns, with line numbers.

Every cell is read as text so that a bad value can be reported where it is, with its
line and column; :mod:`kpgraph.validate` then parses the text by the contract's types.

CSV is read by pyarrow (multi-threaded). Before that, one streaming pass over the bytes
checks that the file is UTF-8 (a byte-order mark is accepted and dropped) and that no line
is longer than ``max_field_bytes``: both are found with an exact line and column, in
bounded memory, before pyarrow is asked to hold the file.

For Parquet, "line" means the data row number plus one, so that the same rows report the
same line whether they come as CSV (with its header on line 1) or as Parquet.
"""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .errors import UsageError, Violation

__all__ = ["RawTable", "read_raw", "MAX_FIELD_BYTES", "MAX_FILE_BYTES", "max_file_bytes"]

MAX_FIELD_BYTES = 1 << 20  # 1 MiB: no legitimate cell in this contract comes near it
# A file is read into memory whole, at about seven times its size (1M shipments: 150 MB
# on disk, 1 GB in memory); above this size it is refused before a byte is read.
MAX_FILE_BYTES = 1 << 30
MAX_FILE_ENV = "KPGRAPH_MAX_FILE_BYTES"


def max_file_bytes() -> int:
    """The size limit for one input file: ``KPGRAPH_MAX_FILE_BYTES`` or 1 GiB."""
    value = os.environ.get(MAX_FILE_ENV)
    try:
        return int(value) if value else MAX_FILE_BYTES
    except ValueError:
        raise UsageError(f"{MAX_FILE_ENV}={value!r} is not a number of bytes") from None
_CHUNK = 16 << 20
_BOM = codecs.BOM_UTF8


@dataclass
class RawTable:
    """A file's cells as text (empty string for an empty cell)."""

    file: str  # the name reported in violations
    columns: list[str]
    data: pa.Table | None  # all string columns; None when the file could not be read
    lines: np.ndarray | None = None  # line of each row; None means row index + 2
    violations: list[Violation] = field(default_factory=list)

    def line_of(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        return rows + 2 if self.lines is None else self.lines[rows]

    def column_number(self, name: str) -> int:
        return self.columns.index(name) + 1


def read_raw(path: Path, max_field_bytes: int = MAX_FIELD_BYTES) -> RawTable:
    """Read ``path`` (``.csv`` or ``.parquet``) into a :class:`RawTable`."""
    size, limit = path.stat().st_size, max_file_bytes()
    if size > limit:
        return RawTable(path.name, [], None, violations=[Violation(
            path.name, 1, 1, f"the file is {size:,} bytes, above the {limit:,} that kpgraph "
            f"reads into memory ({MAX_FILE_ENV}): split it (by year, say), or raise the "
            "limit on a machine with about seven times that much memory")])
    if path.suffix == ".parquet":
        return _read_parquet(path)
    return _read_csv(path, max_field_bytes)


def _scan_bytes(path: Path, name: str, max_field_bytes: int) -> tuple[list[Violation], bool]:
    """Stream the file once: UTF-8 validity, over-long lines, emptiness.

    Returns the violations found and whether the file has any content besides a BOM.
    """
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    violations: list[Violation] = []
    line = 1  # line number at the start of the current chunk
    line_len = 0  # bytes of the current (unfinished) line before this chunk
    first = True
    has_content = False
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(_CHUNK)
            final = not chunk
            if first and chunk.startswith(_BOM):
                chunk = chunk[len(_BOM):]
            first = False
            if chunk.strip():
                has_content = True
            try:
                decoder.decode(chunk, final)
            except UnicodeDecodeError as exc:
                before = chunk[: exc.start]
                at_line = line + before.count(b"\n")
                line_start = before.rfind(b"\n") + 1
                prefix = before[line_start:].decode("utf-8", "replace")
                violations.append(
                    Violation(name, at_line, _field_number(prefix),
                              f"not UTF-8: byte 0x{chunk[exc.start]:02x} at character "
                              f"{len(prefix) + 1} cannot be decoded (save the file as UTF-8)")
                )
                return violations, has_content
            if final:
                break
            arr = np.frombuffer(chunk, dtype=np.uint8)
            nl = np.flatnonzero(arr == 10)
            if nl.size:
                lengths = np.diff(np.concatenate(([-1], nl))) - 1
                lengths[0] += line_len
                over = np.flatnonzero(lengths > max_field_bytes)
                for i in over[:10]:
                    start = int(nl[i - 1]) + 1 if i else 0
                    text = chunk[start:int(nl[i])].decode("utf-8", "replace")
                    violations.append(_long_line(name, line + int(i), int(lengths[i]),
                                                 max_field_bytes, text))
                line_len = arr.size - int(nl[-1]) - 1
                line += nl.size
            else:
                line_len += arr.size
            if violations:
                return violations, has_content
    if line_len > max_field_bytes:
        violations.append(_long_line(name, line, line_len, max_field_bytes))
    return violations, has_content


def _long_line(name: str, line: int, length: int, limit: int, text: str = "") -> Violation:
    column = 1
    if text:  # the field that is too long: the longest piece between commas
        pieces = text.split(",")
        longest = max(range(len(pieces)), key=lambda i: len(pieces[i]))
        column = _field_number(",".join(pieces[:longest]) + ",") if longest else 1
    return Violation(name, line, column,
                     f"line of {length:,} bytes holds a field over the {limit:,}-byte limit")


def _field_number(prefix: str) -> int:
    """The 1-based CSV field in which a line's text ``prefix`` ends."""
    import csv

    try:
        return len(next(csv.reader([prefix]), [""])) or 1
    except csv.Error:
        return prefix.count(",") + 1


def _read_csv(path: Path, max_field_bytes: int) -> RawTable:
    name = path.name
    violations, has_content = _scan_bytes(path, name, max_field_bytes)
    if violations:
        return RawTable(name, [], None, violations=violations)
    if not has_content:
        return RawTable(name, [], None,
                        violations=[Violation(name, 1, 1, "empty file: no header row")])

    invalid: list[tuple[int | None, int, int, str]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        invalid.append((row.number, row.expected_columns, row.actual_columns, row.text))
        return "skip"

    def read(threads: bool, header: list[str]) -> pa.Table:
        invalid.clear()
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=threads,
                                           block_size=max(4 * max_field_bytes, 16 << 20)),
            parse_options=pacsv.ParseOptions(newlines_in_values=True,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    try:
        header = _header(path)
    except ValueError as exc:
        return RawTable(name, [], None, violations=[Violation(name, 1, 1, str(exc))])
    try:
        table = read(True, header)
        if invalid:  # row numbers are only known to a single-threaded read
            table = read(False, header)
    except pa.ArrowInvalid as exc:
        return RawTable(name, header, None,
                        violations=[Violation(name, 1, 1, f"not a readable CSV file: {exc}")])
    lines = _line_numbers(table, invalid)
    for number, expected, actual, _text in invalid:
        line = int(lines["invalid"][number]) if number in lines["invalid"] else 0
        col = min(expected, actual) + 1
        violations.append(Violation(
            name, line, col,
            f"ragged row: {actual} fields where the header has {expected}"))
    return RawTable(name, header, table, lines=lines["rows"], violations=violations)


def _header(path: Path) -> list[str]:
    """The header row's names (checked: none empty, none repeated)."""
    import csv
    import io

    with path.open("rb") as fh:
        head = fh.read(min(path.stat().st_size, 1 << 20))
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    row = next(csv.reader(io.StringIO(text)), [])
    names = [c.strip() for c in row]
    problem = _header_problem(names)
    if problem:
        raise ValueError(problem)
    if names != row:
        raise ValueError("header: column names have surrounding spaces")
    return names


def _header_problem(names: list[str]) -> str | None:
    """What is wrong with a file's column names (CSV or Parquet): one empty or repeated."""
    seen: set[str] = set()
    for i, n in enumerate(names, 1):
        if not n.strip():
            return f"header: column {i} has no name"
        if n in seen:
            return f"header: column name {n!r} appears twice"
        seen.add(n)
    return None


def _line_numbers(table: pa.Table, invalid: list) -> dict:
    """Map data rows (and skipped ragged rows) to the line where each starts.

    Lines differ from ``row + 2`` only when a quoted value spans lines or rows were skipped.
    """
    n = table.num_rows
    newlines = np.zeros(n, dtype=np.int64)
    for col in table.columns:
        if pc.any(pc.match_substring(col, "\n")).as_py():
            newlines += pc.count_substring(col, "\n").to_numpy(zero_copy_only=False)
    if not invalid and not newlines.any():
        return {"rows": None, "invalid": {}}
    total = n + len(invalid)
    is_invalid = np.zeros(total, dtype=bool)
    nl_all = np.zeros(total, dtype=np.int64)
    numbers = []
    for number, _e, _a, text in invalid:
        idx = (number or 0) - 2  # pyarrow's row number counts the header as row 1
        if 0 <= idx < total:
            is_invalid[idx] = True
            nl_all[idx] = text.count("\n")
        numbers.append(number)
    nl_all[~is_invalid] = newlines
    starts = 2 + np.arange(total) + np.concatenate(([0], np.cumsum(nl_all)[:-1]))
    return {
        "rows": starts[~is_invalid],
        "invalid": {num: starts[num - 2] for num in numbers if num and 0 <= num - 2 < total},
    }


def _read_parquet(path: Path) -> RawTable:
    import pyarrow.parquet as pq

    name = path.name
    try:
        names = pq.read_schema(path).names
    except (pa.ArrowInvalid, OSError) as exc:
        return RawTable(name, [], None,
                        violations=[Violation(name, 1, 1, f"not a readable Parquet file: {exc}")])
    problem = _header_problem(names)  # the checks a CSV header gets
    if problem:
        return RawTable(name, [], None, violations=[Violation(name, 1, 1, problem)])
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        return RawTable(name, [], None,
                        violations=[Violation(name, 1, 1, f"not a readable Parquet file: {exc}")])
    columns, violations = [], []
    for i, (col, fld) in enumerate(zip(table.columns, table.schema), 1):
        if pa.types.is_nested(fld.type) or pa.types.is_binary(fld.type) or (
                pa.types.is_large_binary(fld.type)):
            # a cell of the contract is one value a CSV field could hold
            violations.append(Violation(name, 1, i, f"column {fld.name!r}: Parquet type "
                                        f"{fld.type} is not text, a number, a date or a "
                                        "boolean"))
            continue
        columns.append(_as_text(col, fld.type))
    if violations:
        return RawTable(name, list(table.column_names), None, violations=violations)
    text = pa.table(columns, names=table.column_names)
    return RawTable(name, list(table.column_names), text)


def _as_text(col: pa.ChunkedArray, typ: pa.DataType) -> pa.ChunkedArray:
    """Render a typed Parquet column as the text the CSV form would hold."""
    if pa.types.is_timestamp(typ):
        col = pc.strftime(col, format="%Y-%m-%d")
    elif pa.types.is_date(typ):
        col = pc.strftime(col, format="%Y-%m-%d")
    elif pa.types.is_boolean(typ):
        col = pc.if_else(col, "true", "false")
    elif pa.types.is_dictionary(typ):
        col = col.cast(typ.value_type)
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        col = col.cast(pa.string())
    return pc.fill_null(col.cast(pa.string()), "")
