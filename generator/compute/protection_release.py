"""Releasing a pinned count (issue 15): the cheapest published sums to withhold so that it can move.

Why: the audit (protection_audit.py) finds a withheld count, or a withheld sum
of counts, whose range holds a single whole number: an intruder could read it
back. Withholding one of the published sums that pin it (a non-zero dual of its
programme) often leaves it pinned by the next one: on the national sample the
rounds ran on for more than twenty without ending (benchmarks/README.md). Here
each pinned target gets, in one linear programme, a move `d` of the withheld
counts that changes it by at least 1 (`d` at one of its counts >= 1, its other
counts not lowered), keeps every count non-negative (`x + d >= 0`), and breaks
as few published sums as it can (each broken sum costs its weight): minimise
w . |A d| over such moves. The sums it breaks (A d != 0) are withheld. Then
`x + d` fits everything still published and differs from `x` by 1 or more in
the target, so the target's range holds two whole numbers and it is safe for
good: withholding more only widens ranges. One move may release several
targets; a later target's programme gets the sums already broken for free.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from .protection_audit import _LP, _pieces

#: A move counts when it shifts a target by this much (HiGHS' tolerances are about 1e-7).
_STEP = 1 - 1e-6


def _move(A: sparse.csr_matrix, x: np.ndarray, weight: np.ndarray, members: np.ndarray) -> np.ndarray | None:
    """The cheapest move of {A d - p + q = 0, d >= -x, p, q >= 0}, cost w . (p + q), that shifts the sum of
    `members` (columns) up by 1 or more: d >= 1 at the first, d >= 0 at the others. None if HiGHS finds none."""
    m, n = A.shape
    eye = sparse.identity(m, format="csc")
    lower = np.r_[-np.asarray(x, dtype="float64"), np.zeros(2 * m)]
    lower[members[1:]] = np.maximum(lower[members[1:]], 0.0)
    lower[members[0]] = 1.0
    lp = _LP(sparse.hstack([sparse.csc_matrix(A), -eye, eye], format="csc"), np.zeros(m), lower=lower,
             cost=np.r_[np.zeros(n), weight, weight])
    got = lp.solve(np.zeros(0, np.int32), np.zeros(0))
    return None if got is None else got[0][:n]


#: A move is looked for among the counts a few published sums away from the target (_near): through sums of
#: at most _SHORT withheld counts, or _WIDE when the first move breaks a sum whose weight is _DEAR or more
#: (England's: protection_rules._LEVEL_COST).
_HOPS, _SHORT, _WIDE, _DEAR = 2, 30, 80, 10.0


def _near(A: sparse.csr_matrix, At: sparse.csr_matrix, members: np.ndarray,
          short: int = _SHORT) -> tuple[np.ndarray, np.ndarray]:
    """(columns, rows) of a neighbourhood of `members`: the counts reached in _HOPS steps through published
    sums of at most _SHORT withheld counts, and every sum holding one of them. A move found there (the
    others held still) is a move of the whole piece; searching the whole piece (thousands of counts) took
    a quarter of a second a target on the national sample (benchmarks/README.md)."""
    size = np.diff(A.indptr)
    cols = np.unique(members)
    for _ in range(_HOPS):
        rows = np.unique(np.concatenate([At.indices[At.indptr[c]:At.indptr[c + 1]] for c in cols]))
        rows = rows[size[rows] <= short]
        if len(rows) == 0:
            break
        cols = np.union1d(cols, np.concatenate([A.indices[A.indptr[r]:A.indptr[r + 1]] for r in rows]))
    rows = np.unique(np.concatenate([At.indices[At.indptr[c]:At.indptr[c + 1]] for c in cols]))
    return cols, rows


def release(A: sparse.csr_matrix, x: np.ndarray, F: sparse.csr_matrix, targets: np.ndarray,
            weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows of A to withhold, targets released) for the pinned `targets` (rows of F) of one piece.

    Each target not already moved by an earlier move gets its own programme (`_move`) on its
    neighbourhood (_near); a move counts only if it checks out (non-negative, every row it does not break
    unchanged, the target up by 1 or more), so a target whose programme fails is left out of the released
    ones (the next round audits it again)."""
    A = sparse.csr_matrix(A)
    At = sparse.csr_matrix(A.T)
    broken = np.zeros(A.shape[0], bool)
    done = np.zeros(F.shape[0], bool)
    for t in targets:
        if done[t]:
            continue
        d = _checked(A, At, x, np.where(broken, 0.0, weight), F[t].indices, _SHORT)
        if d is not None and (np.abs(A @ d) > 1e-7)[~broken & (weight >= _DEAR)].any():
            wide = _checked(A, At, x, np.where(broken, 0.0, weight), F[t].indices, _WIDE)
            d = wide if wide is not None and _cost(A, wide, weight, broken) < _cost(A, d, weight, broken) else d
        if d is None:
            continue
        broken[np.abs(A @ d) > 1e-7] = True
        done |= np.abs(F @ d) >= _STEP
    return np.flatnonzero(broken), targets[done[targets]]


def _cost(A: sparse.csr_matrix, d: np.ndarray, weight: np.ndarray, broken: np.ndarray) -> float:
    return float(weight[(np.abs(A @ d) > 1e-7) & ~broken].sum())


def _checked(A: sparse.csr_matrix, At: sparse.csr_matrix, x: np.ndarray, weight: np.ndarray,
             members: np.ndarray, short: int) -> np.ndarray | None:
    """_move on the neighbourhood of `members` (_near), as a move of the whole piece; None if HiGHS found
    none or it would make a count negative."""
    cols, rows = _near(A, At, members, short)
    got = _move(A[rows][:, cols], x[cols], weight[rows], np.searchsorted(cols, members))
    if got is None:
        return None
    d = np.zeros(A.shape[1])
    d[cols] = got
    return None if (x + d).min() < -1e-7 else d


def component_release(A: sparse.csr_matrix, F: sparse.csr_matrix, x: np.ndarray, pinned: np.ndarray,
                      weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """release() one piece at a time: (rows of A to withhold, the pinned targets released). A target in
    several pieces is moved in the first (the others' parts staying put, its sum moves as much)."""
    F = sparse.csr_matrix(F[pinned])
    seen = np.zeros(len(pinned), bool)
    rows_out, done = [], []
    for cols, rows, targets, Fk in _pieces(A, F):
        mine = np.flatnonzero(~seen[targets])
        seen[targets] = True
        if len(mine) == 0:
            continue
        r, rel = release(A[rows][:, cols], x[cols], Fk, mine, weight[rows])
        rows_out.append(rows[r])
        done.append(targets[rel])
    return _cat(rows_out), pinned[_cat(done)]


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    return np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
