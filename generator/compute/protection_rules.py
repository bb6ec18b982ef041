"""Choosing what to withhold (issue 15): primary and secondary suppression, and the audit's rounds.

Why a module of its own: protection.py applies the result to every figure;
this one decides which cells of the protected table (protection_cells.py) are
withheld, by rules on the published sums first (cheap, vectorised) and then
by an audit by linear programming (protection_audit.py) of what is left.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from .protection_audit import component_ranges
from .protection_cells import Cells

# --------------------------------------------------------------------------- suppression

def _sync(cells: Cells) -> None:
    """A cell of one base cell is that cell: withheld together."""
    s = cells.support
    size = np.diff(s.indptr)
    one = size == 1
    if one.any():
        b = s.indices[s.indptr[:-1][one]]
        either = cells.cell_hidden[one] | cells.base_hidden[b]
        cells.cell_hidden[one] = either
        cells.base_hidden[b[either]] = True


def _hide_smallest(cells: Cells, rows: np.ndarray) -> np.ndarray:
    """For each cell in `rows`, withhold its smallest published non-zero base cell; the rows with none."""
    s = cells.support[rows].tocoo()
    r, c = s.row, s.col
    val = cells.base["value"].to_numpy(dtype="float64")
    ok = ~cells.base_hidden[c] & (val[c] > 0)
    r, c = r[ok], c[ok]
    if len(r) == 0:
        return rows
    order = np.lexsort((c, val[c], r))
    r, c = r[order], c[order]
    firsts = np.r_[True, r[1:] != r[:-1]]
    cells.base_hidden[c[firsts]] = True
    done = np.zeros(len(rows), bool)
    done[r[firsts]] = True
    return rows[~done]


def secondary(cells: Cells) -> int:
    """The rule on every published sum (module docstring, step 2); returns how many base cells it withheld."""
    before = int(cells.base_hidden.sum())
    val = cells.base["value"].to_numpy(dtype="float64")
    for _ in range(10_000):
        _sync(cells)
        hid = cells.base_hidden.astype("float64")
        h = cells.support @ hid
        s = cells.support @ (hid * val)
        bad = ~cells.cell_hidden & (((h >= 1) & (h < 1.5)) | ((h >= 1) & (s < 0.5)))
        rows = np.flatnonzero(bad)
        if len(rows) == 0:
            if _margins(cells) == 0 and _nested(cells) == 0 and _differences(cells) == 0:
                break
            continue
        left = _hide_smallest(cells, rows)
        cells.cell_hidden[left] = True
    return int(cells.base_hidden.sum()) - before


def _margins(cells: Cells) -> int:
    """The classic rule on totals made of other cells (Cells.parts: a system and its organisations, a staff
    group and its bands): a published total with exactly one withheld part gives that part back (the total
    less the published parts), so its smallest published non-zero part is withheld too. Returns how many."""
    parent, child, part = cells.parts
    if len(parent) == 0:
        return 0
    hid = cells.cell_hidden[child]
    n_hid = np.bincount(part, weights=hid)
    open_ = ~cells.cell_hidden[parent] & (n_hid[part] == 1)
    bad = open_ & ~hid & (cells.value[child] > 0)
    p, c = part[bad], child[bad]
    order = np.lexsort((c, cells.value[c], p))
    p, c = p[order], c[order]
    pick = np.unique(c[np.r_[True, p[1:] != p[:-1]]]) if len(p) else np.zeros(0, np.int64)
    cells.cell_hidden[pick] = True
    # No published non-zero part left: the total itself is withheld.
    alone = np.setdiff1d(np.unique(part[open_]), p)
    cells.cell_hidden[np.unique(parent[np.isin(part, alone)])] = True
    return len(pick) + len(alone)


def _differences(cells: Cells) -> int:
    """The classic rule on the difference of two published cells one inside the other (Cells.inside: all staff
    less senior staff): with exactly one withheld base cell in the difference, its smallest published non-zero
    base cell is withheld too (or the outer cell, with none). Returns how many cells it withheld."""
    outer, inner = cells.inside
    if len(outer) == 0:
        return 0
    S = cells.support
    val = cells.base["value"].to_numpy(dtype="float64")
    h = S @ cells.base_hidden.astype("float64")
    bad = ~cells.cell_hidden[outer] & ~cells.cell_hidden[inner] & (np.abs(h[outer] - h[inner] - 1) < 0.5)
    n = 0
    for o, i in zip(outer[bad], inner[bad]):
        diff = np.setdiff1d(S.indices[S.indptr[o]:S.indptr[o + 1]], S.indices[S.indptr[i]:S.indptr[i + 1]],
                            assume_unique=True)
        if cells.base_hidden[diff].sum() != 1:
            continue  # an earlier choice already gave it a second one
        free = diff[~cells.base_hidden[diff] & (val[diff] > 0)]
        if len(free) == 0:
            cells.cell_hidden[o] = True
        else:
            cells.base_hidden[free[np.lexsort((free, val[free]))[0]]] = True
        n += 1
    return n


def _nested(cells: Cells) -> int:
    """The same rule for a withheld sum T inside a published sum P (every base cell of T counted in P, as a
    trust's staff group inside the trust, or a trust inside its system): P less its published base cells is
    T's withheld part plus P's withheld base cells outside T, so with none outside T, T is read back. P then
    gets one more withheld base cell outside T (its smallest published non-zero one), or is withheld itself
    when it has none. A withheld sum with no withheld base cell is its published cells' total: one of them
    is withheld. Returns how many cells it withheld."""
    S = cells.support
    size = np.diff(S.indptr)
    val = cells.base["value"].to_numpy(dtype="float64")
    hid = cells.base_hidden.astype("float64")
    T = np.flatnonzero(cells.cell_hidden & (size >= 2))
    P = np.flatnonzero(~cells.cell_hidden & (size >= 2))
    if len(T) == 0 or len(P) == 0:
        return 0
    hT = S[T] @ hid
    bare = T[(hT < 0.5) & ((S[T] @ val) > 0.5)]
    n = len(bare) - len(_hide_smallest(cells, bare)) if len(bare) else 0
    M = (S[P] @ S[T].T).tocoo()
    p, t = M.row, M.col
    keep = (M.data == size[T][t]) & (size[P][p] > size[T][t]) & ((S[P] @ hid)[p] - hT[t] < 0.5)
    for pi, ti in zip(P[p[keep]], T[t[keep]]):
        outside = np.setdiff1d(S.indices[S.indptr[pi]:S.indptr[pi + 1]], S.indices[S.indptr[ti]:S.indptr[ti + 1]],
                               assume_unique=True)
        if cells.base_hidden[outside].any():
            continue  # an earlier pair's choice already gave it one
        free = outside[val[outside] > 0]
        if len(free) == 0:
            cells.cell_hidden[pi] = True
        else:
            cells.base_hidden[free[np.lexsort((free, val[free]))[0]]] = True
        n += 1
    return n


def primary(cells: Cells, threshold: int) -> None:
    val = cells.base["value"].to_numpy(dtype="float64")
    cells.base_hidden |= (val >= 1) & (val < threshold)
    cells.cell_hidden |= (cells.value >= 1) & (cells.value < threshold)
    _sync(cells)
    cells.primary_base = int(cells.base_hidden.sum())
    cells.primary_cells = int(cells.cell_hidden.sum())


# --------------------------------------------------------------------------- the audit

def recovered(cells: Cells, only: np.ndarray | None = None, exact: bool = False,
              only_cells: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Withheld base cells and withheld aggregate cells whose feasible range may hold one whole number only
    (exactly so with `exact`; otherwise those not shown to range over two, which may include safe ones).

    only / only_cells: check just these base / aggregate cells (the others were shown safe before, and
    withholding more only widens ranges). An aggregate cell with one withheld base cell that is itself
    checked is that cell plus a published constant, and one whose withheld part equals another's is that
    one: each is checked once and given the other's verdict."""
    got = _audit(cells, only, only_cells, exact)
    return got[0], got[1]


def _audit(cells: Cells, only: np.ndarray | None, only_cells: np.ndarray | None,
           exact: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[set[int]]]:
    """recovered(), the base and aggregate cells it checked (those not recovered are shown safe), and for
    each recovered cell (base cells first) the published cells that pin it (feasible_ranges' pins)."""

    val = cells.base["value"].to_numpy(dtype="float64")
    hb = np.flatnonzero(cells.base_hidden)
    pub = np.flatnonzero(~cells.cell_hidden)
    hc = np.flatnonzero(cells.cell_hidden)
    S = cells.support
    Sp = S[pub]
    A = Sp[:, hb].tocsr()
    touch = np.flatnonzero(np.diff(A.indptr) > 0)
    A = A[touch]
    rhs = cells.value[pub[touch]] - Sp[touch] @ np.where(cells.base_hidden, 0.0, val)
    T = S[hc][:, hb].tocsr()
    free = np.asarray(A.sum(axis=0)).ravel() == 0  # in no published sum: any value fits
    t_keep = np.asarray(T @ free.astype(float)).ravel() == 0
    check = ~free if only is None else (~free & np.isin(hb, only))
    tb = np.flatnonzero(check)
    tc = np.flatnonzero(t_keep & (np.diff(T.indptr) > 0))
    if only_cells is not None:
        tc = tc[np.isin(hc[tc], only_cells)]
    if len(tb) == 0 and len(tc) == 0:
        e = np.zeros(0, np.int64)
        return e, e, e, e, []
    # Deduplicate: each target is a set of withheld base cells; a set of one base cell is that cell.
    keyed = [(j,) for j in tb] + [tuple(T.indices[T.indptr[r]:T.indptr[r + 1]]) for r in tc]
    uniq, of = {}, np.empty(len(keyed), np.int64)
    for i, k in enumerate(keyed):
        of[i] = uniq.setdefault(k, len(uniq))
    rows = [np.array(k, dtype=np.int64) for k in uniq]
    F = sparse.csr_matrix((np.ones(sum(len(r) for r in rows)),
                           (np.repeat(np.arange(len(rows)), [len(r) for r in rows]), np.concatenate(rows))),
                          shape=(len(rows), len(hb)))
    pins: dict[int, set[int]] = {}
    lo, hi = component_ranges(A, rhs, F, val[hb], exact=exact, pins=pins)
    one = (np.floor(hi + 1e-6) - np.ceil(lo - 1e-6) < 1)[of]
    rows_cell = pub[touch]
    by = [{int(rows_cell[k]) for k in pins.get(int(u), ())} for u in of[one]]
    return hb[tb[one[:len(tb)]]], hc[tc[one[len(tb):]]], hb[tb], hc[tc], by


def _fix(cells: Cells, rec_b: np.ndarray, rec_c: np.ndarray) -> None:
    """Give every recovered cell slack: in each published sum that pins it (every withheld base cell of the
    sum is itself recovered, or inside the recovered aggregate), withhold the smallest published non-zero
    base cell (outside the aggregate); where no sum qualifies, in the smallest sum that has one."""
    S = cells.support
    pub = ~cells.cell_hidden
    size = np.diff(S.indptr)
    val = cells.base["value"].to_numpy(dtype="float64")
    St = S.T.tocsr()
    pinned = np.zeros(S.shape[1], bool)
    pinned[rec_b] = True

    def members(c: int) -> np.ndarray:
        return S.indices[S.indptr[c]:S.indptr[c + 1]]

    def sums_of(bases: np.ndarray) -> np.ndarray:
        if len(bases) == 0:
            return np.zeros(0, np.int64)
        got = np.unique(np.concatenate([St.indices[St.indptr[x]:St.indptr[x + 1]] for x in bases]))
        return got[pub[got]]

    hide: list[int] = []

    def give_slack(inside: np.ndarray) -> None:
        mark = np.zeros(S.shape[1], bool)
        mark[inside] = True
        cand = sums_of(inside)
        done = False
        fallback = None
        for c in cand[np.argsort(size[cand], kind="stable")]:
            m = members(c)
            hid = m[cells.base_hidden[m]]
            free = m[~mark[m] & ~cells.base_hidden[m] & (val[m] > 0)]
            if len(free) == 0:
                continue
            pick = int(free[np.lexsort((free, val[free]))[0]])
            if fallback is None:
                fallback = pick
            if np.all(pinned[hid] | mark[hid]):
                hide.append(pick)
                done = True
        if not done and fallback is not None:
            hide.append(fallback)

    for b in rec_b:
        give_slack(np.array([b]))
    for a in rec_c:
        give_slack(members(a))
    if hide:
        cells.base_hidden[np.array(hide, dtype=np.int64)] = True


#: Which published sum to withhold first when one pins a withheld count (the least used first).
_LEVEL_COST = {"_lineage": 0, "org_type": 1, "system": 2, "region": 3, "organisation": 4, "england": 5}


def _withhold_pins(cells: Cells, pins: list[set[int]]) -> int:
    """For each recovered cell, withhold one of the published sums that pin it (found by the audit): the
    cheapest by level, then the smallest; none for a cell one already chosen pins. Returns how many."""
    first = cells.index.drop_duplicates("cell").set_index("cell")
    cost = first["level"].map(_LEVEL_COST).reindex(np.arange(cells.support.shape[0])).fillna(9).to_numpy()
    chosen: set[int] = set()
    for binding in pins:
        if not binding or binding & chosen:
            continue
        chosen.add(min(binding, key=lambda k: (cost[k], cells.value[k], k)))
    if chosen:
        cells.cell_hidden[np.array(sorted(chosen))] = True
    return len(chosen)


def protect_cells(cells: Cells, threshold: int, audit: bool = True, max_rounds: int = 10_000,
                  exact: bool = False) -> dict:
    """Primary, secondary and audited suppression on `cells` (in place); returns counts for the write-up.

    Rounds go on until the audit recovers nothing (still_recoverable 0), or a round can withhold nothing
    more, or max_rounds: then still_recoverable says how many cells the last audit recovered.
    Without `exact`, a round's audit stops at what its batched programmes show (a cell shown to take two
    values at least a whole number apart is safe; one not shown so yet is treated as recovered and given
    slack), which withholds a little more than needed but takes a few programmes a component instead of
    two a cell; once that can withhold nothing more, the cells left are checked exactly."""
    primary(cells, threshold)
    stats = {"primary_base": cells.primary_base, "primary_cells": cells.primary_cells}
    secondary(cells)
    stats["after_secondary_base"] = int(cells.base_hidden.sum())
    stats["after_secondary_cells"] = int(cells.cell_hidden.sum())
    rounds = 0
    if audit:
        safe_b = np.zeros(len(cells.base_hidden), bool)
        safe_c = np.zeros(len(cells.cell_hidden), bool)
        while rounds < max_rounds:
            # Withholding more only widens ranges: a cell shown safe stays safe and is not checked again.
            rec_b, rec_c, chk_b, chk_c, pins = _audit(cells, np.flatnonzero(cells.base_hidden & ~safe_b),
                                                      np.flatnonzero(cells.cell_hidden & ~safe_c), exact=exact)
            safe_b[chk_b] = True
            safe_c[chk_c] = True
            safe_b[rec_b] = False
            safe_c[rec_c] = False
            stats["still_recoverable"] = len(rec_b) + len(rec_c)
            if len(rec_b) == 0 and len(rec_c) == 0:
                break
            before = int(cells.base_hidden.sum()) + int(cells.cell_hidden.sum())
            if _withhold_pins(cells, pins) == 0:
                _fix(cells, rec_b, rec_c)
            secondary(cells)
            rounds += 1
            if int(cells.base_hidden.sum()) + int(cells.cell_hidden.sum()) == before:
                if not exact:
                    exact = True  # what the quick audit could not clear, checked exactly
                    continue
                break  # nothing left that the rules can withhold: counted in still_recoverable
    stats["audit_rounds"] = rounds
    stats["withheld_base"] = int(cells.base_hidden.sum())
    stats["withheld_cells"] = int(cells.cell_hidden.sum())
    return stats

