"""The weekly digest in Slack: the report, then its chart uploaded with files.uploadV2 (upload
URL, upload, completion) into the ops channel, through the outbox like every post."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest_asyncio
from PIL import Image
from sqlalchemy import select

from bot.app import create_core
from bot.ops.chart import SupportChart
from bot.settings import Ops
from bot.store.models import OutboxMessage, utcnow
from tests.conftest import Clock, make_settings, record_unresolved
from tests.e2e import slack_requests as sr
from tests.e2e.fake_slack import FakeSlackAPI
from tests.e2e.harness import BotServer, start_bot
from tests.e2e.test_slack_questions import settle, texts_of
from tests.handlers.terminal.test_cli import firstline

QUESTION = "Hur krediterar jag en faktura som kunden fått fel pris på?"


@pytest_asyncio.fixture
async def clock() -> Clock:
    return Clock(utcnow())


@pytest_asyncio.fixture
async def bot(database_url: str, slack: FakeSlackAPI, clock: Clock) -> AsyncIterator[BotServer]:
    settings = make_settings(database_url, ops=Ops(channel="C0OPS", uptime_owner="U0DRIFT"))
    server = await start_bot(settings, slack, clock)
    yield server
    await server.close()


async def a_week_of_support(bot: BotServer, clock: Clock) -> str:
    """A question answered in the support channel this week; then the clock moves to next
    Monday 08:00, the digest's time, so this week is the digest's last week. Its ISO week."""
    await bot.send(sr.event_callback(sr.message_event(QUESTION)))
    await bot.slack.wait_for("chat.postMessage")
    await settle(bot)
    zone = bot.core.settings.escalation.hours.zone
    today = clock.now.astimezone(zone).date()
    monday = datetime.combine(today + timedelta(days=7 - today.weekday()), time(8), zone)
    clock.now = monday.astimezone(UTC)
    year, week, _ = today.isocalendar()
    return f"{year}-{week:02d}"


async def chart_sent(bot: BotServer) -> tuple[SupportChart, str | None]:
    """The chart's figures as the outbox kept them, and what its delivery recorded."""
    async with bot.core.db.session() as session:
        row = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.topic == "digest_chart")
        )
    assert row is not None and row.state == "sent"
    return SupportChart.from_dict(json.loads(row.payload)["chart"]), row.result


async def test_the_digest_and_its_chart_reach_the_ops_channel(
    bot: BotServer, slack: FakeSlackAPI, clock: Clock
) -> None:
    this_week = await a_week_of_support(bot, clock)
    assert await bot.core.digest.post()
    await bot.core.deliver()

    report = slack.calls_to("chat.postMessage")[-1]
    assert report.args["channel"] == "C0OPS"
    assert report.args["text"].startswith("Veckorapport för affärssystemet, vecka")
    assert "Frågor: 1, besvarade av FAQ:n: 1" in texts_of(report.args["blocks"])
    [asked] = slack.calls_to("files.getUploadURLExternal")
    [upload] = slack.calls_to("upload")
    [shared] = slack.calls_to("files.completeUploadExternal")
    assert report.at <= asked.at <= upload.at <= shared.at  # the report first, then the chart
    assert shared.args["channel_id"] == "C0OPS" and not shared.failed
    assert shared.args["initial_comment"].startswith(":bar_chart: Supporten vecka ")
    [file] = shared.args["files"]
    kept = slack.files[file["id"]]
    assert kept["name"] == asked.args["filename"] and kept["name"].endswith(f"-{this_week}.png")
    assert kept["alt_txt"].startswith(file["title"]) and "frågor per område" in kept["alt_txt"]

    chart, result = await chart_sent(bot)
    assert result == file["id"]
    assert len(chart.weeks) == 12 and chart.weeks[-1].week == this_week
    last = chart.weeks[-1]
    assert (last.questions, last.answered, last.opened) == ({"Ekonomi / Finance": 1}, 1, 0)
    image = Image.open(io.BytesIO(kept["data"]))
    assert image.format == "PNG"
    assert image.text["Comment"].split(",") == [w.week for w in chart.weeks]
    image.load()

    assert await bot.core.outbox.deliver_due() == 0  # nothing left: each sent once
    shown = [m for m in slack.posted if m["channel"] == "C0OPS"]
    assert [bool(m.get("files")) for m in shown] == [False, True]


async def test_a_chart_shared_whose_answer_was_lost_is_not_shared_twice(
    bot: BotServer, slack: FakeSlackAPI, clock: Clock
) -> None:
    """Slack shared the chart but the answer never came back (a 500 after the work, a crash):
    the outbox tries again, finds the chart in the channel by its file name, and uploads
    nothing more."""
    await a_week_of_support(bot, clock)
    slack.fail_next("files.completeUploadExternal", status=500, after_posting=True)
    assert await bot.core.digest.post()
    await bot.core.deliver()
    [shared] = slack.calls_to("files.completeUploadExternal")
    assert shared.failed and shared.status == 500
    clock.advance(seconds=10)  # past the retry's backoff
    await bot.core.deliver()

    assert len(slack.calls_to("files.completeUploadExternal")) == 1
    assert len(slack.calls_to("upload")) == 1
    [posted] = [m for m in slack.posted if m.get("files")]
    _, result = await chart_sent(bot)
    assert result == posted["files"][0]["id"]


async def test_an_app_without_files_write_gives_up_on_the_chart_and_keeps_the_lane_going(
    bot: BotServer, slack: FakeSlackAPI, clock: Clock
) -> None:
    """An app installed before the chart needs files:write until it is reinstalled: Slack
    answers missing_scope, which no retry mends, so the chart is set aside (logged) instead
    of holding back the ops channel's next posts."""
    await a_week_of_support(bot, clock)
    slack.fail_next("files.getUploadURLExternal", error="missing_scope")
    assert await bot.core.digest.post()
    await bot.core.deliver()
    async with bot.core.db.session() as session:
        rows = (
            await session.execute(
                select(OutboxMessage.topic, OutboxMessage.state, OutboxMessage.last_error)
                .where(OutboxMessage.lane == "C0OPS")
                .order_by(OutboxMessage.id)
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("digest", "sent", None),
        ("digest_chart", "failed", "missing_scope"),
    ]
    assert slack.calls_to("files.completeUploadExternal") == []


async def test_firstline_digest_asked_again_sends_the_chart_slack_refused(
    slack: FakeSlackAPI, database_url: str, tmp_path: Path
) -> None:
    """The owner reinstalls the app with files:write after the chart was refused, and asks for
    the digest again: the chart goes out, and the report is not posted twice."""
    core = await create_core(make_settings(database_url))
    try:
        await record_unresolved(core, QUESTION, utcnow() - timedelta(days=7))
    finally:
        await core.close()
    config = tmp_path / "firstline.toml"
    config.write_text('[ops]\nchannel = "C0OPS"\n')
    env = {
        "FIRSTLINE_CONFIG": str(config),
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": slack.url,
    }
    slack.fail_next("files.getUploadURLExternal", error="missing_scope")
    first = await asyncio.to_thread(firstline, "digest", env=env)
    assert first.returncode == 1
    assert "ran weekly-digest: 2 message(s), 1 delivered" in first.stdout.splitlines()
    assert "missing_scope" in first.stderr
    again = await asyncio.to_thread(firstline, "digest", env=env)
    assert again.returncode == 0, again.stderr
    [shared] = [c for c in slack.calls_to("files.completeUploadExternal") if not c.failed]
    assert shared.args["channel_id"] == "C0OPS"
    reports = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "C0OPS"]
    assert len(reports) == 1
