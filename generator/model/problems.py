"""Problems found in a data folder, as data.

A problem is a record, not an exception: the validator collects them, the
build leaves out the returns that have errors and lists every problem on
`/data-quality/`, and `wres validate --format json` prints them. The JSON
fields `severity`, `file`, `row`, `field`, `org_code`, `year`, `message` are
fixed by outputs.md; `code` is ours, a stable identifier for each kind of
problem (like frictionless's error codes) that tests and scripts can match on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    severity: Severity
    code: str
    file: str
    row: int | None
    field: str | None
    org_code: str | None
    year: int | None
    message: str

    def to_dict(self) -> dict:
        d = asdict(self)
        # Keep the fields outputs.md fixes first, in its order, then ours.
        return {
            k: d[k]
            for k in ("severity", "file", "row", "field", "org_code", "year", "message", "code")
        }

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def sort_key(self) -> tuple:
        """A stable order: by year, organisation, file, line, field, code."""
        return (
            self.year if self.year is not None else -1,
            self.org_code or "",
            self.file,
            self.row if self.row is not None else -1,
            self.field or "",
            self.code,
            self.message,
        )


def error(code: str, file: str, message: str, *, row: int | None = None, field: str | None = None,
          org_code: str | None = None, year: int | None = None) -> Problem:
    return Problem("error", code, file, row, field, org_code, year, message)


def warning(code: str, file: str, message: str, *, row: int | None = None, field: str | None = None,
            org_code: str | None = None, year: int | None = None) -> Problem:
    return Problem("warning", code, file, row, field, org_code, year, message)


#: Problems of one kind (file, code, severity) listed one by one, beyond the first of each organisation.
MAX_PER_KIND = 20


def cap(problems: list[Problem], per_kind: int = MAX_PER_KIND) -> list[Problem]:
    """The problems to list: of each kind (file, code, severity), the first `per_kind` and the first of
    each organisation; the rest summarised in one problem per kind saying how many and on which lines.

    A national file with one systematic slip (every line 'Band 5', a stray comma on every
    line) would otherwise list a hundred thousand problems, and a page of hundreds of
    megabytes. What is left out is decided before this, from every problem; this only
    bounds what is listed. The order of `problems` is kept (sort them first).
    """
    counts: dict[tuple, int] = {}
    orgs_seen: set[tuple] = set()
    kept: list[Problem] = []
    rest: dict[tuple, list[Problem]] = {}
    for p in problems:
        kind = (p.file, p.code, p.severity)
        n = counts.get(kind, 0)
        counts[kind] = n + 1
        first_of_org = p.org_code is not None and (kind, p.org_code) not in orgs_seen
        if p.org_code is not None:
            orgs_seen.add((kind, p.org_code))
        if n < per_kind or first_of_org:
            kept.append(p)
        else:
            rest.setdefault(kind, []).append(p)
    for (file, code, severity), more in rest.items():
        rows = sorted({p.row for p in more if p.row is not None})
        where = ""
        if rows:
            where = " on line" + ("s " if len(rows) > 1 else " ") + ", ".join(map(str, rows[:10])) + \
                (f" and {len(rows) - 10:,} more" if len(rows) > 10 else "")
        noun = "error" if severity == "error" else "warning"
        years = {p.year for p in more}
        kept.append(Problem(severity, code, file, None, None, None, years.pop() if len(years) == 1 else None,
                            f"{file}: {len(more):,} more {noun}{'s' if len(more) != 1 else ''} like those above "
                            f"({code}){where}, not listed one by one; fix those above and check again"))
    return kept
