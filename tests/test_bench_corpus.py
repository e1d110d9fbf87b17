"""The benchmark corpus: the same articles in every process, and articles the loader accepts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from digestbot.ingest import load_paths
from digestbot.store.articles import count_articles
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from corpus import write_corpus  # noqa: E402  (bench/ is not a package)

_DIGEST = """
import hashlib, sys
sys.path.insert(0, "bench")
from corpus import Corpus
text = "".join(draft.markdown() for draft in Corpus(7).drafts(40))
print(hashlib.sha256(text.encode()).hexdigest())
"""


def _corpus_digest(hash_seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, "-c", _DIGEST], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_corpus_does_not_depend_on_the_hash_seed() -> None:
    assert _corpus_digest("1") == _corpus_digest("2")


def test_every_corpus_file_loads(tmp_path: Path) -> None:
    paths = write_corpus(tmp_path / "articles", 30)
    engine = create_engine_for(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    upgrade_schema(engine)
    sessions = session_factory(engine)

    report = load_paths(sessions, [tmp_path / "articles"])

    assert (report.new, report.rejected) == (len(paths), [])
    with sessions() as session:
        assert count_articles(session) == len(paths)
    engine.dispose()
