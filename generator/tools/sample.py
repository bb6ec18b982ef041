"""Demonstration data: a complete data folder of fictional organisations.

Why it exists: the site, the validator and every test need a data set that
looks like real WRES returns (realistic magnitudes, regional differences,
senior bands less diverse than the workforce, the messiness real returns
have) without ever putting a real NHS organisation's name or code next to
invented figures. Every organisation here is fictional; codes start with X
(XT trusts, XQ integrated care systems and their boards, XC clinical
commissioning groups, XN the national body) and websites use the reserved
`example.org` domain.

Deterministic by construction: one `numpy.random.default_rng(seed)` drives
every draw, in a fixed order, and every number is written with a fixed
format, so the same seed gives byte-identical files. Draws are vectorised
over all organisation-years at once, so the national scales take seconds.

Scales:

- `demo`: 37 hand-named organisations with deliberate messiness (a merger,
  a late return, plausibility warnings, suppressed and empty cells, a small
  organisation, high unknown ethnicity); the bundled `data/` folder.
- `national`: about 220 trusts and 42 boards with generated names.
- `national-x5`: five times as many, for benchmarks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..model.spec import (
    AFC_BANDS,
    ETHNICITIES,
    KEYS,
    MEDICAL_BANDS,
    STAFF_GROUPS,
    SURVEY_INDICATORS,
)
from .register import REGISTER_COLUMNS
from .sample_plan import NO_SURVEY_YEARS, SCALES, YEARS, Quirks, demo_plan, national_plan
from .sample_returns import (
    draw_board,
    draw_disciplinary,
    draw_pay,
    draw_recruitment,
    draw_returns,
    draw_staff_survey,
    draw_training,
    draw_workforce,
    org_years,
    per_ethnicity,
    small_counts,
)


def _counts_text(values: pd.Series, suppress: np.ndarray | None = None) -> pd.Series:
    """Counts as text: whole numbers, "" where not available, "*" where suppressed."""
    v = pd.array(values, dtype="Int64")
    text = pd.Series(v.astype(str), index=values.index).where(~pd.isna(v), "")
    if suppress is not None:
        text = text.where(~suppress, "*")
    return text


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Plain UTF-8, LF line ends, every value already text: byte-identical run to run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")


def _sorted(frame: pd.DataFrame, resource: str) -> pd.DataFrame:
    """Rows in key order, enumerations in spec order (not alphabetical)."""
    orders = {"staff_group": STAFF_GROUPS, "band": AFC_BANDS + MEDICAL_BANDS, "ethnicity": ETHNICITIES,
              "indicator": SURVEY_INDICATORS}
    keys = []
    f = frame.copy()
    for k in KEYS[resource]:
        if k in orders:
            f[f"_{k}"] = f[k].map({v: i for i, v in enumerate(orders[k])})
            keys.append(f"_{k}")
        else:
            keys.append(k)
    f = f.sort_values(keys, kind="stable")
    return f.drop(columns=[c for c in f.columns if c.startswith("_")])


def _register_frame(plan: pd.DataFrame) -> pd.DataFrame:
    reg = plan.copy()
    reg["closed_year"] = reg["closed_year"].astype("Int64").astype(str).where(reg["closed_year"].notna(), "")
    reg["website"] = "https://" + reg["slug"] + ".example.org/"
    return reg.loc[:, list(REGISTER_COLUMNS)].sort_values("org_code", kind="stable")


def _collections_frame() -> pd.DataFrame:
    rows = []
    for y in YEARS:
        if y in NO_SURVEY_YEARS:
            rows.append((y, f"{y}-03-31", "1,2,3,4,9",
                         "The staff-survey indicators (5 to 8) were not required in 2020: the collection was "
                         "reduced during the COVID-19 pandemic."))
        else:
            rows.append((y, f"{y}-03-31", "1-9", ""))
    return pd.DataFrame(rows, columns=["year", "snapshot_date", "indicators", "note"])


def _plan(scale: str, rng: np.random.Generator) -> tuple[pd.DataFrame, Quirks]:
    if scale == "demo":
        return demo_plan()
    if scale == "national":
        return national_plan(rng, 1)
    if scale == "national-x5":
        return national_plan(rng, 5)
    raise ValueError(f"unknown scale {scale!r}: expected one of {', '.join(SCALES)}")


def build_sample(scale: str = "demo", seed: int = 2018) -> dict[str, pd.DataFrame]:
    """Every table of a demonstration data set, as text frames ready to write.

    Keys: "organisations", "collections", and each year resource with a `year`
    column (all years stacked). Separate from writing so tests can look at the
    figures without touching the disk.
    """
    rng = np.random.default_rng(seed)
    plan, quirks = _plan(scale, rng)
    oy = org_years(plan, rng)
    wf = draw_workforce(oy, rng, quirks)
    heads = per_ethnicity(oy, wf)
    visible = per_ethnicity(oy, wf, visible=True)
    tables: dict[str, pd.DataFrame] = {
        "organisations": _register_frame(plan),
        "collections": _collections_frame(),
        "returns": draw_returns(oy, plan, rng, quirks),
        "workforce": wf,
        "recruitment": draw_recruitment(oy, heads, rng, quirks),
        "disciplinary": draw_disciplinary(oy, heads, rng),
        "training": draw_training(oy, heads, visible, rng, quirks),
        "staff_survey": draw_staff_survey(oy, heads, rng),
        "board": draw_board(oy, heads, rng),
        "pay": draw_pay(oy, heads, rng, quirks),
    }
    return _to_text(tables, quirks)


def _to_text(tables: dict[str, pd.DataFrame], quirks: Quirks) -> dict[str, pd.DataFrame]:
    """Fixed formats for every number; suppression and empty cells where the quirks say."""
    out = {"organisations": tables["organisations"], "collections": tables["collections"],
           "returns": tables["returns"]}
    suppressing = set(quirks.suppressing)
    counts = {"workforce": ["headcount"], "recruitment": ["shortlisted", "appointed"],
              "disciplinary": ["entered_formal_process"], "training": ["accessed_training"],
              "staff_survey": ["respondents"], "board": ["members", "voting_members", "executive_members"],
              "pay": ["headcount"]}
    for name, cols in counts.items():
        f = tables[name].copy()
        sup_org = f["org_code"].isin(suppressing).to_numpy()
        for col in cols:
            small = pd.array(f[col], dtype="Int64")
            is_small = small_counts(small).to_numpy(dtype=bool, na_value=False)
            # The small organisation suppresses small counts of people in its senior and medical
            # workforce cells (marked when drawn), disciplinary and survey figures; it publishes
            # recruitment and the board in full.
            if name == "workforce":
                suppress = f["suppressed"].to_numpy()
            else:
                suppress = sup_org & is_small & (name in ("disciplinary", "staff_survey"))
            f[col] = _counts_text(f[col], suppress)
        if name == "recruitment":
            # ...and did not record the ethnicity-unknown applicants: not available, left empty.
            gone = sup_org & (f["ethnicity"] == "unknown").to_numpy()
            f.loc[gone, ["shortlisted", "appointed"]] = ""
        if name == "staff_survey":
            f["percent"] = f["percent"].map("{:.1f}".format)
            f = f.loc[:, ["org_code", "year", "indicator", "ethnicity", "percent", "respondents"]]
        if name == "pay":
            for col in ("mean_hourly_pay", "median_hourly_pay"):
                f[col] = f[col].map("{:.2f}".format)
        out[name] = f.drop(columns=[c for c in ("row",) if c in f.columns])
    out["workforce"] = out["workforce"].loc[:, ["org_code", "year", "staff_group", "band", "ethnicity", "headcount"]]
    return out


def write_sample(out_dir: Path, scale: str = "demo", seed: int = 2018) -> int:
    """Write a complete data folder of fictional organisations; return the number of returns.

    The folder gets organisations.csv, collections.csv and one folder per year
    (2019-2024) with every resource (no staff_survey.csv in 2020; pay.csv in the
    years some organisations publish one). Existing files of the same names are
    overwritten; nothing else in `out_dir` is touched, so a README beside the
    data survives regeneration.
    """
    out_dir = Path(out_dir)
    tables = build_sample(scale, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_csv(tables["organisations"], out_dir / "organisations.csv")
    _write_csv(tables["collections"], out_dir / "collections.csv")
    for year in YEARS:
        for resource in ("returns", "workforce", "recruitment", "disciplinary", "training", "staff_survey",
                         "board", "pay"):
            f = tables[resource]
            f = f[f["year"] == year].drop(columns="year")
            path = out_dir / str(year) / f"{resource}.csv"
            if f.empty:
                if path.exists():
                    path.unlink()  # a resource not collected or not published that year
                continue
            _write_csv(_sorted(f, resource), path)
    return len(tables["returns"])
