"""write_template: a blank return that the validator itself accepts once org_code is filled in."""

from __future__ import annotations

from generator import spec
from generator.template import key_rows, write_template
from generator.validate import validate_path
from helpers import read_rows, write_register


def test_blank_return_has_every_file_and_key(tmp_path):
    written = write_template(2024, tmp_path / "out", org_code="XAA01")
    assert [p.name for p in written] == [f"{r}.csv" for r in spec.YEAR_RESOURCES]
    assert all(p.parent == tmp_path / "out" / "2024" for p in written)
    header, rows = read_rows(tmp_path / "out" / "2024" / "workforce.csv")
    assert header == ["org_code", "staff_group", "band", "ethnicity", "headcount"]
    assert len(rows) == (2 * len(spec.AFC_BANDS) + len(spec.MEDICAL_BANDS)) * 3
    assert {r[4] for r in rows} == {""} and {r[0] for r in rows} == {"XAA01"}
    assert ("medical_dental", "consultant") in {(r[1], r[2]) for r in rows}
    assert ("medical_dental", "band_5") not in {(r[1], r[2]) for r in rows}
    _, survey = read_rows(tmp_path / "out" / "2024" / "staff_survey.csv")
    assert len(survey) == 8 and {r[2] for r in survey} == {"white", "bme"}


def test_blank_return_validates(tmp_path):
    write_template(2024, tmp_path / "mine", org_code="XAA01")
    register = write_register(tmp_path / "organisations.csv")
    ds = validate_path(tmp_path / "mine" / "2024", register=register)
    assert [p for p in ds.problems if p.is_error] == []
    assert list(ds.returns["status"]) == ["published"]
    assert ds.tables["workforce"]["headcount"].isna().all()


def test_without_org_code_the_blank_is_not_yet_valid(tmp_path):
    write_template(2024, tmp_path / "2024")  # a folder already named for the year is used as is
    assert (tmp_path / "2024" / "returns.csv").exists()
    register = write_register(tmp_path / "organisations.csv")
    ds = validate_path(tmp_path / "2024", register=register)
    assert any(p.code == "no-org-code" for p in ds.problems)


def test_key_rows_of_small_files():
    assert key_rows("returns", "XAB02") == [["XAB02", "", "", ""]]
    assert [r[1] for r in key_rows("board", "XAB02")] == list(spec.ETHNICITIES)
