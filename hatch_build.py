"""Hatch build hook: compile the gettext catalogs (``.po`` -> ``.mo``) into every wheel.

Registered in ``pyproject.toml`` under ``[tool.hatch.build.targets.wheel.hooks.custom]``. A regular
wheel gets the ``.mo`` files from a temporary folder (the source tree stays untouched); an
editable install imports straight from ``src/``, so there they are written next to the ``.po``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE_DIR = Path("src") / "digestbot"


def compile_catalog(po: Path, mo: Path) -> None:
    """Compile one ``.po`` file to ``mo`` (fuzzy and untranslated entries left out)."""
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=po.parent.parent.name, domain=po.stem)
    mo.parent.mkdir(parents=True, exist_ok=True)
    with mo.open("wb") as fp:
        write_mo(fp, catalog)


class CatalogBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Compile ``src/digestbot/locales/*/LC_MESSAGES/*.po`` when a wheel is built."""

    _tmp: Path | None = None

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        package = Path(self.root) / PACKAGE_DIR
        pos = sorted((package / "locales").glob("*/LC_MESSAGES/*.po"))
        if not pos:
            raise RuntimeError(f"no .po catalogs found under {package / 'locales'}")
        if version == "editable":
            for po in pos:
                compile_catalog(po, po.with_suffix(".mo"))
            return
        self._tmp = Path(tempfile.mkdtemp(prefix="digestbot-mo-"))
        for po in pos:
            relative = po.with_suffix(".mo").relative_to(package.parent)
            compile_catalog(po, self._tmp / relative)
            build_data["force_include"][str(self._tmp / relative)] = relative.as_posix()

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
