"""Where the files that ship with the generator are: schemas, the bundled register and collections,
the MkDocs configuration and the site's own pages and theme (site_src).

The repository's top-level folders are their source. A wheel carries a copy in `generator/resources/`
(setup.py copies them at build time), read here with importlib.resources; a checkout, which has no
such copy, reads the top-level folders themselves.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

#: The checkout's root (the folder holding `generator/`); what an install has there is not ours.
CHECKOUT = Path(__file__).resolve().parents[2]


def resource(name: str) -> Path:
    """The shipped file or folder `name` ("schemas", "mkdocs.yml", "data/collections.csv", ...)."""
    packaged = files("generator") / "resources" / name
    if packaged.is_file() or packaged.is_dir():
        return Path(str(packaged))
    return CHECKOUT / name
