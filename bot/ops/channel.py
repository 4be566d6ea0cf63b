"""Messages to the ops channel. Each has a unique key in the outbox, so it is sent once however
often the job that makes it runs, in however many processes."""

from __future__ import annotations

import logging

from bot.settings import Settings
from bot.support.notices import CHAT, OpsNotice, Tone
from bot.support.outbox import Outbox

log = logging.getLogger(__name__)


class OpsChannel:
    def __init__(self, settings: Settings, outbox: Outbox) -> None:
        self.settings = settings
        self.outbox = outbox

    async def post(
        self,
        key: str,
        text: str,
        *,
        topic: str = "ops",
        owner_role: str | None = None,
        tone: Tone = Tone.CALENDAR,
    ) -> bool:
        """Queue `text` for the ops channel; False if there is no channel or `key` was sent."""
        ops = self.settings.ops
        if not ops.channel:
            log.warning("no [ops] channel for: %s", text)
            return False
        owner = {
            "drift": ops.uptime_owner,
            "uppgraderingar": ops.upgrades_owner,
            "förbättringar": ops.improvements_owner,
        }.get(owner_role or "")
        notice = OpsNotice(ops.channel, text, owner, owner_role, tone)
        return await self.outbox.add(CHAT, topic, notice.payload(), key)
