"""Settings from the environment, an optional `.env` file and the `FIRSTLINE_CONFIG` TOML file.

Everything is validated up front: a wrong value stops the bot with one line that says which
setting and why, never with a traceback (the CLI prints `SettingsError` and exits with 2).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from dotenv import dotenv_values

from bot.faq.matcher import DEFAULT_THRESHOLD

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///firstline.db"
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_AREA_KEY = re.compile(r"^[a-z][a-z0-9_-]*$")


class SettingsError(Exception):
    """A setting is missing or invalid; the message names it and says how to fix it."""


@dataclass(frozen=True)
class Area:
    key: str
    name: str
    channel: str | None = None
    contact: str | None = None


DEFAULT_AREAS = (
    Area("finance", "Ekonomi / Finance"),
    Area("warehouse", "Lager / Warehouse"),
    Area("purchasing", "Inköp / Purchasing"),
)


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path
    database_url: str = DEFAULT_DATABASE_URL
    port: int = 3000
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str | None = None
    config_file: Path | None = None
    areas: tuple[Area, ...] = DEFAULT_AREAS
    support_channels: frozenset[str] = field(default_factory=frozenset)
    answer_threshold: float = DEFAULT_THRESHOLD

    @property
    def area_keys(self) -> tuple[str, ...]:
        return tuple(a.key for a in self.areas)

    def area(self, key: str | None) -> Area | None:
        return next((a for a in self.areas if a.key == key), None)

    def help_route(self, area: Area | None) -> tuple[str | None, str | None]:
        """(contact, channel id) to send someone to when the bot can't help."""
        channel = area.channel if area and area.channel else None
        if channel is None and self.support_channels:
            channel = sorted(self.support_channels)[0]
        return (area.contact if area else None), channel

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


def load_settings(
    environ: Mapping[str, str] | None = None, *, env_file: Path | str | None = ".env"
) -> Settings:
    """Read settings; the process environment wins over `.env`."""
    values: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        value = values.get(name, "").strip()
        return value or None

    bot_token = get("SLACK_BOT_TOKEN")
    if bot_token and not bot_token.startswith("xoxb-"):
        raise SettingsError("SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-'")
    app_token = get("SLACK_APP_TOKEN")
    if app_token and not app_token.startswith("xapp-"):
        raise SettingsError(
            "SLACK_APP_TOKEN must be an app-level token starting with 'xapp-' (for Socket Mode)"
        )
    api_url = get("SLACK_API_URL")
    if api_url and not re.match(r"^https?://", api_url):
        raise SettingsError(f"SLACK_API_URL must be an http(s) URL, got {api_url!r}")
    if api_url and not api_url.endswith("/"):
        api_url += "/"

    port_text = get("PORT") or "3000"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SettingsError(f"PORT must be a number from 1 to 65535, got {port_text!r}")

    database_url = normalize_database_url(get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    knowledge_dir = _knowledge_dir(get("KNOWLEDGE_DIR"))

    settings = Settings(
        knowledge_dir=knowledge_dir,
        database_url=database_url,
        port=int(port_text),
        slack_bot_token=bot_token,
        slack_signing_secret=get("SLACK_SIGNING_SECRET"),
        slack_app_token=app_token,
        slack_api_url=api_url,
    )
    config_path = get("FIRSTLINE_CONFIG")
    if config_path:
        settings = apply_config_file(settings, Path(config_path))
    return settings


def _knowledge_dir(value: str | None) -> Path:
    if value:
        path = Path(value).expanduser()
        if not path.is_dir():
            raise SettingsError(f"KNOWLEDGE_DIR {value!r} is not a folder")
        return path
    path = Path("knowledge")
    if not path.is_dir():
        raise SettingsError(
            f"no knowledge folder: {Path.cwd() / path} does not exist; "
            "set KNOWLEDGE_DIR to your FAQ folder (or use --knowledge DIR)"
        )
    return path


def normalize_database_url(url: str) -> str:
    """Accept the usual spellings and pick the async driver: aiosqlite or asyncpg."""
    for prefix in (
        "postgres://",
        "postgresql://",
        "postgresql+psycopg2://",
        "postgresql+psycopg://",
    ):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite:///") or url == "sqlite://":
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    if url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        return url
    raise SettingsError(
        f"DATABASE_URL {url!r} is not supported: use sqlite:///path/to/file.db or "
        "postgresql://user:password@host:5432/dbname"
    )


BOT_KEYS = {"support_channels", "answer_threshold"}
AREA_KEYS = {"name", "channel", "contact"}


def apply_config_file(settings: Settings, path: Path) -> Settings:
    """Overlay the TOML config file (areas, channels, threshold) on the environment settings."""
    if not path.is_file():
        raise SettingsError(f"FIRSTLINE_CONFIG {str(path)!r} does not exist")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from exc
    _only(data, {"bot", "areas"}, f"{path}: unknown section")
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
    areas = settings.areas
    if "areas" in data:
        areas = _areas(_table(data["areas"], f"{path}: [areas]"), path)
    return replace(
        settings,
        config_file=path,
        areas=areas,
        support_channels=frozenset(channels),
        answer_threshold=float(threshold),
    )


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
        areas.append(
            Area(
                key=key,
                name=str(spec.get("name", key.capitalize())),
                channel=channel,
                contact=str(contact) if contact else None,
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
