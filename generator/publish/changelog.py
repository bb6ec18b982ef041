"""The changelog: the figures that changed since the last release (compute/changes.py), old beside new,
as the site-wide page /changes/ (written with the downloads) and the rows of each organisation's list."""

from __future__ import annotations

import math

import pandas as pd

from ..model import spec
from ..model.release import Release
from .addresses import rel
from .cellformat import DECIMALS, format_number

SECTION_TITLE = "What changed since the last release"
#: The changelog's address (downloads.write_downloads writes it as changes.md).
ADDRESS = "changes/"


def _display_pair(old: float, new: float) -> tuple[str, str]:
    """Old and new values rounded for people, with just enough decimals to tell them apart."""
    for decimals in (2, 3, 4, 6, DECIMALS):
        a = "" if old is None or math.isnan(old) else format_number(round(old, decimals))
        b = "" if new is None or math.isnan(new) else format_number(round(new, decimals))
        if a != b or decimals == DECIMALS:
            return a, b
    return a, b  # pragma: no cover


def _cell(value_text: str, status: object, present: bool, absent_words: str) -> str:
    if not present:
        return absent_words
    status = "" if status is None or (isinstance(status, float) and math.isnan(status)) else str(status)
    words = status.replace("_", " ")
    if value_text and status in ("ok", ""):
        return value_text
    if value_text:
        return f"{value_text} ({words})"
    return words or "empty"


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def row_cells(changes: pd.DataFrame, with_code: bool = False) -> tuple[list[str], list[list[str]]]:
    """The columns, and each change's cells as plain text, old value beside new (Markdown or HTML escape them)."""
    head = (["level", "code"] if with_code else []) + ["year", "indicator", "measure", "breakdown", "before",
                                                         "now"]
    rows = []
    for r in changes.itertuples(index=False):
        old_v, new_v = _display_pair(r.old_value, r.new_value)
        before = _cell(old_v, r.old_status, r.change != "added", "not published")
        now = _cell(new_v, r.new_status, r.change != "removed", "no longer published")
        cells = ([r.level, r.code] if with_code else []) + [
            int(r.year) if not pd.isna(r.year) else "", int(r.indicator) if not pd.isna(r.indicator) else "",
            r.measure, r.breakdown, before, now]
        rows.append([str(c) for c in cells])
    return head, rows


def table_rows(changes: pd.DataFrame, with_code: bool = False) -> list[str]:
    """Markdown table lines for a set of changes, old value beside new."""
    head, rows = row_cells(changes, with_code)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_md(c) for c in cells) + " |" for cells in rows]
    return lines


def by_organisation(changes: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """The changes to each organisation's own figures, by code, in one pass over the changes
    (none without a previous release). An organisation with no changes is not a key."""
    if changes is None or changes.empty:
        return {}
    own = changes[changes["level"] == "organisation"]
    return {str(code): rows for code, rows in own.groupby("code", sort=False)}


def _heading(level: str, code: str, names: dict[str, str], systems: set[str]) -> str:
    """A section heading naming the figure's unit, linking its page where the site has one."""
    if level == "organisation" and code in names and spec.ORG_CODE_RE.fullmatch(code):
        # An address, not organisations/<CODE>/index.md: MkDocs processes share out the organisation
        # pages (integration/rendering.keep_shard), so a Markdown link to one would resolve in one process only.
        return f"### [{_md(names[code])} ({code})]({rel(ADDRESS, f'organisations/{code}/')})"
    if level == "england":
        return "### [England](index.md)"
    if level == "region" and code in spec.REGIONS:
        name, slug = spec.REGIONS[code]
        return f"### [{name} region](regions/{slug}.md)"
    if level == "system" and code in systems and spec.ORG_CODE_RE.fullmatch(code):
        return f"### [System {code}](systems/{code}.md)"
    if level == "org_type":
        return f"### All organisations of type: {_md(spec.ORG_TYPE_LABELS.get(code, code)).lower()}"
    return f"### {_md(level.replace('_', ' ').capitalize())} {_md(code)}"


def changelog_markdown(changes: pd.DataFrame, has_previous: bool, release: Release,
                       names: dict[str, str] | None = None, systems: set[str] | None = None) -> str:
    """The site-wide changelog page (/changes/): every changed figure, old beside new.

    `names` (organisation code -> name) and `systems` (system codes with a page) let
    headings link to the pages of the units whose figures changed.
    """
    names = names or {}
    systems = systems or set()
    lines = [f"# {SECTION_TITLE}", "",
             f"This release: {release.label}.", ""]
    if not has_previous:
        lines.append("This is the first release built here: there is no previous release to compare with, "
                     "so no figure is listed as changed.")
        return "\n".join(lines) + "\n"
    if changes.empty:
        lines.append("No published figure changed since the previous release.")
        return "\n".join(lines) + "\n"
    counts = changes["change"].value_counts()
    lines.append(f"{len(changes)} figures differ from the previous release: "
                 f"{int(counts.get('changed', 0))} changed, {int(counts.get('added', 0))} added, "
                 f"{int(counts.get('removed', 0))} removed. Before is the previous release, now is this one; "
                 "differences smaller than the published precision are not listed.")
    for (level, code), part in changes.groupby(["level", "code"], sort=False):
        lines += ["", _heading(str(level), str(code), names, systems), ""]
        lines += table_rows(part)
    return "\n".join(lines) + "\n"
