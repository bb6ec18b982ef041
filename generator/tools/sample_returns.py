"""One organisation's return for one year, drawn from its plan (sample_plan.py) with a seeded
generator: workforce by group and band, recruitment, disciplinary, training, staff survey, board and
pay, with small counts suppressed as a publisher would and the planned quirks put in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..model.spec import (
    AFC_BANDS,
    ETHNICITIES,
    MEDICAL_BANDS,
    STAFF_GROUPS,
    SURVEY_INDICATORS,
)
from .sample_plan import (
    AFC_MIX,
    APPOINTED_WARNING,
    BAND_BME_ODDS,
    BAND_ODDS_CALIBRATION,
    GROUP_MIX,
    ICB_FIRST_YEAR,
    MEDICAL_MIX,
    NO_SURVEY_YEARS,
    PAY_FIRST_YEAR,
    REGION_BME,
    SURVEY_MEANS,
    TRAINING_WARNING,
    TYPE_BME_ODDS,
    YEARS,
    Quirks,
)


def org_years(plan: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
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


def small_counts(values: np.ndarray) -> np.ndarray:
    return (values >= SUPPRESS_LOW) & (values <= SUPPRESS_HIGH)


def draw_workforce(oy: pd.DataFrame, rng: np.random.Generator, quirks: Quirks) -> pd.DataFrame:
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
        & small_counts(wf["headcount"].to_numpy())
    return wf


def per_ethnicity(oy: pd.DataFrame, wf: pd.DataFrame, visible: bool = False) -> np.ndarray:
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


def draw_recruitment(oy: pd.DataFrame, heads: np.ndarray, rng: np.random.Generator, quirks: Quirks) -> pd.DataFrame:
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


def draw_disciplinary(oy: pd.DataFrame, heads: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Staff entering a formal disciplinary process; BME staff 1.0-2.0 times as likely."""
    r_w = oy["dis"].to_numpy()
    rates = np.stack([r_w, np.minimum(r_w * oy["rl3"].to_numpy(), 0.2), r_w * 1.1], 1)
    return _long(oy, {"entered_formal_process": rng.binomial(heads, rates)})


def draw_training(oy: pd.DataFrame, heads: np.ndarray, visible: np.ndarray, rng: np.random.Generator,
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


def draw_staff_survey(oy: pd.DataFrame, heads: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
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


def draw_board(oy: pd.DataFrame, heads: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
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


def draw_pay(oy: pd.DataFrame, heads: np.ndarray, rng: np.random.Generator, quirks: Quirks) -> pd.DataFrame:
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


def draw_returns(oy: pd.DataFrame, plan: pd.DataFrame, rng: np.random.Generator, quirks: Quirks) -> pd.DataFrame:
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
