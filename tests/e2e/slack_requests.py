"""Builders for correctly signed Slack HTTP requests (Events API, commands, interactivity).

Every builder returns ``(body, headers)``; POST ``body`` verbatim (it is what was signed).
Payload shapes follow Slack's docs and Bolt's own scenario tests.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

TEST_SIGNING_SECRET = "firstline-test-signing-secret"
VERIFICATION_TOKEN = "legacy-verification-token"
TEAM_ID = "T0001"
TEAM_DOMAIN = "firstline-test"
API_APP_ID = "A0001"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
DEFAULT_RESPONSE_URL = (
    "http://127.0.0.1:9/actions/T0001/1111/no-response-url-given"  # never the internet
)

_counter = itertools.count(1)
JSON_CT = "application/json"
FORM_CT = "application/x-www-form-urlencoded"
Signed = tuple[str, dict[str, str]]  # (body, headers)

# Static parts of payloads (shapes from Slack's docs and Bolt's scenario tests).
# fmt: off
MODAL_VIEW = {"type": "modal", "blocks": [], "title": {"type": "plain_text", "text": "Firstline"},
              "clear_on_close": False, "notify_on_close": False,
              "close": {"type": "plain_text", "text": "Cancel"},
              "submit": {"type": "plain_text", "text": "Submit"}, "previous_view_id": None,
              "external_id": "", "bot_id": BOT_ID}
BOT_MESSAGE = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "text": "", "blocks": []}
BOT_AUTHORIZATION = {"enterprise_id": None, "user_id": BOT_USER_ID, "is_bot": True,
                     "is_enterprise_install": False}
# fmt: on


def sign(body: str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack v0 signature headers for ``body`` (timestamp defaults to now)."""
    ts = int(time.time()) if timestamp is None else timestamp
    base = f"v0:{ts}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def _signed(body: str, content_type: str, secret: str, timestamp: int | None) -> Signed:
    return body, {"Content-Type": content_type, **sign(body, secret, timestamp)}


def _form_payload(payload: dict[str, Any], secret: str, timestamp: int | None) -> Signed:
    return _signed(urlencode({"payload": json.dumps(payload)}), FORM_CT, secret, timestamp)


def new_ts() -> str:
    """A fresh, increasing Slack message timestamp (``"1700000000.000001"`` style)."""
    return f"{int(time.time())}.{next(_counter):06d}"


def new_trigger_id() -> str:
    """A random trigger_id in Slack's ``<digits>.<digits>.<hex>`` format."""
    return f"{next(_counter)}{int(time.time())}.1111.{uuid.uuid4().hex}"


def _user(user_id: str, team_id: str) -> dict[str, str]:
    name = user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": team_id}


def _interaction(kind: str, user_id: str, team_id: str, api_app_id: str) -> dict[str, Any]:
    """Fields common to interactivity payloads."""
    return {
        "type": kind,
        "user": _user(user_id, team_id),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": new_trigger_id(),
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
    }


def _rich_text(text: str) -> list[dict[str, Any]]:
    section = {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
    return [{"type": "rich_text", "block_id": uuid.uuid4().hex[:5], "elements": [section]}]


# ---- Events API ----------------------------------------------------------
def event_callback(
    event: dict[str, Any],
    *,
    event_id: str | None = None,
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
    retry_num: int | None = None,
    retry_reason: str | None = None,
    secret: str = TEST_SIGNING_SECRET,
    timestamp: int | None = None,
) -> Signed:
    """An ``event_callback`` envelope around ``event``, JSON-encoded and signed."""
    ts = int(time.time()) if timestamp is None else timestamp
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": ts,
        "authorizations": [{**BOT_AUTHORIZATION, "team_id": team_id}],
        "is_ext_shared_channel": False,
        "event_context": f"4-{uuid.uuid4().hex}",
    }
    body, headers = _signed(json.dumps(envelope), JSON_CT, secret, ts)
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
    if retry_reason is not None:
        headers["X-Slack-Retry-Reason"] = retry_reason
    return body, headers


def message_event(
    text: str,
    *,
    user: str = "U0ASKER",
    channel: str = "C0SUPPORT",
    channel_type: str = "channel",
    ts: str | None = None,
    thread_ts: str | None = None,
    subtype: str | None = None,
    bot_id: str | None = None,
    edited: dict[str, str] | None = None,
    parent_user_id: str | None = None,
) -> dict[str, Any]:
    """A ``message`` event (user message by default; pass ``bot_id``/``subtype`` for others)."""
    ts = ts or new_ts()
    event: dict[str, Any] = {"type": "message"}
    if subtype:
        event["subtype"] = subtype
    if bot_id is None and subtype is None:
        event["client_msg_id"] = str(uuid.uuid4())
    event.update({"text": text, "user": user, "ts": ts, "team": TEAM_ID})
    if subtype == "bot_message":
        del event["user"]
    if bot_id is not None:
        event["bot_id"] = bot_id
        event["app_id"] = API_APP_ID if bot_id == BOT_ID else f"A{bot_id[1:]}"
    event["blocks"] = _rich_text(text)
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
        if thread_ts != ts:
            event["parent_user_id"] = parent_user_id or user
    if edited is not None:
        event["edited"] = edited
    event.update({"channel": channel, "event_ts": ts, "channel_type": channel_type})
    return event


def app_mention_event(
    text: str = f"<@{BOT_USER_ID}> help",
    *,
    user: str = "U0ASKER",
    channel: str = "C0SUPPORT",
    ts: str | None = None,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    """An ``app_mention`` event (no ``channel_type``, as Slack sends it)."""
    event = message_event(text, user=user, channel=channel, ts=ts, thread_ts=thread_ts)
    event["type"] = "app_mention"
    del event["channel_type"]
    return event


def dm_event(
    text: str,
    *,
    user: str = "U0ASKER",
    channel: str | None = None,
    ts: str | None = None,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    """A ``message.im`` event; ``channel`` defaults to the fake's DM id for ``user``."""
    channel = channel or "D" + user.lstrip("UW")
    return message_event(
        text, user=user, channel=channel, channel_type="im", ts=ts, thread_ts=thread_ts
    )


def message_changed_event(
    text: str,
    *,
    ts: str,
    user: str = "U0ASKER",
    channel: str = "C0SUPPORT",
    channel_type: str = "channel",
    previous_text: str = "",
) -> dict[str, Any]:
    """A ``message_changed`` event: how Slack actually delivers an edit."""
    edit_ts = new_ts()
    message = message_event(
        text, user=user, channel=channel, ts=ts, edited={"user": user, "ts": edit_ts}
    )
    for key in ("channel", "event_ts", "channel_type"):
        message.pop(key)
    previous = {**message, "text": previous_text, "blocks": _rich_text(previous_text)}
    previous.pop("edited")
    return {
        "type": "message",
        "subtype": "message_changed",
        "message": message,
        "previous_message": previous,
        "channel": channel,
        "hidden": True,
        "ts": edit_ts,
        "event_ts": edit_ts,
        "channel_type": channel_type,
    }


def url_verification(
    challenge: str, *, secret: str = TEST_SIGNING_SECRET, timestamp: int | None = None
) -> Signed:
    """The ``url_verification`` handshake request."""
    payload = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    return _signed(json.dumps(payload), JSON_CT, secret, timestamp)


# ---- Slash commands & interactivity --------------------------------------
def slash_command(
    command: str = "/support",
    text: str = "",
    *,
    user_id: str = "U0ASKER",
    channel_id: str = "C0SUPPORT",
    channel_name: str = "support",
    trigger_id: str | None = None,
    response_url: str = DEFAULT_RESPONSE_URL,
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
    secret: str = TEST_SIGNING_SECRET,
    timestamp: int | None = None,
) -> Signed:
    """A form-encoded slash command invocation with all documented fields."""
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }
    return _signed(urlencode(fields), FORM_CT, secret, timestamp)


def block_actions(
    action_id: str,
    value: str,
    *,
    user_id: str = "U0ASKER",
    channel_id: str = "C0SUPPORT",
    message_ts: str | None = None,
    thread_ts: str | None = None,
    block_id: str = "actions",
    response_url: str = DEFAULT_RESPONSE_URL,
    message: dict[str, Any] | None = None,
    action_type: str = "button",
    ephemeral: bool = False,
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
    secret: str = TEST_SIGNING_SECRET,
    timestamp: int | None = None,
) -> Signed:
    """A ``block_actions`` click on a bot message; ``message`` overrides the echoed message.
    On an ephemeral message Slack sends no ``message``, only the container."""
    message_ts = message_ts or (message or {}).get("ts") or new_ts()
    container: dict[str, Any] = {"type": "message", "message_ts": message_ts}
    container.update(channel_id=channel_id, is_ephemeral=ephemeral)
    msg: dict[str, Any] = {**BOT_MESSAGE, "app_id": api_app_id, "team": team_id, "ts": message_ts}
    msg.update(message or {})
    if thread_ts is not None:
        container["thread_ts"] = thread_ts
        msg["thread_ts"] = thread_ts
    action: dict[str, Any] = {"action_id": action_id, "block_id": block_id, "type": action_type}
    action["action_ts"] = new_ts()
    if action_type == "button":
        action.update(text={"type": "plain_text", "text": value, "emoji": True}, value=value)
    else:
        action["selected_option"] = {"text": {"type": "plain_text", "text": value}, "value": value}
    payload = _interaction("block_actions", user_id, team_id, api_app_id)
    payload.update(container=container, channel={"id": channel_id, "name": channel_id.lower()})
    payload.update(state={"values": {}}, response_url=response_url, actions=[action])
    if not ephemeral:
        payload["message"] = msg
    return _form_payload(payload, secret, timestamp)


def view_submission(
    callback_id: str,
    values: dict[str, dict[str, Any]],
    *,
    user_id: str = "U0ASKER",
    private_metadata: str = "",
    view_id: str = "V0000001",
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
    secret: str = TEST_SIGNING_SECRET,
    timestamp: int | None = None,
) -> Signed:
    """A modal ``view_submission``; ``values`` is ``{block_id: {action_id: state}}``.

    A plain string state is wrapped as ``{"type": "plain_text_input", "value": s}``.
    """
    state = {
        block: {
            action: ({"type": "plain_text_input", "value": v} if isinstance(v, str) else v)
            for action, v in actions.items()
        }
        for block, actions in values.items()
    }
    view = {**MODAL_VIEW, "id": view_id, "team_id": team_id, "callback_id": callback_id}
    view.update(private_metadata=private_metadata, state={"values": state}, root_view_id=view_id)
    view.update(app_id=api_app_id, app_installed_team_id=team_id)
    view["hash"] = f"{int(time.time())}.{uuid.uuid4().hex[:8]}"
    payload = _interaction("view_submission", user_id, team_id, api_app_id)
    payload.update(view=view, response_urls=[])
    return _form_payload(payload, secret, timestamp)


def message_shortcut(
    callback_id: str,
    message: dict[str, Any],
    *,
    user_id: str = "U0ASKER",
    channel_id: str = "C0SUPPORT",
    response_url: str = DEFAULT_RESPONSE_URL,
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
    secret: str = TEST_SIGNING_SECRET,
    timestamp: int | None = None,
) -> Signed:
    """A ``message_action`` (message shortcut) on ``message`` in ``channel_id``."""
    payload = _interaction("message_action", user_id, team_id, api_app_id)
    payload.update(
        callback_id=callback_id,
        trigger_id=new_trigger_id(),
        message_ts=message.get("ts"),
        message=message,
        channel={"id": channel_id, "name": "support"},
        response_url=response_url,
    )
    return _form_payload(payload, secret, timestamp)
