"""Finding the damaged lines of a return: a NUL byte, a line of megabytes, an invisible control
character, a quote mark opened and not closed.

Kept apart from read.py, which sets such lines aside for the organisation they name (so that one
organisation's damage never takes the others' rows with it); this module only says what is damaged.
"""

from __future__ import annotations

import re

#: A line holding a NUL byte or longer than this is damaged (see damaged_lines).
MAX_LINE = 1024 * 1024  # read.MAX_CELL: a line may be as long as one cell may be

#: Invisible characters no cell of a return may hold: C0 and C1 controls (ESC among them) other
#: than tab and line ends, the line and paragraph separators (U+2028 ends a line inside a chart's
#: JavaScript string) and the bidirectional controls (U+202E shows text backwards in a page).
CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u061c"
                     "\u202a-\u202e\u2066-\u2069]")


#: A line that starts like a row of a return: an org_code-like first cell, then a comma.
_ROW_START = re.compile(r'^[ \t]*"?[A-Za-z0-9]{3,9}"?[ \t]*,', re.MULTILINE)


def holds_rows(cells: list[str]) -> bool:
    """True when a cell spanning lines holds lines that look like rows (a stray quote mark swallowed them)."""
    return any("\n" in c and _ROW_START.search(c, c.index("\n") + 1) for c in cells)


def control_in(cells: list[str]) -> str | None:
    """The first CONTROL character in a record's cells, or None."""
    for cell in cells:
        found = CONTROL.search(cell)
        if found is not None:
            return found.group()
    return None


def char_name(ch: str) -> str:
    """'U+202E (RIGHT-TO-LEFT OVERRIDE)': how a message names an invisible character."""
    import unicodedata

    names = {"\x1b": "ESCAPE", "\x7f": "DELETE", "\x85": "NEXT LINE", "\x00": "NUL"}
    name = names.get(ch) or unicodedata.name(ch, "") or "a control character"
    return f"U+{ord(ch):04X} ({name})"


def damaged_lines(text: str) -> tuple[str, dict[int, tuple[str, str, str]]]:
    """The text with each damaged line blanked, and what was wrong with each.

    A year file holds every organisation's rows, so one line holding a NUL byte or a
    cell of megabytes (a paste gone wrong) must not take every return of the year
    with it: the line is left unread and reported against the organisation its
    first cell names (file_check.check_file). A record holding an invisible control
    character (CONTROL) is set aside the same way, by read.read_table once it is parsed. A file whose first line holds a NUL byte
    (UTF-16, a spreadsheet saved as .xlsx) is still refused as a whole by read_table.
    """
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip(" \t\r,")), None)
    # (a control character in the header is left to the header's checks: the column names say what is wrong)
    if first is None or "\x00" in lines[first]:
        return text, {}  # binary (UTF-16 and .xlsx hold NULs from the start), or no header to trust
    damaged: dict[int, tuple[str, str, str]] = {}
    for i, line in enumerate(lines):
        if i == first:
            continue
        if "\x00" in line:
            what = ("nul-byte", "holds a NUL byte (a character that is never in text)")
        elif len(line) > MAX_LINE:
            what = ("line-too-long", f"is {len(line) / 1024 / 1024:,.1f} MB long (a cell pasted by mistake?); "
                                     f"a line of a return is at most a few hundred characters")
        else:
            continue
        head = CONTROL.sub("", line[:64].split(",", 1)[0].replace("\x00", "")).strip().strip('"').strip()
        damaged[i + 1] = (*what, head)
        lines[i] = ""
    return "\n".join(lines), damaged
