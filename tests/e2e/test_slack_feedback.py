"""The feedback buttons and the /support command, end to end over signed interactivity payloads."""

from __future__ import annotations

from sqlalchemy import select

from bot.store.models import Question
from tests.e2e import slack_requests as sr
from tests.e2e.fake_slack import Call
from tests.e2e.harness import BotServer
from tests.e2e.test_slack_questions import settle, texts_of


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


async def test_support_help_ask_and_unknown_subcommand(bot: BotServer) -> None:
    url = bot.slack.response_url()
    for text in ("help", "ask how do I receive a partial delivery?", "frobnicate 42"):
        response = await bot.send(sr.slash_command("/support", text, response_url=url))
        assert response.status == 200
    replies = await bot.slack.wait_for("response_url", count=3)
    await settle(bot)
    assert all(r.args["response_type"] == "ephemeral" for r in replies)
    help_reply = next(r for r in replies if r.args["text"].startswith("*/support*"))
    assert "/support ask" in help_reply.args["text"]
    answer = next(r for r in replies if r.args.get("blocks"))
    assert "partial" in texts_of(answer.args["blocks"]).lower()
    unknown = next(r for r in replies if r.args["text"].startswith("Unknown command"))
    assert "`frobnicate`" in unknown.args["text"]
