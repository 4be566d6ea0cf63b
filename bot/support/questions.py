"""The support desk: answer a question from the FAQ, record it, take the asker's feedback.

Channel adapters (Slack now, Teams later, the terminal chat) call these methods and render the
results; nothing here knows how a message looks in any of them.
"""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Update, delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.faq.knowledge import Knowledge
from bot.faq.matcher import Match
from bot.faq.model import Entry
from bot.faq.smalltalk import SmallTalk, small_talk
from bot.faq.text import detect_language
from bot.logs import bind
from bot.settings import Area, Settings
from bot.store.db import Database
from bot.store.models import ProcessedEvent, Question, utcnow
from bot.support.learning import Source
from bot.support.listeners import notify
from bot.support.outbox import Posted, Sent, enqueue

log = logging.getLogger(__name__)

EVENT_RETENTION = timedelta(days=7)
PRUNE_EVERY = timedelta(hours=1)


class Status(enum.StrEnum):
    ANSWERED = "answered"
    UNRESOLVED = "unresolved"
    SOLVED = "solved"
    CLARIFY = "clarify"  # too vague: the bot asked which FAQ entry was meant
    OFF_TOPIC = "off_topic"  # not about the ERP: declined, not escalated


class Outcome(enum.StrEnum):
    """What the bot made of a message."""

    ANSWERED = "answered"  # answered from the FAQ
    CLARIFY = "clarify"  # too vague: which of a few FAQ entries is meant?
    OFF_TOPIC = "off_topic"  # not about the ERP: declined, with where to ask instead
    SMALL_TALK = "small_talk"  # not a question: a short friendly reply, nothing recorded
    UNRESOLVED = "unresolved"  # an ERP question the FAQ can't answer: escalated at once


class FeedbackResult(enum.StrEnum):
    SOLVED = "solved"
    NOT_HELPFUL = "not_helpful"
    ASKED_ANYWAY = "asked_anyway"  # a declined or vague question sent to a superuser after all
    NOT_ASKER = "not_asker"
    ALREADY = "already"
    UNKNOWN = "unknown"


def consider(text: str, knowledge: Knowledge) -> tuple[Outcome, Match, SmallTalk | None]:
    """What a message is, without recording anything: small talk (not matched at all), or the
    FAQ's answer, a clarifying question, a decline, or an unanswered ERP question."""
    chat = small_talk(text)
    if chat is not None:
        return Outcome.SMALL_TALK, Match(text, None, 0.0, False), chat
    match = knowledge.match(text)
    if match.answered:
        return Outcome.ANSWERED, match, None
    if match.clarifications:
        return Outcome.CLARIFY, match, None
    if match.off_topic:
        return Outcome.OFF_TOPIC, match, None
    return Outcome.UNRESOLVED, match, None


def example_questions(knowledge: Knowledge, language: str, count: int = 3) -> tuple[str, ...]:
    """A few FAQ questions to show as examples of what to ask: of each area in turn, the
    shortest in the asker's language (then in the other)."""
    by_area: dict[str, list[str]] = {}
    for entry in knowledge.base.entries:
        by_area.setdefault(entry.area, []).append(entry.question)
    ranked = [
        sorted(questions, key=lambda q: (detect_language(q) != language, len(q)))
        for questions in by_area.values()
    ]
    picked = [qs[rank] for rank in range(count) for qs in ranked if rank < len(qs)]
    return tuple(picked[:count])


@dataclass(frozen=True)
class Reply:
    """What the bot has to say about one message. `question` is what was recorded: None for
    small talk, which is not a question."""

    question: Question | None
    match: Match
    area: Area | None
    outcome: Outcome
    small_talk: SmallTalk | None = None

    @property
    def answered(self) -> bool:
        return self.outcome is Outcome.ANSWERED

    @property
    def language(self) -> str:
        if self.small_talk is not None:
            return self.small_talk.language
        return self.question.language if self.question else detect_language(self.match.question)

    @property
    def suggestions(self) -> tuple[Entry, ...]:
        """FAQ entries to offer as similar questions when the question was not answered."""
        return self.match.suggestions

    @property
    def clarifications(self) -> tuple[Entry, ...]:
        """The FAQ entries a too vague question may mean, best first."""
        return self.match.clarifications if self.outcome is Outcome.CLARIFY else ()


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
# The statuses from which the asker may mark a question solved by a suggested (or clarifying)
# FAQ entry.
SUGGESTIBLE = (Status.UNRESOLVED, Status.CLARIFY)
# Declined or vague questions, which the asker may send to a superuser after all.
ASKABLE = (Status.CLARIFY, Status.OFF_TOPIC)


def asker_may(question_id: int, user: str, while_in: Status | tuple[Status, ...]) -> Update:
    """An update of a question that changes it only for its asker, while it is in status
    `while_in` (or one of them) and has no verdict yet: it changes nothing (rowcount 0) for
    anyone else, or the second time, even when two arrive at once."""
    statuses = while_in if isinstance(while_in, tuple) else (while_in,)
    return update(Question).where(
        Question.id == question_id,
        Question.asker == user,
        Question.status.in_(statuses),
        Question.feedback.is_(None),
    )


def asker_verdict(
    question_id: int, user: str, while_in: Status | tuple[Status, ...], **values: object
) -> Update:
    """The asker's verdict on a question while it is in status `while_in` (see `asker_may`)."""
    return asker_may(question_id, user, while_in).values(feedback_by=user, **values)


def escalation_reason(question: Question) -> str:
    """Why an unresolved question goes to a person: the bot had no answer, the asker said the
    answer didn't help, or the bot declined or asked what was meant and the asker wanted a
    superuser anyway."""
    if question.feedback == "not_helpful":
        return "not_helpful"
    if question.outcome in ASKABLE:
        return "asked_anyway"
    return "unanswered"


@dataclass(frozen=True)
class Outgoing:
    """The adapter's reply to a message, as an outbox delivery on the adapter's own route: queued
    in the transaction that records the question, so a crash can't keep one without the other."""

    route: str
    payload: dict[str, Any]
    lane: str  # where it goes (a chat channel): replies there go out in order


ReplyWriter = Callable[["Reply"], Outgoing]


class DuplicateEvent(Exception):
    """The platform delivered an event a second time (a retry); it was handled already."""


UnresolvedListener = Callable[[AsyncSession, Question], Awaitable[None]]
# The asker confirmed an FAQ entry (by its heading) answered the question; how (Source).
ConfirmedListener = Callable[[Question, str, Source], Awaitable[None]]


class SupportDesk:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        knowledge: Knowledge,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.clock = clock  # the outbox's: a queued reply is due at once by its clock
        self.db = db
        self.knowledge = knowledge
        self._unresolved_listeners: list[UnresolvedListener] = []
        self._confirmed_listeners: list[ConfirmedListener] = []
        self._pruned_at = utcnow()

    def on_unresolved(self, listener: UnresolvedListener) -> None:
        """Called with every question that ends unresolved, in the transaction that makes it so
        (the escalation ladder hooks in here): a question is never unresolved without its
        escalation, even when the process dies right after. A listener that fails undoes it all,
        so that the event is handled again."""
        self._unresolved_listeners.append(listener)

    def on_confirmed(self, listener: ConfirmedListener) -> None:
        """Called when an asker says the bot's answer solved their question (learning hooks in)."""
        self._confirmed_listeners.append(listener)

    async def ask(self, text: str, origin: Origin, writer: ReplyWriter | None = None) -> Reply:
        """Answer a message and record it. With `origin.event_id`, the event id is stored with
        the question in one transaction (so a crash can't mark an event handled whose question
        was lost), and a second delivery raises DuplicateEvent. With a `writer`, the reply it
        writes is queued in the outbox in that same transaction.

        Small talk is not recorded as a question at all (only its event id, so that a retry
        isn't answered twice). A vague or off-topic question is recorded with its own status and
        not escalated; an unanswered ERP question is escalated at once."""
        event_id = origin.event_id
        if event_id is not None:
            await self._prune_now_and_then()
        outcome, match, chat = consider(text, self.knowledge)
        if chat is not None:
            reply = Reply(None, match, None, outcome, chat)
            if not await self.reply_once(event_id, writer(reply) if writer else None):
                raise DuplicateEvent(event_id)
            log.info("small talk (%s) from %s", chat.kind, origin.asker)
            return reply
        entry = match.entry if match.answered else None
        status = {
            Outcome.ANSWERED: Status.ANSWERED,
            Outcome.CLARIFY: Status.CLARIFY,
            Outcome.OFF_TOPIC: Status.OFF_TOPIC,
        }.get(outcome, Status.UNRESOLVED)
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
            status=status,
            outcome=outcome,
        )
        area = self.settings.area(entry.area) if entry else None
        reply = Reply(question, match, area, outcome)
        async with self.db.session() as session:
            if event_id is not None:
                session.add(ProcessedEvent(event_id=event_id, received_at=utcnow()))
            session.add(question)
            try:
                await session.flush()  # the question's id, for the reply's buttons
                bind(question=question.id)
                if writer is not None:
                    key = f"reply:{event_id or question.id}"
                    _queue_reply(session, writer(reply), key, self.clock())
                if outcome is Outcome.UNRESOLVED:
                    await self._notify_unresolved(session, question)
                await session.commit()
            except IntegrityError as exc:
                await session.rollback()
                raise DuplicateEvent(event_id) from exc
        log.info(
            "question %d from %s: %s confidence=%.2f match=%r",
            question.id,
            origin.asker,
            outcome,
            match.confidence,
            question.matched_question,
        )
        return reply

    async def ask_anyway(self, question_id: int, user: str) -> Feedback:
        """The asker wants a superuser on a question the bot declined or found too vague: it
        becomes unresolved and is escalated like any unanswered question. Anyone else, a second
        press, or a question settled meanwhile changes nothing."""
        changed, settled = await self._verdict(
            asker_may(question_id, user, ASKABLE).values(status=Status.UNRESOLVED),
            question_id,
            user,
            escalate=True,
        )
        if not changed or settled.question is None:
            return settled
        log.info("question %d: the asker wants a superuser after all", question_id)
        return Feedback(FeedbackResult.ASKED_ANYWAY, settled.question, settled.area)

    async def _verdict(
        self, statement: Update, question_id: int, user: str, *, escalate: bool = False
    ) -> tuple[bool, Feedback]:
        """Run an asker's conditional update, and with `escalate` tell the unresolved listeners
        in the same transaction. (False, why nothing changed: the question is unknown, the
        user isn't its asker, or it was settled already), or (True, the question as it is now,
        with a result the caller replaces)."""
        bind(question=question_id)
        async with self.db.session() as session:
            result = await session.execute(statement)
            question = await session.get(Question, question_id, populate_existing=True)
            if escalate and result.rowcount == 1 and question is not None:
                await self._notify_unresolved(session, question)
            await session.commit()
        if question is None:
            return False, Feedback(FeedbackResult.UNKNOWN, None)
        area = self.settings.area(question.matched_area)
        if result.rowcount != 1:
            outcome = FeedbackResult.NOT_ASKER if question.asker != user else FeedbackResult.ALREADY
            return False, Feedback(outcome, question, area)
        return True, Feedback(FeedbackResult.UNKNOWN, question, area)

    def examples(self, language: str, count: int = 3) -> tuple[str, ...]:
        return example_questions(self.knowledge, language, count)

    async def feedback(self, question_id: int, user: str, *, solved: bool) -> Feedback:
        """Record the asker's verdict once; anyone else, or a second press, changes nothing."""
        changed, settled = await self._verdict(
            asker_verdict(
                question_id,
                user,
                Status.ANSWERED,
                status=Status.SOLVED if solved else Status.UNRESOLVED,
                feedback="solved" if solved else "not_helpful",
                feedback_at=utcnow(),
            ),
            question_id,
            user,
            escalate=not solved,
        )
        question, area = settled.question, settled.area
        if not changed or question is None:
            return settled
        if solved and question.matched_question:
            await notify(
                self._confirmed_listeners,
                question,
                question.matched_question,
                Source.CONFIRMED,
                event=f"question {question.id} confirmed",
            )
        return Feedback(
            FeedbackResult.SOLVED if solved else FeedbackResult.NOT_HELPFUL, question, area
        )

    async def get(self, question_id: int) -> Question | None:
        async with self.db.session() as session:
            return await session.get(Question, question_id)

    async def first_time(self, event_id: str) -> bool:
        """True the first time an event id is seen; Slack retries and duplicates get False."""
        return await self.reply_once(event_id, None)

    async def reply_once(self, event_id: str | None, outgoing: Outgoing | None) -> bool:
        """Record that an event was handled and queue its reply, in one transaction; False (and
        nothing queued) when it was handled before. Without an event id, only the reply."""
        if event_id is None and outgoing is None:
            return True
        await self._prune_now_and_then()
        async with self.db.session() as session:
            if event_id is not None:
                session.add(ProcessedEvent(event_id=event_id, received_at=utcnow()))
            if outgoing is not None:
                key = f"reply:{event_id}" if event_id else f"reply:{uuid.uuid4()}"
                _queue_reply(session, outgoing, key, self.clock())
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

    async def _notify_unresolved(self, session: AsyncSession, question: Question) -> None:
        for listener in self._unresolved_listeners:
            await listener(session, question)


async def record_reply(session: AsyncSession, payload: Mapping[str, Any], sent: Sent) -> None:
    """The reply to a question was posted (the outbox's hook for replies, run in the
    transaction that records the reply sent): its ts is kept on the question."""
    reply_ts = sent.ts if isinstance(sent, Posted) else sent
    question = payload.get("question")
    if isinstance(question, int) and reply_ts:
        await session.execute(
            update(Question).where(Question.id == question).values(reply_ts=reply_ts)
        )


def _queue_reply(session: AsyncSession, outgoing: Outgoing, key: str, now: datetime) -> None:
    enqueue(session, outgoing.route, "reply", outgoing.payload, key, now, outgoing.lane)
