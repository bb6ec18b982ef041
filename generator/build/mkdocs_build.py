"""MkDocs run as one child process per core, their sites merged into one, the static files linked in.

The only module of the build that knows MkDocs' output (its search index and sitemap); the MkDocs
side of each process is generator/integration (the `wres` plugin and run.py, which this starts).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..model.errors import BuildError
from .reuse import SHARDED_GLOB, reused_shard


def mkdocs_build(config: Path, docs_dir: Path, site_dir: Path, static_dir: Path | None = None,
                 shards: int | None = None, meanwhile: Callable[[], None] | None = None, shells: bool = True,
                 reuse: tuple[Path, list[str]] | None = None) -> list[str]:
    """Run MkDocs in child processes, merge their sites, then link the static files in.

    Child processes: their memory is freed when they end, and moving to another
    builder that reads the same mkdocs.yml means changing this module only.
    With several cores, `shards` processes each render every section page and
    a share of the organisation and return pages (the plugin's shard options),
    at the same time; the merged site is the same, byte for byte, whatever the
    number of processes. `meanwhile` runs in a thread while they do (the build keeps
    its cache entry then). The plugin is told where the static files are only so
    that links to them from Markdown count as found; MkDocs neither reads nor copies
    them. `shells`: the plugin's option of that name (false only to check that it changes nothing).
    `reuse`: (the published site, organisation and return pages to take from it unchanged: reuse.py).
    Returns MkDocs' warnings, once each.
    """
    n = shards if shards is not None else shard_count(docs_dir, len(reuse[1]) if reuse else 0)
    targets = [site_dir] if n == 1 else [site_dir.with_name(f"{site_dir.name}-shard-{k}") for k in range(n)]
    extra = _reuse_files(site_dir, n)
    for target in targets + [extra["shard"]]:
        if target.exists():
            shutil.rmtree(target)
    if reuse:
        extra["list"].write_text("\n".join(reuse[1]) + "\n", encoding="utf-8")
    static = static_dir if static_dir is not None and static_dir.is_dir() else None
    procs = [_start(config, docs_dir, target, static, k, n, shells,
                    (extra["list"], extra["reports"][k]) if reuse else None) for k, target in enumerate(targets)]
    outputs = _wait(procs, meanwhile)
    failures = [(err or out)[-4000:] for proc, (out, err) in zip(procs, outputs) if proc.returncode != 0]
    if failures:
        for target in targets[1:]:
            shutil.rmtree(target, ignore_errors=True)
        raise BuildError("MkDocs could not build the site; the previous site is untouched.\n" + failures[0])
    reused = reused_shard(reuse[0], extra["reports"], extra["shard"]) if reuse else None
    for leftover in [extra["list"], *extra["reports"]]:
        leftover.unlink(missing_ok=True)
    merge_shards(targets + ([reused] if reused else []), site_dir)
    if static is not None:
        link_tree(static, site_dir)
    _normalise_site(site_dir)
    return list(dict.fromkeys(w for _, err in outputs for w in _warnings(err)))


def _reuse_files(site_dir: Path, n: int) -> dict:
    """Beside the staging site: the list of pages to reuse, each process's report of those it left out,
    and the folder they are gathered in (names output.remove_staging clears after a failure)."""
    return {"list": site_dir.with_name(f"{site_dir.name}-shard-reuse.txt"),
            "reports": [site_dir.with_name(f"{site_dir.name}-shard-reused-{k}.json") for k in range(n)],
            "shard": site_dir.with_name(f"{site_dir.name}-shard-reused")}


def _start(config: Path, docs_dir: Path, site_dir: Path, static_dir: Path | None, k: int, n: int,
           shells: bool, reuse: tuple[Path, Path] | None) -> subprocess.Popen:
    """One MkDocs process (integration/run.py), given the plugin's options on its command line."""
    static = ["--static-dir", str(static_dir.resolve())] if static_dir is not None else []
    static += [] if shells else ["--no-shells"]
    static += ["--reuse", str(reuse[0].resolve()), str(reuse[1].resolve())] if reuse else []
    return subprocess.Popen(
        [sys.executable, "-m", "generator.integration.run", "--config-file", str(config.resolve()),
         "--docs-dir", str(docs_dir.resolve()), "--site-dir", str(site_dir.resolve()), "--shard", f"{k}/{n}", *static],
        cwd=config.resolve().parent, env=dict(os.environ, PYTHONHASHSEED="0", NO_MKDOCS_2_WARNING="1"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_mkdocs_started)


def _wait(procs: list[subprocess.Popen], meanwhile: Callable[[], None] | None) -> list[tuple[str, str]]:
    """Each process's (stdout, stderr) when all have ended, `meanwhile` run beside them; interrupted,
    no MkDocs process outlives the build."""
    with ThreadPoolExecutor(max_workers=1) as side:
        side_job = side.submit(meanwhile) if meanwhile is not None else None
        try:
            outputs = [proc.communicate() for proc in procs]
        except BaseException:
            for proc in procs:
                proc.kill()
                proc.wait()
            raise
        if side_job is not None:
            side_job.result()
    return outputs


def _mkdocs_started() -> None:
    """In each MkDocs process, before it runs: it ends with the build, even by kill -9 (see
    die_with_parent)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


_WARNING = re.compile(r"^WARNING\s+-\s+(.*\S)")


def _warnings(log: str) -> list[str]:
    """The first line of each warning in MkDocs' log (processes share pages, so duplicates are dropped later)."""
    found = []
    for line in _ANSI.sub("", log or "").splitlines():
        m = _WARNING.match(line.strip())
        if m:
            found.append(m.group(1))
    return found


#: Below this many organisation and return pages, a second MkDocs process costs more than it saves.
SHARD_MIN_PAGES = 200


def _cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def shard_count(docs_dir: Path, reused: int = 0) -> int:
    """How many MkDocs processes: one per core (at most four), if there are enough pages to share
    (`reused`: how many of them are taken from the last site rather than rendered)."""
    cores = _cores()
    if cores < 2:
        return 1
    pages = sum(1 for _ in Path(docs_dir).glob(SHARDED_GLOB)) - reused  # what rendering.SHARDED shares out
    return min(cores, 4) if pages >= SHARD_MIN_PAGES else 1


#: Files every shard writes for the whole site, joined rather than compared.
_JOINED = {"search/search_index.json", "sitemap.xml", "sitemap.xml.gz"}


def merge_shards(shards: list[Path], site_dir: Path) -> None:
    """One site, at site_dir, from the sites of the n MkDocs processes (n may be 1).

    A file that more than one shard wrote (section pages, theme assets, 404)
    must be the same in each: if not, the shards disagree and the build stops
    rather than publish one of them. The search index and sitemap are joined
    and put in address order, so the site is the same whatever n is.
    """
    base, others = shards[0], shards[1:]
    for shard in others:
        for folder, dirs, names in os.walk(shard):
            relative = os.path.relpath(folder, shard)
            into = base / relative if relative != "." else base
            # A folder only this shard wrote (an organisation's pages) moves with one rename.
            for name in list(dirs):
                if not (into / name).exists():
                    os.replace(Path(folder) / name, into / name)
                    dirs.remove(name)
            for name in names:
                src = Path(folder) / name
                rel = src.relative_to(shard).as_posix()
                dst = into / name
                if rel in _JOINED:
                    continue
                if dst.exists():
                    if dst.read_bytes() != src.read_bytes():
                        raise BuildError(f"MkDocs processes disagree about {rel}; the previous site is untouched")
                    continue
                os.replace(src, dst)
    _join_search_index(base, others)
    _join_sitemap(base, others)
    for shard in others:
        shutil.rmtree(shard)
    if base != site_dir:
        os.replace(base, site_dir)


def _join_search_index(site_dir: Path, others: list[Path]) -> None:
    """site_dir's search index with the others' pages added, ordered by page address.

    Sections stay after their page, in the order MkDocs wrote them.
    """
    path = site_dir / "search" / "search_index.json"
    if not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    seen = {d["location"] for d in index["docs"]}
    for other in others:
        for doc in json.loads((other / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]:
            if doc["location"] not in seen:
                seen.add(doc["location"])
                index["docs"].append(doc)
    index["docs"].sort(key=lambda d: d["location"].split("#", 1)[0])
    path.write_text(json.dumps(index, separators=(",", ":")), encoding="utf-8")


_SITEMAP_URL = re.compile(r"\s*<url>.*?</url>", re.S)


_SITEMAP_LOC = re.compile(r"<loc>(.*?)</loc>", re.S)


_SITEMAP_END = re.compile(r"\s*</urlset>")


def _join_sitemap(site_dir: Path, others: list[Path]) -> None:
    """site_dir's sitemap.xml with the others' entries added, each once, ordered by address."""
    path = site_dir / "sitemap.xml"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    skeleton = _SITEMAP_URL.sub("", text)  # what stays around the entries
    end = _SITEMAP_END.search(skeleton)
    if end is None:
        return
    entries: dict[str, str] = {}
    for source in [path] + [other / "sitemap.xml" for other in others]:
        for block in _SITEMAP_URL.findall(source.read_text(encoding="utf-8") if source.is_file() else ""):
            loc = _SITEMAP_LOC.search(block)
            entries.setdefault(loc.group(1) if loc else block, block)
    path.write_text(skeleton[:end.start()] + "".join(entries[k] for k in sorted(entries)) + skeleton[end.start():],
                    encoding="utf-8")


def link_tree(source: Path, target: Path) -> int:
    """Hard-link every file under source to the same place under target; return how many.

    Linking costs a directory entry, not a copy of 70 MB. It is safe because
    the build never changes a file in place (files.write_bytes replaces it),
    so the published site never sees a later build's bytes. Where links are
    impossible (another file system) the file is copied. A file MkDocs has
    already written at the same place is a clash between a page and a
    download, and stops the build rather than silently replacing either.
    """
    count = 0
    source = Path(source)
    for folder, _dirs, names in os.walk(source):
        relative = os.path.relpath(folder, source)
        out = Path(target) / relative if relative != "." else Path(target)
        out.mkdir(parents=True, exist_ok=True)
        for name in names:
            src, dst = os.path.join(folder, name), out / name
            if dst.exists():
                raise BuildError(f"{dst.relative_to(target)} is both a page MkDocs wrote and a generated file")
            try:
                os.link(src, dst)
            except OSError:
                shutil.copyfile(src, dst)
            count += 1
    return count


def _normalise_site(site_dir: Path) -> None:
    """Remove what would make two builds of the same data differ.

    MkDocs writes the build date into sitemap.xml.gz's gzip header and into
    sitemap.xml's lastmod; neither means anything for a site whose pages
    change only with its data.
    """
    gz = site_dir / "sitemap.xml.gz"
    if gz.exists():
        gz.unlink()
    sitemap = site_dir / "sitemap.xml"
    if sitemap.exists():
        text = sitemap.read_text(encoding="utf-8")
        sitemap.write_text(re.sub(r"\s*<lastmod>[^<]*</lastmod>", "", text), encoding="utf-8")
