"""What the indicators are: levels, columns, measures, the headline measure of each indicator,
which way is better, the order of indicators.csv, and `Results`, what the computation hands on.

Definitions only (no arithmetic over counts: that is counts.py and indicators.py), so that trends,
peers, goals and the pages can read them without the computation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..model import spec
from .keys import combined_codes

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


#: The one headline measure per indicator (the `headline` column, the figure pages lead with). Indicator 3's
#: two-year figure where it is ok, else the single-year one; indicator 9's is the voting members' gap (the WRES
#: technical guidance defines indicator 9 on the board's voting membership).
HEADLINE_MEASURE: dict[int, tuple[str, str]] = {
    1: ("senior_gap_pp", "all"), 2: ("relative_likelihood", "all"), 3: ("relative_likelihood_2yr", "all"),
    4: ("relative_likelihood", "all"), 5: ("gap_pp", "all"), 6: ("gap_pp", "all"), 7: ("gap_pp", "all"),
    8: ("gap_pp", "all"), 9: ("gap_pp_voting", "all"),
}


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
