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
#: Plot widths in px. A chart is an SVG of fixed size that shrinks to fit a narrower screen (never grows).
#: A 390 px phone leaves a figure about 330 px: a trend chart (about 390 px with its axis) shrinks a little;
#: a dot plot is drawn to fit that width whole, so its names stay at their own 12 px there (issue 17).
TREND_WIDTH = 340
DOTS_WIDTH = 300          # the plot; names sit above their dots, across the whole width
MANY_DOTS_WIDTH = 300     # no names: one dot per organisation (the table under it names them)
#: A named dot plot's row: a name (12 px text) above its dot and interval. `charts` sizes the plot by it.
DOTS_ROW = 34
MANY_DOTS_ROW = 6
#: A name longer than this (px, as vl-convert measures it) ends in an ellipsis. Less than the plot, because
#: a reader's font may be wider than vl-convert's (DejaVu Sans on Debian's Chromium) and must not be cut.
NAME_LIMIT = 250
DOTS_PADDING = {"left": 10, "top": 5, "right": 12, "bottom": 5}

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
    """One dot per organisation or region, sorted; with few rows, each row's name above its dot.

    Names above the dots, not beside them: beside, the names took half the width and the SVG shrank to fit
    a phone, so they read at about 8 px there; above, the plot keeps the whole width and fits unshrunk.
    """
    import altair as alt

    data = alt.NamedData("data")
    sort = alt.EncodingSortField(field="value", order="descending")
    y = alt.Y("label:N", title=None, sort=sort, axis=None)
    x = alt.X("value:Q", title=x_title, scale=alt.Scale(domain=["__LO__", "__HI__"], nice=True, zero=False))
    tooltip = [alt.Tooltip("label:N", title=label_title), alt.Tooltip("shown:N", title="Figure")]
    # A row's centre lies between its name (above) and its dot (below).
    below = 0 if many else 7
    interval = alt.Chart(data).mark_rule(color=PALETTE[0], opacity=0.6, clip=True, yOffset=below).encode(
        y=y, x=alt.X("lower:Q"), x2="upper:Q")
    points = alt.Chart(data).mark_point(filled=True, size=30 if many else 60, color=PALETTE[0], opacity=1,
                                        aria=True, yOffset=below).encode(
        y=y, x=x, tooltip=tooltip, description="tip:N",
    ).transform_calculate(tip="datum.label + ': ' + datum.shown")
    layers = _reference_layers(alt, measure_kind, "x") + ([interval] if has_ci else []) + [points]
    if not many:
        names = alt.Chart(data).mark_text(align="left", baseline="bottom", dy=-3, fontSize=12, color="#333333",
                                          limit=NAME_LIMIT).encode(y=y, x=alt.value(0), text="label:N")
        layers.append(names)
    chart = _finish(alt, layers, MANY_DOTS_WIDTH if many else DOTS_WIDTH, 300, better, legend=False)
    return chart.properties(padding=DOTS_PADDING).to_dict(validate=False)
