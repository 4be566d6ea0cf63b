"""The durable inbox through Slack: a question Slack got a 200 for is answered once, even when
the process stops right after the 200; one that can't be kept gets a 503, so Slack sends it
again; a burst in one channel is answered in the order it came; a deep inbox tells askers."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from sqlalchemy import text

from tests.conftest import Clock, make_settings
from tests.e2e import slack_requests as sr
from tests.e2e.fake_slack import FakeSlackAPI
from tests.e2e.harness import start_bot
from tests.e2e.test_slack_feedback import ask, press
from tests.e2e.test_slack_questions import questions, settle, texts_of

QUESTION = "hur gör jag en cykelinventering?"


def replies_to(slack: FakeSlackAPI, ts: str) -> list[str]:
    return [
        texts_of(c.args["blocks"]) if c.args.get("blocks") else c.args["text"]
        for c in slack.calls_to("chat.postMessage")
        if c.args.get("thread_ts") == ts and not c.failed
    ]


async def test_a_question_acknowledged_just_before_a_stop_is_answered_after_the_restart(
    database_url: str, slack: FakeSlackAPI
) -> None:
    settings = make_settings(database_url)
    first = await start_bot(settings, slack)
    await first.core.inbox.stop()  # the process dies between the 200 and the answer
    event = sr.message_event(QUESTION)
    assert (await first.send(sr.event_callback(event, event_id="Ev1"))).status == 200
    await asyncio.sleep(0.2)
    assert replies_to(slack, event["ts"]) == []
    await first.close()

    second = await start_bot(settings, slack)
    try:
        await slack.wait_for("chat.postMessage")
        await settle(second)
        retry = sr.event_callback(event, event_id="Ev1", retry_num=1, retry_reason="timeout")
        assert (await second.send(retry)).status == 200  # Slack's retry: kept once already
        await settle(second)
        [reply] = replies_to(slack, event["ts"])
        assert "cykelinventering" in reply.lower()
        assert len(await questions(second)) == 1
    finally:
        await second.close()


async def test_a_question_that_cant_be_kept_gets_a_503_and_its_retry_is_answered(
    database_url: str, slack: FakeSlackAPI
) -> None:
    bot = await start_bot(make_settings(database_url), slack)
    try:
        async with bot.core.db.session() as session:  # the table is away: every write fails
            await session.execute(text("ALTER TABLE inbox RENAME TO inbox_away"))
            await session.commit()
        event = sr.message_event(QUESTION)
        assert (await bot.send(sr.event_callback(event, event_id="Ev1"))).status == 503
        async with bot.core.db.session() as session:
            await session.execute(text("ALTER TABLE inbox_away RENAME TO inbox"))
            await session.commit()
        retry = sr.event_callback(event, event_id="Ev1", retry_num=1, retry_reason="http_error")
        assert (await bot.send(retry)).status == 200
        await slack.wait_for("chat.postMessage", count=2)
        await settle(bot)
        told, answer = replies_to(slack, event["ts"])  # told once, at Slack's first try
        assert told.startswith("Jag har tekniska problem") and "cykelinventering" in answer
    finally:
        await bot.close()


async def test_a_burst_in_one_channel_is_answered_in_order_through_rate_limits(
    database_url: str, slack: FakeSlackAPI
) -> None:
    bot = await start_bot(make_settings(database_url), slack)
    try:
        slack.fail_next("chat.postMessage", status=429, retry_after=0, times=3)
        events = [sr.message_event(f"{QUESTION} ({n})") for n in range(20)]
        for n, event in enumerate(events):
            assert (await bot.send(sr.event_callback(event, event_id=f"Ev{n}"))).status == 200
        await slack.wait_for("chat.postMessage", count=23)
        await settle(bot)
        posted = [c for c in slack.calls_to("chat.postMessage") if not c.failed]
        assert [c.args["thread_ts"] for c in posted] == [e["ts"] for e in events]
    finally:
        await bot.close()


async def test_when_many_questions_wait_the_asker_is_told_before_the_answer(
    database_url: str, slack: FakeSlackAPI
) -> None:
    bot = await start_bot(replace(make_settings(database_url), busy_after=2), slack)
    try:
        await bot.core.inbox.stop()  # nobody handles: the inbox grows
        events = [sr.message_event(f"{QUESTION} ({n})") for n in range(4)]
        for n, event in enumerate(events):
            await bot.send(sr.event_callback(event, event_id=f"Ev{n}"))
            await asyncio.sleep(1.1)  # the depth is counted at most once a second
        await slack.wait_for("chat.postMessage")
        [busy] = replies_to(slack, events[3]["ts"])
        assert busy.startswith("Många frågor just nu") and "min." in busy
        bot.core.inbox.start()
        await slack.wait_for("chat.postMessage", count=5)
        await settle(bot)
        last = replies_to(slack, events[3]["ts"])
        assert len(last) == 2 and "cykelinventering" in last[1].lower()
    finally:
        await bot.close()


async def test_a_reply_slack_took_though_its_answer_was_lost_is_not_posted_twice(
    database_url: str, slack: FakeSlackAPI
) -> None:
    clock = Clock()
    bot = await start_bot(make_settings(database_url), slack, clock=clock)
    try:
        slack.fail_next("chat.postMessage", status=500, after_posting=True)
        event = sr.message_event(QUESTION)
        await bot.send(sr.event_callback(event, event_id="Ev1"))
        await slack.wait_for("chat.postMessage")
        await settle(bot)
        clock.advance(seconds=31)  # the outbox tries again: Slack has it, so it is recorded
        assert await bot.core.outbox.deliver_due() == 1
        [posted] = [m for m in slack.posted if m.get("thread_ts") == event["ts"]]
        [lookup] = slack.calls_to("conversations.replies")
        assert lookup.args["ts"] == event["ts"]
        assert len(slack.calls_to("chat.postMessage")) == 1
        [question] = await questions(bot)
        assert question.reply_ts == posted["ts"]
    finally:
        await bot.close()


async def test_a_command_and_a_button_press_acknowledged_just_before_a_stop_are_done_after(
    database_url: str, slack: FakeSlackAPI
) -> None:
    """Slack never sends a command or a press again: both are kept before their 200 and
    carried out by the next process."""
    settings = make_settings(database_url)
    first = await start_bot(settings, slack)
    _, answer = await ask(first)
    await first.core.inbox.stop()  # the process dies between the 200s and the work
    url = slack.response_url("status")
    command = sr.slash_command("/support", "hjälp", response_url=url)
    assert (await first.send(command)).status == 200
    assert (await first.send(press(answer, "feedback_solved"))).status == 200
    await asyncio.sleep(0.2)
    assert slack.calls_to("response_url") == [] and slack.calls_to("chat.update") == []
    await first.close()

    second = await start_bot(settings, slack)
    try:
        [usage] = await slack.wait_for("response_url")
        assert usage.args["text"].startswith("*/support* — första linjens")
        [update] = await slack.wait_for("chat.update")
        assert update.args["ts"] == answer.response["ts"]
        await settle(second)
        [question] = await questions(second)
        assert (question.status, question.feedback) == ("solved", "solved")
    finally:
        await second.close()


async def test_a_command_or_press_that_cant_be_kept_is_refused_at_once(
    database_url: str, slack: FakeSlackAPI
) -> None:
    """The person learns at once: the command in words, the button by Slack's failure mark."""
    bot = await start_bot(make_settings(database_url), slack)
    try:
        async with bot.core.db.session() as session:
            await session.execute(text("ALTER TABLE inbox RENAME TO inbox_away"))
            await session.commit()
        response = await bot.send(sr.slash_command("/support", "kö"))
        assert response.status == 200
        assert (await response.json())["text"].startswith("Jag har tekniska problem just nu")
        pressed = await bot.send(sr.block_actions("feedback_solved", "1", block_id="feedback"))
        assert pressed.status == 503
        async with bot.core.db.session() as session:
            await session.execute(text("ALTER TABLE inbox_away RENAME TO inbox"))
            await session.commit()
        reply = await bot.send(
            sr.slash_command("/support", "help", response_url=slack.response_url())
        )
        assert reply.status == 200 and await reply.text() == ""
        [usage] = await slack.wait_for("response_url")
        assert usage.args["text"].startswith("*/support* — first-line")
    finally:
        await bot.close()


async def test_a_burst_asks_who_the_bot_is_once_and_keeps_its_connections(
    database_url: str, slack: FakeSlackAPI
) -> None:
    """auth.test once for all the requests that come before its answer, and the Web API calls
    on a few kept-alive connections, not one new connection per call."""
    bot = await start_bot(make_settings(database_url), slack)
    try:
        events = [sr.message_event(f"{QUESTION} ({n})", user=f"U{n % 3}") for n in range(30)]
        responses = await asyncio.gather(*(bot.send(sr.event_callback(e)) for e in events))
        assert [r.status for r in responses] == [200] * 30
        await slack.wait_for("chat.postMessage", count=30)
        await settle(bot)
        assert len(slack.calls_to("auth.test")) == 1
        assert len(slack.calls_to("users.info")) == 3  # once per person
        api_calls = [c for c in slack.calls if c.method != "response_url"]
        connections = {c.peer for c in api_calls}
        assert len(api_calls) >= 34 and len(connections) <= 10, (len(api_calls), connections)
    finally:
        await bot.close()
