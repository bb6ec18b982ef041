"""The charts of figures by year: each indicator's headline, the survey's BME and White answers, and
representation; `group_charts` draws the set for one organisation, group or England.

Titles are short (an indicator's number and short name) so that they fit a phone's width: the year axis
says the rest, the legend names the series and the summary sentence under the title gives the figures."""

from __future__ import annotations

from ...model import spec
from ..charts import Chart, ChartFiles, write_chart
from ..text import (
    GOOD,
    HEADLINE,
    SHORT_TITLES,
    esc,
    fmt_value,
    is_missing,
    measure_kind,
)
from .labels import ENGLAND
from .site import Site


def trend_chart(site: Site, n: int, series: list[tuple[str, str, str, bool]], chart_id: str, who: str) -> Chart:
    """A chart of indicator n's headline by year; series = [(label, level, code, lineage)]."""
    measure = HEADLINE[n][0]
    rows = []
    labels = []
    for label, level, code, lineage in series:
        labels.append(label)
        for y in site.years:
            m, r = site.headline(level, code, y, n, lineage)
            if r is None:
                continue
            measure = m if level != "england" or measure == HEADLINE[n][0] else measure
            if is_missing(r.get("value")):
                continue
            rows.append({"year": y, "series": label, "value": r.get("value"), "lower": r.get("ci_lower"),
                         "upper": r.get("ci_upper")})
    k = measure_kind(n, HEADLINE[n][0])
    better = {"likelihood": "likelihood", "gap": "gap_up" if n in (7, 9) else "gap"}.get(k, "")
    y_title = {"likelihood": "Relative likelihood", "gap": "Gap (percentage points)"}.get(k, "Per cent")
    summary = _trend_summary(rows, labels, n, k)
    if n == 3:
        summary += (" Each year pools that year's and the year before's counts where both exist; a first year shows "
                    "the single-year figure.")
    if n == 9:
        summary += " The figure is for the board's voting members, as the WRES technical guidance defines it."
    if n in (1, 9):
        summary += " No interval is computed for this figure (it counts whole workforces and boards)."
    return Chart(chart_id, "trend", f"{n}. {SHORT_TITLES[n]}", summary, k, y_title, rows, labels, better)


def _trend_summary(rows: list[dict], labels: list[str], n: int, k: str) -> str:
    if not rows:
        return "No figures yet."
    first = labels[0]
    mine = sorted((r for r in rows if r["series"] == first), key=lambda r: r["year"])
    if len(mine) >= 2:
        a, b = mine[0], mine[-1]
        return (f"For {esc(first)} the figure went from {fmt_value(a['value'], k)} in {a['year']} to "
                f"{fmt_value(b['value'], k)} in {b['year']}. {GOOD[n].split(';')[0].capitalize()}.")
    if len(mine) == 1:
        return f"One year of figures for {esc(first)}: {fmt_value(mine[0]['value'], k)} in {mine[0]['year']}."
    return "No figures yet for this series."


def survey_chart(site: Site, n: int, level: str, code: str, chart_id: str, who_label: str, lineage: bool) -> Chart:
    rows = []
    for y in site.years:
        for measure, label in (("percent_bme", "BME staff"), ("percent_white", "White staff")):
            r = site.row(level, code, y, n, measure, "all", lineage)
            if r is not None and r.get("status") == "not_collected":
                rows.append({"year": y, "series": label, "value": None})  # a gap in the line, not a bridge
                continue
            if r is None or is_missing(r.get("value")):
                continue
            rows.append({"year": y, "series": label, "value": r["value"], "lower": r.get("ci_lower"),
                         "upper": r.get("ci_upper")})
    better = "percent_up" if n == 7 else "percent_down"
    bme = sorted((r for r in rows if r["series"] == "BME staff" and not is_missing(r["value"])),
                 key=lambda r: r["year"])
    if bme:
        last = bme[-1]
        wh = [r for r in rows if r["series"] == "White staff" and r["year"] == last["year"]]
        summary = (f"In {last['year']}, {fmt_value(last['value'], 'percent')} of BME staff"
                   + (f" and {fmt_value(wh[0]['value'], 'percent')} of White staff" if wh else "")
                   + f" at {who_label} said yes. {'Higher' if n == 7 else 'Lower'} is better.")
    else:
        summary = "No survey figures yet."
    gaps = sorted({r["year"] for r in rows if is_missing(r["value"])})
    if gaps:
        summary += f" Not collected in {', '.join(str(g) for g in gaps)}: the line breaks there."
    return Chart(chart_id, "trend", f"{n}. {SHORT_TITLES[n]}", summary, "percent",
                 "Per cent of staff", rows, ["BME staff", "White staff"], better)


def representation_chart(site: Site, level: str, code: str, chart_id: str, who_label: str, lineage: bool) -> Chart:
    rows = []
    for y in site.years:
        for breakdown, label in (("all", "Whole workforce"), ("senior", "Bands 8a to VSM")):
            r = site.row(level, code, y, 1, "share_bme", breakdown, lineage)
            if r is None or is_missing(r.get("value")):
                continue
            rows.append({"year": y, "series": label, "value": r["value"], "lower": r.get("ci_lower"),
                         "upper": r.get("ci_upper")})
    allr = sorted((r for r in rows if r["series"] == "Whole workforce"), key=lambda r: r["year"])
    if allr:
        last = allr[-1]
        sen = [r for r in rows if r["series"] == "Bands 8a to VSM" and r["year"] == last["year"]]
        summary = (f"In {last['year']}, {fmt_value(last['value'], 'share')} of staff at {who_label} were BME"
                   + (f", against {fmt_value(sen[0]['value'], 'share')} of senior staff (bands 8a to VSM)" if sen else "")
                   + ". Fair representation means the two lines meet.")
    else:
        summary = "No workforce figures yet."
    return Chart(chart_id, "trend", "BME share: all staff, senior staff", summary, "share",
                 "BME share (%)", rows, ["Whole workforce", "Bands 8a to VSM"], "share")


def group_charts(site: Site, level: str, code: str, label: str, page_url: str, charts: ChartFiles,
                 lineage: bool = False, compare_england: bool = True, who: str = "") -> str:
    """The trend charts of one organisation, group or England, drawn into the page's `charts`."""
    out = []
    who = who or label
    pdir = site.page_dir(page_url)
    out.append(write_chart(representation_chart(site, level, code, "representation", who, lineage), pdir, charts))
    for n in spec.INDICATORS:
        if n in spec.SURVEY_INDICATORS:
            out.append(write_chart(survey_chart(site, n, level, code, f"trend-{n}", who, lineage), pdir, charts))
            continue
        series = [(_plain_label(label), level, code, lineage)]
        if compare_england and (level, code) != ENGLAND:
            series.append(("England", "england", "ENG", False))
        out.append(write_chart(trend_chart(site, n, series, f"trend-{n}", label), pdir, charts))
    return "\n\n".join(out)


def _plain_label(label_html: str) -> str:
    """Chart series names are plain text (Vega draws them as text); undo our entity escaping."""
    import html

    return html.unescape(label_html)
