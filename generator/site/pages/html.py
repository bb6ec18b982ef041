"""The building blocks of a page's HTML: front matter, headings, the introduction, paragraphs, notes and
accessible tables, and `compose`, which makes them one page of finished HTML for the MkDocs hook."""

from __future__ import annotations

import html as _html
import json
import re
from dataclasses import dataclass
from functools import lru_cache

from ..markers import FINISHED
from ..text import (
    RAW_CLOSE,
    RAW_OPEN,
    attr,
    raw_block,
)


def front_matter(title: str, *, description: str = "", search_exclude: bool = False, hide: tuple = ()) -> Markdown:
    """YAML front matter. `title` must already be escaped (it is printed raw by the theme)."""
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}"]
    if description:
        lines.append(f"description: {json.dumps(description, ensure_ascii=False)}")
    if search_exclude:
        lines += ["search:", "  exclude: true"]
    if hide:
        lines.append("hide:")
        lines += [f"  - {h}" for h in hide]
    lines.append("---")
    return Markdown("\n".join(lines) + "\n\n")


class Markdown(str):
    """A part of a page that MkDocs reads itself: the YAML front matter (title, description, search, hide)."""


@dataclass(frozen=True)
class Heading:
    """A heading: it makes the table of contents, the heading's id and a section of the search index.

    `compose` writes it as finished HTML, with the id Python-Markdown's toc extension would give the
    same heading written as Markdown (so anchors never move). `text` is safe HTML.
    """

    level: int
    text: str


@dataclass(frozen=True)
class Intro:
    """A page's introductory paragraph, kept out of the raw blocks so that search finds the page by it.

    MkDocs's search index is built from the page's content before the hook puts the raw blocks back, so
    a page is found by its title, its headings and this paragraph (naming the organisation, system or
    region and its code). `html` is one line of safe inline HTML (our words, `esc` of data, `link`).
    """

    html: str
    cls: str = ""

    def __post_init__(self) -> None:
        if "\n" in self.html:
            raise ValueError("an introduction is one line")


#: What a page is made of (see compose): the front matter, headings, the introduction and finished HTML.
heading, intro = Heading, Intro


@lru_cache(maxsize=4096)
def _slug(text: str) -> str:
    """The id Python-Markdown's toc extension makes from a heading's text, before it is made unique."""
    from markdown.extensions.toc import slugify, strip_tags

    return slugify(_html.unescape(strip_tags(text)), "-")


def _heading_html(h: Heading, used: set[str], counters: dict[str, int]) -> str:
    """`<hN id="...">text</hN>` with the id Python-Markdown's toc extension gives the same heading."""
    from markdown.extensions.toc import unique

    return f'<h{h.level} id="{unique(_slug(h.text), used, counters)}">{h.text}</h{h.level}>'


def compose(blocks: list[str]) -> str:
    """A page from its blocks: the front matter, then finished HTML.

    Headings become `<hN id>` and the introduction a paragraph; each run of HTML blocks between them
    becomes one raw block (`text.raw_block`), which the MkDocs hook lifts out while MkDocs indexes the
    page for search and puts back into the finished page. The `FINISHED` marker tells the hook that the
    body needs no Markdown at all: it takes the headings for the table of contents and skips
    Python-Markdown, which was most of MkDocs' time on generated pages. Prose, notes, lists, tables and
    figures are finished HTML with links written as the final relative directory URLs.

    Without the hook (another builder) the body is read as raw HTML: the page is the same, without its
    table of contents in the sidebar.
    """
    head: list[str] = []
    out: list[str] = []
    run: list[str] = []
    used: set[str] = set()
    counters: dict[str, int] = {}

    def flush() -> None:
        if run:
            out.append(raw_block("\n".join(run)))
            run.clear()

    for block in blocks:
        if not block:
            continue
        if isinstance(block, Heading):
            flush()
            out.append(_heading_html(block, used, counters))
        elif isinstance(block, Intro):
            flush()
            out.append(p(block.html, block.cls))
        elif isinstance(block, Markdown):
            if out or run:
                raise ValueError("front matter comes first")
            head.append(block)
        else:
            run.append(block.replace(RAW_OPEN, "").replace(RAW_CLOSE, ""))
    flush()
    return "".join(head) + FINISHED + "\n" + "\n".join(out) + "\n"


def p(html: str, cls: str = "") -> str:
    return f'<p class="{cls}">{html}</p>' if cls else f"<p>{html}</p>"


def note(html: str, kind: str = "note", title: str = "Note") -> str:
    return (f'<div class="admonition {kind}"><p class="admonition-title">{title}</p>'
            f"<p>{html}</p></div>")


def table(caption: str, head: list[str], rows: list[list[str]], *, sortable: bool = False, row_header: bool = True,
          table_id: str = "", numeric: set[int] = frozenset(), stack: bool = False) -> str:
    """An accessible table: caption, column headers with scope, first cell a row header.

    Cells are safe HTML already. A cell may be a tuple (html, sort_key) for sortable tables.

    On a narrow screen a table either scrolls sideways inside its own labelled region with its first
    column held in place (wres.css), or, with `stack`, becomes one block per row: each cell under its
    column's name (`data-label`), for short tables read one row at a time (the headline figures). A
    stacked table carries explicit ARIA table roles, because some browsers drop a table's semantics
    once CSS displays it as blocks.
    """
    cls = "wres-table" + (" wres-sortable" if sortable else "") + (" wres-stack" if stack else "")
    tid = f' id="{attr(table_id)}"' if table_id else ""
    width = max([len(head)] + [len(row) for row in rows])
    num = [' class="num"' if i in numeric else "" for i in range(width)]
    roles = _STACK_ROLES if stack else _NO_ROLES
    # Tables stay out of the search index (data-search-exclude): pages are found by their names and words.
    out = [f'<div class="wres-scroll" tabindex="0" role="region" aria-label="{attr(_strip(caption))}" '
           f'data-search-exclude>'
           f'<table class="{cls}"{tid}{roles["table"]}><caption>{caption}</caption>'
           f'<thead{roles["rowgroup"]}><tr{roles["row"]}>']
    out += [f'<th scope="col"{roles["columnheader"]}{num[i]}>{h}</th>' for i, h in enumerate(head)]
    out.append(f'</tr></thead><tbody{roles["rowgroup"]}>')
    # Each column's opening and closing tag, worked out once per table rather than once per cell (tables are
    # most of a page, and a national site has some 11,000 of them).
    if stack:
        labels = [attr(_strip(h)) for h in head] + [""] * (width - len(head))
        opens = [f'<td role="cell" data-label="{label}"{n}>' for label, n in zip(labels, num)]
    else:
        opens = [f"<td{n}>" for n in num]
    closes = ["</td>"] * width
    if row_header:
        opens[0], closes[0] = f'<th scope="row"{roles["rowheader"]}>', "</th>"
    tr = f'<tr{roles["row"]}>'
    for row in rows:
        if tuple in map(type, row):  # some cells carry a sort key
            cells = [_sortable_cell(cell, i == 0 and row_header, num[i]) if type(cell) is tuple
                     else f"{opens[i]}{cell}{closes[i]}" for i, cell in enumerate(row)]
        else:
            cells = [f"{o}{cell}{c}" for o, cell, c in zip(opens, row, closes)]
        out.append(f"{tr}{''.join(cells)}</tr>")
    out.append("</tbody></table></div>")
    return raw_block("".join(out))


_NO_ROLES = dict.fromkeys(("table", "rowgroup", "row", "columnheader", "rowheader"), "")
_STACK_ROLES = {k: f' role="{k}"' for k in _NO_ROLES}


def _sortable_cell(cell: tuple, header: bool, num: str) -> str:
    """A cell given as (html, sort key): the key, when there is one, goes in data-sort."""
    html_, key = cell
    ds = f' data-sort="{attr(key)}"' if key is not None else ""
    return f'<th scope="row"{ds}>{html_}</th>' if header else f"<td{ds}{num}>{html_}</td>"


_TAGS = re.compile(r"<[^>]+>")


def _strip(html: str) -> str:
    """The plain text of a piece of safe HTML (tags dropped, entities read), for an attribute: `attr` escapes
    it once. Without reading the entities, "Barts &amp; The London" would be escaped twice and read aloud
    as "Barts &amp; The London"."""
    return " ".join(_html.unescape(_TAGS.sub("", html)).split())


def in_details(summary: str, content: str) -> str:
    """content folded under a summary line; nothing when there is no content."""
    return f'<details class="wres-data"><summary>{summary}</summary>{content}</details>' if content else ""
