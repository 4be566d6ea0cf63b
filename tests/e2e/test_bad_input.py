"""Bad input against the real server: odd and hostile message texts, slash-command arguments of
every kind, unknown and crafted buttons and forms, bodies that aren't Slack's. Whatever comes in
gets a clear reply or a 4xx, never a 500 or a traceback; what the bot sends back pings nobody and
links nowhere the asker's text pointed; and the question is recorded, answered or declined."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import UNANSWERABLE
from tests.e2e import slack_requests as sr
from tests.e2e.fake_slack import Call
from tests.e2e.harness import BotServer
from tests.e2e.test_slack_questions import questions, settle

# ---- what must never happen ------------------------------------------------------------------


def trouble(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log records that mean something went wrong handling a request: errors, tracebacks, and
    Bolt's 'didn't call ack()' (Slack then shows the user an error)."""
    return [
        f"{r.levelname} {r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.ERROR
        or r.exc_info
        or "Traceback" in r.getMessage()
        or "didn't call ack()" in r.getMessage()
    ]


def strings(value: Any) -> Iterator[str]:
    """Every string in a Web API call's arguments (blocks and views included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


SLACK_MARKUP = re.compile(r"<[^<>]*>")
# What the hostile texts below point at: none of it may come back as a mention or a link.
HOSTILE_MARKERS = ("evil", "U0BOSS", "S0EVIL", "C0SECRET")


def pings_and_links(call: Call) -> list[str]:
    """Mentions and links in what the bot sent that it must not send: any @channel, @here,
    @everyone, user or group mention, any channel but the configured support channel, any link
    to what the hostile texts named."""
    bad = []
    for text in strings({k: v for k, v in call.args.items() if k in ("text", "blocks", "view")}):
        for token in SLACK_MARKUP.findall(text):
            mention = token.startswith(("<!", "<@"))
            other_channel = token.startswith("<#") and token != "<#C0SUPPORT>"
            if mention or other_channel or any(m in token for m in HOSTILE_MARKERS):
                bad.append(token)
    return bad


def within_slack_limits(call: Call) -> None:
    """A message Slack would take: text, sections and buttons within Slack's documented limits
    (a longer section or button makes chat.postMessage fail with invalid_blocks)."""
    assert len(call.args.get("text") or "") <= 40_000
    blocks = call.args.get("blocks") or []
    assert len(blocks) <= 50
    for block in blocks:
        if block["type"] == "section":
            assert 0 < len(block["text"]["text"]) <= 3000
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert 0 < len(element["text"]["text"]) <= 75
                assert len(element.get("value", "")) <= 2000


TICKET_NOTICE = re.compile(r"\b(ärende|ticket) #\d+", re.IGNORECASE)


def replies_in(bot: BotServer, thread: str) -> list[Call]:
    """The bot's replies in `thread`; not the ladder's notices about the question's ticket, which
    go there too (all of them, replies or not, are checked for pings the same way)."""
    return [
        c
        for c in bot.slack.calls_to("chat.postMessage")
        if c.args.get("thread_ts") == thread and not TICKET_NOTICE.search(c.args.get("text", ""))
    ]


def all_posts_ping_nobody(bot: BotServer) -> None:
    for call in bot.slack.calls_to("chat.postMessage") + bot.slack.calls_to("response_url"):
        assert not pings_and_links(call), pings_and_links(call)
        within_slack_limits(call)


async def command(bot: BotServer, text: str, *, key: str, user: str = "U0ASKER") -> list[Call]:
    """`/support text`: the HTTP status must be 200; returns the replies to its response_url."""
    url = bot.slack.response_url(key)
    response = await bot.send(sr.slash_command("/support", text, user_id=user, response_url=url))
    assert response.status == 200, (text, response.status)
    await settle(bot)
    return [
        c for c in bot.slack.calls_to("response_url") if c.args["_path"].endswith(f"/{key}/fake")
    ]


def examples(
    bot: BotServer,
    strategy: st.SearchStrategy[Any],
    check: Callable[[Any], Awaitable[None]],
    count: int = 25,
) -> Callable[[], None]:
    """Hypothesis, run in a worker thread, giving each example to `check` on the server's loop:
    the bot and its database are made once for all examples. Few examples, so the suite stays
    fast; a failure is shrunk to its smallest text as usual."""
    loop = asyncio.get_running_loop()

    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(value: Any) -> None:
        asyncio.run_coroutine_threadsafe(check(value), loop).result(timeout=60)

    return run


# ---- message text ----------------------------------------------------------------------------

ODD_TEXTS = {
    "huge": (UNANSWERABLE + " ") * 700,
    "emoji codes": ":tada: :thumbsup::skin-tone-2: :+1:",
    "emoji": "😀🎉👍🏽🇸🇪",
    "arabic": "كيف يمكنني إنشاء فاتورة دائنة للعميل؟",
    "hebrew": "איך אני מזכה חשבונית של לקוח?",
    "bidi override": "hur krediterar jag en \u202efaktura\u202c till kunden?",
    "controls": "hur gör jag\x00 en\x07 cykelinventering?\x1b[31m\x08",
    "only controls": "\x00\x01\x02\x7f",
    "zero width": "hur\u200b gör\u200d jag en\ufeff cykelinventering?",
    "combining": "hur go\u0308r jag en cykelinventering?",
    "mrkdwn": "*fet* _kursiv_ ~struken~ `kod` ```block``` > citat hur krediterar jag en faktura?",
    "html": "&lt;script&gt;alert(1)&lt;/script&gt; hur krediterar jag en faktura?",
    "lone surrogate": "hur gör jag en cykelinventering?\ud800",
    "one char": "?",
}


async def test_odd_message_texts_are_answered_once_within_slacks_limits(
    bot: BotServer, caplog: pytest.LogCaptureFixture
) -> None:
    sent = {}
    for name, text in ODD_TEXTS.items():
        event = sr.message_event(text)
        assert (await bot.send(sr.event_callback(event))).status == 200, name
        sent[name] = event["ts"]
    await settle(bot)
    for name, ts in sent.items():
        replies = replies_in(bot, ts)
        assert len(replies) == 1, name
    await bot.core.outbox.deliver_due()
    all_posts_ping_nobody(bot)
    assert not trouble(caplog)

    def shown(name: str) -> str:
        return "\n".join(strings(replies_in(bot, sent[name])[0].args["blocks"]))

    assert "inte handla om affärssystemet" in shown("arabic")  # declined, and said why
    assert "hur krediterar jag den?" in shown("bidi override")  # answered despite the override
    assert "cykelinventering" in shown("controls").lower()  # answered from the FAQ
    assert "&lt;script&gt;" in shown("html")
    recorded = {q.message_ts: q for q in await questions(bot)}
    assert recorded[sent["huge"]].text.startswith(UNANSWERABLE)
    assert recorded[sent["controls"]].text == "hur gör jag en cykelinventering?[31m"
    assert recorded[sent["lone surrogate"]].text == "hur gör jag en cykelinventering?"
    assert "\u202e" in recorded[sent["bidi override"]].text
    assert recorded[sent["arabic"]].text == ODD_TEXTS["arabic"]
    for small_talk in ("emoji codes", "emoji", "only controls"):  # a short reply, not recorded
        assert sent[small_talk] not in recorded


async def test_empty_and_blank_messages_are_left_alone(bot: BotServer, caplog) -> None:
    for text in ("", " ", "\n\t \n"):
        event = sr.message_event(text)
        assert (await bot.send(sr.event_callback(event))).status == 200
    await settle(bot)
    assert bot.slack.calls_to("chat.postMessage") == []
    assert await questions(bot) == []
    assert not trouble(caplog)


INJECTIONS = [
    "<!channel> <!everyone> <!here> <@U0BOSS> <!subteam^S0EVIL|@admins>",
    "<https://evil.example/login|Logga in här> <https://evil.example> <#C0SECRET|general>",
    "<mailto:ceo@evil.example|VD:n> &lt;!channel&gt; &lt;@U0BOSS&gt; &lt;https://evil.example|x&gt;",
]


QUESTIONS = [
    UNANSWERABLE,  # declined and quoted back: the escaped text is shown
    "hur gör jag en cykelinventering?",  # answered from the FAQ
    "faktura",  # too vague: which entry is meant
    "vad blir det till lunch?",  # not about the ERP
]


async def test_mentions_and_links_in_a_question_never_come_back(
    bot: BotServer, caplog: pytest.LogCaptureFixture
) -> None:
    for question in QUESTIONS:
        for n, injection in enumerate(INJECTIONS):
            text = f"{injection} {question}" if n % 2 else f"{question} {injection}"
            await bot.send(sr.event_callback(sr.message_event(text)))
            await bot.send(sr.event_callback(sr.dm_event(text, user="U0DM")))
            mention = sr.app_mention_event(f"<@UBOT> {text}", channel="C0OTHER")
            await bot.send(sr.event_callback(mention))
    count = 3 * len(INJECTIONS) * len(QUESTIONS)
    await bot.slack.wait_for("chat.postMessage", count=count)
    await settle(bot)
    await bot.core.outbox.deliver_due()  # the ladder's notices to the threads
    posts = bot.slack.calls_to("chat.postMessage")
    assert len([p for p in posts if not TICKET_NOTICE.search(p.args["text"])]) == count
    all_posts_ping_nobody(bot)
    assert not trouble(caplog)
    asked = [q.text for q in await questions(bot)]
    assert any(text.startswith("Logga in här https://evil.example ") for text in asked)


async def test_the_echoed_question_shows_what_was_typed_escaped(bot: BotServer) -> None:
    text = f"{UNANSWERABLE} <https://evil.example|klicka> &lt;!here&gt; a & b"
    await bot.send(sr.event_callback(sr.message_event(text)))
    [post] = await bot.slack.wait_for("chat.postMessage")
    shown = "\n".join(strings(post.args["blocks"]))
    assert f"> {UNANSWERABLE} klicka &lt;!here&gt; a &amp; b" in shown


HOSTILE_PIECES = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U0BOSS>",
    "<@U0BOSS|chefen>",
    "<!subteam^S0EVIL|@admins>",
    "<https://evil.example|klicka>",
    "<https://evil.example>",
    "<#C0SECRET|general>",
    "&lt;!channel&gt;",
    "&lt;@U0BOSS&gt;",
    "&amp;lt;!here&amp;gt;",
    "@channel",
    "<",
    ">",
    "|",
    "&",
    "*",
    "_",
    "~",
    "`",
    "```",
    "\n",
    "faktura",
    "hur krediterar jag en faktura?",
    UNANSWERABLE,
]
MESSAGE_TEXTS = st.lists(
    st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(max_size=12)), max_size=10
).map(" ".join)


async def test_any_message_text_gets_one_reply_that_pings_nobody(
    bot: BotServer, caplog: pytest.LogCaptureFixture
) -> None:
    async def check(text: str) -> None:
        event = sr.message_event(text)
        assert (await bot.send(sr.event_callback(event))).status == 200
        await settle(bot)
        replies = replies_in(bot, event["ts"])
        assert len(replies) == (1 if text.strip() else 0), text
        for reply in replies:
            assert not pings_and_links(reply), (text, pings_and_links(reply))
            within_slack_limits(reply)
        assert not trouble(caplog), text

    await asyncio.to_thread(examples(bot, MESSAGE_TEXTS, check))


# ---- slash commands --------------------------------------------------------------------------

COMMAND_TEXTS = [
    "",
    "   ",
    "xyzzy",
    "hjälp",
    "HELP",
    "claim",
    "claim abc",
    "claim -1",
    "claim 0",
    "claim 99999999999999999999999",
    "claim 1e9",
    "claim ١٢",
    "claim ²",
    "claim #",
    "claim 1 2 3 4",
    "status 999999999",
    "release 7",
    "answer 1",
    "answer 99 ett svar",
    "escalate 3 varför",
    "reassign 1 ../../etc",
    "close 5",
    "vendor-reply",
    "faq abc",
    "queue",
    "queue mine",
    "queue all",
    "queue ../../etc/passwd",
    "queue " + "x" * 3000,
    "learned",
    "learned -5",
    "learned 0",
    "learned 99999999999999999999",
    "learned remove",
    "learned remove abc",
    "learned remove -1",
    "learned remove " + "9" * 30,
    "inlärda ta-bort " + "9" * 11,
    "inlärda ta-bort 5",
    "unresolved",
    "obesvarade",
    "owners",
    "uptime",
    "ask",
    "fråga",
    "fråga \x00\x01",
    "ÄÖÅ?",
    "😀",
    "\u202e\u202e",
    "\x00",
    "hur gör jag\x00 en cykelinventering?",
    "كيف أنشئ فاتورة؟",
    ("hur krediterar jag en faktura " * 150).strip() + "?",
]


async def test_every_kind_of_command_argument_gets_one_clear_reply(
    bot: BotServer, caplog: pytest.LogCaptureFixture
) -> None:
    for n, text in enumerate(COMMAND_TEXTS):
        replies = await command(bot, text, key=f"cmd{n}")
        assert len(replies) == 1, text
        [reply] = replies
        assert reply.args.get("text", "").strip(), text
        assert reply.args["response_type"] == "ephemeral"
        within_slack_limits(reply)
    assert not trouble(caplog)
    assert bot.slack.calls_to("chat.postMessage") == []  # commands answer only the one who typed
    asked = [q.text for q in await questions(bot)]
    assert "hur gör jag en cykelinventering?" in asked


async def test_a_command_with_injected_markup_pings_nobody(bot: BotServer, caplog) -> None:
    for n, text in enumerate(
        [
            f"ask {INJECTIONS[0]} {UNANSWERABLE}",
            f"{INJECTIONS[1]} hur krediterar jag en faktura?",
            "xyzzy<!channel>",
            "&lt;!channel&gt;",
            "queue <!channel>",  # a refusal repeats the area typed
            "queue <https://evil.example|klicka>",
            "reassign 1 <!here>",
        ]
    ):
        [reply] = await command(bot, text, key=f"inj{n}")
        assert not pings_and_links(reply), (text, pings_and_links(reply))
    assert not trouble(caplog)


COMMAND_WORDS = st.one_of(
    st.sampled_from(
        [
            "claim",
            "release",
            "answer",
            "escalate",
            "reassign",
            "close",
            "status",
            "vendor-reply",
            "faq",
            "queue",
            "owners",
            "uptime",
            "learned",
            "inlärda",
            "unresolved",
            "help",
            "hjälp",
            "ask",
            "fråga",
            "remove",
            "mine",
            "all",
            "finance",
            "#1",
        ]
    ),
    st.integers().map(str),  # past the database's integers too
    st.text(max_size=12),
)
COMMANDS = st.lists(COMMAND_WORDS, max_size=6).map(" ".join)


async def test_any_command_gets_exactly_one_reply(bot: BotServer, caplog) -> None:
    count = 0

    async def check(text: str) -> None:
        nonlocal count
        count += 1
        replies = await command(bot, text, key=f"hyp{count}")
        assert len(replies) == 1, text
        assert replies[0].args.get("text", "").strip(), text
        assert not trouble(caplog), text

    await asyncio.to_thread(examples(bot, COMMANDS, check))


MARKUP_COMMANDS = st.tuples(
    st.sampled_from(["queue", "reassign 1", "learned remove", "inlärda ta-bort", "claim"]),
    st.one_of(
        st.integers().map(str),
        st.sampled_from(["<!channel>", "<@U0BOSS>", "<https://evil.example|x>", "<!here>"]),
    ),
).map(" ".join)


async def test_any_number_or_markup_after_a_command_gets_one_reply_that_pings_nobody(
    bot: BotServer, caplog
) -> None:
    """Where a command takes a number or a word: any integer, and markup Slack would show."""
    count = 0

    async def check(text: str) -> None:
        nonlocal count
        count += 1
        replies = await command(bot, text, key=f"num{count}")
        assert len(replies) == 1, text
        assert not pings_and_links(replies[0]), (text, replies[0].args["text"])
        assert not trouble(caplog), text

    await asyncio.to_thread(examples(bot, MARKUP_COMMANDS, check, count=50))


# ---- buttons, forms and bodies ---------------------------------------------------------------


async def test_an_unknown_action_form_or_command_gets_a_4xx(bot: BotServer) -> None:
    for signed in (
        sr.block_actions("no_such_action", "1"),
        sr.block_actions("esc_claim_and_more", "1"),
        sr.block_actions("suggestion_x", "1"),
        sr.view_submission("no_such_modal", {"input": {"input": "x"}}, private_metadata="1"),
        sr.slash_command("/no-such-command", "claim 1"),
    ):
        response = await bot.send(signed)
        assert response.status == 404
        assert await response.json() == {"error": "unhandled request"}
    await settle(bot)
    assert [c.method for c in bot.slack.calls if c.method != "auth.test"] == []


async def test_crafted_form_metadata_gets_a_clear_error_in_the_form(bot: BotServer) -> None:
    refused = "Den här knappen eller formuläret pekar inte på något ärende."
    for metadata in ("-1", "1e3", "0x10", "99999999999999", "🙂", "{}", "1\x00", " "):
        for callback in ("esc_answer_modal", "esc_escalate_modal", "esc_reassign_modal"):
            submit = sr.view_submission(
                callback, {"input": {"input": "svar"}}, private_metadata=metadata
            )
            response = await bot.send(submit)
            assert response.status == 200
            assert await response.json() == {
                "response_action": "errors",
                "errors": {"input": refused},
            }


@pytest.mark.parametrize(
    "values",
    [{}, {"input": {}}, {"other": {"input": "x"}}, {"input": {"input": ["x"]}}],
    ids=["no blocks", "no field", "another block", "not an object"],
)
async def test_a_form_without_its_field_gets_an_error_in_the_form(
    bot: BotServer, caplog, values: dict
) -> None:
    for callback in ("esc_answer_modal", "esc_escalate_modal", "esc_reassign_modal"):
        response = await bot.send(sr.view_submission(callback, values, private_metadata="1"))
        assert response.status == 200, callback
        assert await response.json() == {
            "response_action": "errors",
            "errors": {"input": "Formuläret kom fram utan sitt fält. Stäng det och försök igen."},
        }
    assert not trouble(caplog)


async def test_crafted_escalation_button_values_get_a_clear_reply(bot: BotServer, caplog) -> None:
    values = ("-1", "0", "1.5", "１", "1; DROP TABLE escalations", "{}", "\x00", "9" * 9)
    expected = 0
    for action in ("esc_claim", "esc_answer", "esc_escalate", "esc_reassign", "esc_faq"):
        for value in values:
            url = bot.slack.response_url(f"{action}-{expected}")
            pressed = sr.block_actions(action, value, response_url=url)
            assert (await bot.send(pressed)).status == 200
            expected += 1
            reply = (await bot.slack.wait_for("response_url", count=expected))[-1]
            assert reply.args["text"] == (
                "Den här knappen eller formuläret pekar inte på något ärende."
            ) or re.fullmatch(r"Det finns inget ärende #\d+\.", reply.args["text"]), value
    await settle(bot)
    assert bot.slack.calls_to("views.open") == []
    assert not trouble(caplog)


NO_QUESTION = "Den här knappen pekar inte på någon fråga jag känner till. Ställ gärna frågan igen."


@pytest.mark.parametrize(
    ("actions", "values"),
    [
        (
            ("feedback_solved", "feedback_not_helpful", "ask_anyway"),
            ("abc", "", "-1", "1.5", "\x00", "9" * 12, "9" * 30),
        ),
        (
            ("suggestion_0", "suggestion_solved"),
            (
                "{]",
                "not json",
                "[]",
                json.dumps({"q": 10**30, "h": "x"}),
                json.dumps({"q": "abc", "h": "x"}),
                json.dumps({"q": True, "h": "x"}),
                json.dumps({"q": 1}),
                json.dumps({"h": "x"}),
                json.dumps({"q": 1, "h": ["x"]}),
            ),
        ),
    ],
    ids=["question id", "suggestion"],
)
async def test_crafted_question_button_values_get_a_clear_reply(
    bot: BotServer, caplog, actions: tuple[str, ...], values: tuple[str, ...]
) -> None:
    """The asker's buttons carry a question id: one that is not a number, or past the
    database's integers, tells the presser so, and only them."""
    expected = 0
    for action in actions:
        for value in values:
            url = bot.slack.response_url(f"{action}-{expected}")
            assert (await bot.send(sr.block_actions(action, value, response_url=url))).status == 200
            expected += 1
            reply = (await bot.slack.wait_for("response_url", count=expected))[-1]
            assert reply.args["text"] == NO_QUESTION, (action, value)
            assert reply.args["response_type"] == "ephemeral"
    await settle(bot)
    assert len(bot.slack.calls_to("response_url")) == expected
    assert [
        c.method for c in bot.slack.calls if c.method not in ("auth.test", "response_url")
    ] == []
    assert not trouble(caplog)


def _form(fields: dict[str, str]) -> str:
    return urlencode(fields)


MALFORMED = {
    "payload that isn't JSON": (_form({"payload": "{not json"}), sr.FORM_CT),
    "payload that is a list": (_form({"payload": "[1, 2]"}), sr.FORM_CT),
    "payload that is a string": (_form({"payload": '"block_actions"'}), sr.FORM_CT),
    "JSON that isn't": ("{not json", sr.JSON_CT),
    "JSON list": ("[1, 2]", sr.JSON_CT),
    "JSON number": ("42", sr.JSON_CT),
    "an event that isn't an object": (
        json.dumps({"type": "event_callback", "event": "message", "event_id": "Ev1"}),
        sr.JSON_CT,
    ),
    "a user that isn't an object": (
        _form({"payload": json.dumps({"type": "block_actions", "user": "U0ASKER"})}),
        sr.FORM_CT,
    ),
    "actions that aren't objects": (
        _form({"payload": json.dumps({"type": "block_actions", "actions": ["esc_claim"]})}),
        sr.FORM_CT,
    ),
}


async def test_a_malformed_body_gets_400_signed_and_401_unsigned(bot: BotServer, caplog) -> None:
    for name, (body, content_type) in MALFORMED.items():
        signed = sr._signed(body, content_type, sr.TEST_SIGNING_SECRET, None)
        response = await bot.send(signed)
        assert response.status == 400, name
        assert await response.json() == {"error": "the body is not a Slack request"}
        unsigned = (body, {"Content-Type": content_type})
        assert (await bot.send(unsigned)).status == 401, name
    await nothing_sent(bot)
    assert not trouble(caplog)


async def test_a_body_over_a_megabyte_gets_413(bot: BotServer, caplog) -> None:
    event = sr.message_event("x" * (1024 * 1024))
    response = await bot.send(sr.event_callback(event))
    assert response.status == 413
    await nothing_sent(bot)
    assert not trouble(caplog)


async def nothing_sent(bot: BotServer) -> None:
    await settle(bot)
    assert [c.method for c in bot.slack.calls if c.method != "auth.test"] == []
    assert await questions(bot) == []


def signed_bytes(raw: bytes, content_type: str, secret: str = sr.TEST_SIGNING_SECRET) -> dict:
    """Signature headers for a body that is bytes (Slack signs the bytes it sends)."""
    timestamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + raw, hashlib.sha256)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
    }


async def test_bodies_that_are_not_text_or_not_slacks(bot: BotServer, caplog) -> None:
    not_utf8 = b"payload=\xff\xfe\x00"
    for content_type in (sr.FORM_CT, sr.JSON_CT, "application/octet-stream"):
        for headers in (signed_bytes(not_utf8, content_type), {"Content-Type": content_type}):
            response = await bot.session.post(
                bot.url + "/slack/events", data=not_utf8, headers=headers
            )
            assert response.status == (400 if "X-Slack-Signature" in headers else 401)
    for body, content_type in (
        ("hej hopp", "text/plain"),
        ("", sr.FORM_CT),
        ("a=1&b=2", sr.FORM_CT),
        ("<xml>nej</xml>", "application/xml"),
    ):
        response = await bot.send(sr._signed(body, content_type, sr.TEST_SIGNING_SECRET, None))
        assert response.status == 404, (body, response.status)  # Bolt: no listener for it
    await settle(bot)
    assert [c.method for c in bot.slack.calls if c.method != "auth.test"] == []
    assert await questions(bot) == []
    assert not trouble(caplog)
