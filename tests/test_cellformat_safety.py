"""Text written to a CSV download is never read as a formula, however a spreadsheet splits the line (issue 16)."""

from __future__ import annotations

import csv
import io

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.publish.cellformat import FORMULA_START, safe_text
from generator.publish.downloads import csv_bytes


def cells_as_split(line: str, sep: str) -> list[str]:
    """The cells a spreadsheet sees when it splits a CSV line on `sep` (honouring double quotes)."""
    return next(csv.reader(io.StringIO(line), delimiter=sep))


def test_a_formula_after_a_semicolon_is_neutralised():
    assert safe_text("Trust;=1+2;@SUM(1)") == "Trust;'=1+2;'@SUM(1)"
    assert safe_text("=A1") == "'=A1"
    assert safe_text("Trust; -5") == "Trust; '-5"
    assert safe_text("Northbrook Hospitals NHS Trust") == "Northbrook Hospitals NHS Trust"
    assert safe_text("A;B") == "A;B"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("ab =+-@;,|\t\"'1"), max_size=12), min_size=2, max_size=4))
def test_no_cell_of_a_download_starts_a_formula_whichever_separator_splits_it(cells):
    frame = pd.DataFrame({f"c{i}": [safe_text(c)] for i, c in enumerate(cells)})
    data = csv_bytes(frame).decode("utf-8")
    line = data.split("\r\n", 1)[1]
    for sep in (",", ";", "\t", "|"):
        for cell in cells_as_split(line, sep):
            assert not cell.startswith(FORMULA_START[:4]), (sep, cell, line)
