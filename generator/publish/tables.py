"""The tables published: the input resources as validated, every computed figure, the goals and quality.

Each is a `Table`: its name, title, schema and its text by column, which the
CSV, the workbook, the API and the database are all written from, so they agree.
Withheld counts (the protection pass, or the older complementary suppression
when it has not run) are written as `*` here, once for every file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from ..compute.suppression import withhold_small_counts
from ..model import spec
from ..model.dataset import Dataset
from ..model.settings import Settings
from . import api
from .cellformat import Coded
from .csv_text import coded_text, typed_texts
from .download_schemas import PUBLISHED_RESOURCES, RESOURCE_TITLES, computed_schema, download_schema, indicators_schema
from .headline_figures import NAME as HEADLINE_NAME
from .headline_figures import TITLE as HEADLINE_TITLE
from .headline_figures import headline_figures, headline_schema

if TYPE_CHECKING:  # pragma: no cover
    from ..compute.indicators import Results


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
    """Every table in the downloads, in the order they are listed: the wide headline table first (the one most
    readers want), then the inputs, then the computed tables."""
    wide = headline_figures(results.indicators, dataset.register, dataset.returns)
    tables = [Table(HEADLINE_NAME, HEADLINE_TITLE, headline_schema(), coded_text(wide, headline_schema()))]
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


def typed_columns(table: Table) -> dict[str, api.Column]:
    """A published table read back from its text with its schema's types, as a reader would: each
    column's distinct values, parsed once, and its codes (api.Column).

    The API is built from this, so its numbers are exactly those in the CSV.
    """
    return {f["name"]: api.Column(table.columns[f["name"]].codes,
                                  typed_texts(table.columns[f["name"]], f.get("type", "string")))
            for f in table.schema["fields"]}
