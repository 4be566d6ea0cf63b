"""`GET /metrics` on the bot's real HTTP server, after real questions from signed Slack
requests: the Prometheus text format, parsed with prometheus_client's own parser, and its values
checked against what the database holds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select, text

from bot.ops.scheduler import build_scheduler
from bot.settings import Area, Ops
from bot.store.models import OutboxMessage, Question
from tests.conftest import UNANSWERABLE, make_settings
from tests.e2e import slack_requests as sr
from tests.e2e.fake_slack import FakeSlackAPI
from tests.e2e.harness import BotServer, start_bot
from tests.e2e.test_slack_questions import settle

AREAS = (
    Area("finance", "Ekonomi / Finance", superusers=("U0ANNA",)),
    Area("warehouse", "Lager / Warehouse", superusers=("U0JOHAN",)),
    Area("purchasing", "Inköp / Purchasing", superusers=("U0SARA",)),
)
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest_asyncio.fixture
async def bot(database_url: str, slack: FakeSlackAPI) -> AsyncIterator[BotServer]:
    settings = make_settings(database_url, areas=AREAS, ops=Ops(channel="C0OPS"))
    server = await start_bot(settings, slack)
    yield server
    await server.close()


async def scrape(bot: BotServer) -> tuple[str, Samples, dict[str, str]]:
    """The exposition as served, its samples by (name, labels), and each family's type."""
    async with bot.session.get(bot.url + "/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        body = await response.text()
    samples: Samples = {}
    types: dict[str, str] = {}
    for family in text_string_to_metric_families(body):
        types[family.name] = family.type
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return body, samples, types


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum over the samples of `name` with these labels (whatever their others)."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


async def ask(bot: BotServer, question: str) -> None:
    await bot.send(sr.event_callback(sr.message_event(question)))


async def test_metrics_after_real_questions(bot: BotServer, slack: FakeSlackAPI) -> None:
    slack.fail_next("chat.postMessage", status=500, times=1000)  # Slack is down: all waits
    for question in (
        "hur krediterar jag en faktura?",  # answered, finance
        "hur krediterar jag en faktura till en kund?",  # answered, finance
        UNANSWERABLE,  # unresolved and escalated
        "faktura",  # too vague: clarify
        "vad blir det till lunch?",  # off topic
        "tack!",  # small talk: not a question, not counted
    ):
        await ask(bot, question)
    await settle(bot)
    jobs = {job.id: job for job in build_scheduler(bot.core).get_jobs()}
    await jobs["escalation-sweep"].func()

    body, samples, types = await scrape(bot)
    assert types["firstline_questions"] == "counter"
    assert value(samples, "firstline_questions_total", area="finance", outcome="answered") == 2
    for outcome in ("unresolved", "clarify", "off_topic"):
        assert total(samples, "firstline_questions_total", outcome=outcome) == 1, outcome
    assert total(samples, "firstline_questions_total") == 5

    assert types["firstline_answer_confidence"] == "histogram"
    async with bot.core.db.session() as session:
        confidences = list(await session.scalars(select(Question.confidence)))
        pending, oldest = (
            await session.execute(
                select(func.count(), func.min(OutboxMessage.created_at)).where(
                    OutboxMessage.state == "pending"
                )
            )
        ).one()
    assert value(samples, "firstline_answer_confidence_count") == 5
    assert abs(value(samples, "firstline_answer_confidence_sum") - sum(confidences)) < 1e-6
    assert value(samples, "firstline_answer_confidence_bucket", le="0.5") == sum(
        c <= 0.5 for c in confidences
    )
    assert value(samples, "firstline_answer_confidence_bucket", le="+Inf") == 5

    [(labels, open_now)] = [
        (ls, v) for (n, ls), v in samples.items() if n == "firstline_escalations_open"
    ]
    assert open_now == 1 and ("step", "superuser") in labels
    assert value(samples, "firstline_escalations_open_oldest_age_seconds", step="superuser") >= 0

    assert pending >= 5  # the replies and the escalation's DM, none delivered
    assert total(samples, "firstline_outbox_pending") == pending
    assert value(samples, "firstline_outbox_oldest_pending_age_seconds") > 0
    assert oldest is not None
    assert value(samples, "firstline_inbox_waiting") == 0
    assert value(samples, "firstline_database_up") == 1
    assert value(samples, "firstline_faq_entries") == len(bot.core.knowledge.base.entries) > 0
    assert value(samples, "firstline_knowledge_problems") == 0

    errors = value(
        samples,
        "firstline_slack_api_errors_total",
        method="chat.postMessage",
        error="internal_error",
    )
    assert errors == len(slack.calls_to("chat.postMessage")) >= 1

    assert value(samples, "firstline_job_runs_total", job="escalation-sweep") == 1
    assert value(samples, "firstline_job_failures_total", job="escalation-sweep") == 0
    assert (
        value(samples, "firstline_job_last_success_timestamp_seconds", job="escalation-sweep") > 0
    )
    assert "xoxb-" not in body and "U0ASKER" not in body  # counts only: no tokens, no people


async def test_a_job_that_fails_is_counted(bot: BotServer) -> None:
    """The database lost the table the digest writes to: the job fails, is counted, and the
    other jobs' figures go on."""
    async with bot.core.db.engine.begin() as conn:
        await conn.execute(text("DROP TABLE snapshots"))
    jobs = {job.id: job for job in build_scheduler(bot.core).get_jobs()}
    await jobs["weekly-digest"].func()
    await jobs["escalation-sweep"].func()
    _, samples, _ = await scrape(bot)
    assert value(samples, "firstline_job_runs_total", job="weekly-digest") == 1
    assert value(samples, "firstline_job_failures_total", job="weekly-digest") == 1
    assert (
        "firstline_job_last_success_timestamp_seconds",
        frozenset({("job", "weekly-digest")}),
    ) not in samples
    assert value(samples, "firstline_job_failures_total", job="escalation-sweep") == 0
    assert value(samples, "firstline_database_up") == 1


async def test_a_database_that_cannot_be_read_is_a_figure_not_an_error(bot: BotServer) -> None:
    """Prometheus still gets this process's own figures, and that the database failed."""
    url = bot.core.db.engine.url
    if url.get_backend_name() == "sqlite":  # the file is gone, a folder in its place
        await bot.core.db.engine.dispose()
        path = Path(str(url.database))
        path.unlink()
        path.mkdir()
    else:
        async with bot.core.db.engine.begin() as conn:
            await conn.execute(text("DROP TABLE questions CASCADE"))
    _, samples, _ = await scrape(bot)
    assert value(samples, "firstline_database_up") == 0
    assert not any(name == "firstline_questions_total" for name, _ in samples)


async def test_the_listeners_failed_calls_to_slack_are_counted(
    bot: BotServer, slack: FakeSlackAPI
) -> None:
    """A button's listener calls Slack with Bolt's own client for the request: counted too."""
    await ask(bot, UNANSWERABLE)  # escalated to Anna, finance's superuser
    await settle(bot)
    slack.fail_next("views.open", error="expired_trigger_id")
    await bot.send(sr.block_actions("esc_answer", "1", user_id="U0ANNA", channel_id="U0ANNA"))
    await settle(bot)
    [opened] = slack.calls_to("views.open")
    assert opened.failed
    _, samples, _ = await scrape(bot)
    assert (
        value(
            samples,
            "firstline_slack_api_errors_total",
            method="views.open",
            error="expired_trigger_id",
        )
        == 1
    )
