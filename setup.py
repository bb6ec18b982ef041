"""Build hook: the wheel carries the files the generator reads (schemas, the bundled register and
collections, mkdocs.yml, site_src) as generator/resources/, copied from the repository's top-level
folders, which stay their only source (generator/model/resources.py finds either)."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = ("schemas", "site_src", "mkdocs.yml", "data/organisations.csv", "data/collections.csv", "registers")
#: mkdocs.yml names its hooks by a path relative to itself; in the wheel it sits in generator/resources/.
HOOKS_IN_CHECKOUT = "generator/integration/mkdocs_hooks.py"
HOOKS_IN_WHEEL = "../integration/mkdocs_hooks.py"


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
        config = target / "mkdocs.yml"
        text = config.read_text(encoding="utf-8")
        if HOOKS_IN_CHECKOUT not in text:
            raise SystemExit(f"mkdocs.yml no longer names {HOOKS_IN_CHECKOUT}: update setup.py")
        config.write_text(text.replace(HOOKS_IN_CHECKOUT, HOOKS_IN_WHEEL), encoding="utf-8")


setup(cmdclass={"build_py": BuildWithResources})
