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

import numpy as np
import pandas as pd

from ..model import spec
from ..model.settings import Settings
from .counts import Counts, aggregate, aggregate_survey, data_status
from .definitions import COLUMNS, MEASURES, headline_flags, sort_indicators
from .rounding import DECIMALS, round_figures, rounded
from .stats import newcombe_interval, proportion_se, relative_likelihood


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
