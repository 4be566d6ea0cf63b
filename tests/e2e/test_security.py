"""Security against the real server: only requests Slack signed, each once and while fresh, are
handled; every privileged button, form and command checks on the server who is asking; and no
token or secret shows up in a log line, an error message or anything the bot sends."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.app import create_core
from bot.settings import Area, Escalation, Settings, SettingsError, Smtp, Vendor, load_settings
from bot.store.models import (
    Escalation as EscalationRow,
)
from bot.store.models import (
    EscalationEvent,
    LearnedPhrasing,
    OutboxMessage,
    Question,
)
from handlers.slack import build_app
from handlers.slack.server import Replays, create_web_app
from tests.conftest import KNOWLEDGE, ROOT, Clock, make_settings
from tests.e2e import slack_requests as sr
from tests.e2e.fake_slack import Call, FakeSlackAPI
from tests.e2e.harness import BotServer, start_bot
from tests.e2e.test_bad_input import SLACK_MARKUP, command, examples, strings, trouble
from tests.e2e.test_run_process import free_port, stop
from tests.e2e.test_slack_escalations import delivered, press
from tests.e2e.test_slack_questions import questions, settle, texts_of

ANNA, PER, OLA, ADMIN, ASKER, NOBODY = "U0ANNA", "U0PER", "U0OLA", "U0ADMIN", "U0ASKER", "U0NOBODY"
QUESTION = "Hur periodiserar jag en förutbetald hyra över tolv månader?"
NOT_ALLOWED = "Bara superanvändarna för Ekonomi (och administratörer) kan göra det."


# ---- signatures, freshness, replays ----------------------------------------------------------


def requests_of_every_kind(**signing: Any) -> dict[str, sr.Signed]:
    return {
        "event": sr.event_callback(sr.message_event(QUESTION), **signing),
        "command": sr.slash_command("/support", f"ask {QUESTION}", **signing),
        "button": sr.block_actions("esc_claim", "1", **signing),
        "form": sr.view_submission(
            "esc_answer_modal", {"input": {"input": "svar"}}, private_metadata="1", **signing
        ),
        "shortcut": sr.message_shortcut("esc_thread_answer", {"ts": "1.1"}, **signing),
    }


def unsigned(signed: sr.Signed) -> sr.Signed:
    body, headers = signed
    return body, {"Content-Type": headers["Content-Type"]}


def with_headers(signed: sr.Signed, **headers: str) -> sr.Signed:
    body, given = signed
    return body, {**given, **headers}


def tampered(signed: sr.Signed) -> sr.Signed:
    body, headers = signed
    return body.replace("esc_", "esx_").replace("hyra", "hyror"), headers


async def nothing_happened(bot: BotServer) -> None:
    await settle(bot)
    assert [c.method for c in bot.slack.calls if c.method != "auth.test"] == []
    assert await questions(bot) == []
    assert await bot.core.ladder.queue() == []


async def test_unsigned_forged_tampered_and_stale_requests_get_401(bot: BotServer, caplog) -> None:
    now = int(time.time())
    attempts: list[sr.Signed] = []
    for signed in requests_of_every_kind().values():
        attempts += [unsigned(signed), tampered(signed)]
        attempts.append(with_headers(signed, **{"X-Slack-Signature": ""}))
        attempts.append(with_headers(signed, **{"X-Slack-Request-Timestamp": "abc"}))
        attempts.append(with_headers(signed, **{"X-Slack-Request-Timestamp": "9" * 40}))
        attempts.append(with_headers(signed, **{"X-Slack-Signature": "v1=" + "0" * 64}))
    for signing in (
        {"secret": "not-the-secret"},
        {"timestamp": now - 5 * 60 - 30},  # older than five minutes
        {"timestamp": now + 5 * 60 + 30},  # from the future
    ):
        attempts += requests_of_every_kind(**signing).values()
    for attempt in attempts:
        response = await bot.send(attempt)
        assert response.status == 401, attempt
        assert await response.json() == {"error": "invalid request"}
    await nothing_happened(bot)
    assert not trouble(caplog)


HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80)
SIGNATURE_HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "X-Slack-Request-Timestamp": st.one_of(
            st.integers(min_value=-(10**12), max_value=10**12).map(str),
            st.just(str(int(time.time()))),
            HEADER_TEXT,
        ),
        "X-Slack-Signature": st.one_of(
            HEADER_TEXT, st.text("0123456789abcdef", min_size=64, max_size=64)
        ).map(lambda s: "v0=" + s),
    },
)


async def test_made_up_signature_headers_never_get_in(bot: BotServer, caplog) -> None:
    body, _ = sr.slash_command("/support", f"ask {QUESTION}")

    async def check(headers: dict[str, str]) -> None:
        response = await bot.send((body, {"Content-Type": sr.FORM_CT, **headers}))
        assert response.status == 401, headers

    await asyncio.to_thread(examples(bot, SIGNATURE_HEADERS, check))
    await nothing_happened(bot)
    assert not trouble(caplog)


async def test_a_replayed_command_button_or_form_gets_409_and_runs_once(bot: BotServer) -> None:
    url = bot.slack.response_url("once")
    ask = sr.slash_command("/support", f"ask {QUESTION}", response_url=url)
    assert (await bot.send(ask)).status == 200
    await bot.slack.wait_for("response_url")
    replayed = await bot.send(ask)
    assert replayed.status == 409
    assert await replayed.json() == {"error": "replayed request"}
    await settle(bot)
    assert len(bot.slack.calls_to("response_url")) == 1
    assert [q.text for q in await questions(bot)] == [QUESTION]

    for signed in (
        sr.block_actions("esc_claim", "1", response_url=bot.slack.response_url("b")),
        sr.view_submission("esc_answer_modal", {"input": {"input": "x"}}, private_metadata="1"),
        sr.message_shortcut(
            "esc_thread_answer", {"ts": "1.1"}, response_url=bot.slack.response_url("s")
        ),
    ):
        assert (await bot.send(signed)).status == 200
        assert (await bot.send(signed)).status == 409


async def test_a_replay_that_reaches_another_process_is_not_run_again(
    bot: BotServer, database_url: str
) -> None:
    """Behind a load balancer the replay may reach a process that never saw the signature: the
    command is known to the shared inbox by its trigger id, the form to the processed events."""
    other = await start_bot(make_settings(database_url), bot.slack)
    try:
        url = bot.slack.response_url("once")
        ask = sr.slash_command("/support", f"ask {QUESTION}", response_url=url)
        assert (await bot.send(ask)).status == 200
        await bot.slack.wait_for("response_url")
        replayed = await other.send(ask)
        assert replayed.status == 200 and await replayed.text() == ""
        form = sr.view_submission(
            "esc_answer_modal", {"input": {"input": "x"}}, private_metadata="1"
        )
        first = await bot.send(form)
        assert (await first.json())["response_action"] == "errors"  # no ticket #1: run, refused
        again = await other.send(form)
        assert again.status == 200 and await again.text() == ""  # not run again
        await settle(bot)
        await settle(other)
        assert len(bot.slack.calls_to("response_url")) == 1
        assert [q.text for q in await questions(bot)] == [QUESTION]
    finally:
        await other.close()


async def test_a_replayed_event_is_answered_once(bot: BotServer) -> None:
    """Events are not refused as replays (Slack retries them, signed anew or not): the desk
    knows them by their event id."""
    signed = sr.event_callback(sr.message_event("hur gör jag en cykelinventering?"))
    responses = [await bot.send(signed) for _ in range(3)]
    assert [r.status for r in responses] == [200, 200, 200]
    await bot.slack.wait_for("chat.postMessage")
    await settle(bot)
    assert len(bot.slack.calls_to("chat.postMessage")) == 1
    assert len(await questions(bot)) == 1


async def test_a_request_captured_and_replayed_later_is_stale(bot: BotServer) -> None:
    """A replay after five minutes fails the timestamp check, however it was signed."""
    old = int(time.time()) - 5 * 60 - 1
    for signed in requests_of_every_kind(timestamp=old).values():
        assert (await bot.send(signed)).status == 401
    await nothing_happened(bot)


def test_a_signature_is_remembered_as_long_as_its_timestamp_is_accepted() -> None:
    now = [1_800_000_000.0]
    replays = Replays(clock=lambda: now[0])
    assert replays.first_time("1800000000", "v0=aa")
    assert not replays.first_time("1800000000", "v0=aa")
    assert replays.first_time("1800000000", "v0=bb")
    now[0] += 5 * 60 - 1  # its timestamp still passes the signature check: still a replay
    assert not replays.first_time("1800000000", "v0=aa")
    now[0] += 2 * 60  # past the window: forgotten (the signature check refuses it anyway)
    assert replays.first_time("1800000000", "v0=aa")


# ---- privileged actions ----------------------------------------------------------------------


@pytest_asyncio.fixture
async def desk(database_url: str, slack: FakeSlackAPI, tmp_path: Path) -> AsyncIterator[BotServer]:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    settings = make_settings(
        database_url,
        knowledge_dir=knowledge,
        areas=(
            Area("finance", "Ekonomi", superusers=(ANNA, PER)),
            Area("warehouse", "Lager", superusers=(OLA,)),
            Area("purchasing", "Inköp"),
        ),
        escalation=Escalation(triage_channel="C0TRIAGE", admins=frozenset({ADMIN})),
        vendor=Vendor("Fenix", slack_channel="C0FENIX"),
    )
    bot = await start(settings, slack, Clock())
    yield bot
    await bot.close()


DOMAIN = (Question, EscalationRow, EscalationEvent, OutboxMessage, LearnedPhrasing)


async def state(bot: BotServer) -> dict[str, Any]:
    """The domain tables and the FAQ files, once the outbox has nothing left to send."""
    await settle(bot)
    while await bot.core.outbox.deliver_due():
        pass
    async with bot.core.db.session() as session:
        tables = {
            model.__tablename__: (await session.execute(select(*model.__table__.columns))).all()
            for model in DOMAIN
        }
    root = bot.core.settings.knowledge_dir
    files = {str(p): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    return {"tables": tables, "files": files}


async def reply_to(bot: BotServer, signed_for: Any, key: str) -> str:
    """Send what `signed_for(response_url)` builds; the text of the reply to its response_url."""
    url = bot.slack.response_url(key)
    before = len(bot.slack.calls_to("response_url"))
    assert (await bot.send(signed_for(url))).status == 200
    return (await bot.slack.wait_for("response_url", count=before + 1))[before].args["text"]


async def test_privileged_buttons_forms_and_commands_are_refused_to_others(desk: BotServer):
    bot = desk
    event = sr.message_event(QUESTION, user=ASKER)
    await bot.send(sr.event_callback(event))
    await delivered(bot, 4)  # the reply, Anna's DM, triage, the asker's update
    before = await state(bot)
    select_warehouse = {
        "type": "static_select",
        "selected_option": {"text": {"type": "plain_text", "text": "Lager"}, "value": "warehouse"},
    }
    n = 0
    for user in (NOBODY, OLA, ASKER):
        for action in ("esc_claim", "esc_answer", "esc_escalate", "esc_reassign", "esc_faq"):
            n += 1
            text = await reply_to(
                bot,
                lambda url, a=action, u=user: sr.block_actions(
                    a, "1", user_id=u, channel_id=ANNA, response_url=url
                ),
                f"b{n}",
            )
            assert text == NOT_ALLOWED, (user, action)
        for callback, value in (
            ("esc_answer_modal", "mitt svar"),
            ("esc_escalate_modal", "till leverantören"),
            ("esc_reassign_modal", select_warehouse),
        ):
            submitted = sr.view_submission(
                callback, {"input": {"input": value}}, user_id=user, private_metadata="1"
            )
            response = await bot.send(submitted)
            assert response.status == 200
            assert await response.json() == {
                "response_action": "errors",
                "errors": {"input": NOT_ALLOWED},
            }, (user, callback)
        for typed in (
            "claim 1",
            "release 1",
            "answer 1 mitt svar",
            "escalate 1 nu",
            "reassign 1 warehouse",
            "vendor-reply 1 leverantörens svar",
            "faq 1",
            *(["close 1 stängt"] if user != ASKER else []),  # the asker may close their own
        ):
            [reply] = await command(bot, typed, key=f"c{user}{typed.split()[0]}", user=user)
            assert reply.args["text"] == NOT_ALLOWED, (user, typed)
        in_thread = {"ts": sr.new_ts(), "thread_ts": event["ts"], "text": "x", "user": ASKER}
        n += 1
        text = await reply_to(
            bot,
            lambda url, u=user, m=in_thread: sr.message_shortcut(
                "esc_thread_answer", m, user_id=u, response_url=url
            ),
            f"s{n}",
        )
        assert text == NOT_ALLOWED
    assert bot.slack.calls_to("views.open") == []
    assert await state(bot) == before

    # Anna may: she answers, and then only the asker may say whether it solved the question
    posts = bot.slack.calls_to("chat.postMessage")
    [dm] = [c for c in posts if c.args["channel"] == ANNA]
    await bot.send(press(bot, dm, "esc_claim", ANNA))
    await settle(bot)  # the press is carried out from the inbox before she has written her answer
    await bot.send(
        sr.view_submission(
            "esc_answer_modal", {"input": {"input": "Så här."}}, user_id=ANNA, private_metadata="1"
        )
    )
    await settle(bot)
    posts = await delivered(bot, 8)
    [answered] = [c for c in posts if "Svar på ärende #1" in c.args["text"]]
    await settle(bot)
    before, updated = await state(bot), len(bot.slack.calls_to("chat.update"))
    for user in (NOBODY, ANNA, ADMIN):
        for action in ("esc_solved", "esc_not_solved"):
            count = len(bot.slack.calls_to("response_url")) + 1
            assert (await bot.send(press(bot, answered, action, user))).status == 200
            text = (await bot.slack.wait_for("response_url", count=count))[-1].args["text"]
            assert text == "Bara <@U0ASKER>, som frågade, kan svara på det.", (user, action)
    await settle(bot)
    assert len(bot.slack.calls_to("chat.update")) == updated  # no post about it changed
    assert await state(bot) == before
    assert (await bot.core.ladder.status(1)).escalation.state == "answered"


async def test_only_the_asker_marks_or_sends_on_their_question(desk: BotServer) -> None:
    bot = desk
    await bot.send(sr.event_callback(sr.message_event("hur gör jag en cykelinventering?")))
    await bot.send(sr.event_callback(sr.message_event("vad blir det till lunch?")))
    posts = await bot.slack.wait_for("chat.postMessage", count=2)
    before = await state(bot)
    for user in (NOBODY, ANNA, ADMIN):
        for post in posts:
            for block in post.args["blocks"]:
                for button in block.get("elements", []) if block["type"] == "actions" else []:
                    if button["action_id"].startswith("suggestion"):
                        continue  # reading an entry's answer is for everyone
                    await bot.send(
                        sr.block_actions(
                            button["action_id"],
                            button["value"],
                            user_id=user,
                            message={"ts": post.response["ts"], "blocks": post.args["blocks"]},
                        )
                    )
    await settle(bot)
    refusals = [c.args["text"] for c in bot.slack.calls_to("chat.postEphemeral")]
    assert len(refusals) == 3 * 3  # two feedback buttons and "ask a superuser anyway", 3 people
    assert all(text.startswith("Bara <@U0ASKER>") for text in refusals), refusals
    assert bot.slack.calls_to("chat.update") == []
    assert await state(bot) == before


async def test_answers_from_a_superuser_or_the_vendor_ping_nobody(desk: BotServer) -> None:
    """A superuser's answer and the vendor's are shown to the asker with their formatting (and
    links), but markup for a mention, in code or not, is shown as text."""
    bot = desk
    await bot.send(sr.event_callback(sr.message_event(QUESTION)))
    await bot.send(sr.event_callback(sr.message_event(f"Kollegan undrar: {QUESTION}", user="U0X")))
    await sent_to(bot, ANNA)
    typed = "Se `<!channel>` och ```<!here>``` och <!everyone> <@U0BOSS> &lt;!channel&gt;"
    submit = sr.view_submission(
        "esc_answer_modal", {"input": {"input": typed}}, user_id=ANNA, private_metadata="1"
    )
    assert (await bot.send(submit)).status == 200
    await command(bot, "escalate 2 nu", key="esc", user=ANNA)
    request = await sent_to(bot, "C0FENIX")
    for _ in range(100):  # the outbox records where the request went once Slack took it
        if await bot.core.ladder.for_vendor_message(request.response["ts"]):
            break
        await asyncio.sleep(0.02)
    vendor_wrote = "Prova `&lt;!channel&gt;` eller <!here> och `<!subteam^S0EVIL>` *nu*"
    reply_event = sr.message_event(
        vendor_wrote, user="U0FENIX1", channel="C0FENIX", thread_ts=request.response["ts"]
    )
    await bot.send(sr.event_callback(reply_event))
    await bot.slack.wait_for("reactions.add")
    await state(bot)  # delivers everything
    answers = [
        c for c in bot.slack.calls_to("chat.postMessage") if "Svar på ärende" in c.args["text"]
    ]
    assert len(answers) == 2
    for answer in answers:
        shown = [t for t in strings(answer.args) if isinstance(t, str)]
        tokens = [tok for text in shown for tok in SLACK_MARKUP.findall(text)]
        assert not [tok for tok in tokens if tok.startswith("<!") or "U0BOSS" in tok], tokens
    assert "`&lt;!channel&gt;`" in texts_of(answers[0].args["blocks"])
    assert "*nu*" in texts_of(answers[1].args["blocks"])


async def test_an_faq_heading_from_a_question_pings_nobody_when_answered(desk: BotServer):
    """`/support faq N` makes the asker's words an FAQ heading: an answer from that entry
    repeats it in its notification text (what Slack notifies with) as text, not as markup."""
    bot = desk
    typed = f"&lt;!channel&gt; {QUESTION}"  # how Slack sends `<!channel>` typed as characters
    await bot.send(sr.event_callback(sr.message_event(typed)))
    await delivered(bot, 4)
    for text in ("claim 1", "answer 1 Bokför den på 1710 och periodisera månadsvis."):
        await command(bot, text, key=text.split()[0], user=ANNA)
    await bot.core.ladder.confirm(1, ASKER, solved=True)
    [added] = await command(bot, "faq 1", key="faq", user=ANNA)
    assert "tillagt i FAQ:n" in added.args["text"]
    await bot.send(sr.event_callback(sr.message_event(typed, user="U0OTHER")))
    await settle(bot)
    [answer] = [
        c
        for c in bot.slack.calls_to("chat.postMessage")
        if "feedback_solved" in json.dumps(c.args.get("blocks") or [])
    ]
    assert answer.args["text"].endswith(f"&lt;!channel&gt; {QUESTION}")
    assert not [t for t in SLACK_MARKUP.findall(answer.args["text"]) if t.startswith("<!")]


async def test_nul_in_a_superusers_text_is_saved_without_it(desk: BotServer, caplog) -> None:
    """PostgreSQL refuses NUL in text: a command's or a form's text loses control characters
    before it is saved, so the answer is not lost."""
    bot = desk
    await bot.send(sr.event_callback(sr.message_event(QUESTION)))
    await bot.send(sr.event_callback(sr.message_event(f"Kollegan undrar: {QUESTION}", user="U0X")))
    await delivered(bot, 8)
    [reply] = await command(bot, "answer 1 Så\x00 här.\x07", key="answer", user=ANNA)
    assert reply.args["text"] == "Svaret på #1 är skickat till den som frågade."
    submit = sr.view_submission(
        "esc_answer_modal",
        {"input": {"input": "Så\x00 där.\x7f"}},
        user_id=ANNA,
        private_metadata="2",
    )
    assert (await bot.send(submit)).status == 200
    assert (await bot.core.ladder.status(1)).escalation.answer == "Så här."
    assert (await bot.core.ladder.status(2)).escalation.answer == "Så där."
    assert not trouble(caplog)


# ---- no secret in logs, errors or messages ---------------------------------------------------

BOT_TOKEN = "xoxb-7777-SECRETBOTTOKEN-q1w2e3"
SIGNING_SECRET = "SECRETSIGNING-a9s8d7f6"
APP_TOKEN = "xapp-1-SECRETAPPTOKEN-z0x9"
SMTP_PASSWORD = "SECRETSMTPPASSWORD-m3n4"
DB_PASSWORD = "SECRETDBPASSWORD-h7j8"
SECRETS = (BOT_TOKEN, SIGNING_SECRET, APP_TOKEN, SMTP_PASSWORD, DB_PASSWORD)
# parts of them, so that a shortened or re-encoded secret is found too
MARKERS = ("SECRETBOTTOKEN", "SECRETSIGNING", "SECRETAPPTOKEN", "SECRETSMTPPASSWORD", "SECRETDB")


def leaks(text: str) -> list[str]:
    return [marker for marker in MARKERS if marker in text]


async def start(
    settings: Settings,
    slack: FakeSlackAPI,
    clock: Clock,
    *,
    token: str = "xoxb-test-token",
    secret: str = sr.TEST_SIGNING_SECRET,
) -> BotServer:
    """The harness's server (tests/e2e/harness.py), with the token and signing secret given."""
    settings = replace(
        settings, slack_bot_token=token, slack_signing_secret=secret, slack_api_url=slack.url
    )
    core = await create_core(settings, clock)
    runner = web.AppRunner(create_web_app(build_app(core), core))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return BotServer(core, slack, f"http://127.0.0.1:{port}", runner, aiohttp.ClientSession())


def with_password(database_url: str) -> str:
    """The PostgreSQL URL with a password in it (the test server trusts local connections, so
    it is never checked, only carried); SQLite has none."""
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        return database_url
    return url.set(password=DB_PASSWORD).render_as_string(hide_password=False)


async def test_no_secret_in_logs_errors_or_messages_of_a_whole_run(
    database_url: str,
    slack: FakeSlackAPI,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    settings = make_settings(
        with_password(database_url),
        knowledge_dir=knowledge,
        slack_app_token=APP_TOKEN,
        areas=(
            Area("finance", "Ekonomi", superusers=(ANNA,)),
            Area("warehouse", "Lager", superusers=(OLA,)),
            Area("purchasing", "Inköp"),
        ),
        escalation=Escalation(triage_channel="C0TRIAGE"),
        vendor=Vendor(
            "Fenix",
            slack_channel="C0FENIX",
            email="support@fenix.example",
            webhook_url=f"http://127.0.0.1:{free_port()}/tickets",
        ),
        smtp=Smtp(
            host="127.0.0.1",
            port=free_port(),
            username="firstline",
            password=SMTP_PASSWORD,
            starttls=False,
        ),
    )
    clock = Clock()
    bot = await start(settings, slack, clock, token=BOT_TOKEN, secret=SIGNING_SECRET)
    said: list[str] = []  # everything the server answered over HTTP
    our = {"secret": SIGNING_SECRET}

    async def send(signed: sr.Signed) -> None:
        said.append(await (await bot.send(signed)).text())

    try:
        slack.fail_next("users.info", error="token_revoked")
        slack.fail_next("chat.postMessage", error="invalid_auth")  # Slack refuses a message
        await send(sr.event_callback(sr.message_event("hur gör jag en cykelinventering?"), **our))
        await settle(bot)
        slack.fail_next("chat.postMessage", status=500, times=3)  # then is down for a while
        await send(sr.event_callback(sr.message_event("tack!"), **our))
        await settle(bot)
        await send(sr.event_callback(sr.message_event(QUESTION), **our))  # escalated to Anna
        await send(sr.event_callback(sr.dm_event("faktura"), **our))
        dm = await sent_to(bot, ANNA, clock)
        slack.fail_next("views.open", error="invalid_auth")
        for action in ("esc_claim", "esc_answer"):
            body, _ = press(bot, dm, action, ANNA)
            await send((body, {"Content-Type": sr.FORM_CT, **sr.sign(body, SIGNING_SECRET)}))
        await send(
            sr.slash_command(
                "/support",
                "escalate 1 leverantören behövs",
                user_id=ANNA,
                response_url=slack.response_url("esc"),
                secret=SIGNING_SECRET,
            )
        )
        await send(sr.slash_command("/support", "claim 1", secret="wrong-secret"))
        await send(sr.slash_command("/support", "claim 1", secret=SIGNING_SECRET, timestamp=1))
        await settle(bot)
        for _ in range(3):  # the e-mail and the webhook fail: their ports are closed
            await bot.core.outbox.deliver_due()
        async with bot.core.db.session() as session:
            stored = [
                str(value)
                for model in DOMAIN
                for row in (await session.execute(select(*model.__table__.columns))).all()
                for value in row
            ]
    finally:
        await bot.close()

    errors = [str(exc) for exc in await config_errors(tmp_path)]
    out, err = capfd.readouterr()
    logged = [
        "\n".join(
            [
                record.getMessage(),
                logging.Formatter().formatException(record.exc_info) if record.exc_info else "",
                record.exc_text or "",
                record.stack_info or "",
            ]
        )
        for record in caplog.records
    ]
    assert any("invalid_auth" in line for line in logged)  # the failures were logged
    assert any("'Authorization': '(redacted)'" in line for line in logged)  # Slack SDK, debug
    assert any("SMTP" in line for line in logged)
    sent = [s for call in slack.calls for s in strings(call.args)]
    tokens = {call.token for call in slack.calls if call.method != "response_url"}
    assert tokens == {BOT_TOKEN}  # the token went where it belongs, and only there
    for where, texts in (
        ("log records", logged),
        ("stdout and stderr", [out, err]),
        ("HTTP answers", said),
        ("what was sent to Slack", sent),
        ("the database", stored),
        ("configuration errors", errors),
    ):
        found = {marker for text in texts for marker in leaks(text)}
        assert not found, f"{found} in {where}"


WEBHOOK_SECRET = "SECRETWEBHOOK-k5l6"


async def test_a_failing_webhook_is_logged_without_its_url_secret(
    database_url: str, slack: FakeSlackAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A webhook URL often carries its secret (`?token=`, or a path a service gives out): a
    failure names the webhook by scheme, host and port, in the log and in the outbox."""
    caplog.set_level(logging.DEBUG)
    settings = make_settings(
        database_url,
        areas=(Area("finance", "Ekonomi", superusers=(ANNA,)),),
        vendor=Vendor(
            "Fenix", webhook_url=f"http://127.0.0.1:{free_port()}/hook?token={WEBHOOK_SECRET}"
        ),
    )
    bot = await start(settings, slack, Clock())
    try:
        await bot.send(sr.event_callback(sr.message_event(QUESTION)))
        await sent_to(bot, ANNA)
        await command(bot, "escalate 1 nu", key="esc", user=ANNA)
        for _ in range(3):
            await bot.core.outbox.deliver_due()
        outbox = (await state(bot))["tables"]["outbox"]
    finally:
        await bot.close()
    logged = [r.getMessage() for r in caplog.records]  # the database driver's debug echo too
    assert any("webhook http://127.0.0.1:" in line for line in logged)
    assert not [line for line in logged if WEBHOOK_SECRET in line]
    errors = [str(row.last_error) for row in outbox if row.route == "webhook"]
    assert errors and not [e for e in errors if WEBHOOK_SECRET in e]


async def sent_to(bot: BotServer, channel: str, clock: Clock | None = None) -> Call:
    """The first message Slack took for `channel`, delivering the outbox until there is one
    (moving `clock` on, if given, so that what failed before is due again)."""
    for _ in range(100):
        await settle(bot)
        if clock is not None:
            clock.advance(minutes=1)
        await bot.core.outbox.deliver_due()
        taken = [
            c
            for c in bot.slack.calls_to("chat.postMessage")
            if c.args["channel"] == channel and not c.failed
        ]
        if taken:
            return taken[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"nothing was posted to {channel}")


async def config_errors(tmp_path: Path) -> list[SettingsError]:
    """The configuration errors a mistyped environment gives, each with a secret set."""
    secrets = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PASSWORD": SMTP_PASSWORD,
        "KNOWLEDGE_DIR": str(KNOWLEDGE),
    }
    bad_config = tmp_path / "bad.toml"
    bad_config.write_text('[vendor]\nemail = "x@y"\nwebhook = 1\n')
    mistakes = [
        {"SLACK_BOT_TOKEN": "xoxp-" + BOT_TOKEN},  # a user token
        {"SLACK_BOT_TOKEN": APP_TOKEN},
        {"SLACK_APP_TOKEN": BOT_TOKEN},
        {"SLACK_API_URL": "ftp://slack.example"},
        {"SMTP_PORT": "not-a-port"},
        {"SMTP_STARTTLS": "maybe"},
        {"PORT": "99999"},
        {"KNOWLEDGE_DIR": str(tmp_path / "missing")},
        {"FIRSTLINE_CONFIG": str(bad_config)},
        {"FIRSTLINE_CONFIG": str(tmp_path / "missing.toml")},
        {"DATABASE_URL": f"mysql://firstline:{DB_PASSWORD}@db.example/firstline"},
        {"DATABASE_URL": f"postgresql+pg8000://firstline:{DB_PASSWORD}@db.example/firstline"},
        {"DATABASE_URL": f"mysql://firstline:{DB_PASSWORD}@oops@db.example/firstline"},
        {"DATABASE_URL": f"firstline:{DB_PASSWORD}@db.example"},
    ]
    errors = []
    for mistake in mistakes:
        try:
            await asyncio.to_thread(load_settings, {**secrets, **mistake}, env_file=None)
        except SettingsError as exc:
            errors.append(exc)
    assert len(errors) == len(mistakes)
    return errors


async def test_firstline_run_logs_no_secret_even_in_debug(slack: FakeSlackAPI, tmp_path) -> None:
    """The real process with debug logging: start, a question, a request with a wrong
    signature, stop; then a token Slack refuses. Nothing it prints has a secret in it."""
    port = free_port()
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PASSWORD": SMTP_PASSWORD,
        "PORT": str(port),
    }
    config = tmp_path / "firstline.toml"
    config.write_text('[bot]\nsupport_channels = ["C0SUPPORT"]\n')
    process = await start_verbose({**env, "FIRSTLINE_CONFIG": str(config)})
    try:
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    async with http.get(url + "/healthz"):
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            for signed in (
                sr.event_callback(sr.message_event(QUESTION), secret=SIGNING_SECRET),
                sr.slash_command("/support", "claim 1", secret="wrong"),
            ):
                body, headers = signed
                async with http.post(url + "/slack/events", data=body.encode(), headers=headers):
                    pass
        await slack.wait_for("chat.postMessage", timeout=10)
    finally:
        code, stderr = await stop(process)
    assert code == 0, stderr
    assert "DEBUG" in stderr and "chat.postMessage" in stderr
    assert not leaks(stderr), leaks(stderr)

    slack.fail_next("auth.test", error="invalid_auth")
    code, stderr = await stop(await start_verbose(env), terminate=False)
    assert code == 2 and "Slack refused SLACK_BOT_TOKEN: invalid_auth" in stderr
    assert not leaks(stderr), leaks(stderr)


async def start_verbose(env: dict[str, str]) -> asyncio.subprocess.Process:
    """`firstline -v run --http` with `env` (as test_run_process.start_firstline, debug on)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FIRSTLINE_"))}
    base.update({"KNOWLEDGE_DIR": str(KNOWLEDGE), "PYTHONPATH": str(ROOT)}, **env)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "handlers.terminal.cli", "-v", "run", "--http",
        env=base, cwd=ROOT, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
