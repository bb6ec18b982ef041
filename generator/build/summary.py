"""What a build reports: its summary (returns, problems, pages, time by stage) and its progress.

Progress goes to stderr, one line as each stage starts and ends, when stderr is a terminal and the
build is not --quiet (`Progress`); the summary is printed by the CLI at the end.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class BuildSummary:
    out_dir: Path
    returns_published: int = 0
    returns_with_warnings: int = 0
    returns_left_out: list[tuple[str, int]] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    pages_written: int = 0
    pages_unchanged: int = 0
    #: Organisation and return pages taken unchanged from the last site rather than rendered (reuse.py).
    pages_reused: int = 0
    html_pages: int = 0
    cache_hit: bool = False
    #: Nothing changed since the last build into the same folder: nothing was written.
    up_to_date: bool = False
    changed_figures: int = 0
    phases: dict[str, float] = field(default_factory=dict)
    #: What MkDocs warned about (a broken link in a hand-written page, say), once each.
    mkdocs_warnings: list[str] = field(default_factory=list)

    def render(self) -> str:
        if self.up_to_date:
            return (f"Nothing changed since the last build: {self.out_dir}/ is up to date "
                    f"({self.returns_published} returns, {self.html_pages} pages).")
        lines = [
            f"Published {self.returns_published} returns "
            f"({self.returns_with_warnings} with warnings) to {self.out_dir}/ "
            f"as {self.html_pages} pages.",
        ]
        if self.returns_left_out:
            listed = ", ".join(f"{code} {year}" for code, year in self.returns_left_out[:10])
            more = f" and {len(self.returns_left_out) - 10} more" if len(self.returns_left_out) > 10 else ""
            lines.append(f"Left out {len(self.returns_left_out)} returns with errors: {listed}{more} "
                         f"(see /data-quality/, or run `wres validate`).")
        else:
            lines.append("No return was left out.")
        lines.append(f"Problems: {self.errors} errors, {self.warnings} warnings. "
                     f"Generated pages: {self.pages_written} written, {self.pages_unchanged} unchanged. "
                     f"Validation and figures {'from cache' if self.cache_hit else 'computed'}."
                     + (f" {self.pages_reused} pages taken unchanged from the last site." if self.pages_reused else ""))
        if self.changed_figures:
            n = self.changed_figures
            lines.append(f"{n} figure{'s' if n != 1 else ''} changed since the previous release (see /changes/).")
        if self.mkdocs_warnings:
            lines.append(f"MkDocs warned {len(self.mkdocs_warnings)} times (the site was still built):")
            lines += [f"  - {w}" for w in self.mkdocs_warnings[:20]]
            if len(self.mkdocs_warnings) > 20:
                lines.append(f"  - and {len(self.mkdocs_warnings) - 20} more")
        lines.append("Time: " + ", ".join(f"{name} {secs:.1f} s" for name, secs in self.phases.items())
                     + f"; total {sum(self.phases.values()):.1f} s.")
        return "\n".join(lines)


class Progress:
    """The build's progress on stderr, one line as each stage starts and ends; silent when `show` is
    false (the CLI shows it when stderr is a terminal and not --quiet). Each stage's time goes into the
    summary either way."""

    def __init__(self, show: bool) -> None:
        self.show = show

    def say(self, text: str) -> None:
        if self.show:
            print(f"[wres] {text}", file=sys.stderr, flush=True)

    @contextmanager
    def stage(self, summary: BuildSummary, name: str) -> Iterator[None]:
        self.say(f"{name} ...")
        start = time.perf_counter()
        try:
            yield
        finally:
            summary.phases[name] = time.perf_counter() - start
        self.say(f"{name} done in {summary.phases[name]:.1f} s")
