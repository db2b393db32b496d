"""Score the red-flag findings against the planted ground truth, per typology.

    python bench/score_flags.py [--seeds 101,102,103,104,105] [--shipments 20000]

For each seed, generates a dataset (bench/out/), runs every rule, and matches findings to
the planted schemes. A finding matches a scheme when the scheme's typology (or its
``also`` list) is the finding's, and they share a shipment or a certificate; for a
company's books (polishing mass balance), when the finding names the scheme's company in
an overlapping period (for a ledger that hid rough, or any later one: the hidden rough
surfaces when it is polished). Recall: the share of planted schemes of a typology matched by at
least one finding of that typology. Precision: the share of findings of a typology that
match a scheme. Typologies that no rule covers yet are not listed. Prints a Markdown
table, summed over the seeds.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from generated import dataset, scored_sets  # noqa: E402 (bench/, the script's folder)

import kpgraph  # noqa: E402
from kpgraph.rules import all_rules  # noqa: E402

# Typologies whose findings are about a company's books rather than shipments: a finding
# matches when it names the scheme's company and their periods overlap.
COMPANY_LEVEL = {"polishing_mass_balance"}


def _overlap(p, q) -> bool:
    return bool(p["from"] and q["from"]) and p["from"] <= q["to"] and q["from"] <= p["to"]


def _surfaces(f, scheme) -> bool:
    """Rough a ledger hid stays out of its stock: when the centre polishes it, later, its
    books show output beyond the rough they saw. A finding on the company's books from
    the scheme's first month on is that scheme surfacing."""
    hidden = scheme.get("detail", {}).get("variant") == "ledger_understates_rough_in"
    return hidden and bool(f.period["from"] and scheme["period"]["from"]) and (
        f.period["from"] >= scheme["period"]["from"])


def _matches(f, scheme) -> bool:
    if f.typology == "statistical_anomaly":
        # No scheme is planted as a statistic: a statistics finding is true when it points
        # at a country and period where rough was laundered under that country's name.
        return (scheme["typology"] == "origin_laundering"
                and bool(set(f.entities["countries"]) & set(scheme["countries"]))
                and _overlap(f.period, scheme["period"]))
    if f.typology != scheme["typology"] and f.typology not in scheme.get("also", []):
        return False
    ents = f.entities
    if set(ents["shipments"]) & set(scheme["shipments"]):
        return True
    if set(ents["certificates"]) & set(scheme["certificates"]):
        return True
    if scheme["typology"] in COMPANY_LEVEL and set(ents["companies"]) & set(
            scheme["companies"]):
        return _overlap(f.period, scheme["period"]) or _surfaces(f, scheme)
    return not ents["shipments"] and bool(set(ents["companies"]) & set(scheme["companies"]))


def score(seeds: list[int], shipments: int) -> dict:
    tally = defaultdict(lambda: {"schemes": 0, "found": 0, "findings": 0, "true": 0})
    for seed in seeds:
        path = dataset(shipments, seed)
        truth = json.loads((path / "ground_truth.json").read_text())["schemes"]
        findings = kpgraph.flags(path)
        covered = {r.typology for r in all_rules().values()}
        if "statistical_anomaly" in covered:  # laundering shows in the neighbour's figures
            covered.add("origin_laundering")
        for s in truth:
            if s["typology"] not in covered:
                continue
            t = tally[s["typology"]]
            t["schemes"] += 1
            t["found"] += any(_matches(f, s) for f in findings)
        for f in findings:
            t = tally[f.typology]
            t["findings"] += 1
            t["true"] += any(_matches(f, s) for s in truth)
    return tally


def main() -> None:
    seeds, shipments = scored_sets(__doc__, "101,102,103,104,105")
    tally = score(seeds, shipments)
    print(f"seeds {','.join(map(str, seeds))}, {shipments:,} shipments each")
    print()
    print("| typology | planted | found | recall | findings | true | precision |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for typ, t in sorted(tally.items()):
        rec = t["found"] / t["schemes"] if t["schemes"] else float("nan")
        prec = t["true"] / t["findings"] if t["findings"] else float("nan")
        print(f"| {typ} | {t['schemes']} | {t['found']} | {rec:.2f} | {t['findings']} "
              f"| {t['true']} | {prec:.2f} |")


if __name__ == "__main__":
    main()
