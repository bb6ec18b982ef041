"""`validate_path`: check a data folder (or one year's return) and hand on a `Dataset`.

Order of work, and why:

1. The register is read first: without it no org_code can be judged, so a
   missing or unreadable register is the one thing that stops everything
   (`DataFolderError`, exit 2). A bad register *row* only leaves out that
   organisation's returns.
2. Each file is read once (`read.read_table`: size, encoding, header), screened
   in pandas and checked by Frictionless against its schema (`cells`), then
   judged by the WRES rules of `checks`. Every problem is tied to the
   organisation and year of its row wherever the row names one.
3. A return (organisation, year) with any error is left out; a problem that
   cannot be tied to one organisation (a broken header, an unreadable or
   missing file) leaves out every return it touches, and its message says so.
   Nothing else is left out: one broken return never hides another's problems
   and never takes another return or another year with it.
4. Plausibility warnings are added last; they never change what is published.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..model import resources, spec
from ..model.dataset import Dataset
from ..model.problems import Problem, error, warning
from ..model.problems import cap as cap_problems
from ..model.settings import Settings
from . import cache, cells, checks
from .read import MAX_BYTES, RawTable, not_utf8, read_table, sha256_of

#: The bundled register and collections, used when checking a single year folder.
BUNDLED_DATA = resources.resource("data")

#: Read problems that make a whole file untrustworthy.
_FILE_LEVEL = {"wrong-delimiter", "title-above-header", "unreadable-file", "file-too-large", "not-utf8", "nul-byte",
               "unreadable-csv", "empty-file", "missing-column", "duplicate-column"}


class DataFolderError(Exception):
    """Validation cannot run at all: no such folder, or no readable register."""


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


def _empty_typed(resource: str) -> pd.DataFrame:
    return _empty_typed_cached(resource).copy()


@functools.cache
def _empty_typed_cached(resource: str) -> pd.DataFrame:
    names = list(cells.field_names(resource))
    t = cells.typed(pd.DataFrame({n: pd.Series([], dtype="str") for n in names}), resource)
    t["_line"] = pd.Series([], dtype="int64")
    t["_org"] = pd.Series([], dtype="str")
    return t


def check_file(path: Path, file: str, resource: str, year: int | None) -> FileResult:
    """Read one file and run its schema checks and its duplicate-key check."""
    names = list(cells.field_names(resource))
    raw: RawTable = read_table(path, file, names, year=year, max_bytes=MAX_BYTES)
    result = FileResult(resource, file, year, _empty_typed(resource))
    for p in raw.problems:
        (result.blockers if p.code in _FILE_LEVEL else result.problems).append(p)
    if not raw.header or "org_code" not in raw.header:
        result.orgs_known = False
        return result
    frame = pd.DataFrame(raw.rows, columns=raw.header, dtype="str") if raw.rows else \
        pd.DataFrame({h: pd.Series([], dtype="str") for h in raw.header})
    frame = frame.loc[:, ~frame.columns.duplicated()]
    for n in names:
        if n not in frame:
            frame[n] = ""
    frame = frame[names].reset_index(drop=True)
    lines = np.asarray(raw.lines, dtype="int64")
    org = org_keys(frame["org_code"])

    no_org = np.flatnonzero((frame["org_code"] == "").to_numpy())
    if len(no_org):
        where = ", ".join(str(lines[i]) for i in no_org[:5]) + (" ..." if len(no_org) > 5 else "")
        result.blockers.append(error(
            "no-org-code", file,
            f"line{'s' if len(no_org) > 1 else ''} {where} of {file} ha{'ve' if len(no_org) > 1 else 's'} "
            f"no org_code, so {'they' if len(no_org) > 1 else 'it'} cannot be tied to a return; org_code "
            f"must be an ODS code such as XAA01",
            row=int(lines[no_org[0]]), field="org_code", year=year))
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
        result.problems.append(not_utf8(file, bad[0], raw.bad_lines[bad[0]], year=year, org_code=code,
                                        more=len(bad) - 1))
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
    for line, count in raw.ragged.items():
        i = int(np.searchsorted(lines, line))
        result.problems.append(error(
            "ragged-line", file,
            f"line {line} has {count:,} cell{'s' if count != 1 else ''} but the header has "
            f"{raw.width or len(raw.header):,}; "
            f"every line must have one cell per column ({', '.join(raw.header)}); check for a stray or "
            f"missing comma",
            row=line, org_code=org.iloc[i] or None, year=year))

    rules = {r.name: r for r in cells.rules(resource)}
    columns = cells.distinct_columns(frame, resource)
    # Cells are still checked when the only whole-file problems are rows without org_code or
    # missing optional columns (read as empty): the other returns' problems are not hidden.
    if all(p.code == "no-org-code" or (p.code == "missing-column" and not rules[p.field].required)
           for p in result.blockers):
        seen_missing_org = set(no_org.tolist())
        for e in cells.frictionless_check(frame, cells.candidate_rows(frame, resource, columns), resource):
            if e.field == "org_code" and e.position in seen_missing_org:
                continue
            result.problems.append(error(
                f"schema-{e.kind}", file, cells.message(rules[e.field], e.cell),
                row=int(lines[e.position]), field=e.field, org_code=org.iloc[e.position] or None, year=year))
    typed = cells.typed(frame, resource, columns)
    # A value Frictionless accepted but pandas cannot hold (rare forms such as '1e400'): say so.
    flagged = {(p.row, p.field) for p in result.problems}
    for rule in cells.rules(resource):
        if rule.type not in ("integer", "number"):
            continue
        lost = typed[rule.name].isna().to_numpy() & ~columns[rule.name].spread(columns[rule.name].missing)
        for i in np.flatnonzero(lost):
            if (int(lines[i]), rule.name) not in flagged:
                result.problems.append(error(
                    "schema-type-error", file, cells.message(rule, frame[rule.name].iloc[i]),
                    row=int(lines[i]), field=rule.name, org_code=org.iloc[i] or None, year=year))
    typed["_line"] = lines
    typed["_org"] = org.to_numpy()
    typed = typed[frame["org_code"].to_numpy() != ""]
    result.typed = typed
    result.orgs = set(typed["_org"].unique()) | damaged_orgs
    if raw.readable:
        result.problems.extend(checks.check_duplicate_keys(typed, spec.KEYS[resource], file, year))
    return result


def _left_out_suffix(p: Problem, file: str, year: int | None, orgs_known: bool) -> Problem:
    """Say, in the message, what a file-level problem leaves out."""
    if year is None:
        return p
    if orgs_known:
        tail = f" Every return in {file} is left out until this is fixed."
    else:
        tail = f" Every return of {year} is left out until this is fixed, since the rows of {file} cannot be read."
    return replace(p, message=p.message.rstrip(". ;") + "." + tail)


# ----------------------------------------------------------------------------- register and collections


def _load_register(path: Path, label: str) -> tuple[pd.DataFrame, list[Problem], set[str], set[str]]:
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


def _collections_row(year: int, indicators: str = "1-9", note: object = pd.NA) -> dict:
    return {"year": year, "snapshot_date": f"{year}-03-31", "indicators": indicators, "note": note,
            "collected": spec.parse_indicator_list(indicators)}


def _read_collections(path: Path, label: str) -> tuple[pd.DataFrame, list[Problem]]:
    """collections.csv: typed rows and problems. Never raises for bad content."""
    names = list(cells.field_names("collections"))
    raw = read_table(path, label, names)
    problems = list(raw.problems)
    empty = pd.DataFrame(columns=["year", "snapshot_date", "indicators", "note", "collected"])
    if not raw.readable or not raw.header:
        return empty, problems
    frame = pd.DataFrame(raw.rows, columns=raw.header, dtype="str") if raw.rows else \
        pd.DataFrame({h: pd.Series([], dtype="str") for h in raw.header})
    frame = frame.loc[:, ~frame.columns.duplicated()][names].reset_index(drop=True)
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
    return (pd.DataFrame(rows) if rows else empty), problems


# ----------------------------------------------------------------------------- one year


@dataclass
class YearResult:
    year: int
    files: dict[str, FileResult]
    problems: list[Problem]
    #: (problem, organisations it leaves out, or None for every return of the year)
    blockers: list[tuple[Problem, set[str] | None]]


def check_year(year_dir: Path, prefix: str, year: int, collected: tuple[int, ...], register_codes: set[str],
               settings: Settings, root: Path | None = None) -> YearResult:
    """Every check of one year folder that needs nothing from other years.

    `root`: the data folder, out of which no link may lead (default: the year folder itself).
    """
    problems: list[Problem] = checks.check_year_entries(year_dir, prefix, year)
    blockers: list[tuple[Problem, set[str] | None]] = []
    refused: set[str] = set()
    for r in spec.YEAR_RESOURCES:
        link = checks.link_problem(year_dir / f"{r}.csv", root or year_dir, f"{prefix}{r}.csv", year)
        if link is None and (year_dir / f"{r}.csv").exists() and not (year_dir / f"{r}.csv").is_file():
            link = error("not-a-file", f"{prefix}{r}.csv",
                         f"{prefix}{r}.csv is not a file (a folder, or a device or pipe), so it was not read; "
                         f"put the CSV file itself there", year=year)
        if link is not None:
            refused.add(r)
            blockers.append((replace(link, message=link.message + f"; every return of {year} is left out "
                                     f"until then"), None))
    found = [r for r in spec.YEAR_RESOURCES if r not in refused and (year_dir / f"{r}.csv").is_file()]
    for r in spec.OPTIONAL_RESOURCES:
        if r in found and os.stat(year_dir / f"{r}.csv").st_size == 0:
            found.remove(r)
            problems.append(warning(
                "empty-optional-file", f"{prefix}{r}.csv",
                f"{prefix}{r}.csv is empty (0 bytes), so it is treated as absent: {r}.csv is optional. Delete it, "
                f"or give it its header line ({', '.join(cells.field_names(r))}) and its rows", year=year))
    for p in checks.check_parts_present(found + sorted(refused), collected, prefix, year):
        blockers.append((p, None))
    problems += checks.check_not_collected(found, collected, prefix, year)
    wanted = set(spec.required_resources(collected)) | set(spec.OPTIONAL_RESOURCES)
    files: dict[str, FileResult] = {}
    for resource in found:
        if resource not in wanted:
            continue
        file = f"{prefix}{resource}.csv"
        res = check_file(year_dir / f"{resource}.csv", file, resource, year)
        files[resource] = res
        problems += res.problems
        for p in res.blockers:
            blockers.append((_left_out_suffix(p, file, year, res.orgs_known),
                             res.orgs if res.orgs_known else None))

    t = {r: f.typed for r, f in files.items()}
    present = {f.file: f.orgs for f in files.values() if f.orgs_known}
    problems += checks.check_return_complete(present, spec.required_resources(collected), year)
    problems += checks.check_in_register({f.file: f.typed for f in files.values()}, register_codes, year)
    if "workforce" in t:
        problems += checks.check_band_in_group(t["workforce"], files["workforce"].file, year)
    if "recruitment" in t:
        problems += checks.check_not_above(t["recruitment"], files["recruitment"].file, year, "appointed",
                                           "shortlisted", "appointed counts those shortlisted who were appointed")
        problems += checks.warn_appointed_close_to_shortlisted(t["recruitment"], files["recruitment"].file,
                                                               year, settings)
    if "board" in t:
        for part in ("voting_members", "executive_members"):
            problems += checks.check_not_above(t["board"], files["board"].file, year, part, "members",
                                               f"{part} are counted among all board members")
    if "training" in t and "workforce" in t:
        problems += checks.check_training_within_headcount(t["training"], t["workforce"],
                                                           files["training"].file, year)
        problems += checks.warn_training_share(t["training"], t["workforce"], files["training"].file,
                                               year, settings)
    if "disciplinary" in t and "workforce" in t:
        problems += checks.check_disciplinary_within_headcount(t["disciplinary"], t["workforce"],
                                                               files["disciplinary"].file, year)
    if "pay" in t:
        problems += checks.check_hourly_pay(t["pay"], files["pay"].file, year)
    if "returns" in t:
        # Only links the schema accepted: a cell already reported is not reported twice.
        seen = {(p.file, p.row, p.field) for p in problems}
        problems += [p for p in checks.check_links(t["returns"], ["report_url", "action_plan_url"],
                                                   files["returns"].file, year)
                     if (p.file, p.row, p.field) not in seen]
    return YearResult(year, files, problems, blockers)


# ----------------------------------------------------------------------------- the whole folder


def _is_year_folder(path: Path) -> bool:
    """A folder holding a year's CSV files (or named as a year) rather than a whole data folder."""
    if (path / spec.REGISTER_FILE).exists():
        return False
    return bool(spec.YEAR_DIR_RE.match(path.name)) or any((path / f"{r}.csv").is_file() for r in spec.YEAR_RESOURCES)


def validate_path(path: Path, register: Path | None = None, *, settings: Settings | None = None,
                  year_cache: Path | None = None, pool=None) -> Dataset:  # noqa: ANN001
    """Validate a data folder, or a single year folder such as `my-return/2024/`.

    A single year folder takes its year from its name and is checked against
    `register` (default: the bundled data/organisations.csv) and the bundled
    collections.csv (indicators 1-9 assumed, with a warning, when that year is
    not listed). Raises `DataFolderError` only when nothing can be checked.

    With `year_cache` (a folder), each year folder's checks are kept by a hash
    of everything they depend on, so a rebuild after one return changed
    re-checks only that return's year. With `pool`, year folders are shared
    with another process (see check_years).
    """
    path = Path(path)
    settings = settings or Settings()
    if not path.exists():
        raise DataFolderError(f"no such folder: {path}")
    if not path.is_dir():
        raise DataFolderError(f"{path} is a file; give the data folder (or a year folder) that holds it")
    single = _is_year_folder(path)
    problems: list[Problem] = []
    checksums: dict[str, str] = {}
    coll_link: Problem | None = None

    if single:
        if not spec.YEAR_DIR_RE.match(path.name):
            raise DataFolderError(
                f"{path} holds return files but is not named as a year, so the year is unknown; put the "
                f"files in a folder named for the collection year, e.g. {path / '2024'}")
        if not spec.is_collection_year(int(path.name)):
            raise DataFolderError(
                f"{path} is named as the year {int(path.name)}, which is not a WRES collection year (from "
                f"{spec.FIRST_YEAR} to {spec.last_year()}); name the folder for the collection year, e.g. 2024")
        years_dirs = {int(path.name): path}
        reg_path = Path(register) if register else BUNDLED_DATA / spec.REGISTER_FILE
        reg_label = str(register) if register else f"{spec.REGISTER_FILE} (bundled register)"
        coll_path, coll_label = BUNDLED_DATA / spec.COLLECTIONS_FILE, f"{spec.COLLECTIONS_FILE} (bundled)"
    else:
        years_dirs = {int(p.name): p for p in sorted(path.iterdir())
                      if p.is_dir() and spec.YEAR_DIR_RE.match(p.name) and spec.is_collection_year(int(p.name))
                      and checks.link_problem(p, path, p.name) is None}
        reg_path = Path(register) if register else path / spec.REGISTER_FILE
        reg_label = spec.REGISTER_FILE if not register else str(register)
        coll_path, coll_label = path / spec.COLLECTIONS_FILE, spec.COLLECTIONS_FILE
        problems += checks.check_year_folders(path)
        if not register:
            link = checks.link_problem(reg_path, path, reg_label)
            if link is not None:
                raise DataFolderError(link.message.replace(", so it was not read", ", so it was not read and "
                                                           "nothing can be checked"))
        coll_link = checks.link_problem(coll_path, path, coll_label)
        if coll_link is not None:
            problems.append(replace(coll_link, message=coll_link.message + "; every year folder is checked as "
                                    "if indicators 1-9 were collected"))

    reg, reg_problems, listed, bad_orgs = _load_register(reg_path, reg_label)
    problems += reg_problems
    checksums[spec.REGISTER_FILE if not single or not register else reg_path.name] = sha256_of(reg_path) or ""

    # Collections: what each year collected.
    if coll_path.is_file() and coll_link is None:
        collections, coll_problems = _read_collections(coll_path, coll_label)
        if not single:
            problems += coll_problems
            checksums[spec.COLLECTIONS_FILE] = sha256_of(coll_path) or ""
    else:
        collections = pd.DataFrame(columns=["year", "snapshot_date", "indicators", "note", "collected"])
        if not single:
            if coll_link is None:  # (else said above)
                problems.append(error(
                    "collections-missing", spec.COLLECTIONS_FILE,
                    f"{spec.COLLECTIONS_FILE} is missing: it lists each collection year and what was collected; "
                    f"every year folder is checked as if indicators 1-9 were collected"))
            collections = pd.DataFrame([_collections_row(y) for y in years_dirs])
    listed_years = {int(y) for y in collections["year"]}
    if single:
        (year,) = years_dirs
        if year not in listed_years:
            problems.append(warning(
                "collections-assumed", f"{year}/",
                f"{year} is not in the bundled {spec.COLLECTIONS_FILE}; checked as if indicators 1-9 were "
                f"collected", year=year))
            collections = pd.DataFrame([_collections_row(year)])
    else:
        problems += checks.check_years_in_collections(years_dirs, listed_years)
        problems += checks.check_collections_have_folders(listed_years, set(years_dirs))
    collections = collections[collections["year"].isin(list(years_dirs))].sort_values("year").reset_index(drop=True)
    collected_of = {int(r["year"]): tuple(r["collected"]) for _, r in collections.iterrows()}

    jobs: list[YearJob] = []
    unlisted: set[int] = set()
    for year, ydir in sorted(years_dirs.items()):
        prefix = f"{ydir.name}/"
        for f in sorted(ydir.glob("*.csv")):
            digest = sha256_of(f) if f.is_file() and checks.is_inside(f, path) else None
            if digest:
                checksums[f"{prefix}{f.name}"] = digest
        if year not in collected_of:
            unlisted.add(year)
            collected = spec.INDICATORS
        else:
            collected = collected_of[year]
        jobs.append(YearJob(year, ydir, prefix, collected, path))
    year_results = check_years(jobs, year_cache, checksums, listed, settings, pool)

    return _assemble(path, reg, collections, year_results, problems, bad_orgs, unlisted, settings, checksums)


@dataclass(frozen=True)
class YearJob:
    """One year folder to check (see check_year)."""

    year: int
    ydir: Path
    prefix: str
    collected: tuple[int, ...]
    #: The data folder, out of which no link may lead (None: the year folder itself).
    root: Path | None = None


def check_years(jobs: list[YearJob], year_cache: Path | None, checksums: dict[str, str], listed: set[str],
                settings: Settings, pool=None) -> dict[int, YearResult]:  # noqa: ANN001
    """Every year folder's checks, by year; with `pool` (anything with `submit`, e.g. the build's
    spawned helper process), shared between this process and that one.

    Years are independent, so the build splits them: this process takes years
    from the first on, the other from the last, each year claimed by creating
    a file, so that each is checked exactly once. The other process needs
    half a second to start, so on small data this one has claimed every year
    before it starts, and nothing is waited for. A year the other process
    claimed but did not deliver (it failed) is checked here. Either way the
    results are those of check_year, whichever process ran it.
    """
    if pool is None or len(jobs) < 2:
        return {j.year: _check_year_cached(year_cache, checksums, listed, settings, j) for j in jobs}
    import tempfile

    results: dict[int, YearResult] = {}
    with tempfile.TemporaryDirectory(prefix="wres-years-") as folder:
        claims = os.path.join(folder, "open")
        os.mkdir(claims)
        future = pool.submit(check_claimed_years, claims, list(reversed(jobs)), year_cache, checksums, listed,
                             settings)
        for job in jobs:
            if claim_year(claims, job.year):
                results[job.year] = _check_year_cached(year_cache, checksums, listed, settings, job)
        if len(results) < len(jobs):
            try:
                results.update(future.result())
            except Exception:  # the other process failed: its years are checked below
                pass
        # Closed in one step before the folder is removed: a claim the other process tries from now
        # on finds no folder (claim_year: False) rather than creating a file while it is being removed.
        os.rename(claims, os.path.join(folder, "over"))
    for job in jobs:
        if job.year not in results:
            results[job.year] = _check_year_cached(year_cache, checksums, listed, settings, job)
    return {j.year: results[j.year] for j in jobs}


def claim_year(claims: str | Path, year: int) -> bool:
    """True when this process is the first to claim `year` (False, too, once the claims are closed)."""
    try:
        os.close(os.open(os.path.join(claims, str(year)), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except OSError:  # claimed already (FileExistsError), or the checking is over (FileNotFoundError)
        return False
    return True


def check_claimed_years(claims: str, jobs: list[YearJob], year_cache: Path | None, checksums: dict[str, str],
                        listed: set[str], settings: Settings) -> dict[int, YearResult]:
    """The other process's half of check_years: every year it can claim, in the order given."""
    return {job.year: _check_year_cached(year_cache, checksums, listed, settings, job)
            for job in jobs if claim_year(claims, job.year)}


def _check_year_cached(year_cache: Path | None, checksums: dict[str, str], listed: set[str], settings: Settings,
                       job: YearJob) -> YearResult:
    """check_year, reused when the year's files, collections, register codes and settings are unchanged."""
    ydir, prefix, year, collected = job.ydir, job.prefix, job.year, job.collected
    if year_cache is None:
        return check_year(ydir, prefix, year, collected, listed, settings, job.root)
    import hashlib


    entries = sorted(e.name for e in ydir.iterdir())
    key_text = repr((cache.code_hash(), year, prefix, collected, sorted(listed), repr(settings), entries,
                     sorted((k, v) for k, v in checksums.items() if k.startswith(prefix))))
    key = hashlib.sha256(key_text.encode("utf-8", "surrogateescape")).hexdigest()
    path = Path(year_cache) / f"{year}-{key}.pickle"
    result = cache.read_kept(path)
    if result is None:
        result = check_year(ydir, prefix, year, collected, listed, settings, job.root)
        cache.keep(path, result, replacing=f"{year}-*.pickle")  # one entry a year: the last
    return result


def _assemble(root: Path, register: pd.DataFrame, collections: pd.DataFrame, year_results: dict[int, YearResult],
              problems: list[Problem], bad_orgs: set[str], unlisted: set[int], settings: Settings,
              checksums: dict[str, str]) -> Dataset:
    """Decide each return's status, stack the published rows, add the cross-year warnings."""
    rows = []
    published: dict[int, set[str]] = {}
    for year, yr in year_results.items():
        problems += yr.problems
        problems += [p for p, _ in yr.blockers]
        everyone = set().union(*(f.orgs for f in yr.files.values())) if yr.files else set()
        errors: dict[str, int] = {o: 0 for o in everyone}
        warns: dict[str, int] = {o: 0 for o in everyone}
        for p in yr.problems:
            if p.org_code in errors:
                (errors if p.is_error else warns)[p.org_code] += 1
        for _i, (p, orgs) in enumerate(yr.blockers):
            hit = everyone if orgs is None else orgs
            for o in hit:
                errors[o] += 1
            if len(hit) == 1 and p.org_code is None:
                # A year (or file) holding one organisation's return: the problem is that return's.
                problems[problems.index(p)] = replace(p, org_code=next(iter(hit)))
        for o in everyone:
            if o in bad_orgs:
                errors[o] += 1
            if year in unlisted:
                errors[o] += 1
        ret = yr.files.get("returns")
        meta_cols = ["submitted_on", "report_url", "action_plan_url"]
        # Each return's own returns.csv row (its first), looked up in a dict: a year has ~250 returns.
        meta: dict[str, tuple] = {}
        if ret is not None and len(ret.typed):
            first = ret.typed.drop_duplicates("_org")
            meta = dict(zip(first["_org"], zip(*(first[c] for c in meta_cols))))
        # A cell validation rejected (a javascript: report_url, say) is never handed on, even for a
        # return that is left out: the API and pages show left-out returns' links too.
        rejected = {(p.org_code, p.field) for p in yr.problems
                    if p.is_error and p.field in meta_cols and ret is not None and p.file == ret.file}
        published[year] = set()
        for o in sorted(everyone):
            status = "left_out" if errors[o] else ("published_with_warnings" if warns[o] else "published")
            if status != "left_out":
                published[year].add(o)
            m = tuple(pd.NA if (o, c) in rejected else v
                      for c, v in zip(meta_cols, meta.get(o, (pd.NA, pd.NA, pd.NA))))
            rows.append({
                "org_code": o, "year": year, "status": status, "errors": errors[o], "warnings": warns[o],
                "files": ";".join(r for r, f in yr.files.items() if o in f.orgs),
                **dict(zip(meta_cols, m)),
            })

    tables = {r: _stack(r, year_results, published) for r in spec.YEAR_RESOURCES}

    # Cross-year plausibility: headcount change without a merger (published returns only).
    wf = tables["workforce"]
    if len(wf):
        g = wf.groupby(["org_code", "year"])["headcount"]
        totals = g.sum().to_frame("headcount")
        totals["complete"] = g.count() == g.size()
        totals = totals[totals["complete"]].reset_index()[["org_code", "year", "headcount"]]
        totals["headcount"] = totals["headcount"].astype("int64")
        files = {y: f"{y}/workforce.csv" for y in year_results}
        hc = checks.warn_headcount_change(totals, checks.merged_organisations(register), settings, files)
        problems += hc
        for p in hc:
            for r in rows:
                if r["org_code"] == p.org_code and r["year"] == p.year:
                    r["warnings"] += 1
                    if r["status"] == "published":
                        r["status"] = "published_with_warnings"

    returns = pd.DataFrame(rows, columns=["org_code", "year", "status", "errors", "warnings", "files",
                                          "submitted_on", "report_url", "action_plan_url"])
    returns["year"] = returns["year"].astype("int64")
    returns["errors"] = returns["errors"].astype("int64")
    returns["warnings"] = returns["warnings"].astype("int64")
    problems = cap_problems(sorted(set(problems), key=Problem.sort_key))
    return Dataset(root=root, register=register, collections=collections, tables=tables, returns=returns,
                   problems=problems, checksums=dict(sorted(checksums.items())))


def _stack(resource: str, year_results: dict[int, YearResult], published: dict[int, set[str]]) -> pd.DataFrame:
    """All years of one resource, `year` first, published returns only."""
    parts = []
    for year, yr in sorted(year_results.items()):
        f = yr.files.get(resource)
        if f is None or not len(f.typed):
            continue
        t = f.typed[f.typed["_org"].isin(published[year])]
        if len(t):
            parts.append(t.drop(columns=["_line", "_org"]).assign(year=year))
    empty = _empty_typed(resource).drop(columns=["_line", "_org"]).assign(year=pd.Series([], dtype="int64"))
    out = pd.concat(parts, ignore_index=True) if parts else empty
    cols = ["year"] + [c for c in empty.columns if c != "year"]
    out = out[cols].reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    for rule in cells.rules(resource):
        if rule.type == "integer" and rule.required and not out[rule.name].isna().any():
            out[rule.name] = out[rule.name].astype("int64")
        elif rule.type == "integer":
            out[rule.name] = out[rule.name].astype("Int64")
        elif rule.type not in ("number",) and out[rule.name].dtype != "str":
            # (cells.typed already gives text columns this dtype; only an odd concatenation needs it)
            out[rule.name] = out[rule.name].astype("str").where(out[rule.name].notna(), pd.NA) \
                if len(out) else out[rule.name].astype("str")
    return out


#: dataset.py's docstring names `validate.load`; the same function.
load = validate_path
