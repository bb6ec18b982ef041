"""Measure a national-sized build, phase by phase, against a plain MkDocs reference.

Usage:  python3 benchmarks/run.py [--scales national national-x5] [--out benchmarks/out]

For each scale it writes a sample (`wres sample --scale ...`), then runs the
build's phases in this process (validate, compute, write pages and downloads)
and MkDocs as `wres build` runs it (one process per core, merged, generated
files linked in), recording seconds and peak memory for each; then a whole
cold `wres build` in a child process and a plain mkdocs-material site of
the same number of bare pages, the reference, taking turns three times
(`--repeats`); the medians are compared (wall-clock and CPU seconds). Then,
at the first scale, a second build with unchanged data and one with one
organisation's return changed. Issue 17's budgets: the cold build against
half the sum of its two unavoidable parts done plainly (the reference, and
every chart drawn to SVG one call at a time: the median of a sample of the
site's own specs times the chart count; PNG costs measured the same way),
the one-return rebuild against 1.5 times the reference; and what readers get
(benchmarks/readers.py) on the built site. Every cold build starts with an
empty cache folder (WRES_CACHE_DIR), so it draws every chart.
The machines are shared and noisy, so the write-up compares ratios measured
in one run, never absolute seconds.

Results go to benchmarks/out/results.json and a Markdown table on stdout,
which benchmarks/README.md quotes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]


def _reset_peak() -> None:
    """Reset this process's peak RSS (Linux: writing 5 to clear_refs resets VmHWM)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


_WRAP = (
    "import atexit, os, runpy, sys\n"
    "def _peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            open(os.environ['WRES_PEAK_FILE'], 'w').write(line.split()[1])\n"
    "atexit.register(_peak)\n"
    "sys.argv = sys.argv[1:]\n"
    "runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)\n"
)


def _run_child(module_args: list[str], env: dict | None = None,
               cwd: Path | None = None, printed: list[str] | None = None) -> tuple[float, float, float]:
    """(seconds, peak MB, CPU seconds of it and every descendant) of `python -m <module_args>` in a child;
    what it printed is appended to `printed` when one is given.

    The child reports its own VmHWM at exit: wait4's ru_maxrss would include
    this process's memory at fork time, and so overstate the child's.
    """
    peak_file = Path(os.environ.get("TMPDIR", "/tmp")) / f"wres-peak-{os.getpid()}"
    env = dict(env or os.environ, WRES_PEAK_FILE=str(peak_file))
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-c", _WRAP, *module_args], env=env, cwd=cwd,
                          stdout=subprocess.DEVNULL if printed is None else subprocess.PIPE, stderr=subprocess.PIPE)
    if printed is not None:
        printed.append(proc.stdout.decode())
    secs = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(module_args)} failed:\n{proc.stderr.decode()[-3000:]}")
    peak = int(peak_file.read_text()) / 1024 if peak_file.exists() else float("nan")
    peak_file.unlink(missing_ok=True)
    return secs, peak, cpu


_SPIN = "import time\nt = time.perf_counter()\nn = 0\nfor i in range(6_000_000): n += i * i\nprint(time.perf_counter() - t)\n"


def two_core_slowdown() -> float:
    """How much slower two copies of one CPU-bound loop run at once than one alone (1.0: two free cores).

    The reference runs in one process and `wres build` in two or three, so a
    neighbour on the shared machine taking one core slows the build and not
    the reference; this probe, taken before each pair, shows when that happened.
    """
    def spin(copies: int) -> float:
        procs = [subprocess.Popen([sys.executable, "-c", _SPIN], stdout=subprocess.PIPE, text=True)
                 for _ in range(copies)]
        return max(float(p.communicate()[0]) for p in procs)

    alone = spin(1)
    return round(spin(2) / alone, 2)


def _page_sizes(site: Path) -> dict:
    org_pages = sorted(
        p.stat().st_size
        for p in (site / "organisations").glob("*/index.html")
    )
    all_pages = sorted(p.stat().st_size for p in site.rglob("*.html"))
    return {
        "html_pages": len(all_pages),
        "median_page_kb": round(statistics.median(all_pages) / 1024, 1) if all_pages else None,
        "largest_page_kb": round(all_pages[-1] / 1024, 1) if all_pages else None,
        "median_org_page_kb": round(statistics.median(org_pages) / 1024, 1) if org_pages else None,
        "largest_org_page_kb": round(org_pages[-1] / 1024, 1) if org_pages else None,
        "site_mb": round(sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 2**20, 1),
    }


def measure_build(data: Path, work: Path) -> dict:
    """Run the pipeline's phases one by one, as build.run_build does, timing each."""
    from generator.build.mkdocs_build import mkdocs_build, shard_count
    from generator.build.pipeline import build_inputs, write_docs
    from generator.compute.results import compute
    from generator.ingest.validate import validate_path
    from generator.model.release import release_of
    from generator.model.settings import load_settings
    from generator.publish.downloads import changes_since

    config = ROOT / "mkdocs.yml"
    settings = load_settings(config)
    phases: dict[str, dict] = {}

    def phase(name, fn):
        _reset_peak()
        t = time.perf_counter()
        out = fn()
        phases[name] = {"seconds": round(time.perf_counter() - t, 2), "peak_mb": round(_peak_mb())}
        return out

    dataset = phase("validate", lambda: validate_path(data, settings=settings))
    results = phase("compute", lambda: compute(dataset, settings))
    release = release_of(dataset, settings.demonstration)
    inputs = build_inputs(data, work / "site", config=config)
    docs, static = inputs.docs_dir, inputs.static_dir
    for folder in (docs, static):
        if folder.exists():
            shutil.rmtree(folder)

    phase("write pages", lambda: write_docs(inputs, dataset, results, release, None, changes_since(results, None)))
    md_pages = sum(1 for _ in docs.rglob("*.md"))
    site = work / "site"
    if site.exists():
        shutil.rmtree(site)
    # Time: mkdocs_build exactly as `wres build` runs it (one MkDocs process per core,
    # each rendering a share of the organisation pages; sites merged; generated files linked in).
    start = time.perf_counter()
    mkdocs_build(config, docs, site, static_dir=static)
    secs = time.perf_counter() - start
    mkdocs_processes = shard_count(docs)
    # Memory: one MkDocs process rendering every page, measured in a child of its own
    # (an upper bound for each of the processes above, which share the pages).
    env = dict(os.environ, PYTHONHASHSEED="0")
    single = work / "site-single"
    if single.exists():
        shutil.rmtree(single)
    _, peak, _ = _run_child(["generator.integration.run", "--config-file", str(config), "--docs-dir", str(docs),
                             "--site-dir", str(single), "--static-dir", str(static)], env=env, cwd=ROOT)
    shutil.rmtree(single)
    phases["mkdocs build"] = {"seconds": round(secs, 2), "peak_mb": round(peak)}
    total = sum(p["seconds"] for p in phases.values())
    rows = sum(len(t) for t in dataset.tables.values())
    return {
        "phases": phases,
        "total_seconds": round(total, 2),
        "input_rows": rows,
        "returns": int(len(dataset.returns)),
        "markdown_pages": md_pages,
        "mkdocs_processes": mkdocs_processes,
        **_page_sizes(site),
        "_site": str(site),
        "_pages": md_pages,
    }


def plain_reference(n_pages: int, work: Path) -> dict:
    """A plain mkdocs-material build of n bare pages, only the index page in nav."""
    ref = work / "reference"
    if ref.exists():
        shutil.rmtree(ref)
    docs = ref / "docs"
    (docs / "p").mkdir(parents=True)
    (docs / "index.md").write_text("# Reference\n\nA bare page.\n")
    for i in range(n_pages - 1):
        (docs / "p" / f"{i:05d}.md").write_text(f"# Page {i}\n\nA bare page with a paragraph of text.\n")
    (ref / "mkdocs.yml").write_text(
        "site_name: Reference\nuse_directory_urls: true\ntheme:\n  name: material\n  font: false\n"
        "nav:\n  - Home: index.md\nplugins:\n  - search\n"
    )
    secs, peak, cpu = _run_child(["mkdocs", "build", "--quiet", "-f", str(ref / "mkdocs.yml"),
                             "-d", str(ref / "site")], cwd=ref)
    return {"pages": n_pages, "seconds": round(secs, 2), "cpu_seconds": cpu, "peak_mb": round(peak)}


def chart_costs(site: Path, sample: int = 60) -> dict:
    """Seconds to draw the site's charts plainly: one `vegalite_to_svg` call at a time, in this process.

    The median over a fixed sample of the site's own specs, times the number of charts; the same for
    `svg_to_png` (2x) from those SVGs, the build-time cost a PNG beside every chart would add.
    """
    import random

    import vl_convert

    specs = [json.dumps(spec, separators=(",", ":"), ensure_ascii=False)
             for path in sorted(site.rglob("charts.json"))
             for spec in json.loads(path.read_text(encoding="utf-8")).values()]
    charts = sum(1 for _ in site.rglob("chart-*.svg"))
    picked = random.Random(17).sample(specs, min(sample, len(specs)))
    vl_convert.vegalite_to_svg(picked[0])  # the runtime's start, once, is not a chart's cost
    svg_s, png_s = [], []
    for spec in picked:
        start = time.perf_counter()
        svg = vl_convert.vegalite_to_svg(spec)
        svg_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        vl_convert.svg_to_png(svg, scale=2)
        png_s.append(time.perf_counter() - start)
    svg_ms, png_ms = statistics.median(svg_s) * 1000, statistics.median(png_s) * 1000
    return {"charts": charts, "specs": len(specs), "sample": len(picked), "svg_median_ms": round(svg_ms, 1),
            "png_median_ms": round(png_ms, 1), "plain_svg_s": round(svg_ms * charts / 1000, 1),
            "png_all_charts_s": round(png_ms * charts / 1000, 1), "vl_convert": vl_convert.__version__}


def _cold_env(work: Path) -> dict:
    """The environment of a cold build: an empty cache folder (no chart SVG, template or figure kept)."""
    cache = work / "cache-cold"
    if cache.exists():
        shutil.rmtree(cache)
    return dict(os.environ, WRES_CACHE_DIR=str(cache))


def _build_cmd(data: Path, out: Path) -> list[str]:
    return ["generator", "build", "--quiet", "--data", str(data), "--out", str(out)]


def measure_whole(data: Path, work: Path) -> dict:
    """One cold `wres build` in a child process, as a publisher runs it: nothing cached."""
    out = work / "rebuild-site"
    for old in (out, out.parent / f".{out.name}.wres"):
        if old.exists():
            shutil.rmtree(old)
    secs, peak, cpu = _run_child(_build_cmd(data, out), env=_cold_env(work), cwd=ROOT)
    return {"seconds": round(secs, 2), "cpu_seconds": cpu, "peak_mb": round(peak)}


def _summary_figures(printed: str) -> dict:
    """The build's own summary (`wres build --quiet` prints it): seconds by stage, files written, pages reused."""
    out: dict = {}
    time_line = next((line for line in printed.splitlines() if line.startswith("Time: ")), "")
    out["phases"] = {name.strip(): float(secs) for name, secs in
                     re.findall(r"([a-z][a-z ]*?) ([\d.]+) s", time_line.removeprefix("Time: ").split("; total")[0])}
    if m := re.search(r"Generated pages: (\d+) written, (\d+) unchanged", printed):
        out["files_written"], out["files_unchanged"] = int(m.group(1)), int(m.group(2))
    m = re.search(r"(\d+) pages taken unchanged", printed)
    out["pages_reused"] = int(m.group(1)) if m else 0
    return out


def change_one_return(data: Path) -> str:
    """Halve the first organisation's count of White staff who accessed training in the latest year: a
    change its own pages show (its likelihood moves), as a corrected return would be. Returns what changed."""
    years = sorted(p for p in data.iterdir() if p.is_dir() and p.name.isdigit())
    training = years[-1] / "training.csv"
    lines = training.read_text().splitlines()
    head = lines[0].split(",")
    col = head.index("accessed_training")
    for i, line in enumerate(lines[1:], start=1):
        row = line.split(",")
        if row[head.index("ethnicity")] == "white" and row[col].isdigit() and int(row[col]) > 1:
            before, row[col] = row[col], str(int(row[col]) // 2)
            lines[i] = ",".join(row)
            training.write_text("\n".join(lines) + "\n")
            return f"{row[0]} {years[-1].name} training, white: {before} -> {row[col]}"
    raise SystemExit(f"no count to change in {training}")


def measure_rebuild(data: Path, work: Path) -> dict:
    """After measure_whole's cold build: again with unchanged data, then with one return changed
    (visibly: `change_one_return`), each with the build's own seconds by stage."""
    out = work / "rebuild-site"
    cmd = _build_cmd(data, out)
    env = dict(os.environ, WRES_CACHE_DIR=str(work / "cache-cold"))  # as measure_whole's build left it
    printed: list[str] = []
    second, _, _ = _run_child(cmd, env=env, cwd=ROOT, printed=printed)
    change = change_one_return(data)
    third, _, cpu = _run_child(cmd, env=env, cwd=ROOT, printed=printed)
    return {"unchanged_rebuild_s": round(second, 2), "one_return_changed_s": round(third, 2),
            "one_return_changed_cpu_s": cpu, "change": change, "one_return_changed": _summary_figures(printed[1])}


def budgets(result: dict) -> dict:
    """Issue 17's build budgets, from one run's medians."""
    ref, costs = result["reference"]["seconds"], result["charts"]
    limit = round(0.5 * (ref + costs["plain_svg_s"]), 1)
    out = {"cold_build_s": result["whole_build"]["seconds"], "cold_limit_s": limit,
           "cold_met": result["whole_build"]["seconds"] <= limit}
    if "rebuild" in result:
        changed = result["rebuild"]["one_return_changed_s"]
        out.update(one_return_changed_s=changed, rebuild_limit_s=round(1.5 * ref, 1), rebuild_met=changed <= 1.5 * ref)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", nargs="+", default=["national", "national-x5"])
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    ap.add_argument("--no-rebuild", action="store_true", help="Skip the rebuild measurements.")
    ap.add_argument("--no-readers", action="store_true", help="Skip the reader measurements (Chromium).")
    ap.add_argument("--no-phases", action="store_true",
                    help="Skip the phase-by-phase build (the reference then has as many pages as the built site).")
    ap.add_argument("--repeats", type=int, default=3,
                    help="Whole builds and references, taking turns, at each scale (medians compared).")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    # The phases run in this process: with an empty cache of their own, they draw every chart too.
    phase_cache = args.out / "cache-phases"
    if phase_cache.exists():
        shutil.rmtree(phase_cache)
    os.environ["WRES_CACHE_DIR"] = str(phase_cache)

    from generator.tools.sample import write_sample

    report = {
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count(), "processor": platform.machine()},
        "scales": {},
    }
    for scale in args.scales:
        work = args.out / scale
        data = work / "data"
        if data.exists():
            shutil.rmtree(data)
        write_sample(data, scale=scale, seed=2018)
        refs, builds, slowdowns = [], [], []
        if args.no_phases:
            slowdowns.append(two_core_slowdown())
            builds.append(measure_whole(data, work))
            pages = sum(1 for _ in (work / "rebuild-site").rglob("index.html"))
            refs.append(plain_reference(pages, work))
            result = {"phases": {}, "total_seconds": 0, "markdown_pages": pages, **_page_sizes(work / "rebuild-site")}
        else:
            result = measure_build(data, work)
            pages = result.pop("_pages")
            result.pop("_site")
        # The reference and the whole build take turns, `repeats` times each, so that both see
        # the same machine load; the medians are compared, and each pair's ratio is kept.
        while len(builds) < args.repeats:
            slowdowns.append(two_core_slowdown())
            refs.append(plain_reference(pages, work))
            builds.append(measure_whole(data, work))
        result["whole_build"] = dict(builds[-1], seconds=statistics.median(b["seconds"] for b in builds),
                                     cpu_seconds=statistics.median(b["cpu_seconds"] for b in builds),
                                     peak_mb=max(b["peak_mb"] for b in builds),
                                     runs=[b["seconds"] for b in builds])
        result["reference"] = dict(refs[0], seconds=statistics.median(r["seconds"] for r in refs),
                                   cpu_seconds=statistics.median(r["cpu_seconds"] for r in refs),
                                   runs=[r["seconds"] for r in refs])
        ref = result["reference"]["seconds"]
        result["ratio_to_reference"] = round(result["whole_build"]["seconds"] / ref, 2)
        result["pair_ratios"] = [round(b["seconds"] / r["seconds"], 2) for b, r in zip(builds, refs)]
        result["two_core_slowdown"] = slowdowns
        result["phases_ratio_to_reference"] = round(result["total_seconds"] / ref, 2)
        result["cpu_ratio_to_reference"] = round(result["whole_build"]["cpu_seconds"]
                                                 / result["reference"]["cpu_seconds"], 2)
        if result["phases"]:
            gen = sum(result["phases"][p]["seconds"] for p in ("validate", "compute", "write pages"))
            result["generator_share_of_whole"] = round(gen / result["total_seconds"], 2)
            result["pages_per_second"] = round(pages / result["total_seconds"], 1)
        result["charts"] = chart_costs(work / "rebuild-site")
        if not args.no_rebuild and scale == args.scales[0]:
            result["rebuild"] = dict(first_build_s=result["whole_build"]["seconds"], **measure_rebuild(data, work))
        result["budgets"] = budgets(result)
        if not args.no_readers and scale == args.scales[0]:
            from readers import measure_site

            result["readers"] = measure_site(work / "rebuild-site")
        report["scales"][scale] = result
        print(json.dumps({scale: result}, indent=1), flush=True)
    (args.out / "results.json").write_text(json.dumps(report, indent=1) + "\n")
    print(to_markdown(report))


def to_markdown(report: dict) -> str:
    lines = ["| scale | phase | seconds | peak MB |", "|---|---|---|---|"]
    for scale, r in report["scales"].items():
        for name, p in r["phases"].items():
            lines.append(f"| {scale} | {name} | {p['seconds']} | {p['peak_mb']} |")
        lines.append(f"| {scale} | sum of the phases | {r['total_seconds']} | |")
        n = len(r["whole_build"].get("runs", [1]))
        lines.append(f"| {scale} | **whole `wres build`, cold**, median of {n} ({r['whole_build']['cpu_seconds']} s of CPU) | "
                     f"{r['whole_build']['seconds']} | {r['whole_build']['peak_mb']} |")
        lines.append(f"| {scale} | plain mkdocs-material, {r['reference']['pages']} bare pages, median of {n} "
                     f"({r['reference']['cpu_seconds']} s of CPU) | {r['reference']['seconds']} | "
                     f"{r['reference']['peak_mb']} |")
    lines.append("")
    lines.append("| scale | returns | input rows | pages | pages/s | median page KB | largest page KB | "
                 "median org page KB | whole build / reference (each pair) | two-core slowdown before each pair | "
                 "CPU / reference CPU | phases / reference | generator share |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for scale, r in report["scales"].items():
        lines.append(f"| {scale} | {r.get('returns', '')} | {r.get('input_rows', '')} | {r['markdown_pages']} | "
                     f"{r.get('pages_per_second', '')} | {r['median_page_kb']} | {r['largest_page_kb']} | "
                     f"{r['median_org_page_kb']} | {r['ratio_to_reference']} ({', '.join(map(str, r.get('pair_ratios', [])))}) | "
                     f"{', '.join(map(str, r.get('two_core_slowdown', [])))} | "
                     f"{r['cpu_ratio_to_reference']} | "
                     f"{r['phases_ratio_to_reference']} | "
                     f"{r.get('generator_share_of_whole', '')} |")
    lines += ["", "| scale | charts | SVG, one call, median ms | plain SVG for all, s | PNG (2x) from SVG, median ms | "
              "PNG for all, s | cold build, s | limit 0.5 x (reference + plain SVG), s | met | one return changed, s | "
              "limit 1.5 x reference, s | met |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for scale, r in report["scales"].items():
        c, b = r["charts"], r["budgets"]
        lines.append(f"| {scale} | {c['charts']} | {c['svg_median_ms']} | {c['plain_svg_s']} | {c['png_median_ms']} | "
                     f"{c['png_all_charts_s']} | {b['cold_build_s']} | {b['cold_limit_s']} | {b['cold_met']} | "
                     f"{b.get('one_return_changed_s', '')} | {b.get('rebuild_limit_s', '')} | {b.get('rebuild_met', '')} |")
    for scale, r in report["scales"].items():
        rebuild = r.get("rebuild") or {}
        if "one_return_changed" in rebuild:
            f = rebuild["one_return_changed"]
            stages = ", ".join(f"{name} {secs} s" for name, secs in f["phases"].items())
            lines += ["", f"One return changed, {scale} ({rebuild['change']}): {rebuild['one_return_changed_s']} s "
                          f"({rebuild['one_return_changed_cpu_s']} s of CPU); by stage: {stages}; generated files "
                          f"written {f.get('files_written')}, pages taken unchanged from the last site {f['pages_reused']}."]
    for scale, r in report["scales"].items():
        if "readers" in r:
            from readers import to_markdown as readers_table

            lines += ["", f"Readers, {scale}:", "", readers_table(r["readers"])]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
