"""The finished site's place: the staging folder beside --out, the atomic swap (the replaced site set
aside and removed by the next build), and the record that lets an unchanged rebuild write nothing.

The site is built in a staging folder beside `--out` and swapped in only when everything succeeded,
so a failed or interrupted build leaves the previous site whole.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import threading
import time
from pathlib import Path


def remove_staging(work: Path, everything: bool = False) -> None:
    """A failed build's half-made sites (the staging site and MkDocs' shards). The docs and static
    folders are kept between builds, and kept after a failure in the data or an interruption; after a
    failure of the machine (a full disk, say) they go too, to give the space back (the next build
    writes them afresh; the pipeline drops the output folder's cache then too). `old` (a swap to
    recover) always stays."""
    folders = [work / "site", *work.glob("site-shard-*")]
    if everything:
        folders += [work / "docs", work / "static", work / "site.json", *work.glob(SUPERSEDED + "*")]
    for folder in folders:
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                folder.unlink()


def os_error_message(exc: OSError) -> str:
    """One line a publisher can act on for a failure of the machine rather than of the data."""
    where = f" at {exc.filename}" if exc.filename else ""
    why = {errno.ENOSPC: "the disk is full; free some space and build again",
           errno.EDQUOT: "the disk quota is used up; free some space and build again",
           errno.EROFS: "the file system is read-only; choose another --out",
           errno.EACCES: "permission denied; choose an --out folder you can write to",
           errno.EPERM: "permission denied; choose an --out folder you can write to",
           errno.EFBIG: "a file is larger than this process may write (see ulimit -f)"}.get(
        exc.errno, exc.strerror or exc.__class__.__name__)
    return f"the build stopped{where}: {why}. Nothing was published: the previous site is untouched."


def manifest(out_dir: Path) -> dict[str, int]:
    """Every file of a site (address -> size), in address order."""
    found: dict[str, int] = {}
    root = str(out_dir)
    for folder, _dirs, names in os.walk(root):
        prefix = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        for name in names:
            found[prefix + name] = os.stat(os.path.join(folder, name)).st_size
    return dict(sorted(found.items()))


def record_site(work: Path, key: str, manifest: dict[str, int], generated: int, render: dict | None = None) -> None:
    """What the next build checks to know the published site is still this one (see site_record);
    `generated`: how many generated files the site was made from (reported when nothing changes);
    `render`: what its pages were rendered from (build/reuse.py)."""
    record = {"key": key, "files": manifest, "generated": generated}
    if render is not None:
        record["render"] = render
    (work / "site.json").write_text(json.dumps(record), encoding="utf-8")


def site_record(work: Path, out_dir: Path) -> dict | None:
    """What record_site left, when the site it describes is still in out_dir as it was left; else None."""
    try:
        recorded = json.loads((work / "site.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if out_dir.is_dir() and recorded.get("files") == manifest(out_dir):
        return recorded
    return None


#: The site a swap replaced, waiting to be removed by the next build that does any work (`remove_superseded`).
SUPERSEDED = "superseded-"


def swap_in(staging_site: Path, out_dir: Path, work: Path) -> None:
    """Replace out_dir by the freshly built site with two renames.

    If the process dies between them, the old site is still at `work/old`
    and the next build puts it back (see `recover_interrupted_swap`). The old
    site is then renamed aside, not removed: removing a national site's 1,700
    folders is seconds of waiting on the disk (benchmarks/README.md), which the
    next build does beside its own work instead (`remove_superseded`).
    """
    old = work / "old"
    if old.exists():
        _set_aside(old, work)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(staging_site, out_dir)
    if old.exists():
        _set_aside(old, work)


def _set_aside(folder: Path, work: Path) -> None:
    os.replace(folder, work / f"{SUPERSEDED}{time.time_ns()}")


def remove_superseded(work: Path) -> threading.Thread | None:
    """Start removing the sites earlier swaps replaced, in a thread (waiting on the disk, not the CPU);
    the caller joins it when it succeeds (a daemon: an interrupted build does not wait for it, and the
    next build removes what is left). None when there is nothing to remove."""
    folders = sorted(work.glob(SUPERSEDED + "*")) if work.is_dir() else []
    if not folders:
        return None

    def remove() -> None:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)

    thread = threading.Thread(target=remove, name="wres-remove-superseded", daemon=True)
    thread.start()
    return thread


def recover_interrupted_swap(out_dir: Path, work: Path) -> None:
    old = work / "old"
    if old.is_dir() and not out_dir.exists():
        os.replace(old, out_dir)
