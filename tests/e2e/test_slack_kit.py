"""Self-tests for the e2e Slack kit: the fake Web API and the signed request builders."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from slack_bolt import BoltResponse
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.e2e import slack_requests as sr
from tests.e2e.fake_slack import FakeSlackAPI

SECRET = "s3cret"
BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI() as fake:
        yield fake


def client(fake: FakeSlackAPI, token: str | None = "xoxb-test") -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=fake.url)


@pytest.mark.asyncio
async def test_post_message_with_blocks_is_recorded(slack: FakeSlackAPI) -> None:
    web = client(slack)
    first = await web.chat_postMessage(channel="C1", text="hi", blocks=BLOCKS, thread_ts="1.2")
    second = await web.chat_postMessage(channel="C1", text="again")
    assert first["ts"] == "1700000000.000100" and second["ts"] == "1700000000.000200"
    assert first["message"]["blocks"] == BLOCKS and first["message"]["bot_id"] == "BBOT"
    call = slack.calls_to("chat.postMessage")[0]
    assert call.args["blocks"] == BLOCKS and call.args["thread_ts"] == "1.2"
    assert call.headers["Authorization"] == "Bearer xoxb-test" and call.token == "xoxb-test"
    assert not call.failed


@pytest.mark.asyncio
async def test_form_encoded_and_get_methods(slack: FakeSlackAPI) -> None:
    web = client(slack)
    await web.api_call("chat.postMessage", data={"channel": "C1", "blocks": json.dumps(BLOCKS)})
    assert slack.calls[-1].args["blocks"] == BLOCKS
    slack.set_user("U42", real_name="Ada Lovelace", profile={"display_name": "ada"})
    user = (await web.users_info(user="U42"))["user"]
    assert user["real_name"] == "Ada Lovelace" and user["profile"]["display_name"] == "ada"
    assert user["tz"] == "Europe/Stockholm" and user["is_bot"] is False
    assert (await web.conversations_open(users="U42"))["channel"]["id"] == "D42"
    assert (await web.auth_test())["user_id"] == "UBOT"
    link = await web.chat_getPermalink(channel="C1", message_ts="1700000000.000100")
    assert link["permalink"].endswith("/archives/C1/p1700000000000100")
    assert (await web.views_publish(user_id="U42", view={"type": "home", "blocks": []}))["view"][
        "id"
    ]
    await web.reactions_add(channel="C1", timestamp="1.2", name="eyes")
    with pytest.raises(SlackApiError, match="already_reacted"):
        await web.reactions_add(channel="C1", timestamp="1.2", name="eyes")
    app_token = await AsyncWebClient(token="xapp-1", base_url=slack.url).apps_connections_open(
        app_token="xapp-1"
    )
    assert app_token["url"].startswith("wss://")


@pytest.mark.asyncio
async def test_rate_limit_surfaces_retry_after(slack: FakeSlackAPI) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=7)
    web = client(slack)
    with pytest.raises(SlackApiError) as exc:
        await web.chat_postMessage(channel="C1", text="hi")
    assert exc.value.response.status_code == 429
    assert exc.value.response.headers["Retry-After"] == "7"
    assert exc.value.response["error"] == "ratelimited"
    await web.chat_postMessage(channel="C1", text="hi")
    assert [c.failed for c in slack.calls_to("chat.postMessage")] == [True, False]


@pytest.mark.asyncio
async def test_error_injection_and_auth(slack: FakeSlackAPI) -> None:
    web = client(slack)
    ts = (await web.chat_postMessage(channel="C1", text="x"))["ts"]
    slack.fail_next("chat.update", error="channel_not_found", times=2)
    slack.fail_next("chat.update", status=500)
    for expected in ("channel_not_found", "channel_not_found", "internal_error"):
        with pytest.raises(SlackApiError) as exc:
            await web.chat_update(channel="C1", ts=ts, text="x")
        assert exc.value.response["error"] == expected
    assert (await web.chat_update(channel="C1", ts=ts, text="y"))["ts"] == ts
    assert slack.posted[-1]["text"] == "y"  # updated in place
    with pytest.raises(SlackApiError, match="message_not_found"):  # only what was posted
        await web.chat_update(channel="C1", ts="1.2", text="x")
    with pytest.raises(SlackApiError, match="not_authed"):
        await client(slack, token=None).auth_test()
    assert slack.calls[-1].failed
    slack.reset()
    assert slack.calls == []


@pytest.mark.asyncio
async def test_wait_for(slack: FakeSlackAPI) -> None:
    async def later() -> None:
        await asyncio.sleep(0.05)
        await client(slack).chat_postMessage(channel="C1", text="late")

    task = asyncio.create_task(later())
    calls = await slack.wait_for("chat.postMessage", timeout=2)
    assert calls[0].args["text"] == "late"
    await task
    with pytest.raises(TimeoutError):
        await slack.wait_for("chat.postMessage", count=2, timeout=0.1)


def test_signatures_verified_by_slack_sdk() -> None:
    verifier = SignatureVerifier(SECRET)
    event = sr.message_event("help", thread_ts="1.1")
    builders: list[tuple[str, dict[str, str]]] = [
        sr.event_callback(event, secret=SECRET),
        sr.url_verification("abc", secret=SECRET),
        sr.slash_command(text="printer", secret=SECRET),
        sr.block_actions("escalate", "yes", secret=SECRET),
        sr.view_submission("ticket", {"b": {"a": "x"}}, secret=SECRET),
    ]
    for body, headers in builders:
        assert verifier.is_valid_request(body, headers)
        assert not verifier.is_valid_request(body + " ", headers)
    body, headers = sr.event_callback(event, secret=SECRET, timestamp=int(time.time()) - 600)
    assert not verifier.is_valid_request(body, headers)
    assert not verifier.is_valid_request(*sr.event_callback(event, secret="wrong"))
    _, retry = sr.event_callback(event, retry_num=1, retry_reason="http_timeout")
    assert retry["X-Slack-Retry-Num"] == "1" and retry["X-Slack-Retry-Reason"] == "http_timeout"


@pytest.mark.asyncio
async def test_bolt_parses_builders_and_uses_fake(slack: FakeSlackAPI) -> None:
    app = AsyncApp(client=client(slack), signing_secret=SECRET)
    seen: dict[str, Any] = {}

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any], say: Any) -> None:
        await say(text="on it", thread_ts=event["ts"])

    @app.command("/support")
    async def on_command(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        await ack()
        await respond(f"got {command['text']}")

    @app.action("escalate")
    async def on_action(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        seen["action"] = body["actions"][0]["value"], body["container"]["thread_ts"]

    @app.view("ticket")
    async def on_view(ack: Any, view: dict[str, Any]) -> None:
        await ack()
        seen["view"] = view["state"]["values"]["b"]["a"]["value"], view["private_metadata"]

    async def dispatch(req: tuple[str, dict[str, str]]) -> int:
        return (await send(req)).status

    async def send(req: tuple[str, dict[str, str]]) -> BoltResponse:
        return await app.async_dispatch(AsyncBoltRequest(body=req[0], headers=req[1]))

    mention = sr.app_mention_event()
    assert await dispatch(sr.event_callback(mention, secret=SECRET)) == 200
    (post,) = await slack.wait_for("chat.postMessage")
    expected = {"channel": "C0SUPPORT", "text": "on it", "thread_ts": mention["ts"]}
    assert expected.items() <= post.args.items()
    cmd = sr.slash_command(text="vpn", response_url=slack.response_url(), secret=SECRET)
    assert await dispatch(cmd) == 200
    assert (await slack.wait_for("response_url"))[0].args["text"] == "got vpn"
    click = sr.block_actions("escalate", "yes", thread_ts="1.1", secret=SECRET)
    assert await dispatch(click) == 200
    assert seen["action"] == ("yes", "1.1")
    vs = sr.view_submission("ticket", {"b": {"a": "broken"}}, private_metadata="m", secret=SECRET)
    assert await dispatch(vs) == 200 and seen["view"] == ("broken", "m")
    res = await send(sr.url_verification("xyz", secret=SECRET))
    assert res.status == 200 and json.loads(res.body)["challenge"] == "xyz"
    assert await dispatch(sr.event_callback(mention, secret="wrong")) == 401
    assert len(slack.calls_to("auth.test")) == 1
