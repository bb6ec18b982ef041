"""Write the bad-input corpus: one folder per case, each with its files and the message it must produce.

    python tests/bad_inputs/make_corpus.py     # rewrites tests/bad_inputs/<case>/

Each case is applied on top of the valid data folder of tests/helpers.py
(`write_valid_data`, years 2023 and 2024, four fictional organisations):

- `files/<path>`: replaces (or adds) that file of the data folder, byte for byte (after `delete`);
- `case.json`: `description`; `delete` (paths to remove); `copy` ({new: existing}
  folders); `sparse` ({path: size in MB}, made in the test with truncate, never
  committed); `exit` (the exit code of `wres validate`); `problems` (each must
  match one reported problem: severity, code, file, org_code, and optionally
  row and field, and every string of `message_has` in its message);
  `left_out` ([org_code, year] pairs, exactly the returns left out); `outside` ({path: text}, files
  written in a folder beside the data folder, which nothing may read); `symlink` ({path: target},
  links made in the test); `absent` (problems that must NOT be reported, matched like `problems`);
  `never_shown` (strings that must appear nowhere in the output, e.g. what an outside file holds).

tests/test_bad_inputs.py runs every case through `wres validate --format json`.
The files are committed so that a reader can open each one; this script is how
they were made.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent.parent))

from helpers import line_of, read_rows, write_valid_data  # noqa: E402

CASES: dict[str, dict] = {}


def case(name: str, description: str, exit: int, problems: list[dict], files: dict[str, bytes] | None = None,
         left_out: list | None = None, **extra) -> None:
    CASES[name] = {"description": description, "exit": exit, "problems": problems, "left_out": left_out or [],
                   "files": files or {}, **extra}


def csv_bytes(header: list[str], rows: list[list[str]], newline: str = "\n") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def p(severity, code, file, org_code=None, message_has=(), **kw) -> dict:
    return {"severity": severity, "code": code, "file": file, "org_code": org_code,
            "message_has": list(message_has), **kw}


ALL_2024 = [[o, 2024] for o in ("XAA01", "XAB02", "XAC03", "XAD04")]


def build(root: Path) -> None:
    def rows(path):
        return read_rows(root / path)

    def text(path):
        return (root / path).read_text(encoding="utf-8")

    def with_cell(path, field, value, **where):
        header, rs = rows(path)
        idx = {h: i for i, h in enumerate(header)}
        for r in rs:
            if all(r[idx[k]] == v for k, v in where.items()):
                r[idx[field]] = value
        return csv_bytes(header, rs)

    # --- issue 7: the robustness corpus -------------------------------------------------------
    pay = text("2024/pay.csv").replace("XAB02,white,", "XAB02,white,", 1)
    pay_lines = pay.splitlines(keepends=True)
    bad_line = next(i for i, l in enumerate(pay_lines) if l.startswith("XAB02,bme,")) + 1
    pay_lines[bad_line - 1] = pay_lines[bad_line - 1].replace("18.50", "£18.50")
    case("wrong-encoding",
         "2024/pay.csv saved from Excel as Windows-1252 ('CSV' rather than 'CSV UTF-8'): the £ on XAB02's line is "
         "byte 0xA3. Every other line is ASCII, the same in both encodings, so only XAB02's return is left out.",
         1, [p("error", "not-utf8", "2024/pay.csv", "XAB02", ["2024/pay.csv is not UTF-8", f"line {bad_line}",
                                                             "0xa3", "CSV UTF-8"], row=bad_line)],
         files={"2024/pay.csv": "".join(pay_lines).encode("cp1252")}, left_out=[["XAB02", 2024]])

    reg = text("organisations.csv").replace("Northbrook Hospitals", "Northbrook Hôpitaux", 1)
    case("wrong-encoding-register", "The register saved as Windows-1252: the ô on XAA01's line is byte 0xF4; "
         "that organisation's returns are left out, the rest are published.",
         1, [p("error", "not-utf8", "organisations.csv", "XAA01", ["organisations.csv is not UTF-8", "line 2",
                                                                  "0xf4"], row=2)],
         files={"organisations.csv": reg.encode("cp1252")}, left_out=[["XAA01", 2023], ["XAA01", 2024]])

    case("bom", "2024/recruitment.csv starts with a UTF-8 byte order mark: accepted silently.", 0, [],
         files={"2024/recruitment.csv": b"\xef\xbb\xbf" + text("2024/recruitment.csv").encode()})

    case("crlf", "2024/board.csv has Windows line ends (CRLF): accepted silently.", 0, [],
         files={"2024/board.csv": text("2024/board.csv").replace("\n", "\r\n").encode()})

    tr = text("2024/training.csv").splitlines()
    case("blank-lines", "2024/training.csv has blank lines, a line of commas and a trailing blank line: ignored.",
         0, [], files={"2024/training.csv": ("\n".join(tr[:3] + ["", ",,", "   "] + tr[3:]) + "\n\n").encode()})

    header, rs = rows("2024/disciplinary.csv")
    line = line_of(root / "2024/disciplinary.csv", org_code="XAB02", ethnicity="white")
    rs[line - 2] = rs[line - 2] + ["7"]
    case("ragged-line", "One line of 2024/disciplinary.csv has an extra cell (a stray comma).", 1,
         [p("error", "ragged-line", "2024/disciplinary.csv", "XAB02",
            [f"line {line} has 4 cells but the header has 3", "stray or missing comma"], row=line)],
         files={"2024/disciplinary.csv": csv_bytes(header, rs)}, left_out=[["XAB02", 2024]])

    case("header-case-spacing",
         "2024/recruitment.csv's header typed by hand: ' Org Code', 'Ethnicity ', 'SHORTLISTED'. Accepted with a warning.",
         0, [p("warning", "header-normalised", "2024/recruitment.csv", None,
               ["'Org Code' as 'org_code'", "'SHORTLISTED' as 'shortlisted'"], row=1)],
         files={"2024/recruitment.csv": text("2024/recruitment.csv").replace(
             "org_code,ethnicity,shortlisted,appointed", " Org Code,Ethnicity ,SHORTLISTED,appointed", 1).encode()})

    header, rs = rows("2024/board.csv")
    case("missing-column", "2024/board.csv has no executive_members column: every return in the file is left out.",
         1, [p("error", "missing-column", "2024/board.csv", None,
               ["the column 'executive_members' is missing", "Every return in 2024/board.csv is left out"],
               row=1, field="executive_members")],
         files={"2024/board.csv": csv_bytes(header[:-1], [r[:-1] for r in rs])}, left_out=ALL_2024)

    header, rs = rows("2024/training.csv")
    case("extra-column", "2024/training.csv has an extra 'notes' column: ignored with a warning.", 0,
         [p("warning", "extra-column", "2024/training.csv", None, ["'notes'", "ignored"], row=1, field="notes")],
         files={"2024/training.csv": csv_bytes(header + ["notes"], [r + ["checked by HR"] for r in rs])})

    case("stray-file", "A year folder holds a stray copy and a README: reported as warnings, not fatal.", 0,
         [p("warning", "stray-entry", "2024/board (copy).csv", None, ["is not one of the files", "ignored"]),
          p("warning", "stray-entry", "2024/README.txt", None, ["ignored"])],
         files={"2024/board (copy).csv": text("2024/board.csv").encode(), "2024/README.txt": b"notes\n"})

    case("empty-file", "2024/disciplinary.csv is empty (0 bytes).", 1,
         [p("error", "empty-file", "2024/disciplinary.csv", None,
            ["2024/disciplinary.csv is empty", "expected a header line", "Every return of 2024 is left out"])],
         files={"2024/disciplinary.csv": b""}, left_out=ALL_2024)

    case("too-large", "2024/workforce.csv is 200 MB (made sparse by the test): refused unread.", 1,
         [p("error", "file-too-large", "2024/workforce.csv", None,
            ["200 MB", "over the limit of 50 MB", "not read"])],
         sparse={"2024/workforce.csv": 200}, left_out=ALL_2024)

    line = line_of(root / "2024/recruitment.csv", org_code="XAC03", ethnicity="white")
    case("thousands-separator", "A count written with a thousands separator, \"1,234\".", 1,
         [p("error", "schema-type-error", "2024/recruitment.csv", "XAC03",
            ["shortlisted must be a whole number, 0 or more", "found '1,234'",
             "remove the thousands separator: 1234"], row=line, field="shortlisted")],
         files={"2024/recruitment.csv": with_cell("2024/recruitment.csv", "shortlisted", "1,234",
                                                  org_code="XAC03", ethnicity="white")},
         left_out=[["XAC03", 2024]])

    line = line_of(root / "2024/staff_survey.csv", org_code="XAD04", indicator="6", ethnicity="bme")
    case("percent-sign", "A survey percentage written with a percent sign, 29.5%.", 1,
         [p("error", "schema-type-error", "2024/staff_survey.csv", "XAD04",
            ["percent must be a number from 0 to 100", "found '29.5%'", "without the % sign: 29.5"],
            row=line, field="percent")],
         files={"2024/staff_survey.csv": with_cell("2024/staff_survey.csv", "percent", "29.5%",
                                                   org_code="XAD04", indicator="6", ethnicity="bme")},
         left_out=[["XAD04", 2024]])

    line = line_of(root / "2024/board.csv", org_code="XAB02", ethnicity="bme")
    case("lower-case-ods-code", "An ODS code written in lower case, xab02.", 1,
         [p("error", "schema-constraint-error", "2024/board.csv", "XAB02",
            ["org_code must be an ODS code", "found 'xab02'", "upper case: 'XAB02'"], row=line, field="org_code")],
         files={"2024/board.csv": with_cell("2024/board.csv", "org_code", "xab02", org_code="XAB02",
                                            ethnicity="bme")},
         left_out=[["XAB02", 2024]])

    line = line_of(root / "organisations.csv", org_code="XAC03")
    case("register-markup", "A register row whose name holds a script tag: that organisation's returns are left out.",
         1, [p("error", "unsafe-text", "organisations.csv", "XAC03", ["org_name holds markup", "<script>"],
               row=line, field="org_name")],
         files={"organisations.csv": with_cell("organisations.csv", "org_name",
                                               "Hillford <script>alert('x')</script> Trust", org_code="XAC03")},
         left_out=[["XAC03", 2023], ["XAC03", 2024]])

    line = line_of(root / "organisations.csv", org_code="XAD04")
    case("register-formula", "A register row whose name starts with = (a spreadsheet would run it).", 1,
         [p("error", "unsafe-text", "organisations.csv", "XAD04", ["leading =", "formula"], row=line,
            field="org_name")],
         files={"organisations.csv": with_cell("organisations.csv", "org_name", '=HYPERLINK("http://x.example","Click")',
                                               org_code="XAD04")},
         left_out=[["XAD04", 2023], ["XAD04", 2024]])

    # --- the WRES rules, one defect each (like the hold-out set) -------------------------------
    line = line_of(root / "2024/recruitment.csv", org_code="XAA01", ethnicity="bme")
    case("appointed-above-shortlisted", "More appointed than shortlisted.", 1,
         [p("error", "count-above-total", "2024/recruitment.csv", "XAA01",
            ["appointed (500) is more than shortlisted"], row=line, field="appointed")],
         files={"2024/recruitment.csv": with_cell("2024/recruitment.csv", "appointed", "500", org_code="XAA01",
                                                  ethnicity="bme")},
         left_out=[["XAA01", 2024]])

    line = line_of(root / "2024/board.csv", org_code="XAC03", ethnicity="white")
    case("voting-above-members", "More voting board members than board members.", 1,
         [p("error", "count-above-total", "2024/board.csv", "XAC03", ["voting_members (9) is more than members (6)"],
            row=line, field="voting_members")],
         files={"2024/board.csv": with_cell("2024/board.csv", "voting_members", "9", org_code="XAC03",
                                            ethnicity="white")},
         left_out=[["XAC03", 2024]])

    line = line_of(root / "2024/training.csv", org_code="XAB02", ethnicity="white")
    case("training-above-headcount", "More staff trained than the workforce headcount of that ethnicity.", 1,
         [p("error", "training-above-headcount", "2024/training.csv", "XAB02",
            ["accessed_training (999999) is more than the workforce headcount of white staff"],
            row=line, field="accessed_training")],
         files={"2024/training.csv": with_cell("2024/training.csv", "accessed_training", "999999", org_code="XAB02",
                                               ethnicity="white")},
         left_out=[["XAB02", 2024]])

    line = line_of(root / "2024/workforce.csv", org_code="XAD04", staff_group="medical_dental", band="trainee",
                   ethnicity="unknown")
    case("negative-count", "A negative headcount.", 1,
         [p("error", "schema-constraint-error", "2024/workforce.csv", "XAD04",
            ["headcount must be a whole number, 0 or more", "found '-5'"], row=line, field="headcount")],
         files={"2024/workforce.csv": with_cell("2024/workforce.csv", "headcount", "-5", org_code="XAD04",
                                                staff_group="medical_dental", band="trainee", ethnicity="unknown")},
         left_out=[["XAD04", 2024]])

    line = line_of(root / "2024/workforce.csv", org_code="XAA01", staff_group="non_clinical", band="band_5",
                   ethnicity="white")
    case("unknown-band", "A band written as on a payslip, 'Band 5'.", 1,
         [p("error", "schema-constraint-error", "2024/workforce.csv", "XAA01",
            ["band must be one of", "found 'Band 5'"], row=line, field="band")],
         files={"2024/workforce.csv": with_cell("2024/workforce.csv", "band", "Band 5", org_code="XAA01",
                                                staff_group="non_clinical", band="band_5", ethnicity="white")},
         left_out=[["XAA01", 2024]])

    line = line_of(root / "2024/workforce.csv", org_code="XAB02", staff_group="medical_dental", band="consultant",
                   ethnicity="white")
    case("band-not-in-group", "A medical_dental row with an Agenda for Change band (band_5).", 1,
         [p("error", "band-not-in-group", "2024/workforce.csv", "XAB02",
            ["band band_5 is not a band of staff group medical_dental", "consultant, non_consultant_career_grade"],
            row=line, field="band")],
         files={"2024/workforce.csv": with_cell("2024/workforce.csv", "band", "band_5", org_code="XAB02",
                                                staff_group="medical_dental", band="consultant", ethnicity="white")},
         left_out=[["XAB02", 2024]])

    line = line_of(root / "2024/returns.csv", org_code="XAC03")
    case("date-format", "submitted_on written DD/MM/YYYY.", 1,
         [p("error", "schema-type-error", "2024/returns.csv", "XAC03",
            ["submitted_on must be a date written YYYY-MM-DD", "write it as 2024-06-30"], row=line,
            field="submitted_on")],
         files={"2024/returns.csv": with_cell("2024/returns.csv", "submitted_on", "30/06/2024", org_code="XAC03")},
         left_out=[["XAC03", 2024]])

    case("javascript-link", "report_url is a javascript: link.", 1,
         [p("error", "unsafe-link", "2024/returns.csv", "XAB02", ["report_url must be a web address",
                                                                  "javascript:"], field="report_url")],
         files={"2024/returns.csv": with_cell("2024/returns.csv", "report_url", "javascript:alert(1)",
                                              org_code="XAB02")},
         left_out=[["XAB02", 2024]])

    header, rs = rows("2024/training.csv")
    case("duplicate-row", "The same (org_code, ethnicity) twice in 2024/training.csv.", 1,
         [p("error", "duplicate-row", "2024/training.csv", "XAD04", ["already given on line"], row=len(rs) + 2)],
         files={"2024/training.csv": csv_bytes(header, rs + [rs[-1]])}, left_out=[["XAD04", 2024]])

    header, rs = rows("2024/workforce.csv")
    extra = [[c.replace("XAA01", "XZZ99") for c in r] for r in rs if r[0] == "XAA01"]
    case("unknown-organisation", "Workforce rows for an organisation not in the register.", 1,
         [p("error", "unknown-organisation", "2024/workforce.csv", "XZZ99", ["not in the register"],
            row=len(rs) + 2, field="org_code"),
          p("error", "missing-from-file", "2024/returns.csv", "XZZ99", ["no row in returns.csv"])],
         files={"2024/workforce.csv": csv_bytes(header, rs + extra)}, left_out=[["XZZ99", 2024]])

    header, rs = rows("2024/returns.csv")
    case("missing-from-returns", "An organisation with figures but no line in returns.csv.", 1,
         [p("error", "missing-from-file", "2024/returns.csv", "XAC03", ["XAC03 has rows in other files of 2024"])],
         files={"2024/returns.csv": csv_bytes(header, [r for r in rs if r[0] != "XAC03"])},
         left_out=[["XAC03", 2024]])

    header, rs = rows("2024/board.csv")
    case("missing-from-file", "An organisation with no rows in board.csv though indicator 9 was collected.", 1,
         [p("error", "missing-from-file", "2024/board.csv", "XAD04", ["XAD04 has no rows in board.csv"])],
         files={"2024/board.csv": csv_bytes(header, [r for r in rs if r[0] != "XAD04"])},
         left_out=[["XAD04", 2024]])

    case("missing-file", "2024/board.csv is missing although indicator 9 was collected.", 1,
         [p("error", "missing-file", "2024/board.csv", None, ["2024/board.csv is missing", "indicators 9"])],
         delete=["2024/board.csv"], left_out=ALL_2024)

    case("survey-not-collected", "2023 has no staff_survey.csv and collections.csv says 5-8 were not collected: fine.",
         0, [])

    case("year-not-in-collections", "A 2025 folder with no row in collections.csv.", 1,
         [p("error", "year-not-in-collections", "2025", None, ["no row in collections.csv"])],
         copy={"2025": "2024"}, left_out=[[o, 2025] for o, _ in ALL_2024])

    case("stray-folder", "A stray folder at the top of the data folder.", 0,
         [p("warning", "stray-entry", "old-returns", None, ["ignored"])],
         files={"old-returns/notes.txt": b"old\n"})


def build_issue_16(root: Path) -> None:
    """Hostile input and faults, round two (issue 16)."""
    def text(path):
        return (root / path).read_text(encoding="utf-8")

    # 2. crashes
    case("no-publishable-return", "returns.csv of both years is empty: no return at all can be published.", 1,
         [p("error", "empty-file", "2023/returns.csv", None, ["2023/returns.csv is empty"]),
          p("error", "empty-file", "2024/returns.csv", None, ["2024/returns.csv is empty"])],
         files={"2023/returns.csv": b"", "2024/returns.csv": b""},
         left_out=[[o, y] for y in (2023, 2024) for o, _ in ALL_2024])
    case("empty-collections", "collections.csv is 0 bytes: every year is unknown, so every return is left out.", 1,
         [p("error", "empty-file", "collections.csv", None, ["collections.csv is empty"]),
          p("error", "year-not-in-collections", "2024", None, ["no row in collections.csv"])],
         files={"collections.csv": b""}, left_out=[[o, y] for y in (2023, 2024) for o, _ in ALL_2024])
    case("year-folder-0999", "A year folder named 0999: not a collection year, not read (it used to crash the "
         "badges).", 1,
         [p("error", "year-out-of-range", "0999", None, ["0999/", "not a WRES collection year", "not read"])],
         copy={"0999": "2024"})
    case("year-9999-in-collections", "collections.csv lists the year 9999.", 1,
         [p("error", "year-out-of-range", "collections.csv", None, ["year 9999 is after next year"], row=4,
            field="year")],
         files={"collections.csv": (text("collections.csv") + "9999,9999-03-31,1-9,\n").encode()})

    # 3. folder and link tricks
    case("arabic-indic-year-folder", "A folder named with Arabic-Indic digits (2024) holding a broken return: it "
         "is not a year folder and does not replace the real 2024.", 0,
         [p("warning", "stray-entry", "\u0662\u0660\u0662\u0664", None, ["digits other than 0-9", "ignored"])],
         files={"\u0662\u0660\u0662\u0664/returns.csv": b""})
    case("full-width-year-folder", "A folder named with full-width digits (２０２４) holding a broken return.", 0,
         [p("warning", "stray-entry", "\uff12\uff10\uff12\uff14", None, ["digits other than 0-9"])],
         files={"\uff12\uff10\uff12\uff14/returns.csv": b""})
    secret = "root:x:0:0:SECRET-OUTSIDE-LINE:/root:/bin/bash\n"
    case("link-to-file-outside", "2024/pay.csv is a symbolic link to a file outside the data folder: refused "
         "unread, so that year's returns are left out.", 1,
         [p("error", "link-outside", "2024/pay.csv", None, ["symbolic link to a place outside the data folder",
                                                           "not read", "every return of 2024 is left out"])],
         outside={"passwd": secret}, symlink={"2024/pay.csv": "../../outside/passwd"},
         never_shown=["SECRET-OUTSIDE-LINE"], left_out=ALL_2024)
    case("link-to-folder-outside", "A year folder 2022 that is a link to a folder outside the data folder.", 1,
         [p("error", "link-outside", "2022/", None, ["outside the data folder", "not read"])],
         outside={"2022/returns.csv": "org_code,SECRET-OUTSIDE-LINE\n"}, symlink={"2022": "../outside/2022"},
         never_shown=["SECRET-OUTSIDE-LINE"])
    case("link-register-outside", "organisations.csv is a link out of the data folder: nothing can be checked.", 2,
         [], outside={"organisations.csv": secret}, symlink={"organisations.csv": "../outside/organisations.csv"},
         never_shown=["SECRET-OUTSIDE-LINE"],
         stops_with=["organisations.csv is a symbolic link to a place outside the data folder", "not read"])
    case("symlink-loop", "2024/board.csv is a link to itself: one clear error (not 'missing' and 'ignored').", 1,
         [p("error", "broken-link", "2024/board.csv", None, ["leads nowhere", "loop"])],
         absent=[p("warning", "stray-entry", "2024/board.csv"), p("error", "missing-file", "2024/board.csv")],
         symlink={"2024/board.csv": "board.csv"}, left_out=ALL_2024)
    case("folder-named-as-a-file", "2024/board.csv is a folder: one clear error (not 'missing' and 'ignored').", 1,
         [p("error", "not-a-file", "2024/board.csv", None, ["is not a file", "not read"])],
         absent=[p("warning", "stray-entry", "2024/board.csv"), p("error", "missing-file", "2024/board.csv")],
         delete=["2024/board.csv"], files={"2024/board.csv/notes.txt": b"notes\n"}, left_out=ALL_2024)


def build_issue_16_rows(root: Path) -> None:
    """One damaged row leaves out only its organisation's return (issue 16, point 9)."""
    def text(path):
        return (root / path).read_text(encoding="utf-8")

    line = line_of(root / "2024/workforce.csv", org_code="XAB02", staff_group="non_clinical", band="band_5",
                   ethnicity="white")
    lines = text("2024/workforce.csv").splitlines(keepends=True)
    lines[line - 1] = lines[line - 1].replace(",band_5,", ",band\x005,", 1)
    case("nul-byte-in-one-row", "A NUL byte in one cell of XAB02's row of 2024/workforce.csv: only XAB02's "
         "2024 return is left out, not the year.", 1,
         [p("error", "nul-byte", "2024/workforce.csv", "XAB02", [f"line {line}", "NUL byte", "the 2024 return of XAB02 is "
                                                                  "left out"], row=line)],
         files={"2024/workforce.csv": "".join(lines).encode()}, left_out=[["XAB02", 2024]])

    line = line_of(root / "2024/training.csv", org_code="XAC03", ethnicity="bme")
    lines = text("2024/training.csv").splitlines(keepends=True)
    lines[line - 1] = "\x00" + lines[line - 1]
    case("nul-byte-before-org-code", "A NUL byte before the org_code of one line: the line is still XAC03's, and "
         "only XAC03's 2024 return is left out.", 1,
         [p("error", "nul-byte", "2024/training.csv", "XAC03", [f"line {line}", "org_code XAC03"], row=line)],
         files={"2024/training.csv": "".join(lines).encode()}, left_out=[["XAC03", 2024]])

    lines = text("2024/training.csv").splitlines(keepends=True)
    lines.insert(3, "#\x00# ?,\x00\n")
    case("nul-byte-junk-line", "A line of junk holding NUL bytes and no org_code in 2024/training.csv: it cannot "
         "be tied to a return, so every return in that file is left out (as for a line without org_code).", 1,
         [p("error", "nul-byte", "2024/training.csv", None, ["line 4", "cannot be tied to a return"], row=4)],
         files={"2024/training.csv": "".join(lines).encode()}, left_out=ALL_2024)

    line = line_of(root / "2024/returns.csv", org_code="XAC03")
    case("ten-mb-cell", "XAC03's report_url is a 10 MB cell (made by the test): only XAC03's 2024 return is "
         "left out.", 1,
         [p("error", "line-too-long", "2024/returns.csv", "XAC03", [f"line {line}", "10.0 MB long",
                                                                   "the 2024 return of XAC03 is left out"], row=line)],
         long_cell=[{"file": "2024/returns.csv", "field": "report_url", "mb": 10, "where": {"org_code": "XAC03"}}],
         left_out=[["XAC03", 2024]])

    line = line_of(root / "2024/training.csv", org_code="XAB02", ethnicity="white")
    case("stray-quote-mark", "A quote mark opened in XAB02's row of 2024/training.csv and never closed: it "
         "swallowed every line after it into one cell. Only XAB02's 2024 return is left out; the lines after it "
         "are read again on their own.", 1,
         [p("error", "stray-quote", "2024/training.csv", "XAB02", [f"line {line}", "opens a quote mark",
                                                                  "Remove the stray quote mark"], row=line)],
         absent=[p("error", "missing-from-file", "2024/training.csv", "XAC03")],
         files={"2024/training.csv": text("2024/training.csv").replace("XAB02,white,", 'XAB02,"white,', 1).encode()},
         left_out=[["XAB02", 2024]])

    case("empty-optional-file", "2024/pay.csv is 0 bytes: pay is optional, so it is treated as absent, with a "
         "warning.", 0,
         [p("warning", "empty-optional-file", "2024/pay.csv", None, ["empty (0 bytes)", "treated as absent"])],
         files={"2024/pay.csv": b""})


def build_issue_16_text(root: Path) -> None:
    """Invisible control characters in text (issue 16, point 10)."""
    def with_cell(path, field, value, **where):
        header, rs = read_rows(root / path)
        idx = {h: i for i, h in enumerate(header)}
        for r in rs:
            if all(r[idx[k]] == v for k, v in where.items()):
                r[idx[field]] = value
        return csv_bytes(header, rs)

    line = line_of(root / "organisations.csv", org_code="XAC03")
    case("line-separator-in-name", "U+2028 (LINE SEPARATOR) inside an organisation's name: it would break every "
         "chart on its page. Refused with its line; only that organisation's returns are left out.", 1,
         [p("error", "control-character", "organisations.csv", "XAC03",
            [f"line {line}", "U+2028 (LINE SEPARATOR)", "delete it", "every return of XAC03 is left out"],
            row=line)],
         absent=[p("error", "unknown-organisation", "2024/workforce.csv", "XAC03")],
         files={"organisations.csv": with_cell("organisations.csv", "org_name", "Hillford\u2028Community Trust",
                                               org_code="XAC03")},
         left_out=[["XAC03", 2023], ["XAC03", 2024]])
    line = line_of(root / "organisations.csv", org_code="XAD04")
    case("right-to-left-override", "U+202E (RIGHT-TO-LEFT OVERRIDE) in a system name: it would show the text "
         "backwards in the page.", 1,
         [p("error", "control-character", "organisations.csv", "XAD04", ["U+202E (RIGHT-TO-LEFT OVERRIDE)"],
            row=line)],
         files={"organisations.csv": with_cell("organisations.csv", "system_name", "Pennine \u202eevaC",
                                               org_code="XAD04")},
         left_out=[["XAD04", 2023], ["XAD04", 2024]])
    line = line_of(root / "2024/returns.csv", org_code="XAA01")
    case("escape-sequence-in-link", "An ESC sequence (a terminal hyperlink) inside XAA01's report_url.", 1,
         [p("error", "control-character", "2024/returns.csv", "XAA01", ["U+001B (ESCAPE)"], row=line)],
         files={"2024/returns.csv": with_cell("2024/returns.csv", "report_url",
                                              "https://xaa01.example.org/\x1b]8;;https://evil.example/\x07x",
                                              org_code="XAA01")},
         left_out=[["XAA01", 2024]])


def build_issue_16_values(root: Path) -> None:
    """Impossible values are errors, implausible ones warnings (issue 16, point 5)."""
    def with_cell(path, field, value, **where):
        header, rs = read_rows(root / path)
        idx = {h: i for i, h in enumerate(header)}
        for r in rs:
            if all(r[idx[k]] == v for k, v in where.items()):
                r[idx[field]] = value
        return csv_bytes(header, rs)

    line = line_of(root / "2024/disciplinary.csv", org_code="XAD04", ethnicity="white")
    case("disciplinary-above-headcount", "500,000 white staff entering the disciplinary process in a trust of a "
         "few thousand: impossible, so an error (it used to give a 'significant' likelihood).", 1,
         [p("error", "disciplinary-above-headcount", "2024/disciplinary.csv", "XAD04",
            ["entered_formal_process (500,000) is more than the workforce headcount of white staff"], row=line,
            field="entered_formal_process")],
         files={"2024/disciplinary.csv": with_cell("2024/disciplinary.csv", "entered_formal_process", "500000",
                                                   org_code="XAD04", ethnicity="white")},
         left_out=[["XAD04", 2024]])
    line = line_of(root / "2024/disciplinary.csv", org_code="XAA01", ethnicity="bme")
    header, rs = read_rows(root / "2024/workforce.csv")
    bme = sum(int(r[4]) for r in rs if r[0] == "XAA01" and r[3] == "bme")
    case("disciplinary-share-high", "A quarter of BME staff entering the disciplinary process: possible, so a "
         "warning.", 0,
         [p("warning", "disciplinary-share-high", "2024/disciplinary.csv", "XAA01", ["please check it"], row=line,
            field="entered_formal_process")],
         files={"2024/disciplinary.csv": with_cell("2024/disciplinary.csv", "entered_formal_process", str(bme // 4),
                                                   org_code="XAA01", ethnicity="bme")})
    for name, value, shown in (("pay-infinite", "inf", "found inf"), ("pay-1e308", "1e308", "found 1e+308"),
                               ("pay-in-pence", "1850", "found 1850")):
        line = line_of(root / "2024/pay.csv", org_code="XAB02", ethnicity="white")
        case(name, f"mean_hourly_pay written as {value}: impossible, an error (never printed as a figure).", 1,
             [p("error", "pay-out-of-range", "2024/pay.csv", "XAB02", ["from 0 to 1,000", shown], row=line,
                field="mean_hourly_pay")],
             files={"2024/pay.csv": with_cell("2024/pay.csv", "mean_hourly_pay", value, org_code="XAB02",
                                              ethnicity="white")},
             left_out=[["XAB02", 2024]])
    line = line_of(root / "2024/pay.csv", org_code="XAC03", ethnicity="bme")
    case("pay-implausible", "median_hourly_pay of £2.50: possible only by mistake, a warning.", 0,
         [p("warning", "pay-implausible", "2024/pay.csv", "XAC03", ["£2.50 an hour", "£5 to £200"], row=line,
            field="median_hourly_pay")],
         files={"2024/pay.csv": with_cell("2024/pay.csv", "median_hourly_pay", "2.50", org_code="XAC03",
                                          ethnicity="bme")})


def build_issue_16_terminal(root: Path) -> None:
    """Nothing printed from data can drive the terminal (issue 16, point 6)."""
    case("escape-in-file-name", "A stray file whose name holds an OSC sequence (retitles the terminal) and a "
         "right-to-left override (made by the test): reported, printed with the characters escaped.", 0,
         [p("warning", "stray-entry", "2024/\x1b]0;pwned\x07notes.csv", None, ["ignored"]),
          p("warning", "stray-entry", "2024/\u202etxt.csv", None, ["ignored"])],
         made_files=["2024/\x1b]0;pwned\x07notes.csv", "2024/\u202etxt.csv"], text_too=True)
    line = line_of(root / "organisations.csv", org_code="XAB02")
    header, rs = read_rows(root / "organisations.csv")
    rs[line - 2][1] = "Riverside \x1b[2J\x1b]8;;https://evil.example/\x07Trust\x9b31m"
    case("escape-in-organisation-name", "An organisation name that clears the screen, plants a link and uses the "
         "8-bit CSI: refused, and nothing of it reaches the terminal raw.", 1,
         [p("error", "control-character", "organisations.csv", "XAB02", ["U+001B (ESCAPE)"], row=line)],
         files={"organisations.csv": csv_bytes(header, rs)}, text_too=True,
         left_out=[["XAB02", 2023], ["XAB02", 2024]])


def build_issue_16_messages(root: Path) -> None:
    """Clearer messages (issue 16, point 12)."""
    import random

    def text(path):
        return (root / path).read_text(encoding="utf-8")

    case("title-row-above-header", "A spreadsheet's 'Sheet1,,,,' row above the header of 2024/workforce.csv: said "
         "plainly, not as five missing columns.", 1,
         [p("error", "title-above-header", "2024/workforce.csv", None,
            ["line 1 was read as the header ('Sheet1')", "the real header looks like line 2",
             "Delete the line(s) above the header"], row=1)],
         absent=[p("error", "missing-column", "2024/workforce.csv")],
         files={"2024/workforce.csv": ("Sheet1,,,,\n" + text("2024/workforce.csv")).encode()}, left_out=ALL_2024)
    junk = random.Random(16).randbytes(400)
    junk = junk[:40] + b";" + junk[40:]
    case("random-bytes", "2024/board.csv holds 400 random bytes (among them a NUL and a ;): said to be a binary "
         "file, with no claim about semicolons and no list of missing columns.", 1,
         [p("error", "nul-byte", "2024/board.csv", None, ["looks like a binary file"])],
         absent=[p("error", "wrong-delimiter", "2024/board.csv"), p("error", "missing-column", "2024/board.csv")],
         files={"2024/board.csv": junk}, left_out=ALL_2024)
    case("random-bytes-without-nul", "The same bytes with no NUL: said not to be UTF-8 text, with no claim about "
         "semicolons and no list of missing columns.", 1,
         [p("error", "not-utf8", "2024/board.csv", None, ["is not UTF-8 text", "line 1"])],
         absent=[p("error", "wrong-delimiter", "2024/board.csv"), p("error", "missing-column", "2024/board.csv")],
         files={"2024/board.csv": junk.replace(b"\x00", b"\xff")}, left_out=ALL_2024)


def build_issue_16_bounds(root: Path) -> None:
    """Problems are listed within bounds, the rest summarised (issue 16, point 4)."""
    case("million-extra-columns", "2024/training.csv's header has a million extra columns (made by the test): ten "
         "are listed and one warning counts the rest; every line is then ragged, so the file's returns are left "
         "out.", 1,
         [p("warning", "extra-column", "2024/training.csv", None, ["999,990 more columns", "ignored"], row=1),
          p("warning", "extra-column", "2024/training.csv", None, ["'x0'"], row=1, field="x0"),
          p("error", "ragged-line", "2024/training.csv", "XAA01", ["the header has 1,000,003"])],
         wide_header={"2024/training.csv": 1_000_000}, max_problems=40, left_out=ALL_2024)
    case("stray-comma-every-line", "Every data line of 2024/workforce.csv has a stray cell: the first 20 lines and "
         "each organisation's first are listed, one error counts the rest.", 1,
         [p("error", "ragged-line", "2024/workforce.csv", "XAD04", ["has 6 cells but the header has 5"]),
          p("error", "ragged-line", "2024/workforce.csv", None, ["more errors like those above", "not listed one "
                                                                   "by one"])],
         stray_comma_every_line=["2024/workforce.csv"], max_problems=30, left_out=ALL_2024)


def build_issue_19(root: Path) -> None:
    """What people filling in a real return get wrong (issue 19, organisations)."""
    def blanked(resource, code, fields):
        header, rs = read_rows(root / f"2024/{resource}.csv")
        idx = {h: i for i, h in enumerate(header)}
        for r in rs:
            if r[idx["org_code"]] == code:
                for f in fields:
                    r[idx[f]] = ""
        return csv_bytes(header, rs)

    def with_cells(resource, changes):
        header, rs = read_rows(root / f"2024/{resource}.csv")
        idx = {h: i for i, h in enumerate(header)}
        for where, field, value in changes:
            for r in rs:
                if all(r[idx[k]] == v for k, v in where.items()):
                    r[idx[field]] = value
        return csv_bytes(header, rs)

    figures = {"workforce": ["headcount"], "recruitment": ["shortlisted", "appointed"],
               "disciplinary": ["entered_formal_process"], "training": ["accessed_training"],
               "staff_survey": ["percent", "respondents"], "board": ["members", "voting_members", "executive_members"],
               "pay": ["headcount", "mean_hourly_pay", "median_hourly_pay"]}
    line = line_of(root / "2024/workforce.csv", org_code="XAB02")
    case("blank-return", "A template sent back with no figure filled in: every count, percent and pay cell empty.", 1,
         [p("error", "no-figures", "2024/workforce.csv", "XAB02", ["no figures in this return", "not available"],
            row=line, field="headcount")],
         files={f"2024/{r}.csv": blanked(r, "XAB02", f) for r, f in figures.items()},
         left_out=[["XAB02", 2024]])

    header, rs = read_rows(root / "2024/staff_survey.csv")
    mine = [r for r in rs if r[0] == "XAB02"]
    line = line_of(root / "2024/staff_survey.csv", org_code="XAB02", indicator="5", ethnicity="white")
    case("survey-fractions", "Survey percentages written as fractions: 0.255 for 25.5%.", 1,
         [p("error", "survey-fraction", "2024/staff_survey.csv", "XAB02",
            ["percent is 0.255", "look like fractions", "from 0 to 100", "write 25.5 for 0.255"],
            row=line, field="percent")],
         files={"2024/staff_survey.csv": with_cells("staff_survey", [
             ({"org_code": "XAB02", "indicator": r[1], "ethnicity": r[2]}, "percent", f"{float(r[3]) / 100:g}")
             for r in mine])},
         left_out=[["XAB02", 2024]])

    line = line_of(root / "2024/recruitment.csv", org_code="XAB02", ethnicity="white")
    case("misspelt-ethnicity", "An ethnicity value misspelt: whtie.", 1,
         [p("error", "schema-constraint-error", "2024/recruitment.csv", "XAB02",
            ["ethnicity must be one of white, bme, unknown", "found 'whtie'", "did you mean 'white'?"],
            row=line, field="ethnicity")],
         files={"2024/recruitment.csv": with_cells("recruitment", [
             ({"org_code": "XAB02", "ethnicity": "white"}, "ethnicity", "whtie")])},
         left_out=[["XAB02", 2024]])

    line = line_of(root / "2024/board.csv", org_code="XAB02", ethnicity="bme")
    case("bame-for-bme", "BAME written for bme: read as bme, with a note.", 0,
         [p("warning", "ethnicity-spelling", "2024/board.csv", "XAB02", ["written 'BAME'", "read as 'bme'"],
            row=line, field="ethnicity")],
         files={"2024/board.csv": with_cells("board", [
             ({"org_code": "XAB02", "ethnicity": "bme"}, "ethnicity", "BAME")])})

    line = line_of(root / "2024/recruitment.csv", org_code="XAB02", ethnicity="bme")
    case("appointed-looks-like-percent", "An appointment rate, 25%, typed as the appointed count 25.", 0,
         [p("warning", "appointed-looks-like-percent", "2024/recruitment.csv", "XAB02",
            ["appointed (25) is 3.1% of shortlisted (800)", "far below the 24.8% of white", "looks like a percentage"],
            row=line, field="appointed")],
         files={"2024/recruitment.csv": with_cells("recruitment", [
             ({"org_code": "XAB02", "ethnicity": "bme"}, "shortlisted", "800"),
             ({"org_code": "XAB02", "ethnicity": "bme"}, "appointed", "25")])})


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = write_valid_data(Path(tmp) / "data")
        build(root)
        build_issue_16(root)
        build_issue_16_rows(root)
        build_issue_16_text(root)
        build_issue_16_values(root)
        build_issue_16_bounds(root)
        build_issue_16_terminal(root)
        build_issue_16_messages(root)
        build_issue_19(root)
    for old in HERE.iterdir():
        if old.is_dir() and (old / "case.json").exists():
            shutil.rmtree(old)
    for name, spec_ in CASES.items():
        folder = HERE / name
        for rel, data in spec_.pop("files").items():
            target = folder / "files" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "case.json").write_text(json.dumps(spec_, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(CASES)} cases to {HERE}")


if __name__ == "__main__":
    main()
