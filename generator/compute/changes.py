"""Corrections: which published figures changed since the last release.

Returns are corrected and resubmitted after publication, so a figure a
journalist quoted may change. `wres build --previous PATH` gives the last
release's indicators.csv; `compare` lists every figure whose value or status
changed, was added or was removed, old beside new, and publish/changelog.py words the list
for the pages (per organisation, and site-wide on /changes/). Differences smaller than the
published precision are float noise, not changes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..model.spec import FILE_DECIMALS as DECIMALS

KEY = ["year", "level", "code", "indicator", "measure", "breakdown"]
COLUMNS = KEY + ["change", "old_value", "new_value", "old_status", "new_status"]
LEVEL_ORDER = {"england": 0, "region": 1, "org_type": 2, "system": 3, "organisation": 4}

#: Two values closer than this are the same figure (indicators.csv keeps 10 decimals).
ABS_TOL = 0.5 * 10 ** -(DECIMALS - 2)
REL_TOL = 1e-9


def empty() -> pd.DataFrame:
    """No changes (the frame `compare` returns, with no rows)."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})


class NotAnIndicatorsTable(ValueError):
    """The table given as the previous release is not an indicators.csv."""


def check_indicators_table(df: pd.DataFrame) -> None:
    """Raise NotAnIndicatorsTable, in plain words, unless df has the columns `compare` needs."""
    missing = [c for c in KEY + ["value", "status"] if c not in df.columns]
    if missing:
        raise NotAnIndicatorsTable(
            f"it is not an indicators.csv of Open WRES: it lacks the column(s) {', '.join(missing)}")


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    """Key columns as int/str, value as float, status as str: previous and current compare alike."""
    check_indicators_table(df)
    out = pd.DataFrame({
        "year": pd.to_numeric(df["year"], errors="coerce").astype("Int64"),
        "level": df["level"].astype(object).where(df["level"].notna(), "").astype(str),
        "code": df["code"].astype(object).where(df["code"].notna(), "").astype(str),
        "indicator": pd.to_numeric(df["indicator"], errors="coerce").astype("Int64"),
        "measure": df["measure"].astype(object).where(df["measure"].notna(), "").astype(str),
        "breakdown": df["breakdown"].astype(object).where(df["breakdown"].notna(), "").astype(str),
        "value": pd.to_numeric(df["value"], errors="coerce").astype(float),
        "status": df["status"].astype(object).where(df["status"].notna(), "").astype(str),
    })
    return out.drop_duplicates(KEY, keep="last")


def compare(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Every figure that changed between two indicators tables, old beside new.

    One row per (year, level, code, indicator, measure, breakdown) whose value
    or status differs, or that is only in one of them; `change` is
    `changed`, `added` or `removed`. Sorted by level (England first), code,
    year, indicator, measure, breakdown.
    """
    old = _normalise(previous).rename(columns={"value": "old_value", "status": "old_status"})
    new = _normalise(current).rename(columns={"value": "new_value", "status": "new_status"})
    both = old.merge(new, on=KEY, how="outer", indicator=True)
    ov, nv = both["old_value"].to_numpy(float), both["new_value"].to_numpy(float)
    same_value = (np.isnan(ov) & np.isnan(nv)) | np.isclose(ov, nv, rtol=REL_TOL, atol=ABS_TOL)
    same_status = both["old_status"].fillna("").to_numpy() == both["new_status"].fillna("").to_numpy()
    kind = np.select([both["_merge"] == "left_only", both["_merge"] == "right_only",
                      ~(same_value & same_status)], ["removed", "added", "changed"], default="")
    both["change"] = kind
    out = both[both["change"] != ""].drop(columns="_merge")
    if out.empty:
        return empty()
    out = out.assign(_lv=out["level"].map(LEVEL_ORDER).fillna(9))
    out = out.sort_values(["_lv", "level", "code", "year", "indicator", "measure", "breakdown"], kind="stable")
    return out[COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------- Markdown
