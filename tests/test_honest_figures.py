"""Issue 14: every verdict in indicators.csv is backed by the rule it names (small hand-made datasets)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from indicator_fixtures import fig, make_dataset, org, pairs, workforce_rows

from generator.compute.results import compute
from generator.model.problems import warning
from generator.model.settings import Settings


def test_the_senior_gap_is_computed_over_one_set_of_organisations():
    # XAA01 complete; XAB02's senior count is suppressed (*) but its whole-workforce count is known.
    # The old gap took the whole-workforce share over both and the senior share over XAA01 only.
    wf = (workforce_rows(2024, "XAA01", {("non_clinical", "band_3"): (80, 20, 0), ("non_clinical", "band_8a"): (18, 2, 0)})
          + workforce_rows(2024, "XAB02", {("non_clinical", "band_3"): (10, 90, 0),
                                           ("non_clinical", "band_8a"): (5, "*", 0)}))
    res = compute(make_dataset([org("XAA01"), org("XAB02")], workforce=wf), Settings())
    gap = fig(res, year=2024, level="system", code="QXA", indicator=1, measure="senior_gap_pp", breakdown="all")
    # over XAA01 alone: 22/120 - 2/20 = 18.33 - 10 = 8.3 pp (the old figure mixed in XAB02's 90 BME staff)
    assert gap["value"] == pytest.approx(8.3)
    assert "members_left_out" in gap["flags"] and gap["reason"].startswith("1 of 2 organisations left out")


def test_headline_is_one_measure_per_figure_and_voting_members_for_indicator_9():
    board = pairs(2024, "XAA01", (12, 8, 5), (1, 0, 0), (0, 0, 0))
    wf = workforce_rows(2024, "XAA01", {("non_clinical", "band_3"): (80, 20, 0)})
    dis = pairs(2023, "XAA01", (3,), (2,)) + pairs(2024, "XAA01", (4,), (3,))
    wf += workforce_rows(2023, "XAA01", {("non_clinical", "band_3"): (80, 20, 0)})
    res = compute(make_dataset([org("XAA01")], workforce=wf, board=board, disciplinary=dis), Settings())
    df = res.indicators
    per = df.groupby(["year", "level", "code", "indicator"])["headline"].sum()
    assert (per == 1).all(), per[per != 1]
    head9 = df[(df["indicator"] == 9) & df["headline"]]
    assert set(head9["measure"]) == {"gap_pp_voting"}
    # 0 of 8 voting members BME against 20% of the workforce: -20.0 pp (all members: 1 of 13, -12.3 pp)
    assert fig(head9, year=2024, level="organisation", code="XAA01")["value"] == -20.0
    # indicator 3: the two-year figure where it is ok (2024), the single-year one where it is not (2023)
    h3 = df[(df["indicator"] == 3) & df["headline"] & (df["level"] == "organisation")].set_index("year")["measure"]
    assert h3[2024] == "relative_likelihood_2yr" and h3[2023] == "relative_likelihood"


def test_classes_agree_with_the_figure_as_published():
    # indicator 4 = (tw/nw)/(tb/nb): 1599/2000 over 1000/1000 = 0.7995, printed 0.80 and once classed adverse;
    # 1251/2000 over 1000/2000 = 1.251, printed 1.25 and once classed adverse
    trn = pairs(2024, "XAA01", (1599,), (1000,)) + pairs(2024, "XAB02", (1251,), (1000,))
    wf = (workforce_rows(2024, "XAA01", {("non_clinical", "band_3"): (2000, 1000, 0)})
          + workforce_rows(2024, "XAB02", {("non_clinical", "band_3"): (2000, 2000, 0)}))
    res = compute(make_dataset([org("XAA01"), org("XAB02", system="QXB")], workforce=wf, training=trn), Settings())
    a = fig(res, level="organisation", code="XAA01", indicator=4, measure="relative_likelihood")
    b = fig(res, level="organisation", code="XAB02", indicator=4, measure="relative_likelihood")
    assert (1599 / 2000) / (1000 / 1000) == pytest.approx(0.7995) and (1251 / 2000) / (1000 / 2000) == 1.251
    assert a["value"] == 0.80 and "within_range" in a["flags"].split(";") and "adverse_to_white" not in a["flags"]
    assert b["value"] == 1.25 and "within_range" in b["flags"].split(";") and "adverse_to_bme" not in b["flags"]
    # the rates beside the ratio, in percent (2 decimals)
    assert (a["rate_white"], a["rate_bme"]) == (79.95, 100.0)


def test_both_rates_are_published_beside_every_likelihood_even_when_it_is_not_calculable():
    rec = pairs(2024, "XAA01", (199, 45), (27, 0))
    dis = pairs(2024, "XAA01", (6,), (0,))
    wf = workforce_rows(2024, "XAA01", {("non_clinical", "band_3"): (1423, 431, 0)})
    res = compute(make_dataset([org("XAA01")], workforce=wf, recruitment=rec, disciplinary=dis), Settings())
    r2 = fig(res, level="organisation", code="XAA01", indicator=2, measure="relative_likelihood")
    assert r2["status"] == "not_calculable"
    assert (r2["rate_white"], r2["rate_bme"]) == (round(100 * 45 / 199, 2), 0.0)
    r3 = fig(res, level="organisation", code="XAA01", indicator=3, measure="relative_likelihood")
    # indicator 3 compares BME over White, but rate_white is still the White rate
    assert (r3["rate_white"], r3["rate_bme"]) == (round(100 * 6 / 1423, 2), 0.0)


def test_zero_of_431_is_not_ranked_and_its_interval_includes_one():
    dis = pairs(2024, "XAA01", (6,), (0,)) + pairs(2024, "XAB02", (30,), (12,)) + pairs(2024, "XAC03", (20,), (10,))
    wf = [r for c, n in (("XAA01", (1423, 431, 0)), ("XAB02", (1500, 500, 0)), ("XAC03", (1000, 400, 0)))
          for r in workforce_rows(2024, c, {("non_clinical", "band_3"): n})]
    res = compute(make_dataset([org("XAA01"), org("XAB02"), org("XAC03")], workforce=wf, disciplinary=dis), Settings())
    r = fig(res, level="organisation", code="XAA01", indicator=3, measure="relative_likelihood")
    assert r["value"] == 0 and r["ci_lower"] == 0 and r["ci_upper"] > 1 and "significant" not in r["flags"]
    assert "small_numbers" in r["flags"] and pd.isna(r["peer_rank"])
    ranked = res.indicators[(res.indicators["indicator"] == 3) & res.indicators["peer_rank"].notna()]
    assert set(ranked["code"]) == {"XAB02", "XAC03"} and set(ranked["peer_count"]) == {2}


def test_a_figure_the_validator_warned_about_carries_the_warning_and_is_not_ranked():
    rec = (pairs(2024, "XAA01", (100, 97), (100, 60)) + pairs(2024, "XAB02", (200, 50), (100, 20))
           + pairs(2024, "XAC03", (200, 60), (100, 25)))
    ds = make_dataset([org("XAA01"), org("XAB02"), org("XAC03")], recruitment=rec)
    ds.problems.append(warning("appointed-close-to-shortlisted", "2024/recruitment.csv", "appointed is 97% of "
                               "shortlisted", org_code="XAA01", year=2024))
    res = compute(ds, Settings())
    r = fig(res, level="organisation", code="XAA01", indicator=2, measure="relative_likelihood")
    assert "validator_warning" in r["flags"].split(";") and pd.isna(r["peer_rank"])
    assert fig(res, level="organisation", code="XAB02", indicator=2, measure="relative_likelihood")["peer_count"] == 2


def test_untested_changes_never_carry_a_verdict_and_every_verdict_names_its_test():
    # survey percentages without respondents: a 10-point rise is not_tested
    sv = [(y, "XAA01", 5, e, p, None) for y, pw, pb in ((2023, 20.0, 20.0), (2024, 20.0, 30.0))
          for e, p in (("white", pw), ("bme", pb))]
    rec = pairs(2023, "XAA01", (1000, 400), (1000, 200)) + pairs(2024, "XAA01", (1000, 300), (1000, 280))
    res = compute(make_dataset([org("XAA01")], staff_survey=sv, recruitment=rec), Settings())
    df = res.indicators
    verdict = df["trend"].isin(["improved", "worsened"])
    assert not (verdict & df["flags"].str.contains("trend_untested")).any()
    assert (df.loc[verdict, "trend_test"] == "z_distance").all() and df.loc[verdict, "trend_z"].abs().gt(1.96).all()
    gap = fig(df, year=2024, level="organisation", code="XAA01", indicator=5, measure="gap_pp")
    assert gap["trend"] == "not_tested" and gap["trend_test"] == "not_tested" and "trend_untested" in gap["flags"]
    # 2.0 -> 1.07: closer to parity, clearly, and by more than the minimum: improved, with its z
    rl = fig(df, year=2024, level="organisation", code="XAA01", indicator=2, measure="relative_likelihood")
    assert rl["trend"] == "improved" and rl["trend_test"] == "z_distance" and rl["trend_z"] < -1.96


def test_rates_are_never_published_beside_a_figure_built_on_a_withheld_count():
    rec = pairs(2024, "XAA01", (199, 45), (27, 0)) + pairs(2024, "XAB02", (300, 60), (100, 4))
    res = compute(make_dataset([org("XAA01"), org("XAB02")], recruitment=rec), Settings(withhold_below=5))
    for code in ("XAA01", "XAB02"):  # 0 and 4 BME appointed: below 5
        r = fig(res, level="organisation", code=code, indicator=2, measure="relative_likelihood")
        assert pd.isna(r["rate_white"]) and pd.isna(r["rate_bme"]), code
    # the system sums 4 BME appointments of 127: still below 5, withheld
    s = fig(res, level="system", code="QXA", indicator=2, measure="relative_likelihood")
    assert s["status"] == "suppressed" and pd.isna(s["rate_bme"])


def test_no_spurious_precision_in_any_computed_table():
    from pathlib import Path

    from generator.ingest.validate import validate_path

    res = compute(validate_path(Path(__file__).resolve().parent.parent / "data"), Settings())
    for name, most in (("indicators", 2), ("goals", 4), ("quality", 1)):
        df = getattr(res, name)
        for col in df.columns:
            if not pd.api.types.is_float_dtype(df[col]):
                continue
            v = df[col].to_numpy(dtype="float64")
            v = v[np.isfinite(v)]
            assert np.allclose(v * 10 ** most, np.round(v * 10 ** most), atol=1e-6), (name, col)
