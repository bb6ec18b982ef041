"""The protection pass against an intruder (issue 15): nothing published lets a withheld count back.

The intruder (tests/intruder.py) reads what a reader can download and solves
for every withheld count; these tests give it the downloads of a small piece
of the bundled data (one region, two years, every kind of unit: trusts, a
merged pair of CCGs, an integrated care board), written with withholding on.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

from generator.build.pipeline import run_build
from generator.compute import protection
from generator.compute.counts import lineage_members
from generator.compute.results import compute
from generator.ingest.validate import validate_path
from generator.model.release import release_of
from generator.model.settings import WITHHOLD_BELOW_REAL, Settings
from generator.publish.downloads import write_downloads

sys.path.insert(0, str(Path(__file__).parent))
import intruder  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data"
YEARS = ("2023", "2024")
REGION = "Y63"


@pytest.fixture(scope="module")
def region(tmp_path_factory) -> Path:
    """One region of the bundled data, two years."""
    out = tmp_path_factory.mktemp("region")
    reg = pd.read_csv(DATA / "organisations.csv", dtype=str, keep_default_na=False)
    reg = reg[reg["region_code"] == REGION]
    reg.to_csv(out / "organisations.csv", index=False)
    col = pd.read_csv(DATA / "collections.csv", dtype=str, keep_default_na=False)
    col[col["year"].isin(YEARS)].to_csv(out / "collections.csv", index=False)
    for y in YEARS:
        (out / y).mkdir()
        for f in (DATA / y).glob("*.csv"):
            t = pd.read_csv(f, dtype=str, keep_default_na=False)
            t[t["org_code"].isin(reg["org_code"])].to_csv(out / y / f.name, index=False)
    return out


def _downloads(data: Path, out: Path, threshold: int, old: bool = False) -> Path:
    dataset = validate_path(data)
    settings = Settings(withhold_below=threshold)
    if old:  # the withholding before this pass: complementary suppression inside one band only
        real = protection.protect
        protection.protect = lambda dataset, counts, members, results, settings: results
        try:
            results = compute(dataset, settings)
        finally:
            protection.protect = real
    else:
        results = compute(dataset, settings)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    write_downloads(dataset, results, out, settings, release_of(dataset, True))
    return out


@pytest.mark.slow  # runs the intruder (tests/intruder.py)
def test_the_intruder_recovers_counts_from_the_old_withholding(region, tmp_path):
    n, recovered = intruder.attack(_downloads(region, tmp_path / "old", 10, old=True), stop_after=1)
    assert n > 0 and recovered


@pytest.mark.slow
def test_nothing_withheld_can_be_recovered_at_10(region, tmp_path):
    site = _downloads(region, tmp_path / "new", 10)
    n, recovered = intruder.attack(site)
    assert n > 0  # withheld counts do appear in published equations
    assert recovered == []


def test_withheld_figures_are_blank_in_every_column(region):
    r = compute(validate_path(region), Settings(withhold_below=10))
    ind = r.indicators
    gone = ind[ind["reason"] == protection.WITHHELD_REASON]
    assert len(gone)
    for c in ind.columns:
        if c in protection.KEY_COLUMNS:
            continue
        assert gone[c].isna().all() or (gone[c].astype(str) == "").all(), c
    assert (gone["flags"] == "").all()
    assert r.protection["withheld_base"] >= r.protection["primary_base"] > 0


def _region_cells(region, monkeypatch) -> protection.Cells:  # noqa: ANN001
    """The protection model's cells of `region` at 10, before any withholding: `compute` runs as a build
    would, and the pass is stopped where it starts (its inputs taken, the figures left as they are)."""
    got = {}

    def grab(dataset, counts, members, results, settings):  # noqa: ANN001
        lin, _ = lineage_members(dataset.register, counts.universe)
        got["cells"] = protection.build_cells(dataset, counts, members, lin)
        return results

    monkeypatch.setattr(protection, "protect", grab)
    compute(validate_path(region), Settings(withhold_below=10))
    return got["cells"]


def test_the_audit_says_when_it_stopped_before_every_cell_was_safe(region, monkeypatch):
    """A round limit never ends the pass silently: the stats count what the last audit still recovered."""
    cells = _region_cells(region, monkeypatch)
    one = protection.Cells(**{k: (v.copy() if hasattr(v, "copy") else v) for k, v in vars(cells).items()})
    assert protection.protect_cells(one, 10, max_rounds=1)["still_recoverable"] > 0
    assert protection.protect_cells(cells, 10)["still_recoverable"] == 0


def _site(data: Path, tmp: Path, wres: str) -> Path:
    """A whole site built from `data` with mkdocs.yml's `extra: wres:` block's demonstration line replaced."""
    root = Path(__file__).resolve().parents[1]
    project = tmp / "project"
    project.mkdir()
    cfg = (root / "mkdocs.yml").read_text(encoding="utf-8")
    cfg, n = re.subn(r"(?m)^    demonstration: true$", wres, cfg)
    cfg, m = re.subn(r'(?m)^    site_url: ""$', "    site_url: https://wres.example.org/", cfg)
    assert n == 1 and m == 1
    (project / "mkdocs.yml").write_text(cfg, encoding="utf-8")
    shutil.copytree(root / "site_src", project / "site_src")
    (project / "generator").symlink_to(root / "generator")
    run_build(data, tmp / "site", config=project / "mkdocs.yml", progress=False)
    return tmp / "site"


@pytest.mark.slow
@pytest.mark.parametrize("wres, threshold", [
    ("    demonstration: false", WITHHOLD_BELOW_REAL),  # real data, no setting: the default protects
    ("    demonstration: false\n    withhold_below: 10", 10)])
def test_no_output_of_a_built_site_gives_back_a_withheld_count(region, tmp_path, wres, threshold):
    """Every output of a whole built site: the downloads attacked (every route of tests/intruder.py), and every
    other data file (API, chart data beside pages, found by walking the site) and every page's text holding
    only figures the downloads publish. Each check is shown able to fail: a withheld figure's true value
    written into a chart's data and into a page is found."""
    site = _site(region, tmp_path, wres)
    quality = pd.read_csv(site / "downloads" / "quality.csv", dtype=str, keep_default_na=False)
    assert len(quality)
    n, recovered = intruder.attack(site)
    assert n > 0 and recovered == []
    seen, odd = intruder.unexplained(site)
    assert seen > 0 and odd == []
    seen, odd = intruder.unexplained_text(site)
    assert seen > 0 and odd == []
    # The checks can fail: a withheld figure's true value (from the same data without withholding) shown.
    free = compute(validate_path(region), Settings(withhold_below=0)).indicators
    ind = pd.read_csv(site / "downloads" / "indicators.csv", dtype=str, keep_default_na=False)
    gone = ind[(ind["reason"] == protection.WITHHELD_REASON) & (ind["level"] == "organisation")]
    assert len(gone)
    pub = set().union(*intruder._published(site / "downloads").values())
    key = ["year", "level", "code", "indicator", "measure", "breakdown"]
    true = free.astype({"year": str, "indicator": str}).merge(gone[key], on=key)["value"].dropna().round(1)
    leak = next(v for v in true if intruder._key(v) not in pub and v > 0)
    chart = next(site.rglob("organisations/*/charts.csv"))
    chart.write_text(chart.read_text(encoding="utf-8") + f"leak,leak,{int(gone['year'].iloc[0])},x,,,{leak},,\n",
                     encoding="utf-8")
    assert any(str(leak) in o for o in intruder.unexplained(site)[1])
    page = site / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</main>", f"<p>{leak}%</p></main>"), encoding="utf-8")
    assert any(str(leak) in o for o in intruder.unexplained_text(site)[1])


def test_a_pinned_count_is_released_by_withholding_the_sums_a_move_breaks():
    """A 2x2 table of withheld counts with its margins published can move round its cycle (+1, -1, -1, +1);
    one more published sum, a diagonal, pins all four. The release finds the move and withholds only the sum
    it breaks (the diagonal, the cheapest to break); every count can then take two whole numbers."""
    import numpy as np
    from scipy import sparse

    from generator.compute.protection_audit import feasible_ranges
    from generator.compute.protection_release import component_release

    x = np.array([3.0, 5.0, 4.0, 6.0])  # a, b, c, d
    A = sparse.csr_matrix(np.array([[1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 0, 1.0]]))
    b = A @ x
    F = sparse.csr_matrix(np.eye(4))
    lo, hi = feasible_ranges(A, b, F, x)
    assert (hi - lo < 1).all()  # all four pinned
    weight = np.array([5.0, 5.0, 5.0, 5.0, 1.0])
    rows, freed = component_release(A, F, x, np.arange(4), weight)
    assert list(rows) == [4] and list(freed) == [0, 1, 2, 3]
    lo, hi = feasible_ranges(A[:4], b[:4], F, x)
    assert (hi - lo >= 1 - 1e-6).all()
    # Made dearer than two margins, the diagonal stays and two margins go.
    rows, freed = component_release(A, F, x, np.arange(4), np.array([1.0, 5.0, 1.0, 5.0, 9.0]))
    assert 4 not in rows and len(freed) == 4


def test_every_cell_the_audit_recovers_is_released_in_the_same_round(region, monkeypatch):
    """The audit's rounds end: what one round recovers is freed by its moves, so the next audit finds at most
    what the new withholding itself exposes (before, one pinning sum at a time: about thirty rounds on the
    bundled data). With the last resort from the first round (every published sum holding one of a
    recovered cell's counts withheld), the pass ends too, and withholds more."""
    from generator.compute import protection_rules

    cells = _region_cells(region, monkeypatch)
    copy = protection.Cells(**{k: (v.copy() if hasattr(v, "copy") else v) for k, v in vars(cells).items()})
    stats = protection.protect_cells(cells, 10)
    assert stats["still_recoverable"] == 0 and stats["released"] > 0 and stats["audit_rounds"] <= 2
    monkeypatch.setattr(protection_rules, "LAST_RESORT_AFTER", 0)
    last = protection.protect_cells(copy, 10)
    assert last["still_recoverable"] == 0 and last["last_resort_cells"] > 0 and last["released"] == 0
    assert last["withheld_cells"] > stats["withheld_cells"]
