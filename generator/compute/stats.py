"""Intervals and tests behind every uncertain figure, vectorised over numpy arrays.

Everything here is a pure function of arrays of counts or proportions and
returns arrays of the same shape; where a formula is undefined the result is
NaN, never an exception, so that the caller can say *why* in plain words.

Formulas (the methodology page quotes them):

* Relative likelihood of two rates `a/n1` over `c/n2`:
  `RL = (a/n1) / (c/n2)`.
  Katz log-scale standard error: `SE = sqrt(1/a - 1/n1 + 1/c - 1/n2)`,
  95% interval `exp(ln RL +/- 1.96 SE)` (indicators.md). The interval is
  undefined when `a` is 0 (a term 1/0); then (a ratio of 0) the interval
  is the continuity-corrected Katz one, 0.5 added to each of the four counts
  (Pettigrew, Gart and Thomas 1986), with its lower end set to 0, the ratio
  itself: "0 (0 to 4.50)". So a ratio of 0 on a handful of cases shows how
  wide its uncertainty is instead of looking like a certain extreme. The SE
  (and with it the year-on-year test) stays undefined. When `c` is 0 the
  ratio itself has no finite value and is not calculable.
* Wilson score interval for a proportion `p = x/n` (Wilson 1927):
  `centre = (p + z^2/2n) / (1 + z^2/n)`,
  `half = z / (1 + z^2/n) * sqrt(p(1-p)/n + z^2/4n^2)`.
* Newcombe's hybrid score interval for a difference of two independent
  proportions `d = p1 - p2` (Newcombe 1998, method 10), built from the two
  Wilson intervals `(l1, u1)`, `(l2, u2)`:
  `lower = d - sqrt((p1 - l1)^2 + (u2 - p2)^2)`,
  `upper = d + sqrt((u1 - p1)^2 + (p2 - l2)^2)`.
  It stays inside [-1, 1] and behaves at 0% and 100%, where the simple Wald
  interval collapses; that is why the project uses it for the survey gaps.
* Standard error of a proportion (Wald): `sqrt(p(1-p)/n)`; of a difference
  of two independent proportions: `sqrt(p1(1-p1)/n1 + p2(1-p2)/n2)`. Used only
  by the year-on-year trend test of shares and gaps (see trends.py).
* Year-on-year z: `z = (x2 - x1) / sqrt(SE1^2 + SE2^2)`, on the log scale for
  likelihoods (indicators.md), on the natural scale otherwise; a change is
  statistically clear when `|z| > 1.96`.

`Z95 = 1.96`, exactly as indicators.md writes it, so that a reader
recomputing an interval by hand gets our digits.
"""

from __future__ import annotations

import numpy as np

#: The two-sided 95% normal quantile, as indicators.md writes it.
Z95 = 1.96


def _arr(x) -> np.ndarray:  # noqa: ANN001
    return np.asarray(x, dtype="float64")


def relative_likelihood(a, n1, c, n2) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Ratio of the rates a/n1 and c/n2 with its Katz 95% interval.

    Returns (rl, se, lower, upper). `rl` is NaN where either rate is
    undefined (n = 0) or the denominator rate is 0; `se`, `lower`, `upper`
    are NaN where the Katz SE is undefined (a or c is 0). The caller decides
    what to publish in each case (indicators.py: not calculable, or a ratio
    of 0 without an interval).
    """
    a, n1, c, n2 = _arr(a), _arr(n1), _arr(c), _arr(n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        r1 = np.where(n1 > 0, a / n1, np.nan)
        r2 = np.where(n2 > 0, c / n2, np.nan)
        rl = np.where(r2 > 0, r1 / r2, np.nan)
        se = katz_se(a, n1, c, n2)
        lower = np.exp(np.log(rl) - Z95 * se)
        upper = np.exp(np.log(rl) + Z95 * se)
        # A ratio of 0: the continuity-corrected interval (see the module docstring).
        zero = (rl == 0) & (n1 > 0) & (n2 > 0)
        if zero.any():
            a5, n15, c5, n25 = a + 0.5, n1 + 0.5, c + 0.5, n2 + 0.5
            rl_cc = (a5 / n15) / (c5 / n25)
            se_cc = np.sqrt(np.clip(1 / a5 - 1 / n15 + 1 / c5 - 1 / n25, 0.0, None))
            lower = np.where(zero, 0.0, lower)
            upper = np.where(zero, np.exp(np.log(rl_cc) + Z95 * se_cc), upper)
    return rl, se, lower, upper


def katz_se(a, n1, c, n2) -> np.ndarray:
    """Katz standard error of ln RL; NaN where a or c is 0 or a rate is undefined."""
    a, n1, c, n2 = _arr(a), _arr(n1), _arr(c), _arr(n2)
    ok = (a > 0) & (c > 0) & (n1 > 0) & (n2 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        var = 1.0 / a - 1.0 / n1 + 1.0 / c - 1.0 / n2
        # var can be a hair below 0 by rounding when a == n1 and c == n2.
        return np.where(ok, np.sqrt(np.clip(var, 0.0, None)), np.nan)


def wilson_interval(p, n, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion p (0-1) observed among n; NaN where n <= 0."""
    p, n = _arr(p), _arr(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        z2 = z * z
        denom = 1.0 + z2 / n
        centre = (p + z2 / (2.0 * n)) / denom
        half = z / denom * np.sqrt(np.clip(p * (1.0 - p), 0.0, None) / n + z2 / (4.0 * n * n))
        ok = n > 0
        return np.where(ok, centre - half, np.nan), np.where(ok, centre + half, np.nan)


def newcombe_interval(p1, n1, p2, n2, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe hybrid score 95% interval for p1 - p2 (proportions 0-1); NaN where an n <= 0."""
    p1, n1, p2, n2 = _arr(p1), _arr(n1), _arr(p2), _arr(n2)
    l1, u1 = wilson_interval(p1, n1, z)
    l2, u2 = wilson_interval(p2, n2, z)
    d = p1 - p2
    lower = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return lower, upper


def proportion_se(p, n) -> np.ndarray:
    """Wald standard error of a proportion p (0-1) among n; NaN where n <= 0."""
    p, n = _arr(p), _arr(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, np.sqrt(np.clip(p * (1.0 - p), 0.0, None) / n), np.nan)


def z_change(x1, se1, x2, se2) -> np.ndarray:
    """z for the change x1 -> x2 of two independent estimates; NaN where both SEs are 0 or unknown."""
    x1, se1, x2, se2 = _arr(x1), _arr(se1), _arr(x2), _arr(se2)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.sqrt(se1 ** 2 + se2 ** 2)
        return np.where(s > 0, (x2 - x1) / s, np.nan)
