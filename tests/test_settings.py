"""Settings come from mkdocs.yml's extra.wres block, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.model.settings import WITHHOLD_BELOW_REAL, Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_project_config_gives_valid_settings():
    s = load_settings(ROOT / "mkdocs.yml")
    assert isinstance(s, Settings)
    assert 0 < s.goal_turnover < 1


def test_values_are_read_and_typed(tmp_path):
    cfg = tmp_path / "mkdocs.yml"
    cfg.write_text("site_name: x\ndocs_dir: docs\nextra:\n  wres:\n"
                   "    small_numbers_threshold: 5\n    goal_turnover: '0.2'\n    goal_years: [2030]\n")
    s = load_settings(cfg)
    assert s.small_numbers_threshold == 5
    assert s.goal_turnover == 0.2
    assert s.goal_years == (2030,)
    assert s.withhold_below == Settings().withhold_below


def test_unknown_setting_is_named(tmp_path):
    cfg = tmp_path / "mkdocs.yml"
    cfg.write_text("extra:\n  wres:\n    small_number_threshold: 5\n")
    with pytest.raises(SettingsError, match="small_number_threshold"):
        load_settings(cfg)


def test_bad_value_is_named(tmp_path):
    cfg = tmp_path / "mkdocs.yml"
    cfg.write_text("extra:\n  wres:\n    goal_turnover: lots\n")
    with pytest.raises(SettingsError, match="goal_turnover"):
        load_settings(cfg)


def test_unreadable_yaml_is_a_settings_error(tmp_path):
    cfg = tmp_path / "mkdocs.yml"
    cfg.write_text("site_name: [\n")
    with pytest.raises(SettingsError):
        load_settings(cfg)


def test_real_data_is_protected_unless_the_setting_opts_out(tmp_path):
    """A real-data build (demonstration: false) that says nothing about withhold_below withholds small counts
    (issue 15); fictional demonstration data publishes every count; 0 stays the explicit opt-out."""
    cfg = tmp_path / "mkdocs.yml"
    cfg.write_text("extra:\n  wres:\n    demonstration: false\n")
    assert load_settings(cfg).withhold_below == WITHHOLD_BELOW_REAL == 8
    cfg.write_text("extra:\n  wres:\n    demonstration: false\n    withhold_below: 0\n")
    assert load_settings(cfg).withhold_below == 0
    assert Settings(demonstration=True).withhold_below == 0
    assert Settings(demonstration=False, withhold_below=10).withhold_below == 10
    shipped = load_settings(Path(__file__).resolve().parents[1] / "mkdocs.yml")
    assert shipped.demonstration and shipped.withhold_below == 0
