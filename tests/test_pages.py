"""The generated pages, without MkDocs: every address is written, data stay inert text, paths stay inside.

A small real data set (tests/helpers.py, the real validator and indicator
engine) is written with `write_pages` into a temporary docs folder and
each page is converted with Python-Markdown and the extensions mkdocs.yml
uses, which is what decides whether a name becomes markup.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import markdown
import pandas as pd
import pytest
from helpers import write_valid_data

from generator.compute.results import compute
from generator.ingest.validate import validate_path
from generator.model.problems import error, warning
from generator.model.release import release_of
from generator.model.settings import Settings
from generator.site import text
from generator.site.markers import FINISHED
from generator.site.pages import html as page_html
from generator.site.pages.write import write_pages

SCRIPT = "<script>alert(1)</script>"
MD_LINK = "[x](javascript:alert(1))"
HOSTILE_NAME = f"Evil {SCRIPT} Trust {MD_LINK} *em* {{: onclick=alert(1)}} &amp; | pipe"
EXTENSIONS = ["toc", "tables", "admonition", "attr_list"]


def _front_matter(md: str) -> tuple[dict, str]:
    import yaml

    m = re.match(r"---\n(.*?)\n---\n", md, re.S)
    assert m, "every generated page starts with front matter"
    return yaml.safe_load(m.group(1)), md[m.end():]


def _html(md: str) -> str:
    return markdown.markdown(_front_matter(md)[1], extensions=EXTENSIONS)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = write_valid_data(tmp_path_factory.mktemp("pages") / "data")
    dataset = validate_path(root)
    settings = Settings()
    results = compute(dataset, settings)
    return dataset, results, settings


def _write(dataset, results, settings, docs: Path):  # noqa: ANN001
    release = release_of(dataset, True)
    downloads = SimpleNamespace(changes=pd.DataFrame())
    return write_pages(dataset, results, docs, settings, release, downloads)


@pytest.fixture(scope="module")
def written(small, tmp_path_factory):
    dataset, results, settings = small
    docs = tmp_path_factory.mktemp("docs")
    paths = _write(dataset, results, settings, docs)
    return dataset, docs, paths


def test_every_address_of_outputs_md_is_written(written):
    dataset, docs, paths = written
    expected = ["index.md", "regions/index.md", "regions/london.md", "regions/north-west.md", "systems/index.md",
                "organisations/index.md", "indicators/index.md", "data-quality.md"]
    expected += [f"indicators/{n}.md" for n in range(1, 10)]
    for code in dataset.register["org_code"]:
        expected.append(f"organisations/{code}/index.md")
    for code, year in zip(dataset.returns["org_code"], dataset.returns["year"]):
        expected.append(f"organisations/{code}/{year}.md")
    for system in dataset.register["system_code"].dropna().unique():
        expected.append(f"systems/{system}.md")
    for rel in expected:
        assert (docs / rel).is_file(), rel
    assert all(Path(p).is_file() for p in paths)
    assert not (docs / "assets/javascripts/vega.js").exists()  # charts are SVG drawn at build time


def test_pages_convert_and_headings_are_in_order(written):
    dataset, docs, _ = written
    for path in sorted(docs.rglob("*.md")):
        html = _html(path.read_text(encoding="utf-8"))
        levels = [int(h) for h in re.findall(r"<h([1-6])", html)]
        assert levels and levels[0] == 1 and levels.count(1) == 1, path
        for a, b in zip(levels, levels[1:]):
            assert b <= a + 1, f"{path}: heading h{a} followed by h{b}"


def test_generated_pages_are_finished_html(written):
    """After the front matter, a generated page is finished HTML: headings with their ids, at most one
    introductory paragraph, and raw blocks (one per section, never nested) that the MkDocs hook keeps out
    of the search index. Nothing is left for Python-Markdown."""
    _, docs, paths = written
    for path in paths:
        if path.suffix != ".md":
            continue
        body = _front_matter(path.read_text(encoding="utf-8"))[1].lstrip("\n")
        assert body.startswith(FINISHED + "\n"), path
        blocks = re.findall(r"<!--wres:raw-->(.*?)<!--/wres:raw-->", body, re.S)
        assert blocks, path
        assert not any("<!--wres:raw-->" in b for b in blocks), path  # markers never nest
        rest = re.sub(r"<!--wres:raw-->.*?<!--/wres:raw-->", "", body[len(FINISHED):], flags=re.S)
        assert "wres:raw" not in rest, path
        lines = [line for line in rest.splitlines() if line.strip()]
        assert all(re.fullmatch(r'<h([1-6]) id="[^"]+">.*</h\1>|<p( class="[^"]+")?>.*</p>', line)
                   for line in lines), (path, lines)
        assert sum(line.startswith("<p") for line in lines) <= 1, (path, lines)  # the one introduction
    md = (docs / "organisations/XAA01/index.md").read_text(encoding="utf-8")
    assert '\n<p class="wres-facts">ODS code <strong>XAA01</strong>' in md  # outside the raw blocks: found by search


def test_finished_pages_match_what_python_markdown_made(tmp_path):
    """The hook's fast path gives a page the content, table of contents and ids Python-Markdown gave the
    same page written as Markdown: headings with entities, accents, duplicates and an empty slug included."""
    from mkdocs.structure.toc import get_toc

    from generator.integration import rendering
    from generator.integration.plugin import WresPlugin

    blocks = [page_html.front_matter("T"), page_html.heading(1, "Barts &amp; The London"),
              page_html.intro('Code <strong>R1H</strong> · <a href="../x/">region</a>', "wres-facts"),
              "<p>Prose</p>", "<table><caption>c</caption></table>",
              page_html.heading(2, "Trends"), text.raw_block("<p>more</p>"), page_html.heading(2, "Trends"),
              page_html.heading(3, "Ça va? 50% (all)"), page_html.heading(2, "?"), page_html.heading(2, "?"), "<p>end</p>"]
    finished = page_html.compose(blocks)

    # The same page as Markdown, as it was written before pages became finished HTML.
    def as_md(block) -> str:  # noqa: ANN001
        if isinstance(block, page_html.Heading):
            return f"{'#' * block.level} {block.text}"
        return block.html + (f"\n{{: .{block.cls} }}" if block.cls else "")

    md_blocks, run = [], []
    for block in blocks[1:]:
        if isinstance(block, (page_html.Heading, page_html.Intro)):
            if run:
                md_blocks.append(text.raw_block("\n".join(b.replace(text.RAW_OPEN, "").replace(text.RAW_CLOSE, "")
                                                           for b in run)))
                run = []
            md_blocks.append(as_md(block))
        else:
            run.append(block)
    md_blocks.append(text.raw_block("\n".join(run)))
    as_markdown = "\n\n".join(md_blocks) + "\n"

    def render(source: str, fast: bool):
        page = SimpleNamespace(meta={}, file=SimpleNamespace(src_uri="organisations/XAA01/index.md"))
        plugin = WresPlugin()
        plugin.load_config({})  # as mkdocs.yml gives it: `wres: {}`
        lifted = plugin.on_page_markdown(source, page=page, config=None, files=None)
        if fast:
            assert callable(vars(page).get("render"))  # the hook took over rendering
            page.markdown = lifted
            page.render(None, None)
            return page.content, page.toc, page
        assert "render" not in vars(page)
        md = markdown.Markdown(extensions=["toc", "tables", "admonition", "attr_list"],
                               extension_configs={"toc": {"permalink": False}})
        return md.convert(lifted), get_toc(md.toc_tokens), page

    slow_content, slow_toc, slow_page = render(as_markdown, fast=False)
    body = finished.split("---\n\n", 1)[1]
    fast_content, fast_toc, fast_page = render(body, fast=True)
    assert fast_content == slow_content
    assert str(fast_toc) == str(slow_toc) and "#trends_1" in str(fast_toc) and "#_1" in str(fast_toc)
    assert rendering.restore(fast_content, fast_page) == rendering.restore(slow_content, slow_page)


def test_tables_have_captions_and_scoped_headers(written):
    _, docs, _ = written
    for path in sorted(docs.rglob("*.md")):
        html = _html(path.read_text(encoding="utf-8"))
        for table in re.findall(r"<table.*?</table>", html, re.S):
            assert "<caption>" in table, path
            assert re.search(r'<th scope="col"', table), path
            assert "<th>" not in table, f"{path}: a header cell without scope"


def test_organisation_page_says_what_figures_mean(written):
    dataset, docs, _ = written
    code = "XAA01"
    md = (docs / f"organisations/{code}/index.md").read_text(encoding="utf-8")
    assert "times as likely" in md
    assert "non-adverse range" in md
    for year in (2023, 2024):
        assert f'href="{year}/"' in md  # each year's return page
    assert "../../downloads/indicators.csv" in md
    assert f"../../api/organisations/{code}.json" in md
    # the page's charts are in two files beside it (every spec, every point), not inline JSON
    page = docs / f"organisations/{code}"
    specs = json.loads((page / "charts.json").read_text(encoding="utf-8"))
    assert len(specs) >= 9
    assert re.findall(r'data-charts="charts\.json" data-chart="([^"]+)"', md) == list(specs)  # the page's order
    with (page / "charts.csv").open(encoding="utf-8", newline="") as f:
        in_csv = list(dict.fromkeys(row["chart"] for row in csv.DictReader(f)))
    assert in_csv == list(specs)
    assert not (page / "charts").exists()
    assert '"$schema"' not in md


def test_returns_link_back_and_offer_a_link_to_copy(written):
    dataset, docs, _ = written
    md = (docs / "organisations/XAA01/2024.md").read_text(encoding="utf-8")
    assert 'href="../"' in md
    assert "/organisations/XAA01/2024/" in md  # the address to copy
    fm, _ = _front_matter(md)
    assert fm["search"]["exclude"] is True
    assert "headcount by staff group, band and ethnicity" in md


def test_text_escaping_makes_data_inert():
    out = text.esc(HOSTILE_NAME)
    html = markdown.markdown(f"# {out}\n\n<p>{out}</p>\n\nplain {out}", extensions=EXTENSIONS)
    assert "<script" not in html and "<a " not in html and "href=" not in html and "<em>" not in html
    assert "onclick=" not in html and "javascript:" not in html
    assert "Evil &#60;script&#62;" in html  # shown, as text


def test_only_http_urls_become_links():
    assert text.link("javascript:alert(1)", "x") == "x"
    assert text.link("JaVaScRiPt:alert(1)", "x") == "x"
    assert text.link("data:text/html,hi", "x") == "x"
    assert text.link('https://example.org/"onmouseover=alert(1)', "x") == "x"
    assert text.link("//example.org", "x") == "x"
    assert text.link("https://example.org/report.pdf", "x").startswith('<a href="https://example.org/report.pdf"')


def test_relative_links():
    assert text.rel("organisations/ABC/", "downloads/indicators.csv") == "../../downloads/indicators.csv"
    assert text.rel("", "organisations/") == "organisations/"
    assert text.rel("organisations/ABC/2024/", "organisations/ABC/") == "../"
    assert text.rel("regions/london/", "methodology/") == "../../methodology/"


class _Live(__import__("html.parser").parser.HTMLParser):
    """Collects what would be live in a browser: elements and attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.append(tag)
        self.attrs += [(k, v or "") for k, v in attrs]


def assert_inert(html: str, where: object) -> None:
    live = _Live()
    live.feed(html)
    assert "script" not in live.tags, where
    assert "iframe" not in live.tags and "img" not in live.tags, where
    for k, v in live.attrs:
        assert not k.startswith("on"), (where, k, v)
        if k in ("href", "src", "action"):
            assert not v.strip().lower().startswith(("javascript", "data:", "vbscript")), (where, k, v)


def _hostile(dataset):  # noqa: ANN001, ANN202
    register = dataset.register.copy()
    for col in ("org_name", "system_name", "website"):
        register[col] = register[col].astype(object)
    first = register["org_code"] == "XAA01"
    register.loc[first, "org_name"] = HOSTILE_NAME
    register.loc[first, "system_name"] = HOSTILE_NAME
    register.loc[first, "website"] = "javascript:alert(1)"
    # an http(s) address is linked, so it must stay inert wherever the page is Markdown (the introduction)
    register.loc[register["org_code"] == "XAB02", "website"] = f"https://example.org/{MD_LINK}![i](javascript:x)"
    returns = dataset.returns.copy()
    for col in ("report_url", "action_plan_url"):
        returns[col] = returns[col].astype(object)
    returns.loc[returns["org_code"] == "XAA01", "report_url"] = "javascript:alert(1)"
    returns.loc[returns["org_code"] == "XAA01", "action_plan_url"] = MD_LINK
    # a return whose code would walk out of the docs folder, left out with a hostile message
    bad = returns.iloc[[0]].copy()
    bad["org_code"] = "../../../evil"
    bad["status"] = "left_out"
    returns = pd.concat([returns, bad], ignore_index=True)
    problems = list(dataset.problems) + [
        error("x", "2024/workforce.csv", f"bad {SCRIPT} {MD_LINK}", row=3, org_code="../../../evil", year=2024),
        warning("y", "2024/board.csv", f"odd {SCRIPT}", row=2, field=SCRIPT, org_code="XAA01", year=2024),
    ]
    return replace(dataset, register=register, returns=returns, problems=problems)


def test_hostile_data_never_becomes_markup_or_escapes_the_folder(small, tmp_path):
    dataset, results, settings = small
    hostile = _hostile(dataset)
    docs = tmp_path / "site" / "docs"
    _write(hostile, results, settings, docs)
    assert not (tmp_path / "evil").exists() and not any(tmp_path.parent.glob("evil*"))
    assert not any("evil" in p.as_posix() for p in docs.rglob("*"))
    seen_name = False
    for path in sorted(docs.rglob("*.md")):
        md = path.read_text(encoding="utf-8")
        fm, _ = _front_matter(md)
        assert "<script" not in fm["title"]
        html = _html(md)
        assert_inert(html, path)
        if "Evil &#60;script&#62;" in html or "Evil &lt;script&gt;" in html:
            seen_name = True
    assert seen_name, "the hostile name is shown, as text"
    # chart specs carry the name as a JSON string (Vega draws text, never HTML)
    specs = list(docs.rglob("charts.json"))
    assert specs
    for spec in specs:
        json.loads(spec.read_text(encoding="utf-8"))


def test_left_out_return_gets_a_page_saying_why(small, tmp_path):
    dataset, results, settings = small
    returns = dataset.returns.copy()
    sel = (returns["org_code"] == "XAB02") & (returns["year"] == 2024)
    returns.loc[sel, "status"] = "left_out"
    problems = list(dataset.problems) + [error("appointed_gt_shortlisted", "2024/recruitment.csv",
                                               "appointed (12) is more than shortlisted (10)", row=4,
                                               org_code="XAB02", year=2024)]
    ds = replace(dataset, returns=returns, problems=problems)
    docs = tmp_path / "docs"
    _write(ds, results, settings, docs)
    import html

    page = html.unescape(_html((docs / "organisations/XAB02/2024.md").read_text(encoding="utf-8")))
    assert "left out" in page and "appointed (12) is more than shortlisted (10)" in page
    dq = html.unescape(_html((docs / "data-quality.md").read_text(encoding="utf-8")))
    assert "organisations/XAB02/2024/" in dq and "appointed (12) is more than shortlisted (10)" in dq


def test_writing_is_deterministic(small, tmp_path):
    dataset, results, settings = small
    a, b = tmp_path / "a", tmp_path / "b"
    _write(dataset, results, settings, a)
    _write(dataset, results, settings, b)
    assert any(p.name == "charts.json" for p in a.rglob("*"))
    files_a = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    assert files_a == files_b
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


@pytest.mark.slow
def test_hostile_data_stays_inert_through_the_theme(small, tmp_path):
    """The validator rejects markup in names, but the pages must not rely on it: build hostile pages with MkDocs."""
    import shutil
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    dataset, results, settings = small
    docs = tmp_path / "docs"
    shutil.copytree(root / "site_src" / "docs", docs)
    _write(_hostile(dataset), results, settings, docs)
    site = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "generator.integration.run", "--config-file", str(root / "mkdocs.yml"),
                           "--docs-dir", str(docs), "--site-dir", str(site)], cwd=root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    pages_ = sorted(site.rglob("*.html"))
    assert len(pages_) > 20
    for path in pages_:
        html = path.read_text(encoding="utf-8")
        # the theme's own inline scripts are fine; none may come from the data
        body = re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.S)
        assert_inert(body, path)
        assert "<script>alert" not in html and "alert(1)</script>" not in html, path
    index = (site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "<script>alert" not in index
    # the http(s) website in the (Markdown) introduction is still exactly its address, and the only link made
    page = (site / "organisations" / "XAB02" / "index.html").read_text(encoding="utf-8")
    live = _Live()
    live.feed(page)
    assert ("href", f"https://example.org/{MD_LINK}![i](javascript:x)") in live.attrs


def test_withheld_counts_are_not_shown_when_withholding_is_set(small, tmp_path):
    dataset, _, _ = small
    settings = Settings(withhold_below=10)
    results = compute(dataset, settings)
    docs = tmp_path / "docs"
    _write(dataset, results, settings, docs)
    md = (docs / "organisations/XAA01/2024.md").read_text(encoding="utf-8")
    assert "withheld: a small number" in md
    wf = dataset.tables["workforce"]
    small_counts = wf[(wf["org_code"] == "XAA01") & (wf["year"] == 2024) & (wf["headcount"] < 10)]
    assert len(small_counts)  # the fixture has small counts to withhold
    assert "Counts below 10" in md


def test_organisations_index_is_complete_without_javascript(written):
    dataset, docs, _ = written
    md = (docs / "organisations/index.md").read_text(encoding="utf-8")
    html = _html(md)
    for code in dataset.register["org_code"]:
        assert f'href="{code}/"' in html
    assert '<div class="wres-filter" hidden>' in html  # the box appears only when the script can make it work
    assert 'id="wres-orgs"' in html and "wres-sortable" in html


@pytest.mark.parametrize("indicator,measure,row,expected", [
    (2, "relative_likelihood", {"year": 2024, "value": 1.5, "status": "ok", "flags": "adverse_to_bme;significant",
                                "ci_lower": 1.2, "ci_upper": 1.9}, ["1.50 times as likely", "adverse to BME staff",
                                                                     "statistically significant"]),
    (3, "relative_likelihood_2yr", {"year": 2024, "value": 1.1, "status": "ok", "flags": "within_range",
                                    "ci_lower": 0.9, "ci_upper": 1.3}, ["within the non-adverse range", "could be chance"]),
    (3, "relative_likelihood", {"year": 2024, "value": 0.0, "status": "ok", "flags": "adverse_to_white",
                                "ci_lower": 0.0, "ci_upper": 4.5, "rate_white": 0.42, "rate_bme": 0.0},
     ["no BME staff", "relative likelihood is 0", "95% interval 0.00 to 4.50", "0.5 added to each count"]),
    (2, "relative_likelihood", {"year": 2024, "value": 1.22, "status": "ok", "flags": "within_range;significant",
                                "ci_lower": 1.19, "ci_upper": 1.26, "rate_white": 24.6, "rate_bme": 20.1},
     ["1.22 times as likely", "24.60% of White shortlisted applicants were appointed, against 20.10% of BME"]),
    (2, "relative_likelihood", {"year": 2024, "value": None, "status": "not_calculable", "rate_white": 22.61,
                                "rate_bme": 0.0, "reason": "no BME shortlisted applicant was appointed"},
     ["could not be calculated", "22.61% of White shortlisted applicants were appointed, against 0.00% of BME"]),
    (9, "gap_pp_voting", {"year": 2024, "value": 4.0, "status": "ok", "flags": ""},
     ["voting board members", "more diverse than the workforce"]),
    (4, "relative_likelihood", {"year": 2024, "value": None, "status": "not_calculable",
                                "reason": "no BME staff accessed training"}, ["could not be calculated",
                                                                              "no BME staff accessed training"]),
    (7, "gap_pp", {"year": 2024, "value": -8.0, "status": "ok", "flags": "significant", "ci_lower": -11,
                   "ci_upper": -5}, ["8.0 percentage points fewer BME staff", "BME staff fare worse",
                                     "In 2024 (NHS Staff Survey, autumn 2023)"]),
    (6, "gap_pp", {"year": 2024, "value": 2.0, "status": "ok", "flags": "", "ci_lower": -1, "ci_upper": 5},
     ["could be chance"]),
    (9, "gap_pp_all", {"year": 2024, "value": -5.0, "status": "ok", "flags": ""}, ["less diverse than the staff"]),
    (1, "senior_gap_pp", {"year": 2024, "value": 7.5, "status": "ok", "flags": ""}, ["7.5 percentage points lower",
                                                                                    "under-represented"]),
    (5, "gap_pp", {"year": 2020, "value": None, "status": "not_collected", "reason": "not collected in 2020"},
     ["was not collected"]),
])
def test_plain_english_sentences(indicator, measure, row, expected):
    said = text.sentence(indicator, measure, row, "Trust X")
    for words in expected:
        assert words in said, said


def test_the_hook_lifts_raw_blocks_as_the_pattern_says():
    """rendering.lift finds raw blocks with str.find; it must agree with the regular expression it replaced
    on any text: unclosed, empty and adjacent markers, and search-exclusion attributes."""
    import random

    from generator.integration import rendering

    def by_pattern(text: str, finished: bool):
        blocks = []

        def lift(m):
            blocks.append(rendering._SEARCH_ATTR.sub("", m.group(1)))
            slot = f"<!--wres-slot-{len(blocks) - 1}-->"
            return f"{slot}\n" if finished else f"\n\n{slot}\n\n"

        return re.sub(r"<!--wres:raw-->(.*?)<!--/wres:raw-->", lift, text, flags=re.S), blocks

    rng = random.Random(6)
    parts = [text.RAW_OPEN, text.RAW_CLOSE, "a", '<p data-search-exclude="">x</p>', "\n", "<!--wres:raw", "<h2>"]
    for _ in range(5000):
        sample = "".join(rng.choice(parts) for _ in range(rng.randint(0, 12)))
        for finished in (True, False):
            assert rendering.lift(sample, finished) == by_pattern(sample, finished), sample


def test_csp_hashes_the_theme_scripts_not_a_script_in_a_finished_block():
    """The Content-Security-Policy is computed before the finished blocks go back in: a script that reached
    a block (it never should: data are escaped) would not be allowed to run."""
    import base64
    import hashlib

    from generator.integration.plugin import WresPlugin

    hooks = WresPlugin()
    hooks.load_config({})  # as mkdocs.yml gives it: `wres: {}`

    def token(body: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"

    page = SimpleNamespace(meta={}, file=SimpleNamespace(src_uri="organisations/XAA01/index.md"))
    body = hooks.on_page_markdown(FINISHED + "\n<h1 id=\"t\">T</h1>\n"
                                  + text.raw_block("<p>x</p><script>alert(1)</script>") + "\n",
                                  page=page, config=None, files=None)
    theme = ('<html lang="en"><head><meta http-equiv="Content-Security-Policy" content="__WRES_CSP__">'
             "<script>var theme = 1;</script></head><body>" + body + "</body></html>")
    out = hooks.on_post_page(theme, page=page, config=None)
    policy = re.search(r'content="([^"]*)"', out).group(1)
    assert token("var theme = 1;") in policy
    assert token("alert(1)") not in policy and "<script>alert(1)</script>" in out  # restored, not allowed
    assert '<html lang="en-GB"' in out
