"""Skip validation and computation when nothing they depend on has changed.

Like owid/etl's steps, the expensive middle of the pipeline re-runs only when
a checksum of its inputs changes. The key covers every file in the data
folder, the generator's own code and schemas, the versions of the libraries
that read and compute (and Python's), and the settings, so a cached result can
never be stale: change any of them and it is recomputed.

Each output folder has its own cache under the one cache root (`model.cache_root`):
`builds/<hash of the output folder>/figures/` (the last build's dataset and
figures) and `.../years/` (each year folder's checks, by that folder's hash).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import platform
from importlib.metadata import version
from pathlib import Path

from ..model import resources, spec
from ..model.cache_root import cache_root
from ..model.settings import Settings

_PACKAGE = Path(__file__).resolve().parent.parent  # the whole package


def digest_tree(h: hashlib._Hash, root: Path, pattern: str = "*") -> None:
    """Hash every file under root, by name and content; a link leading out of root is hashed by
    where it points, never read (nothing outside the data folder is read: see folders.link_problem)."""
    top = os.path.realpath(root)
    for path in sorted(p for p in Path(root).rglob(pattern) if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if "__pycache__" in rel:
            continue
        h.update(rel.encode("utf-8", "surrogateescape") + b"\0")
        real = os.path.realpath(path)
        if real != top and not real.startswith(top.rstrip(os.sep) + os.sep):
            h.update(b"\x01outside " + real.encode("utf-8", "surrogateescape"))
            continue
        h.update(hashlib.sha256(path.read_bytes()).digest())


#: The libraries the validated and computed figures depend on: a new version may read or compute
#: differently, so an entry made under another version (or another Python) is never reused.
LIBRARIES = ("pandas", "numpy", "frictionless")


def library_versions() -> str:
    return "; ".join([f"{name} {version(name)}" for name in LIBRARIES] + [f"python {platform.python_version()}"])


@functools.lru_cache(maxsize=1)
def code_hash() -> str:
    """A hash of the generator's code, schemas and library versions: a cached result made by other
    code, or under other versions of the libraries, is never reused."""
    h = hashlib.sha256()
    digest_tree(h, _PACKAGE, "*.py")
    h.update(b"\x01schemas")
    digest_tree(h, spec.SCHEMA_DIR, "*.json")
    ods = resources.resource("registers/ods-organisations.csv")  # the shipped register (ingest/registers.py)
    h.update(b"\x01ods" + (ods.read_bytes() if ods.is_file() else b""))
    h.update(b"\x01libraries " + library_versions().encode())
    return h.hexdigest()


def cache_key(data_dir: Path, settings: Settings) -> str:
    h = hashlib.sha256()
    digest_tree(h, Path(data_dir))
    h.update(b"\x01code" + code_hash().encode())
    h.update(repr(settings).encode())
    return h.hexdigest()


def build_dir(out_dir: Path) -> Path:
    """The cache of the builds into `out_dir` (an absolute path): one folder per output folder, so
    builds into two folders never replace each other's entries."""
    name = hashlib.sha256(str(Path(out_dir).resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return cache_root() / "builds" / name


def figures_dir(out_dir: Path) -> Path:
    """Where the last build into `out_dir` keeps its validated data set and figures."""
    return build_dir(out_dir) / "figures"


def years_dir(out_dir: Path) -> Path:
    """Where builds into `out_dir` keep each year folder's checks."""
    return build_dir(out_dir) / "years"


def entry_path(cache_dir: Path, key: str) -> Path:
    """Where the validated and computed result for `key` is kept."""
    return Path(cache_dir) / f"{key}.pickle"


def load_entry(path: Path):
    """(dataset, results) from a cache entry; another process of the same build reads it too."""
    with Path(path).open("rb") as f:
        return pickle.load(f)


def read_kept(path: Path):
    """What `keep` left at path, or None when there is nothing there (a damaged file is removed:
    whatever it held is simply worked out again)."""
    if not path.is_file():
        return None
    try:
        return load_entry(path)
    except Exception:
        path.unlink(missing_ok=True)
        return None


def keep(path: Path, value, replacing: str) -> bool:  # noqa: ANN001
    """Pickle value at path, written whole or not at all, after removing what it supersedes:
    the files of path's folder that the glob `replacing` matches. False when it could not be
    written (a full disk, a read-only folder): a cache is an economy, so the build goes on and
    the next one works it out again; nothing half-written is left behind."""
    tmp = path.with_suffix(".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(replacing):
            old.unlink()
        with tmp.open("wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return False
    return True
