"""What names a release: the generator's version and a hash of the input data.

Shown on every page and in datapackage.json, so a journalist can say exactly
which figures they used. Nothing here reads the clock: the same data gives the
same release, and so a byte-identical site.
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

    def to_dict(self) -> dict:
        d = asdict(self)
        d["short_hash"] = self.short_hash
        d["label"] = self.label
        return d


def release_of(dataset: Dataset, demonstration: bool) -> Release:
    dates = sorted(str(d) for d in dataset.collections["snapshot_date"].dropna())
    return Release(
        version=__version__,
        data_hash=dataset.data_hash,
        data_date=dates[-1] if dates else "",
        latest_year=max(dataset.years) if dataset.years else 0,
        demonstration=demonstration,
    )
