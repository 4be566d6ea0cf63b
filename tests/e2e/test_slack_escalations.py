"""The escalation ladder through Slack, end to end: bot, superuser, deputy, vendor, asker."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from aiosmtpd.controller import Controller

from bot.ops.scheduler import build_scheduler
from bot.settings import Area, Escalation, Smtp, Vendor
from bot.support.escalations import Refused
from tests.conftest import KNOWLEDGE, Clock, make_settings
from tests.e2e import slack_requests as sr
from tests.e2e.fake_slack import Call, FakeSlackAPI
from tests.e2e.harness import BotServer, start_bot
from tests.e2e.test_run_process import free_port
from tests.e2e.test_slack_questions import settle, texts_of

ANNA, PER, OLA, ASKER = "U0ANNA", "U0PER", "U0OLA", "U0ASKER"
QUESTION = "Hur periodiserar jag en förutbetald hyra över tolv månader?"


@pytest_asyncio.fixture
async def ladder_bot(
    database_url: str, slack: FakeSlackAPI, tmp_path: Path
) -> AsyncIterator[tuple[BotServer, Clock]]:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    settings = make_settings(
        database_url,
        knowledge_dir=knowledge,
        areas=(
            Area("finance", "Ekonomi", superusers=(ANNA, PER)),
            Area("warehouse", "Lager", superusers=(OLA,)),
            Area("purchasing", "Inköp"),
        ),
        escalation=Escalation(triage_channel="C0TRIAGE"),
        vendor=Vendor("Fenix", slack_channel="C0FENIX"),
    )
    clock = Clock()
    bot = await start_bot(settings, slack, clock=clock)
    yield bot, clock
    await bot.close()


async def delivered(bot: BotServer, count: int) -> list[Call]:
    """Wait for the outbox (kicked in the background, or delivered here: a step taken by
    calling the core directly) to have posted `count` messages."""
    await settle(bot)
    await bot.core.deliver()
    return await bot.slack.wait_for("chat.postMessage", count=count)


def updates_of(bot: BotServer, post: Call) -> list[Call]:
    """The chat.update calls that updated `post` in place, in order."""
    where = (post.response["channel"], post.response["ts"])
    return [
        c for c in bot.slack.calls_to("chat.update") if (c.args["channel"], c.args["ts"]) == where
    ]


def posts_to(calls: list[Call], channel: str) -> list[str]:
    return [texts_of(c.args["blocks"]) for c in calls if c.args["channel"] == channel]


def button(call: Call, action_id: str) -> dict:
    return next(
        e for b in call.args["blocks"] if b["type"] == "actions" for e in b["elements"]
        if e["action_id"] == action_id
    )  # fmt: skip


def press(bot: BotServer, call: Call, action_id: str, user: str) -> sr.Signed:
    element = button(call, action_id)
    message = {"ts": call.response["ts"], "blocks": call.args["blocks"], "text": call.args["text"]}
    if call.args.get("thread_ts"):
        message["thread_ts"] = call.args["thread_ts"]
    return sr.block_actions(
        action_id,
        element["value"],
        user_id=user,
        channel_id=call.args["channel"],
        message=message,
        block_id=f"escalation-{element['value']}",
        response_url=bot.slack.response_url(f"{action_id}-{user}"),
    )


async def test_from_the_bot_to_superuser_to_asker_and_into_the_faq(ladder_bot) -> None:
    bot, clock = ladder_bot
    event = sr.message_event(QUESTION)
    await bot.send(sr.event_callback(event))
    posts = await delivered(bot, 4)  # the bot's reply, DM to Anna, triage, the asker's update
    [dm] = [c for c in posts if c.args["channel"] == ANNA]
    assert "Ny fråga till dig: #1" in texts_of(dm.args["blocks"])
    assert QUESTION in texts_of(dm.args["blocks"])
    [update] = [
        c for c in posts if c.args["channel"] == "C0SUPPORT" and "ärende #1" in c.args["text"]
    ]
    assert update.args["thread_ts"] == event["ts"]
    assert "till <@U0ANNA> (Ekonomi)" in update.args["text"]
    assert posts_to(posts, "C0TRIAGE")

    # Ola (warehouse) may not claim a finance question; Anna may
    url = bot.slack.response_url("ola")
    await bot.send(
        sr.block_actions("esc_claim", "1", user_id=OLA, channel_id=ANNA, response_url=url)
    )
    [refusal] = await bot.slack.wait_for("response_url")
    assert "Bara superanvändarna för Ekonomi" in refusal.args["text"]
    await bot.send(press(bot, dm, "esc_claim", ANNA))
    posts = await delivered(bot, 6)
    assert any("<@U0ANNA> har tagit ärende #1" in c.args["text"] for c in posts)

    # Answer through the modal
    await bot.send(press(bot, dm, "esc_answer", ANNA))
    [opened] = await bot.slack.wait_for("views.open")
    assert opened.args["view"]["callback_id"] == "esc_answer_modal"
    answer = (
        "Bokför hyran på 1710 Förutbetalda hyror och lägg upp en periodiseringsmall på 12 månader."
    )
    submit = sr.view_submission(
        "esc_answer_modal", {"input": {"input": answer}}, user_id=ANNA, private_metadata="1"
    )
    response = await bot.send(submit)
    assert response.status == 200
    posts = await delivered(bot, 8)
    [answered] = [c for c in posts if "Svar på ärende #1" in c.args["text"]]
    assert answered.args["thread_ts"] == event["ts"] and "periodiseringsmall" in texts_of(
        answered.args["blocks"]
    )

    # The asker confirms; the answer goes into the FAQ and the bot answers it from now on
    await bot.send(press(bot, answered, "esc_solved", ASKER))
    await settle(bot)  # the outbox updates the answer: its buttons give way to the verdict
    closed = updates_of(bot, answered)[-1]
    assert "Tack! Ärende #1 är stängt." in texts_of(closed.args["blocks"])
    assert "actions" not in [b["type"] for b in closed.args["blocks"]]
    url = bot.slack.response_url("faq")
    before = len(bot.slack.calls_to("response_url"))
    await bot.send(sr.slash_command("/support", "faq 1", user_id=PER, response_url=url))
    replies = await bot.slack.wait_for("response_url", count=before + 1)
    assert "tillagt i FAQ:n" in replies[before].args["text"]
    written = (bot.core.settings.knowledge_dir / "faq/finance/fran-support.md").read_text()
    assert f"## {QUESTION}" in written and "periodiseringsmall" in written
    again = bot.core.knowledge.match(QUESTION)
    assert again.answered and again.entry is not None and again.entry.question == QUESTION

    url = bot.slack.response_url("status")
    before = len(bot.slack.calls_to("response_url"))
    await bot.send(sr.slash_command("/support", "status 1", user_id=ANNA, response_url=url))
    history = (await bot.slack.wait_for("response_url", count=before + 1))[before].args["text"]
    for action in ("öppnat", "taget", "besvarat", "löst enligt frågeställaren", "tillagt i FAQ:n"):
        assert action in history
    assert clock.now  # time did not need to move in this story


async def test_nobody_claims_deputy_then_vendor_who_answers_in_their_thread(ladder_bot) -> None:
    bot, clock = ladder_bot
    event = sr.message_event(QUESTION)
    await bot.send(sr.event_callback(event))
    await delivered(bot, 4)
    clock.now += timedelta(hours=2)
    assert await bot.core.ladder.sweep() == 1
    posts = await delivered(bot, 7)
    assert any(
        c.args["channel"] == PER and "Ny fråga till dig: #1" in texts_of(c.args["blocks"])
        for c in posts
    )
    clock.now += timedelta(hours=2)
    assert await bot.core.ladder.sweep() == 1
    posts = await delivered(bot, 10)
    [request] = [c for c in posts if c.args["channel"] == "C0FENIX"]
    shown = texts_of(request.args["blocks"])
    assert "Supportärende #1" in shown and QUESTION in shown and "Svara i tråden" in shown
    assert "Öppna tråden" not in shown and "<#C0SUPPORT>" not in shown
    assert any(
        "skickats till Fenix" in c.args["text"] for c in posts if c.args["channel"] == "C0SUPPORT"
    )

    ours = sr.message_event(
        "Har ni hunnit titta?", user=PER, channel="C0FENIX", thread_ts=request.response["ts"]
    )
    await bot.send(sr.event_callback(ours))  # our own superuser in the thread: not the answer
    reply = sr.message_event(
        "Använd en *periodiseringsmall*, se <https://fenix.example/kb/17|KB 17>.",
        user="U0FENIX1",
        channel="C0FENIX",
        thread_ts=request.response["ts"],
    )
    await bot.send(sr.event_callback(reply))
    await bot.slack.wait_for("reactions.add")
    posts = await delivered(bot, 12)  # the answer to the asker, and a line in triage
    [answer] = [c for c in posts if "Svar på ärende #1" in c.args["text"]]
    assert answer.args["thread_ts"] == event["ts"]
    shown = texts_of(answer.args["blocks"])
    assert "Använd en *periodiseringsmall*, se <https://fenix.example/kb/17|KB 17>." in shown
    assert "Har ni hunnit titta" not in shown
    [reaction] = bot.slack.calls_to("reactions.add")
    assert reaction.args["timestamp"] == reply["ts"]
    assert "Svar på ärende #1 från <@U0FENIX1>" in answer.args["text"]


async def test_support_commands_and_refusals(ladder_bot) -> None:
    bot, _ = ladder_bot
    await bot.send(sr.event_callback(sr.message_event(QUESTION)))
    await delivered(bot, 4)

    async def support(text: str, user: str = ANNA) -> str:
        url = bot.slack.response_url(f"{user}-{text}")
        before = len(bot.slack.calls_to("response_url"))
        await bot.send(sr.slash_command("/support", text, user_id=user, response_url=url))
        return (await bot.slack.wait_for("response_url", count=before + 1))[before].args["text"]

    assert "*Dina ärenden* (1)" in await support("queue")
    assert "#1" in await support("queue finance")
    assert "Okänt område" in await support("queue hr")
    assert "Så här: `/support claim N`" in await support("claim")
    assert "Så här: `/support answer N svaret`" in await support("answer 1")
    assert "Det finns inget ärende #99" in await support("claim 99")
    assert "Bara superanvändarna för Ekonomi" in await support("claim 1", user=OLA)
    assert await support("claim #1") == "Du har tagit #1."
    assert "<@U0ANNA> har redan tagit ärendet." in await support("claim 1", user=PER)
    assert await support("reassign 1 warehouse") == "#1 ligger nu hos Lager."
    owners = await support("owners")
    assert "Ekonomi: <@U0ANNA>, <@U0PER>" in owners and "Därefter: Fenix" in owners
    assert await support("escalate 1 behöver leverantören", user=OLA) == "#1 är skickat till Fenix."
    assert await support("close 1 löst per telefon", user=OLA) == "#1 är stängt."


async def test_home_tab_and_the_answer_shortcut_in_a_thread(ladder_bot) -> None:
    bot, _ = ladder_bot
    event = sr.message_event(QUESTION)
    await bot.send(sr.event_callback(event))
    await delivered(bot, 4)
    other = sr.message_event(f"Min kollega undrar också: {QUESTION}", user="U0OTHER")
    await bot.send(sr.event_callback(other))
    await delivered(bot, 8)

    for user, expected in (
        (ANNA, "Öppna ärenden inom Ekonomi* (2)"),
        (ASKER, "väntar på svar* (1)"),
    ):
        home = {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}
        await bot.send(sr.event_callback(home))
        published = (await bot.slack.wait_for("views.publish", count=1 + (user == ASKER)))[-1]
        assert published.args["user_id"] == user
        shown = texts_of(published.args["view"]["blocks"])
        assert expected in shown and "*#1*" in shown
        assert ("Min kollega undrar" in shown) is (user == ANNA), shown

    in_thread = {"ts": sr.new_ts(), "thread_ts": event["ts"], "text": "tack", "user": ASKER}
    url = bot.slack.response_url("shortcut")
    await bot.send(
        sr.message_shortcut("esc_thread_answer", in_thread, user_id=OLA, response_url=url)
    )
    [refusal] = await bot.slack.wait_for("response_url")
    assert "Bara superanvändarna för Ekonomi" in refusal.args["text"]
    await bot.send(sr.message_shortcut("esc_thread_answer", in_thread, user_id=PER))
    [opened] = await bot.slack.wait_for("views.open")
    assert opened.args["view"]["private_metadata"] == "1"


async def test_vendor_gets_email_and_webhook_from_real_servers(
    database_url: str, slack: FakeSlackAPI, tmp_path: Path
) -> None:
    received_mail: list[Any] = []
    hooks: list[dict] = []

    class Mailbox:
        async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
            received_mail.append(envelope)
            return "250 OK"

    async def hook(request: web.Request) -> web.Response:
        hooks.append(await request.json())
        return web.Response(status=204)

    smtp_port, hook_port = free_port(), free_port()
    mail = Controller(Mailbox(), hostname="127.0.0.1", port=smtp_port)
    mail.start()
    receiver = web.Application()
    receiver.router.add_post("/tickets", hook)
    runner = web.AppRunner(receiver)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", hook_port).start()
    settings = make_settings(
        database_url,
        areas=(
            Area("finance", "Ekonomi", superusers=(ANNA,)),
            Area("warehouse", "Lager"),
            Area("purchasing", "Inköp"),
        ),
        vendor=Vendor(
            "Fenix",
            email="support@fenix.example",
            webhook_url=f"http://127.0.0.1:{hook_port}/tickets",
        ),
        smtp=Smtp(host="127.0.0.1", port=smtp_port, starttls=False),
    )
    bot = await start_bot(settings, slack, clock=Clock())
    slack.set_user(ASKER, real_name="Kalle Anka")
    try:
        await bot.send(sr.event_callback(sr.message_event(QUESTION)))
        await delivered(bot, 3)
        url = bot.slack.response_url("escalate")
        await bot.send(
            sr.slash_command(
                "/support", "escalate 1 gäller periodiseringar", user_id=ANNA, response_url=url
            )
        )
        await bot.slack.wait_for("response_url")
        await delivered(bot, 4)
        for _ in range(50):
            if received_mail and hooks:
                break
            await bot.core.outbox.deliver_due()
            await asyncio.sleep(0.05)
    finally:
        await bot.close()
        mail.stop()
        await runner.cleanup()
    [envelope] = received_mail
    body = message_from_bytes(envelope.content).get_payload(decode=True).decode()
    assert envelope.rcpt_tos == ["support@fenix.example"]
    assert QUESTION in body and "#1" in body
    assert body.count("gäller periodiseringar") == 1, body  # the note, once
    assert re.search(r"Frågat av: Kalle Anka \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00\)", body)
    [ticket] = hooks
    assert ticket["ticket"] == "#1" and ticket["question"] == QUESTION
    assert ticket["superuser_note"] == "gäller periodiseringar" and ticket["area"] == "Ekonomi"
    assert (ticket["asked_by"], ticket["asked_by_id"], ticket["asked_via"]) == (
        "Kalle Anka",
        ASKER,
        "slack",
    )


async def test_modals_release_not_solved_and_vendor_reply(ladder_bot) -> None:
    bot, _ = ladder_bot
    event = sr.message_event(QUESTION)
    await bot.send(sr.event_callback(event))
    posts = await delivered(bot, 4)
    [dm] = [c for c in posts if c.args["channel"] == ANNA]

    # Fel område: a form with the areas; the warehouse superuser gets it
    await bot.send(press(bot, dm, "esc_reassign", ANNA))
    [form] = await bot.slack.wait_for("views.open")
    options = form.args["view"]["blocks"][0]["element"]["options"]
    assert [o["value"] for o in options] == ["finance", "warehouse", "purchasing"]
    choice = {"type": "static_select", "selected_option": options[1]}
    await bot.send(
        sr.view_submission(
            "esc_reassign_modal", {"input": {"input": choice}}, user_id=ANNA, private_metadata="1"
        )
    )
    posts = await delivered(bot, 7)
    [ola_dm] = [c for c in posts if c.args["channel"] == OLA]
    assert "Ny fråga till dig: #1* (Lager)" in texts_of(ola_dm.args["blocks"])

    async def support(text: str, user: str) -> str:
        url = bot.slack.response_url(f"{user}-{text}")
        before = len(bot.slack.calls_to("response_url"))
        await bot.send(sr.slash_command("/support", text, user_id=user, response_url=url))
        return (await bot.slack.wait_for("response_url", count=before + 1))[before].args["text"]

    assert await support("claim 1", OLA) == "Du har tagit #1."
    assert await support("release 1", OLA) == "#1 är tillbaka i kön."
    assert "Leverantörens svar" not in await support("vendor-reply 1 x", OLA)  # not with vendor

    # Till leverantören: a form with a note
    await bot.send(press(bot, ola_dm, "esc_escalate", OLA))
    forms = await bot.slack.wait_for("views.open", count=2)
    assert forms[1].args["view"]["callback_id"] == "esc_escalate_modal"
    await bot.send(
        sr.view_submission(
            "esc_escalate_modal",
            {"input": {"input": "periodiseringar"}},
            user_id=OLA,
            private_metadata="1",
        )
    )
    posts = await delivered(bot, 15)  # claim, release and escalate have all been told
    [request] = [c for c in posts if c.args["channel"] == "C0FENIX"]
    assert "Anteckning: periodiseringar" in texts_of(request.args["blocks"])

    # The vendor's answer via the command, and the asker says it did not solve it
    assert "Leverantörens svar på #1" in await support("vendor-reply 1 Uppgradera till 27.1.", OLA)
    posts = await delivered(bot, 17)
    [answer] = [c for c in posts if "Svar på ärende #1" in c.args["text"]]
    await bot.send(press(bot, answer, "esc_not_solved", ASKER))
    posts = await delivered(bot, 20)  # to the superuser, to triage, and to the asker
    assert any("ärende #1 är öppet igen" in c.args["text"].lower() for c in posts)
    status = await bot.core.ladder.status(1)
    assert status.escalation.state == "open" and status.escalation.assignee == OLA


async def test_restart_across_a_deadline_moves_it_once(
    database_url: str, slack: FakeSlackAPI, tmp_path: Path
) -> None:
    """Stop the bot with an unclaimed escalation, start it again after the deadline: the
    scheduler's sweep gives it to the deputy exactly once, and nothing is sent twice."""
    settings = make_settings(
        database_url,
        areas=(
            Area("finance", "Ekonomi", superusers=(ANNA, PER)),
            Area("warehouse", "Lager"),
            Area("purchasing", "Inköp"),
        ),
    )
    clock = Clock()
    first = await start_bot(settings, slack, clock=clock)
    await first.send(sr.event_callback(sr.message_event(QUESTION)))
    await delivered(first, 3)
    await first.close()

    clock.now += timedelta(hours=3)
    second = await start_bot(settings, slack, clock=clock)
    try:
        jobs = {job.id: job for job in build_scheduler(second.core).get_jobs()}
        for _ in range(2):  # the job fires again: nothing more happens
            await jobs["escalation-sweep"].func()
            await jobs["outbox-deliver"].func()
        posts = await delivered(second, 5)
        assert [c.args["channel"] for c in posts].count(PER) == 1
        assert [c.args["channel"] for c in posts].count(ANNA) == 1
        history = [e.action for e in (await second.core.ladder.status(1)).history]
        assert history == ["opened", "not_claimed_in_time"]
        assert len(slack.calls_to("chat.postMessage")) == 5
    finally:
        await second.close()


SUGGESTED = (
    "Hej! Jag köpte fika till ett kundmöte med mitt eget kort, hur får jag tillbaka pengarna?"
)
EXPENSES = "Hur redovisar jag ett utlägg som jag betalat privat?"


def read_suggestion(bot: BotServer, reply: Call, user: str, key: str) -> sr.Signed:
    element = button(reply, "suggestion_0")
    return sr.block_actions(
        "suggestion_0",
        element["value"],
        user_id=user,
        message={"ts": reply.response["ts"], "blocks": reply.args["blocks"]},
        thread_ts=reply.args["thread_ts"],
        block_id="suggestions",
        response_url=bot.slack.response_url(key),
    )


async def test_a_suggested_faq_answer_that_solves_the_question_closes_its_ticket(
    ladder_bot,
) -> None:
    bot, _ = ladder_bot
    await bot.send(sr.event_callback(sr.message_event(SUGGESTED)))
    posts = await delivered(bot, 4)  # the bot's reply, DM to Anna, triage, the asker's update
    [reply] = [c for c in posts if "suggestion_0" in str(c.args["blocks"])]
    assert "*Liknande frågor i FAQ:n:*" in texts_of(reply.args["blocks"])
    assert button(reply, "suggestion_0")["text"]["text"] == EXPENSES
    assert "ärende #1 till <@U0ANNA>" in " ".join(c.args["text"] for c in posts)

    # a colleague reads the suggestion: the answer, only to them, and nothing to press
    await bot.send(read_suggestion(bot, reply, OLA, "ola"))
    [shown] = await bot.slack.wait_for("response_url")
    assert shown.args["response_type"] == "ephemeral" and shown.args["replace_original"] is False
    assert EXPENSES in texts_of(shown.args["blocks"])
    assert "utläggsappen" in texts_of(shown.args["blocks"])
    assert not [b for b in shown.args["blocks"] if b["type"] == "actions"]

    # the asker reads it too, and gets a button to say it solved the question
    await bot.send(read_suggestion(bot, reply, ASKER, "asker"))
    shown = (await bot.slack.wait_for("response_url", count=2))[-1]
    [solved] = [e for b in shown.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert solved["action_id"] == "suggestion_solved" and solved["text"]["text"] == (
        "Det löste min fråga"
    )

    # somebody else can't press it for the asker
    press_solved = {"value": solved["value"], "block_id": "suggestions", "ephemeral": True}
    await bot.send(
        sr.block_actions(
            "suggestion_solved", **press_solved, user_id=OLA, response_url=bot.slack.response_url()
        )
    )
    refused = (await bot.slack.wait_for("response_url", count=3))[-1]
    assert "Bara <@U0ASKER> som ställde frågan" in refused.args["text"]
    assert (await bot.core.ladder.status(1)).escalation.state == "open"

    await bot.send(
        sr.block_actions(
            "suggestion_solved",
            **press_solved,
            user_id=ASKER,
            response_url=bot.slack.response_url("done"),
        )
    )
    done = (await bot.slack.wait_for("response_url", count=4))[-1]
    assert done.args["replace_original"] is True
    assert done.args["text"] == (
        "Skönt att det löste sig! Frågan är markerad som löst. Ärende #1 är stängt."
    )
    assert EXPENSES in texts_of(done.args["blocks"])  # the answer stays on screen
    status = await bot.core.ladder.status(1)
    assert status.escalation.state == "closed"
    assert (status.question.status, status.question.feedback) == ("solved", "suggestion")
    assert status.question.solved_by_entry == EXPENSES
    last = status.history[-1]
    assert (last.action, last.actor, last.detail) == ("solved_by_suggestion", ASKER, EXPENSES)
    posts = await delivered(bot, 6)  # the thread and the triage channel hear why it closed
    assert any(
        c.args["text"] == "Ärende #1 är stängt: ett svar ur FAQ:n löste frågan." for c in posts
    )
    [card] = [c for c in posts[:4] if c.args["channel"] == "C0TRIAGE"]
    [line] = [c for c in posts[4:] if c.args["channel"] == "C0TRIAGE"]
    assert line.args["thread_ts"] == card.response["ts"]  # a line under the triage post
    assert f"löst med ett FAQ-svar enligt frågeställaren av <@U0ASKER>: {EXPENSES}" in texts_of(
        line.args["blocks"]
    )
    await settle(bot)
    triage = updates_of(bot, card)[-1]  # the triage post now: closed, and what it taught
    assert "(Ekonomi) · stängt" in texts_of(triage.args["blocks"])

    # Anna adds the question to the entry's phrasings; the bot answers it from now on
    before = len(bot.slack.calls_to("response_url"))
    await bot.send(press(bot, triage, "esc_faq", ANNA))
    added = (await bot.slack.wait_for("response_url", count=before + 1))[-1]
    assert added.args["text"].startswith("#1 är tillagt i FAQ:n (knowledge/faq/finance/")
    faq = bot.core.settings.knowledge_dir / "faq" / "finance"
    assert any(f"Also asked: {SUGGESTED}" in f.read_text() for f in faq.glob("*.md"))
    assert (await bot.core.ladder.status(1)).escalation.faq_location
    await bot.send(sr.event_callback(sr.message_event(SUGGESTED, user=OLA)))
    answered = (await bot.slack.wait_for("chat.postMessage", count=7))[-1]
    assert answered.args["blocks"][0]["text"]["text"] == f"*{EXPENSES}*"
    assert "feedback_solved" in str(answered.args["blocks"])

    # the asker reading it again gets no button; a second press changes nothing
    await bot.send(read_suggestion(bot, reply, ASKER, "again"))
    shown = (await bot.slack.wait_for("response_url", count=before + 2))[-1]
    assert EXPENSES in texts_of(shown.args["blocks"])
    assert not [b for b in shown.args["blocks"] if b["type"] == "actions"]
    await bot.send(
        sr.block_actions(
            "suggestion_solved",
            **press_solved,
            user_id=ASKER,
            response_url=bot.slack.response_url(),
        )
    )
    again = (await bot.slack.wait_for("response_url", count=before + 3))[-1]
    assert again.args["text"] == "Den här frågan är redan markerad (löst)."


async def test_a_suggestion_closes_an_answered_ticket_but_not_a_confirmed_one(ladder_bot) -> None:
    bot, _ = ladder_bot
    ladder = bot.core.ladder
    for n in (1, 2):
        await bot.send(sr.event_callback(sr.message_event(SUGGESTED, user=ASKER)))
        await delivered(bot, 4 * n)
        await ladder.claim(n, ANNA)
        await ladder.answer(n, ANNA, "Lägg in det i utläggsappen.")
    await ladder.confirm(2, ASKER, solved=True)  # #2 was solved by Anna's answer

    verdict, closed = await ladder.solved_by_suggestion(1, ASKER, EXPENSES)
    assert verdict.result == "solved" and closed is not None and closed.state == "closed"
    verdict, closed = await ladder.solved_by_suggestion(2, ASKER, EXPENSES)
    assert verdict.result == "already" and closed is None
    status = await ladder.status(2)
    assert status.escalation.state == "closed" and status.question.solved_by_entry is None


async def test_who_may_add_a_solved_question_to_its_entry(ladder_bot) -> None:
    bot, _ = ladder_bot
    for n in (1, 2):
        await bot.send(sr.event_callback(sr.message_event(SUGGESTED)))
        await delivered(bot, 4 * n)  # two finance tickets, Anna's
    warehouse = next(e for e in bot.core.knowledge.base.entries if e.area == "warehouse")
    await bot.core.ladder.solved_by_suggestion(1, ASKER, EXPENSES)
    await bot.core.ladder.solved_by_suggestion(2, ASKER, warehouse.question)

    with pytest.raises(Refused) as refused:  # a warehouse superuser, a finance entry
        await bot.core.add_to_faq(1, OLA)
    assert refused.value.code == "not_allowed"
    assert (await bot.core.add_to_faq(1, ANNA)).startswith("knowledge/faq/finance/")
    with pytest.raises(Refused) as refused:
        await bot.core.add_to_faq(1, ANNA)
    assert refused.value.code == "already_in_faq"
    # a finance ticket solved by a warehouse entry: the entry's superuser may add to it too
    assert (await bot.core.add_to_faq(2, OLA)).startswith("knowledge/faq/warehouse/")
    assert SUGGESTED in bot.core.knowledge.entry(warehouse.question).also_asked


async def test_crafted_ticket_numbers_get_a_clear_reply_and_change_nothing(ladder_bot) -> None:
    """A button or form whose ticket number is not one (a crafted request) is answered with a
    sentence, acknowledged in time, and touches no ticket."""
    bot, _ = ladder_bot
    refused = "Den här knappen eller formuläret pekar inte på något ärende."
    for n, value in enumerate(("abc", "", "#", "99999999999999999999")):
        url = bot.slack.response_url(f"claim-{n}")
        pressed = sr.block_actions("esc_claim", value, user_id=ANNA, response_url=url)
        assert (await bot.send(pressed)).status == 200
        reply = (await bot.slack.wait_for("response_url", count=n + 1))[-1]
        assert reply.args["text"] == refused
    for metadata in ("abc", ""):
        submit = sr.view_submission(
            "esc_answer_modal",
            {"input": {"input": "svar"}},
            user_id=ANNA,
            private_metadata=metadata,
        )
        response = await bot.send(submit)
        assert response.status == 200
        assert await response.json() == {
            "response_action": "errors",
            "errors": {"input": refused},
        }
    assert await bot.core.ladder.queue() == []


async def support(bot: BotServer, text: str, user: str = ANNA) -> str:
    """What `/support <text>` answers `user` (only to them)."""
    url = bot.slack.response_url(f"{user}-{text}")
    before = len(bot.slack.calls_to("response_url"))
    await bot.send(sr.slash_command("/support", text, user_id=user, response_url=url))
    return (await bot.slack.wait_for("response_url", count=before + 1))[before].args["text"]


ANSWERED = "Hur krediterar jag en faktura som kunden fått fel pris på?"
PALLETS = "Varför syns inte mina pallplatser i lagerkartan efter flytten?"
ORDERS = "Kan jag koppla en inköpsorder till två olika projekt samtidigt?"
MOVE = "Hur bokar jag om en följesedel till ett annat lager?"


async def test_unresolved_lists_what_is_still_open_by_ticket_number(ladder_bot) -> None:
    """`/support obesvarade` numbers a question by its ticket, as every other command does, and
    lists only what nobody has answered or closed; a question asked privately has no ticket
    and no number."""
    bot, _ = ladder_bot
    for text in (ANSWERED, QUESTION, PALLETS, ORDERS, MOVE):
        await bot.send(sr.event_callback(sr.message_event(text)))
        await settle(bot)
    tickets = {(await bot.core.ladder.status(n)).question.text: n for n in range(1, 5)}
    assert tickets == {QUESTION: 1, PALLETS: 2, ORDERS: 3, MOVE: 4}  # questions 2-5
    assert await support(bot, "close 2 löst på telefon", OLA) == "#2 är stängt."
    assert "#4" in await support(bot, "answer 4 Ändra lagret på följesedeln innan du bokar.", OLA)
    await support(bot, f"Min kollega undrar: {QUESTION}", PER)  # privately: no ticket

    listing = await support(bot, "obesvarade")
    lines = listing.splitlines()
    assert lines[0] == "*Obesvarade frågor* (de senaste 3)", listing
    assert PALLETS not in listing and MOVE not in listing  # closed, and answered
    assert re.findall(r"#\d+", listing) == ["#3", "#1"], listing
    [private, orders, question] = lines[1:]
    assert "Min kollega undrar" in private and "inget ärende" in private
    assert orders.startswith("• #3 ") and ORDERS in orders and "i supportkön" in orders
    assert question.startswith("• #1 ") and QUESTION in question and "hos <@U0ANNA>" in question

    english = await support(bot, "unresolved", PER)
    assert english.splitlines()[0] == "*Unanswered questions* (the latest 3)"
    assert re.findall(r"#\d+", english) == ["#3", "#1"]
    assert "no ticket" in english and "in the support queue" in english
    assert "with <@U0ANNA>" in english


async def test_the_vendor_reads_the_superusers_note_once(ladder_bot) -> None:
    bot, _ = ladder_bot
    await bot.send(sr.event_callback(sr.message_event(QUESTION)))
    await delivered(bot, 4)
    assert await support(bot, "escalate 1 vet inte, gäller periodiseringar") == (
        "#1 är skickat till Fenix."
    )
    posts = await delivered(bot, 7)
    [request] = posts_to(posts, "C0FENIX")
    assert request.count("vet inte, gäller periodiseringar") == 1, request
    assert "Anteckning: vet inte, gäller periodiseringar" in request


RAW_WORDS = re.compile(
    r"\b(unanswered|not_helpful|asked_anyway|solved_by_suggestion|to_vendor|not_solved|"
    r"not_answered_in_time|not_claimed_in_time|vendor_replied|added_to_faq|answered|claimed|"
    r"opened|closed|confirmed|reassigned|reminded|finance|warehouse|purchasing)\b"
)


async def test_superusers_read_names_and_words_not_keys_or_ids(ladder_bot) -> None:
    """What the triage channel and `/support` show: areas by name, people as mentions, the
    ladder's steps and reasons in words."""
    bot, clock = ladder_bot
    await bot.send(sr.event_callback(sr.message_event(QUESTION)))
    await delivered(bot, 4)
    assert await support(bot, "reassign 1 warehouse") == "#1 ligger nu hos Lager."
    assert await support(bot, "claim 1", OLA) == "Du har tagit #1."
    for _ in range(2):  # not answered in time: Ola is reminded, then it goes to the vendor
        clock.now += timedelta(days=2)
        assert await bot.core.ladder.sweep() == 1
    history = await support(bot, "status 1", OLA)
    assert history.splitlines()[0] == "*#1* hos leverantören · Lager", history
    assert "öppnat av boten: boten hade inget svar" in history
    assert "flyttat till annat område av <@U0ANNA>: Lager" in history
    assert "påminnelse skickad av boten: <@U0OLA>" in history
    assert "skickat till leverantören av boten: inte besvarat i tid" in history
    assert not RAW_WORDS.search(history), history
    await settle(bot)
    await bot.core.outbox.deliver_due()
    triage = [c.args["text"] for c in bot.slack.calls if c.args.get("channel") == "C0TRIAGE"]
    assert len(triage) >= 4 and all(text.startswith("#1 ") for text in triage), triage
    assert not any(RAW_WORDS.search(text) for text in triage), triage

    assert (
        await support(bot, "queue hr")
    ) == "Okänt område hr. Områden: finance (Ekonomi), warehouse (Lager), purchasing (Inköp)."


async def test_only_the_asker_may_say_an_answer_solved_it_and_is_named(ladder_bot) -> None:
    bot, _ = ladder_bot
    await bot.send(sr.event_callback(sr.message_event(QUESTION)))
    await delivered(bot, 4)
    await support(bot, "answer 1 Bokför hyran på 1710 och periodisera den.")
    posts = await delivered(bot, 6)
    [answer] = [c for c in posts if "Svar på ärende #1" in c.args["text"]]
    await bot.send(press(bot, answer, "esc_solved", OLA))
    refused = (await bot.slack.wait_for("response_url", count=2))[-1]
    assert refused.args["text"] == "Bara <@U0ASKER>, som frågade, kan svara på det."


async def test_a_faq_entry_that_cant_be_written_is_explained_in_swedish(ladder_bot) -> None:
    bot, _ = ladder_bot
    for n, asker in enumerate((ASKER, "U0OTHER"), start=1):
        await bot.send(sr.event_callback(sr.message_event(QUESTION, user=asker)))
        await delivered(bot, 4 * n)
        await support(bot, f"answer {n} Bokför hyran på 1710 och periodisera den.")
    assert (await support(bot, "faq 1")).startswith("#1 är tillagt i FAQ:n")
    refused = await support(bot, "faq 2")
    assert refused == (
        f"FAQ:n har redan frågan «{QUESTION}». Lägg till svaret i den posten i FAQ-filen om det "
        "behövs."
    )


async def test_a_decline_says_who_has_the_question_and_not_to_ask_where_the_asker_is(
    ladder_bot,
) -> None:
    bot, _ = ladder_bot
    await bot.send(sr.event_callback(sr.message_event(QUESTION)))
    [reply] = await bot.slack.wait_for("chat.postMessage")
    shown = texts_of(reply.args["blocks"])
    assert "Frågan är sparad som obesvarad inom Ekonomi" in shown
    assert "Behöver du hjälp nu? <@U0ANNA> har frågan: skriv till hen direkt." in shown
    assert "<#C0SUPPORT>" not in shown  # the channel the asker is in
    await delivered(bot, 4)

    # asked in a DM: the superuser who has it, and the support channel
    english = "Why don't my pallet locations show on the warehouse map after the move?"
    direct = sr.message_event(english, channel="D0ASKER", channel_type="im")
    await bot.send(sr.event_callback(direct))
    posts = await delivered(bot, 8)
    [reply] = [c for c in posts if c.args["channel"] == "D0ASKER" and "blocks" in c.args][:1]
    assert (
        "Need help now? <@U0OLA> has your question: write to them directly, or ask in <#C0SUPPORT>."
    ) in texts_of(reply.args["blocks"])

    # asked privately, where nobody follows up: whom to ask
    url = bot.slack.response_url("private")
    await bot.send(sr.slash_command("/support", QUESTION, user_id=PER, response_url=url))
    [private] = await bot.slack.wait_for("response_url")
    shown = texts_of(private.args["blocks"])
    assert "Behöver du hjälp nu? Kontakta <@U0ANNA>." in shown and "<#C0SUPPORT>" not in shown
