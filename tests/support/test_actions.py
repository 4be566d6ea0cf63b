"""The table of superuser actions, called as a channel calls it, on a real core and database:
each action by each of its names, unknown names, usages, refusals, and what the results carry."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from bot.app import Core, create_core
from bot.ops.uptime import ProbeResult
from bot.settings import Area, Check, Escalation, Ops, Vendor
from bot.support import actions
from bot.support.actions import (
    ACTIONS,
    ASK,
    HELP,
    LEARNED,
    UNRESOLVED,
    UPTIME,
    Asked,
    CheckLine,
    Found,
    LearnedLine,
    LearnedList,
    Need,
    Owners,
    Person,
    Queue,
    Queued,
    Quote,
    Refusal,
    Request,
    Result,
    Text,
    Ticket,
    Typed,
    Unknown,
    Unresolved,
    UnresolvedQuestion,
    UptimeReport,
    Who,
)
from bot.support.escalations import Status
from bot.texts import DESK, REFUSED, TEXTS, wording
from tests.conftest import KNOWLEDGE, START, Clock, make_settings, record_unresolved

ANNA, PER, OLA, ADMIN, ASKER = "U0ANNA", "U0PER", "U0OLA", "U0ADMIN", "U0ASKER"
QUESTION = "Hur periodiserar jag en förutbetald hyra över tolv månader?"
AREAS = (
    Area("finance", "Ekonomi", superusers=(ANNA, PER)),
    Area("warehouse", "Lager", superusers=(OLA,)),
    Area("purchasing", "Inköp"),
)
KNOWN_AREAS = "finance (Ekonomi), warehouse (Lager), purchasing (Inköp)"
ERP = Check("erp-web", "ERP webb", url="http://127.0.0.1:9/", fail_after=1)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest_asyncio.fixture
async def core(database_url: str, tmp_path: Path, clock: Clock) -> AsyncIterator[Core]:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)  # `faq` writes to it
    settings = make_settings(
        database_url,
        knowledge_dir=knowledge,
        areas=AREAS,
        vendor=Vendor("Fenix", slack_channel="C0FENIX"),
        escalation=Escalation(triage_channel="C0TRIAGE", admins=frozenset({ADMIN})),
        ops=Ops(channel="C0OPS", uptime_owner="U0DRIFT", checks=(ERP,)),
    )
    core = await create_core(settings, clock)
    yield core
    await core.close()


async def ticket(core: Core) -> int:
    """An unanswered finance question's ticket, with Anna."""
    question = await record_unresolved(core, QUESTION, START, asker=ASKER)
    return (await core.ladder.open(question, "unanswered")).id


async def command(core: Core, text: str, user: str = ANNA) -> Result:
    """`text` typed after a channel's command, as `user`."""
    typed = actions.typed(text)
    if isinstance(typed, Unknown):
        return typed
    return await actions.perform(core, typed, user, source="test_command")


def test_every_action_answers_to_each_of_its_names_in_any_case() -> None:
    for action in ACTIONS:
        for name, language in {action.name: "en", **action.aliases}.items():
            assert actions.lookup(name) == Found(action, language)
            assert actions.lookup(name.upper()) == Found(action, language)
    assert actions.lookup("obesvarade") == Found(UNRESOLVED, "sv")
    assert actions.lookup("inlärda") == Found(LEARNED, "sv")
    assert actions.lookup("drift") == Found(UPTIME, "sv")
    assert actions.lookup("hjälp") == Found(HELP, "sv")
    assert actions.lookup("fråga") == Found(ASK, "sv")


def test_an_unknown_name_is_an_error_never_another_action() -> None:
    assert actions.lookup("frobnicate") == Unknown("frobnicate", "sv")
    assert actions.typed("Please") == Unknown("please", "en")  # answered in its language
    assert isinstance(actions.lookup("stat"), Unknown)
    assert isinstance(actions.lookup("esc_claim"), Unknown)


def test_what_is_typed_names_an_action_or_is_a_question() -> None:
    assert actions.typed("") == Typed(HELP, "sv", "")
    assert actions.typed("  help  ") == Typed(HELP, "en", "")
    assert actions.typed("claim #4  now") == Typed(actions.CLAIM, "en", "#4 now")
    # a question without `ask`: more than one word, or one ending in ?
    assert actions.typed("hur gör jag?") == Typed(ASK, "sv", "hur gör jag?")
    assert actions.typed("inventering?") == Typed(ASK, "sv", "inventering?")


def test_every_declared_text_is_in_the_texts() -> None:
    for action in ACTIONS:
        keys = [*action.results, *([action.usage] if action.usage else [])]
        for key in keys:
            if action.bilingual:
                assert key in TEXTS["sv"] and key in TEXTS["en"], (action.name, key)
            else:
                assert key in DESK, (action.name, key)
        needs_words = action.number or action.text in (Need.REQUIRED, Need.QUESTION)
        assert action.usage or not needs_words, action.name


async def test_missing_or_invalid_arguments_give_the_usage(core: Core) -> None:
    await ticket(core)
    for text, key in (
        ("claim", "usage_claim"),
        ("claim x", "usage_claim"),
        ("release", "usage_release"),
        ("answer 1", "usage_answer"),
        ("answer svaret", "usage_answer"),
        ("escalate", "usage_escalate"),
        ("reassign 1", "usage_reassign"),
        ("close #", "usage_close"),
        ("status", "usage_status"),
        ("vendor-reply 1", "usage_vendor_reply"),
        ("faq ett", "usage_faq"),
    ):
        assert await command(core, text) == Text(key), text
    assert wording("usage_answer") == "Så här: `/support answer N svaret`"
    assert await command(core, "ask") == Text("ask_usage", language="en")
    assert await command(core, "fråga") == Text("ask_usage", language="sv")
    assert await command(core, "inlärda remove") == Text("learned_usage", language="sv")
    assert await command(core, "learned remove x") == Text("learned_usage", language="en")
    assert await command(core, "learned a b") == Text("learned_usage", language="en")
    assert (await core.ladder.status(1)).history[-1].action == "opened"  # nothing happened


async def test_the_handlers_actions_refuse_anyone_else(core: Core) -> None:
    number = await ticket(core)
    theirs = [a for a in ACTIONS if a.who in (Who.HANDLERS, Who.ASKER_OR_HANDLERS)]
    assert {a.name for a in theirs} == {
        "claim",
        "release",
        "answer",
        "escalate",
        "reassign",
        "close",
        "vendor-reply",
        "faq",
    }
    refused = Refusal("not_allowed", {"area": "Ekonomi"})
    for action in theirs:
        request = Request(OLA, number, "warehouse")
        assert await actions.run(core, action, request) == refused, action.name
        assert await actions.ticket_for(core, action, OLA, number) == refused, action.name
    assert REFUSED["not_allowed"].format(area="Ekonomi").startswith("Bara superanvändarna för")
    assert await command(core, "claim 99") == Refusal("not_found", {"number": "99"})
    assert isinstance(await actions.ticket_for(core, actions.ANSWER, ANNA, number), Status)
    # the asker may close their own ticket
    closing = await actions.ticket_for(core, actions.CLOSE, ASKER, number)
    assert isinstance(closing, Status) and closing.escalation.id == number
    assert await command(core, "close 1 löst", ASKER) == Text("closed", {"n": 1})


async def test_a_ticket_up_the_ladder_and_into_the_faq(core: Core, clock: Clock) -> None:
    number = await ticket(core)
    assert await command(core, "claim #1") == Text("claimed", {"n": number})
    assert await command(core, "claim 1", PER) == Refusal(
        "claimed_by_other", {"user": Person(ANNA)}
    )
    assert await command(core, "release 1") == Text("released", {"n": 1})
    assert await command(core, "reassign 1 warehouse") == Text(
        "reassigned", {"n": 1, "area": "Lager"}
    )
    assert await command(core, "reassign 1 hr", OLA) == Refusal(
        "unknown_area",
        {"area": "hr", "known": "finance (Ekonomi), warehouse (Lager), purchasing (Inköp)"},
    )
    assert await command(core, "vendor-reply 1 x", OLA) == Refusal("not_with_vendor")
    assert await command(core, "escalate 1 behöver leverantören", OLA) == Text(
        "escalated", {"n": 1, "vendor": "Fenix"}
    )
    clock.advance(minutes=30)
    assert await command(core, "vendor-reply 1 Uppgradera till 27.1.", OLA) == Text(
        "vendor_replied", {"n": 1}
    )
    added = await command(core, "faq 1", OLA)
    assert isinstance(added, Text) and added.key == "added_to_faq"
    assert str(added.values["location"]).startswith("knowledge/faq/warehouse/")
    assert await command(core, "faq 1", OLA) == Refusal(
        "already_in_faq", {"location": added.values["location"]}
    )
    assert await command(core, "close 1", OLA) == Text("closed", {"n": 1})
    assert await command(core, "close 1", OLA) == Refusal("wrong_state", {"state": "stängt"})

    status = await command(core, "status 1", OLA)
    assert isinstance(status, Ticket)
    assert (status.number, status.state, status.area) == (1, "closed", "Lager")
    assert (status.question, status.answer) == (QUESTION, "Uppgradera till 27.1.")
    assert [s.action for s in status.history] == [
        "opened",
        "claimed",
        "released",
        "reassigned",
        "to_vendor",
        "vendor_replied",
        "added_to_faq",
        "closed",
    ]
    opened, *_, closed = status.history
    assert opened.actor is None and closed.actor == OLA  # the bot opened it
    details = {s.action: s.detail for s in status.history}  # as people read them
    assert details["opened"] == "boten hade inget svar" and details["reassigned"] == "Lager"
    # times in the configured zone: 09:00 UTC is 10:00 in Stockholm in November
    assert (opened.at.hour, str(opened.at.tzinfo)) == (10, "Europe/Stockholm")
    assert closed.at - opened.at == timedelta(minutes=30)


async def test_queues_of_the_user_of_all_and_of_an_area(core: Core, clock: Clock) -> None:
    assert await command(core, "queue") == Queue(Text("queue_mine"), ())
    number = await ticket(core)
    mine = Queued(number, "open", ANNA, timedelta(0), timedelta(hours=2), False, QUESTION)
    assert await command(core, "queue") == Queue(Text("queue_mine"), (mine,))
    assert await command(core, "queue mine", OLA) == Queue(Text("queue_mine"), ())
    assert await command(core, "queue ALL", OLA) == Queue(Text("queue_all"), (mine,))
    finance = Text("queue_area", {"area": "Ekonomi"})
    assert await command(core, "queue finance", OLA) == Queue(finance, (mine,))
    assert await command(core, "queue hr") == Refusal(
        "unknown_area",
        {"area": "hr", "known": "finance (Ekonomi), warehouse (Lager), purchasing (Inköp)"},
    )
    clock.advance(hours=3)  # past Anna's two business hours
    late = Queued(number, "open", ANNA, timedelta(hours=3), None, True, QUESTION)
    assert await command(core, "queue") == Queue(Text("queue_mine"), (late,))


async def test_owners_uptime_and_unresolved(core: Core) -> None:
    assert await command(core, "owners", ASKER) == Owners(AREAS, "Fenix")

    assert await command(core, "uptime") == UptimeReport(
        (CheckLine("ERP webb", "unknown", (None, None, None), None, None),), "U0DRIFT"
    )
    await core.uptime.record(ERP, ProbeResult(False, None, "HTTP 503"))
    down = await command(core, "drift")
    assert isinstance(down, UptimeReport)
    [check] = down.checks
    assert (check.status, check.shares, check.error) == ("down", (0.0, 0.0, 0.0), "HTTP 503")
    assert check.down_since is not None and str(check.down_since.tzinfo) == "Europe/Stockholm"

    assert await command(core, "obesvarade") == Text("unresolved_none", language="sv")
    question = await record_unresolved(core, QUESTION, START, asker=ASKER)
    listed = await command(core, "unresolved")
    assert isinstance(listed, Unresolved) and listed.language == "en"
    [line] = listed.questions
    assert line == UnresolvedQuestion(None, None, START, ASKER, "C0SUPPORT", QUESTION)
    assert str(line.at.tzinfo) == "Europe/Stockholm"
    esc = await core.ladder.open(question, "unanswered")  # listed by its ticket, with who has it
    listed = await command(core, "unresolved")
    assert isinstance(listed, Unresolved)
    assert [(q.ticket, q.holder) for q in listed.questions] == [(esc.id, Person(ANNA))]
    await core.ladder.close(esc.id, ANNA)
    assert await command(core, "unresolved") == Text("unresolved_none", language="en")


async def test_learned_phrasings_are_listed_and_removed_by_their_superusers(core: Core) -> None:
    assert await command(core, "learned") == Text("learned_none", language="en")
    entry = next(e for e in core.knowledge.base.entries if e.area == "finance")
    phrasing = "Hur får jag tillbaka pengarna för fikat?"
    assert await core.learning.learn(
        entry, phrasing, source="suggestion", by=ASKER, question_id=None
    )
    listed = await command(core, "inlärda 5")
    assert isinstance(listed, LearnedList) and listed.language == "sv"
    [line] = listed.phrasings
    assert line == LearnedLine(
        line.id, phrasing, entry.question, "Ekonomi", "learned_source_suggestion"
    )
    assert await command(core, "learned", OLA) == Text("learned_none", language="en")
    assert await command(core, f"learned remove {line.id}", OLA) == Text(
        "learned_not_yours", {"area": "Ekonomi"}, "en"
    )
    assert await command(core, "inlärda remove 999") == Text("learned_unknown", {"id": "999"}, "sv")
    assert await command(core, f"inlärda ta-bort {line.id}") == Text(
        "learned_removed", {"id": str(line.id), "text": Quote(phrasing)}, "sv"
    )
    assert await command(core, "inlärda") == Text("learned_none", language="sv")


async def test_help_and_questions(core: Core) -> None:
    assert await command(core, "") == Text("usage", language="sv")
    assert await command(core, "hjälp") == Text("usage", language="sv")
    assert await command(core, "HELP me") == Text("usage", language="en")
    for text in ("ask hur gör jag en cykelinventering?", "hur gör jag en cykelinventering?"):
        asked = await command(core, text, ASKER)
        assert isinstance(asked, Asked) and asked.question == "hur gör jag en cykelinventering?"
        assert asked.reply.answered and asked.reply.area is not None
        assert asked.reply.area.key == "warehouse"
        assert asked.reply.question is not None
        stored = await core.desk.get(asked.reply.question.id)
        assert stored is not None and (stored.source, stored.asker) == ("test_command", ASKER)
