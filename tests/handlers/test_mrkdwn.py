"""What the Slack adapter hands the core: a message's markup as plain text."""

from __future__ import annotations

import pytest

from handlers.slack.answering import question_text
from handlers.slack.mrkdwn import plain_text


@pytest.mark.parametrize(
    ("slack", "plain"),
    [
        ("fråga <@U0ANNA> om det", "fråga @U0ANNA om det"),
        ("fråga <@U0ANNA|anna> om det", "fråga @anna om det"),
        ("i <#C0SUPPORT|support> eller <#C0OTHER>", "i #support eller #C0OTHER"),
        ("<!here> <!channel> <!subteam^S01|@ekonomi>", "@here @channel @ekonomi"),
        (
            "se <https://bc.example.se/order|ordern> och <https://x.se/a>",
            "se ordern och https://x.se/a",
        ),
        ("1 &lt; 2 &amp;&amp; 3 &gt; 2", "1 < 2 && 3 > 2"),
        ("&lt;!channel&gt; skrivet som tecken", "<!channel> skrivet som tecken"),
    ],
)
def test_slack_markup_becomes_plain_text(slack: str, plain: str) -> None:
    assert plain_text(slack) == plain


def test_question_text_drops_only_the_bots_own_mention() -> None:
    assert question_text("<@UBOT>   hur gör jag\n en inventering?", "UBOT") == (
        "hur gör jag en inventering?"
    )
    assert question_text("<@UBOT|firstline> fråga <@U0ANNA>", "UBOT") == "fråga @U0ANNA"
    assert question_text("<@UBOT> hej", None) == "@UBOT hej"
