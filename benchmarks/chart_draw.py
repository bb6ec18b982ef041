"""What drawing one of a site's charts costs, each way of drawing in a fresh process, alternating.

    python3 benchmarks/chart_draw.py SITE [--sample 300] [--rounds 3]

SITE is a built site (its pages' charts.json hold every chart's spec). The ways:

- `plain`: `vl_convert.vegalite_to_svg(spec)`, the machine's fonts loaded (issue 17's "plain SVG");
- `own-fonts`: the same call after `chart_svg.own_fonts_only`;
- `render`: `chart_svg.render` (own fonts, compiled through the variant's skeleton, normalised, cached).

Each way runs in its own process (vl-convert's fonts are set once a process), on the same fixed
sample of specs, after one warm-up drawing; rounds alternate the ways. Prints milliseconds a chart,
wall and CPU (the process's, vl-convert's threads included), and whether every way gave the same
SVG bytes (after `normalise`, which only renumbers clip ids).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WAYS = ("plain", "own-fonts", "render")


def site_specs(site: Path) -> list[str]:
    """Every chart's spec in the site, compact JSON as charts.py writes it, in page order."""
    specs = []
    for path in sorted(site.rglob("charts.json")):
        specs += [json.dumps(s, separators=(",", ":"), ensure_ascii=False)
                  for s in json.loads(path.read_text(encoding="utf-8")).values()]
    return specs


def draw(way: str, specs_file: str, cache: str) -> dict:
    """In this (fresh) process: draw every spec one way; time it; a digest of the SVGs."""
    sys.path.insert(0, str(ROOT))
    import vl_convert

    from generator.site import chart_svg

    specs = json.loads(Path(specs_file).read_text(encoding="utf-8"))
    if way == "plain":
        def one(spec: str) -> str:
            return chart_svg.normalise(vl_convert.vegalite_to_svg(spec))
    elif way == "own-fonts":
        chart_svg.own_fonts_only(cache)

        def one(spec: str) -> str:
            return chart_svg.normalise(vl_convert.vegalite_to_svg(spec))
    else:
        def one(spec: str) -> str:
            return chart_svg.render(spec, cache)
    one(specs[0])  # the runtime's start, once, is not a chart's cost (the skeleton's compile stays in)
    digest = hashlib.sha256()
    wall, cpu = time.perf_counter(), time.process_time()
    for spec in specs:
        digest.update(one(spec).encode())
    n = len(specs)
    return {"way": way, "charts": n, "wall_ms": round((time.perf_counter() - wall) * 1000 / n, 2),
            "cpu_ms": round((time.process_time() - cpu) * 1000 / n, 2), "svgs": digest.hexdigest()[:16]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--way", choices=WAYS, help=argparse.SUPPRESS)  # one way, in a child
    parser.add_argument("--specs", help=argparse.SUPPRESS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.way:
            print(json.dumps(draw(args.way, args.specs, tmp)))
            return
        specs = site_specs(args.site)
        picked = random.Random(17).sample(specs, min(args.sample, len(specs)))
        specs_file = Path(tmp) / "specs.json"
        specs_file.write_text(json.dumps(picked), encoding="utf-8")
        print(f"{len(specs)} charts in {args.site}; {len(picked)} drawn each way; load {os.getloadavg()}")
        for r in range(args.rounds):
            for way in WAYS if r % 2 == 0 else reversed(WAYS):
                out = subprocess.run([sys.executable, __file__, str(args.site), "--way", way, "--specs", str(specs_file)],
                                     capture_output=True, text=True, check=True).stdout
                print(f"round {r + 1}", out.strip(), flush=True)
        print(f"load {os.getloadavg()}")


if __name__ == "__main__":
    main()
