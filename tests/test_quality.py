"""Data quality per return, by hand."""

from __future__ import annotations

import math

import pytest
from indicator_fixtures import make_dataset, org, pairs, workforce_rows

from generator.compute.quality import QUALITY_COLUMNS
from generator.compute.results import compute
from generator.model.problems import warning
from generator.model.settings import Settings


def test_quality_per_return():
    wf = workforce_rows(2024, "XAA01", {("non_clinical", "band_5"): (70, 20, 10)})
    wf += workforce_rows(2024, "XAB02", {("non_clinical", "band_5"): (50, "*", None)})
    ds = make_dataset([org("XAA01"), org("XAB02")], years={2024: "1,2,3,4,9"}, workforce=wf,
                      recruitment=pairs(2024, "XAA01", (10, 2), (10, None)))
    ds.problems = [warning("headcount_change", "2024/workforce.csv", "big change", org_code="XAA01", year=2024),
                   warning("appointed_share", "2024/recruitment.csv", "high", org_code="XAA01", year=2024),
                   warning("headcount_change", "2024/workforce.csv", "again", org_code="XAA01", year=2024)]
    ds.returns.loc[ds.returns["org_code"] == "XAA01", "warnings"] = 3
    q = compute(ds, Settings()).quality
    assert list(q.columns) == QUALITY_COLUMNS
    a = q[q["org_code"] == "XAA01"].iloc[0]
    assert a["share_unknown"] == pytest.approx(10.0)  # 10 of 100
    assert a["warnings"] == 3 and a["warning_codes"] == "appointed_share;headcount_change"
    # 1,2,3,4,9 need workforce, recruitment, disciplinary, training, board (+ returns): 6 required
    assert a["files_present"] == "returns;workforce;recruitment"
    assert a["files_missing"] == "disciplinary;training;board"
    assert a["completeness"] == pytest.approx(50.0)
    # count cells: 3 headcounts + 4 recruitment, one empty: 6 of 7
    assert a["cells_filled"] == pytest.approx(round(600 / 7, 1))  # published to 1 decimal
    b = q[q["org_code"] == "XAB02"].iloc[0]
    assert math.isnan(b["share_unknown"])  # a count suppressed, one empty: not calculable
    assert b["cells_filled"] == pytest.approx(round(100 / 3, 1))
    assert b["warning_codes"] == "" and b["warnings"] == 0
