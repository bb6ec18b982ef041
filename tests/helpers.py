"""A minimal VALID data folder of fictional organisations, for any test to start from.

    root = write_valid_data(tmp_path / "data")            # 2023 (no staff survey) and 2024
    set_cell(root / "2024" / "recruitment.csv", "appointed", "999", org_code="XAA01", ethnicity="bme")
    result = validate_path(root)

The organisations are invented (codes XAA01 ... XAD04 are not ODS codes) and so
are all the figures. The data are plausible enough to raise no warning.
Collections: the first of `years` collects indicators 1,2,3,4,9 (no
staff_survey.csv is written for it), every later year 1-9; a single year
collects 1-9. Every file of each year is written, pay.csv included.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from generator.ingest.cells import field_names
from generator.model import spec

#: (org_code, org_name, org_type, region_code, system_code, system_name)
ORGS = (
    ("XAA01", "Northbrook Hospitals NHS Trust (fictional)", "acute", "Y56", "XQA01", "North Thames Care System (fictional)"),
    ("XAB02", "Riverside Mental Health NHS Trust (fictional)", "mental_health", "Y56", "XQA01", "North Thames Care System (fictional)"),
    ("XAC03", "Hillford Community Health NHS Trust (fictional)", "community", "Y62", "XQB02", "Pennine Care System (fictional)"),
    ("XAD04", "Westmoor Ambulance Service NHS Trust (fictional)", "ambulance", "Y62", "XQB02", "Pennine Care System (fictional)"),
)
ORG_CODES = tuple(o[0] for o in ORGS)

# Headers come from the schemas, the single source of truth of the format.
REGISTER_HEADER = list(field_names("organisations"))
HEADERS = {resource: list(field_names(resource)) for resource in spec.YEAR_RESOURCES}
_ETH_HEAD = {"white": 30, "bme": 12, "unknown": 2}


def write_csv(path: Path, header: list[str], rows: Iterable[Iterable[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows([["" if v is None else v for v in r] for r in rows])
    return path


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def edit_rows(path: Path, fn: Callable[[list[str], list[list[str]]], list[list[str]]]) -> Path:
    """Rewrite a CSV: `fn(header, rows) -> rows` (it may also mutate the header list in place)."""
    header, rows = read_rows(path)
    return write_csv(path, header, fn(header, rows))


def set_cell(path: Path, field: str, value: str, **where: str) -> int:
    """Set `field` to `value` on every row matching `where` (column=value); returns rows changed."""
    header, rows = read_rows(path)
    idx = {h: i for i, h in enumerate(header)}
    n = 0
    for r in rows:
        if all(r[idx[k]] == v for k, v in where.items()):
            r[idx[field]] = value
            n += 1
    write_csv(path, header, rows)
    return n


def drop_rows(path: Path, **where: str) -> int:
    """Remove every row matching `where`; returns rows removed."""
    header, rows = read_rows(path)
    idx = {h: i for i, h in enumerate(header)}
    keep = [r for r in rows if not all(r[idx[k]] == v for k, v in where.items())]
    write_csv(path, header, keep)
    return len(rows) - len(keep)


def line_of(path: Path, **where: str) -> int:
    """The line number in the file (header = 1) of the first row matching `where`."""
    header, rows = read_rows(path)
    idx = {h: i for i, h in enumerate(header)}
    for i, r in enumerate(rows):
        if all(r[idx[k]] == v for k, v in where.items()):
            return i + 2
    raise LookupError(where)


def write_register(path: Path, orgs=ORGS) -> Path:
    return write_csv(path, REGISTER_HEADER, [
        [code, name, typ, region, sys_code, sys_name, "", "", f"https://{code.lower()}.example.org/"]
        for code, name, typ, region, sys_code, sys_name in orgs])


def _year_rows(year: int, orgs: Iterable[str], survey: bool) -> dict[str, list[list[object]]]:
    rows: dict[str, list[list[object]]] = {r: [] for r in spec.YEAR_RESOURCES}
    grow = 1 + 0.02 * (year - 2020)
    for i, code in enumerate(orgs):
        scale = (i + 2) * grow
        rows["returns"].append([code, f"{year}-06-30", f"https://{code.lower()}.example.org/wres-{year}", ""])
        totals = dict.fromkeys(spec.ETHNICITIES, 0)
        for group in spec.STAFF_GROUPS:
            for b, band in enumerate(spec.BANDS_BY_GROUP[group]):
                for eth in spec.ETHNICITIES:
                    n = int(_ETH_HEAD[eth] * scale * (1 + (b % 5)) / (1 + b // 8))
                    totals[eth] += n
                    rows["workforce"].append([code, group, band, eth, n])
        for eth in spec.ETHNICITIES:
            short = int(40 * scale) if eth != "unknown" else 10
            rows["recruitment"].append([code, eth, short, short // 4])
            rows["disciplinary"].append([code, eth, max(1, totals[eth] // 200)])
            rows["training"].append([code, eth, totals[eth] // 3])
            rows["board"].append([code, eth, 6 if eth == "white" else (2 if eth == "bme" else 0),
                                  4 if eth == "white" else (1 if eth == "bme" else 0),
                                  3 if eth == "white" else (1 if eth == "bme" else 0)])
            rows["pay"].append([code, eth, totals[eth], "18.50", "16.25"])
        if survey:
            for ind in spec.SURVEY_INDICATORS:
                for eth in spec.KNOWN_ETHNICITIES:
                    rows["staff_survey"].append([code, ind, eth, f"{20 + ind + (3 if eth == 'bme' else 0)}.5",
                                                 int(100 * scale) if eth == "white" else int(30 * scale)])
    return rows


def write_year(year_dir: Path, year: int, orgs: Iterable[str] = ORG_CODES, survey: bool = True) -> Path:
    """Write every file of one year folder (staff_survey.csv only when `survey`)."""
    rows = _year_rows(year, list(orgs), survey)
    for resource in spec.YEAR_RESOURCES:
        if resource == "staff_survey" and not survey:
            continue
        write_csv(year_dir / f"{resource}.csv", HEADERS[resource], rows[resource])
    return year_dir


def write_valid_data(root: Path, years: Iterable[int] = (2023, 2024), orgs=ORGS) -> Path:
    """Write a complete valid data folder at `root` and return `root`.

    The first year collects 1,2,3,4,9 when there is more than one year; others 1-9.
    """
    years = list(years)
    root.mkdir(parents=True, exist_ok=True)
    write_register(root / spec.REGISTER_FILE, orgs)
    no_survey = {years[0]} if len(years) > 1 else set()
    write_csv(root / spec.COLLECTIONS_FILE, ["year", "snapshot_date", "indicators", "note"], [
        [y, f"{y}-03-31", "1,2,3,4,9" if y in no_survey else "1-9",
         "Indicators 5 to 8 were not collected this year (fictional note)." if y in no_survey else ""]
        for y in years])
    for y in years:
        write_year(root / str(y), y, [o[0] for o in orgs], survey=y not in no_survey)
    return root


def assert_same_dataset(a, b) -> None:
    """Two validation results agree: every problem, the returns and every typed table."""
    import pandas as pd

    assert a.problems == b.problems
    pd.testing.assert_frame_equal(a.returns, b.returns)
    assert a.tables.keys() == b.tables.keys()
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])


#: Debian's Chromium, driven by Playwright (no browser download), for the browser tests.
CHROMIUM = "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: The marks of a module of browser tests: slow, and skipped without Chromium except under CI=true, where
#: the missing browser is a failure.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not HAVE_CHROMIUM and not IN_CI,
                       reason=f"no Chromium at {CHROMIUM} (apt install chromium); set CI=true to make this a failure"),
]
