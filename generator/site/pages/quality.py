"""/data-quality/: every return left out and why, recording of ethnicity, and every warning."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...model import spec
from ..text import (
    esc,
    fmt_int,
    is_missing,
    plural,
    rel,
    sort_key,
)
from .html import compose, front_matter, heading, intro, p, table
from .page import Page
from .returns import problem_list
from .sections import provenance
from .site import Site

if TYPE_CHECKING:
    from ...model.problems import Problem


URL = "data-quality/"


def data_quality_page(site: Site) -> Page:
    """Every return left out and why, problems with the whole data set, recording of ethnicity, warnings."""
    url = URL
    ds = site.dataset
    left = sorted((k for k, r in site.returns.items() if r.get("status") == "left_out"), key=lambda k: (-k[1], k[0]))
    rows = _left_out_rows(site, left)
    n_pub = sum(1 for r in site.returns.values() if r.get("status") != "left_out")
    warnings = sorted((x for x in ds.problems if not x.is_error), key=lambda x: x.sort_key())
    general = sorted((x for x in ds.problems if x.is_error and (x.org_code is None or x.year is None)),
                     key=lambda x: x.sort_key())
    wrows = _warning_rows(site, warnings)
    body = [front_matter("Data quality", description="What validation found: every return left out and why, "
                         "and every warning.", hide=("toc",)),
            heading(1, "Data quality"),
            intro(f"Every return is checked against the open WRES returns format before anything is computed. A return "
              f"with an error is left out (and only that return); warnings flag figures worth a second look but do "
              f"not stop publication. This release: {plural(n_pub, 'return')} published, "
              f"{plural(len(left), 'return')} left out, {plural(len(warnings), 'warning')}."),
            heading(2, "Returns left out"),
            table("Returns left out of the published figures, and why", ["Return", "Code", "Year", "Errors",
                                                                         "First error"], rows, sortable=True,
                  numeric={2, 3}) if rows else p("No return was left out."),
            ]
    if general:
        body += [heading(2, "Problems with the data set as a whole"), problem_list(general)]
    body += _recording_section(site)
    body += [heading(2, "Warnings"),
             table("Every warning", ["Return", "File and line", "Field", "What was found"], wrows, sortable=True)
             if wrows else p("No warnings."),
             p(f"Organisations can check their files before sending them with <code>wres validate</code>; "
               f'the <a href="{rel(url, "methodology/")}">methodology</a> lists the checks.'),
             provenance(site, url)]
    return Page("data-quality.md", compose(body))


def _left_out_rows(site: Site, left: list[tuple[str, int]]) -> list[list[str]]:
    """A row for each return left out: its first error and how many more."""
    rows = []
    for code, year in left:
        errs = [x for x in site.problems_by_return.get((code, year), []) if x.is_error]
        first = esc(errs[0].message) if errs else "left out by a problem with a whole file or year (listed below)"
        more = f" (and {plural(len(errs) - 1, 'more error')})" if len(errs) > 1 else ""
        label = f"{site.org_name(code)}, {year}"
        if spec.ORG_CODE_RE.match(code):
            label = f'<a href="{rel(URL, f"organisations/{code}/{year}/")}">{label}</a>'
        rows.append([label, esc(code), str(year), fmt_int(len(errs)), first + more])
    return rows


def _warning_rows(site: Site, warnings: list[Problem]) -> list[list[str]]:
    """A row for each warning, linked to its return when it has a page."""
    wrows = []
    for x in warnings:
        who = (f'<a href="{rel(URL, f"organisations/{x.org_code}/{int(x.year)}/")}">{site.org_name(str(x.org_code))}, '
               f"{int(x.year)}</a>" if x.org_code is not None and x.year is not None
               and (str(x.org_code), int(x.year)) in site.returns and spec.ORG_CODE_RE.match(str(x.org_code))
               else esc(x.org_code or "whole data set"))
        wrows.append([who, esc(x.file) + (f", line {int(x.row)}" if x.row is not None else ""),
                      esc(x.field or ""), esc(x.message)])
    return wrows


def _recording_section(site: Site) -> list[str]:
    """Staff of unknown ethnicity and completeness of every return of the latest year (none: no section)."""
    y = site.latest_year
    qrows = []
    for (code, year), q in sorted(site.quality.items()):
        if year != y or is_missing(q.get("share_unknown")) or not spec.ORG_CODE_RE.match(code):
            continue
        qrows.append([(f'<a href="{rel(URL, f"organisations/{code}/{year}/")}">{site.org_name(code)}</a>',
                       esc(str(site.orgs.get(code, {}).get("org_name", code)).lower())),
                      (f"{float(q['share_unknown']):.1f}%", sort_key(q["share_unknown"])),
                      (f"{float(q['completeness']):.0f}%" if not is_missing(q.get("completeness")) else "–",
                       sort_key(q.get("completeness"))),
                      (f"{float(q['cells_filled']):.0f}%" if not is_missing(q.get("cells_filled")) else "–",
                       sort_key(q.get("cells_filled")))])
    qrows.sort(key=lambda r: -float(r[1][1] or 0))
    if not qrows:
        return []
    return [heading(2, f"Recording of ethnicity and completeness, {y}"),
            p("Every figure compares BME and White staff, so staff whose ethnicity is not recorded make the "
              "figures less certain. Files: the share of the files required that year that the return holds. "
              "Counts filled: the share of count cells holding a number (not empty and not suppressed)."),
            table(f"Returns for {y}: staff of unknown ethnicity and completeness (highest unknown share first)",
                  ["Return", "Staff of unknown ethnicity", "Files", "Counts filled"], qrows, sortable=True,
                  numeric={1, 2, 3})]
