"""Article files for tests: a folder of good and bad files as operators really produce them."""

from __future__ import annotations

from pathlib import Path

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_58ff1f57d9aa1e3e.txt"

ENGLISH_ONLY = """---
title: Sodium-ion cells reach the grid
date: 2025-03-04
tags: [Tech, climate]
author: demo
---

# Sodium-ion cells reach the grid

Utilities said the **sodium-ion** chips and cells are cheaper than lithium ones.

[Source Link](https://example.com/sodium)
"""

CHINESE_ONLY = """---
title: 新能源汽车电池回收
date: 2025-06-01T08:00:00+08:00
tags: science
---

[原文链接](https://example.com/recycling)

# 新能源汽车电池回收

**电池回收**产业正在快速增长，芯片企业也在关注。
"""

BAD_FILES: dict[str, tuple[bytes, str]] = {
    # name: (content, a word the rejection reason must contain)
    "broken.md": (
        b"---\ntitle: ok\ntags: [unclosed\ndate: 2024-01-01\n---\n\n# T\n\nText.\n",
        "line",
    ),
    "empty.md": (b"", "empty"),
    "latin1.txt": ("---\ntitle: caf\u00e9\n---\n\nCaf\u00e9 text.\n".encode("latin-1"), "UTF-8"),
    "notext.md": (b"---\ntitle: Nothing here\ndate: 2024-01-01\n---\n\n", "no article text"),
}


def write_article_folder(root: Path) -> dict[str, Path]:
    """Three good articles, four bad ones, a duplicate and files that are not articles."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "sub").mkdir()
    (root / ".hidden").mkdir()
    paths = {
        "seed": root / "seed.txt",
        "english": root / "english.md",
        "chinese": root / "sub" / "chinese.markdown",
        "duplicate": root / "zz_copy_of_seed.md",
    }
    paths["seed"].write_bytes(SEED.read_bytes())
    paths["english"].write_text(ENGLISH_ONLY, encoding="utf-8")
    paths["chinese"].write_text(CHINESE_ONLY, encoding="utf-8")
    paths["duplicate"].write_text(
        SEED.read_text(encoding="utf-8").replace("title:", "title: copy of", 1), encoding="utf-8"
    )
    for name, (content, _) in BAD_FILES.items():
        paths[name] = root / name
        paths[name].write_bytes(content)
    (root / "README.md").write_text("# My articles\n\nNot an article.\n", encoding="utf-8")
    (root / ".hidden" / "draft.md").write_text("---\ntitle: draft\n---\n", encoding="utf-8")
    (root / "photo.png").write_bytes(b"\x89PNG\r\n")
    return paths
