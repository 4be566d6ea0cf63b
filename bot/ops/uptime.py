"""Uptime checks of the ERP and its integrations.

A probe is an HTTP(S) request or a TCP connect, always bounded by its timeout. Results are stored;
a check goes DOWN only after `fail_after` failures in a row and UP again after `recover_after`
successes, so one slow answer does not page anyone. Alerts (down, still down, recovered) go to
the ops channel through the outbox, in the same transaction as the state change.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from sqlalchemy import case, delete, func, select

from bot.ops.upgrades import UpgradeBook
from bot.settings import Check, Settings
from bot.store.db import Database
from bot.store.models import UptimeResult, UptimeState, utcnow
from bot.support.notices import UptimeChange, UptimeNotice
from bot.support.outbox import enqueue_notice

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
UP, DOWN, UNKNOWN = "up", "down", "unknown"
WINDOWS = (("24 h", timedelta(hours=24)), ("7 d", timedelta(days=7)), ("30 d", timedelta(days=30)))
KEEP_RESULTS = timedelta(days=40)


@dataclass(frozen=True)
class ProbeResult:
    ok: bool
    latency_ms: int | None
    error: str | None = None


async def probe(check: Check) -> ProbeResult:
    """Run one check; a hang can't outlast the timeout (plus a second for cleanup)."""
    started = time.perf_counter()
    try:
        error = await asyncio.wait_for(_probe(check), timeout=check.timeout + 1)
    except TimeoutError:
        error = f"no answer within {check.timeout:g} s"
    latency = int((time.perf_counter() - started) * 1000)
    return ProbeResult(error is None, latency, error)


async def _probe(check: Check) -> str | None:
    if check.tcp is not None:
        host, port = check.tcp
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), check.timeout)
        except TimeoutError:
            return f"no answer within {check.timeout:g} s"
        except OSError as exc:
            return f"TCP {host}:{port}: {exc.strerror or exc}"
        writer.close()
        return None
    assert check.url is not None
    timeout = aiohttp.ClientTimeout(total=check.timeout)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.request(check.method, check.url, allow_redirects=True) as response,
        ):
            body = await response.text(errors="replace") if check.method != "HEAD" else ""
            status = response.status
    except TimeoutError:
        return f"no answer within {check.timeout:g} s"
    except aiohttp.ClientSSLError as exc:
        return f"TLS error: {getattr(exc, 'os_error', exc)}"
    except ssl.SSLError as exc:
        return f"TLS error: {exc}"
    except aiohttp.ClientConnectorError as exc:
        return f"cannot connect: {exc.os_error.strerror if exc.os_error else exc}"
    except aiohttp.ClientError as exc:
        return f"HTTP error: {exc}"
    if status != check.expect_status:
        return f"HTTP {status} (expected {check.expect_status})"
    if check.expect_text and check.expect_text not in body:
        return f"the page does not contain {check.expect_text!r}"
    if check.expect_json:
        return _json_mismatch(body, *check.expect_json)
    return None


def _json_mismatch(body: str, path: str, expected: str) -> str | None:
    try:
        value: Any = json.loads(body)
    except ValueError:
        return "the answer is not JSON"
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return f"the JSON has no {path}"
        value = value[key]
    shown = json.dumps(value) if not isinstance(value, str) else value
    return None if shown == expected else f"JSON {path} is {shown!r} (expected {expected!r})"


@dataclass(frozen=True)
class CheckStatus:
    check: Check
    status: str
    down_since: datetime | None
    last_error: str | None
    uptime: dict[str, float | None]  # window label -> share of successful runs


class Uptime:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        clock: Clock = utcnow,
        book: UpgradeBook | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self.book = book
        self.checks = {c.id: c for c in settings.ops.checks}

    async def prune(self) -> int:
        """Forget results older than the longest window shown (30 days), with a margin."""
        async with self.db.session() as session:
            result = await session.execute(
                delete(UptimeResult).where(UptimeResult.at < self.clock() - KEEP_RESULTS)
            )
            await session.commit()
        return result.rowcount or 0

    async def run(self, check_id: str) -> ProbeResult:
        """Probe one check, store the result, move its state and queue any alert."""
        check = self.checks[check_id]
        result = await probe(check)
        await self.record(check, result)
        return result

    async def record(self, check: Check, result: ProbeResult) -> str | None:
        """Store a result; returns the alert kind queued (down, still_down, recovered) if any."""
        now = self.clock()
        async with self.db.session() as session:
            session.add(
                UptimeResult(
                    check_id=check.id,
                    at=now,
                    ok=result.ok,
                    latency_ms=result.latency_ms,
                    error=result.error,
                )
            )
            state = await session.get(UptimeState, check.id, with_for_update=not self.db.is_sqlite)
            if state is None:
                state = UptimeState(check_id=check.id, status=UNKNOWN, failures=0, successes=0)
                session.add(state)
            alert = self._advance(state, check, result, now)
            if alert is not None:
                self._alert(session, check, state, alert, now)
            await session.commit()
        return alert

    def _advance(
        self, state: UptimeState, check: Check, result: ProbeResult, now: datetime
    ) -> str | None:
        state.updated_at = now
        if result.ok:
            state.successes, state.failures = state.successes + 1, 0
            if state.status != UP and state.successes >= check.recover_after:
                was_down = state.status == DOWN
                state.status = UP
                return "recovered" if was_down else None
            return None
        if state.failures == 0 and state.status != DOWN:
            state.down_since = now  # the streak starts here; DOWN is declared later
        state.failures, state.successes = state.failures + 1, 0
        state.last_error = result.error
        if state.status != DOWN and state.failures >= check.fail_after:
            state.status, state.last_alert_at = DOWN, now
            return "down"
        if state.status == DOWN and state.last_alert_at is not None:
            last = state.last_alert_at
            if now - last >= self.settings.ops.repeat_down_alert:
                state.last_alert_at = now
                return "still_down"
        return None

    def _alert(
        self, session: Any, check: Check, state: UptimeState, kind: str, now: datetime
    ) -> None:
        channel = self.settings.ops.channel
        if not channel:
            return
        window = self.book.silenced(check.id, now) if self.book else None
        if window is not None:
            log.info("uptime %s: %s silenced by the window of %s", check.id, kind, window.title)
            return
        since = state.down_since or now
        notice = UptimeNotice(
            change=UptimeChange(kind),
            to=channel,
            check=check.id,
            name=check.name,
            error=state.last_error,
            since=since.isoformat(),
            down_for_minutes=int((now - since).total_seconds() // 60),
            owner=self.settings.ops.uptime_owner,
            text=alert_text(kind, check, state.last_error, since, now, self.settings),
        )
        key = f"uptime:{check.id}:{kind}:{now.isoformat()}"
        enqueue_notice(session, notice, "uptime", key, now)

    async def status(self) -> list[CheckStatus]:
        now = self.clock()
        async with self.db.session() as session:
            states = {s.check_id: s for s in await session.scalars(select(UptimeState))}
            out = []
            for check in self.checks.values():
                shares: dict[str, float | None] = {}
                for label, window in WINDOWS:
                    row = (
                        await session.execute(
                            select(
                                func.count(UptimeResult.id),
                                func.sum(case((UptimeResult.ok, 1), else_=0)),
                            ).where(
                                UptimeResult.check_id == check.id, UptimeResult.at >= now - window
                            )
                        )
                    ).one()
                    shares[label] = (row[1] or 0) / row[0] if row[0] else None
                state = states.get(check.id)
                out.append(
                    CheckStatus(
                        check,
                        state.status if state else UNKNOWN,
                        state.down_since if state else None,
                        state.last_error if state else None,
                        shares,
                    )
                )
            return out


def alert_text(
    kind: str, check: Check, error: str | None, since: datetime, now: datetime, settings: Settings
) -> str:
    """The alert in plain Swedish: what, since when, why (adapters add who owns uptime)."""
    zone = settings.escalation.hours.zone
    at = since.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    minutes = int((now - since).total_seconds() // 60)
    length = f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"
    if kind == "recovered":
        return f"{check.name} fungerar igen efter {length} nere (sedan {at})."
    prefix = "fortfarande nere" if kind == "still_down" else "är nere"
    return f"{check.name} {prefix} sedan {at} ({length}): {error}."


def summary_text(statuses: list[CheckStatus]) -> str:
    """The daily summary: each check's state and its uptime over 24 hours, 7 and 30 days."""
    names = {UP: "uppe", DOWN: "NERE", UNKNOWN: "okänd"}
    lines = ["Driften just nu (andel lyckade kontroller 24 h / 7 d / 30 d):"]
    for item in statuses:
        shares = " / ".join(
            "-" if share is None else f"{share:.1%}".replace(".", ",")
            for share in item.uptime.values()
        )
        lines.append(f"{item.check.name}: {names.get(item.status, item.status)}, {shares}")
    return "\n".join(lines)
