"""Derive this folder's contract files from the raw KP production statistics.

    python datasets/kp_statistics/build.py

Reads ``kp_production_halfyear.csv`` (the raw extract, unchanged) and writes
``countries.csv`` and ``kp_statistics.csv`` in the kpgraph data contract:

- one row per participant and half-year; ``production_carats`` and ``production_usd`` are
  the sum of every ``Production`` row of that period (LSM and ASM together, and the few
  periods that the source splits into several rows, e.g. COD 2022-H1, IDN 2007-2008);
- a ``No Production`` period is a row with production 0 (the participant reported none);
- a period missing from the source is missing here too: a missing row is not a zero;
- export and import columns are empty: the source holds production only;
- ``countries.csv`` names each participant as the source does, ``producer`` is true when it
  ever reported production, and ``kp_member_since`` is left empty (unknown: the source
  does not say when each joined).

No figure is corrected: the known defects (e.g. India 2004, whose source notes say the
values were entered in millions or billions) are kept, for the statistics rules to find.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

HERE = Path(__file__).parent


def build(raw: Path = HERE / "kp_production_halfyear.csv", out: Path = HERE) -> None:
    d = pd.read_csv(raw, dtype={"iso3": str, "year": int, "half": int})
    produced = d["record_type"] == "Production"
    d.loc[~produced, ["carats", "value_usd"]] = 0.0
    stats = (d.groupby(["iso3", "year", "half"], sort=True)
             .agg(production_carats=("carats", "sum"), production_usd=("value_usd", "sum"))
             .reset_index())
    for col in ("export_carats", "export_usd", "import_carats", "import_usd"):
        stats[col] = ""
    stats["production_carats"] = stats["production_carats"].round(2)
    stats["production_usd"] = stats["production_usd"].round(2)
    stats.to_csv(out / "kp_statistics.csv", index=False, lineterminator="\n")
    names = d.groupby("iso3")["country"].first()
    producer = d.groupby("iso3")["carats"].sum() > 0
    countries = pd.DataFrame({"iso3": names.index, "name": names.to_numpy(),
                              "kp_member_since": "",
                              "producer": producer.reindex(names.index).map(
                                  {True: "true", False: "false"}).to_numpy()})
    countries.to_csv(out / "countries.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    build()
