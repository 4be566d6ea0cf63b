"""People with an identity per channel, through Slack: the config names a superuser once, by a
key, with their Slack id (and a Teams id); Slack ids come in, mentions and DMs go out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from bot.settings import Area, Escalation, Member
from tests.conftest import make_settings
from tests.e2e import slack_requests as sr
from tests.e2e.fake_slack import FakeSlackAPI
from tests.e2e.harness import BotServer, start_bot
from tests.e2e.test_slack_escalations import QUESTION, delivered, posts_to, press
from tests.e2e.test_slack_questions import texts_of

ANNA = Member("anna", "Anna Lind", (("slack", "U0ANNA"), ("teams", "29:anna")))
BO = Member("bo", "Bo Ek", (("teams", "29:bo"),))  # in Teams only


@pytest_asyncio.fixture
async def people_bot(database_url: str, slack: FakeSlackAPI) -> AsyncIterator[BotServer]:
    settings = make_settings(
        database_url,
        people=(ANNA, BO),
        areas=(Area("finance", "Ekonomi", superusers=("anna", "bo")),),
        escalation=Escalation(triage_channel="C0TRIAGE", admins=frozenset({"bo"})),
    )
    bot = await start_bot(settings, slack)
    yield bot
    await bot.close()


async def test_a_superuser_known_by_key_is_reached_and_recognised_by_their_slack_id(
    people_bot: BotServer, tmp_path: Path
) -> None:
    bot = people_bot
    await bot.send(sr.event_callback(sr.message_event(QUESTION)))
    posts = await delivered(bot, 4)
    [dm] = [c for c in posts if c.args["channel"] == "U0ANNA"]  # the DM goes to her Slack id
    assert "Ny fråga till dig: #1" in texts_of(dm.args["blocks"])
    [update] = [c for c in posts if "ärende #1" in c.args["text"] and c.args.get("thread_ts")]
    assert "<@U0ANNA>" in update.args["text"]
    assert any("<@U0ASKER>" in text for text in posts_to(posts, "C0TRIAGE"))

    await bot.send(press(bot, dm, "esc_claim", "U0ANNA"))  # her Slack id is "anna" to the core
    posts = await delivered(bot, 6)
    assert any("<@U0ANNA> har tagit ärende #1" in c.args["text"] for c in posts)
    esc = (await bot.core.ladder.status(1)).escalation
    assert esc.claimed_by == "anna"

    url = bot.slack.response_url("queue")
    before = len(bot.slack.calls_to("response_url"))
    await bot.send(sr.slash_command("/support", "queue mine", user_id="U0ANNA", response_url=url))
    mine = (await bot.slack.wait_for("response_url", count=before + 1))[before]
    assert "#1" in mine.args["text"] and "<@U0ANNA>" in mine.args["text"]


async def test_a_superuser_without_a_slack_id_is_named_not_mentioned(
    people_bot: BotServer,
) -> None:
    bot = people_bot
    url = bot.slack.response_url("owners")
    await bot.send(sr.slash_command("/support", "owners", user_id="U0ANNA", response_url=url))
    [owners] = await bot.slack.wait_for("response_url")
    assert "<@U0ANNA>, Bo Ek" in owners.args["text"]
    assert "<@bo>" not in owners.args["text"] and "29:bo" not in owners.args["text"]
