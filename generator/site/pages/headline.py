"""The nine headline figures of an organisation, group or England: the table (with England beside it)
and one plain-English sentence for each."""

from __future__ import annotations

from ...compute.rounding import rounded
from ...compute.stats import relative_likelihood
from ...model import spec
from ..text import (
    SHORT_TITLES,
    fmt_rate,
    fmt_value,
    is_missing,
    rates_sentence,
    rel,
    sentence,
)
from .figures import change_cell, class_tag, figure_html, judge, shows_value
from .html import p, table
from .labels import ENGLAND
from .site import Site


def headline_table(site: Site, level: str, code: str, year: int, caption: str, page_url: str,
                   compare_england: bool = True, lineage: bool = False) -> str:
    head = ["Indicator", "Figure (95% interval, where there is one)", "What it means", "Change since the year before"]
    if compare_england and (level, code) != ENGLAND:
        head.append("England")
    rows = []
    for n in spec.INDICATORS:
        measure, r = site.headline(level, code, year, n, lineage)
        cls, _ = judge(n, measure, r)
        cells = [f'<a href="{rel(page_url, f"indicators/{n}/")}">{n}. {SHORT_TITLES[n]}</a>',
                 figure_html(n, measure, r) + _figure_note(site, level, code, year, n, measure, r, lineage),
                 class_tag(cls) or "–", change_cell(n, measure, r)]
        if compare_england and (level, code) != ENGLAND:
            cells.append(_england_cell(site, year, n))
        rows.append(cells)
    return table(caption, head, rows, stack=True)


def _figure_note(site: Site, level: str, code: str, year: int, n: int, measure: str, r: dict | None,
                 lineage: bool = False) -> str:
    """What a headline cell needs beside the figure: indicator 3's two-year figure labelled, with the single
    year beside it; indicator 9's voting figure with executive and all members beside it; the two rates."""
    if r is None:
        return ""
    out = []
    if n in (2, 3, 4):
        rates = rates_sentence(n, r)
        if rates:
            out.append(rates + (f" ({int(year) - 1} and {year} together)" if measure == "relative_likelihood_2yr"
                                else ""))
    if n == 3 and measure == "relative_likelihood_2yr" and shows_value(r):
        one = site.row(level, code, year, 3, "relative_likelihood", "all", lineage)
        out.append(f"Two-year figure: {int(year) - 1} and {year} pooled. {year} alone: "
                   + (figure_html(3, "relative_likelihood", one, with_interval=True) if one is not None else "–"))
    if n == 2 and level == "organisation" and not lineage and not shows_value(r) and r.get("status") == "not_calculable":
        pooled = pooled_appointments(site, code, year)
        if pooled:
            out.append(pooled)
    if n == 9:
        parts = []
        for m, who in (("gap_pp_voting", "voting"), ("gap_pp_executive", "executive"), ("gap_pp_all", "all members")):
            row = site.row(level, code, year, 9, m, "all", lineage)
            shown = fmt_value(row["value"], "gap") if row is not None and shows_value(row) else "no figure"
            parts.append(f"{who} {shown}")
        out.append("; ".join(parts))
    return "".join(f'<br><span class="wres-note">{x}</span>' for x in out)


def _count_of(rec: dict, col: str) -> int | None:
    """A count the page may use: a published whole number, not withheld or suppressed (else None)."""
    v = rec.get(col)
    if is_missing(v) or rec.get(f"{col}_withheld") is True or rec.get(f"{col}_suppressed") is True:
        return None
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def pooled_appointments(site: Site, code: str, year: int) -> str:
    """Indicator 2 over every year of an organisation's returns up to `year`, counts pooled (issue 14, point 7).

    Shown where a year's figure is not calculable because no BME shortlisted applicant was appointed, so
    the worst cases are not hidden: the two pooled rates and the pooled likelihood with its interval. Only
    years whose four counts are all published are pooled, and the years are named.
    """
    sums = {"aw": 0, "sw": 0, "ab": 0, "sb": 0}
    used = []
    for yr in sorted(y for (c, y) in site.tables.get("recruitment", {}) if c == code and y <= int(year)):
        if site.returns.get((code, yr), {}).get("status") == "left_out":
            continue
        by_eth = {str(r.get("ethnicity")): r for r in site.tables["recruitment"][(code, yr)]}
        w, b = by_eth.get("white"), by_eth.get("bme")
        if w is None or b is None:
            continue
        vals = [_count_of(w, "appointed"), _count_of(w, "shortlisted"), _count_of(b, "appointed"),
                _count_of(b, "shortlisted")]
        if any(v is None for v in vals):
            continue
        for k, v in zip(("aw", "sw", "ab", "sb"), vals):
            sums[k] += v
        used.append(yr)
    if len(used) < 2 or sums["sw"] == 0 or sums["sb"] == 0:
        return ""

    span = f"{used[0]} to {used[-1]}" if used == list(range(used[0], used[-1] + 1)) else ", ".join(map(str, used))
    rw, rb = 100 * sums["aw"] / sums["sw"], 100 * sums["ab"] / sums["sb"]
    text_ = (f"All years pooled ({span}): {sums['aw']:,} of {sums['sw']:,} White and {sums['ab']:,} of "
             f"{sums['sb']:,} BME shortlisted applicants were appointed ({fmt_rate(rounded(rw, 2))} against "
             f"{fmt_rate(rounded(rb, 2))})")
    if sums["ab"] == 0:
        return text_ + ": still no BME appointment, so no ratio can be computed."
    rl, _, lo, hi = (float(rounded(x, 2)) for x in relative_likelihood(sums["aw"], sums["sw"], sums["ab"], sums["sb"]))
    return text_ + f": a relative likelihood of {rl:.2f} (95% interval {lo:.2f} to {hi:.2f})."


def _england_cell(site: Site, year: int, n: int) -> str:
    """England's figure for the comparison column, worked out once per year and indicator (every page has it)."""
    key = (year, n)
    if key not in site.england_cells:
        em, er = site.headline(*ENGLAND, year, n)
        site.england_cells[key] = figure_html(n, em, er, with_interval=False)
    return site.england_cells[key]


def sentences(site: Site, level: str, code: str, year: int, who: str, lineage: bool = False,
              skip: tuple[int, ...] = ()) -> str:
    """One plain-English sentence for each headline figure (but those in `skip`, said elsewhere on the page)."""
    items = []
    for n in spec.INDICATORS:
        if n in skip:
            continue
        measure, r = site.headline(level, code, year, n, lineage)
        if r is None:
            continue
        items.append(f"<li><strong>{SHORT_TITLES[n]}.</strong> {sentence(n, measure, r, who)}</li>")
    if not items:
        return p(f"No figures for {year}.")
    return '<ul class="wres-sentences">' + "".join(items) + "</ul>"
