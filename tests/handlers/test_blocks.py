"""Block Kit pieces that are pure functions of core results."""

from __future__ import annotations

from bot.store.models import Question
from bot.support.questions import Feedback, FeedbackResult
from handlers.slack.blocks import verdict_refused_text


def question(status: str, feedback: str | None = None) -> Question:
    return Question(asker="U0ASKER", text="?", language="sv", status=status, feedback=feedback)


def test_why_an_askers_button_changed_nothing() -> None:
    def said(result: FeedbackResult, q: Question | None) -> str:
        return verdict_refused_text(Feedback(result, q), "sv")

    assert said(FeedbackResult.UNKNOWN, None).startswith("Den frågan finns inte längre")
    assert said(FeedbackResult.NOT_ASKER, question("answered")).startswith("Bara <@U0ASKER>")
    solved = said(FeedbackResult.ALREADY, question("solved", "suggestion"))
    assert solved == "Den här frågan är redan markerad (löst)."
    not_helpful = said(FeedbackResult.ALREADY, question("unresolved", "not_helpful"))
    assert not_helpful == "Den här frågan är redan markerad (olöst)."
    closed = said(FeedbackResult.ALREADY, question("unresolved"))
    assert closed == "Ärendet för den här frågan är redan stängt."
