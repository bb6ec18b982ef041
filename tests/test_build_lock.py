"""Two builds into one --out at once: the second waits, and the live site is always one whole build's.

Real `wres build` processes, started together many times over, with two data sets
that differ in every organisation's name; after each round the published folder is
compared file by file with a reference build of each data set (builds are
byte-identical, so a mixture or a half-swapped site matches neither).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import ORGS, write_valid_data

from generator.build.lock import build_lock, lock_path
from generator.build.pipeline import run_build

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("WRES_LOCK_ROUNDS", "6"))


def _digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _start(data: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "generator", "build", "--quiet", "--data", str(data),
                             "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))


@pytest.mark.slow
def test_two_builds_into_one_output_never_mix(tmp_path):
    other = tuple((c, n.replace("(fictional)", "(fictional, set B)"), *rest) for c, n, *rest in ORGS)
    data = {"A": write_valid_data(tmp_path / "A"), "B": write_valid_data(tmp_path / "B", orgs=other)}
    ref = {}
    for name, folder in data.items():
        run_build(folder, tmp_path / f"ref-{name}", progress=False)
        ref[name] = _digest(tmp_path / f"ref-{name}")
    assert ref["A"] != ref["B"]

    out = tmp_path / "shared" / "site"
    waits = 0
    for k in range(ROUNDS):
        order = ("A", "B") if k % 2 == 0 else ("B", "A")
        procs = {name: _start(data[name], out) for name in order}
        finished: list[str] = []
        outputs = {}
        while len(finished) < 2:
            for name, proc in procs.items():
                if name not in finished and proc.poll() is not None:
                    finished.append(name)
                    outputs[name] = proc.communicate()
            time.sleep(0.05)
        for name, proc in procs.items():
            assert proc.returncode == 0, outputs[name][1]
            assert "Traceback" not in outputs[name][1]
        waited = [name for name in order if "another build into" in outputs[name][1]]
        assert len(waited) <= 1, outputs
        if waited:
            waits += 1
            (who,) = waited
            assert f"another build into {out.resolve()} is running" in outputs[who][1]
            assert "waiting for it to finish" in outputs[who][1]
            assert finished[-1] == who  # the one that waited published last
        live = _digest(out)
        assert live == ref[finished[-1]], f"round {k}: the live site is not {finished[-1]}'s whole site"
    assert waits, "the builds never overlapped, so the lock was not exercised"


def test_the_lock_is_held_for_the_build_and_released_after(tmp_path):
    """A second holder must wait while the first holds the lock (tested across real processes)."""
    out = tmp_path / "site"
    with build_lock(out, progress=False):
        assert lock_path(out).read_text() == str(os.getpid())
        probe = subprocess.run(
            [sys.executable, "-c",
             "import fcntl, os, sys\n"
             "fd = os.open(sys.argv[1], os.O_RDWR)\n"
             "try:\n    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\nexcept BlockingIOError:\n    sys.exit(3)\n",
             str(lock_path(out))], capture_output=True, text=True)
        assert probe.returncode == 3, probe.stderr
    probe = subprocess.run([sys.executable, "-c",
                            "import fcntl, os, sys\nfd = os.open(sys.argv[1], os.O_RDWR)\n"
                            "fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n", str(lock_path(out))])
    assert probe.returncode == 0
