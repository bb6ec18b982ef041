"""The leadership-goal model, from the 2018 board paper's sanity check and by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from indicator_fixtures import make_dataset, org, pairs, workforce_rows

from generator.compute.goals import GOAL_COLUMNS, goal_fraction
from generator.compute.results import compute
from generator.model.settings import Settings


def test_board_paper_sanity_check():
    # NHS trusts 2018: BME 1 in 6 of the workforce, 1 in 18 of VSMs, 10% turnover.
    # 2028 (n=10): q = 0.9^10 = 0.348678; f = (1/6 - q/18) / (1 - q) = 0.147296 / 0.651322 = 0.22615 -> 1 in 4
    f28 = float(goal_fraction(1 / 6, 1 / 18, 0.10, 10))
    assert f28 == pytest.approx(0.22615, abs=1e-5) and round(1 / f28) == 4
    # 2023 (n=5): q = 0.59049; f = (1/6 - 0.032805) / 0.40951 = 0.32688 -> 1 in 3
    f23 = float(goal_fraction(1 / 6, 1 / 18, 0.10, 5))
    assert f23 == pytest.approx(0.32688, abs=1e-5) and round(1 / f23) == 3


def p4(x):
    """A proportion as published in goals.csv: 4 decimal places (rounding.TABLE_DECIMALS)."""
    return pytest.approx(round(x, 4), abs=1e-9)


def _goals(settings=None):
    wf = workforce_rows(2018, "XAA01", {
        ("non_clinical", "band_5"): (483, 99, 10),   # with the VSMs: 500 White, 100 BME -> T = 1/6
        ("non_clinical", "vsm"): (17, 1, 2),         # s0 = 1/18 among known, N = 20 (unknown included)
    })
    wf += workforce_rows(2024, "XAA01", {("non_clinical", "band_5"): (50, 50, 0), ("non_clinical", "vsm"): (30, 0, 0)})
    board = (pairs(2018, "XAA01", (12, 12, 6), (8, 8, 2), (0, 0, 0))
             + pairs(2024, "XAA01", (20, 8, 4), (0, 0, 0), ("*", "*", "*")))
    ds = make_dataset([org("XAA01")], workforce=wf, board=board)
    return compute(ds, settings or Settings()).goals


def _row(goals, **where):
    m = pd.Series(True, index=goals.index)
    for k, val in where.items():
        m &= goals[k] == val
    assert m.sum() == 1, where
    return goals[m].iloc[0]


def test_goal_rows_from_returns():
    g = _goals()
    assert list(g.columns) == GOAL_COLUMNS
    o = dict(year=2018, level="organisation", code="XAA01", group="vsm")
    r28 = _row(g, **o, target_year=2028)
    assert r28["T"] == p4(1 / 6) and r28["s0"] == p4(1 / 18) and r28["N"] == 20
    assert r28["one_in_k"] == 4 and r28["status"] == "ok" and bool(r28["reachable"]) and bool(r28["headline"])
    assert r28["bme_appointments_per_year"] == pytest.approx(0.5)  # 0.452 a year, published to 1 decimal
    assert _row(g, **o, target_year=2023)["one_in_k"] == 3
    assert _row(g, **o, target_year=2033)["years"] == 15
    # England is a group of one here: the same goals
    assert _row(g, year=2018, level="england", code="ENG", group="vsm", target_year=2028)["one_in_k"] == 4


def test_met_passed_unreachable_and_not_calculable():
    g = _goals()
    # board 2018: 8 of 20 BME (known) >= T = 1/6: met, no fraction
    met = _row(g, year=2018, level="organisation", code="XAA01", group="board", target_year=2028)
    assert met["status"] == "met" and met["reason"] == "already at or above target" and bool(met["reachable"])
    assert math.isnan(met["fraction"])
    # 2024 data, 2023 target: passed
    past = _row(g, year=2024, level="organisation", code="XAA01", group="vsm", target_year=2023)
    assert past["status"] == "passed" and past["reason"] == "target year has passed" and not past["reachable"]
    assert past["years"] == -1 and math.isnan(past["fraction"])
    # 2024 VSM: s0 = 0, T = 50 / 130 (the VSMs are in the workforce), n = 4:
    # f = 0.384615 / (1 - 0.9^4) = 0.384615 / 0.3439 = 1.1184 > 1
    no = _row(g, year=2024, level="organisation", code="XAA01", group="vsm", target_year=2028)
    assert no["status"] == "not_reachable" and no["reason"] == "not reachable by then at this turnover"
    assert no["fraction"] == p4((50 / 130) / 0.3439) and not no["reachable"]
    assert pd.isna(no["one_in_k"])
    # ... but 2033 (n = 9): f = 0.384615 / (1 - 0.9^9) = 0.384615 / 0.612580 = 0.62786
    later = _row(g, year=2024, level="organisation", code="XAA01", group="vsm", target_year=2033)
    assert later["status"] == "ok" and later["fraction"] == p4(0.62786) and later["one_in_k"] == 2
    # 2024 board: unknown counts suppressed
    nc = _row(g, year=2024, level="organisation", code="XAA01", group="board", target_year=2028)
    assert nc["status"] == "not_calculable" and "suppressed" in nc["reason"] and pd.isna(nc["reachable"])


def test_turnover_is_configurable():
    g = _goals(Settings(goal_turnover=0.2))
    r = _row(g, year=2018, level="organisation", code="XAA01", group="vsm", target_year=2028)
    q = 0.8 ** 10
    assert r["fraction"] == p4((1 / 6 - q / 18) / (1 - q)) and r["turnover"] == 0.2
    g0 = _goals(Settings(goal_turnover=0.0))
    r0 = _row(g0, year=2018, level="organisation", code="XAA01", group="vsm", target_year=2028)
    assert r0["status"] == "not_calculable" and "turnover" in r0["reason"]


def test_no_goal_for_a_group_under_20_posts_and_the_turnover_range_and_national_baseline():
    wf = workforce_rows(2018, "XAA01", {("non_clinical", "band_5"): (483, 99, 10), ("non_clinical", "vsm"): (17, 1, 2)})
    wf += workforce_rows(2018, "XAB02", {("non_clinical", "band_5"): (90, 10, 0), ("non_clinical", "vsm"): (9, 1, 0)})
    g = compute(make_dataset([org("XAA01"), org("XAB02")], workforce=wf), Settings()).goals
    small = _row(g, year=2018, level="organisation", code="XAB02", group="vsm", target_year=2028)
    assert small["N"] == 10 and small["status"] == "too_small" and "fewer than 20 posts" in small["reason"]
    assert math.isnan(small["fraction"]) and pd.isna(small["one_in_k"]) and pd.isna(small["reachable"])
    r = _row(g, year=2018, level="organisation", code="XAA01", group="vsm", target_year=2028)
    assert r["fraction_low"] == p4(float(goal_fraction(1 / 6, 1 / 18, 0.05, 10)))
    assert r["fraction_high"] == p4(float(goal_fraction(1 / 6, 1 / 18, 0.15, 10)))
    assert r["fraction_high"] < r["fraction"] < r["fraction_low"]
    # England's BME share among known ethnicities that year: (100 + 11) / (600 + 110)
    assert r["T_national"] == p4(111 / 710)
    assert r["fraction_national"] == p4(float(goal_fraction(111 / 710, 1 / 18, 0.10, 10)))
