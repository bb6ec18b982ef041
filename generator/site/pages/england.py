"""The home page (England), with the regions side by side."""

from __future__ import annotations

from ...model import spec
from ..charts import Chart, ChartFiles, write_chart
from ..text import (
    GOOD,
    HEADLINE,
    SHORT_TITLES,
    attr,
    esc,
    fmt_value,
    is_missing,
    measure_kind,
    plural,
    rel,
    sentence,
)
from .figures import COMPACT_KEY, compact_cell
from .headline import headline_table, sentences
from .html import compose, front_matter, heading, intro, p, table
from .labels import ENGLAND
from .latest import latest_org_rows, outside_range
from .page import Page
from .sections import group_notes, provenance, representation_table
from .site import Site
from .trend_charts import group_charts


def england_page(site: Site) -> Page:
    """The home page: the main facts in words first, then the figures and tables, then the charts."""
    y = site.latest_year
    url = ""
    charts = ChartFiles()
    n_pub = sum(1 for (c, yr), r in site.returns.items() if yr == y and r.get("status") != "left_out")
    n_left = sum(1 for (c, yr), r in site.returns.items() if yr == y and r.get("status") == "left_out")
    body = [front_matter("England", description="Workforce Race Equality Standard figures for NHS England, "
                         "every region, system and organisation."),
            heading(1, "Workforce Race Equality Standard: England"),
            intro("The Workforce Race Equality Standard (WRES) asks every NHS organisation to publish nine figures "
              "each year comparing the experience of White and black and minority ethnic (BME) staff (White minority "
              "groups, such as White Irish, count as White): who gets "
              "senior jobs, who is appointed after shortlisting, who enters disciplinary processes, who gets "
              "training, what staff say in the staff survey, and who sits on boards. This site publishes every "
              "return, computes the figures the same way for everyone, and shows how sure each figure is.", "lead"),
            p(f"The latest collection is <strong>{y}</strong>: {plural(n_pub, 'return')} published"
              + (f", {plural(n_left, 'return')} left out because of errors "
                 f'(<a href="{rel(url, "data-quality/")}">see data quality</a>)' if n_left else "")
              + f'. Look up <a href="{rel(url, "organisations/")}">any organisation</a>, '
                f'<a href="{rel(url, "regions/")}">region</a> or <a href="{rel(url, "systems/")}">system</a>, '
                f'or <a href="{rel(url, "downloads/")}">download every figure</a>.'),
            *main_facts(site, y, url),
            heading(2, f"Headline figures, {y}"),
            p("Each figure compares BME and White staff. For relative likelihoods, 1.00 means equal treatment and "
              "0.80 to 1.25 counts as no adverse difference; for gaps, 0 means no difference. The change column "
              "shows last year's and this year's figures. It says <em>Improved</em> or <em>Worsened</em> only when "
              "the figure moved closer to or further from parity, a test says the move is unlikely to be chance, "
              "and the move is at least the minimum meaningful change; <em>Not tested</em> where no test is "
              f'possible (<a href="{rel(url, "methodology/")}#changes-from-year-to-year">the rules</a>).'),
            group_notes(site, *ENGLAND, y, list(site.orgs), url),
            headline_table(site, *ENGLAND, y, f"England, {y}: the nine WRES indicators", url),
            sentences(site, *ENGLAND, y, "NHS organisations in England", skip=MAIN_FACTS),
            heading(2, "Regions side by side"),
            regions_table(site, url, y),
            heading(2, "Representation, every year"),
            p("The 2018 NHS England board paper set the aim that BME representation at senior levels matches the "
              "whole workforce by 2028. The gap below is that difference in percentage points: 0 is parity."),
            representation_table(site, *ENGLAND, "BME representation in England: the whole workforce and bands 8a to "
                                 "VSM, by year"),
            # The charts come last: the facts and tables above carry the point, the charts show it over time.
            heading(2, "Trends"),
            group_charts(site, *ENGLAND, "England", url, charts, who="NHS organisations in England"),
            heading(2, "Regions in charts"),
            regions_charts(site, url, y, charts),
            provenance(site, url),
            ]
    return Page("index.md", compose(body), charts)


#: The indicators whose England sentence is a main fact of the home page (representation, appointment,
#: discipline, the board); the home page's list under the table gives the others.
MAIN_FACTS = (1, 2, 3, 9)


def main_facts(site: Site, y: int, url: str) -> list[str]:
    """Four or five findings in plain words before any table or chart (as GOV.UK's Ethnicity facts and
    figures opens with its "main facts and figures"): England's own sentences, which carry the rules'
    verdicts and nothing more, and how many organisations' appointment figures lie outside the non-adverse
    range, with how many of them clearly so."""
    who = "NHS organisations in England"
    items = []
    for n in MAIN_FACTS:
        measure, r = site.headline(*ENGLAND, y, n)
        if r is not None:
            items.append(sentence(n, measure, r, who))
        if n == 2:
            items.append(_appointments_fact(site, y, url))
    items = [x for x in items if x]
    if not items:
        return []
    return [heading(2, f"Main facts and figures, {y}"),
            '<ul class="wres-main-facts">' + "".join(f"<li>{x}</li>" for x in items) + "</ul>"]


def _appointments_fact(site: Site, y: int, url: str) -> str:
    """Organisations' relative likelihoods of appointment outside the non-adverse range, and how sure."""
    shown, outside, clearly = outside_range(latest_org_rows(site, 2), y)
    if not shown:
        return ""
    return (f"Of the {plural(shown, 'organisation')} with a relative likelihood of appointment from shortlisting "
            f"for {y}, {outside:,} had a figure outside the non-adverse range 0.80 to 1.25; for {clearly:,} of them "
            f"the whole 95% interval is outside the range too: those are clearly outside "
            f'(<a href="{rel(url, "indicators/2/")}">every organisation\'s figure</a>).')


def regions_table(site: Site, page_url: str, year: int) -> str:
    head = ["Region"] + [f'<abbr title="{attr(spec.INDICATOR_TITLES[n])}">{n}. {SHORT_TITLES[n]}</abbr>'
                         for n in spec.INDICATORS]
    rows = []
    for rcode, (name, slug) in spec.REGIONS.items():
        cells = [(f'<a href="{rel(page_url, f"regions/{slug}/")}">{esc(name)}</a>', name)]
        for n in spec.INDICATORS:
            m, r = site.headline("region", rcode, year, n)
            cells.append(compact_cell(n, m, r))
        rows.append(cells)
    return COMPACT_KEY + table(f"Regions, {year}: headline figure of each indicator", head, rows, sortable=True,
                 numeric=set(range(1, 10)))


def regions_charts(site: Site, page_url: str, year: int, charts: ChartFiles) -> str:
    out = []
    pdir = site.page_dir(page_url)
    for n in spec.INDICATORS:
        rows = []
        measure = HEADLINE[n][0]
        for rcode, (name, _slug) in spec.REGIONS.items():
            m, r = site.headline("region", rcode, year, n)
            if r is None:
                continue
            measure = m
            rows.append({"label": name, "code": rcode, "value": r.get("value"), "lower": r.get("ci_lower"),
                         "upper": r.get("ci_upper")})
        k = measure_kind(n, measure)
        vals = [r for r in rows if not is_missing(r["value"])]
        if vals:
            hi = max(vals, key=lambda r: float(r["value"]))
            lo = min(vals, key=lambda r: float(r["value"]))
            summary = (f"In {year} the figure ranged from {fmt_value(lo['value'], k)} ({esc(lo['label'])}) to "
                       f"{fmt_value(hi['value'], k)} ({esc(hi['label'])}). {GOOD[n].split(';')[0].capitalize()}.")
        else:
            summary = "No regional figures this year."
        better = {"likelihood": "likelihood", "gap": "gap_up" if n in (7, 9) else "gap"}.get(k, "")
        x_title = {"likelihood": "Relative likelihood", "gap": "Gap (percentage points)"}.get(k, "Per cent")
        out.append(write_chart(Chart(f"regions-{n}", "dots", f"{n}. {SHORT_TITLES[n]}, by region, {year}", summary,
                                     k, x_title, rows, better=better, label_title="Region"), pdir, charts))
    return '<div class="wres-grid">' + "".join(out) + "</div>"
