"""The upgrade-reminder job: reminders before and at each window, problems in the file, and a
nudge when nothing has been planned for a long time. Each message has a unique outbox key, so it
goes out exactly once."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime

from bot.ops.channel import OpsChannel
from bot.ops.upgrades import UpgradeBook, due_reminders, quiet_since, reminder_text
from bot.settings import Settings
from bot.store.models import utcnow
from bot.support.notices import Tone

log = logging.getLogger(__name__)


class UpgradeReminders:
    def __init__(
        self,
        settings: Settings,
        channel: OpsChannel,
        book: UpgradeBook,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.channel = channel
        self.book = book
        self.clock = clock

    async def run(self) -> int:
        """Queue what is due; returns how many new messages were queued."""
        now = self.clock()
        plan = self.book.plan()
        zone = self.book.zone
        queued = 0
        for problem in plan.problems:
            log.error("upgrades: %s", problem)
            digest = hashlib.sha1(str(problem).encode()).hexdigest()[:12]
            text = f"Uppgraderingsplanen går inte att läsa: {problem}"
            queued += await self._once(f"upgrades-problem:{digest}", text)
        for upgrade, kind, _moment in due_reminders(plan, now):
            text = reminder_text(upgrade, kind, zone)
            queued += await self._once(f"upgrade:{upgrade.key}:{kind}", text)
        last = quiet_since(plan, now)
        if last is not None or (not plan.upgrades and not plan.release_train):
            since = (
                f"den senaste slutade {last.astimezone(zone):%Y-%m-%d}"
                if last
                else "ingen finns i planen"
            )
            text = (
                f"Ingen uppgradering är planerad ({since}). Planera nästa i knowledge/upgrades.md, "
                "så att systemet hålls uppdaterat."
            )
            week = now.astimezone(zone).isocalendar()
            queued += await self._once(f"upgrade-quiet:{week.year}-{week.week}", text)
        return queued

    async def _once(self, key: str, text: str) -> int:
        posted = await self.channel.post(
            key, text, topic="upgrade", owner_role="uppgraderingar", tone=Tone.CALENDAR
        )
        return int(posted)
