"""The sample site built for real (build.run_build + MkDocs), read as files.

Checks what no single page function can: every internal link and asset
resolves, nothing is loaded from another site, every page carries the
Content-Security-Policy with the hashes of exactly its inline scripts, the
demonstration banner, the release and lang="en-GB", organisations stay out of
the navigation, and organisation pages stay small.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import statistics
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

import pytest

pytestmark = pytest.mark.slow


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str, str]] = []   # (tag, attribute, value)
        self.inline_scripts: list[str] = []
        self.meta_csp: str | None = None
        self._in_script = False
        self._script_exec = False
        self._buf: list[str] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        a = dict(attrs)
        for key in ("href", "src"):
            if a.get(key) is not None:
                self.refs.append((tag, key, a[key]))
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy":
            self.meta_csp = a.get("content")
        if tag == "script" and "src" not in a:
            self._in_script = True
            self._script_exec = (a.get("type") or "text/javascript") in ("text/javascript", "module")
            self._buf = []

    def handle_data(self, data):  # noqa: ANN001
        if self._in_script:
            self._buf.append(data)

    def handle_endtag(self, tag):  # noqa: ANN001
        if tag == "script" and self._in_script:
            if self._script_exec:
                self.inline_scripts.append("".join(self._buf))
            self._in_script = False


@pytest.fixture(scope="module")
def html_pages(sample_site) -> dict[str, tuple[str, _Page]]:
    out = {}
    for path in sorted(sample_site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        parsed = _Page()
        parsed.feed(text)
        out[path.relative_to(sample_site).as_posix()] = (text, parsed)
    return out


def test_every_page_type_is_built(sample_site):
    for rel in ("index.html", "regions/index.html", "regions/london/index.html", "systems/index.html",
                "organisations/index.html", "indicators/index.html", "data-quality/index.html",
                "downloads/index.html", "methodology/index.html", "about/index.html",
                "assets/javascripts/wres.js"):
        assert (sample_site / rel).is_file(), rel
    assert not (sample_site / "assets/javascripts/vega.js").exists()  # charts are SVG drawn at build time
    for n in range(1, 10):
        assert (sample_site / f"indicators/{n}/index.html").is_file()
    orgs = [p for p in (sample_site / "organisations").iterdir() if p.is_dir()]
    assert len(orgs) > 10
    assert all((o / "index.html").is_file() for o in orgs)
    assert any((o / "2024" / "index.html").is_file() for o in orgs)
    assert not (sample_site / "release.json").exists()


def test_internal_links_and_assets_resolve(sample_site, html_pages):
    broken = []
    for rel, (_, page) in html_pages.items():
        base = "http://site/" + rel
        for tag, attr, value in page.refs:
            if value.startswith(("#", "mailto:")):
                continue
            url = urljoin(base, value)
            parts = urlsplit(url)
            if parts.netloc != "site":
                continue
            target = sample_site / unquote(parts.path).lstrip("/")
            if url.endswith("/") or target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{rel}: {tag} {attr}={value}")
    assert broken == [], "\n".join(broken[:30])


def test_nothing_is_loaded_from_another_site(html_pages):
    for rel, (text, page) in html_pages.items():
        for tag, attr, value in page.refs:
            external = value.startswith(("http:", "https:", "//"))
            if tag == "a":
                continue  # links to organisations' own reports are fine: they are not loaded
            assert not external, f"{rel} loads {value} ({tag} {attr})"
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text, rel


def test_csp_on_every_page_allows_exactly_its_inline_scripts(html_pages):
    for rel, (_, page) in html_pages.items():
        csp = page.meta_csp
        assert csp, f"{rel} has no Content-Security-Policy"
        assert "default-src 'self'" in csp and "object-src 'none'" in csp
        script_src = re.search(r"script-src ([^;]*)", csp).group(1)
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        hashes = set(re.findall(r"'sha256-([^']+)'", script_src))
        wanted = {base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() for s in page.inline_scripts}
        assert wanted <= hashes, f"{rel}: an inline script is not allowed by the CSP"


def test_every_page_is_labelled_and_names_its_release(html_pages):
    for rel, (text, _) in html_pages.items():
        assert '<html lang="en-GB"' in text, rel
        assert "Demonstration data:" in text, rel
        assert "Release: Open WRES" in text, rel


def test_organisations_stay_out_of_the_navigation(html_pages):
    text, _ = html_pages["index.html"]
    nav = " ".join(re.findall(r'<nav class="md-nav md-nav--primary".*?</nav>\s*</div>', text, re.S)) or text
    assert not re.search(r'href="[^"]*organisations/X[A-Z0-9]+/"', nav)


def test_organisation_pages_are_small(sample_site):
    """As served (gzipped): the charts are SVG inside the page, which compress well together."""
    import gzip

    sizes = [len(gzip.compress(p.read_bytes(), 6)) for p in (sample_site / "organisations").glob("*/index.html")]
    assert statistics.median(sizes) < 40_000, f"median organisation page {statistics.median(sizes):,.0f} bytes gzipped"


def test_chart_specs_sit_beside_their_pages(sample_site):
    """One charts.json and one charts.csv beside each page with charts, and no file per chart."""
    specs = list((sample_site / "organisations").glob("*/charts.json"))
    assert specs
    for spec in specs[:50]:
        assert spec.with_name("charts.csv").is_file()
        html = spec.with_name("index.html").read_text(encoding="utf-8")
        assert html.count('data-charts="charts.json"') == len(json.loads(spec.read_text(encoding="utf-8")))
    assert not list(sample_site.rglob("*.vl.json"))


def test_every_chart_is_an_svg_in_its_page_and_a_file_beside_it(html_pages, sample_site):
    """Each chart container holds the SVG drawn at build time, byte for byte the chart-<id>.svg beside the page,
    an image named by the chart's title; no page is left with a mark where an SVG should be."""
    charts = 0
    for rel, (text, _) in html_pages.items():
        assert "<!--wres:svg:" not in text, rel
        for chart_id, svg in re.findall(r'<div class="wres-chart" id="fig-[^"]+-plot" data-charts="charts.json" '
                                        r'data-chart="([^"]+)">(<svg .*?</svg>)</div>', text, re.S):
            charts += 1
            assert (sample_site / rel).with_name(f"chart-{chart_id}.svg").read_text(encoding="utf-8") == svg, rel
            assert f'role="img" aria-labelledby="fig-{chart_id}-title"><title id="fig-{chart_id}-title">' in svg
        assert text.count('class="wres-chart"') == text.count('<svg xmlns="http://www.w3.org/2000/svg" '
                                                              'xmlns:xlink="http://www.w3.org/1999/xlink" '
                                                              'class="wres-svg"'), rel
    assert charts > 100
