"""Whole builds of hostile data folders and faults (issue 16): no traceback, the site still says why.

Each runs the real `wres build` command in a child process, as a publisher would.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.indicators import compute
from generator.settings import Settings
from generator.validate import validate_path
from helpers import write_valid_data

ROOT = Path(__file__).resolve().parent.parent


def wres(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ, PYTHONPATH=str(ROOT)))


def page_text(path: Path) -> str:
    text = re.sub(r"<script.*?</script>|<[^>]+>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(text))


def test_figures_of_a_data_set_with_nothing_publishable(tmp_path):
    """Every return left out: the figures are empty, not an IndexError."""
    root = write_valid_data(tmp_path / "data")
    for year in (2023, 2024):
        (root / str(year) / "returns.csv").write_bytes(b"")
    ds = validate_path(root)
    assert (ds.returns["status"] == "left_out").all()
    results = compute(ds, Settings())
    assert not (results.indicators["level"] == "organisation").any()


@pytest.mark.slow
@pytest.mark.parametrize("how", ["empty-returns", "empty-collections"])
def test_a_build_with_nothing_publishable_still_publishes_why(tmp_path, how):
    root = write_valid_data(tmp_path / "data")
    if how == "empty-returns":
        for year in (2023, 2024):
            (root / str(year) / "returns.csv").write_bytes(b"")
        why = "2024/returns.csv is empty"
    else:
        (root / "collections.csv").write_bytes(b"")
        why = "collections.csv is empty"
    out = tmp_path / "site"
    run = wres("build", "--quiet", "--data", str(root), "--out", str(out))
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode == 0, run.stderr
    assert "Published 0 returns" in run.stdout
    assert "Left out 8 returns" in run.stdout
    quality = page_text(out / "data-quality" / "index.html")
    assert "0 returns published, 8 returns left out" in quality
    assert why in quality


@pytest.mark.slow
def test_a_year_folder_0999_is_reported_not_a_crash(tmp_path):
    root = write_valid_data(tmp_path / "data")
    shutil.copytree(root / "2024", root / "0999")
    out = tmp_path / "site"
    run = wres("build", "--quiet", "--data", str(root), "--out", str(out))
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode == 0, run.stderr
    assert "not a WRES collection year" in page_text(out / "data-quality" / "index.html")
    assert not (out / "organisations" / "XAA01" / "999").exists()


@pytest.mark.slow
def test_a_rejected_link_reaches_no_output(tmp_path):
    """A javascript: report_url is rejected and its return left out; it appears in no published file."""
    from helpers import set_cell

    root = write_valid_data(tmp_path / "data")
    set_cell(root / "2024" / "returns.csv", "report_url", "javascript:alert(1)", org_code="XAB02")
    out = tmp_path / "site"
    run = wres("build", "--quiet", "--data", str(root), "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert "XAB02 2024" in run.stdout  # left out, and listed
    found = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and b"alert(1)" in p.read_bytes()}
    # only where the problem is explained to the publisher, quoting what was rejected
    assert found <= {"data-quality/index.html", "search/search_index.json"}, found
    api = (out / "api" / "organisations" / "XAB02.json").read_text(encoding="utf-8")
    assert "javascript" not in api
