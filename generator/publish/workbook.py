"""The Excel workbook of the downloads, written with XlsxWriter: small tables people open by hand.

It holds what a spreadsheet is good for (the headline figures, one row per organisation per year;
the leadership goals; the data quality of each return) and an "about" and a "columns" sheet that
explain them. The long tables (the 356,000-row indicators table at national size, the stacked
returns) stay CSV: see benchmarks/README.md for the sizes and times of both designs.

Cells hold the CSVs' text, so the two agree to the digit: a numeric column's cells that read as
numbers are written as numbers, everything else as text with Excel's quote prefix (kept as text
even when edited), never a formula, link or external reference (XlsxWriter's conversions of
strings to formulas, numbers and URLs are all off). The same tables give the same bytes: the
document's dates are fixed and XlsxWriter stamps every part of the zip with 1 January 1980.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd
import xlsxwriter

from .cellformat import Coded

#: The document's creation (and modification) date: fixed, never the clock.
CREATED = datetime.datetime(2000, 1, 1, 0, 0, 0)
#: Zip entry timestamp XlsxWriter gives every part (in memory): what tests check.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
#: Excel's sheet limit is 1,048,576 rows, one of them the header.
MAX_ROWS = 1_048_575
#: Excel's limit on the characters of one cell.
MAX_CELL_TEXT = 32_767
#: Widest column, in characters (long texts wrap in the cell instead).
MAX_WIDTH = 60

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_BAD_NAME = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Sheet:
    """One sheet: a name, its columns' text (in order) and which columns hold numbers."""

    name: str
    columns: Mapping[str, Coded]   # every cell as str ("" for an empty cell)
    numeric: frozenset[str] = field(default_factory=frozenset)

    @property
    def rows(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0


def sheet(name: str, text: pd.DataFrame | Mapping[str, Coded], numeric: Iterable[str] = ()) -> Sheet:
    """A Sheet from a frame of text (each cell str()'d) or from coded columns."""
    if isinstance(text, pd.DataFrame):
        text = {str(c): Coded.of([str(v) for v in text[c].tolist()]) for c in text.columns}
    return Sheet(name, dict(text), frozenset(numeric))


def _check(sheets: list[Sheet]) -> None:
    names = [s.name for s in sheets]
    if len(set(names)) != len(names) or any(len(n) > 31 or _BAD_NAME.search(n) for n in names):
        raise ValueError(f"sheet names must be unique, at most 31 characters, without []:*?/\\: {names}")
    for s in sheets:
        if s.rows > MAX_ROWS:
            raise ValueError(f"sheet {s.name} has {s.rows:,} rows, more than Excel's {MAX_ROWS:,}: publish it as CSV")


def _cells(col: Coded, numeric: bool) -> list[object]:
    """Each distinct text of a column as the value its cells get: a number, the text, or None (empty)."""
    out: list[object] = []
    for text in col.texts.tolist():
        text = text[:MAX_CELL_TEXT]
        if text == "":
            out.append(None)
        elif numeric and _NUMBER.match(text):
            out.append(int(text) if "." not in text else float(text))
        else:
            out.append(text)
    return out


def _width(name: str, col: Coded) -> float:
    longest = max([len(name), *(len(t) for t in col.texts.tolist())]) if len(col) else len(name)
    return float(min(MAX_WIDTH, max(8, longest + 2)))


def _write_sheet(book: xlsxwriter.Workbook, s: Sheet, bold: object, text_format: object) -> None:
    ws = book.add_worksheet(s.name)
    ws.freeze_panes(1, 0)
    for j, (name, col) in enumerate(s.columns.items()):
        ws.set_column(j, j, _width(name, col))
        ws.write_string(0, j, name, bold)
        values = _cells(col, name in s.numeric)
        for i, code in enumerate(col.codes.tolist(), start=1):
            value = values[code]
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(i, j, value, text_format)
            else:
                ws.write_number(i, j, value)


def xlsx_bytes(sheets: list[Sheet], title: str, author: str, comments: str) -> bytes:
    """The workbook as bytes: the same sheets give the same bytes."""
    _check(sheets)
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {
        "in_memory": True,
        "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
    })
    book.set_properties({"title": title, "author": author, "comments": comments, "created": CREATED})
    bold = book.add_format({"bold": True})
    text_format = book.add_format({"quote_prefix": True})
    for s in sheets:
        _write_sheet(book, s, bold, text_format)
    book.close()
    return buf.getvalue()
