"""Table 1 of NHS England's November 2018 board paper comes out of returns whose totals match it.

| | 2016 | 2017 | 2018 |
|---|---|---|---|
| BME share of workforce | 17.40% (204,377) | 18.09% (216,644) | 18.94% (230,189) |
| BME share of bands 8a to VSM | 9.74% (6,447) | 10.40% (7,207) | 11.20% (8,146) |
| gap, percentage points | 7.65 | 7.69 | 7.74 |

The paper gives BME counts and shares, not totals, so the totals are chosen
to give its shares: 2016 N = 1,174,851 (17.3960%), senior 66,164 (9.7440%),
gap 7.6520; 2017 1,197,590 / 69,298; 2018 1,215,359 / 72,732. They are spread
unevenly over five fictional organisations of different types and regions,
across staff groups and bands: medical consultants (not senior), bands below
8a, and every senior band 8a to VSM of both non-medical groups.
"""

from __future__ import annotations

import pytest
from indicator_fixtures import fig, make_dataset, org

from generator.compute.results import compute
from generator.model.settings import Settings

TABLE = {  # year: (BME all, N all, BME senior, N senior, paper share all, senior, gap)
    2016: (204377, 1174851, 6447, 66164, 17.40, 9.74, 7.65),
    2017: (216644, 1197590, 7207, 69298, 18.09, 10.40, 7.69),
    2018: (230189, 1215359, 8146, 72732, 18.94, 11.20, 7.74),
}
ORGS = [org("XAA01", "acute", "Y56", "QXA"), org("XAB02", "mental_health", "Y58", "QXB"),
        org("XAC03", "community", "Y60", None), org("XAD04", "ambulance", "Y62", "QXC"),
        org("XAE05", "ccg", "Y63", "QXD")]
WEIGHTS = (0.31, 0.24, 0.2, 0.15, 0.1)
SENIOR = [(g, b) for g in ("non_clinical", "clinical_non_medical")
          for b in ("band_8a", "band_8b", "band_8c", "band_8d", "band_9", "vsm")]
OTHER = [("non_clinical", "band_2"), ("clinical_non_medical", "band_5"), ("medical_dental", "consultant"),
         ("medical_dental", "trainee")]


def _split(total: int, parts: int, weights) -> list[int]:
    """Whole numbers summing to total, in proportion to weights."""
    raw = [int(total * w / sum(weights)) for w in weights[:parts]]
    raw[-1] += total - sum(raw)
    return raw


def _rows() -> list[tuple]:
    rows = []
    for year, (b_all, n_all, b_sen, n_sen, *_) in TABLE.items():
        unknown_sen, unknown_oth = n_sen // 20, (n_all - n_sen) // 15
        for i, (o, _w) in enumerate(zip(ORGS, WEIGHTS)):
            share = lambda t, i=i: _split(t, len(WEIGHTS), WEIGHTS)[i]  # noqa: E731
            for cells, b, n, u in ((SENIOR, b_sen, n_sen, unknown_sen),
                                   (OTHER, b_all - b_sen, n_all - n_sen, unknown_oth)):
                bo, no, uo = share(b), share(n), share(u)
                weights = list(range(1, len(cells) + 1))
                for (g, band), bc, uc, tc in zip(cells, _split(bo, len(cells), weights),
                                                 _split(uo, len(cells), weights[::-1]),
                                                 _split(no, len(cells), weights)):
                    rows += [(year, o["org_code"], g, band, "bme", bc), (year, o["org_code"], g, band, "unknown", uc),
                             (year, o["org_code"], g, band, "white", tc - bc - uc)]
    return rows


def test_the_constructed_returns_have_the_papers_totals():
    rows = _rows()
    assert all(r[5] >= 0 for r in rows)
    for year, (b_all, n_all, b_sen, _n_sen, *_) in TABLE.items():
        yr = [r for r in rows if r[0] == year]
        assert sum(r[5] for r in yr if r[4] == "bme") == b_all
        assert sum(r[5] for r in yr) == n_all
        assert sum(r[5] for r in yr if r[4] == "bme" and (r[2], r[3]) in SENIOR) == b_sen


@pytest.fixture(scope="module")
def res():
    return compute(make_dataset(ORGS, years={y: "1" for y in TABLE}, workforce=_rows()), Settings())


@pytest.mark.parametrize("year", sorted(TABLE))
def test_table_1_at_england_level(res, year):
    b_all, n_all, b_sen, n_sen, share_all, share_sen, gap = TABLE[year]
    e = dict(year=year, level="england", code="ENG", indicator=1)
    # The paper prints 2 decimals; the site publishes shares and gaps to 1 (rounding.py), each rounded from
    # the exact figure, so each must be the paper's figure to within half a unit of the 1st decimal.
    assert abs(fig(res, **e, measure="share_bme", breakdown="all")["value"] - share_all) <= 0.05 + 0.005
    assert abs(fig(res, **e, measure="share_bme", breakdown="senior")["value"] - share_sen) <= 0.05 + 0.005
    assert abs(fig(res, **e, measure="senior_gap_pp", breakdown="all")["value"] - gap) <= 0.05 + 0.005
    assert fig(res, **e, measure="share_bme", breakdown="all")["value"] == round(share_all, 1)
    assert fig(res, **e, measure="headcount", breakdown="all")["value"] == n_all
    assert fig(res, **e, measure="headcount", breakdown="senior")["value"] == n_sen
