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
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.app import Core
from bot.ops.leader import Leader
from bot.ops.uptime import summary_text
from bot.support.hours import WEEKDAYS
from bot.support.notices import Tone

log = logging.getLogger(__name__)

SWEEP_EVERY_SECONDS = 60
DELIVER_EVERY_SECONDS = 10
REMINDERS_EVERY_MINUTES = 1  # reads the file only when it changed: cheap, and on time
CATCH_UP_GRACE = timedelta(days=2)  # a digest missed on Monday is still posted until Wednesday


def build_scheduler(core: Core, leader: Leader | None = None) -> AsyncIOScheduler:
    """The jobs; with a `leader`, each runs only while this process leads."""
    scheduler = AsyncIOScheduler(timezone=core.settings.escalation.hours.timezone)
    zone = scheduler.timezone
    ops = core.settings.ops

    def add(
        job_id: str,
        job: Callable[[], Awaitable[object]],
        trigger: BaseTrigger,
        *,
        grace: int = 300,
        name: str | None = None,
    ) -> None:
        async def run() -> None:
            if leader is None or leader.is_leader:
                try:
                    await job()
                except Exception as exc:
                    core.metrics.job_ran(job_id, failed=True)
                    log.exception("job %s failed; the other jobs keep running", job_id)
                    await _report_failure(core, job_id, exc)
                else:
                    core.metrics.job_ran(job_id, failed=False)

        run.job = job  # type: ignore[attr-defined]  # `firstline jobs run` runs it unguarded
        scheduler.add_job(
            run,
            trigger,
            id=job_id,
            name=name or job_id,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=grace,
            replace_existing=True,
        )

    add("escalation-sweep", lambda: _sweep(core), IntervalTrigger(seconds=SWEEP_EVERY_SECONDS))
    add("outbox-deliver", lambda: _kick(core), IntervalTrigger(seconds=DELIVER_EVERY_SECONDS))
    add(
        "upgrade-reminders",
        lambda: _then_deliver(core, core.reminders.run()),
        IntervalTrigger(minutes=REMINDERS_EVERY_MINUTES),
    )
    digest_at = ops.digest_time
    add(
        "weekly-digest",
        lambda: _then_deliver(core, core.digest.post()),
        CronTrigger(
            day_of_week=ops.digest_day, hour=digest_at.hour, minute=digest_at.minute, timezone=zone
        ),
        grace=3 * 3600,
    )
    if ops.daily_summary is not None and ops.checks:
        at = ops.daily_summary
        add(
            "uptime-summary",
            lambda: post_summary(core),
            CronTrigger(hour=at.hour, minute=at.minute, timezone=zone),
            grace=3600,
        )
    for check in ops.checks:
        add(
            f"uptime:{check.id}",
            lambda check_id=check.id: _then_deliver(core, core.uptime.run(check_id)),
            IntervalTrigger(seconds=check.interval),
            name=check.name,
        )
    return scheduler


async def _sweep(core: Core) -> None:
    await core.ladder.adopt_orphans(core.escalating_sources)
    if core.settings.ops.checks and core.ladder.clock().minute == 0:
        await core.uptime.prune()  # once an hour is plenty
    moved = await core.ladder.sweep()
    if moved:
        log.info("escalation sweep moved %d escalation(s)", moved)
        core.kick()


async def _kick(core: Core) -> None:
    """Start the outbox's delivery in the background unless it is running already: under load
    one run went on past the next, and APScheduler warned at every skipped run."""
    core.kick()


async def _then_deliver(core: Core, work: Awaitable[object]) -> None:
    """Run `work`; if it queued anything, deliver now rather than at the next outbox run."""
    if await work:
        core.kick()


async def post_summary(core: Core) -> None:
    await core.ops_message(
        "uptime-summary",
        summary_text(await core.uptime.status()),
        "drift",
        daily=True,
        tone=Tone.CHART,
    )


async def catch_up(core: Core) -> None:
    """On taking the lead: what should already have happened while no process led, once (this
    week's digest after its time, within a grace; today's summary). Both are idempotent."""
    zone = core.settings.escalation.hours.zone
    now = core.ladder.clock().astimezone(zone)
    ops = core.settings.ops
    weekday = WEEKDAYS.index(ops.digest_day)
    day = now.date() - timedelta(days=(now.weekday() - weekday) % 7)
    due = datetime.combine(day, ops.digest_time, zone)
    if due <= now < due + CATCH_UP_GRACE:
        await _then_deliver(core, core.digest.post())
    summary_at = ops.daily_summary
    if summary_at is not None and ops.checks and now.time() >= summary_at:
        await post_summary(core)


async def _report_failure(core: Core, job_id: str, exc: Exception) -> None:
    """Tell the ops channel (once an hour per job) that a job failed."""
    try:
        await core.ops_message(
            f"job-failed:{job_id}",
            f"Jobbet {job_id} misslyckades: {exc or type(exc).__name__}. "
            "De andra jobben fortsätter.",
            "drift",
            tone=Tone.WARNING,
        )
    except Exception:
        log.exception("could not report the failure of %s", job_id)
