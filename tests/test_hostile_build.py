"""Whole builds of hostile data folders and faults (issue 16): no traceback, the site still says why.

Each runs the real `wres build` command in a child process, as a publisher would.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import write_valid_data

from generator.compute.results import compute
from generator.ingest.validate import validate_path
from generator.model.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def wres(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ, PYTHONPATH=str(ROOT)))


def page_text(path: Path) -> str:
    text = re.sub(r"<script.*?</script>|<[^>]+>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(text))


def test_figures_of_a_data_set_with_nothing_publishable(tmp_path):
    """Every return left out: the figures are empty, not an IndexError."""
    root = write_valid_data(tmp_path / "data")
    for year in (2023, 2024):
        (root / str(year) / "returns.csv").write_bytes(b"")
    ds = validate_path(root)
    assert (ds.returns["status"] == "left_out").all()
    results = compute(ds, Settings())
    assert not (results.indicators["level"] == "organisation").any()


@pytest.mark.slow
@pytest.mark.parametrize("how", ["empty-returns", "empty-collections"])
def test_a_build_with_nothing_publishable_still_publishes_why(tmp_path, how):
    root = write_valid_data(tmp_path / "data")
    if how == "empty-returns":
        for year in (2023, 2024):
            (root / str(year) / "returns.csv").write_bytes(b"")
        why = "2024/returns.csv is empty"
    else:
        (root / "collections.csv").write_bytes(b"")
        why = "collections.csv is empty"
    out = tmp_path / "site"
    run = wres("build", "--quiet", "--data", str(root), "--out", str(out))
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode == 0, run.stderr
    assert "Published 0 returns" in run.stdout
    assert "Left out 8 returns" in run.stdout
    quality = page_text(out / "data-quality" / "index.html")
    assert "0 returns published, 8 returns left out" in quality
    assert why in quality
    assert "left out by a problem with a whole file or year (listed below)" in quality


@pytest.mark.slow
def test_a_year_folder_0999_is_reported_not_a_crash(tmp_path):
    root = write_valid_data(tmp_path / "data")
    shutil.copytree(root / "2024", root / "0999")
    out = tmp_path / "site"
    run = wres("build", "--quiet", "--data", str(root), "--out", str(out))
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode == 0, run.stderr
    assert "not a WRES collection year" in page_text(out / "data-quality" / "index.html")
    assert not (out / "organisations" / "XAA01" / "999").exists()


@pytest.mark.slow
def test_a_rejected_link_reaches_no_output(tmp_path):
    """A javascript: report_url is rejected and its return left out; it appears in no published file."""
    from helpers import set_cell

    root = write_valid_data(tmp_path / "data")
    set_cell(root / "2024" / "returns.csv", "report_url", "javascript:alert(1)", org_code="XAB02")
    out = tmp_path / "site"
    run = wres("build", "--quiet", "--data", str(root), "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert "XAB02 2024" in run.stdout  # left out, and listed
    found = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and b"alert(1)" in p.read_bytes()}
    # only where the problem is explained to the publisher, quoting what was rejected
    assert found <= {"data-quality/index.html", "search/search_index.json"}, found
    api = (out / "api" / "organisations" / "XAB02.json").read_text(encoding="utf-8")
    assert "javascript" not in api


# ----------------------------------------------------------------------------- operational faults (point 11)


def test_a_port_in_use_is_one_line_before_any_build(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        run = wres("serve", "--port", str(port), "--data", str(tmp_path / "no-data"), "--out", str(tmp_path / "s"),
                   timeout=60)
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        f"wres serve: port {port} is in use (another preview or server is running there); stop it, or choose "
        f"another port with --port"]
    assert not (tmp_path / "s").exists()


def _descendants(pid: int) -> set[int]:
    """Every process below pid (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start_build(data: Path, out: Path, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "generator", "build", "--no-cache", "--progress", "--data", str(data),
                             "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)), start_new_session=True, **kw)


def _wait_for(proc: subprocess.Popen, text: str, timeout: float = 120) -> str:
    import time

    seen, deadline = "", time.time() + timeout
    while time.time() < deadline:
        line = proc.stderr.readline()
        seen += line
        if text in line or not line:
            return seen
    return seen


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("national") / "data"
    run = wres("sample", "--scale", "national", "--out", str(out))
    assert run.returncode == 0, run.stderr
    return out


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_after_kill_9_no_helper_process_outlives_the_build(tmp_path, national):
    import signal
    import time

    proc = _start_build(national, tmp_path / "site")
    seen = _wait_for(proc, "write pages and downloads ...")
    deadline = time.time() + 60
    while not (helpers := _descendants(proc.pid)) and time.time() < deadline:
        time.sleep(0.05)  # the downloads' process is spawned as this stage starts
    assert helpers, seen  # the downloads' process, at least
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.time() + 10
    while time.time() < deadline and any(_alive(p) for p in helpers):
        time.sleep(0.2)
    assert not [p for p in helpers if _alive(p)], "a helper process outlived the build"


@pytest.mark.slow
def test_ctrl_c_during_validation_is_one_line_and_no_traceback(tmp_path, national):
    import signal

    proc = _start_build(national, tmp_path / "site")
    _wait_for(proc, "validate ...")
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "wres build: interrupted; the previous site is untouched." in err
    assert not (tmp_path / "site").exists()
    assert not list((tmp_path / ".site.wres").glob("site*"))


@pytest.mark.slow
def test_a_write_the_machine_refuses_is_one_line_and_cleaned_up(tmp_path):
    """A write that fails (here: a file-size limit, as a full disk would) stops the build with one line, and its
    working files are removed."""
    import resource

    root = write_valid_data(tmp_path / "data")

    def small_files() -> None:  # Python ignores SIGXFSZ, so the write fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    proc = _start_build(root, tmp_path / "site", preexec_fn=small_files)
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, err
    assert "Traceback" not in err, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("wres build: the build stopped") and "the previous site is untouched" in last, err
    assert not (tmp_path / "site").exists()
    assert sorted(p.name for p in (tmp_path / ".site.wres").iterdir()) == []


def test_an_output_folder_that_cannot_be_made_is_one_line(tmp_path):
    """--out below a file (as a read-only folder would, for a user who is not root): one line, no traceback."""
    (tmp_path / "a-file").write_text("not a folder\n")
    root = write_valid_data(tmp_path / "data")
    run = wres("build", "--quiet", "--data", str(root), "--out", str(tmp_path / "a-file" / "site"), timeout=120)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith("wres build: cannot create the build lock") and "writable" in line


def _reads_under(pid: int, folder: Path) -> bool:
    """Whether process `pid` has a file under `folder` open now (Linux /proc)."""
    prefix = str(folder.resolve()) + os.sep
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith(prefix):
                return True
        except OSError:
            continue
    return False


@pytest.mark.slow
def test_ctrl_c_during_wres_validate_is_one_line(tmp_path, national):
    import signal

    # Every collection year from 2015 to 2026, each a copy of the national 2024: seconds of validation.
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(national / "organisations.csv", data / "organisations.csv")
    rows = ["year,snapshot_date,indicators,note"]
    for year in range(2015, 2027):
        shutil.copytree(national / "2024", data / str(year))
        rows.append(f"{year},{year}-03-31,1-9,")
    (data / "collections.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "generator", "validate", str(data)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), start_new_session=True)
    # Interrupt as soon as the command holds a year file open (it is then checking the years), rather than
    # after a fixed sleep that a fast machine outruns and a loaded one never reaches.
    deadline = time.monotonic() + 60
    while not _reads_under(proc.pid, data):
        assert proc.poll() is None, "validation ended before it was seen reading a year file"
        assert time.monotonic() < deadline, "validation never opened a year file"
        time.sleep(0.002)
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.strip() == "wres validate: interrupted; nothing was checked to the end."


#: Corpus cases whose effect on a whole site matters most: crashes, links, rejected text.
BUILT_CASES = ["no-publishable-return", "empty-collections", "year-folder-0999", "link-to-file-outside",
               "link-to-folder-outside", "escape-in-organisation-name", "line-separator-in-name",
               "right-to-left-override", "javascript-link", "nul-byte-in-one-row"]


@pytest.mark.slow
@pytest.mark.parametrize("name", BUILT_CASES)
def test_corpus_case_builds_and_publishes_every_other_return(tmp_path, name):
    """The corpus case built into a whole site: no traceback; exactly its returns left out (as the summary lists
    them); nothing it refused, nothing from outside the data folder and no control character in any file."""
    import json

    from test_bad_inputs import CORPUS, UNSAFE, apply_case

    case = json.loads((CORPUS / name / "case.json").read_text(encoding="utf-8"))
    root = write_valid_data(tmp_path / "data")
    apply_case(root, CORPUS / name, case)
    out = tmp_path / "site"
    run = wres("build", "--quiet", "--no-cache", "--data", str(root), "--out", str(out))
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    left = sorted(case["left_out"], key=lambda r: (r[1], r[0]))
    if left:
        listed = ", ".join(f"{c} {y}" for c, y in left[:10])
        assert f"Left out {len(left)} returns with errors: {listed}" in run.stdout, run.stdout
    else:
        assert "No return was left out." in run.stdout, run.stdout
    refused = {"javascript-link": ["javascript:alert"], "escape-in-organisation-name": ["evil.example"],
               "line-separator-in-name": ["Hillford\u2028"], "right-to-left-override": ["\u202eevaC"]}.get(name, [])
    for path in out.rglob("*"):
        if not path.is_file() or path.suffix not in (".html", ".json", ".csv", ".xml", ".svg", ".md", ".txt"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        rel = path.relative_to(out).as_posix()
        for secret in case.get("never_shown", []):
            assert secret not in text, rel
        assert not UNSAFE.search(text.replace("\r", "").replace("\t", "")), (rel, UNSAFE.search(text))
        if rel not in ("data-quality/index.html", "search/search_index.json"):  # where the problem is explained
            for value in refused:
                assert value not in text, rel


def test_an_output_folder_holding_the_data_is_refused(tmp_path):
    root = write_valid_data(tmp_path / "data")
    for out in (root, tmp_path):
        run = wres("build", "--quiet", "--data", str(root), "--out", str(out), timeout=120)
        assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
        assert "is the data folder or holds it" in run.stderr
    assert (root / "organisations.csv").is_file() and (root / "2024" / "workforce.csv").is_file()
