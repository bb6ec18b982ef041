"""Attack a protected national site with the intruder (issue 15): counts attacked, recovered, seconds.

Usage:
    python3 benchmarks/intruder_national.py SITE_OR_DOWNLOADS [--workers N]
                                                                      attack a built site (or its downloads)
    python3 benchmarks/intruder_national.py DATA THRESHOLD [--regions Y58,Y59] [--years 2023,2024] [--out DIR]
                                                                      write the protected downloads of DATA
                                                                      (or of a subset of it), then attack them

The second form runs the generator's `compute` and `write_downloads` (the files a reader downloads; the
pages, API and workbook are written from the same protected figures and are checked against the downloads
by `intruder.unexplained`, which a whole-site build's test runs). The years are independent programmes,
solved in --workers processes (default: the machine's cores). Prints one JSON line per step with its
seconds, and the machine's load (`os.getloadavg`) beside every time: on a shared machine a time without its
load means little (benchmarks/README.md, "The intruder at national scale").
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import intruder  # noqa: E402


def _say(step: str, t0: float, **more: object) -> None:
    print(json.dumps({"step": step, "seconds": round(time.perf_counter() - t0, 1),
                      "load": [round(x, 1) for x in os.getloadavg()], **more}), flush=True)


def subset(data: Path, out: Path, regions: list[str] | None, years: list[str] | None) -> Path:
    """A copy of DATA holding only the organisations of `regions` and the collections of `years`."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    reg = pd.read_csv(data / "organisations.csv", dtype=str, keep_default_na=False)
    if regions:
        reg = reg[reg["region_code"].isin(regions)]
    reg.to_csv(out / "organisations.csv", index=False)
    col = pd.read_csv(data / "collections.csv", dtype=str, keep_default_na=False)
    if years:
        col = col[col["year"].isin(years)]
    col.to_csv(out / "collections.csv", index=False)
    for y in col["year"]:
        (out / y).mkdir()
        for f in (data / y).glob("*.csv"):
            t = pd.read_csv(f, dtype=str, keep_default_na=False)
            t[t["org_code"].isin(reg["org_code"])].to_csv(out / y / f.name, index=False)
    return out


def downloads(data: Path, out: Path, threshold: int) -> Path:
    """The protected CSV downloads of DATA at `threshold`, written into `out`."""
    from generator.compute.results import compute
    from generator.ingest.validate import validate_path
    from generator.model.release import release_of
    from generator.model.settings import Settings
    from generator.publish.downloads import write_downloads

    dataset = validate_path(data)
    settings = Settings(withhold_below=threshold)
    t0 = time.perf_counter()
    results = compute(dataset, settings)
    _say("compute (with the protection pass)", t0, threshold=threshold)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    write_downloads(dataset, results, out, settings, release_of(dataset, True))
    return out


def run_attack(site: Path, workers: int = 1) -> int:
    t0 = time.perf_counter()
    n, recovered = intruder.attack(site, say=lambda step, **counts: _say(step, t0, **counts), workers=workers)
    _say("attack", t0, site=str(site), attacked=n, recovered=len(recovered))
    for name, lo, hi in recovered[:20]:
        print(f"  recovered {name}: between {lo:.3f} and {hi:.3f}")
    return 1 if recovered else 0


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("path", type=Path, help="a built site or downloads folder; or a data folder with THRESHOLD")
    p.add_argument("threshold", type=int, nargs="?", help="withhold_below for a data folder")
    p.add_argument("--regions", help="comma-separated region codes (a subset of the data)")
    p.add_argument("--years", help="comma-separated years (a subset of the data)")
    p.add_argument("--out", type=Path, default=Path("/tmp/intruder_national"), help="working folder")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="years (pieces) solved at once")
    a = p.parse_args(argv)
    if a.threshold is None:
        return run_attack(a.path, a.workers)
    data = a.path
    if a.regions or a.years:
        data = subset(data, a.out / "data", a.regions and a.regions.split(","), a.years and a.years.split(","))
    return run_attack(downloads(data, a.out / f"downloads-{a.threshold}", a.threshold), a.workers)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
