"""Organisation and return pages the last build rendered, taken into this one unchanged.

A corrected return changes a handful of pages; MkDocs would render all 1,700 of a national site
again. An organisation or return page's HTML depends only on its own Markdown and on what is
site-wide (mkdocs.yml, the theme and hand-written sources, release.json, the nav, the code and the
versions of MkDocs and its theme): no other page's content reaches it (the same fact that lets the
build share such pages between MkDocs processes). So when everything site-wide is what the published
site was made from (`render_key`), a page whose Markdown file is the very file the last build
rendered (same inode, size and modification time: pages are written only when their bytes change,
and then replaced) is taken from the published site with its search entries and sitemap entry
(`reused_shard`), as one more "shard" for `mkdocs_build.merge_shards`. The plugin leaves such
pages out only when the nav's titles all come from mkdocs.yml (`rendering.nav_is_fixed`).

The result is the same site, byte for byte, as rendering every page (tests/test_build.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ..ingest import cache

#: The pages MkDocs processes share and the build may reuse (integration/rendering.SHARDED).
SHARDED_GLOB = "organisations/*/*.md"

#: What renders a page besides its Markdown: their versions are part of `render_key`.
RENDERERS = ("mkdocs", "mkdocs-material", "jinja2", "markdown", "pymdown-extensions")


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


def digest_sources(h: Any, config: Path) -> None:  # h: a hashlib hash
    """Add mkdocs.yml and the hand-written sources beside it (site_src/) to `h`: what every page is built
    from besides the data (the site's key in pipeline.site_key, the pages' in render_key)."""
    h.update(config.read_bytes())
    source = config.parent / "site_src"
    if source.is_dir():
        cache.digest_tree(h, source)


def render_key(config: Path, docs_dir: Path, shells: bool = True) -> str:
    """A hash of everything site-wide an organisation or return page's HTML depends on."""
    h = hashlib.sha256()
    digest_sources(h, config)
    release = docs_dir / "release.json"
    h.update(b"\x01release" + (release.read_bytes() if release.is_file() else b""))
    h.update(b"\x01code" + cache.code_hash().encode())
    h.update("; ".join(f"{name} {_version(name)}" for name in RENDERERS).encode())
    h.update(f"\x01shells {shells}".encode())
    # The other pages by name (nav entries point at some of them), not content.
    sharded = set(page_stats(docs_dir))
    others = sorted(p.relative_to(docs_dir).as_posix() for p in docs_dir.rglob("*.md"))
    h.update("\n".join(name for name in others if name not in sharded).encode())
    return h.hexdigest()


def page_stats(docs_dir: Path) -> dict[str, list[int]]:
    """Each organisation and return page's Markdown file: [inode, size, modification time in ns]."""
    out = {}
    for path in docs_dir.glob(SHARDED_GLOB):
        st = path.stat()
        out[path.relative_to(docs_dir).as_posix()] = [st.st_ino, st.st_size, st.st_mtime_ns]
    return dict(sorted(out.items()))


def reusable(recorded: dict | None, key: str, docs_dir: Path) -> list[str]:
    """The pages whose Markdown is the file the published site was rendered from, when everything
    site-wide is the same (`recorded`: output.site_record of the published site, or None)."""
    render = (recorded or {}).get("render") or {}
    if not key or render.get("key") != key:
        return []
    before = render.get("pages") or {}
    return [uri for uri, stat in page_stats(docs_dir).items() if before.get(uri) == stat]


def reused_shard(previous_site: Path, reports: list[Path], target: Path) -> Path | None:
    """A folder holding the pages the MkDocs processes left out (their reports), hard-linked from the
    published site, with their entries of its search index and sitemap: one more shard to merge."""
    dropped = [page for report in reports if report.is_file()
               for page in json.loads(report.read_text(encoding="utf-8"))]
    if not dropped:
        return None
    target.mkdir(parents=True)
    for page in dropped:
        dest = target / page["dest"]
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:  # the published site's file itself: nothing ever changes a site's file in place
            os.link(previous_site / page["dest"], dest)
        except OSError:  # a file system without hard links
            shutil.copyfile(previous_site / page["dest"], dest)
    urls = {page["url"] for page in dropped}
    index = json.loads((previous_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs = [d for d in index["docs"] if d["location"].split("#", 1)[0] in urls]
    (target / "search").mkdir()
    (target / "search" / "search_index.json").write_text(json.dumps({"docs": docs}), encoding="utf-8")
    locs = {page["loc"] for page in dropped if page.get("loc")}
    sitemap = previous_site / "sitemap.xml"
    text = sitemap.read_text(encoding="utf-8") if sitemap.is_file() else ""
    blocks = [b for b in re.findall(r"\s*<url>.*?</url>", text, re.S)
              if (m := re.search(r"<loc>(.*?)</loc>", b, re.S)) and m.group(1) in locs]
    (target / "sitemap.xml").write_text("".join(blocks), encoding="utf-8")
    return target
