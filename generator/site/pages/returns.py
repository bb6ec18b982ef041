"""/organisations/<code>/<year>/: one return, what validation found and the counts as submitted."""

from __future__ import annotations

from functools import lru_cache

from ...model import spec
from ...publish.badges import chart_embed_html, embed_html
from ..charts import svg_file
from ..text import (
    SHORT_TITLES,
    esc,
    is_missing,
    link,
    plural,
    rel,
)
from .headline import headline_table
from .html import compose, front_matter, heading, note, p, table
from .labels import ETHNICITY_LABELS, RESOURCE_LABELS, STAFF_GROUP_LABELS, band_label, count_text
from .page import Page
from .sections import provenance
from .site import Site


def _count_cell(rec: dict, col: str) -> str:
    return count_text(rec.get(col), rec.get(f"{col}_withheld"), rec.get(f"{col}_suppressed"))


#: Where each ethnicity comes in a return's tables.
_ETHNICITY_ORDER = {e: i for i, e in enumerate(spec.ETHNICITIES)}


@lru_cache(maxsize=1)
def _workforce_rows() -> tuple[tuple[str, tuple], ...]:
    """(row header, the (group, band, ethnicity) key of each cell) of every row a return's workforce table may
    have, in order: the same for every return, so worked out once instead of for each of 1,398 returns."""
    return tuple((f"{STAFF_GROUP_LABELS[group]}, {band_label(band)}",
                  tuple((group, band, e) for e in spec.ETHNICITIES))
                 for group in spec.STAFF_GROUPS for band in spec.BANDS_BY_GROUP[group])


def return_tables(site: Site, code: str, year: int) -> list[str]:
    out = []
    name = site.org_name(code)
    cells = site.workforce.get((code, year))
    if cells:
        rows = []
        for label, keys in _workforce_rows():
            found = [cells.get(k) for k in keys]
            if found.count(None) == len(found):
                continue
            rows.append([label] + ["–" if c is None else c for c in found])
        out.append(heading(3, "Workforce"))
        out.append(table(f"{name}, {year}: headcount by staff group, band and ethnicity",
                         ["Staff group and band", "White", "BME", "Unknown"], rows, numeric={1, 2, 3}))
    for resource, cols, labels in (
        ("recruitment", ("shortlisted", "appointed"), ("Shortlisted", "Appointed")),
        ("disciplinary", ("entered_formal_process",), ("Entered the formal disciplinary process",)),
        ("training", ("accessed_training",), ("Accessed non-mandatory training or CPD",)),
        ("board", ("members", "voting_members", "executive_members"),
         ("Board members", "Voting members", "Executive members")),
    ):
        t = site.tables.get(resource, {}).get((code, year))
        if not t:
            continue
        rows = []
        for r in sorted(t, key=lambda r: _ETHNICITY_ORDER.get(str(r["ethnicity"]), 9)):
            rows.append([ETHNICITY_LABELS.get(str(r["ethnicity"]), esc(r["ethnicity"]))]
                        + [_count_cell(r, c) for c in cols])
        out.append(heading(3, RESOURCE_LABELS[resource].split(" (")[0]))
        out.append(table(f"{name}, {year}: {RESOURCE_LABELS[resource].lower()}", ["Ethnicity", *labels], rows,
                         numeric=set(range(1, len(cols) + 1))))
    ss = site.tables.get("staff_survey", {}).get((code, year))
    if ss:
        rows = []
        for r in sorted(ss, key=lambda r: (int(r["indicator"]), _ETHNICITY_ORDER.get(str(r["ethnicity"]), 9))):
            n = int(r["indicator"])
            pct = r.get("percent")
            rows.append([f"{n}. {SHORT_TITLES.get(n, '')}, {ETHNICITY_LABELS.get(str(r['ethnicity']), '')}",
                         "–" if is_missing(pct) else f"{float(pct):.1f}%",
                         _count_cell(r, "respondents") if "respondents" in r else "–"])
        out.append(heading(3, "Staff survey"))
        out.append(table(f"{name}, {year}: staff survey answers by ethnicity", ["Question and group",
                                                                               "Per cent", "Respondents"], rows,
                         numeric={1, 2}))
    pay = site.tables.get("pay", {}).get((code, year))
    if pay:
        rows = []
        for r in sorted(pay, key=lambda r: _ETHNICITY_ORDER.get(str(r["ethnicity"]), 9)):
            mean, med = r.get("mean_hourly_pay"), r.get("median_hourly_pay")
            rows.append([ETHNICITY_LABELS.get(str(r["ethnicity"]), esc(r["ethnicity"])),
                         _count_cell(r, "headcount"),
                         "–" if is_missing(mean) else f"£{float(mean):.2f}",
                         "–" if is_missing(med) else f"£{float(med):.2f}"])
        out.append(heading(3, "Pay"))
        out.append(table(f"{name}, {year}: hourly pay by ethnicity", ["Ethnicity", "Headcount", "Mean hourly pay",
                                                                     "Median hourly pay"], rows, numeric={1, 2, 3}))
    return out


def problem_list(problems: list) -> str:
    if not problems:
        return ""
    items = []
    for pr in sorted(problems, key=lambda x: x.sort_key()):
        where = esc(pr.file) + (f", line {int(pr.row)}" if pr.row is not None else "") + (
            f", field <code>{esc(pr.field)}</code>" if pr.field else "")
        sev = "Error" if pr.is_error else "Warning"
        items.append(f'<li><span class="wres-sev wres-sev--{pr.severity}">{sev}</span> {where}: {esc(pr.message)}</li>')
    return '<ul class="wres-problems">' + "".join(items) + "</ul>"


def return_page(site: Site, code: str, year: int) -> Page:
    """One return: what validation found, its figures, the counts as submitted, how to link to it."""
    org = site.orgs.get(code)
    url = f"organisations/{code}/{year}/"
    name = esc(org["org_name"]) if org else esc(code)
    r = site.returns[(code, year)]
    status = str(r.get("status"))
    probs = site.problems_by_return.get((code, year), [])
    body = [front_matter(f"{name}: WRES return {year}", search_exclude=True, hide=("navigation",),
                         description=f"The {year} WRES return of {name}."),
            heading(1, f"{name}: WRES return {year}"),
            p((f'<a href="{rel(url, f"organisations/{code}/")}">All figures and trends for {name}</a> · '
               if org else "") +
              f"ODS code {esc(code)} · collection year {year} (workforce on 31 March {year})", "wres-facts")]
    if status == "left_out":
        errors = [x for x in probs if x.is_error]
        body += [note(f"This return was <strong>left out</strong> of the published figures because validation found "
                      f"{plural(len(errors), 'error')}. Every other return is still published. The organisation can "
                      "correct its files and check them with <code>wres validate</code>.", "warning", "Left out"),
                 heading(2, "What validation found"), problem_list(probs) or p("No details were recorded.")]
    else:
        warn = [x for x in probs if not x.is_error]
        body.append(p("This return passed validation and is published."
                      + (f" Validation raised {plural(len(warn), 'warning')}: plausibility checks that do not stop "
                         "publication but are worth a second look." if warn else " No warnings were raised.")))
        if warn:
            body += [heading(2, "What validation found"), problem_list(probs)]
        body += [heading(2, "Figures from this return"),
                 headline_table(site, "organisation", code, year, f"{name}, {year}: the nine WRES indicators", url),
                 heading(2, "What was submitted"),
                 p("The counts below are exactly as submitted. A dash means the cell was empty (not available); "
                   "<abbr title=\"suppressed by the publisher\">*</abbr> means the organisation suppressed a small "
                   "number." + (f" Counts below {site.settings.withhold_below}, and counts that would reveal them, "
                                "are withheld on this site (<abbr title=\"withheld\">w</abbr>)."
                                if getattr(site.settings, "withhold_below", 0) else
                                " This site withholds no count (its setting <code>withhold_below</code> is 0): "
                                "every count is published as the return gave it."))]
        body += return_tables(site, code, year)
    rep = link(r.get("report_url"), f"the organisation's own WRES report for {year}")
    plan = link(r.get("action_plan_url"), "its action plan")
    docs = []
    docs.append(rep if rep.startswith("<a") else "no published report link")
    docs.append(plan if plan.startswith("<a") else "no published action plan link")
    body.append(heading(2, "Published documents"))
    body.append(p("Linked in the return: " + "; ".join(docs) + "."))
    body += [heading(2, "Link to this return"), share_section(site, code, year, url)]
    body.append(provenance(site, url))
    # organisations/<CODE>/<year>.md: MkDocs publishes it at organisations/<CODE>/<year>/ all the same,
    # and the docs folder needs no folder per return (its badge and charts go to the static folder).
    return Page(f"organisations/{code}/{year}.md", compose(body))


def _chart_snippet(site: Site, code: str, year: int, url: str) -> list[str]:
    """The organisation page's chart of BME staff in the workforce and in senior posts, to paste; offered
    when this return has the figure the chart draws (so its SVG exists)."""
    r = site.row("organisation", code, year, 1, "share_bme", "all")
    org = site.orgs.get(code)
    if r is None or is_missing(r.get("value")) or org is None:
        return []
    chart_path = f"organisations/{code}/{svg_file('representation')}"
    title = f"BME share of all staff and of senior staff at {org['org_name']}, by year (WRES)"
    try:
        snippet = chart_embed_html(code, year, site.settings.site_url, chart_path, title)
    except ValueError:  # a code that cannot be in an address: no snippet
        return []
    return [p(f'Or paste this chart of BME staff in the whole workforce and in senior posts, year by year '
              f'(<a href="{rel(url, chart_path)}">see the chart</a>):'),
            f'<pre class="wres-copy"><code>{esc(snippet)}</code></pre>']


def share_section(site: Site, code: str, year: int, url: str) -> str:
    base = (site.settings.site_url or "").rstrip("/")
    address = f"{base}/{url}" if base else f"/{url}"
    out = [p("Organisations can link to this page from their own WRES report: readers then see the figures, how "
             "they were computed and how they compare. Copy this address:"),
           f'<pre class="wres-copy"><code>{esc(address)}</code></pre>']
    try:
        snippet = embed_html(code, year, site.settings.site_url, status=str(site.returns[(code, year)].get("status")))
    except Exception:  # noqa: BLE001 - the badge is an extra; the page stands without it
        snippet = ""
    if snippet:
        out.append(p('Or paste this badge into a web page (it shows the return\'s status; '
                     '<a href="badge.svg">see the badge</a>):'))
        out.append(f'<pre class="wres-copy"><code>{esc(snippet)}</code></pre>')
    out += _chart_snippet(site, code, year, url)
    return "".join(out)
