"""The escalation ladder on a real database, with time moved by the test."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
import pytest_asyncio
from sqlalchemy import select

from bot.app import Core, create_core
from bot.settings import Area, Escalation, Vendor
from bot.store.models import OutboxMessage, Question
from bot.support.escalations import Ladder, Refused, State
from bot.support.notices import CHAT
from bot.support.questions import Origin
from tests.conftest import START, Clock, following_up, make_settings, record_unresolved

ANNA, PER, OLA, SARA, ADMIN, ASKER = "U0ANNA", "U0PER", "U0OLA", "U0SARA", "U0ADMIN", "U0ASKER"
QUESTION = "Hur periodiserar jag en förutbetald hyra över tolv månader?"
AREAS = (
    Area("finance", "Ekonomi", superusers=(ANNA, PER)),
    Area("warehouse", "Lager", superusers=(OLA,)),
    Area("purchasing", "Inköp", superusers=(SARA,)),
)
VENDOR = Vendor(
    "Fenix", slack_channel="C0FENIX", email="support@fenix.example", webhook_url="https://x/y"
)


@pytest_asyncio.fixture
async def core(database_url: str) -> AsyncIterator[Core]:
    settings = make_settings(
        database_url,
        areas=AREAS,
        vendor=VENDOR,
        escalation=Escalation(triage_channel="C0TRIAGE", admins=frozenset({ADMIN})),
    )
    core = await create_core(settings)
    yield core
    await core.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def unanswered(
    core: Core, text: str = QUESTION, source: str = "slack", at: datetime = START
) -> Question:
    return await record_unresolved(core, text, at, source=source, asker=ASKER)


async def outbox(core: Core) -> list[tuple[str, dict]]:
    async with core.db.session() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(row.route, json.loads(row.payload)) for row in rows]


def slack(messages: list[tuple[str, dict]]) -> list[tuple[str, str]]:
    """The notices Slack delivers when it is attached as the chat: the chat's, and those to
    askers who asked in Slack."""
    return [(p["kind"], p["to"]) for route, p in messages if route in (CHAT, "slack")]


async def test_primary_deputy_then_vendor_in_business_hours(core: Core, clock: Clock) -> None:
    clock.advance(hours=5)  # 15:00 in Stockholm
    ladder = Ladder(core.settings, core.db, clock)
    esc = await ladder.open(await unanswered(core), "unanswered")
    assert (esc.state, esc.assignee, esc.level) == (State.OPEN, ANNA, 0)
    assert esc.due_at == clock.now + timedelta(hours=2)
    assert slack(await outbox(core)) == [
        ("assigned", ANNA),
        ("triage", "C0TRIAGE"),
        ("progress", "asker"),
    ]

    clock.advance(hours=1, minutes=59)
    assert await ladder.sweep() == 0
    clock.advance(minutes=1)  # 17:00: Anna's two hours are up, the deputy gets it
    assert await ladder.sweep() == 1
    status = await ladder.status(esc.id)
    assert (status.escalation.assignee, status.escalation.level) == (PER, 1)

    # Per's two hours start at 08:00 tomorrow: the night does not count
    clock.advance(hours=16, minutes=59)  # 09:59
    assert await ladder.sweep() == 0
    clock.advance(minutes=1)
    assert await ladder.sweep() == 1
    status = await ladder.status(esc.id)
    assert status.escalation.state == State.VENDOR and status.escalation.assignee is None
    messages = await outbox(core)
    routes = [route for route, _ in messages]
    assert routes.count("email") == 1 and routes.count("webhook") == 1
    assert ("vendor", "C0FENIX") in slack(messages)
    email = next(p for r, p in messages if r == "email")
    assert email["to"] == "support@fenix.example"
    assert f"[firstline #{esc.id}] Ekonomi" in email["subject"]
    assert QUESTION in email["body"]
    assert "Varför till er: ingen superanvändare hann ta frågan i tid" in email["body"]
    webhook = next(p for r, p in messages if r == "webhook")
    assert webhook["body"]["ticket"] == f"#{esc.id}" and webhook["body"]["area"] == "Ekonomi"
    assert [e.action for e in status.history] == [
        "opened",
        "not_claimed_in_time",
        "to_vendor",
    ]


async def test_claim_answer_and_the_askers_confirmation(core: Core, clock: Clock) -> None:
    ladder = Ladder(core.settings, core.db, clock)
    esc = await ladder.open(await unanswered(core), "not_helpful")
    with pytest.raises(Refused) as refused:
        await ladder.claim(esc.id, OLA)
    assert refused.value.code == "not_allowed"
    claimed = await ladder.claim(esc.id, PER)
    assert (claimed.state, claimed.claimed_by, claimed.assignee) == (State.CLAIMED, PER, PER)
    with pytest.raises(Refused) as refused:
        await ladder.claim(esc.id, ANNA)
    assert (refused.value.code, refused.value.values["user"]) == ("claimed_by_other", PER)

    answered = await ladder.answer(esc.id, PER, "Använd valutakod USD på leverantörskortet.")
    assert answered.state == State.ANSWERED
    assert ("answer", "asker") in slack(await outbox(core))
    with pytest.raises(Refused) as refused:
        await ladder.confirm(esc.id, PER, solved=True)
    assert refused.value.code == "only_asker"
    closed = await ladder.confirm(esc.id, ASKER, solved=True)
    assert closed.state == State.CLOSED
    history = [e.action for e in (await ladder.status(esc.id)).history]
    assert history == ["opened", "claimed", "answered", "confirmed"]


async def test_not_solved_goes_to_the_vendor(core: Core, clock: Clock) -> None:
    ladder = Ladder(core.settings, core.db, clock)
    esc = await ladder.open(await unanswered(core), "unanswered")
    await ladder.answer(esc.id, ANNA, "Prova att bokföra om.")
    moved = await ladder.confirm(esc.id, ASKER, solved=False)
    assert moved.state == State.VENDOR and moved.vendor_reason == "not_solved"
    with pytest.raises(Refused):
        await ladder.answer(esc.id, OLA, "fel område")
    replied = await ladder.vendor_reply(esc.id, ADMIN, "Det är en bugg, fixad i version 27.1.")
    assert replied.state == State.ANSWERED and replied.answered_by == ADMIN


async def test_claimed_but_unanswered_reminds_then_goes_to_the_vendor(
    core: Core, clock: Clock
) -> None:
    ladder = Ladder(core.settings, core.db, clock)
    esc = await ladder.open(await unanswered(core), "unanswered")
    await ladder.claim(esc.id, ANNA)
    clock.advance(days=1)  # 10:00 next day: the 9 business hours are up
    assert await ladder.sweep() == 1
    status = await ladder.status(esc.id)
    assert status.escalation.state == State.CLAIMED and status.escalation.reminded
    assert ("reminder", ANNA) in slack(await outbox(core))
    clock.advance(hours=2)
    assert await ladder.sweep() == 1
    assert (await ladder.status(esc.id)).escalation.state == State.VENDOR


async def test_release_reassign_escalate_close_and_errors(core: Core, clock: Clock) -> None:
    ladder = Ladder(core.settings, core.db, clock)
    esc = await ladder.open(await unanswered(core), "unanswered")
    await ladder.claim(esc.id, ANNA)
    released = await ladder.release(esc.id, ANNA)
    assert (released.state, released.assignee, released.claimed_by) == (State.OPEN, ANNA, None)
    with pytest.raises(Refused) as refused:
        await ladder.reassign(esc.id, ANNA, "hr")
    assert refused.value.code == "unknown_area"
    moved = await ladder.reassign(esc.id, ANNA, "warehouse")
    assert (moved.area, moved.assignee, moved.level) == ("warehouse", OLA, 0)
    with pytest.raises(Refused):
        await ladder.escalate(esc.id, ANNA, "not mine any more")
    escalated = await ladder.escalate(esc.id, OLA, "behöver leverantören")
    assert escalated.state == State.VENDOR and escalated.note == "behöver leverantören"
    closed = await ladder.close(esc.id, ADMIN, "löst per telefon")
    assert closed.state == State.CLOSED
    with pytest.raises(Refused) as refused:
        await ladder.close(esc.id, ADMIN)
    assert refused.value.code == "wrong_state"
    with pytest.raises(Refused) as refused:
        await ladder.claim(9999, ANNA)
    assert refused.value.code == "not_found"


async def test_no_superusers_and_no_vendor_goes_to_triage(core: Core, clock: Clock) -> None:
    settings = replace(core.settings, vendor=Vendor(), areas=(Area("finance", "Ekonomi"),))
    ladder = Ladder(settings, core.db, clock)
    esc = await ladder.open(await unanswered(core), "unanswered")
    assert esc.state == State.OPEN and esc.assignee is None and esc.due_at is None
    assert slack(await outbox(core)) == [("triage", "C0TRIAGE"), ("progress", "asker")]


async def test_a_question_with_no_area_waits_in_triage_not_at_the_vendor(
    core: Core, clock: Clock
) -> None:
    ladder = Ladder(core.settings, core.db, clock)
    question = (await core.desk.ask("Vad blir det till lunch?", Origin("slack", ASKER))).question
    assert question.matched_area is None
    esc = await ladder.open(question, "unanswered")
    assert (esc.state, esc.area, esc.assignee, esc.due_at) == (State.OPEN, None, None, None)
    assert ("vendor", "C0FENIX") not in slack(await outbox(core))
    moved = await ladder.reassign(esc.id, SARA, "purchasing")
    assert (moved.area, moved.assignee) == ("purchasing", SARA)


async def test_unresolved_questions_without_an_escalation_are_adopted(
    core: Core, clock: Clock
) -> None:
    """The process stopped between saving the question and opening its escalation."""
    for source in ("slack", "chat"):
        await unanswered(core, source=source, at=clock.now)
    ladder = Ladder(core.settings, core.db, clock)
    sources = frozenset({"slack"})
    assert await ladder.adopt_orphans(sources) == 0  # too fresh: its own process may still open it
    clock.advance(minutes=3)
    assert await ladder.adopt_orphans(sources) == 1
    assert await ladder.adopt_orphans(sources) == 0
    [(esc, question)] = await ladder.queue(area="finance")
    assert question.source == "slack" and esc.assignee == ANNA


async def test_simultaneous_claims_exactly_one_wins(core: Core, clock: Clock) -> None:
    ladder = Ladder(core.settings, core.db, clock)
    for _ in range(3):
        esc = await ladder.open(
            await unanswered(core, f"Hur periodiserar jag förutbetald hyra för lokal {_}?"),
            "unanswered",
        )
        results = await asyncio.gather(
            ladder.claim(esc.id, ANNA), ladder.claim(esc.id, PER), return_exceptions=True
        )
        winners = [r for r in results if not isinstance(r, BaseException)]
        losers = [r for r in results if isinstance(r, Refused)]
        assert len(winners) == 1 and len(losers) == 1, results
        assert losers[0].code == "claimed_by_other"
        assert losers[0].values["user"] == winners[0].claimed_by


async def test_a_restart_across_a_deadline_fires_each_step_once(core: Core, clock: Clock) -> None:
    first = Ladder(core.settings, core.db, clock)
    esc = await first.open(await unanswered(core), "unanswered")
    clock.advance(hours=3)
    restarted = Ladder(core.settings, core.db, clock)  # a new process, same database
    results = await asyncio.gather(first.sweep(), restarted.sweep())
    assert sorted(results) == [0, 1]
    status = await restarted.status(esc.id)
    assert [e.action for e in status.history].count("not_claimed_in_time") == 1
    assert slack(await outbox(core)).count(("assigned", PER)) == 1
    assert await restarted.sweep() == 0
    assert await restarted.open(status.question, "again") is not None
    assert [e.action for e in (await restarted.status(esc.id)).history].count("opened") == 1


async def test_a_suggestion_settles_a_question_once_however_often_it_is_pressed(
    core: Core, clock: Clock
) -> None:
    ladder = Ladder(core.settings, core.db, clock)
    esc = await ladder.open(await unanswered(core), "unanswered")
    entry = "Hur redovisar jag ett utlägg som jag betalat privat?"
    assert (await ladder.solved_by_suggestion(esc.question_id, ANNA, entry))[0].result == (
        "not_asker"
    )
    presses = await asyncio.gather(
        *(ladder.solved_by_suggestion(esc.question_id, ASKER, entry) for _ in range(3))
    )
    assert sorted(verdict.result for verdict, _ in presses) == ["already", "already", "solved"]
    assert [closed.state for _, closed in presses if closed] == [State.CLOSED]
    status = await ladder.status(esc.id)
    assert [e.action for e in status.history] == ["opened", "solved_by_suggestion"]
    assert slack(await outbox(core)).count(("closed", "asker")) == 1


async def test_a_suggestion_does_not_reopen_or_settle_a_closed_ticket(
    core: Core, clock: Clock
) -> None:
    ladder = Ladder(core.settings, core.db, clock)
    esc = await ladder.open(await unanswered(core), "unanswered")
    await ladder.close(esc.id, ANNA, "dubblett")
    verdict, closed = await ladder.solved_by_suggestion(esc.question_id, ASKER, "Hur?")
    assert verdict.result == "already" and verdict.question.status == "unresolved"
    assert closed is None


async def test_the_asker_hears_through_the_channel_they_asked_in(core: Core, clock: Clock) -> None:
    """A question asked in a second chat platform: the superuser and the triage channel hear
    through the chat; the asker's notices go on that platform's own route, in their lane."""
    ladder = Ladder(core.settings, core.db, clock)
    question = await unanswered(core, source="teams")
    esc = await ladder.open(question, "unanswered")
    await ladder.claim(esc.id, ANNA)
    await ladder.answer(esc.id, ANNA, "Kör om bokföringen.")
    routes = [(route, p["kind"], p["to"]) for route, p in await outbox(core)]
    assert ("teams", "progress", "asker") in routes
    assert ("teams", "answer", "asker") in routes
    assert (CHAT, "assigned", ANNA) in routes
    assert {route for route, _, to in routes if to == "asker"} == {"teams"}


async def test_one_channel_is_the_chat(core: Core) -> None:
    core.attach(following_up("slack"))
    core.attach(replace(following_up("teams"), chat=False))
    with pytest.raises(ValueError, match="slack is attached as the chat already"):
        core.attach(following_up("other"))
    assert set(core.outbox.senders) >= {CHAT, "slack", "teams"}
