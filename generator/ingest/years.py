"""One year folder's checks (`check_year`), and sharing the years between two processes (`check_years`).

Years are independent: every check here needs nothing from another year, so a
year folder's result can be kept by a hash of what it depends on (the year
cache) and years can be checked in either of two processes.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

from ..model import spec
from ..model.problems import Problem, error, warning
from ..model.settings import Settings
from . import cache, cells, checks, folders, registers, slips
from .file_check import FileResult, check_file, left_out_suffix


@dataclass
class YearResult:
    year: int
    files: dict[str, FileResult]
    problems: list[Problem]
    #: (problem, organisations it leaves out, or None for every return of the year)
    blockers: list[tuple[Problem, set[str] | None]]


Blockers = list[tuple[Problem, "set[str] | None"]]


def check_year(year_dir: Path, prefix: str, year: int, collected: tuple[int, ...], register_codes: set[str],
               settings: Settings, root: Path | None = None, register_label: str = spec.REGISTER_FILE) -> YearResult:
    """Every check of one year folder that needs nothing from other years.

    `root`: the data folder, out of which no link may lead (default: the year folder itself).
    An org_code not in `register_codes` (the register named `register_label`) is looked up in the
    shipped NHS ODS register (registers.ods_names).
    """
    problems: list[Problem] = folders.check_year_entries(year_dir, prefix, year)
    blockers: Blockers = []
    found = _files_to_read(year_dir, prefix, year, collected, root, problems, blockers)
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
            blockers.append((left_out_suffix(p, file, year, res.orgs_known),
                             res.orgs if res.orgs_known else None))
    present = {f.file: f.orgs for f in files.values() if f.orgs_known}
    problems += checks.check_return_complete(present, spec.required_resources(collected), year)
    by_file = {f.file: f.typed for f in files.values()}
    # The shipped ODS register is read (0.4 s) only when some code is not in the data folder's.
    unknown = any(not set(t["_org"].unique()) <= register_codes for t in by_file.values())
    problems += checks.check_in_register(by_file, register_codes, year, registers.ods_names() if unknown else {},
                                         register_label, registers.ODS_LABEL)
    problems += _rules_across_files(files, year, settings, problems)
    problems += slips.check_not_blank({r: (f.file, f.typed) for r, f in files.items()}, year)
    return YearResult(year, files, problems, blockers)


def _files_to_read(year_dir: Path, prefix: str, year: int, collected: tuple[int, ...], root: Path | None,
                   problems: list[Problem], blockers: Blockers) -> list[str]:
    """The resources whose files can be read; links out of the folder, things that are not files, empty
    optional files and missing or uncollected parts reported (into `problems` and `blockers`)."""
    refused: set[str] = set()
    for r in spec.YEAR_RESOURCES:
        link = folders.link_problem(year_dir / f"{r}.csv", root or year_dir, f"{prefix}{r}.csv", year)
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
    for p in folders.check_parts_present(found + sorted(refused), collected, prefix, year):
        blockers.append((p, None))
    problems += folders.check_not_collected(found, collected, prefix, year)
    return found


def _rules_across_files(files: dict[str, FileResult], year: int, settings: Settings,
                        so_far: list[Problem]) -> list[Problem]:
    """The WRES rules within a return, on each file and between files (`so_far`: cells reported already)."""
    t = {r: f.typed for r, f in files.items()}
    name = {r: f.file for r, f in files.items()}
    problems: list[Problem] = []
    if "workforce" in t:
        problems += checks.check_band_in_group(t["workforce"], name["workforce"], year)
    if "recruitment" in t:
        problems += checks.check_not_above(t["recruitment"], name["recruitment"], year, "appointed",
                                           "shortlisted", "appointed counts those shortlisted who were appointed")
        problems += checks.warn_appointed_close_to_shortlisted(t["recruitment"], name["recruitment"],
                                                               year, settings)
        problems += slips.warn_appointed_like_percent(t["recruitment"], name["recruitment"], year)
    if "staff_survey" in t:
        problems += slips.check_survey_fractions(t["staff_survey"], name["staff_survey"], year)
    if "board" in t:
        for part in ("voting_members", "executive_members"):
            problems += checks.check_not_above(t["board"], name["board"], year, part, "members",
                                               f"{part} are counted among all board members")
    if "training" in t and "workforce" in t:
        problems += checks.check_training_within_headcount(t["training"], t["workforce"], name["training"], year)
        problems += checks.warn_training_share(t["training"], t["workforce"], name["training"], year, settings)
    if "disciplinary" in t and "workforce" in t:
        problems += checks.check_disciplinary_within_headcount(t["disciplinary"], t["workforce"],
                                                               name["disciplinary"], year)
    if "pay" in t:
        problems += checks.check_hourly_pay(t["pay"], name["pay"], year)
    if "returns" in t:
        # Only links the schema accepted: a cell already reported is not reported twice.
        seen = {(p.file, p.row, p.field) for p in so_far}
        problems += [p for p in checks.check_links(t["returns"], ["report_url", "action_plan_url"],
                                                   name["returns"], year)
                     if (p.file, p.row, p.field) not in seen]
    return problems


@dataclass(frozen=True)
class YearJob:
    """One year folder to check (see check_year)."""

    year: int
    ydir: Path
    prefix: str
    collected: tuple[int, ...]
    #: The data folder, out of which no link may lead (None: the year folder itself).
    root: Path | None = None
    #: How messages name the register the codes were checked against.
    register_label: str = spec.REGISTER_FILE


def check_years(jobs: list[YearJob], year_cache: Path | None, checksums: dict[str, str], listed: set[str],
                settings: Settings) -> dict[int, YearResult]:
    """Every year folder's checks, by year (each kept in `year_cache` by its own hash when given)."""
    return {j.year: _check_year_cached(year_cache, checksums, listed, settings, j) for j in jobs}


def _check_year_cached(year_cache: Path | None, checksums: dict[str, str], listed: set[str], settings: Settings,
                       job: YearJob) -> YearResult:
    """check_year, reused when the year's files, collections, register codes and settings are unchanged."""
    ydir, prefix, year, collected = job.ydir, job.prefix, job.year, job.collected
    if year_cache is None:
        return check_year(ydir, prefix, year, collected, listed, settings, job.root, job.register_label)
    entries = sorted(e.name for e in ydir.iterdir())
    key_text = repr((cache.code_hash(), year, prefix, collected, sorted(listed), repr(settings), entries,
                     job.register_label,
                     sorted((k, v) for k, v in checksums.items() if k.startswith(prefix))))
    key = hashlib.sha256(key_text.encode("utf-8", "surrogateescape")).hexdigest()
    path = Path(year_cache) / f"{year}-{key}.pickle"
    result = cache.read_kept(path)
    if result is None:
        result = check_year(ydir, prefix, year, collected, listed, settings, job.root, job.register_label)
        cache.keep(path, result, replacing=f"{year}-*.pickle")  # one entry a year: the last
    return result

