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
def bundled_pages(tmp_path_factory) -> tuple[object, object, Path]:
    """(Dataset, Results, docs): the bundled data/ validated, computed with default Settings and its pages
    written (no MkDocs). Several modules read these pages; writing them once per worker instead of once per
    module saves a validate + compute + write (seconds each on shared cores). Tests must only read them."""
    from types import SimpleNamespace

    import pandas as pd

    from generator.compute.results import compute
    from generator.ingest.validate import validate_path
    from generator.model.release import release_of
    from generator.model.settings import Settings
    from generator.site.pages.write import write_pages

    dataset = validate_path(ROOT / "data")
    settings = Settings()
    results = compute(dataset, settings)
    docs = tmp_path_factory.mktemp("bundled-docs")
    write_pages(dataset, results, docs, settings, release_of(dataset, True),
                SimpleNamespace(changes=pd.DataFrame()))
    return dataset, results, docs


@pytest.fixture(scope="session")
def real_download_set(tmp_path_factory) -> tuple[object, object, Path]:
    """download_fixtures.real_downloads at its default threshold, made once per worker (read-only)."""
    from download_fixtures import real_downloads

    return real_downloads(tmp_path_factory.mktemp("real-downloads"))


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


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium (helpers.CHROMIUM) for one module of browser tests."""
    from helpers import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
