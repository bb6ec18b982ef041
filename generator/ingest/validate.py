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

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ..model import resources, spec
from ..model.dataset import Dataset
from ..model.problems import Problem, error, warning
from ..model.problems import cap as cap_problems
from ..model.settings import Settings
from . import cells, checks, folders
from .file_check import FileResult, check_file, empty_typed, org_keys  # noqa: F401 (validate's names)
from .read import sha256_of
from .registers import DataFolderError, collections_row, load_register, read_collections, with_ods_rows
from .years import YearJob, YearResult, check_year, check_years  # noqa: F401

#: The bundled register and collections, used when checking a single year folder.
BUNDLED_DATA = resources.resource("data")


def _is_year_folder(path: Path) -> bool:
    """A folder holding a year's CSV files (or named as a year) rather than a whole data folder."""
    if (path / spec.REGISTER_FILE).exists():
        return False
    return bool(spec.YEAR_DIR_RE.match(path.name)) or any((path / f"{r}.csv").is_file() for r in spec.YEAR_RESOURCES)


@dataclass
class _Sources:
    """Where a check reads from: the year folders, the register and collections.csv, and their labels."""

    single: bool
    years_dirs: dict[int, Path]
    reg_path: Path
    reg_label: str
    coll_path: Path
    coll_label: str
    coll_link: Problem | None = None
    problems: list[Problem] = field(default_factory=list)


def _single_year_sources(path: Path, register: Path | None) -> _Sources:
    if not spec.YEAR_DIR_RE.match(path.name):
        raise DataFolderError(
            f"{path} holds return files but is not named as a year, so the year is unknown; put the "
            f"files in a folder named for the collection year, e.g. {path / '2024'}")
    if not spec.is_collection_year(int(path.name)):
        raise DataFolderError(
            f"{path} is named as the year {int(path.name)}, which is not a WRES collection year (from "
            f"{spec.FIRST_YEAR} to {spec.last_year()}); name the folder for the collection year, e.g. 2024")
    return _Sources(True, {int(path.name): path},
                    Path(register) if register else BUNDLED_DATA / spec.REGISTER_FILE,
                    str(register) if register else f"{spec.REGISTER_FILE} (bundled register)",
                    BUNDLED_DATA / spec.COLLECTIONS_FILE, f"{spec.COLLECTIONS_FILE} (bundled)")


def _folder_sources(path: Path, register: Path | None) -> _Sources:
    years_dirs = {int(p.name): p for p in sorted(path.iterdir())
                  if p.is_dir() and spec.YEAR_DIR_RE.match(p.name) and spec.is_collection_year(int(p.name))
                  and folders.link_problem(p, path, p.name) is None}
    src = _Sources(False, years_dirs, Path(register) if register else path / spec.REGISTER_FILE,
                   spec.REGISTER_FILE if not register else str(register),
                   path / spec.COLLECTIONS_FILE, spec.COLLECTIONS_FILE)
    src.problems += folders.check_year_folders(path)
    if not register:
        link = folders.link_problem(src.reg_path, path, src.reg_label)
        if link is not None:
            raise DataFolderError(link.message.replace(", so it was not read", ", so it was not read and "
                                                       "nothing can be checked"))
    src.coll_link = folders.link_problem(src.coll_path, path, src.coll_label)
    if src.coll_link is not None:
        src.problems.append(replace(src.coll_link, message=src.coll_link.message + "; every year folder is "
                                    "checked as if indicators 1-9 were collected"))
    return src


def _collections(src: _Sources, checksums: dict[str, str]) -> pd.DataFrame:
    """What each year folder collected (problems added to `src.problems`)."""
    problems, years_dirs = src.problems, src.years_dirs
    if src.coll_path.is_file() and src.coll_link is None:
        collections, coll_problems = read_collections(src.coll_path, src.coll_label)
        if not src.single:
            problems += coll_problems
            checksums[spec.COLLECTIONS_FILE] = sha256_of(src.coll_path) or ""
    else:
        collections = pd.DataFrame(columns=["year", "snapshot_date", "indicators", "note", "collected"])
        if not src.single:
            if src.coll_link is None:  # (else said above)
                problems.append(error(
                    "collections-missing", spec.COLLECTIONS_FILE,
                    f"{spec.COLLECTIONS_FILE} is missing: it lists each collection year and what was collected; "
                    f"every year folder is checked as if indicators 1-9 were collected"))
            collections = pd.DataFrame([collections_row(y) for y in years_dirs])
    listed_years = {int(y) for y in collections["year"]}
    if src.single:
        (year,) = years_dirs
        if year not in listed_years:
            problems.append(warning(
                "collections-assumed", f"{year}/",
                f"{year} is not in the bundled {spec.COLLECTIONS_FILE}; checked as if indicators 1-9 were "
                f"collected", year=year))
            collections = pd.DataFrame([collections_row(year)])
    else:
        problems += folders.check_years_in_collections(years_dirs, listed_years)
        problems += folders.check_collections_have_folders(listed_years, set(years_dirs))
    return collections[collections["year"].isin(list(years_dirs))].sort_values("year").reset_index(drop=True)


def validate_path(path: Path, register: Path | None = None, *, settings: Settings | None = None,
                  year_cache: Path | None = None) -> Dataset:
    """Validate a data folder, or a single year folder such as `my-return/2024/`.

    A single year folder takes its year from its name and is checked against
    `register` (default: the bundled data/organisations.csv) and the bundled
    collections.csv (indicators 1-9 assumed, with a warning, when that year is
    not listed). Raises `DataFolderError` only when nothing can be checked.

    With `year_cache` (a folder), each year folder's checks are kept by a hash
    of everything they depend on, so a rebuild after one return changed
    re-checks only that return's year.
    """
    path = Path(path)
    settings = settings or Settings()
    if not path.exists():
        raise DataFolderError(f"no such folder: {path}")
    if not path.is_dir():
        raise DataFolderError(f"{path} is a file; give the data folder (or a year folder) that holds it")
    src = _single_year_sources(path, register) if _is_year_folder(path) else _folder_sources(path, register)
    checksums: dict[str, str] = {}
    reg, reg_problems, listed, bad_orgs = load_register(src.reg_path, src.reg_label)
    src.problems += reg_problems
    checksums[spec.REGISTER_FILE if not src.single or not register else src.reg_path.name] = \
        sha256_of(src.reg_path) or ""
    collections = _collections(src, checksums)
    collected_of = {int(r["year"]): tuple(r["collected"]) for _, r in collections.iterrows()}

    jobs: list[YearJob] = []
    unlisted: set[int] = set()
    for year, ydir in sorted(src.years_dirs.items()):
        prefix = f"{ydir.name}/"
        for f in sorted(ydir.glob("*.csv")):
            digest = sha256_of(f) if f.is_file() and folders.is_inside(f, path) else None
            if digest:
                checksums[f"{prefix}{f.name}"] = digest
        if year not in collected_of:
            unlisted.add(year)
        jobs.append(YearJob(year, ydir, prefix, collected_of.get(year, spec.INDICATORS), path, src.reg_label))
    year_results = check_years(jobs, year_cache, checksums, listed, settings)
    # Organisations found only in the shipped NHS ODS register: their rows are taken from it.
    reg = with_ods_rows(reg, {p.org_code for yr in year_results.values() for p in yr.problems
                              if p.code == "register-fallback" and p.org_code})
    return _assemble(path, reg, collections, year_results, src.problems, bad_orgs, unlisted, settings, checksums)


_META = ["submitted_on", "report_url", "action_plan_url"]


def _assemble(root: Path, register: pd.DataFrame, collections: pd.DataFrame, year_results: dict[int, YearResult],
              problems: list[Problem], bad_orgs: set[str], unlisted: set[int], settings: Settings,
              checksums: dict[str, str]) -> Dataset:
    """Decide each return's status, stack the published rows, add the cross-year warnings."""
    rows = []
    published: dict[int, set[str]] = {}
    for year, yr in year_results.items():
        year_rows = _year_returns(yr, problems, bad_orgs, year in unlisted)
        published[year] = {r["org_code"] for r in year_rows if r["status"] != "left_out"}
        rows += year_rows
    tables = {r: _stack(r, year_results, published) for r in spec.YEAR_RESOURCES}
    problems += _headcount_warnings(tables["workforce"], register, settings, list(year_results), rows)
    returns = pd.DataFrame(rows, columns=["org_code", "year", "status", "errors", "warnings", "files", *_META])
    returns["year"] = returns["year"].astype("int64")
    returns["errors"] = returns["errors"].astype("int64")
    returns["warnings"] = returns["warnings"].astype("int64")
    problems = cap_problems(sorted(set(problems), key=Problem.sort_key))
    return Dataset(root=root, register=register, collections=collections, tables=tables, returns=returns,
                   problems=problems, checksums=dict(sorted(checksums.items())))


def _year_returns(yr: YearResult, problems: list[Problem], bad_orgs: set[str], unlisted: bool) -> list[dict]:
    """One row per return of the year, with its status; the year's problems added to `problems`."""
    year = yr.year
    problems += yr.problems
    problems += [p for p, _ in yr.blockers]
    everyone = set().union(*(f.orgs for f in yr.files.values())) if yr.files else set()
    errors: dict[str, int] = {o: 0 for o in everyone}
    warns: dict[str, int] = {o: 0 for o in everyone}
    for p in yr.problems:
        if p.org_code in errors:
            (errors if p.is_error else warns)[p.org_code] += 1
    for p, orgs in yr.blockers:
        hit = everyone if orgs is None else orgs
        for o in hit:
            errors[o] += 1
        if len(hit) == 1 and p.org_code is None:
            # A year (or file) holding one organisation's return: the problem is that return's.
            problems[problems.index(p)] = replace(p, org_code=next(iter(hit)))
    for o in everyone:
        errors[o] += (o in bad_orgs) + unlisted
    ret = yr.files.get("returns")
    # Each return's own returns.csv row (its first), looked up in a dict: a year has ~250 returns.
    meta: dict[str, tuple] = {}
    if ret is not None and len(ret.typed):
        first = ret.typed.drop_duplicates("_org")
        meta = dict(zip(first["_org"], zip(*(first[c] for c in _META))))
    # A cell validation rejected (a javascript: report_url, say) is never handed on, even for a
    # return that is left out: the API and pages show left-out returns' links too.
    rejected = {(p.org_code, p.field) for p in yr.problems
                if p.is_error and p.field in _META and ret is not None and p.file == ret.file}
    rows = []
    for o in sorted(everyone):
        status = "left_out" if errors[o] else ("published_with_warnings" if warns[o] else "published")
        m = tuple(pd.NA if (o, c) in rejected else v for c, v in zip(_META, meta.get(o, (pd.NA, pd.NA, pd.NA))))
        rows.append({"org_code": o, "year": year, "status": status, "errors": errors[o], "warnings": warns[o],
                     "files": ";".join(r for r, f in yr.files.items() if o in f.orgs), **dict(zip(_META, m))})
    return rows


def _headcount_warnings(wf: pd.DataFrame, register: pd.DataFrame, settings: Settings, years: list[int],
                        rows: list[dict]) -> list[Problem]:
    """Cross-year plausibility: headcount change without a merger (published returns only); each
    return warned about is counted in `rows`."""
    if not len(wf):
        return []
    g = wf.groupby(["org_code", "year"])["headcount"]
    totals = g.sum().to_frame("headcount")
    totals["complete"] = g.count() == g.size()
    totals = totals[totals["complete"]].reset_index()[["org_code", "year", "headcount"]]
    totals["headcount"] = totals["headcount"].astype("int64")
    files = {y: f"{y}/workforce.csv" for y in years}
    hc = checks.warn_headcount_change(totals, checks.merged_organisations(register), settings, files)
    for p in hc:
        for r in rows:
            if r["org_code"] == p.org_code and r["year"] == p.year:
                r["warnings"] += 1
                if r["status"] == "published":
                    r["status"] = "published_with_warnings"
    return hc


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
    empty = empty_typed(resource).drop(columns=["_line", "_org"]).assign(year=pd.Series([], dtype="int64"))
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
