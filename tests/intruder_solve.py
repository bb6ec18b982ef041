"""The intruder's linear programmes: the range of every target over all counts the published figures allow.

Why a module of its own: tests/intruder.py writes the equations (what an
intruder reads and how a figure constrains the counts); this module only
answers, for rows lo <= A x <= hi over unknown counts 0 <= x, how far each
target (a withheld count, or a sum of them) can move. It is the intruder's own
code, on purpose not the generator's audit (generator/compute/protection_audit.py):
a test that shared the generator's solver would share its mistakes.

Why it is fast enough for a national site (benchmarks/README.md, "The intruder
at national scale" and "The national attack explained and finished"), with the
same answer as solving every target on the whole system:

* Pieces. Two unknowns are linked only by a row holding both, so the connected
  components of that relation are independent programmes. A target spanning
  several pieces is split into its parts; its range is the sum of its parts'
  ranges (the pieces' optima combine into one solution).
* One model a bin. Pieces are packed into bins of about `BIN` unknowns; each bin
  is one HiGHS model built once, of which only the objective changes, so each
  solve starts from the last optimal basis (HiGHS as scipy ships it).
* Batched objectives. A few solves push every target not yet shown to span two
  whole numbers, in random directions; every solution widens every target's
  seen range. Only a target still not shown to span two whole numbers gets its
  exact minimum and maximum (part by part), stopping as soon as it does.
* Small programmes first. From an interior first solution, batched rounds run
  on each region's unknowns alone, each type's, then each pair of regions', all
  others fixed at that solution (a solution of those is one of the whole); on a
  national year this leaves a handful of targets of 18,909 to the whole model.
* Bins in processes: independent, so the years of a national site are solved
  at once (`workers`).

A seen range is always a true one (each end is reached by a solution), so a
target certified to span two whole numbers is truly not recovered; a target
not certified has had its exact minimum and maximum, so "recovered" is exact.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

#: Upper bound on every count (keeps each programme bounded).
BIG = 1e7
#: Pieces are packed into one model up to about this many unknowns (fewer, larger models; measured).
BIN = 2000
#: Batched solves a bin at most (they stop earlier once the open targets stop falling).
BATCH_ROUNDS = 16
#: With groups, a bin's whole model gets batched rounds only while more targets than this are open (each of
#: its solves costs as much as tens of exact ones there; measured on the national site).
EXACT_AT = 40


def spans_two(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """True where the range [lo, hi] holds two whole numbers or more (the target is not recovered)."""
    return np.floor(hi + 1e-6) - np.ceil(lo - 1e-6) >= 1


class Model:
    """One HiGHS model of {lo <= A x <= hi, 0 <= x <= BIG}; only its objective changes between solves."""

    def __init__(self, A: sparse.spmatrix, lo: np.ndarray, hi: np.ndarray) -> None:
        from scipy.optimize._highspy import _core as hs  # the HiGHS linprog runs; no public handle to keep

        self._ok = hs.HighsModelStatus.kOptimal
        Ac = sparse.csc_matrix(A)
        lp = hs.HighsLp()
        lp.num_col_, lp.num_row_ = Ac.shape[1], Ac.shape[0]
        lp.col_cost_ = np.zeros(Ac.shape[1])
        lp.col_lower_ = np.zeros(Ac.shape[1])
        lp.col_upper_ = np.full(Ac.shape[1], BIG)
        lp.row_lower_ = np.where(np.isfinite(lo), lo, -np.inf).astype("float64")
        lp.row_upper_ = np.where(np.isfinite(hi), hi, np.inf).astype("float64")
        lp.a_matrix_.format_ = hs.MatrixFormat.kColwise
        lp.a_matrix_.start_ = Ac.indptr.astype(np.int32)
        lp.a_matrix_.index_ = Ac.indices.astype(np.int32)
        lp.a_matrix_.value_ = Ac.data.astype("float64")
        self.h = hs._Highs()
        self.h.setOptionValue("output_flag", False)
        # The first solve has no basis: dual simplex (38 s against 57-85 s primal on a national year).
        # Then primal simplex: a new objective leaves the last optimal basis primal feasible, so primal
        # simplex goes on from it; HiGHS's default (dual) took 3 to 5 times the CPU here (benchmarks/README.md).
        self.h.setOptionValue("simplex_strategy", 1)
        self.h.passModel(lp)
        self._set = np.zeros(0, np.int32)
        self._solved = False
        self.A, self.lo, self.hi = Ac, lp.row_lower_, lp.row_upper_

    def interior(self) -> np.ndarray | None:
        """A solution inside the feasible set, away from its corners where it can be (interior point, no
        crossover), or None. Why: every unknown fixed at it leaves the others room to move both ways, where
        a corner (a simplex solution) holds many counts at 0 and many rows tight (benchmarks/README.md, "The
        national attack explained and finished"). Only a point that meets every row is returned."""
        h = self.h
        h.setOptionValue("solver", "ipm")
        h.setOptionValue("run_crossover", "off")
        h.run()
        ok = h.getModelStatus() == self._ok
        x = np.clip(np.asarray(h.getSolution().col_value), 0.0, BIG) if ok else None
        h.setOptionValue("solver", "simplex")
        h.clearSolver()
        if x is None:
            return None
        ax = self.A @ x
        if (ax < self.lo - 1e-7 * (1 + np.abs(self.lo))).any() or (ax > self.hi + 1e-7 * (1 + np.abs(self.hi))).any():
            return None
        return x

    def solve(self, c: np.ndarray) -> np.ndarray | None:
        """argmin c . x, or None when HiGHS finds no optimum."""
        h = self.h
        if len(self._set):
            h.changeColsCost(len(self._set), self._set, np.zeros(len(self._set)))
        idx = np.flatnonzero(c).astype(np.int32)
        h.changeColsCost(len(idx), idx, np.asarray(c[idx], dtype="float64"))
        self._set = idx
        h.run()
        if not self._solved:
            self._solved = True
            h.setOptionValue("simplex_strategy", 4)
        if h.getModelStatus() != self._ok:
            return None
        return np.asarray(h.getSolution().col_value)


def components(A: sparse.csr_matrix) -> np.ndarray:
    """Piece of each unknown: the connected components of the graph of rows and the unknowns they hold
    (rows as nodes of their own, so that a row over thousands of unknowns costs its length, not its square)."""
    m, n = A.shape
    B = sparse.csr_matrix((np.ones(A.nnz), A.indices, A.indptr), shape=(m, n))
    G = sparse.bmat([[None, B], [B.T, None]], format="csr")
    _, lab = connected_components(G, directed=False)
    return lab[m:]


def bins(piece: np.ndarray) -> np.ndarray:
    """Bin of each unknown: whole pieces packed in order into bins of about BIN unknowns."""
    ids, inv, size = np.unique(piece, return_inverse=True, return_counts=True)
    out = np.empty(len(ids), np.int64)
    b, fill = 0, 0
    for k in range(len(ids)):
        if fill and fill + size[k] > BIN:
            b, fill = b + 1, 0
        out[k] = b
        fill += size[k]
    return out[inv]


class Ranges:
    """Seen ranges of the targets F (rows, over this programme's unknowns) of one bin's programme, widened by
    each solution of its model. A bin's pieces are independent, so every solution of it is one solution."""

    def __init__(self, A: sparse.csr_matrix, lo: np.ndarray, hi: np.ndarray, F: sparse.csr_matrix) -> None:
        self.A, self.lo_rows, self.hi_rows = sparse.csc_matrix(A), lo, hi
        self.model = Model(self.A, lo, hi)
        self.F = sparse.csr_matrix(F)
        self.x0 = np.zeros(self.A.shape[1])
        self.lo = np.zeros(self.F.shape[0])
        self.hi = np.zeros(self.F.shape[0])

    def start(self) -> None:
        """A first solution, which every seen range starts from and every restricted programme fixes the other
        unknowns at: an interior one where HiGHS finds it (Model.interior), else a corner."""
        x = Model(self.A, self.lo_rows, self.hi_rows).interior()
        if x is None:
            x = self.model.solve(np.zeros(self.A.shape[1]))
        if x is None:
            raise SystemExit("intruder: the published figures are not consistent with each other")
        self.x0 = x
        self.lo[:] = self.hi[:] = self.F @ x

    def take(self, x: np.ndarray | None) -> None:
        """Widen every seen range by the solution x (none when HiGHS found none)."""
        if x is not None:
            f = self.F @ x
            np.minimum(self.lo, f, out=self.lo)
            np.maximum(self.hi, f, out=self.hi)

    def open_targets(self) -> np.ndarray:
        """True for each target not yet shown to span two whole numbers."""
        return ~spans_two(self.lo, self.hi)

    def batched(self, rng: np.random.Generator, more_than: int = 0) -> None:
        """Push every open target at once, in random directions, until the number of open ones stops falling
        (the first push minimises them all)."""
        last = None
        for k in range(BATCH_ROUNDS):
            todo = np.flatnonzero(self.open_targets())
            if len(todo) <= more_than or (last == len(todo) and k >= 4):
                break
            last = len(todo)
            w = rng.uniform(0.5, 1.5, len(todo)) * (rng.choice([-1.0, 1.0], len(todo)) if k else 1.0)
            self.take(self.model.solve(np.asarray(self.F[todo].T @ w).ravel()))

    def restricted(self, group: np.ndarray, rng: np.random.Generator) -> None:
        """Batched rounds on a few unknowns at a time, every other unknown fixed at the first solution: small
        programmes instead of one of thousands of unknowns. A solution of the restricted system is one of the
        whole, so every range seen here is reached there; what the restrictions cannot move is left open for
        the whole model. The sets: each label of each column of `group` (say, the organisation's region, then
        its type), then each pair of labels of the first column (two regions: England's and the types' rows
        tie regions together, so a count often moves only against a count of another region)."""
        g = group.reshape(self.A.shape[1], -1)
        sets = [np.flatnonzero(g[:, j] == label) for j in range(g.shape[1]) for label in np.unique(g[:, j])]
        first = np.unique(g[:, 0])
        if len(first) > 2:
            sets += [np.flatnonzero(np.isin(g[:, 0], pair)) for pair in itertools.combinations(first, 2)]
        Fc = self.F.tocsc()
        for cols in sets:
            targets = np.unique(Fc[:, cols].indices)
            if not self.open_targets()[targets].any():
                continue
            rows = np.unique(self.A[:, cols].indices)
            rest = self.x0.copy()
            rest[cols] = 0.0
            const = self.A[rows] @ rest
            model = Model(self.A[rows][:, cols], self.lo_rows[rows] - const, self.hi_rows[rows] - const)
            last = None
            for k in range(BATCH_ROUNDS):
                todo = targets[self.open_targets()[targets]]
                if len(todo) == 0 or (last == len(todo) and k >= 4):
                    break
                last = len(todo)
                w = rng.uniform(0.5, 1.5, len(todo)) * (rng.choice([-1.0, 1.0], len(todo)) if k else 1.0)
                x = model.solve(np.asarray(self.F[todo][:, cols].T @ w).ravel())
                if x is None:
                    break
                rest[cols] = x
                self.take(rest)

    def exact(self, t: int) -> bool:
        """Target t's exact minimum then maximum, stopping once it spans two whole numbers; True if it does
        not (recovered)."""
        row = self.F[t].toarray().ravel()
        for sign in (1.0, -1.0):
            if spans_two(self.lo[t], self.hi[t]):
                return False
            self.take(self.model.solve(sign * row))
        return not spans_two(self.lo[t], self.hi[t])


def _one_bin(A: sparse.csr_matrix, lo: np.ndarray, hi: np.ndarray, F: sparse.csr_matrix,
             group: np.ndarray | None, together: np.ndarray | None, exact: np.ndarray, seed: int,
             stop_after: int | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """Seen ranges of the targets F of one bin's programme: first solution, restricted and batched rounds,
    then exact minimum and maximum of every target still open where `exact` says it is a whole target,
    except one whose label in `together` (a withheld figure's White, BME and unknown counts) another
    target has already been shown to span two whole numbers with. (low, high, number recovered)."""
    r = Ranges(A, lo, hi, F)
    r.start()
    rng = np.random.default_rng(seed)
    if group is not None:
        r.restricted(group, rng)
    r.batched(rng, more_than=EXACT_AT if group is not None else 0)
    pinned = 0
    for t in np.flatnonzero(r.open_targets() & exact):
        if stop_after is not None and pinned >= stop_after:
            break
        if together is not None and together[t] >= 0:
            mates = np.flatnonzero(together == together[t])
            if spans_two(r.lo[mates], r.hi[mates]).any():
                continue
        pinned += r.exact(int(t))
    return r.lo.copy(), r.hi.copy(), pinned


def _one_bin_job(args: tuple) -> tuple[np.ndarray, np.ndarray, int]:
    return _one_bin(*args)


def ranges(A: sparse.csr_matrix, lo: np.ndarray, hi: np.ndarray, F: sparse.csr_matrix, seed: int = 0,
           stop_after: int | None = None, group: np.ndarray | None = None, together: np.ndarray | None = None,
           say: Callable[..., None] | None = None, workers: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) of each row of F @ x over {lo <= A x <= hi, 0 <= x <= BIG}: exact for every target whose
    range holds fewer than two whole numbers, and for the others a range (reached by solutions) that holds
    two; except a target with a label in `together` (one per target, -1 for none) whose fellow target has
    been shown to span two: its range is then only the one seen (the intruder counts a withheld figure as
    recovered only when all its counts are).

    stop_after: stop once that many targets are recovered (the rest's ranges then not all exact).
    group: labels of each unknown, one column per labelling (the intruder's: the region of its
    organisation, then its type); if given, batched rounds run first on each label alone and on each pair
    of labels of the first column (Ranges.restricted), and on the whole bin only while more than EXACT_AT of
    its targets are left open. workers: bins solved in that many processes at once (spawned: HiGHS in a
    forked process is not safe). say(step, **counts): told how far it got (a national attack runs for
    minutes)."""
    say = say or (lambda *_, **__: None)
    A, F = sparse.csr_matrix(A), sparse.csr_matrix(F)
    bin_of = bins(components(A))
    nb = int(bin_of.max()) + 1
    Fc = F.tocoo()
    part_key, part_of_entry = np.unique(Fc.row.astype(np.int64) * nb + bin_of[Fc.col], return_inverse=True)
    target, part_bin = part_key // nb, part_key % nb
    whole = np.bincount(target, minlength=F.shape[0])[target] == 1
    row_bin = np.full(A.shape[0], -1, np.int64)
    has = np.diff(A.indptr) > 0
    row_bin[has] = bin_of[A.indices[A.indptr[:-1][has]]]
    jobs, job_parts, where = [], [], np.empty(A.shape[1], np.int64)
    for k in np.unique(part_bin):
        cols = np.flatnonzero(bin_of == k)
        rows = np.flatnonzero(row_bin == k)
        where[cols] = np.arange(len(cols))
        sel = part_bin[part_of_entry] == k
        parts = np.unique(part_of_entry[sel])
        Fk = sparse.csr_matrix((Fc.data[sel], (np.searchsorted(parts, part_of_entry[sel]), where[Fc.col[sel]])),
                               shape=(len(parts), len(cols)))
        tog = None if together is None else np.where(whole[parts], np.asarray(together)[target[parts]], -1)
        jobs.append((A[rows][:, cols], lo[rows], hi[rows], Fk, None if group is None else np.asarray(group)[cols],
                     tog, whole[parts], seed + int(k)))
        job_parts.append(parts)
    say("models", bins=len(jobs), targets=F.shape[0], parts=len(part_key))
    plo, phi = np.zeros(len(part_key)), np.zeros(len(part_key))
    pinned = 0

    def took(j: int, result: tuple[np.ndarray, np.ndarray, int]) -> None:
        nonlocal pinned
        plo[job_parts[j]], phi[job_parts[j]], n = result
        pinned += n
        say("bin", bin=j, unknowns=jobs[j][0].shape[1], targets=len(job_parts[j]), recovered_so_far=pinned)

    if workers > 1 and len(jobs) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        order = sorted(range(len(jobs)), key=lambda j: -jobs[j][0].shape[1])  # the largest first
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(_one_bin_job, jobs[j]): j for j in order}
            for f in as_completed(futures):
                took(futures[f], f.result())
    else:
        for j, job in enumerate(jobs):
            left = None if stop_after is None else max(stop_after - pinned, 0)
            if left == 0:
                break
            took(j, _one_bin(*job, stop_after=left))
    parts_of = sparse.csr_matrix((np.ones(len(part_key)), (target, np.arange(len(part_key)))),
                                 shape=(F.shape[0], len(part_key)))
    # A target over several bins: exact minimum and maximum of each part, while it does not span two.
    models: dict[int, Model] = {}
    job_of_bin = {int(k): j for j, k in enumerate(np.unique(part_bin))}
    for t in np.flatnonzero(np.diff(parts_of.indptr) > 1):
        if stop_after is not None and pinned >= stop_after:
            break
        ps = parts_of[t].indices
        for p in ps:
            if spans_two(plo[ps].sum(), phi[ps].sum()):
                break
            j = job_of_bin[int(part_bin[p])]
            if j not in models:
                models[j] = Model(jobs[j][0], jobs[j][1], jobs[j][2])
            i = int(np.searchsorted(job_parts[j], p))
            row = jobs[j][3][i].toarray().ravel()
            for sign in (1.0, -1.0):
                x = models[j].solve(sign * row)
                if x is None:
                    raise SystemExit("intruder: the published figures are not consistent with each other")
                plo[p], phi[p] = min(plo[p], row @ x), max(phi[p], row @ x)
        pinned += not spans_two(plo[ps].sum(), phi[ps].sum())
    say("done", recovered=pinned)
    return parts_of @ plo, parts_of @ phi
