"""validate_path on real files: the Dataset contract, isolation, whole-file problems, year folders, CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import ORG_CODES, drop_rows, edit_rows, line_of, set_cell, write_valid_data

from generator.cli import main
from generator.ingest.validate import DataFolderError, validate_path
from generator.model import spec


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return write_valid_data(tmp_path / "data")


def status(ds, org, year) -> str:
    r = ds.returns
    return r[(r["org_code"] == org) & (r["year"] == year)]["status"].iloc[0]


def errors(ds):
    return [p for p in ds.problems if p.is_error]


# ----------------------------------------------------------------------------- the contract


def test_valid_folder_publishes_everything(data):
    ds = validate_path(data)
    assert ds.problems == []
    assert len(ds.returns) == 8 and set(ds.returns["status"]) == {"published"}
    assert ds.years == [2023, 2024]
    assert ds.collected(2023) == (1, 2, 3, 4, 9) and ds.collected(2024) == tuple(range(1, 10))
    assert list(ds.returns.columns) == ["org_code", "year", "status", "errors", "warnings", "files",
                                        "submitted_on", "report_url", "action_plan_url"]
    assert set(ds.tables) == set(spec.YEAR_RESOURCES)
    wf = ds.tables["workforce"]
    assert list(wf.columns) == ["year", "org_code", "staff_group", "band", "ethnicity", "headcount",
                                "headcount_suppressed"]
    assert str(wf["headcount"].dtype) == "Int64" and wf["headcount_suppressed"].dtype == bool
    assert wf["year"].dtype == "int64" and sorted(wf["year"].unique()) == [2023, 2024]
    assert len(wf) == 2 * 4 * 96
    assert ds.tables["staff_survey"]["year"].unique().tolist() == [2024]
    assert set(ds.checksums) >= {"organisations.csv", "collections.csv", "2024/workforce.csv", "2023/pay.csv"}
    assert all(len(h) == 64 for h in ds.checksums.values())
    assert list(ds.register["org_code"]) == list(ORG_CODES)
    assert str(ds.register["closed_year"].dtype) == "Int64"


def test_empty_and_star_are_na_and_suppressed_flagged(data):
    f = data / "2024" / "recruitment.csv"
    set_cell(f, "shortlisted", "*", org_code="XAA01", ethnicity="bme")
    set_cell(f, "appointed", "", org_code="XAA01", ethnicity="bme")
    ds = validate_path(data)
    assert errors(ds) == []
    rec = ds.tables["recruitment"]
    row = rec[(rec["year"] == 2024) & (rec["org_code"] == "XAA01") & (rec["ethnicity"] == "bme")].iloc[0]
    assert pd.isna(row["shortlisted"]) and row["shortlisted_suppressed"]
    assert pd.isna(row["appointed"]) and not row["appointed_suppressed"]


# ----------------------------------------------------------------------------- isolation


def test_one_broken_return_is_left_out_and_listed_others_published(data):
    f = data / "2024" / "recruitment.csv"
    set_cell(f, "appointed", "999", org_code="XAB02", ethnicity="white")
    set_cell(data / "2024" / "workforce.csv", "headcount", "1,234", org_code="XAD04", band="band_5",
             staff_group="non_clinical", ethnicity="bme")
    ds = validate_path(data)
    assert status(ds, "XAB02", 2024) == "left_out" and status(ds, "XAD04", 2024) == "left_out"
    assert status(ds, "XAB02", 2023) == "published"  # the same organisation's other year
    assert status(ds, "XAA01", 2024) == "published" and status(ds, "XAC03", 2024) == "published"
    # both broken returns are reported: one never hides the other
    by_org = {p.org_code: p for p in errors(ds)}
    assert by_org["XAB02"].file == "2024/recruitment.csv" and by_org["XAB02"].code == "count-above-total"
    assert by_org["XAB02"].row == line_of(f, org_code="XAB02", ethnicity="white")
    assert by_org["XAD04"].file == "2024/workforce.csv" and "thousands separator" in by_org["XAD04"].message
    # and nothing of the left-out returns reaches the tables
    for table in ds.tables.values():
        assert not ((table["year"] == 2024) & table["org_code"].isin(["XAB02", "XAD04"])).any()
    assert ((ds.tables["workforce"]["year"] == 2023) & (ds.tables["workforce"]["org_code"] == "XAB02")).any()
    left = ds.left_out
    assert set(zip(left["org_code"], left["year"])) == {("XAB02", 2024), ("XAD04", 2024)}
    assert (left["errors"] >= 1).all()


def test_broken_header_leaves_out_the_whole_files_returns(data):
    edit_rows(data / "2024" / "board.csv", lambda h, rows: (h.__setitem__(2, "memberz"), rows)[1])
    ds = validate_path(data)
    (p,) = [p for p in errors(ds) if p.code == "missing-column"]
    assert p.file == "2024/board.csv" and p.org_code is None and p.year == 2024
    assert "Every return in 2024/board.csv is left out" in p.message
    assert set(ds.left_out["year"]) == {2024} and len(ds.left_out) == 4
    assert (ds.returns[ds.returns["year"] == 2023]["status"] == "published").all()


def test_unreadable_file_leaves_out_the_year_and_says_so(data):
    f = data / "2024" / "training.csv"
    text = f.read_text(encoding="utf-8").replace("XAB02,bme,", "XAB02,bme – ,", 1)
    f.write_bytes(text.encode("cp1252"))  # a Windows "CSV" export
    ds = validate_path(data)
    bad = [p for p in errors(ds) if p.code == "not-utf8"]
    assert [(p.org_code, p.row, p.file) for p in bad] == [("XAB02", line_of_text(text, "XAB02,bme"), "2024/training.csv")]
    assert f"line {bad[0].row}" in bad[0].message and "holds the byte 0x96" in bad[0].message
    # the other lines are ASCII, the same in any encoding: only XAB02's return is left out
    assert list(ds.left_out["org_code"]) == ["XAB02"] and status(ds, "XAA01", 2024) == "published"


def test_file_not_utf8_throughout_leaves_out_every_return_with_a_bad_line(data):
    f = data / "2024" / "pay.csv"
    f.write_bytes(f.read_text(encoding="utf-8").replace(",18.50,", ",£18.50,").encode("cp1252"))
    ds = validate_path(data)
    bad = [p for p in errors(ds) if p.code == "not-utf8"]
    assert sorted(p.org_code for p in bad) == list(ORG_CODES)
    assert all("(2 more lines of it too)" in p.message for p in bad)
    assert len(ds.left_out) == 4


def line_of_text(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def test_unreadable_file_of_unknown_organisations_leaves_out_the_year(data):
    (data / "2024" / "training.csv").write_bytes(b"")
    ds = validate_path(data)
    (p,) = errors(ds)
    assert p.code == "empty-file" and "Every return of 2024 is left out" in p.message
    assert len(ds.left_out) == 4


def test_row_without_org_code_blocks_its_file(data):
    set_cell(data / "2024" / "disciplinary.csv", "org_code", "", org_code="XAC03", ethnicity="bme")
    ds = validate_path(data)
    p = next(p for p in errors(ds) if p.code == "no-org-code")
    assert p.org_code is None and "cannot be tied to a return" in p.message
    assert len(ds.left_out) == 4


def test_lower_case_ods_code_is_tied_to_its_return(data):
    set_cell(data / "2024" / "training.csv", "org_code", "xac03", org_code="XAC03", ethnicity="white")
    ds = validate_path(data)
    (p,) = errors(ds)
    assert p.org_code == "XAC03" and p.field == "org_code" and "upper case: 'XAC03'" in p.message
    assert list(ds.left_out["org_code"]) == ["XAC03"]


def test_org_not_in_register(data):
    for name in ("returns", "board"):
        edit_rows(data / "2024" / f"{name}.csv", lambda h, rows: rows + [[c.replace("XAA01", "XZZ99") for c in rows[0]]])
    ds = validate_path(data)
    assert {(p.code, p.org_code) for p in errors(ds)} >= {("unknown-organisation", "XZZ99")}
    assert list(ds.left_out["org_code"]) == ["XZZ99"]


def test_org_missing_from_returns_csv_or_a_required_file(data):
    drop_rows(data / "2024" / "returns.csv", org_code="XAB02")
    drop_rows(data / "2024" / "training.csv", org_code="XAC03")
    ds = validate_path(data)
    got = {(p.code, p.file, p.org_code) for p in errors(ds)}
    assert got == {("missing-from-file", "2024/returns.csv", "XAB02"),
                   ("missing-from-file", "2024/training.csv", "XAC03")}
    assert set(ds.left_out["org_code"]) == {"XAB02", "XAC03"}


def test_duplicate_row(data):
    edit_rows(data / "2024" / "workforce.csv", lambda h, rows: rows + [rows[5]])
    ds = validate_path(data)
    (p,) = errors(ds)
    assert p.code == "duplicate-row" and p.org_code == "XAA01" and p.row == 4 * 96 + 2


def test_missing_collected_file_and_not_collected_file(data):
    (data / "2024" / "staff_survey.csv").unlink()
    ds = validate_path(data)
    (p,) = errors(ds)
    assert p.code == "missing-file" and p.file == "2024/staff_survey.csv"
    assert len(ds.left_out) == 4 and set(ds.left_out["year"]) == {2024}


def test_no_complaint_about_a_part_not_collected(data):
    assert not (data / "2023" / "staff_survey.csv").exists()
    assert validate_path(data).problems == []
    shutil.copy(data / "2024" / "staff_survey.csv", data / "2023" / "staff_survey.csv")
    ds = validate_path(data)
    (w,) = ds.problems
    assert w.code == "not-collected" and w.severity == "warning"
    assert (ds.tables["staff_survey"]["year"] == 2024).all()


def test_year_folder_not_in_collections_and_stray_entries(data):
    shutil.copytree(data / "2024", data / "2025")
    (data / "2024" / "notes.txt").write_text("hello")
    (data / "old").mkdir()
    ds = validate_path(data)
    codes = {(p.code, p.severity, p.file) for p in ds.problems}
    assert ("year-not-in-collections", "error", "2025") in codes
    assert ("stray-entry", "warning", "2024/notes.txt") in codes
    assert ("stray-entry", "warning", "old") in codes
    assert set(ds.left_out["year"]) == {2025} and ds.years == [2023, 2024]


def test_register_row_with_markup_leaves_out_that_organisation_only(data):
    set_cell(data / "organisations.csv", "org_name", "<script>alert(1)</script>", org_code="XAD04")
    ds = validate_path(data)
    (p,) = errors(ds)
    assert p.code == "unsafe-text" and p.file == "organisations.csv" and p.org_code == "XAD04"
    assert set(ds.left_out["org_code"]) == {"XAD04"} and "XAD04" not in set(ds.register["org_code"])


def test_headcount_change_warning_does_not_block(data):
    edit_rows(data / "2024" / "workforce.csv",
              lambda h, rows: [r[:4] + [str(int(r[4]) * 2)] if r[0] == "XAA01" else r for r in rows])
    ds = validate_path(data)
    assert errors(ds) == []
    (w,) = ds.problems
    assert w.code == "headcount-change" and w.org_code == "XAA01" and w.year == 2024
    assert status(ds, "XAA01", 2024) == "published_with_warnings"


def test_problems_in_stable_order(data):
    set_cell(data / "2024" / "recruitment.csv", "appointed", "999", org_code="XAB02", ethnicity="white")
    set_cell(data / "2023" / "board.csv", "members", "x", org_code="XAC03", ethnicity="bme")
    ds = validate_path(data)
    assert ds.problems == sorted(ds.problems, key=lambda p: p.sort_key())
    assert [p.year for p in ds.problems] == [2023, 2024]


# ----------------------------------------------------------------------------- cannot run


def test_no_such_folder_or_register(tmp_path):
    with pytest.raises(DataFolderError, match="no such folder"):
        validate_path(tmp_path / "nope")
    data = write_valid_data(tmp_path / "d")
    (data / "organisations.csv").unlink()
    with pytest.raises(DataFolderError, match="no register"):
        validate_path(data)
    (data / "organisations.csv").write_bytes(b"\xff\xfeo\x00r\x00")
    with pytest.raises(DataFolderError, match="register cannot be read"):
        validate_path(data)


# ----------------------------------------------------------------------------- one year folder


def test_single_year_folder_against_a_given_register(tmp_path):
    data = write_valid_data(tmp_path / "d")
    mine = tmp_path / "my-return" / "2024"
    shutil.copytree(data / "2024", mine)
    for name in spec.YEAR_RESOURCES:
        drop_rows(mine / f"{name}.csv", org_code="XAB02")
    ds = validate_path(mine, register=data / "organisations.csv")
    assert errors(ds) == []
    assert set(ds.returns["org_code"]) == {"XAA01", "XAC03", "XAD04"} and ds.years == [2024]
    set_cell(mine / "board.csv", "voting_members", "99", org_code="XAA01", ethnicity="white")
    ds = validate_path(mine, register=data / "organisations.csv")
    (p,) = errors(ds)
    assert p.file == "2024/board.csv" and p.org_code == "XAA01"


def test_single_year_folder_needs_a_year_name(tmp_path):
    data = write_valid_data(tmp_path / "d")
    shutil.copytree(data / "2024", tmp_path / "my-return")
    with pytest.raises(DataFolderError, match="not named as a year"):
        validate_path(tmp_path / "my-return", register=data / "organisations.csv")


# ----------------------------------------------------------------------------- the command


def test_cli_exit_codes_and_json(data, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", str(data), "--format", "json"])
    assert ok.exit_code == 0 and json.loads(ok.output) == []
    set_cell(data / "2024" / "recruitment.csv", "appointed", "999", org_code="XAB02", ethnicity="white")
    bad = runner.invoke(main, ["validate", str(data), "--format", "json"])
    assert bad.exit_code == 1
    (p,) = json.loads(bad.output)
    assert list(p)[:7] == ["severity", "file", "row", "field", "org_code", "year", "message"]
    assert p["file"] == "2024/recruitment.csv" and p["org_code"] == "XAB02" and p["year"] == 2024
    gone = runner.invoke(main, ["validate", str(tmp_path / "missing")])
    assert gone.exit_code == 2 and "no such folder" in gone.output


def test_cli_text_groups_by_return_and_ends_with_summary(data):
    set_cell(data / "2024" / "recruitment.csv", "appointed", "999", org_code="XAB02", ethnicity="white")
    res = CliRunner().invoke(main, ["validate", str(data)])
    assert res.exit_code == 1
    lines = res.output.strip().splitlines()
    assert lines[-1] == "8 returns checked: 7 published, 1 left out; 1 error, 0 warnings."
    assert any(l.startswith("XAB02 Riverside Mental Health NHS Trust (fictional), 2024: LEFT OUT") for l in lines)


def test_whole_file_problem_of_a_one_organisation_return_names_it(tmp_path):
    data = write_valid_data(tmp_path / "d")
    mine = tmp_path / "my-return" / "2024"
    shutil.copytree(data / "2024", mine)
    for name in spec.YEAR_RESOURCES:
        drop_rows(mine / f"{name}.csv", org_code="XAB02")
        drop_rows(mine / f"{name}.csv", org_code="XAC03")
        drop_rows(mine / f"{name}.csv", org_code="XAD04")
    (mine / "board.csv").unlink()
    (mine / "training.csv").write_bytes(b"")
    ds = validate_path(mine, register=data / "organisations.csv")
    assert {(p.code, p.file, p.org_code) for p in errors(ds)} == {
        ("missing-file", "2024/board.csv", "XAA01"), ("empty-file", "2024/training.csv", "XAA01")}
    assert list(ds.left_out["org_code"]) == ["XAA01"]


def test_collections_row_that_cannot_be_read_leaves_out_its_year(data):
    set_cell(data / "collections.csv", "indicators", "1-12", year="2024")
    ds = validate_path(data)
    got = {(p.code, p.file, p.year) for p in errors(ds)}
    assert ("schema-constraint-error", "collections.csv", None) in got
    assert ("year-not-in-collections", "2024", 2024) in got
    assert set(ds.left_out["year"]) == {2024} and ds.years == [2023]


def test_missing_collections_is_an_error_and_assumes_everything_collected(data):
    (data / "collections.csv").unlink()
    ds = validate_path(data)
    got = {(p.code, p.file) for p in errors(ds)}
    assert got == {("collections-missing", "collections.csv"), ("missing-file", "2023/staff_survey.csv")}
    assert set(ds.left_out["year"]) == {2023} and ds.years == [2023, 2024]


def test_a_bad_link_is_reported_once(data):
    set_cell(data / "2024" / "returns.csv", "report_url", "www.example.org", org_code="XAB02")
    (p,) = errors(validate_path(data))
    assert p.field == "report_url" and p.org_code == "XAB02" and "https://" in p.message


def test_empty_year_folder_is_checked_as_a_return(tmp_path):
    data = write_valid_data(tmp_path / "d")
    (tmp_path / "2024").mkdir()
    ds = validate_path(tmp_path / "2024", register=data / "organisations.csv")
    assert {p.code for p in errors(ds)} == {"missing-file"} and len(ds.returns) == 0


def test_missing_optional_column_still_checks_the_other_cells(data):
    f = data / "2024" / "returns.csv"
    edit_rows(f, lambda h, rows: (h.pop(), [r[:-1] for r in rows])[1])  # no action_plan_url column
    set_cell(f, "submitted_on", "soon", org_code="XAC03")
    ds = validate_path(data)
    got = {(p.code, p.org_code) for p in errors(ds)}
    assert got == {("missing-column", None), ("schema-type-error", "XAC03")}
    assert len(ds.left_out) == 4


def test_register_row_without_org_code_is_an_error_not_a_stop(data):
    edit_rows(data / "organisations.csv", lambda h, rows: rows + [["", "Nameless (fictional)", "acute", "Y56", "", "",
                                                                   "", "", ""]])
    ds = validate_path(data)
    (p,) = errors(ds)
    assert p.code == "no-org-code" and p.file == "organisations.csv"
    assert set(ds.returns["status"]) == {"published"}


def test_a_code_the_folder_register_lacks_is_found_in_the_shipped_ods_register(tmp_path: Path):
    """A data folder's return for RR8, which its organisations.csv does not list: the shipped NHS ODS
    register is used for it (a warning naming that register, its row added to the register handed on)."""
    root = write_valid_data(tmp_path / "data")
    for f in (root / "2024").glob("*.csv"):
        f.write_text(f.read_text(encoding="utf-8").replace("XAB02", "RR8"), encoding="utf-8")
    ds = validate_path(root)
    (note,) = [p for p in ds.problems if p.org_code == "RR8"]
    assert (note.severity, note.code, note.file, note.field) == ("warning", "register-fallback", "2024/returns.csv",
                                                                  "org_code")
    assert "not in organisations.csv" in note.message and "NHS ODS register shipped with wres" in note.message
    status = ds.returns.set_index(["org_code", "year"])["status"]
    assert status[("RR8", 2024)] == "published_with_warnings"
    row = ds.register.set_index("org_code").loc["RR8"]
    assert row["org_name"] == "Leeds Teaching Hospitals NHS Trust" and row["region_code"] == "Y63"
    plain = validate_path(write_valid_data(tmp_path / "plain"))
    assert ds.register["org_code"].is_unique and ds.register.dtypes.equals(plain.register.dtypes)
