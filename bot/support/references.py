"""Conversation references: what a channel adapter needs to send into a conversation without
being spoken to first (Teams: the service URL, the conversation and the bot's ids). The adapter
keeps one when it is installed in a conversation or spoken to there; its outbox sender reads it
back. The reference is the adapter's own JSON: the core stores it and knows nothing of it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.store.db import Database
from bot.store.models import ConversationReference, utcnow


@dataclass(frozen=True)
class Reference:
    channel: str
    conversation: str
    kind: str
    person: str | None
    reference: dict[str, Any]


def _reference(row: ConversationReference) -> Reference:
    return Reference(row.channel, row.conversation, row.kind, row.person, json.loads(row.reference))


class References:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def keep(
        self,
        channel: str,
        conversation: str,
        kind: str,
        reference: Mapping[str, Any],
        person: str | None = None,
    ) -> None:
        """Store the reference, or bring the stored one up to date (a service URL may move)."""
        values = {
            "kind": kind,
            "person": person,
            "reference": json.dumps(reference, ensure_ascii=False, sort_keys=True),
            "updated_at": utcnow(),
        }
        where = (
            ConversationReference.channel == channel,
            ConversationReference.conversation == conversation[:191],
        )
        for _ in range(2):  # a second try when another request inserted it meanwhile
            async with self.db.session() as session:
                changed = await session.execute(
                    update(ConversationReference).where(*where).values(**values)
                )
                if changed.rowcount:
                    await session.commit()
                    return
                session.add(
                    ConversationReference(
                        channel=channel, conversation=conversation[:191], **values
                    )
                )
                try:
                    await session.commit()
                    return
                except IntegrityError:
                    await session.rollback()

    async def get(self, channel: str, conversation: str) -> Reference | None:
        async with self.db.session() as session:
            row = await session.scalar(
                select(ConversationReference).where(
                    ConversationReference.channel == channel,
                    ConversationReference.conversation == conversation[:191],
                )
            )
        return _reference(row) if row else None

    async def personal(self, channel: str, person: str) -> Reference | None:
        """The 1:1 chat with `person` in `channel`, the latest kept."""
        async with self.db.session() as session:
            row = await session.scalar(
                select(ConversationReference)
                .where(
                    ConversationReference.channel == channel,
                    ConversationReference.kind == "personal",
                    ConversationReference.person == person,
                )
                .order_by(ConversationReference.updated_at.desc())
                .limit(1)
            )
        return _reference(row) if row else None
