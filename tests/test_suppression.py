"""Withheld counts cannot be worked back from the rest of the same table."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from generator.compute.suppression import withhold_small_counts


def _table(groups: list[list[int | None]]) -> pd.DataFrame:
    rows = [(f"X{g:02d}", i, v) for g, cells in enumerate(groups) for i, v in enumerate(cells)]
    df = pd.DataFrame(rows, columns=["org_code", "cell", "headcount"])
    df["headcount"] = pd.array(df["headcount"].tolist(), dtype="Int64")
    return df


def _determined(published: list[int | None], total: int) -> list[bool]:
    """Brute force: for each hidden cell, is only one value consistent with the published cells and the total?

    The attacker knows the group total and every published cell; hidden cells are
    whole numbers >= 0. Enumerate every assignment of the hidden cells.
    """
    hidden = [i for i, x in enumerate(published) if x is None]
    rest = total - sum(x for x in published if x is not None)

    def compositions(s: int, k: int):
        if k == 1:
            yield (s,)
            return
        for first in range(s + 1):
            for tail in compositions(s - first, k - 1):
                yield (first, *tail)

    possible: dict[int, set[int]] = {i: set() for i in hidden}
    for combo in compositions(rest, len(hidden)) if hidden else ():
        for i, val in zip(hidden, combo):
            possible[i].add(val)
    return [len(possible[i]) == 1 for i in hidden]


def _check(groups: list[list[int]], threshold: int) -> pd.DataFrame:
    out = withhold_small_counts(_table(groups), ["headcount"], ["org_code"], threshold)
    for g, cells in enumerate(groups):
        sub = out[out["org_code"] == f"X{g:02d}"]
        published = [None if pd.isna(x) else int(x) for x in sub["headcount"]]
        # every small cell is withheld, published cells are untouched
        for true, pub in zip(cells, published):
            assert pub is None or (pub == true and true >= threshold)
        # A one-cell group is its own total, and a group of zeros is given away by a total of 0:
        # no suppression within the table can hide those (see suppression.py).
        if len(cells) > 1 and sum(cells) > 0:
            assert not any(_determined(published, sum(cells))), (cells, published)
    return out


def test_single_small_cell_gets_a_complement():
    out = _check([[120, 3, 40]], 10)
    assert out["headcount_withheld"].tolist() == [False, True, True]  # 40: the smallest other cell
    assert out["headcount"].isna().tolist() == [False, True, True]


def test_zeros_need_a_positive_complement():
    # 0 and 0 withheld sum to 0, so the total gives them away: a positive cell joins them
    out = _check([[0, 0, 57, 300]], 10)
    assert out["headcount_withheld"].tolist() == [True, True, True, False]


def test_nothing_small_nothing_withheld_and_threshold_zero():
    assert not _check([[10, 11, 12]], 10)["headcount_withheld"].any()
    out = withhold_small_counts(_table([[1, 2, 300]]), ["headcount"], ["org_code"], 0)
    assert not out["headcount_withheld"].any() and out["headcount"].tolist() == [1, 2, 300]


def test_marker_and_source_suppression():
    df = _table([[5, 80, 90], [None, 3, 70]])
    out = withhold_small_counts(df, ["headcount"], ["org_code"], 10, marker="*")
    assert out["headcount"].tolist() == ["*", "*", "90", "", "*", "70"]
    # the second group already hides a cell at source: with it, two cells are hidden, no complement needed


def test_groups_are_independent():
    out = _check([[2, 50, 60], [30, 40, 50]], 10)
    assert out["headcount_withheld"].tolist() == [True, True, False, False, False, False]


@hsettings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.integers(0, 14), min_size=1, max_size=5), min_size=1, max_size=6),
       st.integers(1, 12))
def test_brute_force_no_withheld_value_is_determined(groups, threshold):
    _check(groups, threshold)


def test_vectorised_on_a_large_table():
    rng = np.random.default_rng(1)
    groups = rng.integers(0, 40, size=(20000, 3)).tolist()
    out = withhold_small_counts(_table(groups), ["headcount"], ["org_code"], 10)
    w = out["headcount_withheld"].to_numpy().reshape(-1, 3)
    small = (np.array(groups) < 10)
    assert (w[small.any(axis=1)].sum(axis=1) >= 2).all() and w[small].all()
