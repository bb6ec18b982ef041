"""Rank and percentile among organisations of the same type, by hand."""

from __future__ import annotations

import math

import pandas as pd
from indicator_fixtures import org

from generator.compute.peers import add_peer_ranks

REG = pd.DataFrame([org("XAA01", "acute"), org("XAB02", "acute"), org("XAC03", "acute"), org("XAD04", "acute"),
                    org("XAE05", "mental_health")])


def _rows(ind, measure, values, breakdown="all", status=None):
    return pd.DataFrame({
        "year": 2024, "level": "organisation", "code": list(values), "indicator": ind, "measure": measure,
        "breakdown": breakdown, "value": list(values.values()),
        "status": status or ["ok"] * len(values), "flags": "",
    })


def _get(out, code):
    r = out[out["code"] == code].iloc[0]
    return r["peer_rank"], r["peer_count"], r["peer_percentile"]


def test_likelihoods_rank_towards_one():
    # |ln|: 1.1 -> 0.095, 0.7 -> 0.357, 1.5 -> 0.405, 0 -> infinite (worst)
    out = add_peer_ranks(_rows(2, "relative_likelihood", {"XAA01": 1.1, "XAB02": 0.7, "XAC03": 1.5, "XAD04": 0.0,
                                                          "XAE05": 3.0}), REG)
    assert _get(out, "XAA01") == (1, 4, 100.0)
    assert _get(out, "XAB02")[:2] == (2, 4) and _get(out, "XAB02")[2] == 66.7  # 200 / 3, published to 1 decimal
    assert _get(out, "XAD04") == (4, 4, 0.0)
    rank, count, pct = _get(out, "XAE05")  # alone of its type
    assert (rank, count) == (1, 1) and math.isnan(pct)


def test_gaps_towards_zero_ties_and_indicator_7_up():
    out = add_peer_ranks(_rows(5, "gap_pp", {"XAA01": -3.0, "XAB02": 2.0, "XAC03": 2.0, "XAD04": 5.0}), REG)
    assert [_get(out, c)[0] for c in ("XAA01", "XAB02", "XAC03", "XAD04")] == [3, 1, 1, 4]
    out = add_peer_ranks(_rows(7, "gap_pp", {"XAA01": -10.0, "XAB02": -5.0}), REG)
    assert _get(out, "XAB02")[0] == 1 and _get(out, "XAA01")[0] == 2


def test_only_ok_headline_organisation_rows():
    df = pd.concat([
        _rows(2, "relative_likelihood", {"XAA01": 1.1, "XAB02": None}, status=["ok", "not_calculable"]),
        _rows(1, "share_white", {"XAA01": 80.0, "XAB02": 70.0}),
        _rows(1, "share_bme", {"XAA01": 10.0, "XAB02": 30.0}),  # no better direction: highest first
    ], ignore_index=True)
    out = add_peer_ranks(df, REG)
    assert out.loc[1, "peer_rank"] is pd.NA and out.loc[0, "peer_count"] == 1
    assert out[out["measure"] == "share_white"]["peer_rank"].isna().all()
    sb = out[out["measure"] == "share_bme"]
    assert sb["peer_rank"].tolist() == [2, 1]
