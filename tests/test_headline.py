"""The headline table (one row per organisation per year): every cell is the figure indicators.csv marks as
that organisation's headline, nothing of a left-out return, and the first year's indicator 3 falls back."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from download_fixtures import LEFT_OUT, make_dataset

from generator.compute.results import compute
from generator.model.settings import Settings
from generator.publish.headline import FIGURE_COLUMNS, INDICATORS, columns, headline_table


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    dataset = make_dataset(tmp_path_factory.mktemp("headline") / "data")
    results = compute(dataset, Settings())
    return dataset, results, headline_table(results.indicators, dataset.register)


def test_one_row_per_published_return_in_year_then_code_order(figures):
    dataset, _, table = figures
    assert list(table.columns) == columns()
    published = dataset.returns[dataset.returns["status"] != "left_out"]
    want = sorted(zip(published["year"].astype(int), published["org_code"].astype(str)))
    assert list(zip(table["year"], table["org_code"])) == want
    assert (LEFT_OUT[1], LEFT_OUT[0]) not in set(zip(table["year"], table["org_code"]))
    names = dict(zip(dataset.register["org_code"], dataset.register["org_name"]))
    assert list(table["org_name"]) == [names[c] for c in table["org_code"]]


def test_every_figure_is_the_headline_row_of_indicators_csv(figures):
    _, results, table = figures
    ind = results.indicators
    heads = ind[(ind["level"] == "organisation") & ind["headline"]].set_index(["year", "code", "indicator"])
    checked = 0
    for row in table.itertuples(index=False):
        row = row._asdict()
        for n in INDICATORS:
            key = (row["year"], row["org_code"], n)
            for c in FIGURE_COLUMNS:
                got, want = row[f"i{n}_{c}"], heads.loc[key, c] if key in heads.index else np.nan
                assert (pd.isna(got) and pd.isna(want)) or got == want, (key, c, got, want)
                checked += 1
    assert checked == len(table) * 9 * len(FIGURE_COLUMNS)
    first = table[table["year"] == table["year"].min()]
    assert set(first["i3_measure"]) == {"relative_likelihood"}  # no two-year figure in the first year
    assert "relative_likelihood_2yr" in set(table["i3_measure"])


def test_register_order_does_not_change_the_table(figures):
    dataset, results, table = figures
    shuffled = dataset.register.sample(frac=1, random_state=1)
    pd.testing.assert_frame_equal(headline_table(results.indicators.sample(frac=1, random_state=2), shuffled), table)
