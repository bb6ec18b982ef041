"""The slips people really make filling in a return, caught with a message that says what happened.

Each is valid to the schema, so only a rule that looks at a whole return can
see it: a template sent back with nothing filled in; survey percentages
written as fractions (0.246 for 24.6%); an appointment rate typed into the
`appointed` column (24 for "24%"). Like checks.py, every function takes typed
frames (with `_line` and `_org`) and returns `Problem`s.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..model import spec
from ..model.problems import Problem, error, warning

#: The columns that hold a return's figures (a suppressed count, `*`, is a figure: it was withheld).
FIGURE_FIELDS = {
    **{r: tuple(c) for r, c in spec.COUNT_FIELDS.items() if r not in ("returns", "staff_survey")},
    "staff_survey": ("percent", "respondents"),
    "pay": ("headcount", "mean_hourly_pay", "median_hourly_pay"),
}

#: An appointment rate below this fraction of the other group's is far below it; with an `appointed`
#: that reads as the other group's rate in percent, it is a warning (a real gap that wide is rare, and
#: is then worth checking anyway: the warning asks, it does not change the figure).
RATE_FAR_BELOW = 0.25


def _has_figure(frame: pd.DataFrame, resource: str) -> pd.Series:
    """Per row: does it hold any figure (a number, or `*` for a withheld count)?"""
    has = pd.Series(False, index=frame.index)
    for col in FIGURE_FIELDS.get(resource, ()):
        if col in frame:
            has |= frame[col].notna().to_numpy()
        if f"{col}_suppressed" in frame:
            has |= frame[f"{col}_suppressed"].to_numpy(dtype=bool)
    return has


def check_not_blank(files: Mapping[str, tuple[str, pd.DataFrame]], year: int) -> list[Problem]:
    """A return whose every count, percentage and pay figure is empty is a blank template: an error.

    `files`: resource -> (file name, typed frame). Empty means "not available", so each empty
    cell is valid; a return with no figure at all is not a return, and publishing it would show
    an organisation with nothing to say as if it had reported.
    """
    with_figures: set[str] = set()
    first_row: dict[str, tuple[str, int, str]] = {}
    for resource in spec.YEAR_RESOURCES:
        if resource not in files or resource not in FIGURE_FIELDS:
            continue
        file, frame = files[resource]
        if frame.empty:
            continue
        with_figures |= set(frame.loc[_has_figure(frame, resource).to_numpy(), "_org"])
        for org, line in zip(frame["_org"], frame["_line"]):
            first_row.setdefault(org, (file, int(line), FIGURE_FIELDS[resource][0]))
    return [
        error("no-figures", file,
              f"there are no figures in this return: every count, percentage and pay figure of {org}'s "
              f"{year} return is empty (from {file} on); an empty cell means 'not available', so nothing "
              f"would be published. Fill in the figures (e.g. {field} on line {line}), writing {spec.SUPPRESSED} "
              f"for a count withheld because it is small",
              row=line, field=field, org_code=org, year=year)
        for org, (file, line, field) in sorted(first_row.items()) if org not in with_figures
    ]


def check_survey_fractions(survey: pd.DataFrame, file: str, year: int) -> list[Problem]:
    """Survey percentages written as fractions: every percent of a return between 0 and 1 (an error).

    Survey figures are tens of percent (indicator 7, believing the organisation gives equal
    opportunities, is usually well over half of staff), so a return whose every percent is at most 1
    was almost surely written as fractions; a single small percent among larger ones is not judged.
    """
    if survey.empty:
        return []
    found = []
    rows = survey[survey["percent"].notna()]
    for org, grp in rows.groupby("_org", sort=True):
        p = grp["percent"].astype("float64")
        if not ((p <= 1).all() and (p > 0).any()):
            continue
        for _, r in grp[(p > 0).to_numpy()].iterrows():
            v = float(r["percent"])
            found.append(error(
                "survey-fraction", file,
                f"percent is {v:g} for {r['ethnicity']} staff (indicator {r['indicator']}), and every percent of "
                f"{org}'s survey figures is between 0 and 1: they look like fractions. percent must be a "
                f"percentage from 0 to 100: write {v * 100:.4g} for {v:g}",
                row=int(r["_line"]), field="percent", org_code=org, year=year))
    return found


def warn_appointed_like_percent(recruitment: pd.DataFrame, file: str, year: int) -> list[Problem]:
    """An appointment count that looks like a percentage: one group's appointment rate far below the
    other's (under RATE_FAR_BELOW of it), where its `appointed`, read as a percentage, is close to the
    other group's rate (within a factor of two): the mark of "24%" typed and its sign stripped."""
    if recruitment.empty:
        return []
    r = recruitment[recruitment["ethnicity"].isin(["white", "bme"]) & recruitment["appointed"].notna()
                    & (recruitment["shortlisted"].fillna(0) > 0)]
    found = []
    for org, grp in r.groupby("_org", sort=True):
        if set(grp["ethnicity"]) != {"white", "bme"}:
            continue
        by = {row["ethnicity"]: row for _, row in grp.iterrows()}
        rate = {e: int(x["appointed"]) / int(x["shortlisted"]) for e, x in by.items()}
        low, high = sorted(rate, key=rate.get)
        typed = int(by[low]["appointed"])
        if not (rate[low] < RATE_FAR_BELOW * rate[high] and 1 <= typed <= 100
                and rate[high] / 2 <= typed / 100 <= 2 * rate[high]):
            continue
        x = by[low]
        found.append(warning(
            "appointed-looks-like-percent", file,
            f"appointed ({typed}) is {rate[low]:.1%} of shortlisted ({int(x['shortlisted']):,}) for {low} "
            f"applicants, far below the {rate[high]:.1%} of {high} applicants; {typed} looks like a percentage "
            f"(typed as {typed}% and the % sign removed). appointed must be the number of {low} applicants "
            f"appointed (about {typed / 100 * int(x['shortlisted']):,.0f} if {typed}% was meant); please check it",
            row=int(x["_line"]), field="appointed", org_code=org, year=year))
    return found


def accepted_spellings() -> dict[str, str]:
    """Other spellings of an ethnicity value that are read as it, with a note (lower case, trimmed)."""
    return {"bame": "bme"}


def spelling_rows(values: pd.Series) -> np.ndarray:
    """Positions of the cells written as an accepted other spelling (BAME for bme)."""
    return np.flatnonzero(values.str.strip().str.lower().isin(list(accepted_spellings())).to_numpy())
