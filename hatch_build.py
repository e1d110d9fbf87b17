"""Hatch build hook: compile the gettext catalogs (``.po`` -> ``.mo``) into every wheel, and
ship the demo articles of ``seeds/`` as ``digestbot/demo/articles/``.

Registered in ``pyproject.toml`` under ``[tool.hatch.build.targets.wheel.hooks.custom]``. A regular
wheel gets the ``.mo`` files from a temporary folder (the source tree stays untouched) and the
articles straight from ``seeds/``; an editable install imports straight from ``src/``, so there
the ``.mo`` files are written next to the ``.po`` and ``src/digestbot/demo/articles`` is made a
link to ``seeds/`` (a copy where links are not allowed). ``seeds/`` is the one copy to edit.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE_DIR = Path("src") / "digestbot"
SEEDS_DIR = Path("seeds")
DEMO_ARTICLES = Path("demo") / "articles"  # inside the package


def compile_catalog(po: Path, mo: Path) -> None:
    """Compile one ``.po`` file to ``mo`` (fuzzy and untranslated entries left out)."""
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=po.parent.parent.name, domain=po.stem)
    mo.parent.mkdir(parents=True, exist_ok=True)
    with mo.open("wb") as fp:
        write_mo(fp, catalog)


def link_demo(seeds: Path, demo: Path) -> None:
    """Make ``demo`` a relative link to ``seeds`` (a fresh copy of it where links fail)."""
    if demo.is_symlink() or demo.is_file():
        demo.unlink()
    elif demo.is_dir():
        shutil.rmtree(demo)
    demo.parent.mkdir(parents=True, exist_ok=True)
    try:
        demo.symlink_to(Path(os.path.relpath(seeds, demo.parent)), target_is_directory=True)
    except OSError:  # e.g. Windows without the right to make links
        shutil.copytree(seeds, demo)


class CatalogBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Compile ``src/digestbot/locales/*/LC_MESSAGES/*.po`` and add ``seeds/`` as the demo when a
    wheel is built."""

    _tmp: Path | None = None

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        package = Path(self.root) / PACKAGE_DIR
        pos = sorted((package / "locales").glob("*/LC_MESSAGES/*.po"))
        if not pos:
            raise RuntimeError(f"no .po catalogs found under {package / 'locales'}")
        seeds = Path(self.root) / SEEDS_DIR
        if not seeds.is_dir():
            raise RuntimeError(f"no demo articles: {seeds} is not a folder")
        if version == "editable":
            for po in pos:
                compile_catalog(po, po.with_suffix(".mo"))
            link_demo(seeds, package / DEMO_ARTICLES)
            return
        for seed in sorted(seeds.iterdir()):
            if seed.is_file():
                target = (PACKAGE_DIR.name / DEMO_ARTICLES / seed.name).as_posix()
                build_data["force_include"][str(seed)] = target
        self._tmp = Path(tempfile.mkdtemp(prefix="digestbot-mo-"))
        for po in pos:
            relative = po.with_suffix(".mo").relative_to(package.parent)
            compile_catalog(po, self._tmp / relative)
            build_data["force_include"][str(self._tmp / relative)] = relative.as_posix()

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
