"""The Table Schemas of the downloads, and the words for their columns.

Derived from `schemas/` (the one source of truth for the input format) by
adding `year`, so a column cannot mean one thing in a return and another in a
download; the computed tables' schemas are read from the frame, typed by
column name where pandas' dtype would change with the data.
"""

from __future__ import annotations

import json

import pandas as pd

from ..model import spec

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
