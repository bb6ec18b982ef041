"""The generated Markdown pages: one function per address of outputs.md.

`write_pages(dataset, results, docs_dir, settings, release, downloads)` writes
every page (and its charts) into the staging docs folder and returns the
paths written. A page is YAML front matter and then finished HTML (`compose`):
tables need captions and `scope`, which Markdown tables cannot give, and
writing the HTML ourselves means every value from the data passes through
`text.esc` or `text.link` (see text.py) and nothing else. Headings carry the
ids Python-Markdown would give them; the MkDocs hook takes the table of
contents from them and skips Python-Markdown altogether. Links are relative,
computed from the page's own address as the final directory URL, so the site
works under any base path.

Codes from the data become folder names only after `spec.ORG_CODE_RE` accepts
them, and every path is checked to stay inside the docs folder
(`files.safe_join`). Pages carry nothing time-dependent: the same data gives
the same bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..compute.rounding import rounded
from ..compute.stats import relative_likelihood
from ..compute.suppression import withhold_small_counts
from ..model import spec
from ..publish import badges, changelog, files
from ..publish.badges import embed_html
from .charts import Chart, ChartFiles, write_chart, write_vega_bundle
from .markers import FINISHED  # the first line of a generated page's body (see `compose`); the hook renders such pages
from .text import (
    CLASS_LABELS,
    GOOD,
    HEADLINE,
    HEADLINE_FALLBACK,
    RAW_CLOSE,
    RAW_OPEN,
    SHORT_TITLES,
    TREND_LABELS,
    TREND_MEANING,
    WHAT,
    attr,
    esc,
    flags_of,
    fmt_int,
    fmt_interval,
    fmt_rate,
    fmt_value,
    is_missing,
    judgement,
    link,
    measure_kind,
    ordinal,
    org_type_label,
    plural,
    rates_sentence,
    raw_block,
    rel,
    sentence,
    sort_key,
)

ENGLAND = ("england", "ENG")
STAFF_GROUP_LABELS = {
    "non_clinical": "Non-clinical",
    "clinical_non_medical": "Clinical (non-medical)",
    "medical_dental": "Medical and dental",
}
RESOURCE_LABELS = {
    "returns": "Return",
    "workforce": "Workforce (indicator 1)",
    "recruitment": "Recruitment (indicator 2)",
    "disciplinary": "Disciplinary process (indicator 3)",
    "training": "Training and CPD (indicator 4)",
    "staff_survey": "Staff survey (indicators 5 to 8)",
    "board": "Board (indicator 9)",
    "pay": "Pay",
}
ETHNICITY_LABELS = {"white": "White", "bme": "BME", "unknown": "Unknown"}


def band_label(band: str) -> str:
    if band == "under_1":
        return "Under band 1"
    if band == "vsm":
        return "Very senior managers"
    if band.startswith("band_"):
        return "Band " + band[5:]
    return band.replace("_", " ").capitalize()


# ---------------------------------------------------------------- lookups

@dataclass
class Site:
    """Everything the pages need, indexed once so each page is a few dictionary look-ups."""

    dataset: object
    results: object
    settings: object
    release: object
    downloads: object
    docs_dir: Path
    latest_year: int = 0
    years: list = field(default_factory=list)
    figures: dict = field(default_factory=dict)     # (level, code) -> {(year, ind, measure, breakdown): row}
    lineage: dict = field(default_factory=dict)     # code -> {(year, ind, measure, breakdown): row}
    folded: dict = field(default_factory=dict)      # code -> [predecessor codes]
    predecessors: dict = field(default_factory=dict)  # code -> [codes of the register naming it successor]
    orgs: dict = field(default_factory=dict)        # code -> register row dict
    returns: dict = field(default_factory=dict)     # (code, year) -> returns row dict
    returns_by_org: dict = field(default_factory=dict)
    problems_by_return: dict = field(default_factory=dict)
    goals: dict = field(default_factory=dict)       # (level, code) -> list of rows
    quality: dict = field(default_factory=dict)     # (code, year) -> row
    tables: dict = field(default_factory=dict)      # resource -> {(code, year): [row dicts]}
    workforce: dict = field(default_factory=dict)   # (code, year) -> {(group, band, ethnicity): headcount cell}
    systems: dict = field(default_factory=dict)     # system code -> (name, region code, [org codes])
    bands: object = None                            # _Bands: indicator 1 by staff group and band
    written: list = field(default_factory=list)
    england_cells: dict = field(default_factory=dict)   # (year, indicator) -> England's compact figure cell
    changes_by_org: dict = field(default_factory=dict)  # code -> its changed figures (--previous)
    charts: ChartFiles = field(default_factory=ChartFiles)  # charts drawn, written beside their pages at the end

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

    def write(self, relative: str, text: str) -> Path:
        path = files.safe_join(self.docs_dir, relative)
        files.write_text(path, text)
        self.written.append(path)
        return path

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


def band_table(site: Site, level: str, code: str, year: int, caption: str) -> str:
    """BME, White and unknown shares of every staff group and band, and the headcount: indicator 1 in full."""
    table_ = site.bands.get(level, code, year) if site.bands else {}   # (breakdown, measure) -> row
    rows = []
    for key, label in _band_rows():
        if (key, "share_bme") not in table_ and (key, "headcount") not in table_:
            continue
        cells = [label]
        for m in ("share_bme", "share_white", "share_unknown"):
            cells.append(figure_html(1, m, table_.get((key, m)), with_interval=False))
        h = table_.get((key, "headcount"))
        cells.append(fmt_int(h.get("value")) if h and (h.get("status") in (None, "ok")) else "–")
        rows.append(cells)
    if not rows:
        return ""
    return table(caption, ["Staff group and band", "BME", "White", "Unknown ethnicity", "Headcount"], rows,
                 numeric={1, 2, 3, 4})


@lru_cache(maxsize=1)
def _band_rows() -> tuple[tuple[str, str], ...]:
    """(breakdown, row header) of every row a band table may have, in order: the same for every page, so
    worked out once instead of for each of the 263 band tables of a national site."""
    out = []
    for group in spec.STAFF_GROUPS:
        for band in tuple(spec.BANDS_BY_GROUP[group]) + ("all",):
            label = f"{STAFF_GROUP_LABELS[group]}, {band_label(band) if band != 'all' else 'all bands'}"
            out.append((f"{group}/{band}", f"<strong>{label}</strong>" if band == "all" else label))
    return tuple(out)


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
    cells = [_count_text(c, w, s) for c, w, s in zip(columns["headcount"], columns.get("headcount_withheld", [None] * n),
                                                    columns.get("headcount_suppressed", [None] * n))]
    keys = zip(columns["staff_group"], columns["band"], columns["ethnicity"])
    out: dict = {}
    for code, year, key, cell in zip(columns["org_code"], columns["year"], keys, cells):
        out.setdefault((str(code), int(year)), {})[key] = cell
    return out


def build_site(dataset, results, docs_dir: Path, settings, release, downloads) -> Site:  # noqa: ANN001
    site = Site(dataset, results, settings, release, downloads, Path(docs_dir))
    site.years = list(dataset.years)
    site.latest_year = int(getattr(release, "latest_year", 0) or (max(site.years) if site.years else 0))
    site.figures = _index_figures(getattr(results, "indicators", None))
    site.bands = _index_bands(getattr(results, "indicators", None))
    lin = getattr(results, "lineage", None)
    if lin is not None and len(lin):
        for (_lvl, code), table in _index_figures(lin).items():
            site.lineage[code] = table
        if "folded" in lin:
            for code, f in lin[["code", "folded"]].drop_duplicates().itertuples(index=False, name=None):
                if not is_missing(f) and str(f):
                    site.folded.setdefault(str(code), set()).update(x for x in str(f).split(";") if x)
    site.folded = {k: sorted(v) for k, v in site.folded.items()}
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
    # Who merged into whom, from the register: asked by every organisation page, worked out once here.
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
    return site


# ---------------------------------------------------------------- page pieces

def front_matter(title: str, *, description: str = "", search_exclude: bool = False, hide: tuple = ()) -> Markdown:
    """YAML front matter. `title` must already be escaped (it is printed raw by the theme)."""
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}"]
    if description:
        lines.append(f"description: {json.dumps(description, ensure_ascii=False)}")
    if search_exclude:
        lines += ["search:", "  exclude: true"]
    if hide:
        lines.append("hide:")
        lines += [f"  - {h}" for h in hide]
    lines.append("---")
    return Markdown("\n".join(lines) + "\n\n")


class Markdown(str):
    """A part of a page that MkDocs reads itself: the YAML front matter (title, description, search, hide)."""


@dataclass(frozen=True)
class Heading:
    """A heading: it makes the table of contents, the heading's id and a section of the search index.

    `compose` writes it as finished HTML, with the id Python-Markdown's toc extension would give the
    same heading written as Markdown (so anchors never move). `text` is safe HTML.
    """

    level: int
    text: str


@dataclass(frozen=True)
class Intro:
    """A page's introductory paragraph, kept out of the raw blocks so that search finds the page by it.

    MkDocs's search index is built from the page's content before the hook puts the raw blocks back, so
    a page is found by its title, its headings and this paragraph (naming the organisation, system or
    region and its code). `html` is one line of safe inline HTML (our words, `esc` of data, `link`).
    """

    html: str
    cls: str = ""

    def __post_init__(self) -> None:
        if "\n" in self.html:
            raise ValueError("an introduction is one line")


#: What a page is made of (see compose): the front matter, headings, the introduction and finished HTML.
heading, intro = Heading, Intro


@lru_cache(maxsize=4096)
def _slug(text: str) -> str:
    """The id Python-Markdown's toc extension makes from a heading's text, before it is made unique."""
    import html as _html

    from markdown.extensions.toc import slugify, strip_tags

    return slugify(_html.unescape(strip_tags(text)), "-")


def _heading_html(h: Heading, used: set[str], counters: dict[str, int]) -> str:
    """`<hN id="...">text</hN>` with the id Python-Markdown's toc extension gives the same heading."""
    from markdown.extensions.toc import unique

    return f'<h{h.level} id="{unique(_slug(h.text), used, counters)}">{h.text}</h{h.level}>'


def compose(blocks: list[str]) -> str:
    """A page from its blocks: the front matter, then finished HTML.

    Headings become `<hN id>` and the introduction a paragraph; each run of HTML blocks between them
    becomes one raw block (`text.raw_block`), which the MkDocs hook lifts out while MkDocs indexes the
    page for search and puts back into the finished page. The `FINISHED` marker tells the hook that the
    body needs no Markdown at all: it takes the headings for the table of contents and skips
    Python-Markdown, which was most of MkDocs' time on generated pages. Prose, notes, lists, tables and
    figures are finished HTML with links written as the final relative directory URLs.

    Without the hook (another builder) the body is read as raw HTML: the page is the same, without its
    table of contents in the sidebar.
    """
    head: list[str] = []
    out: list[str] = []
    run: list[str] = []
    used: set[str] = set()
    counters: dict[str, int] = {}

    def flush() -> None:
        if run:
            out.append(raw_block("\n".join(run)))
            run.clear()

    for block in blocks:
        if not block:
            continue
        if isinstance(block, Heading):
            flush()
            out.append(_heading_html(block, used, counters))
        elif isinstance(block, Intro):
            flush()
            out.append(p(block.html, block.cls))
        elif isinstance(block, Markdown):
            if out or run:
                raise ValueError("front matter comes first")
            head.append(block)
        else:
            run.append(block.replace(RAW_OPEN, "").replace(RAW_CLOSE, ""))
    flush()
    return "".join(head) + FINISHED + "\n" + "\n".join(out) + "\n"


def p(html: str, cls: str = "") -> str:
    return f'<p class="{cls}">{html}</p>' if cls else f"<p>{html}</p>"


def note(html: str, kind: str = "note", title: str = "Note") -> str:
    return (f'<div class="admonition {kind}"><p class="admonition-title">{title}</p>'
            f"<p>{html}</p></div>")


def table(caption: str, head: list[str], rows: list[list[str]], *, sortable: bool = False, row_header: bool = True,
          table_id: str = "", numeric: set[int] = frozenset()) -> str:
    """An accessible table: caption, column headers with scope, first cell a row header.

    Cells are safe HTML already. A cell may be a tuple (html, sort_key) for sortable tables.
    """
    cls = "wres-table wres-sortable" if sortable else "wres-table"
    tid = f' id="{attr(table_id)}"' if table_id else ""
    width = max([len(head)] + [len(row) for row in rows])
    num = [' class="num"' if i in numeric else "" for i in range(width)]
    # Tables stay out of the search index (data-search-exclude): pages are found by their names and words.
    out = [f'<div class="wres-scroll" tabindex="0" role="region" aria-label="{attr(_strip(caption))}" '
           f'data-search-exclude>'
           f'<table class="{cls}"{tid}><caption>{caption}</caption><thead><tr>']
    out += [f'<th scope="col"{num[i]}>{h}</th>' for i, h in enumerate(head)]
    out.append("</tr></thead><tbody>")
    # Each column's opening and closing tag, worked out once per table rather than once per cell (tables are
    # most of a page, and a national site has some 11,000 of them).
    opens = [f"<td{n}>" for n in num]
    closes = ["</td>"] * width
    if row_header:
        opens[0], closes[0] = '<th scope="row">', "</th>"
    for row in rows:
        if tuple in map(type, row):  # some cells carry a sort key
            cells = [_sortable_cell(cell, i == 0 and row_header, num[i]) if type(cell) is tuple
                     else f"{opens[i]}{cell}{closes[i]}" for i, cell in enumerate(row)]
        else:
            cells = [f"{o}{cell}{c}" for o, cell, c in zip(opens, row, closes)]
        out.append(f"<tr>{''.join(cells)}</tr>")
    out.append("</tbody></table></div>")
    return raw_block("".join(out))


def _sortable_cell(cell: tuple, header: bool, num: str) -> str:
    """A cell given as (html, sort key): the key, when there is one, goes in data-sort."""
    html_, key = cell
    ds = f' data-sort="{attr(key)}"' if key is not None else ""
    return f'<th scope="row"{ds}>{html_}</th>' if header else f"<td{ds}{num}>{html_}</td>"


_TAGS = re.compile(r"<[^>]+>")


def _strip(html: str) -> str:
    return " ".join(_TAGS.sub("", html).split())


def judge(indicator: int, measure: str, r: dict | None) -> tuple[str, str]:
    if r is None:
        return "no_data", ""
    return judgement(indicator, measure, r.get("value"), r.get("flags"), r.get("ci_lower"), r.get("ci_upper"))


SHORT_CLASS = {"adverse_to_bme": ("adverse", "Adverse to BME staff: outside the non-adverse range 0.80 to 1.25"),
               "worse_for_bme": ("worse", "Worse for BME staff"),
               "adverse_to_white": ("adverse to White", "Adverse to White staff: below 0.80"),
               "worse_for_white": ("worse for White", "Worse for White staff")}
COMPACT_KEY = ('<p class="wres-key">In this table: <span class="wres-class wres-class--bad">adverse</span> a '
               "likelihood outside the non-adverse range 0.80 to 1.25, against BME staff; "
               '<span class="wres-class wres-class--bad">worse</span> a gap that is worse for BME staff; '
               '<span class="wres-flag">small n</span> built on small numbers, read with care. '
               "Each figure's 95% interval is on its own page.</p>")


def compact_tag(cls: str) -> str:
    """A short class word for dense tables (the full words are in the key above the table and in the title)."""
    if cls not in SHORT_CLASS:
        return ""
    word, title = SHORT_CLASS[cls]
    css = "bad" if cls in ("adverse_to_bme", "worse_for_bme") else "other"
    return f'<span class="wres-class wres-class--{css}" title="{attr(title)}">{word}</span>'


def compact_cell(indicator: int, measure: str, r: dict | None) -> tuple[str, str]:
    if r is None:
        return ("–", "")
    html_, key = figure_cell(indicator, measure, r, with_interval=False)
    html_ = html_.replace('<span class="wres-flag" title="Based on small numbers: read with care">small numbers</span>',
                          '<span class="wres-flag" title="Based on small numbers: read with care">small n</span>')
    tag = compact_tag(judge(indicator, measure, r)[0])
    return (html_ + (" " + tag if tag else ""), key)


#: The colour of each class word (a constant: class_tag is asked some 30,000 times a national build).
CLASS_CSS = {"equal": "ok", "unclear": "unclear", "adverse_to_bme": "bad", "worse_for_bme": "bad",
             "adverse_to_white": "other", "worse_for_white": "other", "more_diverse": "other",
             "untested_gap": "unclear"}


def class_tag(cls: str) -> str:
    if cls in ("no_data", "") or cls is None:
        return ""
    return f'<span class="wres-class wres-class--{CLASS_CSS[cls]}">{CLASS_LABELS[cls]}</span>'


def figure_cell(indicator: int, measure: str, r: dict | None, with_interval: bool = True) -> tuple[str, str]:
    """(html, sort key) for one figure in a sortable table: `figure_html`, and the value to sort by ("" when
    there is no figure to show)."""
    html_ = figure_html(indicator, measure, r, with_interval)
    return (html_, sort_key(r["value"]) if r is not None and _shows_value(r) else "")


def _shows_value(r: dict) -> bool:
    """The figure has a value and nothing (a status other than ok) keeps it from being shown."""
    return not (is_missing(r.get("value")) or (r.get("status") not in (None, "ok") and not is_missing(r.get("status"))))


def figure_html(indicator: int, measure: str, r: dict | None, with_interval: bool = True) -> str:
    """One figure in a table: value, interval, class and small-numbers mark (no sort key: most tables need none,
    and working it out was a fair part of the 50,000 figures of a national site)."""
    if r is None:
        return "–"
    k = measure_kind(indicator, measure)
    if not _shows_value(r):
        status = r.get("status")
        word = {"not_calculable": "not calculable", "suppressed": "withheld", "not_collected": "not collected"}.get(
            status, "–")
        reason = r.get("reason")
        tip = f' title="{attr(str(reason))}"' if not is_missing(reason) else ""
        # In full tables the reason is printed, not only a tooltip (a phone has no hover).
        why = f' <span class="wres-reason">({esc(str(reason))})</span>' if with_interval and tip else ""
        if tip and not with_interval and status in ("not_calculable", "suppressed"):
            # Dense tables print the reason's first clause ("no BME shortlisted applicant was appointed"); the
            # whole sentence stays in the title and is printed on the figure's own page.
            why = f' <span class="wres-reason">({esc(str(reason).split(":", 1)[0])})</span>'
        return f'<span class="wres-na"{tip}>{word}</span>{why}'
    html_ = fmt_value(r["value"], k)
    fl = flags_of(r.get("flags"))
    if with_interval:
        iv = fmt_interval(r.get("ci_lower"), r.get("ci_upper"), k)
        if iv:
            html_ += f' <span class="wres-ci">({iv})</span>'
        elif k != "count":
            html_ += (' <span class="wres-ci" title="No interval is computed for this figure: see the methodology">'
                      '(no interval)</span>')
    if "small_numbers" in fl:
        html_ += ' <span class="wres-flag" title="Based on small numbers: read with care">small numbers</span>'
    if "validator_warning" in fl:
        html_ += (' <span class="wres-flag" title="The validator warned about a count behind this figure: check the '
                  'return before relying on it">validator warning</span>')
    return html_


def change_cell(indicator: int, measure: str, r: dict | None) -> str:
    """The change since the year before: both values, the change, and the verdict only where a test earned it.

    A move across parity (a likelihood across 1, a gap across 0) says so in words; an untested change
    shows both values and "not tested" (methodology, "Changes from year to year").
    """
    if r is None or is_missing(r.get("change")):
        return "–"
    k = measure_kind(indicator, measure)
    ch = float(r["change"])
    if k == "likelihood":
        txt = f"{ch:+.2f}".replace("-", "−")
    else:
        txt = f"{ch:+.1f} pp".replace("-", "−")
    prev, now = r.get("previous_value"), r.get("value")
    if not is_missing(prev) and not is_missing(now):
        txt = f"{fmt_value(prev, k)} → {fmt_value(now, k)} ({txt})"
        parity = 1.0 if k == "likelihood" else 0.0
        if k in ("likelihood", "gap") and (float(prev) - parity) * (float(now) - parity) < 0:
            if k == "likelihood" and indicator in (2, 3, 4):
                # Said as what it is: which group's rate was higher, then which is now (methodology, rule 5).
                txt = (f"{fmt_value(prev, k)} ({_higher_for(indicator, float(prev))}) → {fmt_value(now, k)} "
                       f"({_higher_for(indicator, float(now))}): crossed 1 (parity)")
            else:
                txt += " · crossed 0 (parity)"
    tr = r.get("trend")
    if not is_missing(tr) and str(tr) in TREND_LABELS:
        title = attr(TREND_MEANING[str(tr)])
        txt += f' <span class="wres-trend wres-trend--{str(tr)}" title="{title}">{TREND_LABELS[str(tr)]}</span>'
        if str(tr) in ("improved", "worsened") and "validator_warning" in flags_of(r.get("flags")):
            txt += " (but the validator warned about a count behind this year's figure: check it first)"
    return txt


def _higher_for(indicator: int, rl: float) -> str:
    """Which group's rate a likelihood above or below 1 says is higher (2 and 4 are White over BME, 3 BME over White)."""
    white_on_top = indicator in (2, 4)
    group = "White" if (rl > 1) == white_on_top else "BME"
    return f"rate higher for {group} staff"


def headline_table(site: Site, level: str, code: str, year: int, caption: str, page_url: str,
                   compare_england: bool = True, lineage: bool = False) -> str:
    head = ["Indicator", "Figure (95% interval, where there is one)", "What it means", "Change since the year before"]
    if compare_england and (level, code) != ENGLAND:
        head.append("England")
    rows = []
    for n in spec.INDICATORS:
        measure, r = site.headline(level, code, year, n, lineage)
        cls, _ = judge(n, measure, r)
        cells = [f'<a href="{rel(page_url, f"indicators/{n}/")}">{n}. {SHORT_TITLES[n]}</a>',
                 figure_html(n, measure, r) + _figure_note(site, level, code, year, n, measure, r, lineage),
                 class_tag(cls) or "–", change_cell(n, measure, r)]
        if compare_england and (level, code) != ENGLAND:
            cells.append(_england_cell(site, year, n))
        rows.append(cells)
    return table(caption, head, rows)


def _figure_note(site: Site, level: str, code: str, year: int, n: int, measure: str, r: dict | None,
                 lineage: bool = False) -> str:
    """What a headline cell needs beside the figure: indicator 3's two-year figure labelled, with the single
    year beside it; indicator 9's voting figure with executive and all members beside it; the two rates."""
    if r is None:
        return ""
    out = []
    if n in (2, 3, 4):
        rates = rates_sentence(n, r)
        if rates:
            out.append(rates + (f" ({int(year) - 1} and {year} together)" if measure == "relative_likelihood_2yr"
                                else ""))
    if n == 3 and measure == "relative_likelihood_2yr" and _shows_value(r):
        one = site.row(level, code, year, 3, "relative_likelihood", "all", lineage)
        out.append(f"Two-year figure: {int(year) - 1} and {year} pooled. {year} alone: "
                   + (figure_html(3, "relative_likelihood", one, with_interval=True) if one is not None else "–"))
    if n == 2 and level == "organisation" and not lineage and not _shows_value(r) and r.get("status") == "not_calculable":
        pooled = pooled_appointments(site, code, year)
        if pooled:
            out.append(pooled)
    if n == 9:
        parts = []
        for m, who in (("gap_pp_voting", "voting"), ("gap_pp_executive", "executive"), ("gap_pp_all", "all members")):
            row = site.row(level, code, year, 9, m, "all", lineage)
            shown = fmt_value(row["value"], "gap") if row is not None and _shows_value(row) else "no figure"
            parts.append(f"{who} {shown}")
        out.append("; ".join(parts))
    return "".join(f'<br><span class="wres-note">{x}</span>' for x in out)


def _count_of(rec: dict, col: str) -> int | None:
    """A count the page may use: a published whole number, not withheld or suppressed (else None)."""
    v = rec.get(col)
    if is_missing(v) or rec.get(f"{col}_withheld") is True or rec.get(f"{col}_suppressed") is True:
        return None
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def pooled_appointments(site: Site, code: str, year: int) -> str:
    """Indicator 2 over every year of an organisation's returns up to `year`, counts pooled (issue 14, point 7).

    Shown where a year's figure is not calculable because no BME shortlisted applicant was appointed, so
    the worst cases are not hidden: the two pooled rates and the pooled likelihood with its interval. Only
    years whose four counts are all published are pooled, and the years are named.
    """
    sums = {"aw": 0, "sw": 0, "ab": 0, "sb": 0}
    used = []
    for yr in sorted(y for (c, y) in site.tables.get("recruitment", {}) if c == code and y <= int(year)):
        if site.returns.get((code, yr), {}).get("status") == "left_out":
            continue
        by_eth = {str(r.get("ethnicity")): r for r in site.tables["recruitment"][(code, yr)]}
        w, b = by_eth.get("white"), by_eth.get("bme")
        if w is None or b is None:
            continue
        vals = [_count_of(w, "appointed"), _count_of(w, "shortlisted"), _count_of(b, "appointed"),
                _count_of(b, "shortlisted")]
        if any(v is None for v in vals):
            continue
        for k, v in zip(("aw", "sw", "ab", "sb"), vals):
            sums[k] += v
        used.append(yr)
    if len(used) < 2 or sums["sw"] == 0 or sums["sb"] == 0:
        return ""

    span = f"{used[0]} to {used[-1]}" if used == list(range(used[0], used[-1] + 1)) else ", ".join(map(str, used))
    rw, rb = 100 * sums["aw"] / sums["sw"], 100 * sums["ab"] / sums["sb"]
    text_ = (f"All years pooled ({span}): {sums['aw']:,} of {sums['sw']:,} White and {sums['ab']:,} of "
             f"{sums['sb']:,} BME shortlisted applicants were appointed ({fmt_rate(rounded(rw, 2))} against "
             f"{fmt_rate(rounded(rb, 2))})")
    if sums["ab"] == 0:
        return text_ + ": still no BME appointment, so no ratio can be computed."
    rl, _, lo, hi = (float(rounded(x, 2)) for x in relative_likelihood(sums["aw"], sums["sw"], sums["ab"], sums["sb"]))
    return text_ + f": a relative likelihood of {rl:.2f} (95% interval {lo:.2f} to {hi:.2f})."


def _england_cell(site: Site, year: int, n: int) -> str:
    """England's figure for the comparison column, worked out once per year and indicator (every page has it)."""
    key = (year, n)
    if key not in site.england_cells:
        em, er = site.headline(*ENGLAND, year, n)
        site.england_cells[key] = figure_html(n, em, er, with_interval=False)
    return site.england_cells[key]


def sentences(site: Site, level: str, code: str, year: int, who: str, lineage: bool = False) -> str:
    items = []
    for n in spec.INDICATORS:
        measure, r = site.headline(level, code, year, n, lineage)
        if r is None:
            continue
        items.append(f"<li><strong>{SHORT_TITLES[n]}.</strong> {sentence(n, measure, r, who)}</li>")
    if not items:
        return p(f"No figures for {year}.")
    return '<ul class="wres-sentences">' + "".join(items) + "</ul>"


def trend_chart(site: Site, n: int, series: list[tuple[str, str, str, bool]], chart_id: str, who: str) -> Chart:
    """A chart of indicator n's headline by year; series = [(label, level, code, lineage)]."""
    measure = HEADLINE[n][0]
    rows = []
    labels = []
    for label, level, code, lineage in series:
        labels.append(label)
        for y in site.years:
            m, r = site.headline(level, code, y, n, lineage)
            if r is None:
                continue
            measure = m if level != "england" or measure == HEADLINE[n][0] else measure
            if is_missing(r.get("value")):
                continue
            rows.append({"year": y, "series": label, "value": r.get("value"), "lower": r.get("ci_lower"),
                         "upper": r.get("ci_upper")})
    k = measure_kind(n, HEADLINE[n][0])
    better = {"likelihood": "likelihood", "gap": "gap_up" if n in (7, 9) else "gap"}.get(k, "")
    y_title = {"likelihood": "Relative likelihood", "gap": "Gap (percentage points)"}.get(k, "Per cent")
    summary = _trend_summary(rows, labels, n, k)
    if n == 3:
        summary += (" Each year pools that year's and the year before's counts where both exist; a first year shows "
                    "the single-year figure.")
    if n == 9:
        summary += " The figure is for the board's voting members, as the WRES technical guidance defines it."
    if n in (1, 9):
        summary += " No interval is computed for this figure (it counts whole workforces and boards)."
    return Chart(chart_id, "trend", f"{n}. {SHORT_TITLES[n]}, by year", summary, k, y_title, rows, labels, better)


def _trend_summary(rows: list[dict], labels: list[str], n: int, k: str) -> str:
    if not rows:
        return "No figures yet."
    first = labels[0]
    mine = sorted((r for r in rows if r["series"] == first), key=lambda r: r["year"])
    if len(mine) >= 2:
        a, b = mine[0], mine[-1]
        return (f"For {esc(first)} the figure went from {fmt_value(a['value'], k)} in {a['year']} to "
                f"{fmt_value(b['value'], k)} in {b['year']}. {GOOD[n].split(';')[0].capitalize()}.")
    if len(mine) == 1:
        return f"One year of figures for {esc(first)}: {fmt_value(mine[0]['value'], k)} in {mine[0]['year']}."
    return "No figures yet for this series."


def survey_chart(site: Site, n: int, level: str, code: str, chart_id: str, who_label: str, lineage: bool) -> Chart:
    rows = []
    for y in site.years:
        for measure, label in (("percent_bme", "BME staff"), ("percent_white", "White staff")):
            r = site.row(level, code, y, n, measure, "all", lineage)
            if r is not None and r.get("status") == "not_collected":
                rows.append({"year": y, "series": label, "value": None})  # a gap in the line, not a bridge
                continue
            if r is None or is_missing(r.get("value")):
                continue
            rows.append({"year": y, "series": label, "value": r["value"], "lower": r.get("ci_lower"),
                         "upper": r.get("ci_upper")})
    better = "percent_up" if n == 7 else "percent_down"
    bme = sorted((r for r in rows if r["series"] == "BME staff" and not is_missing(r["value"])),
                 key=lambda r: r["year"])
    if bme:
        last = bme[-1]
        wh = [r for r in rows if r["series"] == "White staff" and r["year"] == last["year"]]
        summary = (f"In {last['year']}, {fmt_value(last['value'], 'percent')} of BME staff"
                   + (f" and {fmt_value(wh[0]['value'], 'percent')} of White staff" if wh else "")
                   + f" at {who_label} said yes. {'Higher' if n == 7 else 'Lower'} is better.")
    else:
        summary = "No survey figures yet."
    gaps = sorted({r["year"] for r in rows if is_missing(r["value"])})
    if gaps:
        summary += f" Not collected in {', '.join(str(g) for g in gaps)}: the line breaks there."
    return Chart(chart_id, "trend", f"{n}. {SHORT_TITLES[n]}: BME and White staff, by year", summary, "percent",
                 "Per cent of staff", rows, ["BME staff", "White staff"], better)


def representation_chart(site: Site, level: str, code: str, chart_id: str, who_label: str, lineage: bool) -> Chart:
    rows = []
    for y in site.years:
        for breakdown, label in (("all", "Whole workforce"), ("senior", "Bands 8a to VSM")):
            r = site.row(level, code, y, 1, "share_bme", breakdown, lineage)
            if r is None or is_missing(r.get("value")):
                continue
            rows.append({"year": y, "series": label, "value": r["value"], "lower": r.get("ci_lower"),
                         "upper": r.get("ci_upper")})
    allr = sorted((r for r in rows if r["series"] == "Whole workforce"), key=lambda r: r["year"])
    if allr:
        last = allr[-1]
        sen = [r for r in rows if r["series"] == "Bands 8a to VSM" and r["year"] == last["year"]]
        summary = (f"In {last['year']}, {fmt_value(last['value'], 'share')} of staff at {who_label} were BME"
                   + (f", against {fmt_value(sen[0]['value'], 'share')} of senior staff (bands 8a to VSM)" if sen else "")
                   + ". Fair representation means the two lines meet.")
    else:
        summary = "No workforce figures yet."
    return Chart(chart_id, "trend", "BME share of the workforce and of senior staff, by year", summary, "share",
                 "BME share (%)", rows, ["Whole workforce", "Bands 8a to VSM"], "share")


def group_charts(site: Site, level: str, code: str, label: str, page_url: str, lineage: bool = False,
                 compare_england: bool = True, who: str = "") -> str:
    """The trend charts of one organisation, group or England."""
    out = []
    who = who or label
    pdir = site.page_dir(page_url)
    out.append(write_chart(representation_chart(site, level, code, "representation", who, lineage), pdir, site.charts))
    for n in spec.INDICATORS:
        if n in spec.SURVEY_INDICATORS:
            out.append(write_chart(survey_chart(site, n, level, code, f"trend-{n}", who, lineage), pdir, site.charts))
            continue
        series = [(_plain_label(label), level, code, lineage)]
        if compare_england and (level, code) != ENGLAND:
            series.append(("England", "england", "ENG", False))
        out.append(write_chart(trend_chart(site, n, series, f"trend-{n}", label), pdir, site.charts))
    return "\n\n".join(out)


def _plain_label(label_html: str) -> str:
    """Chart series names are plain text (Vega draws them as text); undo our entity escaping."""
    import html

    return html.unescape(label_html)


def _share_with_count(site: Site, level: str, code: str, year: int, breakdown: str, r: dict | None) -> str:
    """"22.7% (12,345)": the BME share and the BME headcount behind it (share x headcount, exact)."""
    html_ = figure_html(1, "share_bme", r, False)
    h = site.row(level, code, year, 1, "headcount", breakdown)
    if r is None or h is None or is_missing(r.get("value")) or is_missing(h.get("value")):
        return html_
    if getattr(site.settings, "withhold_below", 0):
        return html_
    bme = round(float(r["value"]) * float(h["value"]) / 100)
    return f'{html_} <span class="wres-ci">({bme:,})</span>'


def representation_table(site: Site, level: str, code: str, caption: str) -> str:
    rows = []
    for y in site.years:
        a = site.row(level, code, y, 1, "share_bme", "all")
        s = site.row(level, code, y, 1, "share_bme", "senior")
        g = site.row(level, code, y, 1, "senior_gap_pp", "senior") or site.row(level, code, y, 1, "senior_gap_pp", "all")
        if a is None and s is None:
            continue
        rows.append([str(y), _share_with_count(site, level, code, y, "all", a),
                     _share_with_count(site, level, code, y, "senior", s),
                     figure_html(1, "senior_gap_pp", g, False)])
    if not rows:
        return p("No workforce figures.")
    return table(caption, ["Year", "BME share of the workforce", "BME share of bands 8a to VSM",
                           "Gap, percentage points (no interval: counts of whole workforces)"], rows,
                 numeric={1, 2, 3})


# ---------------------------------------------------------------- England

def england_page(site: Site) -> None:
    y = site.latest_year
    url = ""
    n_pub = sum(1 for (c, yr), r in site.returns.items() if yr == y and r.get("status") != "left_out")
    n_left = sum(1 for (c, yr), r in site.returns.items() if yr == y and r.get("status") == "left_out")
    body = [front_matter("England", description="Workforce Race Equality Standard figures for NHS England, "
                         "every region, system and organisation."),
            heading(1, "Workforce Race Equality Standard: England"),
            intro("The Workforce Race Equality Standard (WRES) asks every NHS organisation to publish nine figures "
              "each year comparing the experience of White and black and minority ethnic (BME) staff (White minority "
              "groups, such as White Irish, count as White): who gets "
              "senior jobs, who is appointed after shortlisting, who enters disciplinary processes, who gets "
              "training, what staff say in the staff survey, and who sits on boards. This site publishes every "
              "return, computes the figures the same way for everyone, and shows how sure each figure is.", "lead"),
            p(f"The latest collection is <strong>{y}</strong>: {plural(n_pub, 'return')} published"
              + (f", {plural(n_left, 'return')} left out because of errors "
                 f'(<a href="{rel(url, "data-quality/")}">see data quality</a>)' if n_left else "")
              + f'. Look up <a href="{rel(url, "organisations/")}">any organisation</a>, '
                f'<a href="{rel(url, "regions/")}">region</a> or <a href="{rel(url, "systems/")}">system</a>, '
                f'or <a href="{rel(url, "downloads/")}">download every figure</a>.'),
            heading(2, f"Headline figures, {y}"),
            p("Each figure compares BME and White staff. For relative likelihoods, 1.00 means equal treatment and "
              "0.80 to 1.25 counts as no adverse difference; for gaps, 0 means no difference. The change column "
              "shows last year's and this year's figures. It says <em>Improved</em> or <em>Worsened</em> only when "
              "the figure moved closer to or further from parity, a test says the move is unlikely to be chance, "
              "and the move is at least the minimum meaningful change; <em>Not tested</em> where no test is "
              f'possible (<a href="{rel(url, "methodology/")}#changes-from-year-to-year">the rules</a>).'),
            group_notes(site, *ENGLAND, y, list(site.orgs), url),
            headline_table(site, *ENGLAND, y, f"England, {y}: the nine WRES indicators", url),
            sentences(site, *ENGLAND, y, "NHS organisations in England"),
            heading(2, "Representation, every year"),
            p("The 2018 NHS England board paper set the aim that BME representation at senior levels matches the "
              "whole workforce by 2028. The gap below is that difference in percentage points: 0 is parity."),
            representation_table(site, *ENGLAND, "BME representation in England: the whole workforce and bands 8a to "
                                 "VSM, by year"),
            heading(2, "Trends"),
            group_charts(site, *ENGLAND, "England", url, who="NHS organisations in England"),
            heading(2, "Regions side by side"),
            regions_table(site, url, y),
            regions_charts(site, url, y),
            provenance(site, url),
            ]
    site.write("index.md", compose(body))


def regions_table(site: Site, page_url: str, year: int) -> str:
    head = ["Region"] + [f'<abbr title="{attr(spec.INDICATOR_TITLES[n])}">{n}. {SHORT_TITLES[n]}</abbr>'
                         for n in spec.INDICATORS]
    rows = []
    for rcode, (name, slug) in spec.REGIONS.items():
        cells = [(f'<a href="{rel(page_url, f"regions/{slug}/")}">{esc(name)}</a>', name)]
        for n in spec.INDICATORS:
            m, r = site.headline("region", rcode, year, n)
            cells.append(compact_cell(n, m, r))
        rows.append(cells)
    return COMPACT_KEY + table(f"Regions, {year}: headline figure of each indicator", head, rows, sortable=True,
                 numeric=set(range(1, 10)))


def regions_charts(site: Site, page_url: str, year: int) -> str:
    out = []
    pdir = site.page_dir(page_url)
    for n in spec.INDICATORS:
        rows = []
        measure = HEADLINE[n][0]
        for rcode, (name, _slug) in spec.REGIONS.items():
            m, r = site.headline("region", rcode, year, n)
            if r is None:
                continue
            measure = m
            rows.append({"label": name, "code": rcode, "value": r.get("value"), "lower": r.get("ci_lower"),
                         "upper": r.get("ci_upper")})
        k = measure_kind(n, measure)
        vals = [r for r in rows if not is_missing(r["value"])]
        if vals:
            hi = max(vals, key=lambda r: float(r["value"]))
            lo = min(vals, key=lambda r: float(r["value"]))
            summary = (f"In {year} the figure ranged from {fmt_value(lo['value'], k)} ({esc(lo['label'])}) to "
                       f"{fmt_value(hi['value'], k)} ({esc(hi['label'])}). {GOOD[n].split(';')[0].capitalize()}.")
        else:
            summary = "No regional figures this year."
        better = {"likelihood": "likelihood", "gap": "gap_up" if n in (7, 9) else "gap"}.get(k, "")
        x_title = {"likelihood": "Relative likelihood", "gap": "Gap (percentage points)"}.get(k, "Per cent")
        out.append(write_chart(Chart(f"regions-{n}", "dots", f"{n}. {SHORT_TITLES[n]}, by region, {year}", summary,
                                     k, x_title, rows, better=better, label_title="Region"), pdir, site.charts))
    return '<div class="wres-grid">' + "".join(out) + "</div>"


def provenance(site: Site, page_url: str, extra: str = "") -> str:
    return ('<div class="wres-provenance"><h2 id="sources">Where these figures come from</h2>'
            f"<p>Every figure on this page is in "
            f'<a href="{rel(page_url, "downloads/indicators.csv")}">indicators.csv</a> (one row per figure, '
            f'with its interval, status and flags); the submitted counts are in the '
            f'<a href="{rel(page_url, "downloads/")}">downloads</a>. How each figure is computed: '
            f'<a href="{rel(page_url, "methodology/")}">methodology</a>.{extra}</p></div>')


# ---------------------------------------------------------------- regions and systems

def member_table(site: Site, members: list[str], page_url: str, year: int, caption: str, table_id: str = "") -> str:
    head = ["Organisation", "Type", "Latest return"] + [
        f'<abbr title="{attr(spec.INDICATOR_TITLES[n])}">{n}. {SHORT_TITLES[n]}</abbr>' for n in spec.INDICATORS]
    rows = []
    for code in sorted(members, key=lambda c: (str(site.orgs[c]["org_name"]).lower(), c)):
        org = site.orgs[code]
        years = sorted(yr for yr in site.returns_by_org.get(code, [])
                       if site.returns[(code, yr)].get("status") != "left_out")
        last = years[-1] if years else None
        cells = [(f'<a href="{rel(page_url, f"organisations/{code}/")}">{esc(org["org_name"])}</a>',
                  esc(str(org["org_name"]).lower())),
                 org_type_label(org.get("org_type")),
                 (f'<a href="{rel(page_url, f"organisations/{code}/{last}/")}">{last}</a>' if last else "none",
                  str(last or ""))]
        for n in spec.INDICATORS:
            if last is None:
                cells.append(("–", ""))
                continue
            m, r = site.headline("organisation", code, last, n)
            cells.append(compact_cell(n, m, r))
        rows.append(cells)
    if not rows:
        return p("No organisations.")
    return COMPACT_KEY + table(caption, head, rows, sortable=True, table_id=table_id, numeric=set(range(3, 12)))


def group_notes(site: Site, level: str, code: str, year: int, members: list[str], url: str) -> str:
    """The "Things you need to know" box of a group page: how each figure was made, who is missing from it."""
    published = [c for c in members if (c, year) in site.returns and site.returns[(c, year)].get("status") != "left_out"]
    missing = [c for c in members if c not in published]
    items = []
    if level == "england":
        who = f"the {plural(len(published), 'organisation')} with a published return for {year}"
    else:
        who = (f"the {plural(len(published), 'organisation')} of its {plural(len(members), 'member')} with a "
               f"published return for {year}")
    items.append(f"Indicators 1 to 4 and 9 are computed from the <strong>summed counts</strong> of {who}, never as an "
                 f"average of their ratios. The senior representation gap takes both shares over the same "
                 f"organisations.")
    survey = []
    for n in spec.SURVEY_INDICATORS:
        _, r = site.headline(level, code, year, n)
        if r is None or not _shows_value(r):
            continue
        fl = flags_of(r.get("flags"))
        survey.append((n, "plain mean of organisations' percentages (some gave no respondent counts), with no "
                          "interval" if "weighted_mean_unavailable" in fl else "mean weighted by respondents"))
    if survey:
        kinds = sorted({k for _, k in survey})
        if len(kinds) == 1:
            items.append(f"Indicators 5 to 8 (staff survey) are the {kinds[0]}.")
        else:
            items.append("Staff survey figures: " + "; ".join(f"indicator {n}, {k}" for n, k in survey) + ".")
    left = []
    for n in spec.INDICATORS:
        m, r = site.headline(level, code, year, n)
        if r is not None and "members_left_out" in flags_of(r.get("flags")) and not is_missing(r.get("reason")):
            left.append(f"indicator {n}: {esc(str(r['reason']))}")
    if left:
        items.append("Some organisations are left out of some figures because a count was missing or suppressed: "
                     + "; ".join(left) + ".")
    if missing and level != "england":
        names = ", ".join(f'<a href="{rel(url, f"organisations/{c}/")}">{site.org_name(c)}</a>' for c in missing[:20])
        more = f" and {len(missing) - 20:,} more" if len(missing) > 20 else ""
        items.append(f"No published return for {year}, so not in these figures: {names}{more}.")
    elif missing:
        items.append(f"{plural(len(missing), 'organisation')} in the register had no published return for {year} and "
                     f"are not in these figures.")
    items.append(f'Survey figures for {year} come from the NHS Staff Survey of the autumn of {int(year) - 1}. '
                 f'<a href="{rel(url, "methodology/")}#group-figures">How group figures are made</a>.')
    return ('<div class="admonition info wres-know"><p class="admonition-title">Things you need to know</p><ul>'
            + "".join(f"<li>{x}</li>" for x in items) + "</ul></div>")


def group_page(site: Site, level: str, code: str, name: str, url: str, members: list[str], intro_html: str,
               extra: tuple[str, ...] = ()) -> None:
    y = site.latest_year
    ename = esc(name)
    body = [front_matter(ename, description=f"Workforce Race Equality Standard figures for {ename}.",
                         hide=("navigation", "toc")),
            heading(1, ename),
            intro(intro_html),
            heading(2, f"Headline figures, {y}"),
            group_notes(site, level, code, y, members, url),
            headline_table(site, level, code, y, f"{ename}, {y}: the nine WRES indicators, with England for comparison",
                           url),
            sentences(site, level, code, y, f"NHS organisations in {ename}"),
            heading(2, "Representation, every year"),
            representation_table(site, level, code, f"BME representation in {ename}, by year"),
            *extra,
            heading(2, "Organisations"),
            p("Latest published figure of each organisation; select a column heading to sort. Each organisation's "
              "page gives intervals, trends and its own return."),
            member_table(site, members, url, y, f"Organisations in {ename}: latest figures"),
            heading(2, "Trends"),
            group_charts(site, level, code, ename, url, who=f"NHS organisations in {ename}"),
            provenance(site, url)]
    site.write(url.strip("/") + ".md", compose(body))


def region_pages(site: Site) -> None:
    members_by_region: dict = {}
    for code, org in site.orgs.items():
        members_by_region.setdefault(str(org.get("region_code")), []).append(code)
    index_rows = []
    y = site.latest_year
    for rcode, (name, slug) in spec.REGIONS.items():
        members = members_by_region.get(rcode, [])
        systems = sorted((s for s, (sn, sr, _) in site.systems.items() if str(sr) == rcode),
                         key=lambda s: str(site.systems[s][0] or s))
        url = f"regions/{slug}/"
        sys_html: tuple[str, ...] = ()
        if systems:
            sys_html = (heading(2, "Integrated care systems"), '<ul class="wres-columns">' + "".join(
                f'<li><a href="{rel(url, f"systems/{s}/")}">{esc(site.systems[s][0] or s)}</a></li>' for s in systems)
                + "</ul>")
        group_page(site, "region", rcode, name, url, members,
                   f"{esc(name)} is one of the seven NHS England regions. It has "
                   f"{plural(len(members), 'organisation')} in the register and {plural(len(systems), 'integrated care system')}. "
                   f'How its figures are made, and which organisations are missing from them, is in the box '
                   f'below (<a href="{rel(url, "methodology/")}#group-figures">methodology</a>).', sys_html)
        m, r = site.headline("region", rcode, y, 1)
        index_rows.append([(f'<a href="{rel("regions/", url)}">{esc(name)}</a>', name),
                           (fmt_int(len(members)), str(len(members))), (fmt_int(len(systems)), str(len(systems))),
                           figure_cell(1, m, r, False)])
    body = [front_matter("Regions", description="The seven NHS England regions."),
            heading(1, "Regions"),
            intro("NHS England has seven regions. Each region's page shows its figures, its organisations and its "
              "integrated care systems."),
            table(f"NHS England regions, {y}", ["Region", "Organisations", "Systems",
                                                 "Senior representation gap (pp)"], index_rows, sortable=True,
                  numeric={1, 2, 3}),
            provenance(site, "regions/")]
    site.write("regions/index.md", compose(body))


def system_pages(site: Site) -> None:
    rows = []
    y = site.latest_year
    for scode in sorted(site.systems):
        name, region, members = site.systems[scode]
        name = name if not is_missing(name) else scode
        url = f"systems/{scode}/"
        rname, rslug = spec.REGIONS.get(str(region), ("", ""))
        region_link = f'<a href="{rel(url, f"regions/{rslug}/")}">{esc(rname)}</a>' if rslug else "an unknown region"
        group_page(site, "system", scode, str(name), url, members,
                   f"{esc(name)} (code {esc(scode)}) is an integrated care system in {region_link}, with "
                   f"{plural(len(members), 'organisation')} in the register. How its figures are made, and which "
                   f'organisations are missing from them, is in the box below '
                   f'(<a href="{rel(url, "methodology/")}#group-figures">methodology</a>).')
        m, r = site.headline("system", scode, y, 1)
        rows.append([(f'<a href="{rel("systems/", url)}">{esc(name)}</a>', esc(str(name).lower())),
                     esc(scode), (esc(rname), rname), (fmt_int(len(members)), str(len(members))),
                     figure_cell(1, m, r, False)])
    body = [front_matter("Integrated care systems", description="Every integrated care system."),
            heading(1, "Integrated care systems"),
            intro("Integrated care systems bring together the NHS organisations of an area. Each system's page shows "
              "its figures and its organisations."),
            table(f"Integrated care systems, {y}", ["System", "Code", "Region", "Organisations",
                                                     "Senior representation gap (pp)"], rows, sortable=True,
                  numeric={3, 4}) if rows else p("The register names no systems."),
            provenance(site, "systems/")]
    site.write("systems/index.md", compose(body))


# ---------------------------------------------------------------- organisations

def organisations_index(site: Site) -> None:
    url = "organisations/"
    rows = []
    for code in sorted(site.orgs, key=lambda c: (str(site.orgs[c]["org_name"]).lower(), c)):
        org = site.orgs[code]
        years = sorted(site.returns_by_org.get(code, []))
        pub = [yr for yr in years if site.returns[(code, yr)].get("status") != "left_out"]
        rname, rslug = spec.REGIONS.get(str(org.get("region_code")), ("", ""))
        sc = org.get("system_code")
        sname = org.get("system_name")
        sys_cell = ("–", "")
        if not is_missing(sc) and str(sc) in site.systems:
            label = esc(sname if not is_missing(sname) else sc)
            sys_cell = (f'<a href="{rel(url, f"systems/{sc}/")}">{label}</a>', label.lower())
        status = ""
        if not is_missing(org.get("successor_code")):
            succ = str(org["successor_code"])
            status = (f'merged into <a href="{succ}/">{site.org_name(succ)}</a>' if succ in site.orgs
                      else f"merged into {esc(succ)}")
        elif not is_missing(org.get("closed_year")):
            status = f"closed {int(org['closed_year'])}"
        m, r = site.headline("organisation", code, pub[-1], 1) if pub else ("", None)
        rows.append([(f'<a href="{code}/">{esc(org["org_name"])}</a>', esc(str(org["org_name"]).lower())),
                     esc(code), org_type_label(org.get("org_type")),
                     (f'<a href="{rel(url, f"regions/{rslug}/")}">{esc(rname)}</a>' if rslug else "–", rname),
                     sys_cell,
                     (str(pub[-1]) if pub else "none", str(pub[-1]) if pub else ""),
                     status])
    n = len(rows)
    body = [front_matter("Organisations", description="Every NHS organisation with a WRES return.",
                         hide=("navigation", "toc")),
            heading(1, "Organisations"),
            intro(f"Every organisation in the register ({plural(n, 'organisation')}). Type in the box to filter the table, "
              "or select a column heading to sort it. Each organisation's page has its figures, trends and returns."),
            '<div class="wres-filter" hidden><label for="wres-org-filter">Filter organisations by name, code, type, '
            'region or system</label><input type="search" id="wres-org-filter" data-filter-table="wres-orgs" '
            'autocomplete="off" spellcheck="false"><p id="wres-org-count" class="wres-count" aria-live="polite"></p></div>',
            table(f"All {plural(n, 'organisation')}", ["Organisation", "Code", "Type", "Region", "System",
                                                     "Latest published return", "Status"], rows, sortable=True,
                  table_id="wres-orgs", numeric={5}),
            provenance(site, url)]
    site.write("organisations/index.md", compose(body))


def _change_section(site: Site, code: str, url: str) -> list:
    """What changed in this organisation's figures since the previous release (`--previous`); [] if nothing."""
    mine = site.changes_by_org.get(code)
    if mine is None or mine.empty:
        return []
    head, rows = changelog.row_cells(mine)
    n = len(mine)
    return [heading(2, changelog.SECTION_TITLE),
            p(f"{n} figure{'s' if n != 1 else ''} for this organisation changed since the previous release (a "
              "corrected or late return, or a change in method). Before is the previous release, now is this one."),
            table(f"Figures of {site.org_name(code)} that changed since the previous release", head,
                  [[esc(c) for c in row] for row in rows], row_header=False),
            p(f'Every figure that changed on the site is listed on <a href="{rel(url, changelog.ADDRESS)}">what '
              "changed</a>.")]


def _in_details(summary: str, content: str) -> str:
    """content folded under a summary line; nothing when there is no content."""
    return f'<details class="wres-data"><summary>{summary}</summary>{content}</details>' if content else ""


def organisation_page(site: Site, code: str) -> None:
    org = site.orgs[code]
    url = f"organisations/{code}/"
    name = esc(org["org_name"])
    years = sorted(site.returns_by_org.get(code, []))
    published = [y for y in years if site.returns[(code, y)].get("status") != "left_out"]
    latest = published[-1] if published else None
    rname, rslug = spec.REGIONS.get(str(org.get("region_code")), ("", ""))
    facts = [f"ODS code <strong>{esc(code)}</strong>", org_type_label(org.get("org_type")) or "type not given"]
    if rslug:
        facts.append(f'<a href="{rel(url, f"regions/{rslug}/")}">{esc(rname)}</a> region')
    sc = org.get("system_code")
    if not is_missing(sc) and str(sc) in site.systems:
        sname = org.get("system_name")
        facts.append(f'<a href="{rel(url, f"systems/{sc}/")}">{esc(sname if not is_missing(sname) else sc)}</a>')
    web = link(org.get("website"), "website")
    if web != "website":
        facts.append(web)
    lineage = code in site.lineage
    body = [front_matter(name, description=f"WRES figures, trends and returns of {name}.", hide=("navigation",)),
            heading(1, name),
            intro(" · ".join(facts), "wres-facts")]
    succ = org.get("successor_code")
    if not is_missing(succ):
        s = str(succ)
        target = (f'<a href="{rel(url, f"organisations/{s}/")}">{site.org_name(s)}</a>' if s in site.orgs
                  else esc(s))
        closed = f" after {int(org['closed_year'])}" if not is_missing(org.get("closed_year")) else ""
        body.append(note(f"This organisation merged into {target}{closed}. Its later figures are part of that "
                         f"organisation's series.", "info", "Merged"))
    preds = site.folded.get(code) or site.predecessors.get(code)
    if preds:
        names = ", ".join(f'<a href="{rel(url, f"organisations/{pc}/")}">{site.org_name(pc)}</a> ({esc(pc)})'
                          if pc in site.orgs else esc(pc) for pc in preds)
        body.append(note(f"This organisation took over {names}. Its trend charts fold in their figures for the years "
                         f"before the merger, so the series continues.", "info", "Merger"))
    body += _change_section(site, code, url)
    if latest is None:
        body.append(p("There is no published return for this organisation yet."))
    else:
        body += [heading(2, f"What the figures say, {latest}"),
                 p(f'Figures from the <a href="{latest}/">{latest} return</a> (the counts as submitted are on '
                   f"that page). Each compares BME and White staff; "
                   f'<a href="{rel(url, "methodology/")}">methodology</a> explains how each is computed.'),
                 sentences(site, "organisation", code, latest, name),
                 heading(2, f"Latest figures, {latest}"),
                 headline_table(site, "organisation", code, latest,
                                f"{name}, {latest}: the nine WRES indicators, with England for comparison", url),
                 _in_details(f"Representation by pay band, {latest}",
                             band_table(site, "organisation", code, latest,
                                        f"{name}, {latest}: staff by ethnicity in each staff group and band")),
                 heading(2, "Trends"),
                 p("Each chart shows this organisation's figure every year with its 95% interval where it has one "
                   "(indicators 1 and 9, and survey figures without respondent counts, have none), and England's "
                   "for comparison." + (" Years before the merger include the organisations it took over."
                                         if lineage else "")),
                 group_charts(site, "organisation", code, name, url, lineage=lineage),
                 heading(2, "Among its peers"),
                 peers_section(site, code, latest, url),
                 heading(2, "Leadership goal"),
                 goals_section(site, code, latest)]
    body += [heading(2, "Reports and action plans"), reports_section(site, code, years),
             heading(2, "Returns and data quality"), returns_section(site, code, years, url),
             provenance(site, url, f' This organisation\'s register entry and all its figures as JSON: '
                                   f'<a href="{rel(url, f"api/organisations/{code}.json")}">{esc(code)}.json</a>.')]
    site.write(f"organisations/{code}/index.md", compose(body))


def peers_section(site: Site, code: str, year: int, url: str) -> str:
    org = site.orgs[code]
    peer_label = org_type_label(org.get("org_type")).lower() or "organisations of its type"
    rows = []
    for n in spec.INDICATORS:
        m, r = site.headline("organisation", code, year, n)
        if r is None or is_missing(r.get("peer_rank")) or is_missing(r.get("peer_count")):
            continue
        rank, count = int(r["peer_rank"]), int(r["peer_count"])
        pct = r.get("peer_percentile")
        rows.append([f'<a href="{rel(url, f"indicators/{n}/")}">{n}. {SHORT_TITLES[n]}</a>',
                     fmt_value(r.get("value"), measure_kind(n, m)),
                     f"{ordinal(rank)} of {count:,}",
                     f"{float(pct):.0f}" if not is_missing(pct) else "–"])
    if not rows:
        return p("No peer comparison for this year: there is no ranked figure.")
    return (p(f"Where {esc(org['org_name'])} stands among {peer_label}s in {year} (1st is the fairest figure, "
              f"closest to equal treatment). Rankings tell you about position, not about whether a difference is "
              f"real: small organisations move a lot from chance. Figures on small numbers, figures the validator "
              f"warned about and figures that cannot be computed are never ranked; each indicator's page shows every "
              f"organisation with its 95% interval, the better way to compare. The percentile is the share of "
              f'ranked peers further from equal treatment (<a href="{rel(url, "methodology/")}#peers">methodology</a>).')
            + table(f"{esc(org['org_name'])}: rank among peers, {year}",
                    ["Indicator", "Figure", "Rank (1st is fairest)", "Percentile (100 is fairest)"], rows,
                    numeric={1, 3}))


GOAL_STATUS = {"ok": "reachable", "met": "parity already met", "passed": "target year has passed",
               "not_reachable": "not reachable at this turnover", "not_calculable": "cannot be computed",
               "too_small": "no goal: fewer than 20 posts",
               "suppressed": "withheld"}
GROUP_WORDS = {"senior": "senior staff (bands 8a to VSM)", "vsm": "very senior managers", "board": "the board"}


def goals_section(site: Site, code: str, year: int) -> str:
    rows = [r for r in site.goals.get(("organisation", code), []) if int(r.get("year", 0) or 0) == year]
    if not rows:
        return p("No leadership goal could be computed for this year.")
    head_year = site.settings.goal_headline_year
    items = []
    for r in rows:
        if int(r.get("target_year") or 0) != head_year:
            continue
        g = GROUP_WORDS.get(str(r.get("group")), esc(r.get("group")))
        T, s0 = r.get("T"), r.get("s0")
        turnover = r.get("turnover")
        tw = f"{float(turnover) * 100:.0f}%" if not is_missing(turnover) else "an assumed share"
        now = f"{float(s0) * 100:.1f}%" if not is_missing(s0) else "unknown"  # goals.py: proportions 0-1
        target = f"{float(T) * 100:.1f}%" if not is_missing(T) else "unknown"
        status = str(r.get("status") or "")
        G = f"<strong>{g[0].upper() + g[1:]}</strong>"
        if status == "met":
            items.append(f"<li>{G}: BME share {now}, parity {target}. Already at or above parity.</li>")
        elif status == "not_reachable":
            items.append(f"<li>{G}: BME share now {now}, parity {target}. Parity cannot be reached by {head_year} "
                         f"if {tw} of posts turn over each year, even if every appointment went to a BME "
                         f"candidate.</li>")
        elif status == "ok":
            per = r.get("bme_appointments_per_year")
            kk = share_words(r.get("fraction"))
            if is_missing(per):
                pp = ""
            elif float(per) < 0.95:
                pp = f" (fewer than one BME appointment a year: about one every {1 / float(per):.0f} years)" \
                    if float(per) > 0 else ""
            elif round(float(per)) == 1:
                pp = " (about one BME appointment a year)"
            else:
                pp = f" (about {float(per):.0f} BME appointments a year)"
            rng = ""
            lo, hi = r.get("fraction_low"), r.get("fraction_high")
            if not is_missing(lo) and not is_missing(hi):
                rng = (f" If 5% of posts turned over each year it would be {_pct_or_more(lo)}; if 15%, "
                       f"{_pct_or_more(hi)}.")
            items.append(f"<li>{G}: BME share now {now}, parity {target}. To reach parity by {head_year}, {kk} "
                         f"of appointments would need to go to BME staff{pp}, if {tw} of posts turn over each "
                         f"year.{rng}{_national_words(r)}</li>")
        else:
            why = esc(r.get("reason")) if not is_missing(r.get("reason")) else "no goal could be computed"
            items.append(f"<li>{G}: {why}.</li>")
    text_ = (p("The 2018 NHS England aim is that BME representation at senior levels matches the whole workforce "
               "by 2028. Parity here means the organisation's own BME share among staff of known ethnicity. "
               "This is the project's own transparent model, not an official target.")
             + ('<ul>' + "".join(items) + "</ul>" if items else ""))
    trows = []
    for r in sorted(rows, key=lambda r: (str(r.get("group")), int(r.get("target_year") or 0))):
        trows.append([GROUP_WORDS.get(str(r.get("group")), esc(r.get("group"))), str(int(r.get("target_year") or 0)),
                      fmt_int(r.get("N")),
                      share_words(r.get("fraction")) if str(r.get("status")) == "ok" else "–",
                      GOAL_STATUS.get(str(r.get("status")), esc(r.get("status")))])
    return text_ + table(f"{site.org_name(code)}: BME share of appointments needed for parity, by target year",
                         ["Group", "Target year", "Posts", "Share of appointments to go to BME staff", "Outlook"],
                         trows, numeric={2})


def share_words(fraction: object) -> str:
    """A share of appointments as people read it: "23% (about 1 in 4)", "74% (about 7 in 10)", never "1 in 1"."""
    if is_missing(fraction):
        return "–"
    f = float(fraction)
    pct = f"{100 * f:.0f}%"
    if f <= 0:
        return "none"
    if f <= 0.5:
        return f"{pct} (about 1 in {round(1 / f)})"
    if f < 0.95:
        return f"{pct} (about {round(10 * f)} in 10)"
    return f"{pct} (nearly all)"


def _pct_or_more(fraction: object) -> str:
    f = float(fraction)  # type: ignore[arg-type]
    return "more than every appointment (not reachable)" if f > 1 else share_words(f)


def _national_words(r: dict) -> str:
    """The board paper's fixed national baseline beside the organisation's own parity."""
    tn, fn = r.get("T_national"), r.get("fraction_national")
    if is_missing(tn):
        return ""
    base = f" Against the national baseline instead (England's BME share of staff of known ethnicity, {100 * float(tn):.1f}%)"
    if is_missing(fn):
        return base + ", this group is already at or above it."
    return base + f", {_pct_or_more(fn)} of appointments would be needed."


def reports_section(site: Site, code: str, years: list[int]) -> str:
    rows = []
    for y in sorted(years, reverse=True):
        r = site.returns[(code, y)]
        rep = link(r.get("report_url"), f"WRES report {y}")
        plan = link(r.get("action_plan_url"), f"Action plan {y}")
        rows.append([str(y),
                     rep if rep != f"WRES report {y}" else '<span class="wres-na">no published report link</span>',
                     plan if plan != f"Action plan {y}" else '<span class="wres-na">no published action plan link</span>'])
    if not rows:
        return p("No returns yet.")
    return (p("The organisation's own published documents, as linked in its returns (these links leave this site).")
            + table(f"{site.org_name(code)}: published WRES reports and action plans", ["Year", "Report", "Action plan"],
                    rows))


STATUS_WORDS = {"published": "Published", "published_with_warnings": "Published, with warnings",
                "left_out": "Left out: errors"}


def returns_section(site: Site, code: str, years: list[int], url: str) -> str:
    rows = []
    for y in sorted(years, reverse=True):
        r = site.returns[(code, y)]
        q = site.quality.get((code, y), {})
        su = q.get("share_unknown")
        su_txt = "–" if is_missing(su) else f"{float(su):.1f}%"  # quality.py: 0-100
        comp = q.get("completeness")
        missing = q.get("files_missing")
        comp_txt = "–" if is_missing(comp) else f"{float(comp):.0f}%"
        if not is_missing(missing) and str(missing):
            comp_txt += f' <span class="wres-na">(missing: {esc(str(missing).replace(";", ", "))})</span>'
        rows.append([f'<a href="{rel(url, f"organisations/{code}/{y}/")}">Return for {y}</a>',
                     STATUS_WORDS.get(str(r.get("status")), esc(r.get("status"))),
                     fmt_int(r.get("errors")), fmt_int(r.get("warnings")), su_txt, comp_txt])
    if not rows:
        return p("No returns yet.")
    return (p("Each return's page lists the counts the organisation submitted and what validation found. "
              "Staff of unknown ethnicity: a high share makes every figure less certain. Files: the share of the "
              "files required that year that the return holds.")
            + table(f"{site.org_name(code)}: returns", ["Return", "Status", "Errors", "Warnings",
                                                       "Staff of unknown ethnicity", "Files"], rows,
                    numeric={2, 3, 4}))


# ---------------------------------------------------------------- returns

def _count_cell(rec: dict, col: str) -> str:
    return _count_text(rec.get(col), rec.get(f"{col}_withheld"), rec.get(f"{col}_suppressed"))


WITHHELD = '<abbr title="withheld: a small number, or one that would reveal a small number">w</abbr>'
SUPPRESSED = '<abbr title="suppressed by the publisher">*</abbr>'


def _count_text(count: object, withheld: object, suppressed: object) -> str:
    """A submitted count as the return page shows it: withheld here (w), suppressed by the publisher (*), or
    the number."""
    if withheld is True:
        return WITHHELD
    if suppressed is True:
        return SUPPRESSED
    return fmt_int(count)


#: Where each ethnicity comes in a return's tables.
_ETHNICITY_ORDER = {e: i for i, e in enumerate(spec.ETHNICITIES)}


@lru_cache(maxsize=1)
def _workforce_rows() -> tuple[tuple[str, tuple], ...]:
    """(row header, the (group, band, ethnicity) key of each cell) of every row a return's workforce table may
    have, in order: the same for every return, so worked out once instead of for each of 1,398 returns."""
    return tuple((f"{STAFF_GROUP_LABELS[group]}, {band_label(band)}",
                  tuple((group, band, e) for e in spec.ETHNICITIES))
                 for group in spec.STAFF_GROUPS for band in spec.BANDS_BY_GROUP[group])


def return_tables(site: Site, code: str, year: int) -> list[str]:
    out = []
    name = site.org_name(code)
    cells = site.workforce.get((code, year))
    if cells:
        rows = []
        for label, keys in _workforce_rows():
            found = [cells.get(k) for k in keys]
            if found.count(None) == len(found):
                continue
            rows.append([label] + ["–" if c is None else c for c in found])
        out.append(heading(3, "Workforce"))
        out.append(table(f"{name}, {year}: headcount by staff group, band and ethnicity",
                         ["Staff group and band", "White", "BME", "Unknown"], rows, numeric={1, 2, 3}))
    for resource, cols, labels in (
        ("recruitment", ("shortlisted", "appointed"), ("Shortlisted", "Appointed")),
        ("disciplinary", ("entered_formal_process",), ("Entered the formal disciplinary process",)),
        ("training", ("accessed_training",), ("Accessed non-mandatory training or CPD",)),
        ("board", ("members", "voting_members", "executive_members"),
         ("Board members", "Voting members", "Executive members")),
    ):
        t = site.tables.get(resource, {}).get((code, year))
        if not t:
            continue
        rows = []
        for r in sorted(t, key=lambda r: _ETHNICITY_ORDER.get(str(r["ethnicity"]), 9)):
            rows.append([ETHNICITY_LABELS.get(str(r["ethnicity"]), esc(r["ethnicity"]))]
                        + [_count_cell(r, c) for c in cols])
        out.append(heading(3, RESOURCE_LABELS[resource].split(" (")[0]))
        out.append(table(f"{name}, {year}: {RESOURCE_LABELS[resource].lower()}", ["Ethnicity", *labels], rows,
                         numeric=set(range(1, len(cols) + 1))))
    ss = site.tables.get("staff_survey", {}).get((code, year))
    if ss:
        rows = []
        for r in sorted(ss, key=lambda r: (int(r["indicator"]), _ETHNICITY_ORDER.get(str(r["ethnicity"]), 9))):
            n = int(r["indicator"])
            pct = r.get("percent")
            rows.append([f"{n}. {SHORT_TITLES.get(n, '')}, {ETHNICITY_LABELS.get(str(r['ethnicity']), '')}",
                         "–" if is_missing(pct) else f"{float(pct):.1f}%",
                         _count_cell(r, "respondents") if "respondents" in r else "–"])
        out.append(heading(3, "Staff survey"))
        out.append(table(f"{name}, {year}: staff survey answers by ethnicity", ["Question and group",
                                                                               "Per cent", "Respondents"], rows,
                         numeric={1, 2}))
    pay = site.tables.get("pay", {}).get((code, year))
    if pay:
        rows = []
        for r in sorted(pay, key=lambda r: _ETHNICITY_ORDER.get(str(r["ethnicity"]), 9)):
            mean, med = r.get("mean_hourly_pay"), r.get("median_hourly_pay")
            rows.append([ETHNICITY_LABELS.get(str(r["ethnicity"]), esc(r["ethnicity"])),
                         _count_cell(r, "headcount"),
                         "–" if is_missing(mean) else f"£{float(mean):.2f}",
                         "–" if is_missing(med) else f"£{float(med):.2f}"])
        out.append(heading(3, "Pay"))
        out.append(table(f"{name}, {year}: hourly pay by ethnicity", ["Ethnicity", "Headcount", "Mean hourly pay",
                                                                     "Median hourly pay"], rows, numeric={1, 2, 3}))
    return out


def problem_list(problems: list) -> str:
    if not problems:
        return ""
    items = []
    for pr in sorted(problems, key=lambda x: x.sort_key()):
        where = esc(pr.file) + (f", line {int(pr.row)}" if pr.row is not None else "") + (
            f", field <code>{esc(pr.field)}</code>" if pr.field else "")
        sev = "Error" if pr.is_error else "Warning"
        items.append(f'<li><span class="wres-sev wres-sev--{pr.severity}">{sev}</span> {where}: {esc(pr.message)}</li>')
    return '<ul class="wres-problems">' + "".join(items) + "</ul>"


def return_page(site: Site, code: str, year: int) -> None:
    org = site.orgs.get(code)
    url = f"organisations/{code}/{year}/"
    name = esc(org["org_name"]) if org else esc(code)
    r = site.returns[(code, year)]
    status = str(r.get("status"))
    probs = site.problems_by_return.get((code, year), [])
    body = [front_matter(f"{name}: WRES return {year}", search_exclude=True, hide=("navigation",),
                         description=f"The {year} WRES return of {name}."),
            heading(1, f"{name}: WRES return {year}"),
            p((f'<a href="{rel(url, f"organisations/{code}/")}">All figures and trends for {name}</a> · '
               if org else "") +
              f"ODS code {esc(code)} · collection year {year} (workforce on 31 March {year})", "wres-facts")]
    if status == "left_out":
        errors = [x for x in probs if x.is_error]
        body += [note(f"This return was <strong>left out</strong> of the published figures because validation found "
                      f"{plural(len(errors), 'error')}. Every other return is still published. The organisation can "
                      "correct its files and check them with <code>wres validate</code>.", "warning", "Left out"),
                 heading(2, "What validation found"), problem_list(probs) or p("No details were recorded.")]
    else:
        warn = [x for x in probs if not x.is_error]
        body.append(p("This return passed validation and is published."
                      + (f" Validation raised {plural(len(warn), 'warning')}: plausibility checks that do not stop "
                         "publication but are worth a second look." if warn else " No warnings were raised.")))
        if warn:
            body += [heading(2, "What validation found"), problem_list(probs)]
        body += [heading(2, "Figures from this return"),
                 headline_table(site, "organisation", code, year, f"{name}, {year}: the nine WRES indicators", url),
                 heading(2, "What was submitted"),
                 p("The counts below are exactly as submitted. A dash means the cell was empty (not available); "
                   "<abbr title=\"suppressed by the publisher\">*</abbr> means the organisation suppressed a small "
                   "number." + (f" Counts below {site.settings.withhold_below}, and counts that would reveal them, "
                                "are withheld on this site (<abbr title=\"withheld\">w</abbr>)."
                                if getattr(site.settings, "withhold_below", 0) else
                                " This site withholds no count (its setting <code>withhold_below</code> is 0): "
                                "every count is published as the return gave it."))]
        body += return_tables(site, code, year)
    rep = link(r.get("report_url"), f"the organisation's own WRES report for {year}")
    plan = link(r.get("action_plan_url"), "its action plan")
    docs = []
    docs.append(rep if rep.startswith("<a") else "no published report link")
    docs.append(plan if plan.startswith("<a") else "no published action plan link")
    body.append(heading(2, "Published documents"))
    body.append(p("Linked in the return: " + "; ".join(docs) + "."))
    body += [heading(2, "Link to this return"), share_section(site, code, year, url)]
    body.append(provenance(site, url))
    # organisations/<CODE>/<year>.md: MkDocs publishes it at organisations/<CODE>/<year>/ all the same,
    # and the docs folder needs no folder per return (its badge and charts go to the static folder).
    site.write(f"organisations/{code}/{year}.md", compose(body))


def share_section(site: Site, code: str, year: int, url: str) -> str:
    base = (site.settings.site_url or "").rstrip("/")
    address = f"{base}/{url}" if base else f"/{url}"
    out = [p("Organisations can link to this page from their own WRES report: readers then see the figures, how "
             "they were computed and how they compare. Copy this address:"),
           f'<pre class="wres-copy"><code>{esc(address)}</code></pre>']
    try:
        snippet = embed_html(code, year, site.settings.site_url, status=str(site.returns[(code, year)].get("status")))
    except Exception:  # noqa: BLE001 - the badge is an extra; the page stands without it
        snippet = ""
    if snippet:
        out.append(p('Or paste this badge into a web page (it shows the return\'s status; '
                     '<a href="badge.svg">see the badge</a>):'))
        out.append(f'<pre class="wres-copy"><code>{esc(snippet)}</code></pre>')
    return "".join(out)


# ---------------------------------------------------------------- indicators

def indicator_pages(site: Site) -> None:
    y = site.latest_year
    index_rows = []
    for n in spec.INDICATORS:
        url = f"indicators/{n}/"
        em, er = site.headline(*ENGLAND, y, n)
        index_rows.append([(f'<a href="{n}/">{n}. {esc(spec.INDICATOR_TITLES[n])}</a>', str(n)),
                           WHAT[n][0].upper() + WHAT[n][1:] + ".", figure_html(n, em, er)])
        indicator_page(site, n, url)
    body = [front_matter("Indicators", description="The nine WRES indicators."),
            heading(1, "The nine indicators"),
            intro("Each indicator compares BME and White staff on one part of working life. Each page defines the "
              "indicator, shows every organisation's latest figure with its 95% interval where it has one, in a chart and "
              "a sortable table."),
            table(f"The nine WRES indicators: England, {y}", ["Indicator", "The headline figure is",
                                                               f"England, {y}"], index_rows),
            provenance(site, "indicators/")]
    site.write("indicators/index.md", compose(body))


def _latest_org_rows(site: Site, n: int) -> list[tuple[str, int, str, dict | None]]:
    out = []
    for code in site.orgs:
        pub = sorted(yr for yr in site.returns_by_org.get(code, [])
                     if site.returns[(code, yr)].get("status") != "left_out")
        if not pub:
            continue
        m, r = site.headline("organisation", code, pub[-1], n)
        out.append((code, pub[-1], m, r))
    return out


def _senior_words(site: Site, year: int) -> str:
    a = site.row(*ENGLAND, year, 1, "share_bme", "all")
    sr = site.row(*ENGLAND, year, 1, "share_bme", "senior")
    if not a or not sr or is_missing(a.get("value")) or is_missing(sr.get("value")):
        return ""
    return (f" In {year}, {fmt_value(sr['value'], 'share')} of senior staff (bands 8a to VSM of the non-medical "
            f"groups) were BME, against {fmt_value(a['value'], 'share')} of all staff.")


def indicator_page(site: Site, n: int, url: str) -> None:
    y = site.latest_year
    latest = _latest_org_rows(site, n)
    measure = HEADLINE[n][0]
    k = measure_kind(n, measure)
    pdir = site.page_dir(url)
    dots = [{"label": str(site.orgs[c]["org_name"]), "code": c, "value": r.get("value"), "lower": r.get("ci_lower"),
             "upper": r.get("ci_upper")} for c, yr, m, r in latest if r is not None and yr == y
            and (r.get("status") in (None, "ok") or is_missing(r.get("status")))]
    vals = [d for d in dots if not is_missing(d["value"])]
    classes = {}
    for c, yr, m, r in latest:
        if r is not None and yr == y:
            cls, _ = judge(n, m, r)
            classes[cls] = classes.get(cls, 0) + 1
    clear_note = ""
    if k == "likelihood":
        outside = clearly = 0
        for c, yr, m, r in latest:
            if r is None or yr != y or not _shows_value(r):
                continue
            fl = flags_of(r.get("flags"))
            if "adverse_to_bme" in fl or "adverse_to_white" in fl:
                outside += 1
                lo, hi = r.get("ci_lower"), r.get("ci_upper")
                if not is_missing(lo) and not is_missing(hi) and (float(lo) > 1.25 or float(hi) < 0.80):
                    clearly += 1
        clear_note = p(f"<strong>Outside the range, and how sure.</strong> In {y}, {plural(outside, 'organisation')} "
                       f"had a figure outside the non-adverse range 0.80 to 1.25 (the official classification, on "
                       f"the figure itself). For {clearly:,} of them the whole 95% interval is "
                       f"outside the range too: those are clearly outside; for the others chance alone could put the "
                       f"figure there. The chart below shows every interval; compare organisations by their "
                       f"intervals rather than by rank.")
    if vals:
        bad = classes.get("adverse_to_bme", 0) + classes.get("worse_for_bme", 0)
        summary = (f"{plural(len(vals), 'organisation')} had a figure in {y}; for {plural(bad, 'organisation')} it "
                   f"was {'outside the non-adverse range, adverse to BME staff' if k == 'likelihood' else 'worse for BME staff'}. "
                   "Each dot is an organisation, each line its 95% interval where it has one; organisations are sorted "
                   "by their figure.")
    else:
        summary = "No organisation had a figure this year."
    better = {"likelihood": "likelihood", "gap": "gap_up" if n in (7, 9) else "gap"}.get(k, "")
    x_title = {"likelihood": "Relative likelihood", "gap": "Gap (percentage points)"}.get(k, "Per cent")
    dot_html = write_chart(Chart("organisations", "dots", f"{n}. {SHORT_TITLES[n]}: every organisation, {y}", summary,
                                 k, x_title, dots, better=better), pdir, site.charts)
    rows = []
    for c, yr, m, r in sorted(latest, key=lambda t: str(site.orgs[t[0]]["org_name"]).lower()):
        org = site.orgs[c]
        rname, rslug = spec.REGIONS.get(str(org.get("region_code")), ("", ""))
        cls, _ = judge(n, m, r)
        tr = r.get("trend") if r else None
        rows.append([(f'<a href="{rel(url, f"organisations/{c}/")}">{esc(org["org_name"])}</a>',
                      esc(str(org["org_name"]).lower())),
                     org_type_label(org.get("org_type")), (esc(rname), rname),
                     (f'<a href="{rel(url, f"organisations/{c}/{yr}/")}">{yr}</a>', str(yr)),
                     figure_cell(n, m, r), (class_tag(cls) or "–", cls),
                     TREND_LABELS.get(str(tr), "–") if not is_missing(tr) else "–"])
    em, er = site.headline(*ENGLAND, y, n)
    england = (trend_chart(site, n, [("England", "england", "ENG", False)], "england", "England")
               if n not in spec.SURVEY_INDICATORS else survey_chart(site, n, *ENGLAND, "england", "England", False))
    trend = write_chart(england, pdir, site.charts)
    body = [front_matter(f"{n}. {spec.INDICATOR_TITLES[n]}", description=f"WRES indicator {n}: "
                         f"{spec.INDICATOR_TITLES[n]}.", hide=("toc",)),
            heading(1, f"Indicator {n}: {spec.INDICATOR_TITLES[n]}"),
            intro(f"<strong>What it measures.</strong> The headline figure is {WHAT[n]}.", "lead"),
            p(f"<strong>What good looks like.</strong> {GOOD[n]}."),
            p(f"<strong>England, {y}:</strong> {sentence(n, em, er, 'NHS organisations in England') if er else 'no figure.'}"),
            p(f'The <a href="{rel(url, "methodology/")}#indicator-{n}">methodology</a> gives the formula, the interval '
              f"and the choices the project made."),
            heading(2, "Every organisation"),
            clear_note,
            dot_html,
            table(f"Indicator {n}: every organisation's latest figure", ["Organisation", "Type", "Region", "Year",
                                                                        "Figure (95% interval, where there is one)", "Class", "Trend"],
                  rows, sortable=True, numeric={3, 4}),
            heading(2, "England, every year"),
            trend]
    if n == 1:
        body += [heading(2, f"Representation by pay band, England, {y}"),
                 p("The share of staff in each staff group and pay band who are BME, White, or of unknown "
                   "ethnicity." + _senior_words(site, y)),
                 band_table(site, *ENGLAND, y, f"England, {y}: staff by ethnicity in each staff group and band")]
    body.append(provenance(site, url))
    site.write(f"indicators/{n}.md", compose(body))


# ---------------------------------------------------------------- data quality

def data_quality_page(site: Site) -> None:
    url = "data-quality/"
    ds = site.dataset
    left = sorted((k for k, r in site.returns.items() if r.get("status") == "left_out"), key=lambda k: (-k[1], k[0]))
    rows = []
    for code, year in left:
        errs = [x for x in site.problems_by_return.get((code, year), []) if x.is_error]
        first = esc(errs[0].message) if errs else "left out by a problem with a whole file or year (listed below)"
        more = f" (and {plural(len(errs) - 1, 'more error')})" if len(errs) > 1 else ""
        label = f"{site.org_name(code)}, {year}"
        if spec.ORG_CODE_RE.match(code):
            label = f'<a href="{rel(url, f"organisations/{code}/{year}/")}">{label}</a>'
        rows.append([label, esc(code), str(year), fmt_int(len(errs)), first + more])
    n_pub = sum(1 for r in site.returns.values() if r.get("status") != "left_out")
    warnings = sorted((x for x in ds.problems if not x.is_error), key=lambda x: x.sort_key())
    general = sorted((x for x in ds.problems if x.is_error and (x.org_code is None or x.year is None)),
                     key=lambda x: x.sort_key())
    wrows = []
    for x in warnings:
        who = (f'<a href="{rel(url, f"organisations/{x.org_code}/{int(x.year)}/")}">{site.org_name(str(x.org_code))}, '
               f"{int(x.year)}</a>" if x.org_code is not None and x.year is not None
               and (str(x.org_code), int(x.year)) in site.returns and spec.ORG_CODE_RE.match(str(x.org_code))
               else esc(x.org_code or "whole data set"))
        wrows.append([who, esc(x.file) + (f", line {int(x.row)}" if x.row is not None else ""),
                      esc(x.field or ""), esc(x.message)])
    body = [front_matter("Data quality", description="What validation found: every return left out and why, "
                         "and every warning.", hide=("toc",)),
            heading(1, "Data quality"),
            intro(f"Every return is checked against the open WRES returns format before anything is computed. A return "
              f"with an error is left out (and only that return); warnings flag figures worth a second look but do "
              f"not stop publication. This release: {plural(n_pub, 'return')} published, "
              f"{plural(len(left), 'return')} left out, {plural(len(warnings), 'warning')}."),
            heading(2, "Returns left out"),
            table("Returns left out of the published figures, and why", ["Return", "Code", "Year", "Errors",
                                                                         "First error"], rows, sortable=True,
                  numeric={2, 3}) if rows else p("No return was left out."),
            ]
    if general:
        body += [heading(2, "Problems with the data set as a whole"), problem_list(general)]
    y = site.latest_year
    qrows = []
    for (code, year), q in sorted(site.quality.items()):
        if year != y or is_missing(q.get("share_unknown")) or not spec.ORG_CODE_RE.match(code):
            continue
        qrows.append([(f'<a href="{rel(url, f"organisations/{code}/{year}/")}">{site.org_name(code)}</a>',
                       esc(str(site.orgs.get(code, {}).get("org_name", code)).lower())),
                      (f"{float(q['share_unknown']):.1f}%", sort_key(q["share_unknown"])),
                      (f"{float(q['completeness']):.0f}%" if not is_missing(q.get("completeness")) else "–",
                       sort_key(q.get("completeness"))),
                      (f"{float(q['cells_filled']):.0f}%" if not is_missing(q.get("cells_filled")) else "–",
                       sort_key(q.get("cells_filled")))])
    qrows.sort(key=lambda r: -float(r[1][1] or 0))
    if qrows:
        body += [heading(2, f"Recording of ethnicity and completeness, {y}"),
                 p("Every figure compares BME and White staff, so staff whose ethnicity is not recorded make the "
                   "figures less certain. Files: the share of the files required that year that the return holds. "
                   "Counts filled: the share of count cells holding a number (not empty and not suppressed)."),
                 table(f"Returns for {y}: staff of unknown ethnicity and completeness (highest unknown share first)",
                       ["Return", "Staff of unknown ethnicity", "Files", "Counts filled"], qrows, sortable=True,
                       numeric={1, 2, 3})]
    body += [heading(2, "Warnings"),
             table("Every warning", ["Return", "File and line", "Field", "What was found"], wrows, sortable=True)
             if wrows else p("No warnings."),
             p(f"Organisations can check their files before sending them with <code>wres validate</code>; "
               f'the <a href="{rel(url, "methodology/")}">methodology</a> lists the checks.'),
             provenance(site, url)]
    site.write("data-quality.md", compose(body))


# ---------------------------------------------------------------- entry point

def write_pages(dataset, results, docs_dir: Path, settings, release, downloads) -> list[Path]:  # noqa: ANN001
    """Write every generated page and chart into docs_dir; return the page paths written."""
    docs_dir = Path(docs_dir)
    site = build_site(dataset, results, docs_dir, settings, release, downloads)
    write_vega_bundle(docs_dir)
    england_page(site)
    region_pages(site)
    system_pages(site)
    organisations_index(site)
    for code in sorted(site.orgs):
        organisation_page(site, code)
    for code, year in sorted(site.returns):
        if spec.ORG_CODE_RE.match(code):
            return_page(site, code, year)
    # A badge beside every return page (written here rather than with the downloads: it balances the
    # two processes that write the site; see build._write_docs).
    badges.write_badges(dataset, docs_dir)
    indicator_pages(site)
    data_quality_page(site)
    site.charts.write()  # each page's charts.json and charts.csv
    return list(site.written)
