"""Validator warnings carried onto the figures they concern (issue 14, point 11).

A warning never stops a return being published, but a figure built on a
count the validator doubted must not be shown as an achievement: it carries
the flag `validator_warning` (and the page says so beside the figure) and it
is never ranked (peers.py). Only organisation rows are flagged: a group's
figure sums many returns and the warning is about one of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Which indicators each plausibility warning (checks.py, slips.py) concerns.
WARNING_INDICATORS: dict[str, tuple[int, ...]] = {
    "appointed-close-to-shortlisted": (2,),
    "appointed-looks-like-percent": (2,),  # (ingest/slips.py)
    "training-share-high": (4,),
    "headcount-change": (1,),
}


def warned_figures(problems: list) -> pd.DataFrame:
    """(year, code, indicator) of every organisation figure a warning concerns."""
    rows = {(int(p.year), str(p.org_code), ind) for p in problems
            if getattr(p, "severity", "") == "warning" and p.code in WARNING_INDICATORS
            and p.org_code is not None and p.year is not None for ind in WARNING_INDICATORS[p.code]}
    return pd.DataFrame(sorted(rows), columns=["year", "code", "indicator"])


def add_warning_flags(rows: pd.DataFrame, problems: list) -> pd.DataFrame:
    """`validator_warning` added to the flags of every organisation figure a warning concerns."""
    warned = warned_figures(problems)
    if len(rows) == 0 or len(warned) == 0:
        return rows
    key = rows[["year", "code", "indicator"]].astype({"year": "int64", "code": str, "indicator": "int64"})
    hit = key.merge(warned.assign(_w=True), on=["year", "code", "indicator"], how="left")["_w"].fillna(False)
    hit = hit.to_numpy(dtype=bool) & (rows["level"].to_numpy() == "organisation") & (rows["status"].to_numpy() == "ok")
    out = rows.copy()
    flags = out["flags"].fillna("").astype(str).to_numpy(dtype=object)
    out["flags"] = np.where(hit, np.where(flags == "", "validator_warning", flags + ";validator_warning"), flags)
    return out
