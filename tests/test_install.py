"""A non-editable install works anywhere: `pip install .` into a fresh virtual environment, then
`wres validate`, `wres template` and `wres build` run from a folder that is not the checkout.

The environment sees the machine's packages (--system-site-packages) so that nothing is downloaded
but the build backend; the generator itself must come from the wheel, never from the checkout.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("install")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    # Build from a copy: the wheel must be made from what is committed to the folders, not a stale build/.
    src = base / "src"
    leave_out = shutil.ignore_patterns(".git", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis")

    def ignore(folder: str, names: list[str]) -> set[str]:
        top = {"build", "site"} & set(names) if Path(folder) == ROOT else set()  # setuptools' and wres' output
        return set(leave_out(folder, names)) | top

    shutil.copytree(ROOT, src, ignore=ignore)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(src)], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    shutil.rmtree(src)  # nothing may be read from the checkout's copy
    work = base / "elsewhere"
    work.mkdir()
    return {"python": python, "wres": venv / "bin" / "wres", "env": env, "cwd": work}


def run(installed: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(installed["wres"]), *args], cwd=installed["cwd"], env=installed["env"],
                          capture_output=True, text=True, timeout=600)


def test_the_generator_comes_from_the_wheel(installed):
    where = subprocess.run([str(installed["python"]), "-c", "import generator; print(generator.__file__)"],
                           cwd=installed["cwd"], env=installed["env"], capture_output=True, text=True, check=True)
    assert "site-packages" in where.stdout and str(ROOT) not in where.stdout
    resources = Path(where.stdout.strip()).parent / "resources"
    for name in ("schemas", "mkdocs.yml", "site_src/docs/methodology.md", "site_src/overrides/main.html",
                 "data/organisations.csv", "data/collections.csv", "registers/ods-organisations.csv",
                 "registers/README.md"):
        assert (resources / name).exists(), name


def test_validate_template_and_build_from_another_folder(installed):
    done = run(installed, "validate", str(ROOT / "data"))
    assert done.returncode == 0, done.stdout[-1000:] + done.stderr[-1000:]
    assert "0 errors" in done.stdout

    done = run(installed, "template", "2024", "--out", "blank")
    assert done.returncode == 0, done.stderr
    assert (installed["cwd"] / "blank" / "2024" / "workforce.csv").is_file()

    # A real trust's code is found in the NHS ODS register shipped in the wheel; a blank return is no return.
    done = run(installed, "template", "2024", "--out", "real", "--org-code", "RR8")
    done = run(installed, "validate", "real/2024")
    assert done.returncode == 1, done.stdout[-1000:] + done.stderr[-1000:]
    assert "NHS ODS register shipped with wres" in " ".join(done.stdout.split())
    assert "no figures in this return" in " ".join(done.stdout.split())

    done = run(installed, "build", "--quiet", "--data", str(ROOT / "data"), "--out", "site")
    assert done.returncode == 0, done.stdout[-1000:] + done.stderr[-2000:]
    site = installed["cwd"] / "site"
    assert (site / "index.html").is_file() and (site / "methodology" / "index.html").is_file()
    assert (site / "downloads" / "datapackage.json").is_file()
    assert "Content-Security-Policy" in (site / "index.html").read_text(encoding="utf-8")  # the hooks ran
