"""The rules' reference page: docs/rules.md is :func:`to_markdown`, generated from the rule
registry (id, typology, the recommendation served, parameters and defaults, the canned
query, the rule's docstring) and the worked examples of ``examples.yaml``."""

from __future__ import annotations

import textwrap
from functools import lru_cache
from importlib import resources

import yaml

from . import all_rules

__all__ = ["examples", "to_markdown"]


@lru_cache(maxsize=1)
def examples() -> dict[str, str]:
    """Each rule's worked example (``kpgraph/rules/examples.yaml``), checked to name the
    registered rules and only them."""
    text = resources.files("kpgraph.rules").joinpath("examples.yaml").read_text("utf-8")
    found = {k: " ".join(v.split()) for k, v in yaml.safe_load(text).items()}
    ids = set(all_rules())
    if set(found) != ids:
        raise ValueError(f"examples.yaml: no example for {sorted(ids - set(found))}, "
                         f"unknown rules {sorted(set(found) - ids)}")
    return found


def _value(v) -> str:
    return ", ".join(map(str, v)) if isinstance(v, list | tuple) else str(v)


def to_markdown() -> str:
    """The rules as a Markdown reference, grouped by typology."""
    rules = sorted(all_rules().values(), key=lambda r: (r.typology, r.id))
    out = ["# kpgraph red-flag rules", "",
           "Generated from the rule registry (`kpgraph/rules/library/`) and "
           "`kpgraph/rules/examples.yaml` by `kpgraph flags --docs`; do not edit. "
           "`kpgraph flags DATA --rule ID` runs one rule; findings have the data contract's "
           "format (docs/data-contract.md).", ""]
    out += [f"- [`{r.id}`](#{r.id}) ({r.typology})" for r in rules]
    for r in rules:
        out += ["", f"## {r.id}", "",
                f"- **Typology:** `{r.typology}`",
                f"- **Serves:** {r.serves}",
                "- **Runs:** " + (f"the canned query `cypher/{r.query}.cypher` (on Neo4j; "
                                  "its embedded twin otherwise), then the report below"
                                  if r.query else "the KP statistics tables, on either "
                                  "backend"),
                "- **Parameters:** " + (", ".join(f"`{k}` = {_value(v)}"
                                                  for k, v in r.params.items()) or "none"),
                "", "**What it detects.** " + " ".join(textwrap.dedent(r.doc).split()),
                "", "**Worked example.** " + examples()[r.id]]
    return "\n".join(out) + "\n"
