"""Choosing what to withhold (issue 15): primary and secondary suppression, and the audit's rounds.

Why a module of its own: protection.py applies the result to every figure;
this one decides which cells of the protected table (protection_cells.py) are
withheld, by rules on the published sums first (cheap, vectorised) and then
by an audit by linear programming (protection_audit.py) of what is left.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .protection_audit import component_ranges
from .protection_cells import Cells
from .protection_release import component_release

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


def _hide_part_or_total(cells: Cells, parts: np.ndarray, total: int, val: np.ndarray) -> None:
    """Withhold the smallest published non-zero base cell of `parts` (the lowest index on a tie), else, with
    none, the published cell `total` itself."""
    free = parts[~cells.base_hidden[parts] & (val[parts] > 0)]
    if len(free) == 0:
        cells.cell_hidden[total] = True
    else:
        cells.base_hidden[free[np.lexsort((free, val[free]))[0]]] = True


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
        _hide_part_or_total(cells, diff, o, val)
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
        _hide_part_or_total(cells, outside, pi, val)
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
    return got.rec_b, got.rec_c


def _columns(M: sparse.csr_matrix, cols: np.ndarray) -> sparse.csr_matrix:
    """M[:, cols] for sorted `cols`, in one pass over M's non-zeros (scipy's column indexing of a CSR matrix
    goes through a CSC copy: measured at most of an audit round's overhead on the national sample)."""
    where = np.full(M.shape[1], -1, np.int64)
    where[cols] = np.arange(len(cols))
    new = where[M.indices]
    keep = new >= 0
    row = np.repeat(np.arange(M.shape[0]), np.diff(M.indptr))
    indptr = np.r_[0, np.cumsum(np.bincount(row[keep], minlength=M.shape[0]))]
    return sparse.csr_matrix((M.data[keep], new[keep], indptr), shape=(M.shape[0], len(cols)))


@dataclass
class _Audit:
    """One audit: the recovered base and aggregate cells, those it checked (the others shown safe), and, when
    asked to release them, the published cells to withhold and the recovered cells that frees for good."""

    rec_b: np.ndarray
    rec_c: np.ndarray
    chk_b: np.ndarray
    chk_c: np.ndarray
    withhold: np.ndarray
    freed_b: np.ndarray
    freed_c: np.ndarray


def _system(cells: Cells) -> tuple:
    """The audit's system: withheld counts hb, published sums holding one (pub[touch], A x = rhs), withheld
    sums hc with their withheld parts T."""
    val = cells.base["value"].to_numpy(dtype="float64")
    hb = np.flatnonzero(cells.base_hidden)
    pub = np.flatnonzero(~cells.cell_hidden)
    hc = np.flatnonzero(cells.cell_hidden)
    S = cells.support
    Sp = S[pub]
    A = _columns(Sp, hb)
    touch = np.flatnonzero(np.diff(A.indptr) > 0)
    A = A[touch]
    rhs = cells.value[pub[touch]] - Sp[touch] @ np.where(cells.base_hidden, 0.0, val)
    return val, hb, pub[touch], hc, A, rhs, _columns(S[hc], hb)


def _audit(cells: Cells, only: np.ndarray | None, only_cells: np.ndarray | None, exact: bool,
           release: bool = False) -> _Audit:
    """recovered(), the cells it checked and, with `release`, what frees the recovered ones (_Audit)."""
    val, hb, rows_cell, hc, A, rhs, T = _system(cells)
    free = np.asarray(A.sum(axis=0)).ravel() == 0  # in no published sum: any value fits
    t_keep = np.asarray(T @ free.astype(float)).ravel() == 0
    check = ~free if only is None else (~free & np.isin(hb, only))
    tb = np.flatnonzero(check)
    tc = np.flatnonzero(t_keep & (np.diff(T.indptr) > 0))
    if only_cells is not None:
        tc = tc[np.isin(hc[tc], only_cells)]
    e = np.zeros(0, np.int64)
    if len(tb) == 0 and len(tc) == 0:
        return _Audit(e, e, e, e, e, e, e)
    # Deduplicate: each target is a set of withheld base cells; a set of one base cell is that cell.
    keyed = [(j,) for j in tb] + [tuple(T.indices[T.indptr[r]:T.indptr[r + 1]]) for r in tc]
    uniq, of = {}, np.empty(len(keyed), np.int64)
    for i, k in enumerate(keyed):
        of[i] = uniq.setdefault(k, len(uniq))
    rows = [np.array(k, dtype=np.int64) for k in uniq]
    F = sparse.csr_matrix((np.ones(sum(len(r) for r in rows)),
                           (np.repeat(np.arange(len(rows)), [len(r) for r in rows]), np.concatenate(rows))),
                          shape=(len(rows), len(hb)))
    lo, hi = component_ranges(A, rhs, F, val[hb], exact=exact)
    pinned = np.floor(hi + 1e-6) - np.ceil(lo - 1e-6) < 1
    one = pinned[of]
    out = _Audit(hb[tb[one[:len(tb)]]], hc[tc[one[len(tb):]]], hb[tb], hc[tc], e, e, e)
    if release and pinned.any():
        weight = 1.0 + _cell_cost(cells)[rows_cell]
        broken, freed = component_release(A, F, val[hb], np.flatnonzero(pinned), weight)
        ok = np.zeros(len(uniq), bool)
        ok[freed] = True
        out.withhold = rows_cell[broken]
        out.freed_b = hb[tb[ok[of[:len(tb)]]]]
        out.freed_c = hc[tc[ok[of[len(tb):]]]]
    return out


#: What withholding a published sum costs, by level (the least read first): England's sums are the dearest by
#: far (each is a national figure; at 5 the release withheld 37 of them on the national sample at 10, at 29
#: it withheld 23 and 23 more sums of other levels instead: benchmarks/README.md).
_LEVEL_COST = {"_lineage": 0, "org_type": 1, "system": 2, "region": 3, "organisation": 4, "england": 29}
#: Rounds of released moves before every cell still recovered gets the last resort (_last_resort).
LAST_RESORT_AFTER = 8


def _cell_cost(cells: Cells) -> np.ndarray:
    """Each aggregate cell's cost of withholding, by the level of its first figure (_LEVEL_COST)."""
    first = cells.index.drop_duplicates("cell").set_index("cell")
    return first["level"].map(_LEVEL_COST).reindex(np.arange(cells.support.shape[0])).fillna(9).to_numpy()


def _last_resort(cells: Cells, rec_b: np.ndarray, rec_c: np.ndarray) -> int:
    """The rule that cannot fail: for each recovered cell, one of its withheld counts (the one whose published
    sums cost least) is taken out of every published sum that holds it. In no published sum, that count can
    take any value, and so can every withheld sum holding it. Returns how many sums it withheld."""
    S = cells.support
    St = S.T.tocsr()
    cost = 1.0 + _cell_cost(cells)
    n = 0
    for bases in [np.array([b]) for b in rec_b] + [S.indices[S.indptr[c]:S.indptr[c + 1]] for c in rec_c]:
        best = None
        for j in bases[cells.base_hidden[bases]]:
            sums = St.indices[St.indptr[j]:St.indptr[j + 1]]
            sums = sums[~cells.cell_hidden[sums]]
            if best is None or cost[sums].sum() < cost[best].sum():
                best = sums
        if best is not None:
            cells.cell_hidden[best] = True
            n += len(best)
    return n


def protect_cells(cells: Cells, threshold: int, audit: bool = True, max_rounds: int = 10_000) -> dict:
    """Primary, secondary and audited suppression on `cells` (in place); returns counts for the write-up.

    Each round audits the withheld cells not yet shown safe; every cell it recovers is released by a move
    (protection_release.py: the published sums the move breaks are withheld) and is then safe for good;
    the cells newly withheld are audited in the next round. After LAST_RESORT_AFTER rounds, or for a cell
    no move was found for, the last resort (_last_resort). Rounds end when an audit recovers nothing
    (still_recoverable 0) or at max_rounds (still_recoverable: what the last audit recovered)."""
    primary(cells, threshold)
    stats = {"primary_base": cells.primary_base, "primary_cells": cells.primary_cells}
    secondary(cells)
    stats["after_secondary_base"] = int(cells.base_hidden.sum())
    stats["after_secondary_cells"] = int(cells.cell_hidden.sum())
    stats["after_secondary_cells_by_level"] = _by_level(cells)
    stats["released"] = stats["last_resort_cells"] = stats["last_resort_sums"] = 0
    rounds = 0
    safe_b = np.zeros(len(cells.base_hidden), bool)
    safe_c = np.zeros(len(cells.cell_hidden), bool)
    while audit and rounds < max_rounds:
        # Withholding more only widens ranges: a cell shown safe stays safe and is not checked again.
        got = _audit(cells, np.flatnonzero(cells.base_hidden & ~safe_b), np.flatnonzero(cells.cell_hidden & ~safe_c),
                     exact=True, release=rounds < LAST_RESORT_AFTER)
        safe_b[got.chk_b] = True
        safe_c[got.chk_c] = True
        safe_b[got.rec_b] = safe_b[got.freed_b] = True
        safe_c[got.rec_c] = safe_c[got.freed_c] = True
        safe_b[np.setdiff1d(got.rec_b, got.freed_b)] = False
        safe_c[np.setdiff1d(got.rec_c, got.freed_c)] = False
        stats["still_recoverable"] = len(got.rec_b) + len(got.rec_c)
        if stats["still_recoverable"] == 0:
            break
        cells.cell_hidden[got.withhold] = True
        stats["released"] += len(got.freed_b) + len(got.freed_c)
        left_b, left_c = np.setdiff1d(got.rec_b, got.freed_b), np.setdiff1d(got.rec_c, got.freed_c)
        if len(left_b) + len(left_c):
            stats["last_resort_cells"] += len(left_b) + len(left_c)
            stats["last_resort_sums"] += _last_resort(cells, left_b, left_c)
        secondary(cells)
        rounds += 1
    stats["audit_rounds"] = rounds
    stats["withheld_base"] = int(cells.base_hidden.sum())
    stats["withheld_cells"] = int(cells.cell_hidden.sum())
    stats["withheld_cells_by_level"] = _by_level(cells)
    return stats


def _by_level(cells: Cells) -> dict[str, int]:
    """Withheld aggregate cells by the level of their first figure (the write-up's cost by level)."""
    first = cells.index.drop_duplicates("cell")
    return first[cells.cell_hidden[first["cell"].to_numpy()]].groupby("level").size().astype(int).to_dict()
