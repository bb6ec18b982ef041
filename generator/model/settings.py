"""Site settings: the few numbers a publisher may choose.

They are read from the `extra: wres:` block of mkdocs.yml, so that one file
configures the whole site; every setting has a default that matches
../shared/spec/indicators.md, and every one is documented on the methodology
page (tests/test_docs.py fails when one is not).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import yaml

#: The default threshold for real data: counts from 1 to 7 are withheld, as NHS Digital's disclosure
#: control for sub-national counts (Hospital Episode Statistics and the data sets that adopted it since
#: September 2018) replaces counts from 1 to 7 with "*"; the methodology page cites it.
WITHHOLD_BELOW_REAL = 8


@dataclass(frozen=True)
class Settings:
    #: Any figure built on a count below this carries the `small_numbers` flag.
    small_numbers_threshold: int = 10
    #: Counts from 1 to one below this are withheld everywhere they are published, with
    #: every count or figure that would reveal them (compute/protection.py: one pass over the
    #: linked tables, audited by linear programming). 0 publishes every count, as the
    #: returns themselves do: the explicit opt-out. Not set (-1): WITHHOLD_BELOW_REAL for real
    #: data, 0 for fictional demonstration data (`demonstration: true`), see __post_init__.
    withhold_below: int = -1
    #: Annual turnover of senior posts assumed by the leadership-goal model.
    goal_turnover: float = 0.10
    #: Target years of the leadership goals; the headline is `goal_headline_year`.
    goal_years: tuple[int, ...] = (2023, 2028, 2033)
    goal_headline_year: int = 2028
    #: A headcount change larger than this between years, without a merger, is a warning.
    headcount_change_warning: float = 0.30
    #: Training above this share of staff is a warning.
    training_share_warning: float = 0.95
    #: Appointed at or above this share of shortlisted is a warning.
    appointed_share_warning: float = 0.90
    #: Label every page as demonstration data (fictional organisations).
    demonstration: bool = True
    #: Public address of the site, used in ready-to-copy links, badges and the sitemap (MkDocs' own
    #: top-level `site_url` is read too). Empty: links are relative, which a build of real data
    #: (`demonstration: false`) refuses (`publication_problem`).
    site_url: str = ""
    #: Who publishes the site, shown on /about/ (e.g. "NHS Example Trust, equality and diversity team").
    publisher: str = ""
    #: Where to report an error in a figure, shown on /about/: an email address or a web address.
    report_errors_to: str = ""
    #: Where the generator's code lives (a web address), shown on /about/.
    source_code_url: str = ""

    def __post_init__(self) -> None:
        # Why: real WRES returns are about people, so a build that does not choose protects; only data
        # that is fictional (demonstration) publishes every count unless told otherwise.
        if self.withhold_below < 0:
            object.__setattr__(self, "withhold_below", 0 if self.demonstration else WITHHOLD_BELOW_REAL)

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


class SettingsError(ValueError):
    """mkdocs.yml's `extra: wres:` block names an unknown setting or a bad value."""


def _yaml_loader() -> type:
    # mkdocs.yml uses tags such as !ENV and !!python/name; read them as plain values.
    class Loader(yaml.SafeLoader):
        pass

    def _any(loader, suffix, node):  # noqa: ANN001
        if isinstance(node, yaml.ScalarNode):
            return loader.construct_scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node)
        return loader.construct_mapping(node)

    Loader.add_multi_constructor("!", _any)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", _any)
    return Loader


def load_settings(config: Path | None) -> Settings:
    """Settings from mkdocs.yml's `extra: wres:` block (defaults where it is silent)."""
    if config is None or not Path(config).is_file():
        return Settings()
    try:
        raw = yaml.load(Path(config).read_text(encoding="utf-8"), Loader=_yaml_loader()) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SettingsError(f"{config} cannot be read: {exc}") from exc
    if not isinstance(raw, dict):
        raise SettingsError(f"{config} is not a MkDocs configuration (expected a mapping)")
    block = dict(((raw.get("extra") or {}).get("wres")) or {})
    unknown = sorted(set(block) - set(Settings.names()))
    if unknown:
        raise SettingsError(f"{config}: unknown setting(s) under extra.wres: {', '.join(unknown)}; "
                            f"known: {', '.join(Settings.names())}")
    values = {}
    defaults = Settings()
    for key, value in block.items():
        default = getattr(defaults, key)
        try:
            if isinstance(default, bool):
                values[key] = bool(value)
            elif isinstance(default, tuple):
                values[key] = tuple(int(v) for v in value)
            else:
                values[key] = type(default)(value)
        except (TypeError, ValueError) as exc:
            raise SettingsError(f"{config}: extra.wres.{key} = {value!r} is not a valid {type(default).__name__}") from exc
    values["site_url"] = _site_url(config, str(values.get("site_url") or ""), str(raw.get("site_url") or ""))
    return Settings(**values)


def _site_url(config: Path, ours: str, mkdocs: str) -> str:
    """The one public address: extra.wres.site_url or MkDocs' own site_url (they must agree), ending in /."""
    ours, mkdocs = ours.strip(), mkdocs.strip()
    if ours and mkdocs and ours.rstrip("/") != mkdocs.rstrip("/"):
        raise SettingsError(f"{config}: site_url ({mkdocs}) and extra.wres.site_url ({ours}) differ; set the "
                            f"site's public address once, under extra: wres: site_url")
    url = ours or mkdocs
    if url and not url.startswith(("https://", "http://")):
        raise SettingsError(f"{config}: extra.wres.site_url = {url!r} is not a web address; write the site's "
                            f"public address starting https://, e.g. https://wres.example.org/")
    return url.rstrip("/") + "/" if url else ""


def publication_problem(settings: Settings) -> str | None:
    """Why these settings cannot publish real data, or None.

    A build of real data (not `demonstration`) without `site_url` would hand organisations
    root-relative addresses and badge snippets that break wherever they are pasted, and a sitemap
    search engines cannot use; the demonstration build (the bundled data) may do without.
    """
    if settings.demonstration or settings.site_url:
        return None
    return ("mkdocs.yml sets demonstration: false (real data) but no site_url, so the addresses and badge "
            "snippets organisations copy, and the sitemap, would break where they are pasted; set the site's "
            "public address in mkdocs.yml under extra: wres:, e.g. site_url: https://wres.example.org/")
