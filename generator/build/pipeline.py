"""The pipeline, top to bottom: validate, compute, write pages and downloads, MkDocs, swap.

`run_build` checks what it was given (`BuildInputs`, frozen), takes the lock on --out, and runs
the stages below in order; each is a function that returns what the next needs. The site is built
in a staging folder beside --out and swapped in only when everything succeeded (output.py), so a
failed or interrupted build leaves the previous site whole.

    validate  ->  compute  ->  write pages and downloads  ->  mkdocs build  ->  swap
    Dataset       Results      docs + static folders          staging site      --out
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from ..compute.changes import NotAnIndicatorsTable, check_indicators_table
from ..compute.definitions import Results
from ..compute.results import compute
from ..ingest import cache
from ..ingest.validate import DataFolderError, validate_path
from ..model.dataset import Dataset
from ..model.errors import BuildError
from ..model.release import Release, release_of
from ..model.resources import resource
from ..model.settings import Settings, SettingsError, load_settings, publication_problem
from ..publish.downloads import Downloads, changes_since
from ..publish.files import Tracker
from ..site.pages.write import write_pages
from . import helper, output, reuse
from .lock import build_lock
from .mkdocs_build import mkdocs_build
from .summary import BuildSummary, Progress


def default_config() -> Path:
    """mkdocs.yml in the current folder if there is one, else the one that ships with the generator."""
    local = Path("mkdocs.yml")
    return local if local.is_file() else resource("mkdocs.yml")


@dataclass(frozen=True)
class BuildInputs:
    """Everything a build depends on, checked once (`build_inputs`)."""

    data_dir: Path
    out_dir: Path            # absolute
    config: Path             # mkdocs.yml
    settings: Settings       # from config's `extra: wres:`
    previous: Path | None    # the last release's indicators.csv
    use_cache: bool

    @property
    def work(self) -> Path:
        """The folder beside --out that holds the build's docs, static files, cache and staging site."""
        return self.out_dir.parent / f".{self.out_dir.name}.wres"

    @property
    def docs_dir(self) -> Path:
        return self.work / "docs"

    @property
    def static_dir(self) -> Path:
        return self.work / "static"


def build_inputs(data_dir: Path, out_dir: Path, previous: Path | None = None, config: Path | None = None,
                 use_cache: bool = True) -> BuildInputs:
    """The inputs, checked: a configuration that exists and reads, and an --out that is not the data."""
    config = Path(config) if config else default_config()
    if not config.is_file():
        raise BuildError(f"no MkDocs configuration at {config}")
    try:
        settings = load_settings(config)
    except SettingsError as exc:
        raise BuildError(str(exc)) from exc
    if publication_problem(settings):  # real data needs site_url (settings.publication_problem)
        raise BuildError(publication_problem(settings))
    out_dir = Path(out_dir).resolve()
    data_real = Path(data_dir).resolve()
    if out_dir == data_real or out_dir in data_real.parents:
        # The swap replaces --out as a whole: it would take the data with it.
        raise BuildError(f"--out {out_dir} is the data folder or holds it, and the build replaces --out as a "
                         f"whole; choose another folder for the site")
    return BuildInputs(Path(data_dir), out_dir, config, settings, Path(previous) if previous else None, use_cache)


def run_build(data_dir: Path, out_dir: Path, previous: Path | None = None, config: Path | None = None,
              use_cache: bool = True, progress: bool = True) -> BuildSummary:
    """Build the whole site from `data_dir` into `out_dir`, atomically, one build at a time.

    `progress`: say on stderr as each stage starts and ends."""
    inputs = build_inputs(data_dir, out_dir, previous, config, use_cache)
    with build_lock(inputs.out_dir, progress):
        try:
            return build(inputs, Progress(progress))
        except BaseException as exc:
            output.remove_staging(inputs.work, everything=isinstance(exc, OSError))
            if isinstance(exc, OSError):  # a full disk, say: give the cache's space back too
                shutil.rmtree(cache.build_dir(inputs.out_dir), ignore_errors=True)
                raise BuildError(output.os_error_message(exc)) from exc
            raise


def build(inputs: BuildInputs, progress: Progress) -> BuildSummary:
    """The stages in order, with the lock on --out held (see run_build)."""
    summary = BuildSummary(out_dir=inputs.out_dir)
    output.recover_interrupted_swap(inputs.out_dir, inputs.work)
    previous = read_previous(inputs.previous) if inputs.previous else None
    data_key = cache.cache_key(inputs.data_dir, inputs.settings) if inputs.use_cache and inputs.data_dir.is_dir() else ""
    entry = cache.entry_path(cache.figures_dir(inputs.out_dir), data_key) if data_key else None

    kept = cache.read_kept(entry) if entry is not None else None
    summary.cache_hit = kept is not None
    with progress.stage(summary, "validate"):
        dataset = kept[0] if kept else validate(inputs)
    with progress.stage(summary, "compute"):
        results = kept[1] if kept else compute(dataset, inputs.settings)
    _count(summary, dataset)

    key = site_key(data_key, inputs) if data_key else ""
    published = output.site_record(inputs.work, inputs.out_dir) if key else None
    recorded = published if published is not None and kept and published.get("key") == key else None
    if recorded is not None:
        # Same data, code, settings, pages and theme: the site in --out is already what this build
        # would produce, byte for byte, so nothing is written at all.
        summary.up_to_date = True
        summary.pages_unchanged = int(recorded.get("generated", 0))
        summary.html_pages = sum(1 for name in recorded["files"] if name.endswith(".html"))
        return summary

    # The site the last swap replaced is removed beside this build's work (output.swap_in); a build that
    # fails or is interrupted does not wait for it (what is left is removed by the next).
    remover = output.remove_superseded(inputs.work)
    summary = _publish(inputs, progress, summary, dataset, results, previous,
                       key=key, entry=entry, kept=kept, published=published)
    if remover is not None:
        remover.join()
    return summary


def _publish(inputs: BuildInputs, progress: Progress, summary: BuildSummary, dataset: Dataset, results: Results,
             previous: pd.DataFrame | None, *, key: str, entry: Path | None, kept: tuple | None,
             published: dict | None) -> BuildSummary:
    """Pages and downloads written, MkDocs, the swap and its record (see build)."""
    with progress.stage(summary, "write pages and downloads"):
        changed = changes_since(results, previous)
        summary.changed_figures = int(len(changed))
        release = release_of(dataset, inputs.settings.demonstration)
        summary.pages_written, summary.pages_unchanged = write_docs(
            inputs, dataset, results, release, previous, changed, kept_at=entry if kept else None)

    def keep_figures() -> None:
        # Off the critical path: runs while MkDocs renders.
        if entry is not None and not kept:
            cache.keep(entry, (dataset, results), replacing="*.pickle")  # one entry: the last

    staging_site = inputs.work / "site"
    with progress.stage(summary, "mkdocs build"):
        render = reuse.render_key(inputs.config, inputs.docs_dir) if key else ""
        pages = reuse.reusable(published, render, inputs.docs_dir)
        summary.pages_reused = len(pages)
        summary.mkdocs_warnings = mkdocs_build(inputs.config, inputs.docs_dir, staging_site,
                                               static_dir=inputs.static_dir, meanwhile=keep_figures,
                                               reuse=(inputs.out_dir, pages) if pages else None)
    manifest = output.manifest(staging_site)
    summary.html_pages = sum(1 for name in manifest if name.endswith(".html"))
    output.swap_in(staging_site, inputs.out_dir, inputs.work)
    if key:
        output.record_site(inputs.work, key, manifest, summary.pages_written + summary.pages_unchanged,
                           {"key": render, "pages": reuse.page_stats(inputs.docs_dir)})
    return summary


def validate(inputs: BuildInputs) -> Dataset:
    """The data folder, validated (each year folder's checks kept by its own hash)."""
    years = cache.years_dir(inputs.out_dir) if inputs.use_cache else None
    try:
        return validate_path(inputs.data_dir, settings=inputs.settings, year_cache=years)
    except DataFolderError as exc:
        raise BuildError(str(exc)) from exc


def write_docs(inputs: BuildInputs, dataset: Dataset, results: Results, release: Release,
               previous: pd.DataFrame | None, changed: pd.DataFrame, kept_at: Path | None = None) -> tuple[int, int]:
    """Every page into the docs folder, the downloads (in a second process, at the same time) into
    the static folder; (files written, files unchanged).

    Both folders are kept between builds: files are written only when their bytes change, and files
    no longer produced are removed, so a rebuild with the same data touches nothing and a changed
    return touches only the pages that show it. Generated files that are not pages go to the static
    folder (`files.Tracker`): MkDocs renders the pages and the build links the rest in.
    `kept_at`: the cache entry holding the dataset and figures, which the downloads' process reads
    rather than be sent them through a pipe (a rebuild).
    """
    tracker = Tracker(inputs.docs_dir, inputs.static_dir)
    with helper.DownloadsProcess() as second:
        job = second.submit(helper.write_downloads, kept_at or (dataset, results), inputs.docs_dir, inputs.static_dir,
                            inputs.settings, release, previous, changed)
        source = inputs.config.parent / "site_src" / "docs"
        if source.is_dir():
            for path in sorted(source.rglob("*")):
                if path.is_file():
                    tracker.write_bytes(path.relative_to(source).as_posix(), path.read_bytes(), to_docs=True)
        tracker.write_text("release.json", json.dumps(release.for_pages(), sort_keys=True, indent=1) + "\n",
                           to_docs=True)
        # What the pages need of the downloads, before the downloads exist.
        pending = Downloads(files=[], changes=changed, has_previous=previous is not None)
        with tracker.active():
            write_pages(dataset, results, inputs.docs_dir, inputs.settings, release, pending)
        tracker.merge(*helper.result(job))
    return tracker.finish()


def site_key(data_key: str, inputs: BuildInputs) -> str:
    """A hash of everything the published site depends on (`data_key`: cache.cache_key of the data)."""
    h = hashlib.sha256(data_key.encode())
    reuse.digest_sources(h, inputs.config)
    if inputs.previous:
        h.update(b"\x01previous" + inputs.previous.read_bytes())
    h.update(f"mkdocs {version('mkdocs')} material {version('mkdocs-material')}".encode())
    return h.hexdigest()


def _count(summary: BuildSummary, dataset: Dataset) -> None:
    status = dataset.returns["status"]
    summary.returns_published = int((status != "left_out").sum())
    summary.returns_with_warnings = int((status == "published_with_warnings").sum())
    left = dataset.returns[status == "left_out"].sort_values(["year", "org_code"])
    summary.returns_left_out = [(str(c), int(y)) for c, y in zip(left["org_code"], left["year"])]
    summary.errors = sum(1 for p in dataset.problems if p.is_error)
    summary.warnings = sum(1 for p in dataset.problems if not p.is_error)


def read_previous(path: Path) -> pd.DataFrame:
    """The previous release's indicators.csv, checked before any work is done on this one."""
    try:
        frame = pd.read_csv(path, dtype={"code": str, "flags": str, "status": str, "measure": str,
                                         "breakdown": str, "level": str}, keep_default_na=False,
                            na_values=[""])
    except (OSError, ValueError) as exc:
        raise BuildError(f"cannot read the previous release's indicators.csv at {path}: {exc}") from exc
    try:
        check_indicators_table(frame)
    except NotAnIndicatorsTable as exc:
        raise BuildError(f"--previous: {exc}") from exc
    return frame
