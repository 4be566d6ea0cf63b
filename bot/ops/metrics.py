"""Figures for Prometheus (`GET /metrics`), in its text format, by the official client.

What the database knows is read from it at each scrape: questions by area and outcome, the
confidence of the answers, open escalations by step and age, the outbox and the inbox. Those are
right whichever process is scraped, with several processes on one database and after a
restart. What only a process knows is counted in it, from its start: the scheduled jobs it ran
(only the leader runs them) and, from the channel adapter, its calls to the chat's API that
failed; Prometheus adds those up over the processes, and `rate()`/`increase()` see through a
restart.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.db import Database
from bot.store.models import Escalation, InboxEvent, OutboxMessage, Question
from bot.support.escalations import State
from bot.support.inbox import FAILED, WAITING

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
CONFIDENCE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
OPEN_STATES = (State.OPEN, State.CLAIMED, State.VENDOR, State.ANSWERED)  # all but closed
NONE = "none"  # the label of a question the matcher found no area for

disable_created_metrics()  # no `_created` series beside each counter: nothing here reads them


@dataclass
class Figures:
    """What the database says at one scrape."""

    questions: list[tuple[str, str, int]] = field(default_factory=list)  # area, outcome, count
    confidence_buckets: list[int] = field(default_factory=list)  # cumulative, per bucket
    confidence_count: int = 0
    confidence_sum: float = 0.0
    escalations: list[tuple[str, str, int]] = field(default_factory=list)  # area, step, count
    oldest_escalation: dict[str, float] = field(default_factory=dict)  # step -> seconds
    outbox_pending: list[tuple[str, int]] = field(default_factory=list)  # route, count
    outbox_failed: list[tuple[str, int]] = field(default_factory=list)
    oldest_outbox: float = 0.0
    inbox_waiting: int = 0
    inbox_failed: int = 0
    oldest_inbox: float = 0.0


class Metrics:
    """This process's own counters, and the scrape that adds the database's figures."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._made: dict[str, Counter | Gauge] = {}
        self.job_runs = self.counter(
            "firstline_job_runs", "Scheduled job runs in this process, by job id.", ("job",)
        )
        self.job_failures = self.counter(
            "firstline_job_failures",
            "Scheduled job runs in this process that failed, by job id.",
            ("job",),
        )
        self.job_last_success = self.gauge(
            "firstline_job_last_success_timestamp_seconds",
            "When a job last ran without failing in this process (Unix time), by job id.",
            ("job",),
        )

    def counter(self, name: str, documentation: str, labels: Sequence[str] = ()) -> Counter:
        """This process's counter `name`, made on first use (an adapter asks for its own)."""
        if name not in self._made:
            self._made[name] = Counter(name, documentation, labels, registry=self.registry)
        made = self._made[name]
        assert isinstance(made, Counter)
        return made

    def gauge(self, name: str, documentation: str, labels: Sequence[str] = ()) -> Gauge:
        """This process's gauge `name`, made on first use."""
        if name not in self._made:
            self._made[name] = Gauge(name, documentation, labels, registry=self.registry)
        made = self._made[name]
        assert isinstance(made, Gauge)
        return made

    def job_ran(self, job: str, *, failed: bool) -> None:
        self.job_runs.labels(job).inc()
        if failed:
            self.job_failures.labels(job).inc()
        else:
            self.job_failures.labels(job)  # shown as 0 until it fails
            self.job_last_success.labels(job).set(time.time())

    async def exposition(self, db: Database, now: datetime) -> bytes:
        """The text Prometheus scrapes: the database's figures now and this process's own.
        A database that can't be read is a figure too (firstline_database_up 0)."""
        try:
            async with db.session() as session:
                figures: Figures | None = await _read(session, now)
        except Exception as exc:
            log.warning("metrics: cannot read the database: %s", exc)
            figures = None
        scrape = CollectorRegistry()
        scrape.register(_Scrape(figures, self.registry))
        return generate_latest(scrape)


class _Scrape(Collector):
    def __init__(self, figures: Figures | None, own: CollectorRegistry) -> None:
        self.figures = figures
        self.own = own

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "firstline_database_up", "1 if the database could be read for this scrape, else 0."
        )
        up.add_metric([], 1 if self.figures else 0)
        yield up
        if self.figures is not None:
            yield from _families(self.figures)
        yield from self.own.collect()


def _families(figures: Figures) -> Iterable[Metric]:
    questions = CounterMetricFamily(
        "firstline_questions",
        "Questions recorded (small talk is not), by the area of the FAQ entry matched and what "
        "the bot made of it: answered, clarify, off_topic or unresolved.",
        labels=("area", "outcome"),
    )
    for area, outcome, count in figures.questions:
        questions.add_metric([area, outcome], count)
    yield questions

    buckets = [
        (str(bound), count)
        for bound, count in zip(CONFIDENCE_BUCKETS, figures.confidence_buckets, strict=True)
    ]
    yield HistogramMetricFamily(
        "firstline_answer_confidence",
        "The matcher's confidence (0 to 1) in its best FAQ entry, for each recorded question; "
        "it answers at answer_threshold (default 0.5) and above.",
        buckets=[*buckets, ("+Inf", figures.confidence_count)],
        sum_value=figures.confidence_sum,
    )

    escalations = GaugeMetricFamily(
        "firstline_escalations_open",
        "Escalations not closed, by area and step: superuser or deputy (waiting to be claimed), "
        "claimed, vendor, answered (waiting for the asker).",
        labels=("area", "step"),
    )
    for area, step, count in figures.escalations:
        escalations.add_metric([area, step], count)
    yield escalations
    oldest = GaugeMetricFamily(
        "firstline_escalations_open_oldest_age_seconds",
        "Age of the oldest escalation at each step that is not closed.",
        labels=("step",),
    )
    for step, seconds in sorted(figures.oldest_escalation.items()):
        oldest.add_metric([step], seconds)
    yield oldest

    yield _by_route(
        "firstline_outbox_pending",
        "Messages (chat, e-mail, webhook) waiting in the outbox to be delivered, by route.",
        figures.outbox_pending,
    )
    yield _gauge(
        "firstline_outbox_oldest_pending_age_seconds",
        "Age of the oldest message waiting in the outbox (0 when none waits).",
        figures.oldest_outbox,
    )
    yield _by_route(
        "firstline_outbox_failed",
        "Messages the outbox gave up on (the receiver refused them for good), by route.",
        figures.outbox_failed,
    )

    yield _gauge(
        "firstline_inbox_waiting",
        "Events from the chat waiting to be handled.",
        figures.inbox_waiting,
    )
    yield _gauge(
        "firstline_inbox_oldest_waiting_age_seconds",
        "Age of the oldest event waiting to be handled (0 when none waits).",
        figures.oldest_inbox,
    )
    yield _gauge(
        "firstline_inbox_failed",
        "Events set aside after failing five times (kept a day).",
        figures.inbox_failed,
    )


def _by_route(
    name: str, documentation: str, counts: Iterable[tuple[str, int]]
) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=("route",))
    for route, count in counts:
        family.add_metric([route], count)
    return family


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation)
    family.add_metric([], value)
    return family


def _age(now: datetime, since: datetime | None) -> float:
    return max((now - since).total_seconds(), 0.0) if since is not None else 0.0


async def _read(session: AsyncSession, now: datetime) -> Figures:
    """One query per table, each an aggregate the database does."""
    figures = Figures()
    rows = await session.execute(
        select(Question.matched_area, Question.outcome, func.count()).group_by(
            Question.matched_area, Question.outcome
        )
    )
    figures.questions = sorted(
        (area or NONE, outcome or "unknown", count) for area, outcome, count in rows
    )

    confidence = (
        await session.execute(
            select(
                *(
                    func.coalesce(func.sum(case((Question.confidence <= bound, 1), else_=0)), 0)
                    for bound in CONFIDENCE_BUCKETS
                ),
                func.count(),
                func.coalesce(func.sum(Question.confidence), 0.0),
            )
        )
    ).one()
    figures.confidence_buckets = [int(count) for count in confidence[: len(CONFIDENCE_BUCKETS)]]
    figures.confidence_count = int(confidence[-2])
    figures.confidence_sum = float(confidence[-1])

    step = case(
        (and_(Escalation.state == State.OPEN, Escalation.level == 0), "superuser"),
        (Escalation.state == State.OPEN, "deputy"),
        else_=Escalation.state,
    )
    rows = await session.execute(
        select(Escalation.area, step, func.count(), func.min(Escalation.created_at))
        .where(Escalation.state.in_(OPEN_STATES))
        .group_by(Escalation.area, step)
    )
    for area, name, count, since in rows:
        figures.escalations.append((area or NONE, name, count))
        age = _age(now, since)
        figures.oldest_escalation[name] = max(figures.oldest_escalation.get(name, 0.0), age)
    figures.escalations.sort()

    rows = await session.execute(
        select(
            OutboxMessage.route,
            OutboxMessage.state,
            func.count(),
            func.min(OutboxMessage.created_at),
        )
        .where(OutboxMessage.state.in_(("pending", "failed")))
        .group_by(OutboxMessage.route, OutboxMessage.state)
    )
    for route, state, count, since in rows:
        if state == "pending":
            figures.outbox_pending.append((route, count))
            figures.oldest_outbox = max(figures.oldest_outbox, _age(now, since))
        else:
            figures.outbox_failed.append((route, count))

    rows = await session.execute(
        select(InboxEvent.state, func.count(), func.min(InboxEvent.received_at))
        .where(InboxEvent.state.in_((WAITING, FAILED)))
        .group_by(InboxEvent.state)
    )
    for state, count, since in rows:
        if state == WAITING:
            figures.inbox_waiting = count
            figures.oldest_inbox = _age(now, since)
        else:
            figures.inbox_failed = count
    return figures
