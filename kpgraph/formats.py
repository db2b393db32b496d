"""Rendering records (a list of flat dicts) as a text table, CSV or JSON.

One function per format and one entry point, :func:`render`, that the CLI's shared
``--format`` option calls. Values are rendered deterministically: dates as ISO text,
floats as given (JSON) or with two decimals (table).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re

__all__ = ["FORMATS", "render", "to_jsonable", "spreadsheet_text", "terminal_text", "escaped"]

FORMATS = ("table", "csv", "json")
# A spreadsheet reads a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    r"""``text`` as a spreadsheet will show it, never run it: a leading apostrophe before a
    formula's first character (JSON and GraphML keep the exact text).

    >>> spreadsheet_text('=HYPERLINK("http://x")'), spreadsheet_text("Kasai Gems")
    ('\'=HYPERLINK("http://x")', 'Kasai Gems')
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# Characters a terminal acts on rather than shows: C0 and C1 controls (ESC starts the
# sequences that move the cursor, clear the screen or retitle the window), DEL, the line
# and paragraph separators, and the bidirectional controls that make text read backwards
# (U+202A-202E, U+2066-2069).
_UNSHOWN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSHOWN_IN_JSON = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")  # JSON does C0
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escaped(text: str, chars: re.Pattern) -> str:
    r"""``text`` with each character ``chars`` matches written as an escape: ``\n``,
    ``\r``, ``\t``, else ``\xNN`` or ``\uNNNN``.

    >>> escaped("a\x00b\u202e", re.compile(r"[\x00\u202e]"))
    'a\\x00b\\u202e'
    """
    return chars.sub(lambda m: _ESCAPES.get(m[0]) or (
        f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}"), text)


def terminal_text(text: str) -> str:
    r"""``text`` as a terminal shows it and never obeys it: control and bidirectional
    characters written as escapes (the table format; CSV and JSON keep the exact text).

    >>> print(terminal_text("Evil\x1b[2J Co\nLine 2\u202e"))
    Evil\x1b[2J Co\nLine 2\u202e
    """
    return escaped(text, _UNSHOWN)


def to_jsonable(value):
    """Plain JSON types for numpy / pandas / datetime values."""
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10] if isinstance(value, dt.datetime) and \
            value.time() == dt.time() else value.isoformat()
    if hasattr(value, "isoformat"):  # pandas Timestamp
        return to_jsonable(value.to_pydatetime())
    if hasattr(value, "item"):  # numpy scalar
        return to_jsonable(value.item())
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [to_jsonable(v) for v in value]
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover
        pass
    return value


def _cell(value) -> str:
    value = to_jsonable(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, (list, dict)):
        return terminal_text(json.dumps(value, ensure_ascii=False, sort_keys=True))
    return terminal_text(str(value))


def _columns(rows: list[dict]) -> list[str]:
    cols: list[str] = []
    for r in rows:
        for k in r:
            if k not in cols:
                cols.append(k)
    return cols


def render_table(rows: list[dict]) -> str:
    if not rows:
        return "(no rows)\n"
    cols = _columns(rows)
    cells = [[_cell(r.get(c)) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    numeric = [all(_is_number(r.get(c)) for r in rows if r.get(c) is not None) for c in cols]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for row in cells:
        lines.append("  ".join((v.rjust(w) if num else v.ljust(w))
                               for v, w, num in zip(row, widths, numeric)).rstrip())
    return "\n".join(lines) + "\n"


def _is_number(v) -> bool:
    v = to_jsonable(v)
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def render_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    cols = _columns(rows)
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        w.writerow([_csv_cell(r.get(c)) for c in cols])
    return buf.getvalue()


def _csv_cell(value) -> str:
    value = to_jsonable(value)
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    return spreadsheet_text(value) if isinstance(value, str) else str(value)


def render_json(rows) -> str:
    """JSON text; the characters a terminal would obey are written as ``\\u`` escapes,
    which JSON reads back as the same text (``json.dumps`` escapes C0 controls)."""
    text = json.dumps(to_jsonable(rows), indent=2, ensure_ascii=False)
    return _UNSHOWN_IN_JSON.sub(lambda m: f"\\u{ord(m[0]):04x}", text) + "\n"


def render(rows: list[dict], fmt: str) -> str:
    if fmt == "table":
        return render_table(rows)
    if fmt == "csv":
        return render_csv(rows)
    if fmt == "json":
        return render_json(rows)
    raise ValueError(f"unknown format {fmt!r}")
