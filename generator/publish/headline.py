"""The headline figures as one row per organisation per year: the table a journalist opens first.

`indicators.csv` is long (one row per figure: hundreds of thousands of rows), right for a program and
of little use in a spreadsheet. This table holds, for each organisation and year with a published
return, who it is (code, name, type, region, system) and each of the nine indicators' headline figure
(the row `headline` marks in the indicators frame) with its interval, status, change from the previous
year and the change's class (`trend`: improved, worsened, no_clear_change, not_tested or empty), exactly
as `indicators.csv` prints them. It reads the figures after the protection pass, so a withheld figure is
empty here as it is everywhere else (its status says why).

A pure function of the results frames: headline_figures.py builds the published table
(headline-figures.csv, and the workbook's sheet of the same name) on it.
"""

from __future__ import annotations

import pandas as pd

#: The organisation columns, from organisations.csv.
ORG_COLUMNS = ("org_code", "org_name", "org_type", "region_code", "system_code")
#: Per indicator, the columns of indicators.csv carried over (named `i<n>_<column>`).
FIGURE_COLUMNS = ("measure", "value", "ci_lower", "ci_upper", "status", "change", "trend")
INDICATORS = tuple(range(1, 10))


def columns() -> list[str]:
    """The table's columns, in order: year, the organisation, then each indicator's figure."""
    return ["year", *ORG_COLUMNS] + [f"i{n}_{c}" for n in INDICATORS for c in FIGURE_COLUMNS]


def headline_table(indicators: pd.DataFrame, register: pd.DataFrame) -> pd.DataFrame:
    """One row per (organisation, year) with a headline figure, ordered by year then code.

    `indicators`: `Results.indicators` (its `headline` column marks one measure per year, level,
    code and indicator); `register`: `Dataset.register`. An indicator with no headline row for
    that organisation and year (not collected that year) leaves its columns empty.
    """
    rows = indicators[(indicators["level"] == "organisation") & indicators["headline"].astype(bool)]
    rows = rows[rows["indicator"].isin(INDICATORS)]
    keys = rows[["year", "code"]].drop_duplicates().sort_values(["year", "code"], kind="stable")
    out = keys.rename(columns={"code": "org_code"}).reset_index(drop=True)
    orgs = register.drop_duplicates("org_code").set_index("org_code")
    for c in ORG_COLUMNS[1:]:
        out[c] = out["org_code"].map(orgs[c]) if c in orgs.columns else pd.NA
    for n in INDICATORS:
        one = rows[rows["indicator"] == n].drop_duplicates(["year", "code"])
        one = one.set_index(["year", "code"])[list(FIGURE_COLUMNS)]
        one.columns = [f"i{n}_{c}" for c in FIGURE_COLUMNS]
        out = out.join(one, on=["year", "org_code"])
    return out[columns()].reset_index(drop=True)

