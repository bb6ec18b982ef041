""""Cite this" on organisation and indicator pages: sentences a journalist can quote without being wrong.

Each citation is the page's own plain-English sentence for one headline figure
(`text.sentence`: the figure, its year, who it is about, and only the verdict
words a stated rule earns), followed by where it comes from (whose WRES
return, or how many returns, and which indicator), the release (version and
date of the data; its data hash is on /downloads/) and the permanent address.
For an organisation the address is the page of that year's return, which keeps
showing that year's figures when later years are published; for an indicator it
is the indicator's page, and the sentence names the year.
"""

from __future__ import annotations

from ...model import spec
from ..text import esc, fmt_interval, is_missing, measure_kind, sentence
from .html import heading, p
from .labels import ENGLAND
from .site import Site


def permanent_address(site: Site, url: str) -> str:
    """The address to cite: absolute with `site_url`, else the path from the site's root."""
    base = (site.settings.site_url or "").rstrip("/")
    return f"{base}/{url}" if base else f"/{url}"


def _release_words(site: Site) -> str:
    # Version and date of the data, not the data hash: the whole release's hash is on /downloads/ (a page
    # changes only when what it shows changes; model/release.py).
    return esc(site.release.site_label)


def quotable(n: int, measure: str, r: dict, who: str) -> str:
    """The page's sentence for the figure, with its 95% interval (the sentence alone gives the figure, not its
    interval) and, for a group, who is missing from it (its reason)."""
    text = sentence(n, measure, r, who)
    if str(r.get("status") or "ok") != "ok":
        return text
    iv = fmt_interval(r.get("ci_lower"), r.get("ci_upper"), measure_kind(n, measure))
    if iv and iv not in text:
        text += f" The 95% interval is {iv}."
    reason = r.get("reason")
    if not is_missing(reason) and str(reason):
        text += f" {esc(str(reason)[0].upper() + str(reason)[1:])}."
    return text


def _cite_list(items: list[str]) -> str:
    return '<ul class="wres-cite">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def organisation_citations(site: Site, code: str, year: int) -> list[str]:
    """One citation per headline figure of the organisation's return for `year` (HTML, escaped)."""
    name = site.org_name(code)
    address = esc(permanent_address(site, f"organisations/{code}/{year}/"))
    out = []
    for n in spec.INDICATORS:
        measure, r = site.headline("organisation", code, year, n)
        if r is None:
            continue
        out.append(f"{quotable(n, measure, r, name)} Source: the WRES return of {name} (ODS code {esc(code)}) "
                   f"for {year}, indicator {n} ({esc(spec.INDICATOR_TITLES[n])}), as computed by "
                   f"{_release_words(site)}. {address}")
    return out


def organisation_cite_section(site: Site, code: str, year: int | None) -> list[str]:
    """The "Cite this" section of an organisation's page ([] when it has no published return)."""
    if year is None:
        return []
    items = organisation_citations(site, code, year)
    if not items:
        return []
    citation = getattr(site.downloads, "citation", "")  # the downloads' "cite this" line, when they were written
    whole = [p(f"The whole release: {esc(citation)}")] if citation else []
    return [heading(2, "Cite this"),
            p(f"Each sentence below can be quoted as it stands: it names the figure, the year, the organisation and "
              f"the return it comes from, the release, and the permanent address of the {year} return's page, which "
              f"keeps these figures when later years are added. Please quote the figure with its interval where it "
              f"has one."),
            _cite_list(items)] + whole


def indicator_cite_section(site: Site, n: int) -> list[str]:
    """The "Cite this" section of an indicator's page: England's figure for the latest year."""
    year = site.latest_year
    measure, r = site.headline(*ENGLAND, year, n)
    if r is None:
        return []
    address = esc(permanent_address(site, f"indicators/{n}/"))
    text = (f"{quotable(n, measure, r, 'NHS organisations in England')} Source: the published WRES returns for "
            f"{year}, combined over England's organisations as the methodology page describes, indicator {n} "
            f"({esc(spec.INDICATOR_TITLES[n])}), as computed by {_release_words(site)}. {address}")
    return [heading(2, "Cite this"),
            p("This sentence can be quoted as it stands: it names the figure, the year, the returns it is computed "
              "from, the release and this page's permanent address. An organisation's figure has its own sentence "
              "on the organisation's page."),
            _cite_list([text])]
