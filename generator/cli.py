"""The `wres` command line: one click group, one command per job.

Commands import their module lazily so that `wres validate` on a trust's
laptop does not pay for Altair or MkDocs. Exit codes follow outputs.md:
0 no return has an error, 1 some return has one (or the build failed),
2 the command could not run at all (no such folder, unreadable register).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__

DEFAULT_DATA = Path("data")
DEFAULT_OUT = Path("site")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wres")
def main() -> None:
    """Open WRES: validate WRES returns and publish them as a static website."""


@main.command()
@click.argument("data_dir", required=False, type=click.Path(path_type=Path), default=DEFAULT_DATA)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for scripts (a list of problems).")
@click.option("--register", "register", type=click.Path(path_type=Path), default=None,
              help="organisations.csv to check codes against, when DATA_DIR is one organisation's "
                   "return (a year folder) rather than a whole data folder. Default: the bundled register.")
@click.option("--warnings/--no-warnings", default=True, show_default=True, help="Show plausibility warnings.")
def validate(data_dir: Path, fmt: str, register: Path | None, warnings: bool) -> None:
    """Check a data folder, or one year's return, against the open WRES returns format.

    DATA_DIR is a whole data folder (organisations.csv, collections.csv and year
    folders) or a single year folder such as `my-return/2024/` holding one
    organisation's files. Exits 0 when no return has an error, 1 when any has,
    2 when the folder or the register cannot be read.
    """
    from .ingest.report import render_json, render_text, terminal_safe
    from .ingest.validate import DataFolderError, validate_path

    try:
        result = validate_path(data_dir, register=register)
    except DataFolderError as exc:
        click.echo(terminal_safe(f"wres validate: {exc}"), err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("wres validate: interrupted; nothing was checked to the end.", err=True)
        sys.exit(130)
    except OSError as exc:
        click.echo(terminal_safe(f"wres validate: cannot read {exc.filename or data_dir}: "
                                 f"{exc.strerror or exc}"), err=True)
        sys.exit(2)
    problems = [p for p in result.problems if warnings or p.is_error]
    if fmt == "json":
        click.echo(terminal_safe(render_json(problems)))
    else:
        click.echo(terminal_safe(render_text(result, problems)))
    sys.exit(1 if any(p.is_error for p in result.problems) else 0)


@main.command()
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=DEFAULT_DATA, show_default=True,
              help="The data folder to publish.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="Where the finished site goes. Replaced only when the build succeeds.")
@click.option("--previous", type=click.Path(path_type=Path), default=None,
              help="indicators.csv of the last release: every figure that changed is listed.")
@click.option("--config", "config", type=click.Path(path_type=Path), default=None,
              help="mkdocs.yml to build with. Default: the project's own.")
@click.option("--no-cache", is_flag=True, help="Recompute everything, ignoring the content-hash cache.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary.")
@click.option("--progress", "force_progress", is_flag=True,
              help="Say as each stage starts and ends even when stderr is not a terminal (a log, say).")
def build(data_dir: Path, out_dir: Path, previous: Path | None, config: Path | None, no_cache: bool,
          quiet: bool, force_progress: bool) -> None:
    """Validate, compute and publish the whole static site.

    Progress by stage goes to stderr when it is a terminal (or with --progress), never with --quiet."""
    from .build.pipeline import run_build
    from .ingest.report import terminal_safe
    from .model.errors import BuildError

    progress = not quiet and (force_progress or sys.stderr.isatty())
    try:
        summary = run_build(data_dir, out_dir, previous=previous, config=config, use_cache=not no_cache,
                            progress=progress)
    except BuildError as exc:
        click.echo(terminal_safe(f"wres build: {exc}"), err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("wres build: interrupted; the previous site is untouched.", err=True)
        sys.exit(130)
    click.echo(terminal_safe(summary.render()))


@main.command()
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=DEFAULT_DATA, show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True)
def serve(data_dir: Path, port: int, out_dir: Path) -> None:
    """Build the site, then preview it at http://127.0.0.1:PORT/ ."""
    from .build.pipeline import run_build
    from .build.serve import bind_server, serve_site
    from .ingest.report import terminal_safe
    from .model.errors import BuildError

    server = bind_server(port)  # before building: a port in use is said at once, not after the build
    if isinstance(server, str):
        click.echo(f"wres serve: {server}", err=True)
        sys.exit(1)
    try:
        summary = run_build(data_dir, out_dir, progress=sys.stderr.isatty())
    except BuildError as exc:
        server.server_close()
        click.echo(terminal_safe(f"wres serve: {exc}"), err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        server.server_close()
        click.echo("wres serve: interrupted; the previous site is untouched.", err=True)
        sys.exit(130)
    click.echo(terminal_safe(summary.render()))
    serve_site(out_dir, port, server)


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=DEFAULT_DATA, show_default=True)
@click.option("--scale", type=click.Choice(["demo", "national", "national-x5"]), default="demo", show_default=True,
              help="demo: the bundled data set; national: about 220 trusts and 42 boards; national-x5: five times that.")
@click.option("--seed", default=2018, show_default=True, help="Same seed, same files, byte for byte.")
def sample(out_dir: Path, scale: str, seed: int) -> None:
    """Write a demonstration data set of fictional organisations."""
    from .tools.sample import write_sample

    n = write_sample(out_dir, scale=scale, seed=seed)
    click.echo(f"wrote a {scale} demonstration data set ({n} returns) to {out_dir}")


@main.command()
@click.argument("year", type=int)
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True)
@click.option("--org-code", default=None, help="Pre-fill org_code in every row.")
def template(year: int, out_dir: Path, org_code: str | None) -> None:
    """Write a blank return for YEAR: every file with its header and one row per key."""
    from .tools.template import write_template

    written = write_template(year, out_dir, org_code=org_code)
    for path in written:
        click.echo(str(path))


@main.group()
def register() -> None:
    """The register of organisations (organisations.csv)."""


@register.command("import-ods")
@click.option("--ods", "ods_dir", type=click.Path(path_type=Path), default=None,
              help="Folder of NHS Organisation Data Service files (etr.csv, eccg.csv, succ.csv, ...). "
                   "Default: ../shared/data/ods beside the project.")
@click.option("--out", "out_path", type=click.Path(path_type=Path), default=Path("organisations.csv"),
              show_default=True)
def import_ods(ods_dir: Path | None, out_path: Path) -> None:
    """Build organisations.csv from the real NHS ODS reference files."""
    from .tools.register import default_ods_dir
    from .tools.register import import_ods as run_import

    n = run_import(ods_dir or default_ods_dir(), out_path)
    click.echo(f"wrote {n} organisations to {out_path}")


if __name__ == "__main__":  # pragma: no cover
    main()
