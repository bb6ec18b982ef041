"""The register of organisations and collections.csv: read, typed and judged.

The register is read before any return: without it no org_code can be judged,
so a missing or unreadable register stops everything (`DataFolderError`); a
bad register *row* only leaves out that organisation's returns. A code that is
not in the data folder's register is looked up in the NHS ODS register that
ships with wres (`ods_register`), so a real trust can check its own return.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..model import resources, spec
from ..model.problems import Problem, error
from . import cells, checks
from .file_check import check_file, text_frame
from .read import not_utf8, read_table


class DataFolderError(Exception):
    """Validation cannot run at all: no such folder, or no readable register."""


# ----------------------------------------------------------------------------- register and collections


def load_register(path: Path, label: str) -> tuple[pd.DataFrame, list[Problem], set[str], set[str]]:
    """The typed register, its problems, every code listed, and the codes whose rows are broken."""
    if not path.is_file():
        raise DataFolderError(f"no register: {label} does not exist. A data folder needs "
                              f"{spec.REGISTER_FILE}; for a single year's return pass --register.")
    res = check_file(path, label, "organisations", None)
    fatal = [p for p in res.blockers if p.code != "no-org-code" and p not in res.unplaced]
    if fatal or not res.orgs_known:
        raise DataFolderError("the register cannot be read: " + " ".join(p.message for p in fatal or res.blockers))
    typed = res.typed
    problems = list(res.problems) + [p for p in res.blockers if p.code == "no-org-code" or p in res.unplaced]
    problems += checks.check_plain_text(typed, ["org_name", "system_name"], label)
    seen = {(p.file, p.row, p.field) for p in problems}
    problems += [p for p in checks.check_links(typed, ["website"], label, None)
                 if (p.file, p.row, p.field) not in seen]
    problems += checks.check_successors(typed, label)
    problems = [replace(p, year=None) for p in problems]
    bad = {p.org_code for p in problems if p.is_error and p.org_code}
    listed = set(typed["_org"]) | res.orgs  # (with organisations whose register line is damaged: listed, broken)
    register = typed[~typed["_org"].isin(bad)].drop(columns=["_line", "_org"]).reset_index(drop=True)
    return register, problems, listed, bad


# ----------------------------------------------------------------------------- the shipped NHS ODS register

#: The register built from the NHS ODS files by `wres register import-ods`, shipped with the package so
#: that a real trust's return can be checked (registers/README.md: its source, date and licence).
ODS_REGISTER = "registers/ods-organisations.csv"
#: How messages name it.
ODS_LABEL = f"the NHS ODS register shipped with wres ({ODS_REGISTER}, built from the ODS files of mid-2026)"


@functools.cache
def _ods_register() -> pd.DataFrame:
    path = resources.resource(ODS_REGISTER)
    if not path.is_file():  # (a checkout or wheel without it: no code is found there)
        return pd.DataFrame(columns=["org_code", "org_name"])
    register, _problems, _listed, _bad = load_register(path, ODS_REGISTER)
    return register


def ods_names(year: int | None = None) -> dict[str, str]:
    """org_code -> how a message names it, for every organisation in the shipped NHS ODS register: its
    name, and, when it had closed before `year`, that (and its successor), so a return under an old
    code is questioned."""
    reg = _ods_register()
    out = {}
    for code, name, closed, succ in zip(reg["org_code"], reg["org_name"], reg["closed_year"], reg["successor_code"]):
        words = str(name)
        if year is not None and not pd.isna(closed) and int(closed) < year:
            words += (f", which closed after its {int(closed)} return"
                      + (f" (its successor is {succ})" if not pd.isna(succ) else "")
                      + f": a {year} return is made under the code of the organisation that exists in {year}")
        out[code] = words
    return out


def with_ods_rows(register: pd.DataFrame, codes: set[str]) -> pd.DataFrame:
    """`register` with the shipped ODS register's rows for `codes` (organisations it lacks) added.

    A successor the register does not hold is left out of an added row: its trend then stops at its
    last return rather than pointing at an organisation the site has no page for.
    """
    ods = _ods_register()
    added = ods[ods["org_code"].isin(codes - set(register["org_code"]))].copy()
    if added.empty:
        return register
    known = set(register["org_code"]) | set(added["org_code"])
    added["successor_code"] = added["successor_code"].where(added["successor_code"].isin(known), pd.NA)
    both = pd.concat([register, added], ignore_index=True)
    return both.astype(register.dtypes.to_dict()) if len(register) else both


def collections_row(year: int, indicators: str = "1-9", note: object = pd.NA) -> dict:
    return {"year": year, "snapshot_date": f"{year}-03-31", "indicators": indicators, "note": note,
            "collected": spec.parse_indicator_list(indicators)}


def read_collections(path: Path, label: str) -> tuple[pd.DataFrame, list[Problem]]:
    """collections.csv: typed rows and problems. Never raises for bad content."""
    names = list(cells.field_names("collections"))
    raw = read_table(path, label, names)
    problems = list(raw.problems)
    empty = pd.DataFrame(columns=["year", "snapshot_date", "indicators", "note", "collected"])
    if not raw.readable or not raw.header:
        return empty, problems
    frame = text_frame(raw)[names].reset_index(drop=True)
    lines = np.asarray(raw.lines, dtype="int64")
    rules = {r.name: r for r in cells.rules("collections")}
    bad_rows: set[int] = set()
    for line, (code, what, _head) in sorted(raw.damaged.items()):
        problems.append(error(code, label, f"line {line} of {label} {what}; it was not read", row=line))
    for line in sorted(raw.bad_lines):
        i = int(np.searchsorted(lines, line, side="right")) - 1
        if i >= 0 and line > raw.header_line:
            bad_rows.add(i)
            problems.append(not_utf8(label, line, raw.bad_lines[line]))
    for e in cells.frictionless_check(frame, cells.candidate_rows(frame, "collections"), "collections"):
        bad_rows.add(e.position)
        problems.append(error(f"schema-{e.kind}", label, cells.message(rules[e.field], e.cell),
                              row=int(lines[e.position]), field=e.field))
    rows = _collection_rows(frame, lines, bad_rows, label, problems)
    return (pd.DataFrame(rows) if rows else empty), problems


def _collection_rows(frame: pd.DataFrame, lines: np.ndarray, bad_rows: set[int], label: str,
                     problems: list[Problem]) -> list[dict]:
    """The rows the schema accepted, judged as collection years (problems added to `problems`)."""
    rows = []
    seen: dict[int, int] = {}
    for i in range(len(frame)):
        if i in bad_rows:
            continue
        r = frame.iloc[i]
        year, line = int(r["year"]), int(lines[i])
        if year > spec.last_year():
            problems.append(error("year-out-of-range", label,
                                  f"year {year} is after next year ({spec.last_year()}), so it cannot be a "
                                  f"collection year; write the year of the collection, e.g. 2024",
                                  row=line, field="year"))
            continue
        collected = spec.parse_indicator_list(r["indicators"])
        if collected is None:
            problems.append(error("bad-indicator-list", label,
                                  f"indicators must list indicators 1 to 9, e.g. 1-9 or 1,2,3,4,9; found "
                                  f"'{r['indicators']}'", row=line, field="indicators", year=year))
            continue
        if year in seen:
            problems.append(error("duplicate-row", label,
                                  f"year {year} is listed twice (first on line {seen[year]}); each year once",
                                  row=line, field="year", year=year))
            continue
        seen[year] = line
        rows.append({"year": year, "snapshot_date": r["snapshot_date"], "indicators": r["indicators"],
                     "note": r["note"] if r["note"] else pd.NA, "collected": collected})
    return rows
