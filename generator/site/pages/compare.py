"""Compare organisations: from an organisation's page, its peers side by side on the nine headline figures.

Peers are as compute/peers.py defines them (organisations of the same type),
narrowed to the same NHS England region so that the table stays a size a
reader can take in and a page can carry (a national acute trust has some
hundred peers; each indicator's page lists them all). Every figure is of the
same year, the organisation's latest published return, and each organisation
appears with its own return's figures only. The table is static and sortable
(wres.js sorts it; without script it reads in name order, the organisation first).
"""

from __future__ import annotations

from ...model import spec
from ..text import SHORT_TITLES, attr, esc, org_type_label, rel
from .figures import COMPACT_KEY, compact_cell
from .html import heading, p, table
from .site import Site


def peers_of(site: Site, code: str, year: int) -> list[str]:
    """Organisations of the same type and region as `code` with a published return for `year`, by name."""
    org = site.orgs[code]
    kind, region = org.get("org_type"), org.get("region_code")
    peers = [c for c, o in site.orgs.items()
             if c != code and o.get("org_type") == kind and o.get("region_code") == region
             and (c, year) in site.returns and site.returns[(c, year)].get("status") != "left_out"]
    return sorted(peers, key=lambda c: (str(site.orgs[c]["org_name"]).lower(), c))


def compare_section(site: Site, code: str, year: int, url: str) -> list[str]:
    """The "Compared with its peers" section: a heading, what the table holds, and the table."""
    peers = peers_of(site, code, year)
    org = site.orgs[code]
    kind = org_type_label(org.get("org_type")).lower() or "organisation of its type"
    region = spec.REGIONS.get(str(org.get("region_code")), ("its region", ""))[0]
    out = [heading(2, "Compared with its peers")]
    if not peers:
        return out + [p(f"No other {esc(kind)} in {esc(region)} has a published return for {year}. Each indicator's "
                        f'page lists every organisation (<a href="{rel(url, "indicators/")}">indicators</a>).')]
    head = ["Organisation"] + [f'<abbr title="{attr(spec.INDICATOR_TITLES[n])}">{n}. {SHORT_TITLES[n]}</abbr>'
                               for n in spec.INDICATORS]
    rows = [_row(site, c, year, url, c == code) for c in [code] + peers]
    return out + [
        p(f"{site.org_name(code)} beside the {len(peers):,} other {esc(kind)}{'s' if len(peers) != 1 else ''} in "
          f"{esc(region)} with a published return for {year}: each organisation's headline figures from its own "
          f"{year} return. A difference between two figures is not a test: each figure's 95% interval is on its "
          f'organisation\'s page, and each indicator\'s page shows every organisation in England with its interval '
          f'(<a href="{rel(url, "indicators/")}">indicators</a>).'),
        COMPACT_KEY + table(f"{site.org_name(code)} and its peers ({esc(kind)}s in {esc(region)}), {year}: the nine "
                            "headline figures", head, rows, sortable=True, numeric=set(range(1, 10)))]


def _row(site: Site, code: str, year: int, url: str, this: bool) -> list:
    name = site.org_name(code)
    label = f"<strong>{name}</strong> (this organisation)" if this else (
        f'<a href="{rel(url, f"organisations/{code}/")}">{name}</a>')
    cells: list = [(label, "" if this else str(site.orgs[code]["org_name"]).lower())]
    for n in spec.INDICATORS:
        m, r = site.headline("organisation", code, year, n)
        cells.append(compact_cell(n, m, r))
    return cells
