"""Shared session fixtures: the bundled sample data built once into a real site, and a local server for it.

Building the site takes tens of seconds on two shared cores, so every test
that needs the demonstration site (tests/test_site.py, tests/test_browser.py,
tests/test_build.py) uses `sample_build` or `sample_site`; it is built at most
once per test session (once per worker with pytest-xdist). A test may build
into the same folder again only to check that a failed build leaves it as it was.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> tuple[Path, object, Path]:
    """(site, BuildSummary, data folder): the bundled demonstration data (a copy of data/) built with the
    real pipeline and MkDocs."""
    from generator.build.pipeline import run_build

    base = tmp_path_factory.mktemp("sample-site")
    data = base / "data"
    shutil.copytree(ROOT / "data", data)
    out = base / "site"
    summary = run_build(data, out, config=ROOT / "mkdocs.yml", progress=False)
    return out, summary, data


@pytest.fixture(scope="session")
def sample_site(sample_build) -> Path:
    """The demonstration site (see sample_build)."""
    return sample_build[0]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002, ANN001, ANN002
        pass


@pytest.fixture(scope="session")
def site_server(sample_site):
    """The sample site served on 127.0.0.1 at a free port; yields the base URL ("http://127.0.0.1:PORT/")."""
    handler = functools.partial(_QuietHandler, directory=str(sample_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
