"""The pieces of the load benchmark (`bench/bench_load.py`) that run in their own processes,
and the load generator itself.

    python bench/loadgen.py fake --port P            the fake Slack Web API, recording posts
    python bench/loadgen.py floor --port P --api URL a bare Bolt AsyncApp that only acks

The fake is `tests/e2e/fake_slack.py`'s `FakeSlackAPI` on a fixed port, recording only what the
benchmark reads (the time, channel, thread and start of the text of every chat.postMessage, and
a count of every method), served at `GET /_bench/posts?since=N` and `GET /_bench/counts`. It runs
in its own process so that its work is not charged to the load generator.

The generator (`Burst`) sends pre-built, pre-signed `event_callback` bodies (the tests' builders in
`tests/e2e/slack_requests.py`) from a fixed number of workers over kept-alive connections, and
records per event when it was sent, the HTTP status and how long the ack took.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402

from tests.e2e import slack_requests as sr  # noqa: E402
from tests.e2e.fake_slack import FakeSlackAPI  # noqa: E402

SECRET = sr.TEST_SIGNING_SECRET
BOT_TOKEN = "xoxb-load-benchmark"
SLACK_PATH = "/slack/events"
# Slack rejects (and Bolt refuses) a signature older than 5 minutes; re-sign before that.
RESIGN_AFTER = 240


# ---- the fake Slack Web API ----------------------------------------------------------------
class RecordingFake(FakeSlackAPI):
    """FakeSlackAPI that keeps a compact record instead of every Call (a burst makes tens of
    thousands), with read-out routes for the benchmark."""

    def __init__(self) -> None:
        super().__init__()
        self.posts: list[list[Any]] = []
        self.methods: Counter[str] = Counter()

    async def _record(self, call: Any) -> None:
        self.methods[call.method] += 1
        if call.method == "chat.postMessage":
            args = call.args
            text = str(args.get("text") or "")[:400]
            thread = args.get("thread_ts")
            self.posts.append([time.time(), args.get("channel"), thread, not call.failed, text])

    async def start_on(self, port: int) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/hooks/{path:.*}", self._handle_hook)
        app.router.add_get("/_bench/posts", self._bench_posts)
        app.router.add_get("/_bench/counts", self._bench_counts)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port, backlog=1024).start()
        self.root_url = f"http://127.0.0.1:{port}/"
        self.url = f"{self.root_url}api/"

    async def _bench_posts(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        return web.json_response({"posts": self.posts[since:], "methods": dict(self.methods)})

    async def _bench_counts(self, _request: web.Request) -> web.Response:
        return web.json_response({"posts": len(self.posts), "methods": dict(self.methods)})


async def serve_fake(port: int) -> None:
    fake = RecordingFake()
    await fake.start_on(port)
    print(f"fake Slack Web API at {fake.url}", flush=True)
    await _until_signalled()
    await fake.stop()


# ---- the floor: a bare Bolt app that only acks ---------------------------------------------
async def serve_floor(port: int, api_url: str) -> None:
    """A Bolt AsyncApp with one no-op message listener (Bolt acks events itself), served by
    aiohttp the way `firstline run` serves its app (handlers/slack/server.py)."""
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(
        client=AsyncWebClient(token=BOT_TOKEN, base_url=api_url),
        signing_secret=SECRET,
        raise_error_for_unhandled_request=False,
    )

    @bolt.event("message")
    async def on_message() -> None:
        return None

    async def slack_events(request: web.Request) -> web.Response:
        response = await bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.add_routes([web.post(SLACK_PATH, slack_events), web.get("/healthz", healthz)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "0.0.0.0", port).start()
    print(f"bare Bolt floor at http://127.0.0.1:{port}{SLACK_PATH}", flush=True)
    await _until_signalled()
    await runner.cleanup()


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


# ---- the load generator ----------------------------------------------------------------------
@dataclass
class Event:
    """One message event to send: where, in which thread its reply is expected, and the signed
    request."""

    channel: str
    ts: str
    body: bytes
    headers: dict[str, str]
    signed_at: int


def build_events(
    texts: list[str], channels: list[str], users: list[str], run_tag: str
) -> list[Event]:
    """One `event_callback` per text, channel i % len(channels), a unique event_id and ts."""
    now = int(time.time())
    events = []
    for i, text in enumerate(texts):
        channel = channels[i % len(channels)]
        ts = f"{now}.{i:06d}"
        message = sr.message_event(text, user=users[i % len(users)], channel=channel, ts=ts)
        body, headers = sr.event_callback(message, event_id=f"Ev{run_tag}{i:07d}", timestamp=now)
        events.append(Event(channel, ts, body.encode(), headers, now))
    return events


@dataclass
class Burst:
    """What the generator saw: per event, the wall-clock send time, HTTP status (0 = not sent,
    -1 = a client error) and ack latency in seconds."""

    sent_at: list[float]
    status: list[int]
    latency: list[float]
    errors: Counter[str] = field(default_factory=Counter)
    started: float = 0.0
    ended: float = 0.0


async def send_burst(
    events: list[Event], urls: list[str], concurrency: int, timeout: float = 60.0
) -> Burst:
    """Send every event once from `concurrency` workers; event i goes to urls[i % len(urls)]."""
    import aiohttp

    n = len(events)
    burst = Burst([0.0] * n, [0] * n, [0.0] * n)
    order = itertools.count()
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    perf, wall = time.perf_counter, time.time

    async with aiohttp.ClientSession(connector=connector, timeout=client_timeout) as session:

        async def worker() -> None:
            while (i := next(order)) < n:
                event = events[i]
                headers = event.headers
                if wall() - event.signed_at > RESIGN_AFTER:
                    signed_at = int(wall())
                    headers = {**headers, **sr.sign(event.body.decode(), SECRET, signed_at)}
                burst.sent_at[i] = wall()
                start = perf()
                try:
                    async with session.post(
                        urls[i % len(urls)], data=event.body, headers=headers
                    ) as response:
                        await response.read()
                        burst.status[i] = response.status
                except (aiohttp.ClientError, TimeoutError) as exc:
                    burst.status[i] = -1
                    burst.errors[type(exc).__name__] += 1
                burst.latency[i] = perf() - start

        burst.started = wall()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        burst.ended = wall()
    return burst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    fake = sub.add_parser("fake", help="serve the recording fake Slack Web API")
    fake.add_argument("--port", type=int, required=True)
    floor = sub.add_parser("floor", help="serve a bare Bolt app that only acks")
    floor.add_argument("--port", type=int, required=True)
    floor.add_argument("--api", required=True, help="the fake Web API's URL")
    args = parser.parse_args(argv)
    if args.what == "fake":
        asyncio.run(serve_fake(args.port))
    else:
        asyncio.run(serve_floor(args.port, args.api))
    return 0


if __name__ == "__main__":
    sys.exit(main())
