"""The Teams adapter's name, who people are in Teams, and what its settings say at start.

Nothing here imports the Agents SDK, so `firstline config check` can describe Teams without
loading it.
"""

from __future__ import annotations

from bot.settings import Settings, Teams

# The adapter's name: its outbox route (its replies, the notices to those who asked in Teams),
# the source of the questions asked there, and the key of a person's Teams id in [people].
ROUTE = "teams"
PATH = "/api/messages"
AUTH_OFF_WARNING = (
    "TEAMS_AUTH=none: Teams token checks are OFF. Anyone who can reach /api/messages could "
    "speak as any Teams user, so the server listens on 127.0.0.1 only. For local testing "
    "(Agents Playground, tests) only; never in production."
)


def person(settings: Settings, aad_object_id: str) -> str:
    """Who a Teams user (their Entra object id) is to the core."""
    return settings.person(ROUTE, aad_object_id)


def described(teams: Teams | None) -> str:
    """One line for `firstline config check`."""
    if teams is None:
        return "Teams: not configured (set TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_TENANT_ID)"
    if teams.auth_off:
        return f"Teams: at POST {PATH}, WARNING: {AUTH_OFF_WARNING}"
    secret = "a certificate" if teams.certificate else "a client secret"
    return f"Teams: at POST {PATH}, app {teams.app_id} in tenant {teams.tenant_id} with {secret}"
