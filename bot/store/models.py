"""Tables. Times are stored as timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on every database: SQLite hands back naive values, which
    would otherwise need patching (and `astimezone()` on them would guess the server's zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store aware UTC times")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Question(Base):
    """A question someone asked, what the bot answered, and how it ended."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    source: Mapped[str] = mapped_column(String(16))
    asker: Mapped[str] = mapped_column(String(64))
    asker_name: Mapped[str | None] = mapped_column(String(255))
    channel: Mapped[str | None] = mapped_column(String(64))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    reply_ts: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2))
    matched_question: Mapped[str | None] = mapped_column(Text)
    matched_area: Mapped[str | None] = mapped_column(String(32))
    matched_location: Mapped[str | None] = mapped_column(String(255))
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), index=True)
    feedback: Mapped[str | None] = mapped_column(String(16))
    feedback_by: Mapped[str | None] = mapped_column(String(64))
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the suggested FAQ entry (its heading) the asker said solved a question the bot declined
    solved_by_entry: Mapped[str | None] = mapped_column(Text)
    # what the bot made of it (bot.support.questions.Outcome), whatever the status became later
    outcome: Mapped[str | None] = mapped_column(String(16))


class ProcessedEvent(Base):
    """Event ids (a channel's delivery ids) already handled, so a retry never produces a second
    reply."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Escalation(Base):
    """A question the FAQ could not settle, on its way up the ladder: superuser, deputy, vendor.

    `id` is the short number people use (#42). `due_at` is the next deadline in UTC; a scheduled
    sweep acts on it, so a restart loses nothing.
    """

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), unique=True)
    area: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), index=True)
    level: Mapped[int] = mapped_column(Integer, default=0)
    assignee: Mapped[str | None] = mapped_column(String(64))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    reminded: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    vendor_reason: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(64))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    faq_location: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class EscalationEvent(Base):
    """The audit trail: every state change, who made it and when."""

    __tablename__ = "escalation_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)


class EscalationPost(Base):
    """A message about an escalation that the chat keeps current (a superuser's direct message,
    the triage channel's post, the request in the vendor's channel, the answer in the asker's
    thread): the step that made it, whom it went to (a person, a channel, or the asker), and,
    once sent, where the chat keeps it (a direct message's own channel) and its id there."""

    __tablename__ = "escalation_posts"
    __table_args__ = (Index("ix_escalation_posts_recipient", "escalation_id", "recipient"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("escalation_events.id"))
    kind: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(64))
    ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OutboxMessage(Base):
    """A message, e-mail or webhook call to deliver, written in the same transaction as the
    state change that caused it and retried with backoff until it goes through."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_lane_state", "lane", "state", "id"),
        Index("ix_outbox_state_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    route: Mapped[str] = mapped_column(String(16))
    topic: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(191), unique=True)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # messages of one lane (a chat channel) go out one at a time, in order; None: no order
    lane: Mapped[str | None] = mapped_column(String(191))


class InboxEvent(Base):
    """Something a person sent (a message, a mention), written before it is acknowledged and
    handled by the inbox's workers in order per lane (a channel or thread)."""

    __tablename__ = "inbox"
    __table_args__ = (
        Index("ix_inbox_lane_state", "lane", "state", "id"),
        Index("ix_inbox_state_id", "state", "id"),
        Index("ix_inbox_state_kind_id", "state", "kind", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(191), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    lane: Mapped[str] = mapped_column(String(191))
    payload: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class UptimeState(Base):
    """Where each check stands: up or down, and how many results in a row say so."""

    __tablename__ = "uptime_state"

    check_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(8))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    successes: Mapped[int] = mapped_column(Integer, default=0)
    down_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_alert_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class UptimeResult(Base):
    """Every check run, for the uptime figures over 24 hours, 7 and 30 days."""

    __tablename__ = "uptime_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    check_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    ok: Mapped[bool] = mapped_column(Boolean)
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_uptime_results_check_at", "check_id", "at"),)


class Snapshot(Base):
    """The last state of something the digest reports changes of (the roadmap)."""

    __tablename__ = "snapshots"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())
    body: Mapped[str] = mapped_column(Text)


class LearnedPhrasing(Base):
    """A question an asker confirmed an FAQ entry answered, kept as a phrasing of that entry so
    the next one like it is answered (bot.support.learning)."""

    __tablename__ = "learned_phrasings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # the entry's `## heading` as it was when learned, and its question_key (what finds it again)
    entry_question: Mapped[str] = mapped_column(Text)
    entry_key: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    # sha256 of the phrasing's question_key: one row per phrasing and entry, on every database
    text_hash: Mapped[str] = mapped_column(String(64))
    area: Mapped[str] = mapped_column(String(32))
    # how it was learned (bot.support.learning.Source)
    source: Mapped[str] = mapped_column(String(16))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    learned_from: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ux_learned_phrasings_entry_text", "entry_key", "text_hash", unique=True),
    )


class ConversationReference(Base):
    """Where a channel adapter can reach a conversation without being spoken to first (a Teams
    chat or channel: its service URL, ids, the bot's account), kept when the app is installed
    there or first spoken to. `reference` is the adapter's own JSON; the core only stores it."""

    __tablename__ = "conversation_references"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))  # the adapter's name (its route)
    conversation: Mapped[str] = mapped_column(String(191))
    # "personal" (a 1:1 chat), "channel", "groupChat"
    kind: Mapped[str] = mapped_column(String(16))
    # for a 1:1 chat: the person, as the core knows them (a [people] key or the channel's id)
    person: Mapped[str | None] = mapped_column(String(191), index=True)
    reference: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ux_conversation_references", "channel", "conversation", unique=True),)
