"""The built sample site at 390 px (a phone) in a real headless Chromium: nothing is wider than the screen.

For a representative set of pages: the page never scrolls sideways, and every element that reaches
past the screen's edge sits inside an intended scrolling region: one of our tables' labelled, focusable
regions (`.wres-scroll[role=region]`), or Material's wrapper of a Markdown table. A region that does
scroll must keep its rows' names in view: its first column stays put when the region is scrolled to
its far end (checked by scrolling it, not by reading the CSS). Short tables stacked into blocks
(`table(stack=True)`, the headline figures) must not need to scroll at all. And on a 1280 px desktop a
section page's content is not narrowed by a sidebar with nothing in it.

Needs Debian's Chromium at /usr/bin/chromium (no browser download); skipped without it, except under
CI=true, where it fails (as tests/test_browser.py).
"""

from __future__ import annotations

import pytest
from helpers import BROWSER_MARKS

PHONE = {"width": 390, "height": 844}

pytestmark = BROWSER_MARKS

#: Where the page reaches past the screen (folded parts opened), and how each scrolling region behaves when
#: scrolled to its end.
MEASURE = r"""() => {
  document.querySelectorAll('.md-content details').forEach(d => { d.open = true; });  // folded tables count too
  const vw = document.documentElement.clientWidth;
  const intended = (el) => el.matches('.wres-scroll[role="region"][tabindex="0"][aria-label]')
                           || el.matches('.md-typeset__scrollwrap');
  const scroller = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll') return a;
    }
    return null;
  };
  const out = {vw, pageWidth: document.documentElement.scrollWidth, outside: [], regions: []};
  for (const el of document.querySelectorAll('.md-content *')) {
    if (el.ownerSVGElement || !el.checkVisibility()) continue;  // an SVG is measured whole (it clips its inside)
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || (r.right <= vw + 1 && r.left >= -1)) continue;
    let region = scroller(el);
    while (region && !intended(region)) region = scroller(region);
    const fits = region && region.getBoundingClientRect().right <= vw + 1 && region.getBoundingClientRect().left >= -1;
    const where = `(${Math.round(r.left)} to ${Math.round(r.right)} px)`;
    if (!fits) out.outside.push(`${el.tagName.toLowerCase()}.${el.className} ${where}`);
  }
  for (const region of document.querySelectorAll('.wres-scroll, .md-typeset__scrollwrap')) {
    if (region.scrollWidth <= region.clientWidth + 1) continue;
    const label = region.getAttribute('aria-label') || region.textContent.trim().slice(0, 60);
    const rows = [...region.querySelectorAll('tbody tr')].slice(0, 3);
    region.scrollLeft = region.scrollWidth;
    const left = region.getBoundingClientRect().left;
    const held = rows.length > 0 && rows.every(tr => Math.abs(tr.firstElementChild.getBoundingClientRect().left - left) <= 2);
    region.scrollLeft = 0;
    out.regions.push({label, stacked: !!region.querySelector('table.wres-stack'), held,
                      width: region.scrollWidth, box: region.clientWidth});
  }
  return out;
}"""


@pytest.fixture(scope="module")
def pages(sample_site) -> dict[str, str]:
    """One page of each kind a reader reaches, chosen from the built site (not named by hand)."""
    orgs = sample_site / "organisations"
    org = next(o for o in sorted(p.name for p in orgs.iterdir() if p.is_dir())
               if (orgs / o / "charts.json").is_file() and any((orgs / o).glob("20*/index.html")))
    year = sorted(p.name for p in (orgs / org).glob("20*") if (p / "index.html").is_file())[-1]
    region = sorted(p.name for p in (sample_site / "regions").iterdir() if (p / "index.html").is_file())[0]
    return {"home": "", "organisation": f"organisations/{org}/", "return": f"organisations/{org}/{year}/",
            "indicator": "indicators/2/", "region": f"regions/{region}/", "organisations": "organisations/",
            "methodology": "methodology/", "downloads": "downloads/"}


KINDS = ["home", "organisation", "return", "indicator", "region", "organisations", "methodology", "downloads"]


@pytest.mark.parametrize("kind", KINDS)
def test_nothing_is_wider_than_a_phone_but_inside_a_scrolling_region(kind, browser, site_server, pages):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        response = page.goto(site_server + pages[kind], wait_until="load")
        assert response is not None and response.status == 200
        # Charts are SVG in the page, drawn at build time: they have their width as soon as it loads.
        assert page.evaluate("() => [...document.querySelectorAll('.wres-chart[data-chart]')]"
                             ".every(e => e.querySelector('svg'))")
        found = page.evaluate(MEASURE)
        assert found["vw"] == PHONE["width"], "the page does not set a device-width viewport"
        assert found["pageWidth"] <= found["vw"], f"{kind}: the page scrolls sideways ({found['pageWidth']} px)"
        assert found["outside"] == [], f"{kind}: wider than the screen, outside any scrolling region: " \
                                       f"{found['outside'][:5]}"
        stacked = [r["label"] for r in found["regions"] if r["stacked"]]
        assert stacked == [], f"{kind}: tables stacked for phones still scroll sideways: {stacked}"
        loose = [f"{r['label']} ({r['width']} px in {r['box']} px)" for r in found["regions"] if not r["held"]]
        assert loose == [], f"{kind}: a scrolling table loses its first column when scrolled: {loose}"
    finally:
        context.close()


@pytest.mark.parametrize("kind", ["home", "methodology", "organisations"])
def test_section_pages_take_the_width_an_empty_sidebar_would(kind, browser, site_server, pages):
    """Each tab holds one page, so the left sidebar would only repeat the page's title (issue 17)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(site_server + pages[kind], wait_until="load")
        shown = page.evaluate("[...document.querySelectorAll('.md-sidebar--primary .md-nav__link')]"
                              ".filter(a => a.getBoundingClientRect().width > 0).length")
        content = page.evaluate("document.querySelector('.md-content').getBoundingClientRect().left")
        assert shown == 0 and content < 100, f"{kind}: a sidebar of {shown} links narrows the content"
        # On a phone the same element is the menu: it still lists every section.
        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
        phone.goto(site_server + pages[kind], wait_until="load")
        phone.click('.md-header label.md-header__button[for="__drawer"]')
        phone.wait_for_timeout(400)
        links = phone.evaluate("[...document.querySelectorAll('.md-sidebar--primary .md-nav__link')]"
                               ".filter(a => a.getBoundingClientRect().width > 0).map(a => a.textContent.trim())")
        assert {"Home", "Organisations", "Methodology", "Downloads"} <= set(links), links
        phone.context.close()
    finally:
        context.close()


@pytest.mark.parametrize("width", [800, 1280])
def test_headline_tables_fit_a_tablet_and_a_desktop_beside_the_table_of_contents(width, browser, site_server, pages):
    """On wider screens the stacked tables are tables again, and fit: no England column scrolled out of view."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        for kind in ("organisation", "home", "region"):
            page.goto(site_server + pages[kind], wait_until="load")
            over = page.evaluate("[...document.querySelectorAll('.wres-scroll')]"
                                 ".filter(e => e.querySelector('table.wres-stack') && e.scrollWidth > e.clientWidth + 1)"
                                 ".map(e => e.getAttribute('aria-label'))")
            assert over == [], f"{kind} at {width} px: {over}"
            shown = page.evaluate("getComputedStyle(document.querySelector('table.wres-stack thead')).position")
            assert shown != "absolute", f"{kind} at {width} px: the column headings are hidden"
    finally:
        context.close()


#: Every text of each named chart's SVG: its rendered font size (its own size times the SVG's shrink to fit).
TEXT_SIZES = r"""(ids) => ids.map(id => {
  const svg = document.querySelector(`.wres-chart[data-chart="${id}"] svg`);
  if (!svg) return {id, texts: []};
  const scale = svg.getBoundingClientRect().width / svg.width.baseVal.value;
  const texts = [...svg.querySelectorAll('text')].map(t =>
    ({text: t.textContent, px: Math.round(parseFloat(getComputedStyle(t).fontSize) * scale * 10) / 10}));
  return {id, texts};
})"""


@pytest.mark.parametrize("kind", ["home", "indicator"])
def test_dot_plot_names_are_readable_on_a_phone(kind, browser, site_server, pages, sample_site):
    """At 390 px a dot plot's names and numbers read at 11 px or more, each row named (issue 17).

    Which charts are dot plots is read from the page's charts.json (their rows have a label), and each
    row's name must be among the SVG's texts: an SVG that shrinks to fit the screen, or one that drops
    the names, fails.
    """
    import json

    specs = json.loads((sample_site / pages[kind] / "charts.json").read_text(encoding="utf-8"))
    dots = {cid: [r["label"] for r in spec["datasets"]["data"]] for cid, spec in specs.items()
            if spec["datasets"]["data"] and "label" in spec["datasets"]["data"][0]}
    assert dots, f"{kind}: no dot plot on the page"
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(site_server + pages[kind], wait_until="load")
        for chart in page.evaluate(TEXT_SIZES, list(dots)):
            small = [f"{t['text']!r} at {t['px']} px" for t in chart["texts"] if t["px"] < 11]
            assert chart["texts"] and not small, f"{kind}, chart {chart['id']}: text too small: {small[:4]}"
            shown = [t["text"] for t in chart["texts"]]
            unnamed = [label for label in dots[chart["id"]]
                       if not any(s == label or (s.endswith("…") and label.startswith(s[:-1])) for s in shown)]
            if len(dots[chart["id"]]) <= 40:
                assert unnamed == [], f"{kind}, chart {chart['id']}: rows without their name: {unnamed[:4]}"
    finally:
        context.close()
