"""The rules of a data folder's layout: what may sit in it and in each year folder, and links out of it.

Nothing outside the data folder is ever read (`link_problem`); a file for a part
not collected is ignored with a warning; a missing part leaves out the year's
returns. Each function returns a list of `Problem`s (tested in tests/test_checks.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..model import spec
from ..model.problems import Problem, error, warning


def _is_documentation(name: str) -> bool:
    """A README, licence or notes file beside the data is expected, not stray."""
    upper = name.upper()
    return upper.startswith(("README", "LICENSE", "LICENCE", "CHANGELOG", "NOTICE")) or upper.endswith(".MD")


def is_inside(path: Path | str, root: Path | str) -> bool:
    """True when `path`, every symbolic link on its way followed, is `root` or lies under it."""
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def link_problem(entry: Path, root: Path | str, shown: str, year: int | None = None,
                 what: str = "the file itself") -> Problem | None:
    """The error for an entry of the data folder `root` that is a symbolic link leading out of it, or
    leading nowhere (its target missing, or a loop); None for anything else.

    Nothing outside the data folder is ever read: a link to /etc/passwd would otherwise be read as
    a return and its lines shown on /data-quality/. Where the link points is not repeated in the
    message, which is published.
    """
    if not os.path.lexists(entry):
        return None
    if not os.path.exists(entry):
        if not os.path.islink(entry):
            return None
        return error(
            "broken-link", shown,
            f"{shown} is a symbolic link that leads nowhere (its target is missing, or the link leads back "
            f"to itself in a loop), so it was not read; put {what} in the data folder", year=year)
    if is_inside(entry, root):
        return None
    return error(
        "link-outside", shown,
        f"{shown} is a symbolic link to a place outside the data folder, so it was not read (nothing "
        f"outside the data folder is ever read); copy {what} into the data folder", year=year)


def check_year_folders(root: Path) -> list[Problem]:
    """Everything at the top of a data folder is the register, collections.csv or a year folder."""
    found = []
    known = {spec.REGISTER_FILE, spec.COLLECTIONS_FILE}
    for entry in sorted(root.iterdir()):
        name = entry.name
        if name.startswith(".") or name in known or (entry.is_file() and _is_documentation(name)):
            continue
        if spec.YEAR_DIR_RE.match(name) and (entry.is_dir() or entry.is_symlink()):
            link = link_problem(entry, root, f"{name}/", what="the year's folder itself")
            if link is not None:
                found.append(link)
                continue
            if not spec.is_collection_year(int(name)):
                found.append(error(
                    "year-out-of-range", name,
                    f"the folder {name}/ is named as a year, but {int(name)} is not a WRES collection year "
                    f"(from {spec.FIRST_YEAR} to {spec.last_year()}); it was not read. Rename it to the "
                    f"year of the collection, e.g. 2024"))
            continue
        kind = "folder" if entry.is_dir() else "file"
        hint = ""
        if entry.is_dir() and len(name) == 4 and name.isdigit():
            hint = (" (its name is written with digits other than 0-9, such as Arabic-Indic or full-width "
                    "digits; a year folder is named with the digits 0-9 only)")
        found.append(warning(
            "stray-entry", name,
            f"the {kind} '{name}' is not part of the returns format and was ignored{hint}; a data folder holds "
            f"{spec.REGISTER_FILE}, {spec.COLLECTIONS_FILE} and one folder per year named like 2024"))
    return found


def check_year_entries(year_dir: Path, prefix: str, year: int) -> list[Problem]:
    """Everything in a year folder is one of the year's resource files."""
    found = []
    names = {f"{r}.csv" for r in spec.YEAR_RESOURCES}
    for entry in sorted(year_dir.iterdir()):
        if entry.name.startswith(".") or entry.name in names:
            continue  # (a link among them is judged where the files are read: years.check_year)
        kind = "folder" if entry.is_dir() else "file"
        hint = ""
        if entry.is_file() and entry.name.lower() in names:
            hint = f" (file names are lower case: {entry.name.lower()})"
        found.append(warning(
            "stray-entry", f"{prefix}{entry.name}",
            f"the {kind} '{prefix}{entry.name}' is not one of the files of a year's returns and was "
            f"ignored{hint}; a year folder holds {', '.join(sorted(names))}",
            year=year))
    return found


def check_parts_present(files_found: Iterable[str], collected: tuple[int, ...], prefix: str,
                        year: int) -> list[Problem]:
    """Each part collected that year has its file; a part not collected is never asked for."""
    found = []
    have = set(files_found)
    for resource in spec.required_resources(collected):
        if resource not in have:
            served = spec.RESOURCE_INDICATORS[resource]
            why = (f" (indicators {', '.join(map(str, served))} were collected in {year})"
                   if served else " (every year has one)")
            found.append(error(
                "missing-file", f"{prefix}{resource}.csv",
                f"{prefix}{resource}.csv is missing{why}; every return of {year} is left out until it is added",
                year=year))
    return found


def check_not_collected(files_found: Iterable[str], collected: tuple[int, ...], prefix: str,
                        year: int) -> list[Problem]:
    """A file for a part not collected that year is ignored, with a warning saying so."""
    required = set(spec.required_resources(collected)) | set(spec.OPTIONAL_RESOURCES)
    return [
        warning("not-collected", f"{prefix}{r}.csv",
                f"{prefix}{r}.csv is present but collections.csv says indicators "
                f"{', '.join(map(str, spec.RESOURCE_INDICATORS[r]))} were not collected in {year}; "
                f"the file is ignored", year=year)
        for r in files_found if r not in required
    ]


def check_years_in_collections(years: Iterable[int], collection_years: set[int],
                               collections_file: str = spec.COLLECTIONS_FILE) -> list[Problem]:
    """Every year folder has its row in collections.csv (else we cannot know what was collected)."""
    return [
        error("year-not-in-collections", str(y),
              f"the folder {y}/ has no row in {collections_file}, so what was collected that year is "
              f"unknown; every return of {y} is left out until a row for {y} is added", year=y)
        for y in sorted(years) if y not in collection_years
    ]


def check_collections_have_folders(collection_years: Iterable[int], years: set[int],
                                   collections_file: str = spec.COLLECTIONS_FILE) -> list[Problem]:
    """A collection year with no folder is worth a warning (a folder may have been forgotten)."""
    return [
        warning("year-without-folder", collections_file,
                f"{collections_file} lists {y} but there is no {y}/ folder; no returns are published for {y}",
                year=y)
        for y in sorted(collection_years) if y not in years
    ]
