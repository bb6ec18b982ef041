"""Data quality per return: what the data-quality page and each return's page show.

One row per (org_code, year) in dataset.returns, left-out returns included
(their figures are not published, but the page lists them):

* status, errors, warnings: from validation (dataset.returns); the validator
  emits the plausibility warnings (headcount change over 30% without a
  merger, appointed close to shortlisted, training above 95% of staff) as
  problems, and `warning_codes` lists their codes (`;`-joined, sorted, unique).
* share_unknown: 100 u / (w + b + u) of the whole workforce (published
  returns only; empty when not calculable).
* files_present / files_missing: the resources of that year folder holding
  rows for the return, and the resources required that year (those serving an
  indicator collections.csv lists for it; pay never) that hold none.
* completeness: 100 x required files present / required files.
* cells_filled: 100 x count cells of the published rows holding a number
  (not empty and not `*`) / count cells; empty when there are none.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..model import spec

QUALITY_COLUMNS = ["org_code", "year", "status", "errors", "warnings", "warning_codes", "share_unknown",
                   "files_present", "files_missing", "completeness", "cells_filled"]


def _cells_filled(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    parts = []
    for resource, t in tables.items():
        cols = [c for c in spec.COUNT_FIELDS.get(resource, ()) if c in t]
        if not cols or len(t) == 0:
            continue
        filled = t[cols].notna().sum(axis=1)
        parts.append(pd.DataFrame({"year": t["year"].astype(int), "org_code": t["org_code"].astype(str),
                                   "_filled": filled.to_numpy(), "_cells": len(cols)}))
    if not parts:
        return pd.DataFrame(columns=["year", "org_code", "cells_filled"])
    g = pd.concat(parts).groupby(["year", "org_code"], sort=False)[["_filled", "_cells"]].sum().reset_index()
    g["cells_filled"] = 100.0 * g["_filled"] / g["_cells"]
    return g[["year", "org_code", "cells_filled"]]


def _files(returns: pd.DataFrame, collections: pd.DataFrame) -> pd.DataFrame:
    """files_present, files_missing, completeness per return (index aligned with `returns`)."""
    order = {r: i for i, r in enumerate(spec.YEAR_RESOURCES)}
    required = pd.DataFrame(
        [(int(y), r) for y, c in zip(collections["year"], collections["collected"])
         for r in spec.required_resources(tuple(c or ()))], columns=["year", "resource"])
    files = returns["files"] if "files" in returns else pd.Series("", index=returns.index)
    have = (files.fillna("").astype(str).str.split(";").explode().rename("resource").reset_index()
            .rename(columns={"index": "_row"}))
    have = have[have["resource"].isin(order)].drop_duplicates()
    need = returns[["year"]].reset_index().rename(columns={"index": "_row"}).merge(required, on="year")
    miss = need.merge(have.assign(_have=True), on=["_row", "resource"], how="left")
    miss = miss[miss["_have"].isna()]

    def joined(df: pd.DataFrame) -> pd.Series:
        df = df.assign(_o=df["resource"].map(order)).sort_values(["_row", "_o"])
        return df.groupby("_row")["resource"].agg(";".join)

    out = pd.DataFrame(index=returns.index)
    out["files_present"] = joined(have).reindex(returns.index).fillna("")
    out["files_missing"] = joined(miss).reindex(returns.index).fillna("")
    n_need = need.groupby("_row").size().reindex(returns.index)
    n_miss = miss.groupby("_row").size().reindex(returns.index).fillna(0)
    out["completeness"] = 100.0 * (n_need - n_miss) / n_need
    return out


def return_quality(dataset, counts) -> pd.DataFrame:  # noqa: ANN001
    """The quality table (see the module docstring) from a Dataset and counts.Counts."""
    r = dataset.returns
    if r is None or len(r) == 0:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in QUALITY_COLUMNS})
    out = r.copy()
    out["year"] = out["year"].astype(int)
    for c in ("errors", "warnings"):
        out[c] = out[c].fillna(0).astype(int) if c in out else 0
    if "status" not in out:
        out["status"] = "published"
    warn = pd.DataFrame([(p.org_code, int(p.year), p.code) for p in dataset.problems
                         if p.severity == "warning" and p.org_code is not None and p.year is not None],
                        columns=["org_code", "year", "code"]).drop_duplicates().astype(
        {"org_code": str, "year": "int64", "code": str})
    codes = warn.sort_values("code").groupby(["org_code", "year"])["code"].agg(";".join).rename("warning_codes")
    out = out.merge(codes.reset_index(), on=["org_code", "year"], how="left")
    out["warning_codes"] = out["warning_codes"].fillna("").astype(str)
    wf = counts.workforce
    wf = wf[wf["breakdown"] == "all"]
    with np.errstate(invalid="ignore", divide="ignore"):
        su = wf.assign(share_unknown=100.0 * wf["u"] / (wf["w"] + wf["b"] + wf["u"]))[
            ["year", "org_code", "share_unknown"]]
    su["share_unknown"] = su["share_unknown"].where(np.isfinite(su["share_unknown"]))
    out = out.merge(su, on=["year", "org_code"], how="left")
    out = out.join(_files(out, dataset.collections))
    out = out.merge(_cells_filled(dataset.tables), on=["year", "org_code"], how="left")
    return out[QUALITY_COLUMNS].sort_values(["year", "org_code"], kind="stable").reset_index(drop=True)
