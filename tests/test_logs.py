"""The log: the default text lines, one JSON object per line with LOG_FORMAT=json (with the
question, escalation and request being handled), and never a token or a secret in either."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
from collections.abc import Iterator

import pytest

from bot.logs import bind, configure_logging, log_scope

BOT_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
APP_TOKEN = "xapp-1-A0123456789-1234567890123-abcdef0123456789"
SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"
DB_PASSWORD = "pg-pass-w0rd"
DATABASE_URL = f"postgresql+asyncpg://firstline:{DB_PASSWORD}@db.internal:5432/firstline"
log = logging.getLogger("firstline.test")


@pytest.fixture
def out() -> Iterator[io.StringIO]:
    """What the root logger writes, restored afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)


def lines(out: io.StringIO) -> list[str]:
    return out.getvalue().splitlines()


def test_text_is_the_format_it_always_was(out: io.StringIO) -> None:
    configure_logging(logging.INFO, "text", stream=out)
    log.info("question %d from %s", 7, "U0ASKER")
    [line] = lines(out)
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO firstline\.test: question 7 from U0ASKER", line
    )


def test_json_is_one_object_per_line_with_what_is_being_handled(out: io.StringIO) -> None:
    configure_logging(logging.INFO, "json", stream=out)
    log.info("before")
    with log_scope(request="Ev0123ABC"):
        bind(question=7)
        log.info("asked")
        bind(escalation=3)
        log.warning("escalated\nto the vendor")
    log.info("after")
    first, asked, escalated, after = (json.loads(line) for line in lines(out))
    assert asked["message"] == "asked" and asked["level"] == "INFO"
    assert asked["logger"] == "firstline.test"
    assert asked["question_id"] == 7 and asked["request_id"] == "Ev0123ABC"
    assert "escalation" not in asked
    assert escalated["message"] == "escalated\nto the vendor"
    assert (escalated["question_id"], escalated["escalation"]) == (7, 3)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", escalated["time"])
    for outside in (first, after):
        assert not {"question_id", "escalation", "request_id"} & outside.keys()


async def test_each_task_has_its_own_question(out: io.StringIO) -> None:
    """Workers handle questions side by side: each line names its own."""
    configure_logging(logging.INFO, "json", stream=out)

    async def handle(question: int) -> None:
        with log_scope(request=f"Ev{question}"):
            bind(question=question)
            await asyncio.sleep(0.01)
            log.info("answered %d", question)

    await asyncio.gather(*(handle(n) for n in range(1, 4)))
    for line in lines(out):
        record = json.loads(line)
        assert record["message"] == f"answered {record['question_id']}"
        assert record["request_id"] == f"Ev{record['question_id']}"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_tokens_and_secrets_are_never_printed(out: io.StringIO, fmt: str) -> None:
    configure_logging(
        logging.DEBUG, fmt, secrets=[SIGNING_SECRET, DB_PASSWORD, BOT_TOKEN], stream=out
    )
    log.info("signed in with %s (app %s)", BOT_TOKEN, APP_TOKEN)
    log.info("checking with secret %s", SIGNING_SECRET)
    log.warning("cannot use the database %s", DATABASE_URL)
    log.info("sent Authorization: Bearer %s", "xoxp-999-888-777-abc")
    try:
        raise RuntimeError(f"Slack refused token {BOT_TOKEN}")
    except RuntimeError:
        log.exception("a send failed")
    printed = out.getvalue()
    for secret in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, DB_PASSWORD, "xoxp-999-888-777-abc"):
        assert secret not in printed
        assert secret[8:20] not in printed  # not even a part of it
    assert "xoxb-***" in printed and "xapp-***" in printed
    assert "firstline:***@db.internal:5432" in printed  # where, but not the password
    assert "Slack refused token xoxb-***" in printed  # the exception, redacted too
    if fmt == "json":
        records = [json.loads(line) for line in lines(out)]
        assert len(records) == 5
        assert "Traceback" in records[-1]["exception"]
