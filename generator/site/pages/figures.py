"""One figure as a table cell: its value, interval, class word and small-numbers mark (`figure_html`), the
short form of dense tables (`compact_cell`), and the change since the year before with only the verdicts
a test earned (`change_cell`)."""

from __future__ import annotations

from ..text import (
    CLASS_LABELS,
    TREND_LABELS,
    TREND_MEANING,
    attr,
    esc,
    flags_of,
    fmt_interval,
    fmt_value,
    is_missing,
    judgement,
    measure_kind,
    sort_key,
)


def judge(indicator: int, measure: str, r: dict | None) -> tuple[str, str]:
    if r is None:
        return "no_data", ""
    return judgement(indicator, measure, r.get("value"), r.get("flags"), r.get("ci_lower"), r.get("ci_upper"))


SHORT_CLASS = {"adverse_to_bme": ("adverse", "Adverse to BME staff: outside the non-adverse range 0.80 to 1.25"),
               "worse_for_bme": ("worse", "Worse for BME staff"),
               "adverse_to_white": ("adverse to White", "Adverse to White staff: below 0.80"),
               "worse_for_white": ("worse for White", "Worse for White staff")}


COMPACT_KEY = ('<p class="wres-key">In this table: <span class="wres-class wres-class--bad">adverse</span> a '
               "likelihood outside the non-adverse range 0.80 to 1.25, against BME staff; "
               '<span class="wres-class wres-class--bad">worse</span> a gap that is worse for BME staff; '
               '<span class="wres-flag">small n</span> built on small numbers, read with care. '
               "Each figure's 95% interval is on its own page.</p>")


def compact_tag(cls: str) -> str:
    """A short class word for dense tables (the full words are in the key above the table and in the title)."""
    if cls not in SHORT_CLASS:
        return ""
    word, title = SHORT_CLASS[cls]
    css = "bad" if cls in ("adverse_to_bme", "worse_for_bme") else "other"
    return f'<span class="wres-class wres-class--{css}" title="{attr(title)}">{word}</span>'


def compact_cell(indicator: int, measure: str, r: dict | None) -> tuple[str, str]:
    if r is None:
        return ("–", "")
    html_, key = figure_cell(indicator, measure, r, with_interval=False)
    html_ = html_.replace('<span class="wres-flag" title="Based on small numbers: read with care">small numbers</span>',
                          '<span class="wres-flag" title="Based on small numbers: read with care">small n</span>')
    tag = compact_tag(judge(indicator, measure, r)[0])
    return (html_ + (" " + tag if tag else ""), key)


#: The colour of each class word (a constant: class_tag is asked some 30,000 times a national build).
CLASS_CSS = {"equal": "ok", "unclear": "unclear", "adverse_to_bme": "bad", "worse_for_bme": "bad",
             "adverse_to_white": "other", "worse_for_white": "other", "more_diverse": "other",
             "untested_gap": "unclear"}


def class_tag(cls: str) -> str:
    if cls in ("no_data", "") or cls is None:
        return ""
    return f'<span class="wres-class wres-class--{CLASS_CSS[cls]}">{CLASS_LABELS[cls]}</span>'


def figure_cell(indicator: int, measure: str, r: dict | None, with_interval: bool = True) -> tuple[str, str]:
    """(html, sort key) for one figure in a sortable table: `figure_html`, and the value to sort by ("" when
    there is no figure to show)."""
    html_ = figure_html(indicator, measure, r, with_interval)
    return (html_, sort_key(r["value"]) if r is not None and shows_value(r) else "")


def shows_value(r: dict) -> bool:
    """The figure has a value and nothing (a status other than ok) keeps it from being shown."""
    return not (is_missing(r.get("value")) or (r.get("status") not in (None, "ok") and not is_missing(r.get("status"))))


def figure_html(indicator: int, measure: str, r: dict | None, with_interval: bool = True) -> str:
    """One figure in a table: value, interval, class and small-numbers mark (no sort key: most tables need none,
    and working it out was a fair part of the 50,000 figures of a national site)."""
    if r is None:
        return "–"
    k = measure_kind(indicator, measure)
    if not shows_value(r):
        status = r.get("status")
        word = {"not_calculable": "not calculable", "suppressed": "withheld", "not_collected": "not collected"}.get(
            status, "–")
        reason = r.get("reason")
        tip = f' title="{attr(str(reason))}"' if not is_missing(reason) else ""
        # In full tables the reason is printed, not only a tooltip (a phone has no hover).
        why = f' <span class="wres-reason">({esc(str(reason))})</span>' if with_interval and tip else ""
        if tip and not with_interval and status in ("not_calculable", "suppressed"):
            # Dense tables print the reason's first clause ("no BME shortlisted applicant was appointed"); the
            # whole sentence stays in the title and is printed on the figure's own page.
            why = f' <span class="wres-reason">({esc(str(reason).split(":", 1)[0])})</span>'
        return f'<span class="wres-na"{tip}>{word}</span>{why}'
    html_ = fmt_value(r["value"], k)
    fl = flags_of(r.get("flags"))
    if with_interval:
        iv = fmt_interval(r.get("ci_lower"), r.get("ci_upper"), k)
        if iv:
            html_ += f' <span class="wres-ci">({iv})</span>'
        elif k != "count":
            html_ += (' <span class="wres-ci" title="No interval is computed for this figure: see the methodology">'
                      '(no interval)</span>')
    if "small_numbers" in fl:
        html_ += ' <span class="wres-flag" title="Based on small numbers: read with care">small numbers</span>'
    if "validator_warning" in fl:
        html_ += (' <span class="wres-flag" title="The validator warned about a count behind this figure: check the '
                  'return before relying on it">validator warning</span>')
    return html_


def change_cell(indicator: int, measure: str, r: dict | None) -> str:
    """The change since the year before: both values, the change, and the verdict only where a test earned it.

    A move across parity (a likelihood across 1, a gap across 0) says so in words; an untested change
    shows both values and "not tested" (methodology, "Changes from year to year").
    """
    if r is None or is_missing(r.get("change")):
        return "–"
    k = measure_kind(indicator, measure)
    ch = float(r["change"])
    if k == "likelihood":
        txt = f"{ch:+.2f}".replace("-", "−")
    else:
        txt = f"{ch:+.1f} pp".replace("-", "−")
    prev, now = r.get("previous_value"), r.get("value")
    if not is_missing(prev) and not is_missing(now):
        txt = f"{fmt_value(prev, k)} → {fmt_value(now, k)} ({txt})"
        parity = 1.0 if k == "likelihood" else 0.0
        if k in ("likelihood", "gap") and (float(prev) - parity) * (float(now) - parity) < 0:
            if k == "likelihood" and indicator in (2, 3, 4):
                # Said as what it is: which group's rate was higher, then which is now (methodology, rule 5).
                txt = (f"{fmt_value(prev, k)} ({_higher_for(indicator, float(prev))}) → {fmt_value(now, k)} "
                       f"({_higher_for(indicator, float(now))}): crossed 1 (parity)")
            else:
                txt += " · crossed 0 (parity)"
    tr = r.get("trend")
    if not is_missing(tr) and str(tr) in TREND_LABELS:
        title = attr(TREND_MEANING[str(tr)])
        txt += f' <span class="wres-trend wres-trend--{str(tr)}" title="{title}">{TREND_LABELS[str(tr)]}</span>'
        if str(tr) in ("improved", "worsened") and "validator_warning" in flags_of(r.get("flags")):
            txt += " (but the validator warned about a count behind this year's figure: check it first)"
    return txt


def _higher_for(indicator: int, rl: float) -> str:
    """Which group's rate a likelihood above or below 1 says is higher (2 and 4 are White over BME, 3 BME over White)."""
    white_on_top = indicator in (2, 4)
    group = "White" if (rl > 1) == white_on_top else "BME"
    return f"rate higher for {group} staff"
