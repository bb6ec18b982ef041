"""Charts drawn at build time: each Vega-Lite spec to a static SVG with vl-convert, cached on disk.

Readers see a chart as soon as its page arrives, with JavaScript or without: no
vega bundle to download and no drawing in the browser (benchmarks/README.md has
the measurements that decided it). `vl_convert.vegalite_to_svg` is how Altair
itself saves SVG.

A national site has some 3,000 charts at tens of milliseconds each, so:

- each SVG is cached under `charts.user_cache_dir()` by a hash of the spec, the
  vl-convert version and this module's post-processing version (`RENDER_VERSION`):
  a rebuild renders only the charts whose spec changed;
- the charts not in the cache are rendered in a pool of worker processes
  started with `spawn` (vl-convert's runtime hangs in a forked child), fed as
  pages are written so that drawing overlaps writing.

- each spec is compiled to Vega through its variant's skeleton, compiled once
  per worker (`chart_vega`), not from scratch;
- vl-convert lays text out with its own fonts only (`own_fonts_only`), never the
  machine's: every text it measures (labels, titles, legends) costs a fraction of
  the time, and a chart's layout no longer depends on what fonts the building
  machine has (benchmarks/README.md, "Drawing charts cheaper").

What vl-convert gives is normalised before it is cached (`normalise`): its
clip-path ids count up across calls in one process, so they are renumbered
from 1 in each SVG (the same spec gives the same bytes whichever worker drew it).
Each chart on a page then gets its own id prefix (`finish`), an accessible name
(`role="img"` and a `<title>`), and tooltips: the points' descriptions (a
Vega-Lite `description` encoding, which vega writes as `aria-label`) become SVG
`<title>` elements, which every desktop browser shows on hover, with no script.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
from concurrent.futures import Future, ProcessPoolExecutor
from functools import cache
from html import escape
from pathlib import Path

from ..model.cache_root import keep
from . import chart_vega

#: Bumped when `normalise` or the drawing's setup (`own_fonts_only`) changes what is cached.
RENDER_VERSION = "2"
#: A fontconfig file naming one empty folder: vl-convert's font database (fontdb) reads FONTCONFIG_FILE,
#: so it loads no system font and keeps the Liberation Sans it carries (Arial's metrics).
_FONTS_CONF = '<?xml version="1.0"?>\n<fontconfig><dir>{folder}</dir></fontconfig>\n'
#: A text mark: drawing it makes vl-convert load its font database, once a process.
_FONT_PROBE = ('{"$schema":"https://vega.github.io/schema/vega/v6.json","width":1,"height":1,'
               '"marks":[{"type":"text","encode":{"update":{"text":{"value":"x"}}}}]}')
_fonts_set = False


@cache
def vl_convert_version() -> str:
    import vl_convert

    return str(vl_convert.__version__)


def spec_key(spec_json: str) -> str:
    """The cache key of one spec's SVG: what it is drawn from and with."""
    h = hashlib.sha256(f"{vl_convert_version()}\n{RENDER_VERSION}\n".encode())
    h.update(spec_json.encode("utf-8"))
    return h.hexdigest()


class SvgCache:
    """SVGs on disk, one file per spec key (`<root>/charts-svg/<2 hex>/<key>.svg`).

    A missing or unreadable file only means the chart is drawn again; files are
    written atomically (a temporary name, then a rename), so a concurrent build
    never reads half of one.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root) / "charts-svg"

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.svg"

    def get(self, key: str) -> str | None:
        try:
            return self.path(key).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, key: str, svg: str) -> None:
        keep(self.path(key), svg)


_CLIP_ID = re.compile(r'\bid="(clip\d+)"')


def normalise(svg: str) -> str:
    """vl-convert's SVG with its ids renumbered in order of appearance (clip1, clip2, ...).

    vega numbers clip paths with a counter that lives as long as the process, so the same spec drawn
    second in a worker would otherwise get other ids: different bytes for the same chart.
    """
    ids = {old: f"c{i}" for i, old in enumerate(dict.fromkeys(_CLIP_ID.findall(svg)), start=1)}
    if not ids:
        return svg
    return re.sub(r'(id="|url\(#)(clip\d+)', lambda m: m.group(1) + ids.get(m.group(2), m.group(2)), svg)


def own_fonts_only(cache_root: str) -> None:
    """Make vl-convert measure text with the fonts it carries, none of the machine's (once a process).

    vl-convert measures every label, title and legend entry (most of a chart's cost) by laying the text
    out with its font database; with the machine's fonts loaded each measure costs several times more
    (3.7 against 0.5 ms for an organisation's name here). The charts' font stack names no font a Linux
    machine has by those names, so it resolves to vl-convert's Liberation Sans either way: the same
    SVGs, byte for byte, on this machine. The database is loaded at the first text vl-convert measures in
    a process, so the first drawing here must come after this; the variable is set only for that moment
    (anything this process starts later, a browser say, sees the machine's fonts).
    """
    global _fonts_set
    if _fonts_set:
        return
    import vl_convert

    folder = Path(cache_root) / "vl-fonts"
    conf = folder / "fonts.conf"
    keep(conf, _FONTS_CONF.format(folder=escape(str(folder / "none"))))
    try:
        (folder / "none").mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # no cache folder: fontdb falls back to the machine's fonts (slower, same SVGs here)
    before = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(conf)
    try:
        vl_convert.vega_to_svg(_FONT_PROBE)
    finally:
        if before is None:
            del os.environ["FONTCONFIG_FILE"]
        else:
            os.environ["FONTCONFIG_FILE"] = before
    _fonts_set = True


def render(spec_json: str, cache_root: str) -> str:
    """Draw one spec (in a worker process, or here), normalise it and keep it in the cache."""
    import vl_convert

    own_fonts_only(cache_root)
    svg = normalise(vl_convert.vega_to_svg(chart_vega.to_vega(spec_json)))
    SvgCache(Path(cache_root)).put(spec_key(spec_json), svg)
    return svg


class Renderer:
    """Draws specs as they come, from the cache or in a pool of spawned workers; `result` waits for one.

    The pool is started at the first spec not in the cache (an unchanged rebuild starts none) and
    closed by `close`. `workers=0` draws in this process, one at a time (tests, and the benchmark's
    plain one-call-per-chart measure).
    """

    def __init__(self, cache_root: Path, workers: int | None = None) -> None:
        self.cache = SvgCache(cache_root)
        self.cache_root = str(cache_root)
        self.workers = (os.cpu_count() or 1) if workers is None else workers
        self.pool: ProcessPoolExecutor | None = None
        self.jobs: dict[str, Future | str] = {}
        self.drawn = 0   # specs drawn by this renderer (the rest came from the cache)

    def submit(self, spec_json: str) -> str:
        """Start drawing a spec unless it is cached or already asked for; return its key."""
        key = spec_key(spec_json)
        if key in self.jobs:
            return key
        svg = self.cache.get(key)
        if svg is not None:
            self.jobs[key] = svg
            return key
        self.drawn += 1
        if self.workers <= 0:
            self.jobs[key] = render(spec_json, self.cache_root)
            return key
        if self.pool is None:
            self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=own_fonts_only, initargs=(self.cache_root,))
        self.jobs[key] = self.pool.submit(render, spec_json, self.cache_root)
        return key

    def result(self, key: str) -> str:
        job = self.jobs[key]
        if isinstance(job, Future):
            job = self.jobs[key] = job.result()
        return job

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


_SVG_OPEN = re.compile(r'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
                       r'version="1.1" class="marks" (width="[\d.]+" height="[\d.]+" viewBox="[^"]*")>')
#: Roles and ARIA attributes vega gives groups and marks: none is read inside an SVG with role="img"
#: (the marks' own labels are turned into tooltips first).
_INNER_ARIA = re.compile(r'\s(?:role|aria-roledescription|aria-hidden|aria-label)="[^"]*"')
#: A mark with a description (the points): its text becomes a <title> child, the browser's tooltip.
_DESCRIBED = re.compile(r'<(path|line|rect|circle|text)([^>]*?)\saria-label="([^"]*)"([^>]*?)/>')


def finish(svg: str, prefix: str, title: str) -> str:
    """A normalised SVG as one page shows it: ids unique on the page, an accessible name, tooltips.

    `prefix`: unique on the page (the chart's figure id); `title`: the chart's title, plain text.
    """
    svg = svg.replace('id="c', f'id="{prefix}-c').replace("url(#c", f"url(#{prefix}-c")
    svg = _DESCRIBED.sub(lambda m: f"<{m.group(1)}{m.group(2)}{m.group(4)}><title>{m.group(3)}</title>"
                                   f"</{m.group(1)}>", svg)
    svg = _INNER_ARIA.sub("", svg)
    name = escape(title, quote=True)
    svg, n = _SVG_OPEN.subn(
        lambda m: f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" class="wres-svg" '
                  f'{m.group(1)} style="max-width:100%;height:auto" role="img" aria-labelledby="{prefix}-title">'
                  f'<title id="{prefix}-title">{name}</title>', svg, count=1)
    if n != 1:
        raise ValueError("vl-convert's SVG does not start as expected: update chart_svg.finish")
    return svg
