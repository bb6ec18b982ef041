"""Every indicator, status and edge with figures worked by hand.

The data set (fictional organisations):

    XAA01 acute,         region Y56, system QXA
    XAB02 acute,         region Y56, system QXA
    XAC03 mental_health, region Y62, system QXB

2023 collects 1,2,3,4,9 only (staff survey not collected); 2024 collects 1-9.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from indicator_fixtures import fig, make_dataset, org, pairs, workforce_rows

from generator.compute.counts import predecessors
from generator.compute.definitions import (
    COLUMNS,
    HEADLINE,
    LINEAGE_COLUMNS,
    Results,
    better_direction,
)
from generator.compute.results import compute
from generator.compute.rounding import decimals_of, rounded
from generator.model.settings import Settings


def pub1(x):
    """The figure as published: 1 decimal place (shares, percentages, gaps; rounding.py)."""
    return pytest.approx(rounded(x, 1), abs=1e-9)


def pub2(x):
    """The figure as published: 2 decimal places (likelihoods and their intervals; rounding.py)."""
    return pytest.approx(rounded(x, 2), abs=1e-9)

ORGS = [org("XAA01", "acute", "Y56", "QXA"), org("XAB02", "acute", "Y56", "QXA"),
        org("XAC03", "mental_health", "Y62", "QXB")]
NOTE_2023 = "Indicators 5 to 8 were not collected in 2023 (fictional note)."


def _dataset():
    wf = workforce_rows(2024, "XAA01", {
        ("non_clinical", "band_5"): (60, 30, 10),
        ("non_clinical", "band_8a"): (16, 3, 1),
        ("clinical_non_medical", "vsm"): (4, 1, 0),
        ("medical_dental", "consultant"): (20, 25, 5),
    })
    wf += workforce_rows(2024, "XAB02", {("non_clinical", "band_5"): (90, 10, 0), ("non_clinical", "band_8b"): (9, 1, 0)})
    wf += workforce_rows(2024, "XAC03", {("non_clinical", "band_3"): (50, "*", 2)})
    wf += workforce_rows(2023, "XAA01", {("non_clinical", "band_5"): (100, 50, 10)})
    rec = (pairs(2024, "XAA01", (200, 50), (100, 10)) + pairs(2024, "XAB02", (100, 20), (40, 8))
           + pairs(2024, "XAC03", (30, 5), (10, 0)) + pairs(2023, "XAA01", (200, 40), (100, 10)))
    dis = (pairs(2024, "XAA01", (2,), (3,)) + pairs(2024, "XAB02", (0,), (0,)) + pairs(2024, "XAC03", (1,), (1,))
           + pairs(2023, "XAA01", (1,), (2,)))
    trn = pairs(2024, "XAA01", (80,), (40,)) + pairs(2024, "XAB02", (0,), (5,)) + pairs(2023, "XAA01", (50,), (25,))
    survey = [
        (2024, "XAA01", 5, "white", 20.0, 100), (2024, "XAA01", 5, "bme", 30.0, 50),
        (2024, "XAB02", 5, "white", 10.0, 300), (2024, "XAB02", 5, "bme", 40.0, 100),
        (2024, "XAC03", 5, "white", 25.0, None), (2024, "XAC03", 5, "bme", 35.0, None),
    ]
    board = (pairs(2024, "XAA01", (10, 8, 5), (2, 1, 0), (0, 0, 0)) + pairs(2024, "XAB02", (5, 4, 0), (5, 4, 0), (0, 0, 0))
             + pairs(2023, "XAA01", (10, 8, 5), (2, 1, 0), (0, 0, 0)))
    return make_dataset(ORGS, years={2023: "1,2,3,4,9", 2024: "1-9"}, notes={2023: NOTE_2023}, workforce=wf,
                        recruitment=rec, disciplinary=dis, training=trn, staff_survey=survey, board=board)


@pytest.fixture(scope="module")
def res() -> Results:
    return compute(_dataset(), Settings())


def v(res, **where) -> float:
    row = fig(res, **where)
    assert row["status"] == "ok", (where, row["status"], row["reason"])
    return float(row["value"])


# --------------------------------------------------------------------------- shape

def test_columns_and_order(res):
    df = res.indicators
    assert list(df.columns) == COLUMNS
    assert list(res.lineage.columns) == LINEAGE_COLUMNS
    assert not df.duplicated(["year", "level", "code", "indicator", "measure", "breakdown"]).any()
    levels = ["organisation", "system", "region", "org_type", "england"]
    key = list(zip(df["year"], df["level"].map(levels.index), df["code"], df["indicator"]))
    assert key == sorted(key)
    assert set(df["status"]) <= {"ok", "not_calculable", "not_collected", "suppressed"}
    assert df.loc[df["status"] != "ok", "value"].isna().all()


def test_levels_and_codes(res):
    codes = res.indicators[res.indicators["year"] == 2024].groupby("level")["code"].unique()
    assert sorted(codes["organisation"]) == ["XAA01", "XAB02", "XAC03"]
    assert sorted(codes["system"]) == ["QXA", "QXB"]
    assert sorted(codes["region"]) == ["Y56", "Y62"]
    assert sorted(codes["org_type"]) == ["acute", "mental_health"]
    assert list(codes["england"]) == ["ENG"]


# --------------------------------------------------------------------------- indicator 1

def test_indicator_1_organisation(res):
    o = dict(year=2024, level="organisation", code="XAA01", indicator=1)
    # all: w = 60+16+4+20 = 100, b = 30+3+1+25 = 59, u = 10+1+0+5 = 16, N = 175
    assert v(res, **o, measure="headcount", breakdown="all") == 175
    assert v(res, **o, measure="share_bme", breakdown="all") == pub1(100 * 59 / 175)   # 33.714
    assert v(res, **o, measure="share_white", breakdown="all") == pub1(100 * 100 / 175)
    assert v(res, **o, measure="share_unknown", breakdown="all") == pub1(100 * 16 / 175)
    assert v(res, **o, measure="share_bme_known", breakdown="all") == pub1(100 * 59 / 159)  # 37.107
    # senior = non_clinical band_8a + clinical_non_medical vsm (consultants are not senior): 20, 4, 1 -> 16.0%
    assert v(res, **o, measure="share_bme", breakdown="senior") == pub1(16.0)
    assert v(res, **o, measure="headcount", breakdown="senior") == 25
    # staff group as a whole: non_clinical 76, 33, 11 -> 33/120 = 27.5%
    assert v(res, **o, measure="share_bme", breakdown="non_clinical/all") == pub1(27.5)
    assert v(res, **o, measure="share_bme", breakdown="medical_dental/consultant") == pub1(50.0)
    # gap published on both breakdowns, same value: 33.714286 - 16 = 17.714286
    for bd in ("all", "senior"):
        assert v(res, **o, measure="senior_gap_pp", breakdown=bd) == pub1(17.714285714)


def test_indicator_1_group_sums_counts(res):
    s = dict(year=2024, level="system", code="QXA", indicator=1)
    # XAA01 + XAB02: all 199, 70, 16 -> 285; senior 29, 5, 1 -> 35
    assert v(res, **s, measure="share_bme", breakdown="all") == pub1(100 * 70 / 285)  # 24.561
    assert v(res, **s, measure="share_bme", breakdown="senior") == pub1(100 * 5 / 35)  # 14.286
    assert v(res, **s, measure="senior_gap_pp", breakdown="all") == pub1(100 * 70 / 285 - 100 * 5 / 35)
    # not the mean of the two organisations' ratios: (33.714 + 10.0) / 2 = 21.857
    assert v(res, **s, measure="share_bme", breakdown="all") != pub1((100 * 59 / 175 + 10.0) / 2)


def test_suppressed_count_makes_figure_suppressed_and_group_leaves_member_out(res):
    row = fig(res, year=2024, level="organisation", code="XAC03", indicator=1, measure="share_bme", breakdown="all")
    assert row["status"] == "suppressed" and math.isnan(row["value"])
    assert "suppressed at source" in row["reason"]
    # share_white of the band needs the BME count too (the denominator): suppressed, never read as 0
    assert fig(res, year=2024, level="organisation", code="XAC03", indicator=1, measure="share_white",
               breakdown="non_clinical/band_3")["status"] == "suppressed"
    # England: XAC03 left out of `all`, so it equals QXA, flagged and explained
    eng = fig(res, year=2024, level="england", code="ENG", indicator=1, measure="share_bme", breakdown="all")
    assert eng["value"] == pub1(100 * 70 / 285)
    assert "members_left_out" in eng["flags"].split(";")
    assert eng["reason"].startswith("1 of 3 organisations left out")
    # mental_health org_type has only XAC03: nothing left to sum
    mh = fig(res, year=2024, level="org_type", code="mental_health", indicator=1, measure="share_bme", breakdown="all")
    assert mh["status"] == "suppressed" and "suppressed at source" in mh["reason"]


def test_a_suppressed_senior_band_leaves_the_member_out_of_senior_never_counts_it_as_0():
    """A `*` in one senior band makes the organisation's senior figures suppressed, and its groups' senior
    figures leave it out (flagged), also in the leadership goals. Reading the band's sum as 0 made a system's
    published senior headcount smaller than its members' own counts allow: an intruder's equations on the
    national sample were inconsistent because of it."""
    orgs = [org("XAA01", "acute", "Y56", "QXA"), org("XAB02", "acute", "Y56", "QXA")]
    wf = workforce_rows(2024, "XAA01", {("non_clinical", "band_5"): (60, 30, 10),
                                        ("non_clinical", "band_8a"): (16, 3, 1),
                                        ("clinical_non_medical", "band_8b"): (12, 2, 0)})
    wf += workforce_rows(2024, "XAB02", {("non_clinical", "band_5"): (90, 10, 0),
                                         ("non_clinical", "band_8a"): ("*", 2, 1),
                                         ("clinical_non_medical", "band_8b"): (9, 4, 0)})
    r = compute(make_dataset(orgs, workforce=wf), Settings())
    own = fig(r, year=2024, level="organisation", code="XAB02", indicator=1, measure="headcount", breakdown="senior")
    assert own["status"] == "suppressed" and "suppressed at source" in own["reason"]
    # the band without a `*` is still published
    assert v(r, year=2024, level="organisation", code="XAB02", indicator=1, measure="headcount",
             breakdown="clinical_non_medical/band_8b") == 13
    system = fig(r, year=2024, level="system", code="QXA", indicator=1, measure="headcount", breakdown="senior")
    assert system["status"] == "ok" and system["value"] == 16 + 3 + 1 + 12 + 2  # XAA01's alone
    assert "members_left_out" in system["flags"].split(";")
    assert system["reason"].startswith("1 of 2 organisations left out")
    goal = r.goals[(r.goals["level"] == "system") & (r.goals["code"] == "QXA") & (r.goals["group"] == "senior")]
    assert len(goal) and (goal["N"] == 34).all()


def test_no_senior_staff_is_not_calculable(res):
    row = fig(res, year=2024, level="organisation", code="XAC03", indicator=1, measure="share_bme", breakdown="senior")
    assert row["status"] == "not_calculable" and row["reason"] == "no staff in this group"
    assert v(res, year=2024, level="organisation", code="XAC03", indicator=1, measure="headcount",
             breakdown="senior") == 0


def test_small_numbers_flag(res):
    # XAB02 senior: 9 White, 1 BME of 10: numerator 1 < 10
    row = fig(res, year=2024, level="organisation", code="XAB02", indicator=1, measure="share_bme", breakdown="senior")
    assert "small_numbers" in row["flags"].split(";")
    row = fig(res, year=2024, level="organisation", code="XAA01", indicator=1, measure="share_bme", breakdown="all")
    assert "small_numbers" not in row["flags"].split(";")


# --------------------------------------------------------------------------- indicators 2, 3, 4

def test_indicator_2_with_katz_interval(res):
    row = fig(res, year=2024, level="organisation", code="XAA01", indicator=2, measure="relative_likelihood")
    # (50/200) / (10/100) = 2.5; SE = sqrt(1/50 - 1/200 + 1/10 - 1/100) = sqrt(0.105) = 0.324037
    assert row["value"] == pub2(2.5)
    assert row["ci_lower"] == pub2(2.5 * math.exp(-1.96 * 0.3240370))  # 1.32472
    assert row["ci_upper"] == pub2(2.5 * math.exp(1.96 * 0.3240370))   # 4.71797
    assert set(row["flags"].split(";")) == {"significant", "adverse_to_bme"}


def test_indicator_2_within_range_and_groups(res):
    row = fig(res, year=2024, level="organisation", code="XAB02", indicator=2, measure="relative_likelihood")
    assert row["value"] == pub2(1.0)  # 20/100 over 8/40
    assert set(row["flags"].split(";")) == {"small_numbers", "within_range"}
    # QXA: (70/300) / (18/140) = 1.814815; England adds XAC03: (75/330) / (18/150) = 1.893939
    assert v(res, year=2024, level="system", code="QXA", indicator=2, measure="relative_likelihood") == \
        pub2((70 / 300) / (18 / 140))
    assert v(res, year=2024, level="england", code="ENG", indicator=2, measure="relative_likelihood") == \
        pub2((75 / 330) / (18 / 150))


def test_zero_denominator_rate_is_not_calculable(res):
    row = fig(res, year=2024, level="organisation", code="XAC03", indicator=2, measure="relative_likelihood")
    assert row["status"] == "not_calculable" and "no BME shortlisted applicant was appointed" in row["reason"]
    assert math.isnan(row["value"]) and row["flags"] == ""
    row = fig(res, year=2024, level="organisation", code="XAB02", indicator=3, measure="relative_likelihood")
    assert row["status"] == "not_calculable"
    assert row["reason"] == "no staff entered the formal disciplinary process"


def test_zero_numerator_rate_is_zero_with_a_continuity_corrected_interval(res):
    row = fig(res, year=2024, level="organisation", code="XAB02", indicator=4, measure="relative_likelihood")
    # (0/99) / (5/11) = 0: published as 0, classed (the official point-estimate class), its interval
    # continuity-corrected (0.5 added to each count): 0 of 99 against 5 of 11 is clear, the interval is 0 to 0.18
    assert row["status"] == "ok" and row["value"] == 0
    upper = (0.5 / 99.5) / (5.5 / 11.5) * math.exp(1.96 * math.sqrt(1 / 0.5 - 1 / 99.5 + 1 / 5.5 - 1 / 11.5))
    assert row["ci_lower"] == 0 and row["ci_upper"] == pub2(upper) and row["ci_upper"] < 1
    assert {"adverse_to_white", "significant"} <= set(row["flags"].split(";"))
    assert "continuity-corrected" in row["reason"]


def test_indicator_3_single_and_two_year(res):
    o = dict(year=2024, level="organisation", code="XAA01", indicator=3)
    # (3/59) / (2/100) = 2.542373
    assert v(res, **o, measure="relative_likelihood") == pub2((3 / 59) / (2 / 100))
    # pooled with 2023 (b 2 of 50, w 1 of 100): (5/109) / (3/200) = 3.058104
    assert v(res, **o, measure="relative_likelihood_2yr") == pub2((5 / 109) / (3 / 200))
    row = fig(res, year=2024, level="organisation", code="XAB02", indicator=3, measure="relative_likelihood_2yr")
    assert row["status"] == "not_calculable" and row["reason"] == "no return for the previous year to pool"
    row = fig(res, year=2023, level="organisation", code="XAA01", indicator=3, measure="relative_likelihood_2yr")
    assert row["status"] == "not_calculable"


def test_indicator_4(res):
    # (80/100) / (40/59) = 1.18 exactly
    row = fig(res, year=2024, level="organisation", code="XAA01", indicator=4, measure="relative_likelihood")
    assert row["value"] == pub2(1.18)
    assert "within_range" in row["flags"].split(";")


def test_missing_resource_or_empty_cell_is_not_calculable_and_suppressed_wins(res):
    ds = make_dataset([org("XAA01")], workforce=workforce_rows(2024, "XAA01", {("non_clinical", "band_5"): (50, 20, 1)}),
                      recruitment=pairs(2024, "XAA01", (40, None), (20, 5)))
    r = compute(ds, Settings())
    for ind in (4, 2):  # no training rows at all; an empty appointed cell
        row = fig(r, year=2024, level="organisation", code="XAA01", indicator=ind, measure="relative_likelihood")
        assert row["status"] == "not_calculable" and row["reason"] == "a count it needs is not available"
    # XAC03's BME headcount is `*`, so its training denominator is suppressed, not merely missing
    row = fig(res, year=2024, level="organisation", code="XAC03", indicator=4, measure="relative_likelihood")
    assert row["status"] == "suppressed"


# --------------------------------------------------------------------------- indicators 5 to 8

def test_survey_organisation_with_newcombe_interval(res):
    from generator.compute.stats import newcombe_interval

    o = dict(year=2024, level="organisation", code="XAA01", indicator=5)
    assert v(res, **o, measure="percent_white") == 20.0
    assert v(res, **o, measure="percent_bme") == 30.0
    row = fig(res, **o, measure="gap_pp")
    assert row["value"] == pub1(10.0)
    lo, hi = newcombe_interval(0.30, 50, 0.20, 100)  # BME minus White, checked against Newcombe's example in test_stats
    assert (row["ci_lower"], row["ci_upper"]) == pub1((100 * float(lo), 100 * float(hi)))
    assert row["ci_lower"] < 10 < row["ci_upper"] and row["ci_lower"] < 0  # not significant at these sizes


def test_survey_weighted_mean_for_groups(res):
    s = dict(year=2024, level="system", code="QXA", indicator=5)
    # White (20*100 + 10*300) / 400 = 12.5; BME (30*50 + 40*100) / 150 = 36.667
    assert v(res, **s, measure="percent_white") == pub1(12.5)
    assert v(res, **s, measure="percent_bme") == pub1(5500 / 150)
    row = fig(res, **s, measure="gap_pp")
    assert row["value"] == pub1(5500 / 150 - 12.5)
    assert "weighted_mean_unavailable" not in row["flags"] and not math.isnan(row["ci_lower"])


def test_survey_plain_mean_flagged_when_respondents_missing(res):
    e = dict(year=2024, level="england", code="ENG", indicator=5)
    # XAC03 gives no respondents: plain means (20+10+25)/3, (30+40+35)/3
    assert v(res, **e, measure="percent_white") == pub1(55 / 3)
    assert v(res, **e, measure="percent_bme") == pub1(35.0)
    row = fig(res, **e, measure="gap_pp")
    assert row["value"] == pub1(35 - 55 / 3)
    assert "weighted_mean_unavailable" in row["flags"].split(";") and math.isnan(row["ci_lower"])


def test_year_without_survey_is_not_collected(res):
    rows = res.indicators[(res.indicators["year"] == 2023) & res.indicators["indicator"].between(5, 8)]
    assert len(rows) and (rows["status"] == "not_collected").all()
    assert (rows["reason"] == NOTE_2023).all()
    # every unit and measure has its row, so the site can say so
    assert len(rows[(rows["level"] == "organisation")]) == 4 * 3
    assert set(rows["level"]) == {"organisation", "system", "region", "org_type", "england"}


def test_percentage_not_given(res):
    row = fig(res, year=2024, level="organisation", code="XAA01", indicator=6, measure="gap_pp")
    assert row["status"] == "not_calculable" and row["reason"] == "the percentage is not given"


# --------------------------------------------------------------------------- indicator 9

def test_indicator_9(res):
    o = dict(year=2024, level="organisation", code="XAA01", indicator=9)
    ws = 100 * 59 / 175
    assert v(res, **o, measure="gap_pp_all") == pub1(100 * 2 / 12 - ws)      # -17.048
    assert v(res, **o, measure="gap_pp_voting") == pub1(100 * 1 / 9 - ws)    # -22.603
    assert v(res, **o, measure="gap_pp_executive") == pub1(0 - ws)           # -33.714
    row = fig(res, year=2024, level="organisation", code="XAB02", indicator=9, measure="gap_pp_executive")
    assert row["status"] == "not_calculable" and row["reason"] == "no executive board members"
    # QXA: board 7 of 22, workforce 70 of 285
    assert v(res, year=2024, level="system", code="QXA", indicator=9, measure="gap_pp_all") == \
        pub1(100 * 7 / 22 - 100 * 70 / 285)


# --------------------------------------------------------------------------- trends and peers in the frame

def test_trend_and_missing_previous_year(res):
    row = fig(res, year=2024, level="organisation", code="XAA01", indicator=2, measure="relative_likelihood")
    # 2023: (40/200)/(10/100) = 2.0 -> 2.5: further from 1 but z = ln(1.25)/sqrt(SE1^2+SE2^2) is small
    assert row["previous_value"] == pub2(2.0) and row["change"] == pub2(0.5)
    se1 = math.sqrt(1 / 40 - 1 / 200 + 1 / 10 - 1 / 100)
    se2 = math.sqrt(1 / 50 - 1 / 200 + 1 / 10 - 1 / 100)
    assert abs(math.log(1.25) / math.hypot(se1, se2)) < 1.96
    assert row["trend"] == "no_clear_change"
    row = fig(res, year=2024, level="organisation", code="XAB02", indicator=2, measure="relative_likelihood")
    assert math.isnan(row["previous_value"]) and math.isnan(row["change"]) and row["trend"] == ""


def test_peer_ranks_among_same_type(res):
    r1 = fig(res, year=2024, level="organisation", code="XAA01", indicator=2, measure="relative_likelihood")
    r2 = fig(res, year=2024, level="organisation", code="XAB02", indicator=2, measure="relative_likelihood")
    # both acute, but XAB02's figure (8 BME appointed) rests on small numbers: never ranked, nor counted
    assert "small_numbers" in r2["flags"] and pd.isna(r2["peer_rank"]) and pd.isna(r2["peer_count"])
    assert (r1["peer_rank"], r1["peer_count"]) == (1, 1) and pd.isna(r1["peer_percentile"])
    # not a headline measure: no rank
    assert pd.isna(fig(res, year=2024, level="organisation", code="XAA01", indicator=1, measure="share_white",
                       breakdown="all")["peer_rank"])
    # not ok: no rank
    assert pd.isna(fig(res, year=2024, level="organisation", code="XAC03", indicator=2,
                       measure="relative_likelihood")["peer_rank"])


def test_headline_and_directions():
    assert ("relative_likelihood_2yr", "all") == HEADLINE[3][0]
    assert better_direction(2, "relative_likelihood") == "towards_1"
    assert better_direction(5, "gap_pp") == "towards_0"
    assert better_direction(7, "percent_bme") == "up"
    assert better_direction(6, "percent_bme") == "down"
    assert better_direction(1, "share_bme", "senior") == "up"
    assert better_direction(1, "share_bme", "all") == "none"


# --------------------------------------------------------------------------- mergers

def _merger_dataset():
    orgs = [org("XAA01", successor="XAB02"), org("XAB02")]
    wf = []
    for year, a, b in ((2022, (80, 20, 0), (90, 10, 0)), (2023, (80, 20, 0), (90, 10, 0))):
        wf += workforce_rows(year, "XAA01", {("non_clinical", "band_5"): a})
        wf += workforce_rows(year, "XAB02", {("non_clinical", "band_5"): b})
    wf += workforce_rows(2024, "XAB02", {("non_clinical", "band_5"): (170, 30, 0)})
    return make_dataset(orgs, years={2022: "1", 2023: "1", 2024: "1"}, workforce=wf)


def test_merger_lineage_folds_predecessor():
    r = compute(_merger_dataset(), Settings())
    # The organisation row is XAB02's own: 2023 10/100 -> 2024 30/200
    own = fig(r, year=2024, level="organisation", code="XAB02", indicator=1, measure="share_bme", breakdown="all")
    assert own["value"] == pub1(15.0) and own["previous_value"] == pub1(10.0)
    # Lineage: 2023 folds XAA01 in: 30/200 = 15% -> 2024 15%: no change
    lin = fig(r.lineage, year=2024, code="XAB02", indicator=1, measure="share_bme", breakdown="all")
    assert lin["previous_value"] == pub1(15.0) and lin["change"] == pub1(0.0)
    assert lin["folded"] == "XAA01"
    assert fig(r.lineage, year=2023, code="XAB02", indicator=1, measure="headcount", breakdown="all")["value"] == 200
    assert set(r.lineage["code"]) == {"XAB02"}


def test_predecessor_chains():
    reg = pd.DataFrame([org("XAA01", successor="XAB02"), org("XAB02", successor="XAC03"), org("XAC03"),
                        org("XAD04", successor="XAC03")])
    assert predecessors(reg) == {"XAB02": ["XAA01"], "XAC03": ["XAA01", "XAB02", "XAD04"]}


# --------------------------------------------------------------------------- withholding figures

def test_withhold_below_suppresses_figures_built_on_small_counts():
    r = compute(_dataset(), Settings(withhold_below=5))
    row = fig(r, year=2024, level="organisation", code="XAB02", indicator=1, measure="share_bme", breakdown="senior")
    assert row["status"] == "suppressed" and row["reason"] == "withheld: built on a count below 5"
    assert math.isnan(row["value"])


# --------------------------------------------------------------------------- properties

counts = st.integers(min_value=0, max_value=400)


@hsettings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.lists(st.tuples(counts, counts, counts), min_size=3, max_size=3),
       rec=st.tuples(st.integers(1, 300), st.integers(1, 300)), app=st.tuples(counts, counts),
       dis=st.tuples(counts, counts), resp=st.tuples(st.integers(1, 500), st.integers(1, 500)),
       pct=st.tuples(st.floats(0, 100), st.floats(0, 100)))
def test_group_of_one_equals_its_member(cells, rec, app, dis, resp, pct):
    bands = [("non_clinical", "band_5"), ("clinical_non_medical", "band_8c"), ("medical_dental", "trainee")]
    wf = workforce_rows(2024, "XAA01", dict(zip(bands, cells)))
    ds = make_dataset(
        [org("XAA01", "community", "Y60", "QXZ")], workforce=wf,
        recruitment=pairs(2024, "XAA01", (rec[0], min(app[0], rec[0])), (rec[1], min(app[1], rec[1]))),
        disciplinary=pairs(2024, "XAA01", (dis[0],), (dis[1],)),
        staff_survey=[(2024, "XAA01", 7, "white", pct[0], resp[0]), (2024, "XAA01", 7, "bme", pct[1], resp[1])])
    df = compute(ds, Settings()).indicators
    keys = ["year", "indicator", "measure", "breakdown"]
    cols = ["value", "ci_lower", "ci_upper", "status"]
    orgs = df[df["level"] == "organisation"].set_index(keys)[cols].sort_index()
    for level in ("system", "region", "org_type", "england"):
        grp = df[df["level"] == level].set_index(keys)[cols].sort_index()
        pd.testing.assert_frame_equal(orgs, grp, check_exact=False, rtol=1e-9)


@hsettings(max_examples=25, deadline=None)
@given(sw=st.integers(1, 5000), sb=st.integers(1, 5000), aw=st.integers(1, 5000), ab=st.integers(1, 5000))
def test_swapping_white_and_bme_inverts_relative_likelihood(sw, sb, aw, ab):
    from generator.compute.stats import relative_likelihood

    aw, ab = min(aw, sw), min(ab, sb)
    rl, se, lo, hi = relative_likelihood(aw, sw, ab, sb)
    rl2, se2, lo2, hi2 = relative_likelihood(ab, sb, aw, sw)
    assert float(rl2) == pytest.approx(1 / float(rl))
    assert float(se2) == pytest.approx(float(se))
    assert (float(lo2), float(hi2)) == pytest.approx((1 / float(hi), 1 / float(lo)))


def test_swapping_white_and_bme_inverts_relative_likelihood_end_to_end():
    a = compute(make_dataset([org("XAA01")], recruitment=pairs(2024, "XAA01", (120, 30), (80, 12))), Settings())
    b = compute(make_dataset([org("XAA01")], recruitment=pairs(2024, "XAA01", (80, 12), (120, 30))), Settings())
    ra = fig(a, level="england", indicator=2, measure="relative_likelihood")
    rb = fig(b, level="england", indicator=2, measure="relative_likelihood")
    assert ra["value"] == pub2(1.66666667) and rb["value"] == pub2(0.6)  # (30/120)/(12/80)
    assert rb["ci_lower"] == pytest.approx(1 / ra["ci_upper"], abs=0.011)
    assert "adverse_to_bme" in ra["flags"] and "adverse_to_white" in rb["flags"]


# --------------------------------------------------------------------------- end to end, independently

def _independent(root) -> pd.DataFrame:
    """A second, plain computation of some headline figures straight from the CSV files.

    Per unit (organisation, system, region, org_type, England) by summed counts,
    only where every member's counts are present: share_bme of the whole workforce
    and of senior staff, indicator 2 and indicator 4. Uses no generator code.
    """
    from pathlib import Path

    root = Path(root)
    reg = pd.read_csv(root / "organisations.csv", dtype=str, keep_default_na=False)
    members = pd.concat([reg.assign(level="organisation", code=reg["org_code"])]
                        + [reg[reg[c] != ""].assign(level=lv, code=reg[c]) for lv, c in
                           (("system", "system_code"), ("region", "region_code"), ("org_type", "org_type"))]
                        + [reg.assign(level="england", code="ENG")])[["org_code", "level", "code"]]

    def read(year_dir, name):
        d = pd.read_csv(year_dir / f"{name}.csv", dtype=str, keep_default_na=False)
        for c in d.columns:
            if c not in ("org_code", "ethnicity", "staff_group", "band", "indicator"):
                d[c] = pd.to_numeric(d[c].replace({"": "nan", "*": "nan"}), errors="coerce")
        return d

    def by_unit(long, value, published):
        """long: org_code, key, ethnicity, value -> unit sums per key and ethnicity; NaN if any member lacks one."""
        long = long[long["org_code"].isin(published)]
        wide = long.pivot_table(index=["org_code", "key"], columns="ethnicity", values=value, aggfunc="sum",
                                dropna=False)
        bad = long.assign(_na=long[value].isna()).groupby(["org_code", "key"])["_na"].any()
        wide.loc[bad[bad].index] = np.nan
        m = members.merge(wide.reset_index(), on="org_code")
        cols = [c for c in ("white", "bme", "unknown") if c in m]
        m["_na"] = m[cols].isna().any(axis=1)
        g = m.groupby(["level", "code", "key"])
        sums = g[cols].sum()
        na = g["_na"].any()
        sums.loc[na[na].index] = np.nan
        return sums

    out = []
    for year_dir in sorted(p for p in root.iterdir() if p.is_dir() and p.name.isdigit()):
        y = int(year_dir.name)
        rets = read(year_dir, "returns")["org_code"]
        wf = read(year_dir, "workforce")
        senior = wf["staff_group"].isin(["non_clinical", "clinical_non_medical"]) & wf["band"].isin(
            ["band_8a", "band_8b", "band_8c", "band_8d", "band_9", "vsm"])
        long = pd.concat([wf.assign(key="all"), wf[senior].assign(key="senior")])
        u = by_unit(long, "headcount", rets)
        share = 100 * u["bme"] / (u["white"] + u["bme"] + u["unknown"])
        out.append(share.rename("expected").reset_index().rename(columns={"key": "breakdown"})
                   .assign(year=y, indicator=1, measure="share_bme"))
        rec = read(year_dir, "recruitment").assign(key="all")
        a, s = by_unit(rec, "appointed", rets), by_unit(rec, "shortlisted", rets)
        rl = (a["white"] / s["white"]) / (a["bme"] / s["bme"])
        out.append(rl.rename("expected").reset_index().rename(columns={"key": "breakdown"})
                   .assign(year=y, indicator=2, measure="relative_likelihood"))
        trn = read(year_dir, "training").assign(key="all")
        t, n = by_unit(trn, "accessed_training", rets), u.xs("all", level="key", drop_level=False)
        rl4 = (t["white"] / n["white"]) / (t["bme"] / n["bme"])
        out.append(rl4.rename("expected").reset_index().rename(columns={"key": "breakdown"})
                   .assign(year=y, indicator=4, measure="relative_likelihood"))
        dis = read(year_dir, "disciplinary").assign(key="all")
        d = by_unit(dis, "entered_formal_process", rets)
        rl3 = (d["bme"] / n["bme"]) / (d["white"] / n["white"])
        out.append(rl3.rename("expected").reset_index().rename(columns={"key": "breakdown"})
                   .assign(year=y, indicator=3, measure="relative_likelihood"))
        board = read(year_dir, "board").assign(key="all")
        for col, measure in (("members", "gap_pp_all"), ("voting_members", "gap_pp_voting")):
            b = by_unit(board, col, rets)
            gap = 100 * (b["bme"] / b.sum(axis=1, min_count=3) - n["bme"] / n.sum(axis=1, min_count=3))
            out.append(gap.rename("expected").reset_index().rename(columns={"key": "breakdown"})
                       .assign(year=y, indicator=9, measure=measure))
        if (year_dir / "staff_survey.csv").exists():
            sv = read(year_dir, "staff_survey")
            sv = sv[sv["org_code"].isin(rets)].merge(members, on="org_code")
            sv["pr"] = sv["percent"] * sv["respondents"]
            g = sv.groupby(["level", "code", "indicator", "ethnicity"])
            weighted = (g["pr"].sum() / g["respondents"].sum()).where(g["respondents"].count() == g["percent"].count())
            w = weighted.unstack("ethnicity")
            gap = (w["bme"] - w["white"]).rename("expected").reset_index()
            out.append(gap.assign(year=y, indicator=gap["indicator"].astype(int), measure="gap_pp", breakdown="all"))
    e = pd.concat(out, ignore_index=True)
    return e[np.isfinite(e["expected"]) & (e["expected"] != 0)]


def test_end_to_end_bundled_data_matches_an_independent_computation():
    from pathlib import Path

    from generator.ingest.validate import validate_path

    root = Path(__file__).resolve().parent.parent / "data"
    ds = validate_path(root)
    assert (ds.returns["status"] != "left_out").all(), "the bundled data has a left-out return: adapt the check"
    df = compute(ds, Settings()).indicators
    expected = _independent(root)
    m = expected.merge(df, on=["year", "level", "code", "indicator", "measure", "breakdown"], how="left")
    assert len(m) > 1000 and set(m["level"]) == {"organisation", "system", "region", "org_type", "england"}
    # Published values are rounded (rounding.py): within half a unit of the last published decimal.
    half = 0.5 * 10.0 ** -decimals_of(m["measure"]) + 1e-9
    bad = m[(m["status"] != "ok") | ~(np.abs(m["value"] - m["expected"]) <= half)]
    assert bad.empty, bad[["year", "level", "code", "indicator", "measure", "breakdown", "value", "expected",
                           "status", "reason"]].head().to_string()


# --------------------------------------------------------------------------- the published tables validate

@pytest.mark.parametrize("name", ["indicators", "goals", "quality"])
def test_tables_validate_against_their_schemas(res, tmp_path, name):
    import json

    import frictionless

    from generator.model import spec

    df = getattr(res, name)
    assert len(df)
    df.to_csv(tmp_path / f"{name}.csv", index=False)
    schema = json.loads((spec.SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    assert [f["name"] for f in schema["fields"]] == list(df.columns)
    report = frictionless.validate(frictionless.Resource(path=f"{name}.csv", basepath=str(tmp_path),
                                                         schema=frictionless.Schema.from_descriptor(schema)))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]


# --------------------------------------------------------------------------- national size

@pytest.mark.slow
def test_national_sized_data_computes():
    """A whole national-sized computation (slow: left out of the fast loop). How long it takes is measured in
    benchmarks/steps.py, not asserted here."""
    from indicator_fixtures import national_dataset

    ds = national_dataset()
    assert len(ds.tables["workforce"]) > 100_000
    r = compute(ds, Settings())
    assert set(r.indicators["level"]) == {"organisation", "system", "region", "org_type", "england"}
    assert (r.indicators.loc[r.indicators["year"] == 2020, "status"][
        r.indicators["indicator"].between(5, 8)] == "not_collected").all()


# --------------------------------------------------------------------------- robustness

cell = st.one_of(st.integers(0, 60), st.integers(0, 60), st.just(None), st.just("*"))
KNOWN_FLAGS = {"small_numbers", "significant", "within_range", "adverse_to_bme", "adverse_to_white",
               "weighted_mean_unavailable", "members_left_out", "trend_untested"}


@hsettings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_mix_of_zero_empty_and_suppressed_counts_gives_consistent_rows(data):
    rows, rec, dis, board = [], [], [], []
    orgs = [org("XAA01", "acute", "Y56", "QXA"), org("XAB02", "acute", "Y56", "QXA"),
            org("XAC03", "community", "Y58", None)]
    for year in (2023, 2024):
        for o in orgs:
            code = o["org_code"]
            for cellkey in (("non_clinical", "band_5"), ("clinical_non_medical", "band_8a"), ("medical_dental", "other")):
                rows += workforce_rows(year, code, {cellkey: tuple(data.draw(cell) for _ in range(3))})
            rec += pairs(year, code, (data.draw(cell), data.draw(cell)), (data.draw(cell), data.draw(cell)))
            dis += pairs(year, code, (data.draw(cell),), (data.draw(cell),))
            board += pairs(year, code, *[tuple(data.draw(cell) for _ in range(3)) for _ in range(3)])
    ds = make_dataset(orgs, workforce=rows, recruitment=rec, disciplinary=dis, board=board)
    df = compute(ds, Settings()).indicators
    ok = df["status"] == "ok"
    assert df.loc[ok, "value"].notna().all() and df.loc[~ok, "value"].isna().all()
    assert (df.loc[~ok, "reason"] != "").all()
    has_ci = df["ci_lower"].notna()
    assert (df.loc[has_ci, "ci_lower"] <= df.loc[has_ci, "value"] + 1e-9).all()
    assert (df.loc[has_ci, "value"] <= df.loc[has_ci, "ci_upper"] + 1e-9).all()
    flags = {f for fl in df["flags"] for f in fl.split(";") if f}
    assert flags <= KNOWN_FLAGS
    shares = ok & df["measure"].str.startswith("share_")
    assert df.loc[shares, "value"].between(0, 100).all()
    assert (df.loc[ok & df["measure"].str.startswith("relative"), "value"] >= 0).all()
