"""The weekly digest's chart: the figures of the last 12 weeks from real records, the PNG drawn
from them, and its place in the outbox right after the digest."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from PIL import Image
from sqlalchemy import select

from bot.app import Core, create_core
from bot.ops.chart import ChartError, SupportChart, WeekFigures, draw, draw_apart
from bot.settings import Area, Ops
from bot.store.models import OutboxMessage, Question
from tests.conftest import Clock, make_settings

ANNA, OLA = "U0ANNA", "U0OLA"
AREAS = (
    Area("finance", "Ekonomi", superusers=(ANNA,)),
    Area("warehouse", "Lager", superusers=(OLA,)),
    Area("purchasing", "Inköp"),
)
MONDAY = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # 08:00 in Stockholm: the digest's time
WEEKS = [f"2026-{week}" for week in range(37, 49)]  # the 12 full weeks before that Monday


@pytest_asyncio.fixture
async def clock() -> Clock:
    return Clock(MONDAY)


@pytest_asyncio.fixture
async def core(database_url: str, clock: Clock) -> AsyncIterator[Core]:
    settings = make_settings(database_url, areas=AREAS, ops=Ops(channel="C0OPS"))
    core = await create_core(settings, clock)
    yield core
    await core.close()


async def asked(
    core: Core, at: datetime, area: str | None, *, answered: bool = False, text: str = "fråga"
) -> Question:
    """A question as the desk records one, asked at `at` (UTC)."""
    question = Question(
        created_at=at,
        source="slack",
        asker="U0ASKER",
        channel="C0SUPPORT",
        message_ts="1.1",
        thread_ts="1.1",
        text=text,
        language="sv",
        matched_area=area,
        confidence=0.9 if answered else 0.1,
        answered=answered,
        status="answered" if answered else "unresolved",
    )
    async with core.db.session() as session:
        session.add(question)
        await session.commit()
    return question


async def support_history(core: Core, clock: Clock) -> None:
    """Questions around the window's edges and across the change from summer time, and two
    escalations taken through the ladder: one answered in week 47 and closed in week 48, one
    opened and answered in week 48."""
    await asked(core, datetime(2026, 9, 6, 21, 59, tzinfo=UTC), "finance")  # Sun 23:59, before
    await asked(core, datetime(2026, 9, 6, 22, 0, tzinfo=UTC), "finance")  # Mon 00:00, week 37
    await asked(core, datetime(2026, 10, 25, 22, 59, tzinfo=UTC), "warehouse")  # Sun 23:59 CET
    await asked(core, datetime(2026, 10, 25, 23, 0, tzinfo=UTC), "warehouse")  # Mon, week 44
    late = await asked(core, datetime(2026, 11, 17, 8, 0, tzinfo=UTC), "finance")
    await asked(core, datetime(2026, 11, 24, 9, 0, tzinfo=UTC), "finance", answered=True)
    await asked(core, datetime(2026, 11, 25, 9, 0, tzinfo=UTC), "warehouse", answered=True)
    await asked(core, datetime(2026, 11, 26, 9, 0, tzinfo=UTC), None)  # lunch: no area
    fresh = await asked(core, datetime(2026, 11, 27, 9, 0, tzinfo=UTC), "warehouse")
    await asked(core, datetime(2026, 11, 30, 6, 0, tzinfo=UTC), "finance")  # this week: not yet

    clock.now = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    first = await core.ladder.open(late, "unanswered")
    await core.ladder.claim(first.id, ANNA)
    clock.advance(hours=3)
    await core.ladder.answer(first.id, ANNA, "Så här.")
    clock.now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    await core.ladder.close(first.id, ANNA)
    clock.now = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    second = await core.ladder.open(fresh, "unanswered")
    clock.advance(hours=1, minutes=30)
    await core.ladder.answer(second.id, OLA, "Så.")
    clock.now = MONDAY


async def test_the_chart_has_the_last_twelve_full_weeks_figures(core: Core, clock: Clock) -> None:
    await support_history(core, clock)
    chart = (await core.digest.make()).chart
    assert chart.title == "Supporten vecka 37–48 (2026-09-07–2026-11-29)"
    assert [w.week for w in chart.weeks] == WEEKS
    assert chart.weeks[0].starts == "2026-09-07" and chart.weeks[-1].starts == "2026-11-23"
    by_week = {w.week: w for w in chart.weeks}
    assert by_week["2026-37"].questions == {"Ekonomi": 1}
    assert by_week["2026-43"].questions == {"Lager": 1}
    assert by_week["2026-44"].questions == {"Lager": 1}
    assert by_week["2026-47"] == WeekFigures(
        "2026-47", "2026-11-16", {"Ekonomi": 1}, 0, opened=1, closed=0, hours_to_answer=3.0
    )
    last = by_week["2026-48"]
    assert last.questions == {"Ekonomi": 1, "Lager": 2, "Utan område": 1}
    assert (last.asked, last.answered, last.answered_share) == (4, 2, 0.5)
    assert (last.opened, last.closed, last.hours_to_answer) == (1, 1, 1.5)
    quiet = by_week["2026-40"]
    assert (quiet.asked, quiet.answered_share, quiet.opened, quiet.hours_to_answer) == (
        0,
        None,
        0,
        None,
    )
    assert sum(w.asked for w in chart.weeks) == 8  # not the one before, nor this week's
    assert not chart.empty


async def test_the_png_is_drawn_from_those_weeks(core: Core, clock: Clock) -> None:
    await support_history(core, clock)
    chart = (await core.digest.make()).chart
    for png in (draw(chart), await draw_apart(chart)):
        image = Image.open(io.BytesIO(png))
        assert (image.format, image.size) == ("PNG", (1100, 750))
        assert image.text["Title"] == chart.title
        assert image.text["Comment"].split(",") == WEEKS
        image.load()  # the whole image decodes


async def test_a_chart_that_cannot_be_drawn_is_an_error_saying_why() -> None:
    counted_in_words: dict = {"Ekonomi": "many"}
    week = WeekFigures("2026-01", "2026-01-05", counted_in_words, 0, 0, 0, None)
    broken = SupportChart("x", [week])
    with pytest.raises(ChartError, match=r"unsupported operand|TypeError"):
        await draw_apart(broken)


async def test_the_digest_queues_its_chart_right_after_it_once(core: Core, clock: Clock) -> None:
    await support_history(core, clock)
    assert await core.digest.post() is True
    assert await core.digest.post() is False
    async with core.db.session() as session:
        rows = list(
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.topic.like("digest%"))
                .order_by(OutboxMessage.id)
            )
        )
    assert [(r.topic, r.lane, r.dedupe_key) for r in rows] == [
        ("digest", "C0OPS", "digest:2026-48"),
        ("digest_chart", "C0OPS", "digest:2026-48:chart"),
    ]
    payload = json.loads(rows[1].payload)
    assert payload["kind"] == "digest_chart" and payload["to"] == "C0OPS"
    chart = SupportChart.from_dict(payload["chart"])
    assert [w.week for w in chart.weeks] == WEEKS
    assert chart == (await core.digest.make()).chart


async def test_no_chart_when_there_is_nothing_to_show(core: Core) -> None:
    assert (await core.digest.make()).chart.empty
    assert await core.digest.post() is True
    async with core.db.session() as session:
        topics = list(await session.scalars(select(OutboxMessage.topic)))
    assert topics == ["digest"]
