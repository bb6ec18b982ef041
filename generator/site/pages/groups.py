"""Region and integrated care system pages, and their indexes."""

from __future__ import annotations

from collections.abc import Iterator

from ...model import spec
from ..charts import ChartFiles
from ..text import (
    esc,
    fmt_int,
    is_missing,
    plural,
    rel,
)
from .figures import figure_cell
from .headline import headline_table, sentences
from .html import compose, front_matter, heading, intro, p, table
from .page import Page
from .sections import group_notes, member_table, provenance, representation_table
from .site import Site
from .trend_charts import group_charts


def group_page(site: Site, level: str, code: str, name: str, url: str, members: list[str], intro_html: str,
               extra: tuple[str, ...] = ()) -> Page:
    """A region's or a system's page: its figures, how they were made, its organisations, its trends."""
    y = site.latest_year
    charts = ChartFiles()
    ename = esc(name)
    body = [front_matter(ename, description=f"Workforce Race Equality Standard figures for {ename}.",
                         hide=("navigation", "toc")),
            heading(1, ename),
            intro(intro_html),
            heading(2, f"Headline figures, {y}"),
            group_notes(site, level, code, y, members, url),
            headline_table(site, level, code, y, f"{ename}, {y}: the nine WRES indicators, with England for comparison",
                           url),
            sentences(site, level, code, y, f"NHS organisations in {ename}"),
            heading(2, "Representation, every year"),
            representation_table(site, level, code, f"BME representation in {ename}, by year"),
            *extra,
            heading(2, "Organisations"),
            p("Latest published figure of each organisation; select a column heading to sort. Each organisation's "
              "page gives intervals, trends and its own return."),
            member_table(site, members, url, y, f"Organisations in {ename}: latest figures"),
            heading(2, "Trends"),
            group_charts(site, level, code, ename, url, charts, who=f"NHS organisations in {ename}"),
            provenance(site, url)]
    return Page(url.strip("/") + ".md", compose(body), charts)


def region_pages(site: Site) -> Iterator[Page]:
    """Each region's page, then the regions index."""
    members_by_region: dict = {}
    for code, org in site.orgs.items():
        members_by_region.setdefault(str(org.get("region_code")), []).append(code)
    index_rows = []
    y = site.latest_year
    for rcode, (name, slug) in spec.REGIONS.items():
        members = members_by_region.get(rcode, [])
        systems = sorted((s for s, (sn, sr, _) in site.systems.items() if str(sr) == rcode),
                         key=lambda s: str(site.systems[s][0] or s))
        url = f"regions/{slug}/"
        sys_html: tuple[str, ...] = ()
        if systems:
            sys_html = (heading(2, "Integrated care systems"), '<ul class="wres-columns">' + "".join(
                f'<li><a href="{rel(url, f"systems/{s}/")}">{esc(site.systems[s][0] or s)}</a></li>' for s in systems)
                + "</ul>")
        yield group_page(site, "region", rcode, name, url, members,
                   f"{esc(name)} is one of the seven NHS England regions. It has "
                   f"{plural(len(members), 'organisation')} in the register and {plural(len(systems), 'integrated care system')}. "
                   f'How its figures are made, and which organisations are missing from them, is in the box '
                   f'below (<a href="{rel(url, "methodology/")}#group-figures">methodology</a>).', sys_html)
        m, r = site.headline("region", rcode, y, 1)
        index_rows.append([(f'<a href="{rel("regions/", url)}">{esc(name)}</a>', name),
                           (fmt_int(len(members)), str(len(members))), (fmt_int(len(systems)), str(len(systems))),
                           figure_cell(1, m, r, False)])
    body = [front_matter("Regions", description="The seven NHS England regions."),
            heading(1, "Regions"),
            intro("NHS England has seven regions. Each region's page shows its figures, its organisations and its "
              "integrated care systems."),
            table(f"NHS England regions, {y}", ["Region", "Organisations", "Systems",
                                                 "Senior representation gap (pp)"], index_rows, sortable=True,
                  numeric={1, 2, 3}),
            provenance(site, "regions/")]
    yield Page("regions/index.md", compose(body))


def system_pages(site: Site) -> Iterator[Page]:
    """Each system's page, then the systems index."""
    rows = []
    y = site.latest_year
    for scode in sorted(site.systems):
        name, region, members = site.systems[scode]
        name = name if not is_missing(name) else scode
        url = f"systems/{scode}/"
        rname, rslug = spec.REGIONS.get(str(region), ("", ""))
        region_link = f'<a href="{rel(url, f"regions/{rslug}/")}">{esc(rname)}</a>' if rslug else "an unknown region"
        yield group_page(site, "system", scode, str(name), url, members,
                   f"{esc(name)} (code {esc(scode)}) is an integrated care system in {region_link}, with "
                   f"{plural(len(members), 'organisation')} in the register. How its figures are made, and which "
                   f'organisations are missing from them, is in the box below '
                   f'(<a href="{rel(url, "methodology/")}#group-figures">methodology</a>).')
        m, r = site.headline("system", scode, y, 1)
        rows.append([(f'<a href="{rel("systems/", url)}">{esc(name)}</a>', esc(str(name).lower())),
                     esc(scode), (esc(rname), rname), (fmt_int(len(members)), str(len(members))),
                     figure_cell(1, m, r, False)])
    body = [front_matter("Integrated care systems", description="Every integrated care system."),
            heading(1, "Integrated care systems"),
            intro("Integrated care systems bring together the NHS organisations of an area. Each system's page shows "
              "its figures and its organisations."),
            table(f"Integrated care systems, {y}", ["System", "Code", "Region", "Organisations",
                                                     "Senior representation gap (pp)"], rows, sortable=True,
                  numeric={3, 4}) if rows else p("The register names no systems."),
            provenance(site, "systems/")]
    yield Page("systems/index.md", compose(body))
