"""Teams end to end: the running aiohttp server (Slack's and Teams' routes in one process) gets
Teams-shaped activities at /api/messages with token checks off (TEAMS_AUTH=none), and the bot's
answers go to a fake Bot Connector on loopback. Asserts what the person sees in Teams."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest_asyncio
from aiohttp import web
from sqlalchemy import select

from bot.app import Core, create_core
from bot.settings import Area, Escalation, Member, Teams
from bot.store.models import Escalation as Ticket
from bot.store.models import Question
from handlers.slack import build_app
from handlers.slack.server import create_web_app
from handlers.teams.app import build_teams
from tests.conftest import UNANSWERABLE, make_settings
from tests.e2e import slack_requests as sr
from tests.e2e import teams_activities as ta
from tests.e2e.fake_connector import FakeConnector
from tests.e2e.fake_slack import FakeSlackAPI
from tests.e2e.slack_requests import TEST_SIGNING_SECRET

AREAS = (
    Area("finance", "Ekonomi / Finance", superusers=("anna",), contact="Anna Berg"),
    Area("warehouse", "Lager / Warehouse", superusers=("per",), contact="Per Lind"),
    Area("purchasing", "Inköp / Purchasing", superusers=("per",)),
)
PEOPLE = (
    Member("anna", "Anna Berg", (("slack", "U0ANNA"), ("teams", "aad-anna"))),
    Member("per", "Per Lind", (("slack", "U0PER"),)),
)


@dataclass
class Both:
    core: Core
    slack: FakeSlackAPI
    teams: FakeConnector
    url: str
    session: aiohttp.ClientSession

    async def activity(self, activity: dict) -> int:
        async with self.session.post(self.url + "/api/messages", json=activity) as response:
            await response.read()
            return response.status

    async def settle(self) -> None:
        for _ in range(250):
            await asyncio.sleep(0.02)
            if not self.core.delivering and await self.core.inbox.idle():
                return


@pytest_asyncio.fixture
async def both(database_url: str) -> AsyncIterator[Both]:
    async with FakeSlackAPI() as slack, FakeConnector() as teams:
        settings = make_settings(
            database_url,
            areas=AREAS,
            people=PEOPLE,
            slack_bot_token="xoxb-test-token",
            slack_signing_secret=TEST_SIGNING_SECRET,
            slack_api_url=slack.url,
            teams=Teams(auth_off=True),
            escalation=Escalation(admins=frozenset({"anna"})),
        )
        core = await create_core(settings)
        bolt = build_app(core)
        bot = build_teams(core, Teams(auth_off=True))
        web_app = create_web_app(bolt, core)
        bot.serve(web_app)
        runner = web.AppRunner(web_app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        session = aiohttp.ClientSession()
        yield Both(core, slack, teams, f"http://127.0.0.1:{port}", session)
        await session.close()
        await runner.cleanup()
        await core.close()


async def questions(core: Core) -> list[Question]:
    async with core.db.session() as session:
        return list(await session.scalars(select(Question).order_by(Question.id)))


async def test_a_question_in_a_1to1_chat_gets_the_answer_as_a_card(both: Both) -> None:
    asked = ta.personal_message(both.teams.url, "hur gör jag en cykelinventering?")
    assert await both.activity(asked) == 202
    [reply] = await both.teams.wait_for()
    assert (reply.method, reply.conversation, reply.reply_to) == ("POST", ta.PERSONAL, asked["id"])
    assert reply.authorization is None  # token checks are off: nothing is sent
    card = reply.card
    assert card is not None and card["body"][0]["weight"] == "Bolder"
    assert "cykelinventering" in card["body"][0]["text"].lower()
    assert any(line == "Område: Lager / Warehouse" for line in reply.texts)
    assert [title for title, _ in reply.buttons] == ["Det löste det", "Inte det jag behövde"]
    [question] = await questions(both.core)
    assert (question.source, question.asker, question.status) == ("teams", "anna", "answered")
    kept = await both.core.references.personal("teams", "anna")
    assert kept is not None and kept.reference["serviceUrl"] == both.teams.url


async def test_in_a_channel_only_an_at_mention_is_answered_in_its_thread(both: Both) -> None:
    assert await both.activity(ta.channel_message(both.teams.url, "hej alla", mention=False)) == 202
    mentioned = ta.channel_message(both.teams.url, "how do I reprint a delivery note?")
    await both.activity(mentioned)
    [reply] = await both.teams.wait_for()
    assert reply.conversation == mentioned["conversation"]["id"]
    assert reply.reply_to == mentioned["id"]
    assert [title for title, _ in reply.buttons] == ["That solved it", "Not what I needed"]
    assert [q.text for q in await questions(both.core)] == ["how do I reprint a delivery note?"]


async def test_that_solved_it_updates_the_card_and_only_the_asker_may(both: Both) -> None:
    await both.activity(ta.personal_message(both.teams.url, "hur gör jag en cykelinventering?"))
    [reply] = await both.teams.wait_for()
    solved = reply.buttons[0][1]
    await both.activity(ta.card_submit(both.teams.url, reply.id, ta.PERSONAL, solved, ta.ERIK))
    [_, refusal] = await both.teams.wait_for(2)
    assert "Anna Berg" in refusal.texts[0]
    await both.activity(ta.card_submit(both.teams.url, reply.id, ta.PERSONAL, solved))
    [update] = await both.teams.wait_for(1, method="PUT")
    assert update.reply_to == reply.id
    assert "actions" not in (update.card or {})
    assert any("Markerad som löst av Anna Berg" in line for line in update.texts)
    [question] = await questions(both.core)
    assert (question.status, question.feedback_by) == ("solved", "anna")


async def test_an_unanswered_question_goes_up_the_ladder_and_the_asker_hears_in_teams(
    both: Both,
) -> None:
    await both.activity(ta.personal_message(both.teams.url, UNANSWERABLE))
    sent = await both.teams.wait_for(2)
    await both.settle()
    assert any("> " in line for line in sent[0].texts)  # the question as recorded
    progress = " ".join(sent[1].texts)
    assert "#1" in progress
    async with both.core.db.session() as session:
        [esc] = list(await session.scalars(select(Ticket)))
    # the superuser is told in Slack, where superusers work for now
    dms = [c for c in both.slack.calls if c.method == "chat.postMessage"]
    assert esc.assignee and any(c.args["channel"] in ("U0ANNA", "U0PER") for c in dms)
    assert not any(c.args["channel"] == ta.PERSONAL for c in dms)


async def test_off_topic_declines_and_a_superuser_may_be_asked_anyway(both: Both) -> None:
    await both.activity(ta.personal_message(both.teams.url, "vad blir det till lunch?"))
    [reply] = await both.teams.wait_for()
    assert "handla om affärssystemet" in " ".join(reply.texts)
    [(title, data)] = reply.buttons
    assert title == "Fråga en superanvändare ändå"
    await both.activity(ta.card_submit(both.teams.url, reply.id, ta.PERSONAL, data))
    [update] = await both.teams.wait_for(1, method="PUT")
    assert "Anna Berg bad om en superanvändare." in " ".join(update.texts)
    [question] = await questions(both.core)
    assert question.status == "unresolved"


async def test_small_talk_and_clarification(both: Both) -> None:
    await both.activity(ta.personal_message(both.teams.url, "tack!"))
    [thanks] = await both.teams.wait_for()
    assert "Varsågod" in " ".join(thanks.texts) and not thanks.buttons
    await both.activity(ta.personal_message(both.teams.url, "faktura"))
    [_, vague] = await both.teams.wait_for(2)
    titles = [title for title, _ in vague.buttons]
    assert len(titles) >= 2 and titles[-1].startswith("Ingen av dem")
    _, first = vague.buttons[0]
    await both.activity(ta.card_submit(both.teams.url, vague.id, ta.PERSONAL, first))
    [*_, shown] = await both.teams.wait_for(3)
    assert shown.card is not None and shown.card["body"][0]["text"]
    assert [t for t, _ in shown.buttons] == ["Det löste min fråga"]


async def test_installation_and_team_add_keep_the_conversation_reference(both: Both) -> None:
    assert await both.activity(ta.installation_update(both.teams.url)) == 202
    assert await both.activity(ta.conversation_update(both.teams.url)) == 202
    assert await both.core.references.personal("teams", "anna") is not None
    team = await both.core.references.get("teams", ta.TEAM)
    assert team is not None and team.kind == "channel"
    assert both.teams.messages() == []


async def test_a_redelivered_activity_is_answered_once(both: Both) -> None:
    asked = ta.personal_message(both.teams.url, "hur gör jag en cykelinventering?")
    await both.activity(asked)
    await both.activity(asked)
    await both.teams.wait_for()
    await both.settle()
    assert len(both.teams.messages()) == 1
    assert len(await questions(both.core)) == 1


async def test_what_is_not_an_activity_is_a_400(both: Both) -> None:
    async with both.session.post(both.url + "/api/messages", data=b"{not json") as response:
        assert response.status == 400
    async with both.session.post(both.url + "/api/messages", json={"type": 5}) as response:
        assert response.status == 400
    assert both.teams.sent == []


async def test_slack_still_answers_in_the_same_process(both: Both) -> None:
    await both.activity(ta.personal_message(both.teams.url, "hur gör jag en cykelinventering?"))
    event = sr.message_event("hur krediterar jag en faktura?")
    body, headers = sr.event_callback(event)
    async with both.session.post(
        both.url + "/slack/events", data=body.encode(), headers=headers
    ) as response:
        assert response.status == 200
    [post] = await both.slack.wait_for("chat.postMessage")
    assert post.args["channel"] == "C0SUPPORT" and post.args["thread_ts"] == event["ts"]
    await both.teams.wait_for()
    await both.settle()
    assert {(q.source, q.channel) for q in await questions(both.core)} == {
        ("teams", ta.PERSONAL),
        ("slack", "C0SUPPORT"),
    }
    assert json.dumps(post.args).count("cykelinventering") == 0


async def test_the_asker_in_teams_gets_the_superusers_answer_and_closes_it(both: Both) -> None:
    await both.activity(ta.personal_message(both.teams.url, UNANSWERABLE, ta.ERIK))
    await both.teams.wait_for(2)
    await both.settle()
    await both.core.ladder.claim(1, "anna")
    await both.core.ladder.answer(1, "anna", "Kör om bokföringen för perioden.")
    both.core.kick()
    sent = await both.teams.wait_for(4)
    answer = sent[-1]
    assert answer.conversation == ta.PERSONAL
    assert answer.texts[:2] == [
        "Svar på ärende #1 från Anna Berg:",
        "Kör om bokföringen för perioden.",
    ]
    solved = answer.buttons[0][1]
    await both.activity(ta.card_submit(both.teams.url, answer.id, ta.PERSONAL, solved, ta.ERIK))
    [update] = await both.teams.wait_for(1, method="PUT")
    assert update.reply_to == answer.id and update.texts == ["Tack! Ärende #1 är stängt."]
    status = await both.core.ladder.status(1)
    assert status.escalation.state == "closed"
