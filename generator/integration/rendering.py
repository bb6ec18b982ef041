"""ADAPTER: everything that reaches into MkDocs' own objects, in one place (MkDocs is pinned at 1.6.1).

The plugin (plugin.py) decides *when*; this module knows *how*, using parts of MkDocs that are not
its plugin API and may change in another version: replacing `Page.render` for a generated page,
a `File` subclass MkDocs never copies, removing pages from `Files`, and `get_toc`. Moving to another
MkDocs, or to another builder, means re-doing this module and `plugin.py`; nothing else knows MkDocs.

* Raw blocks: a generated page holds blocks of finished HTML (`text.raw_block`); they are lifted
  out while MkDocs indexes the page for search (`lift`) and put back into the rendered page (`restore`).
* Finished pages: a page whose body starts with `FINISHED` (`pages.compose`) is finished HTML with
  headings as Python-Markdown would write them; `render_finished` gives it the content and table of
  contents Python-Markdown would, without running it (a speed-up only: without it the body is read
  as raw HTML and the page is the same apart from the sidebar's table of contents).
* Generated files that are not pages (charts, downloads, API, badges) are written beside the docs
  folder and linked into the site by the build; `register_static` makes links to them validate.
* `keep_shard`: one MkDocs process's share of the organisation and return pages; `drop_reused`: the
  pages the build takes from the last site unchanged (`nav_is_fixed` says when that is safe).
* `Shells`: organisation and return pages drawn from a few shells the theme renders once
  (`overrides/wres_page.html` calls it as `wres_shell`): most of MkDocs' time on a national site
  otherwise goes to rendering the same theme around each of them (benchmarks/README.md).
"""

from __future__ import annotations

import os
import re
from urllib.parse import urljoin

from markdown.extensions.toc import nest_toc_tokens, strip_tags
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from ..site.markers import FINISHED, RAW_CLOSE, RAW_OPEN

#: Pages that no nav entry and no Markdown link points at: any one MkDocs process may render them.
SHARDED = re.compile(r"organisations/[^/]+/[^/]+\.md$")

_RAW_SLOT = re.compile(r"<!--wres-slot-(\d+)-->")
_SEARCH_ATTR = re.compile(r'\sdata-search-exclude(?:="[^"]*")?')
#: A heading as pages.compose writes it.
_HEADING = re.compile(r'<h([1-6]) id="([^"]+)">(.*?)</h\1>', re.S)


def lift(text: str, finished: bool) -> tuple[str, list[str]]:
    """Each raw block (text.raw_block) replaced by a numbered slot; the blocks, in order.

    The first closing marker after an opening one ends the block (as `<!--wres:raw-->(.*?)<!--/wres:raw-->`
    would; str.find is faster on large pages).
    """
    blocks: list[str] = []
    out: list[str] = []
    at = 0
    while True:
        start = text.find(RAW_OPEN, at)
        end = text.find(RAW_CLOSE, start + len(RAW_OPEN)) if start >= 0 else -1
        if end < 0:
            out.append(text[at:])
            return "".join(out), blocks
        block = text[start + len(RAW_OPEN):end]
        blocks.append(_SEARCH_ATTR.sub("", block) if "data-search-exclude" in block else block)
        slot = f"<!--wres-slot-{len(blocks) - 1}-->"
        # In Markdown, on lines of its own: a block of HTML, never part of a paragraph or of the block before.
        out += [text[at:start], f"{slot}\n" if finished else f"\n\n{slot}\n\n"]
        at = end + len(RAW_CLOSE)


def take_over(markdown: str, page: Page, shells: bool = True) -> str:
    """The page's Markdown with its raw blocks lifted out (kept in `page.meta`); a generated page
    (finished HTML) gets `render_finished` in place of MkDocs' own rendering (`shells`: an organisation
    or return page is drawn from a shell)."""
    finished = markdown.lstrip("\n").startswith(FINISHED)
    if finished:
        markdown = markdown.lstrip("\n")
    markdown, page.meta["_wres_blocks"] = lift(markdown, finished)
    if finished:
        page.render = lambda config, files: render_finished(page, shells)  # type: ignore[method-assign]
    return markdown


def render_finished(page: Page, shells: bool = True) -> None:
    """What Page.render gives for a generated page, without Python-Markdown.

    The body is finished HTML with the raw blocks lifted out (slots), so the content is the body
    itself; the table of contents is made from its headings exactly as Python-Markdown's toc
    extension makes it (level, id, name) and handed to MkDocs' own `get_toc`.
    """
    content = page.markdown[len(FINISHED):].strip()
    tokens = [{"level": int(level), "id": anchor, "name": strip_tags(inner), "children": []}
              for level, anchor, inner in _HEADING.findall(content)]
    page.content = content
    page.toc = get_toc(nest_toc_tokens(tokens))
    page.present_anchor_ids = {t["id"] for t in tokens}
    if shells and SHARDED.match(page.file.src_uri):
        page.meta["template"] = SHELL_TEMPLATE  # in no nav entry: drawn from a shell (see Shells)


def restore(output: str, page: Page | None) -> str:
    """The rendered page with its raw blocks back in their slots."""
    blocks = page.meta.get("_wres_blocks") if page is not None else None
    if not blocks:
        return output
    return _RAW_SLOT.sub(lambda m: blocks[int(m.group(1))], output)


class _LinkedByBuild(File):
    """A generated file the build links into the site itself: MkDocs knows it, never copies it."""

    def copy_file(self, dirty: bool = False) -> None:
        return None


def register_static(files: Files, static: str, site_dir: str, use_directory_urls: bool) -> None:
    """Make MkDocs aware of the generated non-page files under `static` without copying them, so
    Markdown links to them resolve and validate as usual."""
    for folder, dirs, names in os.walk(static):
        dirs.sort()
        relative = os.path.relpath(folder, static)
        for name in sorted(names):
            path = name if relative == "." else f"{relative}/{name}".replace(os.sep, "/")
            if files.get_file_from_path(path) is None:
                files.append(_LinkedByBuild(path, static, site_dir, use_directory_urls))


def keep_shard(files: Files, index: int, count: int) -> None:
    """Keep every `count`-th organisation from `index` with its return pages; drop the others.

    `wres build` runs `count` MkDocs processes, each rendering every section page and a share of the
    organisation and return pages, and merges their sites (build/mkdocs_run.merge_shards). Those pages
    are reached only by finished HTML links and search, never by nav or Markdown links, so dropping
    them here changes nothing on the pages that remain. An organisation's pages stay together, so each
    process writes whole `organisations/<code>/` folders, which the merge moves with one rename each.
    """
    pages = [f.src_uri for f in files if f.is_documentation_page() and SHARDED.match(f.src_uri)]
    orgs = sorted({uri.split("/")[1] for uri in pages})
    keep = set(orgs[index::count])
    for uri in pages:
        if uri.split("/")[1] not in keep:
            files.remove(files.get_file_from_path(uri))


def nav_is_fixed(nav) -> bool:  # noqa: ANN001
    """True when every page of the nav has its title from mkdocs.yml (none from its own Markdown): then
    the nav, which the theme renders into every page, depends on the configuration alone."""
    items = list(nav.items)
    while items:
        item = items.pop()
        if getattr(item, "is_page", False) and "title" not in vars(item):
            return False
        items += list(getattr(item, "children", None) or [])
    return True


def drop_reused(files: Files, listed: set[str], site_url: str | None) -> list[dict[str, str | None]]:
    """Remove from `files` the organisation and return pages of `listed` (src URIs), which the build
    takes from the last site instead of rendering them again; what each is in the site (for the build).

    Safe for the same reason as `keep_shard`: no other page's HTML depends on these pages. The build
    lists only pages whose Markdown, and everything site-wide, is what the last site was made from.
    """
    dropped = []
    for uri in sorted(listed):
        f = files.get_file_from_path(uri)
        if f is None or not f.is_documentation_page() or not SHARDED.match(uri):
            continue
        files.remove(f)
        # Its sitemap entry's address, as Page._set_canonical_url makes it (none without a site_url).
        loc = urljoin(site_url if site_url.endswith("/") else site_url + "/", f.url) if site_url else None
        dropped.append({"src": uri, "url": f.url, "dest": f.dest_uri, "loc": loc})
    return dropped


#: overrides/wres_page.html: the template of an organisation or return page (set by `render_finished`).
SHELL_TEMPLATE = "wres_page.html"
#: Stand-ins for what differs between two such pages at the same depth: private-use characters that
#: no template filter changes and no page contains. The content stand-in holds "<h1" because the
#: theme adds a heading to content without one (only pages with one get a shell).
_STAND_INS = {"title": "\ue000wres-title\ue000", "description": "\ue000wres-description\ue000",
              "canonical_url": "\ue000wres-canonical\ue000", "first_id": "\ue000wres-first-id\ue000",
              "content": "\ue000wres-content<h1\ue000"}


class Shells:
    """`wres_shell(page, base_url, render)`: an organisation or return page, from its depth's shell.

    Such a page is in no nav entry, so the theme's whole page around it depends only on how deep it is,
    on its table of contents (the same on most such pages) and on its front matter. Everything
    else that differs from page to page is one of five values: the title, the description, the
    canonical address, the first heading's id (the skip link) and the content. So the theme renders
    each distinct shell once, with stand-ins for those five (`_STAND_INS`), and each page is its
    shell with its own five values put back: most of MkDocs' template time on a national site.
    A page outside these assumptions (no <h1>, a previous or next page) is rendered in full.
    The plugin's `shells: false` renders every page in full, from main.html; tests/test_build.py checks
    that both give the same site, byte for byte, on pages whose titles hold characters HTML treats specially.
    """

    def __init__(self) -> None:
        self.shells: dict[tuple, str] = {}
        self.pages = 0

    def __call__(self, page, base_url: str, render) -> str:  # noqa: ANN001
        content = page.content or ""
        if "<h1" not in content or page.previous_page is not None or page.next_page is not None:
            return render()
        meta = page.meta
        first = next(iter(page.toc), None)
        values = {"title": meta.get("title"), "description": meta.get("description"),
                  "canonical_url": page.canonical_url, "first_id": first.id if first is not None else None,
                  "content": content}
        values = {name: str(v) for name, v in values.items() if v}
        if any("\ue000wres-" in v for v in values.values()):
            return render()  # a page holding a stand-in itself would be filled wrongly
        key = (base_url, tuple(sorted(values)), _toc_key(page.toc),
               repr(sorted((k, v) for k, v in meta.items() if k not in ("title", "description", "_wres_blocks"))))
        shell = self.shells.get(key)
        if shell is None:
            shell = self.shells[key] = self._render_shell(page, first, values, render)
        self.pages += 1
        for name, value in values.items():
            shell = shell.replace(_STAND_INS[name], value)
        return shell

    @staticmethod
    def _render_shell(page, first, values: dict[str, str], render) -> str:  # noqa: ANN001
        """The page rendered with the stand-ins in place of its own values, which are then put back."""
        saved = (dict(page.meta), page.canonical_url, page.content, first.id if first is not None else None)
        try:
            for name in ("title", "description"):
                if name in values:
                    page.meta[name] = _STAND_INS[name]
            if "canonical_url" in values:
                page.canonical_url = _STAND_INS["canonical_url"]
            if "first_id" in values:
                first.id = _STAND_INS["first_id"]
            page.content = _STAND_INS["content"]
            return str(render())
        finally:
            page.meta.clear()
            page.meta.update(saved[0])
            page.canonical_url, page.content = saved[1], saved[2]
            if first is not None:
                first.id = saved[3]


def _toc_key(items, top: bool = True) -> tuple:  # noqa: ANN001
    """A table of contents as a key. The first entry's id is left out (a stand-in takes its place), and
    so is its title when it is the page's <h1>: the theme shows only that entry's children and link."""
    return tuple((item.level, None if top and i == 0 and item.level == 1 else item.title,
                  None if top and i == 0 else item.id, _toc_key(item.children, False))
                 for i, item in enumerate(items))
