"""Charts as SVG drawn at build time: accessible, deterministic, cached, self-contained, in their page.

Real vl-convert, no mocks: each test draws real charts (tens of milliseconds each).
"""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest
from test_charts import variants

from generator.site import chart_svg, chart_vega
from generator.site.chart_templates import FONT_STACK
from generator.site.charts import ChartFiles, drawn_ahead, write_chart

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def renderer(tmp_path):
    return chart_svg.Renderer(tmp_path / "cache", workers=0)


def _svg(renderer, chart) -> str:
    return renderer.result(renderer.submit(chart.spec_json()))


@pytest.mark.parametrize("chart", variants()[:3], ids=lambda c: c.id)
def test_svg_is_an_image_with_its_title_as_name_and_tooltips(chart, renderer):
    svg = chart_svg.finish(_svg(renderer, chart), f"fig-{chart.id}", chart.title)
    root = ET.fromstring(svg)  # well-formed XML: the same bytes are published as a file
    assert root.get("role") == "img"
    name = root.find(f"{SVG_NS}title")
    assert root.get("aria-labelledby") == name.get("id") == f"fig-{chart.id}-title"
    assert name.text == chart.title
    assert "aria-label=" not in svg and "graphics-symbol" not in svg  # one image, not hundreds of parts
    tips = [t.text for t in root.iter(f"{SVG_NS}title")][1:]
    shown = {r["shown"] for r in chart.data()}
    assert len(tips) == len(chart.data()) and all(t.split(": ")[-1] in shown for t in tips)
    if chart.kind == "trend":
        assert "Trust <b>A</b>, 2023: 1.31" in tips  # escaped in the SVG, read back as text


def test_svg_is_self_contained_and_uses_the_system_fonts(renderer):
    svg = chart_svg.finish(_svg(renderer, variants()[0]), "fig-x", "X")
    assert "@font-face" not in svg and "<image" not in svg and "<foreignObject" not in svg
    assert set(re.findall(r'(?:href|src)="([^"]*)"', svg)) <= set()  # nothing loaded from anywhere
    assert set(re.findall(r"https?://[^\"']+", svg)) == {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    families = set(re.findall(r'font-family="([^"]*)"', svg))
    assert families == {FONT_STACK}


def test_the_same_spec_gives_the_same_bytes_whenever_it_is_drawn(tmp_path):
    """vega numbers clip paths per process; drawn second, a chart would get other ids without `normalise`."""
    chart = variants()[0]  # intervals are clipped: the SVG has a clip path
    first = chart_svg.render(chart.spec_json(), str(tmp_path / "a"))
    chart_svg.render(variants()[2].spec_json(), str(tmp_path / "a"))
    again = chart_svg.render(chart.spec_json(), str(tmp_path / "b"))
    assert 'id="c1"' in first and "url(#c1)" in first
    assert again == first


def test_two_charts_on_one_page_never_share_an_id(tmp_path, renderer):
    a, b = variants()[0], variants()[4]  # two trends with intervals: both have clip paths
    page = chart_svg.finish(_svg(renderer, a), "fig-a", "A") + chart_svg.finish(_svg(renderer, b), "fig-b", "B")
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)) > 2
    for ref in re.findall(r"url\(#([^)]+)\)", page):
        assert ref in ids


def test_svgs_are_cached_by_spec_and_vl_convert_version(tmp_path, monkeypatch):
    chart, other = variants()[0], variants()[2]
    first = chart_svg.Renderer(tmp_path / "cache", workers=0)
    svg = first.result(first.submit(chart.spec_json()))
    assert first.drawn == 1
    again = chart_svg.Renderer(tmp_path / "cache", workers=0)
    assert again.result(again.submit(chart.spec_json())) == svg and again.drawn == 0
    again.submit(other.spec_json())
    assert again.drawn == 1  # a changed spec is drawn
    monkeypatch.setattr(chart_svg, "vl_convert_version", lambda: "0.0.0-other")
    newer = chart_svg.Renderer(tmp_path / "cache", workers=0)
    newer.submit(chart.spec_json())
    assert newer.drawn == 1  # another vl-convert draws again


def test_a_pool_of_spawned_workers_draws_the_same_svgs(tmp_path):
    charts = variants()[:4]
    pool = chart_svg.Renderer(tmp_path / "pool", workers=2)
    try:
        keys = [pool.submit(c.spec_json()) for c in charts]
        assert pool.pool is not None and pool.pool._mp_context.get_start_method() == "spawn"
        drawn = [pool.result(k) for k in keys]
    finally:
        pool.close()
    here = chart_svg.Renderer(tmp_path / "here", workers=0)
    assert drawn == [here.result(here.submit(c.spec_json())) for c in charts]


def test_the_page_holds_each_chart_as_svg_and_the_file_has_the_same_bytes(tmp_path, renderer):
    pending = ChartFiles()
    html = "".join(write_chart(c, tmp_path, pending) for c in variants()[:3])
    assert "<!--wres:svg:" in html and "<svg" not in html
    pending.start(renderer)
    assert pending.fill("# No charts here\n") == "# No charts here\n"
    page = pending.fill("# Page\n" + html)
    pending.write()
    assert "<!--wres:svg:" not in page
    for chart in variants()[:3]:
        svg = (tmp_path / f"chart-{chart.id}.svg").read_text(encoding="utf-8")
        assert f'<div class="wres-chart" id="fig-{chart.id}-plot" data-charts="charts.json" ' \
               f'data-chart="{chart.id}">{svg}</div>' in page
    assert renderer.drawn == 3


def test_drawing_starts_pages_ahead_of_the_one_written(tmp_path, renderer):
    class P:
        def __init__(self, i):
            self.charts = ChartFiles()
            write_chart(variants()[i], tmp_path / str(i), self.charts)

    pages = (P(i) for i in range(4))
    ahead = drawn_ahead(pages, renderer, ahead=2)
    first = next(ahead)
    assert renderer.drawn == 3 and first.charts.renderer is renderer  # pages 0, 1 and 2 started
    assert [p.charts.keys != [] for p in [first, *ahead]] == [True] * 4
    assert renderer.drawn == 4


def test_a_chart_without_figures_has_no_svg(tmp_path, renderer):
    pending = ChartFiles()
    empty = variants()[2]
    empty = type(empty)("e", "dots", "Empty", "S.", "gap", "X", [{"label": "A", "value": None}])
    html = write_chart(empty, tmp_path, pending)
    assert "No figures to draw." in html and "<!--wres:svg:" not in html and "Chart (SVG)" not in html
    assert pending.drawn == []


def _text_width(svg: str) -> float:
    return float(re.search(r'<svg [^>]*\bwidth="([\d.]+)"', svg).group(1))


def test_text_is_measured_with_vl_converts_own_fonts_not_the_machines(tmp_path):
    """A font the machine has is not found by the drawing workers: its text is laid out like a font no
    machine has. (With the machine's fonts, each measure of a text costs several times more.)"""
    try:
        families = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("fc-list is not available: cannot tell which fonts this machine has")
    if "DejaVu Sans" not in families:
        pytest.skip("the machine has no DejaVu Sans to compare with")

    def spec(font: str) -> str:  # the chart is as wide as its axis labels
        axis = {"labelFont": font, "labelFontSize": 20, "labelLimit": 0, "title": None}
        return json.dumps({"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "width": 10,
                           "data": {"values": [{"a": "Wide words WWW, mmm"}]}, "mark": "point",
                           "encoding": {"y": {"field": "a", "type": "nominal", "axis": axis}}})

    pool = chart_svg.Renderer(tmp_path / "cache", workers=1)
    try:
        machine, nowhere = (pool.result(pool.submit(spec(font))) for font in ("DejaVu Sans", "No Such Font 17"))
    finally:
        pool.close()
    assert _text_width(machine) == _text_width(nowhere)


def _awkward(chart):
    """The chart with series and labels that JSON and expressions must escape."""
    odd = ['Trust "A" \\ <b>ü</b>\u2013', "England's 'B'"]
    rows = [dict(r, series=odd[chart.series.index(r["series"])]) if chart.kind == "trend"
            else dict(r, label=f'{r["label"]} "q" \\') for r in chart.rows]
    return type(chart)(chart.id, chart.kind, chart.title + ' "x"', chart.summary, chart.measure_kind, chart.y_title,
                       rows, odd if chart.kind == "trend" else [], chart.better)


@pytest.mark.parametrize("chart", variants() + [_awkward(c) for c in variants()[:3]], ids=lambda c: c.id)
def test_each_chart_compiles_through_its_variants_skeleton_to_its_own_vega(chart):
    """The same Vega, key for key in the same order, as compiling the chart itself."""
    import vl_convert

    spec = chart.spec_json()
    ours, theirs = json.loads(chart_vega.to_vega(spec)), vl_convert.vegalite_to_vega(spec)
    assert ours == theirs and _key_order(ours) == _key_order(theirs)  # 1.0 in our data is 1 in theirs


def _key_order(node):
    if isinstance(node, dict):
        return [(k, _key_order(v)) for k, v in node.items()]
    return [_key_order(v) for v in node] if isinstance(node, list) else None


def test_charts_of_one_variant_share_one_skeleton():
    a, b = variants()[0], _awkward(variants()[0])
    assert chart_vega.skeleton(json.loads(a.spec_json()))[0] == chart_vega.skeleton(json.loads(b.spec_json()))[0]
    assert chart_vega.to_vega(a.spec_json()) != chart_vega.to_vega(b.spec_json())


def test_drawing_through_the_skeleton_gives_the_bytes_vega_lite_gives(tmp_path):
    import vl_convert

    chart_svg.own_fonts_only(str(tmp_path))
    for chart in variants()[:4] + [_awkward(variants()[2])]:
        spec = chart.spec_json()
        assert chart_svg.render(spec, str(tmp_path)) == chart_svg.normalise(vl_convert.vegalite_to_svg(spec))
