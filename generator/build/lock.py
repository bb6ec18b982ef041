"""One build at a time into an --out folder: an flock on a file beside it."""

from __future__ import annotations

import fcntl
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..model.errors import BuildError


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
            if progress:
                print("[wres] the other build has finished; building now", file=sys.stderr, flush=True)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # releases the lock
