"""Issue 14 on the pages: every verdict backed by its rule, on the bundled data (pages written, no MkDocs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.site.pages.figures import change_cell

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(bundled_pages):
    """The bundled data's pages (shared, read-only: see conftest.bundled_pages)."""
    return bundled_pages


def _text(path: Path) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")).split())


def test_group_pages_say_how_each_figure_was_made_and_who_is_missing(site):
    _, _, docs = site
    for page in ["index.md", *sorted(str(p.relative_to(docs)) for p in (docs / "regions").glob("*.md")
                                     if p.name != "index.md")]:
        t = _text(docs / page)
        assert "Things you need to know" in t, page
        assert "summed counts" in t and ("plain mean" in t or "weighted by respondents" in t), page
        assert "Staff Survey of the autumn of" in t, page
    assert "larger than chance alone would explain" not in _text(docs / "index.md")


def test_headline_cells_show_rates_labels_voting_and_missing_intervals(site):
    _, results, docs = site
    ind = results.indicators
    two = ind[(ind["level"] == "organisation") & (ind["measure"] == "relative_likelihood_2yr") & (ind["status"] == "ok")]
    code, year = two.iloc[-1]["code"], int(two.iloc[-1]["year"])
    t = _text(docs / f"organisations/{code}/{year}.md")
    assert f"Two-year figure: {year - 1} and {year} pooled. {year} alone:" in t
    assert "of White shortlisted applicants were appointed, against" in t
    assert re.search(r"voting [−+]?[\d.]+ pp; executive .*; all members", t)
    assert "(no interval)" in t  # indicator 1 and 9 have none, and the column heading says "where there is one"
    assert "Figure (95% interval, where there is one)" in t


def test_no_bme_appointed_shows_both_rates_and_the_pooled_figure(site):
    _, _, docs = site
    t = _text(docs / "organisations/XT30/2024.md")
    assert "no BME shortlisted applicant was appointed" in t  # the reason printed, not only in a tooltip
    assert "All years pooled (2019 to 2024): 45 of 199 White and 1 of 27 BME shortlisted applicants" in t
    assert "a relative likelihood of 6.11" in t


def test_untested_changes_say_not_tested_and_verdicts_only_where_tested(site):
    _, results, docs = site
    md = "\n".join(p.read_text(encoding="utf-8") for p in (docs / "organisations").rglob("*.md"))
    assert "wres-trend--not_tested" in md
    ind = results.indicators
    assert not ind[ind["trend"].isin(["improved", "worsened"]) & ind["flags"].str.contains("trend_untested")].shape[0]


def test_likelihood_pages_count_the_clearly_outside(site):
    _, results, docs = site
    t = _text(docs / "indicators/3.md")
    ind = results.indicators
    y = int(ind["year"].max())
    rows = ind[(ind["level"] == "organisation") & (ind["year"] == y) & ind["headline"] & (ind["indicator"] == 3)
               & (ind["status"] == "ok")]
    clear = rows[(rows["ci_lower"] > 1.25) | (rows["ci_upper"] < 0.8)]
    assert f"For {len(clear):,} of them the whole 95% interval is outside the range too" in t


def test_goals_never_say_one_in_one_and_small_groups_get_no_goal(site):
    _, results, docs = site
    md = "\n".join(p.read_text(encoding="utf-8") for p in (docs / "organisations").glob("*/index.md"))
    assert "1 in 1 " not in md and "about 0." not in md
    g = results.goals
    assert (g.loc[g["N"] < 20, "status"].isin(["too_small", "not_calculable"])).all()
    if (g["status"] == "too_small").any():
        assert "fewer than 20 posts" in md
    assert "If 5% of posts turned over each year" in md and "national baseline" in md


def test_methodology_states_every_rule_the_pages_link_to():
    md = (ROOT / "site_src/docs/methodology.md").read_text(encoding="utf-8")
    for anchor in ("changes-from-year-to-year", "rounding", "zero-counts", "group-figures", "no-interval",
                   "warned-figures", "bme", "revisions", "checklist", "peers"):
        assert "{#" + anchor + "}" in md, anchor
    for words in ("minimum meaningful change", "0.5 is added to each of the four counts", "White minority groups",
                  "What the percentile means", "Classes are worked out on the figure as"):
        assert words in md, words
    assert (ROOT / "tests/STATISTICS_CHECKLIST.md").is_file()


def test_a_move_across_parity_is_described_as_what_it_is():
    cell = change_cell(4, "relative_likelihood", {"value": 0.96, "previous_value": 1.04, "change": -0.08,
                                                       "trend": "no_clear_change", "flags": ""})
    assert "1.04 (rate higher for White staff) → 0.96 (rate higher for BME staff): crossed 1 (parity)" in cell
    # indicator 3 is BME over White: above 1 the BME rate is higher
    cell = change_cell(3, "relative_likelihood", {"value": 0.9, "previous_value": 1.1, "change": -0.2,
                                                       "trend": "not_tested", "flags": ""})
    assert "1.10 (rate higher for BME staff) → 0.90 (rate higher for White staff)" in cell
    assert ">Not tested<" in cell and "Improved" not in cell and "Worsened" not in cell
    cell = change_cell(2, "relative_likelihood", {"value": 1.01, "previous_value": 1.56, "change": -0.55,
                                                       "trend": "improved", "flags": "validator_warning"})
    assert ">Improved<" in cell and "validator warned" in cell


def test_a_survey_gap_with_no_interval_gets_no_verdict_word(site):
    """A survey gap without an interval (a plain mean of organisations, or no respondent counts) says its size and
    direction and 'not tested'; only a gap whose interval excludes 0 is called worse."""
    from generator.site.text import CLASS_LABELS, judgement

    cls, words = judgement(5, "gap_pp", 2.4, "", None, None)
    assert cls == "untested_gap" and "not tested" in words and "worse" not in words.lower()
    assert judgement(5, "gap_pp", 2.4, "", 0.5, 4.3)[0] == "worse_for_bme"
    assert judgement(5, "gap_pp", 2.4, "", -0.5, 4.3)[0] == "unclear"
    _, _, docs = site
    t = _text(docs / "index.md")  # England's survey figures are plain means with no interval in the bundled data
    head = t.split("Harassment from the public", 1)[1][:200]
    assert CLASS_LABELS["untested_gap"] in head and "Worse for BME" not in head, head


def test_every_not_calculable_or_withheld_figure_prints_its_reason_in_every_table(site):
    """A phone has no hover: in dense tables as in full ones the reason is printed beside the word, not only
    in a tooltip."""
    _, _, docs = site
    cell = re.compile(r'<span class="wres-na" title="[^"]*">(not calculable|withheld)</span>(.{0,40})', re.S)
    seen = 0
    for page in docs.rglob("*.md"):
        for m in cell.finditer(page.read_text(encoding="utf-8")):
            seen += 1
            assert m.group(2).startswith(' <span class="wres-reason">('), (page, m.group(0))
    assert seen > 0
