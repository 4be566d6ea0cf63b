"""The support desk on a real database: SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import Core, create_core
from bot.faq.smalltalk import Kind
from bot.settings import Area
from bot.store.models import Base, Escalation, EscalationEvent, ProcessedEvent, Question, utcnow
from bot.support.questions import (
    DuplicateEvent,
    FeedbackResult,
    Origin,
    Outcome,
    escalation_reason,
)
from tests.conftest import UNANSWERABLE, following_up, make_settings

# about the ERP, but not in the FAQ: unresolved (not vague, not off-topic)


async def stored_question(core: Core, question_id: int) -> Question | None:
    async with core.db.session() as session:
        return await session.get(Question, question_id)


@pytest_asyncio.fixture
async def core(database_url: str) -> AsyncIterator[Core]:
    core = await create_core(make_settings(database_url))
    yield core
    await core.close()


async def test_migrations_create_the_tables_and_are_idempotent(core: Core) -> None:
    await core.db.upgrade()
    async with core.db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert {"questions", "processed_events", "alembic_version"} <= tables


async def test_migrations_match_the_models(core: Core) -> None:
    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection)
        return compare_metadata(context, Base.metadata)

    async with core.db.engine.connect() as conn:
        assert await conn.run_sync(differences) == []


async def test_ask_records_who_where_what_and_the_outcome(core: Core) -> None:
    reply = await core.desk.ask(
        "hur gör jag en cykelinventering?",
        Origin("slack", "U1", channel="C1", message_ts="1.1", thread_ts="1.1"),
    )
    assert reply.answered and reply.area is not None and reply.area.key == "warehouse"
    unknown = await core.desk.ask(UNANSWERABLE, Origin("slack", "U2"))
    assert not unknown.answered
    stored = await stored_question(core, reply.question.id)
    assert stored is not None
    assert (stored.asker, stored.channel, stored.source, stored.language) == (
        "U1",
        "C1",
        "slack",
        "sv",
    )
    assert stored.matched_question == "Hur gör jag en cykelinventering?"
    assert stored.matched_area == "warehouse" and stored.status == "answered"
    assert stored.confidence == reply.match.confidence
    assert [q.id for q in await unresolved_questions(core)] == [unknown.question.id]


async def test_event_ids_are_processed_once_even_concurrently(core: Core) -> None:
    results = await asyncio.gather(*(core.desk.first_time("Ev1") for _ in range(8)))
    assert results.count(True) == 1
    assert await core.desk.first_time("Ev2") is True


async def test_a_question_event_is_recorded_once_even_concurrently(core: Core) -> None:
    origin = Origin("slack", "U1", "C1", "1.1", "1.1", event_id="EvQ")
    results = await asyncio.gather(
        *(core.desk.ask("hur gör jag en cykelinventering?", origin) for _ in range(6)),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, DuplicateEvent) for r in results if isinstance(r, BaseException))
    async with core.db.session() as session:
        assert len(list(await session.scalars(select(Question)))) == 1


async def test_old_event_ids_are_pruned(core: Core) -> None:
    await core.desk.first_time("EvOld")
    await core.desk.first_time("EvNew")
    async with core.db.session() as session:
        await session.execute(
            update(ProcessedEvent)
            .where(ProcessedEvent.event_id == "EvOld")
            .values(received_at=utcnow() - timedelta(days=30))
        )
        await session.commit()
    assert await core.desk.prune_events() == 1
    async with core.db.session() as session:
        assert list(await session.scalars(select(ProcessedEvent.event_id))) == ["EvNew"]


async def test_feedback_once_by_the_asker_and_listeners_hear_unresolved(core: Core) -> None:
    heard: list[int] = []

    async def listener(_session: AsyncSession, question: Question) -> None:
        heard.append(question.id)

    core.desk.on_unresolved(listener)
    reply = await core.desk.ask("hur gör jag en cykelinventering?", Origin("chat", "U1"))
    qid = reply.question.id
    assert (await core.desk.feedback(qid, "U2", solved=False)).result == "not_asker"
    results = await asyncio.gather(
        core.desk.feedback(qid, "U1", solved=False), core.desk.feedback(qid, "U1", solved=True)
    )
    winners = [r for r in results if r.result != "already"]
    assert len(winners) == 1, [r.result for r in results]
    stored = await stored_question(core, qid)
    assert stored is not None and stored.feedback_by == "U1"
    assert stored.status == ("solved" if winners[0].result == "solved" else "unresolved")
    assert heard == ([qid] if stored.status == "unresolved" else [])
    assert (await core.desk.feedback(999999, "U1", solved=True)).result == "unknown"


async def test_a_failing_unresolved_listener_undoes_the_question_so_the_event_is_handled_again(
    core: Core,
) -> None:
    """The escalation is opened in the question's transaction: when that fails, neither the
    question nor its event id is kept, so the inbox takes the event again."""
    failures = [RuntimeError("escalation failed")]

    async def broken(_session: AsyncSession, _question: Question) -> None:
        if failures:
            raise failures.pop()

    core.desk.on_unresolved(broken)
    origin = Origin("slack", "U1", "C1", "1.1", "1.1", event_id="EvBroken")
    with pytest.raises(RuntimeError):
        await core.desk.ask(UNANSWERABLE, origin)
    assert await all_questions(core) == []
    reply = await core.desk.ask(UNANSWERABLE, origin)
    assert [q.id for q in await all_questions(core)] == [reply.question.id]


async def unresolved_questions(core: Core) -> list[Question]:
    async with core.db.session() as session:
        query = select(Question).where(Question.status == "unresolved").order_by(Question.id)
        return list(await session.scalars(query))


async def all_questions(core: Core) -> list[Question]:
    async with core.db.session() as session:
        return list(await session.scalars(select(Question).order_by(Question.id)))


async def test_small_talk_is_answered_but_not_recorded_and_a_retry_is_not_answered_twice(
    core: Core,
) -> None:
    heard: list[int] = []

    async def listener(_session: AsyncSession, question: Question) -> None:
        heard.append(question.id)

    core.desk.on_unresolved(listener)
    origin = Origin("slack", "U1", "C1", "1.1", "1.1", event_id="EvThanks")
    reply = await core.desk.ask("Tack så mycket!", origin)
    assert (reply.outcome, reply.question, reply.answered) == (Outcome.SMALL_TALK, None, False)
    assert reply.small_talk is not None and reply.small_talk.kind is Kind.THANKS
    assert reply.language == "sv"
    with pytest.raises(DuplicateEvent):
        await core.desk.ask("Tack så mycket!", origin)
    english = await core.desk.ask("thx", Origin("chat", "U1"))
    assert english.language == "en" and english.small_talk is not None
    assert await all_questions(core) == [] and heard == []
    assert await unresolved_questions(core) == []


async def test_each_outcome_is_recorded_with_its_own_status_and_only_erp_questions_escalate(
    core: Core,
) -> None:
    heard: list[str] = []

    async def listener(_session: AsyncSession, question: Question) -> None:
        heard.append(question.text)

    core.desk.on_unresolved(listener)
    origin = Origin("slack", "U1")
    answered = await core.desk.ask("hur gör jag en cykelinventering?", origin)
    vague = await core.desk.ask("faktura", origin)
    off_topic = await core.desk.ask("vad blir det till lunch?", origin)
    unresolved = await core.desk.ask(UNANSWERABLE, origin)
    assert [r.outcome for r in (answered, vague, off_topic, unresolved)] == [
        Outcome.ANSWERED,
        Outcome.CLARIFY,
        Outcome.OFF_TOPIC,
        Outcome.UNRESOLVED,
    ]
    assert not vague.answered and len(vague.clarifications) >= 2 and vague.suggestions == ()
    assert off_topic.clarifications == () and answered.clarifications == ()
    stored = [(q.status, q.outcome, q.answered) for q in await all_questions(core)]
    assert stored == [
        ("answered", "answered", True),
        ("clarify", "clarify", False),
        ("off_topic", "off_topic", False),
        ("unresolved", "unresolved", False),
    ]
    assert heard == [UNANSWERABLE]
    assert [q.text for q in await unresolved_questions(core)] == [UNANSWERABLE]


async def test_ask_anyway_by_the_asker_once_makes_it_unresolved_and_tells_the_listeners(
    core: Core,
) -> None:
    heard: list[int] = []

    async def listener(_session: AsyncSession, question: Question) -> None:
        heard.append(question.id)

    core.desk.on_unresolved(listener)
    declined = await core.desk.ask("vad blir det till lunch?", Origin("chat", "U1"))
    assert declined.question is not None
    qid = declined.question.id
    assert heard == []
    refused = await core.desk.ask_anyway(qid, "U2")
    assert refused.result is FeedbackResult.NOT_ASKER
    results = await asyncio.gather(core.desk.ask_anyway(qid, "U1"), core.desk.ask_anyway(qid, "U1"))
    assert sorted(r.result for r in results) == [
        FeedbackResult.ALREADY,
        FeedbackResult.ASKED_ANYWAY,
    ]
    assert heard == [qid]
    stored = await stored_question(core, qid)
    assert stored is not None
    assert (stored.status, stored.outcome, stored.feedback) == ("unresolved", "off_topic", None)
    assert escalation_reason(stored) == "asked_anyway"
    assert [q.id for q in await unresolved_questions(core)] == [qid]

    answered = await core.desk.ask("hur gör jag en cykelinventering?", Origin("chat", "U1"))
    assert answered.question is not None
    assert (await core.desk.ask_anyway(answered.question.id, "U1")).result is (
        FeedbackResult.ALREADY
    )
    assert (await core.desk.ask_anyway(999999, "U1")).result is FeedbackResult.UNKNOWN
    assert heard == [qid]


async def test_a_clarification_the_asker_picks_solves_the_vague_question(core: Core) -> None:
    vague = await core.desk.ask("faktura", Origin("chat", "U1"))
    assert vague.question is not None
    picked = vague.clarifications[1].question
    feedback, closed = await core.ladder.solved_by_suggestion(vague.question.id, "U1", picked)
    assert feedback.result is FeedbackResult.SOLVED and closed is None
    stored = await stored_question(core, vague.question.id)
    assert stored is not None
    assert (stored.status, stored.solved_by_entry) == ("solved", picked)
    again = await core.desk.ask_anyway(vague.question.id, "U1")
    assert again.result is FeedbackResult.ALREADY


async def test_asked_anyway_from_slack_goes_up_the_ladder(database_url: str) -> None:
    areas = (Area("finance", "Ekonomi", superusers=("U0ANNA",)),)
    core = await create_core(make_settings(database_url, areas=areas))
    core.attach(following_up("slack"))
    try:
        origin = Origin("slack", "U1", "C0SUPPORT", "1.1", "1.1")
        vague = await core.desk.ask("faktura", origin)
        assert vague.outcome is Outcome.CLARIFY and vague.question is not None
        async with core.db.session() as session:
            assert list(await session.scalars(select(Escalation))) == []
        await core.desk.ask_anyway(vague.question.id, "U1")
        async with core.db.session() as session:
            [esc] = list(await session.scalars(select(Escalation)))
            [event] = list(await session.scalars(select(EscalationEvent)))
        assert (esc.question_id, esc.area, esc.assignee) == (vague.question.id, "finance", "U0ANNA")
        assert (event.action, event.detail) == ("opened", "asked_anyway")
    finally:
        await core.close()
