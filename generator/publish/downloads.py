"""Every published figure as files people can take away, check and cite.

`write_downloads` writes, into the staging docs folder, the files outputs.md
fixes (`downloads/datapackage.json`, `downloads/indicators.csv`,
`downloads/<resource>.csv`, `api/organisations/<CODE>.json`) and what makes
them trustworthy: the schemas, an Excel workbook with a sheet that explains
every column, a SHA256SUMS list, the changelog and the downloads page. (The badges
beside the return pages are written with the pages.)

The schemas are in download_schemas.py, the tables' text and CSV bytes in
csv_text.py, the tables themselves in tables.py. Nothing here reads the clock or depends on
dict order: the same data gives byte-identical files. The build does not
validate its own outputs (at national size Frictionless reads ~50-100k rows/s);
the tests do, on the sample.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..compute import changes
from ..model.dataset import Dataset
from ..model.errors import BuildError  # the build's own error: the CLI prints it without a traceback
from ..model.release import Release
from ..model.settings import Settings
from . import api, changelog, workbook
from .csv_text import as_text, csv_bytes
from .database import database_bytes
from .download_names import CHECKSUMS, DATABASE, DOWNLOADS, LICENCE, PACKAGE, WORKBOOK
from .download_schemas import describe, download_schema, input_schema
from .downloads_page import render_page
from .files import safe_join, write_bytes, write_text
from .headline_figures import NAME as HEADLINE_NAME
from .tables import Table, published_tables, typed_columns

if TYPE_CHECKING:  # pragma: no cover
    from ..compute.definitions import Results

#: Names other modules and the tests import from here (the module was split; see csv_text, tables,
#: download_schemas).
__all__ = ["CHECKSUMS", "LICENCE", "PACKAGE", "WORKBOOK", "DownloadFile", "Downloads", "Table", "as_text",
           "changes_since", "csv_bytes", "download_schema", "input_schema", "published_tables", "typed_columns",
           "write_downloads"]

ODS_SOURCE = {
    "title": "NHS England Organisation Data Service (ODS): organisation codes, names and successors",
    "path": "https://digital.nhs.uk/services/organisation-data-service",
}
CITATION_TITLE = "Open WRES"
CITATION_AUTHOR = "Open WRES contributors"


@dataclass(frozen=True)
class DownloadFile:
    """One published file, as the downloads page and SHA256SUMS list it."""

    path: str            # relative to the docs folder, posix, e.g. "downloads/indicators.csv"
    title: str
    rows: int | None     # data rows (None for files that are not tables)
    bytes: int
    sha256: str
    schema: str | None   # relative to the docs folder, e.g. "downloads/indicators.schema.json"
    format: str          # csv, xlsx, json

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass
class Downloads:
    """What the downloads step hands to the pages."""

    files: list[DownloadFile]
    #: Every figure that changed since `--previous` (see changes.compare); empty without one.
    changes: pd.DataFrame
    #: Whether a previous release was given (so pages can say "first release").
    has_previous: bool = False
    #: api/organisations/<CODE>.json written, by code.
    api_paths: dict[str, str] = field(default_factory=dict)
    #: The "cite this" line, the same as on the downloads page.
    citation: str = ""


# --------------------------------------------------------------------------- the workbook


#: The tables in the workbook: what a spreadsheet is for. The long ones (indicators, the returns) stay CSV.
WORKBOOK_TABLES = (HEADLINE_NAME, "goals", "quality")


def workbook_bytes(tables: list[Table], release: Release) -> bytes:
    """One .xlsx for people who open files by hand: "about", "columns", then the headline figures (one row per
    organisation per year: headline-figures.csv), goals and quality, each sheet the same as its CSV.

    The cells are the CSVs' text (so the two agree): numbers as numbers,
    everything else as inert text, never formulas or links; see workbook.py.
    """
    about = pd.DataFrame([
        ("Open WRES downloads", ""),
        ("Release", release.label),
        ("Generator version", release.version),
        ("Data hash (sha256)", release.data_hash),
        ("Date of the data", release.data_date),
        ("Licence", f"{LICENCE['title']}: {LICENCE['path']}"),
        ("Demonstration data", "yes: fictional organisations" if release.demonstration else "no"),
        ("Missing values", "An empty cell is not available; * is suppressed (a small number)."),
        ("Sheets", "columns explains every column; then one sheet per file: headline-figures (each "
                   "organisation's nine headline figures for each year), goals and quality, the same as "
                   "downloads/<sheet>.csv. Every figure (indicators.csv) and the returns themselves are CSV "
                   "files beside this workbook."),
    ], columns=["item", "value"])
    kept = [t for name in WORKBOOK_TABLES for t in tables if t.name == name]
    columns = pd.DataFrame(
        [(t.name, f["name"], f.get("type", "string"),
          f.get("description") or f.get("title") or describe(t.name, f["name"]))
         for t in kept for f in t.schema["fields"]],
        columns=["sheet", "column", "type", "description"])
    sheets = [workbook.sheet("about", about), workbook.sheet("columns", columns)]
    for t in kept:
        numeric = [f["name"] for f in t.schema["fields"] if f.get("type") in ("integer", "number")]
        sheets.append(workbook.sheet(t.name, t.columns, numeric))
    return workbook.xlsx_bytes(sheets, title="Open WRES downloads", author=CITATION_AUTHOR, comments=release.label)


# --------------------------------------------------------------------------- the package


def _package_sources(release: Release) -> list[dict]:
    """Where the data came from: the returns, and the ODS reference files (or, for a demonstration, none)."""
    sources = [{
        "title": "Published WRES returns of the organisations in organisations.csv "
                 "(their own reports are linked from returns.csv, report_url)",
    }]
    if release.demonstration:
        sources.append({"title": "Fictional demonstration data made by `wres sample`: no real organisation"})
    else:
        sources.append(dict(ODS_SOURCE))
    return sources


def _table_resources(tables: list[Table], files: dict[str, DownloadFile]) -> list[dict]:
    """One tabular data resource per CSV, its schema inline so the package stands alone."""
    resources = []
    for t in tables:
        f = files[t.csv_name]
        resources.append({
            "name": t.name,
            "path": t.csv_name,
            "title": t.title,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": f.bytes,
            "hash": f"sha256:{f.sha256}",
            "licenses": [dict(LICENCE)],
            "schema": t.schema,
        })
    return resources


def _file_resources(files: dict[str, DownloadFile]) -> list[dict]:
    """The workbook and (when built) the database: files, not tables, so no schema."""
    wb = files[WORKBOOK]
    resources = [{
        "name": "workbook",
        "type": "file",
        "path": WORKBOOK,
        "title": "The headline figures, goals and data quality in one Excel workbook, with a sheet that explains the columns",
        "format": "xlsx",
        "mediatype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "bytes": wb.bytes,
        "hash": f"sha256:{wb.sha256}",
    }]
    if DATABASE in files:
        db = files[DATABASE]
        resources.append({
            "name": "database",
            "type": "file",
            "path": DATABASE,
            "title": "Every table above in one SQLite database, with indexes, views and tables that explain them "
                     "(about_tables, about_columns)",
            "format": "sqlite",
            "mediatype": "application/vnd.sqlite3",
            "bytes": db.bytes,
            "hash": f"sha256:{db.sha256}",
        })
    return resources


def package_descriptor(tables: list[Table], files: dict[str, DownloadFile], release: Release,
                       dataset: Dataset) -> dict:
    """datapackage.json: self-contained (schemas inline), with licence, sources and the release."""
    return {
        "name": "open-wres",
        "title": "Open WRES: NHS Workforce Race Equality Standard returns and indicators",
        "description": ("Every published WRES return, validated and stacked over all years with a year "
                        "column, and every figure computed from them. Counts: an empty cell is not "
                        "available, * is suppressed. " + release.label + "."
                        + (" Demonstration data: the organisations are fictional." if release.demonstration else "")),
        "version": release.version,
        "licenses": [dict(LICENCE)],
        "sources": _package_sources(release),
        "contributors": [{"title": CITATION_AUTHOR, "role": "author"}],
        "keywords": ["NHS", "WRES", "workforce race equality standard", "ethnicity"],
        "wres": {
            "generator": f"Open WRES {release.version}",
            "data_hash": release.data_hash,
            "data_date": release.data_date,
            "latest_year": release.latest_year,
            "demonstration": release.demonstration,
            "release": release.label,
            "years": dataset.years,
        },
        "resources": _table_resources(tables, files) + _file_resources(files),
    }


def json_text(obj: Any, indent: int | None = 1) -> str:
    """JSON with sorted keys and fixed separators: the same object, the same bytes."""
    if indent is None:
        return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    return json.dumps(obj, sort_keys=True, indent=indent, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- writing


def _record(docs_dir: Path, relative: str, data: bytes, title: str, rows: int | None, schema: str | None,
            fmt: str) -> DownloadFile:
    write_bytes(safe_join(docs_dir, *relative.split("/")), data)
    return DownloadFile(relative, title, rows, len(data), hashlib.sha256(data).hexdigest(), schema, fmt)


def citation_line(release: Release, site_url: str) -> str:
    """The "cite this" line: the same title, authors and version as CITATION.cff, and the release."""
    where = f" {site_url.rstrip('/')}/downloads/" if site_url else ""
    return (f"{CITATION_AUTHOR}. {CITATION_TITLE}: NHS Workforce Race Equality Standard returns and indicators, "
            f"version {release.version}, data {release.short_hash} ({release.data_date}). "
            f"{LICENCE['title']}.{where}")


def changes_since(results: Results, previous: pd.DataFrame | None) -> pd.DataFrame:
    """Every figure that changed since the previous release's indicators.csv (empty without one)."""
    if previous is None:
        return changes.empty()
    try:
        return changes.compare(previous, results.indicators)
    except changes.NotAnIndicatorsTable as exc:
        raise BuildError(f"--previous: {exc}") from exc


def write_downloads(dataset: Dataset, results: Results, docs_dir: Path, settings: Settings, release: Release,
                    previous: pd.DataFrame | None = None, changed: pd.DataFrame | None = None) -> Downloads:
    """Write downloads/, api/ and changes.md into docs_dir; describe them.

    `changed` may be given when the caller already compared with `previous`
    (the build does, so that pages can be written while this runs in another process).
    """
    docs_dir = Path(docs_dir)
    if changed is None:
        changed = changes_since(results, previous)
    tables = published_tables(dataset, results, settings)
    files: dict[str, DownloadFile] = {}
    for t in tables:
        schema_rel = f"{DOWNLOADS}/{t.schema_name}"
        files[t.schema_name] = _record(docs_dir, schema_rel, json_text(t.schema).encode(),
                                       f"Table Schema of {t.csv_name}", None, None, "json")
        files[t.csv_name] = _record(docs_dir, f"{DOWNLOADS}/{t.csv_name}", csv_bytes(t.columns), t.title,
                                    t.rows, schema_rel, "csv")
    files[WORKBOOK] = _record(docs_dir, f"{DOWNLOADS}/{WORKBOOK}", workbook_bytes(tables, release),
                              "The headline figures, goals and data quality in one Excel workbook",
                              None, None, "xlsx")
    files[DATABASE] = _record(docs_dir, f"{DOWNLOADS}/{DATABASE}", database_bytes(tables, release),
                              "Every table in one SQLite database, with indexes and views", None, None, "sqlite")
    package = package_descriptor(tables, files, release, dataset)
    files[PACKAGE] = _record(docs_dir, f"{DOWNLOADS}/{PACKAGE}", json_text(package).encode(),
                             "Frictionless data package: every table with its schema, licence and sources",
                             None, None, "json")

    by_name = {t.name: t for t in tables}
    figures = typed_columns(by_name["indicators"])
    goals = typed_columns(by_name["goals"]) if "goals" in by_name else None
    api_files = api.write_api(dataset, figures, goals, docs_dir, release, settings.site_url)

    names = dict(zip(dataset.register["org_code"].astype(str), dataset.register["org_name"].astype(str)))
    systems = set(dataset.register["system_code"].dropna().astype(str)) if "system_code" in dataset.register else set()
    write_text(safe_join(docs_dir, "changes.md"),
               changelog.changelog_markdown(changed, previous is not None, release, names, systems))

    sums = "".join(f"{f.sha256}  {f.name}\n" for f in sorted(files.values(), key=lambda f: f.name))
    files[CHECKSUMS] = _record(docs_dir, f"{DOWNLOADS}/{CHECKSUMS}", sums.encode(),
                               "SHA-256 checksums of every file here (sha256sum -c SHA256SUMS)", None, None, "txt")

    citation = citation_line(release, settings.site_url)
    ordered = _page_order(files, tables)
    write_text(safe_join(docs_dir, DOWNLOADS, "index.md"),
               render_page(ordered, tables, api_files, release, settings, citation))
    return Downloads(
        files=ordered,
        changes=changed,
        has_previous=previous is not None,
        api_paths=api_files.organisation_paths,
        citation=citation,
    )


def _page_order(files: dict[str, DownloadFile], tables: list[Table]) -> list[DownloadFile]:
    order = [PACKAGE] + [t.csv_name for t in tables] + [WORKBOOK, DATABASE, CHECKSUMS] + [t.schema_name for t in tables]
    return [files[n] for n in order if n in files]
