"""The two kinds of chart as Altair builds them: a variant's Vega-Lite template, with placeholders.

`charts._template_json` builds each variant once (and keeps it on disk); every chart of the variant is a copy
with its own values in. Kept apart from charts.py because only a new variant needs Altair (importing it
takes about a second); the look of every chart (palette, shapes, fonts, sizes, the reference marks) is here.
"""

from __future__ import annotations

import textwrap

#: Okabe-Ito palette: distinguishable with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "circle")
REFERENCE_FILL = "#009E73"
GREY = "#595959"
#: The system's own sans-serif: no web font, nothing fetched; vl-convert lays text out with the first it has.
FONT_STACK = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"
#: Plot widths in px. A chart is an SVG of fixed size that shrinks to fit a narrower screen (never grows),
#: so these keep a chart with its axes, at most about 440 px wide, readable on a 390 px phone.
TREND_WIDTH = 340
DOTS_WIDTH = 300          # beside the labels (at most LABEL_LIMIT px)
MANY_DOTS_WIDTH = 400     # no labels: one dot per organisation
LABEL_LIMIT = 150
DOTS_PADDING = {"left": 40, "top": 5, "right": 5, "bottom": 5}

BETTER = {
    "likelihood": "Shaded: the non-adverse range 0.80 to 1.25. Closer to 1 is better; above 1 is worse for BME staff.",
    "gap": "Closer to 0 (the line) is better.",
    "gap_up": "Closer to 0 (the line) is better; below 0 is worse for BME staff.",
    "share": "",
    "percent_down": "Lower is better.",
    "percent_up": "Higher is better.",
}


def _reference_layers(alt, measure_kind: str, axis: str):  # noqa: ANN001
    """The 'what is fair' marks: non-adverse band for likelihoods, a zero line for gaps."""
    layers = []
    data = alt.InlineData(values=[{}])
    if measure_kind == "likelihood":
        enc = {axis: alt.datum(0.8), f"{axis}2": alt.datum(1.25)}
        layers.append(alt.Chart(data).mark_rect(color=REFERENCE_FILL, opacity=0.12).encode(**enc))
        layers.append(alt.Chart(data).mark_rule(color=GREY, strokeDash=[4, 3]).encode(**{axis: alt.datum(1)}))
    elif measure_kind == "gap":
        layers.append(alt.Chart(data).mark_rule(color=GREY, strokeDash=[4, 3]).encode(**{axis: alt.datum(0)}))
    return layers


def _title(alt, better: str):  # noqa: ANN001, ANN202
    """The figure caption on the page names the chart; inside, the chart says which way is better."""
    note = BETTER.get(better, "")
    if not note:
        return alt.Undefined
    # Lines, not one long line: a static SVG cannot wrap, and a wide title would widen (so shrink) the chart.
    return alt.Title(textwrap.wrap(note, 52), anchor="start", fontSize=12, fontWeight="normal", color="#333333")


def trend_template(measure_kind: str, y_title: str, n_series: int, better: str, has_ci: bool) -> dict:
    import altair as alt

    domain = [f"__S{i}__" for i in range(n_series)]
    colour = alt.Color("series:N", title=None, sort=domain,
                       scale=alt.Scale(domain=domain, range=list(PALETTE[:n_series])),
                       legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=TREND_WIDTH))
    shape = alt.Shape("series:N", title=None, sort=domain,
                      scale=alt.Scale(domain=domain, range=list(SHAPES[:n_series])),
                      legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=TREND_WIDTH))
    data = alt.NamedData("data")
    x = alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0))
    # The axis spans the figures (and the fair range), not every interval: one small organisation's interval
    # from 0.3 to 12 would flatten everything else. Intervals reaching beyond are cut at the edge (clip).
    y_scale = alt.Scale(domain=["__LO__", "__HI__"], nice=True, zero=False)
    y = alt.Y("value:Q", title=y_title, scale=y_scale)
    tooltip = [alt.Tooltip("series:N", title="Series"), alt.Tooltip("year:O", title="Year"),
               alt.Tooltip("shown:N", title="Figure")]
    interval = alt.Chart(data).mark_rule(strokeWidth=1.5, opacity=0.7, clip=True).encode(
        x=x, y=alt.Y("lower:Q"), y2="upper:Q", color=colour)
    # A missing year (e.g. the survey not collected in 2020) breaks the line instead of bridging it.
    line = alt.Chart(data).mark_line(strokeWidth=2, invalid="break-paths-show-domains").encode(x=x, y=y, color=colour)
    points = alt.Chart(data).mark_point(filled=True, size=70, opacity=1, aria=True).encode(
        x=x, y=y, color=colour, shape=shape, tooltip=tooltip, description="tip:N",
    ).transform_calculate(tip="datum.series + ', ' + datum.year + ': ' + datum.shown")
    layers = _reference_layers(alt, measure_kind, "y") + ([interval] if has_ci else []) + [line, points]
    return _finish(alt, layers, TREND_WIDTH, 240, better, legend=True).to_dict(validate=False)


def _finish(alt, layers: list, width: int, height: int, better: str, legend: bool):  # noqa: ANN001, ANN202
    """Layer a chart and give it the site's common look: one place for every chart's configuration.

    ARIA is off for everything but the points (`aria=True` on their mark): the SVG as a whole is one image
    named by its title, and each point's description becomes its tooltip (`chart_svg.finish`).
    """
    props = {"width": width, "height": height}
    if BETTER.get(better):
        props["title"] = _title(alt, better)
    chart = alt.layer(*layers).properties(**props).configure(aria=False, font=FONT_STACK) \
        .configure_mark(aria=False) \
        .configure_axis(labelFontSize=12, titleFontSize=12, labelColor="#333333", titleColor="#333333")
    if legend:
        chart = chart.configure_legend(labelFontSize=12)
    return chart.configure_view(stroke=None)


def dots_template(measure_kind: str, x_title: str, many: bool, better: str, label_title: str,
                   has_ci: bool) -> dict:
    import altair as alt

    data = alt.NamedData("data")
    sort = alt.EncodingSortField(field="value", order="descending")
    y = alt.Y("label:N", title=None, sort=sort,
              axis=alt.Axis(labels=not many, ticks=not many, labelLimit=LABEL_LIMIT, domain=False))
    x = alt.X("value:Q", title=x_title, scale=alt.Scale(domain=["__LO__", "__HI__"], nice=True, zero=False))
    tooltip = [alt.Tooltip("label:N", title=label_title), alt.Tooltip("shown:N", title="Figure")]
    interval = alt.Chart(data).mark_rule(color=PALETTE[0], opacity=0.6, clip=True).encode(
        y=y, x=alt.X("lower:Q"), x2="upper:Q")
    points = alt.Chart(data).mark_point(filled=True, size=30 if many else 60, color=PALETTE[0], opacity=1,
                                        aria=True).encode(
        y=y, x=x, tooltip=tooltip, description="tip:N",
    ).transform_calculate(tip="datum.label + ': ' + datum.shown")
    layers = _reference_layers(alt, measure_kind, "x") + ([interval] if has_ci else []) + [points]
    chart = _finish(alt, layers, MANY_DOTS_WIDTH if many else DOTS_WIDTH, 300, better, legend=False)
    # Room left of the labels: vl-convert places them with its own font's widths, and a reader's wider
    # font (DejaVu Sans on Debian's Chromium) would push their first letters off the left edge.
    return chart.properties(padding=DOTS_PADDING).to_dict(validate=False)
