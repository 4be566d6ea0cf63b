"""What the Slack adapter hands the core: a message's markup as plain text."""

from __future__ import annotations

import pytest

from handlers.slack.answering import question_text
from handlers.slack.mrkdwn import plain_text


@pytest.mark.parametrize(
    ("slack", "plain"),
    [
        ("fråga <@U0ANNA> om det", "fråga   om det"),
        ("fråga <@U0ANNA|anna> och <@U0PER|> om det", "fråga   och   om det"),
        ("i <#C0SUPPORT|support> eller <#C0OTHER> eller <#C0NEW|>", "i   eller   eller  "),
        ("<!here> <!channel> <!subteam^S01|@ekonomi> <!subteam^S02>", "       "),
        ("senast <!date^1764000000^{date_short}|24 nov 2025>", "senast 24 nov 2025"),
        (
            "se <https://bc.example.se/o|ordern> och <https://x.se/a>",
            "se ordern och https://x.se/a",
        ),
        ("mejla <mailto:anna@firma.se|anna@firma.se>", "mejla anna@firma.se"),
        ("1 &lt; 2 &amp;&amp; 3 &gt; 2", "1 < 2 && 3 > 2"),
        ("&lt;!channel&gt; skrivet som tecken", "<!channel> skrivet som tecken"),
    ],
)
def test_slack_markup_becomes_plain_text(slack: str, plain: str) -> None:
    assert plain_text(slack) == plain


def test_question_text_keeps_the_lines_and_leaves_mentions_out() -> None:
    assert question_text("<@UBOT>   hur gör jag\n en  inventering?") == (
        "hur gör jag\nen inventering?"
    )
    pasted = "Fel vid bokföring:\n```\nFel 4711: period stängd\n```\n\nVad gör jag?"
    assert question_text(pasted) == (
        "Fel vid bokföring:\n```\nFel 4711: period stängd\n```\nVad gör jag?"
    )
    assert question_text("<@UBOT|firstline> <!here>") == ""
    assert question_text("@" * 60 + " hur krediterar jag?") == "@" * 60 + " hur krediterar jag?"
