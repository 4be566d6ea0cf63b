"""Not every message is a question, end to end: small talk gets a short reply, a vague question
a choice of FAQ entries, an off-topic one a polite decline; only the asker's "ask a superuser
anyway" sends those two up the escalation ladder."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from sqlalchemy import select

from bot.settings import Area, Escalation
from bot.store import models
from bot.texts import t
from tests.conftest import make_settings
from tests.e2e import slack_requests as sr
from tests.e2e.fake_slack import Call, FakeSlackAPI
from tests.e2e.harness import BotServer, start_bot
from tests.e2e.test_slack_escalations import support
from tests.e2e.test_slack_questions import questions, settle, texts_of

ANNA, OLA, ASKER, COLLEAGUE = "U0ANNA", "U0OLA", "U0ASKER", "U0COLLEAGUE"
SUPERUSER_CHANNELS = {ANNA, OLA, "C0TRIAGE"}


@pytest_asyncio.fixture
async def desk_bot(database_url: str, slack: FakeSlackAPI) -> AsyncIterator[BotServer]:
    """The bot with superusers and a triage channel: anything escalated would reach them."""
    settings = make_settings(
        database_url,
        areas=(
            Area("finance", "Ekonomi", superusers=(ANNA,)),
            Area("warehouse", "Lager", superusers=(OLA,)),
            Area("purchasing", "Inköp"),
        ),
        escalation=Escalation(triage_channel="C0TRIAGE"),
    )
    bot = await start_bot(settings, slack)
    yield bot
    await bot.close()


async def posted(bot: BotServer, count: int = 1) -> list[Call]:
    """Every message posted once the listeners are done and the outbox (also delivered in the
    background) is delivered: at least `count` of them."""
    await settle(bot)
    await bot.core.outbox.deliver_due()
    return await bot.slack.wait_for("chat.postMessage", count=count)


async def escalations(bot: BotServer) -> list[models.Escalation]:
    async with bot.core.db.session() as session:
        return list(await session.scalars(select(models.Escalation)))


async def ask(bot: BotServer, text: str, **event: str) -> tuple[dict, Call]:
    message = sr.message_event(text)
    await bot.send(sr.event_callback(message, **event))
    [post] = await bot.slack.wait_for("chat.postMessage")
    await settle(bot)
    return message, post


def buttons(post: Call) -> dict[str, dict]:
    return {
        e["action_id"]: {**e, "block_id": b["block_id"]}
        for b in post.args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    }


def press(bot: BotServer, post: Call, action_id: str, user: str, key: str) -> sr.Signed:
    """Click a button on the message the bot posted, as Slack reports it."""
    button = buttons(post)[action_id]
    message = {
        "ts": post.response["ts"],
        "text": post.args["text"],
        "blocks": post.args["blocks"],
    }
    return sr.block_actions(
        action_id,
        button["value"],
        user_id=user,
        channel_id=post.args["channel"],
        message=message,
        thread_ts=post.args["thread_ts"],
        block_id=button["block_id"],
        response_url=bot.slack.response_url(key),
    )


async def test_thanks_gets_youre_welcome_and_is_never_recorded_or_escalated(
    desk_bot: BotServer,
) -> None:
    bot = desk_bot
    event = sr.message_event("tack!")
    first = sr.event_callback(event, event_id="Ev0THANKS")
    retry = sr.event_callback(event, event_id="Ev0THANKS", retry_num=1, retry_reason="timeout")
    await bot.send(first)
    await bot.send(retry)
    [reply] = await bot.slack.wait_for("chat.postMessage")
    assert (reply.args["channel"], reply.args["thread_ts"]) == ("C0SUPPORT", event["ts"])
    assert reply.args["text"] == "Varsågod! Fråga gärna igen om det är något mer."
    assert [b["type"] for b in reply.args["blocks"]] == ["section"]

    await bot.send(sr.event_callback(sr.message_event("Thanks a lot :pray:")))
    await bot.send(sr.event_callback(sr.dm_event("hjälp")))
    calls = await bot.slack.wait_for("chat.postMessage", count=3)
    english = next(c for c in calls if c.args["text"].startswith("You're welcome!"))
    assert english.args["channel"] == "C0SUPPORT"
    helping = next(c for c in calls if c.args["channel"] == "D0ASKER")
    assert helping.args["text"].startswith("Jag är supportboten för affärssystemet.")
    assert "\n• Hur gör jag en cykelinventering?" in helping.args["text"]

    posts = await posted(bot, 3)
    assert len(posts) == 3  # the three replies, and nothing to a superuser or triage
    assert not [c for c in posts if c.args["channel"] in SUPERUSER_CHANNELS]
    assert await questions(bot) == [] and await escalations(bot) == []


async def test_feedback_on_the_bot_is_thanked_with_how_to_flag_an_answer_and_never_escalated(
    desk_bot: BotServer,
) -> None:
    bot = desk_bot
    await bot.send(sr.event_callback(sr.message_event("du är ju helt grym")))
    await bot.send(sr.event_callback(sr.message_event("riktigt dålig hjälp")))
    await bot.send(sr.event_callback(sr.message_event("nummer 3")))
    calls = await bot.slack.wait_for("chat.postMessage", count=3)
    texts = sorted(c.args["text"] for c in calls)
    assert texts == sorted([t("sv", "small_talk_number"), *[t("sv", "small_talk_feedback")] * 2])
    assert "inte till hjälp" in t("sv", "small_talk_feedback")
    posts = await posted(bot, 3)
    assert not [c for c in posts if c.args["channel"] in SUPERUSER_CHANNELS]
    assert await questions(bot) == [] and await escalations(bot) == []


async def test_lunch_is_declined_and_escalated_only_when_the_asker_asks(
    desk_bot: BotServer,
) -> None:
    bot = desk_bot
    event, reply = await ask(bot, "vad blir det till lunch?")
    shown = texts_of(reply.args["blocks"])
    assert shown.startswith("Det här verkar inte handla om affärssystemet, så det kan jag inte")
    assert "IT-frågor (dator, VPN, lösenord): IT-supporten. Personalfrågor: HR." in shown
    assert [b["text"]["text"] for b in buttons(reply).values()] == ["Fråga en superanvändare ändå"]
    assert len(await posted(bot)) == 1 and await escalations(bot) == []
    [question] = await questions(bot)
    assert (question.status, question.outcome) == ("off_topic", "off_topic")

    # a colleague can't send someone else's question on
    await bot.send(press(bot, reply, "ask_anyway", COLLEAGUE, "colleague"))
    [refusal] = await bot.slack.wait_for("chat.postEphemeral")
    assert refusal.args["user"] == COLLEAGUE
    assert refusal.args["text"] == "Bara <@U0ASKER>, som ställde frågan, kan skicka den vidare."
    assert len(await posted(bot)) == 1 and await escalations(bot) == []
    assert bot.slack.calls_to("chat.update") == []

    # the asker can: the button gives way, and the question goes up the ladder
    await bot.send(press(bot, reply, "ask_anyway", ASKER, "asker"))
    [update] = await bot.slack.wait_for("chat.update")
    assert update.args["ts"] == reply.response["ts"]
    assert "actions" not in [b["type"] for b in update.args["blocks"]]
    assert "<@U0ASKER> bad om en superanvändare." in texts_of(update.args["blocks"])
    [esc] = await escalations(bot)
    posts = await posted(bot, 3)  # the decline, then triage and the thread hear of #1
    # nothing in the FAQ is near lunch, so no area: the support queue and the triage channel
    [triage] = [c for c in posts if c.args["channel"] == "C0TRIAGE"]
    assert "vad blir det till lunch?" in texts_of(triage.args["blocks"])
    [progress] = [c for c in posts[1:] if c.args["channel"] == "C0SUPPORT"]
    assert progress.args["thread_ts"] == event["ts"]
    assert progress.args["text"].startswith("Frågan är sparad som ärende #1")
    status = await bot.core.ladder.status(esc.id)
    assert (status.question.status, status.history[0].detail) == ("unresolved", "asked_anyway")

    # pressing again (a stale client still shows it) changes nothing
    await bot.send(press(bot, reply, "ask_anyway", ASKER, "again"))
    refusals = await bot.slack.wait_for("chat.postEphemeral", count=2)
    assert refusals[-1].args["text"] == "Frågan är redan skickad till en superanvändare."
    assert len(await posted(bot)) == len(posts) and len(await escalations(bot)) == 1
    assert len(bot.slack.calls_to("chat.update")) == 1

    # a ticket in the support queue: any superuser may take it on, nobody else; with no area
    # its answer has no place in the FAQ until it is moved to one
    refused = await support(bot, "claim 1", COLLEAGUE)
    assert refused == "Bara superanvändare och administratörer kan göra det."
    assert "#1" in await support(bot, "answer 1 Titta i matsedeln på intranätet.", OLA)
    assert await support(bot, "faq 1", OLA) == (
        "#1 har inget område än: flytta det till rätt område först (`/support reassign 1 område`)."
    )


async def test_a_vague_question_gets_clarifying_buttons_and_none_of_them_goes_to_a_superuser(
    desk_bot: BotServer,
) -> None:
    bot = desk_bot
    event, reply = await ask(bot, "faktura")
    shown = texts_of(reply.args["blocks"])
    assert shown.startswith("*Menar du någon av de här?*")
    pressable = buttons(reply)
    assert list(pressable) == ["suggestion_0", "suggestion_1", "suggestion_2", "ask_anyway"]
    assert pressable["ask_anyway"]["text"]["text"] == "Ingen av dem – fråga en superanvändare"
    assert "Liknande frågor" not in shown and "hittar inget säkert svar" not in shown
    assert len(await posted(bot)) == 1 and await escalations(bot) == []
    [question] = await questions(bot)
    assert (question.status, question.answered) == ("clarify", False)

    # one of them: its answer, only to the asker, with "that solved my question"
    await bot.send(press(bot, reply, "suggestion_1", ASKER, "read"))
    [entry] = await bot.slack.wait_for("response_url")
    assert entry.args["response_type"] == "ephemeral"
    label = pressable["suggestion_1"]["text"]["text"]
    assert label.rstrip("…") in texts_of(entry.args["blocks"])
    assert "Det löste min fråga" in texts_of(entry.args["blocks"])

    # none of them: the finance superuser gets it, and the thread says so
    await bot.send(press(bot, reply, "ask_anyway", ASKER, "none"))
    [update] = await bot.slack.wait_for("chat.update")
    kept = buttons(update)
    assert list(kept) == ["suggestion_0", "suggestion_1", "suggestion_2"]
    [esc] = await escalations(bot)
    assert (esc.area, esc.assignee) == ("finance", ANNA)
    posts = await posted(bot, 4)  # the question, then Anna, triage and the thread hear of #1
    [dm] = [c for c in posts if c.args["channel"] == ANNA]
    assert "Ny fråga till dig: #1" in texts_of(dm.args["blocks"])
    assert "faktura" in texts_of(dm.args["blocks"])
    [progress] = [c for c in posts[1:] if c.args["channel"] == "C0SUPPORT"]
    assert progress.args["thread_ts"] == event["ts"]
    assert "ärende #1 till <@U0ANNA> (Ekonomi)" in progress.args["text"]


async def test_a_clarification_that_solves_it_settles_the_question(desk_bot: BotServer) -> None:
    bot = desk_bot
    _, reply = await ask(bot, "faktura")
    await bot.send(press(bot, reply, "suggestion_0", ASKER, "read"))
    [entry] = await bot.slack.wait_for("response_url")
    [solved] = [e for b in entry.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    await bot.send(
        sr.block_actions(
            "suggestion_solved",
            solved["value"],
            user_id=ASKER,
            block_id="suggestions",
            ephemeral=True,
            response_url=bot.slack.response_url("solved"),
        )
    )
    done = (await bot.slack.wait_for("response_url", count=2))[-1]
    assert done.args["text"] == "Skönt att det löste sig! Frågan är markerad som löst."
    [question] = await questions(bot)
    first = buttons(reply)["suggestion_0"]["text"]["text"]
    assert question.status == "solved" and question.solved_by_entry.startswith(first.rstrip("…"))

    # then "none of them" is refused: the question is settled
    await bot.send(press(bot, reply, "ask_anyway", ASKER, "none"))
    [refusal] = await bot.slack.wait_for("chat.postEphemeral")
    assert refusal.args["text"] == "Den här frågan är redan markerad (löst)."
    assert len(await posted(bot)) == 1 and await escalations(bot) == []


async def test_support_command_replies_privately_without_ask_anyway(desk_bot: BotServer) -> None:
    bot = desk_bot
    replies = []
    for n, text in enumerate(["hej då", "vad blir det till lunch?", "faktura?"]):
        url = bot.slack.response_url(f"cmd{n}")
        await bot.send(sr.slash_command("/support", text, response_url=url))
        replies.append((await bot.slack.wait_for("response_url", count=n + 1))[-1].args)
    bye, lunch, vague = replies
    assert all(r["response_type"] == "ephemeral" for r in replies)
    assert texts_of(bye["blocks"]) == "Hej då! Välkommen tillbaka när du har en fråga."
    assert texts_of(lunch["blocks"]).startswith("Det här verkar inte handla om affärssystemet")
    assert "actions" not in [b["type"] for b in lunch["blocks"]]
    assert [b.get("block_id") for b in vague["blocks"] if b["type"] == "actions"] == ["suggestions"]
    await settle(bot)
    assert [q.status for q in await questions(bot)] == ["off_topic", "clarify"]
    assert await escalations(bot) == []
