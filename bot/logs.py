"""The log: the classic text lines, or one JSON object per line (`LOG_FORMAT=json`) that also
names what is being handled: the question's id, the escalation's number and the id of the
channel's request (Slack's event id, or a command's or button's trigger id).

Those three are context variables: the place that takes on a piece of work opens a
`log_scope` (an inbox event, an outbox delivery, an HTTP request), and the code that learns
more on the way `bind`s it; every line logged meanwhile, in that task, carries them. asyncio
gives each task its own copy, so workers side by side never mix them up.

Neither format ever prints a token or a secret: Slack tokens, Bearer tokens and passwords in
URLs by their shape, and the configured secrets by their value, are replaced in the message and
in the traceback.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
HIDDEN = "***"
SHORTEST_SECRET = 4  # a shorter value would hide every occurrence of a common word

_question: ContextVar[int | None] = ContextVar("question_id", default=None)
_escalation: ContextVar[int | None] = ContextVar("escalation", default=None)
_request: ContextVar[str | None] = ContextVar("request_id", default=None)
_FIELDS = (("question_id", _question), ("escalation", _escalation), ("request_id", _request))

_UNSET: Any = object()

# Shapes of secrets, whatever the settings say: Slack's tokens (xoxb-, xoxp-, xapp-, ...),
# an Authorization header's Bearer token, the password in a URL (scheme://user:password@host).
_SHAPES = (
    (re.compile(r"\b(xox[a-z]|xapp)-[A-Za-z0-9-]+"), r"\1-" + HIDDEN),
    (re.compile(r"(\bBearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1" + HIDDEN),
    (re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+@"), r"\1" + HIDDEN + "@"),
)


def bind(
    *, question: int | None = _UNSET, escalation: int | None = _UNSET, request: str | None = _UNSET
) -> None:
    """Say what the current task is handling, for the rest of its `log_scope`."""
    for value, var in ((question, _question), (escalation, _escalation), (request, _request)):
        if value is not _UNSET:
            var.set(value)  # type: ignore[arg-type]


@contextmanager
def log_scope(
    *, question: int | None = None, escalation: int | None = None, request: str | None = None
) -> Iterator[None]:
    """A new piece of work: what it is about so far (nothing else from before), and afterwards
    what was there before."""
    tokens = [
        _question.set(question),
        _escalation.set(escalation),
        _request.set(request),
    ]
    try:
        yield
    finally:
        for (_, var), token in zip(_FIELDS, tokens, strict=True):
            var.reset(token)  # type: ignore[attr-defined]


def context() -> dict[str, Any]:
    """The question, escalation and request being handled, those that are known."""
    return {name: value for name, var in _FIELDS if (value := var.get()) is not None}


class Redactor:
    """Replaces the shapes of secrets and the given secret values with ***."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        values = {s for s in secrets if s and len(s) >= SHORTEST_SECRET}
        self.secrets = sorted(values, key=len, reverse=True)  # a longer one before its part

    def __call__(self, text: str) -> str:
        for shape, replacement in _SHAPES:  # first, so that a token still shows its kind
            text = shape.sub(replacement, text)
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, HIDDEN)
        return text


class TextFormatter(logging.Formatter):
    """The classic line, `2026-11-03 10:00:00,123 INFO name: message`, redacted."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__(TEXT_FORMAT)
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, what is being handled,
    and the traceback as `exception` when there is one; redacted."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        at = datetime.fromtimestamp(record.created, UTC)
        line: dict[str, Any] = {
            "time": at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": self.redact(record.getMessage()),
            **context(),
        }
        if record.exc_info:
            line["exception"] = self.redact(self.formatException(record.exc_info))
        elif record.exc_text:
            line["exception"] = self.redact(record.exc_text)
        if record.stack_info:
            line["stack"] = self.redact(self.formatStack(record.stack_info))
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(
    level: int,
    fmt: str = "text",
    secrets: Iterable[str | None] = (),
    stream: TextIO | None = None,
) -> None:
    """Log to `stream` (stderr) at `level` in `fmt` ("text" or "json"), never printing
    `secrets`; called again (once the settings are read), it replaces what was set before."""
    redact = Redactor(secrets)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(redact) if fmt == "json" else TextFormatter(redact))
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
