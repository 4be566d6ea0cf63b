"""What the bot learns from use: questions an asker confirmed an FAQ entry answered.

A confirmed question ("Det löste det" on an answer, or "Det löste min fråga" on a similar
question) is kept as a learned phrasing of that entry, and the knowledge is reloaded with it, so
the next question like it is answered with full confidence. Learned phrasings live in the database,
not in the FAQ files; the entry's superusers review and remove them (`/support learned`), and a
superuser who wants one in the file for good adds it as an `Also asked` line.
"""

from __future__ import annotations

import enum
import hashlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.faq.loader import question_key
from bot.faq.model import Entry
from bot.store.db import Database
from bot.store.models import LearnedPhrasing, utcnow
from bot.support.listeners import notify

log = logging.getLogger(__name__)

# A phrasing that long is a story, not a way to ask: it would match everything a little.
MAX_LEARNED_CHARS = 300

LearnedListener = Callable[[], Awaitable[None]]


class Source(enum.StrEnum):
    CONFIRMED = "confirmed"  # the bot's answer solved it
    SUGGESTION = "suggestion"  # a similar question the bot offered solved it


# (entry heading, phrasing) of every learned phrasing, oldest first: see `by_entry`.
LEARNED_TEXTS = select(LearnedPhrasing.entry_question, LearnedPhrasing.text).order_by(
    LearnedPhrasing.id
)


def by_entry(rows: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """LEARNED_TEXTS's rows by the `question_key` of the entry's heading, as `Knowledge.load`
    takes them (the key finds the entry again after its heading's case or punctuation changed)."""
    found: dict[str, list[str]] = defaultdict(list)
    for heading, text in rows:
        found[question_key(heading)].append(text)
    return dict(found)


def _hash(text: str) -> str:
    return hashlib.sha256(question_key(text).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Learned:
    """One learned phrasing, for review."""

    id: int
    entry_question: str
    area: str
    text: str
    source: str
    learned_from: str
    question_id: int | None


class Learning:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._listeners: list[LearnedListener] = []

    def on_learned(self, listener: LearnedListener) -> None:
        """Called after the learned phrasings changed (the app reloads the knowledge)."""
        self._listeners.append(listener)

    async def learn(
        self, entry: Entry, text: str, *, source: str, by: str, question_id: int | None
    ) -> bool:
        """Keep `text` as a learned phrasing of `entry`; False when there was nothing to learn (the
        entry already says it that way, it was learned before, or it is too long)."""
        text = " ".join(text.split())
        key = question_key(text)
        if not key or len(text) > MAX_LEARNED_CHARS:
            return False
        if key in {question_key(p) for p in (entry.question, *entry.phrasings)}:
            return False
        row = LearnedPhrasing(
            created_at=utcnow(),
            entry_question=entry.question,
            entry_key=_hash(entry.question),
            text=text,
            text_hash=_hash(text),
            area=entry.area,
            source=source,
            question_id=question_id,
            learned_from=by,
        )
        async with self.db.session() as session:
            session.add(row)
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                return False
        log.info(
            "learned a phrasing of %r from question %s (%s)", entry.question, question_id, source
        )
        await self._changed()
        return True

    async def by_entry(self) -> dict[str, list[str]]:
        """Every learned phrasing, by the `question_key` of its entry's heading, oldest first."""
        async with self.db.session() as session:
            return by_entry(await session.execute(LEARNED_TEXTS))

    async def latest(self, limit: int, areas: tuple[str, ...] | None = None) -> list[Learned]:
        """The newest learned phrasings, in `areas` if given."""
        query = select(LearnedPhrasing).order_by(LearnedPhrasing.id.desc()).limit(limit)
        if areas is not None:
            query = query.where(LearnedPhrasing.area.in_(areas))
        async with self.db.session() as session:
            return [_learned(row) for row in await session.scalars(query)]

    async def get(self, learned_id: int) -> Learned | None:
        async with self.db.session() as session:
            row = await session.get(LearnedPhrasing, learned_id)
            return _learned(row) if row is not None else None

    async def remove(self, learned_id: int) -> bool:
        """Forget one learned phrasing; False if there was none with that id."""
        async with self.db.session() as session:
            result = await session.execute(
                delete(LearnedPhrasing).where(LearnedPhrasing.id == learned_id)
            )
            await session.commit()
        if not result.rowcount:
            return False
        await self._changed()
        return True

    async def _changed(self) -> None:
        await notify(self._listeners, event="learned phrasings changed")


def _learned(row: LearnedPhrasing) -> Learned:
    return Learned(
        id=row.id,
        entry_question=row.entry_question,
        area=row.area,
        text=row.text,
        source=row.source,
        learned_from=row.learned_from,
        question_id=row.question_id,
    )
