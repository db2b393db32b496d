"""Score the route search against the planted ground truth.

    python bench/score_routes.py [--seeds 301,302,303,304,305] [--shipments 20000]

For each seed, generates a dataset (bench/out/), then searches as `kpgraph investigate`
does: routes from every risky origin (:func:`kpgraph.routes.risky_origins`, which reads
the data, never the ground truth) and round trips from anywhere, with default parameters.

- **Recall** per route typology (origin_laundering, mixed_origin_recertification,
  round_tripping): the share of planted schemes of which some *flagged* route (score at
  least 0.5) carries at least two shipments (all of them, for a scheme of one shipment).
- **Precision**: the share of flagged routes that carry a shipment of some planted scheme
  (of any typology: a route through a sanctioned shipment is a true find).
- **Precision at k**: the same among the k best-ranked routes, k = the number of planted
  route schemes.

Prints a Markdown table summed over the seeds.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from generated import dataset, scored_sets  # noqa: E402 (bench/, the script's folder)

import kpgraph  # noqa: E402
from kpgraph.routes import all_routes  # noqa: E402

ROUTE_TYPOLOGIES = ("origin_laundering", "mixed_origin_recertification", "round_tripping")


def score(seeds: list[int], shipments: int) -> dict:
    tally = defaultdict(lambda: {"schemes": 0, "found": 0})
    flagged_n = true_n = topk_n = topk_true = 0
    took = []
    for seed in seeds:
        out = dataset(shipments, seed)
        truth = json.loads((out / "ground_truth.json").read_text())
        g = kpgraph.api.open_graph(out)
        t = time.perf_counter()
        routes = all_routes(g)
        took.append(time.perf_counter() - t)
        planted = set().union(*(set(s["shipments"]) for s in truth["schemes"]))
        flagged = [r for r in routes if r.flagged]
        flagged_n += len(flagged)
        true_n += sum(bool(set(r.shipments) & planted) for r in flagged)
        schemes = [s for s in truth["schemes"] if s["typology"] in ROUTE_TYPOLOGIES]
        k = len(schemes)
        topk_n += min(k, len(routes))
        topk_true += sum(bool(set(r.shipments) & planted) for r in routes[:k])
        for s in schemes:
            ids = set(s["shipments"])
            need = min(2, len(ids))
            hit = any(len(set(r.shipments) & ids) >= need for r in flagged)
            tally[s["typology"]]["schemes"] += 1
            tally[s["typology"]]["found"] += hit
            if not hit:
                print(f"  seed {seed}: missed {s['id']} {s['typology']} {s['countries']}",
                      file=sys.stderr)
    return {"tally": dict(tally), "flagged": flagged_n, "true": true_n,
            "topk": topk_n, "topk_true": topk_true, "seconds": took}


def main() -> None:
    seeds, shipments = scored_sets(__doc__.splitlines()[0], "301,302,303,304,305")
    r = score(seeds, shipments)
    print(f"seeds {','.join(map(str, seeds))}, {shipments:,} shipments each\n")
    print("| typology | planted | found | recall |\n|---|---:|---:|---:|")
    for typ in ROUTE_TYPOLOGIES:
        t = r["tally"].get(typ, {"schemes": 0, "found": 0})
        rec = t["found"] / t["schemes"] if t["schemes"] else float("nan")
        print(f"| {typ} | {t['schemes']} | {t['found']} | {rec:.2f} |")
    prec = r["true"] / r["flagged"] if r["flagged"] else float("nan")
    pk = r["topk_true"] / r["topk"] if r["topk"] else float("nan")
    print(f"\nflagged routes: {r['flagged']}, on a planted scheme: {r['true']} "
          f"(precision {prec:.2f}); precision at k: {pk:.2f}")
    print("search time per dataset (s): " + ", ".join(f"{x:.1f}" for x in r["seconds"]))


if __name__ == "__main__":
    main()
