"""Uptime alerts and `/support uptime` through Slack, and `firstline jobs` in a terminal."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from bot.ops.scheduler import build_scheduler
from bot.settings import Check, Ops
from tests.conftest import make_settings
from tests.e2e import slack_requests as sr
from tests.e2e.fake_slack import FakeSlackAPI
from tests.e2e.harness import start_bot
from tests.e2e.test_slack_questions import settle, texts_of
from tests.handlers.terminal.test_cli import firstline
from tests.ops.test_uptime import Erp, erp  # noqa: F401 - the fixture


async def test_down_alert_recovery_and_the_uptime_command(
    database_url: str,
    slack: FakeSlackAPI,
    erp: tuple[Erp, str],  # noqa: F811
) -> None:
    fake, url = erp
    check = Check(
        "erp-web", "Business Central webbklient", url=url, timeout=1, interval=60, fail_after=2
    )
    ops = Ops(channel="C0OPS", uptime_owner="U0DRIFT", checks=(check,))
    bot = await start_bot(make_settings(database_url, ops=ops), slack)
    try:
        job = {j.id: j for j in build_scheduler(bot.core).get_jobs()}["uptime:erp-web"]
        assert job.name == "Business Central webbklient"
        fake.mode = "down"
        for _ in range(2):
            await job.func()
        await settle(bot)
        await bot.core.outbox.deliver_due()
        [alert] = await slack.wait_for("chat.postMessage")
        assert alert.args["channel"] == "C0OPS"
        shown = texts_of(alert.args["blocks"])
        assert ":red_circle: *Business Central webbklient är nere sedan" in shown
        assert "HTTP 503 (expected 200)" in shown and "Ansvarig för drift: <@U0DRIFT>" in shown

        url_ = slack.response_url("uptime")
        await bot.send(sr.slash_command("/support", "uptime", response_url=url_))
        [reply] = await slack.wait_for("response_url")
        assert (
            ":red_circle: *Business Central webbklient*: 0,0% · 0,0% · 0,0%" in reply.args["text"]
        )
        assert "nere sedan" in reply.args["text"]

        fake.mode = "up"
        for _ in range(2):
            await job.func()
        await settle(bot)
        await bot.core.outbox.deliver_due()
        posts = await slack.wait_for("chat.postMessage", count=2)
        assert ":large_green_circle: *Business Central webbklient fungerar igen" in texts_of(
            posts[1].args["blocks"]
        )
    finally:
        await bot.close()


async def test_jobs_list_and_run_print_to_the_terminal_without_slack(
    tmp_path: Path,
    erp: tuple[Erp, str],  # noqa: F811
) -> None:
    fake, url = erp
    config = tmp_path / "firstline.toml"
    config.write_text(
        '[ops]\nchannel = "C0OPS"\n[[ops.checks]]\nid = "erp-web"\nname = "BC"\n'
        f'url = "{url}"\ntimeout = 1\nfail_after = 1\n'
    )
    env = {"FIRSTLINE_CONFIG": str(config), "DATABASE_URL": f"sqlite:///{tmp_path / 'ops.db'}"}
    listing = await asyncio.to_thread(firstline, "jobs", "list", env=env)
    assert listing.returncode == 0, listing.stderr
    assert "uptime:erp-web" in listing.stdout and "escalation-sweep" in listing.stdout
    assert (await asyncio.to_thread(firstline, "jobs", "run", "nope", env=env)).returncode == 2
    with sqlite3.connect(tmp_path / "ops.db") as db:  # a message the running bot has yet to send
        db.execute(
            "INSERT INTO outbox (route, topic, payload, dedupe_key, state, attempts,"
            " next_attempt_at, created_at) VALUES ('chat', 'ops', '{\"kind\": \"ops\"}',"
            " 'earlier', 'pending', 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
    fake.mode = "down"
    ran = await asyncio.to_thread(firstline, "jobs", "run", "uptime:erp-web", env=env)
    assert ran.returncode == 0, ran.stderr
    assert "[to C0OPS] BC är nere sedan" in ran.stdout and "HTTP 503" in ran.stdout
    with sqlite3.connect(tmp_path / "ops.db") as db:
        states = dict(db.execute("SELECT dedupe_key, state FROM outbox").fetchall())
    assert states["earlier"] == "pending"  # not swallowed by the terminal
    assert [state for key, state in states.items() if key != "earlier"] == ["sent"]


async def test_a_job_run_from_the_terminal_with_a_slack_token_posts_to_slack(
    tmp_path: Path,
    slack: FakeSlackAPI,
    erp: tuple[Erp, str],  # noqa: F811
) -> None:
    """`firstline jobs run` and `firstline digest` deliver what they queue when Slack is set up,
    without a running bot."""
    fake, url = erp
    config = tmp_path / "firstline.toml"
    config.write_text(
        '[ops]\nchannel = "C0OPS"\n[[ops.checks]]\nid = "erp-web"\nname = "BC"\n'
        f'url = "{url}"\ntimeout = 1\nfail_after = 1\n'
    )
    env = {
        "FIRSTLINE_CONFIG": str(config),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'ops.db'}",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": slack.url,
    }
    fake.mode = "down"
    ran = await asyncio.to_thread(firstline, "jobs", "run", "uptime:erp-web", env=env)
    assert ran.returncode == 0, ran.stderr
    assert "ran uptime:erp-web: 1 message(s)" in ran.stdout and "[to " not in ran.stdout
    [alert] = await slack.wait_for("chat.postMessage")
    assert alert.args["channel"] == "C0OPS"
    assert ":red_circle: *BC är nere sedan" in texts_of(alert.args["blocks"])
    digest = await asyncio.to_thread(firstline, "digest", env=env)
    assert digest.returncode == 0, digest.stderr
    posts = await slack.wait_for("chat.postMessage", count=2)
    assert posts[1].args["channel"] == "C0OPS"
    assert posts[1].args["text"].startswith("Veckorapport för affärssystemet, vecka")
    with sqlite3.connect(tmp_path / "ops.db") as db:
        states = [state for (state,) in db.execute("SELECT state FROM outbox")]
    assert states == ["sent", "sent"]
