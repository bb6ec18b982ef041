"""Badges: one accessible, self-contained SVG per return, and the HTML to embed it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from download_fixtures import LEFT_OUT, make_dataset

from generator.publish import badges

SVG = "{http://www.w3.org/2000/svg}"


def _contrast(hex_colour: str) -> float:
    def lum(h: str) -> float:
        rgb = [int(h[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    return (1.05) / (lum(hex_colour) + 0.05)


def test_a_badge_for_every_return_with_its_status(tmp_path):
    dataset = make_dataset(tmp_path / "data")
    docs = tmp_path / "docs"
    written = badges.write_badges(dataset, docs)
    assert set(written) == set(zip(dataset.returns["org_code"], dataset.returns["year"].astype(int)))
    for (code, year), rel in written.items():
        assert rel == f"organisations/{code}/{year}/badge.svg"
        root = ET.fromstring((docs / rel).read_text())
        title = root.find(f"{SVG}title").text
        assert title.startswith(f"WRES {year} return: ") and root.get("role") == "img"
        assert root.get("aria-label") == title
    left = ET.fromstring((docs / f"organisations/{LEFT_OUT[0]}/{LEFT_OUT[1]}/badge.svg").read_text())
    assert "left out" in "".join(t.text for t in left.iter(f"{SVG}text"))
    ok = ET.fromstring((docs / "organisations/XAA01/2024/badge.svg").read_text())
    assert "validated" in "".join(t.text for t in ok.iter(f"{SVG}text"))


@pytest.mark.parametrize("status", sorted(badges.STATUS))
def test_badges_are_self_contained_and_readable(status):
    svg = badges.badge_svg(2024, status)
    root = ET.fromstring(svg)
    for el in root.iter():
        for name, value in el.attrib.items():
            assert "href" not in name and "url(" not in value, (el.tag, name)
    assert "<image" not in svg and "<script" not in svg and "@import" not in svg and "<style" not in svg
    assert svg.count("http") == 1  # the SVG namespace only
    assert _contrast(badges.STATUS[status][1]) >= 4.5
    assert _contrast("#3f3f3f") >= 4.5


def test_embed_html_links_back_to_the_return_page():
    html = badges.embed_html("XAA01", 2024, "https://wres.example.org/", status="published")
    assert html == ('<a href="https://wres.example.org/organisations/XAA01/2024/">'
                    '<img src="https://wres.example.org/organisations/XAA01/2024/badge.svg" '
                    'alt="WRES 2024 return: validated by Open WRES"></a>')
    relative = badges.embed_html("XAA01", 2024, "")
    assert 'href="/organisations/XAA01/2024/"' in relative and 'src="/organisations/XAA01/2024/badge.svg"' in relative
    assert 'alt="WRES 2024 return: ' in relative


@pytest.mark.parametrize("code", ["../X", "xaa01", 'X"><script>', "AB"])
def test_embed_html_refuses_codes_that_are_not_ods_codes(code):
    with pytest.raises(ValueError):
        badges.embed_html(code, 2024, "")
