"""The pipeline, top to bottom: load and validate, compute, write, MkDocs, swap.

`run_build` is the one place where the steps meet. Each step is a function of
another module; this module only orders them, times them, caches what has not
changed, and makes the result atomic: the site is built in a staging folder
beside `--out` and swapped in only when everything succeeded, so a failed or
interrupted build leaves the previous site whole.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

from ..ingest import cache
from ..model.errors import BuildError
from ..model.resources import resource
from ..model.settings import Settings, SettingsError, load_settings



@dataclass
class BuildSummary:
    out_dir: Path
    returns_published: int = 0
    returns_with_warnings: int = 0
    returns_left_out: list[tuple[str, int]] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    pages_written: int = 0
    pages_unchanged: int = 0
    html_pages: int = 0
    cache_hit: bool = False
    #: Nothing changed since the last build into the same folder: nothing was written.
    up_to_date: bool = False
    changed_figures: int = 0
    phases: dict[str, float] = field(default_factory=dict)
    #: What MkDocs warned about (a broken link in a hand-written page, say), once each.
    mkdocs_warnings: list[str] = field(default_factory=list)

    def render(self) -> str:
        if self.up_to_date:
            return (f"Nothing changed since the last build: {self.out_dir}/ is up to date "
                    f"({self.returns_published} returns, {self.html_pages} pages).")
        lines = [
            f"Published {self.returns_published} returns "
            f"({self.returns_with_warnings} with warnings) to {self.out_dir}/ "
            f"as {self.html_pages} pages.",
        ]
        if self.returns_left_out:
            listed = ", ".join(f"{code} {year}" for code, year in self.returns_left_out[:10])
            more = f" and {len(self.returns_left_out) - 10} more" if len(self.returns_left_out) > 10 else ""
            lines.append(f"Left out {len(self.returns_left_out)} returns with errors: {listed}{more} "
                         f"(see /data-quality/, or run `wres validate`).")
        else:
            lines.append("No return was left out.")
        lines.append(f"Problems: {self.errors} errors, {self.warnings} warnings. "
                     f"Generated pages: {self.pages_written} written, {self.pages_unchanged} unchanged. "
                     f"Validation and figures {'from cache' if self.cache_hit else 'computed'}.")
        if self.changed_figures:
            n = self.changed_figures
            lines.append(f"{n} figure{'s' if n != 1 else ''} changed since the previous release (see /changes/).")
        if self.mkdocs_warnings:
            lines.append(f"MkDocs warned {len(self.mkdocs_warnings)} times (the site was still built):")
            lines += [f"  - {w}" for w in self.mkdocs_warnings[:20]]
            if len(self.mkdocs_warnings) > 20:
                lines.append(f"  - and {len(self.mkdocs_warnings) - 20} more")
        lines.append("Time: " + ", ".join(f"{name} {secs:.1f} s" for name, secs in self.phases.items())
                     + f"; total {sum(self.phases.values()):.1f} s.")
        return "\n".join(lines)


def default_config() -> Path:
    local = Path("mkdocs.yml")
    return local if local.is_file() else resource("mkdocs.yml")


def _say(progress: bool, text: str) -> None:
    if progress:
        print(text, file=sys.stderr, flush=True)


@contextmanager
def _phase(summary: BuildSummary, name: str, progress: bool) -> Iterator[None]:
    _say(progress, f"[wres] {name} ...")
    start = time.perf_counter()
    try:
        yield
    finally:
        summary.phases[name] = time.perf_counter() - start
    _say(progress, f"[wres] {name} done in {summary.phases[name]:.1f} s")


def run_build(
    data_dir: Path,
    out_dir: Path,
    previous: Path | None = None,
    config: Path | None = None,
    use_cache: bool = True,
    progress: bool = True,
) -> BuildSummary:
    """Build the whole site from `data_dir` into `out_dir`, atomically, one build at a time."""
    config = Path(config) if config else default_config()
    if not config.is_file():
        raise BuildError(f"no MkDocs configuration at {config}")
    try:
        settings = load_settings(config)
    except SettingsError as exc:
        raise BuildError(str(exc)) from exc
    data_dir = Path(data_dir)
    out_dir = Path(out_dir).resolve()
    data_real = data_dir.resolve()
    if out_dir == data_real or out_dir in data_real.parents:
        # The swap replaces --out as a whole: it would take the data with it.
        raise BuildError(f"--out {out_dir} is the data folder or holds it, and the build replaces --out as a "
                         f"whole; choose another folder for the site")
    with build_lock(out_dir, progress):
        try:
            return _run_build_locked(data_dir, out_dir, previous, config, settings, use_cache, progress)
        except BaseException as exc:
            _remove_staging(out_dir.parent / f".{out_dir.name}.wres", everything=isinstance(exc, OSError))
            if isinstance(exc, OSError):
                raise BuildError(os_error_message(exc)) from exc
            raise


def _remove_staging(work: Path, everything: bool = False) -> None:
    """A failed build's half-made sites (the staging site and MkDocs' shards). The docs and static
    folders and the cache are kept between builds, and kept after a failure in the data or an
    interruption; after a failure of the machine (a full disk, say) they go too, to give the space
    back (the next build writes them afresh). `old` (a swap to recover) always stays."""
    folders = [work / "site", *work.glob("site-shard-*")]
    if everything:
        folders += [work / "docs", work / "static", work / "cache", work / "site.json"]
    for folder in folders:
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                folder.unlink()


def os_error_message(exc: OSError) -> str:
    """One line a publisher can act on for a failure of the machine rather than of the data."""
    import errno

    where = f" at {exc.filename}" if exc.filename else ""
    why = {errno.ENOSPC: "the disk is full; free some space and build again",
           errno.EDQUOT: "the disk quota is used up; free some space and build again",
           errno.EROFS: "the file system is read-only; choose another --out",
           errno.EACCES: "permission denied; choose an --out folder you can write to",
           errno.EPERM: "permission denied; choose an --out folder you can write to",
           errno.EFBIG: "a file is larger than this process may write (see ulimit -f)"}.get(
        exc.errno, exc.strerror or exc.__class__.__name__)
    return f"the build stopped{where}: {why}. Nothing was published: the previous site is untouched."


def _run_build_locked(data_dir: Path, out_dir: Path, previous: Path | None, config: Path, settings: Settings,
                      use_cache: bool, progress: bool) -> BuildSummary:
    """run_build's work, with the lock on `out_dir` held (see build_lock)."""
    from ..compute.results import compute
    from ..model.release import release_of
    from ..ingest.validate import DataFolderError, validate_path

    summary = BuildSummary(out_dir=out_dir)
    work = out_dir.parent / f".{out_dir.name}.wres"
    _recover_interrupted_swap(out_dir, work)

    previous_frame = _read_previous(previous) if previous else None

    data_key = cache.cache_key(data_dir, settings) if use_cache and data_dir.is_dir() else None
    entry = cache.entry_path(work / "cache", data_key) if data_key else None
    docs_dir, static_dir = work / "docs", work / "static"
    two_cores = _cores() >= 2
    # The downloads are written by a second process while this one writes the pages; what it is
    # given depends on what this build has (see _downloads_job). With two cores and figures to
    # compute, it starts at once: it checks year folders beside this one, then computes its own
    # copy of the figures (a pure function of the dataset) while this one computes the same.
    with contextlib.ExitStack() as stack:
        with _phase(summary, "validate and compute", progress):
            loaded = cache.read_kept(entry) if entry is not None else None
            summary.cache_hit = loaded is not None
            helper = stack.enter_context(_Helper(start_now=loaded is None and two_cores))
            downloads_job = None
            if loaded is not None:
                dataset, results = loaded
            else:
                try:
                    dataset = validate_path(data_dir, settings=settings,
                                            year_cache=work / "cache" / "years" if use_cache else None,
                                            pool=helper if two_cores else None)
                except DataFolderError as exc:
                    raise BuildError(str(exc)) from exc
            release = release_of(dataset, settings.demonstration)
            if loaded is None:
                if two_cores:
                    downloads_job = helper.submit(_downloads_job, dataset, docs_dir, settings, release,
                                                  previous_frame, None, static_dir)
                results = compute(dataset, settings)
        _count(summary, dataset)

        key = _site_key(data_key, settings, config, previous) if data_key else ""
        recorded = _current_site(work, out_dir, key) if key and summary.cache_hit else None
        if recorded is not None:
            # Same data, code, settings, pages and theme: the site in out_dir is already what
            # this build would produce, byte for byte, so nothing is written at all.
            summary.up_to_date = True
            summary.pages_unchanged = int(recorded.get("generated", 0))
            summary.html_pages = sum(1 for name in recorded["files"] if name.endswith(".html"))
            return summary

        def keep_figures() -> None:
            # Off the critical path: run while MkDocs renders (see _mkdocs_build).
            if entry is not None and loaded is None:
                cache.keep(entry, (dataset, results), replacing="*.pickle")  # one entry: the last

        with _phase(summary, "write pages and downloads", progress):
            from ..publish.downloads import changes_since

            changed = changes_since(results, previous_frame)
            summary.changed_figures = int(len(changed))
            if downloads_job is None:
                # From the cache entry when there is one (cheaper than pickling the figures through a
                # pipe); on one core, the figures themselves, since a copy would not run beside anything.
                data = entry if loaded is not None else (dataset, results)
                downloads_job = helper.submit(_downloads_job, data, docs_dir, settings, release, previous_frame,
                                              changed, static_dir)
            summary.pages_written, summary.pages_unchanged = _write_docs(
                dataset, results, docs_dir, config, settings, release, previous_frame, changed, downloads_job,
                static_dir=static_dir)

    staging_site = work / "site"
    with _phase(summary, "mkdocs build", progress):
        summary.mkdocs_warnings = _mkdocs_build(config, docs_dir, staging_site, static_dir=static_dir,
                                                meanwhile=keep_figures)
    manifest = _manifest(staging_site)
    summary.html_pages = sum(1 for name in manifest if name.endswith(".html"))

    _swap_in(staging_site, out_dir, work)
    if key:
        _record_site(work, key, manifest, summary.pages_written + summary.pages_unchanged)
    return summary


def lock_path(out_dir: Path) -> Path:
    """The lock file beside `out_dir` that serialises builds into it."""
    return out_dir.parent / f".{out_dir.name}.wres.lock"


@contextmanager
def build_lock(out_dir: Path, progress: bool = True) -> Iterator[None]:
    """Hold the lock on `out_dir` for a whole build; a second build into the same folder waits.

    Two builds into one --out share the working folder beside it (docs, static files,
    staging site) and the swap, so running them at once mixes their sites. The second
    waits rather than stops: the build started last then publishes last, which is what
    someone who re-ran a build expects, and nothing is lost. It is told so on stderr (the
    pid of the build it waits for), even with --quiet, so a wait is never mistaken for a
    hang. The lock is an flock on a file beside the output: the kernel releases it when
    its holder ends in any way (kill -9 included), so it can never be left stale.
    """
    import fcntl

    path = lock_path(out_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise BuildError(f"cannot create the build lock {path} beside the output folder "
                         f"({exc.strerror or exc}); check that its folder exists and is writable") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
            print(f"[wres] another build into {out_dir} is running (process {holder}); waiting for it to "
                  f"finish, then this build will replace its site", file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
            _say(progress, "[wres] the other build has finished; building now")
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _site_key(data_key: str, settings: Settings, config: Path, previous: Path | None) -> str:
    """A hash of everything the published site depends on (`data_key`: cache.cache_key of the data)."""
    import hashlib
    from importlib.metadata import version

    h = hashlib.sha256(data_key.encode())
    h.update(config.read_bytes())
    source = config.parent / "site_src"
    if source.is_dir():
        cache.digest_tree(h, source)
    if previous:
        h.update(b"\x01previous" + Path(previous).read_bytes())
    h.update(f"mkdocs {version('mkdocs')} material {version('mkdocs-material')}".encode())
    return h.hexdigest()


def _manifest(out_dir: Path) -> dict[str, int]:
    """Every file of a site (address -> size), in address order."""
    found: dict[str, int] = {}
    root = str(out_dir)
    for folder, _dirs, names in os.walk(root):
        prefix = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        for name in names:
            found[prefix + name] = os.stat(os.path.join(folder, name)).st_size
    return dict(sorted(found.items()))


def _record_site(work: Path, key: str, manifest: dict[str, int], generated: int) -> None:
    """What the next build checks to know the published site is still this one (see _current_site);
    `generated`: how many generated files the site was made from (reported when nothing changes)."""
    (work / "site.json").write_text(json.dumps({"key": key, "files": manifest, "generated": generated}),
                                    encoding="utf-8")


def _current_site(work: Path, out_dir: Path, key: str) -> dict | None:
    """What _record_site left, when the last build here had the same key and its site is still there as
    it left it; else None."""
    try:
        recorded = json.loads((work / "site.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if recorded.get("key") == key and out_dir.is_dir() and recorded.get("files") == _manifest(out_dir):
        return recorded
    return None


def _count(summary: BuildSummary, dataset) -> None:  # noqa: ANN001
    status = dataset.returns["status"]
    summary.returns_published = int((status != "left_out").sum())
    summary.returns_with_warnings = int((status == "published_with_warnings").sum())
    left = dataset.returns[status == "left_out"].sort_values(["year", "org_code"])
    summary.returns_left_out = [(str(c), int(y)) for c, y in zip(left["org_code"], left["year"])]
    summary.errors = sum(1 for p in dataset.problems if p.is_error)
    summary.warnings = sum(1 for p in dataset.problems if not p.is_error)


def _read_previous(path: Path) -> pd.DataFrame:
    """The previous release's indicators.csv, checked before any work is done on this one."""
    from ..compute.changes import NotAnIndicatorsTable, check_indicators_table

    try:
        frame = pd.read_csv(path, dtype={"code": str, "flags": str, "status": str, "measure": str,
                                         "breakdown": str, "level": str}, keep_default_na=False,
                            na_values=[""])
    except (OSError, ValueError) as exc:
        raise BuildError(f"cannot read the previous release's indicators.csv at {path}: {exc}") from exc
    try:
        check_indicators_table(frame)
    except NotAnIndicatorsTable as exc:
        raise BuildError(f"--previous: {exc}") from exc
    return frame


def _write_docs(dataset, results, docs_dir: Path, config: Path, settings: Settings, release,  # noqa: ANN001
                previous_frame: pd.DataFrame | None, changed: pd.DataFrame, job,  # noqa: ANN001
                static_dir: Path | None = None) -> tuple[int, int]:
    """Write every page into a docs folder kept between builds, then join the downloads' `job`.

    Files are written only when their bytes change, and files no longer
    produced are removed, so a rebuild with the same data touches nothing and
    a changed return touches only the pages that show it. The downloads (CSV,
    workbook, API, badges) need nothing from the pages, so they are written in
    a second process while this one writes the pages: the machines have two cores.
    With `static_dir`, generated files that are not pages go there (see
    `files.Tracker`): MkDocs renders the pages and the build links the rest in.
    `job`: the downloads, already submitted to the second process (see run_build);
    `changed`: the figures changed since the previous release.
    """
    from ..publish import downloads
    from ..site.pages.write import write_pages
    from ..publish.files import Tracker

    tracker = Tracker(docs_dir, static_dir)
    source = config.parent / "site_src" / "docs"
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.is_file():
                tracker.write_bytes(path.relative_to(source).as_posix(), path.read_bytes(), to_docs=True)
    tracker.write_text("release.json", json.dumps(release.to_dict(), sort_keys=True, indent=1) + "\n",
                       to_docs=True)
    # What the pages need of the downloads, before the downloads exist.
    pending = downloads.Downloads(files=[], changes=changed, has_previous=previous_frame is not None)
    with tracker.active():
        write_pages(dataset, results, docs_dir, settings, release, pending)
    seen, written, unchanged = _Helper.result(job)
    tracker.merge(seen, written, unchanged)
    return tracker.finish()


class _Helper:
    """One spawned process for the downloads; with start_now, started at once so that it can
    share validation (validate.check_years) and import the writers before they are needed,
    else when first asked for work. A context manager.

    spawn, not fork: the parent may hold threads (vl-convert's runtime) that fork would copy mid-state.
    """

    def __init__(self, start_now: bool = True) -> None:
        self._pool = None
        self._warmed = False
        if start_now:
            self._start()

    def _start(self):  # noqa: ANN202
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_helper_started, initargs=(os.getpid(),))
        return self._pool

    def submit(self, fn, *args):  # noqa: ANN001, ANN002, ANN201
        """Queue fn(*args); the writers' imports are queued after the first job, to run while this
        process computes."""
        pool = self._pool or self._start()
        try:
            future = pool.submit(fn, *args)
            if not self._warmed:
                self._warmed = True
                pool.submit(_warm_up)
        except BrokenProcessPool as exc:
            raise BuildError(self.STOPPED) from exc
        return future

    #: What the publisher is told when the second process dies (killed for memory, say) mid-build.
    STOPPED = ("the build's second process (the downloads) stopped unexpectedly, perhaps for lack of "
               "memory; nothing was published and the previous site is untouched")

    @classmethod
    def result(cls, job):  # noqa: ANN001, ANN206
        """The job's result; the process's death as a BuildError, not a traceback."""
        try:
            return job.result()
        except BrokenProcessPool as exc:
            raise BuildError(cls.STOPPED) from exc

    def __enter__(self) -> "_Helper":
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self._pool is None:
            return
        if exc_type is not None:
            # The build failed or was interrupted: its helper's work is wanted no more, so it is
            # ended rather than waited for (the executor has no public way to say so).
            for proc in list((getattr(self._pool, "_processes", None) or {}).values()):
                with contextlib.suppress(Exception):
                    proc.kill()
            self._pool.shutdown(wait=False, cancel_futures=True)
            return
        self._pool.shutdown(wait=True, cancel_futures=True)


def die_with_parent(parent: int | None = None) -> None:
    """Make this process end when its parent does, even by kill -9 (which the parent cannot act on).

    On Linux the kernel sends SIGKILL at the parent's death (PR_SET_PDEATHSIG); elsewhere, and
    as a second guard, a daemon thread checks every half second that the parent is still the one.
    """
    import ctypes
    import threading

    parent = parent if parent is not None else os.getppid()
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    if os.getppid() != parent:  # died before the line above
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="wres-die-with-parent").start()


def _helper_started(parent: int) -> None:
    """In the downloads' process, first: Ctrl-C is the parent's to handle (the terminal sends it to
    the whole group; the parent ends this process and says so once), and this process ends with
    its parent."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)


def _warm_up() -> None:
    """Import what the downloads need, in the helper process, while the parent computes."""
    from ..publish import downloads  # noqa: F401


def _downloads_job(data, docs_dir: Path, settings: Settings, release,  # noqa: ANN001
                   previous_frame: pd.DataFrame | None, changed: pd.DataFrame | None,
                   static_dir: Path | None = None) -> tuple[set[Path], int, int]:
    """Write the downloads in a child process; report what was written for the parent's tracker.

    `data` is the path of the cache entry that holds (dataset, results) (a rebuild),
    (dataset, results) (one core), or the dataset alone, whose figures are then
    computed here (two cores: see run_build). `changed`: the figures changed since
    the previous release, worked out by write_downloads when None.
    """
    from ..publish import downloads
    from ..publish.files import Tracker

    if isinstance(data, Path):
        dataset, results = cache.load_entry(data)
    elif isinstance(data, tuple):
        dataset, results = data
    else:
        from ..compute.results import compute

        dataset, results = data, compute(data, settings)
    tracker = Tracker(docs_dir, static_dir)
    with tracker.active():
        downloads.write_downloads(dataset, results, docs_dir, settings, release, previous=previous_frame,
                                  changed=changed)
    return tracker.seen, tracker.written, tracker.unchanged


def _mkdocs_build(config: Path, docs_dir: Path, site_dir: Path, static_dir: Path | None = None,
                  shards: int | None = None, meanwhile: Callable[[], None] | None = None) -> list[str]:
    """Run MkDocs in child processes, merge their sites, then link the static files in.

    Child processes: their memory is freed when they end, and moving to another
    builder that reads the same mkdocs.yml means changing this function only.
    With several cores, `shards` processes each render every section page and
    a share of the organisation and return pages (see mkdocs_hooks._keep_shard),
    at the same time; the merged site is the same, byte for byte, whatever the
    number of processes. `meanwhile` runs in a thread while they do (the build keeps
    its cache entry then). MkDocs is told where the static files are
    (WRES_STATIC_DIR) only so that links to them from Markdown count as found;
    it neither reads nor copies them. Returns MkDocs' warnings, once each.
    """
    if site_dir.exists():
        shutil.rmtree(site_dir)
    env = dict(os.environ, WRES_DOCS_DIR=str(docs_dir.resolve()), PYTHONHASHSEED="0", NO_MKDOCS_2_WARNING="1")
    env.pop("WRES_SHARD", None)
    if static_dir is not None and static_dir.is_dir():
        env["WRES_STATIC_DIR"] = str(static_dir.resolve())
    else:
        env.pop("WRES_STATIC_DIR", None)
    n = shards if shards is not None else shard_count(docs_dir)
    targets = [site_dir] if n == 1 else [site_dir.with_name(f"{site_dir.name}-shard-{k}") for k in range(n)]
    procs = []
    for k, target in enumerate(targets):
        if target.exists():
            shutil.rmtree(target)
        shard_env = dict(env, WRES_SHARD=f"{k}/{n}") if n > 1 else env
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "build", "--config-file", str(config.resolve()),
             "--site-dir", str(target.resolve())],
            cwd=config.resolve().parent, env=shard_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=_mkdocs_started,
        ))
    failures, warnings = [], []
    with ThreadPoolExecutor(max_workers=1) as side:
        side_job = side.submit(meanwhile) if meanwhile is not None else None
        try:
            outputs = [proc.communicate() for proc in procs]
        except BaseException:  # interrupted: no MkDocs process outlives the build
            for proc in procs:
                proc.kill()
                proc.wait()
            raise
        if side_job is not None:
            side_job.result()
    for proc, (out, err) in zip(procs, outputs):
        if proc.returncode != 0:
            failures.append((err or out)[-4000:])
        warnings += _warnings(err)
    if failures:
        for target in targets[1:]:
            shutil.rmtree(target, ignore_errors=True)
        raise BuildError("MkDocs could not build the site; the previous site is untouched.\n" + failures[0])
    merge_shards(targets, site_dir)
    if static_dir is not None and static_dir.is_dir():
        link_tree(static_dir, site_dir)
    _normalise_site(site_dir)
    return list(dict.fromkeys(warnings))


def _mkdocs_started() -> None:
    """In each MkDocs process, before it runs: it ends with the build, even by kill -9 (see
    die_with_parent)."""
    import ctypes

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


def shard_count(docs_dir: Path) -> int:
    """How many MkDocs processes: one per core (at most four), if there are enough pages to share."""
    cores = _cores()
    if cores < 2:
        return 1
    pages = sum(1 for _ in Path(docs_dir).glob("organisations/*/*.md"))  # what mkdocs_hooks.SHARDED shares out
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


def _swap_in(staging_site: Path, out_dir: Path, work: Path) -> None:
    """Replace out_dir by the freshly built site with two renames.

    If the process dies between them, the old site is still at `work/old`
    and the next build puts it back (see `_recover_interrupted_swap`).
    """
    old = work / "old"
    if old.exists():
        shutil.rmtree(old)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(staging_site, out_dir)
    if old.exists():
        shutil.rmtree(old)


def _recover_interrupted_swap(out_dir: Path, work: Path) -> None:
    old = work / "old"
    if old.is_dir() and not out_dir.exists():
        os.replace(old, out_dir)


def bind_server(port: int):  # noqa: ANN201
    """A preview server bound to 127.0.0.1:port (not yet serving), or one line saying why it cannot be."""
    import errno
    import http.server

    try:
        return http.server.ThreadingHTTPServer(("127.0.0.1", port), http.server.SimpleHTTPRequestHandler)
    except OverflowError:
        return f"--port {port} is not a port number; choose one from 1024 to 65535"
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return (f"port {port} is in use (another preview or server is running there); stop it, or "
                    f"choose another port with --port")
        return f"cannot listen on port {port}: {exc.strerror or exc}; choose another port with --port"


def serve_site(site_dir: Path, port: int, server=None) -> None:  # noqa: ANN001
    """Serve the built site on 127.0.0.1 until Ctrl-C: a preview, not a production server.

    `server`: one bind_server made already (else it is made here; a BuildError if it cannot be)."""
    import functools
    import http.server

    if server is None:
        server = bind_server(port)
        if isinstance(server, str):
            raise BuildError(server)
    server.RequestHandlerClass = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site_dir))
    with server as httpd:
        print(f"Serving {site_dir} at http://127.0.0.1:{port}/ (Ctrl-C to stop)", file=sys.stderr)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
