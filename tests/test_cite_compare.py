"""'Cite this' on organisation and indicator pages, and an organisation's peers side by side.

Built from the real validator, indicator engine and downloads over a small fictional data set with three acute
trusts in one region (peers), one in another region and a mental health trust beside them; one acute trust's
2024 return is left out (an error), so it must not appear among 2024's peers.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest
from helpers import set_cell, write_valid_data

from generator.compute.results import compute
from generator.ingest.validate import validate_path
from generator.model import spec
from generator.model.release import release_of
from generator.model.settings import Settings
from generator.publish.downloads import write_downloads
from generator.site.pages import compare
from generator.site.pages.figures import compact_cell
from generator.site.pages.indicator import indicator_page
from generator.site.pages.organisation import organisation_page
from generator.site.pages.site import build_site
from generator.site.text import fmt_value, measure_kind

SITE_URL = "https://wres.example.org/"
ORGS = (
    ("XAA01", "Northbrook Hospitals NHS Trust (fictional)", "acute", "Y56", "XQA01", "North Thames (fictional)"),
    ("XAE05", "Eastgate Hospitals NHS Trust (fictional)", "acute", "Y56", "XQA01", "North Thames (fictional)"),
    ("XAF06", "Fenwick Hospitals NHS Trust (fictional)", "acute", "Y56", "XQA01", "North Thames (fictional)"),
    ("XAG07", "Gorsey Hospitals NHS Trust (fictional)", "acute", "Y56", "XQA01", "North Thames (fictional)"),
    ("XAH08", "Highmoor Hospitals NHS Trust (fictional)", "acute", "Y62", "XQB02", "Pennine (fictional)"),
    ("XAB02", "Riverside Mental Health NHS Trust (fictional)", "mental_health", "Y56", "XQA01",
     "North Thames (fictional)"),
)
LEFT_OUT = ("XAG07", 2024)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cite")
    root = write_valid_data(tmp / "data", orgs=ORGS)
    assert set_cell(root / "2024" / "recruitment.csv", "appointed", "99999", org_code=LEFT_OUT[0], ethnicity="bme") == 1
    dataset = validate_path(root)
    settings = replace(Settings(), site_url=SITE_URL)
    results = compute(dataset, settings)
    release = release_of(dataset, True)
    downloads = write_downloads(dataset, results, tmp / "docs", settings, release)
    return build_site(dataset, results, tmp / "docs", settings, release, downloads)


def _section(text: str, heading_id: str) -> str:
    start = text.index(f'id="{heading_id}"')
    end = text.find("<h2", start)
    return text[start:end if end > 0 else None]


def _items(section: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", li)) for li in re.findall(r"<li>(.*?)</li>", section, re.S)]


def test_every_organisation_page_cites_each_figure_with_year_source_release_and_address(site):
    code, year = "XAA01", 2024
    items = _items(_section(organisation_page(site, code).text, "cite-this"))
    name = str(site.orgs[code]["org_name"])
    cited = 0
    for n in spec.INDICATORS:
        measure, r = site.headline("organisation", code, year, n)
        if r is None:
            continue
        mine = [i for i in items if f"indicator {n} (" in i]
        assert len(mine) == 1, n
        line = mine[0]
        assert str(year) in line and name in line and f"ODS code {code}" in line
        assert f"the WRES return of {name}" in line and site.release.site_label in line
        assert line.endswith(f"{SITE_URL}organisations/{code}/{year}/")
        if r.get("status") == "ok":
            printed = fmt_value(r["value"], measure_kind(n, measure)).replace("+", "").replace(" pp", "")
            assert printed.replace("−", "").lstrip("-") in line, (n, printed, line)
            cited += 1
    assert cited >= 5


def test_every_indicator_page_cites_englands_figure_with_its_address(site):
    for n in spec.INDICATORS:
        items = _items(_section(indicator_page(site, n, f"indicators/{n}/").text, "cite-this"))
        assert len(items) == 1
        line = items[0]
        assert str(site.latest_year) in line and "England" in line and f"indicator {n} (" in line
        assert line.endswith(f"{SITE_URL}indicators/{n}/") and site.release.site_label in line


def test_peers_are_the_same_type_and_region_with_a_published_return_that_year(site):
    assert compare.peers_of(site, "XAA01", 2024) == ["XAE05", "XAF06"]  # by name; XAG07 left out in 2024
    assert compare.peers_of(site, "XAA01", 2023) == ["XAE05", "XAF06", "XAG07"]
    assert compare.peers_of(site, "XAH08", 2024) == []


def test_the_compare_table_shows_each_peer_with_its_own_figures_of_that_year(site):
    code, year = "XAA01", 2024
    section = _section(organisation_page(site, code).text, "compared-with-its-peers")
    rows = re.findall(r"<tr>(.*?)</tr>", section.split("<tbody>", 1)[1], re.S)
    codes = [code] + compare.peers_of(site, code, year)
    assert len(rows) == len(codes)
    for row, c in zip(rows, codes):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        assert html.unescape(re.sub(r"<[^>]+>", "", cells[0])).startswith(str(site.orgs[c]["org_name"]))
        for n in spec.INDICATORS:
            m, r = site.headline("organisation", c, year, n)
            assert cells[n] == compact_cell(n, m, r)[0], (c, n)
    lonely = _section(organisation_page(site, "XAH08").text, "compared-with-its-peers")
    assert "No other acute trust in North West" in lonely
