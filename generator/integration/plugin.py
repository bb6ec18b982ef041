"""The MkDocs plugin `wres` (entry point `mkdocs.plugins`, configured in mkdocs.yml): the only code
MkDocs runs of ours.

What it does to a build, each a small call into rendering.py (the adapter that knows MkDocs'
internals) or csp.py:

* `on_config`: read `release.json` (written by the pipeline at the docs root) into
  `config.extra.release`, which the theme override shows in every footer and, for demonstration
  data, as a banner on every page;
* `on_files`: register the generated files the build links into the site itself (`static_dir`),
  and keep this process's share of the organisation and return pages (`shard_index`/`shard_count`);
* `on_nav`: leave out the pages the build takes unchanged from the last site (`reuse_list`), when
  the nav is the configuration's alone, and say which (`reuse_report`);
* `on_page_markdown` / `on_post_page`: lift raw blocks out while MkDocs indexes the page and put them
  back after; render generated pages (finished HTML) without Python-Markdown;
* `on_env`: `wres_shell`, with which overrides/wres_page.html draws each organisation and return
  page from one of a few shells the theme renders once (`rendering.Shells`; option `shells`);
* `on_post_page` / `on_post_template`: `lang="en-GB"` and the Content-Security-Policy.

The options are typed (`WresConfig`) and all optional: `mkdocs serve` on the checkout's mkdocs.yml
builds the hand-written pages with none of them; `wres build` sets them for each MkDocs process it
runs (see run.py), never through the environment.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.plugins import BasePlugin

from ..model.settings import load_settings
from ..site.about import ABOUT_MARKER, fill_about
from . import rendering
from .csp import finish_html

log = logging.getLogger("mkdocs.plugins.wres")


class WresConfig(Config):
    """The plugin's options in mkdocs.yml (`plugins: wres: ...`)."""

    #: The folder of generated files that are not pages (charts' data, downloads, API, badges): MkDocs
    #: is told about them, so Markdown links to them validate, and the build links them into the site.
    static_dir = c.Optional(c.Dir(exists=True))
    #: This process renders every section page and every `shard_count`-th organisation from
    #: `shard_index` with its return pages (the build runs one process per core and merges their sites).
    shard_index = c.Type(int, default=0)
    shard_count = c.Type(int, default=1)
    #: Draw organisation and return pages from shells (false: render each in full; the same bytes).
    shells = c.Type(bool, default=True)
    #: A file listing (one src URI a line) organisation and return pages the build takes from the last
    #: site unchanged instead of rendering them; what was left out is written to `reuse_report` (JSON).
    reuse_list = c.Optional(c.File(exists=True))
    reuse_report = c.Optional(c.Type(str))


class WresPlugin(BasePlugin[WresConfig]):
    """Open WRES's part of a MkDocs build: see the module's docstring."""

    def on_config(self, config):  # noqa: ANN001, ANN201
        if not 0 <= self.config.shard_index < self.config.shard_count:
            from mkdocs.exceptions import PluginError

            raise PluginError(f"wres: shard_index {self.config.shard_index} is not below shard_count "
                              f"{self.config.shard_count}")
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

    def on_files(self, files, config):  # noqa: ANN001, ANN201
        # release.json is for on_config only: not published.
        f = files.get_file_from_path("release.json")
        if f is not None:
            files.remove(f)
        if self.config.static_dir:
            rendering.register_static(files, self.config.static_dir, config["site_dir"], config["use_directory_urls"])
        if self.config.shard_count > 1:
            rendering.keep_shard(files, self.config.shard_index, self.config.shard_count)
        return files

    def on_nav(self, nav, config, files):  # noqa: ANN001, ANN201
        if self.config.reuse_list and self.config.reuse_report:
            # Only when the nav, drawn into every page, is the configuration's alone; else render them all.
            listed = set(Path(self.config.reuse_list).read_text(encoding="utf-8").split())
            fixed = rendering.nav_is_fixed(nav)
            dropped = rendering.drop_reused(files, listed, config.get("site_url")) if fixed else []
            Path(self.config.reuse_report).write_text(json.dumps(dropped), encoding="utf-8")
        return nav

    def on_page_markdown(self, markdown, page, config, files):  # noqa: ANN001, ANN201
        if ABOUT_MARKER in markdown:  # the About page: the publisher's own section (site/about.py)
            markdown = fill_about(markdown, load_settings(Path(config.config_file_path)))
        return rendering.take_over(markdown, page, self.config.shells)

    def on_env(self, env, config, files):  # noqa: ANN001, ANN201
        self.drawn = rendering.Shells()
        env.globals["wres_shell"] = self.drawn
        return env

    def on_post_build(self, config):  # noqa: ANN001, ANN201
        """Say in MkDocs' log how many pages came from how few shells (a test reads it)."""
        drawn = getattr(self, "drawn", None)
        if drawn is not None and drawn.pages:
            log.info("wres: %d organisation and return pages drawn from %d shells", drawn.pages, len(drawn.shells))

    def on_post_page(self, output, page, config):  # noqa: ANN001, ANN201
        return rendering.restore(finish_html(output), page)

    def on_post_template(self, output_content, template_name, config):  # noqa: ANN001, ANN201
        # 404.html is rendered as a static template, not a page: the same treatment.
        return finish_html(output_content)
