"""A small real data set and a write of every download, shared by the download tests.

The Dataset comes from the real validator (`validate_path`) on the fictional
data folder of tests/helpers.py, edited so that it holds a suppressed count
(`*`), an empty count, and one return with an error (left out). The Results
are a small hand-built frame of the real shape (ARCHITECTURE.md), with values
chosen to exercise the formatting (1/3), so most download tests do not depend
on the whole indicator engine; one test runs the real `results.compute`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from helpers import set_cell, write_valid_data

from generator.ingest.validate import validate_path
from generator.model.dataset import Dataset
from generator.model.release import Release, release_of

#: The return that is left out (appointed > shortlisted is an error).
LEFT_OUT = ("XAC03", 2024)
#: The count written as "*" by the publisher, and the one left empty.
SUPPRESSED_ROW = dict(org_code="XAA01", staff_group="medical_dental", band="consultant", ethnicity="unknown")
EMPTY_ROW = dict(org_code="XAB02", ethnicity="unknown")

INDICATOR_COLUMNS = ["year", "level", "code", "indicator", "measure", "breakdown", "value", "ci_lower",
                     "ci_upper", "status", "flags", "reason", "previous_value", "change", "trend", "peer_rank",
                     "peer_count", "peer_percentile"]

DANGEROUS_NAME = '=HYPERLINK("http://x","y")'


def make_data(root: Path) -> Path:
    """A data folder with a suppressed cell, an empty cell and one broken return."""
    write_valid_data(root)
    assert set_cell(root / "2024" / "workforce.csv", "headcount", "*", **SUPPRESSED_ROW) == 1
    assert set_cell(root / "2024" / "training.csv", "accessed_training", "", **EMPTY_ROW) == 1
    code, year = LEFT_OUT
    assert set_cell(root / str(year) / "recruitment.csv", "appointed", "99999", org_code=code, ethnicity="bme") == 1
    return root


def make_dataset(root: Path) -> Dataset:
    dataset = validate_path(make_data(root))
    status = dict(zip(zip(dataset.returns["org_code"], dataset.returns["year"]), dataset.returns["status"]))
    assert status[LEFT_OUT] == "left_out", status
    return dataset


def with_register_name(dataset: Dataset, code: str, name: str) -> Dataset:
    """The same data with one organisation renamed (names the validator would reject)."""
    register = dataset.register.copy()
    register["org_name"] = register["org_name"].astype(object)
    register.loc[register["org_code"] == code, "org_name"] = name
    return replace(dataset, register=register)


def _rl(a: float, n1: float, c: float, n2: float) -> tuple[float, float, float]:
    rl = (a / n1) / (c / n2)
    se = np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return rl, float(np.exp(np.log(rl) - 1.96 * se)), float(np.exp(np.log(rl) + 1.96 * se))


def hand_results(dataset: Dataset):  # noqa: ANN201
    """A small Results of the real shape: indicators 1 (share_bme, all) and 2 for every published return,
    England rows, a not-calculable figure, and goals and quality frames."""
    from generator.compute.definitions import Results

    rows = []
    wf = dataset.tables["workforce"]
    rec = dataset.tables["recruitment"]
    for (year, code), part in wf.groupby(["year", "org_code"], sort=True):
        head = part.groupby("ethnicity")["headcount"].sum()
        total = float(head.sum())
        rows.append([year, "organisation", code, 1, "share_bme", "all", 100 * head.get("bme", 0) / total,
                     None, None, "ok", "", "", None, None, "", 1, 2, 50.0])
        r = rec[(rec["year"] == year) & (rec["org_code"] == code)].set_index("ethnicity")
        rl, lo, hi = _rl(r.loc["white", "appointed"], r.loc["white", "shortlisted"],
                         r.loc["bme", "appointed"], r.loc["bme", "shortlisted"])
        rows.append([year, "organisation", code, 2, "relative_likelihood", "all", rl, lo, hi, "ok",
                     "significant" if lo > 1 or hi < 1 else "", "", None, None, "", None, None, None])
        rows.append([year, "organisation", code, 3, "relative_likelihood_2yr", "all", None, None, None,
                     "not_calculable", "", "needs last year's return", None, None, "", None, None, None])
    for year in sorted(wf["year"].unique()):
        rows.append([year, "england", "ENG", 2, "relative_likelihood", "all", 1 / 3, None, None, "ok", "", "",
                     None, None, "", None, None, None])
    ind = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    for c in ("year", "indicator"):
        ind[c] = ind[c].astype("int64")
    for c in ("peer_rank", "peer_count"):
        ind[c] = ind[c].astype("Int64")
    for c in ("value", "ci_lower", "ci_upper", "previous_value", "change", "peer_percentile"):
        ind[c] = ind[c].astype(float)
    # The columns issue 14 added (rates beside a likelihood, the trend's test, the headline flag).
    ind["rate_white"], ind["rate_bme"], ind["trend_test"], ind["trend_z"] = np.nan, np.nan, "", np.nan
    ind["headline"] = ind["indicator"] == 2
    goals = pd.DataFrame({
        "year": [2024], "level": ["organisation"], "code": ["XAA01"], "group": ["senior"], "target_year": [2028],
        "N": [120], "s0": [0.1], "T": [0.25], "turnover": [0.1], "years": [4], "fraction": [0.6],
        "one_in_k": [2], "bme_appointments_per_year": [7.2], "reachable": [True], "status": ["ok"], "reason": [""],
    })
    quality = dataset.returns[["org_code", "year"]].assign(share_unknown=4.5, completeness=1.0, warnings=0)
    return Results(indicators=ind, goals=goals, quality=quality)


def release_for(dataset: Dataset) -> Release:
    return release_of(dataset, demonstration=True)


def real_downloads(root: Path, threshold: int = 10):  # noqa: ANN201
    """(dataset, results, docs) with the real indicator engine and protection pass (withhold_below=threshold)
    over `make_dataset`'s data, and every download written into docs."""
    from generator.compute.results import compute
    from generator.model.settings import Settings
    from generator.publish.downloads import write_downloads

    dataset = make_dataset(root / "data")
    settings = Settings(withhold_below=threshold)
    results = compute(dataset, settings)
    docs = root / "docs"
    write_downloads(dataset, results, docs, settings, release_for(dataset))
    return dataset, results, docs
