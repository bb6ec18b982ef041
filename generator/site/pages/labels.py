"""Labels the pages print for the codes of the data, and how a submitted count is shown."""

from __future__ import annotations

from ..text import (
    fmt_int,
)

ENGLAND = ("england", "ENG")


STAFF_GROUP_LABELS = {
    "non_clinical": "Non-clinical",
    "clinical_non_medical": "Clinical (non-medical)",
    "medical_dental": "Medical and dental",
}


RESOURCE_LABELS = {
    "returns": "Return",
    "workforce": "Workforce (indicator 1)",
    "recruitment": "Recruitment (indicator 2)",
    "disciplinary": "Disciplinary process (indicator 3)",
    "training": "Training and CPD (indicator 4)",
    "staff_survey": "Staff survey (indicators 5 to 8)",
    "board": "Board (indicator 9)",
    "pay": "Pay",
}


ETHNICITY_LABELS = {"white": "White", "bme": "BME", "unknown": "Unknown"}


def band_label(band: str) -> str:
    if band == "under_1":
        return "Under band 1"
    if band == "vsm":
        return "Very senior managers"
    if band.startswith("band_"):
        return "Band " + band[5:]
    return band.replace("_", " ").capitalize()


STATUS_WORDS = {"published": "Published", "published_with_warnings": "Published, with warnings",
                "left_out": "Left out: errors"}


WITHHELD = '<abbr title="withheld: a small number, or one that would reveal a small number">w</abbr>'


SUPPRESSED = '<abbr title="suppressed by the publisher">*</abbr>'


def count_text(count: object, withheld: object, suppressed: object) -> str:
    """A submitted count as the return page shows it: withheld here (w), suppressed by the publisher (*), or
    the number."""
    if withheld is True:
        return WITHHELD
    if suppressed is True:
        return SUPPRESSED
    return fmt_int(count)
