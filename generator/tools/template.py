"""A blank return for one year: the easiest way to make a valid one.

Every file collected that year (and the optional pay.csv) is written with its
header and one row per key, every count empty (empty means "not available",
so the blank return is itself valid once org_code is filled in). Columns and
key values come from the schemas and spec.py, so a template can never drift
from what the validator expects.
"""

from __future__ import annotations

import csv
from itertools import product
from pathlib import Path

from ..ingest import cells
from ..model import resources, spec

BUNDLED_COLLECTIONS = resources.resource("data") / spec.COLLECTIONS_FILE


def collected_in(year: int) -> tuple[int, ...]:
    """Indicators collected in `year` according to the bundled collections.csv, else 1-9."""
    if BUNDLED_COLLECTIONS.is_file():
        try:
            with open(BUNDLED_COLLECTIONS, newline="", encoding="utf-8-sig") as fh:
                for row in csv.DictReader(fh):
                    if str(row.get("year", "")).strip() == str(year):
                        found = spec.parse_indicator_list(row.get("indicators", ""))
                        if found:
                            return found
        except (OSError, UnicodeDecodeError, csv.Error):
            pass
    return spec.INDICATORS


def key_rows(resource: str, org_code: str) -> list[list[str]]:
    """One row per key of `resource` for one organisation, other cells empty."""
    names = cells.field_names(resource)
    if resource == "returns":
        keys = [{"org_code": org_code}]
    elif resource == "workforce":
        keys = [{"org_code": org_code, "staff_group": g, "band": b, "ethnicity": e}
                for g in spec.STAFF_GROUPS for b in spec.BANDS_BY_GROUP[g] for e in spec.ETHNICITIES]
    elif resource == "staff_survey":
        keys = [{"org_code": org_code, "indicator": str(i), "ethnicity": e}
                for i, e in product(spec.SURVEY_INDICATORS, spec.KNOWN_ETHNICITIES)]
    else:
        keys = [{"org_code": org_code, "ethnicity": e} for e in spec.ETHNICITIES]
    return [[k.get(n, "") for n in names] for k in keys]


def write_template(year: int, out_dir: Path, org_code: str | None = None) -> list[Path]:
    """Write a blank return for `year` into `out_dir/<year>/` (or `out_dir` itself when it is
    already named for the year), so that `wres validate` can take the year from the folder name."""
    out_dir = Path(out_dir)
    target = out_dir if out_dir.name == str(year) else out_dir / str(year)
    target.mkdir(parents=True, exist_ok=True)
    wanted = set(spec.required_resources(collected_in(year))) | set(spec.OPTIONAL_RESOURCES)
    written = []
    for resource in spec.YEAR_RESOURCES:
        if resource not in wanted:
            continue
        path = target / f"{resource}.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(cells.field_names(resource))
            w.writerows(key_rows(resource, org_code or ""))
        written.append(path)
    return written
