"""The `FIRSTLINE_CONFIG` TOML file: areas, channels, the escalation ladder, vendor and ops.

Each section accepts the keys of its dataclass's fields (bot.settings.model) and passes on only the
values the file gives, validated, so a missing key keeps the field's default.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Set
from dataclasses import dataclass, fields, replace
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from bot.settings.model import (
    BUSINESS_DAYS,
    FILE_KEYS,
    Area,
    Check,
    Escalation,
    Member,
    Ops,
    Settings,
    SettingsError,
    Vendor,
)
from bot.support.hours import WEEKDAYS, BusinessHours

_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_USERGROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
_AREA_KEY = re.compile(r"^[a-z][a-z0-9_-]*$")
_PERSON_KEY = re.compile(r"^[a-z][a-z0-9_.-]*$")
_CHECK_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_DURATION = re.compile(r"^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)-([01]?\d|2[0-3]):([0-5]\d)$")
_MONTH = timedelta(days=30)


def known_keys(cls: type) -> frozenset[str]:
    """The config-file keys that fill `cls`'s fields: each field's name unless it says others."""
    return frozenset(key for f in fields(cls) for key in f.metadata.get(FILE_KEYS, (f.name,)))


# Settings' keys are its sections (areas, escalation, ...) and bot.<key> for the keys of [bot]
_SETTINGS_KEYS = known_keys(Settings)
_SECTIONS = frozenset(key.partition(".")[0] for key in _SETTINGS_KEYS)
_BOT_KEYS = frozenset(key.removeprefix("bot.") for key in _SETTINGS_KEYS if key.startswith("bot."))


def apply_config_file(settings: Settings, path: Path) -> Settings:
    """Overlay the TOML config file (areas, channels, threshold) on the environment settings."""
    if not path.is_file():
        raise SettingsError(f"FIRSTLINE_CONFIG {str(path)!r} does not exist")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from exc
    _only(data, _SECTIONS, f"{path}: unknown section")
    bot = _table(data.get("bot", {}), f"{path}: [bot]")
    _only(bot, _BOT_KEYS, f"{path}: unknown setting in [bot]")
    given: dict[str, Any] = {}
    people = _people(_table(data.get("people", {}), f"{path}: [people]"), path)
    users = _Users(replace(settings, people=people))
    if "support_channels" in bot:
        channels = bot["support_channels"]
        if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
            raise SettingsError(f"{path}: bot.support_channels must be a list of channel ids")
        for channel in channels:
            _channel(channel, f"{path}: bot.support_channels")
        given["support_channels"] = frozenset(channels)
    if "answer_threshold" in bot:
        threshold = bot["answer_threshold"]
        if not isinstance(threshold, int | float) or not 0 < threshold < 1:
            raise SettingsError(f"{path}: bot.answer_threshold must be a number between 0 and 1")
        given["answer_threshold"] = float(threshold)
    for key, most in (("workers", 64), ("busy_after", 1_000_000)):
        if key in bot:
            value = bot[key]
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
                raise SettingsError(f"{path}: bot.{key} must be a whole number from 1 to {most}")
            given[key] = value
    if "elsewhere" in bot:
        elsewhere = bot["elsewhere"]
        if not isinstance(elsewhere, str) or not elsewhere.strip():
            raise SettingsError(
                f"{path}: bot.elsewhere must be a text (where to ask other questions)"
            )
        given["elsewhere"] = elsewhere.strip()
    if "areas" in data:
        given["areas"] = _areas(_table(data["areas"], f"{path}: [areas]"), path, users)
    escalation = _table(data.get("escalation", {}), f"{path}: [escalation]")
    return replace(
        settings,
        config_file=path,
        people=people,
        escalation=_escalation(escalation, path, users),
        vendor=_vendor(_table(data.get("vendor", {}), f"{path}: [vendor]"), path),
        ops=_ops(_table(data.get("ops", {}), f"{path}: [ops]"), path, users),
        **given,
    )


def _people(table: dict[str, object], path: Path) -> tuple[Member, ...]:
    """[people.<key>]: a name and an id per channel; the key is how the rest of the file (and
    the core) names the person."""
    people, owners = [], {}
    channels = [key for key in known_keys(Member) if key != "name"]
    for key, value in table.items():
        where = f"{path}: people.{key}"
        if not _PERSON_KEY.match(key):
            raise SettingsError(f"{where}: the key must be lower-case letters, e.g. anna")
        spec = _table(value, f"{path}: [people.{key}]")
        _only(spec, known_keys(Member), f"{path}: unknown setting in [people.{key}]")
        ids = []
        for channel in sorted(channels):
            if channel not in spec:
                continue
            native = spec[channel]
            if not isinstance(native, str) or not native.strip():
                raise SettingsError(f"{where}.{channel} must be the person's {channel} id")
            if channel == "slack" and not _USER_ID.match(native):
                raise SettingsError(f"{where}.slack: {native!r} is not a Slack user id ({_HOW})")
            if (channel, native) in owners:
                raise SettingsError(
                    f"{where}.{channel}: {native!r} is already people.{owners[channel, native]}"
                )
            owners[channel, native] = key
            ids.append((channel, native.strip()))
        if not ids:
            raise SettingsError(f"{where}: give at least one id ({', '.join(sorted(channels))})")
        name = spec.get("name")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise SettingsError(f'{where}.name must be a text, e.g. "Anna Lind"')
        people.append(Member(key=key, name=name.strip() if name else None, ids=tuple(ids)))
    return tuple(people)


_HOW = "in Slack: profile > More > Copy member ID"


@dataclass(frozen=True)
class _Users:
    """Reads the file's lists of people (superusers, admins, owners): each one a [people] key or
    a Slack user id, kept as the core knows them (a Slack id of a member becomes their key)."""

    settings: Settings

    def many(self, value: object, where: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(u, str) for u in value):
            raise SettingsError(
                f"{where} must be a list of [people] keys or Slack user ids like U0123456789"
            )
        return tuple(self.one(user, where) for user in value)

    def one(self, user: str, where: str) -> str:
        if self.settings.member(user):
            return user
        if not _USER_ID.match(user):
            raise SettingsError(
                f"{where}: {user!r} is neither a person in [people] nor a Slack user id ({_HOW})"
            )
        return self.settings.person("slack", user)


def _escalation(table: dict[str, object], path: Path, users: _Users) -> Escalation:
    _only(table, known_keys(Escalation), f"{path}: unknown setting in [escalation]")
    where = f"{path}: escalation"
    given: dict[str, Any] = {}
    if "triage_channel" in table:
        given["triage_channel"] = _channel(table["triage_channel"], f"{where}.triage_channel")
    hours = _business_hours(table, where)
    given["hours"] = hours
    if "admins" in table:
        given["admins"] = frozenset(users.many(table["admins"], f"{where}.admins"))
    for f in fields(Escalation):
        if BUSINESS_DAYS in f.metadata:
            given[f.name] = f.metadata[BUSINESS_DAYS] * hours.day_length
    for key in ("claim_within", "answer_within", "reminder_grace"):
        if key in table:
            given[key] = _duration(table[key], f"{where}.{key}", hours.day_length)
    return Escalation(**given)


def _business_hours(table: dict[str, object], where: str) -> BusinessHours:
    """The escalation table's business_hours, business_days, timezone, holidays, closed_eves."""
    given: dict[str, Any] = {}
    if "timezone" in table:
        zone = str(table["timezone"])
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(f"{where}.timezone: unknown time zone {zone!r}") from exc
        given["timezone"] = zone
    if "business_hours" in table:
        clock = str(table["business_hours"])
        match = _CLOCK.match(clock.replace(" ", ""))
        if not match:
            raise SettingsError(f"{where}.business_hours must look like 08:00-17:00, got {clock!r}")
        opens = time(int(match[1]), int(match[2]))
        closes = time(int(match[3]), int(match[4]))
        if closes <= opens:
            raise SettingsError(f"{where}.business_hours: closing time must be after opening time")
        given["opens"], given["closes"] = opens, closes
    if "business_days" in table:
        days = table["business_days"]
        if not isinstance(days, list) or not days or any(d not in WEEKDAYS for d in days):
            raise SettingsError(f"{where}.business_days must be a list of {', '.join(WEEKDAYS)}")
        given["days"] = tuple(str(d) for d in days)
    if "holidays" in table:
        country = table["holidays"]
        if country is False or country == "":
            given["country"] = None
        elif str(country).upper() in holidays.list_supported_countries():
            given["country"] = str(country).upper()
        else:
            raise SettingsError(f"{where}.holidays: unknown country code {country!r} (e.g. SE)")
    if "closed_eves" in table:
        given["closed_eves"] = _boolean(table["closed_eves"], f"{where}.closed_eves")
    return BusinessHours(**given)


def _vendor(table: dict[str, object], path: Path) -> Vendor:
    _only(table, known_keys(Vendor), f"{path}: unknown setting in [vendor]")
    where = f"{path}: vendor"
    given: dict[str, Any] = {}
    if "name" in table:
        given["name"] = str(table["name"])
    if "slack_channel" in table:
        given["slack_channel"] = _channel(table["slack_channel"], f"{where}.slack_channel")
    if "email" in table:
        email = str(table["email"])
        if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
            raise SettingsError(f"{where}.email {table['email']!r} is not an e-mail address")
        given["email"] = email
    if "webhook_url" in table:
        webhook = str(table["webhook_url"])
        if not webhook.startswith(("https://", "http://")):
            raise SettingsError(
                f"{where}.webhook_url must be an http(s):// URL, got {table['webhook_url']!r}"
            )
        given["webhook_url"] = webhook
    return Vendor(**given)


def _ops(table: dict[str, object], path: Path, users: _Users) -> Ops:
    _only(table, known_keys(Ops), f"{path}: unknown setting in [ops]")
    where = f"{path}: ops"
    given: dict[str, Any] = {}
    if "channel" in table:
        given["channel"] = _channel(table["channel"], f"{where}.channel")
    for key in ("uptime_owner", "improvements_owner", "upgrades_owner"):
        if key in table:
            given[key] = users.many([table[key]], f"{where}.{key}")[0]
    if "repeat_down_alert" in table:
        given["repeat_down_alert"] = _duration(
            table["repeat_down_alert"], f"{where}.repeat_down_alert", timedelta(days=1)
        )
    if "checks" in table:
        given["checks"] = _checks(table["checks"], where, path)
        if given["checks"] and "channel" not in given:
            raise SettingsError(f"{where}.channel is needed for uptime alerts (a channel id)")
    if "daily_summary" in table:
        summary = table["daily_summary"]
        match = re.match(r"^([01]?\d|2[0-3]):([0-5]\d)$", str(summary))
        if not match:
            raise SettingsError(f"{where}.daily_summary must be a time like 07:30, got {summary!r}")
        given["daily_summary"] = time(int(match[1]), int(match[2]))
    if "digest" in table:
        digest_at = str(table["digest"]).strip().lower()
        match = re.match(r"^(mon|tue|wed|thu|fri|sat|sun)\s+([01]?\d|2[0-3]):([0-5]\d)$", digest_at)
        if not match:
            raise SettingsError(f"{where}.digest must look like 'mon 08:00', got {digest_at!r}")
        given["digest_day"] = match[1]
        given["digest_time"] = time(int(match[2]), int(match[3]))
    return Ops(**given)


def _checks(value: object, where: str, path: Path) -> tuple[Check, ...]:
    if not isinstance(value, list):
        raise SettingsError(f"{where}.checks must be a list of [[ops.checks]] tables")
    checks = tuple(_check(c, f"{where}.checks[{n}]", path) for n, c in enumerate(value))
    ids = [c.id for c in checks]
    duplicate = next((i for i in ids if ids.count(i) > 1), None)
    if duplicate:
        raise SettingsError(f"{where}.checks: the id {duplicate!r} is used twice")
    return checks


# each number a check takes, with its range; the type is that of the field's default
_CHECK_NUMBERS = {
    "expect_status": (100, 599),
    "timeout": (0.1, 120),
    "interval": (5, 86400),
    "fail_after": (1, 100),
    "recover_after": (1, 100),
}
_CHECK_DEFAULTS = {f.name: f.default for f in fields(Check)}


def _check(value: object, where: str, path: Path) -> Check:
    spec = _table(value, where)
    _only(spec, known_keys(Check), f"unknown setting in {where}")
    check_id = spec.get("id")
    if not isinstance(check_id, str) or not _CHECK_ID.match(check_id):
        raise SettingsError(f"{where}.id must be a short lower-case name like erp-web")
    where = f"{path}: check {check_id}"
    given: dict[str, Any] = {"id": check_id, "name": str(spec.get("name", check_id))}
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
        given["url"] = str(url)
    if tcp is not None:
        host, _, port = str(tcp).rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError(f"{where}: tcp must be host:port, got {tcp!r}")
        given["tcp"] = (host, int(port))
    for key, (low, high) in _CHECK_NUMBERS.items():
        if key in spec:
            number = spec[key]
            if (
                isinstance(number, bool)
                or not isinstance(number, int | float)
                or not low <= number <= high
            ):
                raise SettingsError(f"{where}: {key} must be a number from {low} to {high}")
            given[key] = type(_CHECK_DEFAULTS[key])(number)
    timing = {**_CHECK_DEFAULTS, **given}
    if timing["timeout"] >= timing["interval"]:
        raise SettingsError(f"{where}: timeout must be shorter than interval")
    if "expect_json" in spec:
        field_path, sep, expected = str(spec["expect_json"]).partition("=")
        if not sep or not field_path.strip():
            raise SettingsError(f"{where}: expect_json must look like status=ok or data.state=up")
        given["expect_json"] = (field_path.strip(), expected.strip())
    if "method" in spec:
        given["method"] = str(spec["method"]).upper()
        if given["method"] not in ("GET", "HEAD", "POST"):
            raise SettingsError(f"{where}: method must be GET, HEAD or POST")
    if "expect_text" in spec:
        given["expect_text"] = str(spec["expect_text"])
    return Check(**given)


def _boolean(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise SettingsError(f"{where} must be true or false, got {value!r}")
    return value


def _duration(value: object, where: str, day: timedelta) -> timedelta:
    """'2h', '30m', '1d' (one `day`: a business day in [escalation]), '1d 4h'; at most 30 days."""
    match = _DURATION.match(value.strip()) if isinstance(value, str) else None
    if not match or not any(match.groups()):
        raise SettingsError(f"{where} must be a duration like 30m, 2h or 1d, got {value!r}")
    days, hours, minutes = (int(g or 0) for g in match.groups())
    duration = days * day + timedelta(hours=hours, minutes=minutes)
    if not timedelta(0) < duration <= _MONTH:
        raise SettingsError(f"{where} must be more than 0 and at most 30 days, got {value!r}")
    return duration


def _areas(table: dict[str, object], path: Path, users: _Users) -> tuple[Area, ...]:
    areas = []
    for key, value in table.items():
        if not _AREA_KEY.match(key):
            raise SettingsError(
                f"{path}: area key {key!r} must be lower-case letters, e.g. finance"
            )
        spec = _table(value, f"{path}: [areas.{key}]")
        _only(spec, known_keys(Area), f"{path}: unknown setting in [areas.{key}]")
        given: dict[str, Any] = {}
        if "channel" in spec:
            given["channel"] = _channel(spec["channel"], f"{path}: areas.{key}.channel")
        if "contact" in spec:
            given["contact"] = str(spec["contact"]) if spec["contact"] else None
        if "usergroup" in spec:
            usergroup = spec["usergroup"]
            if not (isinstance(usergroup, str) and _USERGROUP_ID.match(usergroup)):
                raise SettingsError(
                    f"{path}: areas.{key}.usergroup {usergroup!r} is not like S0123"
                )
            given["usergroup"] = usergroup
        if "superusers" in spec:
            given["superusers"] = users.many(spec["superusers"], f"{path}: areas.{key}.superusers")
        areas.append(Area(key=key, name=str(spec.get("name", key.capitalize())), **given))
    if not areas:
        raise SettingsError(f"{path}: [areas] is empty; define at least one area")
    return tuple(areas)


def _only(table: dict[str, object], allowed: Set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise SettingsError(f"{where}: {', '.join(unknown)} (known: {', '.join(sorted(allowed))})")


def _table(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise SettingsError(f"{where} must be a table")
    return value


def _channel(channel: object, where: str) -> str:
    if not isinstance(channel, str) or not _CHANNEL_ID.match(channel):
        raise SettingsError(
            f"{where}: {channel!r} is not a Slack channel id (like C0123456789; "
            "in Slack: channel details > About > Channel ID)"
        )
    return channel
