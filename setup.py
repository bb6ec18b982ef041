"""Build hook: the wheel carries the files the generator reads (schemas, the bundled register and
collections, mkdocs.yml, site_src) as generator/resources/, copied from the repository's top-level
folders, which stay their only source (generator/model/resources.py finds either)."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = ("schemas", "site_src", "mkdocs.yml", "data/organisations.csv", "data/collections.csv", "registers")


class BuildWithResources(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "generator" / "resources"
        for name in SHIPPED:
            src, dst = ROOT / name, target / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, dst, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copyfile(src, dst)


setup(cmdclass={"build_py": BuildWithResources})
