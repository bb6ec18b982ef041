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
