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

from .protection_audit import _BIG, _LP, _pieces

#: A move counts when it shifts a target by this much (HiGHS' tolerances are about 1e-7).
_STEP = 1 - 1e-6


class Release:
    """One HiGHS model of {A d - p + q = 0, d >= -x, p, q >= 0}, cost w . (p + q), for one piece of the audit."""

    def __init__(self, A: sparse.csr_matrix, x: np.ndarray, weight: np.ndarray) -> None:
        m, n = A.shape
        eye = sparse.identity(m, format="csc")
        M = sparse.hstack([sparse.csc_matrix(A), -eye, eye], format="csc")
        self.n, self.m = n, m
        self.x = np.asarray(x, dtype="float64")
        self.A = A
        self.weight = np.asarray(weight, dtype="float64")
        self.lp = _LP(M, np.zeros(m), lower=np.r_[-self.x, np.zeros(2 * m)],
                      cost=np.r_[np.zeros(n), self.weight, self.weight])

    def move(self, members: np.ndarray) -> np.ndarray | None:
        """A move shifting the sum of `members` (columns) up by 1 or more, or None if HiGHS finds none."""
        h = self.lp.h
        first, rest = members[:1].astype(np.int32), members[1:].astype(np.int32)
        h.changeColsBounds(1, first, np.ones(1), np.full(1, _BIG))
        if len(rest):
            h.changeColsBounds(len(rest), rest, np.maximum(-self.x[rest], 0.0), np.full(len(rest), _BIG))
        h.run()
        ok = h.getModelStatus() == self.lp._hs.HighsModelStatus.kOptimal
        d = np.asarray(h.getSolution().col_value)[: self.n] if ok else None
        h.changeColsBounds(len(members), members.astype(np.int32), -self.x[members], np.full(len(members), _BIG))
        return d


#: A move is looked for among the counts a few published sums away from the target (_near).
_HOPS, _SHORT = 2, 30


def _near(A: sparse.csr_matrix, At: sparse.csr_matrix, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(columns, rows) of a neighbourhood of `members`: the counts reached in _HOPS steps through published
    sums of at most _SHORT withheld counts, and every sum holding one of them. A move found there (the
    others held still) is a move of the whole piece; searching the whole piece (thousands of counts) took
    a quarter of a second a target on the national sample (benchmarks/README.md)."""
    size = np.diff(A.indptr)
    cols = np.unique(members)
    for _ in range(_HOPS):
        rows = np.unique(np.concatenate([At.indices[At.indptr[c]:At.indptr[c + 1]] for c in cols]))
        rows = rows[size[rows] <= _SHORT]
        if len(rows) == 0:
            break
        cols = np.union1d(cols, np.concatenate([A.indices[A.indptr[r]:A.indptr[r + 1]] for r in rows]))
    rows = np.unique(np.concatenate([At.indices[At.indptr[c]:At.indptr[c + 1]] for c in cols]))
    return cols, rows


def release(A: sparse.csr_matrix, x: np.ndarray, F: sparse.csr_matrix, targets: np.ndarray,
            weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows of A to withhold, targets released) for the pinned `targets` (rows of F) of one piece.

    Each target not already moved by an earlier move gets its own programme (`Release`) on its
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
        members = F[t].indices
        cols, rows = _near(A, At, members)
        where = np.searchsorted(cols, members)
        rel = Release(A[rows][:, cols], x[cols], np.where(broken[rows], 0.0, weight[rows]))
        got = rel.move(where)
        if got is None:
            continue
        d = np.zeros(A.shape[1])
        d[cols] = got
        if (x + d).min() < -1e-7:
            continue
        broken[np.abs(A @ d) > 1e-7] = True
        done |= np.abs(F @ d) >= _STEP
    return np.flatnonzero(broken), targets[done[targets]]


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
    cat = (lambda parts: np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64))
    return cat(rows_out), pinned[cat(done)]
