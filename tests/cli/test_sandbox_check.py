"""``digestbot sandbox --check`` as CI runs it: a process, a clean data folder, a line a step."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STEPS = [
    "articles",
    "zh /start, press 简体中文",
    "zh /search 芯片",
    "zh /read_<id>",
    "zh /settings",
    "en /help",
    "en plain-text search",
    "zh /digest",
    "pace",
]


def sandbox_check(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the check with its data folder in ``tmp_path`` and no token or database set."""
    env = {**os.environ, "DIGESTBOT_DATA_DIR": str(tmp_path / "data")}
    for name in ("TOKEN", "TOKEN_FILE", "API_URL", "DATABASE_URL", "CONFIG"):
        env.pop(f"DIGESTBOT_{name}", None)
    return subprocess.run(
        [sys.executable, "-m", "digestbot", "sandbox", "--check", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_the_scripted_session_passes_with_the_shipped_config(tmp_path: Path) -> None:
    done = sandbox_check(tmp_path, "--config", "config/digestbot.toml")
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stdout + done.stderr
    assert [line[5:].split(":", 1)[0] for line in lines[:-1]] == STEPS
    assert all(line.startswith("ok   ") for line in lines[:-1])
    assert lines[0] == "ok   articles: loaded 16 new, 0 updated, 0 unchanged, 0 rejected"
    assert "芯片 in bold" in lines[2]
    assert "delivered through the outbox" in lines[7]
    assert lines[-1] == "sandbox check passed"
    assert "Traceback" not in done.stderr


def test_without_articles_it_says_what_is_missing_and_exits_1(tmp_path: Path) -> None:
    config = tmp_path / "empty.toml"
    config.write_text('[paths]\narticles_dir = "no-such-folder"\n', encoding="utf-8")
    done = sandbox_check(tmp_path, "--config", str(config))
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "FAIL articles: nothing loaded: no-such-folder is not a folder here; "
        "fix: set [paths] articles_dir (e.g. --config config/digestbot.toml)",
        "sandbox check FAILED",
    ]
    assert "Traceback" not in done.stderr
