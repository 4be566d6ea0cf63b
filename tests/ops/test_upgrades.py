"""The upgrade plan: its format, reminders exactly once, maintenance windows silencing alerts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import create_core
from bot.ops.reminders import UpgradeReminders
from bot.ops.upgrades import UpgradeBook, due_reminders, parse_upgrades, quiet_since
from bot.ops.uptime import ProbeResult, Uptime
from bot.settings import Check, Ops
from bot.store.models import OutboxMessage
from tests.conftest import KNOWLEDGE, make_settings, small_knowledge

ZONE = ZoneInfo("Europe/Stockholm")


def test_the_sample_plan_parses() -> None:
    plan = parse_upgrades((KNOWLEDGE / "upgrades.md").read_text(), "upgrades.md", ZONE)
    assert plan.problems == []
    assert [u.version for u in plan.upgrades] == ["26.0", "27.0", "27.2"]
    autumn = plan.upgrades[1]
    assert autumn.starts == datetime(2026, 10, 17, 18, 0, tzinfo=ZONE)
    assert autumn.ends == datetime(2026, 10, 18, 2, 0, tzinfo=ZONE)
    assert autumn.checks == () and autumn.responsible == "Sara Nilsson"
    december = plan.upgrades[2]
    assert december.checks == ("erp-web", "erp-api", "webshop-sync")
    assert december.description.startswith("Säkerhetsuppdatering")
    assert plan.remind_before == (timedelta(days=7), timedelta(days=1), timedelta(hours=1))


def test_bad_plans_are_explained_with_line() -> None:
    plan = parse_upgrades("## den 12 december: uppgradering\n", "upgrades.md", ZONE)
    assert [(p.line, p.message[:30]) for p in plan.problems] == [
        (1, "an upgrade heading must look l")
    ]
    plan = parse_upgrades("## 2026-12-12 22:00 - 18:00 Baklänges\n", "upgrades.md", ZONE)
    assert plan.problems[0].message == "the window must end after it starts"
    plan = parse_upgrades("---\nremind_before: [sju dagar]\n---\n", "upgrades.md", ZONE)
    assert "remind_before must be a list" in plan.problems[0].message


def test_unreadable_files_and_bad_settings_are_problems_not_crashes(tmp_path: Path) -> None:
    path = tmp_path / "upgrades.md"
    path.write_bytes("## 2026-12-12 18:00 - 22:00 Uppgradering för ekonomi\n".encode("cp1252"))
    plan = UpgradeBook(path, ZONE).plan()
    assert plan.upgrades == [] and "save it as UTF-8" in plan.problems[0].message
    plan = parse_upgrades(
        "---\nrelease_train: nej\nremind_before: [7d\n---\n"
        "## 2026-12-12 18:00 - 22:00 Ny version\n",
        "upgrades.md",
        ZONE,
    )
    assert [u.title for u in plan.upgrades] == ["Ny version"]  # a broken header loses no window
    assert "broken front matter" in plan.problems[0].message


def test_the_hour_before_a_window_on_the_night_the_clocks_go_forward() -> None:
    plan = parse_upgrades("## 2027-03-28 03:00 - 05:00 Nattuppdatering\n", "upgrades.md", ZONE)
    [upgrade] = plan.upgrades
    hour_before = upgrade.starts.astimezone(UTC) - timedelta(hours=1)  # 01:00 UTC = 03:00 wall
    assert [k for _, k, _ in due_reminders(plan, hour_before)] == ["before_1h"]


def test_reminder_moments_and_quiet_warning() -> None:
    plan = parse_upgrades((KNOWLEDGE / "upgrades.md").read_text(), "upgrades.md", ZONE)
    december = plan.upgrades[2]
    week_before = december.starts - timedelta(days=7)
    assert [k for _, k, _ in due_reminders(plan, week_before)] == ["before_7d"]
    assert list(due_reminders(plan, week_before + timedelta(hours=7))) == []  # stale: not sent
    assert [k for _, k, _ in due_reminders(plan, december.starts)] == ["starts"]
    assert quiet_since(plan, datetime(2026, 12, 1, tzinfo=UTC)) is None  # December is planned
    later = datetime(2027, 4, 1, tzinfo=UTC)
    assert quiet_since(plan, later) == december.ends


async def test_reminders_go_out_exactly_once_and_windows_silence_alerts(
    database_url: str, tmp_path: Path
) -> None:
    knowledge = small_knowledge(tmp_path, "upgrades.md")
    check = Check("erp-web", "BC", url="http://127.0.0.1:9/", timeout=1, interval=60, fail_after=1)
    settings = make_settings(
        database_url,
        knowledge_dir=knowledge,
        ops=Ops(channel="C0OPS", upgrades_owner="U0SARA", checks=(check,)),
    )
    core = await create_core(settings)
    try:
        book = UpgradeBook(knowledge / "upgrades.md", ZONE)
        day_before = datetime(2026, 12, 11, 17, 0, tzinfo=UTC)  # 18:00 in Stockholm
        reminders = UpgradeReminders(settings, core.ops, book, lambda: day_before)
        assert await reminders.run() == 1
        assert await reminders.run() == 0  # the job runs again: nothing twice
        other_process = UpgradeReminders(
            settings, core.ops, UpgradeBook(book.path, ZONE), lambda: day_before
        )
        assert await other_process.run() == 0
        async with core.db.session() as session:
            [row] = await session.scalars(
                select(OutboxMessage).where(OutboxMessage.topic == "upgrade")
            )
        payload = json.loads(row.payload)
        assert payload["text"] == (
            "Om 1 dag: uppgradering Business Central 27.2 (uppdatering) (version 27.2), "
            "2026-12-12 18:00–22:00. Ansvarig: Sara Nilsson. Säkerhetsuppdatering och rättning av "
            "valutakurser i inköpsorder. Webbshoppen pausas under"
        )
        assert payload["owner"] == "U0SARA"

        in_window = datetime(2026, 12, 12, 18, 30, tzinfo=UTC)  # 19:30 in Stockholm
        uptime = Uptime(settings, core.db, lambda: in_window, book)
        assert (
            await uptime.record(check, ProbeResult(False, 5, "HTTP 503 (expected 200)")) == "down"
        )
        async with core.db.session() as session:
            alerts = list(
                await session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "uptime"))
            )
        assert alerts == []  # DOWN is recorded, the alert is silenced by the window
    finally:
        await core.close()
