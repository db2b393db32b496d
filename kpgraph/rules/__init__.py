"""Red-flag rules: plain functions over the graph model that return findings.

One registry, :data:`RULES`; adding a rule is adding a module to ``kpgraph/rules/library/``
that decorates its function with :func:`rule`. Every finding has the shape of the data
contract's Findings section.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import pkgutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from ..contract import contract
from ..errors import UsageError
from ..graph import GraphModel

__all__ = ["Finding", "Rule", "RULES", "rule", "run_rules", "find"]


@dataclass
class Finding:
    """One finding, as the data contract's Findings section describes it."""

    rule: str
    typology: str
    severity: float
    summary: str
    entities: dict = field(default_factory=lambda: {"countries": [], "companies": [],
                                                     "shipments": [], "certificates": []})
    period: dict = field(default_factory=lambda: {"from": None, "to": None})
    evidence: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        """A stable id: the same rule on the same entities and period gives the same id."""
        ents = {k: sorted(v) for k, v in sorted(self.entities.items())}
        text = json.dumps([self.rule, ents, self.period], sort_keys=True, default=str)
        return "F-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    def as_dict(self) -> dict:
        """The contract's findings format, with the finding's ``id`` first."""
        return {"id": self.id, **asdict(self)}


@dataclass(frozen=True)
class Rule:
    id: str
    typology: str
    serves: str  # the KPCS weakness or recommendation it answers
    fn: Callable[..., list[Finding]]
    params: dict  # name -> default

    @property
    def doc(self) -> str:
        return (self.fn.__doc__ or "").strip()


RULES: dict[str, Rule] = {}


def rule(id: str, typology: str, serves: str, **params):
    """Register a rule function ``fn(g, **params) -> list[Finding]``."""
    if typology not in contract().typologies:
        raise ValueError(f"rule {id}: unknown typology {typology!r}")

    def register(fn):
        RULES[id] = Rule(id, typology, serves, fn, params)
        return fn

    return register


def _load_rules() -> None:
    from . import library

    for mod in pkgutil.iter_modules(library.__path__):
        importlib.import_module(f"{library.__name__}.{mod.name}")


def run_rules(g: GraphModel, ids: list[str] | None = None, since=None, until=None
              ) -> list[Finding]:
    """Run the chosen rules (all by default) over the shipments of a period; findings are
    sorted by severity (highest first), then rule and first entity."""
    _load_rules()
    ids = list(ids or sorted(RULES))
    unknown = [i for i in ids if i not in RULES]
    if unknown:
        raise UsageError(f"unknown rule(s) {', '.join(unknown)}; "
                         f"`kpgraph flags --list` lists them")
    if since is not None or until is not None:
        g = g.restricted(since=since, until=until)
    out: list[Finding] = []
    for i in ids:
        r = RULES[i]
        out += r.fn(g, **r.params)
    out.sort(key=lambda f: (-f.severity, f.rule, f.entities.get("certificates", [])[:1],
                            f.entities.get("shipments", [])[:1]))
    return out


def all_rules() -> dict[str, Rule]:
    _load_rules()
    return dict(sorted(RULES.items()))


def find(g: GraphModel, finding_id: str) -> Finding:
    """The finding with this id, from every rule run over ``g``."""
    for f in run_rules(g):
        if f.id == finding_id:
            return f
    raise UsageError(f"no finding {finding_id!r} in this data; `kpgraph flags --format json` "
                     "lists the findings with their ids")
