"""The feedback buttons and the /support command, end to end over signed interactivity payloads."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.settings import Area
from bot.store.models import Question
from bot.texts import t
from tests.conftest import make_settings
from tests.e2e import slack_requests as sr
from tests.e2e.fake_slack import Call, FakeSlackAPI
from tests.e2e.harness import BotServer, start_bot
from tests.e2e.test_slack_questions import UNANSWERABLE, settle, texts_of


async def ask(bot: BotServer, text: str = "hur gör jag en cykelinventering?") -> tuple[dict, Call]:
    event = sr.message_event(text)
    await bot.send(sr.event_callback(event))
    [post] = await bot.slack.wait_for("chat.postMessage")
    await settle(bot)
    return event, post


def press(post: Call, action_id: str, user: str = "U0ASKER") -> sr.Signed:
    """Click a button on the message the bot posted, as Slack reports it."""
    [button] = [b for b in post.args["blocks"][-1]["elements"] if b["action_id"] == action_id]
    message = {
        "ts": post.response["ts"],
        "thread_ts": post.args["thread_ts"],
        "text": post.args["text"],
        "blocks": post.args["blocks"],
    }
    return sr.block_actions(
        action_id,
        button["value"],
        user_id=user,
        channel_id=post.args["channel"],
        message=message,
        block_id="feedback",
    )


async def question(bot: BotServer) -> Question:
    async with bot.core.db.session() as session:
        return (await session.scalars(select(Question))).one()


async def test_that_solved_it_marks_the_question_solved(bot: BotServer) -> None:
    _, post = await ask(bot)
    response = await bot.send(press(post, "feedback_solved"))
    assert response.status == 200
    [update] = await bot.slack.wait_for("chat.update")
    await settle(bot)
    assert update.args["ts"] == post.response["ts"]
    assert "actions" not in [b["type"] for b in update.args["blocks"]]
    assert "Markerad som löst av <@U0ASKER>" in texts_of(update.args["blocks"])
    assert "cykelinventering" in texts_of(update.args["blocks"]).lower()
    q = await question(bot)
    assert (q.status, q.feedback, q.feedback_by) == ("solved", "solved", "U0ASKER")


async def test_not_what_i_needed_records_unresolved_and_says_what_happens(bot: BotServer) -> None:
    event, post = await ask(bot)
    await bot.send(press(post, "feedback_not_helpful"))
    [update] = await bot.slack.wait_for("chat.update")
    posts = await bot.slack.wait_for("chat.postMessage", count=2)
    await settle(bot)
    assert "inte till hjälp" in texts_of(update.args["blocks"])
    follow_up = posts[1]
    assert follow_up.args["thread_ts"] == event["ts"]
    assert "olöst inom Lager / Warehouse" in texts_of(follow_up.args["blocks"])
    q = await question(bot)
    assert (q.status, q.feedback) == ("unresolved", "not_helpful")


async def test_not_helpful_names_the_areas_contact_and_channel(
    database_url: str, slack: FakeSlackAPI
) -> None:
    areas = (
        Area("finance", "Ekonomi"),
        Area("warehouse", "Lager", channel="C0LAGER", contact="Johan Berg"),
        Area("purchasing", "Inköp"),
    )
    bot = await start_bot(make_settings(database_url, areas=areas), slack)
    try:
        _, post = await ask(bot)
        await bot.send(press(post, "feedback_not_helpful"))
        posts = await bot.slack.wait_for("chat.postMessage", count=2)
        await settle(bot)
        shown = texts_of(posts[1].args["blocks"])
        assert "sparad som olöst inom Lager" in shown
        assert "Behöver du hjälp nu? Kontakta Johan Berg eller fråga i <#C0LAGER>." in shown
    finally:
        await bot.close()


async def test_only_the_asker_can_mark_and_only_once(bot: BotServer) -> None:
    _, post = await ask(bot)
    await bot.send(press(post, "feedback_solved", user="U0SOMEONE"))
    [ephemeral] = await bot.slack.wait_for("chat.postEphemeral")
    assert ephemeral.args["user"] == "U0SOMEONE"
    assert "<@U0ASKER>" in ephemeral.args["text"]
    assert (await question(bot)).status == "answered"

    await bot.send(press(post, "feedback_solved"))
    await bot.slack.wait_for("chat.update")
    await bot.send(press(post, "feedback_not_helpful"))
    ephemerals = await bot.slack.wait_for("chat.postEphemeral", count=2)
    await settle(bot)
    assert "redan markerad (löst)" in ephemerals[1].args["text"]
    assert (await question(bot)).status == "solved"
    assert len(bot.slack.calls_to("chat.update")) == 1


async def test_button_for_a_question_that_is_gone(bot: BotServer) -> None:
    payload = sr.block_actions("feedback_solved", "99999", block_id="feedback")
    response = await bot.send(payload)
    assert response.status == 200
    [ephemeral] = await bot.slack.wait_for("chat.postEphemeral")
    assert ephemeral.args["user"] == "U0ASKER"
    assert ephemeral.args["text"] == "Den frågan finns inte längre hos mig. Ställ den gärna igen."


async def support(bot: BotServer, text: str, user: str = "U0ASKER") -> dict:
    """Run `/support TEXT` and return what the bot sent to the command's response_url."""
    url = bot.slack.response_url(text or "empty")
    before = len(bot.slack.calls_to("response_url"))
    response = await bot.send(sr.slash_command("/support", text, user_id=user, response_url=url))
    assert response.status == 200
    replies = await bot.slack.wait_for("response_url", count=before + 1)
    await settle(bot)
    reply = replies[before].args
    assert reply["response_type"] == "ephemeral"
    return reply


async def test_support_help_in_swedish_by_default_and_english_on_request(bot: BotServer) -> None:
    assert (await support(bot, "")).get("text", "").startswith("*/support* — första linjens")
    assert "/support obesvarade" in (await support(bot, "hjälp"))["text"]
    assert "/support unresolved" in (await support(bot, "help"))["text"]


async def test_support_answers_a_question_with_or_without_ask(bot: BotServer) -> None:
    english = await support(bot, "ask how do I receive a partial delivery?")
    assert "partial" in texts_of(english["blocks"]).lower()
    swedish = await support(bot, "hur gör jag en cykelinventering?")
    assert "Hur gör jag en cykelinventering?" in texts_of(swedish["blocks"])
    assert "feedback" not in [b.get("block_id") for b in swedish["blocks"]]
    assert (await support(bot, "fråga"))["text"].startswith("Skriv frågan efter kommandot")


async def test_suggestions_in_support_ask_and_for_an_entry_that_is_gone(bot: BotServer) -> None:
    question = "jag köpte fika till ett kundmöte med mitt eget kort, hur får jag tillbaka pengarna?"
    reply = await support(bot, question)
    [suggestions] = [b for b in reply["blocks"] if b.get("block_id") == "suggestions"]
    first = suggestions["elements"][0]
    assert first["text"]["text"] == "Hur redovisar jag ett utlägg som jag betalat privat?"
    gone = json.dumps({"q": json.loads(first["value"])["q"], "h": "En fråga som tagits bort?"})
    url = bot.slack.response_url("gone")
    await bot.send(sr.block_actions("suggestion_1", gone, block_id="suggestions", response_url=url))
    answer = (await bot.slack.wait_for("response_url", count=2))[-1]  # after /support's own
    assert answer.args["text"].startswith("Den frågan har ändrats eller tagits bort i FAQ:n.")
    crafted = sr.block_actions(
        "suggestion_0", "not json", block_id="suggestions", response_url=bot.slack.response_url()
    )
    assert (await bot.send(crafted)).status == 200  # logged, and the presser told
    told = (await bot.slack.wait_for("response_url", count=3))[-1]
    assert told.args["text"] == t("sv", "no_question_button")
    await settle(bot)
    assert len(bot.slack.calls_to("response_url")) == 3


async def test_support_unknown_command_gets_usage(bot: BotServer) -> None:
    reply = await support(bot, "frobnicate")
    assert "`frobnicate`" in reply["text"] and "/support" in reply["text"]


async def test_support_unresolved_lists_what_the_faq_could_not_answer(bot: BotServer) -> None:
    assert (await support(bot, "obesvarade"))["text"] == "Inga obesvarade frågor just nu."
    await bot.send(sr.event_callback(sr.message_event(f"<!here> {UNANSWERABLE}")))
    await bot.slack.wait_for("chat.postMessage")
    await bot.send(sr.event_callback(sr.message_event("vad blir det till lunch?")))  # declined
    await bot.send(sr.event_callback(sr.message_event("faktura")))  # vague
    await bot.send(sr.event_callback(sr.message_event("tack!")))  # small talk
    await bot.slack.wait_for("chat.postMessage", count=4)
    await settle(bot)
    listing = (await support(bot, "unresolved"))["text"]
    assert listing.startswith("*Unanswered questions* (the latest 1)")
    assert f"<@U0ASKER> <#C0SUPPORT>: {UNANSWERABLE}" in listing
