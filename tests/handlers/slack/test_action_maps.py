"""The escalation buttons and the forms name actions of the core's table, explicitly: each maps
to one, and an id that maps to none is a clear error, not some other action."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio

from bot.app import Core, create_core
from bot.support import actions
from bot.support.actions import Need, Who
from handlers.slack.actions import BUTTON_ACTIONS, VERDICTS, on_escalation_button
from handlers.slack.views import FORMS, SUBMITTED, on_submission
from tests.conftest import make_settings


@pytest_asyncio.fixture
async def core(tmp_path: Any) -> AsyncIterator[Core]:
    core = await create_core(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'firstline.db'}"))
    yield core
    await core.close()


class Said:
    """What a listener passed to Bolt's `respond` or `ack`."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


def test_each_button_and_form_runs_an_action_of_the_table() -> None:
    for action in [*BUTTON_ACTIONS.values(), *FORMS, *SUBMITTED.values()]:
        assert action in actions.ACTIONS, action.name
    for action in FORMS:  # a form asks for the text of a handler's action
        assert action.who is Who.HANDLERS and action.text is not Need.NOTHING
        assert action in BUTTON_ACTIONS.values()  # and a button opens it
    assert set(SUBMITTED.values()) == set(FORMS)
    assert not set(BUTTON_ACTIONS) & set(VERDICTS)


async def test_an_unknown_button_or_form_is_an_error(core: Core) -> None:
    respond = Said()
    body = {"actions": [{"action_id": "esc_status", "value": "1"}], "user": {"id": "U0ANNA"}}
    await on_escalation_button(core, body, None, respond)  # type: ignore[arg-type]
    [reply] = respond.calls
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == ("Den här knappen eller formuläret känner jag inte till (esc_status).")

    ack = Said()
    view = {"callback_id": "esc_close_modal", "private_metadata": "1"}
    await on_submission(core, ack, {"user": {"id": "U0ANNA"}}, view)  # type: ignore[arg-type]
    [acked] = ack.calls
    assert acked["response_action"] == "errors"
    assert "esc_close_modal" in acked["errors"]["input"]
