"""/organisations/<code>/: an organisation's figures, trends, peers, goal, reports and returns."""

from __future__ import annotations

from ...model import spec
from ...publish import changelog
from ..charts import ChartFiles
from ..text import (
    SHORT_TITLES,
    esc,
    fmt_int,
    fmt_value,
    is_missing,
    link,
    measure_kind,
    ordinal,
    org_type_label,
    rel,
)
from .cite import organisation_cite_section
from .compare import compare_section
from .goals import goals_section
from .headline import headline_table, sentences
from .html import compose, front_matter, heading, in_details, intro, note, p, table
from .labels import STATUS_WORDS
from .page import Page
from .sections import band_table, provenance
from .site import Site
from .trend_charts import group_charts


def _change_section(site: Site, code: str, url: str) -> list:
    """What changed in this organisation's figures since the previous release (`--previous`); [] if nothing."""
    mine = site.changes_by_org.get(code)
    if mine is None or mine.empty:
        return []
    head, rows = changelog.row_cells(mine)
    n = len(mine)
    return [heading(2, changelog.SECTION_TITLE),
            p(f"{n} figure{'s' if n != 1 else ''} for this organisation changed since the previous release (a "
              "corrected or late return, or a change in method). Before is the previous release, now is this one."),
            table(f"Figures of {site.org_name(code)} that changed since the previous release", head,
                  [[esc(c) for c in row] for row in rows], row_header=False, stack=True),
            p(f'Every figure that changed on the site is listed on <a href="{rel(url, changelog.ADDRESS)}">what '
              "changed</a>.")]


def organisation_page(site: Site, code: str) -> Page:
    """An organisation: what its latest figures say, the figures, peers, goal, reports and returns, and
    then its trend charts."""
    org = site.orgs[code]
    url = f"organisations/{code}/"
    name = esc(org["org_name"])
    years = sorted(site.returns_by_org.get(code, []))
    published = [y for y in years if site.returns[(code, y)].get("status") != "left_out"]
    latest = published[-1] if published else None
    charts = ChartFiles()
    body = [front_matter(name, description=f"WRES figures, trends and returns of {name}.", hide=("navigation",)),
            heading(1, name),
            intro(" · ".join(_facts(site, code, url)), "wres-facts")]
    body += _merger_notes(site, code, url)
    body += _change_section(site, code, url)
    if latest is None:
        body.append(p("There is no published return for this organisation yet."))
    else:
        body += _latest_sections(site, code, latest, url)
    body += [heading(2, "Reports and action plans"), reports_section(site, code, years),
             heading(2, "Returns and data quality"), returns_section(site, code, years, url)]
    if latest is not None:
        body += _trend_section(site, code, url, charts)
    body += organisation_cite_section(site, code, latest)
    body.append(provenance(site, url, f' This organisation\'s register entry and all its figures as JSON: '
                                      f'<a href="{rel(url, f"api/organisations/{code}.json")}">{esc(code)}.json</a>.'))
    return Page(f"organisations/{code}/index.md", compose(body), charts)


def _facts(site: Site, code: str, url: str) -> list[str]:
    """The line under the name: code, type, region, system and website."""
    org = site.orgs[code]
    rname, rslug = spec.REGIONS.get(str(org.get("region_code")), ("", ""))
    facts = [f"ODS code <strong>{esc(code)}</strong>", org_type_label(org.get("org_type")) or "type not given"]
    if rslug:
        facts.append(f'<a href="{rel(url, f"regions/{rslug}/")}">{esc(rname)}</a> region')
    sc = org.get("system_code")
    if not is_missing(sc) and str(sc) in site.systems:
        sname = org.get("system_name")
        facts.append(f'<a href="{rel(url, f"systems/{sc}/")}">{esc(sname if not is_missing(sname) else sc)}</a>')
    web = link(org.get("website"), "website")
    if web != "website":
        facts.append(web)
    return facts


def _merger_notes(site: Site, code: str, url: str) -> list[str]:
    """Notes naming whom the organisation merged into, and whom it took over."""
    org = site.orgs[code]
    out = []
    succ = org.get("successor_code")
    if not is_missing(succ):
        s = str(succ)
        target = (f'<a href="{rel(url, f"organisations/{s}/")}">{site.org_name(s)}</a>' if s in site.orgs
                  else esc(s))
        closed = f" after {int(org['closed_year'])}" if not is_missing(org.get("closed_year")) else ""
        out.append(note(f"This organisation merged into {target}{closed}. Its later figures are part of that "
                        f"organisation's series.", "info", "Merged"))
    preds = site.folded.get(code) or site.predecessors.get(code)
    if preds:
        names = ", ".join(f'<a href="{rel(url, f"organisations/{pc}/")}">{site.org_name(pc)}</a> ({esc(pc)})'
                          if pc in site.orgs else esc(pc) for pc in preds)
        out.append(note(f"This organisation took over {names}. Its trend charts fold in their figures for the years "
                        f"before the merger, so the series continues.", "info", "Merger"))
    return out


def _latest_sections(site: Site, code: str, latest: int, url: str) -> list[str]:
    """What the latest figures say, the figures, the peers and the leadership goal."""
    name = site.org_name(code)
    return [heading(2, f"What the figures say, {latest}"),
            p(f'Figures from the <a href="{latest}/">{latest} return</a> (the counts as submitted are on '
              f"that page). Each compares BME and White staff; "
              f'<a href="{rel(url, "methodology/")}">methodology</a> explains how each is computed.'),
            sentences(site, "organisation", code, latest, name),
            heading(2, f"Latest figures, {latest}"),
            headline_table(site, "organisation", code, latest,
                           f"{name}, {latest}: the nine WRES indicators, with England for comparison", url),
            in_details(f"Representation by pay band, {latest}",
                       band_table(site, "organisation", code, latest,
                                  f"{name}, {latest}: staff by ethnicity in each staff group and band")),
            heading(2, "Among its peers"),
            peers_section(site, code, latest, url),
            *compare_section(site, code, latest, url),
            heading(2, "Leadership goal"),
            goals_section(site, code, latest)]


def _trend_section(site: Site, code: str, url: str, charts: ChartFiles) -> list[str]:
    """The charts, last: the sections above carry the point, the charts show it over the years."""
    lineage = code in site.lineage
    return [heading(2, "Trends"),
            p("Each chart shows this organisation's figure every year with its 95% interval where it has one "
              "(indicators 1 and 9, and survey figures without respondent counts, have none), and England's "
              "for comparison." + (" Years before the merger include the organisations it took over."
                                    if lineage else "")),
            group_charts(site, "organisation", code, site.org_name(code), url, charts, lineage=lineage)]


def peers_section(site: Site, code: str, year: int, url: str) -> str:
    org = site.orgs[code]
    peer_label = org_type_label(org.get("org_type")).lower() or "organisations of its type"
    rows = []
    for n in spec.INDICATORS:
        m, r = site.headline("organisation", code, year, n)
        if r is None or is_missing(r.get("peer_rank")) or is_missing(r.get("peer_count")):
            continue
        rank, count = int(r["peer_rank"]), int(r["peer_count"])
        pct = r.get("peer_percentile")
        rows.append([f'<a href="{rel(url, f"indicators/{n}/")}">{n}. {SHORT_TITLES[n]}</a>',
                     fmt_value(r.get("value"), measure_kind(n, m)),
                     f"{ordinal(rank)} of {count:,}",
                     f"{float(pct):.0f}" if not is_missing(pct) else "–"])
    if not rows:
        return p("No peer comparison for this year: there is no ranked figure.")
    return (p(f"Where {esc(org['org_name'])} stands among {peer_label}s in {year} (1st is the fairest figure, "
              f"closest to equal treatment). Rankings tell you about position, not about whether a difference is "
              f"real: small organisations move a lot from chance. Figures on small numbers, figures the validator "
              f"warned about and figures that cannot be computed are never ranked; each indicator's page shows every "
              f"organisation with its 95% interval, the better way to compare. The percentile is the share of "
              f'ranked peers further from equal treatment (<a href="{rel(url, "methodology/")}#peers">methodology</a>).')
            + table(f"{esc(org['org_name'])}: rank among peers, {year}",
                    ["Indicator", "Figure", "Rank (1st is fairest)", "Percentile (100 is fairest)"], rows,
                    numeric={1, 3}, stack=True))


def reports_section(site: Site, code: str, years: list[int]) -> str:
    rows = []
    for y in sorted(years, reverse=True):
        r = site.returns[(code, y)]
        rep = link(r.get("report_url"), f"WRES report {y}")
        plan = link(r.get("action_plan_url"), f"Action plan {y}")
        rows.append([str(y),
                     rep if rep != f"WRES report {y}" else '<span class="wres-na">no published report link</span>',
                     plan if plan != f"Action plan {y}" else '<span class="wres-na">no published action plan link</span>'])
    if not rows:
        return p("No returns yet.")
    return (p("The organisation's own published documents, as linked in its returns (these links leave this site).")
            + table(f"{site.org_name(code)}: published WRES reports and action plans", ["Year", "Report", "Action plan"],
                    rows, stack=True))


def returns_section(site: Site, code: str, years: list[int], url: str) -> str:
    rows = []
    for y in sorted(years, reverse=True):
        r = site.returns[(code, y)]
        q = site.quality.get((code, y), {})
        su = q.get("share_unknown")
        su_txt = "–" if is_missing(su) else f"{float(su):.1f}%"  # quality.py: 0-100
        comp = q.get("completeness")
        missing = q.get("files_missing")
        comp_txt = "–" if is_missing(comp) else f"{float(comp):.0f}%"
        if not is_missing(missing) and str(missing):
            comp_txt += f' <span class="wres-na">(missing: {esc(str(missing).replace(";", ", "))})</span>'
        rows.append([f'<a href="{rel(url, f"organisations/{code}/{y}/")}">Return for {y}</a>',
                     STATUS_WORDS.get(str(r.get("status")), esc(r.get("status"))),
                     fmt_int(r.get("errors")), fmt_int(r.get("warnings")), su_txt, comp_txt])
    if not rows:
        return p("No returns yet.")
    return (p("Each return's page lists the counts the organisation submitted and what validation found. "
              "Staff of unknown ethnicity: a high share makes every figure less certain. Files: the share of the "
              "files required that year that the return holds.")
            + table(f"{site.org_name(code)}: returns", ["Return", "Status", "Errors", "Warnings",
                                                       "Staff of unknown ethnicity", "Files"], rows,
                    numeric={2, 3, 4}, stack=True))
