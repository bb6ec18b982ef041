"""How one value is written into a published file (CSV, workbook, JSON).

The downloads, the workbook and the static API must agree to the last digit,
and two builds of the same data must give the same bytes. So every number is
formatted here, once, with a fixed number of decimals and never in exponent
form, and every piece of text passes `safe_text`, which keeps a spreadsheet
from running it: a cell that starts with = + - @ (or a tab or carriage
return) is read as a formula by Excel, LibreOffice and Google Sheets.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..model import spec

#: Decimals kept for published non-integer numbers: far below any difference that
#: matters, far above float noise, and the same in CSV, workbook and JSON.
DECIMALS = spec.FILE_DECIMALS

#: Characters that make a spreadsheet read a cell as a formula (or, for tab and
#: carriage return, that some spreadsheets strip before doing so).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def format_number(x: object) -> str:
    """A float as fixed-point text with at most DECIMALS decimals, no exponent, no "-0"; "" when missing."""
    if x is None or x is pd.NA:
        return ""
    x = float(x)  # type: ignore[arg-type]
    if math.isnan(x):
        return ""
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = f"{x:.{DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_numbers(values: np.ndarray) -> list[str]:
    """`format_number` over a float array (NaN -> ""): the hot path of the downloads.

    One C-level map formats and one comprehension trims; only NaN and the
    values that can print as "-0" (between -1e-9 and 0) are looked at again.
    """
    values = np.asarray(values, dtype=float)
    out = [t.rstrip("0").rstrip(".") for t in map(f"{{:.{DECIMALS}f}}".format, values.tolist())]
    with np.errstate(invalid="ignore"):
        again = np.isnan(values) | ((values > -1e-9) & (values <= 0))
    for i in np.flatnonzero(again).tolist():
        out[i] = "" if out[i] == "nan" else ("0" if out[i] in ("-0", "") else out[i])
    return out


#: Separators a spreadsheet may split a CSV line on instead of commas (a ; in most of Europe, a tab or |
#: when a user picks one): text after one of them starts a cell of its own.
SPLIT_ON = (";", "\t", "|")

#: A separator, then spaces or quote marks, before a formula-like character.
_FORMULA_AFTER_SEPARATOR = re.compile(r'([;\t|][ "]*)(?=[=+\-@\r])')


def safe_text(text: str) -> str:
    """Text a spreadsheet shows as text: a ' before anything formula-like, at the start and after a
    separator it may split on (`Trust;=1+2` opened where cells are split on ; would be two cells, the
    second a formula: it is written `Trust;'=1+2`)."""
    if any(sep in text for sep in SPLIT_ON):
        text = _FORMULA_AFTER_SEPARATOR.sub(r"\1'", text)
    return "'" + text if text.startswith(FORMULA_START) else text


@dataclass(frozen=True)
class Coded:
    """A column of published text as its distinct texts and, per row, which one it holds.

    The national tables have millions of cells but few distinct values per
    column, so every writer (CSV, workbook, JSON) turns each distinct text into
    its output once and then picks per row with one numpy index: no Python
    call per cell. Two entries of `texts` may be equal; that only costs a repeat.
    """

    codes: np.ndarray   # intp, one per row: an index into texts
    texts: np.ndarray   # object array of str

    @classmethod
    def of(cls, values: pd.Series | np.ndarray | list[str]) -> Coded:
        """Code a column of str (no missing values: an empty cell is "")."""
        codes, uniques = pd.factorize(np.asarray(values, dtype=object))
        if (codes < 0).any():
            raise ValueError('a coded column holds text only: an empty cell is ""')
        return cls(codes.astype(np.intp, copy=False), np.asarray(uniques, dtype=object))

    def __len__(self) -> int:
        return len(self.codes)

    def values(self) -> np.ndarray:
        """The column itself, as an object array of str."""
        return self.texts[self.codes]

    def then(self, other: Coded) -> Coded:
        """Row by row, this column's text followed by other's: one column, coded by the pairs that occur."""
        pairs = self.codes.astype(np.int64) * len(other.texts) + other.codes
        codes, uniques = pd.factorize(pairs)
        texts = self.texts[uniques // len(other.texts)] + other.texts[uniques % len(other.texts)]
        return Coded(codes.astype(np.intp, copy=False), texts)

    def replace(self, where: np.ndarray, text: str) -> Coded:
        """The column with `text` in the rows where `where` is true."""
        codes = self.codes.copy()
        codes[where] = len(self.texts)
        return Coded(codes, np.append(self.texts, objects([text])))


def joined_runs(columns: list[Coded]) -> list[Coded]:
    """The columns with runs of neighbours joined into one (`Coded.then`) where that is cheap.

    Writers that put a table's rows together from per-column pieces (one piece
    per cell, then one join) pay per piece; neighbours with few distinct pairs
    (year, level, code, ...) cost less as one piece made once per pair. Two
    columns are joined when the pairs they could form are at most an eighth of the rows.
    """
    if not columns:
        return []
    limit = max(64, len(columns[0]) // 8)
    out = [columns[0]]
    for col in columns[1:]:
        if len(out[-1].texts) * len(col.texts) <= limit:
            out[-1] = out[-1].then(col)
        else:
            out.append(col)
    return out


def objects(items: list) -> np.ndarray:
    """A 1-d object array of items (np.array would make a 2-d array of a list of tuples)."""
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out
