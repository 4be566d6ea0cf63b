"""A burst of questions in one channel while Slack rate-limits the channel's posts.

    python bench/bench_ratelimit.py [--questions 100] [--per-second 1] [--burst 1]

The bot (the Bolt app and the core on a fresh SQLite file, served by aiohttp on loopback as
`firstline run --http` serves them, see `tests/e2e/harness.py`) answers `--questions` signed
message events sent one after another into one support channel. The fake Slack Web API
(`tests/e2e/fake_slack.py`) limits chat.postMessage per channel the way Slack does: `--burst`
posts at once, then `--per-second`; a post over the limit gets HTTP 429 with Retry-After in
whole seconds (Slack's documented pace for chat.postMessage is about one message per second per
channel, with short bursts allowed).

Measured: whether every question got exactly one reply, whether the replies went out in the
order the questions came, how many 429s the bot met, and when the last reply was posted,
against the earliest moment the limiter would have let it through (`(questions - burst) /
per_second` seconds after the first post). Prints a JSON line and appends it to
bench/results/ratelimit.jsonl. Not a test: nothing is asserted (see docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import make_settings  # noqa: E402
from tests.e2e import slack_requests as sr  # noqa: E402
from tests.e2e.fake_slack import FakeSlackAPI  # noqa: E402
from tests.e2e.harness import start_bot  # noqa: E402

RESULTS = ROOT / "bench" / "results"
QUESTION = "hur gör jag en cykelinventering?"
CHANNEL = "C0SUPPORT"


async def run(args: argparse.Namespace) -> dict[str, object]:
    slack = FakeSlackAPI()
    await slack.start()
    with tempfile.TemporaryDirectory() as folder:
        settings = replace(
            make_settings(f"sqlite+aiosqlite:///{folder}/bench.db"),
            support_channels=frozenset({CHANNEL}),
        )
        bot = await start_bot(settings, slack)
        try:
            slack.rate_limit("chat.postMessage", args.per_second, args.burst)
            events = [
                sr.message_event(f"{QUESTION} ({n})", channel=CHANNEL, user=f"U{n % 7}")
                for n in range(args.questions)
            ]
            started = time.monotonic()
            for n, event in enumerate(events):
                response = await bot.send(sr.event_callback(event, event_id=f"Ev{n}"))
                assert response.status == 200, response.status
            sent_s = time.monotonic() - started
            want = {e["ts"] for e in events}
            deadline = time.monotonic() + args.timeout
            while time.monotonic() < deadline:
                threads = {c.args.get("thread_ts") for c in posts(slack)}
                if want <= threads:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(2)  # a double would come now
        finally:
            await bot.close()
            await slack.stop()
    posted = posts(slack)
    order = [c.args.get("thread_ts") for c in posted if c.args.get("thread_ts") in want]
    first_post = min(c.at for c in posted) - started if posted else None
    last_post = max(c.at for c in posted) - started if posted else None
    ideal_last = (first_post or 0.0) + max(0, args.questions - args.burst) / args.per_second
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "questions": args.questions,
        "per_second": args.per_second,
        "burst": args.burst,
        "sent_s": round(sent_s, 2),
        "answered": len(set(order)),
        "duplicates": len(order) - len(set(order)),
        "in_order": order == [e["ts"] for e in events],
        "rate_limited": sum(1 for c in slack.calls_to("chat.postMessage") if c.status == 429),
        "first_post_s": round(first_post, 2) if first_post is not None else None,
        "last_post_s": round(last_post, 2) if last_post is not None else None,
        "ideal_last_s": round(ideal_last, 2),
        "behind_ideal_s": round(last_post - ideal_last, 2) if last_post is not None else None,
    }


def posts(slack: FakeSlackAPI) -> list:
    """The successful chat.postMessage calls, in the order the fake took them."""
    return [c for c in slack.calls_to("chat.postMessage") if not c.failed]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--per-second", type=float, default=1.0)
    parser.add_argument("--burst", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600.0)
    result = asyncio.run(run(parser.parse_args()))
    line = json.dumps(result)
    print(line)
    RESULTS.mkdir(parents=True, exist_ok=True)
    with (RESULTS / "ratelimit.jsonl").open("a", encoding="utf-8") as out:
        out.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
