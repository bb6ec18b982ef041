"""Withholding small counts from published tables, so that they cannot be worked back.

Setting `withhold_below` (settings.py; 0 = publish every count, as the returns
themselves do) asks that counts below a threshold are not shown in published
tables (pages and the stacked CSV downloads).

`withhold_small_counts(df, count_cols, group_cols, threshold)`:

1. Primary suppression: every count below `threshold` (0 included) is
   withheld.
2. Complementary suppression, per count column, within each group of rows
   sharing `group_cols` (e.g. one organisation's year, staff group and band:
   its White, BME and unknown cells). We assume the worst: the group's total
   is known (a total row, or a headcount published elsewhere). The hidden
   cells of a group (withheld, or already empty or `*` at source) are then
   non-negative whole numbers summing to a known S. One hidden cell alone
   is determined (it is S); several hidden cells summing to S = 0 are all
   determined (0). So, while a group holds a withheld cell and fewer than two
   hidden cells, or hidden cells summing to 0 (with none unknown at source),
   the smallest published cell of the group is withheld too (a non-zero one
   when the sum is 0). With two or more hidden cells summing to S >= 1, each
   can be anything from 0 to S, so none is determined.

Limits, stated on the methodology page: a group of a single cell is its own
total, and a group whose every cell is withheld and whose total is 0 says, by
its total, that nobody is counted (so choose groups of two or more cells); bounds
between columns of one row (appointed never above shortlisted) may narrow a
withheld cell's range but, with two hidden cells in each group, do not fix it;
figures derived from a withheld count (a share of it) are withheld by
results.compute when `withhold_below` is set.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WITHHELD_SUFFIX = "_withheld"


def _values(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").astype("Float64").to_numpy(dtype="float64", na_value=np.nan)


def withheld_mask(values: np.ndarray, groups: np.ndarray, threshold: int) -> np.ndarray:
    """Which cells to withhold for one count column, given each row's group id (see the module docstring)."""
    n = len(values)
    unknown = np.isnan(values)
    withheld = ~unknown & (values < threshold)
    if n == 0 or not withheld.any():
        return withheld
    codes = pd.factorize(pd.Series(groups), use_na_sentinel=False)[0]
    v0 = np.where(unknown, 0.0, values)
    for _ in range(n):  # each pass withholds at least one more cell, so this ends; a pass is vectorised
        hidden = withheld | unknown
        k = np.bincount(codes, weights=hidden, minlength=codes.max() + 1)
        has_primary = np.bincount(codes, weights=withheld, minlength=codes.max() + 1) > 0
        s = np.bincount(codes, weights=np.where(hidden, v0, 0.0), minlength=codes.max() + 1)
        any_unknown = np.bincount(codes, weights=unknown, minlength=codes.max() + 1) > 0
        needs_positive = (s == 0) & ~any_unknown
        bad = has_primary & ((k < 2) | needs_positive)
        cand = bad[codes] & ~hidden
        if not cand.any():
            break
        # The smallest published cell of each bad group; a non-zero one when the hidden cells sum to 0.
        zero_penalty = (needs_positive[codes] & (v0 == 0)).astype(float)
        order = np.lexsort((np.arange(n), v0, zero_penalty, codes))
        order = order[cand[order]]
        first = order[np.r_[True, codes[order][1:] != codes[order][:-1]]]
        withheld[first] = True
    return withheld


def withhold_small_counts(df: pd.DataFrame, count_cols: list[str], group_cols: list[str], threshold: int,
                          marker: str | None = None) -> pd.DataFrame:
    """A copy of `df` with small counts and their complements withheld.

    Withheld cells become NA (the column stays nullable Int64) and a bool column
    `<count>_withheld` marks them; with `marker` (e.g. "*") the column becomes
    text holding the marker instead. threshold <= 0 withholds nothing.
    """
    out = df.copy()
    if len(out) == 0:
        for c in count_cols:
            out[c + WITHHELD_SUFFIX] = pd.Series(dtype=bool)
        return out
    if group_cols:
        groups = pd.MultiIndex.from_frame(out[group_cols].astype("string").fillna("\0")).to_flat_index().to_numpy()
    else:
        groups = np.zeros(len(out), dtype=int)
    for c in count_cols:
        vals = _values(out[c])
        mask = withheld_mask(vals, groups, threshold) if threshold > 0 else np.zeros(len(out), dtype=bool)
        out[c + WITHHELD_SUFFIX] = mask
        if marker is None:
            out[c] = pd.array(np.where(mask | np.isnan(vals), None, vals), dtype="Float64").astype("Int64")
        else:
            text = pd.Series(out[c]).astype("Int64").astype("string").fillna("")
            out[c] = np.where(mask, marker, text.to_numpy(dtype=object))
    return out
