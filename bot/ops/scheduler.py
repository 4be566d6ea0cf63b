"""APScheduler inside `firstline run`: the jobs that keep the ladder and the outbox moving.

Jobs have fixed ids (a restart replaces them, never duplicates them), run one at a time
(`max_instances=1`), and a run missed while the process was busy or down is coalesced into one,
within a grace time; the work itself is idempotent because deadlines and deliveries live in the
database.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.app import ESCALATING_SOURCES, Core
from bot.ops.leader import Leader

log = logging.getLogger(__name__)

SWEEP_EVERY_SECONDS = 60
DELIVER_EVERY_SECONDS = 10
REMINDERS_EVERY_MINUTES = 5


def build_scheduler(core: Core, leader: Leader | None = None) -> AsyncIOScheduler:
    """The jobs; with a `leader`, each runs only while this process leads."""
    scheduler = AsyncIOScheduler(timezone=core.settings.escalation.hours.timezone)
    defaults = {
        "coalesce": True,
        "max_instances": 1,
        "misfire_grace_time": 300,
        "replace_existing": True,
    }

    async def sweep() -> None:
        await core.ladder.adopt_orphans(ESCALATING_SOURCES)
        moved = await core.ladder.sweep()
        if moved:
            log.info("escalation sweep moved %d escalation(s)", moved)
            core.kick()

    async def deliver() -> None:
        await core.outbox.deliver_due()

    def led(job: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            if leader is None or leader.is_leader:
                try:
                    await job()
                except Exception:
                    log.exception("scheduled job failed; the other jobs keep running")

        return run

    scheduler.add_job(
        led(sweep), IntervalTrigger(seconds=SWEEP_EVERY_SECONDS), id="escalation-sweep", **defaults
    )
    scheduler.add_job(
        led(deliver),
        IntervalTrigger(seconds=DELIVER_EVERY_SECONDS),
        id="outbox-deliver",
        **defaults,
    )

    async def reminders() -> None:
        if await core.reminders.run():
            core.kick()

    scheduler.add_job(
        led(reminders),
        IntervalTrigger(minutes=REMINDERS_EVERY_MINUTES),
        id="upgrade-reminders",
        **defaults,
    )

    async def digest() -> None:
        if await core.digest.post():
            core.kick()

    scheduler.add_job(
        led(digest),
        CronTrigger(day_of_week="mon", hour=8, minute=0, timezone=scheduler.timezone),
        id="weekly-digest",
        **{**defaults, "misfire_grace_time": 3 * 3600},
    )
    for check in core.settings.ops.checks:
        scheduler.add_job(
            led(_uptime_job(core, check.id)),
            IntervalTrigger(seconds=check.interval),
            id=f"uptime:{check.id}",
            name=check.name,
            **defaults,
        )
    return scheduler


def _uptime_job(core: Core, check_id: str) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        await core.uptime.run(check_id)
        core.kick()

    return run
