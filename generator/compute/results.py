"""The compute stage: every figure of indicators.md from a validated dataset, in the order they are made.

Figures first (indicators.py), then what is read off them (validator warnings, trends, peer ranks),
then the mergers' series, the leadership goals and the returns' quality; each step a pure function.
"""

from __future__ import annotations

import pandas as pd

from ..model.dataset import Dataset
from ..model.settings import Settings
from . import protection
from .counts import Counts, counts_of, lineage_members, memberships
from .definitions import COLUMNS, LINEAGE_COLUMNS, Results
from .figure_warnings import add_warning_flags
from .goals import leadership_goals
from .indicators import _finish, empty_indicators, indicator_rows
from .peers import add_peer_ranks
from .quality import return_quality
from .rounding import round_table
from .trends import add_trends


def compute(dataset: Dataset, settings: Settings) -> Results:
    """Every figure of indicators.md for every organisation, group and year (see the module docstring)."""
    counts = counts_of(dataset)
    members = memberships(dataset.register, counts.universe)
    rows = indicator_rows(counts, members, dataset.collections, settings)
    rows = add_warning_flags(rows, dataset.problems)
    rows = add_trends(rows)
    rows = add_peer_ranks(rows, dataset.register)
    indicators = _finish(rows, COLUMNS)

    lineage = compute_lineage(counts, dataset.register, dataset.collections, settings)

    goals = round_table(leadership_goals(counts, members, settings), "goals")
    quality = round_table(return_quality(dataset, counts), "quality")
    results = Results(indicators=indicators, lineage=lineage, goals=goals, quality=quality)
    if settings.withhold_below > 0:
        results = protection.protect(dataset, counts, members, results, settings)
    return results


def compute_lineage(counts: Counts, register: pd.DataFrame, collections: pd.DataFrame, settings: Settings
                    ) -> pd.DataFrame:
    """Each successor's series with its predecessors' counts folded in, with trends through the merger.

    Counts of the successor and every predecessor that made a return that year
    are summed (as for a group), so a trend in the merger year compares the
    merged organisation with the sum of its parts a year before. `folded`
    names every predecessor of the successor (`;`-joined), on every row.
    """
    members, folded = lineage_members(register, counts.universe)
    if len(members) == 0:
        return empty_indicators(columns=LINEAGE_COLUMNS)
    rows = add_trends(indicator_rows(counts, members, collections, settings))
    out = _finish(rows, COLUMNS)
    out["folded"] = out["code"].map(folded).fillna("")
    return out
