"""Who people are in Slack: Slack ids in, the core's names for people out, and back."""

from __future__ import annotations

from bot.settings import Member
from handlers.slack.identity import mention, person, slack_id
from tests.conftest import make_settings

ANNA = Member("anna", "Anna Lind", (("slack", "U0ANNA"), ("teams", "29:anna")))
BO = Member("bo", None, (("teams", "29:bo"),))
SETTINGS = make_settings("sqlite://", people=(ANNA, BO))


def test_a_slack_user_in_people_is_known_by_their_key_and_anyone_else_by_their_id() -> None:
    assert person(SETTINGS, "U0ANNA") == "anna"
    assert person(SETTINGS, "U0CARL") == "U0CARL"


def test_a_person_is_mentioned_by_their_slack_id_or_named_when_they_have_none() -> None:
    assert mention(SETTINGS, "anna") == "<@U0ANNA>"
    assert mention(SETTINGS, "U0CARL") == "<@U0CARL>"
    assert mention(SETTINGS, "bo") == "bo"  # only in Teams: named, never a broken mention
    assert mention(SETTINGS, "29:someone") == "29:someone"  # a Teams asker's own id
    assert (
        mention(
            make_settings(
                "sqlite://", people=(Member("eva", "<!channel> Eva", (("teams", "x"),)),)
            ),
            "eva",
        )
        == "&lt;!channel&gt; Eva"
    )
    assert slack_id(SETTINGS, "anna") == "U0ANNA"
    assert slack_id(SETTINGS, "bo") is None
