"""The cost in information of the protection pass (issue 15): python3 benchmarks/protection_cost.py DATA [THRESHOLD]

Prints, for one data folder: the count cells of the returns (with a value), how many the threshold
withholds (primary), how many after the secondary rule, after the audit; the aggregate cells likewise;
and the published figures of indicators.csv (status ok) with no withholding, with the figure-by-figure
rule of before (a figure built on a small count), and with the protection pass, and by level (organisation,
system, region, ...) with none withheld and protected; how many cells the audit recovered and released in
its rounds (and how many needed the last resort); and the time taken by indicators.compute with the pass
and without any withholding (and their ratio), in the same run.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from generator.compute import protection
from generator.compute.results import compute
from generator.ingest.validate import validate_path
from generator.model.settings import Settings


def main(data: Path, threshold: int) -> dict:
    dataset = validate_path(data)
    t = time.perf_counter()
    free = compute(dataset, Settings(withhold_below=0))
    seconds_free = time.perf_counter() - t
    real = protection.protect
    protection.protect = lambda dataset, counts, members, results, settings: results
    try:
        before = compute(dataset, Settings(withhold_below=threshold))
    finally:
        protection.protect = real
    t = time.perf_counter()
    after = compute(dataset, Settings(withhold_below=threshold))
    seconds = time.perf_counter() - t

    def ok(r) -> int:  # noqa: ANN001
        return int((r.indicators["status"] == "ok").sum())

    def by_level(r) -> dict:  # noqa: ANN001
        return r.indicators[r.indicators["status"] == "ok"].groupby("level").size().astype(int).to_dict()

    out = {"data": str(data), "threshold": threshold, "base_cells": len(protection.base_cells(dataset)),
           **after.protection, "figures_ok_unprotected": ok(free), "figures_ok_figure_rule": ok(before),
           "figures_ok_protected": ok(after), "figures": len(after.indicators),
           "figures_ok_by_level_unprotected": by_level(free), "figures_ok_by_level_protected": by_level(after),
           "goals_withheld": int((after.goals["reason"] == protection.WITHHELD_REASON).sum()),
           "seconds": round(seconds, 1), "seconds_unprotected": round(seconds_free, 1),
           "ratio": round(seconds / seconds_free, 1)}
    return out


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 10), indent=1))
