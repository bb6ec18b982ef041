"""Property: whatever bytes are in whatever file, validation gives problems, never a traceback.

The folder is kept small (one year, two organisations) so that each example
costs a fraction of a second; isolation across years and organisations is
tested deterministically in test_validate.py.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from helpers import ORGS, write_valid_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.ingest.report import render_json, render_text
from generator.ingest.validate import DataFolderError, validate_path
from generator.model import spec
from generator.model.problems import Problem

YEAR_FILES = [f"2024/{r}.csv" for r in spec.YEAR_RESOURCES]
NASTY = [",", '"', "\n", "\r\n", "\r", "\x00", "\ufeff", "*", "-", "%", " ", "é", "\u2028", "1,234", "=1+1",
         "<b>", "xaa01", "9" * 30, "-5", "1e400", "NaN", "\t", ";"]
SETTINGS = settings(max_examples=int(os.environ.get("WRES_FUZZ_EXAMPLES", "20")), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _fresh(tmp_path: Path) -> Path:
    """A small valid folder (2 organisations, 2024 only), copied afresh from a template per example."""
    template = tmp_path / "template"
    if not template.exists():
        write_valid_data(template, years=(2024,), orgs=ORGS[:2])
    work = tmp_path / "work"
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(template, work)
    return work


def _check(root: Path, mangled: str, must_fail: bool = False) -> None:
    try:
        ds = validate_path(root)
    except DataFolderError:
        assert mangled == spec.REGISTER_FILE, "only an unreadable register may stop validation"
        return
    if must_fail:
        assert any(p.is_error for p in ds.problems), "a file without its key column must be an error"
    assert all(isinstance(p, Problem) and p.message for p in ds.problems)
    _bounded(ds)
    # Published tables never hold a row of a return that has an error.
    left = set(zip(ds.left_out["org_code"], ds.left_out["year"]))
    for table in ds.tables.values():
        assert not set(zip(table["org_code"], table["year"])) & left


@SETTINGS
@given(file=st.sampled_from(YEAR_FILES + [spec.COLLECTIONS_FILE, spec.REGISTER_FILE]), data=st.binary(max_size=600))
def test_any_bytes_in_any_file(tmp_path, file, data):
    root = _fresh(tmp_path)
    (root / file).write_bytes(data)
    key = b"year" if file == spec.COLLECTIONS_FILE else b"org_code"
    optional_and_empty = file == "2024/pay.csv" and data == b""  # treated as absent, with a warning
    _check(root, file, must_fail=key not in data.lower() and not optional_and_empty)


@SETTINGS
@given(file=st.sampled_from(YEAR_FILES + [spec.COLLECTIONS_FILE, spec.REGISTER_FILE]),
       edits=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 20), st.sampled_from(NASTY) | st.text(max_size=8)),
                      min_size=1, max_size=6))
def test_mangled_valid_file(tmp_path, file, edits):
    root = _fresh(tmp_path)
    text = (root / file).read_text(encoding="utf-8")
    for where, cut, insert in edits:
        i = int(where * len(text))
        text = text[:i] + insert + text[i + cut:]
    (root / file).write_bytes(text.encode("utf-8", errors="surrogatepass"))
    _check(root, file)


# ----------------------------------------------------------------------------- issue 16: random CSV and Unicode

import csv  # noqa: E402
import io  # noqa: E402
import re  # noqa: E402
from collections import Counter  # noqa: E402

from generator.ingest.report import terminal_safe  # noqa: E402
from generator.model.problems import MAX_PER_KIND  # noqa: E402

#: What a terminal acts on, and what no published text may hold.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
#: A guard against a hang (not a timing): one example of a few kB must finish well inside it.
BOUNDED = settings(max_examples=int(os.environ.get("WRES_FUZZ_EXAMPLES", "20")), deadline=30_000,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _bounded(ds) -> None:  # noqa: ANN001
    """Problems are listed within bounds (problems.cap), and what is printed is safe and bounded."""
    kinds = Counter((p.file, p.code, p.severity) for p in ds.problems)
    orgs = Counter((p.file, p.code, p.severity) for p in {(p.file, p.code, p.severity, p.org_code): p
                                                          for p in ds.problems if p.org_code}.values())
    for kind, n in kinds.items():
        assert n <= MAX_PER_KIND + orgs[kind] + 1, (kind, n)
    for text in (render_json(ds.problems), render_text(ds, ds.problems)):
        printed = terminal_safe(text)
        assert not UNSAFE.search(printed.replace("\n", "").replace("\t", ""))
        assert len(printed) < 4000 * (len(ds.problems) + 10)
        for p in ds.problems:
            assert len(p.message) < 2000, p.message[:200]


def _published_text_is_clean(ds) -> None:  # noqa: ANN001
    """No published text (register or any table) holds a control or bidirectional character."""
    for frame in [ds.register, *ds.tables.values()]:
        for col in frame.columns:
            if frame[col].dtype == object or str(frame[col].dtype) in ("str", "string"):
                bad = frame[col].dropna().astype(str).map(lambda v: bool(UNSAFE.search(v)))
                assert not bad.any(), (col, frame[col][bad.reindex(frame.index, fill_value=False)].tolist()[:3])


CELL = st.text(max_size=12) | st.sampled_from(NASTY + ["XAA01", "XAB02", "white", "bme", "12", ""])


@BOUNDED
@given(file=st.sampled_from(YEAR_FILES + [spec.COLLECTIONS_FILE, spec.REGISTER_FILE]), keep_header=st.booleans(),
       rows=st.lists(st.lists(CELL, min_size=0, max_size=8), max_size=60))
def test_random_csv_in_any_file(tmp_path, file, keep_header, rows):
    """Well-formed CSV of random cells (with the file's own header or a random first row)."""
    root = _fresh(tmp_path)
    header = (root / file).read_text(encoding="utf-8").splitlines()[0].split(",") if keep_header else []
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if header:
        w.writerow(header)
    w.writerows(rows)
    (root / file).write_text(buf.getvalue(), encoding="utf-8")
    _check(root, file)


@BOUNDED
@given(name=st.text(min_size=1, max_size=30), system=st.text(max_size=30), url=st.text(max_size=30),
       note=st.text(max_size=30))
def test_random_unicode_in_text_fields(tmp_path, name, system, url, note):
    """Any Unicode in the text a site shows: refused or published, never a control character published."""
    from helpers import set_cell

    root = _fresh(tmp_path)
    set_cell(root / spec.REGISTER_FILE, "org_name", name, org_code=ORGS[0][0])
    set_cell(root / spec.REGISTER_FILE, "system_name", system, org_code=ORGS[1][0])
    set_cell(root / "2024" / "returns.csv", "report_url", "https://x.example/" + url, org_code=ORGS[0][0])
    set_cell(root / spec.COLLECTIONS_FILE, "note", note, year="2024")
    try:
        ds = validate_path(root)
    except DataFolderError:
        raise AssertionError("a text field must never stop validation") from None
    _bounded(ds)
    _published_text_is_clean(ds)
