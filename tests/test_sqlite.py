"""downloads/open-wres.sqlite: every published CSV as a table, the same columns, rows and values.

Read as a reader would: each CSV as the text published, each table with sqlite3. Real validator, real
indicator engine and protection pass (withhold_below=10), so `*` cells are there to check.
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3

import pandas as pd
import pytest
from download_fixtures import release_for

from generator.model.release import Release
from generator.publish import database
from generator.publish.tables import published_tables


@pytest.fixture(scope="module")
def real(real_download_set):
    return real_download_set


@pytest.fixture(scope="module")
def con(real):
    _, _, docs = real
    c = sqlite3.connect(f"file:{docs / 'downloads' / 'open-wres.sqlite'}?mode=ro", uri=True)
    yield c
    c.close()


def _csv(docs, name: str) -> pd.DataFrame:
    return pd.read_csv(docs / "downloads" / name, dtype=str, keep_default_na=False)


def _package(docs) -> dict:
    return json.loads((docs / "downloads" / "datapackage.json").read_text())


def _same(text: str, value: object, ftype: str) -> bool:
    """A CSV cell and the database's value are the same figure."""
    if text in ("", "*"):
        return value is None
    if ftype == "integer":
        return value == int(text) and isinstance(value, int)
    if ftype == "number":
        return isinstance(value, float) and math.isclose(value, float(text), rel_tol=0, abs_tol=0)
    if ftype == "boolean":
        return value == (1 if text == "true" else 0)
    return value == text


def test_every_csv_is_a_table_with_the_same_columns_rows_and_values(real, con):
    _, _, docs = real
    tables = [r for r in _package(docs)["resources"] if r.get("format") == "csv"]
    assert any(r["name"] == "headline-figures" for r in tables)
    stars = 0
    for res in tables:
        name = res["name"].replace("-", "_")
        text = _csv(docs, res["path"])
        key = res["schema"].get("primaryKey") or []
        assert key, name
        # Rows in key order on both sides (a table stored by its key lists them so); SQLite's BINARY order of
        # text is Python's order of str.
        ints = {f["name"] for f in res["schema"]["fields"] if f["type"] == "integer"}
        order = sorted(range(len(text)), key=lambda i: tuple(int(text[k].iat[i]) if k in ints else text[k].iat[i]
                                                              for k in key))
        text = text.iloc[order].reset_index(drop=True)
        cur = con.execute(f'SELECT * FROM "{name}" ORDER BY ' + ", ".join(f'"{k}"' for k in key))
        cols = [d[0] for d in cur.description]
        rows = cur.fetchall()
        fields = res["schema"]["fields"]
        assert cols[:len(fields)] == [f["name"] for f in fields] == list(text.columns), name
        assert len(rows) == len(text), name
        extra = cols[len(fields):]
        assert extra in ([], [database.SUPPRESSED_COLUMNS]), name
        for j, f in enumerate(fields):
            got = [r[j] for r in rows]
            bad = [(t, v) for t, v in zip(text[f["name"]], got) if not _same(t, v, f["type"])]
            assert not bad, (name, f["name"], bad[:3])
        if extra:
            named = [set((r[-1] or "").split(";")) - {""} for r in rows]
            starred = [{c for c in text.columns if row[c] == "*"} for _, row in text.iterrows()]
            assert named == starred, name
            stars += sum(len(s) for s in starred)
    assert stars > 0, "the sample should hold * cells"


def test_headline_figures_and_indicators_agree_in_the_database(real, con):
    """The database's headline view is indicators.csv's headline rows, and its wide table is the CSV's."""
    _, _, docs = real
    ind = _csv(docs, "indicators.csv")
    heads = ind[ind["headline"] == "true"]
    assert con.execute("SELECT COUNT(*) FROM headline_long").fetchone()[0] == len(heads)
    got = con.execute("SELECT year, level, code, indicator, measure, value FROM headline_long "
                      "ORDER BY year, level, code, indicator").fetchall()
    want = sorted((int(r.year), r.level, r.code, int(r.indicator), r.measure, None if r.value == "" else float(r.value))
                  for r in heads.itertuples())
    assert got == want
    wide = _csv(docs, "headline-figures.csv")
    latest = int(wide["year"].astype(int).max())
    assert con.execute("SELECT COUNT(*) FROM headline_latest").fetchone()[0] == (wide["year"] == str(latest)).sum()
    assert con.execute("SELECT COUNT(*) FROM indicators_latest").fetchone()[0] == (ind["year"] == str(latest)).sum()


def test_indexes_views_and_the_tables_that_explain_them(con):
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    for table, first in (("indicators", "code"), ("headline_figures", "org_code"), ("workforce", "org_code"),
                         ("goals", "code")):
        firsts = {con.execute(f"PRAGMA index_info('{i[1]}')").fetchone()[2]
                  for i in con.execute(f"PRAGMA index_list('{table}')")}
        assert first in firsts, (table, firsts)
    plan = " ".join(str(r) for r in con.execute("EXPLAIN QUERY PLAN SELECT * FROM indicators WHERE code = 'X' "
                                                "AND year = 2024 AND indicator = 2"))
    assert "indicator=?" in plan, plan
    views = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert views == set(database.VIEWS)
    about = dict(con.execute("SELECT name, kind FROM about_tables"))
    assert {n for n, k in about.items() if k == "view"} == views
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} - set(about)
    assert tables == {"about_tables", "about_columns", "about_release", "sqlite_stat1"}  # stat1: ANALYZE
    undescribed = con.execute("SELECT table_name, column_name FROM about_columns WHERE description = ''").fetchall()
    assert not undescribed
    # a suppressed count is never compared as a number
    assert con.execute("SELECT COUNT(*) FROM workforce WHERE typeof(headcount) NOT IN ('integer', 'null')"
                       ).fetchone()[0] == 0


def test_the_database_bytes_are_the_same_for_the_same_data(real):
    dataset, results, docs = real
    from generator.model.settings import Settings

    tables = published_tables(dataset, results, Settings(withhold_below=10))
    release = release_for(dataset)
    one = database.database_bytes(tables, release)
    two = database.database_bytes(published_tables(dataset, results, Settings(withhold_below=10)), release)
    assert one == two == (docs / "downloads" / "open-wres.sqlite").read_bytes()
    other = database.database_bytes(tables, Release(**{**release.__dict__, "data_hash": "0" * 64}))
    assert other != one  # the release is inside, so the bytes say which release they are


def test_listed_with_size_and_checksum(real):
    _, _, docs = real
    data = (docs / "downloads" / "open-wres.sqlite").read_bytes()
    sums = (docs / "downloads" / "SHA256SUMS").read_text()
    assert f"{hashlib.sha256(data).hexdigest()}  open-wres.sqlite\n" in sums
    res = next(r for r in _package(docs)["resources"] if r["name"] == "database")
    assert res["bytes"] == len(data) and res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    page = (docs / "downloads" / "index.md").read_text()
    assert "[open-wres.sqlite](open-wres.sqlite)" in page and "## Query them" in page
