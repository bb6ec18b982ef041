"""The one place generated pages reach the docs folder.

Page functions return `Page` values and write nothing; `write_pages` builds the site's indexes once,
asks every page function for its pages in address order and writes each as it comes (`write_page`),
so no more than one page is held at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ...model import spec
from ...publish import badges, files
from .. import chart_svg
from ..charts import drawn_ahead, user_cache_dir
from .england import england_page
from .groups import region_pages, system_pages
from .indicator import indicator_pages
from .organisation import organisation_page
from .organisations_index import organisations_index
from .page import Page
from .quality import data_quality_page
from .returns import return_page
from .site import Site, build_site

if TYPE_CHECKING:
    from ...compute.indicators import Results
    from ...model.dataset import Dataset
    from ...model.release import Release
    from ...model.settings import Settings
    from ...publish.downloads import Downloads


def write_pages(dataset: Dataset, results: Results, docs_dir: Path, settings: Settings, release: Release,
                downloads: Downloads) -> list[Path]:
    """Write every generated page and chart into docs_dir; return the page paths written."""
    docs_dir = Path(docs_dir)
    site = build_site(dataset, results, docs_dir, settings, release, downloads)
    renderer = chart_svg.Renderer(user_cache_dir())  # draws the charts' SVGs in spawned workers, a few pages ahead
    try:
        written = [write_page(docs_dir, page) for page in drawn_ahead(section_pages(site), renderer)]
        # A badge beside every return page (written here rather than with the downloads: it balances the
        # two processes that write the site; see build._write_docs).
        badges.write_badges(dataset, docs_dir)
        written += [write_page(docs_dir, page) for page in drawn_ahead(reference_pages(site), renderer)]
    finally:
        renderer.close()
    return written


def section_pages(site: Site) -> Iterator[Page]:
    """Home, regions, systems, the organisations and their returns."""
    yield england_page(site)
    yield from region_pages(site)
    yield from system_pages(site)
    yield organisations_index(site)
    for code in sorted(site.orgs):
        yield organisation_page(site, code)
    for code, year in sorted(site.returns):
        if spec.ORG_CODE_RE.match(code):
            yield return_page(site, code, year)


def reference_pages(site: Site) -> Iterator[Page]:
    """The indicators and data quality."""
    yield from indicator_pages(site)
    yield data_quality_page(site)


def write_page(docs_dir: Path, page: Page) -> Path:
    """Write a page (only if its bytes changed, never outside docs_dir), with its charts' SVGs in, and their
    files beside it."""
    path = files.safe_join(docs_dir, page.path)
    files.write_text(path, page.charts.fill(page.text))
    page.charts.write()  # the page's charts.json, charts.csv and one SVG per chart
    return path
