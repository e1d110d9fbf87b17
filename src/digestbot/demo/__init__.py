"""The demo that ships inside the package: the articles of the repository's ``seeds/`` folder and
the labels of their tags, so that ``digestbot sandbox`` has something to show in any folder.

The articles are copied from ``seeds/`` when the package is built (``hatch_build.py``): into the
wheel, or as a link in ``src/digestbot/demo/articles`` for an editable install. ``seeds/`` stays
the one copy anyone edits.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path

from digestbot.model import Lang

__all__ = ["TAG_LABELS", "articles_folder"]

# The labels of the demo's tags; also the default of [reader.tag_labels] (config/digestbot.toml
# lists the same ones, tests/test_demo.py keeps them equal).
TAG_LABELS: Mapping[str, Mapping[Lang, str]] = {
    "world": {Lang.ZH: "国际", Lang.EN: "World"},
    "tech": {Lang.ZH: "科技", Lang.EN: "Tech"},
    "business": {Lang.ZH: "商业", Lang.EN: "Business"},
    "science": {Lang.ZH: "科学", Lang.EN: "Science"},
    "climate": {Lang.ZH: "气候", Lang.EN: "Climate"},
}


def articles_folder() -> Path | None:
    """The packaged demo articles' folder, or None in a build without them."""
    folder = files("digestbot") / "demo" / "articles"
    return folder if isinstance(folder, Path) and folder.is_dir() else None  # not from a zip
