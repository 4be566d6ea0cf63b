"""Two `firstline run` processes behind one load balancer, sharing one PostgreSQL: each takes
the events it is sent into the shared inbox, and the workers and outbox senders of both take
from it. Every question is answered once, and each channel's replies go out in the order its
questions came, whichever process took them."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import POSTGRES_URL, UNANSWERABLE
from tests.e2e import slack_requests as sr
from tests.e2e.fake_slack import FakeSlackAPI
from tests.e2e.test_crash import healthy
from tests.e2e.test_run_process import free_port, slack_env, start_firstline, stop

CHANNELS = ["C0SUPPORT", "C0OTHER", "C0THIRD"]
PER_CHANNEL = 12
QUESTIONS = [
    "hur gör jag en cykelinventering?",
    "hur bokar jag en leverantörsfaktura?",
    UNANSWERABLE,
]


@pytest.mark.skipif(not POSTGRES_URL, reason="needs FIRSTLINE_TEST_POSTGRES_URL (CI sets it)")
async def test_two_processes_answer_each_question_once_in_each_channels_order(
    slack: FakeSlackAPI, tmp_path: Path, postgres_database: str
) -> None:
    config = tmp_path / "firstline.toml"
    channels = ", ".join(f'"{c}"' for c in CHANNELS)
    config.write_text(
        f"[bot]\nsupport_channels = [{channels}]\n"
        '[areas.finance]\nsuperusers = ["U0ANNA"]\n[areas.warehouse]\n[areas.purchasing]\n'
    )
    env = {**slack_env(slack, postgres_database), "FIRSTLINE_CONFIG": str(config)}
    ports = [free_port(), free_port()]
    bots = [await start_firstline({**env, "PORT": str(port)}, "--http") for port in ports]
    slack.slow_down("chat.postMessage", 0.02)  # sends overlap, so the lanes are put to the test
    sent: dict[str, list[str]] = {channel: [] for channel in CHANNELS}
    try:
        for port in ports:
            await healthy(port)
        async with aiohttp.ClientSession() as session:

            async def ask_in(channel: str) -> None:
                """One person after another in a channel, every other one through the other
                process: the order they came in is the order their answers must go out."""
                for n in range(PER_CHANNEL):
                    event = sr.message_event(f"{QUESTIONS[n % 3]} ({n})", channel=channel)
                    body, headers = sr.event_callback(event)
                    url = f"http://127.0.0.1:{ports[n % 2]}/slack/events"
                    async with session.post(url, data=body.encode(), headers=headers) as reply:
                        assert reply.status == 200
                    sent[channel].append(event["ts"])

            await asyncio.gather(*(ask_in(channel) for channel in CHANNELS))
        expected = {ts for tss in sent.values() for ts in tss}
        for _ in range(300):
            if expected <= {m.get("thread_ts") for m in slack.posted}:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1)  # a double would come now
    finally:
        results = [await stop(bot) for bot in bots]
    assert [code for code, _ in results] == [0, 0], [stderr[-2000:] for _, stderr in results]
    replies = [m for m in slack.posted if m.get("thread_ts") in expected]
    first_reply = {}
    for message in replies:
        first_reply.setdefault(message["thread_ts"], message)
    assert set(first_reply) == expected  # every question answered
    ids = Counter(m["metadata"]["event_payload"]["outbox_id"] for m in slack.posted)
    assert [i for i, count in ids.items() if count > 1] == []  # nothing posted twice
    for channel, order in sent.items():
        answered = [m["thread_ts"] for m in first_reply.values() if m["channel"] == channel]
        assert answered == order, channel  # in the order the questions came
