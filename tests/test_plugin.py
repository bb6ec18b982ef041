"""The MkDocs side: the `wres` plugin (registered as an entry point, typed options in mkdocs.yml), run by
the build with its options given explicitly; nothing passes through the environment."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.plugins import get_plugins

from generator.integration.plugin import WresPlugin
from generator.integration.run import main

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generator"


def test_the_plugin_is_an_entry_point_and_the_configuration_uses_it():
    plugins = get_plugins()
    assert "wres" in plugins, "not registered: pip install -e . (pyproject.toml [project.entry-points])"
    assert plugins["wres"].load() is WresPlugin
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "\n  wres:" in config and "hooks:" not in config and "!ENV" not in config


def test_the_options_are_typed():
    for options in ({"shard_index": "first"}, {"static_dir": "/no/such/folder"}, {"shards": 2}):
        errors, warnings = WresPlugin().load_config(options)
        assert [name for name, _ in errors + warnings] == list(options), options
    errors, _ = WresPlugin().load_config({"shard_index": 1, "shard_count": 2})
    assert errors == []


def test_a_configuration_without_the_plugin_is_one_line(tmp_path, capsys):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# x\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    code = main(["--config-file", str(tmp_path / "mkdocs.yml"), "--docs-dir", str(tmp_path / "docs"),
                 "--site-dir", str(tmp_path / "site")])
    assert code == 1
    assert "does not use the `wres` plugin" in capsys.readouterr().err


def test_only_the_cache_root_reads_the_environment():
    """Settings reach MkDocs as the plugin's options, not as WRES_* variables; the one variable left is
    the user's override of the cache root, read in one place."""
    readers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") and \
                    isinstance(node.value, ast.Name) and node.value.id == "os":
                readers.append(path.relative_to(PACKAGE).as_posix())
    assert sorted(set(readers)) == ["build/mkdocs_build.py", "model/cache_root.py", "site/chart_svg.py"]
    text = (PACKAGE / "build" / "mkdocs_build.py").read_text(encoding="utf-8")
    assert "WRES_" not in text  # it passes the environment on to MkDocs, adding nothing of ours
    # The chart workers point fontconfig at vl-convert's own fonts (chart_svg.own_fonts_only): no setting of ours.
    text = (PACKAGE / "site" / "chart_svg.py").read_text(encoding="utf-8")
    assert "WRES_" not in text and "FONTCONFIG_FILE" in text


@pytest.mark.slow
def test_plain_mkdocs_builds_the_hand_written_pages_with_the_plugin(tmp_path):
    """`mkdocs build` on the checkout's mkdocs.yml (as `mkdocs serve` reads it): the plugin with no options."""
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / "site")], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    page = (tmp_path / "site" / "methodology" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en-GB"' in page and "__WRES_CSP__" not in page and "sha256-" in page
