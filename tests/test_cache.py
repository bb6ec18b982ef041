"""The content-hash caches: a result is reused only when nothing it depends on changed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from generator.ingest import cache
from generator.ingest.validate import validate_path
from generator.model.settings import Settings
from tests.helpers import assert_same_dataset, set_cell, write_valid_data


def test_year_cache_gives_the_same_result_and_rechecks_only_the_changed_year(tmp_path: Path):
    root = write_valid_data(tmp_path / "data")
    years = tmp_path / "years"
    first = validate_path(root, year_cache=years)
    entries = {p.name: p.stat().st_mtime_ns for p in years.iterdir()}
    assert len(entries) == 2

    set_cell(root / "2024" / "recruitment.csv", "appointed", "999999", org_code="XAA01", ethnicity="bme")
    cached = validate_path(root, year_cache=years)
    fresh = validate_path(root)
    assert_same_dataset(cached, fresh)
    assert first.problems != cached.problems
    assert any(p.org_code == "XAA01" and p.year == 2024 and p.is_error for p in cached.problems)

    after = {p.name: p.stat().st_mtime_ns for p in years.iterdir()}
    unchanged_2023 = [n for n in after if n.startswith("2023-")]
    assert unchanged_2023 and all(after[n] == entries[n] for n in unchanged_2023)
    assert not set(n for n in after if n.startswith("2024-")) & set(entries)


def test_whole_cache_key_follows_data_and_settings(tmp_path: Path):
    root = write_valid_data(tmp_path / "data")
    key = cache.cache_key(root, Settings())
    assert cache.cache_key(root, Settings()) == key
    assert cache.cache_key(root, Settings(small_numbers_threshold=5)) != key
    set_cell(root / "2024" / "training.csv", "accessed_training", "1", org_code="XAB02", ethnicity="white")
    assert cache.cache_key(root, Settings()) != key


def test_an_entry_round_trips_replaces_the_last_and_a_damaged_one_is_removed(tmp_path: Path):
    from generator.compute.results import compute

    root = write_valid_data(tmp_path / "data")
    dataset = validate_path(root)
    results = compute(dataset, Settings())
    path = cache.entry_path(tmp_path / "c", cache.cache_key(root, Settings()))
    assert cache.read_kept(path) is None
    cache.keep(path, (dataset, results), replacing="*.pickle")
    dataset2, results2 = cache.read_kept(path)
    assert_same_dataset(dataset, dataset2)
    pd.testing.assert_frame_equal(results.indicators, results2.indicators)

    other = cache.entry_path(tmp_path / "c", cache.cache_key(root, Settings(small_numbers_threshold=5)))
    cache.keep(other, (dataset, results), replacing="*.pickle")
    assert sorted(p.name for p in path.parent.iterdir()) == [other.name]  # one entry is kept: the last

    other.write_bytes(b"not a pickle")
    assert cache.read_kept(other) is None
    assert not other.exists()


def test_an_entry_that_cannot_be_written_is_skipped_and_leaves_nothing(tmp_path: Path):
    """A cache is an economy: where it cannot be written (here its folder is a file), keep says so
    and the build goes on."""
    blocked = tmp_path / "c"
    blocked.write_text("a file where the cache folder would be")
    assert cache.keep(blocked / "x.pickle", {"a": 1}, replacing="*.pickle") is False
    assert cache.keep(tmp_path / "d" / "x.pickle", {"a": 1}, replacing="*.pickle") is True
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["x.pickle"]  # no .tmp left behind


def test_the_key_follows_the_library_versions(monkeypatch, tmp_path: Path):
    """A pandas, numpy or frictionless upgrade may change what is read or computed: no entry made under
    other versions is reused (the versions are part of code_hash, which both caches use)."""
    write_valid_data(tmp_path / "data")
    assert {"pandas", "numpy", "frictionless"} <= set(cache.LIBRARIES)
    import pandas

    assert f"pandas {pandas.__version__}" in cache.library_versions()
    cache.code_hash.cache_clear()
    before = cache.cache_key(tmp_path / "data", Settings())
    monkeypatch.setattr(cache, "library_versions", lambda: "pandas 0.0.0; numpy 0.0.0; frictionless 0.0.0")
    cache.code_hash.cache_clear()
    try:
        assert cache.cache_key(tmp_path / "data", Settings()) != before
    finally:
        monkeypatch.undo()
        cache.code_hash.cache_clear()


def test_every_cache_is_under_one_root_and_each_output_has_its_own(tmp_path: Path, monkeypatch):
    """WRES_CACHE_DIR moves the one root (else $XDG_CACHE_HOME/open-wres, else ~/.cache/open-wres); builds into
    two output folders keep their figures apart under it, and the charts' caches are under it too."""
    from generator.model.cache_root import cache_root
    from generator.site.charts import user_cache_dir

    monkeypatch.delenv("WRES_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "open-wres"
    monkeypatch.setenv("WRES_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_root() == user_cache_dir() == tmp_path / "mine"
    one, two = cache.figures_dir(tmp_path / "a" / "site"), cache.figures_dir(tmp_path / "b" / "site")
    assert one != two and one.is_relative_to(tmp_path / "mine") and two.is_relative_to(tmp_path / "mine")
    assert cache.years_dir(tmp_path / "a" / "site").parent == one.parent
