"""The synthetic datasets the benchmarks share: ``bench/out/synth-N-sSEED``, generated the
first time one is asked for (the generator writes a folder whole or not at all)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

OUT = Path(__file__).parent / "out"


def dataset(shipments: int, seed: int) -> Path:
    """The folder of the synthetic dataset with ``shipments`` shipments and ``seed``."""
    path = OUT / f"synth-{shipments}-s{seed}"
    if not (path / "ground_truth.json").exists():
        import kpgraph

        t = time.perf_counter()
        kpgraph.synth(path, shipments=shipments, seed=seed)
        print(f"generated {shipments:,} shipments in {time.perf_counter() - t:.1f} s",
              file=sys.stderr)
    return path
