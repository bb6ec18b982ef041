"""`check_file`: one CSV file read, screened and judged by its schema, its problems tied to returns.

Every problem is tied to the organisation of its row wherever the row names
one; a problem that cannot be (a broken header, a line with no org_code) is a
*blocker*, which leaves out every return in the file (validate.py decides).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..model import spec
from ..model.problems import Problem, error, warning
from . import cells, checks, slips
from .read import MAX_BYTES, RawTable, not_utf8, read_table

#: Read problems that make a whole file untrustworthy.
_FILE_LEVEL = {"wrong-delimiter", "title-above-header", "unreadable-file", "file-too-large", "not-utf8", "nul-byte",
               "unreadable-csv", "empty-file", "missing-column", "duplicate-column"}


@dataclass
class FileResult:
    """One year file after every per-file check."""

    resource: str
    file: str
    year: int | None
    #: Typed rows (see cells.typed) plus `_line` and `_org`.
    typed: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    #: Problems that cannot be tied to one organisation: every return in the file is left out.
    blockers: list[Problem] = field(default_factory=list)
    #: False when even the organisations in the file are unknown (unreadable file).
    orgs_known: bool = True
    #: The organisations with a row in the file.
    orgs: set[str] = field(default_factory=set)
    #: Blockers for damaged lines that name no organisation (in `blockers` too): in the register they
    #: leave out no one, since no organisation's row can be told from them.
    unplaced: list[Problem] = field(default_factory=list)


def org_keys(codes: pd.Series) -> pd.Series:
    """The return a row belongs to: its org_code, upper-cased when that makes it an ODS code.

    Worked out once per distinct code (a file has thousands of rows per organisation).
    """
    d = cells.distinct(codes, ())
    upper = d.values.str.upper()
    keys = upper.where(upper.str.fullmatch(spec.ORG_CODE_RE.pattern.strip("^$")), d.values)
    return pd.Series(keys.array.take(d.codes), index=codes.index)


def empty_typed(resource: str) -> pd.DataFrame:
    """A typed frame of `resource` with no rows (a fresh copy: callers add columns)."""
    return _empty_typed_cached(resource).copy()


@functools.cache
def _empty_typed_cached(resource: str) -> pd.DataFrame:
    names = list(cells.field_names(resource))
    t = cells.typed(pd.DataFrame({n: pd.Series([], dtype="str") for n in names}), resource)
    t["_line"] = pd.Series([], dtype="int64")
    t["_org"] = pd.Series([], dtype="str")
    return t


def text_frame(raw: RawTable, names: list[str] | None = None) -> pd.DataFrame:
    """The rows read as a frame of text cells, the first of any repeated column kept; with `names`,
    exactly those columns in that order (a missing optional column read as empty)."""
    frame = pd.DataFrame(raw.rows, columns=raw.header, dtype="str") if raw.rows else \
        pd.DataFrame({h: pd.Series([], dtype="str") for h in raw.header})
    frame = frame.loc[:, ~frame.columns.duplicated()]
    if names is None:
        return frame
    for n in names:
        if n not in frame:
            frame[n] = ""
    return frame[names].reset_index(drop=True)


def check_file(path: Path, file: str, resource: str, year: int | None) -> FileResult:
    """Read one file and run its schema checks and its duplicate-key check."""
    names = list(cells.field_names(resource))
    raw: RawTable = read_table(path, file, names, year=year, max_bytes=MAX_BYTES)
    result = FileResult(resource, file, year, empty_typed(resource))
    for p in raw.problems:
        (result.blockers if p.code in _FILE_LEVEL else result.problems).append(p)
    if not raw.header or "org_code" not in raw.header:
        result.orgs_known = False
        return result
    frame = text_frame(raw, names)
    lines = np.asarray(raw.lines, dtype="int64")
    org = org_keys(frame["org_code"])
    if "ethnicity" in frame:
        _accept_other_spellings(frame, lines, org, result)
    no_org = _rows_without_org(frame, lines, result)
    _damaged_lines(raw, lines, org, result)
    damaged_orgs = _damaged_records(raw, result)
    _ragged_lines(raw, lines, org, result)

    rules = {r.name: r for r in cells.rules(resource)}
    columns = cells.distinct_columns(frame, resource)
    # Cells are still checked when the only whole-file problems are rows without org_code or
    # missing optional columns (read as empty): the other returns' problems are not hidden.
    if all(p.code == "no-org-code" or (p.code == "missing-column" and not rules[p.field].required)
           for p in result.blockers):
        _schema_errors(frame, columns, lines, org, set(no_org.tolist()), result)
    typed = cells.typed(frame, resource, columns)
    _unheld_numbers(frame, typed, columns, lines, org, result)
    typed["_line"] = lines
    typed["_org"] = org.to_numpy()
    typed = typed[frame["org_code"].to_numpy() != ""]
    result.typed = typed
    result.orgs = set(typed["_org"].unique()) | damaged_orgs
    if raw.readable:
        result.problems.extend(checks.check_duplicate_keys(typed, spec.KEYS[resource], file, year))
    return result


def _accept_other_spellings(frame: pd.DataFrame, lines: np.ndarray, org: pd.Series, result: FileResult) -> None:
    """Read BAME as bme (in place, before the schema checks), with a note once per organisation."""
    noted: set[str] = set()
    col = frame.columns.get_loc("ethnicity")
    for i in slips.spelling_rows(frame["ethnicity"]):
        written = frame.iat[i, col]
        code = slips.accepted_spellings()[written.strip().lower()]
        frame.iat[i, col] = code
        if org.iloc[i] in noted:
            continue
        noted.add(org.iloc[i])
        result.problems.append(warning(
            "ethnicity-spelling", result.file,
            f"ethnicity is written '{written}'; it was read as '{code}', the returns format's code for Black, "
            f"Asian and minority ethnic staff (expected one of {', '.join(spec.ETHNICITIES)}); write '{code}' "
            f"to remove this note", row=int(lines[i]), field="ethnicity", org_code=org.iloc[i] or None,
            year=result.year))


def _rows_without_org(frame: pd.DataFrame, lines: np.ndarray, result: FileResult) -> np.ndarray:
    """Rows with no org_code cannot be tied to a return: one blocker names their lines."""
    file, year = result.file, result.year
    no_org = np.flatnonzero((frame["org_code"] == "").to_numpy())
    if len(no_org):
        many = len(no_org) > 1
        where = ", ".join(str(lines[i]) for i in no_org[:5]) + (" ..." if len(no_org) > 5 else "")
        result.blockers.append(error(
            "no-org-code", file,
            f"line{'s' if many else ''} {where} of {file} ha{'ve' if many else 's'} "
            f"no org_code, so {'they' if many else 'it'} cannot be tied to a return; org_code "
            f"must be an ODS code such as XAA01",
            row=int(lines[no_org[0]]), field="org_code", year=year))
    return no_org


def _damaged_lines(raw: RawTable, lines: np.ndarray, org: pd.Series, result: FileResult) -> None:
    """Lines that are not UTF-8: one problem per organisation, at its first such line."""
    first_bad: dict[str, list[int]] = {}
    for line in sorted(raw.bad_lines):
        if line <= raw.header_line:
            continue  # reported by read_table, for the whole file
        i = max(int(np.searchsorted(lines, line, side="right")) - 1, 0)
        if len(lines) and lines[i] <= line:
            first_bad.setdefault(org.iloc[i], []).append(line)
    for code, bad in first_bad.items():
        if code == "":
            continue  # a row without org_code already blocks the file
        result.problems.append(not_utf8(result.file, bad[0], raw.bad_lines[bad[0]], year=result.year,
                                        org_code=code, more=len(bad) - 1))


def _damaged_records(raw: RawTable, result: FileResult) -> set[str]:
    """Lines set aside unread (NUL byte, over 1 MB, control characters): the organisations they name."""
    file, year = result.file, result.year
    damaged_orgs: set[str] = set()
    for line, (code, what, head) in sorted(raw.damaged.items()):
        key = head.upper() if spec.ORG_CODE_RE.fullmatch(head.upper()) else None
        if key is None:
            result.blockers.append(error(
                code, file,
                f"line {line} of {file} {what}, and its first cell is not an org_code, so the line cannot be "
                f"tied to a return; it was not read. Remove the damage (retype the line, or save the file again "
                f"as 'CSV UTF-8 (comma delimited)')", row=line, year=year))
            result.unplaced.append(result.blockers[-1])
            continue
        damaged_orgs.add(key)
        result.problems.append(error(
            code, file,
            f"line {line} of {file} (org_code {key}) {what}; it was not read, so "
            f"{f'every return of {key}' if year is None else f'the {year} return of {key}'} is left out. "
            f"Retype the line, or save the file again as 'CSV UTF-8 (comma delimited)'; the other "
            f"organisations' rows are read as usual", row=line, org_code=key, year=year))
    return damaged_orgs


def _ragged_lines(raw: RawTable, lines: np.ndarray, org: pd.Series, result: FileResult) -> None:
    """Lines with more or fewer cells than the header."""
    for line, count in raw.ragged.items():
        i = int(np.searchsorted(lines, line))
        result.problems.append(error(
            "ragged-line", result.file,
            f"line {line} has {count:,} cell{'s' if count != 1 else ''} but the header has "
            f"{raw.width or len(raw.header):,}; "
            f"every line must have one cell per column ({', '.join(raw.header)}); check for a stray or "
            f"missing comma",
            row=line, org_code=org.iloc[i] or None, year=result.year))


def _schema_errors(frame: pd.DataFrame, columns: dict, lines: np.ndarray, org: pd.Series, no_org: set[int],
                   result: FileResult) -> None:
    """Frictionless's verdict on the rows the pandas screen doubts, each as our message."""
    rules = {r.name: r for r in cells.rules(result.resource)}
    candidates = cells.candidate_rows(frame, result.resource, columns)
    for e in cells.frictionless_check(frame, candidates, result.resource):
        if e.field == "org_code" and e.position in no_org:
            continue
        result.problems.append(error(
            f"schema-{e.kind}", result.file, cells.message(rules[e.field], e.cell),
            row=int(lines[e.position]), field=e.field, org_code=org.iloc[e.position] or None, year=result.year))


def _unheld_numbers(frame: pd.DataFrame, typed: pd.DataFrame, columns: dict, lines: np.ndarray, org: pd.Series,
                    result: FileResult) -> None:
    """A value Frictionless accepted but pandas cannot hold (rare forms such as '1e400'): say so."""
    flagged = {(p.row, p.field) for p in result.problems}
    for rule in cells.rules(result.resource):
        if rule.type not in ("integer", "number"):
            continue
        lost = typed[rule.name].isna().to_numpy() & ~columns[rule.name].spread(columns[rule.name].missing)
        for i in np.flatnonzero(lost):
            if (int(lines[i]), rule.name) not in flagged:
                result.problems.append(error(
                    "schema-type-error", result.file, cells.message(rule, frame[rule.name].iloc[i]),
                    row=int(lines[i]), field=rule.name, org_code=org.iloc[i] or None, year=result.year))


def left_out_suffix(p: Problem, file: str, year: int | None, orgs_known: bool) -> Problem:
    """Say, in the message, what a file-level problem leaves out."""
    if year is None:
        return p
    if orgs_known:
        tail = f" Every return in {file} is left out until this is fixed."
    else:
        tail = f" Every return of {year} is left out until this is fixed, since the rows of {file} cannot be read."
    return replace(p, message=p.message.rstrip(". ;") + "." + tail)
