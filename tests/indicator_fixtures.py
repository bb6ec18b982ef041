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

from generator.ingest.cells import field_names
from generator.model import spec
from generator.model.dataset import Dataset
from generator.model.settings import Settings

# Columns come from the schemas, the single source of truth of the format.
RESOURCE_COLUMNS = {r: list(field_names(r)) for r in spec.YEAR_RESOURCES if r not in ("returns", "pay")}


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


def national_dataset(n_orgs: int = 260, years: tuple[int, ...] = (2019, 2020, 2021, 2022, 2023, 2024),
                     seed: int = 7) -> Dataset:
    """A national-sized Dataset (every band of every staff group, every resource), built with numpy.

    Fictional organisations XN001 ...; 2020 does not collect 5-8. About 100,000
    workforce rows for the defaults.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    codes = [f"XN{i:03d}" for i in range(n_orgs)]
    regions = list(spec.REGIONS)
    orgs = [org(c, spec.ORG_TYPES[i % 5], regions[i % 7], f"QN{i % 42:02d}") for i, c in enumerate(codes)]
    cells = [(g, b) for g in spec.STAFF_GROUPS for b in spec.BANDS_BY_GROUP[g]]
    eth = ("white", "bme", "unknown")
    y, o, c, e = np.meshgrid(np.array(years), np.arange(n_orgs), np.arange(len(cells)), np.arange(3), indexing="ij")
    y, o, c, e = y.ravel(), o.ravel(), c.ravel(), e.ravel()
    code_arr = np.array(codes, dtype=object)
    wf = pd.DataFrame({"year": y, "org_code": code_arr[o], "staff_group": np.array([g for g, _ in cells], dtype=object)[c],
                       "band": np.array([b for _, b in cells], dtype=object)[c],
                       "ethnicity": np.array(eth, dtype=object)[e],
                       "headcount": pd.array(rng.integers(0, 120, len(y)), dtype="Int64")})
    wf["headcount_suppressed"] = False

    def per_eth(counts: dict[str, tuple[int, int]], eths=eth) -> pd.DataFrame:
        yy, oo, ee = (a.ravel() for a in np.meshgrid(np.array(years), np.arange(n_orgs), np.arange(len(eths)),
                                                     indexing="ij"))
        df = pd.DataFrame({"year": yy, "org_code": code_arr[oo], "ethnicity": np.array(eths, dtype=object)[ee]})
        for name, (lo, hi) in counts.items():
            df[name] = pd.array(rng.integers(lo, hi, len(df)), dtype="Int64")
            df[f"{name}_suppressed"] = False
        return df

    rec = per_eth({"shortlisted": (200, 2000), "appointed": (10, 200)})
    board = per_eth({"members": (8, 16), "voting_members": (4, 8), "executive_members": (2, 4)})
    tables = {"workforce": wf, "recruitment": rec, "disciplinary": per_eth({"entered_formal_process": (0, 30)}),
              "training": per_eth({"accessed_training": (50, 500)}), "board": board}
    sv = []
    for ind in spec.SURVEY_INDICATORS:
        s = per_eth({"respondents": (50, 900)}, ("white", "bme")).assign(indicator=ind)
        s["percent"] = rng.uniform(5, 60, len(s))
        sv.append(s[s["year"] != 2020])
    tables["staff_survey"] = pd.concat(sv, ignore_index=True)[
        ["year", "org_code", "indicator", "ethnicity", "percent", "respondents", "respondents_suppressed"]]
    collected = {yr: ("1,2,3,4,9" if yr == 2020 else "1-9") for yr in years}
    collections = pd.DataFrame({"year": list(years), "snapshot_date": [f"{yr}-03-31" for yr in years],
                                "indicators": [collected[yr] for yr in years], "note": None,
                                "collected": [spec.parse_indicator_list(collected[yr]) for yr in years]})
    yy, oo = (a.ravel() for a in np.meshgrid(np.array(years), np.arange(n_orgs), indexing="ij"))
    returns = pd.DataFrame({"org_code": code_arr[oo], "year": yy, "status": "published", "errors": 0, "warnings": 0,
                            "files": "returns;workforce;recruitment;disciplinary;training;staff_survey;board",
                            "submitted_on": None, "report_url": None, "action_plan_url": None})
    register = pd.DataFrame(orgs, columns=list(org("XAA01")))
    return Dataset(root=Path("."), register=register, collections=collections, tables=tables, returns=returns)
