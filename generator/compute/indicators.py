"""The nine WRES indicators for every organisation, group and year.

`compute(dataset, settings) -> Results` turns the validated returns into the
tidy `indicators.csv` of outputs.md (and lineage, leadership goals, data
quality). This docstring states every formula and every choice the project
made where indicators.md is silent, so that the methodology page can quote it.

How it is computed
------------------
1. Each input table is reshaped into one wide frame of *counts* per return
   (year, organisation, and breakdown or survey indicator), one column per
   count and ethnicity, e.g. `w, b, u` (White, BME, unknown headcount). An
   empty cell or a missing row is NaN ("not available"); a `*` cell is NaN
   with a `sup_` companion set ("suppressed at source"). Neither is ever 0.
   A breakdown (e.g. a band) with no rows at all has no staff and is not
   published; a row missing for one ethnicity where others are present
   counts as not available, like an empty cell (project choice: absence is
   never read as 0).
2. Every return is attached to the units it belongs to: itself
   (`organisation`, code = ODS code), its `system` (system_code), `region`
   (region_code), `org_type` and `england` (code `ENG`), from
   organisations.csv.
3. Counts are summed per unit and year. A group's figure is always computed
   from its members' summed counts, never as an average of their ratios.
   An organisation is a group of one, so its figures come from its own
   return only and a group of one equals its member.
4. Every ratio is then computed with vectorised numpy.

Missing and suppressed counts (project choice). A member whose return lacks
a count that a figure needs (empty or `*`) is left out of that figure for
the group (complete cases, per figure), never counted as 0; the figure is
flagged `members_left_out` and the reason says how many were left out. When
no member has every count it needs, the figure is `suppressed` (if any of
the missing counts was `*`) or `not_calculable`, with the reason.

Indicator 1 (shares 0-100, per breakdown `<staff_group>/<band>`,
`<staff_group>/all`, `senior`, `all`):
    share_bme = 100 b / (w + b + u); share_white, share_unknown likewise;
    share_bme_known = 100 b / (w + b); headcount = w + b + u;
    senior = bands 8a, 8b, 8c, 8d, 9 and VSM of non_clinical and
    clinical_non_medical;
    senior_gap_pp = share_bme(all) - share_bme(senior), published on both
    breakdowns `all` and `senior` (the same value), so either reading of
    outputs.md finds it. A share whose denominator is 0 is not calculable
    ("no staff in this group"); a headcount of 0 is a valid figure.

Indicators 2, 3, 4 (ratios; above 1 means worse for BME staff; unknown
ethnicity left out):
    2: RL = (appointed_w / shortlisted_w) / (appointed_b / shortlisted_b)
    3: RL = (entered_b / n_b) / (entered_w / n_w), n = workforce headcount
       (whole workforce, that ethnicity);
       relative_likelihood_2yr pools this year's and last year's counts:
       (e_b,y + e_b,y-1) / (n_b,y + n_b,y-1) over the same for White. For a
       group the two years' group sums are pooled (so a region's membership
       may differ between the two years); it needs figures for both years.
    4: RL = (trained_w / n_w) / (trained_b / n_b)
    95% interval: Katz, log scale (stats.py); flag `significant` when the
    interval excludes 1. Class flags: `within_range` for 0.80 <= RL <= 1.25
    (inclusive, the four-fifths rule), `adverse_to_bme` above 1.25,
    `adverse_to_white` below 0.80; classed on the unrounded value.
    A rate in the denominator of 0, or a group with no members of one
    ethnicity (n = 0), is not_calculable with the reason.
    Numerator rate 0 (project choice): the ratio is truly 0, so it is
    published as 0 with status ok, classed (adverse_to_white), but with no
    interval and no significance, because the Katz SE needs 1/0; the reason
    says so.

Indicators 5 to 8 (percentages 0-100, gap in percentage points):
    percent_white, percent_bme as published; gap_pp = percent_bme -
    percent_white. For groups each percentage is the respondent-weighted mean
    sum(p_i r_i) / sum(r_i) when every member in the figure gives respondents
    for that ethnicity, else the plain mean of members, flagged
    `weighted_mean_unavailable`. Members lacking a percentage are left out.
    Interval on the gap where respondents are known: Newcombe's hybrid score
    interval (stats.py), treating a group's weighted percentage as one sample
    of its summed respondents. A year whose collections.csv does not list
    5-8 (2020) gives rows with status `not_collected` and the note of
    collections.csv as reason.

Indicator 9 (percentage points):
    gap_pp_all = 100 (b_board / N_board - b / N), N = w + b + u, b the
    workforce BME headcount; likewise for voting and executive members.
    Negative: the board is less diverse than the workforce.

Flags: `small_numbers` when the numerator or the denominator of a figure
(for likelihoods each of the four counts; for the survey either respondent
count; for gaps each of the shares' counts) is below
`settings.small_numbers_threshold`. When `settings.withhold_below` > 0, a
figure built on a count below it is published as `suppressed` with reason
"withheld: built on a count below N", so that a share cannot give away a
withheld count; then protection.py withholds, across every table at once,
whatever else would give one away (compute calls it last).

Trends (trends.py), peers (peers.py), goals (goals.py), data quality
(quality.py) and lineage through mergers (below) complete the Results.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..model import spec
from ..model.dataset import Dataset
from ..model.settings import Settings
from .keys import combined_codes
from .rounding import DECIMALS, round_figures, rounded
from .stats import newcombe_interval, proportion_se, relative_likelihood

LEVELS = ("organisation", "system", "region", "org_type", "england")
ENGLAND = "ENG"

#: The columns of indicators.csv, in order: outputs.md's, then ours.
COLUMNS = [
    "year", "level", "code", "indicator", "measure", "breakdown", "value", "ci_lower", "ci_upper",
    "status", "flags", "reason", "previous_value", "change", "trend", "peer_rank", "peer_count",
    "peer_percentile", "rate_white", "rate_bme", "trend_test", "trend_z", "headline",
]
LINEAGE_COLUMNS = COLUMNS + ["folded"]
STATUSES = ("ok", "not_calculable", "not_collected", "suppressed")

#: Measures per indicator, in publication order (outputs.md).
MEASURES: dict[int, tuple[str, ...]] = {
    1: ("share_bme", "share_white", "share_unknown", "share_bme_known", "headcount", "senior_gap_pp"),
    2: ("relative_likelihood",),
    3: ("relative_likelihood", "relative_likelihood_2yr"),
    4: ("relative_likelihood",),
    5: ("percent_white", "percent_bme", "gap_pp"),
    6: ("percent_white", "percent_bme", "gap_pp"),
    7: ("percent_white", "percent_bme", "gap_pp"),
    8: ("percent_white", "percent_bme", "gap_pp"),
    9: ("gap_pp_all", "gap_pp_voting", "gap_pp_executive"),
}

#: Headline figures per indicator as (measure, breakdown). For indicator 3 the
#: two-year figure is the headline where it is ok (last year's return exists),
#: else the single-year one: see `headline_rows`.
HEADLINE: dict[int, tuple[tuple[str, str], ...]] = {
    1: (("share_bme", "all"), ("share_bme", "senior"), ("senior_gap_pp", "all")),
    2: (("relative_likelihood", "all"),),
    3: (("relative_likelihood_2yr", "all"), ("relative_likelihood", "all")),
    4: (("relative_likelihood", "all"),),
    5: (("gap_pp", "all"),),
    6: (("gap_pp", "all"),),
    7: (("gap_pp", "all"),),
    8: (("gap_pp", "all"),),
    9: (("gap_pp_voting", "all"),),
}

#: Directions of "better": towards_1 (likelihoods), towards_0 (gaps), up, down, none.
DIRECTIONS = ("towards_1", "towards_0", "up", "down", "none")
_SENIOR_BREAKDOWNS = frozenset(
    ["senior"] + [f"{g}/{b}" for g in spec.NON_MEDICAL_GROUPS for b in spec.SENIOR_BANDS]
)


def better_direction(indicator: int, measure: str, breakdown: str = "all") -> str:
    """Which way is better for a figure (trends and peer ranks read this).

    indicators.md fixes: likelihoods towards 1, gaps towards 0, indicator 7 up.
    Project choices where it is silent: for 5, 6, 8 the White and BME
    percentages are better down (less harassment or discrimination), for 7 up,
    and 7's gap up too ("indicator 7 up"); for indicator 1 the BME share (and
    the share among known ethnicities) of senior staff and senior bands is
    better up (representation in leadership), share_unknown is better down
    (better recording), the senior gap towards 0; the BME and White shares of
    other breakdowns and headcounts have no better direction ("none"): they
    reflect the local population, so their change is shown but not classed.
    """
    indicator = int(indicator)
    if indicator in (2, 3, 4):
        return "towards_1"
    if indicator == 7:
        return "up"
    if indicator in (5, 6, 8):
        return "towards_0" if measure == "gap_pp" else "down"
    if indicator == 9:
        return "towards_0"
    if measure == "senior_gap_pp":
        return "towards_0"
    if measure == "share_unknown":
        return "down"
    if measure in ("share_bme", "share_bme_known") and breakdown in _SENIOR_BREAKDOWNS:
        return "up"
    return "none"


@dataclass
class Results:
    """What `compute` hands to the pages and downloads (ARCHITECTURE.md)."""

    indicators: pd.DataFrame
    lineage: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LINEAGE_COLUMNS))
    goals: pd.DataFrame = field(default_factory=pd.DataFrame)
    quality: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: resource -> bool frame of the counts withheld from published tables (protection.py; empty: none).
    withheld: dict = field(default_factory=dict)
    #: What the protection pass withheld, counted (protection.protect_cells).
    protection: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- reshaping

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
        # A return with workforce rows but none in these bands has 0 such staff.
        s = _nan_sum(bands[mask], keys, cols)
        has_rows = bands[keys].drop_duplicates()
        s = has_rows.merge(s, on=keys, how="left")
        for c in cols:
            s[c] = s[c].fillna(0.0)
            s[f"sup_{c}"] = s[f"sup_{c}"].fillna(False).astype(bool)
        out.append(_reindex(s, universe[keys], cols).assign(breakdown=name))
    out.append(_reindex(_nan_sum(bands, keys, cols), universe[keys], cols).assign(breakdown="all"))
    res = pd.concat(out, ignore_index=True)
    return res[keys + ["breakdown"] + cols + [f"sup_{c}" for c in cols]]


# --------------------------------------------------------------------------- membership and aggregation

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


# --------------------------------------------------------------------------- emitting rows

class _Emitter:
    """Collects the rows of every figure; each call is one measure over a frame of units."""

    def __init__(self, settings: Settings):
        self.threshold = settings.small_numbers_threshold
        self.withhold = settings.withhold_below
        self.parts: list[pd.DataFrame] = []

    def emit(self, agg: pd.DataFrame, indicator: int, measure: str, value, *, breakdown="all",
             fails=(), small=(), se=None, log=False, ci=None, flags=(), zero_numerator=None,
             status=None, rates=None) -> None:
        n = len(agg)
        if n == 0:
            return
        if status is None:
            st, reason, left = data_status(agg)
        else:
            st, reason, left = status
        st, reason = st.copy(), reason.copy()
        ok = st == "ok"
        # The two rates behind a likelihood are shown wherever their counts are (also when the ratio is
        # not calculable because a rate is 0): only a data status other than ok blanks them.
        counted = ok.copy()
        for cond, why in fails:
            hit = ok & np.asarray(cond, dtype=bool)
            st[hit] = "not_calculable"
            reason[hit] = why
            ok = ok & ~hit
        small_arr = np.vstack([np.asarray(s, dtype="float64") for s in small]) if small else np.full((1, n), np.nan)
        with np.errstate(invalid="ignore"):
            min_count = np.nanmin(np.where(np.isnan(small_arr), np.inf, small_arr), axis=0)
        if self.withhold > 0:
            # Rates are published beside not-calculable ratios too: never when a count behind them is withheld.
            counted = counted & ~(min_count < self.withhold)
            hit = ok & (min_count < self.withhold)
            st[hit] = "suppressed"
            reason[hit] = f"withheld: built on a count below {self.withhold}"
            ok = ok & ~hit
        value = np.where(ok, np.asarray(value, dtype="float64"), np.nan)
        lo = np.where(ok, np.asarray(ci[0], dtype="float64"), np.nan) if ci is not None else np.full(n, np.nan)
        hi = np.where(ok, np.asarray(ci[1], dtype="float64"), np.nan) if ci is not None else np.full(n, np.nan)
        se_arr = np.where(ok, np.asarray(se, dtype="float64"), np.nan) if se is not None else np.full(n, np.nan)
        named = [("small_numbers", ok & (min_count < self.threshold))]
        named += [(name, ok & np.asarray(c, dtype=bool)) for name, c in flags]
        named.append(("members_left_out", ok & left))
        if zero_numerator is not None:
            zn = ok & np.asarray(zero_numerator, dtype=bool)
            reason[zn] = ("the rate in the numerator is 0: the ratio is 0; its interval adds 0.5 to every count "
                          "(continuity-corrected Katz) and no year-on-year test is possible")
        self.parts.append(pd.DataFrame({
            "year": agg["year"].to_numpy(), "level": agg["level"].to_numpy(), "code": agg["code"].to_numpy(),
            "indicator": indicator, "measure": measure,
            "breakdown": breakdown if np.isscalar(breakdown) else np.asarray(breakdown),
            "value": value, "ci_lower": lo, "ci_upper": hi, "status": st, "flags": join_flags(named, n),
            "reason": reason, "_se": se_arr, "_log": log,
            "rate_white": np.where(counted, np.asarray(rates[0], dtype="float64"), np.nan) if rates else np.nan,
            "rate_bme": np.where(counted, np.asarray(rates[1], dtype="float64"), np.nan) if rates else np.nan,
        }))

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return empty_indicators(internal=True)
        return pd.concat(self.parts, ignore_index=True)


def join_flags(named: list[tuple[str, np.ndarray]], n: int) -> np.ndarray:
    """`;`-joined flag names per row, in the order given.

    Vectorised: the flags become bits of one integer per row, and only each
    distinct combination is spelt out as text.
    """
    if not named:
        return np.full(n, "", dtype=object)
    bits = np.zeros(n, dtype="int64")
    for k, (_, cond) in enumerate(named):
        bits |= np.asarray(cond, dtype=bool).astype("int64") << k
    uniq, inv = np.unique(bits, return_inverse=True)
    text = np.array([";".join(name for k, (name, _) in enumerate(named) if u >> k & 1) for u in uniq], dtype=object)
    return text[inv.reshape(-1)]


def _rl_flags(rl: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Classes of a likelihood, on the value and interval as published (rounding.py: 2 decimals)."""
    rl, lo, hi = (rounded(x, DECIMALS["likelihood"]) for x in (rl, lo, hi))
    with np.errstate(invalid="ignore"):
        return [
            ("significant", (lo > 1) | (hi < 1)),
            ("within_range", (rl >= 0.8) & (rl <= 1.25)),
            ("adverse_to_bme", rl > 1.25),
            ("adverse_to_white", rl < 0.8),
        ]


def empty_indicators(internal: bool = False, columns: list[str] | None = None) -> pd.DataFrame:
    cols = list(columns or COLUMNS)
    if internal:
        cols = cols[:12] + ["rate_white", "rate_bme", "_se", "_log"]
    return pd.DataFrame({c: pd.Series(dtype=_DTYPES.get(c, "object")) for c in cols})


_DTYPES = {
    "year": "int64", "indicator": "int64", "value": "float64", "ci_lower": "float64", "ci_upper": "float64",
    "previous_value": "float64", "change": "float64", "peer_rank": "Int64", "peer_count": "Int64",
    "peer_percentile": "float64", "_se": "float64", "_log": "bool", "rate_white": "float64",
    "rate_bme": "float64", "trend_z": "float64", "headline": "bool",
}


# --------------------------------------------------------------------------- the indicators

def _indicator_1(em: _Emitter, wf: pd.DataFrame, members: pd.DataFrame) -> None:
    pub = wf[wf["breakdown"] != "_vsm"]
    a = aggregate(pub, members, ["breakdown"], ["w", "b", "u"])
    w, b, u = (a[c].to_numpy() for c in ("w", "b", "u"))
    total = w + b + u
    no_staff = [(total == 0, "no staff in this group")]
    with np.errstate(invalid="ignore", divide="ignore"):
        for measure, num in (("share_bme", b), ("share_white", w), ("share_unknown", u)):
            p = num / total
            em.emit(a, 1, measure, 100 * p, breakdown=a["breakdown"], fails=no_staff, small=(num, total),
                    se=100 * proportion_se(p, total))
        em.emit(a, 1, "headcount", total, breakdown=a["breakdown"], small=(total,))
        k = aggregate(pub, members, ["breakdown"], ["w", "b"])
        kw, kb = k["w"].to_numpy(), k["b"].to_numpy()
        p = kb / (kw + kb)
        em.emit(k, 1, "share_bme_known", 100 * p, breakdown=k["breakdown"],
                fails=[(kw + kb == 0, "no staff of known ethnicity in this group")], small=(kb, kw + kb),
                se=100 * proportion_se(p, kw + kb))
    # Senior representation gap: whole workforce minus senior staff, both shares taken over ONE set of
    # organisations (those with every count of both), so the gap never subtracts shares of different groups.
    keys = ["year", "org_code"]
    six = [f"{c}_{x}" for x in ("a", "s") for c in ("w", "b", "u")]
    parts = []
    for bd, x in (("all", "a"), ("senior", "s")):
        one = pub[pub["breakdown"] == bd][keys + ["w", "b", "u", "sup_w", "sup_b", "sup_u"]]
        parts.append(one.rename(columns={c: f"{c}_{x}" for c in ("w", "b", "u")} |
                                {f"sup_{c}": f"sup_{c}_{x}" for c in ("w", "b", "u")}))
    both = parts[0].merge(parts[1], on=keys, how="inner")
    g = aggregate(both, members, [], six)
    if len(g) == 0:
        return
    st, reason, left = data_status(g)
    na = g["w_a"] + g["b_a"] + g["u_a"]
    ns = g["w_s"] + g["b_s"] + g["u_s"]
    with np.errstate(invalid="ignore", divide="ignore"):
        pa, ps = (g["b_a"] / na).to_numpy(), (g["b_s"] / ns).to_numpy()
        se = 100 * np.sqrt(proportion_se(pa, na) ** 2 + proportion_se(ps, ns) ** 2)
    for bd in ("all", "senior"):
        em.emit(g, 1, "senior_gap_pp", 100 * (pa - ps), breakdown=bd, status=(st, reason, left),
                fails=[(na.to_numpy() == 0, "no staff in this group"), (ns.to_numpy() == 0, "no senior staff")],
                small=(g["b_a"], na, g["b_s"], ns), se=se)


def _emit_rl(em: _Emitter, agg: pd.DataFrame, indicator: int, measure: str, a, n1, c, n2, fails, status=None,
             white_first: bool = True) -> None:
    """One likelihood of the rates a/n1 over c/n2, with its two rates (percent) as rate_white and rate_bme.

    `white_first`: a/n1 is the White rate (indicators 2 and 4); indicator 3 puts the BME rate first.
    """
    a, n1, c, n2 = (np.asarray(x, dtype="float64") for x in (a, n1, c, n2))
    rl, se, lo, hi = relative_likelihood(a, n1, c, n2)
    with np.errstate(invalid="ignore", divide="ignore"):
        r1 = np.where(n1 > 0, 100 * a / n1, np.nan)
        r2 = np.where(n2 > 0, 100 * c / n2, np.nan)
    em.emit(agg, indicator, measure, rl, fails=fails, small=(a, n1, c, n2), se=se, log=True, ci=(lo, hi),
            flags=_rl_flags(rl, lo, hi), zero_numerator=(a == 0), status=status,
            rates=(r1, r2) if white_first else (r2, r1))


def _indicator_2(em: _Emitter, rec: pd.DataFrame, members: pd.DataFrame) -> None:
    g = aggregate(rec, members, [], ["aw", "sw", "ab", "sb"])
    aw, sw, ab, sb = (g[c].to_numpy() for c in ("aw", "sw", "ab", "sb"))
    _emit_rl(em, g, 2, "relative_likelihood", aw, sw, ab, sb, fails=[
        (sw == 0, "no White applicants were shortlisted"),
        (sb == 0, "no BME applicants were shortlisted"),
        (ab == 0, "no BME shortlisted applicant was appointed: the ratio has no finite value"),
    ])


def _indicator_3(em: _Emitter, dis: pd.DataFrame, members: pd.DataFrame) -> None:
    cols = ["eb", "nb", "ew", "nw"]
    g = aggregate(dis, members, [], cols)
    fails = lambda d: [  # noqa: E731
        (d["nb"].to_numpy() == 0, "no BME staff"),
        (d["nw"].to_numpy() == 0, "no White staff"),
        ((d["ew"].to_numpy() == 0) & (d["eb"].to_numpy() == 0), "no staff entered the formal disciplinary process"),
        (d["ew"].to_numpy() == 0, "no White staff entered the formal disciplinary process: the ratio has no finite value"),
    ]
    _emit_rl(em, g, 3, "relative_likelihood", g["eb"], g["nb"], g["ew"], g["nw"], fails(g), white_first=False)
    # Two-year pooled: this year's and last year's group sums.
    prev = g[["year", "level", "code", *cols, "_used", "_sup"]].copy()
    prev["year"] = prev["year"] + 1
    p = g.merge(prev, on=["year", "level", "code"], how="left", suffixes=("", "_p"), indicator=True)
    has_prev = (p["_merge"] == "both").to_numpy()
    pooled = p[["year", "level", "code", "_n", "_used", "_sup"]].copy()
    for c in cols:
        pooled[c] = p[c] + p[f"{c}_p"]
    pooled["_sup"] = p["_sup"] | p["_sup_p"].fillna(False).astype(bool)
    pooled["_used"] = np.where(p["_used_p"].fillna(0).to_numpy() == 0, 0, p["_used"].to_numpy())
    st, reason, left = data_status(pooled)
    org = (pooled["level"].to_numpy() == "organisation") & (pooled["_n"].to_numpy() == 1)
    st = np.where(has_prev, st, "not_calculable").astype(object)
    reason = np.where(has_prev, reason, np.where(org, "no return for the previous year to pool",
                                                 "no figures for the previous year to pool")).astype(object)
    _emit_rl(em, pooled, 3, "relative_likelihood_2yr", pooled["eb"], pooled["nb"], pooled["ew"], pooled["nw"],
             fails(pooled), status=(st, reason, left & has_prev), white_first=False)


def _indicator_4(em: _Emitter, trn: pd.DataFrame, members: pd.DataFrame) -> None:
    g = aggregate(trn, members, [], ["tw", "nw", "tb", "nb"])
    _emit_rl(em, g, 4, "relative_likelihood", g["tw"], g["nw"], g["tb"], g["nb"], fails=[
        (g["nw"].to_numpy() == 0, "no White staff"),
        (g["nb"].to_numpy() == 0, "no BME staff"),
        (g["tb"].to_numpy() == 0, "no BME staff accessed non-mandatory training or CPD: the ratio has no finite value"),
    ])


def _indicator_9(em: _Emitter, board: pd.DataFrame, members: pd.DataFrame) -> None:
    for prefix, measure, who in (("m", "gap_pp_all", "board members"), ("v", "gap_pp_voting", "voting board members"),
                                 ("x", "gap_pp_executive", "executive board members")):
        cols = [f"{prefix}w", f"{prefix}b", f"{prefix}u", "w", "b", "u"]
        g = aggregate(board, members, [], cols)
        nb_ = g[f"{prefix}w"] + g[f"{prefix}b"] + g[f"{prefix}u"]
        n = g["w"] + g["b"] + g["u"]
        with np.errstate(invalid="ignore", divide="ignore"):
            pb_, p = (g[f"{prefix}b"] / nb_).to_numpy(), (g["b"] / n).to_numpy()
            se = 100 * np.sqrt(proportion_se(pb_, nb_) ** 2 + proportion_se(p, n) ** 2)
        em.emit(g, 9, measure, 100 * (pb_ - p), fails=[(nb_.to_numpy() == 0, f"no {who}"),
                                                      (n.to_numpy() == 0, "no staff in the workforce")],
                small=(g[f"{prefix}b"], nb_, g["b"], n), se=se)


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


def _indicators_5_8(em: _Emitter, survey: pd.DataFrame, members: pd.DataFrame) -> None:
    g = aggregate_survey(survey, members)
    if len(g) == 0:
        return
    multi = (g["level"].to_numpy() != "organisation") | (g["_n"].to_numpy() > 1)
    st, reason, left = data_status(g)
    reason = np.where((st != "ok") & (g["_n"].to_numpy() == 1) & (g["level"].to_numpy() == "organisation"),
                      "the percentage is not given", reason).astype(object)
    status = (st, reason, left)
    pw, pb, rw, rb = (g[c].to_numpy(dtype="float64") for c in ("pw", "pb", "rw", "rb"))
    unweighted = {e: multi & ~g[f"weighted_{e}"].to_numpy() for e in ("w", "b")}
    sew = 100 * proportion_se(pw / 100, rw)
    seb = 100 * proportion_se(pb / 100, rb)
    for ind in spec.SURVEY_INDICATORS:
        sel = g["indicator"].to_numpy() == ind
        if not sel.any():
            continue
        sub = g[sel]
        sst = tuple(x[sel] for x in status)
        em.emit(sub, ind, "percent_white", pw[sel], status=sst, small=(rw[sel],), se=sew[sel],
                flags=[("weighted_mean_unavailable", unweighted["w"][sel])])
        em.emit(sub, ind, "percent_bme", pb[sel], status=sst, small=(rb[sel],), se=seb[sel],
                flags=[("weighted_mean_unavailable", unweighted["b"][sel])])
        lo, hi = newcombe_interval(pb[sel] / 100, rb[sel], pw[sel] / 100, rw[sel])
        em.emit(sub, ind, "gap_pp", pb[sel] - pw[sel], status=sst, small=(rw[sel], rb[sel]),
                se=np.sqrt(sew[sel] ** 2 + seb[sel] ** 2), ci=(100 * lo, 100 * hi),
                flags=[("weighted_mean_unavailable", unweighted["w"][sel] | unweighted["b"][sel])])


def _not_collected(members: pd.DataFrame, collections: pd.DataFrame) -> pd.DataFrame:
    """Rows with status not_collected for every unit, for each indicator a year did not collect."""
    units = members[["year", "level", "code"]].drop_duplicates()
    parts = []
    for _, row in collections.iterrows():
        year = int(row["year"])
        collected = set(row["collected"] or ())
        note = row.get("note")
        u = units[units["year"] == year]
        if len(u) == 0:
            continue
        for ind in spec.INDICATORS:
            if ind in collected:
                continue
            why = str(note) if isinstance(note, str) and note.strip() else f"indicator {ind} was not collected in {year}"
            for measure in MEASURES[ind]:
                parts.append(u.assign(indicator=ind, measure=measure, breakdown="all", value=np.nan,
                                      ci_lower=np.nan, ci_upper=np.nan, status="not_collected", flags="",
                                      reason=why, _se=np.nan, _log=False))
    if not parts:
        return empty_indicators(internal=True)
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- inputs per return

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


# --------------------------------------------------------------------------- the whole computation

def indicator_rows(counts: Counts, members: pd.DataFrame, collections: pd.DataFrame, settings: Settings
                   ) -> pd.DataFrame:
    """Every figure of every unit in `members` (no trends or peers yet; internal `_se`, `_log` kept)."""
    em = _Emitter(settings)
    collected = {int(y): set(c or ()) for y, c in zip(collections["year"], collections["collected"])}

    def only(ind: int) -> pd.DataFrame:
        yrs = [y for y, c in collected.items() if ind in c]
        return members[members["year"].isin(yrs)] if collected else members

    _indicator_1(em, counts.workforce, only(1))
    _indicator_2(em, counts.recruitment, only(2))
    _indicator_3(em, counts.disciplinary, only(3))
    _indicator_4(em, counts.training, only(4))
    _indicators_5_8(em, counts.survey, members[members["year"].isin(
        [y for y, c in collected.items() if c & set(spec.SURVEY_INDICATORS)])] if collected else members)
    _indicator_9(em, counts.board, only(9))
    out = pd.concat([em.frame(), _not_collected(members, collections)], ignore_index=True)
    out = round_figures(out)
    # A survey indicator not collected in a year that collected others: drop the stray computed rows.
    if collected:
        coll = pd.DataFrame([(y, i) for y, c in collected.items() for i in c], columns=["year", "indicator"])
        ok = out.merge(coll.assign(_c=True), on=["year", "indicator"], how="left")["_c"].fillna(False).to_numpy(bool)
        out = out[ok | (out["status"].to_numpy() == "not_collected")]
    return out.reset_index(drop=True)


_MEASURE_ORDER = {m: i for i, m in enumerate(dict.fromkeys(
    m for ind in spec.INDICATORS for m in MEASURES[ind]))}
_BREAKDOWN_ORDER = {b: i for i, b in enumerate(
    [f"{g}/{b}" for g in spec.STAFF_GROUPS for b in (*spec.BANDS_BY_GROUP[g], "all")] + ["senior", "all"])}
_LEVEL_ORDER = {lv: i for i, lv in enumerate(LEVELS)}


def _ranked(s: pd.Series, order: dict[str, int], default: int) -> np.ndarray:
    """Position of each value in a fixed order (one dict lookup per distinct value, not per row)."""
    codes, uniques = pd.factorize(s)
    lookup = np.array([order.get(u, default) for u in uniques] + [default], dtype="int64")
    return lookup[codes]


def sort_indicators(df: pd.DataFrame) -> pd.DataFrame:
    """Stable order: year, level (organisation ... england), code, indicator, measure, breakdown."""
    code = pd.factorize(df["code"].astype(str), sort=True)[0]
    order = np.lexsort((
        _ranked(df["breakdown"], _BREAKDOWN_ORDER, 999), _ranked(df["measure"], _MEASURE_ORDER, 99),
        df["indicator"].to_numpy(dtype="int64"), code, _ranked(df["level"], _LEVEL_ORDER, 9),
        df["year"].to_numpy(dtype="int64"),
    ))
    return df.iloc[order].reset_index(drop=True)


def _finish(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    df = sort_indicators(df)
    for c in columns:
        if c not in df:
            dt = _DTYPES.get(c, "object")
            df[c] = np.nan if dt == "float64" else (False if dt == "bool" else
                                                    pd.Series(pd.array([pd.NA] * len(df), dtype=dt), index=df.index))
    df = df[columns].copy()
    df["year"] = df["year"].astype("int64")
    df["indicator"] = df["indicator"].astype("int64")
    for c in ("flags", "reason", "trend", "trend_test"):
        df[c] = df[c].fillna("").astype(str)
    df["headline"] = headline_flags(df)
    for c in ("peer_rank", "peer_count"):
        df[c] = df[c].astype("Int64")
    return df


#: The one headline measure per indicator (the `headline` column, the figure pages lead with). Indicator 3's
#: two-year figure where it is ok, else the single-year one; indicator 9's is the voting members' gap (the WRES
#: technical guidance defines indicator 9 on the board's voting membership).
HEADLINE_MEASURE: dict[int, tuple[str, str]] = {
    1: ("senior_gap_pp", "all"), 2: ("relative_likelihood", "all"), 3: ("relative_likelihood_2yr", "all"),
    4: ("relative_likelihood", "all"), 5: ("gap_pp", "all"), 6: ("gap_pp", "all"), 7: ("gap_pp", "all"),
    8: ("gap_pp", "all"), 9: ("gap_pp_voting", "all"),
}


def headline_flags(df: pd.DataFrame) -> np.ndarray:
    """True on exactly one row per (year, level, code, indicator) that has its headline measure."""
    if len(df) == 0:
        return np.zeros(0, dtype=bool)
    ind = df["indicator"].to_numpy(dtype="int64")
    measure = df["measure"].to_numpy(dtype=object)
    breakdown = df["breakdown"].to_numpy(dtype=object)
    want_m = np.array([HEADLINE_MEASURE.get(int(i), ("", ""))[0] for i in range(10)], dtype=object)[ind]
    want_b = np.array([HEADLINE_MEASURE.get(int(i), ("", ""))[1] for i in range(10)], dtype=object)[ind]
    head = (measure == want_m) & (breakdown == want_b)
    # Indicator 3: the single-year figure is the headline where the two-year one is not ok.
    three = ind == 3
    if three.any():
        sub = df[three]
        unit = combined_codes([sub["year"], sub["level"], sub["code"]])
        two_ok = np.zeros(unit.max() + 1, dtype=bool)
        two_ok[unit[(sub["measure"].to_numpy() == "relative_likelihood_2yr") & (sub["status"].to_numpy() == "ok")]] = True
        m3 = measure[three]
        head[three] = np.where(m3 == "relative_likelihood_2yr", two_ok[unit],
                               np.where(m3 == "relative_likelihood", ~two_ok[unit], False))
    return head.astype(bool)


# --------------------------------------------------------------------------- mergers

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
