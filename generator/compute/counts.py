"""The counts the indicators are made of: each input table reshaped into one wide frame per return
(one column per count and ethnicity), every return attached to the units it belongs to, and counts
summed over a unit's members with the bookkeeping of who was left out and why (indicators.py's
docstring states the rules). Also the mergers: which organisations a successor folds in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..model import spec
from ..model.dataset import Dataset
from .definitions import ENGLAND
from .keys import combined_codes

_ETH_PREFIX = {"white": "w", "bme": "b", "unknown": "u"}


def _floats(s: pd.Series) -> np.ndarray:
    """A count column (nullable Int64, or anything numeric) as float64 with NaN for NA."""
    return pd.to_numeric(s, errors="coerce").astype("Float64").to_numpy(dtype="float64", na_value=np.nan)


def _table(dataset: Dataset, resource: str, columns: list[str]) -> pd.DataFrame:
    t = dataset.tables.get(resource)
    if t is None or len(t) == 0:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in ["year", "org_code", *columns]})
    return t


def _wide(table: pd.DataFrame, keys: list[str], counts: dict[str, str], eths=("white", "bme", "unknown")
          ) -> pd.DataFrame:
    """Long rows (one per ethnicity) -> one row per return and key, a column per count and ethnicity.

    `counts` maps a count column to a prefix: {"headcount": ""} gives w, b, u;
    {"shortlisted": "s"} gives sw, sb. Missing rows become NaN (not available),
    `sup_<col>` is True where the cell was `*`.
    """
    idx = ["year", "org_code", *keys]
    out_cols: list[str] = [f"{p}{_ETH_PREFIX[e]}" for p in counts.values() for e in eths]
    if len(table) == 0:
        cols = {c: pd.Series(dtype="object") for c in idx}
        cols.update({c: pd.Series(dtype="float64") for c in out_cols})
        cols.update({f"sup_{c}": pd.Series(dtype="bool") for c in out_cols})
        return pd.DataFrame(cols)
    t = table[table["ethnicity"].isin(eths)].drop_duplicates(idx + ["ethnicity"])
    parts = {}
    for col, prefix in counts.items():
        vals = pd.Series(_floats(t[col]), index=pd.MultiIndex.from_frame(t[idx + ["ethnicity"]]))
        sup_col = f"{col}_suppressed"
        sup = pd.Series(t[sup_col].fillna(False).astype(bool).to_numpy() if sup_col in t else False,
                        index=vals.index)
        v = vals.unstack("ethnicity")
        s = sup.unstack("ethnicity")
        for e in eths:
            name = f"{prefix}{_ETH_PREFIX[e]}"
            parts[name] = v[e] if e in v else pd.Series(np.nan, index=v.index)
            parts[f"sup_{name}"] = (s[e] if e in s else pd.Series(False, index=s.index)).fillna(False).astype(bool)
    out = pd.DataFrame(parts).reset_index()
    out["year"] = out["year"].astype(int)
    return out


def _nan_sum(df: pd.DataFrame, keys: list[str], cols: list[str]) -> pd.DataFrame:
    """Sum count columns by keys; NaN when any summed cell is NaN, `sup_` when any is suppressed."""
    work = df[keys].copy()
    for c in cols:
        work[c] = df[c].fillna(0.0)
        work[f"_na_{c}"] = df[c].isna()
        work[f"sup_{c}"] = df[f"sup_{c}"]
    g = work.groupby(keys, sort=False, dropna=False).agg(
        {**{c: "sum" for c in cols}, **{f"_na_{c}": "any" for c in cols}, **{f"sup_{c}": "any" for c in cols}}
    )
    for c in cols:
        g[c] = g[c].mask(g[f"_na_{c}"])
    return g.drop(columns=[f"_na_{c}" for c in cols]).reset_index()


def _reindex(base: pd.DataFrame, universe: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Every return in `universe` (year, org_code[, keys]) gets a row; absent ones are NaN (not available)."""
    on = list(universe.columns)
    out = universe.merge(base, on=on, how="left")
    for c in cols:
        out[f"sup_{c}"] = out[f"sup_{c}"].fillna(False).astype(bool)
    return out


def workforce_counts(table: pd.DataFrame, universe: pd.DataFrame) -> pd.DataFrame:
    """Headcounts w, b, u per return and breakdown (bands, staff groups, senior, all, and `_vsm`).

    `_vsm` (VSM of the non-medical groups) feeds the leadership goals only and
    is not published as an indicator 1 breakdown.
    """
    bands = _wide(table, ["staff_group", "band"], {"headcount": ""})
    cols = ["w", "b", "u"]
    keys = ["year", "org_code"]
    out = [bands.assign(breakdown=bands["staff_group"] + "/" + bands["band"])]
    out.append(_nan_sum(bands, keys + ["staff_group"], cols).assign(
        breakdown=lambda d: d["staff_group"] + "/all"))
    nonmed = bands["staff_group"].isin(spec.NON_MEDICAL_GROUPS)
    for name, mask in (("senior", nonmed & bands["band"].isin(spec.SENIOR_BANDS)),
                       ("_vsm", nonmed & (bands["band"] == "vsm"))):
        # A return with workforce rows but none in these bands has 0 such staff. A return with a band
        # here whose count is empty or `*` keeps NaN: it is left out of the group, never counted as 0.
        s = _nan_sum(bands[mask], keys, cols)
        has_rows = bands[keys].drop_duplicates()
        s = has_rows.merge(s, on=keys, how="left", indicator="_in")
        none_here = (s.pop("_in") == "left_only").to_numpy()
        for c in cols:
            s[c] = s[c].mask(none_here, 0.0)
            s[f"sup_{c}"] = s[f"sup_{c}"].fillna(False).astype(bool)
        out.append(_reindex(s, universe[keys], cols).assign(breakdown=name))
    out.append(_reindex(_nan_sum(bands, keys, cols), universe[keys], cols).assign(breakdown="all"))
    res = pd.concat(out, ignore_index=True)
    return res[keys + ["breakdown"] + cols + [f"sup_{c}" for c in cols]]


def memberships(register: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame:
    """(year, org_code, level, code) for every published return and every unit it belongs to."""
    r = returns[["year", "org_code"]].drop_duplicates()
    reg = register[["org_code", "system_code", "region_code", "org_type"]] if len(register) else \
        pd.DataFrame(columns=["org_code", "system_code", "region_code", "org_type"])
    m = r.merge(reg, on="org_code", how="left")
    parts = [m.assign(level="organisation", code=m["org_code"])]
    for level, col in (("system", "system_code"), ("region", "region_code"), ("org_type", "org_type")):
        sub = m[m[col].notna() & (m[col].astype("string") != "")]
        parts.append(sub.assign(level=level, code=sub[col].astype(str)))
    parts.append(m.assign(level="england", code=ENGLAND))
    out = pd.concat(parts, ignore_index=True)[["year", "org_code", "level", "code"]]
    out["year"] = out["year"].astype(int)
    return out


def aggregate(base: pd.DataFrame, members: pd.DataFrame, keys: list[str], cols: list[str]) -> pd.DataFrame:
    """Sum `cols` over the members of every unit, using only members that have all of `cols`.

    Returns year, level, code, *keys, the summed cols (NaN when no member has
    them all), `_n` members, `_used` members summed, `_sup` (a left-out member
    had a `*` among these counts).
    """
    # The units and the breakdowns are numbered on the small frames, before the merge multiplies
    # the rows: the groups are then found by integer codes, never by hashing text per merged row.
    by = ["year", "level", "code", *keys]
    members = members.assign(_unit=combined_codes([members[c] for c in ("year", "level", "code")]))
    base = base.assign(_key=combined_codes([base[k] for k in keys]) if keys else 0)
    m = members.merge(base, on=["year", "org_code"], how="inner")
    group = combined_codes([m["_unit"], m["_key"]])  # numbered in order of first appearance
    complete = m[cols].notna().all(axis=1).to_numpy()
    sup = m[[f"sup_{c}" for c in cols]].any(axis=1).to_numpy()
    work = pd.DataFrame(index=m.index)
    for c in cols:
        work[c] = np.where(complete, m[c].to_numpy(dtype="float64"), 0.0)
    work["_n"] = 1
    work["_used"] = complete.astype(int)
    work["_sup"] = (~complete & sup).astype(int)
    sums = work.groupby(group, sort=True).sum().reset_index(drop=True)
    first = np.unique(group, return_index=True)[1]
    g = pd.concat([m[by].iloc[first].reset_index(drop=True), sums], axis=1)
    none = g["_used"].to_numpy() == 0
    for c in cols:
        g[c] = np.where(none, np.nan, g[c].to_numpy())
    g["_sup"] = g["_sup"] > 0
    return g


def data_status(agg: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(status, reason, members_left_out) from aggregate()'s bookkeeping columns."""
    n, used, sup = agg["_n"].to_numpy(), agg["_used"].to_numpy(), agg["_sup"].to_numpy(dtype=bool)
    org = (agg["level"].to_numpy() == "organisation") & (n == 1)
    none = used == 0
    status = np.where(none, np.where(sup, "suppressed", "not_calculable"), "ok").astype(object)
    reason = np.full(len(agg), "", dtype=object)
    reason[none & sup & org] = "a count it needs was suppressed at source (*)"
    reason[none & ~sup & org] = "a count it needs is not available"
    reason[none & sup & ~org] = "no member has every count it needs: some were suppressed at source (*)"
    reason[none & ~sup & ~org] = "no member has every count it needs"
    left = (used > 0) & (used < n)
    if left.any():
        reason[left] = [f"{n_ - u} of {n_} organisations left out: a count it needs is not available or suppressed"
                        for n_, u in zip(n[left], used[left])]
    return status, reason, left


def aggregate_survey(base: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Group survey percentages: respondent-weighted where every member gives respondents, else plain mean.

    Returns year, level, code, indicator, pw, pb (percent), rw, rb (respondents
    behind a weighted mean, NaN when not weighted), weighted_w, weighted_b, and
    aggregate()'s bookkeeping. Members without both percentages are left out.
    """
    m = members.merge(base, on=["year", "org_code"], how="inner")
    complete = (m["pw"].notna() & m["pb"].notna()).to_numpy()
    work = m[["year", "level", "code", "indicator"]].copy()
    work["_n"] = 1
    work["_used"] = complete.astype(int)
    work["_sup"] = 0
    for e in ("w", "b"):
        p = m[f"p{e}"].to_numpy(dtype="float64")
        r = m[f"r{e}"].to_numpy(dtype="float64")
        has_r = complete & ~np.isnan(r)
        work[f"sp{e}"] = np.where(complete, p, 0.0)
        work[f"spr{e}"] = np.where(has_r, p * r, 0.0)
        work[f"sr{e}"] = np.where(has_r, r, 0.0)
        work[f"nr{e}"] = has_r.astype(int)
    g = work.groupby(["year", "level", "code", "indicator"], sort=False).sum().reset_index()
    used = g["_used"].to_numpy()
    g["_sup"] = False
    with np.errstate(invalid="ignore", divide="ignore"):
        for e in ("w", "b"):
            weighted = (used > 0) & (g[f"nr{e}"].to_numpy() == used) & (g[f"sr{e}"].to_numpy() > 0)
            plain = g[f"sp{e}"].to_numpy() / used
            wmean = g[f"spr{e}"].to_numpy() / g[f"sr{e}"].to_numpy()
            # One member: its own published percentage, exactly.
            g[f"p{e}"] = np.where(used == 0, np.nan, np.where(weighted & (used > 1), wmean, plain))
            g[f"r{e}"] = np.where(weighted, g[f"sr{e}"].to_numpy(), np.nan)
            g[f"weighted_{e}"] = weighted
    return g


@dataclass
class Counts:
    """Every count the indicators need, per published return, wide by ethnicity (see module docstring)."""

    universe: pd.DataFrame      # year, org_code: every published return
    workforce: pd.DataFrame     # + breakdown, w, b, u
    recruitment: pd.DataFrame   # aw, sw, ab, sb
    disciplinary: pd.DataFrame  # eb, nb, ew, nw
    training: pd.DataFrame      # tw, nw, tb, nb
    board: pd.DataFrame         # mw..xu, w, b, u
    survey: pd.DataFrame        # + indicator, pw, pb, rw, rb


def published_returns(dataset: Dataset) -> pd.DataFrame:
    """(year, org_code) of every published return (status other than left_out)."""
    r = dataset.returns
    if r is not None and len(r) and "status" in r:
        r = r[r["status"] != "left_out"][["year", "org_code"]]
    else:
        r = pd.concat([t[["year", "org_code"]] for t in dataset.tables.values() if len(t)] or
                      [pd.DataFrame(columns=["year", "org_code"])])
    r = r.drop_duplicates().astype({"year": int, "org_code": str})
    return r.sort_values(["year", "org_code"]).reset_index(drop=True)


def counts_of(dataset: Dataset) -> Counts:
    """Reshape the dataset's tables into the wide count frames (one row per return)."""
    universe = published_returns(dataset)
    collected = {int(y): set(c or ()) for y, c in zip(dataset.collections["year"], dataset.collections["collected"])}

    def uni(ind: int) -> pd.DataFrame:
        # astype(bool): an empty mask of dtype object would select columns, not rows.
        return universe[universe["year"].map(lambda y: ind in collected.get(int(y), set(spec.INDICATORS)))
                        .astype(bool)]

    wf = workforce_counts(_table(dataset, "workforce", ["staff_group", "band", "ethnicity", "headcount"]), universe)
    wf_all = wf[wf["breakdown"] == "all"][["year", "org_code", "w", "b", "u", "sup_w", "sup_b", "sup_u"]]
    n_kb = wf_all.rename(columns={"w": "nw", "b": "nb", "sup_w": "sup_nw", "sup_b": "sup_nb"}).drop(
        columns=["u", "sup_u"])

    def per_return(resource: str, counts: dict[str, str], ind: int, eths=("white", "bme")) -> pd.DataFrame:
        t = _wide(_table(dataset, resource, ["ethnicity", *counts]), [], counts, eths)
        cols = [c for c in t.columns if c not in ("year", "org_code") and not c.startswith("sup_")]
        return _reindex(t, uni(ind), cols)

    rec = per_return("recruitment", {"appointed": "a", "shortlisted": "s"}, 2)
    dis = per_return("disciplinary", {"entered_formal_process": "e"}, 3).merge(n_kb, on=["year", "org_code"],
                                                                             how="left")
    trn = per_return("training", {"accessed_training": "t"}, 4).merge(n_kb, on=["year", "org_code"], how="left")
    brd = per_return("board", {"members": "m", "voting_members": "v", "executive_members": "x"}, 9,
                     ("white", "bme", "unknown")).merge(wf_all, on=["year", "org_code"], how="left")
    for frame in (dis, trn, brd):
        for c in [c for c in frame.columns if c.startswith("sup_")]:
            frame[c] = frame[c].fillna(False).astype(bool)

    # Survey: percentages and respondents, one row per return and indicator 5-8 collected.
    st = _table(dataset, "staff_survey", ["indicator", "ethnicity", "percent", "respondents"])
    sv_uni = pd.concat([uni(i).assign(indicator=i) for i in spec.SURVEY_INDICATORS], ignore_index=True)
    if len(st):
        st = st.assign(indicator=st["indicator"].astype(int))
        p = _wide(st.assign(percent_suppressed=False), ["indicator"], {"percent": "p"}, ("white", "bme"))
        if "respondents" in st:
            r = _wide(st, ["indicator"], {"respondents": "r"}, ("white", "bme"))
        else:
            r = p.rename(columns={"pw": "rw", "pb": "rb", "sup_pw": "sup_rw", "sup_pb": "sup_rb"})
            r[["rw", "rb"]] = np.nan
        sv = p.merge(r, on=["year", "org_code", "indicator"], how="outer")
    else:
        sv = pd.DataFrame(columns=["year", "org_code", "indicator", "pw", "pb", "rw", "rb"])
    sv = sv_uni.merge(sv, on=["year", "org_code", "indicator"], how="left")
    for c in ("pw", "pb", "rw", "rb"):
        sv[c] = pd.to_numeric(sv[c], errors="coerce").astype("float64")
    return Counts(universe, wf, rec, dis, trn, brd, sv)


def predecessors(register: pd.DataFrame) -> dict[str, list[str]]:
    """successor -> every organisation folded into it, through chains (A -> B -> C: C folds A and B)."""
    if "successor_code" not in register or not len(register):
        return {}
    direct: dict[str, list[str]] = {}
    for org, succ in zip(register["org_code"], register["successor_code"]):
        if isinstance(succ, str) and succ and succ != org:
            direct.setdefault(succ, []).append(org)
    out: dict[str, list[str]] = {}
    for succ in direct:
        seen: set[str] = set()
        todo = list(direct[succ])
        while todo:
            p = todo.pop()
            if p in seen or p == succ:
                continue
            seen.add(p)
            todo.extend(direct.get(p, []))
        out[succ] = sorted(seen)
    return out


def lineage_members(register: pd.DataFrame, universe: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """(year, org_code, level='organisation', code=successor) for each successor and its predecessors."""
    pred = predecessors(register)
    rows = [(s, m) for s, ps in pred.items() for m in [s, *ps]]
    if not rows:
        return pd.DataFrame(columns=["year", "org_code", "level", "code"]), {}
    link = pd.DataFrame(rows, columns=["code", "org_code"])
    m = universe.merge(link, on="org_code", how="inner").assign(level="organisation")
    return m[["year", "org_code", "level", "code"]], {s: ";".join(ps) for s, ps in pred.items()}
