"""Where an organisation stands among organisations of its type.

For every organisation row of a headline measure (definitions.HEADLINE) with
status `ok`, the peers are the organisations of the same `org_type` (from
organisations.csv) with an `ok` figure for the same indicator, measure,
breakdown and year.

* peer_rank: 1 = best in the direction of better; ties share the best rank
  ("min" ranking). Distance from best: likelihoods |ln RL| (0 is worst),
  gaps towards 0 |value|, `up` -value, `down` value. A measure with no
  direction of better (the BME share of the whole workforce) is ranked from
  the highest value down, and the methodology page says rank 1 = highest.
* peer_count: how many organisations were ranked.
* peer_percentile: 100 (count - rank) / (count - 1): 100 for the best, 0
  for the worst, empty when the organisation is alone of its type.

Figures flagged `small_numbers` (a count below the threshold) or
`validator_warning` (the validator warned about a count behind it) are never
ranked, and are not counted among the peers of others: a rank on a figure
that chance or a likely error could move a long way would be read as a
verdict. Not-calculable figures are never ranked (status is not ok).

Both indicator 3 figures (single-year and two-year) are ranked, each among
the organisations that have it; the site shows the headline one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .definitions import HEADLINE
from .keys import combined_codes
from .rounding import rounded
from .trends import directions


def add_peer_ranks(rows: pd.DataFrame, register: pd.DataFrame) -> pd.DataFrame:
    """Add peer_rank, peer_count, peer_percentile (nullable) to an indicators frame."""

    out = rows.copy()
    out["peer_rank"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    out["peer_count"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    out["peer_percentile"] = np.nan
    if len(out) == 0:
        return out
    headline = {(i, m, b) for i, pairs in HEADLINE.items() for m, b in pairs}
    sel = (out["level"].to_numpy() == "organisation") & (out["status"].to_numpy() == "ok")
    # Never ranked: a figure on small numbers (chance moves it a long way) or one the validator warned about.
    flags = out["flags"].fillna("").astype(str)
    sel &= ~flags.str.contains("small_numbers|validator_warning", regex=True).to_numpy()
    # Headline or not is decided once per distinct (indicator, measure, breakdown), not per row.
    cand = out[["indicator", "measure", "breakdown"]][sel]
    combo = combined_codes([cand["indicator"], cand["measure"], cand["breakdown"]])
    firsts = cand.iloc[np.unique(combo, return_index=True)[1]]
    is_headline = np.array([(i, m, b) in headline for i, m, b in
                            zip(firsts["indicator"], firsts["measure"], firsts["breakdown"])], dtype=bool)
    sel[sel] = is_headline[combo]
    if not sel.any():
        return out
    sub = out[sel]
    types = register.set_index("org_code")["org_type"] if len(register) else pd.Series(dtype=object)
    org_type = sub["code"].map(types).fillna("")
    v = sub["value"].to_numpy(dtype="float64")
    d = directions(sub)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.select([d == "towards_1", d == "towards_0", d == "down"], [np.abs(np.log(v)), np.abs(v), v], -v)
    frame = pd.DataFrame({"t": org_type.to_numpy(), "y": sub["year"].to_numpy(), "i": sub["indicator"].to_numpy(),
                          "m": sub["measure"].to_numpy(), "b": sub["breakdown"].to_numpy(), "s": score},
                         index=sub.index)
    grp = frame.groupby(["t", "y", "i", "m", "b"], sort=False)["s"]
    rank = grp.rank(method="min")
    count = grp.transform("size")
    out.loc[sub.index, "peer_rank"] = rank.astype("int64").to_numpy()
    out.loc[sub.index, "peer_count"] = count.astype("int64").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(count > 1, 100.0 * (count - rank) / (count - 1), np.nan)

    out.loc[sub.index, "peer_percentile"] = rounded(pct, 1)  # published to 1 decimal (rounding.py)
    return out
