"""`firstline digest` and `firstline jobs run` with a Slack token, as real processes against the
fake Slack Web API and no running bot: what they queue reaches Slack, short retries are waited
out, and what can't be delivered is said, with a non-zero exit."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from tests.e2e.fake_slack import FakeSlackAPI
from tests.handlers.terminal.test_cli import firstline


@pytest.fixture
def env(tmp_path: Path, slack: FakeSlackAPI, database_url: str) -> dict[str, str]:
    config = tmp_path / "firstline.toml"
    config.write_text('[ops]\nchannel = "C0OPS"\n')
    return {
        "FIRSTLINE_CONFIG": str(config),
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": slack.url,
    }


async def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(firstline, *args, env=env)


def errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("firstline: ")]


def digests(slack: FakeSlackAPI) -> list[str]:
    """The channels the digest was posted to, and really taken by Slack."""
    return [
        call.args["channel"]
        for call in slack.calls_to("chat.postMessage")
        if not call.failed and call.args["text"].startswith("Veckorapport")
    ]


async def test_jobs_run_delivers_what_it_queued_and_says_so(
    slack: FakeSlackAPI, env: dict[str, str]
) -> None:
    """The job kicks the outbox itself; the command still knows the message went."""
    ran = await run("jobs", "run", "weekly-digest", env=env)
    assert ran.returncode == 0, ran.stderr
    assert "ran weekly-digest: 1 message(s), 1 delivered" in ran.stdout.splitlines()
    assert errors(ran) == []
    assert digests(slack) == ["C0OPS"]


async def test_digest_waits_out_a_short_rate_limit(
    slack: FakeSlackAPI, env: dict[str, str]
) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    ran = await run("digest", env=env)
    assert ran.returncode == 0, ran.stderr
    assert "ran weekly-digest: 1 message(s), 1 delivered" in ran.stdout.splitlines()
    assert errors(ran) == []
    assert digests(slack) == ["C0OPS"]


async def test_a_message_slack_refuses_is_an_error_and_a_second_run_sends_it(
    slack: FakeSlackAPI, env: dict[str, str]
) -> None:
    slack.fail_next("chat.postMessage", error="channel_not_found")
    ran = await run("digest", env=env)
    assert ran.returncode == 1
    assert "ran weekly-digest: 1 message(s), 0 delivered" in ran.stdout.splitlines()
    assert errors(ran) == [
        "firstline: error: not delivered: the digest message to C0OPS (outbox id 1): "
        "channel_not_found; "
        "it is not tried again unless you run this command again"
    ]
    assert digests(slack) == []
    # the bot was invited to the channel meanwhile: `firstline digest` posts it now
    again = await run("digest", env=env)
    assert again.returncode == 0, again.stderr
    assert "ran weekly-digest: 1 message(s), 1 delivered" in again.stdout.splitlines()
    assert digests(slack) == ["C0OPS"]
    done = await run("digest", env=env)
    assert done.returncode == 0, done.stderr
    [said] = done.stdout.splitlines()
    assert said.startswith("weekly-digest: nothing to send: this week's digest was delivered at ")
    assert digests(slack) == ["C0OPS"]


async def test_what_slack_holds_back_longer_is_said_plainly_and_stays_for_the_bot(
    slack: FakeSlackAPI, env: dict[str, str]
) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=600)
    ran = await run("digest", env=env)
    assert ran.returncode == 1
    assert "ran weekly-digest: 1 message(s), 0 delivered" in ran.stdout.splitlines()
    assert errors(ran) == [
        "firstline: error: not delivered yet: the digest message to C0OPS (outbox id 1): "
        "ratelimited; "
        "it waits in the outbox: a running bot (firstline run) delivers it when it is due, "
        "or the next one to start"
    ]
    assert digests(slack) == []
    again = await run("digest", env=env)  # asked for it again: try now
    assert again.returncode == 0, again.stderr
    assert digests(slack) == ["C0OPS"]


async def test_a_digest_with_nowhere_to_go_is_said(
    slack: FakeSlackAPI, env: dict[str, str]
) -> None:
    ran = await run("digest", env={**env, "FIRSTLINE_CONFIG": ""})
    assert ran.returncode == 1
    assert errors(ran) == [
        "firstline: error: weekly-digest failed: no [ops] channel in the config file: "
        "the digest has nowhere to go"
    ]
    assert slack.calls_to("chat.postMessage") == []
