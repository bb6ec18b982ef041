"""The static JSON API: the register with links, and one file per organisation.

`/api/organisations.json` lists every organisation in the register with the
addresses of its page, its API file and its return pages;
`/api/organisations/<CODE>.json` holds its register entry, its returns and
their status, and all its figures. The figures are the rows of
indicators.csv, parsed back from the very text written there, so the API and
the CSV agree exactly. JSON is written compact with sorted keys: the same
data gives the same bytes. Both documents have a JSON Schema beside them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..model import spec
from ..model.dataset import Dataset
from ..model.release import Release
from .cellformat import Coded, joined_runs, objects
from .files import safe_join, write_text

API = "api"
REGISTER_FILE = "organisations.json"
REGISTER_SCHEMA_FILE = "organisations.schema.json"
ORGANISATION_SCHEMA_FILE = "organisation.schema.json"
API_VERSION = 1

REGISTER_COLUMNS = ("org_code", "org_name", "org_type", "region_code", "system_code", "system_name",
                    "successor_code", "closed_year", "website")


@dataclass
class ApiFiles:
    """What write_api wrote, relative to the docs folder."""

    register: str
    schemas: dict[str, str]
    organisation_paths: dict[str, str] = field(default_factory=dict)
    total_bytes: int = 0


def link(site_url: str, path: str) -> str:
    """An address on the site: absolute when site_url is known, else from the site root."""
    return f"{site_url.rstrip('/')}/{path}" if site_url else f"/{path}"


def _jsonable(o: Any) -> Any:
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.bool_):
        return bool(o)
    if o is pd.NA:
        return None
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def dumps(obj: Any) -> str:
    """Compact, stable JSON: sorted keys, fixed separators, no NaN."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False,
                      default=_jsonable) + "\n"


def _plain_column(s: pd.Series) -> list:
    """A column as plain Python values (int, float, bool, str) with None for missing."""
    missing = s.isna().to_numpy()
    if pd.api.types.is_bool_dtype(s.dtype):
        values = [bool(v) for v in s.fillna(False).tolist()]
    elif pd.api.types.is_integer_dtype(s.dtype):
        values = [int(v) for v in s.fillna(0).tolist()]
    elif pd.api.types.is_float_dtype(s.dtype):
        values = s.astype(float).fillna(0.0).tolist()
    else:
        values = s.astype(object).tolist()
    return [None if m else v for v, m in zip(values, missing)] if missing.any() else values


def records(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain values; missing cells become null."""
    if df.empty:
        return []
    cols = list(df.columns)
    lists = [_plain_column(df[c]) for c in cols]
    return [dict(zip(cols, row)) for row in zip(*lists)]


def safe_code(code: object) -> str | None:
    """The code if it may appear in an address (spec.ORG_CODE_RE), else None."""
    text = str(code)
    return text if spec.ORG_CODE_RE.fullmatch(text) else None


def _entry(row: dict) -> dict:
    entry = {c: row.get(c) for c in REGISTER_COLUMNS}
    entry["region_name"] = spec.REGIONS.get(str(row.get("region_code")), ("",))[0] or None
    if entry.get("closed_year") is not None:
        entry["closed_year"] = int(entry["closed_year"])
    return entry


def _release(release: Release) -> dict:
    return {"version": release.version, "data_hash": release.data_hash, "data_date": release.data_date,
            "label": release.label, "demonstration": release.demonstration}


def _returns_by_code(dataset: Dataset) -> dict[str, list[dict]]:
    ret = dataset.returns.sort_values(["org_code", "year"], kind="stable")
    out: dict[str, list[dict]] = {}
    for r in records(ret):
        files = r.get("files")
        out.setdefault(str(r["org_code"]), []).append({
            "year": int(r["year"]),
            "status": r["status"],
            "errors": int(r["errors"]) if r.get("errors") is not None else 0,
            "warnings": int(r["warnings"]) if r.get("warnings") is not None else 0,
            "files": [f for f in str(files).split(";") if f] if files else [],
            "submitted_on": None if r.get("submitted_on") is None else str(r["submitted_on"])[:10],
            "report_url": r.get("report_url"),
            "action_plan_url": r.get("action_plan_url"),
        })
    return out


def register_document(dataset: Dataset, release: Release, site_url: str,
                      returns: dict[str, list[dict]] | None = None) -> dict:
    """/api/organisations.json: every organisation with links to its page, API file and returns."""
    returns = returns if returns is not None else _returns_by_code(dataset)
    orgs = []
    for row in records(dataset.register.sort_values("org_code", kind="stable")):
        code = safe_code(row["org_code"])
        if code is None:
            continue
        entry = _entry(row)
        entry["links"] = {
            "page": link(site_url, f"organisations/{code}/"),
            "api": link(site_url, f"{API}/organisations/{code}.json"),
            "returns": {str(r["year"]): link(site_url, f"organisations/{code}/{r['year']}/")
                        for r in returns.get(code, [])},
        }
        orgs.append(entry)
    return {
        "api_version": API_VERSION,
        "release": _release(release),
        "schema": link(site_url, f"{API}/{REGISTER_SCHEMA_FILE}"),
        "count": len(orgs),
        "organisations": orgs,
    }


def organisation_document(entry: dict, code: str, returns: list[dict], figures: list[dict], goals: list[dict],
                          release: Release, site_url: str) -> dict:
    """/api/organisations/<CODE>.json: register entry, returns with status, every figure, goals."""
    for r in returns:
        r["links"] = {
            "page": link(site_url, f"organisations/{code}/{r['year']}/"),
            "badge": link(site_url, f"organisations/{code}/{r['year']}/badge.svg"),
        }
    return {
        "api_version": API_VERSION,
        "release": _release(release),
        "schema": link(site_url, f"{API}/{ORGANISATION_SCHEMA_FILE}"),
        "organisation": entry,
        "links": {
            "page": link(site_url, f"organisations/{code}/"),
            "api": link(site_url, f"{API}/organisations/{code}.json"),
            "register": link(site_url, f"{API}/{REGISTER_FILE}"),
            "indicators_csv": link(site_url, "downloads/indicators.csv"),
        },
        "returns": returns,
        "figures": figures,
        "goals": goals,
    }


#: Keys every figure carries even when null; other null keys are left out (about half the bytes).
FIGURE_KEYS = ("year", "indicator", "measure", "breakdown", "value", "status")


def _json_value(value: Any) -> str:
    """One plain value as dumps writes it inside a document."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, default=_jsonable)


def _float_texts(values: np.ndarray) -> list[str]:
    """Floats as dumps writes them (float.__repr__; NaN is missing and never written), in one C-level map."""
    if np.isinf(values).any():
        raise ValueError("Out of range float values are not JSON compliant")  # as dumps(allow_nan=False)
    return list(map(float.__repr__, values.tolist()))


@dataclass(frozen=True)
class Column:
    """A column as its distinct values and, per row, which one it holds.

    The JSON of a value is made once per distinct value. downloads hands over
    indicators.csv and goals.csv this way, each distinct text parsed once
    (downloads.typed_columns), so the API factorizes nothing again.
    """

    codes: np.ndarray   # intp, one per row: an index into values
    values: pd.Series   # the distinct values, typed; a missing value is one of them


def _fragment_texts(values: pd.Series, key: str, keep_null: bool) -> np.ndarray:
    """Per distinct value, `,"key":value` as dumps writes it inside an object ("" for a null left out)."""
    missing = values.isna().to_numpy()
    if pd.api.types.is_float_dtype(values.dtype):
        floats = values.to_numpy(dtype=float, na_value=np.nan)
        texts = _float_texts(np.where(missing, 0.0, floats))   # missing ones are never written
    else:
        texts = [_json_value(v) for v in _plain_column(values)]
    fragments = "," + _json_value(key) + ":" + objects(texts)
    fragments[missing] = "," + _json_value(key) + ":null" if keep_null else ""
    return fragments


def _row_pieces(columns: list[Coded]) -> list[Coded]:
    """Each row's fragments as one JSON object per row, `{...},`, as pieces to join.

    Every fragment opens with a comma; the first one a row writes must not, so
    each column has a second set of texts without it, picked in the rows where
    that column comes first. The braces go on the first and last columns' texts.
    """
    n = len(columns[0])
    first = np.full(n, len(columns), dtype=np.intp)      # per row: the first column it writes
    for j in reversed(range(len(columns))):
        first[(columns[j].texts != "")[columns[j].codes]] = j
    out = []
    for j, col in enumerate(columns):
        opens = first == j
        if not opens.any():
            out.append(col)
            continue
        lead = np.unique(col.codes[opens])   # the texts that open a row somewhere, sorted
        codes = col.codes.copy()
        codes[opens] = len(col.texts) + np.searchsorted(lead, col.codes[opens])
        out.append(Coded(codes, np.concatenate([col.texts, objects([t[1:] for t in col.texts[lead].tolist()])])))
    out[0] = Coded(out[0].codes, "{" + out[0].texts)
    out[-1] = Coded(out[-1].codes, out[-1].texts + "},")
    return out


def _held(col: Column, rows: np.ndarray) -> Column:
    """The column's part in `rows`, keeping only the values those rows hold (the rest need no JSON)."""
    codes = col.codes[rows]
    held = np.zeros(len(col.values), dtype=bool)
    held[codes] = True
    renumber = np.cumsum(held) - 1   # a held value's index among the held ones
    return Column(renumber[codes].astype(np.intp, copy=False), col.values[held].reset_index(drop=True))


def _json_by_code(table: Mapping[str, Column] | None, level_col: str = "level",
                  keep: tuple[str, ...] | None = None) -> dict[str, str]:
    """Organisation-level rows as a JSON array per code, without the level and code columns, in table order.

    With `keep`, a null value is left out of a row unless its key is in `keep`.
    The text is what dumps writes for the list of row objects (sorted keys,
    compact), built a column at a time instead of a dict per row: each
    distinct value's `,"key":value` is made once (`_fragment_texts`), picked
    per row with numpy, and each code's rows are one join (`_row_pieces`).
    """
    columns = dict(table) if table is not None else {}
    if not columns or "code" not in columns or not len(columns["code"].codes):
        return {}
    rows = np.arange(len(columns["code"].codes))
    if level_col in columns:
        level = columns[level_col]
        rows = np.flatnonzero((level.values == "organisation").to_numpy(dtype=bool)[level.codes])
    if not len(rows):
        return {}
    code = _held(columns["code"], rows)
    texts = code.values.astype(str).to_numpy(dtype=object)
    rank = np.unique(texts, return_inverse=True)[1]   # equal texts share a rank
    order = np.argsort(rank[code.codes], kind="stable")   # each code's rows together, in table order
    rows = rows[order]
    codes = texts[code.codes[order]]
    names = sorted(c for c in columns if c not in (level_col, "code"))
    if not names:
        pieces = np.full((len(rows), 1), "{},", dtype=object)
    else:
        held = {c: _held(columns[c], rows) for c in names}
        fragments = [Coded(held[c].codes, _fragment_texts(held[c].values, c, keep is None or c in keep))
                     for c in names]
        runs = joined_runs(_row_pieces(fragments))
        pieces = np.empty((len(rows), len(runs)), dtype=object)
        for j, run in enumerate(runs):
            pieces[:, j] = run.texts[run.codes]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    out = {}
    for lo, hi in zip(starts.tolist(), np.r_[starts[1:], len(codes)].tolist()):
        out[codes[lo]] = "[" + "".join(pieces[lo:hi].ravel().tolist())[:-1] + "]"
    return out


def _organisation_text(entry: dict, code: str, returns: list[dict], figures: str, goals: str,
                       release: Release, site_url: str) -> str:
    """dumps(organisation_document(...)) with the figures and goals given as JSON text already.

    With sorted keys the document always opens with api_version, figures and
    goals (every other key sorts after "goals"), so the text is spliced in there.
    """
    text = dumps(organisation_document(entry, code, returns, [], [], release, site_url))
    head = f'{{"api_version":{API_VERSION},"figures":[],"goals":[],'
    if not text.startswith(head):  # pragma: no cover - a new key sorting before "goals" would need this changed
        raise RuntimeError("organisation documents must open with api_version, figures and goals")
    return f'{{"api_version":{API_VERSION},"figures":{figures},"goals":{goals},' + text[len(head):]


def write_api(dataset: Dataset, figures: Mapping[str, Column],
              goals: Mapping[str, Column] | None, docs_dir: Path,
              release: Release, site_url: str) -> ApiFiles:
    """Write api/organisations.json, api/organisations/<CODE>.json and both JSON Schemas.

    `figures` is indicators.csv read back with its schema's types (see
    downloads.typed_columns), so the API
    carries exactly the published numbers.
    Codes that are not ODS codes are never used in a path.
    """
    docs_dir = Path(docs_dir)
    returns = _returns_by_code(dataset)
    files = ApiFiles(register=f"{API}/{REGISTER_FILE}",
                     schemas={"register": f"{API}/{REGISTER_SCHEMA_FILE}",
                              "organisation": f"{API}/{ORGANISATION_SCHEMA_FILE}"})
    for name, schema in ((REGISTER_SCHEMA_FILE, REGISTER_SCHEMA), (ORGANISATION_SCHEMA_FILE, ORGANISATION_SCHEMA)):
        text = json.dumps(schema, sort_keys=True, indent=1) + "\n"
        write_text(safe_join(docs_dir, API, name), text)
        files.total_bytes += len(text.encode())
    text = dumps(register_document(dataset, release, site_url, returns))
    write_text(safe_join(docs_dir, API, REGISTER_FILE), text)
    files.total_bytes += len(text.encode())

    by_code = _json_by_code(figures, keep=FIGURE_KEYS)
    goals_by_code = _json_by_code(goals)
    for row in records(dataset.register.sort_values("org_code", kind="stable")):
        code = safe_code(row["org_code"])
        if code is None:
            continue
        text = _organisation_text(_entry(row), code, [dict(r) for r in returns.get(code, [])],
                                  by_code.get(code, "[]"), goals_by_code.get(code, "[]"), release, site_url)
        relative = f"{API}/organisations/{code}.json"
        write_text(safe_join(docs_dir, API, "organisations", f"{code}.json"), text)
        files.organisation_paths[code] = relative
        files.total_bytes += len(text.encode())
    return files


# --------------------------------------------------------------------------- JSON Schemas

_NULLABLE_STRING = {"type": ["string", "null"]}
_RELEASE = {
    "type": "object",
    "description": "The release these figures come from: generator version and a hash of the input data.",
    "required": ["version", "data_hash", "data_date", "label", "demonstration"],
    "properties": {
        "version": {"type": "string", "description": "Open WRES generator version."},
        "data_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                      "description": "sha256 over every input file: names the data."},
        "data_date": {"type": "string", "description": "ISO date of the latest snapshot in the data."},
        "label": {"type": "string"},
        "demonstration": {"type": "boolean", "description": "True: fictional demonstration data."},
    },
}
_ENTRY = {
    "type": "object",
    "description": "The organisation's row of organisations.csv (the register).",
    "required": ["org_code", "org_name", "org_type", "region_code"],
    "properties": {
        "org_code": {"type": "string", "pattern": "^[A-Z0-9]{3,9}$", "description": "ODS code."},
        "org_name": {"type": "string"},
        "org_type": {"type": "string", "enum": list(spec.ORG_TYPES)},
        "region_code": {"type": "string", "enum": list(spec.REGIONS)},
        "region_name": _NULLABLE_STRING,
        "system_code": _NULLABLE_STRING,
        "system_name": _NULLABLE_STRING,
        "successor_code": _NULLABLE_STRING,
        "closed_year": {"type": ["integer", "null"]},
        "website": _NULLABLE_STRING,
    },
}

REGISTER_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "organisations.schema.json",
    "title": "Open WRES register: /api/organisations.json",
    "type": "object",
    "required": ["api_version", "release", "count", "organisations"],
    "properties": {
        "api_version": {"const": API_VERSION},
        "release": _RELEASE,
        "schema": {"type": "string"},
        "count": {"type": "integer", "minimum": 0},
        "organisations": {
            "type": "array",
            "items": {
                "allOf": [_ENTRY],
                "type": "object",
                "required": ["links"],
                "properties": {
                    "links": {
                        "type": "object",
                        "required": ["page", "api", "returns"],
                        "properties": {
                            "page": {"type": "string", "description": "The organisation's page."},
                            "api": {"type": "string", "description": "Its /api/organisations/<CODE>.json."},
                            "returns": {"type": "object", "description": "Year -> the page of that year's return.",
                                        "additionalProperties": {"type": "string"}},
                        },
                    },
                },
            },
        },
    },
}

ORGANISATION_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "organisation.schema.json",
    "title": "Open WRES organisation: /api/organisations/<CODE>.json",
    "type": "object",
    "required": ["api_version", "release", "organisation", "links", "returns", "figures", "goals"],
    "properties": {
        "api_version": {"const": API_VERSION},
        "release": _RELEASE,
        "schema": {"type": "string"},
        "organisation": _ENTRY,
        "links": {"type": "object", "additionalProperties": {"type": "string"}},
        "returns": {
            "type": "array",
            "description": "Every return the organisation made, published or left out, by year.",
            "items": {
                "type": "object",
                "required": ["year", "status", "errors", "warnings", "files", "submitted_on", "report_url",
                             "action_plan_url", "links"],
                "properties": {
                    "year": {"type": "integer"},
                    "status": {"enum": ["published", "published_with_warnings", "left_out"]},
                    "errors": {"type": "integer", "minimum": 0},
                    "warnings": {"type": "integer", "minimum": 0},
                    "files": {"type": "array", "items": {"type": "string"}},
                    "submitted_on": _NULLABLE_STRING,
                    "report_url": _NULLABLE_STRING,
                    "action_plan_url": _NULLABLE_STRING,
                    "links": {"type": "object", "required": ["page", "badge"],
                              "additionalProperties": {"type": "string"}},
                },
            },
        },
        "figures": {
            "type": "array",
            "description": "The organisation's rows of indicators.csv (without level and code), same values; "
                           "a column that is empty in the CSV is left out, except the required ones (null).",
            "items": {
                "type": "object",
                "required": ["year", "indicator", "measure", "breakdown", "value", "status"],
                "properties": {
                    "year": {"type": "integer"},
                    "indicator": {"type": "integer", "minimum": 1, "maximum": 9},
                    "measure": {"type": "string"},
                    "breakdown": {"type": "string"},
                    "value": {"type": ["number", "null"]},
                    "ci_lower": {"type": ["number", "null"]},
                    "ci_upper": {"type": ["number", "null"]},
                    "status": {"type": "string"},
                    "flags": _NULLABLE_STRING,
                },
            },
        },
        "goals": {"type": "array", "description": "Leadership goals (rows of goals.csv for this organisation).",
                  "items": {"type": "object"}},
    },
}
