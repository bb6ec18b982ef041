"""Change from the previous year, classed improved / worsened / no clear change.

For every figure the previous year's figure of the same unit, indicator,
measure and breakdown is looked up (the previous *collection year*, year - 1;
a missing previous year, or a previous or current figure that is not `ok`,
gives no change and an empty trend).

    change = value(year) - value(year - 1)   (ratio units, percentage points)

The class uses the direction of "better" (indicators.better_direction):

* Likelihoods (2, 3, 4): `z = (ln RL2 - ln RL1) / sqrt(SE1^2 + SE2^2)` with
  Katz SEs (indicators.md). At |z| > 1.96 the change is clear; it is
  *improved* when |ln RL| moved towards 0 (RL towards 1), else *worsened*.
* Shares, percentages and gaps with counts behind them (indicator 1 shares,
  the survey where respondents are known, indicator 9, the senior gap):
  the same z on the natural scale with Wald standard errors, `sqrt(p(1-p)/n)`
  for a share and the root sum of squares for a difference of two shares
  (a difference-of-proportions z test; the two shares of a gap are treated as
  independent, a simplification stated on the methodology page). Clear at
  |z| > 1.96; then improved or worsened by the direction of better
  (up, down, or towards 0 comparing |value|).
* Where no test is possible (no standard error in either year: survey
  percentages without respondents, a likelihood of 0, a share of 0% or 100%
  in both years) the change is *no clear change* when it is within a
  tolerance (`TOLERANCE_PP` = 1 percentage point for shares, percentages and
  gaps; `TOLERANCE_RATIO` = 0.05 for likelihoods) and otherwise improved or
  worsened by the direction of better, with the flag `trend_untested`.
* Consecutive two-year figures of indicator 3 share a year, so they are
  positively correlated and the independence assumption makes the test
  conservative (it calls fewer changes clear than it could).
* Figures with no direction of better (headcounts, the BME and White shares
  of non-senior breakdowns) get a change but an empty trend.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .stats import Z95

TOLERANCE_PP = 1.0
TOLERANCE_RATIO = 0.05
_KEYS = ["level", "code", "indicator", "measure", "breakdown"]


def directions(df: pd.DataFrame) -> np.ndarray:
    """The direction of better of every row (one call per distinct indicator/measure/breakdown)."""
    from .indicators import better_direction

    combos = df[["indicator", "measure", "breakdown"]].drop_duplicates()
    combos = combos.assign(_dir=[better_direction(i, m, b) for i, m, b in
                                 zip(combos["indicator"], combos["measure"], combos["breakdown"])])
    return df[["indicator", "measure", "breakdown"]].merge(
        combos, on=["indicator", "measure", "breakdown"], how="left")["_dir"].to_numpy()


def classify(v1, v2, se1, se2, log_scale, direction) -> tuple[np.ndarray, np.ndarray]:
    """(trend, untested) for changes v1 -> v2: see the module docstring. NaN values give ''."""
    v1, v2 = np.asarray(v1, dtype="float64"), np.asarray(v2, dtype="float64")
    se1, se2 = np.asarray(se1, dtype="float64"), np.asarray(se2, dtype="float64")
    log_scale = np.asarray(log_scale, dtype=bool)
    direction = np.asarray(direction, dtype=object)
    with np.errstate(divide="ignore", invalid="ignore"):
        x1 = np.where(log_scale, np.log(v1), v1)
        x2 = np.where(log_scale, np.log(v2), v2)
        s = np.sqrt(se1 ** 2 + se2 ** 2)
        tested = np.isfinite(x1) & np.isfinite(x2) & np.isfinite(s) & (s > 0)
        z = np.where(tested, (x2 - x1) / s, np.nan)
        tol = np.where(log_scale, TOLERANCE_RATIO, TOLERANCE_PP)
        clear = np.where(tested, np.abs(z) > Z95, np.abs(v2 - v1) > tol)
        # Distance from "best" under each direction; smaller is better.
        d1 = np.select([direction == "up", direction == "down", log_scale], [-v1, v1, np.abs(np.log(v1))], np.abs(v1))
        d2 = np.select([direction == "up", direction == "down", log_scale], [-v2, v2, np.abs(np.log(v2))], np.abs(v2))
    both = ~np.isnan(v1) & ~np.isnan(v2) & (direction != "none")
    trend = np.where(~clear | (d1 == d2), "no_clear_change", np.where(d2 < d1, "improved", "worsened"))
    trend = np.where(both, trend, "").astype(object)
    return trend, both & ~tested & clear & (d1 != d2)


def add_trends(rows: pd.DataFrame) -> pd.DataFrame:
    """Add previous_value, change, trend to rows carrying internal `_se` and `_log` columns."""
    if len(rows) == 0:
        return rows.assign(previous_value=np.nan, change=np.nan, trend="")
    # One integer per figure (unit, indicator, measure, breakdown), so the year-1 lookup joins on integers.
    out = rows.copy()
    fig_id = out.groupby(_KEYS, sort=False, dropna=False).ngroup().to_numpy()
    ok = out["status"].to_numpy() == "ok"
    prev = pd.DataFrame({"_fig": fig_id[ok], "year": out["year"].to_numpy()[ok] + 1,
                         "previous_value": out["value"].to_numpy()[ok], "_se_prev": out["_se"].to_numpy()[ok]})
    look = pd.DataFrame({"_fig": fig_id, "year": out["year"].to_numpy()}).merge(prev, on=["_fig", "year"], how="left")
    out["previous_value"] = look["previous_value"].to_numpy()
    out["_se_prev"] = look["_se_prev"].to_numpy()
    cur_ok = out["status"].to_numpy() == "ok"
    out["previous_value"] = np.where(cur_ok, out["previous_value"].to_numpy(), np.nan)
    out["change"] = out["value"] - out["previous_value"]
    trend, untested = classify(out["previous_value"], out["value"], out["_se_prev"], out["_se"], out["_log"],
                               directions(out))
    out["trend"] = trend
    flags = out["flags"].to_numpy(dtype=object)
    out["flags"] = np.where(untested, np.where(flags == "", "trend_untested", flags + ";trend_untested"), flags)
    return out.drop(columns=["_se_prev"])
