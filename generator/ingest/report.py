"""Printing what validation found: JSON for scripts, text for people.

The JSON form is fixed by outputs.md (a list of problems with severity, file,
row, field, org_code, year, message; we add `code`). The text form is for a
workforce analyst in a terminal: problems grouped by return (organisation and
year) so each trust can find its own, the folder-wide ones first, and one
summary line at the end that says what will and will not be published.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable

import pandas as pd

from ..model.dataset import Dataset
from ..model.problems import Problem

_WIDTH = 100


#: What a terminal could act on rather than show: C0 and C1 controls (ESC, the 8-bit CSI 0x9b, BEL,
#: a carriage return that overwrites the line) other than tab and line feed, the line separators, and
#: the bidirectional controls that reorder what is shown.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """`text` with every character a terminal could act on written as a visible escape (\\u001b).

    Everything printed from data goes through this: an organisation name, a file name
    or a cell holding an escape sequence would otherwise retitle the terminal, hide a
    line or plant a link (click strips colour codes, not OSC sequences). The escapes
    are also JSON's, so a JSON document stays valid and means the same.
    """
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def render_json(problems: Iterable[Problem]) -> str:
    """A JSON list of problems, in the order given (validate_path gives a stable order)."""
    return json.dumps([p.to_dict() for p in problems], indent=2, ensure_ascii=False)


def _where(p: Problem) -> str:
    parts = [p.file]
    if p.row is not None:
        parts.append(f"line {p.row}")
    if p.field:
        parts.append(p.field)
    return ", ".join(parts)


def _lines(p: Problem) -> list[str]:
    head = f"  {p.severity.upper():7} {_where(p)}: "
    body = textwrap.wrap(p.message, width=_WIDTH - 10) or [""]
    return [head + body[0]] + [" " * 10 + b for b in body[1:]] if len(head) + len(body[0]) <= _WIDTH else \
        [head.rstrip()] + [" " * 10 + b for b in body]


def _name_of(dataset: Dataset, org: str) -> str:
    reg = dataset.register
    if reg is not None and len(reg) and "org_code" in reg:
        hit = reg[reg["org_code"] == org]
        if len(hit) and pd.notna(hit["org_name"].iloc[0]):
            return f" {hit['org_name'].iloc[0]}"
    return ""


def summary_line(dataset: Dataset, problems: Iterable[Problem]) -> str:
    problems = list(problems)
    r = dataset.returns
    n = len(r)
    left = int((r["status"] == "left_out").sum()) if n else 0
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    return (f"{n} return{'s' if n != 1 else ''} checked: {n - left} published, {left} left out; "
            f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}.")


def render_text(dataset: Dataset, problems: Iterable[Problem]) -> str:
    """Problems grouped by return, folder-wide ones first, then a one-line summary."""
    problems = list(problems)
    out: list[str] = []
    general = [p for p in problems if p.org_code is None]
    by_return: dict[tuple[int | None, str], list[Problem]] = {}
    for p in problems:
        if p.org_code is not None:
            by_return.setdefault((p.year, p.org_code), []).append(p)

    if general:
        by_year: dict[int | None, list[Problem]] = {}
        for p in general:
            by_year.setdefault(p.year, []).append(p)
        for year, ps in sorted(by_year.items(), key=lambda kv: -1 if kv[0] is None else kv[0]):
            out.append("Data folder" if year is None else f"{year}: the whole year")
            for p in ps:
                out.extend(_lines(p))
            out.append("")

    status = {}
    if len(dataset.returns):
        status = {(int(y), o): s for o, y, s in dataset.returns[["org_code", "year", "status"]].itertuples(index=False)}
    for (year, org), ps in sorted(by_return.items(), key=lambda kv: (kv[0][0] if kv[0][0] is not None else -1, kv[0][1])):
        s = status.get((year, org)) if year is not None else None
        verdict = {"left_out": "LEFT OUT", "published_with_warnings": "published, with warnings",
                   "published": "published"}.get(s or "", "register entry (every return of it is left out)")
        label = f"{org}{_name_of(dataset, org)}" + (f", {year}" if year is not None else "")
        out.append(f"{label}: {verdict}")
        for p in ps:
            out.extend(_lines(p))
        out.append("")
    # Returns left out only because of a whole-file or whole-year problem, listed so none is missed.
    if len(dataset.returns):
        quiet = dataset.returns[(dataset.returns["status"] == "left_out")]
        quiet = [(int(y), o) for o, y in quiet[["org_code", "year"]].itertuples(index=False)
                 if (int(y), o) not in by_return]
        if quiet:
            out.extend(textwrap.wrap(
                "Also left out, because of a problem above with a whole file, a year or a register entry: "
                + ", ".join(f"{o} {y}" for y, o in sorted(quiet)), width=_WIDTH, subsequent_indent="  "))
            out.append("")
    if not problems:
        out.append("No problems found.")
    out.append(summary_line(dataset, problems))
    return "\n".join(out)
