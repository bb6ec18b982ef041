"""Corrections: figures that changed between releases, old beside new, on the pages and the changelog."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest
from download_fixtures import hand_results, make_data, release_for
from helpers import set_cell
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.build.pipeline import read_previous
from generator.compute import changes
from generator.ingest.validate import validate_path
from generator.model.settings import Settings
from generator.publish import changelog
from generator.publish.cellformat import format_number
from generator.publish.downloads import write_downloads


def _frame(rows):
    return pd.DataFrame(rows, columns=["year", "level", "code", "indicator", "measure", "breakdown", "value",
                                       "status"])


BASE = [
    [2024, "organisation", "XAA01", 2, "relative_likelihood", "all", 1.5, "ok"],
    [2024, "organisation", "XAA01", 1, "share_bme", "all", 20.0, "ok"],
    [2024, "organisation", "XAB02", 2, "relative_likelihood", "all", np.nan, "not_calculable"],
    [2024, "england", "ENG", 2, "relative_likelihood", "all", 1.2, "ok"],
]


def test_compare_finds_changed_added_removed_and_ignores_float_noise():
    old = _frame(BASE)
    new = _frame([
        [2024, "organisation", "XAA01", 2, "relative_likelihood", "all", 1.75, "ok"],            # changed
        [2024, "organisation", "XAA01", 1, "share_bme", "all", 20.0 + 1e-12, "ok"],             # noise
        [2024, "organisation", "XAB02", 2, "relative_likelihood", "all", np.nan, "not_calculable"],  # same
        [2024, "organisation", "XAB02", 1, "share_bme", "all", 9.0, "ok"],                      # added
    ])                                                                                          # ENG removed
    got = changes.compare(old, new)
    assert list(got.columns) == changes.COLUMNS
    kinds = {(r.code, r.indicator): r.change for r in got.itertuples()}
    assert kinds == {("ENG", 2): "removed", ("XAA01", 2): "changed", ("XAB02", 1): "added"}
    assert got["level"].iloc[0] == "england"  # England first
    row = got[got["code"] == "XAA01"].iloc[0]
    assert (row.old_value, row.new_value) == (1.5, 1.75)


def test_a_status_change_with_no_value_is_a_change():
    old = _frame([BASE[0]])
    new = _frame([[2024, "organisation", "XAA01", 2, "relative_likelihood", "all", np.nan, "suppressed"]])
    got = changes.compare(old, new)
    assert list(got["change"]) == ["changed"]
    md = "\n".join(changelog.table_rows(changelog.by_organisation(got)["XAA01"]))
    assert "| 2024 | 2 | relative_likelihood | all | 1.5 | suppressed |" in md


def test_an_organisation_has_no_change_when_nothing_changed_or_there_is_no_previous_release():
    got = changes.compare(_frame(BASE), _frame(BASE))
    assert got.empty and "XAA01" not in changelog.by_organisation(got)
    assert "XAA01" not in changelog.by_organisation(changes.empty())
    assert "XAA01" not in changelog.by_organisation(None)


def test_display_shows_enough_decimals_to_tell_old_from_new():
    old = _frame([BASE[0]])
    new = _frame([[2024, "organisation", "XAA01", 2, "relative_likelihood", "all", 1.5004, "ok"]])
    head, rows = changelog.row_cells(changelog.by_organisation(changes.compare(old, new))["XAA01"])
    assert rows[0][head.index("before"):] == ["1.5", "1.5004"]


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(min_value=-1e6, max_value=1e6) | st.just(float("nan")), min_size=1, max_size=20))
def test_a_table_compared_with_itself_or_its_csv_round_trip_has_no_change(values):
    df = pd.DataFrame({
        "year": 2024, "level": "organisation", "code": [f"XA{i:03d}" for i in range(len(values))],
        "indicator": 2, "measure": "relative_likelihood", "breakdown": "all", "value": values, "status": "ok"})
    assert changes.compare(df, df).empty
    rounded = df.assign(value=[float(format_number(v)) if format_number(v) else np.nan for v in values])
    assert changes.compare(rounded, df).empty


def test_second_build_with_one_corrected_figure_shows_it_old_beside_new(tmp_path):
    data = make_data(tmp_path / "data")
    first = validate_path(data)
    docs1 = tmp_path / "docs1"
    dl1 = write_downloads(first, hand_results(first), docs1, Settings(), release_for(first))
    assert dl1.changes.empty and not dl1.has_previous
    assert "first release" in (docs1 / "changes.md").read_text()

    # A corrected return: XAA01 appointed more White applicants in 2024.
    assert set_cell(data / "2024" / "recruitment.csv", "appointed", "30", org_code="XAA01", ethnicity="white") == 1
    second = validate_path(data)
    results = hand_results(second)
    previous = read_previous(docs1 / "downloads" / "indicators.csv")
    docs2 = tmp_path / "docs2"
    dl2 = write_downloads(second, results, docs2, Settings(), release_for(second), previous=previous)

    changed = dl2.changes
    assert len(changed) == 1
    row = changed.iloc[0]
    assert (row.code, row.year, row.indicator, row.measure) == ("XAA01", 2024, 2, "relative_likelihood")
    old = previous[(previous["code"] == "XAA01") & (previous["year"] == 2024) & (previous["indicator"] == 2)]
    new = results.indicators[(results.indicators["code"] == "XAA01") & (results.indicators["year"] == 2024)
                             & (results.indicators["indicator"] == 2)]
    old_text = format_number(round(old["value"].iloc[0], 2))
    new_text = format_number(round(new["value"].iloc[0], 2))
    assert old_text != new_text

    head, rows = changelog.row_cells(changelog.by_organisation(dl2.changes)["XAA01"])
    assert [row[head.index("before"):] for row in rows] == [[old_text, new_text]]
    assert "XAB02" not in changelog.by_organisation(dl2.changes)
    page = (docs2 / "changes.md").read_text()
    assert "(../organisations/XAA01/)" in page and f"| {old_text} | {new_text} |" in page

    # And a third build from the same data as the second lists nothing.
    docs3 = tmp_path / "docs3"
    prev2 = read_previous(docs2 / "downloads" / "indicators.csv")
    dl3 = write_downloads(second, results, docs3, Settings(), release_for(second), previous=prev2)
    assert dl3.changes.empty
    assert "No published figure changed" in (docs3 / "changes.md").read_text()


def test_changelog_headings_name_and_link_each_unit():
    new = _frame(BASE)
    old = new.assign(value=new["value"] + 1)
    old.loc[2, "value"] = 5.0
    extra = _frame([[2024, "region", "Y56", 2, "relative_likelihood", "all", 1.0, "ok"],
                    [2024, "org_type", "acute", 2, "relative_likelihood", "all", 1.0, "ok"],
                    [2024, "system", "XQA01", 2, "relative_likelihood", "all", 1.0, "ok"]])
    got = changes.compare(pd.concat([old, extra.assign(value=2.0)]), pd.concat([new, extra]))
    from generator.model.release import Release

    release = Release("0.1.0", "a" * 64, "2024-03-31", 2024, True)
    page = changelog.changelog_markdown(got, True, release, {"XAA01": "Northbrook (fictional)"}, {"XQA01"})
    headings = [line for line in page.splitlines() if line.startswith("### ")]
    assert headings == ["### [England](index.md)", "### [London region](regions/london.md)",
                        "### All organisations of type: acute trust", "### [System XQA01](systems/XQA01.md)",
                        "### [Northbrook (fictional) (XAA01)](../organisations/XAA01/)", "### Organisation XAB02"]
    assert "| 2024 | 2 | relative_likelihood | all | 2.5 | 1.5 |" in page
    assert "| 2024 | 2 | relative_likelihood | all | 5 (not calculable) | not calculable |" in page


def test_a_previous_file_that_is_not_an_indicators_csv_is_a_clear_build_error(tmp_path):
    import pytest

    from generator.build.pipeline import BuildError

    data = make_data(tmp_path / "data")
    dataset = validate_path(data)
    wrong = pd.DataFrame({"org_code": ["XAA01"], "headcount": [3]})
    with pytest.raises(BuildError, match="not an indicators.csv.*lacks the column"):
        write_downloads(dataset, hand_results(dataset), tmp_path / "docs", Settings(), release_for(dataset),
                        previous=wrong)


def test_a_build_refuses_a_wrong_previous_file_before_any_work(tmp_path):
    """`wres build --previous` with a file that is not an indicators.csv stops at once, in plain words:
    nothing is validated, computed or written first."""
    import pytest

    from generator.build.pipeline import BuildError, run_build

    data = make_data(tmp_path / "data")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("org_code,headcount\nXAA01,3\n", encoding="utf-8")
    with pytest.raises(BuildError, match="--previous: it is not an indicators.csv.*lacks the column"):
        run_build(data, tmp_path / "site", previous=wrong, progress=False)
    assert not (tmp_path / ".site.wres" / "docs").exists() and not (tmp_path / "site").exists()


@pytest.mark.slow
def test_a_build_against_a_previous_release_shows_each_changed_figure_on_its_organisation_page(tmp_path):
    """`wres build --previous`: the organisation whose figure changed says so on its page, old beside new."""
    import shutil
    from pathlib import Path

    from generator.build.pipeline import run_build

    data = tmp_path / "data"
    shutil.copytree(Path(__file__).resolve().parent.parent / "data", data)
    first = run_build(data, tmp_path / "site1", progress=False)
    assert first.changed_figures == 0
    figures = pd.read_csv(tmp_path / "site1" / "downloads" / "indicators.csv", keep_default_na=False, dtype=str)
    row = figures[(figures["level"] == "organisation") & (figures["status"] == "ok")
                  & (figures["measure"] == "relative_likelihood")].index[0]
    code, year, old = figures.at[row, "code"], figures.at[row, "year"], float(figures.at[row, "value"])
    figures.at[row, "value"] = str(old + 0.5)  # what the previous release said
    previous = tmp_path / "previous.csv"
    figures.to_csv(previous, index=False)

    second = run_build(data, tmp_path / "site2", previous=previous, progress=False)
    assert second.changed_figures == 1
    page = (tmp_path / "site2" / "organisations" / code / "index.html").read_text(encoding="utf-8")
    assert "What changed since the last release" in page
    section = page[page.index("What changed since the last release"):]
    cells = [html.unescape(c) for c in re.findall(r"<td[^>]*>([^<]*)</td>", section[:section.index("</table>")])]
    assert cells[:2] == [year, figures.at[row, "indicator"]]
    assert format_number(round(old + 0.5, 2)) in cells and format_number(round(old, 2)) in cells
    assert 'href="../../changes/"' in section
    other = figures[(figures["level"] == "organisation") & (figures["code"] != code)]["code"].iloc[0]
    assert "What changed since the last release" not in (
        tmp_path / "site2" / "organisations" / other / "index.html").read_text(encoding="utf-8")
