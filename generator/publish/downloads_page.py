"""The Markdown of /downloads/: every file with its size, rows, schema and licence.

Kept apart from downloads.py (which writes the files) because it only turns
their records into words: what each file holds, how to check it, a few lines
of pandas and R that load it, the static API with its schemas, and how to cite
the release.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model.release import Release
from ..model.settings import Settings
from .database import SUPPRESSED_COLUMNS, VIEWS, sql_name
from .download_names import CHECKSUMS, DATABASE, LICENCE, PACKAGE, WORKBOOK

if TYPE_CHECKING:  # pragma: no cover
    from .api import ApiFiles
    from .downloads import DownloadFile
    from .tables import Table


def human_size(n: int) -> str:
    """Bytes for people, in decimal units, with a fixed format."""
    if n < 1000:
        return f"{n} bytes"
    for unit in ("kB", "MB", "GB"):
        n_units = n / 1000
        if n_units < 1000 or unit == "GB":
            return f"{n_units:.1f} {unit}"
        n = n_units  # type: ignore[assignment]
    return f"{n} bytes"  # pragma: no cover


_PANDAS = {"integer": '"Int64"', "string": "str", "boolean": '"boolean"', "number": '"float64"'}
_READR = {"integer": "col_integer()", "string": "col_character()", "boolean": "col_logical()",
          "number": "col_double()", "date": "col_date()"}


def _dtype_hints(table: Table) -> tuple[str, str]:
    """pandas dtype= and readr col_types= text giving every column its schema type.

    Counts become nullable integers (Int64), so an empty or `*` cell is NA rather
    than turning the column into floats; codes stay text.
    """
    fields = table.schema["fields"]
    py = ", ".join(f'"{f["name"]}": {_PANDAS[f["type"]]}' for f in fields if f.get("type", "string") in _PANDAS)
    r = ", ".join(f'{f["name"]} = {_READR[f["type"]]}' for f in fields if f.get("type", "string") in _READR)
    return py, r


def _database_section(tables: list[Table]) -> list[str]:
    """How to query the SQLite database: its tables, views and how a suppressed count reads."""
    counted = ", ".join(f"`{sql_name(t.name)}`" for t in tables)
    lines = [
        "## Query them",
        "",
        f"[`{DATABASE}`]({DATABASE}) holds every table above, one table per CSV with the same columns and rows "
        f"({counted}), typed by its schema, with indexes on `org_code`/`code`, `year` and `indicator`. It opens "
        "in [DB Browser for SQLite](https://sqlitebrowser.org/) or [Datasette](https://datasette.io/) "
        f"(`datasette {DATABASE}`). An empty cell is NULL; a count written `*` in a CSV is NULL here too, "
        f"and the row's `{SUPPRESSED_COLUMNS}` names it, so a comparison such as `headcount > 10` never counts "
        "a suppressed number. `about_tables`, `about_columns` and `about_release` say what every table and "
        "column holds and which release it is. Views:",
        "",
    ]
    lines += [f"- `{name}`: {words}" for name, (words, _) in VIEWS.items()]
    lines += [
        "",
        "```sh",
        f"sqlite3 {DATABASE} \\",
        "  \"SELECT org_name, i2_value, i2_class_label FROM headline_latest "
        "ORDER BY i2_value DESC LIMIT 10\"",
        "```",
        "",
    ]
    return lines


def _intro(release: Release, licence: str) -> list[str]:
    """The heading, what the page offers, the demonstration warning and the release these files are."""
    lines = [
        "# Downloads",
        "",
        "Every table on this site, ready to take away: each input resource as validated, with all years "
        "stacked and a `year` column, every computed figure in `indicators.csv`, and one Excel workbook "
        "of the headline figures (one row per organisation per year), goals and data quality. "
        f"Everything here is published under the {licence}.",
        "",
    ]
    if release.demonstration:
        lines += ["!!! warning \"Demonstration data\"",
                  "    These files hold fictional organisations made to show how the site works. "
                  "They are not real WRES returns.", ""]
    lines += [
        f"**Release:** {release.label}. Generator version `{release.version}`, data hash "
        f"`{release.data_hash}`, date of the data {release.data_date}. The same release is named in "
        f"[`{PACKAGE}`]({PACKAGE}); pages name it by version and date of the data ({release.site_label}).",
        "",
        "## Files",
        "",
        "| file | what it holds | rows | size | schema | licence |",
        "|---|---|---:|---:|---|---|",
    ]
    return lines


def _files_table(by_name: dict[str, DownloadFile], tables: list[Table], licence: str) -> list[str]:
    """One table row per file published, in a fixed order (the package first, the checksums last)."""
    lines: list[str] = []
    shown = [PACKAGE] + [t.csv_name for t in tables] + [WORKBOOK, DATABASE, CHECKSUMS]
    for name in shown:
        f = by_name.get(name)
        if f is None:
            continue
        schema = f"[{f.schema.rsplit('/', 1)[-1]}]({f.schema.rsplit('/', 1)[-1]})" if f.schema else (
            "schemas inline" if name == PACKAGE else "")
        rows = f"{f.rows:,}" if f.rows is not None else ""
        lines.append(f"| [{name}]({name}) | {f.title} | {rows} | {human_size(f.bytes)} | {schema} | {licence} |")
    return lines


def _counts_and_loading(tables: list[Table], settings: Settings, base: str) -> list[str]:
    """How to read the cells, how to check the files and how to load them in pandas and R."""
    lines = [
        "",
        "Counts: an empty cell means *not available*; `*` means *suppressed* (a small number, withheld by "
        "the publisher" + (f", or by this site: counts below {settings.withhold_below} are withheld, with "
                           "further counts withheld where a total would reveal them" if settings.withhold_below
                           else "") + "). Neither is ever 0. Text that a spreadsheet could read as a formula "
        "(starting with `=`, `+`, `-` or `@`) is written with a leading `'`, so opening a file runs nothing.",
        "",
        "Only returns that passed validation are in these files; the ones left out, and why, are on "
        "[data quality](../data-quality.md).",
        "",
        "## Check them",
        "",
        "```sh",
        f"sha256sum -c {CHECKSUMS}                  # every file is the one published",
        f"frictionless validate {PACKAGE}   # types, keys, foreign keys, sizes and hashes",
        "```",
        "",
        "## Load them",
        "",
        "pandas (Python):",
        "",
        "```python",
        "import pandas as pd",
        "",
        f'base = "{base}"' + ("" if base else "  # the folder you downloaded the files to, or this page's address"),
    ]
    for t in tables:
        py, _ = _dtype_hints(t)
        var = t.name.replace("-", "_")
        dtype = f"dtype={{{py}}}, " if py else ""
        lines.append(f'{var} = pd.read_csv(base + "{t.csv_name}", {dtype}keep_default_na=False, '
                     f'na_values=["", "*"])')
    lines += [
        "```",
        "",
        "R (readr):",
        "",
        "```r",
        "library(readr)",
        "",
        f'base <- "{base}"',
    ]
    for t in tables:
        _, r = _dtype_hints(t)
        cols = f", col_types = cols({r})" if r else ""
        lines.append(f'{t.name.replace("-", "_")} <- read_csv(paste0(base, "{t.csv_name}"), na = c("", "*"){cols})')
    lines += [
        "```",
        "",
        "Or the whole package, with its schemas: `frictionless.Package(base + \"datapackage.json\")` in "
        "Python, `frictionless::read_package()` in R.",
        "",
    ]
    return lines


def _api_section(api_files: ApiFiles, settings: Settings, api_base: str, site: str) -> list[str]:
    """The static JSON API: what each document holds and a few lines of Python that use it."""
    return [
        "## Static API",
        "",
        "JSON for scripts and for linking, rebuilt with every release (compact, keys sorted):",
        "",
        f"- [`{api_base}organisations.json`](../{api_files.register}): the register: every organisation with "
        "its type, region and system, and links to its page, its API file and each of its return pages. "
        f"Schema: [`organisations.schema.json`](../{api_files.schemas['register']}).",
        f"- `{api_base}organisations/<CODE>.json`: one organisation: its register entry, every return it "
        "made with its status (`published`, `published_with_warnings` or `left_out`), submission date and "
        "report links, and all its figures: its rows of `indicators.csv`, with the same values (a column "
        "empty in the CSV is left out of a figure, except `value`, which is then null), and its "
        f"leadership goals. Schema: [`organisation.schema.json`](../{api_files.schemas['organisation']}).",
        "",
        "Every document carries the `release` (version, data hash, date of the data) it belongs to.",
        "",
        "```python",
        "import json, urllib.parse, urllib.request",
        "",
        f'site = "{site}"' + ("" if settings.site_url else "  # this site's address"),
        'register = json.load(urllib.request.urlopen(urllib.parse.urljoin(site, "api/organisations.json")))',
        'first = register["organisations"][0]',
        'org = json.load(urllib.request.urlopen(urllib.parse.urljoin(site, first["links"]["api"])))',
        'print(org["organisation"]["org_name"], len(org["figures"]), "figures")',
        "```",
        "",
    ]


def _cite_section(citation: str) -> list[str]:
    """How to cite a release, naming its version and data hash (figures change when a return is corrected)."""
    return [
        "## Cite this",
        "",
        f"> {citation}",
        "",
        "The repository's `CITATION.cff` gives the same in a machine-readable form. Please name the release "
        "(version and data hash): figures can change when a return is corrected; the "
        "[changes since the last release](../changes.md) are listed.",
        "",
    ]


def render_page(files: list[DownloadFile], tables: list[Table], api_files: ApiFiles, release: Release,
                settings: Settings, citation: str) -> str:
    """The whole downloads page as Markdown."""
    base = f"{settings.site_url.rstrip('/')}/downloads/" if settings.site_url else ""
    api_base = f"{settings.site_url.rstrip('/')}/api/" if settings.site_url else "/api/"
    site = settings.site_url.rstrip("/") + "/" if settings.site_url else "https://this-site.example/"
    licence = f"[{LICENCE['title']}]({LICENCE['path']})"
    by_name = {f.name: f for f in files}
    lines = _intro(release, licence) + _files_table(by_name, tables, licence)
    lines += _counts_and_loading(tables, settings, base)
    if DATABASE in by_name:
        lines += _database_section(tables)
    lines += _api_section(api_files, settings, api_base, site)
    lines += _cite_section(citation)
    return "\n".join(lines)
