"""The canned query pack: one ``.cypher`` file per query, its header parsed and checked.

A file starts with a block of ``//`` comment lines holding YAML: ``name``, ``description``,
``explanation``, ``params`` (each with ``type``: string, int, float, date, bool or a
``list[...]`` of one of those, and an optional ``default``, ``example``, and ``min`` and
``max`` for a number), ``returns`` (the columns) and ``order`` (the documented ordering).
The rest is the Cypher text, which runs unchanged in Neo4j Browser (after ``:param``
lines) and in cypher-shell.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..errors import UsageError

__all__ = ["CannedQuery", "Param", "pack", "get", "names", "coerce_params"]

_SCALARS = {"string", "int", "float", "date", "bool"}
_MISSING = object()


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any = _MISSING
    example: Any = None
    description: str = ""
    min: float | None = None  # bounds of a number (or of each number of a list)
    max: float | None = None

    @property
    def required(self) -> bool:
        return self.default is _MISSING


@dataclass(frozen=True)
class CannedQuery:
    name: str
    description: str
    explanation: str
    params: tuple[Param, ...]
    returns: tuple[str, ...]
    order: tuple[str, ...]
    text: str  # the whole file
    cypher: str  # the statement without the header

    @property
    def header(self) -> str:
        return self.text[: len(self.text) - len(self.cypher)].rstrip() + "\n"


def _parse(filename: str, text: str, where: str | None = None) -> CannedQuery:
    """A query file's header and Cypher, checked; ``where`` names the file in errors
    (a :class:`UsageError`: a team's own query file may be wrong, and says how)."""
    lines = text.splitlines(keepends=True)
    header = []
    for line in lines:
        if not line.startswith("//"):
            break
        header.append(line[3:] if line.startswith("// ") else line[2:])
    where = where or f"cypher/{filename}"
    try:
        meta = yaml.safe_load("".join(header)) or {}
    except yaml.YAMLError as exc:
        raise UsageError(f"{where}: header is not valid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise UsageError(f"{where}: header is not a map of keys (name, description, ...)")
    cypher = "".join(lines[len(header):]).strip()
    for key in ("name", "description", "returns"):
        if key not in meta:
            raise UsageError(f"{where}: header lacks {key!r}")
    if str(meta["name"]) + ".cypher" != filename:
        raise UsageError(f"{where}: name {meta['name']!r} does not match the file name")
    if not isinstance(meta["returns"], list) or not isinstance(meta.get("params") or {}, dict):
        raise UsageError(f"{where}: returns must be a list of columns and params a map")
    params = []
    for pname, spec in (meta.get("params") or {}).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
            raise UsageError(f"{where}: parameter {pname!r} needs a type ({{type: string}})")
        ptype = spec["type"]
        inner = ptype[5:-1] if ptype.startswith("list[") and ptype.endswith("]") else ptype
        if inner not in _SCALARS:
            raise UsageError(f"{where}: parameter {pname!r} has unknown type {ptype!r}")
        if f"${pname}" not in cypher:
            raise UsageError(f"{where}: parameter {pname!r} is not used in the query")
        bounds = [spec.get("min"), spec.get("max")]
        if any(b is not None and (isinstance(b, bool) or not isinstance(b, int | float))
               for b in bounds) or (bounds[0] is not None and inner not in ("int", "float")):
            raise UsageError(f"{where}: parameter {pname!r}: min and max are numbers, for "
                             "an int or float")
        params.append(Param(pname, ptype, spec.get("default", _MISSING), spec.get("example"),
                            str(spec.get("description", "")), *bounds))
    return CannedQuery(
        name=meta["name"], description=str(meta["description"]),
        explanation=str(meta.get("explanation", "")).strip(), params=tuple(params),
        returns=tuple(meta["returns"]), order=tuple(meta.get("order") or ()),
        text=text, cypher=cypher.rstrip(";").strip(),
    )


QUERY_PATH_ENV = "KPGRAPH_QUERY_PATH"


def pack() -> dict[str, CannedQuery]:
    """Every query of the pack, by name: kpgraph's own, then those in the folders that
    ``KPGRAPH_QUERY_PATH`` lists (a team's own vetted queries, in the same format)."""
    return _pack(os.environ.get(QUERY_PATH_ENV, ""))


@lru_cache(maxsize=8)
def _pack(extra: str) -> dict[str, CannedQuery]:
    roots = [resources.files("kpgraph").joinpath("cypher")]
    roots += [Path(p) for p in extra.split(os.pathsep) if p]
    out: dict[str, CannedQuery] = {}
    for i, root in enumerate(roots):
        if i and not Path(root).is_dir():
            raise UsageError(f"{QUERY_PATH_ENV}: {root} is not a folder")
        for entry in sorted(root.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".cypher"):
                where = f"cypher/{entry.name}" if i == 0 else str(entry)
                try:
                    text = entry.read_text("utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise UsageError(f"{where}: cannot be read as UTF-8 text: {exc}") from None
                q = _parse(entry.name, text, where)
                if q.name in out:
                    raise UsageError(f"{root}: query {q.name!r} is defined twice")
                out[q.name] = q
    return out


def names() -> list[str]:
    return sorted(pack())


def get(name: str) -> CannedQuery:
    try:
        return pack()[name]
    except KeyError:
        raise UsageError(f"no canned query named {name!r}; `kpgraph query list` "
                         "lists them") from None


def _coerce(param: Param, value: Any) -> Any:
    if value is None:
        return None
    t = param.type
    if t.startswith("list["):
        inner = Param(param.name, t[5:-1], min=param.min, max=param.max)
        items = value if isinstance(value, (list, tuple)) else [
            v.strip() for v in str(value).split(",") if v.strip()]
        return [_coerce(inner, v) for v in items]
    try:
        if t == "string":
            return str(value)
        if t == "int":
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            return _within(param, int(value), -(2 ** 63), 2 ** 63 - 1)  # Neo4j's integers
        if t == "float":
            number = float(value)
            if not math.isfinite(number):
                raise ValueError
            return _within(param, number)
        if t == "bool":
            if isinstance(value, bool):
                return value
            low = str(value).lower()
            if low in ("true", "1", "yes"):
                return True
            if low in ("false", "0", "no"):
                return False
            raise ValueError
        if t == "date":
            if isinstance(value, dt.date):
                return value
            return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise UsageError(f"parameter {param.name!r}: {value!r} is not a {t}") from None
    raise AssertionError(t)


def _within(param: Param, number, lo=None, hi=None):
    """``number`` if it lies within the parameter's declared ``min`` and ``max`` (and
    ``lo``..``hi``, what the type can hold)."""
    lows = [x for x in (lo, param.min) if x is not None]
    highs = [x for x in (hi, param.max) if x is not None]
    if (lows and number < max(lows)) or (highs and number > min(highs)):
        declared = (f"; it takes {param.min if param.min is not None else 'any'} to "
                    f"{param.max if param.max is not None else 'any'}"
                    if (param.min, param.max) != (None, None) else "")
        raise UsageError(f"parameter {param.name!r}: {number!r} is out of range{declared}")
    return number


def coerce_params(query: CannedQuery, given: dict[str, Any]) -> dict[str, Any]:
    """Typed parameters from the header: defaults filled, unknown or missing ones refused."""
    known = {p.name: p for p in query.params}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise UsageError(f"{query.name}: unknown parameter(s) {', '.join(unknown)}; "
                         f"it takes {', '.join(known) or 'none'}")
    out = {}
    for p in query.params:
        if p.name in given:
            out[p.name] = _coerce(p, given[p.name])
        elif p.required:
            raise UsageError(f"{query.name}: missing parameter {p.name!r} ({p.type})")
        else:
            out[p.name] = _coerce(p, p.default)
    return out
