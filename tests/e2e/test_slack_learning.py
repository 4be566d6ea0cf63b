"""Learning from use through Slack: a question a suggestion solved is answered for the next
asker, and the area's superusers review and remove what the bot learned with `/support learned`."""

from __future__ import annotations

from tests.e2e import slack_requests as sr
from tests.e2e.harness import BotServer
from tests.e2e.test_slack_escalations import (  # noqa: F401 (ladder_bot is a fixture)
    ANNA,
    ASKER,
    EXPENSES,
    OLA,
    SUGGESTED,
    delivered,
    ladder_bot,
    read_suggestion,
)
from tests.e2e.test_slack_questions import settle


async def support(bot: BotServer, text: str, user: str) -> str:
    before = len(bot.slack.calls_to("response_url"))
    url = bot.slack.response_url(f"{user}-{before}")
    await bot.send(sr.slash_command("/support", text, user_id=user, response_url=url))
    return (await bot.slack.wait_for("response_url", count=before + 1))[-1].args["text"]


async def test_a_solved_suggestion_answers_the_next_asker_and_can_be_unlearned(
    ladder_bot,  # noqa: F811 (the fixture imported above)
) -> None:
    bot, _ = ladder_bot
    assert await support(bot, "inlärda", ANNA) == (
        "Boten har inte lärt sig några formuleringar inom dina områden än. När någon säger att "
        "ett svar ur FAQ:n löste frågan sparas frågan som en formulering av den posten."
    )
    await bot.send(sr.event_callback(sr.message_event(SUGGESTED)))
    posts = await delivered(bot, 4)
    [reply] = [c for c in posts if "suggestion_0" in str(c.args["blocks"])]
    await bot.send(read_suggestion(bot, reply, ASKER, "asker"))
    shown = (await bot.slack.wait_for("response_url", count=2))[-1]
    [solved] = [e for b in shown.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    await bot.send(
        sr.block_actions(
            "suggestion_solved",
            value=solved["value"],
            block_id="suggestions",
            ephemeral=True,
            user_id=ASKER,
            response_url=bot.slack.response_url("done"),
        )
    )
    await bot.slack.wait_for("response_url", count=3)

    # nobody added anything to the FAQ file, yet the next colleague gets the answer
    await bot.send(sr.event_callback(sr.message_event(SUGGESTED, user=OLA)))
    await settle(bot)
    [answered] = [
        c for c in bot.slack.calls_to("chat.postMessage") if "feedback_solved" in str(c.args)
    ]
    assert answered.args["blocks"][0]["text"]["text"] == f"*{EXPENSES}*"

    listed = await support(bot, "inlärda", ANNA)
    assert listed.startswith("*Inlärda formuleringar* (de senaste 1, inom dina områden)")
    assert f"→ «{EXPENSES}» (Ekonomi, en liknande fråga löste det)" in listed
    learned_id = listed.split("`")[1]
    # Ola is a warehouse superuser: not his to see or remove
    assert await support(bot, "learned", OLA) == (
        "The bot hasn't learned any phrasings in your areas yet. When someone says an FAQ "
        "answer solved their question, the question is kept as a phrasing of that entry."
    )
    assert await support(bot, f"inlärda remove {learned_id}", OLA) == (
        "Bara superanvändarna inom Ekonomi (och administratörerna) kan ta bort den formuleringen."
    )
    assert await support(bot, "inlärda remove", ANNA) == (
        "Så här: `/support learned [antal]` eller `/support learned remove ID`"
    )
    assert await support(bot, "inlärda remove 999", ANNA) == (
        "Det finns ingen inlärd formulering med id 999."
    )
    removed = await support(bot, f"learned remove {learned_id}", ANNA)
    assert removed.startswith(f"The phrasing `{learned_id}` «Hej! Jag köpte fika")
    assert not bot.core.knowledge.match(SUGGESTED).answered
