"""The one MkDocs hooks file: release label, language, Content-Security-Policy.

Kept small and free of page logic so that moving to another builder (Zensical)
means re-doing only these things:

* `on_files`: register the generated files that `wres build` links into the
  site itself (WRES_STATIC_DIR), so links to them validate without MkDocs
  copying thousands of files; and, when `wres build` renders the site in
  several processes (WRES_SHARD), keep this process's share of the
  organisation and return pages;
* `on_config`: read `release.json` (written by build.py at the docs root) into
  `config.extra.release`, which the theme override shows in every footer and,
  for demonstration data, as a banner on every page;
* `on_page_markdown` / `on_post_page`: lift blocks of finished HTML marked
  by `text.raw_block` out of the page while MkDocs indexes it for search, and
  put them back into the rendered page; and, for a generated page (finished
  HTML after `FINISHED`, which `pages.compose` writes), render it without Python-Markdown: its content
  is its body, its table of contents comes from its headings (a speed-up
  only: without this hook the body is read as raw HTML and the page is the
  same apart from the sidebar's table of contents);
* `on_env`: `wres_shell`, with which overrides/wres_page.html draws each
  organisation and return page (in no nav entry) from one of a few shells
  rendered by the theme (`_Shells`); and compiled templates kept between
  builds;
* `on_post_page`: set `lang="en-GB"` (Material only knows "en"), and fill the
  Content-Security-Policy placeholder of `overrides/main.html` with the
  sha256 hash of every inline script of the theme (counted before the
  finished blocks go back in), so scripts need no 'unsafe-inline' and
  nothing can run that the theme did not put there.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import re
from pathlib import Path

# Absolute: MkDocs loads this file by its path (mkdocs.yml `hooks:`), not as part of the package.
from generator.model.settings import load_settings
from generator.site.about import ABOUT_MARKER, fill_about
from generator.site.markers import FINISHED, RAW_CLOSE, RAW_OPEN

CSP_PLACEHOLDER = "__WRES_CSP__"
_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>(?:\s[^>]*)?)>(?P<body>.*?)</script>", re.S | re.I)

#: style-src allows 'unsafe-inline' because vega-embed and vega-tooltip insert <style>
#: elements and Material sets style attributes from JavaScript; no script can be
#: injected that way. Scripts: only the site's own files and hashed inline scripts.
POLICY = ("default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self'; "
          "object-src 'none'; base-uri 'self'; form-action 'self'")


def on_config(config, **kwargs):  # noqa: ANN001, ANN003
    release_file = Path(config["docs_dir"]) / "release.json"
    release = {}
    if release_file.is_file():
        try:
            release = json.loads(release_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            release = {}
    config["extra"]["release"] = release
    # One public address for the whole site: extra.wres.site_url gives MkDocs its own (canonical links, sitemap).
    url = str(((config["extra"].get("wres") or {}).get("site_url")) or "").strip()
    if url and not config.get("site_url"):
        config["site_url"] = url.rstrip("/") + "/"
    return config


def on_files(files, config, **kwargs):  # noqa: ANN001, ANN003
    # release.json is for this hook only: do not publish it as a page asset.
    f = files.get_file_from_path("release.json")
    if f is not None:
        files.remove(f)
    static = os.environ.get("WRES_STATIC_DIR")
    if static and os.path.isdir(static):
        _register_static(files, config, static)
    shard = os.environ.get("WRES_SHARD")
    if shard:
        _keep_shard(files, shard)
    return files


#: Pages that no nav entry and no Markdown link points at: any one MkDocs process may render them.
SHARDED = re.compile(r"organisations/[^/]+/[^/]+\.md$")


def _keep_shard(files, shard: str) -> None:  # noqa: ANN001
    """Keep every k-th organisation of n ("k/n") with its return pages; drop the others.

    `wres build` runs n MkDocs processes, one per core, each rendering every
    section page and a share of the organisation and return pages, and merges
    their sites (build.merge_shards). Those pages are reached only by finished
    HTML links and search, never by nav or Markdown links, so dropping them
    here changes nothing on the pages that remain. An organisation's pages
    stay together, so each process writes whole `organisations/<code>/`
    folders, which the merge moves with one rename each.
    """
    k, n = (int(x) for x in shard.split("/"))
    pages = [f.src_uri for f in files if f.is_documentation_page() and SHARDED.match(f.src_uri)]
    orgs = sorted({uri.split("/")[1] for uri in pages})
    keep = set(orgs[k::n])
    for uri in pages:
        if uri.split("/")[1] not in keep:
            files.remove(files.get_file_from_path(uri))


def _register_static(files, config, static: str) -> None:  # noqa: ANN001
    """Make MkDocs aware of the generated non-page files without copying them.

    `wres build` writes charts, downloads, the API and badges (thousands of
    files) outside docs_dir and links them into the finished site itself.
    Registered here, Markdown links to them resolve and validate as usual;
    their copy step is a no-op.
    """
    from mkdocs.structure.files import File

    class _LinkedByBuild(File):
        def copy_file(self, dirty: bool = False) -> None:
            return None

    use_directory_urls = config["use_directory_urls"]
    site_dir = config["site_dir"]
    for folder, dirs, names in os.walk(static):
        dirs.sort()
        relative = os.path.relpath(folder, static)
        for name in sorted(names):
            path = name if relative == "." else f"{relative}/{name}".replace(os.sep, "/")
            if files.get_file_from_path(path) is None:
                files.append(_LinkedByBuild(path, static, site_dir, use_directory_urls))


_RAW_SLOT = re.compile(r"<!--wres-slot-(\d+)-->")
_SEARCH_ATTR = re.compile(r'\sdata-search-exclude(?:="[^"]*")?')


def on_page_markdown(markdown, page, config, files, **kwargs):  # noqa: ANN001, ANN003
    if ABOUT_MARKER in markdown:  # the About page: the publisher's own section (site/about.py)
        markdown = fill_about(markdown, load_settings(Path(config.config_file_path)))
    finished = markdown.lstrip("\n").startswith(FINISHED)
    if finished:
        markdown = markdown.lstrip("\n")
    markdown, page.meta["_wres_blocks"] = _lift(markdown, finished)
    if finished:
        # A generated page: finished HTML, nothing for Python-Markdown to do (see pages.compose).
        page.render = functools.partial(_render_finished, page)
    return markdown


def _lift(text: str, finished: bool) -> tuple[str, list[str]]:
    """Each raw block (text.raw_block) replaced by a numbered slot; the blocks, in order.

    The first closing marker after an opening one ends the block (as `<!--wres:raw-->(.*?)<!--/wres:raw-->`
    would; str.find is faster on pages of 60 KB).
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


#: A heading as pages.compose writes it.
_HEADING = re.compile(r'<h([1-6]) id="([^"]+)">(.*?)</h\1>', re.S)


def _render_finished(page, config, files) -> None:  # noqa: ANN001
    """What Page.render gives for a generated page, without Python-Markdown.

    The body is finished HTML with the raw blocks lifted out (slots), so the content is the body
    itself; the table of contents is made from its headings exactly as Python-Markdown's toc
    extension makes it (level, id, name) and handed to MkDocs' own `get_toc`.
    """
    from markdown.extensions.toc import nest_toc_tokens, strip_tags
    from mkdocs.structure.toc import get_toc

    content = page.markdown[len(FINISHED):].strip()
    tokens = [{"level": int(level), "id": anchor, "name": strip_tags(inner), "children": []}
              for level, anchor, inner in _HEADING.findall(content)]
    page.content = content
    page.toc = get_toc(nest_toc_tokens(tokens))
    page.present_anchor_ids = {t["id"] for t in tokens}
    if SHARDED.match(page.file.src_uri) and os.environ.get("WRES_NO_SHELLS") != "1":
        page.meta["template"] = SHELL_TEMPLATE  # in no nav entry: drawn from a shell (see _Shells)


def _restore(output: str, page) -> str:  # noqa: ANN001
    blocks = page.meta.get("_wres_blocks") if page is not None else None
    if not blocks:
        return output
    return _RAW_SLOT.sub(lambda m: blocks[int(m.group(1))], output)


def csp_for(html: str) -> str:
    hashes = []
    for m in _INLINE_SCRIPT.finditer(html):
        attrs = m.group("attrs") or ""
        if re.search(r"\ssrc\s*=", attrs, re.I):
            continue
        kind = re.search(r"\stype\s*=\s*[\"']?([^\"'\s>]+)", attrs, re.I)
        if kind and kind.group(1).lower() not in ("text/javascript", "module", "application/javascript"):
            continue  # data blocks (application/json) are never executed
        digest = base64.b64encode(hashlib.sha256(m.group("body").encode("utf-8")).digest()).decode("ascii")
        token = f"'sha256-{digest}'"
        if token not in hashes:
            hashes.append(token)
    return POLICY.format(hashes=" ".join(hashes)).replace("  ", " ")


def on_env(env, config, files, **kwargs):  # noqa: ANN001, ANN003
    """`wres_shell` for overrides/wres_page.html (see `_Shells`); compiled templates kept between builds."""
    _keep_compiled_templates(env)
    env.globals["wres_shell"] = _SHELLS[0] = _Shells()
    return env


#: This process's shells (on_env makes them; on_post_build reports how much they were used).
_SHELLS: list = [None]


def on_post_build(config, **kwargs):  # noqa: ANN001, ANN003
    """Say in MkDocs' log how many pages came from how few shells (a test reads it)."""
    import logging

    shells = _SHELLS[0]
    if shells is not None and shells.pages:
        logging.getLogger("mkdocs.hooks.wres").info(
            "wres: %d organisation and return pages drawn from %d shells", shells.pages, len(shells.shells))


def _keep_compiled_templates(env) -> None:  # noqa: ANN001
    """Keep the theme's compiled templates between builds, like Python's own .pyc files.

    Each MkDocs process would otherwise compile the same 38 templates again (about 0.2 s).
    Jinja checks each file's source checksum before reusing it; the folder is named by the
    versions that shape the compiled code. Where the cache cannot be made, templates compile as before.
    """
    import jinja2

    try:
        from importlib.metadata import version

        theme = version("mkdocs-material")
    except Exception:  # noqa: BLE001 - no version: no cache, never a failed build
        return
    root = os.environ.get("WRES_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "open-wres")
    folder = os.path.join(root, f"jinja-{jinja2.__version__}-material-{theme}")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return
    env.bytecode_cache = jinja2.FileSystemBytecodeCache(folder)


#: overrides/wres_page.html: the template of an organisation or return page (set by `_render_finished`).
SHELL_TEMPLATE = "wres_page.html"
#: Stand-ins for what differs between two such pages at the same depth: private-use characters that
#: no template filter changes and no page contains. The content stand-in holds "<h1" because the
#: theme adds a heading to content without one (only pages with one get a shell).
_STAND_INS = {"title": "\ue000wres-title\ue000", "description": "\ue000wres-description\ue000",
              "canonical_url": "\ue000wres-canonical\ue000", "first_id": "\ue000wres-first-id\ue000",
              "content": "\ue000wres-content<h1\ue000"}


class _Shells:
    """`wres_shell(page, base_url, render)`: an organisation or return page, from its depth's shell.

    Such a page is in no nav entry, so the theme's whole page around it depends only on how deep it is,
    on its table of contents (the same on most such pages) and on its front matter. Everything
    else that differs from page to page is one of five values: the title, the description, the
    canonical address, the first heading's id (the skip link) and the content. So the theme renders
    each distinct shell once, with stand-ins for those five (`_STAND_INS`), and each page is its
    shell with its own five values put back: most of MkDocs' template time on a national site.
    A page outside these assumptions (no <h1>, a previous or next page) is rendered in full.
    WRES_NO_SHELLS=1 renders every page in full, from main.html; tests/test_build.py checks that both
    give the same site, byte for byte, on pages whose titles hold characters HTML treats specially.
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


def on_post_page(output, page, config, **kwargs):  # noqa: ANN001, ANN003
    output = output.replace('<html lang="en"', '<html lang="en-GB"', 1)
    if CSP_PLACEHOLDER in output:
        # Hashed before the finished blocks go back in: only the theme's scripts are allowed. The
        # blocks never hold a script; if one ever did (data escaped wrongly), the browser would refuse it.
        output = output.replace(CSP_PLACEHOLDER, csp_for(output), 1)
    return _restore(output, page)


def on_post_template(output_content, template_name, config, **kwargs):  # noqa: ANN001, ANN003
    # 404.html is rendered as a static template, not a page: give it the same treatment.
    return on_post_page(output_content, None, config)
