"""The downloads: a data package Frictionless accepts, CSVs pandas loads with the schema's types,
a workbook that runs nothing, stable bytes, checksums that match, and the page that lists them."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from download_fixtures import (
    DANGEROUS_NAME,
    EMPTY_ROW,
    LEFT_OUT,
    SUPPRESSED_ROW,
    hand_results,
    make_dataset,
    release_for,
    with_register_name,
)
from frictionless import validate
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from generator import __version__
from generator.model import spec
from generator.model.settings import Settings
from generator.publish import workbook
from generator.publish.cellformat import Coded
from generator.publish.downloads import CHECKSUMS, LICENCE, PACKAGE, WORKBOOK, download_schema, input_schema, write_downloads

ROOT = Path(__file__).resolve().parent.parent
TABLES = (["headline-figures", "organisations", "collections"] + list(spec.YEAR_RESOURCES)
          + ["indicators", "goals", "quality"])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("downloads")
    dataset = make_dataset(tmp / "data")
    dataset = with_register_name(dataset, "XAD04", DANGEROUS_NAME)
    results = hand_results(dataset)
    release = release_for(dataset)
    docs = tmp / "docs"
    dl = write_downloads(dataset, results, docs, Settings(), release)
    return dataset, results, release, docs, dl


def _pandas_dtypes(schema: dict) -> dict:
    kinds = {"integer": "Int64", "number": "float64", "boolean": "boolean"}
    return {f["name"]: kinds.get(f["type"], "string") for f in schema["fields"] if f["type"] != "date"}


def test_frictionless_validates_the_package_with_keys_and_foreign_keys(built):
    _, _, _, docs, _ = built
    report = validate(str(docs / "downloads" / PACKAGE))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "type", "note"])[:10]
    package = json.loads((docs / "downloads" / PACKAGE).read_text())
    names = [r["name"] for r in package["resources"]]
    assert names[:len(TABLES)] == TABLES and names[-2:] == ["workbook", "database"]
    wf = next(r for r in package["resources"] if r["name"] == "workforce")
    assert wf["schema"]["primaryKey"][0] == "year"
    assert wf["schema"]["foreignKeys"][0]["reference"] == {"resource": "organisations", "fields": ["org_code"]}
    assert "*" in wf["schema"]["missingValues"]


def test_frictionless_catches_a_broken_foreign_key_so_the_check_is_real(built, tmp_path):
    _, _, _, docs, _ = built
    package = json.loads((docs / "downloads" / PACKAGE).read_text())
    for r in package["resources"]:
        r.pop("bytes", None), r.pop("hash", None)
        src = docs / "downloads" / r["path"]
        (tmp_path / r["path"]).write_bytes(src.read_bytes())
    board = (tmp_path / "board.csv").read_text().replace("XAA01", "XZZ99", 1)
    (tmp_path / "board.csv").write_text(board)
    (tmp_path / PACKAGE).write_text(json.dumps(package))
    report = validate(str(tmp_path / PACKAGE))
    assert not report.valid
    assert "foreign-key" in {e[0] for e in report.flatten(["type"])}


def test_package_metadata_names_licence_sources_and_release(built):
    _, _, release, docs, dl = built
    package = json.loads((docs / "downloads" / PACKAGE).read_text())
    assert package["version"] == release.version == __version__
    assert package["licenses"] == [LICENCE]
    assert package["licenses"][0]["name"] == "OGL-UK-3.0"
    assert package["sources"] and all(s.get("title") for s in package["sources"])
    assert package["wres"]["data_hash"] == release.data_hash
    assert package["wres"]["data_date"] == release.data_date
    by_path = {f.name: f for f in dl.files}
    for r in package["resources"]:
        data = (docs / "downloads" / r["path"]).read_bytes()
        assert r["bytes"] == len(data) == by_path[r["path"]].bytes
        assert r["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()


def test_download_schemas_are_the_input_schemas_plus_year():
    for resource in spec.YEAR_RESOURCES:
        source, published = input_schema(resource), download_schema(resource)
        assert published["fields"][0]["name"] == "year"
        assert published["fields"][1:] == source["fields"]
        assert published["primaryKey"] == ["year"] + source["primaryKey"]
    assert download_schema("organisations") == input_schema("organisations")
    assert download_schema("collections") == input_schema("collections")


def test_every_stacked_csv_loads_in_pandas_with_the_schema_types(built):
    dataset, _, _, docs, dl = built
    rows = {f.name: f.rows for f in dl.files}
    for name in TABLES:
        schema = json.loads((docs / "downloads" / f"{name}.schema.json").read_text())
        df = pd.read_csv(docs / "downloads" / f"{name}.csv", dtype=_pandas_dtypes(schema),
                         keep_default_na=False, na_values=schema.get("missingValues", [""]))
        assert list(df.columns) == [f["name"] for f in schema["fields"]], name
        assert len(df) == rows[f"{name}.csv"], name
        if name in spec.YEAR_RESOURCES:
            assert df["year"].notna().all() and set(df["year"]) <= set(dataset.years)
    wf = pd.read_csv(docs / "downloads" / "workforce.csv", dtype={"org_code": str, "headcount": "Int64"},
                     keep_default_na=False, na_values=["", "*"])
    assert len(wf) == len(dataset.tables["workforce"]) - 0  # left-out returns are not in the Dataset's tables
    assert int(wf["headcount"].sum()) == int(dataset.tables["workforce"]["headcount"].sum())


def test_only_published_returns_and_suppressed_written_back_as_star(built):
    _, _, _, docs, _ = built
    text = pd.read_csv(docs / "downloads" / "workforce.csv", dtype=str, keep_default_na=False)
    row = text[(text["year"] == "2024") & (text["org_code"] == SUPPRESSED_ROW["org_code"])
               & (text["band"] == SUPPRESSED_ROW["band"]) & (text["ethnicity"] == SUPPRESSED_ROW["ethnicity"])
               & (text["staff_group"] == SUPPRESSED_ROW["staff_group"])]
    assert list(row["headcount"]) == ["*"]
    training = pd.read_csv(docs / "downloads" / "training.csv", dtype=str, keep_default_na=False)
    empty = training[(training["year"] == "2024") & (training["org_code"] == EMPTY_ROW["org_code"])
                     & (training["ethnicity"] == EMPTY_ROW["ethnicity"])]
    assert list(empty["accessed_training"]) == [""]
    code, year = LEFT_OUT
    for resource in spec.YEAR_RESOURCES:
        df = pd.read_csv(docs / "downloads" / f"{resource}.csv", dtype=str, keep_default_na=False)
        assert not ((df["org_code"] == code) & (df["year"] == str(year))).any(), resource
        if resource != "staff_survey":  # 2023 did not collect it
            assert ((df["org_code"] == code) & (df["year"] == str(year - 1))).any(), resource


def test_indicators_csv_keeps_the_columns_and_values_of_results(built):
    _, results, _, docs, _ = built
    df = pd.read_csv(docs / "downloads" / "indicators.csv", dtype={"code": str}, keep_default_na=False,
                     na_values=[""])
    assert list(df.columns) == list(results.indicators.columns)
    pd.testing.assert_series_equal(df["value"], results.indicators["value"], check_exact=False, atol=1e-9,
                                   check_names=False)
    raw = (docs / "downloads" / "indicators.csv").read_text()
    assert "0.3333333333," in raw          # fixed decimals, no exponent, no float noise
    assert "e-" not in raw.replace("relative_likelihood", "")


def test_spreadsheet_safety_csv_and_workbook(built):
    _, _, _, docs, _ = built
    raw = (docs / "downloads" / "organisations.csv").read_text()
    assert "'=HYPERLINK" in raw
    assert "\n" + "=" not in raw and ",=" not in raw and ',"=' not in raw
    wb = openpyxl.load_workbook(docs / "downloads" / WORKBOOK)
    found = False
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), (ws.title, cell.value)
                    found |= cell.value.startswith("'=HYPERLINK")
    assert found
    with zipfile.ZipFile(docs / "downloads" / WORKBOOK) as z:
        assert not any("externalLink" in n for n in z.namelist())


def test_workbook_holds_headline_goals_and_quality_each_as_its_csv(built):
    """The workbook is what a spreadsheet is for (issue 18): the headline figures one row per organisation
    per year, goals and quality, each sheet cell for cell its CSV (numbers as numbers), every column
    explained; the long tables (indicators, the returns) stay CSV only."""
    import csv

    _, _, _, docs, dl = built
    wb = openpyxl.load_workbook(docs / "downloads" / WORKBOOK, read_only=True)
    assert wb.sheetnames == ["about", "columns", "headline-figures", "goals", "quality"]
    explained = {(r[0], r[1]): r[3] for r in wb["columns"].iter_rows(min_row=2, values_only=True)}
    rows = {f.name: f.rows for f in dl.files}
    for name in ("headline-figures", "goals", "quality"):
        schema = json.loads((docs / "downloads" / f"{name}.schema.json").read_text())
        numeric = {f["name"] for f in schema["fields"] if f["type"] in ("integer", "number")}
        with (docs / "downloads" / f"{name}.csv").open(encoding="utf-8", newline="") as f:
            text = list(csv.reader(f))
        got = list(wb[name].iter_rows(values_only=True))
        assert list(got[0]) == text[0] == [f["name"] for f in schema["fields"]]
        assert len(got) == len(text) == rows[f"{name}.csv"] + 1 > 1
        for want_row, got_row in zip(text[1:], got[1:]):
            for column, want, cell in zip(text[0], want_row, got_row):
                if want == "":
                    assert cell is None, (name, column)
                elif column in numeric and want != "*":
                    assert isinstance(cell, (int, float)) and abs(cell - float(want)) < 1e-9, (name, column, want)
                else:
                    assert cell == want, (name, column, want, cell)
        for f in schema["fields"]:
            assert explained[(name, f["name"])], (name, f["name"])


def test_same_data_gives_byte_identical_files_and_fixed_workbook_dates(built, tmp_path):
    dataset, results, release, docs, _ = built
    write_downloads(dataset, results, tmp_path / "docs", Settings(), release)
    first = {p.relative_to(docs).as_posix(): p.read_bytes() for p in docs.rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path / "docs").as_posix(): p.read_bytes()
              for p in (tmp_path / "docs").rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
    with zipfile.ZipFile(docs / "downloads" / WORKBOOK) as z:
        stamps = {i.date_time for i in z.infolist()}
        core = z.read("docProps/core.xml").decode()
    assert stamps == {workbook.ZIP_DATE}
    assert f">{workbook.CREATED:%Y-%m-%dT%H:%M:%SZ}</dcterms:created>" in core


def test_sha256sums_lists_every_download_correctly(built):
    _, _, _, docs, _ = built
    folder = docs / "downloads"
    listed = {}
    for line in (folder / CHECKSUMS).read_text().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    on_disk = {p.name for p in folder.iterdir() if p.is_file() and p.name not in (CHECKSUMS, "index.md")}
    assert set(listed) == on_disk
    for name, digest in listed.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest


def test_page_lists_size_rows_schema_licence_code_api_and_citation(built):
    _, _, release, docs, dl = built
    page = (docs / "downloads" / "index.md").read_text()
    for f in dl.files:
        if f.format == "csv":
            line = next(line for line in page.splitlines() if line.startswith(f"| [{f.name}]({f.name})"))
            assert f"{f.rows:,}" in line and f.schema.rsplit("/", 1)[-1] in line and LICENCE["title"] in line
            assert "kB" in line or "bytes" in line
            assert f'pd.read_csv(base + "{f.name}"' in page
            assert f'read_csv(paste0(base, "{f.name}")' in page
    assert "organisations.schema.json" in page and "organisation.schema.json" in page
    assert "/api/organisations.json" in page and "<CODE>.json" in page
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["version"] == release.version
    cite = next(line for line in page.splitlines() if line.startswith("> "))
    assert citation["title"] in cite and citation["authors"][0]["name"] in cite
    assert release.version in cite and release.short_hash in cite and release.data_date in cite
    assert dl.citation in cite


def test_workbook_text_reads_back_as_written():
    """Carriage returns (a CSV cell may hold one) and text that looks like an Excel escape (`_x0041_`)
    read back unchanged; so do markup characters and a formula-like text, which stays text. XlsxWriter
    writes a carriage return as the format's escape `_x000D_` (and `_x0041_` as `_x005F_x0041_`), which
    Excel and LibreOffice decode (`openpyxl.utils.escape.unescape` decodes it the same way): the shared
    strings are read here as the format defines them."""
    import io
    import xml.etree.ElementTree as ET

    from openpyxl.utils.escape import unescape

    texts = ["x\ry", "c\r\nd", "_x0041_", "a <b> & c", "=1+1", "plain"]
    sheets = [workbook.sheet("t", pd.DataFrame({"text": texts}))]
    with zipfile.ZipFile(io.BytesIO(workbook.xlsx_bytes(sheets, "t", "a", "c"))) as z:
        shared = ET.fromstring(z.read("xl/sharedStrings.xml"))
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    assert [unescape(t.text) for t in shared.iter(f"{main}t")] == ["text"] + texts


def test_text_stays_text_numbers_become_numbers_and_a_table_too_long_for_excel_is_refused():
    text = pd.DataFrame({"year": [str(2020 + i) for i in range(4)], "name": ["a", "=1+1", "", "*"]})
    import io

    wb = openpyxl.load_workbook(io.BytesIO(workbook.xlsx_bytes([workbook.sheet("t", text, ["year"])], "t", "a", "c")))
    ws = wb.worksheets[0]
    assert list(ws.iter_rows(values_only=True)) == [("year", "name"), (2020, "a"), (2021, "=1+1"), (2022, None),
                                                    (2023, "*")]
    assert ws["B3"].data_type == "s" and ws["B3"].quotePrefix
    long = workbook.Sheet("t", {"x": Coded(np.zeros(workbook.MAX_ROWS + 1, dtype=np.intp), np.array(["1"], dtype=object))})
    with pytest.raises(ValueError, match="CSV"):
        workbook.xlsx_bytes([long], "t", "a", "c")


def test_withheld_counts_are_published_as_star_and_the_package_still_validates(built, tmp_path):
    dataset, results, release, _, _ = built
    docs = tmp_path / "docs"
    threshold = 10
    write_downloads(dataset, results, docs, replace(Settings(), withhold_below=threshold), release)
    report = validate(str(docs / "downloads" / PACKAGE))
    assert report.valid, report.flatten(["resourceName", "type", "note"])[:5]
    withheld_somewhere = False
    for resource, counts in spec.COUNT_FIELDS.items():
        if not counts:
            continue
        text = pd.read_csv(docs / "downloads" / f"{resource}.csv", dtype=str, keep_default_na=False)
        source = dataset.tables[resource]
        groups = ["year"] + [k for k in spec.KEYS[resource] if k != "ethnicity"]
        for c in counts:
            shown = pd.to_numeric(text[c].where(~text[c].isin(["*", ""])), errors="coerce").dropna()
            assert (shown >= threshold).all(), (resource, c)             # nothing small is published
            stars = int((text[c] == "*").sum())
            withheld_somewhere |= stars > int(source[f"{c}_suppressed"].sum())
            hidden = text[c].isin(["*", ""]).groupby([text[g].astype(str) for g in groups]).sum()
            at_source = source[c].isna().groupby([source[g].astype(str) for g in groups]).sum()
            added = hidden - at_source.reindex(hidden.index, fill_value=0)
            assert not ((added > 0) & (hidden < 2)).any(), (resource, c)  # never one withheld cell alone
    assert withheld_somewhere


def test_the_package_from_the_real_indicator_engine_validates_and_agrees(built, tmp_path):
    from generator.compute.results import compute

    dataset, _, release, _, _ = built
    results = compute(dataset, Settings())
    docs = tmp_path / "docs"
    dl = write_downloads(dataset, results, docs, Settings(), release)
    report = validate(str(docs / "downloads" / PACKAGE))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "type", "note"])[:10]
    schema = json.loads((docs / "downloads" / "indicators.schema.json").read_text())
    engine_schema = json.loads((spec.SCHEMA_DIR / "indicators.schema.json").read_text())
    assert [f["name"] for f in schema["fields"]][:len(engine_schema["fields"])] == \
        [f["name"] for f in engine_schema["fields"]]
    df = pd.read_csv(docs / "downloads" / "indicators.csv", dtype=_pandas_dtypes(schema), keep_default_na=False,
                     na_values=[""])
    assert len(df) == len(results.indicators) == next(f.rows for f in dl.files if f.name == "indicators.csv")
    assert list(df.columns[:11]) == ["year", "level", "code", "indicator", "measure", "breakdown", "value",
                                     "ci_lower", "ci_upper", "status", "flags"]
    org = json.loads((docs / "api" / "organisations" / "XAA01.json").read_text())
    mine = df[(df["level"] == "organisation") & (df["code"] == "XAA01")]
    assert len(org["figures"]) == len(mine)
    values = [f["value"] for f in org["figures"]]
    assert [None if pd.isna(v) else float(v) for v in mine["value"]] == values


def test_every_formula_trigger_is_neutralised_in_text_but_numbers_stay_numbers():
    from generator.publish.downloads import as_text, csv_bytes

    risky = ["=1+1", "+44 20", "-2", "@SUM(A1)", "\tx", "\rx", "fine", "a=b"]
    df = pd.DataFrame({"name": risky, "change": [-1.5] * len(risky)})
    schema = {"fields": [{"name": "name", "type": "string"}, {"name": "change", "type": "number"}]}
    text = as_text(df, schema)
    assert list(text["name"]) == ["'=1+1", "'+44 20", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "fine", "a=b"]
    assert set(text["change"]) == {"-1.5"}
    back = pd.read_csv(__import__("io").BytesIO(csv_bytes(text)), dtype={"name": str}, keep_default_na=False)
    assert list(back["name"]) == list(text["name"])
    sheets = [workbook.sheet("t", text, ["change"])]
    import io

    ws = openpyxl.load_workbook(io.BytesIO(workbook.xlsx_bytes(sheets, "t", "a", "c"))).worksheets[0]
    cells = list(ws.iter_rows(min_row=2))
    assert all(r[0].data_type == "s" and r[1].data_type == "n" and r[1].value == -1.5 for r in cells)


@hyp_settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=6), st.text(max_size=6)), max_size=8))
def test_the_csv_writer_writes_the_bytes_pandas_would(rows):
    import csv
    import io

    from generator.publish.downloads import csv_bytes

    text = pd.DataFrame(rows, columns=["a", 'b,"c'], dtype=object)
    buf = io.StringIO()
    text.to_csv(buf, index=False, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    assert csv_bytes(text) == buf.getvalue().encode("utf-8")


@hyp_settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=30))
def test_fast_number_formatting_matches_the_reference_and_never_uses_exponents(values):
    from generator.publish.cellformat import format_number, format_numbers

    got = format_numbers(np.array(values, dtype=float))
    assert got == [format_number(v) for v in values]
    for text, v in zip(got, values):
        assert "e" not in text.replace("inf", "")
        if text and text not in ("inf", "-inf"):
            assert abs(float(text) - v) <= 0.5e-10 * max(1.0, abs(v)) + 1e-300


def test_the_pandas_lines_on_the_page_load_every_file(built):
    _, _, _, docs, dl = built
    page = (docs / "downloads" / "index.md").read_text()
    block = page.split("## Load them", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    folder = (docs / "downloads").as_posix() + "/"
    code = "\n".join(f'base = "{folder}"' if line.startswith("base = ") else line for line in block.splitlines())
    scope: dict = {}
    exec(compile(code, "downloads-page-snippet", "exec"), scope)  # noqa: S102 - our own page's code
    for f in dl.files:
        if f.format == "csv":
            df = scope[f.name[:-4].replace("-", "_")]
            assert isinstance(df, pd.DataFrame) and len(df) == f.rows, f.name
    assert str(scope["workforce"]["headcount"].dtype) == "Int64" and scope["workforce"]["headcount"].isna().any()
    assert scope["workforce"]["org_code"].map(type).eq(str).all()


def test_the_workbook_package_is_well_formed_office_open_xml(built):
    import posixpath
    import re
    import xml.etree.ElementTree as ET

    _, _, _, docs, _ = built
    with zipfile.ZipFile(docs / "downloads" / WORKBOOK) as z:
        names = z.namelist()
        assert names[0] == "[Content_Types].xml"
        parts = {n: ET.fromstring(z.read(n)) for n in names}  # every part is well-formed XML
    ct = "{http://schemas.openxmlformats.org/package/2006/content-types}"
    overrides = {o.get("PartName").lstrip("/") for o in parts["[Content_Types].xml"].iter(f"{ct}Override")}
    assert overrides == {n for n in names if not n.endswith(".rels") and n != "[Content_Types].xml"}
    rel = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    for name in (n for n in names if n.endswith(".rels")):
        base = posixpath.dirname(posixpath.dirname(name))
        for r in parts[name].iter(f"{rel}Relationship"):
            assert posixpath.normpath(posixpath.join(base, r.get("Target"))) in names, (name, r.get("Target"))
            assert r.get("TargetMode") != "External"
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    for name in (n for n in names if n.startswith("xl/worksheets/")):
        rows = list(parts[name].iter(f"{main}row"))
        assert [int(r.get("r")) for r in rows] == list(range(1, len(rows) + 1))
        for r in rows:
            for c in r.iter(f"{main}c"):
                assert re.fullmatch(r"[A-Z]+" + r.get("r"), c.get("r"))
                assert c.find(f"{main}f") is None  # never a formula
        assert parts[name].find(f"{main}dimension").get("ref").endswith(str(len(rows)))
