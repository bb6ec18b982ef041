"""Fixed names and codes of the open WRES returns format.

Everything here is dictated by ../shared/spec/returns-format.md and
outputs.md. It lives in one module so that the validator, the indicator
maths, the sample generator and the pages never spell a code differently.
The Frictionless schemas in `schemas/` are the machine-readable form of the
same contract; `tests/test_schemas.py` checks that the two agree.
"""

from __future__ import annotations

import re

from .resources import resource

#: Where the schemas live: beside the package in a checkout, inside it when installed (resources.py).
SCHEMA_DIR = resource("schemas")

ETHNICITIES = ("white", "bme", "unknown")
KNOWN_ETHNICITIES = ("white", "bme")

ORG_TYPE_LABELS = {
    "acute": "Acute trust",
    "acute_specialist": "Acute specialist trust",
    "mental_health": "Mental health trust",
    "community": "Community trust",
    "ambulance": "Ambulance trust",
    "ccg": "Clinical commissioning group",
    "icb": "Integrated care board",
    "national_body": "National body",
    "independent_provider": "Independent provider",
}
#: The organisation types of the returns format, in the order above.
ORG_TYPES = tuple(ORG_TYPE_LABELS)

#: NHS England regions: code -> (name, address slug). Slugs are fixed by outputs.md.
REGIONS = {
    "Y56": ("London", "london"),
    "Y58": ("South West", "south-west"),
    "Y59": ("South East", "south-east"),
    "Y60": ("Midlands", "midlands"),
    "Y61": ("East of England", "east-of-england"),
    "Y62": ("North West", "north-west"),
    "Y63": ("North East and Yorkshire", "north-east-and-yorkshire"),
}

STAFF_GROUPS = ("non_clinical", "clinical_non_medical", "medical_dental")
NON_MEDICAL_GROUPS = ("non_clinical", "clinical_non_medical")
AFC_BANDS = (
    "under_1",
    "band_1",
    "band_2",
    "band_3",
    "band_4",
    "band_5",
    "band_6",
    "band_7",
    "band_8a",
    "band_8b",
    "band_8c",
    "band_8d",
    "band_9",
    "vsm",
)
MEDICAL_BANDS = ("consultant", "non_consultant_career_grade", "trainee", "other")
BANDS_BY_GROUP = {
    "non_clinical": AFC_BANDS,
    "clinical_non_medical": AFC_BANDS,
    "medical_dental": MEDICAL_BANDS,
}
ALL_BANDS = AFC_BANDS + MEDICAL_BANDS
#: Senior staff for indicator 1 and the leadership goals: bands 8a to VSM of the non-medical groups.
SENIOR_BANDS = ("band_8a", "band_8b", "band_8c", "band_8d", "band_9", "vsm")

#: The register and collections live at the top of a data folder.
REGISTER_FILE = "organisations.csv"
COLLECTIONS_FILE = "collections.csv"

#: Per-year resources, in the order they are listed and published.
YEAR_RESOURCES = (
    "returns",
    "workforce",
    "recruitment",
    "disciplinary",
    "training",
    "staff_survey",
    "board",
    "pay",
)
#: Every published resource (downloads/<resource>.csv), register first.
ALL_RESOURCES = ("organisations",) + YEAR_RESOURCES

#: Which indicators need which resource. A resource is required in a year when any
#: indicator it serves was collected that year; `returns` is always required and
#: `pay` never is. Workforce is the denominator of 3, 4 and 9 as well as indicator 1.
RESOURCE_INDICATORS = {
    "returns": (),
    "workforce": (1, 3, 4, 9),
    "recruitment": (2,),
    "disciplinary": (3,),
    "training": (4,),
    "staff_survey": (5, 6, 7, 8),
    "board": (9,),
    "pay": (),
}
OPTIONAL_RESOURCES = ("pay",)

#: Count columns per resource: whole numbers >= 0, where "" means not available
#: and "*" means suppressed by the publisher. Neither is ever read as 0.
COUNT_FIELDS = {
    "returns": (),
    "workforce": ("headcount",),
    "recruitment": ("shortlisted", "appointed"),
    "disciplinary": ("entered_formal_process",),
    "training": ("accessed_training",),
    "staff_survey": ("respondents",),
    "board": ("members", "voting_members", "executive_members"),
    "pay": ("headcount",),
}
SUPPRESSED = "*"

#: Primary keys per resource (without `year`, which is the folder name).
KEYS = {
    "organisations": ("org_code",),
    "collections": ("year",),
    "returns": ("org_code",),
    "workforce": ("org_code", "staff_group", "band", "ethnicity"),
    "recruitment": ("org_code", "ethnicity"),
    "disciplinary": ("org_code", "ethnicity"),
    "training": ("org_code", "ethnicity"),
    "staff_survey": ("org_code", "indicator", "ethnicity"),
    "board": ("org_code", "ethnicity"),
    "pay": ("org_code", "ethnicity"),
}

ORG_CODE_RE = re.compile(r"^[A-Z0-9]{3,9}$")
#: ASCII digits only: `\d` would also take Arabic-Indic or full-width digits, which int() reads as a year.
YEAR_DIR_RE = re.compile(r"^[0-9]{4}\Z")
FIRST_YEAR = 2015


def last_year() -> int:
    """The latest collection year a data folder may hold: next year (a return prepared early)."""
    import datetime

    return datetime.date.today().year + 1


def is_collection_year(year: int) -> bool:
    """A year WRES could have collected: from FIRST_YEAR to next year."""
    return FIRST_YEAR <= year <= last_year()

INDICATORS = tuple(range(1, 10))
SURVEY_INDICATORS = (5, 6, 7, 8)

INDICATOR_TITLES = {
    1: "Representation by pay band",
    2: "Appointment from shortlisting",
    3: "Entering the formal disciplinary process",
    4: "Access to non-mandatory training and CPD",
    5: "Harassment, bullying or abuse from patients, relatives or the public",
    6: "Harassment, bullying or abuse from staff",
    7: "Belief that the organisation provides equal opportunities for career progression",
    8: "Discrimination from a manager, team leader or colleague",
    9: "Board representation compared with the workforce",
}


def parse_indicator_list(text: str) -> tuple[int, ...] | None:
    """Read `collections.csv`'s `indicators` cell ("1,2,3,4,9", "1-9", "1-4, 9").

    Returns None when the text is not a list of indicators 1 to 9, so the
    validator can say so instead of guessing.
    """
    found: set[int] = set()
    for part in str(text).replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"(\d)\s*-\s*(\d)", part)
        if m:
            lo, hi = int(m.group(1)), int(m.group(2))
            if not (1 <= lo <= hi <= 9):
                return None
            found.update(range(lo, hi + 1))
        elif re.fullmatch(r"\d", part) and 1 <= int(part) <= 9:
            found.add(int(part))
        else:
            return None
    return tuple(sorted(found)) or None


def required_resources(collected: tuple[int, ...]) -> tuple[str, ...]:
    """The resources a year folder must hold, given the indicators collected that year."""
    return tuple(
        r
        for r in YEAR_RESOURCES
        if r == "returns" or (r not in OPTIONAL_RESOURCES and set(RESOURCE_INDICATORS[r]) & set(collected))
    )


def region_name(region_code: str) -> str:
    return REGIONS[region_code][0]

#: Decimals a published file keeps for a figure (publish/cellformat.py); closer values are one figure.
FILE_DECIMALS = 10
