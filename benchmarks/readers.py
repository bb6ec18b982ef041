"""What readers get: a built site in Chromium on a slow phone connection, cold and on a repeat visit.

Usage:  python3 benchmarks/readers.py SITE_DIR [--pages "" indicators/2/ ...] [--json out.json]

The site is served from 127.0.0.1 by a small server that gzips text (as any
real host does) and lets the browser keep files between visits (`no-cache` for
pages, which are checked again on every visit, an hour for everything else).
Each page is loaded in a fresh browser context (nothing cached: a cold visit),
then again in the same context (a repeat visit), with Chromium's own
throttling (DevTools protocol): 150 ms round trip, 1.6 Mbps down, 750 kbps up,
CPU slowed 4x. Recorded for each visit:

- `kb`: bytes over the wire (gzipped bodies and headers) of every request made
  before the page settles (load, then the network quiet for 1 s), the page's
  search index and scripts included: what a reader downloads before acting;
- `charts_visible_s`: from navigation until the page is parsed past its content
  (the theme's footer is in the document: scripts after it may still be loading),
  every chart container holds a drawn SVG with a size, and a frame has been
  painted after (None: no charts);
- `fcp_s`: first contentful paint;
- `longest_task_ms`: the longest main-thread task (Long Tasks API; below 50 ms
  none is reported, shown as 0);
- and, with JavaScript disabled, `charts` and `charts_visible_without_js`:
  how many chart containers the page has and how many show an SVG.

Timings are measured here and written up in benchmarks/README.md; tests never assert them.
Needs Playwright and Debian's Chromium at /usr/bin/chromium (no browser download).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import sys
import threading
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
#: The throttling of issue 17 (Chrome DevTools' "Slow 4G"-like): latency in ms, throughput in bytes/s.
NETWORK = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8}
CPU_SLOWDOWN = 4
GZIP_TYPES = (".html", ".css", ".js", ".json", ".svg", ".csv", ".xml", ".txt", ".map")

#: Runs in every page before its own scripts: records long tasks, and when every chart is first seen drawn.
PROBE = """
(() => {
  const w = window;
  w.__wres = {longest: 0, charts: null};
  try {
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) w.__wres.longest = Math.max(w.__wres.longest, e.duration);
    }).observe({type: "longtask", buffered: true});
  } catch (e) {}
  function drawn() {
    const boxes = document.querySelectorAll(".wres-chart");
    if (!boxes.length) return false;
    for (const b of boxes) {
      const svg = b.querySelector("svg");
      if (!svg) return false;
      /* A chart the browser skips for now (content-visibility: auto, far below the screen) is in the
         page and is drawn when the reader scrolls near it; asking for its box would force the very
         layout the page saved, so it counts as shown once its SVG is there. */
      if (b.checkVisibility && !b.checkVisibility({contentVisibilityAuto: true})) continue;
      const r = svg.getBoundingClientRect();
      if (!(r.width > 0 && r.height > 0)) return false;
    }
    return true;
  }
  /* Parsed past the content (the theme's footer follows it), not waiting for the scripts after it:
     the charts are shown as soon as they are in the page, laid out and painted. */
  function tick() {
    if (w.__wres.charts === null && document.querySelector("footer.md-footer") && drawn()) {
      requestAnimationFrame(() => { w.__wres.charts = performance.now(); });
      return;
    }
    if (w.__wres.charts === null) requestAnimationFrame(tick);
  }
  requestAnimationFrame(tick);
})();
"""


class _GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzipped when the browser accepts it; pages revalidated, other files kept an hour."""

    def log_message(self, format, *args):  # noqa: A002, ANN001, ANN002
        pass

    def end_headers(self) -> None:
        path = self.translate_path(self.path)
        self.send_header("Cache-Control", "no-cache" if path.endswith((".html", "/")) else "max-age=3600")
        super().end_headers()

    def send_head(self):  # noqa: ANN201
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if (not path.is_file() or not str(path).endswith(GZIP_TYPES)
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        if self.path.rstrip("?").split("?")[0].endswith("/") is False and path.name == "index.html" \
                and not self.path.split("?")[0].endswith("index.html"):
            return super().send_head()  # let the parent redirect /x to /x/
        stamp = self.date_time_string(int(path.stat().st_mtime))
        if self.headers.get("If-Modified-Since") == stamp:
            self.send_response(304)
            self.end_headers()
            return None
        body = gzip.compress(path.read_bytes(), 6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", stamp)
        self.end_headers()
        import io

        return io.BytesIO(body)


class GzipServer:
    """The site on 127.0.0.1 at a free port, gzipped, in a thread: `with GzipServer(site) as url: ...`."""

    def __init__(self, site: Path) -> None:
        handler = functools.partial(_GzipHandler, directory=str(site))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)

    def __enter__(self) -> str:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def __exit__(self, *exc) -> None:  # noqa: ANN002
        self.httpd.shutdown()
        self.httpd.server_close()


def _visit(page, cdp, url: str) -> dict:
    """Load url in page (throttled through cdp); what it cost and when its charts showed."""
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
    start = time.perf_counter()
    page.goto(url, wait_until="load", timeout=180_000)
    last, seen = time.perf_counter(), len(sizes)
    while time.perf_counter() - last < 1.0 and time.perf_counter() - start < 120:  # the network quiet for 1 s
        page.wait_for_timeout(200)
        if len(sizes) != seen:
            last, seen = time.perf_counter(), len(sizes)
    probe = page.evaluate("""() => ({longest: window.__wres.longest, charts: window.__wres.charts,
        fcp: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null,
        n: document.querySelectorAll('.wres-chart').length})""")
    ms = lambda v: None if v is None else round(v / 1000, 2)  # noqa: E731
    return {"kb": round(sum(sizes.values()) / 1024, 1), "requests": len(sizes),
            "charts_visible_s": ms(probe["charts"]) if probe["n"] else None,
            "fcp_s": ms(probe["fcp"]), "longest_task_ms": round(probe["longest"]),
            "heaviest": sorted(((round(n / 1024, 1), urls.get(i, "?").split("/", 3)[-1]) for i, n in sizes.items()),
                               reverse=True)[:5]}


def _without_js(browser, url: str) -> dict:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(url, wait_until="load")
        boxes = page.locator(".wres-chart")
        shown = 0
        for i in range(boxes.count()):
            svg = boxes.nth(i).locator("svg")
            box = svg.first.bounding_box() if svg.count() else None
            shown += bool(box and box["width"] > 0 and box["height"] > 0)
        return {"charts": boxes.count(), "charts_visible_without_js": shown}
    finally:
        context.close()


def measure_page(browser, url: str) -> dict:
    """Cold then repeat visit of one page, throttled; and the page with JavaScript off."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    context.add_init_script(PROBE)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", NETWORK)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        cold = _visit(page, cdp, url)
        page.goto("about:blank")
        repeat = _visit(page, cdp, url)
    finally:
        context.close()
    return {"cold": cold, "repeat": repeat, **_without_js(browser, url)}


def default_pages(site: Path) -> dict[str, str]:
    """Issue 17's pages: home, an organisation, indicator 2, the organisations index and a return page."""
    orgs = site / "organisations"
    with_charts = sorted(p.parent.name for p in orgs.glob("*/charts.json")
                         if any(p.parent.glob("20*/index.html")))
    org = with_charts[len(with_charts) // 2]
    year = sorted(p.parent.name for p in (orgs / org).glob("20*/index.html"))[-1]
    return {"home": "", "organisation": f"organisations/{org}/", "indicator 2": "indicators/2/",
            "organisations index": "organisations/", "return": f"organisations/{org}/{year}/"}


def measure_site(site: Path, pages: dict[str, str] | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    pages = pages or default_pages(site)
    out = {}
    with GzipServer(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for name, address in pages.items():
                out[name] = dict(address=address, **measure_page(browser, base + address))
        finally:
            browser.close()
    return out


BUDGET = {"kb": 150, "charts_visible_s": 2.5, "longest_task_ms": 200}


def to_markdown(results: dict) -> str:
    lines = ["| page | cold KB (requests) | charts visible, cold / repeat (s) | first paint, cold (s) | "
             "longest task, cold / repeat (ms) | charts shown without JavaScript | within budget |",
             "|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        c, w = r["cold"], r["repeat"]
        ok = (c["kb"] <= BUDGET["kb"] and max(c["longest_task_ms"], w["longest_task_ms"]) <= BUDGET["longest_task_ms"]
              and (c["charts_visible_s"] is None or c["charts_visible_s"] <= BUDGET["charts_visible_s"])
              and r["charts_visible_without_js"] == r["charts"])
        vis = "no charts" if c["charts_visible_s"] is None else f"{c['charts_visible_s']} / {w['charts_visible_s']}"
        lines.append(f"| {name} (`/{r['address']}`) | {c['kb']} ({c['requests']}) | {vis} | {c['fcp_s']} | "
                     f"{c['longest_task_ms']} / {w['longest_task_ms']} | {r['charts_visible_without_js']} of "
                     f"{r['charts']} | {'yes' if ok else 'no'} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("--pages", nargs="*", help="Addresses to measure (default: issue 17's five pages).")
    ap.add_argument("--json", type=Path, help="Write the results here too.")
    args = ap.parse_args()
    pages = {a or "home": a for a in args.pages} if args.pages else None
    results = measure_site(args.site, pages)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))
    print(to_markdown(results))


if __name__ == "__main__":
    sys.exit(main())
