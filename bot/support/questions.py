"""The support desk: answer a question from the FAQ, record it, take the asker's feedback.

Channel adapters (Slack now, Teams later, the terminal chat) call these methods and render the
results; nothing here knows how a message looks in any of them.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Update, delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.faq.knowledge import Knowledge
from bot.faq.matcher import Match
from bot.faq.model import Entry
from bot.faq.text import detect_language
from bot.settings import Area, Settings
from bot.store.db import Database
from bot.store.models import ProcessedEvent, Question, utcnow

log = logging.getLogger(__name__)

EVENT_RETENTION = timedelta(days=7)
PRUNE_EVERY = timedelta(hours=1)


class Status(enum.StrEnum):
    ANSWERED = "answered"
    UNRESOLVED = "unresolved"
    SOLVED = "solved"


class FeedbackResult(enum.StrEnum):
    SOLVED = "solved"
    NOT_HELPFUL = "not_helpful"
    NOT_ASKER = "not_asker"
    ALREADY = "already"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Reply:
    """What the bot has to say about one question."""

    question: Question
    match: Match
    area: Area | None

    @property
    def answered(self) -> bool:
        return self.match.answered

    @property
    def language(self) -> str:
        return self.question.language

    @property
    def suggestions(self) -> tuple[Entry, ...]:
        """FAQ entries to offer as similar questions when the question was not answered."""
        return self.match.suggestions


@dataclass(frozen=True)
class Feedback:
    result: FeedbackResult
    question: Question | None
    area: Area | None = None


@dataclass(frozen=True)
class Origin:
    """Who asked, through which channel adapter, where, and as which platform event."""

    source: str
    asker: str
    channel: str | None = None
    message_ts: str | None = None
    thread_ts: str | None = None
    event_id: str | None = None
    asker_name: str | None = None


# Question.feedback of a question the bot declined and the asker solved with a suggested entry.
SOLVED_BY_SUGGESTION = "suggestion"


def asker_verdict(question_id: int, user: str, while_in: Status, **values: object) -> Update:
    """The asker's verdict on a question while it is in status `while_in`, as one conditional
    update: it changes nothing (rowcount 0) for anyone else, or the second time, even when two
    arrive at once."""
    return (
        update(Question)
        .where(
            Question.id == question_id,
            Question.asker == user,
            Question.status == while_in,
            Question.feedback.is_(None),
        )
        .values(feedback_by=user, **values)
    )


class DuplicateEvent(Exception):
    """The platform delivered an event a second time (a retry); it was handled already."""


UnresolvedListener = Callable[[Question], Awaitable[None]]


class SupportDesk:
    def __init__(self, settings: Settings, db: Database, knowledge: Knowledge) -> None:
        self.settings = settings
        self.db = db
        self.knowledge = knowledge
        self._unresolved_listeners: list[UnresolvedListener] = []
        self._pruned_at = utcnow()

    def on_unresolved(self, listener: UnresolvedListener) -> None:
        """Called with every question that ends unresolved (the escalation ladder hooks in here)."""
        self._unresolved_listeners.append(listener)

    async def ask(self, text: str, origin: Origin) -> Reply:
        """Answer a question from the FAQ and record it. With `origin.event_id`, the event id is
        stored with the question in one transaction (so a crash can't mark an event handled whose
        question was lost), and a second delivery raises DuplicateEvent."""
        event_id = origin.event_id
        if event_id is not None:
            await self._prune_now_and_then()
        match = self.knowledge.match(text)
        entry = match.entry if match.answered else None
        question = Question(
            created_at=utcnow(),
            source=origin.source,
            asker=origin.asker,
            asker_name=origin.asker_name,
            channel=origin.channel,
            message_ts=origin.message_ts,
            thread_ts=origin.thread_ts,
            text=text,
            language=detect_language(text),
            matched_question=match.entry.question if match.entry else None,
            matched_area=match.entry.area if match.entry else None,
            matched_location=match.entry.location if match.entry else None,
            confidence=match.confidence,
            answered=match.answered,
            status=Status.ANSWERED if match.answered else Status.UNRESOLVED,
        )
        async with self.db.session() as session:
            if event_id is not None:
                session.add(ProcessedEvent(event_id=event_id, received_at=utcnow()))
            session.add(question)
            try:
                await session.commit()
            except IntegrityError as exc:
                await session.rollback()
                raise DuplicateEvent(event_id) from exc
        log.info(
            "question %d from %s: answered=%s confidence=%.2f match=%r",
            question.id,
            origin.asker,
            match.answered,
            match.confidence,
            question.matched_question,
        )
        if not match.answered:
            await self._notify_unresolved(question)
        return Reply(question, match, self.settings.area(entry.area) if entry else None)

    async def set_reply(self, question_id: int, reply_ts: str) -> None:
        async with self.db.session() as session:
            await session.execute(
                update(Question).where(Question.id == question_id).values(reply_ts=reply_ts)
            )
            await session.commit()

    async def feedback(self, question_id: int, user: str, *, solved: bool) -> Feedback:
        """Record the asker's verdict once; anyone else, or a second press, changes nothing."""
        status = Status.SOLVED if solved else Status.UNRESOLVED
        async with self.db.session() as session:
            result = await session.execute(
                asker_verdict(
                    question_id,
                    user,
                    Status.ANSWERED,
                    status=status,
                    feedback="solved" if solved else "not_helpful",
                    feedback_at=utcnow(),
                )
            )
            await session.commit()
            question = await session.get(Question, question_id, populate_existing=True)
        if question is None:
            return Feedback(FeedbackResult.UNKNOWN, None)
        area = self.settings.area(question.matched_area)
        if result.rowcount != 1:
            outcome = FeedbackResult.NOT_ASKER if question.asker != user else FeedbackResult.ALREADY
            return Feedback(outcome, question, area)
        if not solved:
            await self._notify_unresolved(question)
        return Feedback(
            FeedbackResult.SOLVED if solved else FeedbackResult.NOT_HELPFUL, question, area
        )

    async def get(self, question_id: int) -> Question | None:
        async with self.db.session() as session:
            return await session.get(Question, question_id)

    async def first_time(self, event_id: str) -> bool:
        """True the first time an event id is seen; Slack retries and duplicates get False."""
        await self._prune_now_and_then()
        async with self.db.session() as session:
            session.add(ProcessedEvent(event_id=event_id, received_at=utcnow()))
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                return False
        return True

    async def _prune_now_and_then(self) -> None:
        if utcnow() - self._pruned_at > PRUNE_EVERY:
            self._pruned_at = utcnow()
            await self.prune_events()

    async def prune_events(self) -> int:
        """Forget event ids older than Slack's retry window (many times over)."""
        async with self.db.session() as session:
            result = await session.execute(
                delete(ProcessedEvent).where(
                    ProcessedEvent.received_at < utcnow() - EVENT_RETENTION
                )
            )
            await session.commit()
        return result.rowcount or 0

    async def unresolved(self, limit: int = 50) -> list[Question]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(Question)
                .where(Question.status == Status.UNRESOLVED)
                .order_by(Question.created_at.desc())
                .limit(limit)
            )
            return list(rows)

    async def _notify_unresolved(self, question: Question) -> None:
        for listener in self._unresolved_listeners:
            try:
                await listener(question)
            except Exception:
                log.exception("unresolved listener failed for question %d", question.id)
