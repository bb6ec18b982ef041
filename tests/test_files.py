"""Generated files are written only when they change, and never outside the site."""

from __future__ import annotations

import pytest

from generator.publish.files import Tracker, UnsafePath, safe_join, write_text


@pytest.mark.parametrize("part", ["../escape", "/etc/passwd", "a/../../b", ".."])
def test_safe_join_refuses_paths_that_leave_the_root(tmp_path, part):
    with pytest.raises(UnsafePath):
        safe_join(tmp_path / "site", part)


def test_safe_join_accepts_paths_inside(tmp_path):
    assert safe_join(tmp_path, "organisations", "XAA01", "2024") == (tmp_path / "organisations/XAA01/2024").resolve()


def test_tracker_rewrites_only_changed_files_and_removes_stale_ones(tmp_path):
    root = tmp_path / "docs"
    t1 = Tracker(root)
    with t1.active():
        write_text(root / "a.md", "alpha")
        write_text(root / "sub" / "b.md", "beta")
        write_text(root / "gone.md", "old")
    assert t1.finish() == (3, 0)

    # Make the earlier files look old, as they would be on a later build.
    import os
    for p in root.rglob("*.md"):
        os.utime(p, (1_000_000, 1_000_000))
    t2 = Tracker(root)
    with t2.active():
        write_text(root / "a.md", "alpha")        # unchanged
        write_text(root / "sub" / "b.md", "BETA")  # changed
    assert t2.finish() == (1, 1)
    assert (root / "a.md").stat().st_mtime == 1_000_000
    assert (root / "sub" / "b.md").read_text() == "BETA"
    assert not (root / "gone.md").exists()


def test_tracker_refuses_writes_outside_its_root(tmp_path):
    root = tmp_path / "docs"
    with Tracker(root).active():
        with pytest.raises(UnsafePath):
            write_text(root / ".." / "outside.md", "x")
    assert not (tmp_path / "outside.md").exists()


def test_tracker_routes_generated_non_pages_to_the_static_root(tmp_path):
    """Pages stay for MkDocs; charts and downloads go where MkDocs never copies them."""
    import os

    docs, static = tmp_path / "docs", tmp_path / "static"
    t1 = Tracker(docs, static)
    with t1.active():
        write_text(docs / "organisations" / "XT01" / "index.md", "# XT01")
        write_text(docs / "organisations" / "XT01" / "charts.json", "{}")
        write_text(docs / "downloads" / "indicators.csv", "code\n")
    t1.write_text("release.json", "{}", to_docs=True)
    t1.write_text("old.csv", "stale")
    assert t1.finish() == (5, 0)
    assert (docs / "organisations" / "XT01" / "index.md").read_text() == "# XT01"
    assert (docs / "release.json").is_file()
    assert (static / "organisations" / "XT01" / "charts.json").read_text() == "{}"
    assert (static / "downloads" / "indicators.csv").read_text() == "code\n"
    assert not (docs / "downloads").exists() and not (docs / "old.csv").exists()

    for p in list(docs.rglob("*")) + list(static.rglob("*")):
        if p.is_file():
            os.utime(p, (1_000_000, 1_000_000))
    t2 = Tracker(docs, static)
    with t2.active():
        write_text(docs / "downloads" / "indicators.csv", "code\n")  # unchanged
    assert t2.finish() == (0, 1)
    assert (static / "downloads" / "indicators.csv").stat().st_mtime == 1_000_000
    assert not (static / "old.csv").exists()
    assert not (static / "organisations").exists() and not (docs / "organisations").exists()


def test_tracker_with_static_root_still_refuses_writes_outside(tmp_path):
    docs, static = tmp_path / "docs", tmp_path / "static"
    t = Tracker(docs, static)
    with t.active(), pytest.raises(UnsafePath):
        write_text(tmp_path / "elsewhere.csv", "x")


def test_tracker_accepts_a_root_reached_through_a_symlink(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    t = Tracker(tmp_path / "link" / "docs", tmp_path / "link" / "static")
    with t.active():
        write_text(tmp_path / "link" / "docs" / "a.md", "a")
        write_text(tmp_path / "link" / "docs" / "b.csv", "b")
        with pytest.raises(UnsafePath):
            write_text(tmp_path / "link" / "docs" / ".." / ".." / "c.md", "c")
    assert (real / "docs" / "a.md").read_text() == "a"
    assert (real / "static" / "b.csv").read_text() == "b"


def test_files_with_shared_bytes_are_linked_and_replaced_alone(tmp_path):
    """Badges repeat (one per status and year): the copies are hard links, and rewriting one leaves the rest."""
    import os

    from generator.publish.files import write_shared

    root = tmp_path / "docs"
    t1 = Tracker(root)
    with t1.active():
        for code in ("XAA01", "XAB02", "XAC03"):
            write_shared(root / code / "2024" / "badge.svg", b"<svg>validated</svg>")
        write_shared(root / "XAD04" / "2024" / "badge.svg", b"<svg>left out</svg>")
    assert t1.finish() == (4, 0)
    first, second, third, other = (root / c / "2024" / "badge.svg" for c in ("XAA01", "XAB02", "XAC03", "XAD04"))
    assert first.stat().st_ino == second.stat().st_ino == third.stat().st_ino != other.stat().st_ino

    for p in root.rglob("*.svg"):
        os.utime(p, (1_000_000, 1_000_000))
    t2 = Tracker(root)
    with t2.active():
        write_shared(first, b"<svg>validated</svg>")        # unchanged
        write_shared(second, b"<svg>left out</svg>")        # changed: replaced, not written through the link
        write_shared(third, b"<svg>validated</svg>")
        write_shared(other, b"<svg>left out</svg>")
    assert t2.finish() == (1, 3)
    assert first.read_bytes() == third.read_bytes() == b"<svg>validated</svg>"
    assert second.read_bytes() == b"<svg>left out</svg>"


def test_safe_join_checks_lexically_below_a_resolved_root(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    assert safe_join(tmp_path / "link", "organisations", "XAA01") == real.resolve() / "organisations" / "XAA01"
    assert safe_join(tmp_path / "link", "a", "..", "b") == real.resolve() / "b"
    with pytest.raises(UnsafePath):
        safe_join(tmp_path / "link", "a", "..", "..", "real2")
