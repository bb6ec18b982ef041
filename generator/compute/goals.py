"""Leadership goals: the BME share of appointments needed to reach parity by a target year.

The model (indicators.md; the project's own, not an official spreadsheet).
For a senior group G of size N (headcount, all ethnicities) with current BME
share s0, target share T, annual turnover r and n = target_year - year years:
each year a fraction r of posts is refilled, so after n years a share
(1-r)^n of today's post holders remain and the rest were appointed at a BME
share f:

    s_n = s0 (1-r)^n + f (1 - (1-r)^n)   =>   f = (T - s0 (1-r)^n) / (1 - (1-r)^n)

Published per organisation and group (system, region, org_type, England),
year, group and target year (settings.goal_years, 2023, 2028 and 2033; the
headline settings.goal_headline_year, 2028), with turnover
settings.goal_turnover (default 10%):

* group: `senior` (bands 8a to VSM of the non-medical staff groups), `vsm`
  (VSM of the non-medical staff groups), `board` (all board members).
* T: the BME share among known ethnicities of the whole workforce.
  s0: the group's BME share among known ethnicities too (project choice:
  like is compared with like, so poor recording of ethnicity does not show
  as a gap). N counts everyone in the group, unknown ethnicity included,
  because everyone's post turns over. s0, T and fraction are proportions
  (0 to 1), not percentages.
* one_in_k = round(1 / f): "1 in k appointments"; bme_appointments_per_year
  = f r N.
* status and reason, in this order:
  - not_calculable: a count is not available or suppressed, the group or
    its known ethnicities are empty, or the turnover is 0;
  - met: s0 >= T, "already at or above target" (no fraction is needed);
  - passed: the target year is not after the data year (for example the 2023
    horizon for 2024 data), "target year has passed"; no fraction, because
    no appointments are left before it (project choice: the row is kept so
    the page can say so, with reachable = False);
  - not_reachable: f > 1, "not reachable by then at this turnover";
  - ok: reachable.
  reachable is True for ok and met, False for not_reachable and passed,
  empty when not calculable.

Issue 14 additions (methodology, "Leadership goals"):

* too_small: no goal for a group of fewer than `MIN_POSTS` = 20 posts (N):
  one appointment moves such a share by 5 points or more, so a share of
  appointments "needed" there is noise, not a goal; the reason says so.
* The effect of turnover: `fraction_low` and `fraction_high`, the same
  fraction at `TURNOVER_RANGE` = 5% and 15% a year (the headline turnover
  is settings.goal_turnover).
* The board paper's fixed national baseline beside the organisation's own
  parity: `T_national` (England's BME share among known ethnicities that
  year) and `fraction_national`, the fraction needed to reach it.

Sanity check (the 2018 board paper, tested): T = 1/6, s0 = 1/18, r = 10%
gives f = 0.226 (about 1 in 4) for 2028 from 2018, f = 0.327 (1 in 3) for 2023.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..model.settings import Settings
from .counts import aggregate, data_status
from .definitions import _LEVEL_ORDER

#: ARCHITECTURE.md's order, then ours (`headline`: the target year is settings.goal_headline_year).
GOAL_COLUMNS = ["year", "level", "code", "group", "target_year", "N", "s0", "T", "turnover", "years",
                "fraction", "one_in_k", "bme_appointments_per_year", "reachable", "status", "reason", "headline",
                "fraction_low", "fraction_high", "T_national", "fraction_national"]
#: No goal for a group smaller than this (posts, all ethnicities): see the module docstring.
MIN_POSTS = 20
#: The turnover range shown beside the headline turnover.
TURNOVER_RANGE = (0.05, 0.15)
GROUPS = ("senior", "vsm", "board")


def goal_fraction(T, s0, r, n) -> np.ndarray:
    """f = (T - s0 (1-r)^n) / (1 - (1-r)^n); NaN where n <= 0 or r <= 0 (no appointments to make)."""
    T, s0, r, n = (np.asarray(x, dtype="float64") for x in (T, s0, r, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.power(1.0 - r, np.where(n > 0, n, np.nan))
        return np.where((n > 0) & (r > 0), (T - s0 * q) / (1.0 - q), np.nan)


def goals_table(groups: pd.DataFrame, target_years: tuple[int, ...], turnover: float, headline_year: int
                ) -> pd.DataFrame:
    """The goals for frames of (year, level, code, group, N, s0, T, _status, _reason) x target years.

    `_status`/`_reason` carry data problems found upstream ("" when the counts are fine).
    """
    if len(groups) == 0 or not target_years:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in GOAL_COLUMNS})
    g = groups.merge(pd.DataFrame({"target_year": list(target_years)}), how="cross")
    n = (g["target_year"] - g["year"]).to_numpy(dtype="float64")
    T, s0, N = (g[c].to_numpy(dtype="float64") for c in ("T", "s0", "N"))
    f = goal_fraction(T, s0, turnover, n)
    bad = g["_status"].to_numpy() != ""
    met = ~bad & (s0 >= T)
    passed = ~bad & ~met & (n <= 0)
    no_turnover = ~bad & ~met & ~passed & (turnover <= 0)
    bad = bad | no_turnover
    too_small = ~bad & (N < MIN_POSTS)
    bad = bad | too_small
    unreachable = ~bad & ~met & ~passed & (f > 1)
    ok = ~bad & ~met & ~passed & ~unreachable
    status = np.select([too_small, bad, met, passed, unreachable],
                       ["too_small", "not_calculable", "met", "passed", "not_reachable"], "ok")
    reason = np.select(
        [too_small, no_turnover, bad, met, passed, unreachable],
        [f"fewer than {MIN_POSTS} posts: one appointment moves the share by 5 points or more, so no goal is set",
         "turnover is 0: no appointments are made", g["_reason"].to_numpy(dtype=object),
         "already at or above target", "target year has passed", "not reachable by then at this turnover"],
        "")
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.where(ok, np.round(1.0 / f), np.nan)
    reachable = pd.array(np.where(bad, None, ok | met), dtype="boolean")
    live = ok | unreachable
    lo, hi = (np.where(live, goal_fraction(T, s0, r, n), np.nan) for r in TURNOVER_RANGE)
    Tn = g["T_national"].to_numpy(dtype="float64") if "T_national" in g else np.full(len(g), np.nan)
    fn = np.where(~bad & ~passed & (s0 < Tn), goal_fraction(Tn, s0, turnover, n), np.nan)
    out = pd.DataFrame({
        "year": g["year"].astype("int64"), "level": g["level"], "code": g["code"], "group": g["group"],
        "target_year": g["target_year"].astype("int64"), "headline": g["target_year"].to_numpy() == headline_year,
        "N": np.where(np.isnan(N), np.nan, N), "s0": s0, "T": T, "turnover": float(turnover),
        "years": n.astype("int64"),
        "fraction": np.where(ok | unreachable, f, np.nan), "one_in_k": pd.array(k, dtype="Float64").astype("Int64"),
        "bme_appointments_per_year": np.where(ok, f * turnover * N, np.nan),
        "reachable": reachable, "status": status, "reason": reason,
        "fraction_low": lo, "fraction_high": hi, "T_national": Tn, "fraction_national": fn,
    })
    return out[GOAL_COLUMNS]


def goal_inputs(senior: pd.DataFrame, vsm: pd.DataFrame, board: pd.DataFrame, workforce: pd.DataFrame
                ) -> pd.DataFrame:
    """Stack the three groups' aggregated counts (w, b, u + bookkeeping) with T from the workforce."""

    keys = ["year", "level", "code"]
    st_t, re_t, _ = data_status(workforce)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = workforce[keys].assign(T=(workforce["b"] / (workforce["w"] + workforce["b"])).to_numpy(),
                                   _st_t=st_t, _re_t=re_t)
    parts = []
    for name, agg in (("senior", senior), ("vsm", vsm), ("board", board)):
        if len(agg) == 0:
            continue
        st, reason, _ = data_status(agg)
        with np.errstate(invalid="ignore", divide="ignore"):
            known = (agg["w"] + agg["b"]).to_numpy()
            parts.append(agg[keys].assign(group=name, N=(agg["w"] + agg["b"] + agg["u"]).to_numpy(),
                                          s0=agg["b"].to_numpy() / known, _st=st, _re=reason, _known=known))
    if not parts:
        return pd.DataFrame(columns=[*keys, "group", "N", "s0", "T", "_status", "_reason"])
    g = pd.concat(parts, ignore_index=True).merge(t, on=keys, how="left")
    status = np.select(
        [g["_st"].to_numpy() != "ok", g["_st_t"].fillna("not_calculable").to_numpy() != "ok",
         g["_known"].to_numpy() == 0, ~np.isfinite(g["T"].to_numpy(dtype="float64"))],
        ["x", "x", "x", "x"], "")
    reason = np.select(
        [g["_st"].to_numpy() != "ok", g["_st_t"].fillna("not_calculable").to_numpy() != "ok",
         g["_known"].to_numpy() == 0, ~np.isfinite(g["T"].to_numpy(dtype="float64"))],
        [g["group"] + ": " + g["_re"], "whole workforce: " + g["_re_t"].fillna("no workforce figures"),
         g["group"] + ": nobody of known ethnicity in this group",
         "whole workforce: no staff of known ethnicity"], "")
    g["_status"] = status
    g["_reason"] = reason
    return g[[*keys, "group", "N", "s0", "T", "_status", "_reason"]]


def leadership_goals(counts, members: pd.DataFrame, settings: Settings) -> pd.DataFrame:  # noqa: ANN001
    """Goals for every unit in `members` from counts.Counts (see the module docstring)."""

    wf = counts.workforce
    cols = ["w", "b", "u"]
    senior = aggregate(wf[wf["breakdown"] == "senior"], members, [], cols)
    vsm = aggregate(wf[wf["breakdown"] == "_vsm"], members, [], cols)
    whole = aggregate(wf[wf["breakdown"] == "all"], members, [], ["w", "b"])
    b = counts.board.rename(columns={"mw": "bw_", "mb": "bb_", "mu": "bu_"})
    b = b[["year", "org_code", "bw_", "bb_", "bu_", "sup_mw", "sup_mb", "sup_mu"]].rename(
        columns={"bw_": "w", "bb_": "b", "bu_": "u", "sup_mw": "sup_w", "sup_mb": "sup_b", "sup_mu": "sup_u"})
    board = aggregate(b, members, [], cols)
    inputs = goal_inputs(senior, vsm, board, whole)
    national = inputs[inputs["level"] == "england"][["year", "T"]].drop_duplicates("year")
    inputs = inputs.merge(national.rename(columns={"T": "T_national"}), on="year", how="left")
    out = goals_table(inputs, tuple(settings.goal_years), settings.goal_turnover, settings.goal_headline_year)

    order = {g: i for i, g in enumerate(GROUPS)}
    out = out.assign(_l=out["level"].map(_LEVEL_ORDER), _g=out["group"].map(order))
    return out.sort_values(["year", "_l", "code", "_g", "target_year"], kind="stable").drop(
        columns=["_l", "_g"]).reset_index(drop=True)
