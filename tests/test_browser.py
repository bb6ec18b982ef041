"""The built sample site in a real headless Chromium: every page type loads clean and accessible.

For one page of every type: HTTP 200, no console error (a blocked script under
the Content-Security-Policy is a console error), no request leaves
127.0.0.1, every chart is an SVG in the page (drawn when the site was built;
nothing is fetched to draw it), and axe-core finds no serious or critical
violation. With JavaScript disabled, every chart of a few representative pages
is still there and visible, an image with a name. Also: the organisation
filter filters as you type, a sortable table sorts, and a chart saves as PNG.

Needs Debian's Chromium at /usr/bin/chromium (no browser download). Without
it these tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import BROWSER_MARKS, CHROMIUM, HAVE_CHROMIUM

pytestmark = BROWSER_MARKS


def test_chromium_is_there_in_ci():
    assert HAVE_CHROMIUM, f"CI=true but there is no executable Chromium at {CHROMIUM}: install Debian's chromium"


def _first(path: Path, pattern: str) -> str:
    found = sorted(p.name for p in path.glob(pattern) if p.is_dir())
    assert found, f"nothing matches {pattern} in {path}"
    return found[0]


@pytest.fixture(scope="module")
def page_urls(sample_site) -> dict[str, str]:
    orgs = sample_site / "organisations"
    org = next(o for o in sorted(p.name for p in orgs.iterdir() if p.is_dir())
               if (orgs / o / "charts.json").is_file() and any((orgs / o).glob("20*/index.html")))
    year = sorted(p.name for p in (orgs / org).glob("20*") if (p / "index.html").is_file())[-1]
    system = _first(sample_site / "systems", "*")
    return {
        "england": "",
        "region": "regions/london/",
        "system": f"systems/{system}/",
        "organisations": "organisations/",
        "organisation": f"organisations/{org}/",
        "return": f"organisations/{org}/{year}/",
        "indicator": "indicators/2/",
        "indicator-survey": "indicators/7/",
        "data-quality": "data-quality/",
        "downloads": "downloads/",
        "methodology": "methodology/",
        "about": "about/",
    }


PAGE_TYPES = ["england", "region", "system", "organisations", "organisation", "return", "indicator",
              "indicator-survey", "data-quality", "downloads", "methodology", "about"]


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_page_loads_clean_draws_charts_and_is_accessible(kind, browser, site_server, page_urls):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    offsite: list[str] = []
    specs: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: offsite.append(r.url)
            if not r.url.startswith(site_server) and not r.url.startswith(("data:", "blob:")) else None)
    page.on("request", lambda r: specs.append(r.url) if r.url.endswith((".vl.json", "charts.json", "vega.js"))
            else None)
    try:
        response = page.goto(site_server + page_urls[kind], wait_until="load")
        assert response is not None and response.status == 200
        failed = page.evaluate("[...document.querySelectorAll('.wres-chart')]"
                               ".filter(e => !e.querySelector('svg.wres-svg')).map(e => e.dataset.chart)")
        assert failed == [], f"charts without their SVG on {kind}: {failed}"
        page.wait_for_load_state("networkidle")
        assert specs == [], f"{kind}: nothing is fetched to draw a chart: {specs}"
        assert errors == [], f"console errors on {kind}: {errors}"
        assert offsite == [], f"requests off the site from {kind}: {offsite}"
        results = Axe().run(page)
        bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
        assert bad == [], f"axe on {kind}: " + "; ".join(
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}" for v in bad)
        assert page.evaluate("document.documentElement.lang") == "en-GB"
        assert "Demonstration data" in page.inner_text(".md-banner")
    finally:
        context.close()


JS_OFF_PAGES = ["england", "organisation", "indicator", "region", "return"]


@pytest.mark.parametrize("kind", JS_OFF_PAGES)
def test_every_chart_is_visible_without_javascript(kind, browser, site_server, page_urls, sample_site):
    """Every chart the page's Markdown asked for is there, visible at phone width, an image with a name."""
    address = page_urls[kind]
    html = (sample_site / address / "index.html").read_text(encoding="utf-8")
    expected = html.count('class="wres-chart"')
    if kind in ("england", "organisation", "indicator", "region"):
        assert expected > 0, f"{kind} should have charts"
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(site_server + address, wait_until="load")
        charts = page.locator(".wres-chart")
        assert charts.count() == expected
        for i in range(expected):
            chart = charts.nth(i)
            svg = chart.locator("svg.wres-svg")
            assert svg.count() == 1, f"{kind}: chart {chart.get_attribute('data-chart')} has no SVG"
            chart.scroll_into_view_if_needed()
            box = svg.bounding_box()
            assert box and box["width"] > 100 and box["height"] > 50, f"{kind}: chart {i} not visible: {box}"
            assert box["width"] <= 390, f"{kind}: chart {i} wider than the phone: {box}"
            assert svg.get_attribute("role") == "img"
            title = svg.locator("title").first.text_content()
            assert title and title == chart.locator("xpath=ancestor::figure//figcaption/strong").text_content()
            assert svg.evaluate("e => getComputedStyle(e).visibility") == "visible"
        # without the script, no PNG link that could not work
        assert page.locator(".wres-png:visible").count() == 0
    finally:
        context.close()


def test_a_chart_saves_as_png(browser, site_server, page_urls):
    page = browser.new_page()
    try:
        page.goto(site_server + page_urls["organisation"], wait_until="load")
        link = page.locator(".wres-png a[data-png]").first
        assert link.is_visible()
        with page.expect_download() as download:
            link.click()
        path = download.value.path()
        data = Path(path).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert download.value.suggested_filename == link.get_attribute("data-png")
        width = int.from_bytes(data[16:20], "big")
        svg_width = page.locator(".wres-chart svg").first.evaluate("e => e.width.baseVal.value")
        assert width == round(svg_width * 2)  # drawn at twice the chart's size
    finally:
        page.close()


def test_organisation_filter_filters_as_you_type(browser, site_server):
    page = browser.new_page()
    try:
        page.goto(site_server + "organisations/")
        rows = page.locator("#wres-orgs tbody tr")
        total = rows.count()
        assert total > 5
        box = page.get_by_label("Filter organisations")
        assert box.is_visible()
        first_name = page.locator("#wres-orgs tbody tr th a").first.inner_text()
        box.press_sequentially(first_name[:12], delay=20)
        visible = page.locator("#wres-orgs tbody tr:not([hidden])").count()
        assert 0 < visible < total
        assert page.locator("#wres-orgs tbody tr:not([hidden]) th").first.inner_text().startswith(first_name[:12])
        assert f"of {total} organisations shown" in page.inner_text("#wres-org-count")
        box.fill("")
        box.press_sequentially("zzzz-no-such-organisation")
        assert page.locator("#wres-orgs tbody tr:not([hidden])").count() == 0
        box.fill("")
        box.press("Backspace")
        assert page.locator("#wres-orgs tbody tr:not([hidden])").count() == total
    finally:
        page.close()


def test_tables_sort_by_column(browser, site_server):
    page = browser.new_page()
    try:
        page.goto(site_server + "organisations/")
        header = page.locator("#wres-orgs thead th").nth(1)  # Code
        header.locator("button").click()
        codes = page.locator("#wres-orgs tbody tr td:nth-child(2)").all_inner_texts()
        assert codes == sorted(codes, key=str.lower)
        assert header.get_attribute("aria-sort") == "ascending"
        header.locator("button").press("Enter")  # keyboard works too
        codes = page.locator("#wres-orgs tbody tr td:nth-child(2)").all_inner_texts()
        assert codes == sorted(codes, key=str.lower, reverse=True)
        assert header.get_attribute("aria-sort") == "descending"
    finally:
        page.close()


def test_search_finds_an_organisation_under_the_csp(browser, site_server, sample_site):
    """Material's search runs in a web worker from the site itself; the CSP must let it."""
    import re as _re

    first = sorted(p for p in (sample_site / "organisations").iterdir() if p.is_dir())[0]
    title = _re.search(r"<title>(.*?) - ", (first / "index.html").read_text(encoding="utf-8")).group(1)
    word = max(title.split(), key=len)
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(site_server)
        page.locator(".md-search__input").click()
        page.locator(".md-search__input").press_sequentially(word, delay=30)
        page.wait_for_selector(".md-search-result__item", timeout=30_000)
        assert page.locator(".md-search-result__item").count() >= 1
        assert errors == []
    finally:
        page.close()
