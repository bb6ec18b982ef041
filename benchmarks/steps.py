"""Times of single steps that tests used to assert (tests check what they make, never how fast).

Usage:  python3 benchmarks/steps.py
Prints seconds for: the national sample's tables (build_sample), writing the national-x5
sample, and computing every figure of a national-sized dataset. Record results in
benchmarks/README.md with the machine they were taken on.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from generator.compute.results import compute  # noqa: E402
from generator.model.settings import Settings  # noqa: E402
from generator.tools.sample import build_sample, write_sample  # noqa: E402


def timed(label: str, fn) -> float:  # noqa: ANN001
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    print(f"{label}: {seconds:.2f} s")
    return seconds


def main() -> None:
    from indicator_fixtures import national_dataset

    timed("build_sample national (tables only)", lambda: build_sample("national", 1))
    with tempfile.TemporaryDirectory() as tmp:
        timed("write_sample national-x5", lambda: write_sample(Path(tmp), "national-x5", 2018))
    ds = national_dataset()
    timed("compute, national-sized dataset", lambda: compute(ds, Settings()))


if __name__ == "__main__":
    main()
