"""Year-on-year change classed improved / worsened / no clear change, by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from generator.compute.trends import MIN_LOG_RATIO, MIN_PP, MIN_RATIO, add_trends, classify, classify_change


def one(v1, v2, se1, se2, log, direction):
    trend, untested = classify([v1], [v2], [se1], [se2], [log], [direction])
    return trend[0], bool(untested[0])


def test_likelihood_towards_one_with_the_spec_z():
    # 2.0 -> 1.2, SEs 0.1: z = (ln 1.2 - ln 2) / sqrt(0.02) = -3.61, |ln| fell: improved
    assert abs((math.log(1.2) - math.log(2.0)) / math.sqrt(0.02)) > 1.96
    assert one(2.0, 1.2, 0.1, 0.1, True, "towards_1") == ("improved", False)
    assert one(1.2, 2.0, 0.1, 0.1, True, "towards_1") == ("worsened", False)
    # 0.8 -> 0.7 with SEs 0.2: z = -0.47, no clear change
    assert one(0.8, 0.7, 0.2, 0.2, True, "towards_1") == ("no_clear_change", False)
    # 0.5 -> 2.0: a clear change but just as far from 1 on the other side
    assert one(0.5, 2.0, 0.1, 0.1, True, "towards_1") == ("no_clear_change", False)


def test_shares_with_counts_use_a_difference_of_proportions_z():
    # 20% -> 25% of 1,000: SEs 1.2649 and 1.3693 pp, z = 5 / 1.8641 = 2.68: improved when up is better
    se1, se2 = 100 * math.sqrt(0.2 * 0.8 / 1000), 100 * math.sqrt(0.25 * 0.75 / 1000)
    assert one(20, 25, se1, se2, False, "up") == ("improved", False)
    assert one(20, 25, se1, se2, False, "down") == ("worsened", False)
    # of 100 staff: SEs 4.0 and 4.33 pp, z = 0.85: no clear change
    assert one(20, 25, 4.0, 4.330127, False, "up") == ("no_clear_change", False)


def test_gaps_towards_zero():
    assert one(-10, -3, 1.0, 1.0, False, "towards_0") == ("improved", False)   # z = 4.95
    assert one(-10, -8, 1.5, 1.5, False, "towards_0") == ("no_clear_change", False)  # z = 0.94
    assert one(3, -9, 1.0, 1.0, False, "towards_0") == ("worsened", False)


def test_no_test_possible_is_not_tested_never_a_verdict():
    # survey percentages without respondents: no SE, so whatever the size of the change, no verdict word
    assert one(30, 30.8, np.nan, np.nan, False, "down") == ("not_tested", True)
    assert one(30, 33, np.nan, np.nan, False, "down") == ("not_tested", True)
    assert one(30, 27, np.nan, np.nan, False, "down") == ("not_tested", True)
    # a likelihood of 0 has no SE
    assert one(0.0, 0.9, np.nan, 0.2, True, "towards_1") == ("not_tested", True)
    # shares of 0% both years: SE 0, no test
    assert one(0.0, 0.0, 0.0, 0.0, False, "up") == ("not_tested", True)


def test_a_move_across_parity_is_not_a_verdict():
    # The review's cases: 0.888 -> 1.125 was "Improved", 1.042 -> 0.958 "Worsened", with SEs that made the
    # change in ln RL clear. The distance from parity barely moved, so there is no verdict.
    assert abs(math.log(1.125) - math.log(0.888)) / math.sqrt(2 * 0.05 ** 2) > 1.96
    assert one(0.888, 1.125, 0.05, 0.05, True, "towards_1") == ("no_clear_change", False)
    assert one(1.042, 0.958, 0.01, 0.01, True, "towards_1") == ("no_clear_change", False)
    # a gap from -3 to +3.5 pp: |gap| barely moved
    assert one(-3.0, 3.5, 0.2, 0.2, False, "towards_0") == ("no_clear_change", False)


def test_a_trivial_change_is_not_called_improved_or_worsened_however_clear():
    # England's indicator 4, 0.994 -> 0.985 inside the range, with tiny SEs: clear to a test, but below the
    # minimum meaningful change (0.05 and ln 1.05 of distance)
    assert MIN_RATIO == 0.05 and MIN_PP == 1.0 and MIN_LOG_RATIO == pytest.approx(math.log(1.05))
    assert abs(math.log(0.985 / 0.994)) / math.sqrt(2 * 0.001 ** 2) > 1.96
    assert one(0.994, 0.985, 0.001, 0.001, True, "towards_1") == ("no_clear_change", False)
    assert one(0.99, 0.94, 0.001, 0.001, True, "towards_1") == ("worsened", False)  # 0.05 and 5.3% further
    # a share up 0.6 pp among a million staff: clear, trivial
    assert one(20.0, 20.6, 0.04, 0.04, False, "up") == ("no_clear_change", False)
    assert one(20.0, 21.0, 0.04, 0.04, False, "up") == ("improved", False)


def test_the_test_is_recorded_with_the_verdict():
    trend, test, z = classify_change([2.0, 30.0, 1.0], [1.2, 33.0, np.nan], [0.1, np.nan, 0.1], [0.1, np.nan, 0.1],
                                     [True, False, True], ["towards_1", "down", "towards_1"])
    assert list(trend) == ["improved", "not_tested", ""]
    assert list(test) == ["z_distance", "not_tested", ""]
    assert z[0] == pytest.approx(round((math.log(1.2) - math.log(2.0)) / math.sqrt(0.02), 2))
    assert np.isnan(z[1]) and np.isnan(z[2])


def test_no_direction_or_no_previous_gives_no_trend():
    assert one(100, 150, np.nan, np.nan, False, "none") == ("", False)
    assert one(np.nan, 1.5, np.nan, 0.1, True, "towards_1") == ("", False)


def _frame(rows):
    cols = ["year", "level", "code", "indicator", "measure", "breakdown", "value", "status", "flags", "_se", "_log"]
    return pd.DataFrame(rows, columns=cols)


def test_a_figure_given_twice_for_a_year_is_named_not_guessed_at():
    df = _frame([
        (2022, "organisation", "XAA01", 5, "percent_bme", "all", 30.0, "ok", "", np.nan, False),
        (2022, "organisation", "XAA01", 5, "percent_bme", "all", 31.0, "ok", "", np.nan, False),
        (2023, "organisation", "XAA01", 5, "percent_bme", "all", 34.0, "ok", "", np.nan, False),
    ])
    with pytest.raises(ValueError, match="figure given twice for a year: organisation XAA01 2022 indicator 5 "
                                         "percent_bme all"):
        add_trends(df)


def test_add_trends_matches_the_previous_year_of_the_same_figure():
    df = _frame([
        (2022, "organisation", "XAA01", 5, "percent_bme", "all", 30.0, "ok", "", np.nan, False),
        (2023, "organisation", "XAA01", 5, "percent_bme", "all", 34.0, "ok", "", np.nan, False),
        (2023, "organisation", "XAB02", 5, "percent_bme", "all", 20.0, "ok", "", np.nan, False),
        (2024, "organisation", "XAA01", 5, "percent_bme", "all", np.nan, "not_collected", "", np.nan, False),
        (2025, "organisation", "XAA01", 5, "percent_bme", "all", 31.0, "ok", "", np.nan, False),
    ])
    out = add_trends(df).set_index(["year", "code"])
    assert out.loc[(2023, "XAA01"), "previous_value"] == 30.0 and out.loc[(2023, "XAA01"), "change"] == 4.0
    assert out.loc[(2023, "XAA01"), "trend"] == "not_tested"     # harassment up 4 points, but no respondents
    assert out.loc[(2023, "XAA01"), "flags"] == "trend_untested"  # so no test, and no verdict word
    assert out.loc[(2023, "XAA01"), "trend_test"] == "not_tested"
    assert math.isnan(out.loc[(2023, "XAB02"), "previous_value"])  # no previous year
    assert out.loc[(2024, "XAA01"), "trend"] == "" and math.isnan(out.loc[(2024, "XAA01"), "change"])
    # 2025 compares with 2024 only (not collected), never with 2023
    assert math.isnan(out.loc[(2025, "XAA01"), "previous_value"]) and out.loc[(2025, "XAA01"), "trend"] == ""
