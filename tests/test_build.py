"""The whole pipeline, for real: validate, compute, write, MkDocs, swap.

These build small sites with the real MkDocs and check what a publisher
relies on: a broken return is left out and listed while everything else is
published; two builds of the same data are byte-identical; a failed or
interrupted build leaves the previous site whole; a rebuild with unchanged
data is served from the cache and rewrites no page.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.build.pipeline import BuildError, run_build

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


def _tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def data_copy(tmp_path_factory) -> Path:
    dst = tmp_path_factory.mktemp("data") / "data"
    shutil.copytree(DATA, dst)
    return dst


@pytest.fixture(scope="module")
def built(sample_build) -> tuple[Path, object]:
    """The session's demonstration site (conftest.sample_build) and its summary."""
    out, summary, _ = sample_build
    return out, summary


@pytest.mark.slow
def test_build_publishes_every_page_type(built):
    out, summary = built
    assert (out / "index.html").is_file()
    for rel in ("organisations/index.html", "data-quality/index.html", "downloads/index.html",
                "methodology/index.html", "indicators/1/index.html", "indicators/9/index.html",
                "regions/london/index.html", "downloads/indicators.csv", "downloads/datapackage.json",
                "api/organisations.json"):
        assert (out / rel).is_file(), rel
    assert summary.returns_published > 0
    assert summary.html_pages > 20
    assert not summary.returns_left_out


@pytest.mark.slow
def test_two_builds_are_byte_identical(built, tmp_path, data_copy, monkeypatch):
    """With nothing cached the second time: every chart's SVG is drawn again (in other worker processes,
    in another order) and must come out the same, byte for byte."""
    out, _ = built
    second = tmp_path / "again"
    monkeypatch.setenv("WRES_CACHE_DIR", str(tmp_path / "empty-cache"))
    run_build(data_copy, second, progress=False, use_cache=False)
    assert list((tmp_path / "empty-cache").rglob("*.svg"))  # the charts were drawn, not read from a cache
    first_digest, second_digest = _tree_digest(out), _tree_digest(second)
    assert first_digest.keys() == second_digest.keys()
    differing = [k for k in first_digest if first_digest[k] != second_digest[k]]
    assert differing == []


@pytest.mark.slow
def test_a_build_on_one_core_is_byte_identical(built, tmp_path, data_copy):
    """On one core the figures are sent to the downloads' process; on two it computes its own
    copy (and MkDocs runs once instead of once per core). The site must not tell."""
    import os
    import subprocess
    import sys

    out, _ = built
    one = tmp_path / "one-core"
    core = min(os.sched_getaffinity(0))
    subprocess.run([sys.executable, "-m", "generator", "build", "--quiet", "--data", str(data_copy), "--out", str(one)],
                   cwd=ROOT, check=True, capture_output=True, preexec_fn=lambda: os.sched_setaffinity(0, {core}))
    first_digest, one_digest = _tree_digest(out), _tree_digest(one)
    assert first_digest.keys() == one_digest.keys()
    assert [k for k in first_digest if first_digest[k] != one_digest[k]] == []


@pytest.mark.slow
def test_site_is_the_same_however_many_mkdocs_processes_build_it(built, tmp_path):
    """Organisation and return pages shared between MkDocs processes: the merged site is
    byte for byte the one a single process builds, search index and sitemap included."""
    import json

    from generator.build.mkdocs_build import mkdocs_build
    from generator.build.pipeline import default_config

    out, _ = built
    work = out.parent / f".{out.name}.wres"
    digests = {}
    for n in (1, 2, 3):
        site = tmp_path / f"site-{n}"
        mkdocs_build(default_config(), work / "docs", site, static_dir=work / "static", shards=n)
        digests[n] = _tree_digest(site)
    assert digests[1] == digests[2] == digests[3]
    assert digests[1] == _tree_digest(out)
    index = json.loads((tmp_path / "site-1" / "search" / "search_index.json").read_text(encoding="utf-8"))
    organisations = {d["location"] for d in index["docs"] if d["location"].startswith("organisations/X")}
    assert len(organisations) > 20  # every organisation page is in the one merged index


@pytest.mark.slow
def test_pages_from_shells_are_those_rendered_in_full_on_the_demo_site(built, tmp_path):
    """Organisation and return pages are drawn from a few shells the theme renders once
    (rendering.Shells): the demo site is the one full rendering gives, byte for byte."""
    from generator.build.mkdocs_build import mkdocs_build
    from generator.build.pipeline import default_config

    out, _ = built
    work = out.parent / f".{out.name}.wres"
    mkdocs_build(default_config(), work / "docs", tmp_path / "full", static_dir=work / "static", shards=1, shells=False)
    assert _tree_digest(tmp_path / "full") == _tree_digest(out)
    page = sorted((out / "organisations").glob("*/index.html"))[0].read_text(encoding="utf-8")
    assert 'data-md-type="navigation" hidden' in page and "md-tabs" in page  # the theme's parts are there


def _mkdocs(config: Path, docs: Path, static: Path, site: Path, *flags: str) -> str:
    """A real MkDocs build, as mkdocs_build runs it (integration/run.py); its log."""
    run = subprocess.run(
        [sys.executable, "-m", "generator.integration.run", "--config-file", str(config), "--docs-dir", str(docs),
         "--site-dir", str(site), "--static-dir", str(static), *flags],
        cwd=config.parent, capture_output=True, text=True, check=True, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    return run.stderr


@pytest.mark.slow
def test_pages_drawn_from_shells_are_those_rendered_in_full(built, tmp_path):
    """Organisation and return pages are drawn from a few shells, each page's own title, description,
    canonical address, skip link and content put back (rendering.Shells). The site is byte for byte
    the one full rendering gives, with site_url set (every page has a canonical address), a title and a
    description holding characters HTML treats specially, and a page with no <h1> (rendered in full)."""
    out, _ = built
    work = out.parent / f".{out.name}.wres"
    project = tmp_path / "project"
    project.mkdir()
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(config.replace("site_name: Open WRES\n",
                                                       "site_name: Open WRES\nsite_url: https://wres.example/\n", 1),
                                        encoding="utf-8")
    (project / "site_src").symlink_to(ROOT / "site_src")
    (project / "generator").symlink_to(ROOT / "generator")
    docs = tmp_path / "docs"
    shutil.copytree(work / "docs", docs)
    pages = sorted(docs.glob("organisations/*/index.md"))
    tricky, headless = pages[0].read_text(encoding="utf-8"), pages[1].read_text(encoding="utf-8")
    lines = tricky.split("\n")
    lines[1] = 'title: "Ash &amp; Elm <em>NHS</em> Trust \\"Q\\" ~ caf\u00e9"'
    lines[2] = 'description: "WRES figures of Ash &amp; Elm \\"Q\\" <b>NHS</b> Trust."'
    pages[0].write_text("\n".join(lines), encoding="utf-8")
    start = headless.index("<h1")
    pages[1].write_text(headless[:start] + headless[headless.index("</h1>", start) + 5:], encoding="utf-8")

    log = _mkdocs(project / "mkdocs.yml", docs, work / "static", tmp_path / "shells")
    _mkdocs(project / "mkdocs.yml", docs, work / "static", tmp_path / "full", "--no-shells")
    assert _tree_digest(tmp_path / "shells") == _tree_digest(tmp_path / "full")

    drawn = re.search(r"wres: (\d+) organisation and return pages drawn from (\d+) shells", log)
    assert drawn, log[-2000:]
    pages_drawn, shells = int(drawn.group(1)), int(drawn.group(2))
    assert pages_drawn == len(list(docs.glob("organisations/*/*.md"))) - 1  # all but the page with no <h1>
    assert shells < pages_drawn / 4
    page = (tmp_path / "shells" / pages[0].parent.relative_to(docs) / "index.html").read_text(encoding="utf-8")
    assert "<title>Ash &amp; Elm <em>NHS</em> Trust" in page
    assert f'<link rel="canonical" href="https://wres.example/{pages[0].parent.relative_to(docs).as_posix()}/">' in page


@pytest.mark.slow


@pytest.mark.slow
def test_generated_pages_give_mkdocs_nothing_to_warn_about(built):
    """MkDocs warns about nothing: the Markdown pages (hand-written ones, the downloads page, the changelog)
    link only to what exists, the downloads and charts MkDocs never copies included."""
    _, summary = built
    assert summary.mkdocs_warnings == []


@pytest.mark.slow
def test_mkdocs_warnings_reach_the_publisher(tmp_path, data_copy):
    """A broken link in a hand-written page is named in the summary; the site is still built."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "site_src", project / "site_src")
    (project / "generator").symlink_to(ROOT / "generator")
    about = project / "site_src" / "docs" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n\nSee [the old page](no-such-page.md).\n",
                     encoding="utf-8")
    out = tmp_path / "site"
    summary = run_build(data_copy, out, config=project / "mkdocs.yml", progress=False)
    assert (out / "about" / "index.html").is_file()
    assert len([w for w in summary.mkdocs_warnings if "no-such-page.md" in w]) == 1
    assert "no-such-page.md" in summary.render()


def test_shards_sitemaps_are_joined_in_address_order(tmp_path):
    """With site_url set, MkDocs lists every page in sitemap.xml: each process lists its share."""
    from generator.build.mkdocs_build import merge_shards

    def sitemap(*locs: str) -> str:
        entries = "".join(f"\n    <url>\n         <loc>https://x.example/{loc}</loc>\n    </url>" for loc in locs)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                + entries + "\n</urlset>")

    shards = [tmp_path / "a", tmp_path / "b"]
    for shard, locs in zip(shards, (["", "organisations/XT02/", "about/"], ["", "about/", "organisations/XT01/"])):
        shard.mkdir()
        (shard / "sitemap.xml").write_text(sitemap(*locs))
    merge_shards(shards, tmp_path / "site")
    joined = (tmp_path / "site" / "sitemap.xml").read_text()
    assert joined == sitemap("", "about/", "organisations/XT01/", "organisations/XT02/")
    assert not shards[1].exists()


def test_pages_taken_from_the_last_site_bring_their_search_and_sitemap_entries(tmp_path):
    """The reused pages become one more shard: the published site's own files (hard links), and only their
    entries of its search index and sitemap; merged with a fresh shard, the index is in address order."""
    import json

    from generator.build.mkdocs_build import merge_shards
    from generator.build.reuse import reusable, reused_shard

    previous = tmp_path / "published"
    for page in ("organisations/XT01/index.html", "organisations/XT01/2024/index.html", "organisations/XT02/index.html"):
        (previous / page).parent.mkdir(parents=True, exist_ok=True)
        (previous / page).write_text(f"<p>{page}</p>")
    docs = [{"location": loc, "text": loc} for loc in ("", "organisations/XT01/", "organisations/XT01/#cite-this",
                                                        "organisations/XT01/2024/", "organisations/XT02/")]
    (previous / "search").mkdir()
    (previous / "search" / "search_index.json").write_text(json.dumps({"config": {}, "docs": docs}))
    entries = [f"\n    <url>\n         <loc>https://x.example/{d['location']}</loc>\n    </url>"
               for d in docs if "#" not in d["location"]]
    (previous / "sitemap.xml").write_text('<?xml version="1.0"?>\n<urlset>' + "".join(entries) + "\n</urlset>")
    report = tmp_path / "report.json"
    report.write_text(json.dumps([{"src": "organisations/XT01/index.md", "url": "organisations/XT01/",
                                   "dest": "organisations/XT01/index.html", "loc": "https://x.example/organisations/XT01/"}]))
    shard = reused_shard(previous, [report], tmp_path / "reused")
    assert (shard / "organisations/XT01/index.html").stat().st_ino == (previous / "organisations/XT01/index.html").stat().st_ino
    assert not (shard / "organisations/XT01/2024").exists() and not (shard / "organisations/XT02").exists()
    fresh = tmp_path / "fresh"
    (fresh / "organisations/XT02").mkdir(parents=True)
    (fresh / "organisations/XT02/index.html").write_text("<p>new</p>")
    (fresh / "search").mkdir()
    (fresh / "search" / "search_index.json").write_text(json.dumps({"config": {}, "docs": [
        {"location": "", "text": ""}, {"location": "organisations/XT02/", "text": "new"}]}))
    (fresh / "sitemap.xml").write_text('<?xml version="1.0"?>\n<urlset>\n    <url>\n         <loc>https://x.example/'
                                       'organisations/XT02/</loc>\n    </url>\n</urlset>')
    merge_shards([fresh, shard], tmp_path / "site")
    index = json.loads((tmp_path / "site" / "search" / "search_index.json").read_text())["docs"]
    assert [d["location"] for d in index] == ["", "organisations/XT01/", "organisations/XT01/#cite-this",
                                              "organisations/XT02/"]
    assert index[-1]["text"] == "new"
    assert re.findall(r"<loc>(.*?)</loc>", (tmp_path / "site" / "sitemap.xml").read_text()) == [
        "https://x.example/organisations/XT01/", "https://x.example/organisations/XT02/"]
    # Nothing is reused from a site rendered from other site-wide inputs, or without a record.
    assert reusable({"render": {"key": "old", "pages": {}}}, "new", tmp_path) == []
    assert reusable(None, "new", tmp_path) == []


def test_shards_that_disagree_stop_the_build(tmp_path):
    from generator.build.mkdocs_build import merge_shards

    shards = [tmp_path / "a", tmp_path / "b"]
    for shard, text in zip(shards, ("<p>one</p>", "<p>two</p>")):
        (shard / "about").mkdir(parents=True)
        (shard / "about" / "index.html").write_text(text)
    with pytest.raises(BuildError, match="disagree about about/index.html"):
        merge_shards(shards, tmp_path / "site")


@pytest.mark.slow
def test_unchanged_rebuild_comes_from_cache_and_rewrites_nothing(tmp_path, data_copy):
    out = tmp_path / "site"
    first = run_build(data_copy, out, progress=False)
    second = run_build(data_copy, out, progress=False)
    assert not first.cache_hit
    assert second.cache_hit
    assert second.up_to_date
    assert second.pages_written == 0
    assert second.pages_unchanged == first.pages_written + first.pages_unchanged
    # The caches are under the one cache root, none beside the output.
    from generator.ingest import cache

    assert len(list(cache.figures_dir(out).glob("*.pickle"))) == 1 and any(cache.years_dir(out).iterdir())
    assert not (out.parent / ".site.wres" / "cache").exists()
    before = _tree_digest(out)

    # A site damaged since (a page deleted) is not "up to date": it is rebuilt whole,
    # from the cached figures, and no generated page needs rewriting.
    (out / "methodology" / "index.html").unlink()
    third = run_build(data_copy, out, progress=False)
    assert third.cache_hit and not third.up_to_date
    assert third.pages_written == 0
    assert _tree_digest(out) == before


def _pages_of_organisations(site: Path) -> dict[str, int]:
    """Each organisation and return page of a site: its inode (a page taken from the last site keeps it)."""
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.glob("organisations/*/**/index.html")}


@pytest.mark.slow
def test_a_rebuild_after_one_return_changed_is_a_cold_build_and_renders_only_the_pages_that_show_it(
        tmp_path, data_copy):
    """Issue 17: one organisation's corrected return rewrites the pages that show it and no other (no
    release label on every page), MkDocs renders only those organisation and return pages (the rest are
    the last site's files), and the site is the one a cold build of the same data gives, byte for byte."""
    import csv

    data = tmp_path / "data"
    shutil.copytree(data_copy, data)
    out = tmp_path / "site"
    run_build(data, out, progress=False)
    before, inodes = _tree_digest(out), _pages_of_organisations(out)
    training = data / "2024" / "training.csv"
    text = training.read_text()
    row = next(line for line in text.splitlines() if line.startswith("XT16,white,"))
    # 3,173 -> 3,120: its own likelihood moves (0.97 -> 0.95), no group's figure moves as printed (a larger
    # change moves England's, which every organisation's page shows beside its own).
    training.write_text(text.replace(row, "XT16,white,3120"))

    summary = run_build(data, out, progress=False)
    cold = tmp_path / "cold"
    run_build(data, cold, progress=False, use_cache=False)
    after, cold_digest = _tree_digest(out), _tree_digest(cold)
    assert after.keys() == cold_digest.keys()
    assert [k for k in after if after[k] != cold_digest[k]] == []

    changed = {rel for rel in after if rel.endswith(".html") and before.get(rel) != after[rel]}
    org_pages = {rel for rel in changed if rel.startswith("organisations/") and rel.count("/") >= 2}
    with (data / "organisations.csv").open(newline="") as f:
        register = {r["org_code"]: r for r in csv.DictReader(f)}
    peers = {code for code, r in register.items()
             if (r["org_type"], r["region_code"]) == (register["XT16"]["org_type"], register["XT16"]["region_code"])}
    # Its own page and its 2024 return's page; of the other organisations, only its peers' pages (the
    # "Compared with its peers" table), and no other return page.
    assert {"organisations/XT16/index.html", "organisations/XT16/2024/index.html"} <= org_pages
    assert {rel.split("/")[1] for rel in org_pages} <= peers
    assert [rel for rel in org_pages if rel.count("/") == 3] == ["organisations/XT16/2024/index.html"]
    assert len(changed) < 20, sorted(changed)
    # MkDocs rendered exactly those: every other organisation and return page is the last site's file.
    now = _pages_of_organisations(out)
    assert {rel for rel, ino in now.items() if inodes.get(rel) != ino} == org_pages
    assert summary.pages_reused == len(now) - len(org_pages)


@pytest.mark.slow
def test_broken_return_is_left_out_and_listed_others_published(tmp_path, data_copy):
    data = tmp_path / "data"
    shutil.copytree(data_copy, data)
    latest = max(p for p in data.iterdir() if p.is_dir() and p.name.isdigit())
    recruitment = latest / "recruitment.csv"
    lines = recruitment.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    broken_code = row[header.index("org_code")]
    row[header.index("appointed")] = "not a number"
    lines[1] = ",".join(row)
    recruitment.write_text("\n".join(lines) + "\n", encoding="utf-8")

    out = tmp_path / "site"
    summary = run_build(data, out, progress=False)
    assert (broken_code, int(latest.name)) in summary.returns_left_out
    assert len(summary.returns_left_out) == 1
    quality = (out / "data-quality" / "index.html").read_text(encoding="utf-8")
    assert broken_code in quality
    # The organisation's other years are still published, and so is everyone else's latest year.
    org_page = out / "organisations" / broken_code / "index.html"
    assert org_page.is_file()
    earlier = [p.name for p in (out / "organisations" / broken_code).iterdir() if p.name.isdigit()]
    assert any(int(y) < int(latest.name) for y in earlier)


@pytest.mark.slow
def test_failed_build_leaves_previous_site(tmp_path, data_copy, built):
    out = tmp_path / "site"
    shutil.copytree(built[0], out)
    before = _tree_digest(out)
    bad_config = tmp_path / "mkdocs.yml"
    bad_config.write_text((ROOT / "mkdocs.yml").read_text(encoding="utf-8") + "\nnot_a_setting_mkdocs_knows: [\n")
    with pytest.raises(BuildError):
        run_build(data_copy, out, config=bad_config, progress=False)
    assert _tree_digest(out) == before


def test_missing_data_folder_is_a_clear_error(tmp_path):
    with pytest.raises(BuildError, match="no-such-folder"):
        run_build(tmp_path / "no-such-folder", tmp_path / "site", progress=False)


@pytest.mark.slow
def test_interrupted_build_leaves_previous_site(tmp_path, data_copy, built):
    out = tmp_path / "site"
    shutil.copytree(built[0], out)
    before = _tree_digest(out)
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "--no-cache", "--progress", "--data", str(data_copy), "--out",
         str(out)],
        cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
        start_new_session=True,
    )
    # Wait until it is writing pages or running MkDocs, then press Ctrl-C.
    deadline = time.time() + 120
    seen = ""
    while time.time() < deadline:
        line = proc.stderr.readline()
        seen += line
        if "write pages" in line or "mkdocs build ..." in line or not line:
            break
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(timeout=120)
    assert proc.returncode != 0, seen
    assert _tree_digest(out) == before


def test_cli_build_exit_codes(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--data", str(tmp_path / "nothing"),
                           "--out", str(tmp_path / "site")], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "nothing" in proc.stderr
    assert "[wres]" not in proc.stderr  # no progress when stderr is not a terminal (issue 19)


def test_a_second_process_that_dies_is_a_build_error_not_a_traceback():
    """If the downloads' process dies mid-build (killed for memory, say), the publisher gets a BuildError
    that says so, from the job and from any later submission."""
    from generator.build import helper as second

    with second.DownloadsProcess() as helper:
        job = helper.submit(os._exit, 1)  # a real spawned process, ended abruptly
        with pytest.raises(BuildError, match="stopped unexpectedly"):
            second.result(job)
        with pytest.raises(BuildError, match="stopped unexpectedly"):
            helper.submit(len, "x")
