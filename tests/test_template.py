"""write_template: a blank return that the validator itself accepts once org_code is filled in."""

from __future__ import annotations

from helpers import read_rows, write_register

from generator.ingest.validate import validate_path
from generator.model import spec
from generator.tools.template import key_rows, write_template


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


def test_cli_template_then_validate_against_the_bundled_register(tmp_path):
    """The trust's workflow: `wres template`, fill in, `wres validate my-return/2020`.

    2020 did not collect indicators 5-8 (bundled collections.csv), so no staff_survey.csv
    is written and none is asked for."""
    import csv

    from click.testing import CliRunner

    from generator.cli import main
    from generator.ingest.validate import BUNDLED_DATA

    with open(BUNDLED_DATA / "organisations.csv", newline="", encoding="utf-8") as fh:
        code = next(csv.DictReader(fh))["org_code"]
    runner = CliRunner()
    made = runner.invoke(main, ["template", "2020", "--out", str(tmp_path / "my-return"), "--org-code", code])
    assert made.exit_code == 0 and "staff_survey" not in made.output
    ok = runner.invoke(main, ["validate", str(tmp_path / "my-return" / "2020")])
    assert ok.exit_code == 0, ok.output
    assert ok.output.strip().splitlines()[-1] == "1 return checked: 1 published, 0 left out; 0 errors, 0 warnings."
    f = tmp_path / "my-return" / "2020" / "recruitment.csv"
    f.write_text(f.read_text().replace(f"{code},white,,", f"{code},white,5,6"), encoding="utf-8")
    bad = runner.invoke(main, ["validate", str(tmp_path / "my-return" / "2020"), "--format", "json"])
    assert bad.exit_code == 1
    assert f'"org_code": "{code}"' in bad.output and '"file": "2020/recruitment.csv"' in bad.output
