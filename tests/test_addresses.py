"""Links that work where they are pasted (issue 19): site_url, badge and chart snippets, the About page."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from generator.build.pipeline import run_build
from generator.model.errors import BuildError
from generator.model.settings import Settings, SettingsError, load_settings, publication_problem
from generator.publish.badges import chart_embed_html, embed_html
from generator.site.about import ABOUT_MARKER, fill_about, publisher_section

ROOT = Path(__file__).resolve().parent.parent


def config_with(tmp_path: Path, **wres: str) -> Path:
    """The project's mkdocs.yml with some extra.wres settings changed, in a project folder of its own."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for key, value in wres.items():
        text, n = re.subn(rf"(?m)^    {key}: .*$", f"    {key}: {value}", text)
        assert n == 1, key
    project = tmp_path / "project"
    project.mkdir()
    (project / "mkdocs.yml").write_text(text, encoding="utf-8")
    (project / "site_src").symlink_to(ROOT / "site_src")
    (project / "generator").symlink_to(ROOT / "generator")
    return project / "mkdocs.yml"


def test_real_data_without_site_url_is_refused_saying_how_to_set_it(tmp_path):
    config = config_with(tmp_path, demonstration="false")
    with pytest.raises(BuildError, match=r"no site_url.*extra: wres:.*site_url: https://") as caught:
        run_build(ROOT / "data", tmp_path / "site", config=config, progress=False)
    assert "\n" not in str(caught.value) and not (tmp_path / "site").exists()
    assert publication_problem(Settings(demonstration=True)) is None  # the bundled demonstration data
    assert publication_problem(Settings(demonstration=False, site_url="https://wres.example.org/")) is None


def test_site_url_is_one_address(tmp_path):
    cfg = tmp_path / "mkdocs.yml"
    cfg.write_text("site_name: x\nsite_url: https://wres.example.org\nextra:\n  wres:\n    demonstration: false\n")
    assert load_settings(cfg).site_url == "https://wres.example.org/"  # MkDocs' own site_url is read too
    cfg.write_text("site_url: https://a.example/\nextra:\n  wres:\n    site_url: https://b.example/\n")
    with pytest.raises(SettingsError, match="differ"):
        load_settings(cfg)
    cfg.write_text("extra:\n  wres:\n    site_url: wres.example.org\n")
    with pytest.raises(SettingsError, match="starting https://"):
        load_settings(cfg)


def test_snippets_are_absolute_with_site_url():
    badge = embed_html("RR8", 2024, "https://wres.example.org/", status="published")
    assert 'href="https://wres.example.org/organisations/RR8/2024/"' in badge
    assert 'src="https://wres.example.org/organisations/RR8/2024/badge.svg"' in badge
    chart = chart_embed_html("RR8", 2024, "https://wres.example.org", "organisations/RR8/chart-representation.svg",
                             'BME share at "Leeds"')
    assert 'href="https://wres.example.org/organisations/RR8/2024/"' in chart
    assert 'src="https://wres.example.org/organisations/RR8/chart-representation.svg"' in chart
    assert 'alt="BME share at &quot;Leeds&quot;"' in chart
    for bad in ("../../secret.svg", "organisations/RR8/../../x.svg", "https://elsewhere.example/x.svg"):
        with pytest.raises(ValueError):
            chart_embed_html("RR8", 2024, "", bad, "x")


def test_about_section_names_the_publisher_and_escapes_it():
    s = Settings(publisher="NHS <b>Example</b> Trust [team]", report_errors_to="javascript:alert(1)",
                 source_code_url="https://git.example.org/open-wres")
    text = publisher_section(s)
    assert "published by NHS &lt;b&gt;Example&lt;/b&gt; Trust \\[team\\]" in text
    assert 'href="javascript' not in text and "javascript:alert(1)." in text  # shown, never a link
    assert '<a href="https://git.example.org/open-wres">' in text
    assert '<a href="mailto:errors@example.org">' in publisher_section(Settings(report_errors_to="errors@example.org"))
    blank = publisher_section(Settings())
    assert "`publisher` setting" in blank and "`report_errors_to` setting" in blank and "fictional" in blank
    about = (ROOT / "site_src" / "docs" / "about.md").read_text(encoding="utf-8")
    assert about.count(ABOUT_MARKER) == 1 and ABOUT_MARKER not in fill_about(about, s)


def _copy_blocks(page: str) -> list[str]:
    return [html.unescape(b) for b in re.findall(r'<pre class="wres-copy"><code>(.*?)</code></pre>', page, re.S)]


@pytest.mark.slow
def test_with_site_url_every_pasted_address_is_absolute(tmp_path):
    """A build of real data with site_url: no "copy this" address, badge or chart snippet is root-relative,
    the sitemap lists absolute addresses, and the About page names the publisher."""
    config = config_with(tmp_path, demonstration="false", site_url='"https://wres.example.org"',
                         publisher='"NHS Example Trust"', report_errors_to='"wres@example.org"')
    out = tmp_path / "site"
    run_build(ROOT / "data", out, config=config, progress=False)
    blocks = [b for page in sorted(out.rglob("*.html")) for b in _copy_blocks(page.read_text(encoding="utf-8"))]
    assert len(blocks) > 100
    for block in blocks:
        addresses = re.findall(r'(?:href|src)="([^"]*)"', block) or [block.strip()]
        assert all(a.startswith("https://wres.example.org/") for a in addresses), block
    # the chart snippet names a chart the site has: the organisation page's SVG
    charts = [a for b in blocks for a in re.findall(r'src="([^"]*\.svg)"', b) if "chart-" in a]
    assert charts and all((out / a.removeprefix("https://wres.example.org/")).is_file() for a in charts)
    locs = re.findall(r"<loc>(.*?)</loc>", (out / "sitemap.xml").read_text(encoding="utf-8"))
    assert len(locs) > 100 and all(loc.startswith("https://wres.example.org/") for loc in locs)
    about = (out / "about" / "index.html").read_text(encoding="utf-8")
    assert "published by NHS Example Trust" in about and 'href="mailto:wres@example.org"' in about
