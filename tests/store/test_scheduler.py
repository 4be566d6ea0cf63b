"""The scheduler's jobs: fixed ids, coalesced, and the sweep moves escalations."""

from __future__ import annotations

from bot.app import create_core
from bot.ops.scheduler import build_scheduler
from tests.conftest import make_settings


async def test_jobs_have_fixed_ids_and_run_once_at_a_time(database_url: str) -> None:
    core = await create_core(make_settings(database_url))
    try:
        scheduler = build_scheduler(core)
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {
            "escalation-sweep",
            "outbox-deliver",
            "upgrade-reminders",
            "weekly-digest",
        }
        for job in jobs.values():
            assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time >= 300
        assert str(jobs["weekly-digest"].trigger).startswith("cron[day_of_week='mon', hour='8'")
        await jobs["escalation-sweep"].func()
        await jobs["outbox-deliver"].func()
        rebuilt = build_scheduler(core)
        assert sorted(j.id for j in rebuilt.get_jobs()) == sorted(jobs)
    finally:
        await core.close()
