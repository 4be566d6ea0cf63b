"""Block Kit pieces that are pure functions of core results."""

from __future__ import annotations

from bot.faq.matcher import Match
from bot.store.models import Question
from bot.support.questions import Feedback, FeedbackResult, Outcome, Reply
from handlers.slack.blocks import ask_anyway_refused_text, off_topic_blocks, verdict_refused_text
from tests.conftest import make_settings


def question(status: str, feedback: str | None = None) -> Question:
    return Question(asker="U0ASKER", text="?", language="sv", status=status, feedback=feedback)


def test_why_an_askers_button_changed_nothing() -> None:
    def said(result: FeedbackResult, q: Question | None) -> str:
        return verdict_refused_text(make_settings("sqlite://"), Feedback(result, q), "sv")

    assert said(FeedbackResult.UNKNOWN, None).startswith("Den frågan finns inte längre")
    assert said(FeedbackResult.NOT_ASKER, question("answered")).startswith("Bara <@U0ASKER>")
    solved = said(FeedbackResult.ALREADY, question("solved", "suggestion"))
    assert solved == "Den här frågan är redan markerad (löst)."
    not_helpful = said(FeedbackResult.ALREADY, question("unresolved", "not_helpful"))
    assert not_helpful == "Den här frågan är redan markerad (olöst)."
    closed = said(FeedbackResult.ALREADY, question("unresolved"))
    assert closed == "Ärendet för den här frågan är redan stängt."


def test_an_off_topic_decline_says_where_to_ask_as_configured() -> None:
    declined = question("off_topic")
    declined.id = 7
    reply = Reply(declined, Match("vpn?", None, 0.0, False), None, Outcome.OFF_TOPIC)
    built_in = off_topic_blocks(reply, make_settings("sqlite://"))
    assert "IT-frågor (dator, VPN, lösenord): IT-supporten." in built_in[0]["text"]["text"]
    assert built_in[1]["elements"][0]["value"] == "7"
    configured = make_settings("sqlite://", elsewhere="Datorfrågor: <#C0IT>.")
    [only] = off_topic_blocks(reply, configured, ask_anyway=False)
    assert only["text"]["text"] == (
        "Det här verkar inte handla om affärssystemet, så det kan jag inte svara på. "
        "Datorfrågor: <#C0IT>."
    )


def test_why_ask_anyway_changed_nothing() -> None:
    def said(result: FeedbackResult, q: Question | None) -> str:
        return ask_anyway_refused_text(make_settings("sqlite://"), Feedback(result, q), "en")

    assert said(FeedbackResult.UNKNOWN, None).startswith("I no longer have that question")
    assert said(FeedbackResult.NOT_ASKER, question("off_topic")) == (
        "Only <@U0ASKER>, who asked the question, can pass it on."
    )
    assert said(FeedbackResult.ALREADY, question("unresolved")) == (
        "The question has already gone to a superuser."
    )
    assert said(FeedbackResult.ALREADY, question("solved", "suggestion")) == (
        "This question is already marked (solved)."
    )
