"""Every published table in one SQLite database, for people who query rather than scroll.

`downloads/open-wres.sqlite` holds each CSV of the downloads as a table of the
same name (a `-` becomes `_`), with the same columns in the same order and the
same rows (inserted in the CSV's order; a table
stored by its primary key lists them in key order), typed by the table's schema (integer and boolean
as INTEGER, number as REAL, the rest TEXT; an empty cell is NULL). It is built
from the same published text as the CSVs (`tables.Table`), so a figure withheld
there is withheld here. A `*` (suppressed at source, or withheld by this site)
is NULL in its column, never a number or the text `*` (which SQLite would
compare as greater than every number), and the tables that can hold one gain a
last column, `suppressed_columns`, naming the row's `*` columns, so nothing
the CSV says is lost.

An index on the columns people filter by (`org_code`/`code`, `year`,
`indicator`) beside each primary key, a few views (`VIEWS`), and three tables
that explain the rest (`about_tables`, `about_columns`, `about_release`),
because DB Browser and Datasette show tables, not schemas.

The bytes are the same for the same data: the database is built in memory in a
fixed order, holds no timestamp, is vacuumed and then serialised (the file
header holds only counters that the fixed order fixes, and the SQLite version).
"""

from __future__ import annotations

import sqlite3

import numpy as np

from ..model import spec
from ..model.release import Release
from .cellformat import Coded
from .download_schemas import describe
from .tables import Table

#: Schema type -> SQLite column type.
SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "string": "TEXT", "date": "TEXT"}
#: Rows longer than this (characters of text, about bytes) are kept in a rowid table (see _clustered).
MAX_CLUSTERED_ROW = 200
#: The column that names a row's `*` cells, on the tables whose counts can be suppressed.
SUPPRESSED_COLUMNS = "suppressed_columns"

#: name -> (what it shows, its SQL). Documented in about_tables and on the downloads page.
VIEWS = {
    "headline_latest": (
        "The headline figures (one row per organisation) of the latest year only.",
        "SELECT * FROM headline_figures WHERE year = (SELECT MAX(year) FROM headline_figures)"),
    "headline_long": (
        "Every headline figure in long form, at every level (organisation, system, region, type, England), "
        "with the organisation's name where the row is an organisation's.",
        "SELECT i.*, o.org_name FROM indicators AS i LEFT JOIN organisations AS o "
        "ON i.level = 'organisation' AND o.org_code = i.code WHERE i.headline = 1"),
    "indicators_latest": (
        "Every computed figure of the latest year.",
        "SELECT * FROM indicators WHERE year = (SELECT MAX(year) FROM indicators)"),
}


def sql_name(table: str) -> str:
    """The table's name in the database (SQL names are easier to type without `-`)."""
    return table.replace("-", "_")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _can_suppress(table: Table) -> bool:
    """Whether a table's CSV can hold `*`: the input resources with counts (fixed by the spec, not the data)."""
    return bool(spec.COUNT_FIELDS.get(table.name))


def _typed(text: str, ftype: str) -> object:
    """One distinct CSV text as the value stored: None for empty and `*`."""
    if text == "" or text == spec.SUPPRESSED:
        return None
    if ftype == "integer":
        return int(text)
    if ftype == "number":
        return float(text)
    if ftype == "boolean":
        return 1 if text == "true" else 0
    return text


def _column_values(col: Coded, ftype: str) -> list:
    """The column's stored values, each distinct text converted once."""
    lookup = np.empty(len(col.texts), dtype=object)
    lookup[:] = [_typed(t, ftype) for t in col.texts.tolist()]
    return lookup[col.codes].tolist()


def _suppressed_names(table: Table) -> list:
    """Per row, the `*` columns joined by `;` (None where there is none)."""
    names = np.full(table.rows, "", dtype=object)
    for name, col in table.columns.items():
        star = (col.texts == spec.SUPPRESSED)[col.codes]
        if star.any():
            names[star] = np.where(names[star] == "", name, names[star] + ";" + name)
    names[names == ""] = None
    return names.tolist()


def columns_of(table: Table) -> list[tuple[str, str]]:
    """(name, SQL type) of the table's columns in the database: the CSV's, then `suppressed_columns` if any."""
    cols = [(f["name"], SQL_TYPES.get(f.get("type", "string"), "TEXT")) for f in table.schema["fields"]]
    if _can_suppress(table):
        cols.append((SUPPRESSED_COLUMNS, "TEXT"))
    return cols


def _row_length(table: Table) -> float:
    """The mean length of a row's text: how big a stored row is, near enough."""
    total = 0.0
    for col in table.columns.values():
        lengths = np.fromiter((len(t) for t in col.texts.tolist()), dtype=float, count=len(col.texts))
        total += float(lengths[col.codes].mean()) if len(col.codes) else 0.0
    return total


def _clustered(table: Table, key: list[str]) -> bool:
    """Whether the table is stored in its key's B-tree (WITHOUT ROWID), with no second copy of the key as an
    index (national indicators: 41 MB instead of 65 MB): when every key cell is filled (such a key cannot
    be NULL) and rows are short (SQLite's advice: under about a twentieth of a page; the wide headline
    table's rows are not, and stored so it grew from 2 MB to 6 MB)."""
    if not key or _row_length(table) >= MAX_CLUSTERED_ROW:
        return False
    return all((table.columns[k].texts[table.columns[k].codes] != "").all() for k in key)


def _create(con: sqlite3.Connection, table: Table) -> None:
    cols = columns_of(table)
    parts = [f"{_quote(n)} {t}" for n, t in cols]
    key = table.schema.get("primaryKey") or []
    if key:
        parts.append("PRIMARY KEY (" + ", ".join(_quote(k) for k in key) + ")")
    for fk in table.schema.get("foreignKeys", []):
        ref = fk["reference"]
        parts.append(f"FOREIGN KEY ({', '.join(map(_quote, fk['fields']))}) REFERENCES "
                     f"{_quote(sql_name(ref['resource']))} ({', '.join(map(_quote, ref['fields']))})")
    name = sql_name(table.name)
    clustered = _clustered(table, key)
    con.execute(f"CREATE TABLE {_quote(name)} (\n  " + ",\n  ".join(parts) + "\n)"
                + (" WITHOUT ROWID" if clustered else ""))
    values = [_column_values(table.columns[f["name"]], f.get("type", "string")) for f in table.schema["fields"]]
    if _can_suppress(table):
        values.append(_suppressed_names(table))
    marks = ", ".join("?" * len(cols))
    con.executemany(f"INSERT INTO {_quote(name)} VALUES ({marks})", zip(*values))
    by = index_columns([n for n, _ in cols], key)
    if by:
        con.execute(f"CREATE INDEX {_quote(name + '_by_' + '_'.join(by))} ON {_quote(name)} "
                    f"({', '.join(map(_quote, by))})")


def index_columns(names: list[str], key: list[str]) -> list[str]:
    """The one index a table gains: (org_code or code, year, indicator), those it has, unless its key starts so.

    One composite index serves "this organisation", "this organisation this year" and "... this indicator";
    a year alone is served by the keys that start with it. (Measured: a separate index per column on a
    table stored by its key costs a whole copy of the key each, 21 MB apiece on national indicators.)
    """
    code = [c for c in ("org_code", "code") if c in names][:1]
    by = code + [c for c in ("year", "indicator") if c in names]
    if not code or key[:len(by)] == by:
        return []
    return by


def _views(con: sqlite3.Connection, tables: list[Table]) -> list[str]:
    """Create the views whose tables are there; their names."""
    present = {sql_name(t.name) for t in tables}
    made = []
    for name, (_, sql) in VIEWS.items():
        needs = {"headline_figures"} if "headline_figures" in sql else {"indicators", "organisations"}
        if needs <= present:
            con.execute(f"CREATE VIEW {_quote(name)} AS {sql}")
            made.append(name)
    return made


def _about(con: sqlite3.Connection, tables: list[Table], views: list[str], release: Release) -> None:
    """The tables that say what the others hold: a database viewer shows these first-hand."""
    con.execute("CREATE TABLE about_tables (name TEXT PRIMARY KEY, kind TEXT, title TEXT, csv TEXT, rows INTEGER)")
    rows = [(sql_name(t.name), "table", t.title, t.csv_name, t.rows) for t in tables]
    rows += [(name, "view", VIEWS[name][0], None, None) for name in views]
    con.executemany("INSERT INTO about_tables VALUES (?, ?, ?, ?, ?)", rows)
    con.execute("CREATE TABLE about_columns (table_name TEXT, position INTEGER, column_name TEXT, type TEXT, "
                "description TEXT, PRIMARY KEY (table_name, position))")
    cols = []
    for t in tables:
        for i, f in enumerate(t.schema["fields"]):
            cols.append((sql_name(t.name), i + 1, f["name"], f.get("type", "string"),
                         f.get("description") or f.get("title") or describe(t.name, f["name"])))
        if _can_suppress(t):
            cols.append((sql_name(t.name), len(t.schema["fields"]) + 1, SUPPRESSED_COLUMNS, "string",
                         "The columns written * in the CSV (suppressed: a small number), semicolon-separated; "
                         "their cells here are NULL. Empty when none is."))
    con.executemany("INSERT INTO about_columns VALUES (?, ?, ?, ?, ?)", cols)
    con.execute("CREATE TABLE about_release (item TEXT PRIMARY KEY, value TEXT)")
    con.executemany("INSERT INTO about_release VALUES (?, ?)", [
        ("release", release.label), ("version", release.version), ("data_hash", release.data_hash),
        ("data_date", release.data_date), ("demonstration", "yes" if release.demonstration else "no"),
        ("missing_values", "NULL is not available, or suppressed where suppressed_columns names the column."),
    ])


def database_bytes(tables: list[Table], release: Release) -> bytes:
    """The whole database file, the same bytes for the same tables."""
    con = sqlite3.connect(":memory:")
    try:
        con.execute("PRAGMA page_size = 4096")
        for t in tables:
            _create(con, t)
        _about(con, tables, _views(con, tables), release)
        con.execute("ANALYZE")  # statistics for the query planner (sqlite_stat1: counts, no time)
        con.commit()
        con.execute("VACUUM")
        return bytes(con.serialize())
    finally:
        con.close()
