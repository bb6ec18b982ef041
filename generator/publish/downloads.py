"""Every published figure as files people can take away, check and cite.

`write_downloads` writes, into the staging docs folder, the files outputs.md
fixes (`downloads/datapackage.json`, `downloads/indicators.csv`,
`downloads/<resource>.csv`, `api/organisations/<CODE>.json`) and what makes
them trustworthy: the schemas, an Excel workbook with a sheet that explains
every column, a SHA256SUMS list, the changelog and the downloads page. (The badges
beside the return pages are written with the pages.)

The download schemas are derived from `schemas/` (the one source of truth for
the input format) by adding `year`, so a column cannot mean one thing in a
return and another in a download. Nothing here reads the clock or depends on
dict order: the same data gives byte-identical files. The build does not
validate its own outputs (at national size Frictionless reads ~50-100k rows/s);
the tests do, on the sample.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..compute import changes
from ..compute.suppression import withhold_small_counts
from ..model import spec
from ..model.dataset import Dataset
from ..model.errors import BuildError  # the build's own error: the CLI prints it without a traceback
from ..model.release import Release
from ..model.settings import Settings
from . import api, changelog, workbook
from .cellformat import Coded, format_numbers, joined_runs, objects, safe_text
from .download_names import CHECKSUMS, DOWNLOADS, LICENCE, PACKAGE, WORKBOOK
from .downloads_page import render_page
from .files import safe_join, write_bytes, write_text
from .headline import headline_schema, headline_table

if TYPE_CHECKING:  # pragma: no cover
    from ..compute.definitions import Results

ODS_SOURCE = {
    "title": "NHS England Organisation Data Service (ODS): organisation codes, names and successors",
    "path": "https://digital.nhs.uk/services/organisation-data-service",
}
CITATION_TITLE = "Open WRES"
CITATION_AUTHOR = "Open WRES contributors"


#: The input resources published: outputs.md's nine, with collections.csv after the register
#: (what each year collected, and why a year lacks indicators). The top-level ones have no added year.
TOP_LEVEL_RESOURCES = ("organisations", "collections")
PUBLISHED_RESOURCES = ("organisations", "collections") + spec.YEAR_RESOURCES

RESOURCE_TITLES = {
    "organisations": "Register of organisations",
    "collections": "Collections: what was collected each year",
    "returns": "Returns: submission date and published report links",
    "workforce": "Workforce by staff group, band and ethnicity (indicator 1)",
    "recruitment": "Shortlisting and appointment (indicator 2)",
    "disciplinary": "Entering the formal disciplinary process (indicator 3)",
    "training": "Non-mandatory training and CPD (indicator 4)",
    "staff_survey": "Staff survey results (indicators 5 to 8)",
    "board": "Board membership (indicator 9)",
    "pay": "Ethnicity pay gap (optional)",
    "indicators": "Every computed figure",
    "goals": "Leadership goals: appointments needed to reach parity",
    "quality": "Data quality of every published return",
}

YEAR_FIELD = {
    "name": "year",
    "type": "integer",
    "title": "Collection year",
    "description": "Collection year: the workforce snapshot is taken on 31 March of that year.",
    "constraints": {"required": True, "minimum": spec.FIRST_YEAR},
}

#: Descriptions of the computed tables' columns, for the schemas this project writes itself
#: (goals, quality; indicators only where its own schema is silent). Table first, then shared.
COMPUTED_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "*": {
        "year": "Collection year.",
        "level": "organisation, system, region, org_type or england.",
        "code": "ODS code for organisation and system, region code for region, the org_type value, ENG for england.",
        "org_code": "ODS code of the organisation.",
        "indicator": "WRES indicator, 1 to 9.",
        "reason": "Plain words: why a figure is not calculable, suppressed or not reachable.",
    },
    "goals": {
        "group": "Senior group: senior (bands 8a to VSM of the non-medical staff groups), vsm or board.",
        "target_year": "Year by which BME representation in the group should match the workforce.",
        "headline": "True for the headline target year (2028 unless configured).",
        "N": "Size of the group (headcount).",
        "s0": "Current BME share of the group (0-1).",
        "T": "Target BME share: the BME share of the workforce among known ethnicities (0-1).",
        "turnover": "Assumed annual turnover of the group (0-1): a stated assumption, see /methodology/.",
        "years": "Years left to the target year.",
        "fraction": "BME share of appointments needed each year (0-1; above 1: not reachable).",
        "one_in_k": "The same as 1 in k appointments (k = 1 / fraction, rounded).",
        "bme_appointments_per_year": "BME appointments needed each year (fraction x turnover x N).",
        "reachable": "Whether the goal can be reached by the target year at that turnover.",
        "status": "ok, met (already at or above target), passed (target year has passed), not_reachable, "
                  "too_small (fewer than 20 posts: no goal is set) or not_calculable.",
        "fraction_low": "The fraction needed if 5% of posts turned over each year (0-1).",
        "fraction_high": "The fraction needed if 15% of posts turned over each year (0-1).",
        "T_national": "The board paper's fixed national baseline: England's BME share among known ethnicities "
                      "that year (0-1).",
        "fraction_national": "The fraction needed to reach T_national instead of T (0-1); empty when the group is "
                             "already at or above it.",
    },
    "quality": {
        "status": "published, published_with_warnings or left_out (not published: it has errors).",
        "errors": "Errors validation found in the return.",
        "warnings": "Plausibility warnings validation found in the return (they never block publication).",
        "warning_codes": "Codes of those warnings, semicolon-separated.",
        "share_unknown": "Share of the workforce whose ethnicity is unknown (0-100).",
        "files_present": "Files of the year folder holding rows for this return, semicolon-separated.",
        "files_missing": "Files required that year that hold no rows for it, semicolon-separated.",
        "completeness": "100 x required files present / required files.",
        "cells_filled": "100 x count cells holding a number (not empty, not *) / count cells.",
    },
}

#: Plain words for the few input columns whose schema has no description (shown in the workbook).
INPUT_FALLBACK = {
    "org_type": "Type of organisation: " + ", ".join(spec.ORG_TYPES) + ".",
    "system_name": "Name of the integrated care system.",
    "staff_group": "Staff group: " + ", ".join(spec.STAFF_GROUPS) + ".",
}


def describe(table: str, column: str) -> str:
    """Words for a column the schema leaves undescribed."""
    return (COMPUTED_DESCRIPTIONS.get(table, {}).get(column) or COMPUTED_DESCRIPTIONS["*"].get(column)
            or INPUT_FALLBACK.get(column, ""))


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


# --------------------------------------------------------------------------- schemas


def input_schema(resource: str) -> dict:
    return json.loads((spec.SCHEMA_DIR / f"{resource}.schema.json").read_text(encoding="utf-8"))


def download_schema(resource: str) -> dict:
    """The Table Schema of downloads/<resource>.csv: the input schema plus `year`.

    Per-year resources gain `year` as their first field and in their primary key,
    and a foreign key from org_code to the register, which Frictionless checks.
    """
    schema = input_schema(resource)
    if resource in TOP_LEVEL_RESOURCES:
        return schema
    schema["fields"] = [dict(YEAR_FIELD)] + [f for f in schema["fields"] if f["name"] != "year"]
    schema["primaryKey"] = ["year"] + [k for k in schema.get("primaryKey", []) if k != "year"]
    schema["foreignKeys"] = [
        {"fields": ["org_code"], "reference": {"resource": "organisations", "fields": ["org_code"]}}
    ]
    return schema


#: Columns of the computed tables that hold whole numbers even when pandas keeps them as float
#: (a float column with NaN): typed by name, not by the data, so a schema never changes with the data.
WHOLE_NUMBER_COLUMNS = ("year", "indicator", "target_year", "peer_rank", "peer_count", "N", "years", "one_in_k",
                        "errors", "warnings")


def _infer_type(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s):
        return "boolean"
    if pd.api.types.is_integer_dtype(s) or (pd.api.types.is_float_dtype(s) and s.name in WHOLE_NUMBER_COLUMNS):
        return "integer"
    if pd.api.types.is_float_dtype(s):
        return "number"
    return "string"


def computed_schema(df: pd.DataFrame, base: dict | None = None, key: tuple[str, ...] = (), table: str = "*"
                    ) -> dict:
    """A schema for a computed table: `base`'s fields where it has them, inferred ones for the rest.

    The primary key is declared only when those columns exist and are unique,
    so the package always validates.
    """
    fields = list((base or {}).get("fields", []))
    known = {f["name"] for f in fields}
    for col in df.columns:
        if col not in known:
            words = describe(table, col)
            fields.append({"name": col, "type": _infer_type(df[col]), **({"description": words} if words else {})})
    schema = {k: v for k, v in (base or {}).items() if k != "fields"}
    schema["fields"] = fields
    schema.setdefault("missingValues", [""])
    if "primaryKey" not in schema and key and set(key) <= set(df.columns) and not df.duplicated(list(key)).any():
        schema["primaryKey"] = list(key)
    return schema


def indicators_schema(df: pd.DataFrame) -> dict:
    path = spec.SCHEMA_DIR / "indicators.schema.json"
    base = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    return computed_schema(df, base, key=("year", "level", "code", "indicator", "measure", "breakdown"),
                           table="indicators")


# --------------------------------------------------------------------------- tables as text


def _text_values(s: pd.Series, ftype: str) -> list[str]:
    """Values as the text written to CSV: "" for missing, spreadsheet-safe text.

    Called on each column's distinct values only (see `_coded_column`), so plain Python is fine here.
    """
    missing = s.isna().to_numpy()
    if ftype == "integer":
        num = pd.to_numeric(s, errors="coerce").round().astype("Int64")
        values = num.astype("string").fillna("").tolist()
    elif ftype == "number":
        values = format_numbers(pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan))
    elif ftype == "boolean":
        values = ["" if m else ("true" if bool(v) else "false") for v, m in zip(s.tolist(), missing)]
    elif pd.api.types.is_datetime64_any_dtype(s):
        values = s.dt.strftime("%Y-%m-%d").fillna("").tolist()
    else:
        values = ["" if m else (";".join(str(x) for x in v) if isinstance(v, (list, tuple)) else str(v))
                  for v, m in zip(s.tolist(), missing)]
        if ftype == "string":
            values = [safe_text(v) for v in values]
    return ["" if m else v for v, m in zip(values, missing)]


def _coded_column(s: pd.Series, ftype: str) -> Coded:
    """One column as the text written to CSV, formatted once per distinct value.

    Every step of `_text_values` works value by value, so equal values give equal
    text. Two exceptions go value by value instead (they are small): object
    columns, which may hold lists (unhashable) or 1 beside True (equal, written
    differently), and floats written as text, where 0.0 and -0.0 are one value
    to factorize but not to str (as numbers both are written "0").
    """
    floats_as_text = pd.api.types.is_float_dtype(s.dtype) and ftype not in ("number", "integer")
    if s.dtype == object or floats_as_text:
        return Coded.of(_text_values(s, ftype))
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    texts = _text_values(pd.Series(uniques, dtype=s.dtype), ftype) + [""]   # the last one: missing
    return Coded(np.where(codes < 0, len(texts) - 1, codes).astype(np.intp), objects(texts))


def coded_text(df: pd.DataFrame, schema: dict, withheld: dict[str, pd.Series] | None = None) -> dict[str, Coded]:
    """The table as the strings published, by column in schema order (see `as_text`)."""
    out: dict[str, Coded] = {}
    for f in schema["fields"]:
        name = f["name"]
        if name not in df.columns:
            out[name] = Coded(np.zeros(len(df), dtype=np.intp), objects([""]))
            continue
        col = _coded_column(df[name], f.get("type", "string"))
        star = np.zeros(len(df), dtype=bool)
        if f"{name}_suppressed" in df.columns:
            star |= df[f"{name}_suppressed"].fillna(False).astype(bool).to_numpy()
        if withheld and name in withheld:
            star |= withheld[name].to_numpy(dtype=bool)  # same index as df
        if star.any():
            col = col.replace(star, spec.SUPPRESSED)
        out[name] = col
    return out


def _frame(columns: dict[str, Coded]) -> pd.DataFrame:
    n = len(next(iter(columns.values()))) if columns else 0
    return pd.DataFrame({name: pd.Series(c.values(), dtype=object) for name, c in columns.items()},
                        index=pd.RangeIndex(n))


def as_text(df: pd.DataFrame, schema: dict, withheld: dict[str, pd.Series] | None = None) -> pd.DataFrame:
    """The table as the strings published: schema columns in schema order.

    Counts marked `<count>_suppressed` (suppressed by the publisher) or withheld
    by us are written back as `*`; missing values as empty cells; text that a
    spreadsheet would run is neutralised.
    """
    return _frame(coded_text(df, schema, withheld))


def _typed_texts(col: Coded, ftype: str) -> pd.Series:
    """The column's distinct texts read back with its schema type (a reader's value of each)."""
    texts = pd.Series(col.texts, dtype=object)
    if ftype == "integer":
        back = pd.to_numeric(texts.where(texts != spec.SUPPRESSED, ""), errors="coerce").astype("Int64")
    elif ftype == "number":
        back = pd.to_numeric(texts, errors="coerce").astype(float)
    elif ftype == "boolean":
        back = texts.map({"true": True, "false": False}).astype("boolean")
    else:
        back = texts.where(texts != "", None)
    return back


def typed_columns(table: Table) -> dict[str, api.Column]:
    """A published table read back from its text with its schema's types, as a reader would: each
    column's distinct values, parsed once, and its codes (api.Column).

    The API is built from this, so its numbers are exactly those in the CSV.
    """
    return {f["name"]: api.Column(table.columns[f["name"]].codes,
                                  _typed_texts(table.columns[f["name"]], f.get("type", "string")))
            for f in table.schema["fields"]}


#: What makes csv.QUOTE_MINIMAL quote a field: a comma, a quote, CR or LF.
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def _csv_field(text: str) -> str:
    """One CSV field as csv.QUOTE_MINIMAL writes it."""
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_fields(col: Coded, end: str) -> Coded:
    """The column as CSV fields followed by `end` ("," or the line end), made once per distinct text.

    Most columns (all the numbers) hold nothing to quote: one scan of their
    distinct texts joined says so, without a call per text.
    """
    texts = col.texts
    if _NEEDS_QUOTES.search("".join(texts.tolist())):
        texts = objects([_csv_field(t) for t in texts.tolist()])
    return Coded(col.codes, texts + end)


def csv_bytes(text: pd.DataFrame | dict[str, Coded], chunk: int = 50_000) -> bytes:
    """CSV with a header, CRLF line ends (RFC 4180), quoting only where needed: stable bytes.

    CRLF rather than LF because Python quotes a cell holding a line break only when the
    break is part of the line terminator: with LF alone, a stray CR in a cell would split a row.
    The bytes are those of pandas' `to_csv` (the csv module, QUOTE_MINIMAL), built a
    column at a time: each distinct text is quoted once, with the comma or line end
    after it, neighbouring columns with few distinct pairs become one piece
    (`joined_runs`), and the rows are one join.
    """
    if isinstance(text, pd.DataFrame):
        # Anything but two or more columns of str (a lone empty field is written "", missing
        # values and numbers have pandas' own rules) is left to pandas.
        if len(text.columns) < 2 or any(pd.api.types.infer_dtype(text[c], skipna=False) != "string"
                                        or text[c].isna().any() for c in text.columns):
            buf = io.StringIO()
            text.to_csv(buf, index=False, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
            return buf.getvalue().encode("utf-8")
        text = {str(c): Coded.of(text[c].tolist()) for c in text.columns}
    if len(text) < 2:
        return csv_bytes(_frame(text))
    names = list(text)
    ends = [","] * (len(names) - 1) + ["\r\n"]
    fields = joined_runs([_csv_fields(c, end) for c, end in zip(text.values(), ends)])
    out = [(",".join(_csv_field(n) for n in names) + "\r\n").encode("utf-8")]
    n = len(fields[0])
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        pieces = np.empty((hi - lo, len(fields)), dtype=object)
        for j, f in enumerate(fields):
            pieces[:, j] = f.texts[f.codes[lo:hi]]
        out.append("".join(pieces.ravel().tolist()).encode("utf-8"))
    return b"".join(out)


# --------------------------------------------------------------------------- the published tables


def _published_only(df: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """Rows of published returns only (the Dataset promises it; the downloads make sure)."""
    if df.empty or "org_code" not in df.columns or "year" not in df.columns:
        return df
    left = dataset.left_out
    if left.empty:
        return df
    bad = set(zip(left["org_code"].astype(str), left["year"].astype(int)))
    keep = [(c, int(y)) not in bad for c, y in zip(df["org_code"].astype(str), df["year"])]
    return df[keep]


def _group_columns(resource: str) -> list[str]:
    """Rows that add up to a total, for complementary suppression: the key without ethnicity."""
    return ["year"] + [k for k in spec.KEYS[resource] if k != "ethnicity"]


def _withhold(df: pd.DataFrame, resource: str, threshold: int) -> dict[str, pd.Series]:
    """Counts to publish as `*` because they are below `threshold` (or would reveal one)."""
    counts = [c for c in spec.COUNT_FIELDS.get(resource, ()) if c in df.columns]
    if threshold <= 0 or not counts or df.empty:
        return {}

    after = withhold_small_counts(df, counts, _group_columns(resource), threshold)  # a copy, same index
    marks: dict[str, pd.Series] = {}
    for c in counts:
        became_missing = df[c].notna() & after[c].isna()
        flagged = after.get(f"{c}_withheld", pd.Series(False, index=df.index)).fillna(False).astype(bool)
        marks[c] = (became_missing | flagged).astype(bool)
    return marks


def _input_table(dataset: Dataset, resource: str) -> pd.DataFrame:
    if resource == "organisations":
        return dataset.register.sort_values("org_code", kind="stable")
    if resource == "collections":
        return dataset.collections.sort_values("year", kind="stable")
    df = dataset.tables.get(resource)
    if df is None:
        return pd.DataFrame(columns=[f["name"] for f in download_schema(resource)["fields"]])
    df = _published_only(df, dataset)
    return df.sort_values(["year", "org_code"], kind="stable")


@dataclass
class Table:
    """One table ready to publish: its name, schema and text (by column, in schema order)."""

    name: str
    title: str
    schema: dict
    columns: dict[str, Coded]

    @property
    def rows(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    @property
    def csv_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def schema_name(self) -> str:
        return f"{self.name}.schema.json"


def published_tables(dataset: Dataset, results: Results, settings: Settings) -> list[Table]:
    """Every table in the downloads, in the order they are listed."""
    tables = []
    for resource in PUBLISHED_RESOURCES:
        df = _input_table(dataset, resource)
        schema = download_schema(resource)
        marks = getattr(results, "withheld", None) or {}
        if resource in marks:  # the protection pass decided (protection.py)
            withheld = {c: marks[resource][c].reindex(df.index).fillna(False).astype(bool) for c in marks[resource]}
        else:
            withheld = _withhold(df, resource, settings.withhold_below) if resource in spec.YEAR_RESOURCES else {}
        tables.append(Table(resource, RESOURCE_TITLES[resource], schema, coded_text(df, schema, withheld)))
    ind = results.indicators
    ind_schema = indicators_schema(ind)
    tables.append(Table("indicators", RESOURCE_TITLES["indicators"], ind_schema, coded_text(ind, ind_schema)))
    for name, key in (("goals", ("year", "level", "code", "group", "target_year")), ("quality", ("org_code", "year"))):
        df = getattr(results, name, None)
        if isinstance(df, pd.DataFrame) and len(df.columns):
            schema = computed_schema(df, key=key, table=name)
            tables.append(Table(name, RESOURCE_TITLES[name], schema, coded_text(df, schema)))
    return tables


# --------------------------------------------------------------------------- the workbook


def workbook_bytes(tables: list[Table], release: Release, headline: pd.DataFrame) -> bytes:
    """One .xlsx for people who open files by hand: "about", "columns", the headline figures (one row per
    organisation per year, `headline.headline_table`), goals and quality. The long tables stay CSV.

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
        ("Sheets", "columns explains every column; headline holds each organisation's nine headline figures "
                   "for each year; goals and quality are downloads/goals.csv and downloads/quality.csv. Every "
                   "figure (indicators.csv) and the returns themselves are CSV files beside this workbook."),
    ], columns=["item", "value"])
    schema = headline_schema()
    kept = [Table("headline", "Headline figures", schema, coded_text(headline, schema))]
    kept += [t for t in tables if t.name in ("goals", "quality")]
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


def package_descriptor(tables: list[Table], files: dict[str, DownloadFile], release: Release,
                       dataset: Dataset) -> dict:
    """datapackage.json: self-contained (schemas inline), with licence, sources and the release."""
    sources = [{
        "title": "Published WRES returns of the organisations in organisations.csv "
                 "(their own reports are linked from returns.csv, report_url)",
    }]
    if release.demonstration:
        sources.append({"title": "Fictional demonstration data made by `wres sample`: no real organisation"})
    else:
        sources.append(dict(ODS_SOURCE))
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
    wb = files[WORKBOOK]
    resources.append({
        "name": "workbook",
        "type": "file",
        "path": WORKBOOK,
        "title": "The headline figures, goals and data quality in one Excel workbook, with a sheet that explains the columns",
        "format": "xlsx",
        "mediatype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "bytes": wb.bytes,
        "hash": f"sha256:{wb.sha256}",
    })
    return {
        "name": "open-wres",
        "title": "Open WRES: NHS Workforce Race Equality Standard returns and indicators",
        "description": ("Every published WRES return, validated and stacked over all years with a year "
                        "column, and every figure computed from them. Counts: an empty cell is not "
                        "available, * is suppressed. " + release.label + "."
                        + (" Demonstration data: the organisations are fictional." if release.demonstration else "")),
        "version": release.version,
        "licenses": [dict(LICENCE)],
        "sources": sources,
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
        "resources": resources,
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
    headline = headline_table(results.indicators, dataset.register)
    files[WORKBOOK] = _record(docs_dir, f"{DOWNLOADS}/{WORKBOOK}", workbook_bytes(tables, release, headline),
                              "The headline figures, goals and data quality in one Excel workbook",
                              None, None, "xlsx")
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
    order = [PACKAGE] + [t.csv_name for t in tables] + [WORKBOOK, CHECKSUMS] + [t.schema_name for t in tables]
    return [files[n] for n in order if n in files]
