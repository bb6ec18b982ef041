"""The build's second process: it writes the downloads while the first writes the pages.

spawn, not fork: the parent may hold threads (vl-convert's runtime) that fork would copy mid-state.
The process ends with its parent in every case (kill -9 included), and its death mid-build is a
BuildError the publisher can read, not a traceback.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pandas as pd

from ..ingest import cache
from ..model.errors import BuildError
from ..model.release import Release
from ..model.settings import Settings
from ..publish import downloads
from ..publish.files import Tracker


class DownloadsProcess:
    """One spawned process that writes the downloads; started when first asked (`submit`). A context
    manager: on leaving it normally the process finishes its work; on an error or interruption it is
    ended at once, since its work is wanted no more."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, fn: Callable[..., object], *args: object) -> Future:
        """Queue fn(*args) in the process."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_started, initargs=(os.getpid(),))
        try:
            return self._pool.submit(fn, *args)
        except BrokenProcessPool as exc:
            raise BuildError(STOPPED) from exc

    def __enter__(self) -> DownloadsProcess:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self._pool is None:
            return
        if exc_type is not None:
            # The executor has no public way to end its processes at once.
            for proc in list((getattr(self._pool, "_processes", None) or {}).values()):
                with contextlib.suppress(Exception):
                    proc.kill()
            self._pool.shutdown(wait=False, cancel_futures=True)
            return
        self._pool.shutdown(wait=True, cancel_futures=True)


#: What the publisher is told when the second process dies (killed for memory, say) mid-build.
STOPPED = ("the build's second process (the downloads) stopped unexpectedly, perhaps for lack of "
           "memory; nothing was published and the previous site is untouched")


def result(job: Future):  # noqa: ANN201
    """The job's result; the process's death as a BuildError, not a traceback."""
    try:
        return job.result()
    except BrokenProcessPool as exc:
        raise BuildError(STOPPED) from exc


def die_with_parent(parent: int | None = None) -> None:
    """Make this process end when its parent does, even by kill -9 (which the parent cannot act on).

    On Linux the kernel sends SIGKILL at the parent's death (PR_SET_PDEATHSIG); elsewhere, and
    as a second guard, a daemon thread checks every half second that the parent is still the one.
    """
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


def _started(parent: int) -> None:
    """In the downloads' process, first: Ctrl-C is the parent's to handle (the terminal sends it to
    the whole group; the parent ends this process and says so once), and this process ends with
    its parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)


def write_downloads(data: Path | tuple, docs_dir: Path, static_dir: Path, settings: Settings, release: Release,
                    previous: pd.DataFrame | None, changed: pd.DataFrame) -> tuple[set[Path], int, int]:
    """In the downloads' process: write the downloads; report what was written for the parent's tracker.

    `data`: (dataset, results), or the path of the cache entry holding them (a rebuild: reading it
    is cheaper than sending the figures through a pipe). `changed`: the figures changed since the
    previous release.
    """
    dataset, results = cache.load_entry(data) if isinstance(data, Path) else data
    tracker = Tracker(docs_dir, static_dir)
    with tracker.active():
        downloads.write_downloads(dataset, results, docs_dir, settings, release, previous=previous, changed=changed)
    return tracker.seen, tracker.written, tracker.unchanged
