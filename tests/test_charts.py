"""Chart specs: valid Vega-Lite for every variant, compact, deterministic, accessible beside the chart.

Each page's charts are written, by the run's `ChartFiles.write`, to one charts.json and one charts.csv beside it,
and one SVG per chart (tests/test_chart_svg.py tests the SVGs themselves).
"""

from __future__ import annotations

import csv
import io
import json

import altair as alt
import pytest

from generator.site.charts import Chart, ChartFiles, write_chart

TREND_ROWS = [
    {"year": 2023, "series": "Trust <b>A</b>", "value": 1.31, "lower": 1.1, "upper": 1.6},
    {"year": 2024, "series": "Trust <b>A</b>", "value": 1.2, "lower": 1.0, "upper": 1.45},
    {"year": 2023, "series": "England", "value": 1.25, "lower": None, "upper": None},
    {"year": 2024, "series": "England", "value": 1.22, "lower": None, "upper": None},
]
DOT_ROWS = [{"label": f"Org {i}", "code": f"X{i:03d}", "value": 1 + i / 10, "lower": 0.8 + i / 10,
             "upper": 1.3 + i / 10} for i in range(5)]


def variants():
    out = []
    for kind in ("likelihood", "gap", "share", "percent"):
        better = {"likelihood": "likelihood", "gap": "gap", "percent": "percent_down"}.get(kind, "")
        out.append(Chart(f"t-{kind}", "trend", "A trend", "Summary.", kind, "Y", TREND_ROWS,
                         ["Trust <b>A</b>", "England"], better))
        out.append(Chart(f"t1-{kind}", "trend", "No intervals", "Summary.", kind, "Y",
                         [dict(r, lower=None, upper=None) for r in TREND_ROWS], ["Trust <b>A</b>", "England"], better))
        out.append(Chart(f"d-{kind}", "dots", "Dots", "Summary.", kind, "X", DOT_ROWS, better=better))
        out.append(Chart(f"dm-{kind}", "dots", "Many dots", "Summary.", kind, "X",
                         [dict(DOT_ROWS[0], label=f"Org {i}", value=i / 7) for i in range(60)], better=better))
    return out


@pytest.mark.parametrize("chart", variants(), ids=lambda c: c.id)
def test_every_variant_is_valid_vega_lite(chart):
    spec = chart.spec()
    alt.Chart.from_dict(spec, validate=True)  # raises on any schema error
    assert spec["datasets"]["data"], "data travel inside the spec (no CSV parsing in the browser)"
    assert spec["description"] == chart.title


@pytest.fixture
def pending(tmp_path, monkeypatch):
    """Charts drawn in this process (no pool, as `ChartFiles` does without a renderer), cached in the test's folder."""
    monkeypatch.setenv("WRES_CACHE_DIR", str(tmp_path / "cache"))
    return ChartFiles()


def _rows(path):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_specs_are_compact_and_deterministic(tmp_path, pending):
    chart = variants()[0]
    html = write_chart(chart, tmp_path, pending)
    assert pending.write() == [tmp_path / "charts.json", tmp_path / "charts.csv", tmp_path / "chart-t-likelihood.svg"]
    text = (tmp_path / "charts.json").read_text(encoding="utf-8")
    assert "\n" not in text and not text.startswith("{ ") and "\": " not in text
    assert text == '{"t-likelihood":' + chart.spec_json() + "}"
    spec = json.loads(text)["t-likelihood"]
    alt.Chart.from_dict(spec, validate=True)  # the spec in charts.json is valid Vega-Lite
    assert spec == chart.spec()
    write_chart(chart, tmp_path / "again", pending)
    pending.write()
    assert (tmp_path / "again" / "charts.json").read_text(encoding="utf-8") == text
    assert not (tmp_path / "charts").exists()  # no folder of files per chart
    assert 'data-charts="charts.json" data-chart="t-likelihood"' in html


def test_likelihood_charts_show_the_non_adverse_range():
    spec = json.dumps(variants()[0].spec())
    assert '"datum":0.8' in spec.replace(" ", "") and '"datum":1.25' in spec.replace(" ", "")
    gap = json.dumps([c for c in variants() if c.id == "t-gap"][0].spec()).replace(" ", "")
    assert '"datum":0' in gap


def test_figure_has_summary_table_and_links(tmp_path, pending):
    html = write_chart(variants()[0], tmp_path, pending)
    assert "<figure" in html and "<figcaption>" in html and "Summary." in html
    assert "<caption>" in html and '<th scope="col">' in html and '<th scope="row">' in html
    assert "Trust &#60;b&#62;A&#60;&#47;b&#62;" in html or "Trust &#60;b&#62;A" in html  # names escaped
    assert "<b>" not in html
    assert 'id="fig-t-likelihood"' in html and 'id="fig-t-likelihood-plot"' in html
    assert '<a href="charts.csv">Chart data (CSV)</a>' in html
    assert '<a href="charts.json">Chart spec (Vega-Lite JSON)</a>' in html
    assert '<a href="chart-t-likelihood.svg" download>Chart (SVG)</a>' in html
    # the PNG is made in the browser: its link is hidden until the script offers it
    assert '<span class="wres-png" hidden><a href="chart-t-likelihood.svg" data-png="chart-t-likelihood.png">' in html
    assert "every chart on this page" in html  # the reader knows the files hold the whole page
    assert "vl.json" not in html and "charts/" not in html
    assert "1.20" in html and "1.00 to 1.45" in html


def test_one_spec_file_and_one_csv_per_page_in_page_order(tmp_path, pending):
    trend, dots = variants()[0], variants()[2]
    other = tmp_path / "other"
    write_chart(trend, tmp_path, pending)
    write_chart(variants()[1], other, pending)
    write_chart(dots, tmp_path, pending)
    write_chart(trend, tmp_path, pending)  # the same chart again changes nothing
    written = pending.write()
    assert sorted(p.name for p in written if p.suffix != ".svg") == ["charts.csv", "charts.csv", "charts.json",
                                                                      "charts.json"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [
        "chart-d-likelihood.svg", "chart-t-likelihood.svg", "charts.csv", "charts.json"]
    specs = json.loads((tmp_path / "charts.json").read_text(encoding="utf-8"))
    assert list(specs) == ["t-likelihood", "d-likelihood"]
    assert specs["d-likelihood"] == dots.spec()
    assert list(json.loads((other / "charts.json").read_text(encoding="utf-8"))) == ["t1-likelihood"]

    text = (tmp_path / "charts.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "chart,title,year,series,label,code,value,ci_lower,ci_upper"
    rows = _rows(tmp_path / "charts.csv")
    assert [r["chart"] for r in rows] == ["t-likelihood"] * len(TREND_ROWS) + ["d-likelihood"] * len(DOT_ROWS)
    first = rows[0]
    assert first == {"chart": "t-likelihood", "title": "A trend", "year": "2023", "series": "Trust <b>A</b>",
                     "label": "", "code": "", "value": "1.31", "ci_lower": "1.1", "ci_upper": "1.6"}
    assert rows[2]["ci_lower"] == "" and rows[2]["ci_upper"] == ""  # England has no interval
    dot = rows[len(TREND_ROWS)]
    assert dot == {"chart": "d-likelihood", "title": "Dots", "year": "", "series": "", "label": "Org 0",
                   "code": "X000", "value": "1.0", "ci_lower": "0.8", "ci_upper": "1.3"}
    # nothing is left to write
    assert pending.write() == []


def test_a_page_cannot_hold_two_different_charts_with_one_id(tmp_path, pending):
    write_chart(variants()[0], tmp_path, pending)
    with pytest.raises(ValueError):
        write_chart(Chart("t-likelihood", "dots", "Dots", "S.", "gap", "X", DOT_ROWS), tmp_path, pending)


def test_charts_of_one_run_are_never_written_by_another(tmp_path, pending):
    write_chart(variants()[0], tmp_path / "failed-run", pending)  # a run that failed before writing
    assert ChartFiles().write() == [] and not (tmp_path / "failed-run").exists()


def test_csv_neutralises_spreadsheet_formulas(tmp_path, pending):
    chart = Chart("f", "dots", "=cmd|' /C calc'!A0", "S", "gap", "X",
                  [{"label": '=HYPERLINK("http://x","y")', "code": "+X1", "value": 1.0}])
    trend = Chart("g", "trend", "T", "S", "share", "Y", [{"year": 2024, "series": "@SUM(A1)", "value": 5.0}],
                  ["@SUM(A1)"])
    write_chart(chart, tmp_path, pending)
    write_chart(trend, tmp_path, pending)
    pending.write()
    rows = _rows(tmp_path / "charts.csv")
    assert rows[0]["label"] == "'=HYPERLINK(\"http://x\",\"y\")" and rows[0]["code"] == "'+X1"
    assert rows[0]["title"].startswith("'=")
    assert rows[1]["series"] == "'@SUM(A1)"


def test_unsafe_chart_ids_are_refused(tmp_path, pending):
    with pytest.raises(ValueError):
        write_chart(Chart("../x", "dots", "F", "S", "gap", "X", DOT_ROWS), tmp_path, pending)
