"""The generated Markdown pages: one module per kind of page of outputs.md.

`write.write_pages(dataset, results, docs_dir, settings, release, downloads)` writes
every page (and its charts) into the staging docs folder and returns the paths
written. Each page function returns a `page.Page` (its path, its text, its charts)
and writes nothing; `write.write_page` is the one place pages reach the disk.

    site.py                 `Site`: the figures, register, returns and tables indexed once
    page.py                 `Page`: one page as a value
    html.py                 front matter, headings, `compose`, `p`, `note`, `table`
    labels.py               words for codes (staff groups, bands, ethnicities), count cells
    figures.py              one figure as a table cell: value, interval, class, change
    headline.py             the nine headline figures of a level and their sentences
    sections.py             band and representation tables, member tables, group notes, provenance
    trend_charts.py         the trend charts of an organisation, group or England
    goals.py                the leadership goal of an organisation
    latest.py               every organisation's latest figure of an indicator; how many lie outside the range
    england.py              /  (home)
    groups.py               /regions/..., /systems/...
    organisations_index.py  /organisations/
    organisation.py         /organisations/<code>/
    returns.py              /organisations/<code>/<year>/
    indicator.py            /indicators/ and /indicators/<n>/
    quality.py              /data-quality/
    write.py                the order pages are made in, and the writer

A page is YAML front matter and then finished HTML (`html.compose`):
tables need captions and `scope`, which Markdown tables cannot give, and
writing the HTML ourselves means every value from the data passes through
`text.esc` or `text.link` (see text.py) and nothing else. Headings carry the
ids Python-Markdown would give them; the MkDocs hook takes the table of
contents from them and skips Python-Markdown altogether. Links are relative,
computed from the page's own address as the final directory URL, so the site
works under any base path.

Codes from the data become folder names only after `spec.ORG_CODE_RE` accepts
them, and every path is checked to stay inside the docs folder
(`files.safe_join`). Pages carry nothing time-dependent: the same data gives
the same bytes.
"""
