"""Generated files are written only when they change, and never outside the site."""

from __future__ import annotations

import pytest

from generator.files import Tracker, UnsafePath, safe_join, write_text


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
