"""The one folder every cache of the generator lives under.

`WRES_CACHE_DIR` when it is set (a user's override, read here and nowhere else), else
`$XDG_CACHE_HOME/open-wres`, else `~/.cache/open-wres`. Under it: `builds/<out>/` (each output
folder's validated and computed figures and year folders' checks: ingest/cache.py) and the chart
caches (site/charts.py). Deleting it is always safe: everything in it is worked out again.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """The cache folder (not created here)."""
    override = os.environ.get("WRES_CACHE_DIR")
    if override:
        return Path(override)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "open-wres"


def keep(path: Path, text: str) -> None:
    """Write a cache file atomically (a concurrent build never reads half of it); a cache that
    cannot be written only means the work is done again next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass
