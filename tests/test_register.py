"""`wres register import-ods`: organisations.csv from the real NHS ODS files in ../shared/data/ods."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from frictionless import Resource, Schema

from generator.model import spec
from generator.tools.register import (
    REGISTER_COLUMNS,
    _successors,
    closed_year_of,
    default_ods_dir,
    display_name,
    import_ods,
)

ODS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ods"
pytestmark = pytest.mark.skipif(
    not ODS.is_dir(), reason=f"needs the real NHS ODS files in {ODS} (the project's ../shared folder, absent here)")
MERGED_2026_ICBS = {"Z9B2Z", "S1Y5D", "D7T5G", "T6Y0W", "S9B9J", "S0E4D"}


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("register") / "organisations.csv"
    n = import_ods(ODS, path)
    assert n == 533
    return path


@pytest.fixture(scope="module")
def reg(out) -> pd.DataFrame:
    return pd.read_csv(out, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def by_code(reg) -> pd.DataFrame:
    return reg.set_index("org_code")


def test_default_ods_dir_is_the_shared_folder():
    assert default_ods_dir() == ODS
    assert (default_ods_dir() / "etr.csv").is_file()


def test_passes_the_register_schema(out):
    schema = Schema.from_descriptor(json.loads((spec.SCHEMA_DIR / "organisations.schema.json").read_text()))
    report = Resource(path=out.name, basepath=str(out.parent), schema=schema).validate()
    assert report.valid, [e.message for t in report.tasks for e in t.errors][:5]


def test_plain_sorted_and_deterministic(out, tmp_path):
    again = tmp_path / "again.csv"
    import_ods(ODS, again)
    assert again.read_bytes() == out.read_bytes()
    text = out.read_text(encoding="utf-8")
    assert "\r" not in text
    assert text.split("\n", 1)[0] == ",".join(REGISTER_COLUMNS)
    reg = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(reg["org_code"]) == sorted(reg["org_code"]) and reg["org_code"].is_unique


def test_counts_of_trusts_ccgs_and_icbs(reg):
    counts = reg["org_type"].value_counts()
    # 274 trusts in etr.csv, less the 3 Welsh ones and 28 closed before the first WRES snapshot (2015).
    assert counts.drop(["ccg", "icb"]).sum() == 243
    # 202 open in etr.csv, less the 3 Welsh ones.
    trusts = reg[~reg["org_type"].isin(["ccg", "icb"])]
    assert (trusts["closed_year"] == "").sum() == 199
    # 320 eccg.csv rows, less 35 NHS England commissioning hubs and 37 sub-ICB reporting entities (2024).
    assert counts["ccg"] == 248
    assert counts["icb"] == 42
    assert counts["ambulance"] == 10


def test_region_codes_are_the_seven_regions(reg):
    assert set(reg["region_code"]) == set(spec.REGIONS)
    assert "RQF" not in set(reg["org_code"])  # Velindre: Welsh, no NHS England region


def test_rap_is_succeeded_by_ral(by_code):
    # README: RAP -> RAL on 2025-01-01, so RAP existed at the 31 March 2024 snapshot and no later one.
    assert by_code.loc["RAP", "successor_code"] == "RAL"
    assert by_code.loc["RAP", "closed_year"] == "2024"
    assert by_code.loc["RAL", "closed_year"] == ""


def test_successors_are_registered_and_chains_end(reg, by_code):
    succ = reg[reg["successor_code"] != ""]
    assert set(succ["successor_code"]) <= set(reg["org_code"])
    assert (succ["successor_code"] != succ["org_code"]).all()
    nxt = dict(zip(succ["org_code"], succ["successor_code"]))
    for start in nxt:
        seen, code = set(), start
        while code in nxt:
            assert code not in seen, f"successor loop from {start}"
            seen.add(code)
            code = nxt[code]
    # Two successors on the same day (Pennine Acute split): the first by code.
    assert by_code.loc["RW6", "successor_code"] == "R0A" and by_code.loc["RW6", "closed_year"] == "2021"
    assert by_code.loc["RRP", "successor_code"] == "G6V2S"
    # Frimley ICB split in April 2026; only Hampshire and Isle of Wight (QRL) is in the register.
    assert by_code.loc["QNQ", "successor_code"] == "QRL" and by_code.loc["QNQ", "closed_year"] == "2026"


def test_successor_rules_on_a_small_table():
    succ = pd.DataFrame([
        ("A", "B", "", "20180401", "0"), ("B", "C", "", "20200401", "0"),     # chain through unregistered B
        ("D", "E", "", "20190401", "0"), ("D", "F", "", "20210401", "0"),     # latest wins
        ("G", "H", "", "20190401", "0"), ("H", "G2", "", "20190401", "0"), ("G2", "H", "", "20200401", "0"),
        ("K", "K", "", "20190401", "0"),                                     # self-reference ignored
    ])
    got = _successors(succ, registered={"A", "C", "D", "E", "F", "G", "K"})
    assert got == {"A": "C", "D": "F"}


def test_closed_year_rule():
    assert closed_year_of("20200331") == 2020
    assert closed_year_of("20190930") == 2019
    assert closed_year_of("20200326") == 2019
    assert closed_year_of("20240401") == 2024
    assert closed_year_of("") is None and closed_year_of("2020") is None


def test_closed_years_from_the_files(reg, by_code):
    years = pd.to_numeric(reg["closed_year"].replace("", None)).dropna()
    assert years.min() >= spec.FIRST_YEAR and years.max() <= 2026
    assert by_code.loc["00C", "closed_year"] == "2020"  # NHS Darlington CCG closed 2020-03-31
    assert by_code.loc["00C", "successor_code"] == "16C"
    # A CCG code that became a sub-ICB location: the CCG ended 30 June 2022, its ICB took over.
    assert by_code.loc["02T", "org_type"] == "ccg"
    assert by_code.loc["02T", "closed_year"] == "2022" and by_code.loc["02T", "successor_code"] == "QWO"
    for left_out in ("13Q", "27T", "A4R1E"):  # commissioning hubs, a 2024 sub-ICB reporting entity
        assert left_out not in by_code.index


def test_a_trusts_system_is_its_icb(reg, by_code):
    assert by_code.loc["R0A", "system_code"] == "QOP"
    assert by_code.loc["R0A", "system_name"] == by_code.loc["QOP", "org_name"] == \
        "NHS Greater Manchester Integrated Care Board"
    icbs = reg[reg["org_type"] == "icb"].set_index("org_code")
    members = reg[(reg["org_type"] != "icb") & reg["system_code"].isin(icbs.index)]
    assert len(members) > 400
    assert (members["system_name"] == members["system_code"].map(icbs["org_name"])).all()
    assert (members["region_code"] == members["system_code"].map(icbs["region_code"])).all()
    assert (icbs["system_code"] == icbs.index).all()


def test_icb_regions(by_code):
    assert by_code.loc["QOP", "region_code"] == "Y62"
    assert by_code.loc["QWO", "region_code"] == "Y63"
    # Every North Central London trust now points at the merged Z9B2Z: region from its CCGs.
    assert by_code.loc["QMJ", "region_code"] == "Y56"


def test_merged_2026_icb_codes_keep_the_code_without_a_name(reg, by_code):
    merged = reg[reg["system_code"].isin(MERGED_2026_ICBS)]
    assert len(merged) > 20 and (merged["system_name"] == "").all()
    assert by_code.loc["RAP", "system_code"] == "Z9B2Z"
    assert not MERGED_2026_ICBS & set(reg["org_code"])
    named = reg[(reg["system_code"] != "") & ~reg["system_code"].isin(MERGED_2026_ICBS)]
    assert (named["system_name"] != "").all()


def test_trust_types(by_code):
    assert by_code.loc["RX9", "org_type"] == "ambulance"
    assert by_code.loc["RJ8", "org_type"] == "mental_health"  # "Mental Health " with a trailing space
    assert by_code.loc["RLY", "org_type"] == "mental_health"
    assert by_code.loc["RVN", "org_type"] == "mental_health"  # Mental Health and Community (Combined)
    assert by_code.loc["RY2", "org_type"] == "community"
    assert by_code.loc["R0A", "org_type"] == "acute"
    assert by_code.loc["RBS", "org_type"] == "acute_specialist"  # Alder Hey Children's
    assert by_code.loc["RR1", "org_type"] == "acute"  # Heart of England: not a heart hospital
    # Not in the workbook: from its predecessors (two mental health trusts), from its name.
    assert by_code.loc["G6V2S", "org_type"] == "mental_health"
    assert by_code.loc["RYK", "org_type"] == "community"


def test_names_are_display_case_plain_text(reg, by_code):
    names = reg["org_name"]
    assert not names.str.match(r"^[=+\-@\s]").any()
    assert not names.str.contains(r"[<>]").any()
    assert (names != names.str.upper()).all()
    assert by_code.loc["RJ1", "org_name"] == "Guy's and St Thomas' NHS Foundation Trust"
    assert by_code.loc["00C", "org_name"] == "NHS Darlington CCG"
    assert by_code.loc["02T", "org_name"] == "NHS West Yorkshire ICB - 02T"


def test_display_name_rules():
    assert display_name("THE NEWCASTLE UPON TYNE HOSPITALS NHS FOUNDATION TRUST") == \
        "The Newcastle upon Tyne Hospitals NHS Foundation Trust"
    assert display_name("STAFFORDSHIRE AND STOKE-ON-TRENT ICB") == "Staffordshire and Stoke-on-Trent ICB"
    assert display_name("THE QUEEN ELIZABETH HOSPITAL, KING'S LYNN, NHS FOUNDATION TRUST") == \
        "The Queen Elizabeth Hospital, King's Lynn, NHS Foundation Trust"
    assert display_name("2GETHER NHS FOUNDATION TRUST") == "2gether NHS Foundation Trust"
    assert display_name("NHS NORTH EAST LONDON ICB - A3A8R") == "NHS North East London ICB - A3A8R"


def test_cli(tmp_path):
    path = tmp_path / "orgs.csv"
    done = subprocess.run([sys.executable, "-m", "generator", "register", "import-ods", "--ods", str(ODS),
                           "--out", str(path)], capture_output=True, text=True, check=True)
    assert "533 organisations" in done.stdout
    assert path.stat().st_size > 10_000


def test_the_shipped_register_is_a_fresh_import(out):
    """registers/ods-organisations.csv, which ships with the package for `wres validate`, is exactly what
    `wres register import-ods` makes from the ODS files (rebuild it with that command when they change)."""
    from generator.ingest.registers import ODS_REGISTER
    from generator.model.resources import resource

    shipped = resource(ODS_REGISTER)
    assert shipped.read_bytes() == out.read_bytes(), f"rebuild it: wres register import-ods --out {ODS_REGISTER}"
    readme = (shipped.parent / "README.md").read_text(encoding="utf-8")
    assert "Open Government Licence v3.0" in readme and "Organisation Data Service" in readme
