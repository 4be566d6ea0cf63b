"""Every post about a ticket follows it, end to end: the superusers' DMs (also theirs who did not
take it), the triage channel's post and the vendor's request are updated in place (chat.update)
to where the ticket is now, with only the buttons that still make sense, at every step; where
each post is survives a restart."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest_asyncio
from sqlalchemy import func, select

from bot.settings import Area, Escalation, Settings, Vendor
from bot.store.models import OutboxMessage
from tests.conftest import KNOWLEDGE, Clock, make_settings
from tests.e2e import slack_requests as sr
from tests.e2e.fake_slack import Call, FakeSlackAPI
from tests.e2e.harness import BotServer, start_bot
from tests.e2e.test_slack_escalations import (
    ANNA,
    ASKER,
    OLA,
    PER,
    QUESTION,
    delivered,
    press,
    support,
    updates_of,
)
from tests.e2e.test_slack_questions import settle, texts_of

TRIAGE, FENIX = "C0TRIAGE", "C0FENIX"


@pytest_asyncio.fixture
async def settings(database_url: str, tmp_path: Path) -> Settings:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)  # `faq` writes to it
    return make_settings(
        database_url,
        knowledge_dir=knowledge,
        areas=(
            Area("finance", "Ekonomi", superusers=(ANNA, PER)),
            Area("warehouse", "Lager", superusers=(OLA,)),
            Area("purchasing", "Inköp"),
        ),
        escalation=Escalation(triage_channel=TRIAGE),
        vendor=Vendor("Fenix", slack_channel=FENIX),
    )


@pytest_asyncio.fixture
async def clock() -> Clock:
    return Clock()


@pytest_asyncio.fixture
async def bot(settings: Settings, slack: FakeSlackAPI, clock: Clock) -> AsyncIterator[BotServer]:
    server = await start_bot(settings, slack, clock=clock)
    yield server
    await server.close()


async def caught_up(bot: BotServer) -> None:
    """Once the listeners are done, everything the outbox has is sent (updates included)."""
    await settle(bot)
    while await bot.core.deliver():
        pass


def now(slack: FakeSlackAPI, post: Call) -> dict[str, Any]:
    """The message as Slack shows it now: posted, then updated in place."""
    channel, ts = post.response["channel"], post.response["ts"]
    return next(m for m in slack.posted if m["channel"] == channel and m["ts"] == ts)


def shown(message: dict[str, Any]) -> str:
    return texts_of(message["blocks"])


def buttons(message: dict[str, Any]) -> list[str]:
    return [
        e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]


async def test_every_post_follows_the_ticket_to_the_end_across_a_restart(
    settings: Settings, slack: FakeSlackAPI, clock: Clock
) -> None:
    bot = await start_bot(settings, slack, clock=clock)
    try:
        await bot.send(sr.event_callback(sr.message_event(QUESTION)))
        posts = await delivered(bot, 4)  # the reply, Anna's DM, triage, the asker's update
        [anna] = [c for c in posts if c.args["channel"] == ANNA]
        [card] = [c for c in posts if c.args["channel"] == TRIAGE]
        assert anna.response["channel"] == "D0ANNA"  # where Slack keeps a DM: its own channel
        assert buttons(now(slack, card)) == [
            "esc_claim",
            "esc_answer",
            "esc_escalate",
            "esc_reassign",
        ]

        clock.now += timedelta(hours=2)  # nobody took it: the deputy's turn
        assert await bot.core.ladder.sweep() == 1
        posts = await delivered(bot, 7)  # Per's DM, a line under the triage post, the thread
        [per] = [c for c in posts if c.args["channel"] == PER]
        [line] = [c for c in posts[4:] if c.args["channel"] == TRIAGE]
        assert line.args["thread_ts"] == card.response["ts"]  # each step under the triage post
        await caught_up(bot)
        assert "väntar på att <@U0PER> tar det" in shown(now(slack, anna))
        assert "Ny fråga till dig" not in shown(now(slack, anna))
        assert "väntar på att <@U0PER> tar det" in shown(now(slack, card))
    finally:
        await bot.close()

    # a restart: where each post is comes from the database
    bot = await start_bot(settings, slack, clock=clock)
    try:
        await bot.send(press(bot, per, "esc_claim", PER))
        await caught_up(bot)
        for post in (anna, per, card):
            message = now(slack, post)
            assert "taget av <@U0PER>" in shown(message), shown(message)
            assert buttons(message) == ["esc_answer", "esc_escalate", "esc_reassign"]

        assert "#1" in await support(bot, "answer 1 Bokför hyran på 1710 och periodisera.", PER)
        await caught_up(bot)
        [answer] = [
            c for c in slack.calls_to("chat.postMessage") if "Svar på ärende #1" in c.args["text"]
        ]
        for post in (anna, per, card):
            message = now(slack, post)
            assert "besvarat av <@U0PER>, väntar på frågeställaren" in shown(message)
            assert "Bokför hyran på 1710" in shown(message)
            assert buttons(message) == ["esc_faq"]

        await bot.send(press(bot, answer, "esc_solved", ASKER))
        await caught_up(bot)
        assert buttons(now(slack, answer)) == []
        assert "Tack! Ärende #1 är stängt." in shown(now(slack, answer))
        for post in (anna, per, card):
            assert "· stängt" in shown(now(slack, post))
            assert buttons(now(slack, post)) == ["esc_faq"]  # what it taught, into the FAQ

        assert "tillagt i FAQ:n" in await support(bot, "faq 1", PER)
        await caught_up(bot)
        for post in (anna, per, card):
            assert buttons(now(slack, post)) == []
            assert updates_of(bot, post)  # updated in place, never posted again
        assert not any("esc_claim" in str(m.get("blocks")) for m in slack.posted)
    finally:
        await bot.close()


async def test_the_vendors_request_says_what_became_of_it(bot: BotServer) -> None:
    slack = bot.slack
    await bot.send(sr.event_callback(sr.message_event(QUESTION)))
    posts = await delivered(bot, 4)
    [anna] = [c for c in posts if c.args["channel"] == ANNA]
    assert await support(bot, "escalate 1 vet inte") == "#1 är skickat till Fenix."
    await caught_up(bot)
    [request] = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == FENIX]
    assert "Svara i tråden här" in shown(now(slack, request))
    assert buttons(now(slack, anna)) == ["esc_answer"]  # with the vendor: only an answer
    assert "hos Fenix" in shown(now(slack, anna))

    reply = sr.message_event(
        "Uppgradera till 27.1.", user="U0FENIX1", channel=FENIX, thread_ts=request.response["ts"]
    )
    await bot.send(sr.event_callback(reply))
    await caught_up(bot)
    assert "Besvarat: svaret har gått till den som frågade. Tack!" in shown(now(slack, request))
    assert "Svara i tråden här" not in shown(now(slack, request))
    [answer] = [
        c for c in slack.calls_to("chat.postMessage") if "Svar på ärende #1" in c.args["text"]
    ]

    await bot.send(press(bot, answer, "esc_not_solved", ASKER))  # back to the superusers
    await caught_up(bot)
    assert "Tillbaka hos oss" in shown(now(slack, request))
    assert "Okej, ärende #1 går vidare." in shown(now(slack, answer))
    assert buttons(now(slack, answer)) == []
    assert buttons(now(slack, anna))[0] == "esc_claim"  # Anna's to take again

    assert await support(bot, "close 1 löst per telefon") == "#1 är stängt."
    await caught_up(bot)
    assert "Stängt: inget mer behövs från er." in shown(now(slack, request))
    assert "· stängt" in shown(now(slack, anna)) and buttons(now(slack, anna)) == []


async def test_a_ticket_moved_to_another_area_leaves_the_first_superuser_without_buttons(
    bot: BotServer,
) -> None:
    slack = bot.slack
    await bot.send(sr.event_callback(sr.message_event(QUESTION)))
    posts = await delivered(bot, 4)
    [anna] = [c for c in posts if c.args["channel"] == ANNA]
    assert await support(bot, "reassign 1 warehouse") == "#1 ligger nu hos Lager."
    await caught_up(bot)
    message = now(slack, anna)
    assert "*#1* (Lager) · väntar på att <@U0OLA> tar det" in shown(message)
    assert buttons(message) == []  # not hers to act on any more
    [ola] = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == OLA]
    assert buttons(now(slack, ola))[0] == "esc_claim"


async def test_an_update_slack_holds_back_is_retried_and_one_it_lost_is_skipped(
    settings: Settings, slack: FakeSlackAPI, clock: Clock
) -> None:
    bot = await start_bot(replace(settings, escalation=Escalation()), slack, clock=clock)
    try:
        await bot.send(sr.event_callback(sr.message_event(QUESTION)))
        posts = await delivered(bot, 3)  # the reply, Anna's DM, the asker's update
        [anna] = [c for c in posts if c.args["channel"] == ANNA]

        slack.fail_next("chat.update", status=429, retry_after=1)
        assert await support(bot, "claim 1") == "Du har tagit #1."
        await caught_up(bot)
        assert buttons(now(slack, anna))[0] == "esc_claim"  # Slack said later: not yet
        clock.now += timedelta(seconds=2)
        await caught_up(bot)
        assert buttons(now(slack, anna)) == ["esc_answer", "esc_escalate", "esc_reassign"]

        slack.posted.remove(now(slack, anna))  # Anna deleted the DM
        assert "#1" in await support(bot, "answer 1 Bokför hyran på 1710.")
        await caught_up(bot)
        failed = [c for c in slack.calls_to("chat.update") if c.failed]
        assert [c.response["error"] for c in failed] == ["ratelimited", "message_not_found"]
        async with bot.core.db.session() as session:
            waiting = await session.scalar(
                select(func.count()).where(OutboxMessage.state != "sent")
            )
        assert waiting == 0  # nothing is stuck behind a post that is gone
    finally:
        await bot.close()
