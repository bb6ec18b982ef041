"""The class of a headline figure, as a word and in words, for the files people take away.

The same rule as the pages' (`site/text.judgement`, stated on /methodology/): a
likelihood is within the non-adverse range 0.80 to 1.25 or adverse to one
group; a gap is no gap, not clear (its 95% interval holds 0), not tested (a
survey gap with no interval), or worse for one group (for indicators 1 and 9:
under-represented, or more diverse than the workforce). It is applied to the
figure as published (rounded), so the class agrees with the printed number.
This is the one place the rule is written: the pages' `site/text.judgement`
takes its class from here and adds the words (imports point one way, so the
rule lives in the earlier stage); tests/test_headline_figures.py checks that
the two agree on every headline figure of the sample.
"""

from __future__ import annotations

import math

from ..compute.rounding import kind_of
from ..model import spec

#: Class word -> the words a reader sees (the same as the pages' labels).
CLASS_LABELS = {
    "equal": "No adverse difference",
    "adverse_to_bme": "Adverse to BME staff",
    "adverse_to_white": "Adverse to White staff",
    "worse_for_bme": "Worse for BME staff",
    "worse_for_white": "Worse for White staff",
    "unclear": "No clear difference",
    "more_diverse": "More diverse than the workforce",
    "untested_gap": "Not tested (no interval)",
}


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def figure_class(indicator: int, measure: str, value: object, flags: object = "", lower: object = None,
                 upper: object = None) -> str:
    """The class word of one figure ("" when there is no figure: its status and reason say why)."""
    if _missing(value):
        return ""
    fl = set(str(flags).split(";")) if isinstance(flags, str) else set()
    v = float(value)  # type: ignore[arg-type]
    kind = kind_of(measure)
    if kind == "likelihood":
        if "adverse_to_bme" in fl or v > 1.25:
            return "adverse_to_bme"
        if "adverse_to_white" in fl or v < 0.80:
            return "adverse_to_white"
        return "equal"
    if kind != "gap":
        return "equal"
    if abs(v) < 0.05:
        return "equal"
    if not _missing(lower) and not _missing(upper) and float(lower) <= 0 <= float(upper):  # type: ignore[arg-type]
        return "unclear"
    if indicator in spec.SURVEY_INDICATORS and (_missing(lower) or _missing(upper)):
        return "untested_gap"
    worse_for_bme = (v < 0) if indicator in (7, 9) else (v > 0)
    if worse_for_bme:
        return "worse_for_bme"
    return "more_diverse" if indicator in (1, 9) else "worse_for_white"
