"""The bad-input corpus (tests/bad_inputs/): each case gives exactly the message it must.

Each case folder is applied on top of the valid data folder of tests/helpers.py
and run through the real command, `wres validate --format json` (click's
runner, in process). See tests/bad_inputs/make_corpus.py for the format.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import set_cell, write_valid_data

from generator.cli import main
from generator.ingest.validate import DataFolderError, validate_path

#: Characters a terminal acts on rather than shows (report.terminal_safe writes them as escapes).
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
CORPUS = Path(__file__).resolve().parent / "bad_inputs"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "case.json").is_file())


def apply_case(root: Path, folder: Path, case: dict) -> None:
    for rel in case.get("delete", []):
        (root / rel).unlink()
    files = folder / "files"
    if files.is_dir():
        for src in sorted(files.rglob("*")):
            if src.is_file():
                dest = root / src.relative_to(files)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)
    for new, old in case.get("copy", {}).items():
        shutil.copytree(root / old, root / new)
    for rel, mb in case.get("sparse", {}).items():
        with open(root / rel, "wb") as fh:
            fh.truncate(mb * 1024 * 1024)  # sparse: takes no disk, and must never be read
    for spec_ in case.get("long_cell", []):  # made in the test: 10 MB is not committed
        set_cell(root / spec_["file"], spec_["field"], "x" * (spec_["mb"] * 1024 * 1024), **spec_["where"])
    for rel, n in case.get("wide_header", {}).items():  # made in the test: megabytes are not committed
        lines = (root / rel).read_text(encoding="utf-8").split("\n")
        lines[0] += "".join(f",x{i}" for i in range(n))
        (root / rel).write_text("\n".join(lines), encoding="utf-8")
    for rel in case.get("stray_comma_every_line", []):
        lines = (root / rel).read_text(encoding="utf-8").splitlines()
        (root / rel).write_text("\n".join(lines[:1] + [line + ",7" for line in lines[1:]]) + "\n", encoding="utf-8")
    for rel in case.get("made_files", []):  # names a repository should not hold (control characters)
        (root / rel).write_bytes(b"notes\n")
    outside = root.parent / "outside"
    for rel, text in case.get("outside", {}).items():
        (outside / rel).parent.mkdir(parents=True, exist_ok=True)
        (outside / rel).write_text(text, encoding="utf-8")
    for rel, target in case.get("symlink", {}).items():
        link = root / rel
        if link.exists() or link.is_symlink():
            shutil.rmtree(link) if link.is_dir() and not link.is_symlink() else link.unlink()
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target)


def matches(expected: dict, found: dict) -> bool:
    for key in ("severity", "code", "file", "org_code", "row", "field"):
        if key in expected and expected[key] != found[key]:
            return False
    return all(s in found["message"] for s in expected.get("message_has", []))


def test_corpus_covers_issue_7():
    wanted = {"wrong-encoding", "bom", "crlf", "blank-lines", "ragged-line", "header-case-spacing", "missing-column",
              "extra-column", "stray-file", "empty-file", "too-large", "thousands-separator", "percent-sign",
              "lower-case-ods-code", "register-markup", "register-formula"}
    assert wanted <= set(CASES)


#: Cases that read a very large file (seconds each): out of the fast loop, in the whole suite.
LARGE = {"million-extra-columns", "too-large"}


@pytest.mark.parametrize("name", [pytest.param(c, marks=pytest.mark.slow) if c in LARGE else c for c in CASES])
def test_bad_input(tmp_path, name):
    folder = CORPUS / name
    case = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    root = write_valid_data(tmp_path / "data")
    apply_case(root, folder, case)

    result = CliRunner().invoke(main, ["validate", str(root), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == case["exit"], result.output
    for secret in case.get("never_shown", []):
        assert secret not in result.output
    # nothing a terminal would act on is printed, whatever the data hold (issue 16)
    assert not UNSAFE.search(result.output), repr(UNSAFE.search(result.output))
    if case.get("text_too"):
        text = CliRunner().invoke(main, ["validate", str(root)])
        assert text.exit_code == case["exit"] and not UNSAFE.search(text.output), text.output
    if case["exit"] == 2:  # nothing could be checked: one line saying why, and no Dataset
        assert all(s in result.output for s in case["stops_with"]), result.output
        with pytest.raises(DataFolderError):
            validate_path(root)
        return
    found = json.loads(result.output)
    for expected in case["problems"]:
        assert any(matches(expected, f) for f in found), (expected, found)
    if "max_problems" in case:  # bounded: a summary stands for the rest
        assert len(found) <= case["max_problems"], len(found)
        assert len(result.output) < 2000 * case["max_problems"]
    for unwanted in case.get("absent", []):
        assert not any(matches(unwanted, f) for f in found), (unwanted, found)
    if case["exit"] == 0:
        assert all(f["severity"] == "warning" for f in found)
        assert len(found) == len(case["problems"]), found
    else:
        # every error names the broken file; the one expected names its organisation
        assert any(f["severity"] == "error" for f in found)

    ds = validate_path(root)
    left = sorted([o, int(y)] for o, y in zip(ds.left_out["org_code"], ds.left_out["year"]))
    assert left == sorted(case["left_out"])
    # nothing validation rejected is handed on, not even for a return left out (issue 16)
    for f in found:
        if f["severity"] == "error" and f["field"] in ("submitted_on", "report_url", "action_plan_url"):
            row = ds.returns[(ds.returns["org_code"] == f["org_code"]) & (ds.returns["year"] == f["year"])]
            assert row[f["field"]].isna().all(), (f, row[f["field"]].tolist())
    # everything not left out is still published
    assert len(ds.returns) - len(ds.left_out) == int(ds.returns["status"].str.startswith("published").sum())
