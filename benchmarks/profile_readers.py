"""What the long main-thread tasks of a page are: a Chromium performance trace under readers.py's throttling.

Usage:  python3 benchmarks/profile_readers.py SITE_DIR [--pages "" organisations/ ...] [--over 50]
                                                       [--visits cold repeat] [--trace-dir DIR]

Each page is loaded as `benchmarks/readers.py` loads it (a fresh context at 390 px, Chromium's
network and CPU throttling through the DevTools protocol, the same gzip server), cold and then
repeat, while Chromium records a trace (`devtools.timeline` and V8's categories: what the Performance
panel records). For every task on the page's main thread longer than `--over` ms it prints the task's
length and what its time went to, by kind (script evaluation by file, compiling, style, layout, paint,
HTML parsing, garbage collection), self time of each kind, largest first.

Kept as a tool to look again after a change; the findings are in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import readers  # noqa: E402

CATEGORIES = ",".join([
    "devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "loading",
])

#: Trace event names and the kind each is counted as (others count as their parent's kind).
KINDS = {
    "EvaluateScript": "script", "v8.evaluateModule": "script", "FunctionCall": "script",
    "TimerFire": "script", "EventDispatch": "script", "FireAnimationFrame": "script",
    "FireIdleCallback": "script", "RunMicrotasks": "script",
    "v8.compile": "compile", "v8.compileModule": "compile", "V8.CompileCode": "compile",
    "v8.produceCache": "compile", "MajorGC": "gc", "MinorGC": "gc", "V8.GCScavenger": "gc",
    "V8.GCFinalizeMC": "gc", "BlinkGC.AtomicPhase": "gc",
    "UpdateLayoutTree": "style", "Document::recalcStyle": "style", "Document::rebuildLayoutTree": "style",
    "ParseAuthorStyleSheet": "style (parse CSS)",
    "Layout": "layout", "LocalFrameView::performLayout": "layout",
    "InlineNode::ShapeTextIncludingFirstLine": "layout (text shaping)",
    "PrePaint": "pre-paint", "Blink.PrePaint.UpdateTime": "pre-paint", "Paint": "paint",
    "Blink.Paint.UpdateTime": "paint", "Layerize": "layerize/commit", "Commit": "layerize/commit",
    "UpdateLayer": "layerize/commit", "Blink.CompositingInputs.UpdateTime": "layerize/commit",
    "LocalFrameView::pushPaintArtifactToCompositor": "layerize/commit",
    "ParseHTML": "parse HTML", "IntersectionObserverController::computeIntersections": "observers",
    "Blink.Accessibility.UpdateTime": "accessibility", "HitTest": "hit test",
    "ResourceReceivedData": "loading", "ResourceFinish": "loading",
}


def _script_of(event: dict) -> str:
    """The file a script event ran (its url, shortened), for script kinds."""
    data = event.get("args", {}).get("data", {}) or {}
    url = data.get("url") or data.get("scriptName") or ""
    name = url.rsplit("/", 1)[-1] or "(inline or page)"
    return f"{name}"


def _main_thread(events: list[dict], url: str | None = None) -> tuple[int, int] | None:
    """(pid, tid) of the renderer main thread that parsed url (or parsed the most HTML).

    A trace holds other renderers too (the previous context's, on its way out), so the thread is the
    one that parsed the page, not the one that ran the most tasks."""
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
             if e.get("ph") == "M" and e.get("name") == "thread_name"}
    parsed: dict[tuple[int, int], float] = defaultdict(float)
    for e in events:
        key = (e.get("pid"), e.get("tid"))
        if names.get(key) == "CrRendererMain" and e.get("name") == "ParseHTML":
            page = ((e.get("args") or {}).get("beginData") or {}).get("url", "")
            parsed[key] += e.get("dur", 0) + (1e12 if url and page == url else 0)
    return max(parsed, key=parsed.get) if parsed else None


def _self_times(task: dict, inner: list[dict]) -> dict[str, float]:
    """Self time (ms) by kind inside one task: each event's own time (less its children's) goes to its
    kind, or, for an event of no known kind, to the kind of its nearest known ancestor."""
    spans = sorted((e for e in inner if e.get("dur")), key=lambda e: (e["ts"], -e["dur"]))
    totals: dict[str, float] = defaultdict(float)
    stack: list[list] = [[task, 0.0, "(task itself)"]]  # [event, time of its children, label]

    def close(until: float) -> None:
        while len(stack) > 1 and stack[-1][0]["ts"] + stack[-1][0]["dur"] <= until:
            ev, kids, label = stack.pop()
            totals[label] += (ev["dur"] - kids) / 1000
            stack[-1][1] += ev["dur"]

    for e in spans:
        close(e["ts"])
        stack.append([e, 0.0, _label(e) or stack[-1][2]])
    close(float("inf"))
    ev, kids, label = stack[0]
    totals[label] += (ev["dur"] - kids) / 1000
    return totals


def _label(e: dict) -> str | None:
    """The kind an event's own time counts as; None: the kind of its parent."""
    kind = KINDS.get(e["name"])
    if kind == "script":
        return f"script {_script_of(e)}"
    return kind


def long_tasks(trace: dict, over_ms: float, url: str | None = None) -> list[dict]:
    """Every main-thread task over over_ms: its start, length and self time by kind."""
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    main = _main_thread(events, url)
    if main is None:
        return []
    mine = [e for e in events if (e.get("pid"), e.get("tid")) == main and e.get("ph") == "X"]
    tasks = [e for e in mine if e["name"] == "RunTask" and e.get("dur", 0) / 1000 > over_ms]
    start = min(e["ts"] for e in mine)
    out = []
    for t in tasks:
        end = t["ts"] + t["dur"]
        inner = [e for e in mine if e is not t and t["ts"] <= e["ts"] and e["ts"] + e.get("dur", 0) <= end
                 and e["name"] != "RunTask"]
        totals = _self_times(t, inner)
        out.append({"at_ms": round((t["ts"] - start) / 1000), "ms": round(t["dur"] / 1000),
                    "cpu_ms": round(t.get("tdur", 0) / 1000),
                    "by_kind": {k: round(v, 1) for k, v in sorted(totals.items(), key=lambda kv: -kv[1])
                                if v >= 2}})
    return out


def profile_page(browser, url: str, visits: list[str], over_ms: float, trace_dir: Path | None,
                 name: str) -> dict:
    """Cold then repeat visit of url, each traced; the long tasks of each."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    context.add_init_script(readers.PROBE)
    out = {}
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", readers.NETWORK)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": readers.CPU_SLOWDOWN})
        for visit in ("cold", "repeat"):
            stem = name.strip("/").replace("/", "_").replace(" ", "_") or "home"
            path = (trace_dir / f"{stem}-{visit}.json") if trace_dir else None
            browser.start_tracing(page=page, categories=CATEGORIES.split(","))
            result = readers._visit(page, cdp, url)
            raw = browser.stop_tracing()
            if path:
                path.write_bytes(raw)
            if visit in visits:
                tasks = long_tasks(json.loads(raw), over_ms, url)
                out[visit] = {"longest_task_ms": result["longest_task_ms"],
                              "longest_task_cpu_ms": max((t["cpu_ms"] for t in tasks), default=0),
                              "tasks": tasks}
            page.goto("about:blank")
    finally:
        context.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("--pages", nargs="*")
    ap.add_argument("--over", type=float, default=50.0, help="Report tasks longer than this (ms).")
    ap.add_argument("--visits", nargs="*", default=["cold", "repeat"])
    ap.add_argument("--json", type=Path, help="Write the results here too.")
    ap.add_argument("--trace-dir", type=Path, help="Keep the raw traces here (open in DevTools).")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    pages = {a or "home": a for a in args.pages} if args.pages else readers.default_pages(args.site)
    if args.trace_dir:
        args.trace_dir.mkdir(parents=True, exist_ok=True)
    results = {}
    with readers.GzipServer(args.site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=readers.CHROMIUM, args=readers.ARGS)
        try:
            for name, address in pages.items():
                results[name] = profile_page(browser, base + address, args.visits, args.over,
                                             args.trace_dir, name)
        finally:
            browser.close()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    print(summary(results))


def summary(results: dict) -> str:
    """One line per long task: page, visit, its length, and its five largest kinds."""
    lines = []
    for name, visits in results.items():
        for visit, r in visits.items():
            lines.append(f"{name} {visit}: longest task {r['longest_task_ms']} ms (Long Tasks API), "
                         f"{r['longest_task_cpu_ms']} ms of the main thread's own time (trace)")
            for t in r["tasks"]:
                top = ", ".join(f"{k} {v:.0f}" for k, v in list(t["by_kind"].items())[:5])
                lines.append(f"    at {t['at_ms']:>5} ms  {t['ms']:>4} ms ({t['cpu_ms']:>4} own): {top}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
