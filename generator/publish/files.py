"""Writing generated files: only when they change, and never outside the site.

Pages and downloads write through `write_text` / `write_bytes` here. Inside a
build (`Tracker.active()`), a file whose bytes are unchanged is left alone,
so a rebuild with the same data rewrites nothing, and files the build no
longer produces are removed at the end. Every path is checked to stay inside
the folder being written, so a code from the data can never escape it.
"""

from __future__ import annotations

import contextvars
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_ACTIVE: contextvars.ContextVar[Tracker | None] = contextvars.ContextVar("wres_tracker", default=None)


class UnsafePath(ValueError):
    """A path built from data would leave the folder it belongs in."""


def safe_join(root: Path, *parts: str) -> Path:
    """root / parts, refusing anything that leads outside root.

    The root is resolved (it may sit behind a symbolic link); the parts are
    checked lexically, so `..` and absolute parts are refused without asking
    the file system about every folder on the way (thousands of paths a
    build). The folders below root are the build's own: it makes no links
    to folders.
    """
    root_resolved = os.path.realpath(root)
    target = os.path.normpath(os.path.join(root_resolved, *parts))
    if target != root_resolved and not target.startswith(root_resolved.rstrip(os.sep) + os.sep):
        raise UnsafePath(f"refusing to write {'/'.join(parts)!r}: it is outside {root}")
    return Path(target)


def _existing(path: Path, data: bytes) -> bool | None:
    """True if path holds exactly data, False if it holds something else, None if absent."""
    try:
        if path.stat().st_size != len(data):
            return False
    except OSError:
        return None
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def _replace(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException as exc:  # a full disk, say: no half-written file is left to be published later
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None:
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise


#: Folders known to exist, so that writing thousands of files does not ask for each one.
_MADE: set[Path] = set()


def _make_folder(folder: Path) -> None:
    """Make a folder (and its parents) unless this build has made it already."""
    if folder not in _MADE:
        folder.mkdir(parents=True, exist_ok=True)
        _MADE.add(folder)


def write_bytes(path: Path, data: bytes) -> bool:
    """Write data to path unless it already holds exactly that. True when written.

    A file that exists is replaced, never changed in place: the build hard-links
    generated files into the published site, which must keep the old bytes until
    the new site is swapped in. A new file is written directly.
    """
    return _write(Path(path), data, _ACTIVE.get())


def _write(path: Path, data: bytes, tracker: Tracker | None, route: bool = True) -> bool:
    if tracker is not None:
        path = tracker.check(path, route=route)
    existing = _existing(path, data)
    changed = existing is not True
    if existing is None:
        _make_folder(path.parent)
        try:
            with open(path, "xb") as f:
                f.write(data)
        except FileNotFoundError:  # the folder went away since it was made: make it again
            path.parent.mkdir(parents=True, exist_ok=True)
            _replace(path, data)
        except FileExistsError:  # it appeared since we looked: replace it
            _replace(path, data)
    elif existing is False:
        _replace(path, data)
    if tracker is not None:
        tracker.record(path, changed)
    return changed


def write_text(path: Path, text: str) -> bool:
    return write_bytes(path, text.encode("utf-8"))


def write_shared(path: Path, data: bytes) -> bool:
    """`write_bytes` for a file whose bytes many others share (badges: one per status and year).

    Inside a build, a new file with the same bytes as one already written is
    made a hard link to it: a directory entry instead of a new file, which
    on some disks costs a hundred times less. Safe for the same reason as
    linking into the site: no file is ever changed in place.
    """
    tracker = _ACTIVE.get()
    if tracker is None:
        return write_bytes(path, data)
    path = tracker.check(Path(path))
    first = tracker.shared.get(data)
    if first is not None and first != path and not os.path.lexists(path):
        _make_folder(path.parent)
        try:
            os.link(first, path)
        except OSError:
            return _write(path, data, tracker, route=False)
        tracker.record(path, True)
        return True
    changed = _write(path, data, tracker, route=False)
    tracker.shared.setdefault(data, path)
    return changed


#: What MkDocs renders: every other file the build writes is published as it is.
PAGE_SUFFIXES = frozenset({".md"})


class Tracker:
    """Remembers what one build wrote into a folder kept between builds.

    With a `static_root`, every generated file that is not a page (charts,
    downloads, the API, badges: thousands of files) is written there instead
    of under `root`, at the same relative path. MkDocs then never reads or
    copies them; the build links them into the finished site. Files written
    with `to_docs=True` (the hand-written sources, release.json) stay in `root`.
    """

    def __init__(self, root: Path, static_root: Path | None = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        _MADE.clear()  # folders may have been removed since another build in this process
        self.root_resolved = self.root.resolve()
        self.static_resolved: Path | None = None
        if static_root is not None:
            Path(static_root).mkdir(parents=True, exist_ok=True)
            self.static_resolved = Path(static_root).resolve()
        self._root_prefix = str(self.root_resolved) + os.sep
        self._static_prefix = str(self.static_resolved) + os.sep if self.static_resolved is not None else ""
        self.started = time.time() - 1.0
        self.seen: set[Path] = set()
        self.written = 0
        self.unchanged = 0
        #: bytes -> the first path written with them (write_shared).
        self.shared: dict[bytes, Path] = {}

    def check(self, path: Path, route: bool = True) -> Path:
        """The path to write: inside root (or, with route, sent to the static root), never outside.

        Paths arrive already resolved by `safe_join`, so a lexical check (abspath
        removes any `..`) settles most of them without asking the file system
        about every folder on the way; anything else is resolved in full.
        """
        text = os.path.abspath(path)
        if not text.startswith(self._root_prefix) and not (self._static_prefix and text.startswith(self._static_prefix)):
            text = str(Path(path).resolve())
        if self._static_prefix and text.startswith(self._static_prefix):
            return Path(text)
        if not text.startswith(self._root_prefix):
            raise UnsafePath(f"refusing to write {path}: it is outside {self.root}")
        if route and self.static_resolved is not None and os.path.splitext(text)[1] not in PAGE_SUFFIXES:
            return Path(self._static_prefix + text[len(self._root_prefix):])
        return Path(text)

    def record(self, path: Path, changed: bool) -> None:
        if path not in self.seen:
            self.seen.add(path)
            if changed:
                self.written += 1
            else:
                self.unchanged += 1

    def merge(self, seen: set[Path], written: int, unchanged: int) -> None:
        """Take in what another process's tracker wrote into the same folder."""
        self.seen |= seen
        self.written += written
        self.unchanged += unchanged

    def write_text(self, relative: str, text: str, *, to_docs: bool = False) -> bool:
        return self.write_bytes(relative, text.encode("utf-8"), to_docs=to_docs)

    def write_bytes(self, relative: str, data: bytes, *, to_docs: bool = False) -> bool:
        """Write a file at `relative`; `to_docs` keeps a non-page file in root for MkDocs to see."""
        return _write(safe_join(self.root, relative), data, self, route=not to_docs)

    @contextmanager
    def active(self) -> Iterator[Tracker]:
        token = _ACTIVE.set(self)
        try:
            yield self
        finally:
            _ACTIVE.reset(token)

    def finish(self) -> tuple[int, int]:
        """Remove files this build did not produce; return (written, unchanged).

        A file written directly (not through this module) during the build is
        newer than the tracker and is kept and counted as written.
        """
        roots = [self.root_resolved] + ([self.static_resolved] if self.static_resolved else [])
        seen = {str(p) for p in self.seen}
        for root in roots:
            # Bottom up, with os.walk's directory entries: one stat only for a file this build did not write.
            for folder, _dirs, names in os.walk(root, topdown=False):
                kept = False
                for name in names:
                    path = os.path.join(folder, name)
                    if path in seen:
                        kept = True
                    elif os.stat(path).st_mtime >= self.started:
                        self.written += 1
                        kept = True
                    else:
                        os.unlink(path)
                if folder != str(root) and not kept and not os.listdir(folder):
                    os.rmdir(folder)
        return self.written, self.unchanged
