"""Every organisation's latest figure of one indicator, and how many lie outside the non-adverse range:
what the indicator pages show in full and the home page sums up in one sentence."""

from __future__ import annotations

from ..text import flags_of, is_missing
from .figures import shows_value
from .site import Site

#: An organisation's latest figure of one indicator: (code, year of its latest return, measure, figure row).
Latest = list[tuple[str, int, str, dict | None]]


def latest_org_rows(site: Site, n: int) -> Latest:
    """Each organisation with a published return: its latest return's year and headline figure."""
    out = []
    for code in site.orgs:
        pub = sorted(yr for yr in site.returns_by_org.get(code, [])
                     if site.returns[(code, yr)].get("status") != "left_out")
        if not pub:
            continue
        m, r = site.headline("organisation", code, pub[-1], n)
        out.append((code, pub[-1], m, r))
    return out


def outside_range(latest: Latest, year: int) -> tuple[int, int, int]:
    """(figures shown, outside the non-adverse range 0.80 to 1.25 in either direction, and of those the ones
    whose whole 95% interval is outside too) among the organisations' figures for `year`."""
    shown = outside = clearly = 0
    for _c, yr, _m, r in latest:
        if r is None or yr != year or not shows_value(r):
            continue
        shown += 1
        fl = flags_of(r.get("flags"))
        if "adverse_to_bme" in fl or "adverse_to_white" in fl:
            outside += 1
            lo, hi = r.get("ci_lower"), r.get("ci_upper")
            if not is_missing(lo) and not is_missing(hi) and (float(lo) > 1.25 or float(hi) < 0.80):
                clearly += 1
    return shown, outside, clearly
