"""downloads/headline-figures.csv: one row per return, the nine headline figures of indicators.csv side by side.

The table is checked against indicators.csv as a reader would (both read as the text published): same rows
(every return once; every organisation headline figure of indicators.csv once), same figures (value, interval,
status, reason, flags, change, trend, rates: character for character), withheld figures withheld, and the class
words agree with the pages'. Real validator, real indicator engine and protection pass (withhold_below=10).
"""

from __future__ import annotations

import pandas as pd
import pytest
from download_fixtures import LEFT_OUT
from frictionless import validate

from generator.model import spec
from generator.publish import headline_figures as hf
from generator.publish.figure_class import CLASS_LABELS, figure_class
from generator.site import text


@pytest.fixture(scope="module")
def real(real_download_set):
    return real_download_set


def _csv(docs, name: str) -> pd.DataFrame:
    return pd.read_csv(docs / "downloads" / name, dtype=str, keep_default_na=False)


def test_one_row_per_return_published_or_not(real):
    dataset, _, docs = real
    wide = _csv(docs, "headline-figures.csv")
    keys = list(zip(wide["year"].astype(int), wide["org_code"]))
    assert len(keys) == len(set(keys)) == len(dataset.returns)
    assert set(keys) == set(zip(dataset.returns["year"].astype(int), dataset.returns["org_code"]))
    assert keys == sorted(keys)
    left = wide[(wide["org_code"] == LEFT_OUT[0]) & (wide["year"] == str(LEFT_OUT[1]))].iloc[0]
    assert left["published"] == "false" and left["return_status"] == "left_out"
    assert "error" in left["not_published_reason"]
    figures = [n for i in spec.INDICATORS for n, _ in hf.figure_columns(i)]
    assert (left[figures] == "").all()
    published = wide[wide["published"] == "true"]
    assert (published["not_published_reason"] == "").all() and (published["org_name"] != "").all()


def test_every_headline_figure_of_indicators_csv_is_there_unchanged(real):
    _, _, docs = real
    wide = _csv(docs, "headline-figures.csv")
    ind = _csv(docs, "indicators.csv")
    org = ind[ind["level"] == "organisation"]
    heads = org[org["headline"] == "true"]
    assert len(heads) > 0
    found = recovered = 0
    for i in spec.INDICATORS:
        prefix = f"i{i}_"
        mine = heads[heads["indicator"] == str(i)]
        both = mine.merge(wide, left_on=["year", "code"], right_on=["year", "org_code"], how="right",
                          validate="one_to_one")
        has = both["measure"].notna()
        found += int(has.sum())
        for _, part in hf.figure_columns(i):
            if part in hf.ADDED:
                continue
            assert (both.loc[has, part] == both.loc[has, prefix + part]).all(), (i, part)
        # Without a headline row in indicators.csv: no figure, or the withheld row of the headline measure
        # (a figure not in indicators.csv's headline rows), still withheld.
        rest = both[~has & (both[prefix + "measure"] != "")]
        for r in rest.itertuples(index=False):
            row = org[(org["year"] == r.year) & (org["code"] == r.org_code) & (org["indicator"] == str(i))
                      & (org["measure"] == getattr(r, prefix + "measure")) & (org["breakdown"] == "all")]
            assert len(row) == 1 and row.iloc[0]["status"] == "suppressed" and row.iloc[0]["value"] == ""
            assert getattr(r, prefix + "status") == "suppressed" and getattr(r, prefix + "value") == ""
            recovered += 1
        empty = both[~has & (both[prefix + "measure"] == "")]
        for name, _ in hf.figure_columns(i):
            assert (empty[name] == "").all(), name  # no figure invented
    assert found == len(heads)  # same rows: every headline figure once
    # Protection keeps a withheld figure's `headline` flag (it says which measure leads, not what it is):
    # every withheld headline figure is found by its flag, none has to be looked up by its measure.
    assert recovered == 0, "a withheld headline figure lost its headline flag"
    assert (heads["status"] == "suppressed").any(), "the sample should have a withheld headline figure"


def test_withheld_figures_stay_withheld(real):
    _, results, docs = real
    wide = _csv(docs, "headline-figures.csv")
    withheld = 0
    for i in spec.INDICATORS:
        prefix = f"i{i}_"
        gone = wide[wide[prefix + "status"] == "suppressed"]
        withheld += len(gone)
        for name, part in hf.figure_columns(i):
            if part not in ("measure", "status", "reason"):
                assert (gone[name] == "").all(), name
    assert withheld > 0, "the sample should have withheld figures at withhold_below=10"


def test_classes_agree_with_the_pages_and_the_printed_figure(real):
    _, results, _ = real
    ind = results.indicators
    heads = ind[(ind["level"] == "organisation") & ind["headline"].fillna(False).astype(bool) & ind["value"].notna()]
    assert len(heads) > 0
    for r in heads.itertuples(index=False):
        mine = figure_class(r.indicator, r.measure, r.value, r.flags, r.ci_lower, r.ci_upper)
        page = text.judgement(r.indicator, r.measure, r.value, r.flags, r.ci_lower, r.ci_upper)[0]
        assert mine == page, (r.indicator, r.measure, r.value, r.ci_lower, r.ci_upper)
    assert {k: text.CLASS_LABELS[k] for k in CLASS_LABELS} == CLASS_LABELS


def test_class_rule_on_edges():
    assert figure_class(2, "relative_likelihood", 1.25) == "equal"
    assert figure_class(2, "relative_likelihood", 1.26) == "adverse_to_bme"
    assert figure_class(3, "relative_likelihood_2yr", 0.79) == "adverse_to_white"
    assert figure_class(7, "gap_pp", -3.0, "", -5.0, -1.0) == "worse_for_bme"
    assert figure_class(5, "gap_pp", 3.0, "", -1.0, 7.0) == "unclear"
    assert figure_class(5, "gap_pp", 3.0) == "untested_gap"
    assert figure_class(9, "gap_pp_voting", 6.0) == "more_diverse"
    assert figure_class(2, "relative_likelihood", float("nan")) == ""


def test_the_schema_is_fixed_and_the_package_validates(real):
    _, _, docs = real
    report = validate(str(docs / "downloads" / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "type", "note"])[:10]
    wide = _csv(docs, "headline-figures.csv")
    assert list(wide.columns) == [f["name"] for f in hf.headline_schema()["fields"]]
    rates = [c for c in wide.columns if c.endswith("_rate_bme")]
    assert rates == [f"i{i}_rate_bme" for i in hf.LIKELIHOODS]
