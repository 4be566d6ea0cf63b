"""The escalation ladder: area superuser, then deputies, then the vendor, and back to the asker.

Every change is one transaction: the escalation row, an audit event, and the outbox deliveries
it causes. Deadlines are stored (`due_at`) and acted on by `sweep()`, which a scheduled job calls;
a restart loses nothing and a step can't fire twice, because the step and its messages commit
together and the next sweep sees the new state.

The chat gets an `EscalationNotice` (what happened, and to whom: a superuser, a channel, or the
asker's thread), which its adapter renders; e-mail and webhooks get a complete message for the
vendor.
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.logs import bind
from bot.settings import Settings
from bot.store.db import Database
from bot.store.models import (
    Escalation,
    EscalationEvent,
    EscalationPost,
    OutboxMessage,
    Question,
    utcnow,
)
from bot.support.learning import Source
from bot.support.listeners import notify
from bot.support.notices import ASKER, CHAT, KEPT, EscalationNotice, EscalationStep
from bot.support.outbox import Posted, Sent, enqueue
from bot.support.questions import (
    SOLVED_BY_SUGGESTION,
    SUGGESTIBLE,
    ConfirmedListener,
    Feedback,
    FeedbackResult,
    asker_verdict,
    escalation_reason,
)
from bot.support.questions import Status as QuestionStatus
from bot.texts import ACTION_NAMES, VENDOR_REASONS

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
BOT = "firstline"
ORPHAN_AFTER = timedelta(minutes=2)


class State(enum.StrEnum):
    OPEN = "open"  # waiting for a superuser to claim it
    CLAIMED = "claimed"
    VENDOR = "vendor"  # with the vendor
    ANSWERED = "answered"  # answer posted, waiting for the asker
    CLOSED = "closed"


ACTIVE = (State.OPEN, State.CLAIMED, State.VENDOR)


class Refused(Exception):
    """An action that is not allowed now; `code` and `values` let adapters say why."""

    def __init__(self, code: str, **values: str) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


@dataclass(frozen=True)
class Status:
    escalation: Escalation
    question: Question
    history: list[EscalationEvent]


def known_areas(settings: Settings) -> str:
    """The areas as typed in a command, each with its name: 'finance (Ekonomi), …'."""
    return ", ".join(f"{area.key} ({area.name})" for area in settings.areas)


def why_to_vendor(esc: Escalation) -> str | None:
    """Why the ticket went to the vendor, in words; None when the reason only repeats the
    superuser's note (a note typed with `escalate` is both)."""
    reason = esc.vendor_reason
    if not reason or reason == esc.note:
        return None
    return VENDOR_REASONS.get(reason) or ACTION_NAMES.get(reason, reason)


class Ladder:
    def __init__(self, settings: Settings, db: Database, clock: Clock = utcnow) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self._confirmed_listeners: list[ConfirmedListener] = []

    def on_confirmed(self, listener: ConfirmedListener) -> None:
        """Called when an asker says a suggested FAQ entry solved their question."""
        self._confirmed_listeners.append(listener)

    # -- opening ------------------------------------------------------------------------------

    async def open(self, question: Question, reason: str) -> Escalation:
        """Start the ladder for an unresolved question (idempotent per question)."""
        async with self.db.session() as session:
            esc = await self.open_in(session, question, reason)
            await session.commit()
            return esc

    async def open_in(self, session: AsyncSession, question: Question, reason: str) -> Escalation:
        """`open`, in the caller's transaction (the one that made the question unresolved)."""
        now = self.clock()
        existing = await session.scalar(
            select(Escalation).where(Escalation.question_id == question.id)
        )
        if existing is not None:
            return existing
        area = self.settings.area(question.matched_area)
        esc = Escalation(
            question_id=question.id,
            area=area.key if area else None,
            state=State.OPEN,
            level=0,
            assignee=area.primary if area else None,
            reminded=False,
            created_at=now,
            updated_at=now,
        )
        session.add(esc)
        await session.flush()
        await self._assign(session, esc, now, actor=BOT, action="opened", detail=reason)
        return esc

    async def _assign(
        self,
        session: AsyncSession,
        esc: Escalation,
        now: datetime,
        *,
        actor: str,
        action: str,
        detail: str | None = None,
    ) -> None:
        """Give the escalation to its current assignee with a fresh claim deadline, or to the
        vendor when the area's superusers are used up."""
        area = self.settings.area(esc.area)
        people = area.superusers if area else ()
        if esc.level < len(people):
            esc.assignee = people[esc.level]
            esc.state = State.OPEN
            esc.due_at = self.settings.escalation.hours.add(
                now, self.settings.escalation.claim_within
            )
            event = await self._event(session, esc, now, actor, action, detail)
            await self._notify(session, esc, event, EscalationStep.ASSIGNED, esc.assignee)
            await self._notify_triage(session, esc, event)
            await self._notify(session, esc, event, EscalationStep.PROGRESS, ASKER)
        elif people and self.settings.vendor.reachable:
            await self._to_vendor(session, esc, now, actor=actor, reason=detail or action)
        else:
            # No area (the bot had no idea what it is about), or an area without superusers: the
            # support queue and triage, until someone takes it or moves it to an area.
            esc.assignee, esc.due_at = None, None
            esc.state = State.OPEN
            event = await self._event(session, esc, now, actor, "unassigned", detail)
            await self._notify_triage(session, esc, event)
            await self._notify(session, esc, event, EscalationStep.PROGRESS, ASKER)

    # -- superuser actions ----------------------------------------------------------------

    async def claim(self, number: int, user: str) -> Escalation:
        """Exactly one of two simultaneous claims wins: a conditional UPDATE decides."""
        now = self.clock()
        async with self.db.session() as session:
            esc = await self._get(session, number)
            self.check_allowed(user, esc)
            result = await session.execute(
                update(Escalation)
                .where(Escalation.id == number, Escalation.state == State.OPEN)
                .values(
                    state=State.CLAIMED,
                    claimed_by=user,
                    claimed_at=now,
                    assignee=user,
                    reminded=False,
                    due_at=self.settings.escalation.hours.add(
                        now, self.settings.escalation.answer_within
                    ),
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                await session.rollback()
                current = await self._get(session, number)
                if current.state == State.CLAIMED:
                    raise Refused("claimed_by_other", user=current.claimed_by or "")
                raise Refused("wrong_state", state=current.state)
            await session.refresh(esc)
            event = await self._event(session, esc, now, user, "claimed")
            await self._notify(session, esc, event, EscalationStep.PROGRESS, ASKER)
            await self._notify_triage(session, esc, event)
            await session.commit()
            return esc

    async def release(self, number: int, user: str) -> Escalation:
        now = self.clock()
        async with self.db.session() as session:
            esc = await self._get(session, number, lock=True)
            self.check_allowed(user, esc)
            if esc.state != State.CLAIMED:
                raise Refused("wrong_state", state=esc.state)
            esc.claimed_by, esc.claimed_at, esc.updated_at = None, None, now
            await self._assign(session, esc, now, actor=user, action="released")
            await session.commit()
            return esc

    async def answer(self, number: int, user: str, text: str) -> Escalation:
        return await self._answer(number, user, text, action="answered", vendor=False)

    async def vendor_reply(
        self, number: int, user: str, text: str, *, from_vendor: bool = False
    ) -> Escalation:
        """Record the vendor's answer: typed by a superuser, or (`from_vendor`) written by the
        vendor in the thread of our request in their channel."""
        return await self._answer(
            number, user, text, action="vendor_replied", vendor=True, trusted=from_vendor
        )

    async def for_vendor_message(self, ts: str) -> int | None:
        """The escalation whose request to the vendor was posted as message `ts`."""
        async with self.db.session() as session:
            payload = await session.scalar(
                select(OutboxMessage.payload).where(
                    OutboxMessage.route == CHAT,
                    OutboxMessage.topic == "vendor",
                    OutboxMessage.result == ts,
                )
            )
        return int(json.loads(payload)["escalation"]) if payload else None

    async def _answer(
        self, number: int, user: str, text: str, *, action: str, vendor: bool, trusted: bool = False
    ) -> Escalation:
        if not text.strip():
            raise Refused("empty_answer")
        now = self.clock()
        async with self.db.session() as session:
            esc = await self._get(session, number, lock=True)
            if not trusted:
                self.check_allowed(user, esc)
            if esc.state not in ACTIVE:
                raise Refused("wrong_state", state=esc.state)
            if vendor and esc.state != State.VENDOR:
                raise Refused("not_with_vendor")
            esc.state, esc.answer, esc.answered_by = State.ANSWERED, text.strip(), user
            esc.answered_at, esc.due_at, esc.updated_at = now, None, now
            event = await self._event(session, esc, now, user, action, text.strip())
            await self._notify(session, esc, event, EscalationStep.ANSWER, ASKER)
            await self._notify_triage(session, esc, event)
            await session.commit()
            return esc

    async def escalate(self, number: int, user: str, reason: str = "") -> Escalation:
        now = self.clock()
        async with self.db.session() as session:
            esc = await self._get(session, number, lock=True)
            self.check_allowed(user, esc)
            if esc.state not in (State.OPEN, State.CLAIMED):
                raise Refused("wrong_state", state=esc.state)
            if not self.settings.vendor.reachable:
                raise Refused("no_vendor")
            if reason.strip():
                esc.note = reason.strip()
            await self._to_vendor(session, esc, now, actor=user, reason=reason.strip())
            await session.commit()
            return esc

    async def reassign(self, number: int, user: str, area_key: str) -> Escalation:
        area = self.settings.area(area_key.lower())
        if area is None:
            raise Refused("unknown_area", area=area_key, known=known_areas(self.settings))
        now = self.clock()
        async with self.db.session() as session:
            esc = await self._get(session, number, lock=True)
            self.check_allowed(user, esc)
            if esc.state not in (State.OPEN, State.CLAIMED):
                raise Refused("wrong_state", state=esc.state)
            esc.area, esc.level, esc.claimed_by, esc.claimed_at = area.key, 0, None, None
            esc.reminded, esc.updated_at = False, now
            await self._assign(session, esc, now, actor=user, action="reassigned", detail=area.key)
            await session.commit()
            return esc

    async def close(self, number: int, user: str, note: str = "") -> Escalation:
        now = self.clock()
        async with self.db.session() as session:
            esc = await self._get(session, number, lock=True)
            question = await session.get(Question, esc.question_id)
            is_asker = question is not None and question.asker == user
            if not is_asker:
                self.check_allowed(user, esc)
            if esc.state == State.CLOSED:
                raise Refused("wrong_state", state=esc.state)
            await self._close(session, esc, now, user, "closed", note.strip() or None)
            await session.commit()
            return esc

    async def _close(
        self,
        session: AsyncSession,
        esc: Escalation,
        now: datetime,
        user: str,
        action: str,
        detail: str | None,
    ) -> None:
        esc.state, esc.due_at, esc.closed_at, esc.updated_at = State.CLOSED, None, now, now
        event = await self._event(session, esc, now, user, action, detail)
        await self._notify(session, esc, event, EscalationStep.CLOSED, ASKER)
        await self._notify_triage(session, esc, event)

    async def solved_by_suggestion(
        self, question_id: int, user: str, entry_question: str
    ) -> tuple[Feedback, Escalation | None]:
        """The asker says a suggested FAQ entry solved a question the bot declined (or one of
        the entries it offered for a vague question). In one
        transaction the question counts as solved by that entry and its escalation, whatever
        step it is at, is closed (the thread and the triage channel are told). Anyone but the
        asker, a second press, or a question whose ticket is closed already changes nothing.
        Returns the verdict and the escalation it closed, if any."""
        now = self.clock()
        async with self.db.session() as session:
            query = select(Escalation).where(Escalation.question_id == question_id)
            esc = await session.scalar(query if self.db.is_sqlite else query.with_for_update())
            result = None
            if esc is None or esc.state != State.CLOSED:
                # conditional, so that two presses at once settle it once on SQLite too
                result = await session.execute(
                    asker_verdict(
                        question_id,
                        user,
                        SUGGESTIBLE,
                        status=QuestionStatus.SOLVED,
                        feedback=SOLVED_BY_SUGGESTION,
                        feedback_at=now,
                        solved_by_entry=entry_question,
                    )
                )
            question = await session.get(Question, question_id, populate_existing=True)
            if question is None:
                return Feedback(FeedbackResult.UNKNOWN, None), None
            if result is None or result.rowcount != 1:  # nothing changed
                settled = (
                    FeedbackResult.NOT_ASKER if question.asker != user else FeedbackResult.ALREADY
                )
                return Feedback(settled, question), None
            if esc is not None:
                await self._close(session, esc, now, user, "solved_by_suggestion", entry_question)
            await session.commit()
        await notify(
            self._confirmed_listeners,
            question,
            entry_question,
            Source.SUGGESTION,
            event=f"question {question_id} solved by a suggestion",
        )
        return Feedback(FeedbackResult.SOLVED, question), esc

    async def confirm(self, number: int, user: str, *, solved: bool) -> Escalation:
        """The asker's verdict on an answer: solved closes it, not solved sends it on (a
        superuser's answer to the vendor, the vendor's back to the area's superusers)."""
        now = self.clock()
        async with self.db.session() as session:
            esc = await self._get(session, number, lock=True)
            question = await session.get(Question, esc.question_id)
            if question is None or question.asker != user:
                raise Refused("only_asker", asker=question.asker if question else "")
            if esc.state != State.ANSWERED:
                raise Refused("wrong_state", state=esc.state)
            if solved:
                esc.state, esc.closed_at, esc.updated_at = State.CLOSED, now, now
                event = await self._event(session, esc, now, user, "confirmed")
                await self._notify_triage(session, esc, event)
            else:
                from_vendor = esc.escalated_at is not None
                esc.answer, esc.answered_by, esc.answered_at = None, None, None
                esc.updated_at = now
                if from_vendor or not self.settings.vendor.reachable:
                    esc.level, esc.claimed_by, esc.claimed_at = 0, None, None
                    await self._assign(session, esc, now, actor=user, action="not_solved")
                else:
                    await self._to_vendor(session, esc, now, actor=user, reason="not_solved")
            await session.commit()
            return esc

    async def set_faq_location(self, number: int, user: str, location: str) -> None:
        now = self.clock()
        async with self.db.session() as session:
            esc = await self._get(session, number, lock=True)
            esc.faq_location, esc.updated_at = location, now
            await self._event(session, esc, now, user, "added_to_faq", location)
            await session.commit()

    # -- the deadlines ------------------------------------------------------------------------

    async def adopt_orphans(self, sources: frozenset[str]) -> int:
        """Open escalations for unresolved questions that have none. Escalations are opened in
        the question's own transaction now; this adopts what earlier versions, which opened
        them just after, left behind when they stopped in between."""
        cutoff = self.clock() - ORPHAN_AFTER
        async with self.db.session() as session:
            orphans = list(
                await session.scalars(
                    select(Question)
                    .outerjoin(Escalation, Escalation.question_id == Question.id)
                    .where(
                        Escalation.id.is_(None),
                        Question.status == QuestionStatus.UNRESOLVED,
                        Question.source.in_(list(sources)),
                        Question.created_at <= cutoff,
                    )
                )
            )
        for question in orphans:
            try:
                await self.open(question, escalation_reason(question))
            except IntegrityError:
                continue  # another process adopted it at the same moment
        return len(orphans)

    async def sweep(self) -> int:
        """Act on every deadline that has passed; returns how many escalations moved."""
        now = self.clock()
        moved = 0
        async with self.db.session() as session:
            query = (
                select(Escalation)
                .where(Escalation.due_at.is_not(None), Escalation.due_at <= now)
                .where(Escalation.state.in_([State.OPEN, State.CLAIMED]))
                .order_by(Escalation.id)
            )
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            for esc in list(await session.scalars(query)):
                if not await self._take_step(session, esc, now):
                    continue
                if esc.state == State.OPEN:
                    esc.level += 1
                    esc.updated_at = now
                    await self._assign(session, esc, now, actor=BOT, action="not_claimed_in_time")
                elif not esc.reminded:
                    esc.reminded, esc.updated_at = True, now
                    esc.due_at = self.settings.escalation.hours.add(
                        now, self.settings.escalation.reminder_grace
                    )
                    event = await self._event(session, esc, now, BOT, "reminded", esc.claimed_by)
                    await self._notify(
                        session, esc, event, EscalationStep.REMINDER, esc.claimed_by or ""
                    )
                elif self.settings.vendor.reachable:
                    await self._to_vendor(
                        session, esc, now, actor=BOT, reason="not_answered_in_time"
                    )
                else:
                    esc.due_at = None
                    event = await self._event(session, esc, now, BOT, "overdue")
                    await self._notify_triage(session, esc, event)
                moved += 1
            await session.commit()
        return moved

    @staticmethod
    async def _take_step(session: AsyncSession, esc: Escalation, now: datetime) -> bool:
        """Claim this deadline for this sweep: if another process (or a sweep before a restart)
        acted on it already, its state or deadline changed and the UPDATE matches nothing."""
        result = await session.execute(
            update(Escalation)
            .where(
                Escalation.id == esc.id,
                Escalation.state == esc.state,
                Escalation.due_at == esc.due_at,
            )
            .values(updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    # -- reading --------------------------------------------------------------------------------

    async def status(self, number: int) -> Status:
        async with self.db.session() as session:
            esc = await self._get(session, number)
            question = await session.get(Question, esc.question_id)
            assert question is not None
            history = list(
                await session.scalars(
                    select(EscalationEvent)
                    .where(EscalationEvent.escalation_id == number)
                    .order_by(EscalationEvent.id)
                )
            )
            return Status(esc, question, history)

    async def queue(
        self, *, area: str | None = None, user: str | None = None, asker: str | None = None
    ) -> list[tuple[Escalation, Question]]:
        """Active escalations, oldest first: of one area, assigned to/claimed by one user, or
        (`asker`) one person's own questions, answered ones included."""
        async with self.db.session() as session:
            query = (
                select(Escalation, Question)
                .join(Question, Question.id == Escalation.question_id)
                .order_by(Escalation.id)
            )
            if asker is None:
                query = query.where(Escalation.state.in_(list(ACTIVE)))
            else:
                query = query.where(
                    Question.asker == asker, Escalation.state.in_([*ACTIVE, State.ANSWERED])
                )
            if area is not None:
                query = query.where(Escalation.area == area)
            if user is not None:
                query = query.where(or_(Escalation.assignee == user, Escalation.claimed_by == user))
            return [(esc, q) for esc, q in (await session.execute(query)).all()]

    async def unanswered(self, limit: int) -> list[tuple[Question, Escalation | None]]:
        """The latest questions the FAQ could not answer that are still open, newest first, each
        with its escalation: none when it was asked where nobody follows up (a private
        `/support` question), else one nobody has answered or closed yet."""
        async with self.db.session() as session:
            query = (
                select(Question, Escalation)
                .outerjoin(Escalation, Escalation.question_id == Question.id)
                .where(
                    Question.status == QuestionStatus.UNRESOLVED,
                    or_(Escalation.id.is_(None), Escalation.state.in_(list(ACTIVE))),
                )
                .order_by(Question.created_at.desc(), Question.id.desc())
                .limit(limit)
            )
            return [(question, esc) for question, esc in (await session.execute(query)).all()]

    async def for_thread(self, channel: str, thread_ts: str) -> Escalation | None:
        """The escalation of the question asked in this thread, if any."""
        async with self.db.session() as session:
            return await session.scalar(
                select(Escalation)
                .join(Question, Question.id == Escalation.question_id)
                .where(Question.channel == channel, Question.thread_ts == thread_ts)
                .order_by(Escalation.id.desc())
                .limit(1)
            )

    # -- helpers --------------------------------------------------------------------------------

    async def _get(self, session: AsyncSession, number: int, *, lock: bool = False) -> Escalation:
        query = select(Escalation).where(Escalation.id == number)
        if lock and not self.db.is_sqlite:
            query = query.with_for_update()
        esc = await session.scalar(query)
        if esc is None:
            raise Refused("not_found", number=str(number))
        return esc

    def check_allowed(self, user: str, esc: Escalation) -> None:
        if esc.area is None and self.settings.is_staff(user):
            return  # nobody knows the area yet: any superuser may take it on
        if esc.area is not None and self.settings.may_handle(user, esc.area):
            return
        area = self.settings.area(esc.area)
        if area is None:
            raise Refused("staff_only")
        raise Refused("not_allowed", area=area.name)

    async def _to_vendor(
        self, session: AsyncSession, esc: Escalation, now: datetime, *, actor: str, reason: str
    ) -> None:
        esc.state, esc.assignee, esc.due_at = State.VENDOR, None, None
        esc.escalated_at, esc.vendor_reason, esc.updated_at = now, reason or None, now
        event = await self._event(session, esc, now, actor, "to_vendor", reason or None)
        vendor = self.settings.vendor
        if vendor.slack_channel:
            await self._notify(session, esc, event, EscalationStep.VENDOR, vendor.slack_channel)
        question = await session.get(Question, esc.question_id)
        assert question is not None
        request = self.vendor_request(esc, question)
        if vendor.email:
            enqueue(
                session,
                "email",
                "vendor",
                {
                    "to": vendor.email,
                    "subject": request["subject"],
                    "body": request["text"],
                    "message_id": f"<firstline-{esc.id}-{event.id}@firstline>",
                },
                f"{event.id}:email",
                now,
            )
        if vendor.webhook_url:
            enqueue(
                session,
                "webhook",
                "vendor",
                {  # not the URL: it often holds a secret, and the sender knows it
                    "body": request["json"],
                    "key": f"firstline-{event.id}",
                },
                f"{event.id}:webhook",
                now,
            )
        await self._notify(session, esc, event, EscalationStep.PROGRESS, ASKER)
        await self._notify_triage(session, esc, event)

    def vendor_request(self, esc: Escalation, question: Question) -> dict:
        """Everything the vendor needs, as text for e-mail and as JSON for a webhook."""
        area = self.settings.area(esc.area)
        area_name = area.name if area else "-"
        fields = {
            "ticket": f"#{esc.id}",
            "area": area_name,
            "question": question.text,
            "asked_by": question.asker_name or question.asker,
            "asked_by_id": question.asker,
            "asked_via": question.source,
            "asked_at": question.created_at.astimezone(self.settings.escalation.hours.zone)
            .replace(microsecond=0)
            .isoformat(),
            "bot_suggestion": question.matched_question,
            "superuser_note": esc.note,
            "reason": esc.vendor_reason,
            "reply_with": f"vendor-reply {esc.id} <svar>",
        }
        lines = [
            f"Supportärende {fields['ticket']} (firstline)",
            f"Område: {area_name}",
            f"Fråga: {question.text}",
            f"Frågat av: {fields['asked_by']} ({fields['asked_at']})",
            f"Botens förslag: {question.matched_question or '-'}",
            f"Superanvändarens anteckning: {esc.note or '-'}",
            *([f"Varför till er: {why}"] if (why := why_to_vendor(esc)) else []),
            "",
            f"Svara på detta mejl och behåll ärendenumret #{esc.id} i ämnesraden: den som tar "
            "emot svaret hos oss registrerar det i vår support, och frågeställaren får det direkt.",
        ]
        return {
            "subject": f"[firstline #{esc.id}] {area_name}: {question.text[:80]}",
            "text": "\n".join(lines),
            "json": fields,
        }

    async def _event(
        self,
        session: AsyncSession,
        esc: Escalation,
        now: datetime,
        actor: str,
        action: str,
        detail: str | None = None,
    ) -> EscalationEvent:
        """Record a step in the audit trail, and tell everyone who has a post about the
        escalation that it changed (the chat updates those posts in place)."""
        event = EscalationEvent(
            escalation_id=esc.id, at=now, actor=actor, action=action, detail=detail
        )
        session.add(event)
        await session.flush()
        bind(escalation=esc.id, question=esc.question_id)
        log.info("escalation #%d: %s by %s (%s)", esc.id, action, actor, detail or "")
        recipients = await session.scalars(
            select(EscalationPost.recipient)
            .where(EscalationPost.escalation_id == esc.id)
            .group_by(EscalationPost.recipient)
            .order_by(func.min(EscalationPost.id))
        )
        for to in list(recipients):
            await self._notify(session, esc, event, EscalationStep.CHANGED, to)
        return event

    async def _notify(
        self,
        session: AsyncSession,
        esc: Escalation,
        event: EscalationEvent,
        step: EscalationStep,
        to: str,
        *,
        keep: bool | None = None,
    ) -> None:
        """Queue a notice about the step. One to the asker goes through the channel they asked
        in (the route of their question's source, which may not be the chat's platform), in the
        lane of their question's channel, after the bot's own reply there. A post the chat keeps
        current (`keep`, by default the steps in `KEPT`) is recorded, so that later steps can
        update it; a `CHANGED` notice goes in the same lane, after the posts it updates."""
        post = None
        kept = step in KEPT if keep is None else keep
        if kept:
            post = EscalationPost(
                escalation_id=esc.id,
                event_id=event.id,
                kind=str(step),
                recipient=to,
                created_at=event.at,
            )
            session.add(post)
            await session.flush()
        notice = EscalationNotice(step, esc.id, event.id, to, post.id if post else None)
        lane, route = to, CHAT
        if to == ASKER:
            question = await session.get(Question, esc.question_id)
            lane = (question.channel if question else None) or to
            route = question.source if question else CHAT
        key = f"{event.id}:{CHAT}:{step}:{to}"
        enqueue(session, route, str(step), notice.payload(), key, event.at, lane)

    async def _notify_triage(
        self, session: AsyncSession, esc: Escalation, event: EscalationEvent
    ) -> None:
        """The triage channel's post about the escalation the first time, kept current; after
        that each step is a line in that post's thread."""
        channel = self.settings.escalation.triage_channel
        if not channel:
            return
        posted = await session.scalar(
            select(EscalationPost.id).where(
                EscalationPost.escalation_id == esc.id,
                EscalationPost.kind == str(EscalationStep.TRIAGE),
                EscalationPost.recipient == channel,
            )
        )
        await self._notify(session, esc, event, EscalationStep.TRIAGE, channel, keep=posted is None)

    async def posts(self, number: int, to: str) -> list[EscalationPost]:
        """The sent posts about escalation `number` that went to `to`, oldest first."""
        async with self.db.session() as session:
            return list(
                await session.scalars(
                    select(EscalationPost)
                    .where(
                        EscalationPost.escalation_id == number,
                        EscalationPost.recipient == to,
                        EscalationPost.ts.is_not(None),
                    )
                    .order_by(EscalationPost.id)
                )
            )


async def record_post(session: AsyncSession, payload: Mapping[str, Any], sent: Sent) -> None:
    """Where a post that is kept current was sent (the outbox's hook for those steps, run in
    the transaction that records it sent): later steps update it there."""
    post = payload.get("post")
    if isinstance(post, int) and isinstance(sent, Posted):
        await session.execute(
            update(EscalationPost)
            .where(EscalationPost.id == post)
            .values(channel=sent.channel, ts=sent.ts)
        )
