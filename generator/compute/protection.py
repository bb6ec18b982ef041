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
2. Secondary suppression, the classic rule, before any linear programme
   (protection_rules.secondary, vectorised, repeated to a fixpoint): a
   published sum holding exactly one withheld base cell, or withheld base
   cells that add up to 0, gets one more withheld base cell (its smallest
   published non-zero one); a published total made of other cells (a group
   and its organisations, a region and its systems, England and its regions
   or types, a staff group and its bands, a whole count and its staff groups,
   senior staff and their bands) with exactly one withheld part gets a second
   withheld part (or is withheld); a withheld sum inside a published one, and
   the difference of two published cells one inside the other (all staff less
   senior staff), get the same rule.
3. An audit of what is left: for every withheld base and aggregate cell, the
   range of values consistent with everything published (linear programming,
   HiGHS through scipy, non-negative counts; protection_audit.py, one
   connected component of the withheld counts at a time) is computed; a cell
   whose range holds a single whole number would be recovered. Each such cell
   is released (protection_release.py): the cheapest move of the withheld
   counts that raises it by 1 and keeps every count non-negative is found by
   one more programme, and the published sums the move changes are withheld,
   so the cell can take its value and its value plus 1 (safe for good:
   withholding more only widens ranges). The sums newly withheld are audited
   in the next round. After a few rounds, a cell still recovered gets the
   last resort: one of its counts is taken out of every published sum. The
   rounds end when an audit recovers nothing; if a cell could still be
   worked out at the end (a round limit), the build stops (BuildError):
   nothing recoverable is published.
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

from dataclasses import replace

import numpy as np
import pandas as pd

from ..model import spec
from ..model.errors import BuildError
from .counts import lineage_members
from .peers import add_peer_ranks
from .protection_cells import Cells, base_cells, build_cells
from .protection_rules import protect_cells

__all__ = ["Cells", "base_cells", "build_cells", "protect", "protect_cells"]

#: Columns of a figure that are never sensitive: what it is, and whether it is published.
KEY_COLUMNS = ("year", "level", "code", "indicator", "measure", "breakdown", "status", "flags", "reason", "folded",
               "headline")
GOAL_KEYS = ("year", "level", "code", "group", "target_year", "turnover", "years", "status", "reason", "headline")
WITHHELD_REASON = "withheld: a small number, or one that would reveal a small number, is behind it"


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
    if stats.get("still_recoverable", 0):
        raise BuildError(f"protection (withhold_below: {threshold}): {stats['still_recoverable']} withheld "
                         "count(s) could still be worked out from the figures when the pass reached its limit of "
                         "rounds; nothing was published. Raise withhold_below or report this data set as a "
                         "problem of the protection pass (issue 15)")
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
