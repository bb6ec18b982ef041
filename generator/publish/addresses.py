"""Relative links between the site's addresses (plain folder names): what every page and download page uses."""

from __future__ import annotations

import posixpath
from functools import lru_cache


@lru_cache(maxsize=65536)
def rel(from_url: str, to_url: str) -> str:
    """Relative href from one directory-URL page ("organisations/ABC/") to a site path.

    `to_url` is relative to the site root: "organisations/", "downloads/indicators.csv", "".
    Our addresses are plain folder names, so this is "../" for each folder of the page below the part both
    share, then the rest of the target (what `posixpath.relpath` gives, without its normalising work, which
    showed in profiles: a national site asks for some 30,000 links). Anything unusual goes to `relpath`.
    """
    base = from_url.strip("/")
    target = to_url.lstrip("/")
    trailing = target.endswith("/") or target == ""
    here, there = _folders(base), _folders(target.rstrip("/"))
    if here is None or there is None:
        out = posixpath.relpath("/" + target, "/" + base if base else "/")
    else:
        common, shorter = 0, min(len(here), len(there))
        while common < shorter and here[common] == there[common]:
            common += 1
        out = "/".join(("..",) * (len(here) - common) + there[common:]) or "."
    if out == ".":
        out = "./"
    elif trailing and not out.endswith("/"):
        out += "/"
    return out


@lru_cache(maxsize=16384)
def _folders(path: str) -> tuple[str, ...] | None:
    """The folder names of a site path without its outer slashes ("organisations/ABC" -> ("organisations", "ABC")),
    or None when one is empty, "." or "..", which `rel` leaves to `posixpath.relpath`.

    Kept per path: a page links to many targets and many pages link to the same target, so each path is split
    and checked once rather than once per link (`rel` misses its own cache some 30,000 times a national build).
    """
    parts = tuple(path.split("/")) if path else ()
    return None if any(part in ("", ".", "..") for part in parts) else parts
