"""One MkDocs build, run as its own process by the pipeline: `python -m generator.integration.run`.

The pipeline hands this process everything explicitly on its command line (the configuration, the
docs and site folders, and the `wres` plugin's options); it loads the configuration as `mkdocs build`
does, sets the plugin's options through the plugin's own typed config, and builds. MkDocs' log goes
to stderr in `mkdocs build`'s format (`WARNING -  ...`), which the pipeline reads.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, ConfigurationError, PluginError

from .plugin import WresPlugin

#: Where the plugin is in mkdocs.yml (`plugins: wres:`), and the entry point's name.
PLUGIN = "wres"


def build_site(config_file: Path, docs_dir: Path, site_dir: Path, static_dir: Path | None = None,
               shard_index: int = 0, shard_count: int = 1, shells: bool = True,
               reuse: tuple[Path, Path] | None = None) -> None:
    """Build the site of `config_file` from `docs_dir` into `site_dir` with the given plugin options
    (`reuse`: the plugin's reuse_list and reuse_report)."""
    config = load_config(config_file=str(config_file), docs_dir=str(docs_dir), site_dir=str(site_dir))
    plugin = config.plugins.get(PLUGIN)
    if not isinstance(plugin, WresPlugin):
        raise ConfigurationError(f"{config_file} does not use the `{PLUGIN}` plugin (plugins: {PLUGIN}: {{}}); "
                                 f"the generated pages need it")
    options = dict(plugin.config, shard_index=shard_index, shard_count=shard_count, shells=shells,
                   static_dir=str(static_dir) if static_dir else None,
                   reuse_list=str(reuse[0]) if reuse else None, reuse_report=str(reuse[1]) if reuse else None)
    errors, _ = plugin.load_config(options, config.config_file_path)
    if errors:
        raise ConfigurationError("; ".join(f"plugins.{PLUGIN}.{name}: {error}" for name, error in errors))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.integration.run")
    parser.add_argument("--config-file", type=Path, required=True)
    parser.add_argument("--docs-dir", type=Path, required=True)
    parser.add_argument("--site-dir", type=Path, required=True)
    parser.add_argument("--static-dir", type=Path, default=None)
    parser.add_argument("--shard", default="0/1", help="k/n: this process's share of the organisation pages")
    parser.add_argument("--no-shells", action="store_true", help="render every page in full (the same bytes)")
    parser.add_argument("--reuse", nargs=2, type=Path, default=None, metavar=("LIST", "REPORT"),
                        help="pages (one src URI a line) taken from the last site; where to say which were")
    args = parser.parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    log = logging.getLogger("mkdocs")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    index, count = (int(x) for x in args.shard.split("/"))
    try:
        build_site(args.config_file, args.docs_dir, args.site_dir, args.static_dir, index, count, not args.no_shells,
                   tuple(args.reuse) if args.reuse else None)
    except (Abort, ConfigurationError, PluginError) as exc:
        print(f"ERROR   -  {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
