"""APScheduler inside `firstline run`: the jobs that keep the ladder and the outbox moving.

Jobs have fixed ids (a restart replaces them, never duplicates them), run one at a time
(`max_instances=1`), and a run missed while the process was busy or down is coalesced into one,
within a grace time; the work itself is idempotent because deadlines and deliveries live in the
database.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.app import ESCALATING_SOURCES, Core
from bot.ops.leader import Leader
from bot.ops.uptime import summary_text

log = logging.getLogger(__name__)

SWEEP_EVERY_SECONDS = 60
DELIVER_EVERY_SECONDS = 10
REMINDERS_EVERY_MINUTES = 1  # reads the file only when it changed: cheap, and on time
CATCH_UP_GRACE = timedelta(days=2)  # a digest missed on Monday is still posted until Wednesday


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
        if core.settings.ops.checks and core.ladder.clock().minute == 0:
            await core.uptime.prune()  # once an hour is plenty
        moved = await core.ladder.sweep()
        if moved:
            log.info("escalation sweep moved %d escalation(s)", moved)
            core.kick()

    async def deliver() -> None:
        await core.outbox.deliver_due()

    def led(job: Callable[[], Awaitable[None]], job_id: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            if leader is None or leader.is_leader:
                try:
                    await job()
                except Exception as exc:
                    log.exception("job %s failed; the other jobs keep running", job_id)
                    await _report_failure(core, job_id, exc)

        run.job = job  # type: ignore[attr-defined]  # `firstline jobs run` runs it unguarded
        return run

    scheduler.add_job(
        led(sweep, "escalation-sweep"),
        IntervalTrigger(seconds=SWEEP_EVERY_SECONDS),
        id="escalation-sweep",
        **defaults,
    )
    scheduler.add_job(
        led(deliver, "outbox-deliver"),
        IntervalTrigger(seconds=DELIVER_EVERY_SECONDS),
        id="outbox-deliver",
        **defaults,
    )

    async def reminders() -> None:
        if await core.reminders.run():
            core.kick()

    scheduler.add_job(
        led(reminders, "upgrade-reminders"),
        IntervalTrigger(minutes=REMINDERS_EVERY_MINUTES),
        id="upgrade-reminders",
        **defaults,
    )

    async def digest() -> None:
        if await core.digest.post():
            core.kick()

    scheduler.add_job(
        led(digest, "weekly-digest"),
        CronTrigger(
            day_of_week=core.settings.ops.digest_day,
            hour=core.settings.ops.digest_time.hour,
            minute=core.settings.ops.digest_time.minute,
            timezone=scheduler.timezone,
        ),
        id="weekly-digest",
        **{**defaults, "misfire_grace_time": 3 * 3600},
    )
    summary_at = core.settings.ops.daily_summary
    if summary_at is not None and core.settings.ops.checks:

        async def summary() -> None:
            await core.ops_message(
                "uptime-summary",
                summary_text(await core.uptime.status()),
                "drift",
                daily=True,
                icon=":bar_chart:",
            )

        scheduler.add_job(
            led(summary, "uptime-summary"),
            CronTrigger(
                hour=summary_at.hour, minute=summary_at.minute, timezone=scheduler.timezone
            ),
            id="uptime-summary",
            **{**defaults, "misfire_grace_time": 3600},
        )
    for check in core.settings.ops.checks:
        scheduler.add_job(
            led(_uptime_job(core, check.id), f"uptime:{check.id}"),
            IntervalTrigger(seconds=check.interval),
            id=f"uptime:{check.id}",
            name=check.name,
            **defaults,
        )
    return scheduler


async def catch_up(core: Core) -> None:
    """At start: what should already have happened while the bot was down, once (the weekly
    digest after Monday 08:00, the daily summary after its time). Both are idempotent."""
    zone = core.settings.escalation.hours.zone
    now = core.ladder.clock().astimezone(zone)
    ops = core.settings.ops
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun").index(ops.digest_day)
    day = now.date() - timedelta(days=(now.weekday() - weekday) % 7)
    due = datetime.combine(day, ops.digest_time, zone)
    if due <= now < due + CATCH_UP_GRACE and await core.digest.post():
        log.info("posted this week's digest, missed while the bot was down")
        core.kick()
    summary_at = core.settings.ops.daily_summary
    if summary_at is not None and core.settings.ops.checks and now.time() >= summary_at:
        await core.ops_message(
            "uptime-summary",
            summary_text(await core.uptime.status()),
            "drift",
            daily=True,
            icon=":bar_chart:",
        )


async def _report_failure(core: Core, job_id: str, exc: Exception) -> None:
    """Tell the ops channel (once an hour per job) that a job failed."""
    try:
        await core.ops_message(
            f"job-failed:{job_id}",
            f"Jobbet {job_id} misslyckades: {exc or type(exc).__name__}. "
            "De andra jobben fortsätter.",
            "drift",
            icon=":warning:",
        )
    except Exception:
        log.exception("could not report the failure of %s", job_id)


def _uptime_job(core: Core, check_id: str) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        await core.uptime.run(check_id)
        core.kick()

    return run
