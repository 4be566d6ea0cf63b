"""Settings from the environment, an optional `.env` file and the `FIRSTLINE_CONFIG` TOML file.

Everything is validated up front: a wrong value stops the bot with one line that says which
setting and why, never with a traceback (the CLI prints `SettingsError` and exits with 2).
model: the settings and their defaults; environment: the environment and `.env`;
config_file: the TOML file, its keys derived from the model's fields.
"""

from bot.settings.config_file import apply_config_file
from bot.settings.environment import load_settings, normalize_database_url
from bot.settings.model import (
    DEFAULT_AREAS,
    DEFAULT_DATABASE_URL,
    Area,
    Check,
    Escalation,
    Member,
    Ops,
    Settings,
    SettingsError,
    Smtp,
    Teams,
    Vendor,
)

__all__ = [
    "DEFAULT_AREAS",
    "DEFAULT_DATABASE_URL",
    "Area",
    "Check",
    "Escalation",
    "Member",
    "Ops",
    "Settings",
    "SettingsError",
    "Smtp",
    "Teams",
    "Vendor",
    "apply_config_file",
    "load_settings",
    "normalize_database_url",
]
