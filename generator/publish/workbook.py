"""A minimal, fast, deterministic .xlsx writer for tables of text.

Why not xlsxwriter: it writes about 100k cells a second here, and the
national indicators table alone has millions of cells, so the workbook took
longer than the rest of the build. A sheet of an .xlsx is one XML file; we
build each sheet's XML a column at a time: each distinct text of a column
becomes XML once (cellformat.Coded), and the rows are gathered from those with
numpy and joined in chunks. It is zipped with fixed timestamps and a fixed
creation date, so the same tables give the same bytes.

What it writes is deliberately inert: every text cell is a shared string
with the quote-prefix style (a spreadsheet keeps it as text even when the
cell is edited), numbers are plain values, and there are no formulas, links,
macros or external references anywhere in the package.

Shared strings, not inline ones: the tables repeat a few texts (codes,
measures, statuses) millions of times, and a cell that points into the
workbook's one table of texts is about half the XML of a cell that spells
its text out. The national indicators sheet is 145 MB of XML instead of 236 MB;
the workbook is written 10% to 25% faster (most of the time goes to joining
each row's pieces, which shared strings do not change).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO

import numpy as np
import pandas as pd

from .cellformat import Coded, objects

#: Zip entry timestamp and document creation date: fixed, never the clock.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
CREATED = "2000-01-01T00:00:00Z"
#: Excel's sheet limit is 1,048,576 rows; the header takes one. Longer tables
#: continue on further sheets ("workforce (2)") rather than being cut short.
MAX_ROWS = 1_048_575
#: Excel's limit on the characters of one cell.
MAX_CELL_TEXT = 32_767
#: Rows of XML built at a time (bounded memory at national-x5 size).
CHUNK = 50_000
#: zlib level of every part (see xlsx_bytes): levels 1 and 2 run equally fast here, 2 is ~8% smaller.
COMPRESS_LEVEL = 2

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NUMBER_RE = r"^-?\d+(\.\d+)?$"
#: Characters XML 1.0 cannot carry at all.
_CONTROL_RE = r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"

STYLE_DEFAULT, STYLE_BOLD, STYLE_TEXT = 0, 1, 2


@dataclass(frozen=True)
class Sheet:
    """One sheet: a name, its columns' text and which columns hold numbers."""

    name: str
    columns: Mapping[str, Coded]   # every cell as str ("" for an empty cell), by column in order
    numeric: frozenset[str]        # columns whose cells that look like numbers are written as numbers

    @property
    def rows(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0


def column_letter(i: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


_NEEDS_ESCAPE = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
#: Text Excel would read as an escaped character (`_x000D_` is a carriage return): its underscore escaped.
_EXCEL_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_CONTROL = re.compile(_CONTROL_RE)
_NUMBER = re.compile(_NUMBER_RE)


def escape(text: str) -> str:
    """Text as XML character data that reads back as itself; characters XML cannot hold are dropped.

    A carriage return is written as a character reference (a literal one would be read back as a
    line feed), and a `_xHHHH_` that is text, not an escape, gets its underscore escaped (`_x005F_`).
    """
    if not _NEEDS_ESCAPE.search(text):
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return _EXCEL_ESCAPE.sub("_x005F_", _CONTROL.sub("", text))


class SharedStrings:
    """The workbook's table of texts (xl/sharedStrings.xml): each distinct text once, numbered in the
    order the sheets first use it, so the same tables give the same numbers."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def number(self, value: str) -> int:
        if len(value) > MAX_CELL_TEXT:  # Excel refuses longer cells (it "repairs" the file)
            value = value[:MAX_CELL_TEXT - 1] + "…"
        return self.index.setdefault(value, len(self.index))

    def xml(self) -> str:
        return (_XML + f'<sst xmlns="{_MAIN}" uniqueCount="{len(self.index)}">'
                + "".join(f'<si><t xml:space="preserve">{escape(t)}</t></si>' for t in self.index) + "</sst>")


def _text_tail(value: str, strings: SharedStrings) -> str:
    """What follows a text cell's reference (`<c r="B7`): a shared string with the quote prefix."""
    return f'" t="s" s="{STYLE_TEXT}"><v>{strings.number(value)}</v></c>'


def _tails(texts: np.ndarray, numeric: bool, strings: SharedStrings) -> np.ndarray:
    """Per distinct text, what follows the cell's reference; "" for an empty cell (none is written).

    In a numeric column most texts are numbers: those are matched and wrapped
    with numpy's object loops, not a Python call each.
    """
    values = texts.tolist()
    tails = np.full(len(values), "", dtype=object)
    number = np.zeros(len(values), dtype=bool)
    if numeric:
        number = np.fromiter(map(bool, map(_NUMBER.match, values)), dtype=bool, count=len(values))
        tails[number] = '"><v>' + texts[number] + "</v></c>"
    for i in np.flatnonzero(~number):
        if values[i]:
            tails[i] = _text_tail(values[i], strings)
    return tails


@dataclass(frozen=True)
class _Column:
    """One column's cells as XML pieces, each distinct text turned into XML once."""

    ref: str             # what opens a written cell, up to its row number: '<c r="B'
    tail: np.ndarray     # per distinct text: the rest of the cell after its row number
    filled: np.ndarray   # per distinct text: whether a cell is written at all
    always: bool         # whether every row's cell is written (then nothing need be picked per row)
    codes: np.ndarray    # per row: which distinct text

    @classmethod
    def of(cls, coded: Coded, letter: str, numeric: bool, strings: SharedStrings) -> _Column:
        tail = _tails(coded.texts, numeric, strings)
        filled = tail != ""
        return cls(f'<c r="{letter}', tail, filled, bool(len(filled)) and bool(filled.all()), coded.codes)


#: What separates one row from the next: the end of a row and the start of the next one's number.
_ROW_GAP = '</row><row r="'


@dataclass(frozen=True)
class _Gaps:
    """The text between two row numbers of a row, for every gap of the row, as distinct texts and codes.

    A row is `<row r="` N `">` then, per cell, `<c r="B` N `" t=...>...</c>`, then
    `</row>`: row numbers with the same row's text between them. Each gap (what
    follows one number up to the next: a cell's tail and the next cell's head)
    is one piece, made once per distinct pair of texts, so a cell costs two
    pieces per row (its number and the gap after it), not three.
    """

    texts: list[np.ndarray]   # per gap: its distinct texts
    codes: list[np.ndarray]   # per gap: which distinct text, per row of the table

    @classmethod
    def of(cls, columns: list[_Column]) -> _Gaps:
        """Gaps 0..k: after the row's own number, then after each of the k cells' numbers."""
        lefts = [(objects(['">']), np.zeros(len(columns[0].codes), dtype=np.intp))]
        lefts += [(col.tail, col.codes) for col in columns]
        texts, codes = [], []
        for (left, left_codes), right in zip(lefts, columns + [None]):
            if right is None:          # after the last cell: the row ends (and the next row starts)
                texts.append(left + _ROW_GAP)
                codes.append(left_codes)
            elif right.always:          # the next cell is always written: its opening is one text
                texts.append(left + right.ref)
                codes.append(left_codes)
            else:                       # two texts per left text: next cell empty (0) or written (1)
                pair = np.empty(2 * len(left), dtype=object)
                pair[0::2] = left
                pair[1::2] = left + right.ref
                texts.append(pair)
                codes.append(2 * left_codes + right.filled[right.codes])
        return cls(texts, codes)


def _row_numbers(first: int, count: int) -> np.ndarray:
    """The row numbers first.. as text (an object array), in one C-level map."""
    return objects(list(map(str, range(first, first + count))))


def _rows_xml(columns: list[_Column], gaps: _Gaps, lo: int, hi: int, first_row: int) -> str:
    """Rows lo..hi of the table as XML, numbered from first_row.

    Per row: its number, then the gap after it, then per cell the cell's number
    ("" for an empty cell, which is not written) and the gap after that (see
    `_Gaps`), taken per row with numpy; the whole chunk is then one join.
    """
    rownums = _row_numbers(first_row, hi - lo)
    pieces = np.empty((hi - lo, 2 * len(columns) + 2), dtype=object)
    always = [0] + [2 * (j + 1) for j, col in enumerate(columns) if col.always]
    pieces[:, always] = rownums[:, None]
    for j, col in enumerate(columns):
        if not col.always:
            pieces[:, 2 * (j + 1)] = np.where(col.filled[col.codes[lo:hi]], rownums, "")
    for j, (texts, codes) in enumerate(zip(gaps.texts, gaps.codes)):
        pieces[:, 2 * j + 1] = texts[codes[lo:hi]]
    pieces[0, 0] = '<row r="' + pieces[0, 0]
    pieces[-1, -1] = pieces[-1, -1][:-len(_ROW_GAP)] + "</row>"
    return "".join(pieces.ravel().tolist())


def _sheet_xml(sheet: Sheet, start: int, stop: int, widths: Sequence[float],
               strings: SharedStrings) -> Iterable[str]:
    """The sheet's XML in pieces: header, rows start..stop of the table, footer."""
    cols = list(sheet.columns)
    letters = [column_letter(i) for i in range(len(cols))]
    last = f"{letters[-1]}{stop - start + 1}" if letters else "A1"
    yield (_XML + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><dimension ref="A1:{last}"/>'
           '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
           'state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>'
           + "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w:g}" customWidth="1"/>'
                     for i, w in enumerate(widths))
           + '</cols><sheetData><row r="1">'
           + "".join(f'<c r="{letters[i]}1" t="s" s="{STYLE_BOLD}"><v>{strings.number(str(c))}</v></c>'
                     for i, c in enumerate(cols))
           + "</row>")
    columns = [_Column.of(sheet.columns[col], letter, col in sheet.numeric, strings)
               for letter, col in zip(letters, cols)]
    gaps = _Gaps.of(columns) if columns else None
    for lo in range(start, stop, CHUNK):
        hi = min(stop, lo + CHUNK)
        if gaps is not None:
            yield _rows_xml(columns, gaps, lo, hi, lo - start + 2)
        else:
            yield "".join(f'<row r="{r}"></row>' for r in range(lo - start + 2, hi - start + 2))
    yield "</sheetData></worksheet>"


def _widths(sheet: Sheet) -> list[float]:
    """Column widths from the header and the first 200 rows."""
    out = []
    for name, col in sheet.columns.items():
        sample = [len(t) for t in col.texts[col.codes[:200]].tolist()]
        out.append(float(min(60, max(8, max([len(str(name))] + sample) + 2))))
    return out


def _parts(names: list[str], title: str, author: str, comments: str) -> dict[str, str]:
    from xml.sax.saxutils import escape, quoteattr

    n = len(names)
    return {
        "[Content_Types].xml": (
            _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" '
                      'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                      for i in range(n))
            + '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>'),
        "_rels/.rels": (
            _XML + f'<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{_PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>"),
        "docProps/core.xml": (
            _XML + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(title)}</dc:title><dc:creator>{escape(author)}</dc:creator>"
            f"<dc:description>{escape(comments)}</dc:description>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{CREATED}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{CREATED}</dcterms:modified>'
            "</cp:coreProperties>"),
        "docProps/app.xml": (
            _XML + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>Open WRES</Application></Properties>"),
        "xl/workbook.xml": (
            _XML + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/></bookViews><sheets>'
            + "".join(f'<sheet name={quoteattr(name)} sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                      for i, name in enumerate(names))
            + "</sheets></workbook>"),
        "xl/_rels/workbook.xml.rels": (
            _XML + f'<Relationships xmlns="{_PKG_REL}">'
            + "".join(f'<Relationship Id="rId{i + 1}" Type="{_REL}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                      for i in range(n))
            + f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            + f'<Relationship Id="rId{n + 2}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"),
        "xl/styles.xml": (
            _XML + f'<styleSheet xmlns="{_MAIN}">'
            '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
            '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
            '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" quotePrefix="1"/>'
            '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"),
    }


def split_sheets(name: str, text: pd.DataFrame | Mapping[str, Coded], numeric: Iterable[str],
                 max_rows: int = MAX_ROWS) -> list[tuple[Sheet, int, int]]:
    """A table as one or more sheets of at most max_rows rows: (sheet, start, stop)."""
    if isinstance(text, pd.DataFrame):
        text = {str(c): Coded.of([str(v) for v in text[c].tolist()]) for c in text.columns}
    sheet = Sheet(name, dict(text), frozenset(numeric))
    n = sheet.rows
    spans = [(lo, min(n, lo + max_rows)) for lo in range(0, max(n, 1), max_rows)]
    return [(sheet if i == 0 else Sheet(f"{name} ({i + 1})", sheet.columns, sheet.numeric), lo, hi)
            for i, (lo, hi) in enumerate(spans)]


def xlsx_bytes(sheets: list[tuple[Sheet, int, int]], title: str, author: str, comments: str) -> bytes:
    """The workbook as bytes: the same sheets give the same bytes.

    Compression level 2: about three times faster than zlib's default (6) at
    national size, for a file about a sixth larger; the XML inside is the same.
    """
    names = [s.name for s, _, _ in sheets]
    if len(set(names)) != len(names) or any(len(n) > 31 or re.search(r"[\[\]:*?/\\]", n) for n in names):
        raise ValueError(f"sheet names must be unique, at most 31 characters, without []:*?/\\: {names}")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as z:
        def entry(name: str) -> zipfile.ZipInfo:
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            # A ZipInfo of our own does not take the archive's compresslevel: set it here, or
            # zlib's default (6) applies. Python 3.13 names the attribute compress_level.
            if hasattr(info, "compress_level"):
                info.compress_level = COMPRESS_LEVEL
            else:
                info._compresslevel = COMPRESS_LEVEL  # type: ignore[attr-defined]
            info.external_attr = 0o600 << 16
            return info

        for name, xml in _parts(names, title, author, comments).items():
            z.writestr(entry(name), xml.encode("utf-8"))
        strings = SharedStrings()
        with ThreadPoolExecutor(max_workers=1) as writer:
            for i, (sheet, lo, hi) in enumerate(sheets):
                # zip64 only where a sheet could pass 2 GB: older spreadsheets read plain zip best.
                big = (hi - lo) * max(1, len(sheet.columns)) > 10_000_000
                with z.open(entry(f"xl/worksheets/sheet{i + 1}.xml"), "w", force_zip64=big) as fh:
                    _write_behind(writer, fh, _sheet_xml(sheet, lo, hi, _widths(sheet), strings))
        # After the sheets, which number the texts as they use them.
        z.writestr(entry("xl/sharedStrings.xml"), strings.xml().encode("utf-8"))
    return buf.getvalue()


def _write_behind(writer: ThreadPoolExecutor, fh: IO[bytes], pieces: Iterable[str]) -> None:
    """Write the pieces to fh in order, each compressed while the next is built.

    zlib and crc32 release the GIL, so with a CPU to spare the compression of
    one chunk of rows overlaps building the next. One writer thread, one write
    at a time, in order: the bytes are those of plain sequential writes.
    """
    pending: Future | None = None
    for piece in pieces:
        data = piece.encode("utf-8")
        if pending is not None:
            pending.result()
        pending = writer.submit(fh.write, data)
    if pending is not None:
        pending.result()
