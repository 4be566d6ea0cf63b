"""Forms for superusers: answer an escalation, send it to the vendor, move it to another area.
Each asks for the text of an action in the core's table (`bot.support.actions`), which a
submitted form runs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.app import Core
from bot.settings import Settings
from bot.support import actions
from bot.support.actions import Action, Refusal, Request, ticket_number
from bot.support.escalations import Status
from bot.texts import DESK
from handlers.slack.blocks import results
from handlers.slack.identity import person

log = logging.getLogger(__name__)

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
        "close": {"type": "plain_text", "text": DESK["form_cancel"]},
        "blocks": [block],
    }


def answer_modal(number: int, question: str) -> dict:
    return _modal(
        ANSWER_MODAL,
        number,
        DESK["form_answer_title"].format(n=number),
        DESK["form_answer_submit"],
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
        DESK["form_escalate_title"].format(n=number, vendor=vendor),
        DESK["form_escalate_submit"],
        {
            "type": "input",
            "block_id": INPUT,
            "optional": True,
            "label": {"type": "plain_text", "text": DESK["form_escalate_label"]},
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
        DESK["form_reassign_title"].format(n=number),
        DESK["form_reassign_submit"],
        {
            "type": "input",
            "block_id": INPUT,
            "label": {"type": "plain_text", "text": DESK["form_reassign_label"]},
            "element": {"type": "static_select", "action_id": INPUT, "options": options},
        },
    )


# The form for each table action whose text a button asks for, and back from a submitted form's
# callback id to its action.
FORMS: dict[Action, Callable[[Status, Settings], dict]] = {
    actions.ANSWER: lambda status, _: answer_modal(status.escalation.id, status.question.text),
    actions.ESCALATE: lambda status, settings: escalate_modal(
        status.escalation.id, settings.vendor.name
    ),
    actions.REASSIGN: lambda status, settings: reassign_modal(
        status.escalation.id, [(a.key, a.name) for a in settings.areas]
    ),
}
SUBMITTED = {
    ANSWER_MODAL: actions.ANSWER,
    ESCALATE_MODAL: actions.ESCALATE,
    REASSIGN_MODAL: actions.REASSIGN,
}


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def submitted_value(view: dict[str, Any]) -> str | None:
    """What the form's one field holds (the chosen option, or the text: "" when left empty);
    None when the submission has no such field, which only a crafted one lacks."""
    values = _object(_object(view.get("state")).get("values"))
    field = _object(values.get(INPUT)).get(INPUT)
    if not isinstance(field, dict):
        return None
    value = _object(field.get("selected_option")).get("value") or field.get("value") or ""
    return value if isinstance(value, str) else ""


async def on_submission(core: Core, ack: AsyncAck, body: dict[str, Any], view: dict) -> None:
    """Run the submitted form's action; a refusal stays in the form, under the input. A
    submission is run once: a replay of it (the same trigger id, whichever process it reaches)
    closes the form and does nothing."""
    trigger = body.get("trigger_id")
    if isinstance(trigger, str) and trigger and not await core.desk.first_time(f"form:{trigger}"):
        log.warning(
            "form %s submitted again (trigger %s); not run twice", view["callback_id"], trigger
        )
        await ack()
        return
    action = SUBMITTED.get(view["callback_id"])
    if action is None:
        log.error("form %r runs no action of the table", view["callback_id"])
        error = DESK["unknown_action"].format(name=view["callback_id"])
        await ack(response_action="errors", errors={INPUT: error})
        return
    number = ticket_number(view.get("private_metadata"))
    if number is None:
        log.warning(
            "form %s with bad metadata %r", view["callback_id"], view.get("private_metadata")
        )
        await ack(response_action="errors", errors={INPUT: DESK["no_ticket_number"]})
        return
    text = submitted_value(view)
    if text is None:
        log.warning("form %s without its field", view["callback_id"])
        await ack(response_action="errors", errors={INPUT: DESK["form_incomplete"]})
        return
    request = Request(person(core.settings, body["user"]["id"]), number, text)
    result = await actions.run(core, action, request)
    if isinstance(result, Refusal):
        await ack(response_action="errors", errors={INPUT: results(core.settings).refusal(result)})
        return
    await ack()


def register(app: AsyncApp, core: Core) -> None:
    for callback_id in SUBMITTED:

        @app.view(callback_id)
        async def submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
            await on_submission(core, ack, body, view)
