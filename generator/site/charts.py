"""Charts: Vega-Lite specs built with Altair, written beside their page.

Every chart on the site is one of two kinds:

- `trend`: a figure by year, one line per series (an organisation and England,
  or BME and White staff), with 95% intervals as error bars;
- `dots`: one figure per organisation or region, sorted, with intervals
  (a "caterpillar" plot when there are many).

Both show which way is better: likelihoods get the shaded non-adverse range
0.80 to 1.25 and a line at 1, gaps a line at 0, and the subtitle says in words
what better looks like. Colours are Okabe-Ito (safe for colour-blind readers)
and series also differ by point shape.

Building a chart with Altair and validating it costs milliseconds; a site has
thousands. So each *variant* (kind, measure kind, axis title, number of
series) is built once with Altair, with placeholders, and every chart of that
variant is a copy with its data, title and series names filled in
(`tests/test_charts.py` validates one of each kind against the Vega-Lite
schema). Data go into the spec as a named dataset, so a published spec stands
alone: it is exactly what was drawn, and anyone can draw it again.

`write_chart` returns the HTML to put on the page: a figure with title, a
one-sentence summary, the chart as an SVG drawn at build time (`chart_svg`),
a data table a screen reader can use, and links to the chart's files. The
chart's spec, CSV rows and SVG wait in its page's `ChartFiles` (the SVG being
drawn meanwhile, see `drawn_ahead`) until `pages.write.write_page` puts the
SVGs into the page (`fill`) and writes, beside each page that has charts (`write`):

- `<page>/charts.json`: `{"<chart id>": <Vega-Lite spec>, ...}`, compact, in
  the page's order (the SVG is that spec drawn by vl-convert);
- `<page>/charts.csv`: every chart's data, one row per point, columns
  `chart,title,year,series,label,code,value,ci_lower,ci_upper` (empty where a
  column does not apply to the chart's kind);
- `<page>/chart-<chart id>.svg`: each chart as its own file, the same bytes
  as the SVG in the page (a PNG is made from it in the browser, on demand).

Two data files a page rather than two a chart: a national site has about 3,000
charts, and creating a file is most of what writing one costs.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TypeVar

from ..model.cache_root import cache_root, keep
from ..publish import files
from . import chart_svg, chart_templates
from .chart_templates import DOTS_ROW, MANY_DOTS_ROW, dots_template, trend_template
from .text import attr, esc, fmt_interval, fmt_value, is_missing, raw_block

T = TypeVar("T")


@dataclass
class Chart:
    """One chart: `rows` are dicts with the fields the kind needs (see the builders)."""

    id: str
    kind: str                 # "trend" | "dots"
    title: str                # plain text from our own words and data (escaped on output)
    summary: str              # one sentence, safe HTML
    measure_kind: str         # likelihood | gap | share | percent
    y_title: str              # axis title for the value
    rows: list[dict]
    series: list[str] = field(default_factory=list)
    better: str = ""          # key of BETTER
    label_title: str = "Organisation"   # dots: what a row is

    def numbers(self) -> list[tuple]:
        """(value, lower, upper) of each row as the spec and the CSV carry them: rounded, None when missing.

        `write_chart` works them out once for both (they were some 100,000 calls each a national build).
        """
        return [(_num(r.get("value")), _num(r.get("lower")), _num(r.get("upper"))) for r in self.rows]

    def data(self, numbers: list[tuple] | None = None) -> list[dict]:
        """The rows as the spec carries them (dots without a figure are left out: there is nothing to draw).

        `numbers`: what `numbers()` gives, when the caller has it already.
        """
        numbers = self.numbers() if numbers is None else numbers
        k = self.measure_kind
        if self.kind == "trend":
            return [
                {"year": int(r["year"]), "series": r["series"], "value": value, "lower": lower, "upper": upper,
                 "shown": fmt_value(r.get("value"), k)}
                for r, (value, lower, upper) in zip(self.rows, numbers)
            ]
        return [
            {"label": r["label"], "value": value, "lower": lower, "upper": upper, "shown": fmt_value(r.get("value"), k),
             "group": r.get("group", "")}
            for r, (value, lower, upper) in zip(self.rows, numbers) if value is not None
        ]

    def spec_json(self, data: list[dict] | None = None) -> str:
        """The Vega-Lite spec as compact JSON: the variant's serialised template with this chart's values in.

        Equal, byte for byte, to dumping the filled-in template: every placeholder is a whole JSON string and
        each is replaced by the JSON of its value in one pass, so nothing from the data is read as a
        placeholder.
        """
        data = self.data() if data is None else data
        has_ci = any(not is_missing(r.get("lower")) and not is_missing(r.get("upper")) for r in self.rows)
        if self.kind == "trend":
            template = _template_json("trend", (self.measure_kind, self.y_title, len(self.series), self.better,
                                                 has_ci))
        else:
            template = _template_json("dots", (self.measure_kind, self.y_title, len(self.rows) > 40, self.better,
                                                self.label_title, has_ci))
        lo, hi = _domain([r["value"] for r in data], self.measure_kind)
        fill = {"__TITLE__": self.title, "__LO__": lo, "__HI__": hi, "__DATA__": data, "__DESCRIPTION__": self.title,
                "__HEIGHT__": max(120, min(3000, (MANY_DOTS_ROW if len(data) > 40 else DOTS_ROW) * len(data)))}
        if self.kind == "trend":
            for i, name in enumerate(self.series):
                fill[f"__S{i}__"] = name
        values = {f'"{k}"': _dumps(v) for k, v in fill.items()}
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(0), m.group(0)), template)

    def spec(self) -> dict:
        return json.loads(self.spec_json())


#: A placeholder as it appears in a serialised template: a whole JSON string such as "__LO__" or "__S0__".
_PLACEHOLDER = re.compile(r'"__[A-Z0-9]+__"')


#: What json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False) builds on every call.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _dumps(value: object) -> str:
    """Compact JSON, as every spec file is written (no NaN: a missing figure is null)."""
    return _ENCODER.encode(value)


@cache
def _template_json(kind: str, key: tuple) -> str:
    """A variant's template with placeholders for everything that differs per chart, serialised once.

    Key order is that of the spec written before templates were serialised: Altair's keys, then `datasets`
    (Altair's own datasets plus `data`), then `description`. Building the templates with Altair (and
    importing it) took about a second of every build, so they are also kept on disk (see `_TemplateStore`).
    """
    name = json.dumps([kind, *key])
    text = _STORE.get(name)
    if text is None:
        spec = dict(trend_template(*key) if kind == "trend" else dots_template(*key))
        if kind == "dots":
            spec["height"] = "__HEIGHT__"
        spec["datasets"] = dict(spec.get("datasets") or {}, data="__DATA__")
        spec["description"] = "__DESCRIPTION__"
        text = _dumps(spec)
        _STORE.put(name, text)
    return text


class _TemplateStore:
    """Serialised templates cached on disk, like the charts' SVGs (`WRES_CACHE_DIR`, else ~/.cache/open-wres).

    The file's name carries a hash of this module's and chart_templates.py's source and the Altair
    version, the only inputs a template has, so a changed builder or a new Altair never reads an old
    template. A missing or unreadable file just means the templates are built again; the file is replaced
    atomically, so a concurrent build never reads half of one.
    """

    def __init__(self) -> None:
        self.path: Path | None = None
        self.templates: dict[str, str] | None = None

    def _load(self) -> dict[str, str]:
        if self.templates is None:
            from importlib.metadata import PackageNotFoundError, version

            try:
                altair_version = version("altair")
            except PackageNotFoundError:
                altair_version = "unknown"
            source = Path(__file__).read_bytes() + Path(chart_templates.__file__).read_bytes()
            digest = hashlib.sha256(source + altair_version.encode()).hexdigest()[:16]
            self.path = user_cache_dir() / f"chart-templates-{digest}.json"
            try:
                loaded = json.loads(self.path.read_text(encoding="utf-8"))
                self.templates = {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}
            except (OSError, ValueError):
                self.templates = {}
        return self.templates

    def get(self, name: str) -> str | None:
        return self._load().get(name)

    def put(self, name: str, text: str) -> None:
        templates = self._load()
        templates[name] = text
        keep(self.path, json.dumps(templates, ensure_ascii=False, sort_keys=True))


def user_cache_dir() -> Path:
    """Where the chart templates and SVGs are kept between builds (the one cache root)."""
    return cache_root()


_STORE = _TemplateStore()


def _domain(values: list, measure_kind: str) -> tuple[float, float]:
    """The value axis: every figure, the reference (the fair range, 0 for gaps, 0 for shares), a little margin."""
    vals = [float(v) for v in values if v is not None]
    ref = {"likelihood": [0.8, 1.25], "gap": [0.0], "share": [0.0], "percent": [0.0]}.get(measure_kind, [])
    pool = vals + ref
    if not pool:
        return 0.0, 1.0
    lo, hi = min(pool), max(pool)
    pad = (hi - lo) * 0.08 or 1.0
    lo = lo - pad if not (measure_kind in ("share", "percent") and lo >= 0) else 0.0
    if measure_kind == "likelihood":
        lo = max(0.0, lo)
    if measure_kind in ("share", "percent"):
        hi = min(100.0, hi + pad)
    else:
        hi = hi + pad
    return round(lo, 3), round(hi, 3)


def _num(value: object) -> float | None:
    if is_missing(value):
        return None
    return round(float(value), 4)



# ---------------------------------------------------------------- writing

#: The columns of a page's charts.csv: a trend's point has a year and a series, a dot a label and a code.
CSV_COLUMNS = ("chart", "title", "year", "series", "label", "code", "value", "ci_lower", "ci_upper")
_CSV_HEADER = ",".join(CSV_COLUMNS) + "\n"


def _csv_rows(chart: Chart, numbers: list[tuple] | None = None) -> str:
    """The chart's rows of its page's charts.csv (no header), every row of the chart, drawn or not.

    `numbers`: what `chart.numbers()` gives, when the caller has it already. The CSV has the same rounded
    numbers as the spec.
    """
    numbers = chart.numbers() if numbers is None else numbers
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    name, title = _csv_safe(chart.id), _csv_safe(chart.title)
    if chart.kind == "trend":
        for r, (value, lower, upper) in zip(chart.rows, numbers):
            w.writerow([name, title, int(r["year"]), _csv_safe(r["series"]), "", "", _shown(value), _shown(lower),
                        _shown(upper)])
    else:
        for r, (value, lower, upper) in zip(chart.rows, numbers):
            w.writerow([name, title, "", "", _csv_safe(r["label"]), _csv_safe(r.get("code", "")),
                        _shown(value), _shown(lower), _shown(upper)])
    return buf.getvalue()


def _shown(number: float | None) -> str:
    """A number of `Chart.numbers` as charts.csv has it: its repr, or empty when the figure is missing."""
    return "" if number is None else repr(number)


def _csv_safe(value: object) -> str:
    """No spreadsheet formula injection from a name: a leading = + - @ gets a quote mark."""
    text = "" if is_missing(value) else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def table_html(chart: Chart) -> str:
    """The chart's data as a real table: caption, column headers with scope, row headers."""
    k = chart.measure_kind
    out = [f'<table class="wres-table"><caption>{esc(chart.title)}</caption><thead><tr>']
    if chart.kind == "trend":
        out.append('<th scope="col">Year</th>')
        for s in chart.series:
            out.append(f'<th scope="col">{esc(s)}</th>')
        out.append("</tr></thead><tbody>")
        years = sorted({int(r["year"]) for r in chart.rows})
        by = {(int(r["year"]), r["series"]): r for r in chart.rows}
        for y in years:
            out.append(f'<tr><th scope="row">{y}</th>')
            for s in chart.series:
                r = by.get((y, s))
                if r is None:
                    out.append("<td>–</td>")
                    continue
                iv = fmt_interval(r.get("lower"), r.get("upper"), k)
                out.append(f"<td>{fmt_value(r.get('value'), k)}"
                           + (f' <span class="wres-ci">({iv})</span>' if iv else "") + "</td>")
            out.append("</tr>")
    else:
        out.append(f'<th scope="col">{esc(chart.label_title)}</th><th scope="col">Figure</th>'
                   f'<th scope="col">95% interval</th></tr></thead><tbody>')
        for r in sorted(chart.rows, key=lambda r: (is_missing(r.get("value")),
                                                   -(float(r["value"]) if not is_missing(r.get("value")) else 0),
                                                   str(r["label"]))):
            iv = fmt_interval(r.get("lower"), r.get("upper"), k)
            none = "" if is_missing(r.get("value")) else "no interval"
            out.append(f'<tr><th scope="row">{esc(r["label"])}</th><td>{fmt_value(r.get("value"), k)}</td>'
                       f'<td>{iv or none}</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


#: The files beside a page that hold its charts (relative links from the page).
SPECS_FILE = "charts.json"
DATA_FILE = "charts.csv"
#: Where a chart's SVG goes in its page until `ChartFiles.write` has drawn it (n: the chart's number in the run).
_SVG_MARK = re.compile(r"<!--wres:svg:(\d+)-->")


def svg_file(chart_id: str) -> str:
    """The name of a chart's SVG beside its page: the chart as a file to download or embed."""
    return f"chart-{chart_id}.svg"


class ChartFiles:
    """The charts drawn on a page (or a run), until `write` puts their files beside the page.

    `pages`: {page folder: {chart id: (spec JSON, charts.csv rows)}}, in the order `write_chart` was called,
    which is the order of the page; `drawn`: each chart with figures, whose SVG goes where its page holds
    `<!--wres:svg:n-->`. `start` hands the SVGs to a `chart_svg.Renderer` (several pages ahead of the one
    being written, see `drawn_ahead`), `fill` puts them into the page's text and `write` writes the files.
    """

    def __init__(self) -> None:
        self.pages: dict[Path, dict[str, tuple[str, str]]] = {}
        self.drawn: list[tuple[Path, str, str, str]] = []   # (page folder, chart id, title, spec JSON), by n
        self.renderer: chart_svg.Renderer | None = None
        self.keys: list[str] = []
        self.svgs: list[str] | None = None

    def add(self, page_dir: Path, chart_id: str, entry: tuple[str, str]) -> None:
        page = self.pages.setdefault(Path(os.path.abspath(page_dir)), {})
        if page.get(chart_id, entry) != entry:
            raise ValueError(f"two different charts with the id {chart_id!r} on the page in {page_dir}")
        page[chart_id] = entry

    def draw(self, page_dir: Path, chart_id: str, title: str, spec_json: str) -> str:
        """Ask for the chart's SVG; return the mark its page holds where the SVG goes."""
        self.drawn.append((Path(os.path.abspath(page_dir)), chart_id, title, spec_json))
        return f"<!--wres:svg:{len(self.drawn) - 1}-->"

    def start(self, renderer: chart_svg.Renderer | None = None) -> None:
        """Start drawing every SVG asked for (at once if cached); without a renderer, one of this process."""
        if self.renderer is None and self.drawn:
            self.renderer = renderer or chart_svg.Renderer(user_cache_dir(), workers=0)
            self.keys = [self.renderer.submit(spec) for _, _, _, spec in self.drawn]

    def _svgs(self) -> list[str]:
        if self.svgs is None:
            self.start()
            self.svgs = [chart_svg.finish(self.renderer.result(key), f"fig-{chart_id}", title)
                         for (_, chart_id, title, _), key in zip(self.drawn, self.keys)]
        return self.svgs

    def fill(self, text: str) -> str:
        """The page's text with each chart's SVG where its mark is (waits for the SVGs)."""
        if "<!--wres:svg:" not in text:
            return text
        svgs = self._svgs()
        return _SVG_MARK.sub(lambda m: svgs[int(m.group(1))], text)

    def write(self) -> list[Path]:
        """Write, beside every page that drew charts, its charts.json, charts.csv and one SVG per chart
        (waits for the SVGs); return their paths.

        charts.json is built by joining the specs already serialised by `Chart.spec_json` (never parsed
        again), so it is as deterministic as they are. Everything is written once: nothing is left to
        write afterwards.
        """
        written = []
        svgs = self._svgs()
        pages, drawn = self.pages, self.drawn
        self.pages, self.drawn, self.keys, self.svgs, self.renderer = {}, [], [], None, None
        for page_dir, charts in pages.items():
            specs = page_dir / SPECS_FILE
            files.write_text(specs, "{" + ",".join(f"{_dumps(i)}:{spec}" for i, (spec, _) in charts.items()) + "}")
            data = page_dir / DATA_FILE
            files.write_text(data, _CSV_HEADER + "".join(rows for _, rows in charts.values()))
            written += [specs, data]
        for (page_dir, chart_id, _, _), svg in zip(drawn, svgs):
            path = page_dir / svg_file(chart_id)
            files.write_text(path, svg)
            written.append(path)
        return written


def drawn_ahead(pages: Iterable[T], renderer: chart_svg.Renderer, ahead: int = 16) -> Iterator[T]:
    """The pages (anything with `.charts`) in order, each one's SVGs started `ahead` pages before it is
    yielded: the workers draw the next pages' charts while this process writes the current one."""
    window: deque = deque()
    for page in pages:
        page.charts.start(renderer)
        window.append(page)
        if len(window) > ahead:
            yield window.popleft()
    yield from window


def write_chart(chart: Chart, page_dir: Path, pending: ChartFiles) -> str:
    """Record the chart in `pending` (its spec, its CSV rows, its SVG to draw); return the figure HTML.

    The figure holds the chart as an inline SVG (put in by `pending.fill`), so it is seen as soon as the
    page arrives, without JavaScript; under it, the data table and the chart's files.
    """
    if not chart.id.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"unsafe chart id {chart.id!r}")
    numbers = chart.numbers()
    data = chart.data(numbers)
    spec = chart.spec_json(data)
    pending.add(page_dir, chart.id, (spec, _csv_rows(chart, numbers)))
    has_data = any(value is not None for value, _, _ in numbers)
    # The spec's value axis: its data hold every figure of the rows, rounded as in the spec.
    lo, hi = _domain([r["value"] for r in data], chart.measure_kind)
    clipped = any((not is_missing(r.get("lower")) and float(r["lower"]) < lo)
                  or (not is_missing(r.get("upper")) and float(r["upper"]) > hi) for r in chart.rows)
    summary = chart.summary + (" Intervals reaching beyond the chart are cut at its edge; the data table gives them "
                               "in full." if clipped and has_data else "")
    fig_id = f"fig-{chart.id}"
    svg_name = svg_file(chart.id)
    if has_data:
        body = (f'<div class="wres-chart" id="{fig_id}-plot" data-charts="{SPECS_FILE}" data-chart="{attr(chart.id)}">'
                f"{pending.draw(page_dir, chart.id, chart.title, spec)}</div>")
        image_links = (f'<a href="{svg_name}" download>Chart (SVG)</a> · '
                       f'<span class="wres-png" hidden><a href="{svg_name}" data-png="chart-{attr(chart.id)}.png">'
                       f"Chart (PNG)</a> · </span>")
    else:
        body, image_links = '<p class="wres-nochart">No figures to draw.</p>', ""
    return raw_block(
        f'<figure class="wres-figure" id="{fig_id}" data-search-exclude>'
        f'<figcaption><strong>{esc(chart.title)}</strong><br>{summary}</figcaption>'
        f"{body}"
        f'<details class="wres-data"><summary>Data table</summary>{table_html(chart)}</details>'
        f'<p class="wres-chart-links">Download: {image_links}'
        f'<a href="{DATA_FILE}">Chart data (CSV)</a> · '
        f'<a href="{SPECS_FILE}">Chart spec (Vega-Lite JSON)</a> '
        f'<span class="wres-hint">(the data and spec files have every chart on this page)</span></p>'
        f"</figure>"
    )


