"""The Slack adapter's name, and who people are in Slack.

The core knows a person by their `[people]` key, or by the id their channel gave when the config
doesn't name them (bot.settings). Every Slack user id that comes in goes through `person`, and
every person that goes out (a mention, a DM) through `mention` or `slack_id`.
"""

from __future__ import annotations

import re

from bot.settings import Settings
from handlers.slack.mrkdwn import escape

# The adapter's name: its outbox route (replies it could not post at once), the source of the
# questions asked in its threads, and the key of a person's Slack id in [people].
ROUTE = "slack"
SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")


def person(settings: Settings, slack_user: str) -> str:
    """Who a Slack user is to the core."""
    return settings.person(ROUTE, slack_user)


def slack_id(settings: Settings, person: str) -> str | None:
    """The person's Slack user id; None for someone known only in another channel."""
    native = settings.reach(ROUTE, person)
    return native if native and SLACK_USER.match(native) else None


def mention(settings: Settings, person: str) -> str:
    """An @mention of the person, or their name where they have no Slack id."""
    native = slack_id(settings, person)
    return f"<@{native}>" if native else escape(settings.name_of(person))
