"""Tables as the text published: each value formatted once, and the CSV bytes.

A table is held by column as `Coded` text (codes into the distinct texts,
cellformat.py), so a national table's millions of cells are formatted once per
distinct value, and the CSV is written from those texts with the bytes of the
csv module's QUOTE_MINIMAL.
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd

from ..model import spec
from .cellformat import Coded, format_numbers, joined_runs, objects, safe_text


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


def typed_texts(col: Coded, ftype: str) -> pd.Series:
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
