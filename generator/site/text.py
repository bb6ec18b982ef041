"""Plain-English text for the pages, and the escaping that keeps data inert.

Every string that comes from the data (organisation and system names, URLs,
notes, problem messages) reaches a page only through `esc` (for HTML and for
Markdown alike) or `link` (for URLs). `esc` HTML-escapes and then turns every
character Markdown gives a meaning to into a numeric character reference, so a
name such as ``<script>alert(1)</script>`` or ``[x](javascript:alert(1))`` is
shown exactly as written and never becomes markup or a link. Only http(s)
URLs ever become links.

The sentences below say what a figure means and whether it is good or bad,
in words a member of the public can follow; the numbers beside them stay
exact for journalists and analysts.
"""

from __future__ import annotations

import html
import math
import re
from functools import lru_cache
from urllib.parse import urlsplit

from ..compute.rounding import kind_of
from ..model import spec
from ..publish.addresses import rel  # noqa: F401  (pages and charts take it from here)
from ..publish.figure_class import CLASS_LABELS as FILE_CLASS_LABELS
from ..publish.figure_class import figure_class
from .markers import RAW_CLOSE, RAW_OPEN  # the page format's markers, which the hook lifts out

# Characters Markdown (and its extensions: attr_list braces, tables, emphasis,
# autolinks, footnotes, abbreviations) can read as syntax. Encoded as numeric
# references they display the same but are plain text to every parser.
_MD_SPECIAL = set("\\`*_{}[]()#+-.!|<>~^=:&\"'$%@")
_MD_TABLE = {ord(c): f"&#{ord(c)};" for c in _MD_SPECIAL}



def raw_block(html_text: str) -> str:
    """Mark a finished block of HTML (prose, notes, tables, figures) that Markdown need not parse.

    The MkDocs hook lifts such blocks out before Markdown runs and puts them
    back into the finished page, which makes a national build several times
    faster (Python-Markdown's HTML scanning was most of the MkDocs time).
    Without the hook (another builder) the markers are plain HTML comments
    and the block is parsed as ordinary raw HTML: the page is the same.
    """
    return f"{RAW_OPEN}{html_text}{RAW_CLOSE}"


def esc(value: object) -> str:
    """Any data value as inert text, safe in HTML, in Markdown and in attributes."""
    if type(value) is str:  # the common case: names and codes, escaped once each (pages repeat them)
        return _esc_text(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    try:
        import pandas as pd

        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return _esc_text(str(value))


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NEWLINES = re.compile(r"\s*[\r\n]+\s*")


@lru_cache(maxsize=65536)
def _esc_text(text: str) -> str:
    # Control characters (other than tab/newline) have no business on a page.
    text = _CONTROL.sub("", text)
    # Newlines would let a value start a Markdown block: keep values on one line.
    text = _NEWLINES.sub(" ", text)
    return text.translate(_MD_TABLE)


def attr(value: object) -> str:
    """A value for a double-quoted HTML attribute (hrefs we build ourselves, sort keys)."""
    return html.escape("" if value is None else str(value), quote=True)


def safe_url(url: object) -> str | None:
    """The URL when it is a plain http(s) address, else None (never a javascript: link)."""
    if url is None:
        return None
    try:
        import pandas as pd

        if pd.isna(url):
            return None
    except (TypeError, ValueError):
        pass
    text = str(url).strip()
    if not text or any(c in text for c in "\x00\r\n\t <>\"'`"):
        return None
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


def link(url: object, label: str, *, external: bool = True) -> str:
    """An <a> to a data URL, or the escaped label alone when the URL is not http(s).

    `label` must already be safe HTML (our own words, or `esc` of data).
    """
    ok = safe_url(url)
    if ok is None:
        return label
    rel_attr = ' rel="noopener noreferrer nofollow"' if external else ""
    # Escape the URL fully (also Markdown specials do not matter inside an attribute,
    # but & and quotes do).
    return f'<a href="{attr(ok)}"{rel_attr}>{label}</a>'


# ---------------------------------------------------------------- numbers

def is_missing(value: object) -> bool:
    if value is None:
        return True
    t = type(value)
    if t is float:
        return value != value  # NaN
    if t is int or t is str or t is bool:
        return False
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_int(value: object) -> str:
    if type(value) is int:
        return f"{value:,}"
    if is_missing(value):
        return "–"
    return f"{int(value):,}"


@lru_cache(maxsize=256)  # a few dozen measures, asked about some 100,000 times a national build
def measure_kind(indicator: int, measure: str) -> str:
    """likelihood | gap | share | percent | count: what kind of number a measure is (the kinds the rounding
    rule is stated for, `rounding.kind_of`)."""
    return kind_of(measure)


def fmt_value(value: object, kind: str) -> str:
    """A figure as people read it: 1.23 for likelihoods, 12.3% for shares, +1.2 pp for gaps."""
    if is_missing(value):
        return "–"
    v = float(value)
    if kind == "likelihood":
        return f"{v:.2f}"
    if kind in ("share", "percent"):
        return f"{v:.1f}%"
    if kind == "gap":
        sign = "+" if v > 0 else ("−" if v < 0 else "")
        return f"{sign}{abs(v):.1f} pp"
    return fmt_int(v)


def fmt_interval(lower: object, upper: object, kind: str) -> str:
    if is_missing(lower) or is_missing(upper):
        return ""
    if kind == "likelihood":
        return f"{float(lower):.2f} to {float(upper):.2f}"
    if kind == "gap":
        return f"{float(lower):+.1f} to {float(upper):+.1f} pp".replace("-", "−")
    return f"{float(lower):.1f} to {float(upper):.1f}"


def sort_key(value: object) -> str:
    """data-sort attribute value: numbers as plain decimals, missing as empty."""
    if is_missing(value):
        return ""
    try:
        return repr(round(float(value), 6))
    except (TypeError, ValueError):
        return attr(value)


# ---------------------------------------------------------------- indicator words

#: The headline figure of each indicator: (measure, breakdown, fallback measure).
HEADLINE = {
    1: ("senior_gap_pp", "all"),
    2: ("relative_likelihood", "all"),
    3: ("relative_likelihood_2yr", "all"),
    4: ("relative_likelihood", "all"),
    5: ("gap_pp", "all"),
    6: ("gap_pp", "all"),
    7: ("gap_pp", "all"),
    8: ("gap_pp", "all"),
    9: ("gap_pp_voting", "all"),
}
#: Where a headline is missing (e.g. no two-year figure in a first year), the figure shown instead.
HEADLINE_FALLBACK = {3: ("relative_likelihood", "all"), 1: ("senior_gap_pp", "senior")}

SHORT_TITLES = {
    1: "Senior representation gap",
    2: "Appointment from shortlisting",
    3: "Formal disciplinary process",
    4: "Non-mandatory training",
    5: "Harassment from the public",
    6: "Harassment from staff",
    7: "Equal opportunities for progression",
    8: "Discrimination at work",
    9: "Board compared with workforce",
}

MEASURE_LABELS = {
    "share_bme": "BME share",
    "share_white": "White share",
    "share_unknown": "Unknown ethnicity share",
    "share_bme_known": "BME share of known ethnicity",
    "headcount": "Headcount",
    "senior_gap_pp": "Gap between BME share of workforce and of bands 8a to VSM",
    "relative_likelihood": "Relative likelihood",
    "relative_likelihood_2yr": "Relative likelihood, two years pooled",
    "percent_white": "White staff, %",
    "percent_bme": "BME staff, %",
    "gap_pp": "Gap, BME minus White",
    "gap_pp_all": "Gap, all board members",
    "gap_pp_voting": "Gap, voting members",
    "gap_pp_executive": "Gap, executive members",
}

#: What each indicator's headline measures, in one clause.
WHAT = {
    1: "how much lower the BME share of senior staff (bands 8a to VSM) is than the BME share of the whole workforce",
    2: "how many times more likely White shortlisted applicants are to be appointed than BME shortlisted applicants",
    3: "how many times more likely BME staff are to enter the formal disciplinary process than White staff",
    4: "how many times more likely White staff are to access non-mandatory training and CPD than BME staff",
    5: "the percentage of BME staff minus the percentage of White staff who experienced harassment, bullying or abuse from patients, relatives or the public",
    6: "the percentage of BME staff minus the percentage of White staff who experienced harassment, bullying or abuse from other staff",
    7: "the percentage of BME staff minus the percentage of White staff who believe the organisation gives equal opportunities for career progression",
    8: "the percentage of BME staff minus the percentage of White staff who experienced discrimination from a manager, team leader or colleague",
    9: "the BME share of the board's voting members minus the BME share of the whole workforce (the WRES technical guidance defines indicator 9 on voting membership; executive and all members are shown beside it)",
}

GOOD = {
    1: "0 means senior staff are as diverse as the workforce; a positive gap means BME staff are under-represented at senior levels",
    2: "1.00 means equal treatment; above 1 means worse for BME applicants. Values from 0.80 to 1.25 are treated as no adverse difference",
    3: "1.00 means equal treatment; above 1 means worse for BME staff. Values from 0.80 to 1.25 are treated as no adverse difference",
    4: "1.00 means equal treatment; above 1 means worse for BME staff. Values from 0.80 to 1.25 are treated as no adverse difference",
    5: "0 means no difference; a positive gap means BME staff fare worse",
    6: "0 means no difference; a positive gap means BME staff fare worse",
    7: "0 means no difference; a negative gap means BME staff fare worse",
    8: "0 means no difference; a positive gap means BME staff fare worse",
    9: "0 means the board's voting members are as diverse as the workforce; negative means the board is less diverse, positive more diverse",
}


def flags_of(flags: object) -> frozenset[str]:
    """The flags of a figure ("small_numbers;adverse_to_bme") as a set of words."""
    if is_missing(flags):
        return frozenset()
    return _split_flags(str(flags))


@lru_cache(maxsize=256)
def _split_flags(text: str) -> frozenset[str]:
    """A site has a handful of distinct flag strings and some 80,000 figures that carry one: split each once."""
    return frozenset(f for f in text.split(";") if f)


def judgement(indicator: int, measure: str, value: object, flags: object = "", lower: object = None,
              upper: object = None) -> tuple[str, str]:
    """(class word, sentence fragment): is the figure good or bad, in plain words.

    The class comes from the one rule the downloads use too (`publish.figure_class`, stated on
    /methodology/), so a page and headline-figures.csv never disagree; this adds the words. Class words:
    "equal", "adverse_to_bme", "adverse_to_white", "worse_for_bme", "worse_for_white", "more_diverse",
    "unclear", "untested_gap" (a survey gap with no interval: its direction is shown, no verdict), "no_data".
    """
    cls = figure_class(indicator, measure, value, flags, lower, upper)
    if not cls:
        return "no_data", "there is no figure"
    return cls, _class_words(cls, indicator, measure_kind(indicator, measure))


def _class_words(cls: str, indicator: int, kind: str) -> str:
    if cls in ("adverse_to_bme", "adverse_to_white"):
        who = "BME" if cls == "adverse_to_bme" else "White"
        return f"this is outside the non-adverse range (0.80 to 1.25): adverse to {who} staff"
    if cls == "equal":
        return {"likelihood": "this is within the non-adverse range (0.80 to 1.25)", "gap": "there is no gap"}.get(kind, "")
    if cls == "worse_for_bme":
        return "BME staff fare worse" if indicator not in (1, 9) else "BME staff are under-represented"
    if cls == "more_diverse":
        # A board (or senior staff) more diverse than the workforce is that, not "worse for White staff".
        return f"{'the board' if indicator == 9 else 'senior staff'} is more diverse than the workforce"
    return {"unclear": "but the 95% interval includes 0, so the difference could be chance",
            "untested_gap": "not tested: with no respondent counts there is no interval to tell it from chance",
            "worse_for_white": "White staff fare worse"}[cls]


#: Class word -> the words a reader sees: the downloads' labels, and "No figure" where there is none.
CLASS_LABELS = {**FILE_CLASS_LABELS, "no_data": "No figure"}

TREND_LABELS = {
    "improved": "Improved",
    "worsened": "Worsened",
    "no_clear_change": "No clear change",
    "not_tested": "Not tested",
}

#: What each trend word means, for a title or a key (methodology, "Changes from year to year").
TREND_MEANING = {
    "improved": "closer to parity (or better), by a change a test says is unlikely to be chance and at least the "
                "minimum meaningful change",
    "worsened": "further from parity (or worse), by a change a test says is unlikely to be chance and at least the "
                "minimum meaningful change",
    "no_clear_change": "tested: not a clear change of at least the minimum meaningful size, or a move across parity",
    "not_tested": "no test is possible (no counts behind one of the two figures): both values are shown, no verdict",
}


def survey_source(year: object) -> str:
    """Which staff survey a WRES year's survey figures come from (the autumn before the collection year)."""
    try:
        return f" (NHS Staff Survey, autumn {int(year) - 1})" if year is not None else ""
    except (TypeError, ValueError):
        return ""


def fmt_rate(value: object) -> str:
    """A rate behind a likelihood, as published (2 decimals, percent)."""
    if is_missing(value):
        return ""
    return f"{float(value):.2f}%"


#: The two rates of each likelihood in words: (what the rate is of, its outcome).
RATE_WORDS = {
    2: ("shortlisted applicants", "were appointed"),
    3: ("staff", "entered the formal disciplinary process"),
    4: ("staff", "accessed non-mandatory training or CPD"),
}


def rates_sentence(indicator: int, row: dict) -> str:
    """ "24.62% of White shortlisted applicants were appointed, against 20.10% of BME shortlisted applicants" """
    if indicator not in RATE_WORDS or is_missing(row.get("rate_white")) or is_missing(row.get("rate_bme")):
        return ""
    of, did = RATE_WORDS[indicator]
    if indicator == 3:  # the ratio is BME over White: its numerator first
        return f"{fmt_rate(row['rate_bme'])} of BME {of} {did}, against {fmt_rate(row['rate_white'])} of White {of}"
    return f"{fmt_rate(row['rate_white'])} of White {of} {did}, against {fmt_rate(row['rate_bme'])} of BME {of}"


def ordinal(n: int) -> str:
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _unavailable_sentence(indicator: int, row: dict, who: str) -> str:
    """The sentence for a figure that has no value: says why (withheld, not collected, not calculable)."""
    status = str(row.get("status") or "")
    year = row.get("year")
    reason = esc(row.get("reason")) if not is_missing(row.get("reason")) else ""
    what = {"not_collected": "was not collected", "suppressed": "was withheld (small numbers)",
            "not_calculable": "could not be calculated"}.get(status, "is not available")
    text = f"For {year}, this figure for {who} {what}" + (f": {reason}." if reason else ".")
    rates = rates_sentence(indicator, row) if status == "not_calculable" else ""
    return text + (f" {rates[0].upper()}{rates[1:]}." if rates else "")


def _zero_likelihood_sentence(indicator: int, row: dict, who: str, words: str, fl: set) -> str:
    """A relative likelihood of 0 says who had none of the outcome, not a ratio nobody can picture."""
    year = row.get("year")
    core = {2: f"In {year}, no White shortlisted applicant at {who} was appointed, while some BME applicants were",
            3: f"In {year}, no BME staff at {who} entered the formal disciplinary process, while some White "
               f"staff did",
            4: f"In {year}, no White staff at {who} accessed non-mandatory training or CPD, while some BME "
               f"staff did"}[indicator]
    small = " It rests on small numbers, so read it with care." if "small_numbers" in fl else ""
    iv = fmt_interval(row.get("ci_lower"), row.get("ci_upper"), "likelihood")
    return (f"{core}. The relative likelihood is 0; {words}" + (f" (95% interval {iv}, with 0.5 added to each "
            f"count because one of them is 0)" if iv else "") + f".{small}")


def _likelihood_text(indicator: int, row: dict, who: str, v: float, words: str) -> str:
    """Indicators 2 to 4: the ratio in words, with the rates beside it."""
    year = row.get("year")
    if indicator == 2:
        core = (f"In {year}, White shortlisted applicants at {who} were {v:.2f} times as likely to be "
                f"appointed as BME shortlisted applicants")
    elif indicator == 3:
        core = f"In {year}, BME staff at {who} were {v:.2f} times as likely as White staff to enter the formal disciplinary process"
    else:
        core = f"In {year}, White staff at {who} were {v:.2f} times as likely as BME staff to access non-mandatory training or CPD"
    rates = rates_sentence(indicator, row)
    text = f"{core} ({rates})" if rates else core
    return f"{text}; {words}."


def _senior_share_text(year: object, who: str, v: float) -> str:
    """Indicator 1: the gap between the BME share of senior staff and of the whole workforce."""
    if v > 0:
        return (f"In {year}, the BME share of senior staff (bands 8a to VSM) at {who} was {abs(v):.1f} percentage "
                f"points lower than the BME share of the whole workforce: BME staff are under-represented in senior posts.")
    if v < 0:
        return (f"In {year}, the BME share of senior staff (bands 8a to VSM) at {who} was {abs(v):.1f} percentage "
                f"points higher than the BME share of the whole workforce.")
    return f"In {year}, senior staff at {who} were as diverse as the whole workforce."


def _board_share_text(year: object, who: str, v: float) -> str:
    """Indicator 9: the gap between the BME share of the voting board and of the workforce."""
    if v < 0:
        return (f"In {year}, the BME share of the voting board members at {who} was {abs(v):.1f} percentage points "
                f"lower than the BME share of the workforce: the board is less diverse than the staff it leads.")
    if v > 0:
        return (f"In {year}, the BME share of the voting board members at {who} was {abs(v):.1f} percentage points "
                f"higher than the BME share of the workforce: the board is more diverse than the workforce.")
    return f"In {year}, the voting board members at {who} were as diverse as the workforce."


def _survey_text(indicator: int, year: object, who: str, v: float, cls: str, words: str,
                 fl: set) -> tuple[str, set]:
    """Indicators 5 to 8 (staff survey); an unclear gap drops the 'significant' flag, so the flags come back too."""
    topic = {5: "experienced harassment, bullying or abuse from patients, relatives or the public",
             6: "experienced harassment, bullying or abuse from staff",
             7: "believed the organisation provides equal opportunities for career progression",
             8: "experienced discrimination from a manager, team leader or colleague"}[indicator]
    when = f"{year}{survey_source(year)}"
    if abs(v) < 0.05:
        return f"In {when}, BME and White staff at {who} were equally likely to say they {topic}.", fl
    more = "more" if v > 0 else "fewer"
    if cls == "unclear":
        words = "the 95% interval includes 0, so this could be chance"
        fl = fl - {"significant"}
    return (f"In {when}, {abs(v):.1f} percentage points {more} BME staff than White staff at {who} said they "
            f"{topic}; {words}."), fl


def _caveats(kind: str, row: dict, fl: set) -> str:
    """The closing sentence: significance (or that it could be chance) and small numbers."""
    extra = []
    if "significant" in fl:
        extra.append("the difference is statistically significant (unlikely to be chance alone)")
    elif kind == "likelihood" and not is_missing(row.get("ci_lower")):
        extra.append("the difference could be chance: the 95% interval includes 1")
    if "small_numbers" in fl:
        extra.append("it rests on small numbers, so read it with care")
    return " " + "; ".join(extra).capitalize() + "." if extra else ""


def sentence(indicator: int, measure: str, row: dict, who: str) -> str:
    """One plain-English sentence for a headline figure. `who` is safe HTML (escaped name)."""
    kind = measure_kind(indicator, measure)
    status = str(row.get("status") or "")
    value = row.get("value")
    year = row.get("year")
    if status and status != "ok" or is_missing(value):
        return _unavailable_sentence(indicator, row, who)
    v = float(value)
    fl = flags_of(row.get("flags"))
    cls, words = judgement(indicator, measure, value, row.get("flags"), row.get("ci_lower"), row.get("ci_upper"))
    if kind == "likelihood" and v == 0:
        return _zero_likelihood_sentence(indicator, row, who, words, fl)
    if kind == "likelihood":
        text = _likelihood_text(indicator, row, who, v, words)
    elif indicator == 1:
        text = _senior_share_text(year, who, v)
    elif indicator == 9:
        text = _board_share_text(year, who, v)
    else:
        text, fl = _survey_text(indicator, year, who, v, cls, words, fl)
    return text + _caveats(kind, row, fl)


def org_type_label(value: object) -> str:
    if is_missing(value):
        return ""
    return spec.ORG_TYPE_LABELS.get(str(value), esc(value))


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"
