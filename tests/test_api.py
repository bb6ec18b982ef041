"""The static API: documents that parse, match their JSON Schemas, agree with indicators.csv
and the returns, link where the site puts things, and never write outside the site."""

from __future__ import annotations

import json
from dataclasses import replace

import jsonschema
import numpy as np
import pandas as pd
import pytest
from download_fixtures import LEFT_OUT, hand_results, make_dataset, release_for

from generator.model.settings import Settings
from generator.publish import api
from generator.publish.downloads import published_tables, typed_columns, write_downloads


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("api")
    dataset = make_dataset(tmp / "data")
    results = hand_results(dataset)
    release = release_for(dataset)
    docs = tmp / "docs"
    write_downloads(dataset, results, docs, Settings(), release)
    return dataset, results, release, docs


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_documents_parse_and_match_their_schemas(built):
    dataset, _, release, docs = built
    reg_schema = _load(docs / "api" / api.REGISTER_SCHEMA_FILE)
    org_schema = _load(docs / "api" / api.ORGANISATION_SCHEMA_FILE)
    jsonschema.Draft202012Validator.check_schema(reg_schema)
    jsonschema.Draft202012Validator.check_schema(org_schema)
    register = _load(docs / "api" / "organisations.json")
    jsonschema.validate(register, reg_schema, cls=jsonschema.Draft202012Validator)
    assert register["release"]["data_hash"] == release.data_hash
    assert [o["org_code"] for o in register["organisations"]] == sorted(dataset.register["org_code"])
    for code in dataset.register["org_code"]:
        doc = _load(docs / "api" / "organisations" / f"{code}.json")
        jsonschema.validate(doc, org_schema, cls=jsonschema.Draft202012Validator)
        assert doc["organisation"]["org_code"] == code


def test_figures_agree_with_indicators_csv(built):
    dataset, _, _, docs = built
    csv = pd.read_csv(docs / "downloads" / "indicators.csv", dtype={"code": str}, keep_default_na=False,
                      na_values=[""])
    orgs = csv[csv["level"] == "organisation"]
    assert len(orgs)
    for code, part in orgs.groupby("code"):
        doc = _load(docs / "api" / "organisations" / f"{code}.json")
        figures = pd.DataFrame(doc["figures"])
        assert len(figures) == len(part)
        expected = part.drop(columns=["level", "code"]).reset_index(drop=True)
        got = figures.reindex(columns=expected.columns)  # keys empty in the CSV are left out
        for col in expected.columns:
            e, g = expected[col], got[col]
            if pd.api.types.is_numeric_dtype(e):
                assert np.array_equal(e.to_numpy(float), g.astype(float).to_numpy(), equal_nan=True), col
            else:
                assert list(e.fillna("")) == list(g.fillna("")), col
        assert all(set(api.FIGURE_KEYS) <= set(f) for f in doc["figures"])
        assert all(v is not None or k in api.FIGURE_KEYS for f in doc["figures"] for k, v in f.items())
    assert set(orgs["code"]) <= {p.stem for p in (docs / "api" / "organisations").glob("*.json")}


def test_returns_and_their_status_agree_with_the_dataset(built):
    dataset, _, _, docs = built
    for code, part in dataset.returns.groupby("org_code"):
        doc = _load(docs / "api" / "organisations" / f"{code}.json")
        got = {(r["year"], r["status"]) for r in doc["returns"]}
        assert got == set(zip(part["year"].astype(int), part["status"]))
        for r in doc["returns"]:
            assert r["links"]["page"] == f"/organisations/{code}/{r['year']}/"
            assert r["links"]["badge"] == f"/organisations/{code}/{r['year']}/badge.svg"
            assert r["report_url"] is None or r["report_url"].startswith("https://")
    code, year = LEFT_OUT
    doc = _load(docs / "api" / "organisations" / f"{code}.json")
    assert {"year": year, "status": "left_out"}.items() <= next(r for r in doc["returns"] if r["year"] == year).items()
    register = _load(docs / "api" / "organisations.json")
    entry = next(o for o in register["organisations"] if o["org_code"] == code)
    assert entry["links"] == {"page": f"/organisations/{code}/", "api": f"/api/organisations/{code}.json",
                              "returns": {"2023": f"/organisations/{code}/2023/", "2024": f"/organisations/{code}/2024/"}}


def test_links_are_absolute_when_the_site_url_is_known(built, tmp_path):
    dataset, results, release, _ = built
    docs = tmp_path / "docs"
    write_downloads(dataset, results, docs, replace(Settings(), site_url="https://wres.example.org/"), release)
    doc = _load(docs / "api" / "organisations" / "XAA01.json")
    assert doc["links"]["page"] == "https://wres.example.org/organisations/XAA01/"
    assert doc["returns"][0]["links"]["badge"].startswith("https://wres.example.org/organisations/XAA01/")


def test_compact_stable_json(built):
    _, _, _, docs = built
    text = (docs / "api" / "organisations" / "XAA01.json").read_text()
    assert text.endswith("}\n") and text.startswith('{"api_version":1,')
    doc = json.loads(text)
    assert api.dumps(doc) == text
    assert "NaN" not in text


def test_a_code_that_is_not_an_ods_code_never_reaches_a_path(built, tmp_path):
    dataset, results, release, _ = built
    register = dataset.register.copy()
    register["org_code"] = register["org_code"].astype(object)
    register.loc[register["org_code"] == "XAD04", "org_code"] = "../../EVIL"
    bad = replace(dataset, register=register)
    docs = tmp_path / "site" / "docs"
    docs.mkdir(parents=True)
    tables = {t.name: t for t in published_tables(dataset, results, Settings())}
    api.write_api(bad, typed_columns(tables["indicators"]), None, docs, release, "")
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert all(w.startswith("site/docs/api/") for w in written)
    assert not any("EVIL" in w for w in written)
    register_doc = _load(docs / "api" / "organisations.json")
    assert "../../EVIL" not in {o["org_code"] for o in register_doc["organisations"]}
    assert api.safe_code("XAA01") == "XAA01" and api.safe_code("xaa01") is None and api.safe_code("XA/01") is None
