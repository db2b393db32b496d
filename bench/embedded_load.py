"""Benchmark: validate + load into the embedded store, at 10k, 100k and 1M shipments.

    python bench/embedded_load.py [--sizes 10000,100000,1000000] [--seed 1]

Datasets are generated once into bench/out/ (not timed). Each size is then loaded in a
fresh Python process, so that its peak RSS (ru_maxrss) is its own. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from generated import dataset  # bench/, the script's folder

CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
import kpgraph
t1 = time.perf_counter()
g = kpgraph.open_graph(sys.argv[1])
t2 = time.perf_counter()
net = g.company_network()
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "network_s": t3 - t2,
                  "rows": len(g.shipments), "companies": len(g.companies),
                  "edges": net.number_of_edges(),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""



def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rows = []
    for n in map(int, args.sizes.split(",")):
        path = dataset(n, args.seed)
        mb = sum(f.stat().st_size for f in path.glob("*.csv")) / 2**20
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CHILD, str(path)], check=True,
                             capture_output=True, text=True, env=os.environ).stdout
        wall = time.perf_counter() - t
        r = json.loads(out)
        rows.append((n, r["rows"], mb, r["load_s"], wall, r["rss_mb"], r["network_s"]))
    print("| shipments | CSV MB | validate + load (s) | process wall (s) | peak RSS (MB) "
          "| company network (s) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for _n, rows_, mb, load, wall, rss, net in rows:
        print(f"| {rows_:,} | {mb:.0f} | {load:.2f} | {wall:.2f} | {rss:.0f} | {net:.2f} |")


if __name__ == "__main__":
    main()
