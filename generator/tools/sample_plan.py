"""The fictional organisations of `wres sample`: who they are (the demonstration set, or a national
set of about 220 trusts and 42 boards), how large, where, and the rates and quirks their returns are
drawn with. Pure data and deterministic planning; sample_returns.py draws the returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..model.spec import (
    AFC_BANDS,
    MEDICAL_BANDS,
    REGIONS,
)

YEARS = tuple(range(2019, 2025))


#: 2020: the staff-survey indicators were not required (the pandemic year).
NO_SURVEY_YEARS = (2020,)


#: First collection year in which integrated care boards existed (formed 1 July 2022).
ICB_FIRST_YEAR = 2023


#: Organisations are asked to submit by the end of August; later is "late".
DEADLINE_MONTH_DAY = "08-31"


SCALES = ("demo", "national", "national-x5")


#: Rough BME share of the whole workforce, by region, in 2019 (grows ~0.7 pp a year).
REGION_BME = {"Y56": 0.52, "Y58": 0.10, "Y59": 0.17, "Y60": 0.24, "Y61": 0.20, "Y62": 0.15, "Y63": 0.12}


#: The band multipliers below raise a typical acute trust's odds by about this much
#: (many band 5 nurses and doctors); the region's odds are divided by it first.
BAND_ODDS_CALIBRATION = 1.6


#: Multiplier on the odds of BME by organisation type (ambulance services are far less diverse).
TYPE_BME_ODDS = {"acute": 1.0, "acute_specialist": 1.05, "mental_health": 1.15, "community": 0.85,
                 "ambulance": 0.3, "ccg": 0.9, "icb": 0.9, "national_body": 0.7, "independent_provider": 1.0}


#: Share of headcount by staff group (non_clinical, clinical_non_medical, medical_dental).
GROUP_MIX = {
    "acute": (0.30, 0.55, 0.15), "acute_specialist": (0.30, 0.52, 0.18), "mental_health": (0.30, 0.64, 0.06),
    "community": (0.33, 0.64, 0.03), "ambulance": (0.30, 0.69, 0.01), "ccg": (0.88, 0.10, 0.02),
    "icb": (0.88, 0.10, 0.02), "national_body": (0.90, 0.08, 0.02), "independent_provider": (0.3, 0.6, 0.1),
}


#: Share of a staff group by band, AfC bands in spec order.
AFC_MIX = {
    "non_clinical": (0.004, 0.006, 0.24, 0.24, 0.17, 0.11, 0.075, 0.065, 0.04, 0.02, 0.01, 0.005, 0.003, 0.004),
    "clinical_non_medical": (0.002, 0.0, 0.08, 0.12, 0.05, 0.30, 0.25, 0.13, 0.045, 0.014, 0.005, 0.002, 0.0008,
                             0.0012),
}


MEDICAL_MIX = (0.38, 0.12, 0.42, 0.08)


#: Multiplier on the odds of BME by band: senior bands less diverse, medicine more.
BAND_BME_ODDS = dict(zip(AFC_BANDS, (1.0, 1.0, 1.15, 1.0, 0.9, 1.45, 1.1, 0.85, 0.65, 0.55, 0.45, 0.4, 0.35,
                                      0.3)))
BAND_BME_ODDS.update(dict(zip(MEDICAL_BANDS, (2.0, 3.5, 2.6, 3.0))))


#: Staff survey, percent of respondents: indicator -> (white mean, bme mean, sd).
SURVEY_MEANS = {5: (26.5, 29.0, 3.0), 6: (23.5, 28.0, 2.5), 7: (58.0, 45.0, 4.0), 8: (6.5, 15.5, 2.0)}


SIZE_RANGES = {  # headcount in 2019: (low, high)
    "acute": (3000, 12000), "acute_specialist": (900, 4500), "mental_health": (1500, 6500),
    "community": (800, 4200), "ambulance": (3000, 6500), "ccg": (80, 250), "icb": (350, 900),
    "national_body": (900, 2000), "independent_provider": (200, 1500),
}


#: Headcount in 2019 of the national scales' small organisations: (low, high).
SMALL_SIZE = (120, 450)


@dataclass(frozen=True)
class Quirks:
    """The deliberate messiness of a scale, by organisation code (documented in data/README.md)."""

    #: (org_code, year) -> submitted_on, well after the deadline.
    late: dict[tuple[str, int], str]
    #: (org_code, year) whose training figures exceed 95% of staff (a plausibility warning).
    training_warning: tuple[tuple[str, int], ...] = ()
    #: (org_code, year) where nearly every shortlisted applicant was appointed (a warning).
    appointed_warning: tuple[tuple[str, int], ...] = ()
    #: Organisations whose small counts (1 to 4) are suppressed with `*` by the publisher.
    suppressing: tuple[str, ...] = ()
    #: Organisations that never publish report or action-plan links.
    no_links: tuple[str, ...] = ()
    #: Organisations that report a pay gap (pay.csv) from PAY_FIRST_YEAR.
    pay: tuple[str, ...] = ()


PAY_FIRST_YEAR = 2022


#: The validator's default plausibility thresholds (settings.py); figures stay clear of them
#: except where a quirk asks for a warning.
APPOINTED_WARNING = 0.90


TRAINING_WARNING = 0.95


#: code -> (system name, region). The board of each system has the system's code.
DEMO_SYSTEMS = {
    "XQ1": ("Northmoor and Dale", "Y63"),
    "XQ2": ("Ravensholm and Tarnley", "Y62"),
    "XQ3": ("Brindlecote and Wyvernshire", "Y60"),
    "XQ4": ("Fenmarsh and Haddow", "Y61"),
    "XQ5": ("Eastbank and Lowgate", "Y56"),
    "XQ6": ("Kingsmere and Aldwater", "Y56"),
    "XQ7": ("Sallowfield and Downe", "Y59"),
    "XQ8": ("Kelbrook and Ashcombe", "Y58"),
}


#: code, name, type, system, 2019 headcount, unknown-ethnicity share, slug for the website.
#: The region is the system's; the national body has no system.
DEMO_ORGS: tuple[tuple[str, str, str, str, int, float, str], ...] = (
    ("XT01", "Northmoor Teaching Hospitals NHS Foundation Trust", "acute", "XQ1", 9400, 0.06, "northmoor-hospitals"),
    ("XT02", "Dalebridge Hospitals NHS Trust", "acute", "XQ1", 4100, 0.09, "dalebridge-hospitals"),
    ("XT03", "Northmoor and Dale Partnership NHS Foundation Trust", "mental_health", "XQ1", 3700, 0.11,
     "northmoor-dale-partnership"),
    ("XT04", "Northern Fells Ambulance Service NHS Foundation Trust", "ambulance", "XQ1", 5100, 0.05,
     "northern-fells-ambulance"),
    ("XT05", "Ravensholm University Hospitals NHS Foundation Trust", "acute", "XQ2", 11200, 0.07,
     "ravensholm-hospitals"),
    ("XT06", "Tarnley Royal Infirmary NHS Trust", "acute", "XQ2", 5200, 0.08, "tarnley-infirmary"),
    ("XT07", "Ravensholm Care NHS Foundation Trust", "mental_health", "XQ2", 4300, 0.12, "ravensholm-care"),
    ("XT08", "Tarnley Community Health NHS Trust", "community", "XQ2", 2100, 0.14, "tarnley-community"),
    ("XT09", "Brindlecote Teaching Hospitals NHS Trust", "acute", "XQ3", 8700, 0.06, "brindlecote-hospitals"),
    ("XT10", "Wyvernshire Healthcare NHS Trust", "acute", "XQ3", 3600, 0.10, "wyvernshire-healthcare"),
    ("XT11", "Brindlecote and Wyvernshire Mind NHS Foundation Trust", "mental_health", "XQ3", 4900, 0.09,
     "bw-mind"),
    ("XT12", "Central Shires Ambulance Service NHS Trust", "ambulance", "XQ3", 6200, 0.06,
     "central-shires-ambulance"),
    ("XT13", "Fenmarsh General Hospital NHS Foundation Trust", "acute", "XQ4", 5400, 0.08, "fenmarsh-general"),
    ("XT14", "Haddow Hospitals NHS Foundation Trust", "acute", "XQ4", 4700, 0.07, "haddow-hospitals"),
    ("XT15", "Fenmarsh and Haddow Community Services NHS Trust", "community", "XQ4", 2600, 0.30,
     "fh-community"),
    ("XT16", "Eastbank University Hospitals NHS Trust", "acute", "XQ5", 11800, 0.10, "eastbank-hospitals"),
    ("XT17", "Lowgate Hospital NHS Foundation Trust", "acute", "XQ5", 4400, 0.12, "lowgate-hospital"),
    ("XT18", "Eastbank Heart and Lung Centre NHS Foundation Trust", "acute_specialist", "XQ5", 3300, 0.08,
     "eastbank-heart-lung"),
    ("XT19", "Eastbank and Lowgate Mental Health NHS Trust", "mental_health", "XQ5", 3900, 0.13,
     "el-mental-health"),
    ("XT20", "Kingsmere University Hospitals NHS Foundation Trust", "acute", "XQ6", 7200, 0.09,
     "kingsmere-hospitals"),
    ("XT21", "Aldwater General Hospital NHS Trust", "acute", "XQ6", 3300, 0.11, "aldwater-general"),
    ("XT22", "Kingsmere West Hospital NHS Trust", "acute", "XQ6", 3000, 0.10, "kingsmere-west"),
    ("XT23", "Capital Lines Ambulance Service NHS Trust", "ambulance", "XQ6", 6300, 0.07,
     "capital-lines-ambulance"),
    ("XT24", "Kingsmere Children's Hospital NHS Foundation Trust", "acute_specialist", "XQ6", 4200, 0.06,
     "kingsmere-childrens"),
    ("XT25", "Sallowfield Hospitals NHS Foundation Trust", "acute", "XQ7", 8100, 0.05, "sallowfield-hospitals"),
    ("XT26", "Downe Valley Healthcare NHS Trust", "acute", "XQ7", 3900, 0.08, "downe-valley"),
    ("XT27", "Sallowfield and Downe Partnership NHS Trust", "mental_health", "XQ7", 4100, 0.10,
     "sd-partnership"),
    ("XT28", "Kelbrook Royal Hospital NHS Foundation Trust", "acute", "XQ8", 6400, 0.06, "kelbrook-royal"),
    ("XT29", "Ashcombe Healthcare NHS Foundation Trust", "community", "XQ8", 3100, 0.07, "ashcombe-healthcare"),
    ("XT30", "Kelbrook Spinal Injuries Centre NHS Trust", "acute_specialist", "XQ8", 110, 0.04, "kelbrook-spinal"),
    ("XQ1", "NHS Northmoor and Dale Integrated Care Board", "icb", "XQ1", 520, 0.08, "northmoor-dale-icb"),
    ("XQ5", "NHS Eastbank and Lowgate Integrated Care Board", "icb", "XQ5", 610, 0.10, "eastbank-lowgate-icb"),
    ("XQ7", "NHS Sallowfield and Downe Integrated Care Board", "icb", "XQ7", 480, 0.07, "sallowfield-downe-icb"),
    ("XC1", "NHS Northmoor Clinical Commissioning Group", "ccg", "XQ1", 210, 0.09, "northmoor-ccg"),
    ("XC2", "NHS Dalebridge Clinical Commissioning Group", "ccg", "XQ1", 180, 0.08, "dalebridge-ccg"),
    ("XC5", "NHS Eastbank and Lowgate Clinical Commissioning Group", "ccg", "XQ5", 260, 0.11, "eastbank-ccg"),
    ("XN1", "Healthcare Workforce Standards Agency", "national_body", "", 1400, 0.08, "hwsa"),
)


#: predecessor -> (successor, closed_year). XT21 and XT22 merged into XT20 on 1 October 2021;
#: the CCGs closed on 30 June 2022 when the boards took over.
DEMO_MERGERS = {"XT21": ("XT20", 2021), "XT22": ("XT20", 2021),
                "XC1": ("XQ1", 2022), "XC2": ("XQ1", 2022), "XC5": ("XQ5", 2022)}


#: The national body sits in London for its region (the register needs one).
NATIONAL_BODY_REGION = "Y56"


DEMO_QUIRKS = Quirks(
    late={("XT06", 2023): "2024-01-19", ("XT26", 2021): "2021-12-02"},
    training_warning=(("XT10", 2022),),
    appointed_warning=(("XT13", 2024),),
    suppressing=("XT30",),
    no_links=("XT08", "XT30"),
    pay=("XT01", "XT05", "XT09", "XT16", "XT20", "XT25", "XT28", "XT07", "XN1"),
)


_STEMS = ("Alder", "Brack", "Corrow", "Dunmar", "Elsing", "Fallow", "Garra", "Hollin", "Isting", "Kell",
          "Lark", "Marrow", "Nettle", "Pellow", "Quarrel", "Raven", "Sallow", "Thorn", "Umber", "Vell",
          "Wren", "Yarrow", "Bramble", "Cinder")


_ENDS = ("mere", "dale", "combe", "holt", "wick", "stone", "ford", "moor", "ley", "by", "thwaite",
         "bridge", "field", "hurst", "side", "water")


_COMPASS = ("", "North ", "South ", "East ", "West ", "Upper ", "Lower ")


_TYPE_SUFFIX = {
    "acute": "Hospitals NHS Foundation Trust", "acute_specialist": "Specialist Hospital NHS Trust",
    "mental_health": "Mental Health NHS Foundation Trust", "community": "Community Health NHS Trust",
    "ambulance": "Ambulance Service NHS Trust",
}


#: Integrated care boards per region in the real NHS (42 in all), used for the national scales.
_ICBS_PER_REGION = {"Y56": 5, "Y58": 7, "Y59": 6, "Y60": 11, "Y61": 6, "Y62": 3, "Y63": 4}


#: Trusts per type at national scale (220 in all).
_TRUSTS_PER_TYPE = {"acute": 120, "acute_specialist": 17, "mental_health": 50, "community": 23, "ambulance": 10}


def _place_names(rng: np.random.Generator, n: int) -> list[str]:
    """n distinct invented place names, shuffled by the seed."""
    places = [f"{c}{s}{e}" for c in _COMPASS for s in _STEMS for e in _ENDS]
    if n > len(places):
        raise ValueError(f"only {len(places)} invented place names; {n} requested")
    order = rng.permutation(len(places))[:n]
    return [places[i] for i in order]


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-").replace("--", "-")


def national_plan(rng: np.random.Generator, mult: int) -> tuple[pd.DataFrame, Quirks]:
    """The register and per-organisation parameters of a national-scale data set."""
    plan = _national_register(rng, mult)
    return plan, _national_sizes_and_quirks(plan, rng)


def _national_register(rng: np.random.Generator, mult: int) -> pd.DataFrame:
    """ICBs, trusts spread over their systems, and the mergers: organisations.csv's rows, with a slug."""
    n_icb = {r: k * mult for r, k in _ICBS_PER_REGION.items()}
    n_trust_types = {t: k * mult for t, k in _TRUSTS_PER_TYPE.items()}
    total_icb = sum(n_icb.values())
    total_trusts = sum(n_trust_types.values())
    places = _place_names(rng, total_icb * 2 + total_trusts)
    width = 2 if mult == 1 else 3
    rows: list[dict] = []
    systems: list[tuple[str, str, str]] = []  # code, name, region
    i = 0
    for region in sorted(n_icb):
        for _ in range(n_icb[region]):
            code = f"XQ{len(systems) + 1:0{width}d}"
            name = f"{places[i]} and {places[i + 1]}"
            i += 2
            systems.append((code, name, region))
            rows.append(dict(org_code=code, org_name=f"NHS {name} Integrated Care Board", org_type="icb",
                             region_code=region, system_code=code, system_name=f"{name} Integrated Care System",
                             slug=_slug(name) + "-icb"))
    # Trusts are spread over systems with a few more in the big ones; ambulance trusts cover regions.
    tw = 3 if mult == 1 else 4
    k = 0
    for org_type in ("acute", "acute_specialist", "mental_health", "community", "ambulance"):
        picks = rng.integers(0, len(systems), size=n_trust_types[org_type])
        if org_type == "ambulance":  # at least one per region, in spec region order
            firsts = [next(j for j, s in enumerate(systems) if s[2] == r) for r in sorted(REGIONS)]
            picks[: len(firsts)] = firsts[: len(picks)]
        for p in picks:
            code, sname, region = systems[p]
            k += 1
            place = places[i]
            i += 1
            rows.append(dict(org_code=f"XT{k:0{tw}d}", org_name=f"{place} {_TYPE_SUFFIX[org_type]}",
                             org_type=org_type, region_code=region, system_code=code,
                             system_name=f"{sname} Integrated Care System", slug=_slug(place)))
    plan = pd.DataFrame(rows)
    plan["successor_code"] = ""
    plan["closed_year"] = pd.array([pd.NA] * len(plan), dtype="Int64")
    # One merger per 220 trusts: two acute trusts fold into a third of the same system in 2021.
    acute = plan[plan["org_type"] == "acute"]
    for m in range(mult):
        by_sys = acute.groupby("system_code")["org_code"].apply(list)
        big = [codes for codes in by_sys if len(codes) >= 3]
        if len(big) <= m:
            break
        succ, a, b = big[m][:3]
        plan.loc[plan["org_code"].isin([a, b]), ["successor_code", "closed_year"]] = [succ, 2021]
    return plan


def _national_sizes_and_quirks(plan: pd.DataFrame, rng: np.random.Generator) -> Quirks:
    """Each organisation's size and share of unknown ethnicity (set on `plan`), and the data set's quirks."""
    lo = np.array([SIZE_RANGES[t][0] for t in plan["org_type"]], dtype=float)
    hi = np.array([SIZE_RANGES[t][1] for t in plan["org_type"]], dtype=float)
    plan["size"] = np.round(np.exp(rng.uniform(np.log(lo), np.log(hi))))
    plan["unknown"] = np.round(rng.uniform(0.04, 0.15, len(plan)), 3)
    trusts = plan.loc[plan["org_type"] != "icb", "org_code"].to_numpy()
    n_late = max(1, len(plan) // 60)
    late_codes = rng.choice(trusts, size=n_late, replace=False)
    late_years = rng.choice(YEARS, size=n_late)
    # Small organisations, as the real NHS has (small specialist and community trusts): about one trust
    # in twelve has a few hundred staff, so its senior and medical bands hold a handful of people; a
    # third of them publish small counts as `*` themselves.
    small = np.flatnonzero((plan["org_type"].isin(["acute_specialist", "community", "mental_health"])).to_numpy())
    small = np.sort(rng.choice(small, size=max(1, len(plan) // 12), replace=False)) if len(small) else small
    plan.loc[plan.index[small], "size"] = np.round(np.exp(rng.uniform(np.log(SMALL_SIZE[0]), np.log(SMALL_SIZE[1]),
                                                                      len(small))))
    suppressing = tuple(str(c) for c in plan["org_code"].to_numpy()[small][::3])
    quirks = Quirks(
        late={(c, int(y)): f"{int(y)}-12-{rng.integers(1, 29):02d}" for c, y in zip(late_codes, late_years)},
        training_warning=((str(trusts[1]), 2022),),
        appointed_warning=((str(trusts[2]), 2024),),
        suppressing=suppressing,
        no_links=tuple(str(c) for c in rng.choice(trusts, size=max(1, len(trusts) // 25), replace=False)),
        pay=tuple(str(c) for c in trusts[rng.random(len(trusts)) < 0.35]),
    )
    return quirks


def demo_plan() -> tuple[pd.DataFrame, Quirks]:
    """The hand-written register of the bundled demonstration data."""
    rows = []
    for code, name, org_type, system, size, unknown, slug in DEMO_ORGS:
        sname, region = DEMO_SYSTEMS[system] if system else ("", NATIONAL_BODY_REGION)
        succ, closed = DEMO_MERGERS.get(code, ("", pd.NA))
        rows.append(dict(org_code=code, org_name=name, org_type=org_type, region_code=region,
                         system_code=system, system_name=f"{sname} Integrated Care System" if system else "",
                         slug=slug, successor_code=succ, closed_year=closed, size=float(size), unknown=unknown))
    plan = pd.DataFrame(rows)
    plan["closed_year"] = plan["closed_year"].astype("Int64")
    return plan, DEMO_QUIRKS
