"""Property: whatever bytes are in whatever file, validation gives problems, never a traceback.

The folder is kept small (one year, two organisations) so that each example
costs a fraction of a second; isolation across years and organisations is
tested deterministically in test_validate.py.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from generator import spec
from generator.problems import Problem
from generator.report import render_json, render_text
from generator.validate import DataFolderError, validate_path
from helpers import ORGS, write_valid_data

YEAR_FILES = [f"2024/{r}.csv" for r in spec.YEAR_RESOURCES]
NASTY = [",", '"', "\n", "\r\n", "\r", "\x00", "\ufeff", "*", "-", "%", " ", "é", "\u2028", "1,234", "=1+1",
         "<b>", "xaa01", "9" * 30, "-5", "1e400", "NaN", "\t", ";"]
SETTINGS = settings(max_examples=int(os.environ.get("WRES_FUZZ_EXAMPLES", "20")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


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
    render_json(ds.problems)
    render_text(ds, ds.problems)
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
