"""The synthetic datasets the benchmarks share: ``bench/out/synth-N-sSEED``, generated the
first time one is asked for, or again when an older generator made it (the generator
writes a folder whole or not at all)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

OUT = Path(__file__).parent / "out"


def dataset(shipments: int, seed: int) -> Path:
    """The folder of the synthetic dataset with ``shipments`` shipments and ``seed``."""
    from kpgraph.synthetic.generator import GENERATOR

    path = OUT / f"synth-{shipments}-s{seed}"
    truth = path / "ground_truth.json"
    if not truth.exists() or json.loads(truth.read_text()).get("generator") != GENERATOR:
        import kpgraph

        t = time.perf_counter()
        kpgraph.synth(path, shipments=shipments, seed=seed)
        print(f"generated {shipments:,} shipments in {time.perf_counter() - t:.1f} s",
              file=sys.stderr)
    return path


def scored_sets(description: str, seeds: str) -> tuple[list[int], int]:
    """The seeds and size a scoring script was asked for (``--seeds 1,2,3 --shipments N``)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--seeds", default=seeds)
    ap.add_argument("--shipments", type=int, default=20_000)
    a = ap.parse_args()
    return [int(x) for x in a.seeds.split(",")], a.shipments
