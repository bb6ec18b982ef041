"""read.read_table: bytes from a trust's spreadsheet into rows, or into problems."""

from __future__ import annotations

import os
from pathlib import Path

from generator.ingest.read import MAX_BYTES, normalise_label, read_table

COLS = ["org_code", "ethnicity", "shortlisted", "appointed"]


def _read(tmp_path: Path, data: bytes, expected=COLS, **kw):
    path = tmp_path / "recruitment.csv"
    path.write_bytes(data)
    return read_table(path, "2024/recruitment.csv", expected, year=2024, **kw)


def codes(table) -> list[str]:
    return [p.code for p in table.problems]


def test_plain_file_reads_rows_and_line_numbers(tmp_path):
    t = _read(tmp_path, b"org_code,ethnicity,shortlisted,appointed\nXAA01,white,10,2\nXAA01,bme,8,1\n")
    assert t.readable and t.problems == []
    assert t.header == COLS
    assert t.rows == [["XAA01", "white", "10", "2"], ["XAA01", "bme", "8", "1"]]
    assert t.lines == [2, 3]


def test_bom_crlf_and_blank_lines_are_accepted_silently(tmp_path):
    data = "\ufefforg_code,ethnicity,shortlisted,appointed\r\n\r\nXAA01,white,10,2\r\n,,,\r\n\r\nXAA01,bme,8,1\r\n"
    t = _read(tmp_path, data.encode("utf-8"))
    assert t.problems == []
    assert t.header == COLS
    assert t.rows == [["XAA01", "white", "10", "2"], ["XAA01", "bme", "8", "1"]]
    assert t.lines == [3, 6]


def test_windows_1252_names_file_and_first_bad_line(tmp_path):
    data = "org_code,ethnicity,shortlisted,appointed\nXAA01,white,10,2\nXAA01,bme – x,8,1\n".encode("cp1252")
    t = _read(tmp_path, data)
    # Only the bad line is marked: the validator leaves out only the return it belongs to.
    assert t.readable and t.problems == [] and t.bad_lines == {3: "96"}
    assert t.rows[1][1] == "bme \ufffd x"


def test_windows_1252_header_makes_the_whole_file_unreadable(tmp_path):
    data = "org_code,ethnicity,shortlisted,appointed\u2013\nXAA01,white,10,2\n".encode("cp1252")
    t = _read(tmp_path, data)
    p = t.problems[0]
    assert not t.readable and p.code == "not-utf8" and p.row == 1 and p.year == 2024
    assert "2024/recruitment.csv is not UTF-8 text: line 1 holds the byte 0x96" in p.message
    assert "CSV UTF-8" in p.message


def test_file_over_the_limit_is_refused_without_reading(tmp_path):
    path = tmp_path / "recruitment.csv"
    with open(path, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: no disk used, never read
    t = read_table(path, "2024/recruitment.csv", COLS, year=2024)
    (p,) = t.problems
    assert p.code == "file-too-large" and not t.readable
    assert "200 MB" in p.message and "limit of 50 MB" in p.message
    assert os.stat(path).st_size > MAX_BYTES


def test_limit_is_a_parameter(tmp_path):
    t = _read(tmp_path, b"org_code,ethnicity,shortlisted,appointed\n", max_bytes=10)
    assert codes(t) == ["file-too-large"]
    t = _read(tmp_path, b"org_code,ethnicity,shortlisted,appointed\n", max_bytes=1000)
    assert codes(t) == []


def test_empty_and_whitespace_only_files(tmp_path):
    for data in (b"", b"\n\n  \r\n", "\ufeff".encode()):
        t = _read(tmp_path, data)
        assert codes(t) == ["empty-file"] and not t.readable
        assert "is empty" in t.problems[0].message and "org_code, ethnicity" in t.problems[0].message


def test_header_case_and_spacing_normalised_with_a_warning(tmp_path):
    t = _read(tmp_path, b" Org Code ,ETHNICITY,Shortlisted,appointed\nXAA01,white,10,2\n")
    assert t.header == COLS and t.readable
    (p,) = t.problems
    assert p.severity == "warning" and p.code == "header-normalised" and p.row == 1
    assert "'Org Code' as 'org_code'" in p.message and "'ETHNICITY' as 'ethnicity'" in p.message


def test_missing_column_is_an_error_with_a_guess(tmp_path):
    t = _read(tmp_path, b"org_code,ethnicity,shortlistd,appointed\nXAA01,white,10,2\n")
    errs = [p for p in t.problems if p.is_error]
    assert [p.code for p in errs] == ["missing-column"]
    assert errs[0].field == "shortlisted" and "'shortlistd' meant to be 'shortlisted'" in errs[0].message
    assert not t.readable


def test_extra_column_is_a_warning_and_kept_out(tmp_path):
    t = _read(tmp_path, b"org_code,ethnicity,shortlisted,appointed,notes\nXAA01,white,10,2,hi\n")
    assert codes(t) == ["extra-column"] and t.readable
    assert t.problems[0].severity == "warning" and "'notes'" in t.problems[0].message


def test_duplicate_column_is_an_error(tmp_path):
    t = _read(tmp_path, b"org_code,ethnicity,shortlisted,appointed,Appointed\nXAA01,white,10,2,2\n")
    assert "duplicate-column" in codes(t) and not t.readable


def test_ragged_lines_recorded_with_line_numbers(tmp_path):
    t = _read(tmp_path, b"org_code,ethnicity,shortlisted,appointed\nXAA01,white,10,2,9\nXAA01,bme,8\nXAA01,unknown,1,0\n")
    assert t.ragged == {2: 5, 3: 3}
    assert t.rows[1] == ["XAA01", "bme", "8", ""]  # padded so that columns stay aligned
    assert t.readable


def test_multiline_quoted_cell_keeps_line_numbers_right(tmp_path):
    t = _read(tmp_path, b'org_code,ethnicity,shortlisted,appointed\n"XAA\n01",white,10,2\nXAA01,bme,8,1\n')
    assert t.lines == [2, 4]


def test_nul_bytes_are_reported_not_raised(tmp_path):
    t = _read(tmp_path, b"org_code,ethnicity\x00,shortlisted,appointed\n")
    assert codes(t) == ["nul-byte"] and not t.readable


def test_a_huge_line_is_left_unread_alone(tmp_path):
    """One line of megabytes (a paste gone wrong) is set aside for its organisation; the rest is read."""
    t = _read(tmp_path, b'org_code,ethnicity,shortlisted,appointed\nXAB02,"' + b"x" * (2 * 1024 * 1024)
              + b'",a,b\nXAA01,bme,1,0\n')
    assert codes(t) == [] and t.readable
    assert {line: (code, head) for line, (code, _, head) in t.damaged.items()} == {2: ("line-too-long", "XAB02")}
    assert t.rows == [["XAA01", "bme", "1", "0"]] and t.lines == [3]


def test_nul_byte_on_one_line_is_left_unread_alone(tmp_path):
    t = _read(tmp_path, b"org_code,ethnicity,shortlisted,appointed\nXAA01,white,1\x00,0\nXAA01,bme,1,0\n")
    assert codes(t) == [] and t.readable
    assert list(t.damaged) == [2] and t.damaged[2][0] == "nul-byte" and t.damaged[2][2] == "XAA01"
    assert t.rows == [["XAA01", "bme", "1", "0"]]


def test_huge_cell_spread_over_lines_is_reported_not_raised(tmp_path):
    t = _read(tmp_path, b'org_code,ethnicity,shortlisted,appointed\n"' + (b"x" * 1000 + b"\n") * 1100
              + b'",a,b,c\n')
    assert codes(t) == ["unreadable-csv"]


def test_normalise_label():
    assert normalise_label("\ufeff Org  Code ") == "org_code"
    assert normalise_label("voting-members") == "voting_members"
    assert normalise_label("headcount") == "headcount"


def test_file_that_cannot_be_opened_is_a_problem(tmp_path):
    t = read_table(tmp_path / "gone.csv", "2024/gone.csv", COLS, year=2024)
    assert codes(t) == ["unreadable-file"] and not t.readable and "cannot be opened" in t.problems[0].message


def test_semicolon_separated_file_is_named_as_such(tmp_path):
    t = _read(tmp_path, b"org_code;ethnicity;shortlisted;appointed\nXAA01;white;10;2\n")
    assert codes(t) == ["wrong-delimiter"] and not t.readable
    assert "separated by semicolons, not commas" in t.problems[0].message


def test_a_stray_quote_mark_swallows_only_its_own_line(tmp_path):
    """A quote opened and never closed (or closed lines later) is set aside with its line; the lines it
    swallowed are read again on their own, with their own line numbers."""
    t = _read(tmp_path, b'org_code,ethnicity,shortlisted,appointed\nXAA01,"white,1,0\nXAB02,bme,2,1\n'
                        b'XAC03,white",3,1\nXAD04,bme,4,1\n')
    assert codes(t) == [] and t.readable
    assert {line: (code, head) for line, (code, _, head) in t.damaged.items()} == {2: ("stray-quote", "XAA01")}
    assert t.lines == [3, 4, 5]
    assert [r[0] for r in t.rows] == ["XAB02", "XAC03", "XAD04"]
    assert t.rows[1][1] == 'white"'  # its own damage, judged by the schema


def test_a_quoted_cell_over_two_lines_is_not_a_stray_quote(tmp_path):
    t = _read(tmp_path, b'org_code,ethnicity,shortlisted,appointed\nXAA01,"white\nnote: see 2024",1,0\n')
    assert t.damaged == {} and t.lines == [2]
