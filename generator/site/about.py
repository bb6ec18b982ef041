"""The About page's part that depends on who publishes the site: publisher, reporting an error, the code.

site_src/docs/about.md is written by hand; it holds `ABOUT_MARKER` where this
part goes, and the MkDocs hook puts `publisher_section(settings)` there (settings
from mkdocs.yml's `extra: wres:` block), so each publisher's site names its own
publisher without editing the page. Every value is the publisher's own text and
is escaped: it is shown, never run.
"""

from __future__ import annotations

import html
import re

from ..model.settings import Settings

#: Where about.md takes the publisher's section (an HTML comment: invisible if nothing replaces it).
ABOUT_MARKER = "<!-- wres:publisher -->"

_MARKDOWN = re.compile(r"([\\`*_\[\]{}#|!])")
_EMAIL = re.compile(r"[^@\s<>\"'()]+@[^@\s<>\"'()]+\.[A-Za-z]{2,}")
_WEB = re.compile(r"https?://[^\s<>\"']+")


def _text(value: str) -> str:
    """Plain text safe in Markdown: HTML escaped, Markdown's own characters taken literally."""
    return _MARKDOWN.sub(r"\\\1", html.escape(value.strip(), quote=False))


def _link(value: str, words: str | None = None) -> str | None:
    """A link to a web or email address, or None when `value` is neither (nothing else becomes a link)."""
    value = value.strip()
    if _WEB.fullmatch(value):
        href = value
    elif _EMAIL.fullmatch(value):
        href = "mailto:" + value
    else:
        return None
    shown = html.escape(words or value, quote=False)
    return f'<a href="{html.escape(href, quote=True)}">{shown}</a>'


def publisher_section(settings: Settings) -> str:
    """Markdown: who publishes the site, how to report an error, where the code lives."""
    out = ["## Who publishes this site", ""]
    if settings.publisher.strip():
        out.append(f"This site is published by {_text(settings.publisher)}.")
    else:
        out.append("This site does not name its publisher (the `publisher` setting of its mkdocs.yml is empty).")
    if settings.demonstration:
        out.append("It is a demonstration of Open WRES: the organisations and figures on it are fictional.")
    out += ["", "## Reporting an error", "",
            "Each figure is computed from the organisation's own published return: its return page lists what "
            "was submitted and what validation found, so check that first. A figure that does not match the "
            "return, or anything else wrong on this site, can be reported to the publisher:"]
    contact = _link(settings.report_errors_to)
    if contact:
        out.append(f"{contact}.")
    elif settings.report_errors_to.strip():
        out.append(f"{_text(settings.report_errors_to)}.")
    else:
        out.append("no address for reports is set (the `report_errors_to` setting of its mkdocs.yml); "
                   + ("please open an issue where the code lives." if _link(settings.source_code_url)
                      else "please contact the publisher."))
    out += ["", "## The code", "",
            "The site is made by Open WRES, an open-source generator (MIT licence) that anyone can run on the "
            "same data to check every figure."]
    code = _link(settings.source_code_url)
    out.append(f"Its code lives at {code}." if code else
               "This site does not say where its code lives (the `source_code_url` setting of its mkdocs.yml).")
    return "\n".join(out) + "\n"


def fill_about(markdown: str, settings: Settings) -> str:
    """about.md with its marker replaced by the publisher's section (unchanged without the marker)."""
    return markdown.replace(ABOUT_MARKER, publisher_section(settings)) if ABOUT_MARKER in markdown else markdown
