"""/organisations/: every organisation of the register in one sortable, filterable table."""

from __future__ import annotations

from ...model import spec
from ..text import (
    esc,
    is_missing,
    org_type_label,
    plural,
    rel,
)
from .html import compose, front_matter, heading, intro, table
from .page import Page
from .sections import provenance
from .site import Site


def organisations_index(site: Site) -> Page:
    """Every organisation of the register in one sortable, filterable table."""
    url = "organisations/"
    rows = []
    for code in sorted(site.orgs, key=lambda c: (str(site.orgs[c]["org_name"]).lower(), c)):
        org = site.orgs[code]
        years = sorted(site.returns_by_org.get(code, []))
        pub = [yr for yr in years if site.returns[(code, yr)].get("status") != "left_out"]
        rname, rslug = spec.REGIONS.get(str(org.get("region_code")), ("", ""))
        sc = org.get("system_code")
        sname = org.get("system_name")
        sys_cell = ("–", "")
        if not is_missing(sc) and str(sc) in site.systems:
            label = esc(sname if not is_missing(sname) else sc)
            sys_cell = (f'<a href="{rel(url, f"systems/{sc}/")}">{label}</a>', label.lower())
        status = ""
        if not is_missing(org.get("successor_code")):
            succ = str(org["successor_code"])
            status = (f'merged into <a href="{succ}/">{site.org_name(succ)}</a>' if succ in site.orgs
                      else f"merged into {esc(succ)}")
        elif not is_missing(org.get("closed_year")):
            status = f"closed {int(org['closed_year'])}"
        m, r = site.headline("organisation", code, pub[-1], 1) if pub else ("", None)
        rows.append([(f'<a href="{code}/">{esc(org["org_name"])}</a>', esc(str(org["org_name"]).lower())),
                     esc(code), org_type_label(org.get("org_type")),
                     (f'<a href="{rel(url, f"regions/{rslug}/")}">{esc(rname)}</a>' if rslug else "–", rname),
                     sys_cell,
                     (str(pub[-1]) if pub else "none", str(pub[-1]) if pub else ""),
                     status])
    n = len(rows)
    body = [front_matter("Organisations", description="Every NHS organisation with a WRES return.",
                         hide=("navigation", "toc")),
            heading(1, "Organisations"),
            intro(f"Every organisation in the register ({plural(n, 'organisation')}). Type in the box to filter the table, "
              "or select a column heading to sort it. Each organisation's page has its figures, trends and returns."),
            '<div class="wres-filter" hidden><label for="wres-org-filter">Filter organisations by name, code, type, '
            'region or system</label><input type="search" id="wres-org-filter" data-filter-table="wres-orgs" '
            'autocomplete="off" spellcheck="false"><p id="wres-org-count" class="wres-count" aria-live="polite"></p></div>',
            '<p class="wres-phone-only">On a narrow screen the table shows each organisation\'s name, type and '
            'latest return; its code, region, system and status are on its own page.</p>',
            table(f"All {plural(n, 'organisation')}", ["Organisation", "Code", "Type", "Region", "System",
                                                     "Latest published return", "Status"], rows, sortable=True,
                  table_id="wres-orgs", numeric={5}),
            provenance(site, url)]
    return Page("organisations/index.md", compose(body))
