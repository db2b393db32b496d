"""Red-flag rules: plain functions that return findings.

One registry, :data:`RULES`; adding a rule is adding a module to ``kpgraph/rules/library/``
that decorates its function with :func:`rule`. Every finding has the shape of the data
contract's Findings section.

A rule that reads the graph comes in two halves: a canned query of ``cypher/``
(``flag_<rule>``) that detects, one row per finding with its numbers, and a report
function (the registered ``fn``) that turns those rows into findings. On the embedded store
the query's twin (:mod:`kpgraph.queries.twins`), kept in the rule's module, computes the
rows; on Neo4j the Cypher does (:mod:`kpgraph.rules.neo4j`); the report is the same code.
A rule over the published KP statistics alone has no query: ``fn`` reads the model.
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

__all__ = ["Finding", "Rule", "RULES", "rule", "run_rules", "order_findings", "find",
           "all_rules", "period_of", "entities", "touching"]


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

    def __post_init__(self) -> None:
        # two decimals: 0.7 + 0.1 is 0.8 to a reader, not 0.7999999999999999
        self.severity = round(float(self.severity), 2)

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
    query: str | None = None  # the canned query that detects; None: fn reads the model

    def query_params(self, since=None, until=None) -> dict:
        """The typed parameters of the rule's query: those of its own that the query
        declares (some only shape the report), and the period."""
        from ..queries import coerce_params, get

        query = get(self.query)
        declared = {p.name for p in query.params}
        given = {k: v for k, v in {**self.params, "since": since, "until": until}.items()
                 if k in declared}
        return coerce_params(query, given)

    def run(self, g: GraphModel, since=None, until=None) -> list[Finding]:
        """The rule's findings on the embedded model, over the shipments of a period. The
        query's twin is given the period as the Cypher is, so that both read the same
        whole-data links (a route's continuation links are the data's, not the period's)."""
        from ..queries import TWINS
        from ..queries.twins import in_period

        if self.query is None:
            return touching(self.fn(in_period(g, since, until), **self.params), since, until)
        return self.fn(TWINS[self.query](g, **self.query_params(since, until)), **self.params)

    @property
    def doc(self) -> str:
        return (self.fn.__doc__ or "").strip()


RULES: dict[str, Rule] = {}


def rule(id: str, typology: str, serves: str, query: str | None = None, **params):
    """Register a rule: ``fn(rows, **params) -> list[Finding]`` over the rows of the canned
    ``query``, or, without one, ``fn(g, **params)`` over the graph model."""
    if typology not in contract().typologies:
        raise ValueError(f"rule {id}: unknown typology {typology!r}")

    def register(fn):
        RULES[id] = Rule(id, typology, serves, fn, params, query)
        return fn

    return register


def _load_rules() -> None:
    from . import library

    for mod in pkgutil.iter_modules(library.__path__):
        importlib.import_module(f"{library.__name__}.{mod.name}")


def chosen(ids: list[str] | None) -> list[Rule]:
    """The rules of ``ids`` (all by default), or a usage error naming the unknown ones."""
    _load_rules()
    ids = list(ids or sorted(RULES))
    unknown = [i for i in ids if i not in RULES]
    if unknown:
        raise UsageError(f"unknown rule(s) {', '.join(unknown)}; "
                         f"`kpgraph flags --list` lists them")
    return [RULES[i] for i in ids]


def order_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first, then by rule and first entity."""
    return sorted(findings, key=lambda f: (
        -f.severity, f.rule, f.entities.get("certificates", [])[:1],
        f.entities.get("shipments", [])[:1], f.entities.get("companies", [])[:1],
        f.entities.get("countries", [])[:1], f.id))


def run_rules(g: GraphModel, ids: list[str] | None = None, since=None, until=None
              ) -> list[Finding]:
    """Run the chosen rules (all by default) over the shipments of a period, on the
    embedded model; findings in :func:`order_findings` order."""
    return order_findings([f for r in chosen(ids) for f in r.run(g, since, until)])


def touching(findings: list[Finding], since=None, until=None) -> list[Finding]:
    """The findings whose period touches ``since``..``until`` (and those with no period).
    The statistics rules read a country's whole history, which the period must not cut
    (a median of two half-years is no history), and report the periods it touches.

    >>> f = Finding(rule="r", typology="t", severity=1.0, summary="s.",
    ...             period={"from": "2020-07-01", "to": "2020-12-31"})
    >>> [len(touching([f], since=d)) for d in ("2020-12-31", "2021-01-01")]
    [1, 0]
    """
    lo = None if since is None else str(since)[:10]
    hi = None if until is None else str(until)[:10]
    return [f for f in findings if not f.period["from"] or (
        (lo is None or f.period["to"] >= lo) and (hi is None or f.period["from"] <= hi))]


def period_of(days) -> dict:
    """The contract's period of a finding: its first and last day (``None`` if none)."""
    days = sorted(str(d)[:10] for d in days if d is not None)
    return {"from": days[0] if days else None, "to": days[-1] if days else None}


def entities(countries=(), companies=(), shipments=(), certificates=()) -> dict:
    """The contract's entities of a finding, each list sorted and without repeats or
    missing values."""
    def clean(xs):
        return sorted({str(x) for x in xs if x is not None})

    return {"countries": clean(countries), "companies": clean(companies),
            "shipments": clean(shipments), "certificates": clean(certificates)}


def all_rules() -> dict[str, Rule]:
    """Every registered rule, by id."""
    _load_rules()
    return dict(sorted(RULES.items()))


def find(g: GraphModel, finding_id: str) -> Finding:
    """The finding with this id, from every rule run over ``g``."""
    for f in run_rules(g):
        if f.id == finding_id:
            return f
    raise UsageError(f"no finding {finding_id!r} in this data; `kpgraph flags --format json` "
                     "lists the findings with their ids")
