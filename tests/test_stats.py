"""The statistics against published worked examples and hand calculation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from generator.compute.stats import (
    Z95,
    katz_se,
    newcombe_interval,
    proportion_se,
    relative_likelihood,
    wilson_interval,
    z_change,
)


def test_indicator_2_worked_check_from_the_spec():
    # White 4,699 of 10,000 appointed, BME 1,465 of 10,000: 0.4699 / 0.1465 = 3.2075
    rl, se, lo, hi = relative_likelihood(4699, 10000, 1465, 10000)
    assert round(float(rl), 2) == 3.21


def test_indicator_3_worked_check_from_the_spec():
    # BME 1.2%, White 0.7%: 1.2 / 0.7 = 1.714
    rl, *_ = relative_likelihood(12, 1000, 7, 1000)
    assert round(float(rl), 2) == 1.71


def test_katz_interval_by_hand():
    # a=20 of 100 over c=5 of 50: RL 2; SE = sqrt(1/20 - 1/100 + 1/5 - 1/50) = sqrt(0.22) = 0.469042
    rl, se, lo, hi = relative_likelihood(20, 100, 5, 50)
    assert float(rl) == pytest.approx(2.0)
    assert float(se) == pytest.approx(0.469042, abs=1e-6)
    assert float(lo) == pytest.approx(0.797579, abs=1e-5)  # 2 exp(-0.919323)
    assert float(hi) == pytest.approx(5.015177, abs=1e-5)  # 2 exp(+0.919323)
    assert Z95 == 1.96


def test_zero_counts():
    rl, se, lo, hi = relative_likelihood([0, 5, 5, 5], [10, 10, 0, 10], [5, 0, 5, 5], [10, 10, 10, 0])
    # numerator rate 0: ratio 0, no Katz SE (no trend test), interval continuity-corrected (0.5 added to
    # every count) with its lower end at 0: (0.5/10.5)/(5.5/10.5) = 0.0909, SE sqrt(2 - 2/10.5 + 1/5.5) = 1.4111
    assert rl[0] == 0 and np.isnan(se[0]) and lo[0] == 0
    assert hi[0] == pytest.approx((0.5 / 5.5) * math.exp(1.96 * math.sqrt(1 / 0.5 - 2 / 10.5 + 1 / 5.5)), rel=1e-9)
    assert hi[0] == pytest.approx(1.4447, abs=1e-4)
    assert np.isnan(rl[1])  # denominator rate 0
    assert np.isnan(rl[2]) and np.isnan(rl[3])  # a rate with n = 0 is undefined
    assert np.isnan(katz_se(5, 5, 0, 5))


def test_katz_when_every_one_has_the_outcome():
    # a = n1 and c = n2: both rates 1, SE = 0, interval collapses to 1 (not NaN from a negative rounding error)
    rl, se, lo, hi = relative_likelihood(7, 7, 3, 3)
    assert float(rl) == 1 and float(se) == 0 and float(lo) == 1 and float(hi) == 1


def test_wilson_by_hand():
    # 50 of 100: centre 0.5, half = 1.96/1.038416 * sqrt(0.0025 + 0.00009604) = 0.096170
    lo, hi = wilson_interval(0.5, 100)
    assert (float(lo), float(hi)) == pytest.approx((0.403830, 0.596170), abs=1e-5)
    lo, hi = wilson_interval(0.0, 10)  # stays inside [0, 1] at 0%
    assert float(lo) == pytest.approx(0.0, abs=1e-12) and float(hi) == pytest.approx(0.277540, abs=1e-5)


def test_newcombe_published_example():
    # Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 - 48/80, method 10: 0.0524 to 0.3339
    lo, hi = newcombe_interval(56 / 70, 70, 48 / 80, 80)
    assert (round(float(lo), 4), round(float(hi), 4)) == (0.0524, 0.3339)
    # example (h) of the same paper: 10/10 - 0/20 gives 0.6791 to 1.0000
    lo, hi = newcombe_interval(1.0, 10, 0.0, 20)
    assert (round(float(lo), 4), round(float(hi), 4)) == (0.6791, 1.0)


def test_proportion_se_and_z():
    assert float(proportion_se(0.2, 100)) == pytest.approx(0.04)
    assert np.isnan(proportion_se(0.2, 0))
    # (0.3 - 0.2) / sqrt(0.04^2 + 0.03^2) = 0.1 / 0.05 = 2
    assert float(z_change(0.2, 0.04, 0.3, 0.03)) == pytest.approx(2.0)
    assert np.isnan(z_change(1, 0, 2, 0))
