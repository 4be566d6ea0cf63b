"""Learning from use on a real database: a confirmed question becomes a phrasing of its entry."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from bot.app import Core, create_core
from bot.support.learning import MAX_LEARNED_CHARS, Source
from bot.support.questions import FeedbackResult, Origin
from tests.conftest import make_settings

FAQ = """---
area: finance
---

## Hur krediterar jag en kundfaktura?
Öppna den bokförda fakturan och välj Skapa kreditnota.

## Hur bokför jag en leverantörsfaktura?
Registrera fakturan i inkorgen och bokför den mot inköpsordern.

## Hur skickar jag påminnelser till kunder?
Kör påminnelseförslaget varje måndag.
"""

# Nothing in the FAQ says it this way: declined today, answered once learned.
SITUATION = "kunden har fått fel belopp på fakturan, hur ger jag pengarna tillbaka?"


@pytest_asyncio.fixture
async def core(database_url: str, tmp_path: Path) -> AsyncIterator[Core]:
    root = tmp_path / "knowledge"
    (root / "faq").mkdir(parents=True)
    (root / "faq" / "finance.md").write_text(FAQ, encoding="utf-8")
    core = await create_core(make_settings(database_url, knowledge_dir=root))
    yield core
    await core.close()


async def test_a_confirmed_suggestion_is_learned_and_answers_the_next_asker(core: Core) -> None:
    assert not core.knowledge.match(SITUATION).answered
    first = await core.desk.ask(SITUATION, Origin("chat", "U1"))
    entry = core.knowledge.entry("Hur krediterar jag en kundfaktura?")
    assert entry is not None
    verdict, _ = await core.ladder.solved_by_suggestion(first.question.id, "U1", entry.question)
    assert verdict.result is FeedbackResult.SOLVED

    learned = await core.learning.latest(10)
    assert [(x.text, x.entry_question, x.source, x.question_id) for x in learned] == [
        (SITUATION, entry.question, Source.SUGGESTION, first.question.id)
    ]
    # the knowledge was reloaded with it: the next asker gets the answer
    again = await core.desk.ask(SITUATION, Origin("chat", "U2"))
    assert again.answered and again.match.entry is not None
    assert again.match.entry.question == entry.question
    assert SITUATION in again.match.entry.learned


async def test_a_confirmed_answer_is_learned_once(core: Core) -> None:
    question = "hur krediterar jag en kundfaktura som blev fel, kunden är arg"
    reply = await core.desk.ask(question, Origin("chat", "U1"))
    assert reply.answered
    feedback = await core.desk.feedback(reply.question.id, "U1", solved=True)
    assert feedback.result is FeedbackResult.SOLVED
    assert [x.text for x in await core.learning.latest(10)] == [question]

    # the same words again, confirmed again: nothing new to learn
    again = await core.desk.ask(question, Origin("chat", "U2"))
    await core.desk.feedback(again.question.id, "U2", solved=True)
    assert len(await core.learning.latest(10)) == 1


async def test_not_helpful_and_the_heading_itself_are_not_learned(core: Core) -> None:
    reply = await core.desk.ask("Hur krediterar jag en kundfaktura?", Origin("chat", "U1"))
    await core.desk.feedback(reply.question.id, "U1", solved=True)  # the heading, word for word
    other = await core.desk.ask("hur krediterar jag en kundfaktura idag", Origin("chat", "U2"))
    await core.desk.feedback(other.question.id, "U2", solved=False)
    entry = core.knowledge.entry("Hur krediterar jag en kundfaktura?")
    assert entry is not None
    too_long = "kundfaktura " * (MAX_LEARNED_CHARS // 10)
    assert not await core.learning.learn(
        entry, too_long, source=Source.CONFIRMED, by="U3", question_id=None
    )
    assert await core.learning.latest(10) == []


async def test_removing_a_learned_phrasing_forgets_it(core: Core) -> None:
    entry = core.knowledge.entry("Hur krediterar jag en kundfaktura?")
    assert entry is not None
    assert await core.learning.learn(
        entry, SITUATION, source=Source.SUGGESTION, by="U1", question_id=None
    )
    assert core.knowledge.match(SITUATION).answered
    (learned,) = await core.learning.latest(10)
    assert await core.learning.remove(learned.id)
    assert not await core.learning.remove(learned.id)
    assert await core.learning.latest(10) == []
    assert not core.knowledge.match(SITUATION).answered


async def test_learned_phrasings_survive_a_restart(core: Core) -> None:
    entry = core.knowledge.entry("Hur krediterar jag en kundfaktura?")
    assert entry is not None
    await core.learning.learn(entry, SITUATION, source=Source.SUGGESTION, by="U1", question_id=None)
    restarted = await create_core(core.settings)
    try:
        match = restarted.knowledge.match(SITUATION)
        assert match.answered and match.entry is not None
        assert match.entry.question == entry.question
    finally:
        await restarted.close()
