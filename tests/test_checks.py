"""Each WRES rule of checks.py, with a failing and a passing case."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from generator.ingest import checks, folders
from generator.model.settings import Settings

S = Settings()


def frame(rows: list[dict]) -> pd.DataFrame:
    """Rows as the validator hands them to checks: typed counts, `_line` and `_org`."""
    df = pd.DataFrame(rows)
    for c in df.columns:
        if c not in ("org_code", "ethnicity", "staff_group", "band", "_org", "org_name", "system_name",
                     "website", "report_url", "action_plan_url", "successor_code"):
            df[c] = df[c].astype("Int64")
    df["_line"] = range(2, len(df) + 2)
    df["_org"] = df["org_code"]
    return df


def rec(*rows):
    return frame([{"org_code": o, "ethnicity": e, "shortlisted": s, "appointed": a} for o, e, s, a in rows])


def test_appointed_above_shortlisted():
    bad = checks.check_not_above(rec(("XAA01", "white", 10, 2), ("XAB02", "bme", 5, 6)),
                                 "2024/recruitment.csv", 2024, "appointed", "shortlisted", "why")
    (p,) = bad
    assert (p.code, p.org_code, p.row, p.field, p.year) == ("count-above-total", "XAB02", 3, "appointed", 2024)
    assert "appointed (6) is more than shortlisted (5) for bme staff" in p.message
    ok = rec(("XAA01", "white", 10, 10), ("XAB02", "bme", None, 6), ("XAC03", "bme", 5, None))
    assert checks.check_not_above(ok, "f", 2024, "appointed", "shortlisted", "why") == []


def test_board_parts_above_members():
    b = frame([{"org_code": "XAA01", "ethnicity": "white", "members": 3, "voting_members": 4, "executive_members": 3}])
    assert [p.field for p in checks.check_not_above(b, "f", 2024, "voting_members", "members", "w")] == ["voting_members"]
    assert checks.check_not_above(b, "f", 2024, "executive_members", "members", "w") == []


def _workforce(org="XAA01", heads=(("white", 50), ("white", 50), ("bme", 20))):
    return frame([{"org_code": org, "staff_group": "non_clinical", "band": f"band_{i}", "ethnicity": e,
                   "headcount": h} for i, (e, h) in enumerate(heads)])


def test_training_above_headcount():
    wf = _workforce()
    tr = frame([{"org_code": "XAA01", "ethnicity": "white", "accessed_training": 101},
                {"org_code": "XAA01", "ethnicity": "bme", "accessed_training": 20}])
    (p,) = checks.check_training_within_headcount(tr, wf, "2024/training.csv", 2024)
    assert p.org_code == "XAA01" and p.row == 2 and "(101)" in p.message and "(100" in p.message
    tr_ok = frame([{"org_code": "XAA01", "ethnicity": "white", "accessed_training": 100}])
    assert checks.check_training_within_headcount(tr_ok, wf, "f", 2024) == []


def test_training_not_judged_against_an_incomplete_headcount():
    wf = _workforce(heads=(("white", 50), ("white", None)))
    tr = frame([{"org_code": "XAA01", "ethnicity": "white", "accessed_training": 80}])
    assert checks.check_training_within_headcount(tr, wf, "f", 2024) == []


def test_duplicate_keys():
    df = rec(("XAA01", "white", 1, 0), ("XAA01", "bme", 1, 0), ("XAA01", "white", 3, 1))
    (p,) = checks.check_duplicate_keys(df, ("org_code", "ethnicity"), "2024/recruitment.csv", 2024)
    assert p.code == "duplicate-row" and p.row == 4 and "line 2" in p.message and p.org_code == "XAA01"
    ok = rec(("XAA01", "white", 1, 0), ("XAB02", "white", 1, 0))
    assert checks.check_duplicate_keys(ok, ("org_code", "ethnicity"), "f", 2024) == []


def test_in_register():
    df = rec(("XAA01", "white", 1, 0), ("XZZ99", "white", 1, 0), ("XZZ99", "bme", 1, 0))
    found = checks.check_in_register({"2024/recruitment.csv": df}, {"XAA01"}, 2024)
    assert [(p.org_code, p.row) for p in found] == [("XZZ99", 3)]
    assert checks.check_in_register({"f": df}, {"XAA01", "XZZ99"}, 2024) == []


def test_return_complete():
    present = {"2024/returns.csv": {"XAA01"}, "2024/workforce.csv": {"XAA01", "XAB02"},
               "2024/board.csv": {"XAB02"}}
    found = checks.check_return_complete(present, ["returns", "workforce", "board"], 2024)
    assert sorted((p.file, p.org_code) for p in found) == [("2024/board.csv", "XAA01"), ("2024/returns.csv", "XAB02")]
    full = {f: {"XAA01", "XAB02"} for f in present}
    assert checks.check_return_complete(full, ["returns", "workforce", "board"], 2024) == []


def test_year_folders_and_stray_entries(tmp_path: Path):
    for name in ("2023", "2024"):
        (tmp_path / name).mkdir()
    (tmp_path / "organisations.csv").write_text("x")
    (tmp_path / "collections.csv").write_text("x")
    assert folders.check_year_folders(tmp_path) == []
    (tmp_path / "2024 copy").mkdir()
    (tmp_path / "notes.txt").write_text("x")
    found = folders.check_year_folders(tmp_path)
    assert [(p.file, p.severity) for p in found] == [("2024 copy", "warning"), ("notes.txt", "warning")]


def test_documentation_beside_the_data_is_not_stray(tmp_path: Path):
    (tmp_path / "2024").mkdir()
    for name in ("README.md", "LICENCE", "notes.md"):
        (tmp_path / name).write_text("x")
    assert folders.check_year_folders(tmp_path) == []


def test_stray_file_in_year_folder(tmp_path: Path):
    (tmp_path / "workforce.csv").write_text("x")
    assert folders.check_year_entries(tmp_path, "2024/", 2024) == []
    (tmp_path / "Board.csv").write_text("x")
    (p,) = folders.check_year_entries(tmp_path, "2024/", 2024)
    assert p.file == "2024/Board.csv" and "lower case: board.csv" in p.message and p.severity == "warning"


def test_parts_present_follow_collections():
    everything = ["returns", "workforce", "recruitment", "disciplinary", "training", "board"]
    # 2020: indicators 5-8 not collected -> no staff_survey.csv is fine
    assert folders.check_parts_present(everything, (1, 2, 3, 4, 9), "2020/", 2020) == []
    (p,) = folders.check_parts_present(everything, tuple(range(1, 10)), "2024/", 2024)
    assert p.file == "2024/staff_survey.csv" and p.is_error and "5, 6, 7, 8" in p.message
    (p,) = folders.check_parts_present(everything[1:], (1, 2, 3, 4, 9), "2020/", 2020)
    assert p.file == "2020/returns.csv"


def test_not_collected_file_ignored_with_warning():
    (p,) = folders.check_not_collected(["returns", "staff_survey", "pay"], (1, 2, 3, 4, 9), "2020/", 2020)
    assert p.file == "2020/staff_survey.csv" and p.severity == "warning"
    assert folders.check_not_collected(["returns", "staff_survey", "pay"], tuple(range(1, 10)), "2024/", 2024) == []


def test_years_in_collections():
    (p,) = folders.check_years_in_collections([2023, 2024], {2023})
    assert p.year == 2024 and p.is_error
    assert folders.check_years_in_collections([2023], {2023, 2024}) == []
    (w,) = folders.check_collections_have_folders({2023, 2024}, {2023})
    assert w.year == 2024 and w.severity == "warning"
    assert folders.check_collections_have_folders({2023}, {2023}) == []


def _register(names):
    return frame([{"org_code": f"XA{i}00", "org_name": n, "system_name": "S"} for i, n in enumerate(names)])


def test_register_text_must_be_plain():
    bad = ["<script>alert(1)</script>", "Trust <b>bold</b>", "=HYPERLINK(\"http://x\")", "+44 Trust",
           "-Trust", "@SUM(A1)", "javascript:alert(1)", "Caf&#233;"]
    found = checks.check_plain_text(_register(bad), ["org_name", "system_name"], "organisations.csv")
    assert len(found) == len(bad) and {p.code for p in found} == {"unsafe-text"}
    assert "markup" in found[0].message and "formula" in found[2].message
    ok = ["St Mary's & St John's NHS Trust (fictional)", "Trust 2 - North", "A < B? no: 3 > 2 only as words"]
    found = checks.check_plain_text(_register(ok), ["org_name"], "organisations.csv")
    assert [p.message for p in found] == []


def test_links_must_be_web_addresses():
    df = frame([{"org_code": "XAA01", "report_url": "javascript:alert(1)"},
                {"org_code": "XAB02", "report_url": "https://xab02.example.org/r"},
                {"org_code": "XAC03", "report_url": None}])
    (p,) = checks.check_links(df, ["report_url"], "2024/returns.csv", 2024)
    assert p.org_code == "XAA01" and p.code == "unsafe-link"


def test_warn_appointed_close_to_shortlisted():
    (w,) = checks.warn_appointed_close_to_shortlisted(rec(("XAA01", "white", 100, 95), ("XAA01", "bme", 100, 20)),
                                                      "f", 2024, S)
    assert w.severity == "warning" and w.row == 2
    assert checks.warn_appointed_close_to_shortlisted(rec(("XAA01", "white", 100, 89)), "f", 2024, S) == []


def test_warn_training_share():
    wf = _workforce(heads=(("white", 100),))
    (w,) = checks.warn_training_share(frame([{"org_code": "XAA01", "ethnicity": "white", "accessed_training": 96}]),
                                      wf, "f", 2024, S)
    assert w.severity == "warning" and "96%" in w.message
    assert checks.warn_training_share(frame([{"org_code": "XAA01", "ethnicity": "white", "accessed_training": 95}]),
                                      wf, "f", 2024, S) == []


def test_warn_headcount_change_skips_mergers():
    totals = pd.DataFrame({"org_code": ["XAA01", "XAA01", "XAB02", "XAB02", "XAC03", "XAC03"],
                           "year": [2023, 2024] * 3, "headcount": [100, 131, 100, 130, 100, 200]})
    files = {2023: "2023/workforce.csv", 2024: "2024/workforce.csv"}
    found = checks.warn_headcount_change(totals, set(), S, files)
    assert sorted(p.org_code for p in found) == ["XAA01", "XAC03"]
    assert all(p.severity == "warning" and p.year == 2024 for p in found)
    register = pd.DataFrame({"org_code": ["XAC03", "XAZ09"], "successor_code": [pd.NA, "XAC03"]})
    merged = checks.merged_organisations(register)
    assert merged == {"XAC03", "XAZ09"}
    assert [p.org_code for p in checks.warn_headcount_change(totals, merged, S, files)] == ["XAA01"]


def test_band_belongs_to_its_staff_group():
    wf = frame([{"org_code": "XAA01", "staff_group": "medical_dental", "band": "band_5", "ethnicity": "white", "headcount": 1},
                {"org_code": "XAA01", "staff_group": "non_clinical", "band": "consultant", "ethnicity": "white", "headcount": 1},
                {"org_code": "XAA01", "staff_group": "medical_dental", "band": "consultant", "ethnicity": "bme", "headcount": 1},
                {"org_code": "XAA01", "staff_group": "clinical_non_medical", "band": "vsm", "ethnicity": "bme", "headcount": 1},
                {"org_code": "XAA01", "staff_group": "nonsense", "band": "band_5", "ethnicity": "bme", "headcount": 1}])
    found = checks.check_band_in_group(wf, "2024/workforce.csv", 2024)
    assert [(p.row, p.field) for p in found] == [(2, "band"), (3, "band")]
    assert "band band_5 is not a band of staff group medical_dental" in found[0].message
    assert "consultant, non_consultant_career_grade, trainee, other" in found[0].message


def test_successor_in_register():
    reg = frame([{"org_code": "XAA01", "successor_code": "XAB02"}, {"org_code": "XAB02", "successor_code": None},
                 {"org_code": "XAC03", "successor_code": "XZZ99"}])
    (w,) = checks.check_successors(reg, "organisations.csv")
    assert w.severity == "warning" and w.org_code == "XAC03" and w.row == 4
    assert checks.check_successors(reg.iloc[:2], "organisations.csv") == []
