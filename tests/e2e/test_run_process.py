"""`firstline run` as a real process: HTTP mode and Socket Mode, against the fake Slack."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from tests.conftest import KNOWLEDGE, POSTGRES_URL, ROOT, UNANSWERABLE
from tests.e2e import slack_requests as sr
from tests.e2e.fake_slack import FakeSlackAPI


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def start_firstline(env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FIRSTLINE_"))}
    base.update({"KNOWLEDGE_DIR": str(KNOWLEDGE), "PYTHONPATH": str(ROOT)}, **env)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "handlers.terminal.cli", "run", *args,
        env=base, cwd=ROOT, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


def slack_env(slack: FakeSlackAPI, database: str, *, socket_mode: bool = False) -> dict[str, str]:
    """The settings of a bot talking to the fake Slack: HTTP mode, or Socket Mode."""
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_API_URL": slack.url,
        "DATABASE_URL": database,
    }
    if socket_mode:
        env["SLACK_APP_TOKEN"] = "xapp-test-token"
    else:
        env["SLACK_SIGNING_SECRET"] = sr.TEST_SIGNING_SECRET
    return env


async def stop(process: asyncio.subprocess.Process, *, terminate: bool = True) -> tuple[int, str]:
    """SIGTERM it (unless `terminate` is False: it should exit by itself) and wait; its exit code
    and stderr."""
    if terminate and process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    return process.returncode or 0, stderr.decode()


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI() as fake:
        yield fake


async def test_http_mode_process(slack: FakeSlackAPI, tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "firstline.toml"
    config.write_text('[bot]\nsupport_channels = ["C0SUPPORT"]\n')
    process = await start_firstline(
        {
            **slack_env(slack, f"sqlite:///{tmp_path / 'run.db'}"),
            "PORT": str(port),
            "FIRSTLINE_CONFIG": str(config),
        },
        "--http",
    )
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        health = await response.json()
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("firstline run did not start")
            assert health["status"] == "ok"
            body, headers = sr.event_callback(sr.message_event("hur gör jag en cykelinventering?"))
            async with http.post(
                f"http://127.0.0.1:{port}/slack/events", data=body.encode(), headers=headers
            ) as response:
                assert response.status == 200
        [post] = await slack.wait_for("chat.postMessage", timeout=10)
        assert post.args["channel"] == "C0SUPPORT"
        metrics_url = f"http://127.0.0.1:{port}/metrics"
        async with aiohttp.ClientSession() as http, http.get(metrics_url) as response:
            assert response.status == 200
            metrics = await response.text()
        assert "firstline_scheduler_leader 1.0" in metrics.splitlines()
        assert "firstline_database_up 1.0" in metrics.splitlines()
    finally:
        code, stderr = await stop(process)
    assert code == 0, stderr
    assert "listening on http://0.0.0.0" in stderr
    assert "Traceback" not in stderr


async def test_socket_mode_process(slack: FakeSlackAPI, tmp_path: Path) -> None:
    """Slack's Socket Mode protocol: hello, an events_api envelope, the client's ack."""
    acks: list[dict] = []
    envelope_id = str(uuid.uuid4())
    body, _ = sr.event_callback(sr.dm_event("how do I receive a partial delivery?"))

    async def websocket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {}})
        await ws.send_json(
            {
                "envelope_id": envelope_id,
                "type": "events_api",
                "accepts_response_payload": False,
                "retry_attempt": 0,
                "retry_reason": "",
                "payload": json.loads(body),
            }
        )
        async for message in ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                acks.append(json.loads(message.data))
        return ws

    ws_app = web.Application()
    ws_app.router.add_get("/link", websocket)
    runner = web.AppRunner(ws_app)
    await runner.setup()
    ws_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", ws_port).start()
    slack.set_response(
        "apps.connections.open", {"ok": True, "url": f"ws://127.0.0.1:{ws_port}/link"}
    )
    process = await start_firstline(
        slack_env(slack, f"sqlite:///{tmp_path / 'socket.db'}", socket_mode=True),
        "--socket-mode",
    )
    try:
        [post] = await slack.wait_for("chat.postMessage", timeout=15)
        assert post.args["channel"].startswith("D")
        assert "partial" in json.dumps(post.args["blocks"]).lower()
        opened = slack.calls_to("apps.connections.open")
        assert opened and all(call.token == "xapp-test-token" for call in opened)
        for _ in range(50):
            if acks:
                break
            await asyncio.sleep(0.1)
        assert {"envelope_id": envelope_id} in [{"envelope_id": a.get("envelope_id")} for a in acks]
    finally:
        code, stderr = await stop(process)
        await runner.cleanup()
    assert code == 0, stderr
    assert "Socket Mode" in stderr


async def test_tokens_slack_refuses_stop_the_bot_with_one_line(
    slack: FakeSlackAPI, tmp_path: Path
) -> None:
    env = slack_env(slack, f"sqlite:///{tmp_path / 'refused.db'}")
    slack.fail_next("auth.test", error="invalid_auth")
    code, stderr = await stop(await start_firstline(env, "--http"), terminate=False)
    assert code == 2
    assert "firstline: error: Slack refused SLACK_BOT_TOKEN: invalid_auth" in stderr
    assert "Traceback" not in stderr

    slack.fail_next("apps.connections.open", error="invalid_auth")
    process = await start_firstline({**env, "SLACK_APP_TOKEN": "xapp-revoked"}, "--socket-mode")
    code, stderr = await stop(process, terminate=False)
    assert code == 2
    assert "firstline: error: Slack refused SLACK_APP_TOKEN: invalid_auth" in stderr


async def wait_healthy(port: int) -> dict:
    async with aiohttp.ClientSession() as http:
        for _ in range(150):
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    return await response.json()
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
    raise AssertionError("firstline run did not start")


async def test_slack_api_url_without_api_is_the_base_the_user_meant(
    slack: FakeSlackAPI, tmp_path: Path
) -> None:
    """SLACK_API_URL=http://host:port (no /api/): the bot signs in and answers, instead of dying
    with an AttributeError."""
    port = free_port()
    env = {**slack_env(slack, f"sqlite:///{tmp_path / 'run.db'}"), "PORT": str(port)}
    process = await start_firstline({**env, "SLACK_API_URL": slack.root_url.rstrip("/")}, "--http")
    try:
        assert (await wait_healthy(port))["status"] == "ok"
        [auth] = await slack.wait_for("auth.test", timeout=10)
        assert auth.token == "xoxb-test-token"
    finally:
        code, stderr = await stop(process)
    assert code == 0, stderr
    assert "Traceback" not in stderr


async def test_a_slack_api_url_that_is_not_slack_stops_the_bot_with_one_line(
    slack: FakeSlackAPI, tmp_path: Path
) -> None:
    env = slack_env(slack, f"sqlite:///{tmp_path / 'run.db'}")
    wrong = f"{slack.root_url}elsewhere/api/"
    process = await start_firstline({**env, "SLACK_API_URL": wrong}, "--http")
    code, stderr = await stop(process, terminate=False)
    assert code == 2
    assert "Traceback" not in stderr
    assert (
        f"firstline: error: SLACK_API_URL {wrong} does not answer as the Slack Web API "
        "(HTTP 404 from auth.test): it should be https://slack.com/api/ or what stands in for it"
    ) in stderr.splitlines()


async def test_faq_areas_the_config_lacks_are_one_error_line_at_start(
    slack: FakeSlackAPI, tmp_path: Path
) -> None:
    config = tmp_path / "firstline.toml"
    config.write_text('[areas.finance]\nsuperusers = ["U0ANNA"]\n')
    port = free_port()
    env = {
        **slack_env(slack, f"sqlite:///{tmp_path / 'run.db'}"),
        "PORT": str(port),
        "FIRSTLINE_CONFIG": str(config),
    }
    process = await start_firstline(env, "--http")
    try:
        assert (await wait_healthy(port))["faq_entries"] == 24
    finally:
        code, stderr = await stop(process)
    assert code == 0, stderr
    [line] = [line for line in stderr.splitlines() if "FAQ entries are skipped" in line]
    assert " ERROR " in line and "47 of 71" in line
    assert "unknown area" not in stderr


async def test_json_logs_name_the_question_escalation_and_request_and_no_secret(
    slack: FakeSlackAPI, tmp_path: Path
) -> None:
    """LOG_FORMAT=json: every line on stderr is a JSON object; those about the question carry
    its id, Slack's event id and the escalation's number; the token and the signing secret
    appear nowhere."""
    port = free_port()
    config = tmp_path / "firstline.toml"
    config.write_text(
        '[bot]\nsupport_channels = ["C0SUPPORT"]\n[areas.finance]\nsuperusers = ["U0ANNA"]\n'
        "[areas.warehouse]\n[areas.purchasing]\n"
    )
    env = {
        **slack_env(slack, f"sqlite:///{tmp_path / 'run.db'}"),
        "PORT": str(port),
        "FIRSTLINE_CONFIG": str(config),
        "LOG_FORMAT": "json",
    }
    process = await start_firstline(env, "--http")
    try:
        await wait_healthy(port)
        body, headers = sr.event_callback(sr.message_event(UNANSWERABLE), event_id="Ev0JSONLOG01")
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"http://127.0.0.1:{port}/slack/events", data=body.encode(), headers=headers
            ) as response,
        ):
            assert response.status == 200
        await slack.wait_for("chat.postMessage", count=2, timeout=10)  # the reply, the DM
    finally:
        code, stderr = await stop(process)
    assert code == 0, stderr
    records = [json.loads(line) for line in stderr.splitlines()]
    assert {"time", "level", "logger", "message"} <= records[0].keys()
    [asked] = [r for r in records if r["message"].startswith("question 1 from U0ASKER")]
    assert asked["question_id"] == 1 and asked["request_id"] == "Ev0JSONLOG01"
    [opened] = [r for r in records if r["message"].startswith("escalation #1: opened")]
    assert opened["escalation"] == 1 and opened["question_id"] == 1
    assert opened["request_id"] == "Ev0JSONLOG01"
    assert "xoxb-test-token" not in stderr and sr.TEST_SIGNING_SECRET not in stderr


async def test_sigterm_stops_socket_mode_while_it_cannot_connect(
    slack: FakeSlackAPI, tmp_path: Path
) -> None:
    """Slack's WebSocket URL is unreachable: the client retries, and SIGTERM still ends it."""
    slack.set_response(
        "apps.connections.open", {"ok": True, "url": f"ws://127.0.0.1:{free_port()}/x"}
    )
    process = await start_firstline(
        slack_env(slack, f"sqlite:///{tmp_path / 'socket.db'}", socket_mode=True),
        "--socket-mode",
    )
    await slack.wait_for("apps.connections.open", count=2, timeout=15)
    code, _ = await stop(process)
    assert code == 0


@pytest.mark.skipif(not POSTGRES_URL, reason="needs FIRSTLINE_TEST_POSTGRES_URL (CI sets it)")
async def test_two_processes_on_postgres_run_each_job_once_and_hand_over(
    slack: FakeSlackAPI, tmp_path: Path, postgres_database: str
) -> None:
    hits: list[float] = []

    async def health(_request: web.Request) -> web.Response:
        hits.append(asyncio.get_running_loop().time())
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/health", health)
    runner = web.AppRunner(app)
    await runner.setup()
    erp_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", erp_port).start()
    config = tmp_path / "firstline.toml"
    config.write_text(
        '[ops]\nchannel = "C0OPS"\n[[ops.checks]]\nid = "erp-web"\nname = "BC"\n'
        f'url = "http://127.0.0.1:{erp_port}/health"\ntimeout = 1\ninterval = 5\n'
    )
    env = {**slack_env(slack, postgres_database), "FIRSTLINE_CONFIG": str(config)}
    first = await start_firstline({**env, "PORT": str(free_port())}, "--http")
    await asyncio.sleep(4)  # the first one takes the lead
    second = await start_firstline({**env, "PORT": str(free_port())}, "--http")
    try:
        await asyncio.sleep(3)
        start = len(hits)
        await asyncio.sleep(15.5)  # three 5-second periods: three probes, not six
        assert 2 <= len(hits) - start <= 4, hits
        first.kill()  # the leader dies without a word; PostgreSQL frees its lock
        await first.wait()
        await asyncio.sleep(6)
        handed_over = len(hits)
        await asyncio.sleep(11)
        assert 1 <= len(hits) - handed_over <= 3, hits
    finally:
        if first.returncode is None:
            first.kill()
        code, stderr = await stop(second)
        await runner.cleanup()
    assert code == 0, stderr
    assert "this process is now the scheduler leader" in stderr
