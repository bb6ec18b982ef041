"""One protection pass over every published table, before anything is written (issue 15).

Why: `withhold_below` promises that a count below it cannot be read off the
site. Withholding a small cell of one table is not enough: the same people are
counted again in a band total, a staff-group total, a system, region,
organisation type or England total, a merged organisation's series, a two-year
pooled figure, a share, an interval and a leadership goal. So the pass works on
one model of all of them, the way statistical offices protect linked tables.

The model
---------
* **Base cells**: every count of a published return (workforce headcount by
  band and ethnicity, shortlisted, appointed, entered the formal disciplinary
  process, accessed training, board members, survey respondents, pay
  headcount), as published in the stacked downloads and on return pages.
  A cell empty or `*` at source has no value here: it enters no sum the site
  publishes (a figure that needs it leaves that organisation out), so nothing
  published constrains it.
* **Aggregate cells**: every count a published figure is computed from: an
  organisation's band, staff-group, senior, VSM and whole-workforce counts,
  and each group's sum of them over the members the figure uses (complete
  cases, exactly as indicators.aggregate sums), for organisations, systems,
  regions, organisation types, England and merged organisations' series.
  Each is a set of base cells (its *support*); equal supports are one cell.
* Every published figure (share, headcount, ratio, interval, gap, two-year
  figure, goal, share unknown) is a function of a few aggregate cells; the
  two-year figure of indicator 3 of the cells of both years.

The rule
--------
1. Primary suppression: every base or aggregate cell below the threshold
   (0 included) is withheld.
2. Secondary suppression, the classic rule on every published cell: a
   published sum holding exactly one withheld base cell, or withheld base
   cells that add up to 0, gets one more withheld base cell (its smallest
   published non-zero one), repeated until no published sum has either.
3. An audit: for every withheld base and aggregate cell, the range of values
   consistent with everything published (linear programming, HiGHS through
   scipy, non-negative counts) is computed; a cell whose range holds a single
   whole number would be recovered, so one of the published sums that pin it
   (non-zero duals at its minimum or maximum) is withheld, the cheapest by
   level (else one more base cell), and the audit runs again (withholding more
   can only widen ranges, so only cells not yet shown safe are checked again).
4. A figure is published only if every cell it is computed from is published;
   otherwise the whole row is withheld (every column but the keys, status,
   flags and reason is emptied), everywhere it appears. Trend columns that
   compare with a withheld figure are emptied; peer ranks are worked out again
   among the published figures only.

Survey percentages (indicators 5 to 8) are protected by their respondent
counts for an organisation's own figure; group survey figures are averages of
percentages and are not modelled (the national staff survey publishes them
itself under its own rules).

Why our own: see benchmarks/README.md ("Protection"): the maintained tools
(tau-argus and its Python wrappers) protect standard hierarchical tables whose
totals are sums of every contributor; ours are sums over the members a figure
can use (members missing a count are left out), with organisations grouped
two ways at once (system and region; organisation type) plus merged series.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import sparse

from ..model import spec
from .counts import lineage_members
from .peers import add_peer_ranks

#: Columns of a figure that are never sensitive: what it is, and whether it is published.
KEY_COLUMNS = ("year", "level", "code", "indicator", "measure", "breakdown", "status", "flags", "reason", "folded", "headline")
GOAL_KEYS = ("year", "level", "code", "group", "target_year", "turnover", "years", "status", "reason", "headline")
WITHHELD_REASON = "withheld: a small number, or one that would reveal a small number, is behind it"
_ETH = {"white": "w", "bme": "b", "unknown": "u"}
#: Upper bound on any count in the audit's linear programmes (keeps them bounded).
_BIG = 1e7


@dataclass
class Cells:
    """The protected table: base cells, aggregate cells (sparse supports) and what is withheld."""

    base: pd.DataFrame          # resource, col, row, year, org_code, value
    support: sparse.csr_matrix  # aggregate cells x base cells (0/1)
    value: np.ndarray           # aggregate cell values
    index: pd.DataFrame         # fam, year, level, code, key, col -> cell
    base_hidden: np.ndarray
    cell_hidden: np.ndarray
    primary_base: int = 0
    primary_cells: int = 0


# --------------------------------------------------------------------------- base cells and atoms

def _floats(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").astype("Float64").to_numpy(dtype="float64", na_value=np.nan)


def base_cells(dataset) -> pd.DataFrame:  # noqa: ANN001
    """Every count with a value in a published table: one row per (resource, count column, table row)."""
    parts = []
    for resource, cols in spec.COUNT_FIELDS.items():
        t = dataset.tables.get(resource)
        if t is None or len(t) == 0:
            continue
        for col in cols:
            if col not in t:
                continue
            v = _floats(t[col])
            ok = ~np.isnan(v)
            part = pd.DataFrame({"resource": resource, "col": col, "row": t.index.to_numpy()[ok],
                                 "year": t["year"].to_numpy()[ok].astype(int),
                                 "org_code": t["org_code"].astype(str).to_numpy()[ok], "value": v[ok]})
            for k in ("staff_group", "band", "ethnicity", "indicator"):
                part[k] = t[k].astype(str).to_numpy()[ok] if k in t else ""
            parts.append(part)
    if not parts:
        return pd.DataFrame(columns=["resource", "col", "row", "year", "org_code", "value", "staff_group", "band",
                                     "ethnicity", "indicator"])
    return pd.concat(parts, ignore_index=True)


def _atoms(base: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Organisation-level counts as sets of base cells: family -> (year, org_code, key, col, base)."""
    b = base.assign(base=np.arange(len(base)))
    e = b["ethnicity"].map(_ETH)
    out: dict[str, pd.DataFrame] = {}
    wf = b[(b["resource"] == "workforce") & e.notna()].assign(col=e)
    nonmed = wf["staff_group"].isin(spec.NON_MEDICAL_GROUPS)
    keys = [wf.assign(key=wf["staff_group"] + "/" + wf["band"]), wf.assign(key=wf["staff_group"] + "/all"),
            wf.assign(key="all"), wf[nonmed & wf["band"].isin(spec.SENIOR_BANDS)].assign(key="senior"),
            wf[nonmed & (wf["band"] == "vsm")].assign(key="_vsm")]
    out["wf"] = pd.concat(keys, ignore_index=True)[["year", "org_code", "key", "col", "base"]]
    wf_all = out["wf"][out["wf"]["key"] == "all"]
    n = wf_all[wf_all["col"].isin(["w", "b"])].assign(col=lambda d: "n" + d["col"], key="")
    whole = wf_all.assign(key="")

    def simple(resource: str, col: str, prefix: str, eths=("w", "b")) -> pd.DataFrame:
        s = b[(b["resource"] == resource) & (b["col"] == col)]
        p = s["ethnicity"].map(_ETH)
        s = s.assign(col=prefix + p, key="")
        return s[p.isin(eths).to_numpy()][["year", "org_code", "key", "col", "base"]]

    out["rec"] = pd.concat([simple("recruitment", "appointed", "a"), simple("recruitment", "shortlisted", "s")])
    out["dis"] = pd.concat([simple("disciplinary", "entered_formal_process", "e"), n])
    out["trn"] = pd.concat([simple("training", "accessed_training", "t"), n])
    for p, col in (("m", "members"), ("v", "voting_members"), ("x", "executive_members")):
        out[f"brd_{p}"] = pd.concat([simple("board", col, p, ("w", "b", "u")), whole])
    sv = b[(b["resource"] == "staff_survey") & e.isin(["w", "b"])]
    out["sv"] = sv.assign(col="r" + sv["ethnicity"].map(_ETH), key=sv["indicator"].astype(str))[
        ["year", "org_code", "key", "col", "base"]]
    return out


def _org_frames(counts) -> dict[str, tuple[pd.DataFrame, list[str]]]:  # noqa: ANN001
    """family -> (organisation-level frame with year, org_code, key and the counts (NaN = not available), cols)."""
    wf = counts.workforce.rename(columns={"breakdown": "key"})
    out = {"wf": (wf, ["w", "b", "u"]), "wf_known": (wf, ["w", "b"]),
           "rec": (counts.recruitment.assign(key=""), ["aw", "sw", "ab", "sb"]),
           "dis": (counts.disciplinary.assign(key=""), ["eb", "nb", "ew", "nw"]),
           "trn": (counts.training.assign(key=""), ["tw", "nw", "tb", "nb"])}
    for p in ("m", "v", "x"):
        out[f"brd_{p}"] = (counts.board.assign(key=""), [f"{p}w", f"{p}b", f"{p}u", "w", "b", "u"])
    sv = counts.survey.assign(key=counts.survey["indicator"].astype(str))
    out["sv"] = (sv[["year", "org_code", "key", "rw", "rb"]], ["rw", "rb"])
    return out


# --------------------------------------------------------------------------- aggregate cells

def build_cells(dataset, counts, members: pd.DataFrame, lineage: pd.DataFrame) -> Cells:  # noqa: ANN001
    """Base cells and every aggregate cell a published figure is computed from (see the module docstring)."""
    base = base_cells(dataset)
    atoms = _atoms(base)
    units = pd.concat([members, lineage.assign(level="_lineage")], ignore_index=True)[
        ["year", "org_code", "level", "code"]]
    rng = np.random.default_rng(15)
    weights = rng.integers(1, 2 ** 62, size=len(base), dtype=np.int64).astype(np.uint64)
    pairs, index = [], []
    for fam, (frame, cols) in _org_frames(counts).items():
        atom = atoms["wf" if fam in ("wf", "wf_known") else fam]
        f = frame[frame["key"] != ""] if fam == "sv" else frame
        complete = f[cols].notna().all(axis=1)
        if fam == "sv":  # survey: an organisation's own respondents only
            u = units[units["level"] == "organisation"]
        else:
            u = units
        used = f.loc[complete, ["year", "org_code", "key"]].drop_duplicates()
        m = u.merge(used, on=["year", "org_code"], how="inner")
        for col in cols:
            a = atom[atom["col"] == col][["year", "org_code", "key", "base"]]
            if len(m) and len(a):
                p = m.merge(a, on=["year", "org_code", "key"], how="inner")
            else:  # a table no return has (empty frames' key columns have no common dtype to merge on)
                p = m.iloc[:0].assign(base=pd.Series(dtype="int64"))
            pairs.append(p.assign(fam=fam, col=col)[["fam", "year", "level", "code", "key", "col", "base"]])
            index.append(m[["year", "level", "code", "key"]].drop_duplicates().assign(fam=fam, col=col))
    pairs = pd.concat(pairs, ignore_index=True) if pairs else pd.DataFrame(
        columns=["fam", "year", "level", "code", "key", "col", "base"])
    index = pd.concat(index, ignore_index=True) if index else pd.DataFrame(
        columns=["year", "level", "code", "key", "fam", "col"])
    keys = ["fam", "year", "level", "code", "key", "col"]
    # A cell is its support: equal supports (by a sum of random 64-bit weights and a size) are one cell.
    pairs["_w"] = weights[pairs["base"].to_numpy(dtype=np.int64)]
    sig = pairs.groupby(keys, sort=False).agg(_h=("_w", "sum"), _n=("base", "size")).reset_index()
    index = index.merge(sig, on=keys, how="left")
    index["_h"] = index["_h"].fillna(0).astype(np.uint64)
    index["_n"] = index["_n"].fillna(0).astype(np.int64)
    index = index[index["_n"] > 0].reset_index(drop=True)  # nothing counted: no cell (the figure is not calculable)
    index["cell"] = pd.factorize(pd.MultiIndex.from_arrays([index["_h"], index["_n"]]))[0]
    first = index.drop_duplicates("cell").set_index(keys)["cell"]
    p = pairs.merge(first.reset_index(), on=keys, how="inner").drop_duplicates(["cell", "base"])
    n_cells = int(index["cell"].max()) + 1 if len(index) else 0
    support = sparse.csr_matrix((np.ones(len(p)), (p["cell"].to_numpy(), p["base"].to_numpy(dtype=np.int64))),
                                shape=(n_cells, len(base)))
    value = support @ base["value"].to_numpy(dtype="float64")
    return Cells(base=base, support=support, value=value, index=index[keys + ["cell"]],
                 base_hidden=np.zeros(len(base), bool), cell_hidden=np.zeros(n_cells, bool))


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
            break
        left = _hide_smallest(cells, rows)
        cells.cell_hidden[left] = True
    return int(cells.base_hidden.sum()) - before


def primary(cells: Cells, threshold: int) -> None:
    val = cells.base["value"].to_numpy(dtype="float64")
    cells.base_hidden |= (val >= 1) & (val < threshold)
    cells.cell_hidden |= (cells.value >= 1) & (cells.value < threshold)
    _sync(cells)
    cells.primary_base = int(cells.base_hidden.sum())
    cells.primary_cells = int(cells.cell_hidden.sum())


# --------------------------------------------------------------------------- the audit

class _LP:
    """One HiGHS model of {0 <= x <= _BIG, A x = b}, kept between solves: only the objective changes, so
    each solve starts from the last optimal basis instead of from scratch, as scipy's linprog does
    (see benchmarks/README.md, "Protection"). It is the HiGHS scipy itself ships and linprog calls
    (scipy.optimize._highspy, not a public module: hence scipy>=1.15 in pyproject.toml); highspy's
    own Highs class runs Python callbacks on every solve and was six times slower here."""

    def __init__(self, A: sparse.spmatrix, b: np.ndarray) -> None:
        from scipy.optimize._highspy import _core as highspy

        self._hs = highspy
        h = highspy._Highs()
        h.setOptionValue("output_flag", False)
        Ac = sparse.csc_matrix(A)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = Ac.shape[1], Ac.shape[0]
        lp.col_cost_ = np.zeros(Ac.shape[1])
        lp.col_lower_ = np.zeros(Ac.shape[1])
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


def feasible_ranges(A: sparse.csr_matrix, b: np.ndarray, F: sparse.csr_matrix, x0: np.ndarray | None,
                    rounds: int = 12, exact: bool = True, seed: int = 0,
                    comp: np.ndarray | None = None, pins: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) of each row of F @ x over {0 <= x, A x = b}, as far as needed to tell a range holding two
    whole numbers or more from one holding a single whole number.

    Batched first: each linear programme (HiGHS) pushes every target not yet shown to move by 1 up or down
    at random; a target is certified once two solutions put it at least 1 apart. Then, with `exact`, each
    target left gets its exact minimum and then maximum (stopping once certified); every solution also
    widens every other target's seen range, so most targets never need their own programme. All of them
    are solved on one model, warm-started from the last basis (`_LP`). Without `exact`, the targets left
    are reported with their seen range (conservative: a certified range is always a true one).
    x0: a feasible point if known (else one is found first). comp: unused (kept for callers).
    pins: if given, filled with target -> the rows of A binding at its exact minimum or maximum (non-zero
    duals) for every target whose range holds one whole number only: the published sums that pin it.
    """
    lp = _LP(A, b)
    if x0 is None:
        got = lp.solve(np.zeros(0, np.int32), np.zeros(0))
        if got is None:
            raise ValueError("the published figures are inconsistent: no non-negative counts fit them")
        x0 = got[0]
    f0 = F @ x0
    lo, hi = f0.copy(), f0.copy()
    rng = np.random.default_rng(seed)

    def open_() -> np.ndarray:
        return np.flatnonzero(np.floor(hi + 1e-6) - np.ceil(lo - 1e-6) < 1)

    def take(c: np.ndarray) -> np.ndarray | None:
        nz = np.flatnonzero(c)
        got = lp.solve(nz, c[nz])
        if got is None:
            return None
        f = F @ got[0]
        np.minimum(lo, f, out=lo)
        np.maximum(hi, f, out=hi)
        return got[1]

    last = None
    for k in range(rounds):
        todo = open_()
        if len(todo) == 0 or (last is not None and len(todo) == last and k >= 4):
            break
        last = len(todo)
        w = rng.uniform(0.5, 1.5, len(todo)) * (rng.choice([-1.0, 1.0], len(todo)) if k else 1.0)
        take(np.asarray(F[todo].T @ w).ravel())
    if not exact:
        return lo, hi
    for t in open_():
        row = F[t]
        bind: set[int] = set()
        for sign in (-1.0, 1.0):
            if np.floor(hi[t] + 1e-6) - np.ceil(lo[t] - 1e-6) >= 1:
                break
            c = np.zeros(F.shape[1])
            c[row.indices] = sign * row.data
            y = take(c)
            if y is not None:
                bind.update(np.flatnonzero(np.abs(y) > 1e-9).tolist())
        if pins is not None and np.floor(hi[t] + 1e-6) - np.ceil(lo[t] - 1e-6) < 1:
            pins[int(t)] = bind
    return lo, hi


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
    lo, hi = feasible_ranges(A, rhs, F, val[hb], exact=exact, pins=pins)
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


def protect_cells(cells: Cells, threshold: int, audit: bool = True, max_rounds: int = 10_000) -> dict:
    """Primary, secondary and audited suppression on `cells` (in place); returns counts for the write-up.

    Rounds go on until the audit recovers nothing (still_recoverable 0), or a round can withhold nothing
    more, or max_rounds: then still_recoverable says how many cells the last audit recovered."""
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
                                                      np.flatnonzero(cells.cell_hidden & ~safe_c), exact=True)
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
                break  # nothing left that the rules can withhold: counted in still_recoverable
    stats["audit_rounds"] = rounds
    stats["withheld_base"] = int(cells.base_hidden.sum())
    stats["withheld_cells"] = int(cells.cell_hidden.sum())
    return stats


# --------------------------------------------------------------------------- figures

def _hidden_keys(cells: Cells) -> pd.DataFrame:
    """fam, year, level, code, key, col of every withheld aggregate cell (and of every published one: `hidden`)."""
    return cells.index.assign(hidden=cells.cell_hidden[cells.index["cell"].to_numpy()])


def _any_hidden(hk: pd.DataFrame, fams: list[str], key=None) -> pd.DataFrame:  # noqa: ANN001
    h = hk[hk["fam"].isin(fams)]
    if key is not None:
        h = h[h["key"] == key]
    return h.groupby(["year", "level", "code", "key"], sort=False)["hidden"].any().reset_index()


def figure_mask(ind: pd.DataFrame, hk: pd.DataFrame, level_map: dict[str, str] | None = None) -> np.ndarray:
    """True for every figure of `ind` computed from a withheld cell."""
    if len(ind) == 0:
        return np.zeros(0, bool)
    lv = ind["level"].map(level_map).fillna(ind["level"]) if level_map else ind["level"]
    f = pd.DataFrame({"year": ind["year"].to_numpy(dtype=int), "level": lv.to_numpy(), "code": ind["code"].astype(str).to_numpy(),
                      "indicator": ind["indicator"].to_numpy(dtype=int), "measure": ind["measure"].to_numpy(),
                      "breakdown": ind["breakdown"].astype(str).to_numpy()})
    hidden = np.zeros(len(f), bool)

    def look(sel: np.ndarray, fams: list[str], key_of: pd.Series, year_shift: int = 0) -> None:
        if not sel.any():
            return
        h = _any_hidden(hk, fams)
        q = f[sel].assign(key=key_of[sel], year=f["year"][sel] - year_shift)
        got = q.merge(h, on=["year", "level", "code", "key"], how="left")["hidden"].fillna(False).to_numpy(bool)
        hidden[np.flatnonzero(sel)[got]] = True

    i, m = f["indicator"].to_numpy(), f["measure"].to_numpy()
    bd = f["breakdown"]
    empty = pd.Series("", index=f.index)
    one = i == 1
    look(one & np.isin(m, ["share_bme", "share_white", "share_unknown", "headcount"]), ["wf"], bd)
    look(one & (m == "share_bme_known"), ["wf_known"], bd)
    gap = one & (m == "senior_gap_pp")
    look(gap, ["wf"], pd.Series("all", index=f.index))
    look(gap, ["wf"], pd.Series("senior", index=f.index))
    look(i == 2, ["rec"], empty)
    look(i == 3, ["dis"], empty)
    look((i == 3) & (m == "relative_likelihood_2yr"), ["dis"], empty, year_shift=1)
    look(i == 4, ["trn"], empty)
    for p, meas in (("m", "gap_pp_all"), ("v", "gap_pp_voting"), ("x", "gap_pp_executive")):
        look((i == 9) & (m == meas), [f"brd_{p}"], empty)
    look(np.isin(i, list(spec.SURVEY_INDICATORS)) & (f["level"].to_numpy() == "organisation"), ["sv"],
         f["indicator"].astype(str))
    return hidden


def _blank(df: pd.DataFrame, mask: np.ndarray, keep: tuple[str, ...], reason: str) -> pd.DataFrame:
    """Withhold rows: every column but `keep` emptied, status `suppressed`, flags cleared, the reason given."""
    out = df.copy()
    if not mask.any():
        return out
    for c in out.columns:
        if c in keep:
            continue
        s = out[c]
        if pd.api.types.is_bool_dtype(s) and not isinstance(s.dtype, pd.BooleanDtype):
            out[c] = s.astype("boolean")
        elif pd.api.types.is_integer_dtype(s) and not isinstance(s.dtype, pd.Int64Dtype):
            out[c] = s.astype("Int64")
        elif pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
            out.loc[mask, c] = ""
            continue
        out.loc[mask, c] = pd.NA if not pd.api.types.is_float_dtype(out[c]) else np.nan
    if "flags" in out:
        out.loc[mask, "flags"] = ""
    if "reason" in out:
        out.loc[mask, "reason"] = reason
    if "status" in out:
        out.loc[mask, "status"] = "suppressed"
    return out


def _clear_stale_trends(ind: pd.DataFrame) -> pd.DataFrame:
    """Empty previous_value, change and trend where last year's figure is withheld (it would be read back)."""
    if "previous_value" not in ind or len(ind) == 0:
        return ind
    keys = ["level", "code", "indicator", "measure", "breakdown"]
    prev = ind[keys + ["year"]].assign(year=ind["year"] + 1, _gone=ind["status"].to_numpy() == "suppressed")
    m = ind[keys + ["year"]].merge(prev, on=keys + ["year"], how="left")["_gone"].fillna(False).to_numpy(bool)
    out = ind.copy()
    for c in ("previous_value", "change"):
        if c in out:
            out.loc[m, c] = np.nan
    if "trend" in out:
        out.loc[m, "trend"] = ""
    if "flags" in out and m.any():
        out.loc[m, "flags"] = out.loc[m, "flags"].astype(str).str.replace(
            r"(^|;)trend_untested", "", regex=True).str.strip(";")
    return out


def protect_indicators(ind: pd.DataFrame, hk: pd.DataFrame, register: pd.DataFrame, level_map=None,
                       keep_extra: tuple[str, ...] = ()) -> pd.DataFrame:  # noqa: ANN001
    mask = figure_mask(ind, hk, level_map)
    # A figure already not published keeps its own status and reason.
    mask &= ind["status"].to_numpy() == "ok"
    out = _blank(ind, mask, KEY_COLUMNS + keep_extra, WITHHELD_REASON)
    out = _clear_stale_trends(out)
    if "peer_rank" in out and level_map is None:
        cols = list(out.columns)
        out = add_peer_ranks(out.drop(columns=["peer_rank", "peer_count", "peer_percentile"]), register)[cols]
    return out


def protect_goals(goals: pd.DataFrame, hk: pd.DataFrame) -> pd.DataFrame:
    if goals is None or len(goals) == 0:
        return goals
    f = goals[["year", "level", "code", "group"]].assign(year=goals["year"].astype(int), code=goals["code"].astype(str))
    need = {"senior": [("wf", "senior")], "vsm": [("wf", "_vsm")], "board": [("brd_m", "")]}
    hidden = np.zeros(len(f), bool)
    whole = _any_hidden(hk, ["wf_known"], "all").drop(columns="key")
    hidden |= f.merge(whole, on=["year", "level", "code"], how="left")["hidden"].fillna(False).to_numpy(bool)
    for group, parts in need.items():
        for fam, key in parts:
            h = hk[(hk["fam"] == fam) & (hk["key"] == key)]
            if fam == "brd_m":
                h = h[h["col"].isin(["mw", "mb", "mu"])]
            h = h.groupby(["year", "level", "code"], sort=False)["hidden"].any().reset_index()
            sel = (f["group"] == group).to_numpy()
            got = f[sel].merge(h, on=["year", "level", "code"], how="left")["hidden"].fillna(False).to_numpy(bool)
            hidden[np.flatnonzero(sel)[got]] = True
    # A goal that cannot be computed still shows its group's size and share: withheld too.
    return _blank(goals, hidden, GOAL_KEYS, WITHHELD_REASON)


def protect_quality(quality: pd.DataFrame, hk: pd.DataFrame) -> pd.DataFrame:
    if quality is None or len(quality) == 0 or "share_unknown" not in quality:
        return quality
    h = _any_hidden(hk, ["wf"], "all")
    h = h[h["level"] == "organisation"].rename(columns={"code": "org_code"})[["year", "org_code", "hidden"]]
    q = quality[["year", "org_code"]].astype({"year": int, "org_code": str})
    m = q.merge(h, on=["year", "org_code"], how="left")["hidden"].fillna(False).to_numpy(bool)
    out = quality.copy()
    out.loc[m, "share_unknown"] = np.nan
    return out


def table_marks(cells: Cells, dataset) -> dict[str, pd.DataFrame]:  # noqa: ANN001
    """resource -> bool frame (index of dataset.tables[resource], one column per count): withheld cells.

    A survey row's percentage goes with its respondents (column `percent`).
    """
    out: dict[str, pd.DataFrame] = {}
    b = cells.base.assign(hidden=cells.base_hidden)
    for resource, cols in spec.COUNT_FIELDS.items():
        t = dataset.tables.get(resource)
        if t is None or len(t) == 0:
            continue
        marks = pd.DataFrame(False, index=t.index, columns=[c for c in cols if c in t])
        sub = b[(b["resource"] == resource) & b["hidden"]]
        for col in marks.columns:
            rows = sub.loc[sub["col"] == col, "row"].to_numpy()
            marks.loc[rows, col] = True
        if resource == "staff_survey" and "respondents" in marks:
            marks["percent"] = marks["respondents"]
        out[resource] = marks
    return out


# --------------------------------------------------------------------------- the pass

def protect(dataset, counts, members: pd.DataFrame, results, settings):  # noqa: ANN001
    """Results with every figure derived from the protected table (or withheld with it), and the marks
    of withheld cells for the published tables (`results.withheld`). threshold <= 0: unchanged."""
    threshold = int(getattr(settings, "withhold_below", 0) or 0)
    if threshold <= 0:
        return results

    lin, _ = lineage_members(dataset.register, counts.universe)
    cells = build_cells(dataset, counts, members, lin)
    stats = protect_cells(cells, threshold)
    hk = _hidden_keys(cells)
    ind = protect_indicators(results.indicators, hk, dataset.register)
    lineage = results.lineage
    if lineage is not None and len(lineage):
        lineage = protect_indicators(lineage, hk, dataset.register, level_map={"organisation": "_lineage"})
    out = replace(results, indicators=ind, lineage=lineage, goals=protect_goals(results.goals, hk),
                  quality=protect_quality(results.quality, hk))
    out.withheld = table_marks(cells, dataset)
    out.protection = stats
    return out
