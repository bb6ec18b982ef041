"""Schema checks on the cells of one file: Frictionless decides, pandas finds the candidates.

The Table Schemas in `schemas/` are the single source of truth for types,
enumerations, patterns, ranges and required fields. Frictionless is the
reference implementation of those schemas but checks ~50k rows a second; the
national data set has ~180k rows. So every cell is first screened in pandas,
vectorised, with rules *read from the same schema* (never retyped here): a
cell passes the screen only if it is in the plain canonical form of its type
and inside its constraints. Only the rows with a cell that fails the screen
go through Frictionless, whose verdict is final (it accepts a few
non-canonical forms such as `+5`). A clean file therefore costs pandas time,
and every reported cell error is one Frictionless itself raised.

Messages are ours, written from the schema: what the column must hold, what
was found, and a hint for the usual spreadsheet slips (thousands separators,
percent signs, lower-case codes, DD/MM/YYYY dates).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..model import spec

if TYPE_CHECKING:  # Frictionless takes ~0.5 s to import; a clean file never needs it (see frictionless_check).
    from frictionless import Schema

_INT_RE = r"[0-9]+"
_NUM_RE = r"-?[0-9]+(\.[0-9]+)?"
_DATE_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_URL_RE = r"https?://[^\s<>\"']+"


@dataclass(frozen=True)
class FieldRule:
    """One column's rules, as the schema states them."""

    name: str
    type: str
    required: bool
    enum: tuple | None
    pattern: str | None
    minimum: float | None
    maximum: float | None
    format: str | None
    is_count: bool

    def expectation(self) -> str:
        """What the column must hold, in words a workforce analyst can act on."""
        if self.name == "org_code" or (self.pattern == "[A-Z0-9]{3,9}" and self.type == "string"):
            what = "an ODS code: 3 to 9 upper-case letters and digits, e.g. XAA01"
        elif self.enum is not None:
            what = "one of " + ", ".join(str(v) for v in self.enum)
        elif self.is_count:
            return (f"{self.name} must be a whole number, 0 or more (or empty for not available, "
                    f"{spec.SUPPRESSED} for suppressed)")
        elif self.type == "integer":
            what = "a whole number" + _range_words(self.minimum, self.maximum)
        elif self.type == "number":
            what = "a number" + _range_words(self.minimum, self.maximum) + " (digits and a decimal point only)"
        elif self.type == "date":
            what = "a date written YYYY-MM-DD, e.g. 2024-03-31"
        elif self.format == "uri":
            what = "a web address starting https:// or http://"
        else:
            what = "text"
        tail = "" if self.required else ", or empty"
        return f"{self.name} must be {what}{tail}"


def _range_words(lo: float | None, hi: float | None) -> str:
    fmt = lambda v: f"{v:g}"  # noqa: E731
    if lo is not None and hi is not None:
        return f" from {fmt(lo)} to {fmt(hi)}"
    if lo is not None:
        return f", {fmt(lo)} or more"
    if hi is not None:
        return f", {fmt(hi)} or less"
    return ""


@cache
def descriptor(resource: str) -> dict:
    """The schema JSON of a resource (loaded as a dict: Frictionless refuses absolute paths)."""
    return json.loads((spec.SCHEMA_DIR / f"{resource}.schema.json").read_text(encoding="utf-8"))


@cache
def row_schema(resource: str) -> Schema:
    """The Frictionless schema used on candidate rows: the real one without its primary key
    (a subset of rows cannot judge uniqueness; `checks.check_duplicate_keys` does, on all rows)."""
    from frictionless import Schema

    d = dict(descriptor(resource))
    d.pop("primaryKey", None)
    return Schema.from_descriptor(d)


def field_names(resource: str) -> tuple[str, ...]:
    return tuple(f["name"] for f in descriptor(resource)["fields"])


def missing_values(resource: str) -> tuple[str, ...]:
    return tuple(descriptor(resource).get("missingValues", [""]))


@cache
def rules(resource: str) -> tuple[FieldRule, ...]:
    counts = set(spec.COUNT_FIELDS.get(resource, ()))
    out = []
    for f in descriptor(resource)["fields"]:
        c = f.get("constraints", {})
        out.append(FieldRule(
            name=f["name"], type=f.get("type", "string"), required=bool(c.get("required")),
            enum=tuple(c["enum"]) if "enum" in c else None, pattern=c.get("pattern"),
            minimum=c.get("minimum"), maximum=c.get("maximum"), format=f.get("format"),
            is_count=f["name"] in counts,
        ))
    return tuple(out)


def _bools(s: pd.Series) -> np.ndarray:
    """A writable bool array (pandas 3 hands out read-only views), NA read as False."""
    return np.array(s.to_numpy(dtype=bool, na_value=False), dtype=bool, copy=True)


@dataclass(frozen=True)
class Distinct:
    """One column as its distinct cells and, per row, which of them it holds.

    A national file has ~130k rows but a column holds a few thousand distinct
    cells at most (counts) and usually a handful (codes, enumerations). Every
    rule here is a function of one cell, so it is worked out once per distinct
    cell and spread to the rows by `codes`: the same answer as cell by cell,
    at a fraction of the cost (pandas' string methods loop in Python).
    """

    #: Per row, the position of its cell in `values`.
    codes: np.ndarray
    #: The distinct cells, as text (the dtype the validator reads files into).
    values: pd.Series
    #: Per distinct cell: is it one of the schema's missing values.
    missing: np.ndarray

    def spread(self, per_value: np.ndarray) -> np.ndarray:
        """A per-distinct-cell array, per row."""
        return np.asarray(per_value)[self.codes]


def distinct(col: pd.Series, missing: Sequence[str]) -> Distinct:
    """Factorise a column of text cells (see `Distinct`)."""
    codes, uniques = pd.factorize(col.to_numpy(dtype=object), use_na_sentinel=False)
    values = pd.Series(uniques, dtype="str")
    return Distinct(codes, values, _bools(values.isin(missing)))


def distinct_columns(frame: pd.DataFrame, resource: str) -> dict[str, Distinct]:
    """`distinct` of every schema column of a frame, computed once for the screen and for `typed`."""
    missing = missing_values(resource)
    return {rule.name: distinct(frame[rule.name], missing) for rule in rules(resource) if rule.name in frame}


def _screen(col: pd.Series, rule: FieldRule, missing: tuple[str, ...]) -> np.ndarray:
    """True where a cell is *not* plainly valid and so must go to Frictionless."""
    is_missing = _bools(col.isin(missing))
    if rule.type == "integer":
        ok = _bools(col.str.fullmatch(_INT_RE))
    elif rule.type == "number":
        ok = _bools(col.str.fullmatch(_NUM_RE))
    elif rule.type == "date":
        ok = _bools(col.str.fullmatch(_DATE_RE))
        ok &= _bools(pd.to_datetime(col.where(ok, None), format="%Y-%m-%d", errors="coerce").notna())
    elif rule.format == "uri":
        ok = _bools(col.str.fullmatch(_URL_RE))
    else:
        ok = np.ones(len(col), dtype=bool)
    if rule.type in ("integer", "number") and (rule.minimum is not None or rule.maximum is not None
                                               or rule.enum is not None):
        values = pd.to_numeric(col.where(ok, None), errors="coerce")
        if rule.minimum is not None:
            ok &= ~_bools(values < rule.minimum)
        if rule.maximum is not None:
            ok &= ~_bools(values > rule.maximum)
        if rule.enum is not None:
            ok &= _bools(values.isin(list(rule.enum)))
    elif rule.enum is not None:
        ok &= _bools(col.isin([str(v) for v in rule.enum]))
    if rule.pattern is not None and rule.type == "string":
        ok &= _bools(col.str.fullmatch(rule.pattern))
    # A missing value is fine unless the column is required.
    return ~np.where(is_missing, not rule.required, ok)


def candidate_rows(frame: pd.DataFrame, resource: str, columns: dict[str, Distinct] | None = None) -> np.ndarray:
    """Positions of the rows with any cell that fails the pandas screen.

    The screen runs on each column's distinct cells (`Distinct`); pass
    `columns` from `distinct_columns` to share that work with `typed`.
    """
    missing = missing_values(resource)
    columns = columns if columns is not None else distinct_columns(frame, resource)
    bad = np.zeros(len(frame), dtype=bool)
    for rule in rules(resource):
        d = columns[rule.name]
        bad |= d.spread(_screen(d.values, rule, missing))
    return np.flatnonzero(bad)


@dataclass(frozen=True)
class CellError:
    position: int      # index into the rows given
    field: str
    cell: str
    kind: str          # frictionless error type, e.g. type-error, constraint-error
    constraint: str | None


def frictionless_check(frame: pd.DataFrame, positions: Sequence[int], resource: str) -> list[CellError]:
    """Run Frictionless's schema checks on the rows at `positions`; report each failing cell."""
    if len(positions) == 0:
        return []
    from frictionless import Resource  # imported here: only rows the pandas screen flagged need it

    names = list(field_names(resource))
    sub = frame.iloc[list(positions)][names]
    data = [names] + sub.to_numpy().tolist()
    report = Resource(data=data, schema=row_schema(resource)).validate(
        limit_errors=len(data) * len(names) + 10)
    found: list[CellError] = []
    seen: set[tuple[int, str]] = set()
    for task in report.tasks:
        for err in task.errors:
            row = getattr(err, "row_number", None)
            name = getattr(err, "field_name", None)
            if row is None or name is None or (row, name) in seen:
                continue
            seen.add((row, name))
            m = re.search(r'constraint "(\w+)"', getattr(err, "note", "") or "")
            found.append(CellError(int(positions[row - 2]), name, str(getattr(err, "cell", "") or ""),
                                   err.type, m.group(1) if m else None))
    return found


def hint(rule: FieldRule, cell: str) -> str:
    """A suggestion for the usual slips, or ""."""
    text = cell.strip()
    if rule.type in ("integer", "number"):
        if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text):
            return f"; remove the thousands separator: {text.replace(',', '')}"
        if re.fullmatch(r"-?\d+(\.\d+)?\s*%", text):
            return f"; write the number without the % sign: {text.rstrip('%').strip()}"
        if rule.type == "integer" and re.fullmatch(r"\d+\.0+", text):
            return f"; write it without decimals: {text.split('.')[0]}"
        if re.fullmatch(r"-\d+(\.\d+)?", text) and rule.minimum is not None:
            return "; a negative number cannot be right here"
    if rule.type == "date" and re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
        d, m, y = text.split("/")
        return f"; write it as {y}-{int(m):02d}-{int(d):02d}"
    if rule.type == "string" and rule.enum is not None and text.lower() in rule.enum:
        return f"; codes are lower case: '{text.lower()}'"
    if rule.type == "string" and rule.enum is not None:
        close = difflib.get_close_matches(text.lower(), [str(v) for v in rule.enum], n=1, cutoff=0.6)
        if close:
            return f"; did you mean '{close[0]}'?"
    if rule.pattern is not None and text.upper() != text and re.fullmatch(rule.pattern, text.upper()):
        return f"; ODS codes are written in upper case: '{text.upper()}'"
    return ""


def message(rule: FieldRule, cell: str) -> str:
    """The full sentence for a cell that failed its schema rule."""
    if cell == "" and rule.required:
        return f"{rule.name} is empty; {rule.expectation()}"
    shown = cell if len(cell) <= 60 else cell[:57] + "..."
    return f"{rule.expectation()}; found '{shown}'{hint(rule, cell)}"


def _whole_numbers(col: pd.Series) -> pd.Series:
    """Int64 of a column's whole numbers; NA for anything else (fractions, overflow, text)."""
    v = pd.to_numeric(col, errors="coerce").astype("float64")
    ok = np.isfinite(v) & (v == np.floor(v)) & (v.abs() < 2.0 ** 53)
    return v.where(ok).astype("Int64")


def typed(frame: pd.DataFrame, resource: str, columns: dict[str, Distinct] | None = None) -> pd.DataFrame:
    """Cast a frame of checked string cells to the Dataset's types (see dataset.py).

    Counts become nullable Int64 (NA for "" and "*") with a bool `<count>_suppressed`
    companion, other integers Int64 (int64 when required), numbers float, text str
    with NA for an empty cell. Each distinct cell is converted once (`Distinct`).
    """
    out = pd.DataFrame(index=frame.index)
    suppressed: dict[str, np.ndarray] = {}
    missing = missing_values(resource)
    columns = columns if columns is not None else distinct_columns(frame, resource)
    for rule in rules(resource):
        d = columns.get(rule.name) or distinct(pd.Series([""] * len(frame), index=frame.index, dtype="str"),
                                               missing)
        values = d.values
        if rule.type == "integer":
            per_value = _whole_numbers(values.where(~d.missing, None)).array
            col = pd.Series(per_value.take(d.codes), index=frame.index)
            if rule.required and not col.isna().any():
                col = col.astype("int64")
            out[rule.name] = col
            if rule.is_count:
                suppressed[f"{rule.name}_suppressed"] = d.spread(_bools(values == spec.SUPPRESSED))
        elif rule.type == "number":
            per_value = pd.to_numeric(values.where(~d.missing, None), errors="coerce").astype("float64")
            out[rule.name] = d.spread(per_value.to_numpy())
        else:
            text = values.where(values != "", pd.NA).astype("str")
            out[rule.name] = pd.Series(text.array.take(d.codes), index=frame.index)
    for name, s in suppressed.items():
        out[name] = s.astype(bool)
    return out
