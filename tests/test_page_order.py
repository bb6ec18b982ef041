"""Pages lead with what matters (issue 17), on the bundled data, pages written without MkDocs.

The home page opens with a few main facts in words before any table or chart; long pages put every
table before the first chart; the short tables that stack into blocks on a phone label every cell
with its column's name, and carry the table roles a browser may drop once they are blocks.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.site.pages.html import table
from generator.site.text import sentence

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def docs(bundled_pages):
    """The bundled data's pages folder (shared, read-only: see conftest.bundled_pages)."""
    return bundled_pages[2]


def test_home_page_opens_with_three_to_five_main_facts_before_any_table_or_chart(docs):
    home = (docs / "index.md").read_text(encoding="utf-8")
    facts = home.index(">Main facts and figures, ")
    assert facts < home.index("<table") and facts < home.index('class="wres-figure"')
    items = re.search(r'<ul class="wres-main-facts">(.*?)</ul>', home, re.S).group(1).split("<li>")[1:]
    assert 3 <= len(items) <= 5
    # The facts are England's own sentences (which carry only the verdicts their rules earn) and a count.
    england = [i for i in items if "NHS organisations in England" in i]
    assert len(england) >= 3 and any("clearly outside" in i for i in items)


@pytest.mark.parametrize("pattern", ["index.md", "regions/*.md", "systems/*.md", "organisations/*/index.md"])
def test_long_pages_put_their_tables_before_their_charts(docs, pattern):
    checked = 0
    for path in sorted(docs.glob(pattern)):
        md = path.read_text(encoding="utf-8")
        if 'class="wres-figure"' not in md:
            continue
        first_chart = md.index('class="wres-figure"')
        outside_charts = re.sub(r'<figure class="wres-figure".*?</figure>', "", md, flags=re.S)
        last_table = outside_charts.rindex('<div class="wres-scroll"')
        assert last_table < first_chart, f"{path.relative_to(docs)}: a table comes after the first chart"
        checked += 1
    assert checked, f"no page with charts matches {pattern}"


def test_stacked_tables_label_every_cell_and_keep_table_roles(docs):
    stacked = 0
    for path in sorted(docs.rglob("*.md")):
        for t in re.findall(r'<table class="wres-table[^"]*wres-stack".*?</table>', path.read_text(encoding="utf-8"), re.S):
            stacked += 1
            assert 'role="table"' in t and 'role="row"' in t
            heads = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', t)
            for row in re.findall(r"<tbody[^>]*>(.*?)</tbody>", t, re.S)[0].split("</tr>")[:-1]:
                labels = re.findall(r'<td role="cell" data-label="([^"]*)"', row)
                assert labels and all(labels), f"{path.relative_to(docs)}: a stacked cell without its column's name"
                assert len(labels) + row.count('scope="row"') == len(heads)
    assert stacked > 50  # headline figures of every organisation, group and return page at least


def test_a_stacked_cell_is_labelled_with_its_column_as_text():
    html = table("T", ["Indicator", 'Figure <span class="x">(95%)</span>', "A &amp; B"], [["1", "2", "3"]], stack=True)
    assert '<td role="cell" data-label="Figure (95%)">2</td>' in html
    assert '<td role="cell" data-label="A &amp; B">3</td>' in html
    plain = table("T", ["a", "b"], [["1", "2"]])
    assert "data-label" not in plain and "role=" not in plain.replace('role="region"', "")


def test_main_facts_repeat_no_sentence_of_the_list_under_the_table(docs):
    home = (docs / "index.md").read_text(encoding="utf-8")
    facts = re.search(r'<ul class="wres-main-facts">(.*?)</ul>', home, re.S).group(1)
    rest = re.search(r'<ul class="wres-sentences">(.*?)</ul>', home, re.S).group(1)
    for item in facts.split("<li>")[1:]:
        assert item.removesuffix("</li>") not in rest
    assert sentence  # the facts come from text.sentence (see england.main_facts)
