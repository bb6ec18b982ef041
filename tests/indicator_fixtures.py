"""Build `Dataset` objects straight from small tables, per the dataset.py contract.

The indicator tests do not go through the validator: they state the counts
they need, and this module types them as validation would (nullable Int64
counts, a `<count>_suppressed` companion, `year` first). A count given as
None is an empty cell, "*" a suppressed one. Organisation codes are fictional
(XAA01 ...).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from generator import spec
from generator.dataset import Dataset
from generator.settings import Settings

RESOURCE_COLUMNS = {
    "workforce": ["org_code", "staff_group", "band", "ethnicity", "headcount"],
    "recruitment": ["org_code", "ethnicity", "shortlisted", "appointed"],
    "disciplinary": ["org_code", "ethnicity", "entered_formal_process"],
    "training": ["org_code", "ethnicity", "accessed_training"],
    "staff_survey": ["org_code", "indicator", "ethnicity", "percent", "respondents"],
    "board": ["org_code", "ethnicity", "members", "voting_members", "executive_members"],
}


def org(code: str, org_type: str = "acute", region: str = "Y56", system: str | None = "QXA",
        successor: str | None = None, name: str | None = None) -> dict:
    return {"org_code": code, "org_name": name or f"Fictional {code}", "org_type": org_type, "region_code": region,
            "system_code": system, "system_name": f"System {system}" if system else None,
            "successor_code": successor, "closed_year": None, "website": None}


def _typed(resource: str, rows: list[tuple]) -> pd.DataFrame:
    cols = ["year", *RESOURCE_COLUMNS[resource]]
    df = pd.DataFrame(rows, columns=cols, dtype=object)
    df["year"] = df["year"].astype(int)
    for c in spec.COUNT_FIELDS[resource]:
        raw = df[c]
        df[c] = pd.array([None if (v is None or isinstance(v, str) or pd.isna(v)) else int(v) for v in raw], dtype="Int64")
        df[f"{c}_suppressed"] = [isinstance(v, str) and v == "*" for v in raw]
    for c in ("org_code", "ethnicity", "staff_group", "band"):
        if c in df:
            df[c] = df[c].astype(str)
    if resource == "staff_survey":
        df["percent"] = df["percent"].astype("float64")
        df["indicator"] = df["indicator"].astype(int)
    return df


def make_dataset(orgs: list[dict], years: dict[int, str] | None = None, notes: dict[int, str] | None = None,
                 **resources: list[tuple]) -> Dataset:
    """A Dataset of published returns. `resources`: resource name -> rows (year first, then spec columns).

    Every (org_code, year) with any row is a published return.
    """
    tables = {name: _typed(name, rows) for name, rows in resources.items()}
    all_years = sorted({int(r[0]) for rows in resources.values() for r in rows})
    years = years or {y: "1-9" for y in all_years}
    notes = notes or {}
    collections = pd.DataFrame({
        "year": list(years), "snapshot_date": [f"{y}-03-31" for y in years],
        "indicators": list(years.values()), "note": [notes.get(y) for y in years],
        "collected": [spec.parse_indicator_list(v) for v in years.values()],
    })
    keys = sorted({(str(t["org_code"].iloc[i]), int(t["year"].iloc[i]))
                   for t in tables.values() for i in range(len(t))}, key=lambda k: (k[1], k[0]))
    files = {k: sorted({n for n, t in tables.items() if ((t["org_code"] == k[0]) & (t["year"] == k[1])).any()})
             for k in keys}
    returns = pd.DataFrame({
        "org_code": [k[0] for k in keys], "year": [k[1] for k in keys],
        "status": "published", "errors": 0, "warnings": 0,
        "files": [";".join(["returns", *files[k]]) for k in keys],
        "submitted_on": None, "report_url": None, "action_plan_url": None,
    })
    register = pd.DataFrame(orgs, columns=list(org("XAA01")))
    register["closed_year"] = register["closed_year"].astype("Int64")
    return Dataset(root=Path("."), register=register, collections=collections, tables=tables,
                   returns=returns)


def workforce_rows(year: int, code: str, cells: dict[tuple[str, str], tuple]) -> list[tuple]:
    """{(staff_group, band): (white, bme, unknown)} -> workforce rows."""
    return [(year, code, g, b, e, n) for (g, b), trio in cells.items()
            for e, n in zip(("white", "bme", "unknown"), trio)]


def pairs(year: int, code: str, white: tuple, bme: tuple, unknown: tuple | None = None) -> list[tuple]:
    """Rows for a per-ethnicity resource: (year, code, ethnicity, *counts)."""
    out = [(year, code, "white", *white), (year, code, "bme", *bme)]
    if unknown is not None:
        out.append((year, code, "unknown", *unknown))
    return out


def fig(results_or_frame, **where) -> pd.Series:
    """The one row of an indicators frame matching `where` (asserts there is exactly one)."""
    df = getattr(results_or_frame, "indicators", results_or_frame)
    mask = pd.Series(True, index=df.index)
    for k, v in where.items():
        mask &= df[k] == v
    rows = df[mask]
    assert len(rows) == 1, f"{len(rows)} rows match {where}"
    return rows.iloc[0]


def default_settings(**kw) -> Settings:
    return Settings(**kw)
