"""Embeddable badges: /organisations/<CODE>/<year>/badge.svg for every return.

An organisation can show on its own website that its WRES return was
published and checked, with a link back to the return page. The badge is a
small self-contained SVG (no fonts, images or links fetched from elsewhere,
so it cannot track anyone or break), with a <title> and an aria-label so a
screen reader says what it shows.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from ..model import spec
from ..model.dataset import Dataset
from .files import safe_join, write_shared

BADGE = "badge.svg"

#: status -> (right-hand text, fill colour, words for the accessible name).
#: Colours keep white text above 4.5:1 contrast (WCAG AA).
STATUS = {
    "published": ("validated", "#1d6e31", "validated by Open WRES"),
    "published_with_warnings": ("validated, with warnings", "#8a4b00", "validated with warnings by Open WRES"),
    "left_out": ("left out", "#a4262c", "left out by Open WRES: it did not pass validation"),
}
_LEFT_FILL = "#3f3f3f"
_CHAR_WIDTH = 6.6  # px per character of 11px Verdana-like text: wide enough for any of the labels
_PAD = 12


def _width(text: str) -> int:
    return int(round(len(text) * _CHAR_WIDTH)) + _PAD


def accessible_name(year: int, status: str | None) -> str:
    if status in STATUS:
        return f"WRES {int(year)} return: {STATUS[status][2]}"
    return f"WRES {int(year)} return: status on Open WRES"


def badge_svg(year: int, status: str) -> str:
    """The badge for one return as SVG text (status: published, published_with_warnings or left_out)."""
    label = f"WRES {int(year)}"
    text, fill, _ = STATUS[status]
    lw, rw = _width(label), _width(text)
    name = html.escape(accessible_name(year, status))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{lw + rw}" height="20" '
        f'viewBox="0 0 {lw + rw} 20" role="img" aria-label="{name}">'
        f"<title>{name}</title>"
        f'<rect width="{lw}" height="20" fill="{_LEFT_FILL}"/>'
        f'<rect x="{lw}" width="{rw}" height="20" fill="{fill}"/>'
        f'<g fill="#ffffff" font-family="Verdana,DejaVu Sans,Arial,sans-serif" font-size="11" '
        f'text-anchor="middle" aria-hidden="true">'
        f'<text x="{lw / 2:g}" y="14">{html.escape(label)}</text>'
        f'<text x="{lw + rw / 2:g}" y="14">{html.escape(text)}</text>'
        f"</g></svg>\n"
    )


def _check(code: str, year: int) -> tuple[str, int]:
    code = str(code)
    if not spec.ORG_CODE_RE.fullmatch(code):
        raise ValueError(f"{code!r} is not an ODS code: it cannot appear in an address")
    year = int(year)
    if not 1000 <= year <= 9999:
        raise ValueError(f"{year} is not a collection year")
    return code, year


def return_path(code: str, year: int) -> str:
    """The return page's address relative to the site root, e.g. organisations/XAA01/2024/."""
    code, year = _check(code, year)
    return f"organisations/{code}/{year}/"


def embed_html(code: str, year: int, site_url: str, status: str | None = None) -> str:
    """The HTML an organisation pastes on its website: the badge, linking back to the return page.

    Absolute when site_url is known; otherwise from the site root (the
    publisher sets site_url in mkdocs.yml for copy-and-paste to work
    elsewhere). With `status`, the alt text says what the badge shows;
    without it the alt text stays true whatever the status.
    """
    page = return_path(code, year)
    base = f"{site_url.rstrip('/')}/" if site_url else "/"
    href = html.escape(base + page, quote=True)
    src = html.escape(base + page + BADGE, quote=True)
    alt = html.escape(accessible_name(year, status), quote=True)
    return f'<a href="{href}"><img src="{src}" alt="{alt}"></a>'


def chart_embed_html(code: str, year: int, site_url: str, chart_path: str, title: str) -> str:
    """The HTML an organisation pastes to show a chart of its figures: the chart's SVG (drawn at build time,
    self-contained), linking back to the return page.

    `chart_path`: the SVG's address from the site root (e.g. organisations/RR8/chart-representation.svg,
    which the page asks `charts.svg_file` for). Absolute when site_url is known (from the site root
    otherwise, like `embed_html`); `title`, plain text, is the image's alternative text (the page
    under the link has the chart's data table).
    """
    page = return_path(code, year)
    if not re.fullmatch(r"organisations/[A-Za-z0-9]+/[A-Za-z0-9._/-]*\.svg", chart_path) or ".." in chart_path:
        raise ValueError(f"{chart_path!r} is not a chart of an organisation's pages")
    base = f"{site_url.rstrip('/')}/" if site_url else "/"
    href = html.escape(base + page, quote=True)
    src = html.escape(base + chart_path, quote=True)
    return f'<a href="{href}"><img src="{src}" alt="{html.escape(title, quote=True)}"></a>'


def write_badges(dataset: Dataset, docs_dir: Path) -> dict[tuple[str, int], str]:
    """Write a badge beside every return page; return (code, year) -> path relative to docs_dir.

    Returns whose code is not an ODS code are skipped: a code never reaches a path unchecked.
    """
    written: dict[tuple[str, int], str] = {}
    ret = dataset.returns.sort_values(["org_code", "year"], kind="stable")
    for code, year, status in zip(ret["org_code"].astype(str), ret["year"].astype(int), ret["status"].astype(str)):
        if not spec.ORG_CODE_RE.fullmatch(code) or status not in STATUS:
            continue
        relative = return_path(code, year) + BADGE
        # At most one badge per status and year: the others are hard links to it (files.write_shared).
        write_shared(safe_join(docs_dir, "organisations", code, str(year), BADGE),
                     badge_svg(year, status).encode("utf-8"))
        written[(code, year)] = relative
    return written
