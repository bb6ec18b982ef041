"""organisations.csv from the real NHS Organisation Data Service (ODS) files.

Why: a publisher of real WRES returns needs a register of every organisation
that could have made one since 2015, with its region, its integrated care
system and what became of it. ODS publishes all of that, in several files
with their own quirks (see ../shared/data/ods/README.md); this module turns
them into the register of returns-format.md, deterministically (sorted by
org_code, plain UTF-8 text, LF line ends).

The rules, where the files leave room for choice:

- **Who is in.** English NHS trusts from etr.csv (the three Welsh trusts have
  no NHS England region and are left out); CCGs from eccg.csv, including the
  CCG codes that became sub-ICB locations on 1 July 2022; the 42 ICBs of
  icb_names_codes_dec_2024.csv. Left out: NHS England commissioning hubs and
  the 2024 "sub-ICB reporting entities" in eccg.csv (neither was a CCG nor an
  employer making a return), and anything that closed before the first WRES
  collection (31 March 2015).
- **closed_year** is the last collection year in which the organisation
  existed. Year y's snapshot is 31 March y, so a close date on or after
  31 March of its year gives that year, an earlier one the year before
  (2020-03-31 -> 2020, 2019-09-30 -> 2019). A CCG that became a sub-ICB
  location closed on 30 June 2022: closed_year 2022, successor its ICB.
- **successor_code** from succ.csv, only where the successor is in the
  register: of several successors, the latest by effective date (ties: the
  first by code); when the successor is not in the register the chain is
  followed on (A -> B -> C gives C when B is not registered), never looping.
  An organisation with no close date that succ.csv says was succeeded (the
  ICBs merged on 1 April 2026) closed the day before: closed_year 2026,
  with no successor_code when the new ICB has no name and so no register row.
- **system_code** is the ICB code of column 4. system_name comes from
  icb_names_codes_dec_2024.csv; the merged April 2026 ICB codes (Z9B2Z,
  S1Y5D, D7T5G, T6Y0W, S9B9J, S0E4D) have no name in any file, so their
  system_name is left empty (the code is kept, so grouping still works).
- **region_code** of an ICB is the most common region of its member trusts
  (ties: the lowest code), or of its CCGs when no trust names it (the ICBs
  whose trusts were all re-pointed to a merged 2026 code).
- **org_type** of a trust: the FOI trust-type list (xlsx) where it lists the
  trust (Acute -> acute; Mental Health, and Mental Health and Community ->
  mental_health; Community -> community; Ambulance -> ambulance; trailing
  spaces ignored). Otherwise, from the name (AMBULANCE -> ambulance; MENTAL
  HEALTH, PSYCHIATRIC, LEARNING DISABILIT -> mental_health; COMMUNITY, PRIMARY
  CARE, CARE SERVICES, HEALTH AND CARE NHS TRUST -> community), else the type most of its listed
  predecessors or successors have, else acute. An acute trust whose name
  marks a specialist hospital (children's, women's, cancer, eye, heart and
  chest, orthopaedic, neuro and a few named ones) is acute_specialist.
- **Names** are title-cased for display ("Guy's and St Thomas' NHS Foundation
  Trust"): NHS, CCG, ICB and codes stay upper case; and, of, the, upon, on ...
  stay lower case inside a name. ICB names are taken as the ICB file spells them.
- **website** is not in the ODS files and is left empty.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pandas as pd

from ..model.spec import FIRST_YEAR, REGIONS

REGISTER_COLUMNS = ("org_code", "org_name", "org_type", "region_code", "system_code", "system_name",
                    "successor_code", "closed_year", "website")

#: etr.csv / eccg.csv have no header; these are the 0-based columns we use.
COL_CODE, COL_NAME, COL_REGION, COL_ICB, COL_OPEN, COL_CLOSE = 0, 1, 2, 3, 10, 11

TRUST_TYPES = {
    "acute": "acute",
    "mental health": "mental_health",
    "mental health and community": "mental_health",
    "mental health and community (combined)": "mental_health",
    "community": "community",
    "ambulance": "ambulance",
}
_NAME_TYPES = (
    (re.compile(r"\bAMBULANCE\b"), "ambulance"),
    (re.compile(r"\bMENTAL HEALTH\b|\bPSYCHIATRIC\b|\bLEARNING DISABILIT"), "mental_health"),
    (re.compile(r"\bCOMMUNITY\b|\bPRIMARY CARE\b|\bCARE SERVICES\b|\bHEALTH AND CARE NHS TRUST\b"), "community"),
)
_SPECIALIST = re.compile(
    r"CHILDREN|WOMEN'S|\bCANCER\b|\bEYE\b|HEART AND CHEST|ORTHOPAEDIC|RHEUMATIC|NEURO|\bCHRISTIE\b|"
    r"\bMARSDEN\b|\bWALTON CENTRE\b|\bPAPWORTH\b|\bBROMPTON\b|\bQUEEN VICTORIA HOSPITAL\b|\bCLATTERBRIDGE\b"
)
#: eccg.csv rows that were never CCGs.
_NOT_CCG = re.compile(r"COMMISSIONING HUB|SUB-ICB REPORTING ENTITY")
#: CCGs became sub-ICB locations of their ICB on 1 July 2022 (named "NHS <ICB> ICB - <code>").
_SUB_ICB_LOCATION = re.compile(r" ICB - [A-Z0-9]+$")
CCG_END_YEAR = 2022

_UPPER = {"NHS", "CCG", "ICB", "UK", "H&J", "GP", "II", "III", "IV", "PCT"}
_LOWER = {"AND", "OF", "THE", "FOR", "ON", "UPON", "IN", "AT", "BY", "WITH", "UNDER", "SUPER", "LE", "DE", "A"}


def default_ods_dir() -> Path:
    """../shared/data/ods beside the project root (where CI clones the shared data too)."""
    return Path(__file__).resolve().parents[3] / "shared" / "data" / "ods"


def closed_year_of(close_date: str) -> int | None:
    """The last collection year (snapshot 31 March) at which an organisation closing on this date existed.

    >>> closed_year_of("20200331"), closed_year_of("20190930"), closed_year_of("20200326")
    (2020, 2019, 2019)
    """
    text = (close_date or "").strip()
    if not re.fullmatch(r"\d{8}", text):
        return None
    year = int(text[:4])
    return year if text[4:] >= "0331" else year - 1


def _title_word(word: str, first: bool) -> str:
    """One word in display case: acronyms upper, small joining words lower, else a capital first letter."""
    if word in _UPPER:
        return word
    if not first and word in _LOWER:
        return word.lower()
    if "-" in word:  # STOKE-ON-TRENT -> Stoke-on-Trent
        head, *rest = word.split("-")
        return "-".join([_title_word(head, first=True)] + [_title_word(p, first=False) for p in rest])
    # Capitalise the first letter only: KING'S -> King's, ST. -> St.; 2GETHER -> 2gether.
    lower = word.lower()
    if lower[:1].isdigit():
        return lower
    for i, ch in enumerate(lower):
        if ch.isalpha():
            return lower[:i] + ch.upper() + lower[i + 1:]
    return lower


def display_name(ods_name: str) -> str:
    """An upper-case ODS name in the case people write it, keeping NHS, CCG, ICB and codes upper case.

    >>> display_name("GUY'S AND ST THOMAS' NHS FOUNDATION TRUST")
    "Guy's and St Thomas' NHS Foundation Trust"
    >>> display_name("NHS STAFFORDSHIRE AND STOKE-ON-TRENT ICB - 04Y")
    'NHS Staffordshire and Stoke-on-Trent ICB - 04Y'
    """
    words = re.sub(r"\s+", " ", ods_name.strip()).split(" ")
    out = []
    for i, w in enumerate(words):
        if i >= 2 and words[i - 1] == "-" and i == len(words) - 1:
            out.append(w)  # the trailing ODS code of a sub-ICB location: "... ICB - 02T"
            continue
        bare = w.strip(",()")
        titled = _title_word(bare, first=(i == 0))
        out.append(w.replace(bare, titled, 1) if bare else w)
    return " ".join(out)


def _read_ods(path: Path) -> pd.DataFrame:
    """An ODS extract with no header: every cell as stripped text."""
    frame = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, encoding="utf-8")
    return frame.apply(lambda col: col.str.strip())


def _trust_types(ods_dir: Path) -> dict[str, str]:
    """code -> org_type from the FOI trust-type workbook (trailing spaces and case ignored)."""
    xlsx = next(iter(sorted(ods_dir.glob("secondary_trusts*.xlsx"))), None)
    if xlsx is None:
        return {}
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl: "Data Validation extension is not supported"
        book = pd.read_excel(xlsx, dtype=str)
    code_col = next(c for c in book.columns if "code" in c.lower())
    type_col = next(c for c in book.columns if "type" in c.lower())
    out = {}
    for code, kind in zip(book[code_col], book[type_col]):
        key = re.sub(r"\s+", " ", str(kind)).strip().lower()
        if isinstance(code, str) and key in TRUST_TYPES:
            out[code.strip()] = TRUST_TYPES[key]
    return out


def _type_from_name(name: str) -> str | None:
    for pattern, kind in _NAME_TYPES:
        if pattern.search(name):
            return kind
    return None


def _successors(succ: pd.DataFrame, registered: set[str]) -> dict[str, str]:
    """predecessor -> registered successor: the latest (ties: first code), following chains."""
    succ = succ.rename(columns={0: "pred", 1: "succ", 3: "date"})
    succ = succ[(succ["pred"] != succ["succ"]) & (succ["succ"] != "")]
    latest = (succ.sort_values(["pred", "date", "succ"], ascending=[True, False, True], kind="stable")
              .drop_duplicates("pred"))
    direct = dict(zip(latest["pred"], latest["succ"]))
    result = {}
    for pred in sorted(registered & set(direct)):
        seen = {pred}
        nxt = direct[pred]
        while nxt not in registered and nxt in direct and nxt not in seen:
            seen.add(nxt)
            nxt = direct[nxt]
        if nxt in registered and nxt != pred:
            result[pred] = nxt
    return result


def _mode(values: list[str]) -> str | None:
    """The most common value, ties broken by the lowest, so the result never depends on row order."""
    if not values:
        return None
    counts = Counter(values)
    return min(counts, key=lambda v: (-counts[v], v))


def _existed_since_first_year(close: str) -> bool:
    """An organisation open at some point since FIRST_YEAR (no close date, or closed in or after it)."""
    year = closed_year_of(close)
    return year is None or year >= FIRST_YEAR


def _trust_rows(etr: pd.DataFrame, icb_names: dict[str, str],
                xlsx_types: dict[str, str]) -> tuple[pd.DataFrame, dict[str, dict[str, object]]]:
    """The trusts in England's regions since FIRST_YEAR (the frame, for placing ICBs) and their rows."""
    trusts = etr[etr[COL_REGION].isin(REGIONS) & etr[COL_CLOSE].map(_existed_since_first_year)]
    rows: dict[str, dict[str, object]] = {}
    for _, r in trusts.iterrows():
        code = r[COL_CODE]
        rows[code] = dict(org_code=code, org_name=display_name(r[COL_NAME]), org_type=xlsx_types.get(code) or
                          _type_from_name(r[COL_NAME]) or "", region_code=r[COL_REGION], system_code=r[COL_ICB],
                          system_name=icb_names.get(r[COL_ICB], ""), successor_code="",
                          closed_year=closed_year_of(r[COL_CLOSE]), website="", _ods_name=r[COL_NAME])
    return trusts, rows


def _ccg_rows(eccg: pd.DataFrame,
              icb_names: dict[str, str]) -> tuple[pd.DataFrame, dict[str, dict[str, object]]]:
    """CCGs (and CCG codes that are now sub-ICB locations): the frame, for placing ICBs, and their rows."""
    ccgs = eccg[~eccg[COL_NAME].str.contains(_NOT_CCG) & eccg[COL_REGION].isin(REGIONS)
                & eccg[COL_CLOSE].map(_existed_since_first_year)]
    rows: dict[str, dict[str, object]] = {}
    for _, r in ccgs.iterrows():
        code = r[COL_CODE]
        closed = closed_year_of(r[COL_CLOSE])
        became_location = closed is None and bool(_SUB_ICB_LOCATION.search(r[COL_NAME]))
        if closed is None and not became_location:
            continue  # an open row that is neither a CCG nor a former CCG
        rows[code] = dict(org_code=code, org_name=display_name(r[COL_NAME]), org_type="ccg",
                          region_code=r[COL_REGION], system_code=r[COL_ICB],
                          system_name=icb_names.get(r[COL_ICB], ""),
                          successor_code=r[COL_ICB] if became_location and r[COL_ICB] in icb_names else "",
                          closed_year=CCG_END_YEAR if became_location else closed, website="",
                          _ods_name=r[COL_NAME])
    return ccgs, rows


def _icb_rows(icb_names: dict[str, str], trusts: pd.DataFrame,
              ccgs: pd.DataFrame) -> dict[str, dict[str, object]]:
    """ICBs: region from member trusts, else member CCGs; one that cannot be placed is left out."""
    rows: dict[str, dict[str, object]] = {}
    for code, name in sorted(icb_names.items()):
        region = _mode(list(trusts.loc[trusts[COL_ICB] == code, COL_REGION])) or \
            _mode(list(ccgs.loc[ccgs[COL_ICB] == code, COL_REGION]))
        if region is None:
            continue  # cannot place it in a region: the schema requires one
        rows[code] = dict(org_code=code, org_name=name, org_type="icb", region_code=region, system_code=code,
                          system_name=name, successor_code="", closed_year=None, website="", _ods_name=name.upper())
    return rows


def _add_successions(rows: dict[str, dict[str, object]], succ: pd.DataFrame) -> None:
    """Fill successor codes from succ.csv, and a close year for a succeeded organisation without one."""
    registered = set(rows)
    for pred, nxt in _successors(succ, registered).items():
        if not rows[pred]["successor_code"]:
            rows[pred]["successor_code"] = nxt
    # No close date, but succ.csv says it was succeeded (the ICBs merged on 1 April 2026):
    # it closed the day before the earliest effective date.
    first_handover = succ[succ[0] != succ[1]].groupby(0)[3].min()
    for code in sorted(registered & set(first_handover.index)):
        if rows[code]["closed_year"] is None:
            day_before = pd.Timestamp(first_handover[code]) - pd.Timedelta(days=1)
            rows[code]["closed_year"] = closed_year_of(day_before.strftime("%Y%m%d"))


def _settle_types(rows: dict[str, dict[str, object]], succ: pd.DataFrame, xlsx_types: dict[str, str]) -> None:
    """Trust types the workbook and the name leave open: the majority type of related trusts."""
    related: dict[str, list[str]] = {}
    links = succ[[0, 1]].itertuples(index=False, name=None)
    for a, b in links:
        if a in rows and b in rows:
            related.setdefault(a, []).append(b)
            related.setdefault(b, []).append(a)
    for code in sorted(rows):
        row = rows[code]
        if row["org_type"] == "":
            kinds = [xlsx_types[c] for c in related.get(code, []) if c in xlsx_types]
            row["org_type"] = _mode(kinds) or "acute"
        if row["org_type"] == "acute" and _SPECIALIST.search(str(row["_ods_name"])):
            row["org_type"] = "acute_specialist"


def build_register(ods_dir: Path) -> pd.DataFrame:
    """The register as a frame of text cells, sorted by org_code, REGISTER_COLUMNS in order."""
    ods_dir = Path(ods_dir)
    etr = _read_ods(ods_dir / "etr.csv")
    eccg = _read_ods(ods_dir / "eccg.csv")
    succ = _read_ods(ods_dir / "succ.csv")
    icb_file = pd.read_csv(ods_dir / "icb_names_codes_dec_2024.csv", dtype=str, keep_default_na=False)
    icb_names = {c.strip(): n.strip() for c, n in zip(icb_file["ICB24CDH"], icb_file["ICB24NM"])}
    xlsx_types = _trust_types(ods_dir)

    trusts, rows = _trust_rows(etr, icb_names, xlsx_types)
    ccgs, ccg_rows = _ccg_rows(eccg, icb_names)
    rows.update(ccg_rows)
    rows.update(_icb_rows(icb_names, trusts, ccgs))
    _add_successions(rows, succ)
    _settle_types(rows, succ, xlsx_types)

    frame = pd.DataFrame([rows[c] for c in sorted(rows)])
    frame["closed_year"] = frame["closed_year"].map(lambda y: "" if y is None or pd.isna(y) else str(int(y)))
    return frame.loc[:, list(REGISTER_COLUMNS)].fillna("")


def import_ods(ods_dir: Path, out_path: Path) -> int:
    """Write organisations.csv built from the ODS files in `ods_dir`; return the number of organisations."""
    frame = build_register(Path(ods_dir))
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with open(out_path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(REGISTER_COLUMNS)
        writer.writerows(frame.itertuples(index=False, name=None))
    return len(frame)
