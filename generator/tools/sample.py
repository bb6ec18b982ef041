"""Demonstration data: a complete data folder of fictional organisations.

Why it exists: the site, the validator and every test need a data set that
looks like real WRES returns (realistic magnitudes, regional differences,
senior bands less diverse than the workforce, the messiness real returns
have) without ever putting a real NHS organisation's name or code next to
invented figures. Every organisation here is fictional; codes start with X
(XT trusts, XQ integrated care systems and their boards, XC clinical
commissioning groups, XN the national body) and websites use the reserved
`example.org` domain.

Deterministic by construction: one `numpy.random.default_rng(seed)` drives
every draw, in a fixed order, and every number is written with a fixed
format, so the same seed gives byte-identical files. Draws are vectorised
over all organisation-years at once, so the national scales take seconds.

Scales:

- `demo`: 37 hand-named organisations with deliberate messiness (a merger,
  a late return, plausibility warnings, suppressed and empty cells, a small
  organisation, high unknown ethnicity); the bundled `data/` folder.
- `national`: about 220 trusts and 42 boards with generated names.
- `national-x5`: five times as many, for benchmarks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..model.spec import (
    AFC_BANDS,
    ETHNICITIES,
    KEYS,
    MEDICAL_BANDS,
    REGIONS,
    STAFF_GROUPS,
    SURVEY_INDICATORS,
)
from .register import REGISTER_COLUMNS

YEARS = tuple(range(2019, 2025))
#: 2020: the staff-survey indicators were not required (the pandemic year).
NO_SURVEY_YEARS = (2020,)
#: First collection year in which integrated care boards existed (formed 1 July 2022).
ICB_FIRST_YEAR = 2023
#: Organisations are asked to submit by the end of August; later is "late".
DEADLINE_MONTH_DAY = "08-31"
SCALES = ("demo", "national", "national-x5")


# --- realistic magnitudes ---------------------------------------------------------------

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

# --- the demonstration register ---------------------------------------------------------

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

# --- generated names for the national scales ------------------------------------------

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


def _national_plan(rng: np.random.Generator, mult: int) -> tuple[pd.DataFrame, Quirks]:
    """The register and per-organisation parameters of a national-scale data set."""
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
    return plan, quirks


def _demo_plan() -> tuple[pd.DataFrame, Quirks]:
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


# --- drawing the figures ------------------------------------------------------------------

def _org_years(plan: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One row per return (organisation and year), with the parameters every table is drawn from.

    A successor's size includes its predecessors' from the year after they closed,
    so its headcount jumps at the merger just as a real one does.
    """
    first = np.where(plan["org_type"] == "icb", ICB_FIRST_YEAR, YEARS[0])
    last = plan["closed_year"].fillna(YEARS[-1]).astype(int).to_numpy()
    n = len(plan)
    # Persistent organisation effects, drawn once per organisation.
    growth = rng.normal(0.02, 0.012, n)
    region_bme = plan["region_code"].map(REGION_BME).to_numpy()
    odds = region_bme / (1 - region_bme) / BAND_ODDS_CALIBRATION * plan["org_type"].map(TYPE_BME_ODDS).to_numpy()
    odds *= np.exp(rng.normal(0, 0.25, n))
    org_rl2 = rng.normal(np.log(1.5), 0.12, n)
    org_rl3 = rng.normal(np.log(1.45), 0.18, n)
    org_p_app = rng.uniform(0.16, 0.34, n)
    org_dis = rng.uniform(0.004, 0.012, n)
    org_train = rng.uniform(0.35, 0.78, n)
    org_rr = rng.uniform(0.30, 0.60, n)
    org_board = rng.uniform(0.35, 1.0, n)
    board_size = rng.integers(10, 17, n)

    years = np.array(YEARS)
    idx, yr = np.meshgrid(np.arange(n), years, indexing="ij")
    idx, yr = idx.ravel(), yr.ravel()
    keep = (yr >= first[idx]) & (yr <= last[idx])
    idx, yr = idx[keep], yr[keep]
    t = yr - YEARS[0]
    size = plan["size"].to_numpy()[idx] * (1 + growth[idx]) ** t
    # Merged organisations' staff move to the successor after the closing year.
    succ = plan["successor_code"].to_numpy()
    code_pos = {c: i for i, c in enumerate(plan["org_code"])}
    for p in np.flatnonzero(succ != ""):
        s = code_pos[succ[p]]
        if plan["org_type"].iat[s] != plan["org_type"].iat[p]:
            continue  # CCG -> ICB: commissioning staff are not folded into the board's 2019 baseline
        gain = (idx == s) & (yr > last[p])
        size[gain] += plan["size"].iat[p] * (1 + growth[p]) ** t[gain]
    m = len(idx)
    bme_odds = odds[idx] * np.exp(0.04 * t)  # BME share grows a little every year
    oy = pd.DataFrame({
        "pos": idx, "org_code": plan["org_code"].to_numpy()[idx], "org_type": plan["org_type"].to_numpy()[idx],
        "year": yr, "size": size, "bme_odds": bme_odds,
        "unknown": np.clip(plan["unknown"].to_numpy()[idx] + rng.normal(0, 0.01, m), 0.01, 0.5),
        "rl2": np.exp(org_rl2[idx] + rng.normal(0, 0.08, m) - 0.015 * t),
        "rl3": np.exp(org_rl3[idx] + rng.normal(0, 0.12, m)),
        "rl4": np.exp(rng.normal(0.0, 0.06, m)),
        "p_app": np.clip(org_p_app[idx] + rng.normal(0, 0.02, m), 0.08, 0.5),
        "dis": org_dis[idx] * np.exp(rng.normal(0, 0.1, m)),
        "train": np.clip(org_train[idx] + rng.normal(0, 0.04, m), 0.2, 0.85),
        "rr": org_rr[idx],
        "board_bme": org_board[idx],
        "board_size": board_size[idx],
    })
    return oy.sort_values(["org_code", "year"], kind="stable").reset_index(drop=True)


def _cells() -> pd.DataFrame:
    """Every staff group and band with its share of the group and its BME odds multiplier."""
    rows = []
    for g, group in enumerate(STAFF_GROUPS):
        bands, mix = (MEDICAL_BANDS, MEDICAL_MIX) if group == "medical_dental" else (AFC_BANDS, AFC_MIX[group])
        for band, share in zip(bands, mix):
            rows.append((g, group, band, share, BAND_BME_ODDS[band]))
    return pd.DataFrame(rows, columns=["g", "staff_group", "band", "share", "band_odds"])


#: Bands whose small counts a suppressing publisher withholds (the few people in them are identifiable).
SUPPRESSED_BANDS = ("band_8c", "band_8d", "band_9", "vsm") + MEDICAL_BANDS
#: Counts a suppressing publisher replaces with `*`.
SUPPRESS_LOW, SUPPRESS_HIGH = 1, 4


def _is_small(values: np.ndarray) -> np.ndarray:
    return (values >= SUPPRESS_LOW) & (values <= SUPPRESS_HIGH)


def _workforce(oy: pd.DataFrame, rng: np.random.Generator, quirks: Quirks) -> pd.DataFrame:
    """Headcount by organisation, year, staff group, band and ethnicity (long form).

    Column `suppressed` marks the cells the publisher withholds as `*`.
    """
    cells = _cells()
    mix = np.array([GROUP_MIX[t] for t in oy["org_type"]])  # (m, 3)
    nc = len(cells)
    r = np.repeat(np.arange(len(oy)), nc)
    c = np.tile(np.arange(nc), len(oy))
    expected = oy["size"].to_numpy()[r] * mix[r, cells["g"].to_numpy()[c]] * cells["share"].to_numpy()[c]
    total = rng.poisson(expected)
    unknown = rng.binomial(total, oy["unknown"].to_numpy()[r])
    o = oy["bme_odds"].to_numpy()[r] * cells["band_odds"].to_numpy()[c]
    bme = rng.binomial(total - unknown, np.minimum(o / (1 + o), 0.92))
    white = total - unknown - bme
    base = pd.DataFrame({"row": r, "org_code": oy["org_code"].to_numpy()[r], "year": oy["year"].to_numpy()[r],
                         "staff_group": cells["staff_group"].to_numpy()[c], "band": cells["band"].to_numpy()[c]})
    parts = []
    for e, counts in zip(ETHNICITIES, (white, bme, unknown)):
        part = base.copy()
        part["ethnicity"] = e
        part["headcount"] = counts
        part["order"] = np.arange(len(base)) * 3 + ETHNICITIES.index(e)
        parts.append(part)
    wf = pd.concat(parts, ignore_index=True).sort_values("order", kind="stable").drop(columns="order")
    wf = wf.reset_index(drop=True)
    wf["suppressed"] = (wf["org_code"].isin(quirks.suppressing) & wf["band"].isin(SUPPRESSED_BANDS)).to_numpy() \
        & _is_small(wf["headcount"].to_numpy())
    return wf


def _per_ethnicity(oy: pd.DataFrame, wf: pd.DataFrame, visible: bool = False) -> np.ndarray:
    """Headcount per return and ethnicity: an (m, 3) array in ETHNICITIES order.

    visible=True counts only the cells a reader of the files can see (not the `*` ones),
    the figure a validator checks training against.
    """
    w = wf[~wf["suppressed"]] if visible else wf
    h = w.groupby(["row", "ethnicity"], sort=False)["headcount"].sum().unstack("ethnicity")
    return h.reindex(index=np.arange(len(oy)), columns=list(ETHNICITIES)).fillna(0).to_numpy().astype(np.int64)


def _long(oy: pd.DataFrame, columns: dict[str, np.ndarray], ethnicities: tuple[str, ...] = ETHNICITIES) -> pd.DataFrame:
    """Turn (m, k) arrays (one column per ethnicity) into long rows: org_code, year, ethnicity, values."""
    k = len(ethnicities)
    out = pd.DataFrame({
        "row": np.repeat(np.arange(len(oy)), k),
        "org_code": np.repeat(oy["org_code"].to_numpy(), k),
        "year": np.repeat(oy["year"].to_numpy(), k),
        "ethnicity": np.tile(np.array(ethnicities), len(oy)),
    })
    for name, arr in columns.items():
        out[name] = arr.reshape(-1)
    return out


def _flag(oy: pd.DataFrame, pairs: tuple[tuple[str, int], ...]) -> np.ndarray:
    keys = set(pairs)
    return np.array([(c, int(y)) in keys for c, y in zip(oy["org_code"], oy["year"])], dtype=bool)


def _recruitment(oy: pd.DataFrame, heads: np.ndarray, rng: np.random.Generator, quirks: Quirks) -> pd.DataFrame:
    """Shortlisted and appointed per ethnicity; BME applicants shortlisted more, appointed less."""
    known = heads[:, 0] + heads[:, 1]
    bme_share = np.divide(heads[:, 1], known, out=np.zeros(len(oy)), where=known > 0)
    sl_total = rng.poisson(heads.sum(axis=1) * 0.38)
    sl_u = rng.binomial(sl_total, 0.03)
    sl_b = rng.binomial(sl_total - sl_u, np.clip(bme_share * 1.5 + 0.03, 0.02, 0.9))
    sl_w = sl_total - sl_u - sl_b
    p_w = oy["p_app"].to_numpy()
    p_b = p_w / oy["rl2"].to_numpy()
    warn = _flag(oy, quirks.appointed_warning)
    p_w = np.where(warn, 0.97, p_w)
    p_b = np.where(warn, 0.96, p_b)
    shortlisted = np.stack([sl_w, sl_b, sl_u], 1)
    appointed = rng.binomial(shortlisted, np.stack([p_w, p_b, np.where(warn, 0.96, p_w * 0.9)], 1))
    # Outside the intended warning, stay below the validator's "appointed close to shortlisted"
    # threshold even for tiny groups (one applicant, one appointment would trip it).
    cap = np.maximum(np.ceil(APPOINTED_WARNING * shortlisted).astype(np.int64) - 1, 0)
    appointed = np.where(warn[:, None], appointed, np.minimum(appointed, cap))
    return _long(oy, {"shortlisted": shortlisted, "appointed": appointed})


def _disciplinary(oy: pd.DataFrame, heads: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Staff entering a formal disciplinary process; BME staff 1.0-2.0 times as likely."""
    r_w = oy["dis"].to_numpy()
    rates = np.stack([r_w, np.minimum(r_w * oy["rl3"].to_numpy(), 0.2), r_w * 1.1], 1)
    return _long(oy, {"entered_formal_process": rng.binomial(heads, rates)})


def _training(oy: pd.DataFrame, heads: np.ndarray, visible: np.ndarray, rng: np.random.Generator,
              quirks: Quirks) -> pd.DataFrame:
    """Staff accessing non-mandatory training; about equal, never more than the headcount.

    Capped by the *visible* headcount (suppressed cells left out) so that the rule
    training <= headcount holds for anyone checking the files, and, outside the
    intended warning, at or below the 95% plausibility threshold.
    """
    t_w = oy["train"].to_numpy()
    t_b = np.minimum(t_w / oy["rl4"].to_numpy(), 0.93)
    rates = np.stack([t_w, t_b, t_w * 0.9], 1)
    warn = _flag(oy, quirks.training_warning)
    rates[warn] = 0.975
    trained = rng.binomial(heads, rates)
    cap = np.where(warn[:, None], visible, np.floor(TRAINING_WARNING * visible).astype(np.int64))
    return _long(oy, {"accessed_training": np.minimum(trained, cap)})


def _staff_survey(oy: pd.DataFrame, heads: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Survey percentages for indicators 5-8 (White and BME), with respondents where trusts give them."""
    sel = ~oy["year"].isin(NO_SURVEY_YEARS).to_numpy()
    sub = oy[sel].reset_index(drop=True)
    h = heads[sel][:, :2]
    m = len(sub)
    resp = rng.binomial(h, sub["rr"].to_numpy()[:, None])
    t = (sub["year"].to_numpy() - YEARS[0])[:, None]
    amb = (sub["org_type"] == "ambulance").to_numpy()[:, None]
    parts = []
    for ind in SURVEY_INDICATORS:
        w_mean, b_mean, sd = SURVEY_MEANS[ind]
        base = rng.normal(0, sd, (m, 1))  # an organisation-year's culture shifts both groups
        gap = b_mean - w_mean + rng.normal(0, sd * 0.6, (m, 1))
        drift = -0.3 * t if ind != 7 else -0.5 * t
        extra = np.where(amb & (ind == 5), 18.0, 0.0)
        w = w_mean + base + drift + extra
        pct = np.stack([w, w + gap], 1)[:, :, 0]
        # Small groups answer noisily.
        pct = pct + rng.normal(0, 1, (m, 2)) * np.sqrt(400 / np.maximum(resp, 1))
        pct = np.clip(np.round(pct, 1), 0.0, 100.0)
        part = _long(sub, {"percent": pct, "respondents": resp}, ethnicities=("white", "bme"))
        part["indicator"] = ind
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["row"] = np.flatnonzero(sel)[out["row"].to_numpy()]
    # Commissioners and the national body publish percentages without respondent counts.
    no_resp = out["org_code"].isin(oy.loc[oy["org_type"].isin(["ccg", "icb", "national_body"]), "org_code"])
    out["respondents"] = out["respondents"].astype("Int64").mask(no_resp)
    return out


def _board(oy: pd.DataFrame, heads: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Board members per ethnicity: 10-16 members, less diverse than the workforce."""
    known = heads[:, 0] + heads[:, 1]
    share = np.divide(heads[:, 1], known, out=np.zeros(len(oy)), where=known > 0) * oy["board_bme"].to_numpy()
    size = np.clip(oy["board_size"].to_numpy() + rng.integers(-1, 2, len(oy)), 10, 16)
    unknown = rng.binomial(size, 0.03)
    bme = rng.binomial(size - unknown, share)
    members = np.stack([size - unknown - bme, bme, unknown], 1)
    voting = rng.binomial(members, 0.8)
    executive = rng.binomial(members, 0.45)
    return _long(oy, {"members": members, "voting_members": voting, "executive_members": executive})


def _pay(oy: pd.DataFrame, heads: np.ndarray, rng: np.random.Generator, quirks: Quirks) -> pd.DataFrame:
    """Mean and median hourly pay by ethnicity, for the organisations that publish a pay gap."""
    sel = (oy["org_code"].isin(quirks.pay) & (oy["year"] >= PAY_FIRST_YEAR)).to_numpy()
    sub = oy[sel].reset_index(drop=True)
    m = len(sub)
    white_mean = rng.uniform(19.0, 24.0, m) * 1.05 ** (sub["year"].to_numpy() - PAY_FIRST_YEAR)
    ratio = np.stack([np.ones(m), rng.normal(0.94, 0.03, m), rng.normal(0.98, 0.03, m)], 1)
    mean = np.round(white_mean[:, None] * ratio, 2)
    median = np.round(mean * rng.uniform(0.86, 0.93, (m, 3)), 2)
    out = _long(sub, {"headcount": heads[sel], "mean_hourly_pay": mean, "median_hourly_pay": median})
    out["row"] = np.flatnonzero(sel)[out["row"].to_numpy()]
    return out


def _returns(oy: pd.DataFrame, plan: pd.DataFrame, rng: np.random.Generator, quirks: Quirks) -> pd.DataFrame:
    """returns.csv rows: submission dates (July-August, some late) and links to reports."""
    m = len(oy)
    day = rng.integers(0, 62, m)
    submitted = (pd.to_datetime(oy["year"].astype(str) + "-07-01") + pd.to_timedelta(day, unit="D"))
    submitted = submitted.dt.strftime("%Y-%m-%d").to_numpy().astype(object)
    for (code, year), date in quirks.late.items():
        submitted[((oy["org_code"] == code) & (oy["year"] == year)).to_numpy()] = date
    slug = oy["org_code"].map(dict(zip(plan["org_code"], plan["slug"])))
    site = "https://" + slug + ".example.org"
    yr = oy["year"].astype(str)
    report = (site + "/equality/wres-" + yr + "-report.pdf").to_numpy().astype(object)
    action = (site + "/equality/wres-" + yr + "-action-plan").to_numpy().astype(object)
    u = rng.random((m, 2))
    no_links = oy["org_code"].isin(quirks.no_links).to_numpy()
    report[(u[:, 0] < 0.08) | no_links] = ""
    action[(u[:, 1] < 0.14) | no_links] = ""
    return pd.DataFrame({"org_code": oy["org_code"], "year": oy["year"], "submitted_on": submitted,
                         "report_url": report, "action_plan_url": action})


# --- writing ------------------------------------------------------------------------------

def _counts_text(values: pd.Series, suppress: np.ndarray | None = None) -> pd.Series:
    """Counts as text: whole numbers, "" where not available, "*" where suppressed."""
    v = pd.array(values, dtype="Int64")
    text = pd.Series(v.astype(str), index=values.index).where(~pd.isna(v), "")
    if suppress is not None:
        text = text.where(~suppress, "*")
    return text


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Plain UTF-8, LF line ends, every value already text: byte-identical run to run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")


def _sorted(frame: pd.DataFrame, resource: str) -> pd.DataFrame:
    """Rows in key order, enumerations in spec order (not alphabetical)."""
    orders = {"staff_group": STAFF_GROUPS, "band": AFC_BANDS + MEDICAL_BANDS, "ethnicity": ETHNICITIES,
              "indicator": SURVEY_INDICATORS}
    keys = []
    f = frame.copy()
    for k in KEYS[resource]:
        if k in orders:
            f[f"_{k}"] = f[k].map({v: i for i, v in enumerate(orders[k])})
            keys.append(f"_{k}")
        else:
            keys.append(k)
    f = f.sort_values(keys, kind="stable")
    return f.drop(columns=[c for c in f.columns if c.startswith("_")])


def _register_frame(plan: pd.DataFrame) -> pd.DataFrame:
    reg = plan.copy()
    reg["closed_year"] = reg["closed_year"].astype("Int64").astype(str).where(reg["closed_year"].notna(), "")
    reg["website"] = "https://" + reg["slug"] + ".example.org/"
    return reg.loc[:, list(REGISTER_COLUMNS)].sort_values("org_code", kind="stable")


def _collections_frame() -> pd.DataFrame:
    rows = []
    for y in YEARS:
        if y in NO_SURVEY_YEARS:
            rows.append((y, f"{y}-03-31", "1,2,3,4,9",
                         "The staff-survey indicators (5 to 8) were not required in 2020: the collection was "
                         "reduced during the COVID-19 pandemic."))
        else:
            rows.append((y, f"{y}-03-31", "1-9", ""))
    return pd.DataFrame(rows, columns=["year", "snapshot_date", "indicators", "note"])


def _plan(scale: str, rng: np.random.Generator) -> tuple[pd.DataFrame, Quirks]:
    if scale == "demo":
        return _demo_plan()
    if scale == "national":
        return _national_plan(rng, 1)
    if scale == "national-x5":
        return _national_plan(rng, 5)
    raise ValueError(f"unknown scale {scale!r}: expected one of {', '.join(SCALES)}")


def build_sample(scale: str = "demo", seed: int = 2018) -> dict[str, pd.DataFrame]:
    """Every table of a demonstration data set, as text frames ready to write.

    Keys: "organisations", "collections", and each year resource with a `year`
    column (all years stacked). Separate from writing so tests can look at the
    figures without touching the disk.
    """
    rng = np.random.default_rng(seed)
    plan, quirks = _plan(scale, rng)
    oy = _org_years(plan, rng)
    wf = _workforce(oy, rng, quirks)
    heads = _per_ethnicity(oy, wf)
    visible = _per_ethnicity(oy, wf, visible=True)
    tables: dict[str, pd.DataFrame] = {
        "organisations": _register_frame(plan),
        "collections": _collections_frame(),
        "returns": _returns(oy, plan, rng, quirks),
        "workforce": wf,
        "recruitment": _recruitment(oy, heads, rng, quirks),
        "disciplinary": _disciplinary(oy, heads, rng),
        "training": _training(oy, heads, visible, rng, quirks),
        "staff_survey": _staff_survey(oy, heads, rng),
        "board": _board(oy, heads, rng),
        "pay": _pay(oy, heads, rng, quirks),
    }
    return _to_text(tables, quirks)


def _to_text(tables: dict[str, pd.DataFrame], quirks: Quirks) -> dict[str, pd.DataFrame]:
    """Fixed formats for every number; suppression and empty cells where the quirks say."""
    out = {"organisations": tables["organisations"], "collections": tables["collections"],
           "returns": tables["returns"]}
    suppressing = set(quirks.suppressing)
    counts = {"workforce": ["headcount"], "recruitment": ["shortlisted", "appointed"],
              "disciplinary": ["entered_formal_process"], "training": ["accessed_training"],
              "staff_survey": ["respondents"], "board": ["members", "voting_members", "executive_members"],
              "pay": ["headcount"]}
    for name, cols in counts.items():
        f = tables[name].copy()
        sup_org = f["org_code"].isin(suppressing).to_numpy()
        for col in cols:
            small = pd.array(f[col], dtype="Int64")
            is_small = _is_small(small).to_numpy(dtype=bool, na_value=False)
            # The small organisation suppresses small counts of people in its senior and medical
            # workforce cells (marked when drawn), disciplinary and survey figures; it publishes
            # recruitment and the board in full.
            if name == "workforce":
                suppress = f["suppressed"].to_numpy()
            else:
                suppress = sup_org & is_small & (name in ("disciplinary", "staff_survey"))
            f[col] = _counts_text(f[col], suppress)
        if name == "recruitment":
            # ...and did not record the ethnicity-unknown applicants: not available, left empty.
            gone = sup_org & (f["ethnicity"] == "unknown").to_numpy()
            f.loc[gone, ["shortlisted", "appointed"]] = ""
        if name == "staff_survey":
            f["percent"] = f["percent"].map("{:.1f}".format)
            f = f.loc[:, ["org_code", "year", "indicator", "ethnicity", "percent", "respondents"]]
        if name == "pay":
            for col in ("mean_hourly_pay", "median_hourly_pay"):
                f[col] = f[col].map("{:.2f}".format)
        out[name] = f.drop(columns=[c for c in ("row",) if c in f.columns])
    out["workforce"] = out["workforce"].loc[:, ["org_code", "year", "staff_group", "band", "ethnicity", "headcount"]]
    return out


def write_sample(out_dir: Path, scale: str = "demo", seed: int = 2018) -> int:
    """Write a complete data folder of fictional organisations; return the number of returns.

    The folder gets organisations.csv, collections.csv and one folder per year
    (2019-2024) with every resource (no staff_survey.csv in 2020; pay.csv in the
    years some organisations publish one). Existing files of the same names are
    overwritten; nothing else in `out_dir` is touched, so a README beside the
    data survives regeneration.
    """
    out_dir = Path(out_dir)
    tables = build_sample(scale, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_csv(tables["organisations"], out_dir / "organisations.csv")
    _write_csv(tables["collections"], out_dir / "collections.csv")
    for year in YEARS:
        for resource in ("returns", "workforce", "recruitment", "disciplinary", "training", "staff_survey",
                         "board", "pay"):
            f = tables[resource]
            f = f[f["year"] == year].drop(columns="year")
            path = out_dir / str(year) / f"{resource}.csv"
            if f.empty:
                if path.exists():
                    path.unlink()  # a resource not collected or not published that year
                continue
            _write_csv(_sorted(f, resource), path)
    return len(tables["returns"])
