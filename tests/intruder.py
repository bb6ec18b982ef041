"""Play the intruder against a built site: can any withheld count be worked back?

Usage: python3 tests/intruder.py SITE_DIR   (a built site, or any folder holding `downloads/`)

What the intruder reads (everything a reader can download): the stacked
return tables (`downloads/<resource>.csv`, a withheld or source-suppressed
count is `*`), organisations.csv (who belongs to which system, region and
type), indicators.csv, goals.csv and quality.csv. Every published value is
read as the interval its printed digits allow (a share printed 12.3 is
anything from 12.25 to 12.35; a count is exact), so the attack is exactly as
strong as the files are precise, whatever rounding rule the generator follows.

The linear system: one unknown per count of the return tables (a published
count is fixed to its value, a `*` one is any value >= 0). For every unit
(organisation, system, region, organisation type, England) and breakdown,
the counts of its members are summed as the generator sums them; a figure
flagged `members_left_out` is not used (the intruder does not know who was
left out). Each published figure then gives a linear equation, or a pair of
inequalities for the interval its printed digits allow:

* headcount H:            W + B + U = H
* share_bme s (0-100):    B - s/100 (W + B + U) = 0  (share_white, share_unknown alike)
* share_bme_known s:      B - s/100 (W + B) = 0
* goals N, s0, T:         senior / VSM / board W + B + U = N, B - s0 (W + B) = 0; T on the whole workforce
* quality share_unknown:  U - q/100 (W + B + U) = 0 (an organisation's whole workforce)
* indicators 2, 3, 4 (relative likelihood, Katz interval, denominators): the interval's width gives the
  standard error, which with the ratio and the two denominators solves back to both event counts
  (each count bounded by its values over the corners of the printed ratio's and lower end's intervals).

For every `*` count that appears in some equation, and for every withheld
figure's counts, the range of values consistent with all equations is
computed (scipy's linprog, HiGHS); a range holding a single whole number is
a recovered count (a withheld figure is recovered when all its counts are).
Exit status 1 (and a list) if any is recovered. A figure of indicator 9
(board minus workforce share) and group survey figures are not attacked.
"""

from __future__ import annotations

import html
import json
import math
import re
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from scipy import sparse

sys.path.insert(0, str(Path(__file__).parent))
import intruder_solve  # noqa: E402

SENIOR_BANDS = ("band_8a", "band_8b", "band_8c", "band_8d", "band_9", "vsm")
NON_MEDICAL = ("non_clinical", "clinical_non_medical")
ETH = {"white": "w", "bme": "b", "unknown": "u"}


def _read(folder: Path, name: str) -> pd.DataFrame | None:
    p = folder / f"{name}.csv"
    if not p.is_file():
        return None
    return pd.read_csv(p, dtype=str, keep_default_na=False)


class System:
    """Unknowns (every count), and linear rows lo <= a.x <= hi."""

    def __init__(self) -> None:
        self.values: list[float] = []      # NaN for withheld
        self.keys: list[tuple] = []
        self.rows: list[tuple[np.ndarray, np.ndarray, float, float]] = []
        self.tags: list[object] = []
        self.tag: object = None
        self.region: dict[str, str] = {}   # organisation -> region: where the solver looks first
        self.org_type: dict[str, str] = {}  # organisation -> its type: where it looks next

    def add_var(self, key: tuple, value: float) -> int:
        self.keys.append(key)
        self.values.append(value)
        return len(self.values) - 1

    def add_row(self, idx: np.ndarray, coef: np.ndarray, lo: float, hi: float) -> None:
        if len(idx):
            self.rows.append((np.asarray(idx, dtype=np.int64), np.asarray(coef, dtype=float), lo, hi))
            self.tags.append(self.tag)


def load_counts(dl: Path, system: System) -> pd.DataFrame:
    """Every count cell of the return tables as an unknown: resource, col, year, org_code, keys, var."""
    parts = []
    spec = {"workforce": ["headcount"], "recruitment": ["shortlisted", "appointed"],
            "disciplinary": ["entered_formal_process"], "training": ["accessed_training"],
            "board": ["members", "voting_members", "executive_members"]}
    for resource, cols in spec.items():
        t = _read(dl, resource)
        if t is None or len(t) == 0:
            continue
        for col in cols:
            for rec in t.itertuples(index=False):
                r = rec._asdict()
                text = r[col]
                if text == "":
                    continue
                v = float("nan") if text == "*" else float(text)
                key = (resource, col, int(r["year"]), r["org_code"], r.get("staff_group", ""), r.get("band", ""),
                       r["ethnicity"])
                parts.append((*key, system.add_var(key, v)))
    return pd.DataFrame(parts, columns=["resource", "col", "year", "org_code", "staff_group", "band", "ethnicity",
                                        "var"])


def units(register: pd.DataFrame, years_orgs: pd.DataFrame) -> pd.DataFrame:
    """(year, org_code, level, code) for every unit an organisation belongs to."""
    m = years_orgs.merge(register[["org_code", "system_code", "region_code", "org_type"]], on="org_code",
                         how="left")
    parts = [m.assign(level="organisation", code=m["org_code"])]
    for level, col in (("system", "system_code"), ("region", "region_code"), ("org_type", "org_type")):
        sub = m[m[col].fillna("") != ""]
        parts.append(sub.assign(level=level, code=sub[col]))
    parts.append(m.assign(level="england", code="ENG"))
    return pd.concat(parts, ignore_index=True)[["year", "org_code", "level", "code"]]


def breakdown_of(wf: pd.DataFrame) -> pd.DataFrame:
    """Workforce cells with every breakdown they count in."""
    parts = [wf.assign(breakdown=wf["staff_group"] + "/" + wf["band"]),
             wf.assign(breakdown=wf["staff_group"] + "/all"), wf.assign(breakdown="all"),
             wf[wf["staff_group"].isin(NON_MEDICAL) & wf["band"].isin(SENIOR_BANDS)].assign(breakdown="senior"),
             wf[wf["staff_group"].isin(NON_MEDICAL) & (wf["band"] == "vsm")].assign(breakdown="_vsm")]
    return pd.concat(parts, ignore_index=True)


def var_groups(df: pd.DataFrame, keys: list[str]) -> dict[tuple, np.ndarray]:
    """key -> the `var` column of the rows with that key, in their order (groupby's positions: iterating
    over the groups was most of the reading time on a national site)."""
    v = df["var"].to_numpy()
    return {k: v[ix] for k, ix in df.groupby(keys, sort=False).indices.items()}


def _num(s: str) -> float:
    return float(s) if s not in ("", None) else float("nan")


def half_unit(text: str, decimals: int) -> float:
    """Half a unit of the last digit the value was rounded to: the value was anything within this of what is
    printed. A file drops trailing zeros ("87" for 87.0), so the digits printed are not always the digits kept:
    `decimals` is the published rounding rule for the measure (/methodology/), used when fewer digits are
    printed than it keeps."""
    text = str(text).strip()
    printed = len(text.split(".", 1)[1]) if "." in text and "e" not in text.lower() else 0
    return 0.5 * 10.0 ** -max(printed, decimals)


def build(site: Path) -> tuple[System, list[tuple[str, np.ndarray]]]:
    dl = site / "downloads" if (site / "downloads").is_dir() else site
    system = System()
    cells = load_counts(dl, system)
    register = _read(dl, "organisations")
    system.region = dict(zip(register["org_code"], register["region_code"]))
    system.org_type = dict(zip(register["org_code"], register["org_type"]))
    orgs = cells[["year", "org_code"]].drop_duplicates()
    u = units(register, orgs)
    wf = breakdown_of(cells[cells["resource"] == "workforce"])
    wf = wf.assign(e=wf["ethnicity"].map(ETH))
    base_groups = u.merge(wf, on=["year", "org_code"])
    ind = _read(dl, "indicators")

    goals = _read(dl, "goals")
    # The goals' VSM group is no indicator 1 breakdown: which organisation it leaves out, the organisation's
    # own goal row says (methodology: a member lacking a count is left out of the group).
    gone_goals = None
    if goals is not None and len(goals):
        g = goals[(goals["level"] == "organisation") & goals["group"].isin(["senior", "vsm"])
                  & goals["reason"].str.match(r"(senior|vsm): .*(at source|not available)")]
        gone_goals = g.assign(year=g["year"].astype(int), org_code=g["code"],
                              breakdown=g["group"].map({"senior": "senior", "vsm": "_vsm"}))[
            ["year", "org_code", "breakdown"]]

    def summed(measure: str) -> dict:
        """unit, breakdown, ethnicity -> the variables summed, leaving out (as the generator does) an
        organisation whose own figure says a count it needs was suppressed at source or is not available."""
        groups = base_groups
        gone = [] if gone_goals is None else [gone_goals]
        if ind is not None:
            o = ind[(ind["level"] == "organisation") & (ind["indicator"] == "1") & (ind["measure"] == measure)]
            o = o[o["reason"].str.contains("at source|not available", regex=True)]
            gone.append(o.assign(year=o["year"].astype(int), org_code=o["code"])[["year", "org_code", "breakdown"]])
        if gone:
            out = pd.concat(gone, ignore_index=True).drop_duplicates().assign(_gone=True)
            groups = groups.merge(out, on=["year", "org_code", "breakdown"], how="left")
            groups = groups[groups["_gone"].isna()]
        return var_groups(groups, ["year", "level", "code", "breakdown", "e"])

    sums_all = summed("headcount")
    sums_known = summed("share_bme_known")
    sums = sums_all
    targets: list[tuple[str, np.ndarray]] = []

    def tol(x: float) -> float:
        return 1e-7 * (1 + abs(x))

    def share_row(key: tuple, num: str, dens: tuple[str, ...], s: float, src: dict | None = None,
                  half: float = 0.0) -> None:
        """num = s x (sum of dens), s known to +/- half: num - (s - half) dens >= 0 and num - (s + half) dens <= 0."""
        src = src if src is not None else (sums_known if len(dens) == 2 else sums_all)
        parts = {e: src.get((*key, e)) for e in set(dens) | {num}}
        if any(v is None for v in parts.values()):
            return
        for bound, lo, hi in ((s - half, -tol(1e4), np.inf), (s + half, -np.inf, tol(1e4))):
            idx, coef = [], []
            for e in dens:
                idx.append(parts[e])
                coef.append(np.full(len(parts[e]), -bound))
            idx.append(parts[num])
            coef.append(np.ones(len(parts[num])))
            system.add_row(np.concatenate(idx), np.concatenate(coef), lo, hi)

    def total_row(key: tuple, dens: tuple[str, ...], h: float, half: float = 0.0) -> None:
        parts = [sums.get((*key, e)) for e in dens]
        if any(p is None for p in parts):
            return
        system.add_row(np.concatenate(parts), np.ones(sum(len(p) for p in parts)), h - half - tol(h),
                       h + half + tol(h))

    if ind is not None:
        ind = ind.assign(year=ind["year"].astype(int))
        one = ind[ind["indicator"] == "1"]
        for r in one.itertuples(index=False):
            key = (r.year, r.level, r.code, r.breakdown)
            withheld = r.status == "suppressed"
            if withheld:
                for e in ("w", "b", "u"):
                    v = sums.get((*key, e))
                    if v is not None and r.measure == "headcount":
                        targets.append((f"figure {r.year} {r.level} {r.code} {r.breakdown}|{e}", v))
                continue
            if r.status != "ok" or r.value == "":
                continue
            v = float(r.value)
            system.tag = r
            h = half_unit(r.value, 1)  # shares: 1 dp (a headcount prints whole: its half is not used)
            if r.measure == "headcount":
                total_row(key, ("w", "b", "u"), v)
            elif r.measure in ("share_bme", "share_white", "share_unknown"):
                share_row(key, {"share_bme": "b", "share_white": "w", "share_unknown": "u"}[r.measure],
                          ("w", "b", "u"), v / 100, half=h / 100)
            elif r.measure == "share_bme_known":
                share_row(key, "b", ("w", "b"), v / 100, half=h / 100)
        _katz(ind, cells, u, sums, system, targets)
    if goals is not None and len(goals):
        for r in goals.drop_duplicates(["year", "level", "code", "group"]).itertuples(index=False):
            y = int(r.year)
            system.tag = ("goals", r)
            bd = {"senior": "senior", "vsm": "_vsm"}.get(r.group)
            if bd is None:
                continue
            key = (y, r.level, r.code, bd)
            if r.N != "":
                total_row(key, ("w", "b", "u"), float(r.N))
            if r.s0 != "":
                share_row(key, "b", ("w", "b"), float(r.s0), sums_all, half=half_unit(r.s0, 4))
            if r.T != "":
                share_row((y, r.level, r.code, "all"), "b", ("w", "b"), float(r.T), half=half_unit(r.T, 4))
    quality = _read(dl, "quality")
    if quality is not None and "share_unknown" in quality:
        for r in quality.itertuples(index=False):
            system.tag = ("quality", r)
            if r.share_unknown != "":
                share_row((int(r.year), "organisation", r.org_code, "all"), "u", ("w", "b", "u"),
                          float(r.share_unknown) / 100, half=half_unit(r.share_unknown, 1) / 100)
    for i, (key, v) in enumerate(zip(system.keys, system.values)):
        if math.isnan(v):
            targets.append((" ".join(map(str, key)), np.array([i])))
    return system, targets


def _katz(ind: pd.DataFrame, cells: pd.DataFrame, u: pd.DataFrame, sums: dict, system: System,
          targets: list) -> None:
    """Indicators 3 and 4: the ratio, its Katz interval and the workforce denominators give both counts."""
    vals = np.array(system.values)  # every count is read by now: only rows are added below
    for indicator, resource, col, num_first in (("3", "disciplinary", "entered_formal_process", "b"),
                                                ("4", "training", "accessed_training", "w")):
        rows = ind[(ind["indicator"] == indicator) & (ind["measure"] == "relative_likelihood")]
        c = cells[(cells["resource"] == resource) & (cells["col"] == col)]
        g = u.merge(c.assign(e=c["ethnicity"].map(ETH)), on=["year", "org_code"])
        ev = var_groups(g, ["year", "level", "code", "e"])
        for r in rows.itertuples(index=False):
            key = (r.year, r.level, r.code)
            if r.status == "suppressed":
                for e in ("w", "b"):
                    if (*key, e) in ev:
                        targets.append((f"{r.year} {r.level} {r.code} ind{indicator} {e}", ev[(*key, e)]))
                continue
            if r.status != "ok" or "members_left_out" in r.flags or "" in (r.value, r.ci_lower, r.ci_upper):
                continue
            nw, nb = (sums.get((*key, "all", e)) for e in ("w", "b"))
            if nw is None or nb is None or np.isnan(vals[nw]).any() or np.isnan(vals[nb]).any():
                continue
            n_w, n_b = vals[nw].sum(), vals[nb].sum()
            n1, n2 = (n_b, n_w) if num_first == "b" else (n_w, n_b)
            sols = []
            hr, hl = half_unit(r.value, 2), half_unit(r.ci_lower, 2)
            for rl in (float(r.value) - hr, float(r.value), float(r.value) + hr):
                for lo in (float(r.ci_lower) - hl, float(r.ci_lower), float(r.ci_lower) + hl):
                    if rl <= 0 or lo <= 0 or lo >= rl:
                        continue
                    se = math.log(rl / lo) / 1.96  # the generator's z (stats.Z95)
                    # a/n1 over c/n2 = rl;  1/a - 1/n1 + 1/c - 1/n2 = se^2  ->  c = (n2/(rl n1) + 1) / (se^2 + 1/n1 + 1/n2)
                    cc = (n2 / (rl * n1) + 1) / (se * se + 1 / n1 + 1 / n2)
                    sols.append((rl * cc * n1 / n2, cc))
            if len(sols) < 9:
                continue  # the printed digits allow a ratio at or below its lower end: no bound worth having
            ea, ec = (num_first, "w" if num_first == "b" else "b")
            for e, xs in ((ea, [a for a, _ in sols]), (ec, [c for _, c in sols])):
                if (*key, e) in ev:
                    lo_x, hi_x = min(xs), max(xs)
                    slack = 1e-6 + 0.05 * (hi_x - lo_x)  # the corners bound a smooth function over a small box
                    system.add_row(ev[(*key, e)], np.ones(len(ev[(*key, e)])), lo_x - slack, hi_x + slack)


def ranges(system: System, targets: list[tuple[str, np.ndarray]], seed: int = 0, stop_after: int | None = None,
           say: Callable[..., None] | None = None, workers: int = 1) -> list[tuple[str, float, float]]:
    """(name, low, high) of every target whose unknowns all appear in some equation (tests/intruder_solve.py:
    exact where the range holds fewer than two whole numbers)."""
    vals = np.array(system.values)
    unknown = np.flatnonzero(np.isnan(vals))
    pos = -np.ones(len(vals), dtype=np.int64)
    pos[unknown] = np.arange(len(unknown))
    if not system.rows or len(unknown) == 0:
        return []
    idx = np.concatenate([r[0] for r in system.rows])
    coef = np.concatenate([r[1] for r in system.rows])
    row = np.repeat(np.arange(len(system.rows)), [len(r[0]) for r in system.rows])
    known = pos[idx] < 0
    const = np.bincount(row[known], coef[known] * vals[idx[known]], minlength=len(system.rows))
    lo_b = np.array([r[2] for r in system.rows]) - const
    hi_b = np.array([r[3] for r in system.rows]) - const
    some = np.bincount(row[~known], minlength=len(system.rows)) > 0   # rows holding an unknown
    renum = np.cumsum(some) - 1
    A = sparse.csr_matrix((coef[~known], (renum[row[~known]], pos[idx[~known]])), shape=(int(some.sum()),
                                                                                         len(unknown)))
    A.sum_duplicates()
    used = np.asarray(abs(A).sum(axis=0)).ravel() > 0
    keep = [(name, pos[v]) for name, v in targets if (pos[v] >= 0).all() and used[pos[v]].all()]
    if not keep:
        return []
    F = sparse.csr_matrix((np.ones(sum(len(p) for _, p in keep)),
                           (np.repeat(np.arange(len(keep)), [len(p) for _, p in keep]),
                            np.concatenate([p for _, p in keep]))), shape=(len(keep), len(unknown)))
    orgs = [system.keys[i][3] for i in unknown]
    group = np.column_stack([np.unique([system.region.get(o, "") for o in orgs], return_inverse=True)[1],
                             np.unique([system.org_type.get(o, "") for o in orgs], return_inverse=True)[1]])
    figure = [name.split("|")[0] if name.startswith("figure ") else "" for name, _ in keep]
    together = np.unique(figure, return_inverse=True)[1]
    together = np.where(np.array(figure) == "", -1, together)
    low, high = intruder_solve.ranges(A, lo_b[some], hi_b[some], F, seed=seed, stop_after=stop_after,
                                      group=group, together=together, say=say, workers=workers)
    return [(name, float(low[i]), float(high[i])) for i, (name, _) in enumerate(keep)]


def attack(site: Path, stop_after: int | None = None, say: Callable[..., None] | None = None, workers: int = 1
           ) -> tuple[int, list[tuple[str, float, float]]]:
    """(withheld counts attacked, the recovered ones with their range); stop_after: stop once that many
    are recovered (the ranges of the rest are then not all exact); say: progress (intruder_solve.ranges)."""
    system, targets = build(site)
    if say:
        say("equations", unknowns=int(np.isnan(np.array(system.values)).sum()), rows=len(system.rows),
            targets=len(targets))
    rs = ranges(system, targets, stop_after=stop_after, say=say, workers=workers)
    rec = [(n, lo, hi) for n, lo, hi in rs if math.floor(hi + 1e-6) - math.ceil(lo - 1e-6) < 1]
    # A withheld figure's White, BME and unknown counts: the figure is recovered when all three are (one of
    # them alone may be a count that was never withheld, only left unpublished with the figure).
    figs: dict[str, int] = {}
    for n, _ in targets:  # every count of the figure, whether or not it appears in an equation
        if n.startswith("figure "):
            figs[n.split("|")[0]] = figs.get(n.split("|")[0], 0) + 1
    pinned: dict[str, int] = {}
    for n, _, _ in rec:
        if n.startswith("figure "):
            pinned[n.split("|")[0]] = pinned.get(n.split("|")[0], 0) + 1
    rec = [x for x in rec if not x[0].startswith("figure ") or pinned[x[0].split("|")[0]] == figs[x[0].split("|")[0]]]
    return len(rs), rec


#: Columns and keys that hold a figure (not a key, rank or count of peers) in any published file.
FIGURE_KEYS = ("value", "ci_lower", "ci_upper", "lower", "upper", "previous_value", "change", "rate_white", "rate_bme",
               "N", "s0", "T", "fraction", "fraction_low", "fraction_high", "one_in_k", "bme_appointments_per_year",
               "share_unknown")
#: Files that are not data: the theme, the search index (page text, read with the pages), JSON Schemas.
_NOT_DATA = ("assets/", "search/", ".schema.json")


def _key(v: float) -> float:
    return round(float(v), 6)


def _published(dl: Path) -> dict[int, set[float]]:
    """year -> every figure the downloads publish that year (indicators, goals, quality), and every count."""
    out: dict[int, set[float]] = {}
    for name in ("indicators", "goals", "quality", "workforce", "recruitment", "disciplinary", "training", "board",
                 "staff_survey", "pay"):
        t = _read(dl, name)
        if t is None or "year" not in t:
            continue
        for col in t.columns:
            if col in ("year", "org_code", "code", "indicator", "target_year", "years", "turnover", "peer_rank",
                       "peer_count"):
                continue
            num = pd.to_numeric(t[col], errors="coerce")
            ok = num.notna().to_numpy()
            for y, v in zip(t["year"].to_numpy()[ok], num.to_numpy()[ok]):
                out.setdefault(int(y), set()).add(_key(v))
    return out


def _records(obj: object) -> list[dict]:
    """Every JSON object below `obj` that names a year and holds a figure."""
    if isinstance(obj, dict):
        if "year" in obj and any(k in obj for k in FIGURE_KEYS):
            return [obj]
        return [r for v in obj.values() for r in _records(v)]
    if isinstance(obj, list):
        return [r for v in obj for r in _records(v)]
    return []


_DATA_SUFFIXES = (".csv", ".json", ".sqlite", ".xlsx")
#: The return tables' count columns and the keys that name a count (a withheld one is `*` in the CSV).
COUNTS = {"workforce": ["headcount"], "recruitment": ["shortlisted", "appointed"],
          "disciplinary": ["entered_formal_process"], "training": ["accessed_training"],
          "board": ["members", "voting_members", "executive_members"], "staff_survey": ["respondents", "percent"],
          "pay": ["headcount"]}
_COUNT_KEYS = ("year", "org_code", "staff_group", "band", "ethnicity", "indicator", "pay_measure", "group")


def data_files(site: Path) -> list[Path]:
    """Every data file of a built site but the CSV downloads the attack reads (found by walking the site, not
    a fixed list): the API, chart data and specs beside pages, the workbook, the database, and whatever a
    later version adds."""
    out = []
    for p in sorted(site.rglob("*")):
        rel = p.relative_to(site).as_posix()
        if not p.is_file() or p.suffix not in _DATA_SUFFIXES or any(x in rel for x in _NOT_DATA):
            continue
        if rel.startswith("downloads/") and p.suffix == ".csv":
            continue
        out.append(p)
    return out


def tables_of(path: Path) -> list[tuple[str, list[dict]]]:
    """(name, rows as dicts) of every table in a data file: a CSV, the objects of a JSON file that name a year,
    each table of an SQLite database, each sheet of a workbook (its first row the header)."""
    if path.suffix == ".csv":
        return [(path.stem, pd.read_csv(path, dtype=str, keep_default_na=False).to_dict("records"))]
    if path.suffix == ".json":
        return [(path.stem, _records(json.loads(path.read_text(encoding="utf-8"))))]
    if path.suffix == ".sqlite":
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            names = [r[0] for r in db.execute("select name from sqlite_master where type in ('table', 'view')")]
            return [(n, pd.read_sql_query(f'select * from "{n}"', db).to_dict("records")) for n in names]
    wb = openpyxl.load_workbook(path, read_only=True)
    out = []
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        if rows:
            head = [str(h) for h in rows[0]]
            out.append((ws.title, [dict(zip(head, r)) for r in rows[1:]]))
    return out


def _withheld_counts(dl: Path) -> dict[str, set[tuple]]:
    """count column -> the keys of every count the CSV downloads withhold (`*`)."""
    out: dict[str, set[tuple]] = {}
    for resource, cols in COUNTS.items():
        t = _read(dl, resource)
        if t is None:
            continue
        for col in cols:
            if col in t:
                gone = t[t[col] == "*"]
                out.setdefault(col, set()).update(
                    tuple(str(r.get(k, "")) for k in _COUNT_KEYS) for r in gone.to_dict("records"))
    return out


def _is_figure(column: str) -> bool:
    return column in FIGURE_KEYS or any(column.endswith("_" + k) for k in FIGURE_KEYS)


def unexplained(site: Path) -> tuple[int, list[str]]:
    """(figures read, those not published in the CSV downloads): every figure in every other data file (any
    column named as a figure: value, ci_lower, rate_bme, i1_value ...) must be one the downloads publish for
    the same year, and no count the downloads withhold may have a value there; so the attack on the CSV
    downloads covers every file. A withheld figure shown in a chart's data, the API, the workbook or the
    database would be listed here."""
    dl = site / "downloads" if (site / "downloads").is_dir() else site
    pub = _published(dl)
    gone = _withheld_counts(dl)
    seen, odd = 0, []
    for p in data_files(site):
        rel = p.relative_to(site).as_posix()
        for name, rows in tables_of(p):
            for r in rows:
                try:
                    year = int(r["year"])
                except (KeyError, TypeError, ValueError):
                    continue
                for k, v in r.items():
                    if v is None or v == "" or isinstance(v, bool) or not isinstance(v, (int, float, str)):
                        continue
                    try:
                        x = _key(float(v))
                    except (TypeError, ValueError):
                        continue
                    if x != x:  # NaN: not published
                        continue
                    if k in gone and "org_code" in r:
                        seen += 1
                        key = tuple("" if r.get(c) is None else str(r.get(c, "")) for c in _COUNT_KEYS)
                        if key in gone[k]:
                            odd.append(f"{rel} [{name}]: withheld count {k}={v} of {key}")
                    elif _is_figure(str(k)):
                        seen += 1
                        if x not in pub.get(year, ()):
                            odd.append(f"{rel} [{name}]: {year} {k}={v}")
    return seen, odd


#: Pages written by hand (their numbers are examples, not data), and numbers that are file sizes.
_HAND_WRITTEN = ("about/", "methodology/")
_DECIMAL = re.compile(r"(?<![\w.])([-\u2212+]?)(\d+\.\d+)(?![\w.])(?!\s*[kKM]B)")


def page_text(path: Path) -> str:
    """A page's or a drawn chart's text as a reader sees it (labels, titles, descriptions); a page's inline
    charts are left out (their files are read on their own)."""
    t = path.read_text(encoding="utf-8")
    drawn = "script|style" if path.suffix == ".svg" else "script|style|svg"
    t = re.sub(rf"<({drawn})\b.*?</\1>", " ", t, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", t))


def unexplained_text(site: Path) -> tuple[int, list[str]]:
    """(figures read, those not published in the downloads): every number with decimals in the text of every
    generated page (sentences, tables, captions) and of every drawn chart (SVG labels and titles) must be a
    figure the downloads publish (any year: a sentence does not always say which), so a sentence, table or
    chart label cannot give back a withheld figure."""
    dl = site / "downloads" if (site / "downloads").is_dir() else site
    pub = set().union(*_published(dl).values())
    seen, odd = 0, []
    for p in sorted([*site.rglob("*.html"), *site.rglob("*.svg")]):
        rel = p.relative_to(site).as_posix()
        if rel.startswith(("assets/", "search/")) or any(rel.startswith(h) for h in _HAND_WRITTEN):
            continue
        text = page_text(p)
        for m in _DECIMAL.finditer(text):
            seen += 1
            x = _key(float(m.group(2)))
            if x not in pub and -x not in pub:
                odd.append(f"{rel}: {m.group(0)} in '{text[max(0, m.start() - 60):m.end() + 10].split()}'")
    return seen, odd


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__.splitlines()[2])
        return 2
    n, rec = attack(Path(argv[1]), stop_after=int(argv[2]) if len(argv) > 2 else None)
    print(f"intruder: {n} withheld counts in some published equation; {len(rec)} recovered")
    for name, lo, hi in rec[:50]:
        print(f"  {name}: between {lo:.3f} and {hi:.3f}")
    return 1 if rec else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
