"""How each escalation notification for our own people is rendered: the superuser's new
question, the reminder and the triage line, from the database as the outbox sends them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Core, create_core
from bot.settings import Area, Escalation, Vendor
from bot.support.notices import (
    EscalationNotice,
    EscalationStep,
    OpsNotice,
    UptimeChange,
    UptimeNotice,
)
from handlers.slack.notify import RENDERERS, render
from tests.conftest import START, Clock, make_settings, record_unresolved
from tests.e2e.fake_slack import FakeSlackAPI

ANNA, PER, ASKER = "U0ANNA", "U0PER", "U0ASKER"


@pytest_asyncio.fixture
async def core(database_url: str) -> AsyncIterator[Core]:
    settings = make_settings(
        database_url,
        areas=(Area("finance", "Ekonomi", superusers=(ANNA, PER)),),
        vendor=Vendor("Fenix", slack_channel="C0FENIX"),
        escalation=Escalation(triage_channel="C0TRIAGE"),
    )
    core = await create_core(settings, Clock())
    yield core
    await core.close()


async def rendered(
    core: Core, slack: FakeSlackAPI, number: int, kind: str, to: str, post: int | None = None
) -> Any:
    status = await core.ladder.status(number)
    client = AsyncWebClient(token="xoxb-test", base_url=slack.url)
    event = status.history[-1]
    notice = EscalationNotice(EscalationStep(kind), number, event.id, to, post)
    return await render(core, client, status, event, notice)


def buttons(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


async def test_the_superuser_the_reminder_and_the_triage_line(core: Core) -> None:
    question = await record_unresolved(
        core,
        "Hur periodiserar jag <!channel> en hyra?",
        START,
        matched_question="What do I need to do for the year-end close?",
    )
    esc = await core.ladder.open(question, "unanswered")
    async with FakeSlackAPI() as slack:
        to, thread, text, blocks = await rendered(core, slack, esc.id, "assigned", ANNA)
        body = blocks[0]["text"]["text"]
        assert (to, thread, text) == (ANNA, None, f"Ny fråga #{esc.id}")
        assert body.startswith(f"*Ny fråga till dig: #{esc.id}* (Ekonomi)")
        assert "&lt;!channel&gt;" in body and "<!channel>" not in body  # the asker can't ping
        assert "Från <@U0ASKER> i <#C0SUPPORT> · <" in body and "|Öppna tråden>" in body
        assert "Botens bästa gissning: _What do I need to do for the year-end close?_" in body
        assert "Ta den inom 2 h arbetstid" in body
        assert buttons(blocks) == ["esc_claim", "esc_answer", "esc_escalate", "esc_reassign"]

        await core.ladder.claim(esc.id, ANNA)
        _, _, text, blocks = await rendered(core, slack, esc.id, "reminder", ANNA)
        body = blocks[0]["text"]["text"]
        assert text == f"Påminnelse #{esc.id}"
        assert body.startswith(f"*Påminnelse: ärende #{esc.id}* väntar på ditt svar. Om ")
        assert "går det till Fenix." in body

        await core.ladder.answer(esc.id, ANNA, "Bokför hyran på 1710 och periodisera.")
        # the triage channel's post about it: where it is now, and what fits
        to, thread, text, blocks = await rendered(core, slack, esc.id, "triage", "C0TRIAGE", 2)
        body = blocks[0]["text"]["text"]
        assert (to, thread, text) == ("C0TRIAGE", None, f"#{esc.id} (Ekonomi) besvarat")
        assert body.startswith(
            f"*#{esc.id}* (Ekonomi) · besvarat av <@U0ANNA>, väntar på frågeställaren\n"
        )
        assert "Svar från <@U0ANNA>:\n> Bokför hyran på 1710 och periodisera." in body
        assert buttons(blocks) == ["esc_faq"]  # answered: offer to add it to the FAQ
        # a step after it: a line (under that post, once Slack has it)
        to, _, text, blocks = await rendered(core, slack, esc.id, "triage", "C0TRIAGE")
        assert (to, text) == ("C0TRIAGE", f"#{esc.id} besvarat")
        assert blocks[0]["text"]["text"] == (
            f"*#{esc.id}* besvarat av <@U0ANNA>\n> Bokför hyran på 1710 och periodisera."
        )
        assert buttons(blocks) == []


async def test_ops_and_uptime_notices_escape_their_text_in_the_notification_too(
    core: Core,
) -> None:
    client = AsyncWebClient(token="xoxb-test")  # rendering them asks Slack nothing
    said = "ERP svarar <!channel> <https://x|klicka>"
    ops = await RENDERERS[OpsNotice](core, client, OpsNotice("C0OPS", said, ANNA, "drift"))
    down = UptimeNotice(UptimeChange.DOWN, "C0OPS", "erp", "ERP", said, "09:00", 5, ANNA, said)
    uptime = await RENDERERS[UptimeNotice](core, client, down)
    for _, _, text, blocks in (ops, uptime):
        assert "<!channel>" not in text and "&lt;!channel&gt;" in text
        assert "<!channel>" not in blocks[0]["text"]["text"]
