"""The validated data set every later step works from.

`validate.load(data_dir)` returns a `Dataset`. Everything downstream (the
indicator maths, the pages, the downloads) reads only this object, never the
CSV files, so a return that failed validation cannot leak into the site.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .problems import Problem


@dataclass
class Dataset:
    #: The data folder it was read from.
    root: Path
    #: organisations.csv, typed: org_code, org_name, org_type, region_code, system_code,
    #: system_name, successor_code, closed_year (Int64), website. Empty optional cells are NA.
    register: pd.DataFrame
    #: collections.csv, typed: year (int), snapshot_date (str ISO), indicators (str),
    #: note (str or NA), plus `collected`: a tuple of ints, the parsed indicator list.
    collections: pd.DataFrame
    #: resource name -> all years stacked, `year` (int) the first column, then the
    #: spec's columns in the spec's order. Only rows of *published* returns (no errors).
    #: Count columns are pandas nullable Int64: NA when the cell was empty or "*";
    #: for every count column C there is a bool column `C_suppressed`, True where the
    #: cell was "*". Enumerations and codes are plain str; `percent` and pay are float.
    tables: dict[str, pd.DataFrame]
    #: One row per (org_code, year) that has any row in any file of a year folder:
    #: org_code, year, status ("published" | "published_with_warnings" | "left_out"),
    #: errors (int), warnings (int), files (str: ";"-joined resources present for it),
    #: submitted_on, report_url, action_plan_url (NA where absent).
    returns: pd.DataFrame
    #: Every problem found, errors and warnings, in a stable order.
    problems: list[Problem] = field(default_factory=list)
    #: sha256 of every input file, relative posix path -> hex digest, for provenance and caching.
    checksums: dict[str, str] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.collections["year"])

    @property
    def left_out(self) -> pd.DataFrame:
        return self.returns[self.returns["status"] == "left_out"]

    def collected(self, year: int) -> tuple[int, ...]:
        row = self.collections[self.collections["year"] == year]
        return tuple(row["collected"].iloc[0]) if len(row) else ()

    @property
    def data_hash(self) -> str:
        """One hash of every input file: names the release in pages and downloads."""
        import hashlib

        h = hashlib.sha256()
        for path in sorted(self.checksums):
            h.update(f"{path}\0{self.checksums[path]}\n".encode())
        return h.hexdigest()
