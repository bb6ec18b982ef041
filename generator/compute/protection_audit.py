"""The protection audit's linear programmes (issue 15): how far each withheld count can move.

Why a module of its own: the pass (protection.py) decides what to withhold;
this one only answers, for a system {0 <= x, A x = b} of withheld counts
and the published sums they appear in, the range of each target (a withheld
count, or a withheld sum of them) over every non-negative solution. A range
holding a single whole number is a count an intruder could recover.

The system splits into independent pieces: two withheld counts are linked
only by a published sum holding both, so the connected components of that
relation are separate problems (the ranges of a sum across components are the
sums of its parts' ranges). Measured on the national sample (benchmarks/README.md,
"Protection at national scale"): about two thousand components, the largest
a few thousand counts, instead of one system of sixty thousand.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

#: Upper bound on any count in the audit's linear programmes (keeps them bounded).
_BIG = 1e7
#: Components are solved together up to this many counts a programme (fewer, larger calls).
_BIN = 1500


class _LP:
    """One HiGHS model of {0 <= x <= _BIG, A x = b}, kept between solves: only the objective changes, so
    each solve starts from the last optimal basis instead of from scratch, as scipy's linprog does
    (see benchmarks/README.md, "Protection"). It is the HiGHS scipy itself ships and linprog calls
    (scipy.optimize._highspy, not a public module: hence scipy>=1.15 in pyproject.toml); highspy's
    own Highs class runs Python callbacks on every solve and was six times slower here."""

    def __init__(self, A: sparse.spmatrix, b: np.ndarray, lower: np.ndarray | None = None,
                 cost: np.ndarray | None = None) -> None:
        from scipy.optimize._highspy import _core as highspy

        self._hs = highspy
        h = highspy._Highs()
        h.setOptionValue("output_flag", False)
        Ac = sparse.csc_matrix(A)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = Ac.shape[1], Ac.shape[0]
        lp.col_cost_ = np.zeros(Ac.shape[1]) if cost is None else np.asarray(cost, dtype="float64")
        lp.col_lower_ = np.zeros(Ac.shape[1]) if lower is None else np.asarray(lower, dtype="float64")
        lp.col_upper_ = np.full(Ac.shape[1], _BIG)
        lp.row_lower_ = np.asarray(b, dtype="float64")
        lp.row_upper_ = np.asarray(b, dtype="float64")
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = Ac.indptr.astype(np.int32)
        lp.a_matrix_.index_ = Ac.indices.astype(np.int32)
        lp.a_matrix_.value_ = Ac.data.astype("float64")
        h.passModel(lp)
        self.h = h
        self._cost = np.zeros(0, np.int32)

    def solve(self, idx: np.ndarray, coef: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Minimise coef . x[idx]: (x, row duals), or None if HiGHS finds no optimum."""
        h = self.h
        if len(self._cost):
            h.changeColsCost(len(self._cost), self._cost, np.zeros(len(self._cost)))
        idx = np.asarray(idx, dtype=np.int32)
        h.changeColsCost(len(idx), idx, np.asarray(coef, dtype="float64"))
        self._cost = idx
        h.run()
        if h.getModelStatus() != self._hs.HighsModelStatus.kOptimal:
            return None
        sol = h.getSolution()
        return np.asarray(sol.col_value), np.asarray(sol.row_dual)


def _open(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The targets whose seen range does not yet hold two whole numbers (not yet certified)."""
    return np.flatnonzero(np.floor(hi + 1e-6) - np.ceil(lo - 1e-6) < 1)


def _take(lp: _LP, F: sparse.csr_matrix, c: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray | None:
    """Solve for objective `c` and widen every target's seen range (lo, hi, in place) by the solution.

    Returns the duals (None when the programme has no solution).
    """
    nz = np.flatnonzero(c)
    got = lp.solve(nz, c[nz])
    if got is None:
        return None
    f = F @ got[0]
    np.minimum(lo, f, out=lo)
    np.maximum(hi, f, out=hi)
    return got[1]


def _batched_rounds(lp: _LP, F: sparse.csr_matrix, lo: np.ndarray, hi: np.ndarray, rounds: int,
                    rng: np.random.Generator) -> None:
    """Push every open target at once, in random directions, until the count of open ones stops falling."""
    last = None
    for k in range(rounds):
        todo = _open(lo, hi)
        if len(todo) == 0 or (last is not None and len(todo) == last and k >= 4):
            break
        last = len(todo)
        w = rng.uniform(0.5, 1.5, len(todo)) * (rng.choice([-1.0, 1.0], len(todo)) if k else 1.0)
        _take(lp, F, np.asarray(F[todo].T @ w).ravel(), lo, hi)


def _exact_rounds(lp: _LP, F: sparse.csr_matrix, lo: np.ndarray, hi: np.ndarray) -> None:
    """Each target still open: its exact minimum then maximum, stopping once certified."""
    for t in _open(lo, hi):
        row = F[t]
        for sign in (-1.0, 1.0):
            if np.floor(hi[t] + 1e-6) - np.ceil(lo[t] - 1e-6) >= 1:
                break
            c = np.zeros(F.shape[1])
            c[row.indices] = sign * row.data
            _take(lp, F, c, lo, hi)


def feasible_ranges(A: sparse.csr_matrix, b: np.ndarray, F: sparse.csr_matrix, x0: np.ndarray | None,
                    rounds: int = 12, exact: bool = True, seed: int = 0,
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) of each row of F @ x over {0 <= x, A x = b}, as far as needed to tell a range holding two
    whole numbers or more from one holding a single whole number.

    Batched first: each linear programme (HiGHS) pushes every target not yet shown to move by 1 up or down
    at random; a target is certified once two solutions put it at least 1 apart. Then, with `exact`, each
    target left gets its exact minimum and then maximum (stopping once certified); every solution also
    widens every other target's seen range, so most targets never need their own programme. All of them
    are solved on one model, warm-started from the last basis (`_LP`). Without `exact`, the targets left
    are reported with their seen range (conservative: a certified range is always a true one).
    x0: a feasible point if known (else one is found first).
    """
    lp = _LP(A, b)
    if x0 is None:
        got = lp.solve(np.zeros(0, np.int32), np.zeros(0))
        if got is None:
            raise ValueError("the published figures are inconsistent: no non-negative counts fit them")
        x0 = got[0]
    f0 = F @ x0
    lo, hi = f0.copy(), f0.copy()
    _batched_rounds(lp, F, lo, hi, rounds, np.random.default_rng(seed))
    if exact:
        _exact_rounds(lp, F, lo, hi)
    return lo, hi




def _bins(comp: np.ndarray, n_comp: int) -> np.ndarray:
    """Component -> bin: whole components packed in order into bins of about _BIN counts."""
    size = np.bincount(comp, minlength=n_comp)
    out = np.empty(n_comp, np.int64)
    b, fill = 0, 0
    for k in range(n_comp):
        if fill and fill + size[k] > _BIN:
            b, fill = b + 1, 0
        out[k] = b
        fill += size[k]
    return out


def _components(A: sparse.csr_matrix) -> tuple[int, np.ndarray]:
    """Connected components of the counts (columns of A), two linked when a row holds both: found on the
    graph of rows and columns (A's own non-zeros), not on A.T @ A, whose size grows with the square of a
    row's length (an England total holds thousands of withheld counts)."""
    m, n = A.shape
    Ab = sparse.csr_matrix((np.ones(A.nnz), A.indices, A.indptr), shape=(m, n))
    G = sparse.bmat([[None, Ab], [Ab.T, None]], format="csr")
    n_all, lab = connected_components(G, directed=False)
    labels, first, comp = np.unique(lab[m:], return_index=True, return_inverse=True)
    order = np.empty(len(labels), np.int64)
    order[np.argsort(first, kind="stable")] = np.arange(len(labels))  # numbered by their first count
    return len(labels), order[comp]


def _pieces(A: sparse.csr_matrix, F: sparse.csr_matrix):  # noqa: ANN202
    """(columns, rows of A, targets, F's part of them) for each bin of components holding a part of a target."""
    n = A.shape[1]
    n_comp, comp = _components(A)
    bin_of = _bins(comp, n_comp)[comp]                       # count -> bin
    Fc = F.tocoo()
    part_bin = bin_of[Fc.col]
    row_bin = np.full(A.shape[0], -1, np.int64)
    has = np.diff(A.indptr) > 0
    row_bin[has] = bin_of[A.indices[A.indptr[:-1][has]]]
    cols_by = np.argsort(bin_of, kind="stable")
    col_start = np.searchsorted(bin_of[cols_by], np.arange(bin_of.max() + 2))
    rows_by = np.argsort(row_bin, kind="stable")
    row_start = np.searchsorted(row_bin[rows_by], np.arange(-1, bin_of.max() + 2))
    for k in np.unique(part_bin):
        cols = cols_by[col_start[k]:col_start[k + 1]]
        rows = np.sort(rows_by[row_start[k + 1]:row_start[k + 2]])
        sel = part_bin == k
        targets, tpos = np.unique(Fc.row[sel], return_inverse=True)
        where = np.full(n, -1, np.int64)
        where[cols] = np.arange(len(cols))
        Fk = sparse.csr_matrix((Fc.data[sel], (tpos, where[Fc.col[sel]])), shape=(len(targets), len(cols)))
        yield cols, rows, targets, Fk


def component_ranges(A: sparse.csr_matrix, b: np.ndarray, F: sparse.csr_matrix, x0: np.ndarray,
                     exact: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """feasible_ranges, solved one piece at a time (the module docstring): the same (low, high), with each
    target split into its parts in each component."""
    lo, hi = np.zeros(F.shape[0]), np.zeros(F.shape[0])
    if A.shape[1] == 0 or F.shape[0] == 0:
        return lo, hi
    for cols, rows, targets, Fk in _pieces(A, F):
        lk, hk = feasible_ranges(A[rows][:, cols], b[rows], Fk, x0[cols], exact=exact)
        np.add.at(lo, targets, lk)
        np.add.at(hi, targets, hk)
    return lo, hi
