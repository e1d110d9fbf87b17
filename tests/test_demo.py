"""The demo that ships in the package: seeds/ as installed, and its tag labels as the default."""

from __future__ import annotations

from pathlib import Path

from digestbot.config import load_settings
from digestbot.demo import TAG_LABELS, articles_folder
from digestbot.model import Lang

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHIPPED = ROOT / "config" / "digestbot.toml"


def test_the_installed_package_carries_the_seed_articles() -> None:
    folder = articles_folder()
    assert folder is not None, "reinstall digestbot (make setup): the build hook adds the demo"
    packaged = {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}
    seeds = {path.name: path.read_bytes() for path in SEEDS.iterdir() if path.is_file()}
    assert packaged == seeds


def test_the_shipped_config_lists_the_demo_labels_which_are_the_default() -> None:
    assert load_settings(SHIPPED, environ={}).reader.tag_labels == TAG_LABELS
    assert load_settings(None, environ={}).reader.tag_labels == TAG_LABELS


def test_a_config_without_tag_labels_labels_the_demo_tags_and_an_empty_table_none(
    tmp_path: Path,
) -> None:
    config = tmp_path / "digestbot.toml"
    config.write_text('[reader]\ndefault_language = "zh"\n', encoding="utf-8")
    assert load_settings(config, environ={}).reader.tag_label("tech", Lang.ZH) == "科技"
    config.write_text("[reader.tag_labels]\n", encoding="utf-8")
    assert load_settings(config, environ={}).reader.tag_label("tech", Lang.ZH) == "tech"
