"""The wide table journalists asked for: one row per organisation and year, the nine headline figures side by side.

`downloads/indicators.csv` is long (every measure, breakdown and level); in a
spreadsheet a reader wants what the Gender Pay Gap service gives: one row per
organisation and year with its figures in columns. This table is that view of
`indicators.csv` and nothing more: each figure is the organisation's headline
row there (`headline` true), with the same value, interval, status, reason,
flags, change and trend, written by the same formatting (so the two files
agree to the character, which tests/test_headline_figures.py checks), plus the
class of the figure as a word and in words (figure_class.py) and where the
return was not published, why. A figure withheld by the protection pass is
already blank, with status `suppressed`, in the figures this is built from, so
this table withholds exactly what indicators.csv does.

Rows: every return in the data (published or left out), by year and code.
The columns of headline.py's `headline_table` come
from it, named as there (`i<n>_<column>`); this adds the rest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..model import spec
from .figure_class import CLASS_LABELS, figure_class
from .headline import FIGURE_COLUMNS, ORG_COLUMNS, headline_table

NAME = "headline-figures"
TITLE = "Headline figures: one row per organisation and year, the nine indicators side by side"

#: Indicators whose headline is a relative likelihood: the two rates behind it are published beside it.
LIKELIHOODS = (2, 3, 4)

#: The columns of indicators.csv carried for each figure (headline_table's and more), in the table's order,
#: with the two added here (ADDED) among them.
ORDER = ("measure", "value", "ci_lower", "ci_upper", "status", "reason", "flags", "class", "class_label",
         "previous_value", "change", "trend")
RATES = ("rate_white", "rate_bme")
ADDED = ("class", "class_label")
CARRIED = tuple(c for c in ORDER if c not in ADDED)

_ORG_FIELDS = [
    ("year", "integer", "Collection year: the workforce snapshot is taken on 31 March of that year."),
    ("org_code", "string", "ODS code of the organisation."),
    ("org_name", "string", "Name of the organisation (register, organisations.csv)."),
    ("org_type", "string", "Type of organisation: " + ", ".join(spec.ORG_TYPES) + "."),
    ("region_code", "string", "NHS England region code (Y56 ...)."),
    ("region_name", "string", "NHS England region."),
    ("system_code", "string", "ODS code of the integrated care system."),
    ("system_name", "string", "Name of the integrated care system."),
    ("return_status", "string", "published, published_with_warnings or left_out (the return has errors: "
                                "it is not published and has no figures)."),
    ("published", "boolean", "Whether the return was published (its figures are in this row)."),
    ("not_published_reason", "string", "Why the return was not published; empty when it was."),
]

_FIGURE_WORDS = {
    "measure": "Which measure of indicators.csv is the headline (for 3: relative_likelihood_2yr, pooling two "
               "years, where last year's return exists; else relative_likelihood).",
    "value": "The headline figure, as in indicators.csv (likelihoods as ratios, gaps in percentage points).",
    "ci_lower": "Lower end of its 95% interval, where one is defined.",
    "ci_upper": "Upper end of its 95% interval, where one is defined.",
    "status": "ok, not_calculable, not_collected or suppressed (withheld: see reason).",
    "reason": "Plain words: why there is no figure, or what to know about it.",
    "flags": "Semicolon-separated flags of the figure, as in indicators.csv (small_numbers, significant, ...).",
    "class": "Class of the figure as printed (rule on /methodology/): equal, adverse_to_bme, adverse_to_white, "
             "worse_for_bme, worse_for_white, unclear, untested_gap or more_diverse; empty with no figure.",
    "class_label": "The class in words, as on the site.",
    "previous_value": "The same figure for the year before, where both are ok.",
    "change": "value - previous_value (ratio units for likelihoods, percentage points for gaps).",
    "trend": "improved, worsened, no_clear_change or not_tested: the test is on /methodology/; empty "
             "without last year's figure.",
    "rate_white": "The White rate behind the likelihood, percent.",
    "rate_bme": "The BME rate behind the likelihood, percent.",
}
_FIGURE_TYPES = {"value": "number", "ci_lower": "number", "ci_upper": "number", "previous_value": "number",
                 "change": "number", "rate_white": "number", "rate_bme": "number"}


def figure_columns(indicator: int) -> list[tuple[str, str]]:
    """(column, what of the figure) for one indicator, in the table's order."""
    parts = list(ORDER) + (list(RATES) if indicator in LIKELIHOODS else [])
    return [(f"i{indicator}_{p}", p) for p in parts]


def headline_schema() -> dict:
    """The Table Schema of headline-figures.csv: fixed by the code, never by the data."""
    fields = [{"name": n, "type": t, "description": d} for n, t, d in _ORG_FIELDS]
    for i in spec.INDICATORS:
        for name, part in figure_columns(i):
            fields.append({"name": name, "type": _FIGURE_TYPES.get(part, "string"),
                           "title": f"Indicator {i}, {spec.INDICATOR_TITLES[i]}: {part.replace('_', ' ')}",
                           "description": _FIGURE_WORDS[part]})
    return {
        "fields": fields,
        "missingValues": [""],
        "primaryKey": ["year", "org_code"],
        "foreignKeys": [{"fields": ["org_code"], "reference": {"resource": "organisations", "fields": ["org_code"]}}],
    }


def _returns(returns: pd.DataFrame, register: pd.DataFrame) -> pd.DataFrame:
    """One row per return with the organisation's register entry and whether it was published."""
    out = returns[["year", "org_code", "status", "errors"]].astype({"year": int, "org_code": str})
    out = out.sort_values(["year", "org_code"], kind="stable").reset_index(drop=True)
    reg_cols = ["org_code", "org_name", "org_type", "region_code", "system_code", "system_name"]
    reg = register[[c for c in reg_cols if c in register.columns]].astype({"org_code": str})
    out = out.merge(reg.drop_duplicates("org_code"), on="org_code", how="left")
    out["region_name"] = out.get("region_code", pd.Series(index=out.index, dtype=object)).map(
        lambda c: spec.REGIONS[c][0] if c in spec.REGIONS else None)
    left = (out["status"] == "left_out").to_numpy()
    out["published"] = ~left
    errors = pd.to_numeric(out["errors"], errors="coerce").fillna(0).astype(int)
    out["not_published_reason"] = np.where(
        left, [f"left out: the return has {n} error{'s' if n != 1 else ''} (listed on the data quality page)"
               for n in errors], "")
    return out.rename(columns={"status": "return_status"}).drop(columns="errors")


def _extra(rows: pd.DataFrame, indicator: int) -> pd.DataFrame:
    """The columns of one indicator that headline_table does not give: reason, flags, class, previous, rates."""
    rows = rows[rows["headline"] & (rows["indicator"] == indicator)]
    out = pd.DataFrame({"year": rows["year"].astype(int).to_numpy(), "org_code": rows["code"].astype(str).to_numpy()})
    for name, part in figure_columns(indicator):
        if part not in FIGURE_COLUMNS and part not in ADDED:
            out[name] = rows[part].to_numpy() if part in rows.columns else np.full(len(rows), np.nan)
    classes = [figure_class(indicator, m, v, f, lo, hi) for m, v, f, lo, hi in zip(
        rows["measure"], rows["value"], rows["flags"], rows["ci_lower"], rows["ci_upper"])]
    out[f"i{indicator}_class"] = classes
    out[f"i{indicator}_class_label"] = [CLASS_LABELS.get(c, "") for c in classes]
    return out


def headline_figures(indicators: pd.DataFrame, register: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame:
    """The wide table: every return's row, and each indicator's headline figure in its columns.

    A pure function of the published figures (`Results.indicators`, after protection), the register and the
    returns; its columns are those of `headline_schema`, in order.
    """
    rows = indicators[indicators["level"] == "organisation"]
    figures = headline_table(rows, register).drop(columns=[c for c in ORG_COLUMNS if c != "org_code"])
    figures["year"] = figures["year"].astype(int)
    out = _returns(returns, register).merge(figures, on=["year", "org_code"], how="left", validate="one_to_one")
    for i in spec.INDICATORS:
        out = out.merge(_extra(rows, i), on=["year", "org_code"], how="left", validate="one_to_one")
    names = [f["name"] for f in headline_schema()["fields"]]
    for n in names:
        if n not in out.columns:
            out[n] = None
    return out[names]
