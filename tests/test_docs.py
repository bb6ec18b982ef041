"""Every command, option and setting is documented, or this fails.

Like datasette's documentation tests: adding a command-line option or a
setting without saying what it does in the README is a bug.
"""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from generator.cli import main
from generator.model.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "wres") -> list[tuple[str, click.Command]]:
    found = []
    for name, cmd in sorted(group.commands.items()):
        full = f"{prefix} {name}"
        if isinstance(cmd, click.Group):
            found.extend(_commands(cmd, full))
        else:
            found.append((full, cmd))
    return found


COMMANDS = _commands(main)


def test_every_command_is_found():
    names = {name for name, _ in COMMANDS}
    assert {"wres validate", "wres build", "wres serve", "wres sample", "wres template",
            "wres register import-ods"} <= names


@pytest.mark.parametrize("name,cmd", COMMANDS, ids=[n for n, _ in COMMANDS])
def test_command_and_its_options_are_in_the_readme(name, cmd):
    assert f"`{name}" in README, f"{name} is not documented in README.md"
    for param in cmd.params:
        if isinstance(param, click.Option):
            for opt in param.opts + param.secondary_opts:
                if opt.startswith("--") and opt != "--help":
                    assert opt in README, f"{name} {opt} is not documented in README.md"


@pytest.mark.parametrize("setting", Settings.names())
def test_every_setting_is_in_the_readme(setting):
    assert f"`{setting}`" in README, f"setting {setting} is not documented in README.md"


def test_quick_start_has_exactly_two_commands():
    import re

    section = re.search(r"^## Quick start$(.*?)(?=^## )", README, re.S | re.M).group(1)
    blocks = re.findall(r"```[^\n]*\n(.*?)```", section, re.S)
    commands = [line for block in blocks for line in block.splitlines() if line.strip()]
    assert len(commands) == 2
    assert "build" in commands[0] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    import re

    section = re.search(r"^## Quick start$(.*?)(?=^## )", README, re.S | re.M).group(1)
    test_command = re.findall(r"```[^\n]*\n(.*?)```", section, re.S)[1].strip()
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
