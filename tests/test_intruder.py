"""The intruder's solver (tests/intruder_solve.py) and the intruder on a region of the national sample.

The solver splits the system into pieces, packs them into warm-started models
and certifies most targets with batched objectives; these tests hold it to the
answer of the plain method it replaced (every target's minimum and maximum by
scipy's linprog on the whole system), so that being faster never makes the
intruder weaker.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import linprog

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import intruder  # noqa: E402
import intruder_solve  # noqa: E402
from intruder_national import downloads, subset  # noqa: E402

from generator.compute import protection  # noqa: E402
from generator.tools.sample import write_sample  # noqa: E402


def _plain(A: sparse.csr_matrix, lo: np.ndarray, hi: np.ndarray, F: sparse.csr_matrix) -> np.ndarray:
    """(min, max) of every target, each its own linprog on the whole system (the old intruder's way)."""
    A_ub = sparse.vstack([A[np.isfinite(hi)], -A[np.isfinite(lo)]]).tocsr()
    b_ub = np.concatenate([hi[np.isfinite(hi)], -lo[np.isfinite(lo)]])
    out = []
    for t in range(F.shape[0]):
        c = F[t].toarray().ravel()
        ends = [s * linprog(s * c, A_ub=A_ub, b_ub=b_ub, bounds=(0, intruder_solve.BIG), method="highs").fun
                for s in (1.0, -1.0)]
        out.append(ends)
    return np.array(out)


def _random_system(rng: np.random.Generator) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray,
                                                       sparse.csr_matrix]:
    """Pieces of a few whole-number counts, published as exact totals of some of them and as shares printed
    to one decimal (an interval), as the intruder's own equations are; targets: every count and some sums
    across pieces."""
    rows, lo, hi, n = [], [], [], 0
    truth = []
    for _ in range(rng.integers(3, 7)):
        k = int(rng.integers(2, 6))
        x = rng.integers(0, 12, k).astype(float)
        truth.extend(x)
        for _ in range(rng.integers(1, k + 1)):
            sub = rng.choice(k, int(rng.integers(1, k + 1)), replace=False)
            if rng.random() < 0.5:
                coef = np.zeros(k)
                coef[sub] = 1.0
                rows.append((n, coef)), lo.append(x[sub].sum()), hi.append(x[sub].sum())
            elif x[sub].sum() > 0:  # count sub[0] is a share s of the sum, printed to 1 dp (s +/- 0.05 %)
                s = round(100 * x[sub[0]] / x[sub].sum(), 1) / 100
                for bound, lo_, hi_ in ((s - 0.0005, -1e-7, np.inf), (s + 0.0005, -np.inf, 1e-7)):
                    coef = np.zeros(k)
                    coef[sub] -= bound
                    coef[sub[0]] += 1.0
                    rows.append((n, coef)), lo.append(lo_), hi.append(hi_)
        n += k
    A = sparse.lil_matrix((len(rows), n))
    for i, (start, coef) in enumerate(rows):
        A[i, start:start + len(coef)] = coef
    targets = [[i] for i in range(n)] + [list(rng.choice(n, 3, replace=False)) for _ in range(5)]
    F = sparse.lil_matrix((len(targets), n))
    for t, cols in enumerate(targets):
        F[t, cols] = 1.0
    return A.tocsr(), np.array(lo, float), np.array(hi, float), F.tocsr()


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("bin_size, groups", [(3, 0), (2000, 0), (2000, 3), (5, 2), (2000, (4, 2))])
def test_the_solver_gives_the_plain_methods_verdicts(seed, bin_size, groups, monkeypatch):
    """Random systems, one model for all pieces or a model for every piece or two, with or without groups
    (one labelling, or two: each label alone, then pairs of the first's) solved alone first: each target
    recovered (its range holds fewer than two whole numbers) exactly when the plain method says so, with
    the exact range then, and every range reached by solutions (inside the plain one)."""
    monkeypatch.setattr(intruder_solve, "BIN", bin_size)
    monkeypatch.setattr(intruder_solve, "EXACT_AT", 2)
    rng = np.random.default_rng(seed)
    A, lo, hi, F = _random_system(rng)
    if isinstance(groups, tuple):
        group = np.column_stack([rng.integers(0, k, A.shape[1]) for k in groups])
    else:
        group = rng.integers(0, groups, A.shape[1]) if groups else None
    low, high = intruder_solve.ranges(A, lo, hi, F, seed=seed, group=group)
    plain = _plain(A, lo, hi, F)
    assert (low >= plain[:, 0] - 1e-6).all() and (high <= plain[:, 1] + 1e-6).all()
    recovered = ~intruder_solve.spans_two(low, high)
    assert (recovered == ~intruder_solve.spans_two(plain[:, 0], plain[:, 1])).all()
    assert np.allclose(low[recovered], plain[recovered, 0], atol=1e-6)
    assert np.allclose(high[recovered], plain[recovered, 1], atol=1e-6)


@pytest.mark.parametrize("seed", range(6))
def test_fellow_targets_and_processes_give_the_same_verdicts(seed, monkeypatch):
    """A label shared by targets (a withheld figure's counts: recovered only when all are): the verdict for
    each label is the same as when every target is solved; and bins solved in two processes give the same
    ranges' verdicts as in one."""
    monkeypatch.setattr(intruder_solve, "BIN", 4)
    rng = np.random.default_rng(100 + seed)
    A, lo, hi, F = _random_system(rng)
    together = rng.integers(-1, 4, F.shape[0])
    alone = ~intruder_solve.spans_two(*intruder_solve.ranges(A, lo, hi, F, seed=seed))
    fellows = ~intruder_solve.spans_two(*intruder_solve.ranges(A, lo, hi, F, seed=seed, together=together))
    for label in range(4):
        mates = together == label
        assert alone[mates].all() == fellows[mates].all()
    assert (fellows[together < 0] == alone[together < 0]).all()
    if seed == 0:
        two = ~intruder_solve.spans_two(*intruder_solve.ranges(A, lo, hi, F, seed=seed, workers=2))
        assert (two == alone).all()


def test_a_sum_across_pieces_is_judged_as_a_whole(monkeypatch):
    """x in [0, 0.6] and y in [0.5, 1.5] (two pieces): each holds at most one whole number, their sum
    [0.5, 2.1] holds two, so the sum is not recovered; judging the parts alone would say it is."""
    monkeypatch.setattr(intruder_solve, "BIN", 1)
    A = sparse.csr_matrix(np.array([[1.0, 0.0], [0.0, 1.0]]))
    F = sparse.csr_matrix(np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0]]))
    low, high = intruder_solve.ranges(A, np.array([0.0, 0.5]), np.array([0.6, 1.5]), F)
    assert np.allclose(low, [0.5, 0.0, 0.5]) and np.allclose(high, [2.1, 0.6, 1.5])
    assert intruder_solve.spans_two(low, high).tolist() == [True, False, False]


@pytest.fixture(scope="module")
def national_region(tmp_path_factory) -> Path:
    """Region Y58 of the national sample (28 organisations, small ones with `*` at source), 2023-2024."""
    out = tmp_path_factory.mktemp("national")
    write_sample(out / "all", "national", 2018)
    return subset(out / "all", out / "Y58", ["Y58"], ["2023", "2024"])


@pytest.mark.slow  # writes the national sample, protects a region of it and attacks it
def test_nothing_withheld_in_a_national_region_can_be_recovered_at_10(national_region, tmp_path):
    """Nothing in the region's downloads at 10 gives a withheld count back; the same attack recovers counts
    from the same region withheld the old way (no protection pass), so it is not blind here."""
    n, recovered = intruder.attack(downloads(national_region, tmp_path / "new", 10))
    assert n > 1000 and recovered == []
    real = protection.protect
    protection.protect = lambda dataset, counts, members, results, settings: results
    try:
        old = downloads(national_region, tmp_path / "old", 10)
    finally:
        protection.protect = real
    n, recovered = intruder.attack(old, stop_after=1)
    assert n > 1000 and recovered
