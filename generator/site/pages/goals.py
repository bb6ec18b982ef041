"""The leadership goal of an organisation: the BME share of appointments that parity would need."""

from __future__ import annotations

from ..text import (
    esc,
    fmt_int,
    is_missing,
)
from .html import p, table
from .site import Site

GOAL_STATUS = {"ok": "reachable", "met": "parity already met", "passed": "target year has passed",
               "not_reachable": "not reachable at this turnover", "not_calculable": "cannot be computed",
               "too_small": "no goal: fewer than 20 posts",
               "suppressed": "withheld"}


GROUP_WORDS = {"senior": "senior staff (bands 8a to VSM)", "vsm": "very senior managers", "board": "the board"}


def goals_section(site: Site, code: str, year: int) -> str:
    rows = [r for r in site.goals.get(("organisation", code), []) if int(r.get("year", 0) or 0) == year]
    if not rows:
        return p("No leadership goal could be computed for this year.")
    head_year = site.settings.goal_headline_year
    items = []
    for r in rows:
        if int(r.get("target_year") or 0) != head_year:
            continue
        g = GROUP_WORDS.get(str(r.get("group")), esc(r.get("group")))
        T, s0 = r.get("T"), r.get("s0")
        turnover = r.get("turnover")
        tw = f"{float(turnover) * 100:.0f}%" if not is_missing(turnover) else "an assumed share"
        now = f"{float(s0) * 100:.1f}%" if not is_missing(s0) else "unknown"  # goals.py: proportions 0-1
        target = f"{float(T) * 100:.1f}%" if not is_missing(T) else "unknown"
        status = str(r.get("status") or "")
        G = f"<strong>{g[0].upper() + g[1:]}</strong>"
        if status == "met":
            items.append(f"<li>{G}: BME share {now}, parity {target}. Already at or above parity.</li>")
        elif status == "not_reachable":
            items.append(f"<li>{G}: BME share now {now}, parity {target}. Parity cannot be reached by {head_year} "
                         f"if {tw} of posts turn over each year, even if every appointment went to a BME "
                         f"candidate.</li>")
        elif status == "ok":
            per = r.get("bme_appointments_per_year")
            kk = share_words(r.get("fraction"))
            if is_missing(per):
                pp = ""
            elif float(per) < 0.95:
                pp = f" (fewer than one BME appointment a year: about one every {1 / float(per):.0f} years)" \
                    if float(per) > 0 else ""
            elif round(float(per)) == 1:
                pp = " (about one BME appointment a year)"
            else:
                pp = f" (about {float(per):.0f} BME appointments a year)"
            rng = ""
            lo, hi = r.get("fraction_low"), r.get("fraction_high")
            if not is_missing(lo) and not is_missing(hi):
                rng = (f" If 5% of posts turned over each year it would be {_pct_or_more(lo)}; if 15%, "
                       f"{_pct_or_more(hi)}.")
            items.append(f"<li>{G}: BME share now {now}, parity {target}. To reach parity by {head_year}, {kk} "
                         f"of appointments would need to go to BME staff{pp}, if {tw} of posts turn over each "
                         f"year.{rng}{_national_words(r)}</li>")
        else:
            why = esc(r.get("reason")) if not is_missing(r.get("reason")) else "no goal could be computed"
            items.append(f"<li>{G}: {why}.</li>")
    text_ = (p("The 2018 NHS England aim is that BME representation at senior levels matches the whole workforce "
               "by 2028. Parity here means the organisation's own BME share among staff of known ethnicity. "
               "This is the project's own transparent model, not an official target.")
             + ('<ul>' + "".join(items) + "</ul>" if items else ""))
    trows = []
    for r in sorted(rows, key=lambda r: (str(r.get("group")), int(r.get("target_year") or 0))):
        trows.append([GROUP_WORDS.get(str(r.get("group")), esc(r.get("group"))), str(int(r.get("target_year") or 0)),
                      fmt_int(r.get("N")),
                      share_words(r.get("fraction")) if str(r.get("status")) == "ok" else "–",
                      GOAL_STATUS.get(str(r.get("status")), esc(r.get("status")))])
    return text_ + table(f"{site.org_name(code)}: BME share of appointments needed for parity, by target year",
                         ["Group", "Target year", "Posts", "Share of appointments to go to BME staff", "Outlook"],
                         trows, numeric={2}, stack=True)


def share_words(fraction: object) -> str:
    """A share of appointments as people read it: "23% (about 1 in 4)", "74% (about 7 in 10)", never "1 in 1"."""
    if is_missing(fraction):
        return "–"
    f = float(fraction)
    pct = f"{100 * f:.0f}%"
    if f <= 0:
        return "none"
    if f <= 0.5:
        return f"{pct} (about 1 in {round(1 / f)})"
    if f < 0.95:
        return f"{pct} (about {round(10 * f)} in 10)"
    return f"{pct} (nearly all)"


def _pct_or_more(fraction: object) -> str:
    f = float(fraction)  # type: ignore[arg-type]
    return "more than every appointment (not reachable)" if f > 1 else share_words(f)


def _national_words(r: dict) -> str:
    """The board paper's fixed national baseline beside the organisation's own parity."""
    tn, fn = r.get("T_national"), r.get("fraction_national")
    if is_missing(tn):
        return ""
    base = f" Against the national baseline instead (England's BME share of staff of known ethnicity, {100 * float(tn):.1f}%)"
    if is_missing(fn):
        return base + ", this group is already at or above it."
    return base + f", {_pct_or_more(fn)} of appointments would be needed."
