"""`Site`: everything the pages need, indexed once (`build_site`), so each page is a few dictionary look-ups."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ...compute.suppression import withhold_small_counts
from ...model import spec
from ...publish import changelog, files
from ..text import (
    HEADLINE,
    HEADLINE_FALLBACK,
    esc,
    is_missing,
)
from .labels import count_text

if TYPE_CHECKING:
    from ...compute.indicators import Results
    from ...model.dataset import Dataset
    from ...model.problems import Problem
    from ...model.release import Release
    from ...model.settings import Settings
    from ...publish.downloads import Downloads


#: One figure row as a dict (the columns of indicators.csv); a figure table keys them by
#: (year, indicator, measure, breakdown).
Row = dict[str, Any]
FigureKey = tuple[int, int, str, str]


@dataclass
class Site:
    """Everything the pages need, indexed once so each page is a few dictionary look-ups."""

    dataset: Dataset
    results: Results
    settings: Settings
    release: Release
    downloads: Downloads
    docs_dir: Path
    latest_year: int = 0
    years: list[int] = field(default_factory=list)
    figures: dict[tuple[str, str], dict[FigureKey, Row]] = field(default_factory=dict)  # by (level, code)
    lineage: dict[str, dict[FigureKey, Row]] = field(default_factory=dict)  # an organisation's merged series
    folded: dict[str, list[str]] = field(default_factory=dict)       # code -> predecessor codes in its series
    predecessors: dict[str, list[str]] = field(default_factory=dict)  # code -> codes of the register naming it successor
    orgs: dict[str, Row] = field(default_factory=dict)               # code -> register row
    returns: dict[tuple[str, int], Row] = field(default_factory=dict)  # (code, year) -> returns row
    returns_by_org: dict[str, list[int]] = field(default_factory=dict)
    problems_by_return: dict[tuple[str, int], list[Problem]] = field(default_factory=dict)
    goals: dict[tuple[str, str], list[Row]] = field(default_factory=dict)  # (level, code) -> goal rows
    quality: dict[tuple[str, int], Row] = field(default_factory=dict)      # (code, year) -> quality row
    tables: dict[str, dict[tuple[str, int], list[Row]]] = field(default_factory=dict)  # resource -> rows by return
    workforce: dict[tuple[str, int], dict[tuple[str, str, str], str]] = field(default_factory=dict)  # headcount cells
    systems: dict[str, tuple[str, str, list[str]]] = field(default_factory=dict)  # code -> (name, region, members)
    bands: _Bands | None = None                                      # indicator 1 by staff group and band
    england_cells: dict[tuple[int, int], str] = field(default_factory=dict)  # England's compact figure cells
    changes_by_org: dict[str, pd.DataFrame] = field(default_factory=dict)   # code -> its changed figures (--previous)

    # -- figures
    def row(self, level: str, code: str, year: int, indicator: int, measure: str, breakdown: str = "all",
            lineage: bool = False) -> dict | None:
        table = self.lineage.get(code) if lineage and level == "organisation" else None
        if table is None:
            table = self.figures.get((level, code), {})
        return table.get((int(year), int(indicator), measure, breakdown))

    def headline(self, level: str, code: str, year: int, indicator: int, lineage: bool = False
                 ) -> tuple[str, dict | None]:
        measure, breakdown = HEADLINE[indicator]
        r = self.row(level, code, year, indicator, measure, breakdown, lineage)
        if (r is None or is_missing(r.get("value"))) and indicator in HEADLINE_FALLBACK:
            m2, b2 = HEADLINE_FALLBACK[indicator]
            r2 = self.row(level, code, year, indicator, m2, b2, lineage)
            if r2 is not None and (r is None or not is_missing(r2.get("value"))):
                return m2, r2
        return measure, r

    def org_name(self, code: str) -> str:
        org = self.orgs.get(code)
        return esc(org["org_name"]) if org else esc(code)

    def page_dir(self, url: str) -> Path:
        return files.safe_join(self.docs_dir, url.strip("/")) if url.strip("/") else self.docs_dir.resolve()


def _column_lists(frame: pd.DataFrame) -> list[list]:
    """Each column as a list of plain Python values, exactly as `DataFrame.to_dict("records")` gives them.

    `to_dict` boxes every cell one at a time (most of the page-writing time at national scale); converting a
    whole column with `tolist` is one call. Missing values of nullable columns (Int64, boolean) become None and
    numpy scalars in object columns become Python scalars, as `to_dict` makes them.
    """
    out = []
    for name in frame.columns:
        column = frame[name]
        values = column.tolist()
        if column.dtype == object:
            values = [v.item() if isinstance(v, np.generic) else (None if v is pd.NA else v) for v in values]
        elif getattr(column.dtype, "na_value", None) is pd.NA and column.hasnans:
            values = [None if v is pd.NA else v for v in values]
        out.append(values)
    return out


def _records(frame: pd.DataFrame | None) -> list[dict]:
    """The rows of a frame as dicts (the same values as `to_dict("records")`, built column-wise)."""
    if frame is None or not len(frame):
        return []
    names = list(frame.columns)
    return [dict(zip(names, row)) for row in zip(*_column_lists(frame))]


def _index_figures(frame: pd.DataFrame) -> dict:
    out: dict = {}
    if frame is None or not len(frame):
        return out
    keep = frame[frame["breakdown"].isin(["all", "senior"])] if "breakdown" in frame else frame
    for r in _records(keep):
        key = (r["level"], str(r["code"]))
        out.setdefault(key, {})[(int(r["year"]), int(r["indicator"]), r["measure"], r["breakdown"])] = r
    return out


#: What a band table reads of a figure (the rest of the 18 columns would only cost time to convert): the
#: key (breakdown, measure), and what `figure_html` shows without an interval.
BAND_COLUMNS = ("breakdown", "measure", "value", "status", "flags", "reason")


class _Bands:
    """Indicator 1 by staff group and band, looked up lazily per (level, code, year): only pages that show a
    band table pay for turning rows into dicts. The columns are converted to lists once, so a look-up only
    zips the rows it needs; each answer is kept, because an organisation page asks twice."""

    def __init__(self, frame: pd.DataFrame | None) -> None:
        self.names: list[str] = []
        self.columns: list[list] = []
        self.index: dict = {}
        if frame is None or not len(frame):
            return
        # Indicator 1 first: the string tests then run on a few rows in ten rather than on every figure.
        keep = frame[frame["indicator"] == 1]
        keep = keep[keep["measure"].isin(["share_bme", "share_white", "share_unknown", "headcount"])
                    & keep["breakdown"].str.contains("/", regex=False)].reset_index(drop=True)
        self.index = {(str(k[0]), str(k[1]), int(k[2])): v
                      for k, v in keep.groupby(["level", "code", "year"], sort=False).indices.items()}
        keep = keep[[c for c in BAND_COLUMNS if c in keep.columns]]
        self.names = list(keep.columns)
        self.columns = _column_lists(keep)

    def get(self, level: str, code: str, year: int) -> dict:
        pos = self.index.get((level, str(code), int(year)))
        found: dict = {}
        if pos is not None:
            for i in pos.tolist():
                r = {name: values[i] for name, values in zip(self.names, self.columns)}
                found[(r["breakdown"], r["measure"])] = r
        return found


def _index_bands(frame: pd.DataFrame) -> _Bands:
    return _Bands(frame)


def _withheld(table: pd.DataFrame, resource: str, threshold: int) -> pd.DataFrame:
    """The table as pages may show it: with `withhold_below` set, small counts (and the counts that would
    reveal them) are withheld, exactly as in the downloads (suppression.py, grouped per total)."""
    counts = [c for c in spec.COUNT_FIELDS.get(resource, ()) if c in table.columns]
    if threshold <= 0 or not counts:
        return table

    group = ["year"] + [k for k in spec.KEYS[resource] if k != "ethnicity"]
    return withhold_small_counts(table, counts, group, threshold)


def _protected(table: pd.DataFrame, marks: pd.DataFrame) -> pd.DataFrame:
    """The table with the cells the protection pass withheld (protection.table_marks) emptied and marked
    `<count>_withheld`, as _withheld marks them."""
    out = table.copy()
    for c in marks.columns:
        if c not in out:
            continue
        m = marks[c].reindex(out.index).fillna(False).astype(bool).to_numpy()
        out[c + "_withheld"] = m
        out.loc[m, c] = pd.NA if c != "percent" else np.nan
    return out


def _index_workforce(table: pd.DataFrame) -> dict:
    """Every workforce headcount cell as the return page shows it, by return and (group, band, ethnicity).

    The workforce table is by far the largest (a row per band and ethnicity of every return), and its page
    table needs only the cell text, so the cells are worked out column-wise instead of as a dict per row.
    """
    columns = dict(zip(table.columns, _column_lists(table)))
    n = len(table)
    cells = [count_text(c, w, s) for c, w, s in zip(columns["headcount"], columns.get("headcount_withheld", [None] * n),
                                                    columns.get("headcount_suppressed", [None] * n))]
    keys = zip(columns["staff_group"], columns["band"], columns["ethnicity"])
    out: dict = {}
    for code, year, key, cell in zip(columns["org_code"], columns["year"], keys, cells):
        out.setdefault((str(code), int(year)), {})[key] = cell
    return out


def build_site(dataset: Dataset, results: Results, docs_dir: Path, settings: Settings, release: Release,
               downloads: Downloads) -> Site:
    """The figures, register, returns and tables indexed for the pages (each built once, read by many)."""
    site = Site(dataset, results, settings, release, downloads, Path(docs_dir))
    site.years = list(dataset.years)
    site.latest_year = int(getattr(release, "latest_year", 0) or (max(site.years) if site.years else 0))
    site.figures = _index_figures(getattr(results, "indicators", None))
    site.bands = _index_bands(getattr(results, "indicators", None))
    _index_lineage(site, getattr(results, "lineage", None))
    for r in _records(dataset.register):
        code = str(r["org_code"])
        if spec.ORG_CODE_RE.match(code):
            site.orgs[code] = r
    for r in _records(dataset.returns):
        key = (str(r["org_code"]), int(r["year"]))
        site.returns[key] = r
        site.returns_by_org.setdefault(key[0], []).append(key[1])
    for p in dataset.problems:
        if p.org_code is not None and p.year is not None:
            site.problems_by_return.setdefault((str(p.org_code), int(p.year)), []).append(p)
    site.changes_by_org = changelog.by_organisation(getattr(downloads, "changes", None))
    goals = getattr(results, "goals", None)
    for r in _records(goals):
        site.goals.setdefault((r.get("level"), str(r.get("code"))), []).append(r)
    quality = getattr(results, "quality", None)
    for r in _records(quality):
        site.quality[(str(r.get("org_code")), int(r.get("year")))] = r
    _index_tables(site, dataset, results, settings)
    _index_groups(site)
    return site


def _index_lineage(site: Site, lin: pd.DataFrame | None) -> None:
    """The merged series of organisations that took others over, and whom each folds in."""
    folded: dict[str, set[str]] = {}
    if lin is not None and len(lin):
        for (_lvl, code), table in _index_figures(lin).items():
            site.lineage[code] = table
        if "folded" in lin:
            for code, f in lin[["code", "folded"]].drop_duplicates().itertuples(index=False, name=None):
                if not is_missing(f) and str(f):
                    folded.setdefault(str(code), set()).update(x for x in str(f).split(";") if x)
    site.folded = {k: sorted(v) for k, v in folded.items()}


def _index_tables(site: Site, dataset: Dataset, results: Results, settings: Settings) -> None:
    """The submitted counts as the return pages may show them (withheld cells marked), by return."""
    for resource in spec.YEAR_RESOURCES:
        t = dataset.tables.get(resource)
        if t is not None and len(t):
            marks = (getattr(results, "withheld", None) or {}).get(resource)
            t = _protected(t, marks) if marks is not None else \
                _withheld(t, resource, int(getattr(settings, "withhold_below", 0) or 0))
            if resource == "workforce":
                site.workforce = _index_workforce(t)
                continue
            grouped: dict = {}
            for rec in _records(t):
                grouped.setdefault((str(rec["org_code"]), int(rec["year"])), []).append(rec)
            site.tables[resource] = grouped


def _index_groups(site: Site) -> None:
    """Who merged into whom and which organisations make each system, from the register: asked by every
    organisation and group page, worked out once here."""
    for code in sorted(site.orgs):
        successor = str(site.orgs[code].get("successor_code") or "")
        if successor and successor != code:
            site.predecessors.setdefault(successor, []).append(code)
    for code, org in site.orgs.items():
        sc = org.get("system_code")
        if not is_missing(sc) and spec.ORG_CODE_RE.match(str(sc)):
            name, region, members = site.systems.get(str(sc), (org.get("system_name"), org.get("region_code"), []))
            members.append(code)
            site.systems[str(sc)] = (name if not is_missing(name) else org.get("system_name"), region, members)
