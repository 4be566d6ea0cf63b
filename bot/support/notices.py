"""What the core asks a chat channel to deliver: one small frozen dataclass per kind of message.

The core writes a notice into the outbox (`CHAT` route) as JSON, in the same transaction as the
change it reports; the channel adapter that is attached as the chat (Slack today) reads it back
with `notice_from_payload` and renders it through its own table from notice type to renderer.
A notice says what happened and to whom; wording, layout, emoji and links are the adapter's.

Recipients are the ids the configuration names (a superuser, a channel), or `ASKER`: the thread
the question was asked in.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

# The outbox route of everything a chat channel delivers; the attached adapter takes it.
CHAT = "chat"
ASKER = "asker"


class EscalationStep(enum.StrEnum):
    """What an escalation notice reports, and so whom it is for."""

    ASSIGNED = "assigned"  # to the superuser whose turn it is
    REMINDER = "reminder"  # to the superuser who claimed it and has not answered
    TRIAGE = "triage"  # to the triage channel: what just happened
    VENDOR = "vendor"  # to the vendor's channel
    PROGRESS = "progress"  # to the asker: where the question is now
    CLOSED = "closed"  # to the asker: it was closed
    ANSWER = "answer"  # to the asker: the answer, to confirm
    CHANGED = "changed"  # to whoever has posts about it that are kept current: update them


# The steps whose post the chat keeps current: every later step updates it in place. (A triage
# notice is a post only the first time; after that it is a line in that post's thread.)
KEPT = frozenset(
    {
        EscalationStep.ASSIGNED,
        EscalationStep.REMINDER,
        EscalationStep.TRIAGE,
        EscalationStep.VENDOR,
        EscalationStep.ANSWER,
    }
)


class Tone(enum.StrEnum):
    """A formatting hint for an ops message; each adapter shows it its own way."""

    CALENDAR = "calendar"
    CHART = "chart"
    WARNING = "warning"


class UptimeChange(enum.StrEnum):
    DOWN = "down"
    STILL_DOWN = "still_down"
    RECOVERED = "recovered"


@dataclass(frozen=True)
class EscalationNotice:
    """A step of the escalation ladder; the adapter renders the escalation as it is when sent.
    `post`: the post this notice makes, which the chat keeps current (the ladder records where
    it was sent and tells the chat of every later change with a `CHANGED` notice)."""

    step: EscalationStep
    escalation: int
    event: int
    to: str
    post: int | None = None

    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "kind": str(self.step),
            "escalation": self.escalation,
            "event": self.event,
            "to": self.to,
        }
        if self.post is not None:
            payload["post"] = self.post
        return payload


@dataclass(frozen=True)
class OpsNotice:
    """A message to the ops channel (an upgrade reminder, a daily summary, a failed job)."""

    to: str
    text: str
    owner: str | None = None
    owner_role: str | None = None
    tone: Tone = Tone.CALENDAR

    def payload(self) -> dict[str, Any]:
        return {"kind": "ops", **asdict(self), "tone": str(self.tone)}


@dataclass(frozen=True)
class UptimeNotice:
    """An integration or the ERP went down, is still down, or is back."""

    change: UptimeChange
    to: str
    check: str
    name: str
    error: str | None
    since: str
    down_for_minutes: int
    owner: str | None
    text: str

    def payload(self) -> dict[str, Any]:
        values = asdict(self)
        del values["change"]
        return {"kind": f"uptime_{self.change}", **values}


@dataclass(frozen=True)
class DigestNotice:
    """The weekly roadmap digest: a title, sections of lines, and who owns what."""

    to: str
    title: str
    sections: list[list[Any]]
    owners: list[list[str | None]]

    def payload(self) -> dict[str, Any]:
        return {"kind": "digest", **asdict(self)}


@dataclass(frozen=True)
class DigestChartNotice:
    """The weekly digest's chart: the figures it is drawn from (`SupportChart.as_dict()`); the
    adapter draws it when it sends it."""

    to: str
    chart: dict[str, Any]

    def payload(self) -> dict[str, Any]:
        return {"kind": "digest_chart", **asdict(self)}


@dataclass(frozen=True)
class ReplyNotice:
    """The bot's reply to a message, queued with the question it answers; `message` is in the
    adapter's own format (it rendered it), so only that adapter can send it."""

    message: dict[str, Any]
    question: int | None = None

    def payload(self) -> dict[str, Any]:
        return {"kind": "reply", **self.message, "question": self.question}


Notice = (
    EscalationNotice | OpsNotice | UptimeNotice | DigestNotice | DigestChartNotice | ReplyNotice
)


class UnknownNotice(ValueError):
    """An outbox payload of a kind no notice type describes."""


def notice_from_payload(payload: Mapping[str, Any]) -> Notice:
    """The notice an outbox payload holds (the JSON `Notice.payload()` wrote)."""
    kind = str(payload.get("kind", ""))
    values = {k: v for k, v in payload.items() if k != "kind"}
    if kind in set(EscalationStep):
        return EscalationNotice(EscalationStep(kind), **values)
    if kind == "ops":
        return OpsNotice(**{**values, "tone": Tone(values.get("tone", Tone.CALENDAR))})
    if kind.startswith("uptime_") and kind[len("uptime_") :] in set(UptimeChange):
        return UptimeNotice(UptimeChange(kind[len("uptime_") :]), **values)
    if kind == "digest":
        return DigestNotice(**values)
    if kind == "digest_chart":
        return DigestChartNotice(**values)
    if kind == "reply":
        question = values.pop("question", None)
        return ReplyNotice(values, question)
    raise UnknownNotice(f"no notice of kind {kind!r}")
