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

import numpy as np
import pandas as pd

#: Decimals kept for published non-integer numbers: far below any difference that
#: matters, far above float noise, and the same in CSV, workbook and JSON.
DECIMALS = 10

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


def format_numbers(values: "np.ndarray") -> list[str]:
    """`format_number` over a float array (NaN -> ""), as one loop: the hot path of the downloads."""
    out = []
    append = out.append
    spec = f".{DECIMALS}f"
    for x in values.tolist():
        if x != x:
            append("")
        elif x in (float("inf"), float("-inf")):
            append("inf" if x > 0 else "-inf")
        else:
            t = format(x, spec).rstrip("0").rstrip(".")
            append("0" if t in ("-0", "") else t)
    return out


def safe_text(text: str) -> str:
    """Text a spreadsheet shows as text: a leading ' before anything formula-like."""
    return "'" + text if text.startswith(FORMULA_START) else text
