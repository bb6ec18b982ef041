"""Reading one CSV file safely, before any schema check.

A return arrives from a trust's spreadsheet, so the bytes can be anything:
a Windows-1252 export, a BOM, CRLF line ends, blank lines, a header typed
by hand, a 200 MB mistake. This module turns bytes into a header and rows
of stripped strings with their line numbers, and turns everything that
stops that into a `Problem`, never an exception. It never reads a file over
the size limit into memory (it looks at `os.stat` first).

Choices, stated so that a publisher can predict them:

- a BOM is dropped; CRLF, LF and CR line ends are all accepted;
- lines that are blank (or hold only commas) are ignored, with no problem;
- cells are stripped of surrounding spaces;
- a header whose names differ only in case, spacing or hyphens
  (`Org Code`, ` HEADCOUNT`) is accepted and normalised (`org_code`,
  `headcount`) with one warning for the file: the intent is unambiguous and
  refusing a whole national file for it would help nobody;
- a missing column is an error for the whole file; an extra column is a
  warning and the column is ignored (a publisher's own notes column should
  not block publication);
- a line with more or fewer cells than the header is an error on that line;
- a damaged line (a NUL byte, over 1 MB, an invisible control character, a quote mark
  opened and not closed, which swallows the lines after it) is set aside for the
  organisation it names, and the lines a stray quote swallowed are read again on
  their own: one organisation's damage never takes the others' rows with it.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..model.problems import Problem, error, warning
from .damage import CONTROL, char_name, control_in, damaged_lines, holds_rows

#: Files above this size are refused without being read.
MAX_BYTES = 50 * 1024 * 1024

#: A cell may legitimately be long (a URL, a note), but not unbounded. Set around each
#: read only: other libraries (Frictionless) set the process-wide limit for themselves.
MAX_CELL = 1024 * 1024


@dataclass
class RawTable:
    """One file read as text: normalised header, rows of stripped cells, line numbers."""

    file: str
    #: Header as normalised names, in file order ("" for an unnamed column).
    header: list[str] = field(default_factory=list)
    #: Data rows, each exactly as long as the header (short rows padded, long rows cut;
    #: both are reported).
    rows: list[list[str]] = field(default_factory=list)
    #: Line number in the file where each row starts (1-based, the header's line counts).
    lines: list[int] = field(default_factory=list)
    #: Line number of the header.
    header_line: int = 1
    #: How many cells the header has in the file (more than len(header) when it was cut: MAX_COLUMNS).
    width: int = 0
    #: Problems found while reading.
    problems: list[Problem] = field(default_factory=list)
    #: False when the file could not be read at all (too big, not UTF-8, empty, no usable
    #: header): no row of it can be trusted.
    readable: bool = True
    #: Lines that held the wrong number of cells: line number -> raw cell count.
    ragged: dict[int, int] = field(default_factory=dict)
    #: Lines that are not UTF-8: line number -> the first offending byte, in hex. Their text
    #: holds U+FFFD where the bytes were; the validator reports them against their return.
    bad_lines: dict[int, str] = field(default_factory=dict)
    #: Lines left unread because they are damaged (see damage.damaged_lines): line number -> (problem
    #: code, what is wrong, the line's first cell: the org_code it names, if it names one).
    damaged: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    sha256: str | None = None


def normalise_label(label: str) -> str:
    """`' Org Code'` -> `'org_code'`: the header spellings we accept for a column name."""
    text = label.replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def sha256_of(path: Path) -> str | None:
    """Hash a file in chunks, so that even a refused oversized file has a checksum (None if unreadable)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def _size_problem(path: Path, file: str, year: int | None, limit: int) -> Problem | None:
    size = os.stat(path).st_size
    if size <= limit:
        return None
    return error(
        "file-too-large", file,
        f"{file} is {size / 1024 / 1024:,.0f} MB, over the limit of {limit / 1024 / 1024:,.0f} MB "
        f"for one file; it was not read. A year's returns for every NHS organisation fit in a few MB: "
        f"check that this is the right file.",
        year=year,
    )


def not_utf8(file: str, line: int, byte: str, *, year: int | None = None, org_code: str | None = None,
             more: int = 0) -> Problem:
    """The problem for a line that is not UTF-8: names the file, the line and the byte."""
    also = f" ({more} more line{'s' if more != 1 else ''} of it too)" if more else ""
    return error(
        "not-utf8", file,
        f"{file} is not UTF-8 text: line {line} holds the byte 0x{byte}, which is not UTF-8{also} "
        f"(a spreadsheet saved as plain 'CSV' on Windows often does this). Save it as "
        f"'CSV UTF-8 (comma delimited)' and try again.",
        row=line, year=year, org_code=org_code,
    )


def _bad_lines(data: bytes) -> dict[int, str]:
    """Line number -> first offending byte (hex), for every line that is not valid UTF-8."""
    bad: dict[int, str] = {}
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad[number] = raw[exc.start:exc.start + 1].hex()
    return bad


def _decode(data: bytes) -> tuple[str, dict[int, str]]:
    """Text of the file, and the lines that are not UTF-8 (decoded with U+FFFD in their place).

    Lines in ASCII read the same in UTF-8 and Windows-1252, so a file with one bad line
    is still read: only the returns with a bad line are left out (validate.py does that).
    """
    try:
        text, bad = data.decode("utf-8"), {}
    except UnicodeDecodeError:
        text, bad = data.decode("utf-8", errors="replace"), _bad_lines(data)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, bad


#: A header with more columns than this is cut to the columns of the format as it is read (their
#: rows too): the others are ignored anyway, and a million of them must not cost a million cells a row.
MAX_COLUMNS = 100

#: Problems of one kind listed one by one for a header; the rest are summarised in one.
MAX_LISTED = 10

def shown(text: str, limit: int = 60) -> str:
    """A cell quoted in a message: at most `limit` characters."""
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _is_blank(cells: Sequence[str]) -> bool:
    if cells and cells[0] and not cells[0].isspace():
        return False  # the usual case, decided without looking further
    return all(not c.strip() for c in cells)


#: A character `str.strip` would remove from a cell, other than a line end (re's \s is str.isspace).
_EDGE_SPACE = re.compile(r"[^\S\r\n]")


def _numbered(reader) -> Iterator[tuple[int, list[str]]]:  # noqa: ANN001
    """(line where the record starts, its cells): a quoted cell may span several lines."""
    prev_end = 0
    for cells in reader:
        yield prev_end + 1, cells
        prev_end = reader.line_num


def _read_bytes(table: RawTable, path: Path, year: int | None, max_bytes: int) -> bytes | None:
    """The file's bytes, or None (with the problem recorded) when it cannot be opened or is too big."""
    file = table.file
    try:
        too_big = _size_problem(path, file, year, max_bytes)
        data = b"" if too_big else path.read_bytes()
    except OSError as exc:
        table.problems.append(error(
            "unreadable-file", file,
            f"{file} cannot be opened ({exc.strerror or exc.__class__.__name__}); check that it is a "
            f"file you are allowed to read", year=year))
        table.readable = False
        return None
    if too_big:
        table.problems.append(too_big)
        table.readable = False
        return None
    return data


def _text_of(table: RawTable, data: bytes, year: int | None) -> str | None:
    """The file as text, damaged lines set aside; None (with the problem recorded) for a binary file."""
    file = table.file
    table.sha256 = hashlib.sha256(data).hexdigest()
    text, table.bad_lines = _decode(data)
    if "\x00" in text or len(text) > MAX_CELL:
        text, table.damaged = damaged_lines(text)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        table.problems.append(error(
            "nul-byte", file,
            f"{file} holds a NUL byte on line {line}: it looks like a binary file (an .xlsx or a "
            f"UTF-16 export?), not CSV text. Save it as 'CSV UTF-8 (comma delimited)'.",
            row=line, year=year))
        table.readable = False
        return None
    return text


def _row_taker(table: RawTable, width: int, keep: list[int] | None, strip: bool, controls: bool,
               swallowed: list[tuple[int, int]]) -> Callable[[int, list[str], int], None]:
    """The function that files one data record into `table` (called once per row: the hot path).

    `strip` and `controls` say whether the text holds anything to strip or any CONTROL character at all,
    so that most files skip that work. A record that swallowed the lines after it (a stray quote mark)
    is set aside and added to `swallowed` as (first line, last line), to be read again.
    """
    rows_append, lines_append = table.rows.append, table.lines.append

    def take(start: int, cells: list[str], end: int) -> None:
        """One data record, from line `start` to line `end`."""
        if strip:
            cells = [c.strip() for c in cells]
        if end > start and holds_rows(cells):
            head = CONTROL.sub("", cells[0]).strip() if cells else ""
            table.damaged[start] = ("stray-quote", f"opens a quote mark (\") that is not closed before line {end}, "
                                    f"so the lines after it were read as one cell; they are read again on their "
                                    f"own. Remove the stray quote mark", head)
            swallowed.append((start, end))
            return
        if controls and (found := control_in(cells)) is not None:
            # Judged per record, not per line: a quoted cell may span lines.
            head = CONTROL.sub("", cells[0]).strip() if cells else ""
            table.damaged[start] = ("control-character", f"holds the invisible character {char_name(found)} "
                                    f"in a cell, which can hide, reorder or break text where it is shown; "
                                    f"delete it", head)
            return
        if len(cells) != width:
            table.ragged[start] = len(cells)
            cells = (cells + [""] * width)[:width]
        if keep is not None:
            cells = [cells[i] for i in keep]
        rows_append(cells)
        lines_append(start)

    return take


def _reread_swallowed(table: RawTable, text: str, swallowed: list[tuple[int, int]],
                      take: Callable[[int, list[str], int], None]) -> None:
    """Read again, on their own, the lines a stray quote mark swallowed; then put the rows in line order.

    Another stray quote among them swallows only up to the end of this stretch, and is set aside the same way.
    """
    physical = io.StringIO(text, newline="").readlines()
    while swallowed:
        first, last = swallowed.pop()
        sub = csv.reader(io.StringIO("".join(physical[first:last]), newline=""))
        for line, cells in _numbered(sub):
            if (cells and cells[0] and not cells[0].isspace()) or not _is_blank(cells):
                take(first + line, cells, first + sub.line_num)
    order = sorted(range(len(table.lines)), key=table.lines.__getitem__)
    table.rows[:] = [table.rows[i] for i in order]
    table.lines[:] = [table.lines[i] for i in order]


def _first_record(records: Iterator[tuple[int, list[str]]]) -> tuple[int, list[str]] | None:
    """The first record that is not blank (the header), or None when there is none."""
    for start, cells in records:
        if not (cells and cells[0] and not cells[0].isspace()) and _is_blank(cells):
            continue
        return start, cells
    return None


def _parse(table: RawTable, text: str, expected: Sequence[str],
           year: int | None) -> tuple[list[str] | None, list[str], list[int] | None]:
    """Read the header and the rows into `table`: (normalised header or None, raw header, columns kept).

    A CSV error makes the table unreadable (the problem recorded); the caller checks `table.readable`.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    # Without a quote mark no cell can hold a line break or stray edge space hidden in quotes.
    quoted = '"' in text
    strip = quoted or _EDGE_SPACE.search(text) is not None
    controls = CONTROL.search(text) is not None
    #: Records that swallowed the lines after them (a stray quote mark): (first line, last line).
    swallowed: list[tuple[int, int]] = []
    old_limit = csv.field_size_limit(MAX_CELL)
    try:
        records = _numbered(reader) if quoted else enumerate(list(reader), start=1)
        first = _first_record(records)
        if first is None:
            return None, [], None
        table.header_line, raw_header = first
        header = [normalise_label(c) for c in raw_header]
        keep = None
        if len(header) > MAX_COLUMNS:  # keep only the columns of the format: bounded work
            wanted = set(expected)
            keep = [i for i, name in enumerate(header) if name in wanted]
        take = _row_taker(table, len(header), keep, strip, controls, swallowed)
        for start, cells in records:
            # Blank (or only commas): the usual case, a first cell with text, is decided at once.
            if not (cells and cells[0] and not cells[0].isspace()) and _is_blank(cells):
                continue
            take(start, cells, reader.line_num if quoted else start)
        if swallowed:
            _reread_swallowed(table, text, swallowed, take)
    except csv.Error as exc:
        line = reader.line_num or 1
        table.problems.append(error(
            "unreadable-csv", table.file,
            f"{table.file} cannot be read as CSV at line {line} ({exc}); check for a stray quote mark.",
            row=line, year=year))
        table.readable = False
        return None, [], None
    finally:
        csv.field_size_limit(old_limit)
    return header, raw_header, keep


def _settle_header(table: RawTable, header: list[str], raw_header: list[str], keep: list[int] | None,
                   expected: Sequence[str], year: int | None) -> None:
    """Record the header, and what is wrong with it (a header that is not UTF-8 makes the file unreadable)."""
    file = table.file
    table.header = header
    before = sorted(n for n in table.bad_lines if n <= table.header_line)
    if before:
        table.problems.append(not_utf8(file, before[0], table.bad_lines[before[0]], year=year,
                                       more=len(table.bad_lines) - 1))
        table.readable = False
    if not (before and not set(header) & set(expected)):
        # (a header that is not UTF-8 and names no column is not text at all: the not-utf8 error says
        # all there is to say, without a list of missing columns or a guess at its separator)
        table.problems.extend(_header_problems(table, raw_header, expected, year))
    table.width = len(header)
    if keep is not None:
        table.header = [header[i] for i in keep]


def read_table(path: Path, file: str, expected: Sequence[str], *, year: int | None = None,
               max_bytes: int = MAX_BYTES) -> RawTable:
    """Read `path` (shown to people as `file`) whose columns should be `expected`.

    The columns of the result are the file's own (normalised); `expected` is used
    only to report missing and extra columns. Never raises for bad content.
    """
    table = RawTable(file=file)
    data = _read_bytes(table, path, year, max_bytes)
    if data is None:
        return table
    text = _text_of(table, data, year)
    if text is None:
        return table
    header, raw_header, keep = _parse(table, text, expected, year)
    if not table.readable:
        return table
    if header is None:
        table.problems.append(error(
            "empty-file", file,
            f"{file} is empty: expected a header line ({', '.join(expected)}) and one line per row.",
            year=year))
        table.readable = False
        return table
    _settle_header(table, header, raw_header, keep, expected, year)
    return table


def _layout_problem(table: RawTable, raw: list[str], expected: Sequence[str], year: int | None) -> Problem | None:
    """A file laid out wrongly as a whole: another separator than commas, or a title line above the header."""
    file, header, line = table.file, table.header, table.header_line
    wanted = set(expected)
    if len(raw) == 1:
        for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
            # Said only when splitting there gives column names of the format, not for any stray ;
            if sep in raw[0] and {normalise_label(part) for part in raw[0].split(sep)} & wanted:
                return error(
                    "wrong-delimiter", file,
                    f"{file}: the columns are separated by {name}, not commas; save the file as "
                    f"'CSV UTF-8 (comma delimited)' (expected the columns {', '.join(expected)})",
                    row=line, year=year)
    if table.rows and not set(header) & wanted:
        below = [normalise_label(c) for c in table.rows[0]]
        if len(set(below) & wanted) * 2 >= len(wanted):
            title = ", ".join(shown(c.strip()) for c in raw if c.strip())
            return error(
                "title-above-header", file,
                f"{file}: line {line} was read as the header ('{shown(title)}'), but it holds none of the "
                f"column names; the real header looks like line {table.lines[0]} ({', '.join(expected)}). "
                f"Delete the line(s) above the header (a title or sheet name a spreadsheet added) and try again.",
                row=line, year=year)
    return None


def _renamed_warning(table: RawTable, raw: list[str], expected: Sequence[str], year: int | None) -> list[Problem]:
    """One warning for column names read after normalising (`Org Code` as `org_code`)."""
    file, header, line = table.file, table.header, table.header_line
    renamed = [(shown(r.strip()), n) for r, n in zip(raw, header) if r.strip() != n and n in expected][:MAX_LISTED]
    if not renamed:
        return []
    pairs = ", ".join(f"'{r}' as '{n}'" for r, n in renamed)
    return [warning(
        "header-normalised", file,
        f"{file}: read column name(s) {pairs}. Column names should be written exactly as in the "
        f"returns format (lower case, underscores), e.g. {', '.join(expected)}.",
        row=line, year=year)]


def _duplicate_problems(table: RawTable, year: int | None) -> list[Problem]:
    """Columns named twice (the first MAX_LISTED one by one): which one holds the figure is unknowable."""
    file, header, line = table.file, table.header, table.header_line
    found: list[Problem] = []
    seen: set[str] = set()
    twice: list[str] = []
    for name in header:
        if name and name in seen:
            twice.append(name)
        seen.add(name)
    for name in twice[:MAX_LISTED]:
        found.append(error(
            "duplicate-column", file,
            f"{file}: the column '{shown(name)}' appears twice in the header; each column must appear once.",
            row=line, field=name[:60], year=year))
    if len(twice) > MAX_LISTED:
        found.append(error(
            "duplicate-column", file,
            f"{file}: {len(twice) - MAX_LISTED:,} more columns appear twice in the header (not listed one by one); "
            f"each column must appear once.", row=line, year=year))
    if twice:
        table.readable = False
    return found


def _missing_problems(table: RawTable, expected: Sequence[str], year: int | None) -> list[Problem]:
    """One error per column of the format not in the header, with a guess at the column meant for it."""
    file, header, line = table.file, table.header, table.header_line
    found: list[Problem] = []
    extra = [n for n in header if n not in expected]
    missing = [n for n in expected if n not in header]
    for name in missing:
        guess = difflib.get_close_matches(name, [e for e in extra[:MAX_COLUMNS] if e], n=1)
        hint = f" (is '{shown(guess[0])}' meant to be '{name}'?)" if guess else ""
        found.append(error(
            "missing-column", file,
            f"{file}: the column '{name}' is missing from the header{hint}; expected the columns "
            f"{', '.join(expected)}.",
            row=line, field=name, year=year))
    return found


def _extra_warnings(table: RawTable, raw: list[str], expected: Sequence[str], year: int | None) -> list[Problem]:
    """A warning per column not in the format (the first MAX_LISTED one by one): it is ignored, not refused."""
    file, header, line = table.file, table.header, table.header_line
    found: list[Problem] = []
    listed = 0
    for i, name in enumerate(header):
        if name not in expected:
            listed += 1
            if listed > MAX_LISTED:
                continue
            label = f"'{shown(raw[i].strip())}'" if name else f"with no name (column {i + 1})"
            found.append(warning(
                "extra-column", file,
                f"{file}: the column {label} is not part of the returns format and is ignored; "
                f"expected the columns {', '.join(expected)}.",
                row=line, field=name[:60] or None, year=year))
    if listed > MAX_LISTED:
        found.append(warning(
            "extra-column", file,
            f"{file}: {listed - MAX_LISTED:,} more columns are not part of the returns format and are ignored "
            f"(the first {MAX_LISTED} are listed one by one); expected the columns {', '.join(expected)}.",
            row=line, year=year))
    return found


def _header_problems(table: RawTable, raw: list[str], expected: Sequence[str],
                     year: int | None) -> list[Problem]:
    """What is wrong with the header; a wrong layout, a duplicate or a missing column makes the file unreadable."""
    layout = _layout_problem(table, raw, expected, year)
    if layout is not None:
        table.readable = False
        return [layout]
    found = _renamed_warning(table, raw, expected, year)
    found += _duplicate_problems(table, year)
    missing = _missing_problems(table, expected, year)
    found += missing
    found += _extra_warnings(table, raw, expected, year)
    if missing:
        table.readable = False
    return found
