"""slips.py: the slips people make filling in a return, each with a failing and a passing case."""

from __future__ import annotations

import pandas as pd

from generator.ingest import cells, slips


def typed(rows: list[dict], ints=("shortlisted", "appointed", "indicator", "headcount")) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for c in df.columns:
        if c in ints:
            df[c] = df[c].astype("Int64")
    df["_line"] = range(2, len(df) + 2)
    df["_org"] = df["org_code"]
    return df


def survey(org: str, values: list[float | None]) -> pd.DataFrame:
    keys = [(i, e) for i in (5, 6, 7, 8) for e in ("white", "bme")]
    return typed([{"org_code": org, "indicator": i, "ethnicity": e, "percent": v}
                  for (i, e), v in zip(keys, values)])


def test_survey_percentages_written_as_fractions():
    fractions = survey("RR8", [0.246, 0.3, 0.25, 0.28, 0.86, 0.7, 0.06, 0.12])
    found = slips.check_survey_fractions(fractions, "2024/staff_survey.csv", 2024)
    assert len(found) == 8 and all(p.is_error and p.code == "survey-fraction" for p in found)
    first = found[0]
    assert (first.file, first.row, first.field, first.org_code) == ("2024/staff_survey.csv", 2, "percent", "RR8")
    assert "look like fractions" in first.message and "write 24.6 for 0.246" in first.message
    # percentages, even with one small one, and an all-zero or empty return, are not judged
    assert slips.check_survey_fractions(survey("RR8", [24.6, 30, 25, 28, 86, 70, 0.6, 12]), "f", 2024) == []
    assert slips.check_survey_fractions(survey("RR8", [0] * 8), "f", 2024) == []
    assert slips.check_survey_fractions(survey("RR8", [None] * 8), "f", 2024) == []


def rec(org: str, white: tuple[int, int], bme: tuple[int, int]) -> pd.DataFrame:
    return typed([{"org_code": org, "ethnicity": e, "shortlisted": s, "appointed": a}
                  for e, (s, a) in (("white", white), ("bme", bme), ("unknown", (10, 2)))])


def test_an_appointment_rate_typed_as_the_count():
    (p,) = slips.warn_appointed_like_percent(rec("RR8", (1000, 240), (800, 24)), "2024/recruitment.csv", 2024)
    assert (p.severity, p.code, p.row, p.field) == ("warning", "appointed-looks-like-percent", 3, "appointed")
    assert "appointed (24) is 3.0% of shortlisted (800) for bme applicants" in p.message
    assert "far below the 24.0% of white applicants" in p.message and "looks like a percentage" in p.message
    # the likelihood built on it is flagged and never ranked, like any figure the validator doubted
    from generator.compute.figure_warnings import warned_figures

    assert warned_figures([p]).to_dict("records") == [{"year": 2024, "code": "RR8", "indicator": 2}]
    # either group; a low rate whose count is not near a rate; ordinary rates
    assert len(slips.warn_appointed_like_percent(rec("RR8", (900, 20), (300, 60)), "f", 2024)) == 1
    assert slips.warn_appointed_like_percent(rec("RR8", (200, 50), (100, 5)), "f", 2024) == []
    assert slips.warn_appointed_like_percent(rec("RR8", (1000, 240), (800, 150)), "f", 2024) == []


def test_a_blank_return_has_no_figures():
    wf = typed([{"org_code": o, "ethnicity": "white", "headcount": None, "headcount_suppressed": False}
                for o in ("RR8", "RAL")])
    wf.loc[1, "headcount"] = 5
    (p,) = slips.check_not_blank({"workforce": ("2024/workforce.csv", wf)}, 2024)
    assert (p.code, p.org_code, p.row, p.field) == ("no-figures", "RR8", 2, "headcount")
    assert "no figures in this return" in p.message
    wf.loc[0, "headcount_suppressed"] = True  # a withheld count is a figure
    assert slips.check_not_blank({"workforce": ("2024/workforce.csv", wf)}, 2024) == []


def test_did_you_mean_for_a_misspelt_code():
    (rule,) = [r for r in cells.rules("recruitment") if r.name == "ethnicity"]
    assert cells.message(rule, "whtie").endswith("found 'whtie'; did you mean 'white'?")
    assert "did you mean 'unknown'?" in cells.message(rule, "unkown")
    assert "did you mean" not in cells.message(rule, "purple")
