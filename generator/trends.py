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


def combined_codes(columns: list[pd.Series]) -> np.ndarray:
    """One integer per distinct combination of the columns' values (NA a value like any other).

    Equal rows get equal codes, numbered in order of first appearance (as
    `groupby(sort=False).ngroup()` numbers them), but each column is hashed on
    its own and the combination is plain integer arithmetic: on the ~350k rows
    of the national indicators this is several times quicker than grouping by
    the text columns together.
    """
    key = np.zeros(len(columns[0]) if columns else 0, dtype="int64")
    for col in columns:
        codes, uniques = pd.factorize(col, use_na_sentinel=False)
        key = key * max(len(uniques), 1) + codes
        key = pd.factorize(key)[0].astype("int64")  # keep it compact, so the product never overflows
    return key


def directions(df: pd.DataFrame, codes: np.ndarray | None = None) -> np.ndarray:
    """The direction of better of every row (one call per distinct indicator/measure/breakdown).

    `codes`: `combined_codes` of those three columns, when the caller has them already.
    """
    from .indicators import better_direction

    cols = ["indicator", "measure", "breakdown"]
    codes = combined_codes([df[c] for c in cols]) if codes is None else codes
    if len(codes) == 0:
        return np.array([], dtype=object)
    first = np.unique(codes, return_index=True)[1]
    combos = df[cols].iloc[first]
    per_combo = np.array([better_direction(i, m, b) for i, m, b in
                          zip(combos["indicator"], combos["measure"], combos["breakdown"])], dtype=object)
    return per_combo[codes]


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
    # Each key column hashed once: the figure id and the directions share the codes.
    what = combined_codes([out["indicator"], out["measure"], out["breakdown"]])
    fig_id = combined_codes([out["level"], out["code"], pd.Series(what)])
    ok = out["status"].to_numpy() == "ok"
    year = out["year"].to_numpy(dtype="int64")
    # (figure, year) as one integer: the year-1 lookup is an index lookup, not a merge on five columns.
    span = int(year.max()) - int(year.min()) + 2
    key = fig_id * span + (year - int(year.min()))
    prev_key = pd.Index(key[ok] + 1)
    if not ok.any():
        out["previous_value"] = np.nan
        out["_se_prev"] = np.nan
    elif prev_key.is_unique:
        at = prev_key.get_indexer(key)
        found = at >= 0
        out["previous_value"] = np.where(found, out["value"].to_numpy()[ok][at], np.nan)
        out["_se_prev"] = np.where(found, out["_se"].to_numpy(dtype="float64")[ok][at], np.nan)
    else:  # compute gives each figure once a year; anything else is a bug upstream, not data to guess at
        twice = out[ok][pd.Index(key[ok]).duplicated(keep=False)].iloc[0]  # the ok figure that repeats
        raise ValueError(f"figure given twice for a year: {twice['level']} {twice['code']} {twice['year']} "
                         f"indicator {twice['indicator']} {twice['measure']} {twice['breakdown']}")
    out["previous_value"] = np.where(ok, out["previous_value"].to_numpy(), np.nan)
    out["change"] = out["value"] - out["previous_value"]
    trend, untested = classify(out["previous_value"], out["value"], out["_se_prev"], out["_se"], out["_log"],
                               directions(out, what))
    out["trend"] = trend
    flags = out["flags"].to_numpy(dtype=object)
    out["flags"] = np.where(untested, np.where(flags == "", "trend_untested", flags + ";trend_untested"), flags)
    return out.drop(columns=["_se_prev"])
