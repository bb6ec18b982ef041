"""The rounding rule for every published figure (stated on /methodology/, "Rounding").

Figures are rounded once, when they are computed, and everything published
(pages, indicators.csv, the workbook, the API, chart data) carries the same
rounded value, so that a class or a verdict is always about the figure as
printed:

* shares and percentages (0-100): 1 decimal place;
* percentage points (gaps, changes of shares): 1 decimal place;
* relative likelihoods and their 95% intervals: 2 decimal places;
* the two rates beside a likelihood (percent): 2 decimal places, because
  disciplinary rates are often below 1% and 1 decimal would lose the figure;
* headcounts: whole numbers.

Classes (`within_range`, `adverse_to_bme`, `adverse_to_white`, `significant`)
are computed on the rounded value and interval (indicators._rl_flags), so a
figure printed 0.80 is within the range and one printed 1.25 too. The
standard errors behind the trend test are not published and are kept
unrounded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Decimal places by kind of figure (text.measure_kind's kinds, plus "rate").
DECIMALS = {"likelihood": 2, "share": 1, "percent": 1, "gap": 1, "count": 0, "rate": 2}


def kind_of(measure: str) -> str:
    """likelihood | gap | share | percent | count (the same kinds as text.measure_kind)."""
    if measure.startswith("relative_likelihood"):
        return "likelihood"
    if measure.startswith("gap_pp") or measure == "senior_gap_pp":
        return "gap"
    if measure.startswith("share_"):
        return "share"
    if measure.startswith("percent_"):
        return "percent"
    return "count"


def rounded(values, decimals) -> np.ndarray:
    """Values rounded half away from zero to `decimals` places (an array of decimals, or one).

    np.round rounds halves to even on the float; adding half a unit of the
    last place scaled by a hair first makes 0.125 go to 0.13, as people expect.
    """
    v = np.asarray(values, dtype="float64")
    d = np.asarray(decimals, dtype="float64")
    scale = 10.0 ** d
    with np.errstate(invalid="ignore"):
        out = np.sign(v) * np.floor(np.abs(v) * scale + 0.5 + 1e-9) / scale
    return out + 0.0  # no -0.0


def decimals_of(measures: pd.Series) -> np.ndarray:
    """Decimal places of each row's value, by its measure (one lookup per distinct measure)."""
    codes, uniques = pd.factorize(measures.astype(str))
    lookup = np.array([DECIMALS[kind_of(m)] for m in uniques] + [10], dtype="float64")
    return lookup[codes]


def round_figures(df: pd.DataFrame) -> pd.DataFrame:
    """value, ci_lower, ci_upper (and rate_white, rate_bme) rounded by the rule above."""
    if len(df) == 0:
        return df
    out = df.copy()
    dec = decimals_of(out["measure"])
    for c in ("value", "ci_lower", "ci_upper"):
        if c in out:
            out[c] = rounded(out[c].to_numpy(dtype="float64"), dec)
    for c in ("rate_white", "rate_bme"):
        if c in out:
            out[c] = rounded(out[c].to_numpy(dtype="float64"), DECIMALS["rate"])
    return out


def round_changes(df: pd.DataFrame) -> pd.DataFrame:
    """change (already the difference of two rounded values) rid of float noise, at the value's decimals."""
    if len(df) == 0 or "change" not in df:
        return df
    out = df.copy()
    out["change"] = rounded(out["change"].to_numpy(dtype="float64"), decimals_of(out["measure"]))
    return out


#: Decimals of the goals and quality tables: proportions (0-1) to 4 places (a hundredth of a percentage
#: point), appointments a year to 1, percentages to 1.
TABLE_DECIMALS = {
    "goals": {"s0": 4, "T": 4, "fraction": 4, "fraction_low": 4, "fraction_high": 4, "T_national": 4,
              "fraction_national": 4, "bme_appointments_per_year": 1},
    "quality": {"share_unknown": 1, "completeness": 1, "cells_filled": 1},
}


def round_table(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """The goals or quality table with its fractional columns rounded as published (TABLE_DECIMALS)."""
    if df is None or len(df) == 0:
        return df
    out = df.copy()
    for col, dec in TABLE_DECIMALS.get(name, {}).items():
        if col in out and pd.api.types.is_float_dtype(out[col]):
            out[col] = rounded(out[col].to_numpy(dtype="float64"), dec)
    return out
