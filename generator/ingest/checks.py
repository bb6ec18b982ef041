"""The WRES rules a Table Schema cannot express, one small function each.

Every function takes plain data (typed frames, names, sets) and returns a list
of `Problem`s; none reads a file or raises for bad data, so each is tested on
its own with a failing and a passing case (tests/test_checks.py).

Typed frames here are a resource's rows for one year as `cells.typed` makes
them, plus two columns the validator adds: `_line` (the line in the file) and
`_org` (the organisation the row belongs to: its org_code, upper-cased when
that makes it an ODS code, so a lower-case code is still tied to its return).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..model import spec
from ..model.problems import Problem, error, warning
from ..model.settings import Settings

# ----------------------------------------------------------------------------- within a return


def check_not_above(frame: pd.DataFrame, file: str, year: int, smaller: str, larger: str,
                    meaning: str) -> list[Problem]:
    """`smaller` is never above `larger` on the same row (appointed <= shortlisted, ...)."""
    if frame.empty:
        return []
    a, b = frame[smaller], frame[larger]
    bad = (a.astype("Int64") > b.astype("Int64")).to_numpy(dtype=bool, na_value=False)
    return [
        error("count-above-total", file,
              f"{smaller} ({r[smaller]}) is more than {larger} ({r[larger]}) for {r['ethnicity']} staff; "
              f"{meaning}",
              row=int(r["_line"]), field=smaller, org_code=r["_org"], year=year)
        for _, r in frame[bad].iterrows()
    ]


def check_band_in_group(workforce: pd.DataFrame, file: str, year: int) -> list[Problem]:
    """A band belongs to its staff group: Agenda for Change bands for the two non-medical
    groups, consultant ... other for medical_dental (the schema allows each value on its own)."""
    if workforce.empty:
        return []
    group, band = workforce["staff_group"], workforce["band"]
    known = (group.isin(spec.STAFF_GROUPS) & band.isin(spec.ALL_BANDS)).to_numpy(dtype=bool, na_value=False)
    # One comparison per staff group, not one tuple per row: a national file has ~130k rows.
    allowed = np.zeros(len(workforce), dtype=bool)
    for g, bands in spec.BANDS_BY_GROUP.items():
        allowed |= ((group == g) & band.isin(bands)).to_numpy(dtype=bool, na_value=False)
    bad = known & ~allowed
    found = []
    for _, r in workforce[bad].iterrows():
        bands = spec.BANDS_BY_GROUP[r["staff_group"]]
        found.append(error(
            "band-not-in-group", file,
            f"band {r['band']} is not a band of staff group {r['staff_group']}; for {r['staff_group']} "
            f"the band must be one of {', '.join(bands)}",
            row=int(r["_line"]), field="band", org_code=r["_org"], year=year))
    return found


def headcount_by_ethnicity(workforce: pd.DataFrame) -> pd.DataFrame:
    """Total headcount per (organisation, ethnicity), NA where any cell was empty or suppressed."""
    if workforce.empty:
        return pd.DataFrame(columns=["_org", "ethnicity", "headcount", "complete"])
    g = workforce.groupby(["_org", "ethnicity"], sort=False)["headcount"]
    out = g.sum(min_count=1).rename("headcount").to_frame()
    out["complete"] = g.count() == g.size()
    return out.reset_index()


def check_training_within_headcount(training: pd.DataFrame, workforce: pd.DataFrame, file: str,
                                    year: int) -> list[Problem]:
    """Staff accessing training are never more than that ethnicity's workforce headcount."""
    if training.empty or workforce.empty:
        return []
    heads = headcount_by_ethnicity(workforce)
    heads = heads[heads["complete"]]
    m = training.merge(heads, on=["_org", "ethnicity"], how="inner")
    m = m[m["accessed_training"].notna()]
    m = m[m["accessed_training"].astype("int64") > m["headcount"].astype("int64")]
    return [
        error("training-above-headcount", file,
              f"accessed_training ({r['accessed_training']}) is more than the workforce headcount of "
              f"{r['ethnicity']} staff ({r['headcount']}, the sum of workforce.csv); staff accessing "
              f"training are counted among the staff in post",
              row=int(r["_line"]), field="accessed_training", org_code=r["_org"], year=year)
        for _, r in m.iterrows()
    ]


def check_disciplinary_within_headcount(disciplinary: pd.DataFrame, workforce: pd.DataFrame, file: str,
                                        year: int) -> list[Problem]:
    """Staff entering the formal disciplinary process are never more than that ethnicity's headcount
    (an error: the likelihood would be computed from an impossible count); above
    DISCIPLINARY_SHARE_WARNING of it is a warning."""
    if disciplinary.empty or workforce.empty:
        return []
    heads = headcount_by_ethnicity(workforce)
    m = disciplinary.merge(heads[heads["complete"]], on=["_org", "ethnicity"], how="inner")
    m = m[m["entered_formal_process"].notna()]
    e, h = m["entered_formal_process"].astype("float64"), m["headcount"].astype("float64")
    impossible = (e > h).to_numpy()
    unusual = ~impossible & (h > 0).to_numpy() & (e > DISCIPLINARY_SHARE_WARNING * h).to_numpy()
    found = []
    for (_, r), is_impossible in zip(m[impossible | unusual].iterrows(), impossible[impossible | unusual]):
        share = r["entered_formal_process"] / r["headcount"] if r["headcount"] else None
        if is_impossible:
            found.append(error(
                "disciplinary-above-headcount", file,
                f"entered_formal_process ({r['entered_formal_process']:,}) is more than the workforce headcount of "
                f"{r['ethnicity']} staff ({r['headcount']:,}, the sum of workforce.csv); staff entering the formal "
                f"disciplinary process are counted among the staff in post",
                row=int(r["_line"]), field="entered_formal_process", org_code=r["_org"], year=year))
        elif share is not None and share > DISCIPLINARY_SHARE_WARNING:
            found.append(warning(
                "disciplinary-share-high", file,
                f"entered_formal_process ({r['entered_formal_process']:,}) is {share:.0%} of {r['ethnicity']} staff "
                f"({r['headcount']:,}); above {DISCIPLINARY_SHARE_WARNING:.0%} in one year is very unusual (most "
                f"organisations are near 1%), please check it",
                row=int(r["_line"]), field="entered_formal_process", org_code=r["_org"], year=year))
    return found


#: Above this share of an ethnicity's staff entering the disciplinary process in a year: a warning.
DISCIPLINARY_SHARE_WARNING = 0.10

#: Mean or median hourly pay (GBP): above HOURLY_PAY_MAX is impossible (an error: £1,000 an hour is
#: over £1.9 million a year full time), outside HOURLY_PAY_PLAUSIBLE implausible (a warning: below
#: any minimum wage since 2015, or above a chief executive's pay).
HOURLY_PAY_MAX = 1000.0
HOURLY_PAY_PLAUSIBLE = (5.0, 200.0)


def check_hourly_pay(pay: pd.DataFrame, file: str, year: int) -> list[Problem]:
    """Hourly pay is a finite number up to HOURLY_PAY_MAX (an error beyond: 'inf' and 1e308 pass the
    schema's minimum of 0), and within HOURLY_PAY_PLAUSIBLE (a warning outside)."""
    found = []
    low, high = HOURLY_PAY_PLAUSIBLE
    for col in ("mean_hourly_pay", "median_hourly_pay"):
        if pay.empty or col not in pay:
            continue
        values = pay[col].astype("float64").to_numpy()
        with np.errstate(invalid="ignore"):
            odd = ~np.isnan(values) & (~np.isfinite(values) | (values > HOURLY_PAY_MAX)
                                       | ((values != 0) & ((values < low) | (values > high))))
        for i in np.flatnonzero(odd):
            v, r = float(values[i]), pay.iloc[i]
            where = dict(row=int(r["_line"]), field=col, org_code=r["_org"], year=year)
            if not np.isfinite(v) or v > HOURLY_PAY_MAX:
                shown = f"{v:.6g}" if np.isfinite(v) else str(v)
                found.append(error(
                    "pay-out-of-range", file,
                    f"{col} must be an hourly rate in pounds from 0 to {HOURLY_PAY_MAX:,.0f}; found {shown} for "
                    f"{r['ethnicity']} staff", **where))
            elif v and not low <= v <= high:
                found.append(warning(
                    "pay-implausible", file,
                    f"{col} is £{v:,.2f} an hour for {r['ethnicity']} staff, outside the plausible range of "
                    f"£{low:,.0f} to £{high:,.0f}; please check it is an hourly rate in pounds", **where))
    return found


def check_duplicate_keys(frame: pd.DataFrame, keys: Iterable[str], file: str, year: int | None) -> list[Problem]:
    """Each key (e.g. org_code, staff_group, band, ethnicity) appears once in a file."""
    keys = list(keys)
    if frame.empty:
        return []
    cols = ["_org"] + [k for k in keys if k != "org_code"]
    dup = frame.duplicated(cols, keep=False)
    if not dup.any():
        return []
    found = []
    for _, grp in frame[dup].groupby(cols, sort=False, dropna=False):
        first = int(grp["_line"].iloc[0])
        what = ", ".join(f"{k} {grp[k].iloc[0]}" for k in keys if k != "org_code")
        for line in grp["_line"].iloc[1:]:
            found.append(error(
                "duplicate-row", file,
                f"this row repeats {what or 'the organisation'} already given on line {first}; each "
                f"({', '.join(keys)}) must appear once",
                row=int(line), field=keys[-1], org_code=grp["_org"].iloc[0], year=year))
    return found


# ----------------------------------------------------------------------------- register


def check_in_register(orgs_by_file: Mapping[str, pd.DataFrame], register_codes: set[str], year: int,
                      fallback: Mapping[str, str] | None = None, register_label: str = spec.REGISTER_FILE,
                      fallback_label: str = "") -> list[Problem]:
    """Every org_code in a year's files is in the register (an error, once per file), or else in
    `fallback` (code -> name: the shipped NHS ODS register), which is then used, with a warning
    saying so (once per return)."""
    found = []
    fallback = fallback or {}
    used: set[str] = set()
    for file, frame in orgs_by_file.items():
        if frame.empty:
            continue
        first = frame.drop_duplicates("_org")
        for _, r in first[~first["_org"].isin(register_codes)].iterrows():
            code = r["_org"]
            where = dict(row=int(r["_line"]), field="org_code", org_code=code, year=year)
            if code in fallback and code not in used:
                used.add(code)
                found.append(warning(
                    "register-fallback", file,
                    f"org_code {code} is not in {register_label}, so it was checked against {fallback_label}, "
                    f"where {code} is {fallback[code]}; if that is not you, correct the code (a publisher adds "
                    f"{code} to {spec.REGISTER_FILE} to give it a name and website of its own)", **where))
            elif code not in fallback:
                also = f" nor in {fallback_label}" if fallback_label else ""
                found.append(error(
                    "unknown-organisation", file,
                    f"org_code {code} is not in the register ({register_label}){also}; every organisation "
                    f"making a return must be listed there first: check the code is your organisation's ODS "
                    f"code, e.g. RR8", **where))
    return found


def check_return_complete(present: Mapping[str, set[str]], required: Iterable[str], year: int) -> list[Problem]:
    """An organisation with rows in some files of a year has a row in returns.csv and in every required file.

    `present` maps each resource file found (e.g. "2024/workforce.csv") to the organisations in it.
    """
    required = list(required)
    by_resource = {Path(f).stem: (f, orgs) for f, orgs in present.items()}
    everyone = set().union(*present.values()) if present else set()
    found = []
    for resource in required:
        if resource not in by_resource:
            continue  # a whole missing file is check_parts_present's business
        file, orgs = by_resource[resource]
        for org in sorted(everyone - orgs):
            if resource == "returns":
                msg = (f"{org} has rows in other files of {year} but no row in returns.csv; add a line "
                       f"for it (org_code, submitted_on, report_url, action_plan_url)")
            else:
                msg = (f"{org} has no rows in {resource}.csv for {year}, but {resource} was collected that "
                       f"year; add its rows (use `wres template {year}` for a blank file)")
            found.append(error("missing-from-file", file, msg, org_code=org, year=year))
    return found



_MARKUP = re.compile(r"</?[a-zA-Z!]|&#?\w+;|javascript\s*:|\bdata:\s*\w+/|vbscript\s*:", re.IGNORECASE)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def check_plain_text(frame: pd.DataFrame, columns: Iterable[str], file: str) -> list[Problem]:
    """Register text is plain text: no markup or script link, no leading = + - @ a spreadsheet would run."""
    found = []
    for col in columns:
        if col not in frame:
            continue
        values = frame[col].astype("string").fillna("")
        for i in values.index:
            text = values[i]
            if not text:
                continue
            if _MARKUP.search(text):
                what = "markup or a script link"
                expected = "plain text, without < > tags, HTML entities or javascript: links"
            elif text.startswith(_FORMULA_START):
                what = "a leading " + repr(text[0]).strip("'") + ", which a spreadsheet would run as a formula"
                expected = "plain text starting with a letter or digit"
            else:
                continue
            shown = text if len(text) <= 60 else text[:57] + "..."
            found.append(error(
                "unsafe-text", file,
                f"{col} holds {what}: '{shown}'; expected {expected}",
                row=int(frame.at[i, "_line"]), field=col, org_code=frame.at[i, "_org"]))
    return found


def check_links(frame: pd.DataFrame, columns: Iterable[str], file: str, year: int | None) -> list[Problem]:
    """Links that the site will show are web addresses (https:// or http://), never javascript: or data:."""
    found = []
    for col in columns:
        if col not in frame:
            continue
        values = frame[col].astype("string")
        bad = values.notna() & ~values.fillna("").str.match(r"https?://[^\s<>\"']+$")
        for i in values.index[bad.to_numpy(dtype=bool)]:
            found.append(error(
                "unsafe-link", file,
                f"{col} must be a web address starting https:// or http://; found '{values[i][:60]}'",
                row=int(frame.at[i, "_line"]), field=col, org_code=frame.at[i, "_org"], year=year))
    return found


# ----------------------------------------------------------------------------- plausibility warnings


def warn_appointed_close_to_shortlisted(recruitment: pd.DataFrame, file: str, year: int,
                                        settings: Settings) -> list[Problem]:
    """Appointed at or above `appointed_share_warning` of shortlisted is possible but rare: check it."""
    if recruitment.empty:
        return []
    r = recruitment[recruitment["shortlisted"].notna() & recruitment["appointed"].notna()]
    s, a = r["shortlisted"].astype("int64"), r["appointed"].astype("int64")
    hit = r[(s > 0) & (a <= s) & (a >= settings.appointed_share_warning * s)]
    return [
        warning("appointed-close-to-shortlisted", file,
                f"appointed ({x['appointed']}) is {x['appointed'] / x['shortlisted']:.0%} of shortlisted "
                f"({x['shortlisted']}) for {x['ethnicity']} applicants; that is unusually high, please check "
                f"that shortlisted counts applicants shortlisted, not those appointed",
                row=int(x["_line"]), field="appointed", org_code=x["_org"], year=year)
        for _, x in hit.iterrows()
    ]


def warn_training_share(training: pd.DataFrame, workforce: pd.DataFrame, file: str, year: int,
                        settings: Settings) -> list[Problem]:
    """Training above `training_share_warning` of the staff of an ethnicity is implausible."""
    if training.empty or workforce.empty:
        return []
    heads = headcount_by_ethnicity(workforce)
    m = training.merge(heads[heads["complete"]], on=["_org", "ethnicity"], how="inner")
    m = m[m["accessed_training"].notna() & (m["headcount"] > 0)]
    t, h = m["accessed_training"].astype("int64"), m["headcount"].astype("int64")
    hit = m[(t <= h) & (t > settings.training_share_warning * h)]
    return [
        warning("training-share-high", file,
                f"accessed_training ({x['accessed_training']}) is {x['accessed_training'] / x['headcount']:.0%} "
                f"of {x['ethnicity']} staff ({x['headcount']}); above {settings.training_share_warning:.0%} is "
                f"unusual, please check it counts non-mandatory training only",
                row=int(x["_line"]), field="accessed_training", org_code=x["_org"], year=year)
        for _, x in hit.iterrows()
    ]


def check_successors(register: pd.DataFrame, file: str) -> list[Problem]:
    """successor_code names an organisation in the register (a warning: the merged trend stops there)."""
    if register.empty:
        return []
    codes = set(register["org_code"])
    succ = register[register["successor_code"].notna() & ~register["successor_code"].isin(codes)]
    return [
        warning("unknown-successor", file,
                f"successor_code {r['successor_code']} is not in the register, so {r['_org']}'s trend cannot be "
                f"continued through it; add {r['successor_code']} to the register or correct the code",
                row=int(r["_line"]), field="successor_code", org_code=r["_org"])
        for _, r in succ.iterrows()
    ]


def merged_organisations(register: pd.DataFrame) -> set[str]:
    """Organisations touched by a merger: every predecessor with a successor, and every successor."""
    if register.empty or "successor_code" not in register:
        return set()
    succ = register[register["successor_code"].notna()]
    return set(succ["org_code"]) | set(succ["successor_code"])


def warn_headcount_change(totals: pd.DataFrame, merged: set[str], settings: Settings,
                          file_of_year: Mapping[int, str]) -> list[Problem]:
    """Total headcount changing by more than `headcount_change_warning` from the previous year,
    without a merger, is worth checking.

    `totals`: org_code, year, headcount (total over the workforce file, complete returns only).
    """
    if totals.empty:
        return []
    t = totals.sort_values(["org_code", "year"])
    prev = t.assign(year=t["year"] + 1).rename(columns={"headcount": "previous"})
    m = t.merge(prev, on=["org_code", "year"], how="inner")
    m = m[(m["previous"] > 0) & ~m["org_code"].isin(merged)]
    change = (m["headcount"] - m["previous"]) / m["previous"]
    hit = m[change.abs() > settings.headcount_change_warning]
    return [
        warning("headcount-change", file_of_year[int(x["year"])],
                f"total headcount changed from {int(x['previous']):,} in {int(x['year']) - 1} to "
                f"{int(x['headcount']):,} ({(x['headcount'] - x['previous']) / x['previous']:+.0%}), more than "
                f"{settings.headcount_change_warning:.0%} with no merger in the register; please check it",
                field="headcount", org_code=x["org_code"], year=int(x["year"]))
        for _, x in hit.iterrows()
    ]
