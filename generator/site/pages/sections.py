"""Parts several kinds of page share: the band and representation tables, the member table and the
"Things you need to know" box of group pages, and where the figures come from."""

from __future__ import annotations

from functools import lru_cache

from ...model import spec
from ..text import (
    SHORT_TITLES,
    attr,
    esc,
    flags_of,
    fmt_int,
    is_missing,
    org_type_label,
    plural,
    rel,
)
from .figures import COMPACT_KEY, compact_cell, figure_html, shows_value
from .html import p, table
from .labels import STAFF_GROUP_LABELS, band_label
from .site import Site


def band_table(site: Site, level: str, code: str, year: int, caption: str) -> str:
    """BME, White and unknown shares of every staff group and band, and the headcount: indicator 1 in full."""
    table_ = site.bands.get(level, code, year) if site.bands else {}   # (breakdown, measure) -> row
    rows = []
    for key, label in _band_rows():
        if (key, "share_bme") not in table_ and (key, "headcount") not in table_:
            continue
        cells = [label]
        for m in ("share_bme", "share_white", "share_unknown"):
            cells.append(figure_html(1, m, table_.get((key, m)), with_interval=False))
        h = table_.get((key, "headcount"))
        cells.append(fmt_int(h.get("value")) if h and (h.get("status") in (None, "ok")) else "–")
        rows.append(cells)
    if not rows:
        return ""
    return table(caption, ["Staff group and band", "BME", "White", "Unknown ethnicity", "Headcount"], rows,
                 numeric={1, 2, 3, 4})


@lru_cache(maxsize=1)
def _band_rows() -> tuple[tuple[str, str], ...]:
    """(breakdown, row header) of every row a band table may have, in order: the same for every page, so
    worked out once instead of for each of the 263 band tables of a national site."""
    out = []
    for group in spec.STAFF_GROUPS:
        for band in tuple(spec.BANDS_BY_GROUP[group]) + ("all",):
            label = f"{STAFF_GROUP_LABELS[group]}, {band_label(band) if band != 'all' else 'all bands'}"
            out.append((f"{group}/{band}", f"<strong>{label}</strong>" if band == "all" else label))
    return tuple(out)


def _share_with_count(site: Site, level: str, code: str, year: int, breakdown: str, r: dict | None) -> str:
    """"22.7% (12,345)": the BME share and the BME headcount behind it (share x headcount, exact)."""
    html_ = figure_html(1, "share_bme", r, False)
    h = site.row(level, code, year, 1, "headcount", breakdown)
    if r is None or h is None or is_missing(r.get("value")) or is_missing(h.get("value")):
        return html_
    if getattr(site.settings, "withhold_below", 0):
        return html_
    bme = round(float(r["value"]) * float(h["value"]) / 100)
    return f'{html_} <span class="wres-ci">({bme:,})</span>'


def representation_table(site: Site, level: str, code: str, caption: str) -> str:
    rows = []
    for y in site.years:
        a = site.row(level, code, y, 1, "share_bme", "all")
        s = site.row(level, code, y, 1, "share_bme", "senior")
        g = site.row(level, code, y, 1, "senior_gap_pp", "senior") or site.row(level, code, y, 1, "senior_gap_pp", "all")
        if a is None and s is None:
            continue
        rows.append([str(y), _share_with_count(site, level, code, y, "all", a),
                     _share_with_count(site, level, code, y, "senior", s),
                     figure_html(1, "senior_gap_pp", g, False)])
    if not rows:
        return p("No workforce figures.")
    return table(caption, ["Year", "BME share of the workforce", "BME share of bands 8a to VSM",
                           "Gap, percentage points (no interval: counts of whole workforces)"], rows,
                 numeric={1, 2, 3}, stack=True)


def provenance(site: Site, page_url: str, extra: str = "") -> str:
    return ('<div class="wres-provenance"><h2 id="sources">Where these figures come from</h2>'
            f"<p>Every figure on this page is in "
            f'<a href="{rel(page_url, "downloads/indicators.csv")}">indicators.csv</a> (one row per figure, '
            f'with its interval, status and flags); the submitted counts are in the '
            f'<a href="{rel(page_url, "downloads/")}">downloads</a>. How each figure is computed: '
            f'<a href="{rel(page_url, "methodology/")}">methodology</a>.{extra}</p></div>')


def member_table(site: Site, members: list[str], page_url: str, year: int, caption: str, table_id: str = "") -> str:
    head = ["Organisation", "Type", "Latest return"] + [
        f'<abbr title="{attr(spec.INDICATOR_TITLES[n])}">{n}. {SHORT_TITLES[n]}</abbr>' for n in spec.INDICATORS]
    rows = []
    for code in sorted(members, key=lambda c: (str(site.orgs[c]["org_name"]).lower(), c)):
        org = site.orgs[code]
        years = sorted(yr for yr in site.returns_by_org.get(code, [])
                       if site.returns[(code, yr)].get("status") != "left_out")
        last = years[-1] if years else None
        cells = [(f'<a href="{rel(page_url, f"organisations/{code}/")}">{esc(org["org_name"])}</a>',
                  esc(str(org["org_name"]).lower())),
                 org_type_label(org.get("org_type")),
                 (f'<a href="{rel(page_url, f"organisations/{code}/{last}/")}">{last}</a>' if last else "none",
                  str(last or ""))]
        for n in spec.INDICATORS:
            if last is None:
                cells.append(("–", ""))
                continue
            m, r = site.headline("organisation", code, last, n)
            cells.append(compact_cell(n, m, r))
        rows.append(cells)
    if not rows:
        return p("No organisations.")
    return COMPACT_KEY + table(caption, head, rows, sortable=True, table_id=table_id, numeric=set(range(3, 12)))


def group_notes(site: Site, level: str, code: str, year: int, members: list[str], url: str) -> str:
    """The "Things you need to know" box of a group page: how each figure was made, who is missing from it."""
    published = [c for c in members if (c, year) in site.returns and site.returns[(c, year)].get("status") != "left_out"]
    missing = [c for c in members if c not in published]
    items = []
    if level == "england":
        who = f"the {plural(len(published), 'organisation')} with a published return for {year}"
    else:
        who = (f"the {plural(len(published), 'organisation')} of its {plural(len(members), 'member')} with a "
               f"published return for {year}")
    items.append(f"Indicators 1 to 4 and 9 are computed from the <strong>summed counts</strong> of {who}, never as an "
                 f"average of their ratios. The senior representation gap takes both shares over the same "
                 f"organisations.")
    survey = []
    for n in spec.SURVEY_INDICATORS:
        _, r = site.headline(level, code, year, n)
        if r is None or not shows_value(r):
            continue
        fl = flags_of(r.get("flags"))
        survey.append((n, "plain mean of organisations' percentages (some gave no respondent counts), with no "
                          "interval" if "weighted_mean_unavailable" in fl else "mean weighted by respondents"))
    if survey:
        kinds = sorted({k for _, k in survey})
        if len(kinds) == 1:
            items.append(f"Indicators 5 to 8 (staff survey) are the {kinds[0]}.")
        else:
            items.append("Staff survey figures: " + "; ".join(f"indicator {n}, {k}" for n, k in survey) + ".")
    left = []
    for n in spec.INDICATORS:
        m, r = site.headline(level, code, year, n)
        if r is not None and "members_left_out" in flags_of(r.get("flags")) and not is_missing(r.get("reason")):
            left.append(f"indicator {n}: {esc(str(r['reason']))}")
    if left:
        items.append("Some organisations are left out of some figures because a count was missing or suppressed: "
                     + "; ".join(left) + ".")
    if missing and level != "england":
        names = ", ".join(f'<a href="{rel(url, f"organisations/{c}/")}">{site.org_name(c)}</a>' for c in missing[:20])
        more = f" and {len(missing) - 20:,} more" if len(missing) > 20 else ""
        items.append(f"No published return for {year}, so not in these figures: {names}{more}.")
    elif missing:
        items.append(f"{plural(len(missing), 'organisation')} in the register had no published return for {year} and "
                     f"are not in these figures.")
    items.append(f'Survey figures for {year} come from the NHS Staff Survey of the autumn of {int(year) - 1}. '
                 f'<a href="{rel(url, "methodology/")}#group-figures">How group figures are made</a>.')
    return ('<div class="admonition info wres-know"><p class="admonition-title">Things you need to know</p><ul>'
            + "".join(f"<li>{x}</li>" for x in items) + "</ul></div>")
