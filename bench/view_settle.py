"""Benchmark: how long a big interactive view takes to build, and to settle in Chromium.

    python bench/view_settle.py [--shipments 50000] [--seed 5] [--hops 3] [--runs 3]

Generates a dataset (into bench/out/), renders the view around the busiest importer (hops
3, about 2,000+ companies), opens it in Debian's headless Chromium through Playwright, and
reports the time from page script start until the layout has settled (vis-network's
stabilisation, or the first drawing of a view drawn as computed;
``window.kpgraphView.settleMs``, measured in the page), over several runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from generated import dataset  # noqa: E402 (bench/, the script's folder)

import kpgraph  # noqa: E402
from tests.browser import ARGS, CHROMIUM  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shipments", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--hops", type=int, default=3)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    data = dataset(args.shipments, args.seed)
    g = kpgraph.open_graph(data)
    hub = g.shipments["importer_id"].value_counts().index[0]
    out = Path(tempfile.mkdtemp()) / "view.html"
    t = time.perf_counter()
    view = kpgraph.view(out, path=data, around=hub, hops=args.hops, max_nodes=10_000)
    build = time.perf_counter() - t
    settle = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(args.runs):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(out.as_uri())
            page.wait_for_selector("body[data-settled=true]", state="attached",
                                   timeout=600_000)
            settle.append(page.evaluate("window.kpgraphView.settleMs") / 1000)
            page.close()
        browser.close()
    print("| companies | trade links | HTML MB | build (s) | settle in Chromium, median (s) "
          "| settle, max (s) |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(f"| {len(view['nodes']):,} | {len(view['edges']):,} "
          f"| {out.stat().st_size / 2**20:.1f} | {build:.1f} "
          f"| {statistics.median(settle):.1f} | {max(settle):.1f} |")


if __name__ == "__main__":
    main()
