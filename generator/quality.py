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

from . import spec

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


def return_quality(dataset, counts) -> pd.DataFrame:  # noqa: ANN001
    """The quality table (see the module docstring) from a Dataset and indicators.Counts."""
    r = dataset.returns
    if r is None or len(r) == 0:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in QUALITY_COLUMNS})
    out = r.copy()
    out["year"] = out["year"].astype(int)
    for c in ("errors", "warnings"):
        out[c] = out[c].fillna(0).astype(int) if c in out else 0
    if "status" not in out:
        out["status"] = "published"
    codes: dict[tuple[str, int], set[str]] = {}
    for p in dataset.problems:
        if p.severity == "warning" and p.org_code is not None and p.year is not None:
            codes.setdefault((p.org_code, int(p.year)), set()).add(p.code)
    out["warning_codes"] = [";".join(sorted(codes.get((o, y), ()))) for o, y in zip(out["org_code"], out["year"])]
    wf = counts.workforce
    wf = wf[wf["breakdown"] == "all"]
    with np.errstate(invalid="ignore", divide="ignore"):
        su = wf.assign(share_unknown=100.0 * wf["u"] / (wf["w"] + wf["b"] + wf["u"]))[
            ["year", "org_code", "share_unknown"]]
    su["share_unknown"] = su["share_unknown"].where(np.isfinite(su["share_unknown"]))
    out = out.merge(su, on=["year", "org_code"], how="left")
    required = {int(y): set(spec.required_resources(tuple(c or ()))) for y, c in
                zip(dataset.collections["year"], dataset.collections["collected"])}
    present = out["files"].fillna("").astype(str) if "files" in out else pd.Series("", index=out.index)
    pres, miss, comp = [], [], []
    for files, y in zip(present, out["year"]):  # one small loop over returns, not rows of data
        have = {f for f in files.split(";") if f}
        need = required.get(int(y), set(spec.required_resources(spec.INDICATORS)))
        pres.append(";".join(f for f in spec.YEAR_RESOURCES if f in have))
        missing = [f for f in spec.YEAR_RESOURCES if f in need and f not in have]
        miss.append(";".join(missing))
        comp.append(100.0 * (len(need) - len(missing)) / len(need) if need else np.nan)
    out["files_present"], out["files_missing"], out["completeness"] = pres, miss, comp
    out = out.merge(_cells_filled(dataset.tables), on=["year", "org_code"], how="left")
    return out[QUALITY_COLUMNS].sort_values(["year", "org_code"], kind="stable").reset_index(drop=True)
