"""The terminal as the chat: notices are printed, one line each (the digest as its report), so
`firstline jobs run` and `firstline digest` show what they would post when no Slack is set up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from bot.app import Channel
from bot.ops.digest import digest_text
from bot.support.notices import (
    DigestChartNotice,
    DigestNotice,
    EscalationNotice,
    EscalationStep,
    Notice,
    OpsNotice,
    ReplyNotice,
    UnknownNotice,
    UptimeNotice,
    notice_from_payload,
)
from bot.support.outbox import Delivery, PermanentFailure, Sender
from bot.texts import CHART_TEXTS

NAME = "terminal"

TEXTS: dict[type[Notice], Callable[[Any], tuple[str, str]]] = {
    DigestNotice: lambda n: (n.to, digest_text(n.title, n.sections, n.owners)),
    DigestChartNotice: lambda n: (n.to, CHART_TEXTS["terminal"].format(title=n.chart["title"])),
    OpsNotice: lambda n: (n.to, n.text),
    UptimeNotice: lambda n: (n.to, n.text),
    EscalationNotice: lambda n: (n.to, f"{n.step} #{n.escalation}"),
    ReplyNotice: lambda n: (n.message.get("channel", "?"), n.message.get("text", "")),
}


def terminal_sender(out: TextIO) -> Sender:
    async def send(payload: dict[str, Any], _delivery: Delivery) -> str:
        try:
            notice = notice_from_payload(payload)
        except (UnknownNotice, TypeError, ValueError) as exc:
            raise PermanentFailure(f"not a notice the terminal can show: {exc}") from exc
        if isinstance(notice, EscalationNotice) and notice.step is EscalationStep.CHANGED:
            return NAME  # what the terminal printed can't be updated
        to, text = TEXTS[type(notice)](notice)
        print(f"[to {to}] {text}", file=out, flush=True)
        return NAME

    return send


def terminal_channel(out: TextIO) -> Channel:
    """The terminal follows up nothing: its questions are recorded, never escalated."""
    return Channel(NAME, terminal_sender(out))
