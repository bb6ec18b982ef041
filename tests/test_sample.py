"""`wres sample`: deterministic, complete, rule-abiding, realistic and fictional.

The bundled data/ folder is what every other test and the demo site use, so
these tests check it directly (it must be exactly what the generator writes)
as well as freshly generated folders.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from frictionless import Resource, Schema

from generator.model import spec
from generator.tools.sample import build_sample, write_sample
from generator.tools.sample_plan import DEMO_MERGERS, DEMO_QUIRKS, YEARS

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
ODS = ROOT.parent / "shared" / "data" / "ods"
REAL_FILES = ("etr.csv", "eccg.csv", "icb_names_codes_dec_2024.csv", "succ.csv")
SENIOR = list(spec.SENIOR_BANDS)


# ----------------------------------------------------------------------------- helpers

def tree_digest(root: Path) -> dict[str, str]:
    """sha256 of every CSV under root, by relative path."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*.csv"))}


def load(root: Path, resource: str) -> pd.DataFrame:
    """All years of one resource stacked, every cell as text (so "*" and "" stay visible)."""
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False).assign(year=int(p.parent.name))
              for p in sorted(root.glob(f"*/{resource}.csv"))]
    return pd.concat(frames, ignore_index=True)


def num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.replace({"": None, "*": None}), errors="raise")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    n = write_sample(out, "demo", 2018)
    assert n == 198
    return out


@pytest.fixture(scope="module")
def national() -> dict[str, pd.DataFrame]:
    return build_sample("national", 7)


@pytest.fixture(scope="module")
def real_ods() -> dict[str, set[str]]:
    """Every cell of the real ODS files (codes) and every real organisation name, upper case."""
    if not ODS.is_dir():
        pytest.skip(f"needs the real NHS ODS files in {ODS} (the project's ../shared folder, absent here)")
    cells: set[str] = set()
    names: set[str] = set()
    for f in REAL_FILES:
        header = 0 if f.startswith("icb_") else None
        d = pd.read_csv(ODS / f, header=header, dtype=str, keep_default_na=False)
        for col in d.columns:
            cells |= set(d[col].str.strip().str.upper())
        if f in ("etr.csv", "eccg.csv"):
            names |= set(d[1].str.upper())
        elif header == 0:
            names |= set(d["ICB24NM"].str.upper())
    return {"cells": cells - {""}, "names": names}


# ----------------------------------------------------------------------------- determinism

def test_same_seed_gives_the_same_bytes(demo, tmp_path):
    write_sample(tmp_path, "demo", 2018)
    assert tree_digest(tmp_path) == tree_digest(demo)


def test_another_seed_gives_other_figures(demo, tmp_path):
    write_sample(tmp_path, "demo", 2019)
    a, b = tree_digest(tmp_path), tree_digest(demo)
    assert a.keys() == b.keys()
    assert a["2024/workforce.csv"] != b["2024/workforce.csv"]
    # The register is hand-written for the demo: the seed changes figures, not organisations.
    assert a["organisations.csv"] == b["organisations.csv"]


def test_bundled_data_is_exactly_what_the_generator_writes(demo):
    assert tree_digest(DATA) == tree_digest(demo), "regenerate with: wres sample --out data --seed 2018"


def test_cli_writes_the_same_folder(demo, tmp_path):
    out = tmp_path / "cli"
    done = subprocess.run([sys.executable, "-m", "generator", "sample", "--out", str(out), "--seed", "2018"],
                          capture_output=True, text=True, check=True)
    assert "198 returns" in done.stdout
    assert tree_digest(out) == tree_digest(demo)


def test_regenerating_keeps_other_files_and_removes_stale_ones(tmp_path):
    (tmp_path / "README.md").write_text("kept")
    stale = tmp_path / "2020" / "staff_survey.csv"
    stale.parent.mkdir(parents=True)
    stale.write_text("org_code\n")
    write_sample(tmp_path, "demo", 2018)
    assert (tmp_path / "README.md").read_text() == "kept"
    assert not stale.exists()


# ----------------------------------------------------------------------------- layout and schemas

def test_layout_and_collections(demo):
    assert sorted(p.name for p in demo.iterdir() if p.is_dir()) == [str(y) for y in YEARS]
    required = set(spec.YEAR_RESOURCES) - {"pay"}
    for y in YEARS:
        present = {p.stem for p in (demo / str(y)).glob("*.csv")}
        expected = required - ({"staff_survey"} if y == 2020 else set())
        assert expected <= present, y
        assert present - expected <= {"pay"}, y
    assert {p.parent.name for p in demo.glob("*/pay.csv")} == {"2022", "2023", "2024"}
    col = pd.read_csv(demo / "collections.csv", dtype=str, keep_default_na=False)
    assert list(col["year"]) == [str(y) for y in YEARS]
    row2020 = col[col["year"] == "2020"].iloc[0]
    assert spec.parse_indicator_list(row2020["indicators"]) == (1, 2, 3, 4, 9)
    assert "staff-survey" in row2020["note"] and "2020" in row2020["note"]
    assert all(spec.parse_indicator_list(v) == spec.INDICATORS for v in col.loc[col["year"] != "2020", "indicators"])
    assert list(col["snapshot_date"]) == [f"{y}-03-31" for y in YEARS]


def _schema_errors(path: Path, schema_name: str) -> list[str]:
    schema = Schema.from_descriptor(json.loads((spec.SCHEMA_DIR / f"{schema_name}.schema.json").read_text()))
    report = Resource(path=path.name, basepath=str(path.parent), schema=schema).validate()
    return [e.message for t in report.tasks for e in t.errors][:5]


def test_every_file_passes_its_schema(demo):
    assert _schema_errors(demo / "organisations.csv", "organisations") == []
    assert _schema_errors(demo / "collections.csv", "collections") == []
    for path in sorted(demo.glob("*/*.csv")):
        assert _schema_errors(path, path.stem) == [], path


def test_headers_are_the_specs(demo):
    for path in sorted(demo.glob("*/*.csv")):
        header = path.read_text().split("\n", 1)[0].split(",")
        schema = json.loads((spec.SCHEMA_DIR / f"{path.stem}.schema.json").read_text())
        assert header == [f["name"] for f in schema["fields"]], path


def test_keys_are_unique_and_complete(demo):
    wf = load(demo, "workforce")
    assert not wf.duplicated(["year", "org_code", "staff_group", "band", "ethnicity"]).any()
    per_return = wf.groupby(["year", "org_code"]).size()
    expected = (2 * len(spec.AFC_BANDS) + len(spec.MEDICAL_BANDS)) * 3
    assert (per_return == expected).all()
    # Medical bands only for medical_dental, AfC bands only for the others.
    for group, bands in spec.BANDS_BY_GROUP.items():
        assert set(wf.loc[wf["staff_group"] == group, "band"]) == set(bands)
    for resource in ("recruitment", "disciplinary", "training", "board"):
        f = load(demo, resource)
        assert not f.duplicated(["year", "org_code", "ethnicity"]).any()
        assert (f.groupby(["year", "org_code"]).size() == 3).all(), resource


# ----------------------------------------------------------------------------- the rules

def _check_rules(get) -> None:
    r = get("recruitment")
    s, a = num(r["shortlisted"]), num(r["appointed"])
    assert ((a <= s) | a.isna() | s.isna()).all()
    b = get("board")
    m, v, e = num(b["members"]), num(b["voting_members"]), num(b["executive_members"])
    assert (v <= m).all() and (e <= m).all()
    wf = get("workforce")
    heads = wf.assign(h=num(wf["headcount"])).groupby(["year", "org_code", "ethnicity"])["h"].sum()
    t = get("training").set_index(["year", "org_code", "ethnicity"])
    joined = t.join(heads.rename("h"))
    assert (num(joined["accessed_training"]) <= joined["h"]).all(), "training above the visible headcount"
    for resource, cols in spec.COUNT_FIELDS.items():
        if resource == "returns":
            continue
        f = get(resource)
        for c in cols:
            vals = f[c][~f[c].isin(["", "*"])]
            assert vals.str.fullmatch(r"\d+").all(), (resource, c)
    ss = get("staff_survey")
    p = num(ss["percent"])
    assert p.between(0, 100).all()
    assert set(ss["ethnicity"]) == {"white", "bme"}
    assert ss["percent"].str.fullmatch(r"\d+\.\d").all(), "percent has one fixed decimal"


def test_demo_counts_obey_the_rules(demo):
    _check_rules(lambda r: load(demo, r))


def test_national_counts_obey_the_rules(national):
    _check_rules(lambda r: national[r])


def test_only_the_intended_plausibility_warnings(demo):
    """Mirror of the validator's thresholds (settings.py): warnings exactly where data/README.md says."""
    r = load(demo, "recruitment")
    s, a = num(r["shortlisted"]), num(r["appointed"])
    close = r[(s > 0) & (a >= 0.90 * s)]
    assert set(zip(close["org_code"], close["year"])) == set(DEMO_QUIRKS.appointed_warning)
    wf = load(demo, "workforce")
    heads = wf.assign(h=num(wf["headcount"])).groupby(["year", "org_code", "ethnicity"])["h"].sum()
    t = load(demo, "training").set_index(["year", "org_code", "ethnicity"]).join(heads.rename("h"))
    high = t[num(t["accessed_training"]) > 0.95 * t["h"]].reset_index()
    assert set(zip(high["org_code"], high["year"])) == set(DEMO_QUIRKS.training_warning)
    # Headcount change over 30% only where the register records a merger.
    totals = heads.groupby(["org_code", "year"]).sum().unstack("year")
    change = totals.pct_change(axis=1, fill_method=None).abs().max(axis=1)
    merged = set(DEMO_MERGERS) | {s for s, _ in DEMO_MERGERS.values()}
    assert set(change[change > 0.30].index) <= merged
    assert change["XT20"] > 0.6


# ----------------------------------------------------------------------------- the register

def test_register_is_consistent(demo):
    reg = pd.read_csv(demo / "organisations.csv", dtype=str, keep_default_na=False)
    codes = set(reg["org_code"])
    assert list(reg["org_code"]) == sorted(reg["org_code"])
    assert set(reg["region_code"]) == set(spec.REGIONS)
    assert set(reg["org_type"]) >= {"acute", "acute_specialist", "mental_health", "community", "ambulance", "icb",
                                    "ccg", "national_body"}
    assert 30 <= len(reg) <= 40
    assert set(reg["successor_code"]) - {""} <= codes
    assert reg["website"].str.fullmatch(r"https://[a-z0-9-]+\.example\.org/").all()
    returns = load(demo, "returns")
    assert set(returns["org_code"]) <= codes
    for resource in spec.YEAR_RESOURCES[1:]:
        assert set(load(demo, resource)["org_code"]) <= set(returns["org_code"])
    # No return after an organisation closed; systems name themselves consistently.
    closed = reg[reg["closed_year"] != ""].set_index("org_code")["closed_year"].astype(int)
    last = returns.groupby("org_code")["year"].max()
    for code, year in closed.items():
        assert last[code] == year
    named = reg[reg["system_code"] != ""].groupby("system_code")["system_name"].nunique()
    assert (named == 1).all()


def test_every_code_in_the_readme_is_in_the_register():
    reg = pd.read_csv(DATA / "organisations.csv", dtype=str, keep_default_na=False)
    readme = (DATA / "README.md").read_text()
    assert "fictional" in readme and "wres sample --out data --seed 2018" in readme
    mentioned = set(re.findall(r"`?\b(X[TQCN]\d{1,2})\b", readme))
    assert mentioned and mentioned <= set(reg["org_code"]) | set(reg["system_code"])


# ----------------------------------------------------------------------------- fictional, never real

#: Words real NHS names share with ours that name no place.
GENERIC = {"NHS", "TRUST", "FOUNDATION", "HOSPITAL", "HOSPITALS", "UNIVERSITY", "TEACHING", "GENERAL", "ROYAL",
           "HEALTH", "HEALTHCARE", "CARE", "MENTAL", "COMMUNITY", "SERVICE", "SERVICES", "AMBULANCE",
           "PARTNERSHIP", "INTEGRATED", "BOARD", "SYSTEM", "CLINICAL", "COMMISSIONING", "GROUP", "AND", "THE",
           "OF", "CENTRE", "HEART", "CHILDREN'S", "NORTH", "SOUTH", "EAST", "WEST", "NORTHERN", "CENTRAL",
           "VALLEY", "UPPER", "LOWER", "SPECIALIST"}


def _assert_fictional(reg: pd.DataFrame, real: dict[str, set[str]]) -> None:
    ours = (set(reg["org_code"]) | set(reg["system_code"]) | set(reg["successor_code"])) - {""}
    assert not ours & real["cells"], sorted(ours & real["cells"])
    names = set(reg["org_name"].str.upper()) | set(reg["system_name"].str.upper()) - {""}
    assert not names & real["names"]
    real_words = {w for n in real["names"] for w in re.findall(r"[A-Z']+", n)}
    our_words = {w for n in names for w in re.findall(r"[A-Z']+", n)}
    assert our_words & real_words <= GENERIC, sorted((our_words & real_words) - GENERIC)


def test_demo_organisations_are_fictional(demo, real_ods):
    assert len(real_ods["names"]) > 500 and "RAL" in real_ods["cells"]  # the real files were read
    _assert_fictional(pd.read_csv(demo / "organisations.csv", dtype=str, keep_default_na=False), real_ods)


def test_national_organisations_are_fictional(national, real_ods):
    _assert_fictional(national["organisations"], real_ods)


def test_the_check_would_catch_a_real_organisation(real_ods):
    reg = pd.DataFrame([{"org_code": "RAL", "org_name": "Royal Free London NHS Foundation Trust",
                         "system_code": "", "system_name": "", "successor_code": ""}])
    with pytest.raises(AssertionError):
        _assert_fictional(reg, real_ods)


# ----------------------------------------------------------------------------- realism

def _shares(get, reg: pd.DataFrame, year: int) -> tuple[pd.Series, float, float]:
    wf = get("workforce")
    wf = wf[wf["year"] == year].assign(h=num(wf["headcount"]))
    wf = wf.merge(reg[["org_code", "region_code"]], on="org_code")
    by = wf.pivot_table(index="region_code", columns="ethnicity", values="h", aggfunc="sum")
    region = by["bme"] / by.sum(axis=1)
    tot = wf.groupby("ethnicity")["h"].sum()
    sen = wf[wf["band"].isin(SENIOR)].groupby("ethnicity")["h"].sum()
    return region, tot["bme"] / tot.sum(), sen["bme"] / sen.sum()


def test_demo_magnitudes_look_real(demo):
    reg = pd.read_csv(demo / "organisations.csv", dtype=str, keep_default_na=False)
    region, whole, senior = _shares(lambda r: load(demo, r), reg, 2024)
    assert region["Y56"] > 0.33 and region["Y63"] < 0.12
    assert region.idxmax() == "Y56" and region.idxmin() == "Y63"
    assert 0.15 < whole < 0.30 and senior < whole - 0.04
    wf = load(demo, "workforce").assign(h=lambda f: num(f["headcount"]))
    size = wf[wf["year"] == 2019].groupby("org_code")["h"].sum()
    acute = reg.loc[reg["org_type"] == "acute", "org_code"]
    assert size[size.index.isin(acute)].between(2800, 12500).all()
    assert size.min() < 120  # the small organisation
    unknown = wf[wf["ethnicity"] == "unknown"].groupby("org_code")["h"].sum() / wf.groupby("org_code")["h"].sum()
    assert unknown.max() > 0.25 and unknown.drop("XT15").between(0.03, 0.17).all()
    b = load(demo, "board")
    members = b.assign(m=num(b["members"])).groupby(["org_code", "year"])["m"].sum()
    assert members.between(10, 16).all()


def _likelihoods(get) -> tuple[pd.Series, pd.Series, pd.Series]:
    wf = get("workforce")
    heads = wf.assign(h=num(wf["headcount"])).pivot_table(index=["org_code", "year"], columns="ethnicity",
                                                         values="h", aggfunc="sum")
    r = get("recruitment")
    r = r.assign(s=num(r["shortlisted"]), a=num(r["appointed"])).pivot_table(
        index=["org_code", "year"], columns="ethnicity", values=["s", "a"])
    rl2 = (r["a"]["white"] / r["s"]["white"]) / (r["a"]["bme"] / r["s"]["bme"])
    d = get("disciplinary")
    d = d.assign(e=num(d["entered_formal_process"])).pivot_table(index=["org_code", "year"], columns="ethnicity",
                                                                 values="e")
    rl3 = (d["bme"] / heads["bme"]) / (d["white"] / heads["white"])
    t = get("training")
    t = t.assign(e=num(t["accessed_training"])).pivot_table(index=["org_code", "year"], columns="ethnicity",
                                                            values="e")
    rl4 = (t["white"] / heads["white"]) / (t["bme"] / heads["bme"])
    big = heads.sum(axis=1) > 1000
    return rl2[big], rl3[big], rl4[big]


def test_national_likelihoods_look_real(national):
    rl2, rl3, rl4 = _likelihoods(lambda r: national[r])
    assert rl2.median() >= 1.2 and rl2.median() <= 1.8 and rl2.quantile(0.9) < 2.3
    assert rl3.median() >= 1.0 and rl3.median() <= 2.0
    assert 0.9 <= rl4.median() <= 1.1
    ss = national["staff_survey"].assign(p=lambda f: num(f["percent"]))
    means = ss.groupby(["indicator", "ethnicity"])["p"].mean()
    for ind in (5, 6, 8):
        assert means[(ind, "bme")] > means[(ind, "white")]
    assert means[(7, "bme")] < means[(7, "white")]
    assert 20 < means[(6, "white")] < 32


def test_national_scale_matches_the_board_paper_shape(national):
    """England: BME about 1 in 6 of the workforce, bands 8a-VSM markedly less diverse (board paper 2018)."""
    reg = national["organisations"]
    _, whole, senior = _shares(lambda r: national[r], reg, 2019)
    assert 0.13 < whole < 0.25
    assert 0.04 < whole - senior < 0.12


# ----------------------------------------------------------------------------- the messiness

def test_merger_stops_predecessors_and_grows_successor(demo):
    reg = pd.read_csv(demo / "organisations.csv", dtype=str, keep_default_na=False).set_index("org_code")
    assert reg.loc["XT21", "successor_code"] == "XT20" and reg.loc["XT21", "closed_year"] == "2021"
    assert reg.loc["XT22", "successor_code"] == "XT20" and reg.loc["XT22", "closed_year"] == "2021"
    wf = load(demo, "workforce").assign(h=lambda f: num(f["headcount"]))
    tot = wf.groupby(["org_code", "year"])["h"].sum()
    assert 2022 not in tot["XT21"].index and 2022 not in tot["XT22"].index
    assert tot["XT20"][2022] > 1.7 * tot["XT20"][2021]
    assert abs(tot["XT20"][2022] - (tot["XT20"][2021] + tot["XT21"][2021] + tot["XT22"][2021])) \
        < 0.1 * tot["XT20"][2022]


def test_late_returns_and_missing_links(demo):
    ret = load(demo, "returns")
    dates = pd.to_datetime(ret["submitted_on"])
    deadline = pd.to_datetime(ret["year"].astype(str) + "-08-31")
    late = ret[dates > deadline]
    assert set(zip(late["org_code"], late["year"])) == set(DEMO_QUIRKS.late)
    assert (dates > pd.to_datetime(ret["year"].astype(str) + "-03-31")).all()
    assert (ret.loc[ret["org_code"].isin(["XT08", "XT30"]), ["report_url", "action_plan_url"]] == "").all().all()
    some = ret[(ret["report_url"] == "") | (ret["action_plan_url"] == "")]
    assert 0.1 < len(some) / len(ret) < 0.4
    links = pd.concat([ret["report_url"], ret["action_plan_url"]])
    assert links[links != ""].str.match(r"https://[a-z0-9-]+\.example\.org/").all()


def test_small_organisation_suppresses_and_leaves_cells_empty(demo):
    wf = load(demo, "workforce")
    starred = wf[wf["headcount"] == "*"]
    assert len(starred) > 0 and set(starred["org_code"]) == {"XT30"}
    assert set(load(demo, "disciplinary").query("entered_formal_process == '*'")["org_code"]) <= {"XT30"}
    rec = load(demo, "recruitment")
    empty = rec[(rec["shortlisted"] == "") & (rec["appointed"] == "")]
    assert set(empty["org_code"]) == {"XT30"} and set(empty["ethnicity"]) == {"unknown"}
    ss = load(demo, "staff_survey")
    no_resp = set(ss.loc[ss["respondents"] == "", "org_code"])
    assert no_resp == {"XQ1", "XQ5", "XQ7", "XC1", "XC2", "XC5", "XN1"}


def test_no_staff_survey_in_2020_and_icbs_from_2023(demo):
    ss = load(demo, "staff_survey")
    assert 2020 not in set(ss["year"])
    ret = load(demo, "returns")
    first = ret.groupby("org_code")["year"].min()
    assert (first[["XQ1", "XQ5", "XQ7"]] == 2023).all()


# ----------------------------------------------------------------------------- scales

def test_national_scale_size(national):
    reg = national["organisations"]
    counts = reg["org_type"].value_counts()
    trusts = counts.drop(["icb"]).sum()
    assert trusts == 220 and counts["icb"] == 42
    assert set(reg["region_code"]) == set(spec.REGIONS)
    assert reg["org_name"].is_unique and reg["org_code"].is_unique
    # Every trust's system is one of the boards, in the same region.
    icb_region = reg[reg["org_type"] == "icb"].set_index("org_code")["region_code"]
    trust = reg[reg["org_type"] != "icb"]
    assert (trust["system_code"].map(icb_region) == trust["region_code"]).all()
    assert (reg["successor_code"] != "").sum() == 2
    assert set(national["returns"]["year"]) == set(YEARS)


@pytest.mark.slow
def test_national_x5_is_five_times(tmp_path):
    """How long it takes is measured in benchmarks/steps.py, not asserted here."""
    n = write_sample(tmp_path, "national-x5", 2018)
    reg = pd.read_csv(tmp_path / "organisations.csv", dtype=str, keep_default_na=False)
    assert (reg["org_type"] == "icb").sum() == 210 and (reg["org_type"] != "icb").sum() == 1100
    assert n > 6000


def test_unknown_scale_is_refused(tmp_path):
    with pytest.raises(ValueError, match="scale"):
        write_sample(tmp_path, "galactic", 1)
    assert not any(tmp_path.iterdir())


def test_national_generation_shapes():
    tables = build_sample("national", 1)
    assert len(tables["workforce"]) == len(tables["returns"]) * 96
    assert np.isin(tables["workforce"]["ethnicity"].unique(), spec.ETHNICITIES).all()


def test_bundled_data_passes_the_validator_with_only_the_intended_warnings():
    from generator.ingest.validate import validate_path

    result = validate_path(DATA)
    assert [p for p in result.problems if p.is_error] == []
    per_return = {(p.code, p.org_code, p.year) for p in result.problems if p.org_code}
    assert per_return == {("training-share-high", "XT10", 2022), ("appointed-close-to-shortlisted", "XT13", 2024)}
    assert (result.returns["status"] != "left_out").all() and len(result.returns) == 198
