"""`firstline run` killed (SIGKILL) in the middle of a burst of questions and escalations, then
started again on the same database: every question Slack got a 200 for is answered exactly
once, no escalation is opened twice, and no message reaches Slack twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from bot.settings import normalize_database_url
from bot.store.models import Escalation, EscalationEvent, Question
from tests.conftest import UNANSWERABLE
from tests.e2e import slack_requests as sr
from tests.e2e.fake_slack import FakeSlackAPI
from tests.e2e.test_run_process import free_port, slack_env, start_firstline, stop

ANSWERABLE = "hur gör jag en cykelinventering?"
QUESTIONS = 60


async def healthy(port: int) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(150):
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the bot did not come up")


def threads_answered(slack: FakeSlackAPI, events: list[dict]) -> int:
    threads = {m.get("thread_ts") for m in slack.posted}
    return sum(e["ts"] in threads for e in events)


async def test_sigkill_mid_burst_then_restart_answers_each_question_once(
    slack: FakeSlackAPI, database_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "firstline.toml"
    config.write_text(
        '[bot]\nsupport_channels = ["C0SUPPORT", "C0OTHER"]\n'
        '[areas.finance]\nsuperusers = ["U0ANNA"]\n[areas.warehouse]\n[areas.purchasing]\n'
        '[escalation]\ntriage_channel = "C0TRIAGE"\n'
    )
    port = free_port()
    env = {**slack_env(slack, database_url), "PORT": str(port), "FIRSTLINE_CONFIG": str(config)}
    slack.slow_down("chat.postMessage", 0.03)  # a burst is still being answered when killed
    first = await start_firstline(env, "--http")
    events = [
        sr.message_event(
            f"{UNANSWERABLE if n % 4 == 0 else ANSWERABLE} ({n})",
            channel="C0SUPPORT" if n % 2 else "C0OTHER",
        )
        for n in range(QUESTIONS)
    ]
    try:
        await healthy(port)
        async with aiohttp.ClientSession() as session:

            async def send(n: int) -> int:
                body, headers = sr.event_callback(events[n], event_id=f"Ev{n}")
                url = f"http://127.0.0.1:{port}/slack/events"
                async with session.post(url, data=body.encode(), headers=headers) as response:
                    return response.status

            statuses = await asyncio.gather(*(send(n) for n in range(QUESTIONS)))
        assert statuses == [200] * QUESTIONS  # each one kept before the 200
        for _ in range(200):
            if len(slack.posted) >= 10:
                break
            await asyncio.sleep(0.02)
    finally:
        first.kill()
        await first.wait()
    assert threads_answered(slack, events) < QUESTIONS  # killed with work left

    second = await start_firstline(env, "--http")
    try:
        for _ in range(600):  # leases of the killed process run out after 15 s and 30 s
            if threads_answered(slack, events) == QUESTIONS:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1)  # a double would come now
    finally:
        code, stderr = await stop(second)
    assert code == 0, stderr
    assert threads_answered(slack, events) == QUESTIONS, stderr[-3000:]
    ids = Counter(m["metadata"]["event_payload"]["outbox_id"] for m in slack.posted)
    assert [i for i, count in ids.items() if count > 1] == []  # nothing posted twice

    engine = create_async_engine(normalize_database_url(database_url))
    try:
        async with engine.connect() as conn:
            asked = list(await conn.execute(select(Question.message_ts, Question.reply_ts)))
            steps = list(
                await conn.execute(
                    select(EscalationEvent.escalation_id, func.count()).group_by(
                        EscalationEvent.escalation_id
                    )
                )
            )
            escalations = await conn.scalar(select(func.count()).select_from(Escalation))
    finally:
        await engine.dispose()
    assert sorted(ts for ts, _ in asked) == sorted(e["ts"] for e in events)  # once each
    assert all(reply for _, reply in asked)
    assert escalations == QUESTIONS // 4
    assert [count for _, count in steps] == [1] * escalations  # opened once, nothing since
