"""/indicators/ and /indicators/<n>/: each indicator defined, every organisation's latest figure."""

from __future__ import annotations

from collections.abc import Iterator

from ...model import spec
from ..charts import Chart, ChartFiles, write_chart
from ..text import (
    GOOD,
    HEADLINE,
    SHORT_TITLES,
    TREND_LABELS,
    WHAT,
    esc,
    fmt_value,
    is_missing,
    measure_kind,
    org_type_label,
    plural,
    rel,
    sentence,
)
from .cite import indicator_cite_section
from .figures import class_tag, figure_cell, figure_html, judge
from .html import compose, front_matter, heading, intro, p, table
from .labels import ENGLAND
from .latest import Latest, latest_org_rows, outside_range
from .page import Page
from .sections import band_table, provenance
from .site import Site
from .trend_charts import survey_chart, trend_chart


def indicator_pages(site: Site) -> Iterator[Page]:
    """Each indicator's page, then the index of the nine."""
    y = site.latest_year
    index_rows = []
    for n in spec.INDICATORS:
        url = f"indicators/{n}/"
        em, er = site.headline(*ENGLAND, y, n)
        index_rows.append([(f'<a href="{n}/">{n}. {esc(spec.INDICATOR_TITLES[n])}</a>', str(n)),
                           WHAT[n][0].upper() + WHAT[n][1:] + ".", figure_html(n, em, er)])
        yield indicator_page(site, n, url)
    body = [front_matter("Indicators", description="The nine WRES indicators."),
            heading(1, "The nine indicators"),
            intro("Each indicator compares BME and White staff on one part of working life. Each page defines the "
              "indicator, shows every organisation's latest figure with its 95% interval where it has one, in a chart and "
              "a sortable table."),
            table(f"The nine WRES indicators: England, {y}", ["Indicator", "The headline figure is",
                                                               f"England, {y}"], index_rows, stack=True),
            provenance(site, "indicators/")]
    yield Page("indicators/index.md", compose(body))


def _senior_words(site: Site, year: int) -> str:
    a = site.row(*ENGLAND, year, 1, "share_bme", "all")
    sr = site.row(*ENGLAND, year, 1, "share_bme", "senior")
    if not a or not sr or is_missing(a.get("value")) or is_missing(sr.get("value")):
        return ""
    return (f" In {year}, {fmt_value(sr['value'], 'share')} of senior staff (bands 8a to VSM of the non-medical "
            f"groups) were BME, against {fmt_value(a['value'], 'share')} of all staff.")


def indicator_page(site: Site, n: int, url: str) -> Page:
    """One indicator: what it measures, every organisation's latest figure (chart, then table), England's trend."""
    y = site.latest_year
    latest = latest_org_rows(site, n)
    k = measure_kind(n, HEADLINE[n][0])
    pdir = site.page_dir(url)
    charts = ChartFiles()
    dot_html = write_chart(_dots_chart(site, n, latest, y, k), pdir, charts)
    em, er = site.headline(*ENGLAND, y, n)
    england = (trend_chart(site, n, [("England", "england", "ENG", False)], "england", "England")
               if n not in spec.SURVEY_INDICATORS else survey_chart(site, n, *ENGLAND, "england", "England", False))
    trend = write_chart(england, pdir, charts)
    body = [front_matter(f"{n}. {spec.INDICATOR_TITLES[n]}", description=f"WRES indicator {n}: "
                         f"{spec.INDICATOR_TITLES[n]}.", hide=("toc",)),
            heading(1, f"Indicator {n}: {spec.INDICATOR_TITLES[n]}"),
            intro(f"<strong>What it measures.</strong> The headline figure is {WHAT[n]}.", "lead"),
            p(f"<strong>What good looks like.</strong> {GOOD[n]}."),
            p(f"<strong>England, {y}:</strong> {sentence(n, em, er, 'NHS organisations in England') if er else 'no figure.'}"),
            p(f'The <a href="{rel(url, "methodology/")}#indicator-{n}">methodology</a> gives the formula, the interval '
              f"and the choices the project made."),
            heading(2, "Every organisation"),
            _clear_note(n, latest, y) if k == "likelihood" else "",
            dot_html,
            table(f"Indicator {n}: every organisation's latest figure", ["Organisation", "Type", "Region", "Year",
                                                                        "Figure (95% interval, where there is one)", "Class", "Trend"],
                  _org_rows(site, n, latest, url), sortable=True, numeric={3, 4}),
            heading(2, "England, every year"),
            trend]
    if n == 1:
        body += [heading(2, f"Representation by pay band, England, {y}"),
                 p("The share of staff in each staff group and pay band who are BME, White, or of unknown "
                   "ethnicity." + _senior_words(site, y)),
                 band_table(site, *ENGLAND, y, f"England, {y}: staff by ethnicity in each staff group and band")]
    body += indicator_cite_section(site, n)
    body.append(provenance(site, url))
    return Page(f"indicators/{n}.md", compose(body), charts)


def _dots_chart(site: Site, n: int, latest: Latest, y: int, k: str) -> Chart:
    """Every organisation's figure for the latest year, as dots with their intervals."""
    dots = [{"label": str(site.orgs[c]["org_name"]), "code": c, "value": r.get("value"), "lower": r.get("ci_lower"),
             "upper": r.get("ci_upper")} for c, yr, m, r in latest if r is not None and yr == y
            and (r.get("status") in (None, "ok") or is_missing(r.get("status")))]
    vals = [d for d in dots if not is_missing(d["value"])]
    classes: dict[str, int] = {}
    for _c, yr, m, r in latest:
        if r is not None and yr == y:
            cls, _ = judge(n, m, r)
            classes[cls] = classes.get(cls, 0) + 1
    if vals:
        bad = classes.get("adverse_to_bme", 0) + classes.get("worse_for_bme", 0)
        summary = (f"{plural(len(vals), 'organisation')} had a figure in {y}; for {plural(bad, 'organisation')} it "
                   f"was {'outside the non-adverse range, adverse to BME staff' if k == 'likelihood' else 'worse for BME staff'}. "
                   "Each dot is an organisation, each line its 95% interval where it has one; organisations are sorted "
                   "by their figure.")
    else:
        summary = "No organisation had a figure this year."
    better = {"likelihood": "likelihood", "gap": "gap_up" if n in (7, 9) else "gap"}.get(k, "")
    x_title = {"likelihood": "Relative likelihood", "gap": "Gap (percentage points)"}.get(k, "Per cent")
    return Chart("organisations", "dots", f"{n}. {SHORT_TITLES[n]}: every organisation, {y}", summary,
                 k, x_title, dots, better=better)


def _clear_note(n: int, latest: Latest, y: int) -> str:
    """How many likelihoods fall outside the non-adverse range, and for how many the whole interval does."""
    _shown, outside, clearly = outside_range(latest, y)
    return p(f"<strong>Outside the range, and how sure.</strong> In {y}, {plural(outside, 'organisation')} "
             f"had a figure outside the non-adverse range 0.80 to 1.25 (the official classification, on "
             f"the figure itself). For {clearly:,} of them the whole 95% interval is "
             f"outside the range too: those are clearly outside; for the others chance alone could put the "
             f"figure there. The chart below shows every interval; compare organisations by their "
             f"intervals rather than by rank.")


def _org_rows(site: Site, n: int, latest: Latest, url: str) -> list[list]:
    """The sortable table's rows: every organisation's latest figure, by name."""
    rows = []
    for c, yr, m, r in sorted(latest, key=lambda t: str(site.orgs[t[0]]["org_name"]).lower()):
        org = site.orgs[c]
        rname, rslug = spec.REGIONS.get(str(org.get("region_code")), ("", ""))
        cls, _ = judge(n, m, r)
        tr = r.get("trend") if r else None
        rows.append([(f'<a href="{rel(url, f"organisations/{c}/")}">{esc(org["org_name"])}</a>',
                      esc(str(org["org_name"]).lower())),
                     org_type_label(org.get("org_type")), (esc(rname), rname),
                     (f'<a href="{rel(url, f"organisations/{c}/{yr}/")}">{yr}</a>', str(yr)),
                     figure_cell(n, m, r), (class_tag(cls) or "–", cls),
                     TREND_LABELS.get(str(tr), "–") if not is_missing(tr) else "–"])
    return rows
