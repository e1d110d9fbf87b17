"""Rhythms and instant pushes in planning, on SQLite and PostgreSQL: digest days, pushes once,
quiet hours, pauses, and never an article both pushed and in a digest."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from digestbot.digest.instant import MAX_PUSHES_PER_TICK, PUSH_MARK
from digestbot.digest.plan import digest_rest, plan_due_digests
from digestbot.model import ReaderRhythm, Rhythm
from digestbot.store import models as m
from digestbot.store.rhythm import instant_tags, set_rhythm, toggle_instant
from digestbot.store.subscribers import get_profile, toggle_tag
from tests.store.test_digests import SETTINGS, add_article, add_reader, at, delivered

# at(h, day=d) is 2024-05-d h:00 UTC; readers are in Shanghai (UTC+8); 2024-05-10 is a Friday.


def pushes(session: Session, chat_id: int) -> list[str]:
    query = (
        select(m.OutboxMessage.text)
        .where(m.OutboxMessage.chat_id == chat_id, m.OutboxMessage.digest_id.is_(None))
        .order_by(m.OutboxMessage.id)
    )
    return list(session.scalars(query))


def mark_instant(session: Session, chat_id: int, tag: str) -> None:
    tag_id = session.scalar(select(m.Tag.id).where(m.Tag.name == tag))
    assert tag_id is not None
    assert toggle_instant(session, chat_id, tag_id) is True


def test_a_new_article_with_an_instant_tag_is_pushed_once_and_not_in_the_digest(
    session: Session,
) -> None:
    old = add_article(session, "old", tags=("tech", "world"))
    add_reader(session, 1, tags=("tech", "world"))
    mark_instant(session, 1, "tech")
    new = add_article(session, "new", tags=("tech",))
    other = add_article(session, "other", tags=("world",))
    report = plan_due_digests(session, at(2), SETTINGS)  # 10:00 local: the digest, then the push
    assert report.pushes == 0  # the digest of this tick had it
    assert delivered(session, 1) == sorted([old, new, other])
    later = add_article(session, "later", tags=("tech",))
    assert plan_due_digests(session, at(3), SETTINGS).pushes == 1
    assert plan_due_digests(session, at(3, 1), SETTINGS).pushes == 0
    [text] = pushes(session, 1)
    assert text.startswith(PUSH_MARK)
    assert f"/read_{later}" in text
    assert "Title later" in text
    add_article(session, "next", tags=("world",))
    plan_due_digests(session, at(1, day=11), SETTINGS)
    assert later not in delivered(session, 1)


def test_articles_before_marking_and_of_other_tags_are_not_pushed(session: Session) -> None:
    add_article(session, "seed", tags=("tech", "world"))
    add_reader(session, 1, tags=("tech", "world"))
    plan_due_digests(session, at(1), SETTINGS)
    add_article(session, "before", tags=("tech",))
    mark_instant(session, 1, "tech")
    add_article(session, "world", tags=("world",))
    assert plan_due_digests(session, at(3), SETTINGS).pushes == 0
    assert pushes(session, 1) == []


def test_quiet_hours_hold_a_push_until_seven_unless_turned_off(session: Session) -> None:
    add_article(session, "seed", tags=("tech", "world"))
    add_reader(session, 1, tags=("tech",))
    add_reader(session, 2, tags=("tech",))
    set_rhythm(session, 2, ReaderRhythm(quiet_hours=False))
    plan_due_digests(session, at(1), SETTINGS)
    for chat_id in (1, 2):
        mark_instant(session, chat_id, "tech")
    add_article(session, "night", tags=("tech",))
    plan_due_digests(session, at(15), SETTINGS)  # 23:00 local
    assert (len(pushes(session, 1)), len(pushes(session, 2))) == (0, 1)
    plan_due_digests(session, at(22, 59), SETTINGS)  # 06:59 local
    assert len(pushes(session, 1)) == 0
    plan_due_digests(session, at(23), SETTINGS)  # 07:00 local
    assert (len(pushes(session, 1)), len(pushes(session, 2))) == (1, 1)


def test_a_digest_made_in_quiet_hours_takes_the_held_push(session: Session) -> None:
    add_article(session, "seed", tags=("tech", "world"))
    add_reader(session, 1, tags=("tech",))
    session.execute(update(m.Subscriber).values(digest_time=time(6)))
    plan_due_digests(session, at(1), SETTINGS)
    mark_instant(session, 1, "tech")
    night = add_article(session, "night", tags=("tech",))
    plan_due_digests(session, at(15), SETTINGS)  # 23:00: held
    plan_due_digests(session, at(22, day=10), SETTINGS)  # 06:00 on the 11th: the digest
    plan_due_digests(session, at(23, day=10), SETTINGS)  # 07:00: nothing left to push
    assert pushes(session, 1) == []
    assert night in delivered(session, 1)


def test_a_burst_is_pushed_a_few_per_tick(session: Session) -> None:
    add_article(session, "seed", tags=("tech", "world"))
    add_reader(session, 1, tags=("tech",))
    plan_due_digests(session, at(1), SETTINGS)
    mark_instant(session, 1, "tech")
    for index in range(MAX_PUSHES_PER_TICK + 2):
        add_article(session, f"burst{index}", tags=("tech",))
    assert plan_due_digests(session, at(3), SETTINGS).pushes == MAX_PUSHES_PER_TICK
    assert plan_due_digests(session, at(3, 1), SETTINGS).pushes == 2
    assert plan_due_digests(session, at(3, 2), SETTINGS).pushes == 0


def test_weekdays_weekly_and_paused_readers_get_digests_on_their_days(session: Session) -> None:
    add_article(session, "a")
    rhythms = {
        1: ReaderRhythm(),
        2: ReaderRhythm(Rhythm.WEEKDAYS),
        3: ReaderRhythm(Rhythm.WEEKLY, weekly_day=6),
        4: ReaderRhythm(Rhythm.PAUSED, paused_until=date(2024, 5, 13)),
    }
    for chat_id, rhythm in rhythms.items():
        add_reader(session, chat_id)
        set_rhythm(session, chat_id, rhythm)
    days = {}
    for day in (10, 11, 12, 13):  # Friday to Monday
        report = plan_due_digests(session, at(1, day=day), SETTINGS)
        days[day] = sorted(p.chat_id for p in report.planned)
    assert days == {10: [1, 2], 11: [1], 12: [1, 3], 13: [1, 2, 4]}
    assert delivered(session, 4) != []  # the first digest after the pause brings what came


def test_a_paused_reader_gets_no_pushes(session: Session) -> None:
    add_article(session, "seed", tags=("tech", "world"))
    add_reader(session, 1, tags=("tech",))
    plan_due_digests(session, at(1), SETTINGS)
    mark_instant(session, 1, "tech")
    set_rhythm(session, 1, ReaderRhythm(Rhythm.PAUSED, paused_until=date(2024, 5, 12)))
    held = add_article(session, "held", tags=("tech",))
    assert plan_due_digests(session, at(3), SETTINGS).pushes == 0
    plan_due_digests(session, at(1, day=12), SETTINGS)
    assert held in delivered(session, 1)
    assert pushes(session, 1) == []


def test_following_another_tag_keeps_the_instant_mark(session: Session) -> None:
    add_article(session, "a", tags=("tech", "world"))
    add_reader(session, 1, tags=("tech",))
    mark_instant(session, 1, "tech")
    toggle_tag(session, 1, "world")
    assert instant_tags(session, 1) == {"tech"}
    toggle_tag(session, 1, "tech")
    assert instant_tags(session, 1) == frozenset()
    profile = get_profile(session, 1)
    assert profile is not None
    assert profile.rhythm == ReaderRhythm()


def test_the_more_button_leaves_out_what_was_pushed(session: Session) -> None:
    add_article(session, "seed", tags=("tech", "world"))
    add_reader(session, 1, tags=("tech", "world"))
    plan_due_digests(session, at(1), SETTINGS)
    mark_instant(session, 1, "tech")
    pushed = add_article(session, "pushed", tags=("tech",))
    plan_due_digests(session, at(3), SETTINGS)
    for index in range(SETTINGS.digest.max_articles + 2):
        add_article(session, f"w{index}", tags=("world",))
    [digest] = plan_due_digests(session, at(1, day=11), SETTINGS).planned
    rest = digest_rest(session, digest.digest_id, 1, 0, 50)
    assert rest is not None
    assert len(rest.articles) == 2
    assert pushed not in [a.id for a in rest.articles]


def test_a_reader_hiding_the_other_language_gets_no_push_of_an_article_only_in_it(
    session: Session,
) -> None:
    from digestbot.model import Lang
    from digestbot.store.subscribers import set_other_language
    from tests.store.test_digests import add_single

    add_article(session, "seed", tags=("tech",))
    add_reader(session, 1, lang=Lang.ZH, tags=("tech",))
    add_reader(session, 2, lang=Lang.ZH, tags=("tech",))
    set_other_language(session, 2, False)
    plan_due_digests(session, at(1), SETTINGS)
    for chat_id in (1, 2):
        mark_instant(session, chat_id, "tech")
    english = add_single(session, "english", Lang.EN, day=2)  # tagged tech, English only
    assert plan_due_digests(session, at(3), SETTINGS).pushes == 1
    [text] = pushes(session, 1)
    assert f"/read_{english}" in text
    assert pushes(session, 2) == []
    chinese = add_single(session, "chinese", Lang.ZH, day=3)
    assert plan_due_digests(session, at(4), SETTINGS).pushes == 2
    assert f"/read_{chinese}" in pushes(session, 2)[0]
