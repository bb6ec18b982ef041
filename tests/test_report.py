"""render_json and render_text on a real Dataset from a real folder."""

from __future__ import annotations

import json

from helpers import edit_rows, set_cell, write_valid_data

from generator.ingest.report import render_json, render_text
from generator.ingest.validate import validate_path
from generator.model.problems import error, warning


def test_json_is_a_list_with_the_fields_outputs_md_fixes():
    ps = [error("count-above-total", "2024/recruitment.csv", "appointed (9) is more than shortlisted (5)",
                row=4, field="appointed", org_code="XAA01", year=2024),
          warning("stray-entry", "notes.txt", "ignored")]
    out = json.loads(render_json(ps))
    assert out[0] == {"severity": "error", "file": "2024/recruitment.csv", "row": 4, "field": "appointed",
                      "org_code": "XAA01", "year": 2024, "message": "appointed (9) is more than shortlisted (5)",
                      "code": "count-above-total"}
    assert out[1]["row"] is None and out[1]["org_code"] is None and out[1]["year"] is None
    assert json.loads(render_json([])) == []


def test_text_groups_by_return_with_general_problems_first(tmp_path):
    data = write_valid_data(tmp_path / "d")
    set_cell(data / "2024" / "recruitment.csv", "appointed", "999", org_code="XAB02", ethnicity="white")
    set_cell(data / "2023" / "board.csv", "members", "lots", org_code="XAC03", ethnicity="bme")
    (data / "notes.txt").write_text("x")
    ds = validate_path(data)
    text = render_text(ds, ds.problems)
    lines = text.splitlines()
    assert lines[0] == "Data folder"
    i23 = text.index("XAC03 Hillford Community Health NHS Trust (fictional), 2023: LEFT OUT")
    i24 = text.index("XAB02 Riverside Mental Health NHS Trust (fictional), 2024: LEFT OUT")
    assert text.index("notes.txt") < i23 < i24
    assert "2023/board.csv, line 9, members" in text
    assert lines[-1] == "8 returns checked: 6 published, 2 left out; 2 errors, 1 warning."
    assert max(len(l) for l in lines) <= 100


def test_text_lists_returns_left_out_by_a_whole_file_problem(tmp_path):
    data = write_valid_data(tmp_path / "d")
    edit_rows(data / "2024" / "board.csv", lambda h, rows: (h.__setitem__(2, "memberz"), rows)[1])
    ds = validate_path(data)
    text = render_text(ds, ds.problems)
    assert "2024: the whole year" in text
    assert "Also left out, because of a problem above with a whole file, a year or a register entry: XAA01 2024," \
        in text and "XAD04 2024" in text.split("Also left out")[1]
    assert text.splitlines()[-1].startswith("8 returns checked: 4 published, 4 left out; 1 error")


def test_text_for_a_clean_folder(tmp_path):
    ds = validate_path(write_valid_data(tmp_path / "d"))
    assert render_text(ds, ds.problems).splitlines() == [
        "No problems found.", "8 returns checked: 8 published, 0 left out; 0 errors, 0 warnings."]
