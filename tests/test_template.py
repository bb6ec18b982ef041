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


def fill(year_dir, code: str) -> None:
    """Fill a template as a trust would: plausible figures in every row, consistent across files."""
    import csv

    figures = {
        "returns": {"submitted_on": "2024-05-01"},
        "workforce": {"headcount": "10"},
        "recruitment": {"shortlisted": {"white": "100", "bme": "80", "unknown": "10"},
                        "appointed": {"white": "20", "bme": "12", "unknown": "2"}},
        "disciplinary": {"entered_formal_process": {"white": "3", "bme": "2", "unknown": "0"}},
        "training": {"accessed_training": {"white": "40", "bme": "30", "unknown": "5"}},
        "staff_survey": {"percent": "24.6", "respondents": "150"},
        "board": {"members": {"white": "10", "bme": "3", "unknown": "0"},
                  "voting_members": {"white": "8", "bme": "2", "unknown": "0"},
                  "executive_members": {"white": "5", "bme": "1", "unknown": "0"}},
        "pay": {"headcount": "100", "mean_hourly_pay": "20.50", "median_hourly_pay": "19.00"},
    }
    for path in sorted(year_dir.glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert rows and {r["org_code"] for r in rows} == {code}
        for r in rows:
            for col, v in figures[path.stem].items():
                r[col] = v[r["ethnicity"]] if isinstance(v, dict) else v
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)


def test_a_blank_template_is_not_a_return(tmp_path):
    """Empty means "not available", so every blank cell is valid; a return with none filled is not."""
    write_template(2024, tmp_path / "mine", org_code="XAA01")
    register = write_register(tmp_path / "organisations.csv")
    ds = validate_path(tmp_path / "mine" / "2024", register=register)
    (p,) = [p for p in ds.problems if p.is_error]
    assert p.code == "no-figures" and "no figures in this return" in p.message
    assert (p.file, p.row, p.field, p.org_code, p.year) == ("2024/workforce.csv", 2, "headcount", "XAA01", 2024)
    assert list(ds.returns["status"]) == ["left_out"]
    # one figure, even a withheld one, makes it a return
    f = tmp_path / "mine" / "2024" / "board.csv"
    f.write_text(f.read_text().replace("XAA01,white,,,", "XAA01,white,*,,"), encoding="utf-8")
    ds = validate_path(tmp_path / "mine" / "2024", register=register)
    assert [p for p in ds.problems if p.is_error] == [] and list(ds.returns["status"]) == ["published"]
    assert ds.tables["workforce"]["headcount"].isna().all()


def test_a_filled_template_for_a_real_ods_code_validates(tmp_path):
    """A real trust's workflow: `wres template 2024 --org-code RR8`, fill it in, `wres validate`.

    RR8 is in no data folder's register here: it is found in the NHS ODS register that ships with
    the package (registers/), and the note says so. Needs nothing from ../shared."""
    from click.testing import CliRunner

    from generator.cli import main

    runner = CliRunner()
    made = runner.invoke(main, ["template", "2024", "--out", str(tmp_path / "my-return"), "--org-code", "RR8"])
    assert made.exit_code == 0, made.output
    fill(tmp_path / "my-return" / "2024", "RR8")
    ok = runner.invoke(main, ["validate", str(tmp_path / "my-return" / "2024"), "--format", "json"])
    assert ok.exit_code == 0, ok.output
    import json

    (note,) = json.loads(ok.output)
    assert note["severity"] == "warning" and note["code"] == "register-fallback"
    assert "NHS ODS register shipped with wres" in note["message"]
    assert "Leeds Teaching Hospitals NHS Trust" in note["message"]
    assert "organisations.csv (bundled register)" in note["message"]
    ds = validate_path(tmp_path / "my-return" / "2024")
    assert list(ds.returns["status"]) == ["published_with_warnings"]
    assert ds.register.set_index("org_code").loc["RR8", "region_code"] == "Y63"
    # a code in neither register is an error naming both
    for f in (tmp_path / "my-return" / "2024").glob("*.csv"):
        f.write_text(f.read_text().replace("RR8", "ZZ9Z9"), encoding="utf-8")
    bad = validate_path(tmp_path / "my-return" / "2024")
    unknown = [p for p in bad.problems if p.code == "unknown-organisation"]
    assert unknown and "nor in the NHS ODS register shipped with wres" in unknown[0].message


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
    fill(tmp_path / "my-return" / "2020", code)
    ok = runner.invoke(main, ["validate", str(tmp_path / "my-return" / "2020")])
    assert ok.exit_code == 0, ok.output
    assert ok.output.strip().splitlines()[-1] == "1 return checked: 1 published, 0 left out; 0 errors, 0 warnings."
    f = tmp_path / "my-return" / "2020" / "recruitment.csv"
    f.write_text(f.read_text().replace(f"{code},white,100,20", f"{code},white,5,6"), encoding="utf-8")
    bad = runner.invoke(main, ["validate", str(tmp_path / "my-return" / "2020"), "--format", "json"])
    assert bad.exit_code == 1
    assert f'"org_code": "{code}"' in bad.output and '"file": "2020/recruitment.csv"' in bad.output
