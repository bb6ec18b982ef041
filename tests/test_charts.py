"""Chart specs: valid Vega-Lite for every variant, compact, deterministic, accessible beside the chart."""

from __future__ import annotations

import json

import altair as alt
import pytest

from generator import charts
from generator.charts import Chart, write_chart

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


def test_specs_are_compact_and_deterministic(tmp_path):
    chart = variants()[0]
    html = write_chart(chart, tmp_path)
    text = (tmp_path / "charts" / "t-likelihood.vl.json").read_text(encoding="utf-8")
    assert "\n" not in text and not text.startswith("{ ") and "\": " not in text
    write_chart(chart, tmp_path / "again")
    assert (tmp_path / "again" / "charts" / "t-likelihood.vl.json").read_text(encoding="utf-8") == text
    assert 'data-spec="charts/t-likelihood.vl.json"' in html


def test_likelihood_charts_show_the_non_adverse_range():
    spec = json.dumps(variants()[0].spec())
    assert '"datum":0.8' in spec.replace(" ", "") and '"datum":1.25' in spec.replace(" ", "")
    gap = json.dumps([c for c in variants() if c.id == "t-gap"][0].spec()).replace(" ", "")
    assert '"datum":0' in gap


def test_figure_has_summary_table_and_links(tmp_path):
    html = write_chart(variants()[0], tmp_path)
    assert "<figure" in html and "<figcaption>" in html and "Summary." in html
    assert "<caption>" in html and '<th scope="col">' in html and '<th scope="row">' in html
    assert "Trust &#60;b&#62;A&#60;&#47;b&#62;" in html or "Trust &#60;b&#62;A" in html  # names escaped
    assert "<b>" not in html
    assert 'href="charts/t-likelihood.csv"' in html and 'href="charts/t-likelihood.vl.json"' in html
    assert "1.20" in html and "1.00 to 1.45" in html


def test_csv_neutralises_spreadsheet_formulas(tmp_path):
    chart = Chart("f", "dots", "F", "S", "gap", "X", [{"label": '=HYPERLINK("http://x","y")', "code": "X1",
                                                      "value": 1.0}])
    write_chart(chart, tmp_path)
    csv = (tmp_path / "charts" / "f.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in csv


def test_unsafe_chart_ids_are_refused(tmp_path):
    with pytest.raises(ValueError):
        write_chart(Chart("../x", "dots", "F", "S", "gap", "X", DOT_ROWS), tmp_path)


def test_vega_bundle_is_cached_and_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("WRES_CACHE_DIR", str(tmp_path / "cache"))
    path = charts.write_vega_bundle(tmp_path / "docs")
    text = path.read_text(encoding="utf-8")
    assert "vegaEmbed" in text and "expressionInterpreter" in text  # the CSP-safe interpreter is in the bundle
    assert "https://cdn" not in text
    assert list((tmp_path / "cache").glob("vega-bundle-*.js"))
