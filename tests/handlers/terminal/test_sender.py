"""The terminal as the chat: `firstline jobs run` and `firstline digest` without Slack print what
they queued, through the outbox like any channel, and only what they queued."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest_asyncio
from sqlalchemy import select

from bot.app import Core, create_core
from bot.settings import Ops
from bot.store.models import Escalation, OutboxMessage, Question, utcnow
from bot.support.notices import CHAT, EscalationNotice, EscalationStep, OpsNotice, Tone
from bot.support.questions import Origin, Outcome
from handlers.terminal.sender import terminal_channel
from tests.conftest import UNANSWERABLE, following_up, make_settings


@pytest_asyncio.fixture
async def core(database_url: str) -> AsyncIterator[Core]:
    core = await create_core(make_settings(database_url, ops=Ops(channel="C0OPS")))
    yield core
    await core.close()


async def test_the_terminal_prints_what_a_run_queued_and_leaves_the_rest(core: Core) -> None:
    waiting = OpsNotice("C0OPS", "queued by the bot earlier")
    await core.outbox.add(CHAT, "ops", waiting.payload(), "earlier")
    out = io.StringIO()
    core.attach(terminal_channel(out))
    await core.outbox.only_after()
    assert await core.ops.post("now", "Jobbet x misslyckades", tone=Tone.WARNING)
    assert await core.digest.post()
    assert await core.outbox.deliver_due() == 2
    lines = out.getvalue().splitlines()
    assert lines[0] == "[to C0OPS] Jobbet x misslyckades"
    assert lines[1].startswith("[to C0OPS] Veckorapport för affärssystemet, vecka")
    async with core.db.session() as session:
        rows = (await session.execute(select(OutboxMessage.state, OutboxMessage.result))).all()
    assert [tuple(r) for r in rows] == [
        ("pending", None),
        ("sent", "terminal"),
        ("sent", "terminal"),
    ]


async def test_the_terminal_follows_nothing_up(core: Core) -> None:
    """A question the chat can't answer is recorded, never escalated: nobody could reach the
    asker with the answer. The same question from a channel that follows up is escalated."""
    core.attach(terminal_channel(io.StringIO()))
    asked = await core.desk.ask(UNANSWERABLE, Origin("chat", "local"))
    assert asked.outcome is Outcome.UNRESOLVED
    core.attach(replace(following_up("slack"), chat=False))  # the terminal is the chat
    await core.desk.ask(UNANSWERABLE, Origin("slack", "U1", "C0SUPPORT", "1.1", "1.1"))
    async with core.db.session() as session:
        escalated = list(await session.scalars(select(Question.source).join(Escalation)))
    assert escalated == ["slack"]


async def test_the_terminal_prints_a_step_once_and_not_that_it_changed(core: Core) -> None:
    """What the terminal printed can't be updated: a notice that a ticket changed is taken as
    delivered and prints nothing."""
    out = io.StringIO()
    core.attach(terminal_channel(out))
    for step in (EscalationStep.TRIAGE, EscalationStep.CHANGED):
        notice = EscalationNotice(step, 1, 1, "C0TRIAGE")
        await core.outbox.add(CHAT, str(step), notice.payload(), str(step), lane="C0TRIAGE")
    assert await core.deliver() == 2
    assert out.getvalue().splitlines() == ["[to C0TRIAGE] triage #1"]


async def test_the_digest_chart_is_named_with_how_to_save_it(core: Core) -> None:
    """The terminal can't show a picture: it names the chart and the command that saves it."""
    async with core.db.session() as session:
        session.add(
            Question(
                created_at=utcnow() - timedelta(days=7),
                source="slack",
                asker="U1",
                text="hur krediterar jag?",
                language="sv",
                answered=True,
                status="answered",
            )
        )
        await session.commit()
    out = io.StringIO()
    core.attach(terminal_channel(out))
    assert await core.digest.post()
    await core.deliver()
    report, chart = out.getvalue().split("\n[to C0OPS] Supporten vecka ")
    assert report.startswith("[to C0OPS] Veckorapport för affärssystemet")
    assert chart.endswith("(diagram: firstline digest --dry-run --chart FIL sparar det)\n")
