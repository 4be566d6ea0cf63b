"""Modals for superusers: answer an escalation, send it to the vendor, move it to another area."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.app import Core
from bot.support.escalations import Refused
from handlers.slack.blocks import refused_text

ANSWER_MODAL, ESCALATE_MODAL, REASSIGN_MODAL = (
    "esc_answer_modal",
    "esc_escalate_modal",
    "esc_reassign_modal",
)
INPUT = "input"


def _modal(callback_id: str, number: int, title: str, submit: str, block: dict[str, Any]) -> dict:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": str(number),
        "title": {"type": "plain_text", "text": title[:24]},
        "submit": {"type": "plain_text", "text": submit},
        "close": {"type": "plain_text", "text": "Avbryt"},
        "blocks": [block],
    }


def answer_modal(number: int, question: str) -> dict:
    return _modal(
        ANSWER_MODAL,
        number,
        f"Svara på #{number}",
        "Skicka svaret",
        {
            "type": "input",
            "block_id": INPUT,
            "label": {"type": "plain_text", "text": question[:1900] or f"#{number}"},
            "element": {"type": "plain_text_input", "action_id": INPUT, "multiline": True},
        },
    )


def escalate_modal(number: int, vendor: str) -> dict:
    return _modal(
        ESCALATE_MODAL,
        number,
        f"#{number} till {vendor}",
        "Skicka",
        {
            "type": "input",
            "block_id": INPUT,
            "optional": True,
            "label": {"type": "plain_text", "text": "Anteckning till leverantören"},
            "element": {"type": "plain_text_input", "action_id": INPUT, "multiline": True},
        },
    )


def reassign_modal(number: int, areas: list[tuple[str, str]]) -> dict:
    options = [
        {"text": {"type": "plain_text", "text": name[:75]}, "value": key} for key, name in areas
    ]
    return _modal(
        REASSIGN_MODAL,
        number,
        f"Flytta #{number}",
        "Flytta",
        {
            "type": "input",
            "block_id": INPUT,
            "label": {"type": "plain_text", "text": "Vilket område gäller frågan?"},
            "element": {"type": "static_select", "action_id": INPUT, "options": options},
        },
    )


def submitted_value(view: dict[str, Any]) -> str:
    state = view["state"]["values"][INPUT][INPUT]
    selected = state.get("selected_option")
    return (selected or {}).get("value") or state.get("value") or ""


async def on_submission(core: Core, ack: AsyncAck, body: dict[str, Any], view: dict) -> None:
    number, user, value = int(view["private_metadata"]), body["user"]["id"], submitted_value(view)
    try:
        if view["callback_id"] == ANSWER_MODAL:
            await core.ladder.answer(number, user, value)
        elif view["callback_id"] == ESCALATE_MODAL:
            await core.ladder.escalate(number, user, value)
        else:
            await core.ladder.reassign(number, user, value)
    except Refused as exc:
        await ack(response_action="errors", errors={INPUT: refused_text(exc)})
        return
    await ack()
    core.kick()


def register(app: AsyncApp, core: Core) -> None:
    for callback_id in (ANSWER_MODAL, ESCALATE_MODAL, REASSIGN_MODAL):

        @app.view(callback_id)
        async def submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
            await on_submission(core, ack, body, view)
