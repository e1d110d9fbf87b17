"""Planning digests on SQLite and PostgreSQL: due-ness, what is new, never twice, the outbox."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from digestbot.chinese_script import Script
from digestbot.config import DigestSettings, Settings
from digestbot.digest.compose import parse_switch_data
from digestbot.digest.plan import (
    digest_message,
    digest_rest,
    plan_due_digests,
    preview_messages,
)
from digestbot.model import Lang
from digestbot.store import models as m
from digestbot.store.articles import save_article
from digestbot.store.digests import prune_compositions, prune_digests
from digestbot.store.outbox import open_messages, prune_finished
from digestbot.store.subscribers import ensure_subscriber, set_other_language, set_tags
from tests.store.factory import article, text
from tests.support.shown import shown_article_ids

SETTINGS = Settings()
SHANGHAI, LONDON = "Asia/Shanghai", "Europe/London"


def add_article(
    session: Session, key: str, *, tags: tuple[str, ...] = ("tech",), day: int = 1
) -> int:
    item = article(
        key,
        text(Lang.EN, f"Title {key}", f"Body of {key}."),
        text(Lang.ZH, f"标题 {key}", f"{key} 的正文。"),
        tags=tags,
        day=day,
    )
    article_id, _ = save_article(session, item, content_hash=key, source_path=f"{key}.md")
    return article_id


def add_reader(
    session: Session,
    chat_id: int,
    *,
    lang: Lang = Lang.EN,
    timezone: str = SHANGHAI,
    tags: tuple[str, ...] = (),
    created_at: datetime | None = None,
    script: Script = Script.HANS,
) -> None:
    ensure_subscriber(
        session,
        chat_id,
        user_id=chat_id,
        language=lang,
        timezone=timezone,
        digest_time=time(8),
        script=script,
    )
    if tags:
        set_tags(session, chat_id, tags)
    if created_at is not None:
        session.execute(
            update(m.Subscriber)
            .where(m.Subscriber.chat_id == chat_id)
            .values(created_at=created_at)
        )


def digest_count(session: Session, chat_id: int) -> int:
    query = select(func.count()).select_from(m.Digest).where(m.Digest.chat_id == chat_id)
    return session.execute(query).scalar_one()


def delivered(session: Session, chat_id: int) -> list[int]:
    return sorted(shown_article_ids(session, chat_id=chat_id))


def at(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return datetime(2024, 5, day, hour, minute, tzinfo=UTC)


def test_two_passes_never_plan_a_digest_twice(session: Session) -> None:
    first = add_article(session, "a1")
    add_reader(session, 1)
    report = plan_due_digests(session, at(0, 5), SETTINGS)  # 08:05 in Shanghai
    assert [p.chat_id for p in report.planned] == [1]
    assert plan_due_digests(session, at(0, 6), SETTINGS).planned == ()
    assert plan_due_digests(session, at(9), SETTINGS).planned == ()
    session.commit()
    assert digest_count(session, 1) == 1
    assert delivered(session, 1) == [first]


def test_outbox_rows_are_pending_in_order_with_a_switch_button(session: Session) -> None:
    for index in range(12):
        add_article(session, f"a{index}", day=index + 1)
    add_reader(session, 1, lang=Lang.ZH)
    settings = replace(SETTINGS, digest=DigestSettings(max_articles=12))
    planned = plan_due_digests(session, at(1), settings).planned[0]
    rows = open_messages(session, planned.chat_id)
    assert len(rows) == planned.messages
    assert all(row.parse_mode == "HTML" for row in rows)
    for seq, row in enumerate(rows):
        assert row.reply_markup is not None
        data = row.reply_markup["inline_keyboard"][0][0]["callback_data"]
        assert len(data.encode()) <= 64
        assert parse_switch_data(data) == (planned.digest_id, seq, Lang.EN)
    assert "2024年5月10日" in rows[0].text
    assert planned.articles == 12


def test_an_article_loaded_late_with_an_old_date_still_arrives_once(session: Session) -> None:
    add_article(session, "new", day=9)
    add_reader(session, 1)
    plan_due_digests(session, at(1), SETTINGS)
    late = add_article(session, "late", day=1)  # dated before the first digest, loaded after
    report = plan_due_digests(session, at(1, day=11), SETTINGS)
    assert report.planned[0].articles == 1
    plan_due_digests(session, at(1, day=12), SETTINGS)
    assert delivered(session, 1).count(late) == 1


def test_tags_filter_and_no_tags_means_everything(session: Session) -> None:
    tech = add_article(session, "t", tags=("tech",))
    world = add_article(session, "w", tags=("world",))
    add_reader(session, 1, tags=("world",))
    add_reader(session, 2)
    plan_due_digests(session, at(1), SETTINGS)
    assert delivered(session, 1) == [world]
    assert delivered(session, 2) == sorted([tech, world])


def test_max_age_keeps_stale_articles_out(session: Session) -> None:
    add_article(session, "old", day=1)
    fresh = add_article(session, "fresh", day=9)
    add_reader(session, 1)
    settings = replace(SETTINGS, digest=DigestSettings(max_age_days=3))
    plan_due_digests(session, at(1), settings)
    assert delivered(session, 1) == [fresh]


def test_each_reader_gets_the_digest_at_their_own_eight_oclock(session: Session) -> None:
    add_article(session, "a")
    joined = at(23, day=9)  # the 10th, before 08:00, in both zones
    add_reader(session, 1, timezone=SHANGHAI, created_at=joined)  # 08:00 = 00:00 UTC
    add_reader(session, 2, timezone=LONDON, created_at=joined)  # 08:00 BST = 07:00 UTC
    seen: dict[int, datetime] = {}
    now = joined
    while now < at(12):
        for planned in plan_due_digests(session, now, SETTINGS).planned:
            seen.setdefault(planned.chat_id, now)
        now += timedelta(minutes=15)
    assert seen == {1: at(0), 2: at(7)}


def test_a_day_of_downtime_gives_one_digest(session: Session) -> None:
    add_article(session, "a")
    add_reader(session, 1)
    plan_due_digests(session, at(1, day=8), SETTINGS)
    add_article(session, "b")
    report = plan_due_digests(session, at(3, day=10), SETTINGS)  # down all of the 9th
    assert [(p.local_date.day, p.articles) for p in report.planned] == [(10, 1)]
    assert digest_count(session, 1) == 2


def test_subscribing_after_the_digest_time_waits_for_the_next_one(session: Session) -> None:
    add_article(session, "a")
    add_reader(session, 1, created_at=at(2))  # 10:00 in Shanghai, after 08:00
    assert plan_due_digests(session, at(3), SETTINGS).planned == ()
    report = plan_due_digests(session, at(0, 1, day=11), SETTINGS)
    assert [p.local_date.day for p in report.planned] == [11]


def test_nothing_new_plans_an_empty_digest_that_sends_nothing(session: Session) -> None:
    add_reader(session, 1)
    report = plan_due_digests(session, at(1), SETTINGS)
    assert [(p.messages, p.articles) for p in report.planned] == [(0, 0)]
    settings = replace(SETTINGS, digest=DigestSettings(send_empty=True))
    report = plan_due_digests(session, at(1, day=11), settings)
    assert report.messages == 1


def test_forced_digests_show_what_is_new_since_the_last_one(session: Session) -> None:
    first = add_article(session, "a")
    add_reader(session, 1)
    plan_due_digests(session, at(1), SETTINGS)  # today's scheduled digest
    assert plan_due_digests(session, at(2), SETTINGS, force=True, chat_ids=[1]).planned == ()
    second = add_article(session, "b")
    report = plan_due_digests(session, at(2), SETTINGS, force=True, chat_ids=[1])
    assert [(p.sequence, p.articles) for p in report.planned] == [(1, 1)]
    assert delivered(session, 1) == [first, second]


def test_forced_digest_before_the_digest_time_leaves_the_scheduled_one(session: Session) -> None:
    add_article(session, "a")
    add_reader(session, 1)
    forced = plan_due_digests(session, at(23, day=9), SETTINGS, force=True)  # 07:00 local
    assert [p.sequence for p in forced.planned] == [1]
    scheduled = plan_due_digests(session, at(1), SETTINGS)
    assert [(p.sequence, p.articles) for p in scheduled.planned] == [(0, 0)]


def test_a_message_renders_again_and_is_gone_with_its_articles(session: Session) -> None:
    article_id = add_article(session, "a")
    add_reader(session, 1)
    planned = plan_due_digests(session, at(1), SETTINGS).planned[0]
    message = digest_message(session, planned.digest_id, 0, 1)
    assert message is not None
    assert [a.id for a in message.articles] == [article_id]
    assert message.with_header
    assert message.more == 0
    assert digest_message(session, planned.digest_id, 0, 2) is None  # not their digest
    session.execute(delete(m.Article).where(m.Article.id == article_id))
    assert digest_message(session, planned.digest_id, 0, 1) is None


def test_preview_matches_what_a_reader_would_get(session: Session) -> None:
    add_article(session, "t", tags=("tech",), day=2)
    add_article(session, "w", tags=("world",), day=3)
    messages = preview_messages(session, Lang.EN, ["World"], None, at(1), SETTINGS)
    assert len(messages) == 1
    assert "Title w" in messages[0].text
    assert "Title t" not in messages[0].text
    since = datetime(2024, 5, 3, tzinfo=UTC)
    assert preview_messages(session, Lang.EN, ["tech"], since, at(1), SETTINGS) == []


def test_cleaning_up_the_outbox_never_sends_an_article_twice(session: Session) -> None:
    first = add_article(session, "a1")
    add_reader(session, 1)
    assert plan_due_digests(session, at(0, 5), SETTINGS).messages > 0
    session.execute(update(m.OutboxMessage).values(state=m.OutboxState.SENT))
    assert prune_finished(session, at(0, 5, day=20)) > 0  # every delivery record gone
    assert session.scalar(select(func.count()).select_from(m.OutboxMessage)) == 0

    forced = plan_due_digests(session, at(1, day=11), SETTINGS, force=True)
    assert forced.messages == 0  # nothing new: a1 is not planned again
    second = add_article(session, "a2", day=2)
    plan_due_digests(session, at(0, 5, day=12), SETTINGS)
    assert delivered(session, 1) == [first, second]


def test_the_rest_of_a_digest_is_paged_newest_first(session: Session) -> None:
    ids = [add_article(session, f"a{day}", day=day) for day in range(1, 8)]  # 7 new
    add_reader(session, 1)
    add_reader(session, 2)
    settings = replace(SETTINGS, digest=DigestSettings(max_articles=3))
    planned = {p.chat_id: p for p in plan_due_digests(session, at(1), settings).planned}
    digest_id = planned[1].digest_id
    assert delivered(session, 1) == sorted(ids[4:])  # the 3 newest were shown
    last = digest_message(session, digest_id, planned[1].messages - 1, 1)
    assert last is not None
    assert last.more == 4

    first = digest_rest(session, digest_id, 1, 0, 3)
    assert first is not None
    assert [a.id for a in first.articles] == [ids[3], ids[2], ids[1]]
    assert first.left == 1
    second = digest_rest(session, digest_id, 1, 3, 3)
    assert second is not None
    assert ([a.id for a in second.articles], second.left) == ([ids[0]], 0)
    assert digest_rest(session, digest_id, 1, 4, 3) is None  # past the end
    assert digest_rest(session, digest_id, 2, 0, 3) is None  # another reader's digest
    assert digest_rest(session, 10**12, 1, 0, 3) is None

    add_article(session, "after", day=9)  # loaded after the digest: not in its rest
    later = plan_due_digests(session, at(1, day=11), settings)
    assert [p.articles for p in later.planned] == [1, 1]  # the rest does not come back
    again = digest_rest(session, digest_id, 1, 0, 10)
    assert again is not None
    assert [a.id for a in again.articles] == [ids[3], ids[2], ids[1], ids[0]]


def test_the_rest_keeps_to_the_readers_tags_and_the_maximum_age(session: Session) -> None:
    tech = [add_article(session, f"t{day}", day=day) for day in range(1, 5)]
    add_article(session, "w", tags=("world",), day=5)
    add_reader(session, 1, tags=("tech",))
    settings = replace(SETTINGS, digest=DigestSettings(max_articles=1, max_age_days=7))
    [planned] = plan_due_digests(session, at(1), settings).planned  # May 10: May 3 and later
    assert planned.articles == 1
    rest = digest_rest(session, planned.digest_id, 1, 0, 10, max_age_days=7)
    assert rest is not None
    assert [a.id for a in rest.articles] == [tech[2]]  # t4 was shown; t1, t2 too old
    assert rest.left == 0


def test_readers_of_one_script_share_a_digest_and_each_script_reads_its_own(
    session: Session,
) -> None:
    item = article("sw", text(Lang.ZH, "软件新闻", "软件正文。", "软件与芯片"), day=3)
    save_article(session, item, content_hash="sw", source_path="sw.md")
    readers = {1: Script.HANT_TW, 2: Script.HANT_TW, 3: Script.HANT_HK, 4: Script.HANS}
    for chat_id, script in readers.items():
        add_reader(session, chat_id, lang=Lang.ZH, script=script)
    plan_due_digests(session, at(9), SETTINGS)
    shown = {row.chat_id: row.text for row in open_messages(session)}
    assert shown[1] == shown[2]  # one composition for readers alike
    assert "<b>軟體新聞</b>\n軟體與晶片" in shown[1]  # Taiwan words
    assert "<b>軟件新聞</b>\n軟件與芯片" in shown[3]  # Hong Kong's
    assert "<b>软件新闻</b>\n软件与芯片" in shown[4]
    assert "的文章摘要" in shown[1]
    assert "篇新文章" in shown[1]
    markups = {row.chat_id: row.reply_markup or {} for row in open_messages(session)}
    assert markups[1]["inline_keyboard"][0][0]["text"] == "閱讀英文版"
    assert markups[4]["inline_keyboard"][0][0]["text"] == "阅读英文版"


def add_single(session: Session, key: str, lang: Lang, day: int = 1) -> int:
    """An article with a text in ``lang`` only."""
    item = article(key, text(lang, f"{lang.value} {key}", f"Body of {key}."), day=day)
    article_id, _ = save_article(session, item, content_hash=key, source_path=f"{key}.md")
    return article_id


def test_readers_who_hide_the_other_language_get_only_articles_in_theirs(
    session: Session,
) -> None:
    both = add_article(session, "both", day=1)
    zh_only = add_single(session, "zh-only", Lang.ZH, day=2)
    en_only = add_single(session, "en-only", Lang.EN, day=3)
    for chat_id, lang in ((1, Lang.ZH), (2, Lang.ZH), (3, Lang.EN), (4, Lang.EN)):
        add_reader(session, chat_id, lang=lang)
    set_other_language(session, 2, False)
    set_other_language(session, 4, False)
    report = plan_due_digests(session, at(1), SETTINGS)
    assert {p.chat_id: p.articles for p in report.planned} == {1: 3, 2: 2, 3: 3, 4: 2}
    assert delivered(session, 1) == delivered(session, 3) == sorted([both, zh_only, en_only])
    assert delivered(session, 2) == sorted([both, zh_only])
    assert delivered(session, 4) == sorted([both, en_only])
    texts = {
        chat_id: "".join(row.text for row in open_messages(session, chat_id))
        for chat_id in (1, 2, 3, 4)
    }
    assert "（仅有英文版）" in texts[1]
    assert "（仅有英文版）" not in texts[2]
    assert "(Chinese only)" in texts[3]
    assert "(Chinese only)" not in texts[4]


def test_forced_digest_and_its_rest_leave_out_what_the_reader_hides(session: Session) -> None:
    add_reader(session, 7, lang=Lang.ZH)
    set_other_language(session, 7, False)
    ids = [add_single(session, f"en{day}", Lang.EN, day=day) for day in range(1, 4)]
    kept = [add_single(session, f"zh{day}", Lang.ZH, day=day) for day in range(4, 8)]
    settings = replace(SETTINGS, digest=DigestSettings(max_articles=2))
    planned = plan_due_digests(session, at(1), settings, force=True, chat_ids=[7]).planned
    assert [p.articles for p in planned] == [2]
    rest = digest_rest(session, planned[0].digest_id, 7, 0, 10)
    assert rest is not None
    assert sorted(a.id for a in rest.articles) == kept[:2]  # the two older Chinese ones
    assert not set(ids) & {a.id for a in rest.articles}
    set_other_language(session, 7, True)  # turned on since: the rest shows them too
    rest = digest_rest(session, planned[0].digest_id, 7, 0, 10)
    assert rest is not None
    assert set(ids) <= {a.id for a in rest.articles}


def test_preview_respects_the_setting(session: Session) -> None:
    add_single(session, "en-only", Lang.EN)
    shown = preview_messages(session, Lang.ZH, [], None, at(1), SETTINGS)
    hidden = preview_messages(session, Lang.ZH, [], None, at(1), SETTINGS, other_language=False)
    assert any(message.article_ids for message in shown)
    assert not any(message.article_ids for message in hidden)


def test_retention_keeps_each_readers_newest_digest_so_nothing_comes_twice(
    session: Session,
) -> None:
    add_article(session, "first", day=9)
    add_reader(session, 1)
    add_reader(session, 2)
    plan_due_digests(session, at(1, day=10), SETTINGS)
    add_article(session, "second", day=10)
    plan_due_digests(session, at(1, day=11), SETTINGS, force=True, chat_ids=[1])
    session.execute(update(m.OutboxMessage).values(state=m.OutboxState.SENT))
    waiting = session.scalars(
        select(m.OutboxMessage.composition_id).where(m.OutboxMessage.chat_id == 2)
    ).first()
    session.execute(
        update(m.OutboxMessage)
        .where(m.OutboxMessage.chat_id == 2)
        .values(state=m.OutboxState.PENDING)
    )
    later = at(1, day=11) + timedelta(days=40)

    while prune_digests(session, later - timedelta(days=30), limit=1):
        pass
    while prune_compositions(session, later - timedelta(days=30), limit=1):
        pass

    kept = session.execute(select(m.Digest.chat_id, m.Digest.composition_id)).all()
    assert sorted(kept) == [(1, None), (2, None)]  # the newest each, for its watermark
    assert session.scalars(select(m.Composition.id)).all() == [waiting]  # still to be sent
    assert [row.text != "" for row in open_messages(session, 2)] == [True]
    report = plan_due_digests(session, later, SETTINGS)
    assert sorted((p.chat_id, p.articles) for p in report.planned) == [(1, 0), (2, 1)]
