"""Change from the previous year, classed improved / worsened / no clear change.

For every figure the previous year's figure of the same unit, indicator,
measure and breakdown is looked up (the previous *collection year*, year - 1;
a missing previous year, or a previous or current figure that is not `ok`,
gives no change and an empty trend).

    change = value(year) - value(year - 1)   (ratio units, percentage points)

The class is about the *distance from parity* (what a reader means by
"better"), and the test is a test of that same distance:

* Distance D: likelihoods (2, 3, 4) `|ln RL|` (0 at parity, the same for
  a ratio and its reciprocal); gaps `|gap|`; figures better up `-value`;
  better down `value` (definitions.better_direction).
* Test: `z = (D2 - D1) / sqrt(SE1^2 + SE2^2)` with the SEs of ln RL (Katz)
  or of the share or gap (Wald; the two shares of a gap treated as
  independent, a simplification stated on the methodology page). Where the
  figure stays on one side of parity this is the z of indicators.md; where
  it crosses parity D barely moves and the test (rightly) finds no clear
  change: a move across parity is described as what it is, not as better
  or worse. Near parity the folded distance makes the test conservative.
* Minimum meaningful change (practical significance, stated on the
  methodology page): a likelihood's distance must change by at least
  `MIN_LOG_RATIO` = ln 1.05 (the ratio moves 5% closer to or further from
  parity) and its published value by at least `MIN_RATIO` = 0.05; a share,
  percentage or gap by at least `MIN_PP` = 1 percentage point.
* improved / worsened: |z| > 1.96 AND the change is at least the minimum
  AND D fell / rose; otherwise no_clear_change. The test is recorded in the
  row (`trend_test` = `z_distance`, `trend_z`).
* Where no test is possible (no standard error in either year: survey
  percentages without respondents, a likelihood of 0, a share of 0% or
  100% in both years) the trend is `not_tested` (flag `trend_untested`,
  `trend_test` = `not_tested`): the page shows both values and says "not
  tested", never a verdict word.
* Consecutive two-year figures of indicator 3 share a year, so they are
  positively correlated and the independence assumption makes the test
  conservative (it calls fewer changes clear than it could).
* Figures with no direction of better (headcounts, the BME and White shares
  of non-senior breakdowns) get a change but an empty trend.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .definitions import better_direction
from .keys import combined_codes
from .rounding import round_changes
from .stats import Z95

#: Minimum meaningful change (practical significance): see the module docstring.
MIN_PP = 1.0
MIN_RATIO = 0.05
MIN_LOG_RATIO = float(np.log(1.05))
#: Older names of the same minimums (the tolerance of the untested rule before it became `not_tested`).
TOLERANCE_PP = MIN_PP
TOLERANCE_RATIO = MIN_RATIO
#: Values of the `trend_test` column.
TEST_NAME = "z_distance"
NOT_TESTED = "not_tested"
_KEYS = ["level", "code", "indicator", "measure", "breakdown"]


def directions(df: pd.DataFrame, codes: np.ndarray | None = None) -> np.ndarray:
    """The direction of better of every row (one call per distinct indicator/measure/breakdown).

    `codes`: `combined_codes` of those three columns, when the caller has them already.
    """
    cols = ["indicator", "measure", "breakdown"]
    codes = combined_codes([df[c] for c in cols]) if codes is None else codes
    if len(codes) == 0:
        return np.array([], dtype=object)
    first = np.unique(codes, return_index=True)[1]
    combos = df[cols].iloc[first]
    per_combo = np.array([better_direction(i, m, b) for i, m, b in
                          zip(combos["indicator"], combos["measure"], combos["breakdown"])], dtype=object)
    return per_combo[codes]


def distance(v, log_scale, direction) -> np.ndarray:
    """Distance from parity or from best (smaller is better): see the module docstring."""
    v = np.asarray(v, dtype="float64")
    log_scale = np.asarray(log_scale, dtype=bool)
    direction = np.asarray(direction, dtype=object)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.select([direction == "up", direction == "down", log_scale], [-v, v, np.abs(np.log(v))], np.abs(v))


def classify_change(v1, v2, se1, se2, log_scale, direction) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(trend, trend_test, trend_z) for changes v1 -> v2: see the module docstring. NaN values give ''."""
    v1, v2 = np.asarray(v1, dtype="float64"), np.asarray(v2, dtype="float64")
    se1, se2 = np.asarray(se1, dtype="float64"), np.asarray(se2, dtype="float64")
    log_scale = np.asarray(log_scale, dtype=bool)
    direction = np.asarray(direction, dtype=object)
    d1, d2 = distance(v1, log_scale, direction), distance(v2, log_scale, direction)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.sqrt(se1 ** 2 + se2 ** 2)
        tested = np.isfinite(d1) & np.isfinite(d2) & np.isfinite(s) & (s > 0)
        # z as published (2 decimals), so a verdict never rests on a z printed as 1.96
        z = np.round(np.where(tested, (d2 - d1) / s, np.nan), 2)
        # The published values are rounded, so a hair of float noise never makes a change "meaningful".
        moved = np.abs(d2 - d1) + 1e-9
        meaningful = np.where(log_scale, (moved >= MIN_LOG_RATIO) & (np.abs(v2 - v1) + 1e-9 >= MIN_RATIO),
                              moved >= MIN_PP)
        clear = tested & (np.abs(z) > Z95) & meaningful
    both = ~np.isnan(v1) & ~np.isnan(v2) & (direction != "none")
    trend = np.where(~clear | (d1 == d2), "no_clear_change", np.where(d2 < d1, "improved", "worsened"))
    trend = np.where(both & ~tested, NOT_TESTED, trend)
    trend = np.where(both, trend, "").astype(object)
    test = np.where(both, np.where(tested, TEST_NAME, NOT_TESTED), "").astype(object)
    return trend, test, np.where(both & tested, z, np.nan)


def classify(v1, v2, se1, se2, log_scale, direction) -> tuple[np.ndarray, np.ndarray]:
    """(trend, untested) for changes v1 -> v2 (`classify_change` without the test's columns)."""
    trend, test, _ = classify_change(v1, v2, se1, se2, log_scale, direction)
    return trend, test == NOT_TESTED


def add_trends(rows: pd.DataFrame) -> pd.DataFrame:
    """Add previous_value, change, trend to rows carrying internal `_se` and `_log` columns."""
    if len(rows) == 0:
        return rows.assign(previous_value=np.nan, change=np.nan, trend="", trend_test="", trend_z=np.nan)
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
    out = round_changes(out)
    trend, test, z = classify_change(out["previous_value"], out["value"], out["_se_prev"], out["_se"], out["_log"],
                                     directions(out, what))
    untested = test == NOT_TESTED
    out["trend"] = trend
    out["trend_test"] = test
    out["trend_z"] = z
    flags = out["flags"].to_numpy(dtype=object)
    out["flags"] = np.where(untested, np.where(flags == "", "trend_untested", flags + ";trend_untested"), flags)
    return out.drop(columns=["_se_prev"])
