"""Teams-shaped activities, as the Bot Connector posts them to /api/messages (the Bot
Framework's Activity schema with Teams' channelData)."""

from __future__ import annotations

import itertools
from typing import Any

TENANT = "tenant-0001"
BOT = {"id": "28:bot-app-id", "name": "firstline"}
ANNA = {"id": "29:1anna", "name": "Anna Berg", "aadObjectId": "aad-anna"}
ERIK = {"id": "29:1erik", "name": "Erik Ek", "aadObjectId": "aad-erik"}
PERSONAL = "a:1personal-anna"
CHANNEL = "19:support@thread.tacv2"
TEAM = "19:team@thread.tacv2"

_ids = itertools.count(1_700_000_000_001)


def _base(service_url: str, conversation: dict[str, Any], sender: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(next(_ids)),
        "timestamp": "2026-03-02T09:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": sender,
        "conversation": {"tenantId": TENANT, **conversation},
        "recipient": BOT,
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "sv-SE",
    }


def personal_message(service_url: str, text: str, sender: dict[str, Any] = ANNA) -> dict[str, Any]:
    """A message in the 1:1 chat with the bot."""
    conversation = {"conversationType": "personal", "id": PERSONAL}
    return {
        **_base(service_url, conversation, sender),
        "type": "message",
        "text": text,
        "textFormat": "plain",
    }


def channel_message(
    service_url: str, text: str, *, mention: bool = True, sender: dict[str, Any] = ANNA
) -> dict[str, Any]:
    """A new post in a team's channel, @mentioning the bot (or not)."""
    activity = _base(service_url, {"isGroup": True, "conversationType": "channel"}, sender)
    activity["conversation"]["id"] = f"{CHANNEL};messageid={activity['id']}"
    at = "<at>firstline</at>"
    activity.update(
        type="message",
        text=f"{at} {text}" if mention else text,
        textFormat="plain",
        entities=([{"type": "mention", "text": at, "mentioned": BOT}] if mention else []),
        channelData={
            "tenant": {"id": TENANT},
            "teamsChannelId": CHANNEL,
            "teamsTeamId": TEAM,
            "channel": {"id": CHANNEL},
            "team": {"id": TEAM},
        },
    )
    return activity


def card_submit(
    service_url: str,
    pressed_on: str,
    conversation: str,
    data: dict[str, Any],
    sender: dict[str, Any] = ANNA,
) -> dict[str, Any]:
    """An Action.Submit on a card the bot sent: a message with the button's data as `value`."""
    kind = "personal" if conversation == PERSONAL else "channel"
    activity = _base(service_url, {"conversationType": kind, "id": conversation}, sender)
    activity.update(type="message", replyToId=pressed_on, value=data)
    return activity


def installation_update(service_url: str, sender: dict[str, Any] = ANNA) -> dict[str, Any]:
    """The app was installed in a personal scope."""
    conversation = {"conversationType": "personal", "id": PERSONAL}
    return {
        **_base(service_url, conversation, sender),
        "type": "installationUpdate",
        "action": "add",
    }


def conversation_update(service_url: str) -> dict[str, Any]:
    """The bot was added to a team: the team's General channel is the conversation."""
    activity = _base(
        service_url, {"isGroup": True, "conversationType": "channel", "id": TEAM}, ANNA
    )
    activity.update(
        type="conversationUpdate",
        membersAdded=[BOT],
        channelData={
            "tenant": {"id": TENANT},
            "team": {"id": TEAM},
            "eventType": "teamMemberAdded",
        },
    )
    return activity
