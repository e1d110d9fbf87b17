"""Opening databases and migrating them, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect, text

from digestbot.errors import StoreError
from digestbot.store.db import create_engine_for, schema_is_current, upgrade_schema
from digestbot.store.models import Base
from digestbot.store.search_schema import include_name

TABLES = {
    "articles",
    "article_texts",
    "tags",
    "article_tags",
    "subscribers",
    "subscriber_tags",
    "digests",
    "compositions",
    "composition_messages",
    "outbox",
    "conversation_state",
}


def alembic_config(connection: Connection) -> Config:
    """Alembic's configuration for the project's migrations, run on ``connection``."""
    config = Config()
    config.set_main_option("script_location", "digestbot.store:migrations")
    config.attributes["connection"] = connection
    return config


def test_upgrade_from_empty_creates_every_table(db_url: str) -> None:
    engine = create_engine_for(db_url)
    assert not schema_is_current(engine)
    upgrade_schema(engine)
    assert schema_is_current(engine)
    names = set(inspect(engine).get_table_names())
    assert names >= TABLES
    assert "search_fts" in names or "search_documents" in names
    engine.dispose()


def test_upgrade_twice_is_harmless(engine: Engine) -> None:
    upgrade_schema(engine)
    assert schema_is_current(engine)


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": include_name, "compare_type": True}
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_sqlite_gets_wal_and_foreign_keys(sqlite_url: str) -> None:
    engine = create_engine_for(sqlite_url)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() > 0
    engine.dispose()


def test_sqlite_search_tables_buffer_a_load_batch_in_memory(sqlite_url: str) -> None:
    engine = create_engine_for(sqlite_url)
    upgrade_schema(engine)
    with engine.connect() as connection:
        for table in ("search_fts", "search_bigrams"):
            rows = connection.execute(text(f"SELECT k, v FROM {table}_config"))
            config = {str(key): value for key, value in rows}
            assert config["hashsize"] >= 16 * 1024 * 1024, table  # FTS5's default is 1 MiB
    engine.dispose()


def test_sqlite_folder_is_created(tmp_path: Path) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path}/a/b/c.sqlite3")
    upgrade_schema(engine)
    assert (tmp_path / "a" / "b" / "c.sqlite3").is_file()
    engine.dispose()


def test_unusable_folder_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(StoreError, match="cannot create the database folder"):
        create_engine_for(f"sqlite:///{tmp_path}/file/db.sqlite3")


def test_unreachable_server_is_a_store_error() -> None:
    engine = create_engine_for("postgresql://postgres@127.0.0.1:1/test")
    assert engine.dialect.driver == "psycopg"
    with pytest.raises(StoreError, match="cannot open the database"):
        upgrade_schema(engine)


@pytest.mark.parametrize("url", ["nonsense", "mysql://u@h/db", ""])
def test_bad_urls_are_store_errors(url: str) -> None:
    with pytest.raises(StoreError):
        create_engine_for(url)


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_text("these are notes, not a database\n" * 100)
    engine = create_engine_for(f"sqlite:///{path}")
    with pytest.raises(StoreError, match="not a database"):
        upgrade_schema(engine)
    with pytest.raises(StoreError):
        schema_is_current(engine)


def _insert_old_text(connection: Connection, key: str, title: str, body: str) -> None:
    """An article with one Chinese text, as a store before ``article_texts.folded`` has it (no
    search index rows: add them, or empty the index, as the test needs)."""
    now = "2024-05-01 00:00:00"
    connection.execute(
        text(
            "INSERT INTO articles (key, date, content_hash, source_path, created_at, updated_at) "
            "VALUES (:key, :now, 'x', :path, :now, :now)"
        ),
        {"key": key, "now": now, "path": f"{key}.md"},
    )
    connection.execute(
        text(
            "INSERT INTO article_texts (article_id, lang, title, summary, body, plain, key_terms) "
            "SELECT id, 'zh', :title, :body, :body, :plain, '[]' FROM articles WHERE key = :key"
        ),
        {"key": key, "title": title, "body": body, "plain": f"{title}\n\n{body}"},
    )


def test_upgrade_to_0006_keeps_readers_simplified_and_reindexes_both_scripts(db_url: str) -> None:
    """A store from before Traditional Chinese: its readers stay Simplified, and its stored texts
    are indexed again with the folding tokenizer (the index at 0005 is empty here, so only the
    migration can make them findable)."""
    from alembic import command
    from sqlalchemy.orm import Session

    from digestbot.store.search import search_articles

    engine = create_engine_for(db_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0005")
        _insert_old_text(connection, "tsmc", "台積電擴產", "台積電在高雄設新廠。")
        connection.execute(
            text(
                "INSERT INTO subscribers (chat_id, language, timezone, digest_time, state, "
                "created_at, updated_at) VALUES (7, 'zh', 'Asia/Taipei', '08:00:00', 'active', "
                ":now, :now)"
            ),
            {"now": "2024-05-01 00:00:00"},
        )
    upgrade_schema(engine)
    with Session(engine) as session:
        assert session.execute(text("SELECT script FROM subscribers")).scalar_one() == "hans"
        for query in ("台积电", "台積電", "高雄设新厂"):
            assert [hit.key for hit in search_articles(session, query)] == ["tsmc"]
    engine.dispose()


def test_upgrade_to_0012_folds_the_stored_texts_for_phrase_checks(db_url: str) -> None:
    """Texts stored before 0012 get their folded phrases: a Simplified phrase of 3+ characters
    (checked against the text after the index lookup) then finds a Traditional text, ranked as
    its Simplified twin; Simplified texts need none. The downgrade drops the column."""
    from alembic import command
    from sqlalchemy.orm import Session

    from digestbot.store.search import search_articles
    from digestbot.store.search_schema import IndexRow, add_to_index

    engine = create_engine_for(db_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0011")
        _insert_old_text(connection, "hant", "台積電擴產", "台積電在高雄設新廠。")
        _insert_old_text(connection, "hans", "台积电扩产", "台积电在高雄设新厂。")
        rows = connection.execute(text("SELECT id, title, summary, body FROM article_texts"))
        add_to_index(connection, [IndexRow(*row) for row in rows])
    upgrade_schema(engine)
    with Session(engine) as session:
        folded = dict(session.execute(text("SELECT title, folded FROM article_texts")).all())
        assert folded == {
            "台積電擴產": "台积电扩产\x1f台积电在高雄设新厂\x1f台积电在高雄设新厂",
            "台积电扩产": None,
        }
        hits = search_articles(session, "高雄设新厂")
        assert sorted(hit.key for hit in hits) == ["hans", "hant"]
        assert hits[0].score == hits[1].score
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0011")
    assert "folded" not in {c["name"] for c in inspect(engine).get_columns("article_texts")}
    engine.dispose()


def test_upgrade_to_0009_keeps_readers_offered_other_language_articles(db_url: str) -> None:
    """Readers from before the setting keep getting articles only in the other language; new
    rows written without the column get it on too (server default); downgrading drops it."""
    from alembic import command

    engine = create_engine_for(db_url)
    insert = text(
        "INSERT INTO subscribers (chat_id, language, timezone, digest_time, state, "
        "created_at, updated_at) VALUES (:chat, 'zh', 'Asia/Taipei', '08:00:00', 'active', "
        ":now, :now)"
    )
    now = "2024-05-01 00:00:00"
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0008")
        connection.execute(insert, {"chat": 7, "now": now})
        connection.execute(text("INSERT INTO tags (id, name) VALUES (1, 'tech')"))
        connection.execute(text("INSERT INTO subscriber_tags (chat_id, tag_id) VALUES (7, 1)"))
    upgrade_schema(engine)
    with engine.begin() as connection:
        tags = connection.execute(text("SELECT chat_id, tag_id FROM subscriber_tags")).all()
        assert [tuple(row) for row in tags] == [(7, 1)]  # no table copy cascading to them
        connection.execute(insert, {"chat": 8, "now": now})
        rows = connection.execute(
            text("SELECT chat_id, other_language FROM subscribers ORDER BY chat_id")
        ).all()
        assert [(chat, bool(on)) for chat, on in rows] == [(7, True), (8, True)]
        command.downgrade(alembic_config(connection), "0008")
    columns = {c["name"] for c in inspect(engine).get_columns("subscribers")}
    assert "other_language" not in columns
    assert "rhythm" in columns
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM subscriber_tags")).scalar() == 1
    engine.dispose()


def test_upgrade_to_0008_adds_conversation_state_and_downgrade_removes_it(db_url: str) -> None:
    """0008 adds the table, and its downgrade takes it away again."""
    from alembic import command

    engine = create_engine_for(db_url)
    with engine.begin() as connection:
        config = alembic_config(connection)
        command.upgrade(config, "0008")
        assert "conversation_state" in inspect(connection).get_table_names()
        command.downgrade(config, "0008-1")
        assert "conversation_state" not in inspect(connection).get_table_names()
    upgrade_schema(engine)
    assert schema_is_current(engine)
    assert "conversation_state" in inspect(engine).get_table_names()
    engine.dispose()


def test_upgrade_to_0007_keeps_readers_daily_with_quiet_hours(db_url: str) -> None:
    """A store from before rhythms: its readers stay daily with quiet hours on, their followed tags
    are not instant, and nothing was pushed."""
    from alembic import command

    engine = create_engine_for(db_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0006")
        connection.execute(
            text(
                "INSERT INTO subscribers (chat_id, language, timezone, digest_time, state, "
                "created_at, updated_at) VALUES (7, 'zh', 'Asia/Taipei', '08:00:00', 'active', "
                ":now, :now)"
            ),
            {"now": "2024-05-01 00:00:00"},
        )
        connection.execute(text("INSERT INTO tags (id, name) VALUES (1, 'tech')"))
        connection.execute(text("INSERT INTO subscriber_tags (chat_id, tag_id) VALUES (7, 1)"))
    upgrade_schema(engine)
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT rhythm, weekly_day, paused_until, quiet_hours FROM subscribers")
        ).one()
        assert (row.rhythm, row.weekly_day, row.paused_until, bool(row.quiet_hours)) == (
            "daily",
            0,
            None,
            True,
        )
        assert connection.execute(text("SELECT instant_after FROM subscriber_tags")).all() == [
            (None,)
        ]
        assert connection.execute(text("SELECT count(*) FROM instant_pushes")).scalar() == 0
    engine.dispose()


def test_upgrade_to_0010_moves_what_digests_showed_into_compositions(db_url: str) -> None:
    """What each digest showed becomes its composition (the language switch still works), its
    watermark covers it, a pending message keeps its text, and ``digest_articles`` goes."""
    from alembic import command

    from digestbot.digest.plan import digest_message
    from digestbot.store.db import session_factory
    from digestbot.store.outbox import open_messages

    engine = create_engine_for(db_url)
    now = "2024-05-01 00:00:00"
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0009")
        connection.execute(
            text(
                "INSERT INTO subscribers (chat_id, language, timezone, digest_time, state,"
                " created_at, updated_at) VALUES (7, 'en', 'UTC', '08:00:00', 'active', :now,"
                " :now)"
            ),
            {"now": now},
        )
        for article_id in (1, 2, 3):
            connection.execute(
                text(
                    "INSERT INTO articles (id, key, date, content_hash, source_path, created_at,"
                    " updated_at) VALUES (:id, :key, :now, 'h', 'a.md', :now, :now)"
                ),
                {"id": article_id, "key": f"a{article_id}", "now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO article_texts (article_id, lang, title, summary, body, plain,"
                    " key_terms) VALUES (:id, 'en', 'T', 'S', 'B', 'P', '[]')"
                ),
                {"id": article_id},
            )
        connection.execute(
            text(
                "INSERT INTO digests (id, chat_id, local_date, sequence, lang, total,"
                " last_article_id, created_at) VALUES (5, 7, '2024-05-01', 0, 'en', 3, 0, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO digest_articles (chat_id, article_id, digest_id, seq) VALUES"
                " (7, 1, 5, 0), (7, 2, 5, 1), (7, 3, 5, 1)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO outbox (chat_id, digest_id, seq, text, parse_mode, state, attempts,"
                " next_attempt_at, created_at) VALUES (7, 5, 1, 'old text', 'HTML', 'pending',"
                " 0, :now, :now)"
            ),
            {"now": now},
        )
    upgrade_schema(engine)
    assert "digest_articles" not in inspect(engine).get_table_names()
    with session_factory(engine)() as session:
        watermark = session.execute(text("SELECT last_article_id FROM digests")).scalar()
        assert watermark == 3
        second = digest_message(session, 5, 1, 7)
        assert second is not None
        assert [a.id for a in second.articles] == [3, 2]
        assert [row.text for row in open_messages(session)] == ["old text"]
    engine.dispose()
