"""The Slack app manifests ask for exactly what the listeners use."""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import ROOT

EVENT_SCOPES = {
    "app_home_opened": None,
    "app_mention": "app_mentions:read",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.im": "im:history",
}


@pytest.mark.parametrize("name", ["slack-manifest.yml", "slack-manifest-socket-mode.yml"])
def test_manifest_scopes_events_command_and_interactivity(name: str) -> None:
    manifest = yaml.safe_load((ROOT / "docs" / name).read_text())
    settings = manifest["settings"]
    events = set(settings["event_subscriptions"]["bot_events"])
    assert events == set(EVENT_SCOPES)
    needed = {EVENT_SCOPES[e] for e in events if EVENT_SCOPES[e]}
    needed |= {"chat:write", "commands", "files:write", "reactions:write", "users:read"}
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/support"]
    assert settings["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert [s["callback_id"] for s in manifest["features"]["shortcuts"]] == ["esc_thread_answer"]
    socket = "socket" in name
    assert settings["socket_mode_enabled"] is socket
    if not socket:
        urls = {
            settings["event_subscriptions"]["request_url"],
            settings["interactivity"]["request_url"],
            manifest["features"]["slash_commands"][0]["url"],
        }
        assert urls == {"https://YOUR-HOST/slack/events"}
