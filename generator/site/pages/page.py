"""`Page`: one generated page as a value."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..charts import ChartFiles


@dataclass(frozen=True)
class Page:
    """One generated page as a value: where it goes, what it says, and the charts drawn on it.

    Page functions build these and write nothing; `write.write_page` is the one place a page and its
    charts reach the docs folder, so a page can be built and inspected (or tested) without a disk.
    """

    path: str                  # relative to the docs folder, posix: "organisations/R1H/index.md"
    text: str                  # YAML front matter, then finished HTML (`html.compose`)
    charts: ChartFiles = field(default_factory=ChartFiles)  # its charts.json and charts.csv, written beside it
