"""cells.py: the pandas screen never waves through a cell Frictionless would reject.

That is the whole correctness argument of screening in pandas and judging in
Frictionless, so it is tested as a property over every field of every schema,
plus the messages and the typed columns.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.ingest import cells
from generator.model import spec

FIELDS = [(r, rule.name) for r in ("organisations", "collections") + spec.YEAR_RESOURCES for rule in cells.rules(r)]
CELL = st.one_of(
    st.text(alphabet="0123456789-.,+eE%* :/abcxyzXAZ<>_&#'\"\t", max_size=14),
    st.sampled_from(["0", "00", "0123", "1e3", "-0", "+5", "NaN", "inf", "2024-02-30", "2024-13-01", "0001-01-01",
                     "9999-12-31", "http://", "https://a", "http://a b", "https://x.example/p?q=1#f", "http://[::1",
                     "https://exa mple.org", "HTTP://X.ORG", "white", "White", "bme", "5", "5.0", "100", "100.5",
                     "XAA01", "xaa01", "XA", "XAA012345", "XAA0123456", ""]),
    st.text(max_size=10),
)


def _frame(resource: str, field: str, values: list[str]) -> pd.DataFrame:
    """A frame whose other cells are valid, so that only `field` can fail."""
    base = {"org_code": "XAA01", "ethnicity": "white", "staff_group": "non_clinical", "band": "band_5",
            "indicator": "5", "year": "2024", "snapshot_date": "2024-03-31", "indicators": "1-9",
            "org_name": "A (fictional)", "org_type": "acute", "region_code": "Y56"}
    rows = []
    for v in values:
        row = {n: base.get(n, "") for n in cells.field_names(resource)}
        row[field] = v
        rows.append(row)
    return pd.DataFrame(rows, columns=list(cells.field_names(resource)), dtype="str")


@settings(max_examples=60, deadline=None)
@given(target=st.sampled_from(FIELDS), values=st.lists(CELL, min_size=1, max_size=8))
def test_screen_passes_only_what_frictionless_accepts(target, values):
    resource, field = target
    frame = _frame(resource, field, values)
    flagged = set(cells.candidate_rows(frame, resource).tolist())
    passed = [i for i in range(len(frame)) if i not in flagged]
    rejected = cells.frictionless_check(frame, passed, resource)
    assert rejected == [], (resource, field, [(e.cell, e.kind, e.constraint) for e in rejected])


def test_frictionless_decides_flagged_rows():
    frame = _frame("recruitment", "shortlisted", ["12", "+5", "1,234", "45%", "-1", "*", ""])
    flagged = cells.candidate_rows(frame, "recruitment").tolist()
    assert flagged == [1, 2, 3, 4]
    found = {(e.position, e.kind) for e in cells.frictionless_check(frame, flagged, "recruitment")}
    assert found == {(2, "type-error"), (3, "type-error"), (4, "constraint-error")}  # '+5' is a whole number


def test_messages_say_what_is_expected_and_how_to_fix():
    rules = {r.name: r for r in cells.rules("workforce")}
    assert cells.message(rules["headcount"], "1,234") == (
        "headcount must be a whole number, 0 or more (or empty for not available, * for suppressed); "
        "found '1,234'; remove the thousands separator: 1234")
    assert cells.message(rules["org_code"], "xaa01").endswith("upper case: 'XAA01'")
    assert cells.message(rules["ethnicity"], "BME").endswith("codes are lower case: 'bme'")
    assert cells.message(rules["ethnicity"], "") == "ethnicity is empty; ethnicity must be one of white, bme, unknown"
    survey = {r.name: r for r in cells.rules("staff_survey")}
    assert "without the % sign: 45" in cells.message(survey["percent"], "45%")
    assert "from 0 to 100" in cells.message(survey["percent"], "101")
    assert "write it without decimals: 3" in cells.message(survey["respondents"], "3.0")


def test_typed_columns():
    frame = _frame("recruitment", "shortlisted", ["12", "*", "", "+5"])
    t = cells.typed(frame, "recruitment")
    assert list(t.columns) == ["org_code", "ethnicity", "shortlisted", "appointed", "shortlisted_suppressed",
                               "appointed_suppressed"]
    assert t["shortlisted"].tolist()[0] == 12 and t["shortlisted"].tolist()[3] == 5
    assert t["shortlisted"].isna().tolist() == [False, True, True, False]
    assert t["shortlisted_suppressed"].tolist() == [False, True, False, False]
    assert t["appointed"].isna().all() and not t["appointed_suppressed"].any()
