"""What names a release: the generator's version and a hash of the input data.

The whole release (`label`, with the data's hash) is named where the whole release is
published: the downloads, datapackage.json, the API and /downloads/, so a journalist can
say exactly which files they used. Pages name `site_label` (version and date of the data):
a page changes only when what it shows changes, so a corrected return rewrites the pages
that show it, not every page of the site (issue 17). Nothing here reads the clock: the
same data gives the same release, and so a byte-identical site.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .. import __version__
from .dataset import Dataset


@dataclass(frozen=True)
class Release:
    version: str          # generator version, e.g. "0.1.0"
    data_hash: str        # sha256 of every input file (Dataset.data_hash)
    data_date: str        # ISO date of the latest snapshot in the data (collections.csv)
    latest_year: int      # latest collection year
    demonstration: bool   # fictional data: every page says so

    @property
    def short_hash(self) -> str:
        return self.data_hash[:12]

    @property
    def label(self) -> str:
        return f"Open WRES {self.version}, data {self.short_hash} ({self.data_date})"

    @property
    def site_label(self) -> str:
        """What every page names: the generator's version and the date of the data, not its hash."""
        return f"Open WRES {self.version}, data of {self.data_date}" if self.data_date else f"Open WRES {self.version}"

    def to_dict(self) -> dict:
        d = asdict(self)
        d["short_hash"] = self.short_hash
        d["label"] = self.label
        return d

    def for_pages(self) -> dict:
        """What the theme shows on every page (release.json, read by the plugin): nothing that changes
        with every corrected return, so an unchanged page stays byte for byte the same."""
        return {"version": self.version, "data_date": self.data_date, "latest_year": self.latest_year,
                "demonstration": self.demonstration, "label": self.site_label}


def release_of(dataset: Dataset, demonstration: bool) -> Release:
    dates = sorted(str(d) for d in dataset.collections["snapshot_date"].dropna())
    return Release(
        version=__version__,
        data_hash=dataset.data_hash,
        data_date=dates[-1] if dates else "",
        latest_year=max(dataset.years) if dataset.years else 0,
        demonstration=demonstration,
    )
