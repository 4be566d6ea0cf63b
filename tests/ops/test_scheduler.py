"""The scheduler's jobs: fixed ids, coalesced, and the sweep moves escalations."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.app import create_core
from bot.ops.scheduler import build_scheduler, catch_up
from bot.settings import Check, Ops
from bot.store.models import OutboxMessage
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


async def test_daily_summary_failing_jobs_and_daylight_saving(
    database_url: str, tmp_path: Path
) -> None:
    check = Check("erp-web", "BC", url="http://127.0.0.1:9/", timeout=1, interval=60)
    ops = Ops(channel="C0OPS", uptime_owner="U0DRIFT", daily_summary=time(7, 30), checks=(check,))
    core = await create_core(make_settings(database_url, ops=ops))
    try:
        jobs = {job.id: job for job in build_scheduler(core).get_jobs()}
        digest = jobs["weekly-digest"].trigger
        # Monday 08:00 in Stockholm on both sides of the October change to winter time
        before = digest.get_next_fire_time(None, datetime(2026, 10, 13, tzinfo=UTC))  # Mon 19 Oct
        after = digest.get_next_fire_time(None, datetime(2026, 10, 20, tzinfo=UTC))  # Mon 26 Oct
        assert (before.hour, before.utcoffset()) == (8, timedelta(hours=2))
        assert (after.hour, after.utcoffset()) == (8, timedelta(hours=1))

        await jobs["uptime-summary"].func()
        await jobs["uptime-summary"].func()  # the same day: once

        async def broken() -> int:
            raise RuntimeError("the roadmap file is locked")

        core.reminders.run = broken  # type: ignore[method-assign]
        await jobs["upgrade-reminders"].func()  # raises inside: logged and reported, not raised
        await jobs["escalation-sweep"].func()  # the other jobs keep running
        async with core.db.session() as session:
            rows = list(
                await session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "ops"))
            )
        texts = [json.loads(r.payload)["text"] for r in rows]
        assert [json.loads(r.payload)["tone"] for r in rows] == ["chart", "warning"]
        assert len(texts) == 2
        assert texts[0].startswith("Driften just nu") and "BC: okänd" in texts[0]
        assert texts[1] == (
            "Jobbet upgrade-reminders misslyckades: the roadmap file is locked. "
            "De andra jobben fortsätter."
        )
    finally:
        await core.close()


async def test_catch_up_after_downtime_posts_the_digest_once(database_url: str) -> None:
    ops = Ops(channel="C0OPS")
    tuesday = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # the bot was down on Monday morning
    core = await create_core(make_settings(database_url, ops=ops), lambda: tuesday)
    try:
        await catch_up(core)
        await catch_up(core)  # restarted again: not twice
        async with core.db.session() as session:
            rows = list(
                await session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "digest"))
            )
        assert [json.loads(r.payload)["title"][:37] for r in rows] == [
            "Veckorapport för affärssystemet, veck"
        ]
    finally:
        await core.close()
