"""The `FIRSTLINE_CONFIG` TOML file: areas, channels, the escalation ladder, vendor and ops."""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from datetime import time, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.settings.model import Area, Check, Escalation, Ops, Settings, SettingsError, Vendor
from bot.support.hours import WEEKDAYS, BusinessHours

_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_USERGROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
_AREA_KEY = re.compile(r"^[a-z][a-z0-9_-]*$")
_DURATION = re.compile(r"^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)-([01]?\d|2[0-3]):([0-5]\d)$")

BOT_KEYS = {"support_channels", "answer_threshold", "elsewhere"}
AREA_KEYS = {"name", "channel", "contact", "superusers", "usergroup"}
ESCALATION_KEYS = {
    "triage_channel",
    "claim_within",
    "answer_within",
    "reminder_grace",
    "business_hours",
    "business_days",
    "timezone",
    "holidays",
    "closed_eves",
    "admins",
}
VENDOR_KEYS = {"name", "slack_channel", "email", "webhook_url"}
OPS_KEYS = {
    "channel",
    "uptime_owner",
    "improvements_owner",
    "upgrades_owner",
    "repeat_down_alert",
    "daily_summary",
    "digest",
    "checks",
}
CHECK_KEYS = {
    "id",
    "name",
    "url",
    "tcp",
    "method",
    "expect_status",
    "expect_text",
    "expect_json",
    "timeout",
    "interval",
    "fail_after",
    "recover_after",
}
_CHECK_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def apply_config_file(settings: Settings, path: Path) -> Settings:
    """Overlay the TOML config file (areas, channels, threshold) on the environment settings."""
    if not path.is_file():
        raise SettingsError(f"FIRSTLINE_CONFIG {str(path)!r} does not exist")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from exc
    _only(data, {"bot", "areas", "escalation", "vendor", "ops"}, f"{path}: unknown section")
    bot = _table(data.get("bot", {}), f"{path}: [bot]")
    _only(bot, BOT_KEYS, f"{path}: unknown setting in [bot]")
    channels = bot.get("support_channels", [])
    if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
        raise SettingsError(f"{path}: bot.support_channels must be a list of channel ids")
    for channel in channels:
        _check_channel(channel, f"{path}: bot.support_channels")
    threshold = bot.get("answer_threshold", settings.answer_threshold)
    if not isinstance(threshold, int | float) or not 0 < threshold < 1:
        raise SettingsError(f"{path}: bot.answer_threshold must be a number between 0 and 1")
    elsewhere = bot.get("elsewhere", settings.elsewhere)
    if elsewhere is not None and (not isinstance(elsewhere, str) or not elsewhere.strip()):
        raise SettingsError(f"{path}: bot.elsewhere must be a text (where to ask other questions)")
    areas = settings.areas
    if "areas" in data:
        areas = _areas(_table(data["areas"], f"{path}: [areas]"), path)
    escalation = _escalation(_table(data.get("escalation", {}), f"{path}: [escalation]"), path)
    vendor = _vendor(_table(data.get("vendor", {}), f"{path}: [vendor]"), path)
    ops = _ops(_table(data.get("ops", {}), f"{path}: [ops]"), path)
    return replace(
        settings,
        config_file=path,
        areas=areas,
        support_channels=frozenset(channels),
        answer_threshold=float(threshold),
        elsewhere=elsewhere.strip() if elsewhere else None,
        escalation=escalation,
        vendor=vendor,
        ops=ops,
    )


def _escalation(table: dict[str, object], path: Path) -> Escalation:
    _only(table, ESCALATION_KEYS, f"{path}: unknown setting in [escalation]")
    where = f"{path}: escalation"
    triage = table.get("triage_channel")
    if triage is not None:
        _check_channel(triage, f"{where}.triage_channel")
    zone = str(table.get("timezone", "Europe/Stockholm"))
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(f"{where}.timezone: unknown time zone {zone!r}") from exc
    clock = str(table.get("business_hours", "08:00-17:00"))
    match = _CLOCK.match(clock.replace(" ", ""))
    if not match:
        raise SettingsError(f"{where}.business_hours must look like 08:00-17:00, got {clock!r}")
    opens = time(int(match[1]), int(match[2]))
    closes = time(int(match[3]), int(match[4]))
    if closes <= opens:
        raise SettingsError(f"{where}.business_hours: closing time must be after opening time")
    days = table.get("business_days", ["mon", "tue", "wed", "thu", "fri"])
    if not isinstance(days, list) or not days or any(d not in WEEKDAYS for d in days):
        raise SettingsError(f"{where}.business_days must be a list of {', '.join(WEEKDAYS)}")
    country = table.get("holidays", "SE")
    if country is False or country == "":
        country = None
    if country is not None:
        import holidays

        if str(country).upper() not in holidays.list_supported_countries():
            raise SettingsError(f"{where}.holidays: unknown country code {country!r} (e.g. SE)")
    hours = BusinessHours(
        timezone=zone,
        opens=opens,
        closes=closes,
        days=tuple(str(d) for d in days),
        country=str(country).upper() if country else None,
        closed_eves=_boolean(table.get("closed_eves", True), f"{where}.closed_eves"),
    )
    admins = _users(table.get("admins", []), f"{where}.admins")
    limit = timedelta(days=30)
    durations = {
        key: _duration(table.get(key, default), f"{where}.{key}", hours.day_length, limit)
        for key, default in (
            ("claim_within", "2h"),
            ("answer_within", "1d"),
            ("reminder_grace", "2h"),
        )
    }
    return Escalation(
        triage_channel=triage,
        claim_within=durations["claim_within"],
        answer_within=durations["answer_within"],
        reminder_grace=durations["reminder_grace"],
        hours=hours,
        admins=frozenset(admins),
    )


def _vendor(table: dict[str, object], path: Path) -> Vendor:
    _only(table, VENDOR_KEYS, f"{path}: unknown setting in [vendor]")
    where = f"{path}: vendor"
    channel = table.get("slack_channel")
    if channel is not None:
        _check_channel(channel, f"{where}.slack_channel")
    email = table.get("email")
    if email is not None and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", str(email)):
        raise SettingsError(f"{where}.email {email!r} is not an e-mail address")
    webhook = table.get("webhook_url")
    if webhook is not None and not str(webhook).startswith(("https://", "http://")):
        raise SettingsError(f"{where}.webhook_url must be an http(s):// URL, got {webhook!r}")
    return Vendor(
        name=str(table.get("name", "leverantören")),
        slack_channel=channel,
        email=str(email) if email else None,
        webhook_url=str(webhook) if webhook else None,
    )


def _ops(table: dict[str, object], path: Path) -> Ops:
    _only(table, OPS_KEYS, f"{path}: unknown setting in [ops]")
    where = f"{path}: ops"
    channel = table.get("channel")
    if channel is not None:
        _check_channel(channel, f"{where}.channel")
    owners = {}
    for key in ("uptime_owner", "improvements_owner", "upgrades_owner"):
        value = table.get(key)
        owners[key] = _users([value], f"{where}.{key}")[0] if value is not None else None
    repeat = _duration(
        table.get("repeat_down_alert", "1h"),
        f"{where}.repeat_down_alert",
        timedelta(days=1),
        timedelta(days=30),
    )
    raw_checks = table.get("checks", [])
    if not isinstance(raw_checks, list):
        raise SettingsError(f"{where}.checks must be a list of [[ops.checks]] tables")
    checks = [_check(c, f"{where}.checks[{n}]", path) for n, c in enumerate(raw_checks)]
    ids = [c.id for c in checks]
    duplicate = next((i for i in ids if ids.count(i) > 1), None)
    if duplicate:
        raise SettingsError(f"{where}.checks: the id {duplicate!r} is used twice")
    if checks and channel is None:
        raise SettingsError(f"{where}.channel is needed for uptime alerts (a channel id)")
    summary = table.get("daily_summary")
    daily: time | None = None
    if summary is not None:
        match = re.match(r"^([01]?\d|2[0-3]):([0-5]\d)$", str(summary))
        if not match:
            raise SettingsError(f"{where}.daily_summary must be a time like 07:30, got {summary!r}")
        daily = time(int(match[1]), int(match[2]))
    digest_at = str(table.get("digest", "mon 08:00")).strip().lower()
    match = re.match(r"^(mon|tue|wed|thu|fri|sat|sun)\s+([01]?\d|2[0-3]):([0-5]\d)$", digest_at)
    if not match:
        raise SettingsError(f"{where}.digest must look like 'mon 08:00', got {digest_at!r}")
    return Ops(
        channel=channel,
        repeat_down_alert=repeat,
        daily_summary=daily,
        digest_day=match[1],
        digest_time=time(int(match[2]), int(match[3])),
        checks=tuple(checks),
        **owners,
    )


def _check(value: object, where: str, path: Path) -> Check:
    spec = _table(value, where)
    _only(spec, CHECK_KEYS, f"unknown setting in {where}")
    check_id = spec.get("id")
    if not isinstance(check_id, str) or not _CHECK_ID.match(check_id):
        raise SettingsError(f"{where}.id must be a short lower-case name like erp-web")
    where = f"{path}: check {check_id}"
    url, tcp = spec.get("url"), spec.get("tcp")
    if (url is None) == (tcp is None):
        raise SettingsError(f"{where}: give either url (HTTP/HTTPS) or tcp (host:port)")
    if url is not None:
        if not re.match(r"^https?://[^/\s]+", str(url)):
            raise SettingsError(f"{where}: url must start with http:// or https://, got {url!r}")
        try:
            urlsplit(str(url)).port  # noqa: B018 - raises for a port out of range
        except ValueError as exc:
            raise SettingsError(f"{where}: url {url!r} is not valid: {exc}") from exc
    target: tuple[str, int] | None = None
    if tcp is not None:
        host, _, port = str(tcp).rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError(f"{where}: tcp must be host:port, got {tcp!r}")
        target = (host, int(port))
    numbers: dict[str, float] = {}
    for key, default, low, high in (
        ("expect_status", 200, 100, 599),
        ("timeout", 10, 0.1, 120),
        ("interval", 60, 5, 86400),
        ("fail_after", 3, 1, 100),
        ("recover_after", 2, 1, 100),
    ):
        number = spec.get(key, default)
        if (
            isinstance(number, bool)
            or not isinstance(number, int | float)
            or not low <= number <= high
        ):
            raise SettingsError(f"{where}: {key} must be a number from {low} to {high}")
        numbers[key] = number
    if numbers["timeout"] >= numbers["interval"]:
        raise SettingsError(f"{where}: timeout must be shorter than interval")
    expect_json = spec.get("expect_json")
    pair: tuple[str, str] | None = None
    if expect_json is not None:
        field_path, sep, expected = str(expect_json).partition("=")
        if not sep or not field_path.strip():
            raise SettingsError(f"{where}: expect_json must look like status=ok or data.state=up")
        pair = (field_path.strip(), expected.strip())
    method = str(spec.get("method", "GET")).upper()
    if method not in ("GET", "HEAD", "POST"):
        raise SettingsError(f"{where}: method must be GET, HEAD or POST")
    text = spec.get("expect_text")
    return Check(
        id=check_id,
        name=str(spec.get("name", check_id)),
        url=str(url) if url is not None else None,
        tcp=target,
        method=method,
        expect_status=int(numbers["expect_status"]),
        expect_text=str(text) if text is not None else None,
        expect_json=pair,
        timeout=float(numbers["timeout"]),
        interval=int(numbers["interval"]),
        fail_after=int(numbers["fail_after"]),
        recover_after=int(numbers["recover_after"]),
    )


def _boolean(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise SettingsError(f"{where} must be true or false, got {value!r}")
    return value


def _duration(value: object, where: str, day: timedelta, limit: timedelta) -> timedelta:
    """'2h', '30m', '1d' (one business day), '1d 4h'."""
    match = _DURATION.match(str(value).strip()) if isinstance(value, str) else None
    if not match or not any(match.groups()):
        raise SettingsError(f"{where} must be a duration like 30m, 2h or 1d, got {value!r}")
    days, hours, minutes = (int(g or 0) for g in match.groups())
    duration = days * day + timedelta(hours=hours, minutes=minutes)
    if not timedelta(0) < duration <= limit:
        raise SettingsError(f"{where} must be more than 0 and at most 30 days, got {value!r}")
    return duration


def _users(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(u, str) for u in value):
        raise SettingsError(f"{where} must be a list of Slack user ids like U0123456789")
    for user in value:
        if not _USER_ID.match(user):
            raise SettingsError(
                f"{where}: {user!r} is not a Slack user id (profile > More > Copy member ID)"
            )
    return tuple(value)


def _areas(table: dict[str, object], path: Path) -> tuple[Area, ...]:
    areas = []
    for key, value in table.items():
        if not _AREA_KEY.match(key):
            raise SettingsError(
                f"{path}: area key {key!r} must be lower-case letters, e.g. finance"
            )
        spec = _table(value, f"{path}: [areas.{key}]")
        _only(spec, AREA_KEYS, f"{path}: unknown setting in [areas.{key}]")
        channel = spec.get("channel")
        if channel is not None:
            _check_channel(channel, f"{path}: areas.{key}.channel")
        contact = spec.get("contact")
        usergroup = spec.get("usergroup")
        if usergroup is not None and not (
            isinstance(usergroup, str) and _USERGROUP_ID.match(usergroup)
        ):
            raise SettingsError(f"{path}: areas.{key}.usergroup {usergroup!r} is not like S0123")
        areas.append(
            Area(
                key=key,
                name=str(spec.get("name", key.capitalize())),
                channel=channel,
                contact=str(contact) if contact else None,
                superusers=_users(spec.get("superusers", []), f"{path}: areas.{key}.superusers"),
                usergroup=usergroup,
            )
        )
    if not areas:
        raise SettingsError(f"{path}: [areas] is empty; define at least one area")
    return tuple(areas)


def _only(table: dict[str, object], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise SettingsError(f"{where}: {', '.join(unknown)} (known: {', '.join(sorted(allowed))})")


def _table(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise SettingsError(f"{where} must be a table")
    return value


def _check_channel(channel: object, where: str) -> None:
    if not isinstance(channel, str) or not _CHANNEL_ID.match(channel):
        raise SettingsError(
            f"{where}: {channel!r} is not a Slack channel id (like C0123456789; "
            "in Slack: channel details > About > Channel ID)"
        )
