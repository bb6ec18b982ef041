"""The protected table (issue 15): every count the site publishes, as sums of the returns' counts.

Why: a withheld count can be read back from any published sum that holds it,
so the pass (protection.py) needs one model of all of them: the returns' own
counts (base cells) and every sum a published figure is computed from
(aggregate cells, each a set of base cells: its support). See protection.py's
docstring for what each is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from ..model import spec

_ETH = {"white": "w", "bme": "b", "unknown": "u"}


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
    #: (parent cell, child cell, partition): totals and the cells that add up to each exactly (`partitions`)
    parts: tuple[np.ndarray, ...] = (np.zeros(0, np.int64),) * 3
    #: (outer, inner) cells of one unit where one holds the other (all staff and senior staff, senior and VSM)
    inside: tuple[np.ndarray, ...] = (np.zeros(0, np.int64),) * 2


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
    parts = partitions(index[keys + ["cell"]], units, np.diff(support.indptr))
    return Cells(base=base, support=support, value=value, index=index[keys + ["cell"]], parts=parts,
                 inside=_inside(index[keys + ["cell"]]),
                 base_hidden=np.zeros(len(base), bool), cell_hidden=np.zeros(n_cells, bool))



def partitions(index: pd.DataFrame, units: pd.DataFrame, size: np.ndarray) -> tuple[np.ndarray, ...]:
    """(parent, child, partition) for every total that is exactly the sum of other cells: a group's count and
    its members' counts (same family, year, breakdown and column), a staff group's count and its bands', an
    organisation's or group's whole count and its staff groups'. Kept only where the children's sizes add up
    to the parent's (complete cases: the same members counted at both levels). The classic rule runs on them:
    a total with exactly one withheld part would give it back (protection_rules._margins)."""
    cols = ["fam", "year", "key", "col"]
    org = index[index["level"] == "organisation"].rename(columns={"code": "org_code", "cell": "child"})
    grp = index[index["level"] != "organisation"]
    u = units[units["level"] != "organisation"][["year", "org_code", "level", "code"]]
    a = grp.merge(u, on=["year", "level", "code"]).merge(org[cols + ["org_code", "child"]], on=cols + ["org_code"])
    split = index["key"].str.partition("/")
    band = (split[1] == "/") & (split[2] != "all")
    sg_all = (split[1] == "/") & (split[2] == "all")
    child = pd.concat([index[band].assign(pkey=split[0][band] + "/all"), index[sg_all].assign(pkey="all")])
    b = child.rename(columns={"cell": "child"}).merge(
        index.rename(columns={"key": "pkey"}), on=["fam", "year", "level", "code", "col", "pkey"])
    # Groups of groups: a region's systems, England's regions and organisation types.
    grp_codes = u.drop_duplicates(["year", "org_code", "level"]).pivot(index=["year", "org_code"], columns="level",
                                                                        values="code").reset_index()
    nest = []
    for lo, hi in (("system", "region"), ("region", "england"), ("org_type", "england")):
        if lo in grp_codes and hi in grp_codes:
            m = grp_codes[["year", lo, hi]].dropna().drop_duplicates()
            m = m[~m.duplicated(["year", lo], keep=False)]  # a group in two parents is no partition
            kid = grp[grp["level"] == lo].rename(columns={"code": lo, "cell": "child"})
            par = grp[grp["level"] == hi].rename(columns={"code": hi})
            nest.append(kid.merge(m, on=["year", lo]).merge(par, on=cols + [hi])[["cell", "child"]].assign(how=2))
    # Senior staff and VSM: their bands in the two non-medical staff groups, in the same unit.
    senior = split[0].isin(spec.NON_MEDICAL_GROUPS) & split[2].isin(spec.SENIOR_BANDS)
    sub = pd.concat([index[senior].assign(pkey="senior"), index[senior & (split[2] == "vsm")].assign(pkey="_vsm")])
    nest.append(sub.rename(columns={"cell": "child"}).merge(
        index.rename(columns={"key": "pkey"}), on=["fam", "year", "level", "code", "col", "pkey"])[
        ["cell", "child"]].assign(how=3))
    # A total may be split two ways (a system's staff group: by organisations, by bands): each its own partition.
    pairs = pd.concat([a[["cell", "child"]].assign(how=0), b[["cell", "child"]].assign(how=1), *nest]
                      ).drop_duplicates()
    pairs = pairs[pairs["cell"] != pairs["child"]]
    total = pairs.assign(n=size[pairs["child"].to_numpy()]).groupby(["cell", "how"])["n"].sum().reset_index()
    whole = total[total["n"].to_numpy() == size[total["cell"].to_numpy()]].drop(columns="n")
    pairs = pairs.merge(whole, on=["cell", "how"]).sort_values(["cell", "how", "child"])
    part = pd.factorize(pd.MultiIndex.from_arrays([pairs["cell"], pairs["how"]]))[0]
    return pairs["cell"].to_numpy(np.int64), pairs["child"].to_numpy(np.int64), part.astype(np.int64)


def _inside(index: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(outer, inner) cells of one unit, family, year and column where the inner one's staff are all counted in
    the outer one but are not one of its parts: all staff holds senior staff and VSM, senior staff holds VSM.
    Their difference is published too (all staff less senior staff), so the classic rule runs on it."""
    on = ["fam", "year", "level", "code", "col"]
    out = []
    for outer, inner in (("all", "senior"), ("all", "_vsm"), ("senior", "_vsm")):
        o = index[index["key"] == outer][on + ["cell"]]
        i = index[index["key"] == inner][on + ["cell"]].rename(columns={"cell": "inner"})
        out.append(o.merge(i, on=on)[["cell", "inner"]])
    pairs = pd.concat(out).drop_duplicates()
    pairs = pairs[pairs["cell"] != pairs["inner"]]
    return pairs["cell"].to_numpy(np.int64), pairs["inner"].to_numpy(np.int64)
