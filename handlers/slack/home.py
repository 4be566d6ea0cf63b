"""The App Home tab: a superuser's areas and claims, an employee's own open questions."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Core
from bot.settings import Settings
from bot.store.models import Escalation, Question
from handlers.slack.blocks import Block, escalation_line
from handlers.slack.identity import person
from handlers.slack.mrkdwn import escape

log = logging.getLogger(__name__)
MAX_LINES = 20


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:2990]}}


async def home_view(core: Core, user: str) -> dict[str, Any]:
    """The Home tab of `user` (as the core knows them)."""
    settings = core.settings
    now = core.ladder.clock()
    areas = [a for a in settings.areas if user in a.superusers or settings.is_admin(user)]
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": "ERP-supporten"}},
        _section(
            "Fråga mig om affärssystemet här i fliken *Meddelanden*, i supportkanalen eller med "
            "@firstline. `/support hjälp` visar kommandona."
        ),
    ]
    if areas:
        mine = await core.ladder.queue(user=user)
        blocks += [{"type": "divider"}, _section(f"*Dina ärenden* ({len(mine)})")]
        blocks += _lines(mine, now, settings, "Inga just nu.")
        for area in areas:
            rows = await core.ladder.queue(area=area.key)
            blocks.append(_section(f"*Öppna ärenden inom {escape(area.name)}* ({len(rows)})"))
            blocks += _lines(rows, now, settings, "Inga öppna ärenden.")
    own = await core.ladder.queue(asker=user)
    blocks += [{"type": "divider"}, _section(f"*Dina frågor som väntar på svar* ({len(own)})")]
    blocks += _lines(own, now, settings, "Inga: allt du frågat är besvarat eller stängt.")
    return {"type": "home", "blocks": blocks[:100]}


def _lines(
    rows: list[tuple[Escalation, Question]], now: datetime, settings: Settings, empty: str
) -> list[Block]:
    if not rows:
        return [_section(f"_{empty}_")]
    text = "\n".join(escalation_line(settings, esc, q, now) for esc, q in rows[:MAX_LINES])
    if len(rows) > MAX_LINES:
        text += f"\n… och {len(rows) - MAX_LINES} till (`/support queue all`)"
    return [_section(text)]


def register(app: AsyncApp, core: Core) -> None:
    @app.event("app_home_opened")
    async def app_home_opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab") != "home":
            return
        try:
            await client.views_publish(
                user_id=event["user"],
                view=await home_view(core, person(core.settings, event["user"])),
            )
        except SlackApiError as exc:
            log.error("could not publish the Home tab: %s", exc.response.get("error"))
