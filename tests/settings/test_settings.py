"""Settings from the environment and the TOML config: clear errors for every wrong value."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from bot.settings import (
    DEFAULT_DATABASE_URL,
    Area,
    Check,
    Escalation,
    Ops,
    SettingsError,
    Smtp,
    Teams,
    Vendor,
    load_settings,
    normalize_database_url,
)
from tests.conftest import KNOWLEDGE

BASE = {"KNOWLEDGE_DIR": str(KNOWLEDGE)}


def settings(env: dict[str, str] | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
    return load_settings({**BASE, **(env or {})}, env_file=None, **kwargs)  # type: ignore[arg-type]


def test_defaults() -> None:
    s = settings()
    assert s.database_url == DEFAULT_DATABASE_URL
    assert s.port == 3000 and not s.socket_mode
    assert s.area_keys == ("finance", "warehouse", "purchasing")


def test_dotenv_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=4000\nSLACK_BOT_TOKEN=xoxb-from-file\n")
    s = load_settings({**BASE, "PORT": "5000"}, env_file=env_file)
    assert s.port == 5000 and s.slack_bot_token == "xoxb-from-file"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORT": "http"}, "PORT must be a number"),
        ({"PORT": "70000"}, "PORT must be a number"),
        ({"SLACK_BOT_TOKEN": "xoxp-user"}, "must be a bot token starting with 'xoxb-'"),
        ({"SLACK_APP_TOKEN": "xoxb-1"}, "starting with 'xapp-'"),
        ({"SLACK_API_URL": "localhost:9"}, "SLACK_API_URL must be an http(s) URL"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL 'mysql://…' is not supported"),
        ({"KNOWLEDGE_DIR": "/no/such/dir"}, "KNOWLEDGE_DIR '/no/such/dir' is not a folder"),
        ({"FIRSTLINE_CONFIG": "/no/such.toml"}, "does not exist"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT must be 'text' or 'json', got 'xml'"),
    ],
)
def test_invalid_settings_name_the_setting(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as info:
        settings(env)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("given", "base"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/api/"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/api/"),
        ("http://127.0.0.1:8080/api", "http://127.0.0.1:8080/api/"),
        ("https://slack.com/api/", "https://slack.com/api/"),
        ("https://proxy.example/slack/api/", "https://proxy.example/slack/api/"),
    ],
)
def test_slack_api_url_is_made_the_web_api_base_the_user_meant(given: str, base: str) -> None:
    """The Web API lives under /api/: a bare host (what people copy) gets it added."""
    assert settings({"SLACK_API_URL": given}).slack_api_url == base


def test_slack_api_url_with_another_path_is_one_clear_error() -> None:
    with pytest.raises(SettingsError) as info:
        settings({"SLACK_API_URL": "http://127.0.0.1:8080/slack/"})
    assert str(info.value) == (
        "SLACK_API_URL must be the Slack Web API's base, ending in /api/ "
        "(e.g. https://slack.com/api/), got 'http://127.0.0.1:8080/slack/'"
    )


def test_log_format_and_the_secrets_the_log_never_shows() -> None:
    assert settings().log_format == "text"
    assert settings({"LOG_FORMAT": "JSON"}).log_format == "json"
    given = settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-1-2-abc",
            "SLACK_SIGNING_SECRET": "signing",
            "DATABASE_URL": "postgresql://firstline:pw@db/firstline",
            "SMTP_HOST": "mail",
            "SMTP_PASSWORD": "smtp-pw",
        }
    )
    assert set(given.secrets) == {"xoxb-1-2-abc", "signing", "pw", "smtp-pw"}


def test_where_to_ask_other_questions_from_the_environment_or_the_config_file(
    tmp_path: Path,
) -> None:
    assert settings().elsewhere is None  # the built-in text in bot/texts.py
    it = "IT-frågor: ring 1234. Allt annat: <#C0ALLMANT>."
    assert settings({"FIRSTLINE_ELSEWHERE": it}).elsewhere == it
    from_file = config(tmp_path, '[bot]\nelsewhere = "Fråga din chef."\n', FIRSTLINE_ELSEWHERE=it)
    assert from_file.elsewhere == "Fråga din chef."
    assert config(tmp_path, "[bot]\n", FIRSTLINE_ELSEWHERE=it).elsewhere == it


def test_slack_settings_are_required_only_to_run() -> None:
    with pytest.raises(SettingsError, match="SLACK_BOT_TOKEN is not set"):
        settings().require_slack()
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET is not set"):
        settings({"SLACK_BOT_TOKEN": "xoxb-1"}).require_slack()
    settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}).require_slack()
    settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}).require_slack()


def test_database_urls() -> None:
    assert normalize_database_url("postgres://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert normalize_database_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert normalize_database_url("sqlite:///x.db") == "sqlite+aiosqlite:///x.db"


def config(tmp_path: Path, text: str, **env: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "firstline.toml"
    path.write_text(text)
    return settings({"FIRSTLINE_CONFIG": str(path), **env})


def test_config_file(tmp_path: Path) -> None:
    s = config(
        tmp_path,
        """
        [bot]
        support_channels = ["C0SUPPORT", "G0PRIVATE"]
        answer_threshold = 0.6

        [areas.finance]
        name = "Ekonomi"
        channel = "C0EKONOMI"

        [areas.hr]
        name = "HR"
        """,
    )
    assert s.support_channels == {"C0SUPPORT", "G0PRIVATE"}
    assert s.answer_threshold == 0.6
    assert s.area_keys == ("finance", "hr")
    assert s.area("finance").channel == "C0EKONOMI"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[bot\n", "not valid TOML"),
        ("[bot]\nsupport_channels = 'C1'\n", "must be a list of channel ids"),
        ("[bot]\nsupport_channels = ['#support']\n", "'#support' is not a Slack channel id"),
        ("[bot]\nanswer_threshold = 2\n", "answer_threshold must be a number between 0 and 1"),
        ("[bot]\nelsewhere = 3\n", "bot.elsewhere must be a text"),
        ("[bot]\nelsewhere = ' '\n", "bot.elsewhere must be a text"),
        ("[areas.Finance]\n", "must be lower-case letters"),
        ("[areas.finance]\nchannel = 'ekonomi'\n", "areas.finance.channel"),
        ("[areas]\n", "[areas] is empty"),
        (
            "[escalate]\n",
            "unknown section: escalate (known: areas, bot, escalation, ops, people, vendor)",
        ),
        (
            "[areas.finance]\nsuperusers = ['anna']\n",
            "'anna' is neither a person in [people] nor a Slack user id",
        ),
        (
            "[areas.finance]\nsuperusers = 'U0ANNA'\n",
            "must be a list of [people] keys or Slack user ids",
        ),
        ("[areas.finance]\nusergroup = 'ekonomi'\n", "usergroup 'ekonomi' is not like S0123"),
        ("[escalation]\nclaim_within = '0h'\n", "claim_within must be more than 0"),
        ("[escalation]\nclaim_within = 'soon'\n", "claim_within must be a duration like 30m"),
        ("[escalation]\nanswer_within = '100d'\n", "at most 30 days"),
        ("[escalation]\nbusiness_hours = '17:00-08:00'\n", "closing time must be after"),
        ("[escalation]\nbusiness_hours = '8-17'\n", "must look like 08:00-17:00"),
        ("[escalation]\nbusiness_days = ['monday']\n", "business_days must be a list of mon"),
        ("[escalation]\ntimezone = 'Mars/Olympus'\n", "unknown time zone 'Mars/Olympus'"),
        ("[escalation]\nholidays = 'XX'\n", "unknown country code 'XX'"),
        (
            "[escalation]\nadmins = ['U0OK', 'boss']\n",
            "'boss' is neither a person in [people] nor a Slack user id",
        ),
        ("[escalation]\ntriage_channel = 'triage'\n", "escalation.triage_channel"),
        ("[vendor]\nemail = 'support at fenix'\n", "is not an e-mail address"),
        ("[vendor]\nwebhook_url = 'fenix.se/hook'\n", "must be an http(s):// URL"),
        ("[vendor]\nemail = 'support@fenix.example'\n", "vendor.email is set but SMTP_HOST is not"),
        ("[escalation]\nclosed_eves = 'no'\n", "closed_eves must be true or false"),
        ("[vendor]\nphone = '123'\n", "unknown setting in [vendor]: phone"),
        ("[[ops.checks]]\nid = 'erp'\nurl = 'http://x'\n", "ops.channel is needed"),
        (
            "[ops]\nchannel='C0OPS'\n[[ops.checks]]\nid = 'ERP'\nurl = 'http://x'\n",
            "short lower-case",
        ),
        ("[ops]\nchannel='C0OPS'\n[[ops.checks]]\nid = 'erp'\n", "either url"),
        ("[ops]\nchannel='C0OPS'\n[[ops.checks]]\nid = 'erp'\nurl = 'ftp://x'\n", "url must start"),
        ("[ops]\nchannel='C0OPS'\n[[ops.checks]]\nid = 'edi'\ntcp = 'edi.example'\n", "host:port"),
        (
            "[ops]\nchannel='C0OPS'\n[[ops.checks]]\nid = 'e'\nurl = 'http://x'\ntimeout = 90\n",
            "timeout must be shorter than interval",
        ),
        (
            "[ops]\nchannel='C0OPS'\n[[ops.checks]]\nid='e'\nurl='http://x'\n"
            "[[ops.checks]]\nid='e'\ntcp='x:1'\n",
            "the id 'e' is used twice",
        ),
        (
            "[ops]\nuptime_owner = 'drift'\n",
            "'drift' is neither a person in [people] nor a Slack user id",
        ),
        ("[ops]\ndigest = 'måndag 8'\n", "digest must look like 'mon 08:00'"),
        (
            "[ops]\nchannel='C0OPS'\n[[ops.checks]]\nid='e'\nurl='http://127.0.0.1:99999/x'\n",
            "is not valid: Port out of range",
        ),
        ("[people.Anna]\nslack = 'U0ANNA'\n", "people.Anna: the key must be lower-case"),
        ("[people.anna]\nname = 'Anna'\n", "people.anna: give at least one id (slack, teams)"),
        ("[people.anna]\nslack = 'anna'\n", "people.anna.slack: 'anna' is not a Slack user id"),
        ("[people.anna]\nslack = 'U0A'\nphone = '1'\n", "unknown setting in [people.anna]"),
        ("[people.anna]\nteams = ''\n", "people.anna.teams must be the person's teams id"),
        (
            "[people.anna]\nslack = 'U0A'\n[people.bo]\nslack = 'U0A'\n",
            "people.bo.slack: 'U0A' is already people.anna",
        ),
        ("[bot]\nsupport_channel = ['C0123']\n", "unknown setting in [bot]: support_channel"),
        ("[bot]\nanswer_treshold = 0.9\n", "unknown setting in [bot]: answer_treshold"),
        ("[areas.finance]\nchanel = 'C0123'\n", "unknown setting in [areas.finance]: chanel"),
    ],
)
def test_invalid_config_is_explained(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SettingsError) as info:
        config(tmp_path, text)
    assert message in str(info.value)


def test_the_shipped_example_config_is_valid() -> None:
    from tests.conftest import ROOT

    s = settings({"FIRSTLINE_CONFIG": str(ROOT / "docs" / "config.example.toml"), "SMTP_HOST": "x"})
    assert s.support_channels == {"C0123456789"}
    assert s.area_keys == ("finance", "warehouse", "purchasing")


def test_escalation_vendor_and_smtp_settings(tmp_path: Path) -> None:
    s = config(
        tmp_path,
        """
        [areas.finance]
        superusers = ["U0ANNA", "U0PER"]
        usergroup = "S0EKONOMI"

        [escalation]
        triage_channel = "C0TRIAGE"
        claim_within = "1h 30m"
        answer_within = "2d"
        business_hours = "07:30-16:00"
        business_days = ["mon", "tue", "wed", "thu"]
        timezone = "Europe/Helsinki"
        holidays = "FI"
        admins = ["U0ADMIN"]

        [vendor]
        name = "Fenix Affärssystem AB"
        slack_channel = "C0FENIX"
        email = "support@fenix.example"
        webhook_url = "https://fenix.example/hooks/tickets"
        """,
        SMTP_HOST="127.0.0.1",
    )
    finance = s.area("finance")
    assert finance.primary == "U0ANNA" and finance.superusers == ("U0ANNA", "U0PER")
    assert s.escalation.claim_within == timedelta(hours=1, minutes=30)
    assert s.escalation.answer_within == timedelta(hours=17)  # two 8.5-hour business days
    assert s.escalation.hours.country == "FI" and s.escalation.hours.days[-1] == "thu"
    assert s.may_handle("U0PER", "finance") and s.may_handle("U0ADMIN", "warehouse")
    assert not s.may_handle("U0PER", "warehouse")
    assert s.vendor.reachable and s.vendor.email == "support@fenix.example"
    smtp = settings({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": "2525", "SMTP_STARTTLS": "no"}).smtp
    assert smtp is not None and (smtp.port, smtp.starttls) == (2525, False)
    with pytest.raises(SettingsError, match="SMTP_PORT must be a number"):
        settings({"SMTP_HOST": "x", "SMTP_PORT": "smtp"})


def test_ops_checks(tmp_path: Path) -> None:
    s = config(
        tmp_path,
        """
        [ops]
        channel = "C0OPS"
        uptime_owner = "U0DRIFT"
        repeat_down_alert = "30m"
        digest = "fri 15:30"

        [[ops.checks]]
        id = "erp-api"
        name = "Business Central API"
        url = "https://bc.example/api/health"
        expect_json = "status = ok"
        timeout = 5
        interval = 30
        fail_after = 2

        [[ops.checks]]
        id = "edi"
        name = "EDI-länken"
        tcp = "edi.example:22"
        """,
    )
    api, edi = s.ops.checks
    assert (api.expect_json, api.timeout, api.interval, api.fail_after) == (
        ("status", "ok"),
        5.0,
        30,
        2,
    )
    assert edi.tcp == ("edi.example", 22) and edi.url is None
    assert s.ops.repeat_down_alert == timedelta(minutes=30) and s.ops.uptime_owner == "U0DRIFT"
    assert (s.ops.digest_day, s.ops.digest_time.hour, s.ops.digest_time.minute) == ("fri", 15, 30)


@pytest.mark.parametrize(
    ("text", "known"),
    [
        ("[bot]\n", "answer_threshold, busy_after, elsewhere, support_channels, workers"),
        ("[areas.finance]\n", "channel, contact, name, superusers, usergroup"),
        (
            "[escalation]\n",
            "admins, answer_within, business_days, business_hours, claim_within, closed_eves, "
            "holidays, reminder_grace, timezone, triage_channel",
        ),
        ("[vendor]\n", "email, name, slack_channel, webhook_url"),
        (
            "[ops]\n",
            "channel, checks, daily_summary, digest, improvements_owner, repeat_down_alert, "
            "upgrades_owner, uptime_owner",
        ),
        (
            "[ops]\nchannel = 'C0OPS'\n[[ops.checks]]\nid = 'erp'\nurl = 'http://x'\n",
            "expect_json, expect_status, expect_text, fail_after, id, interval, method, name, "
            "recover_after, tcp, timeout, url",
        ),
    ],
)
def test_an_unknown_setting_is_named_with_the_known_ones(
    tmp_path: Path, text: str, known: str
) -> None:
    with pytest.raises(SettingsError) as info:
        config(tmp_path, text + "colour = 'blue'\n")
    message = str(info.value)
    assert message.endswith(f": colour (known: {known})") and "\n" not in message


def test_every_setting_written_out_with_its_default_changes_nothing(tmp_path: Path) -> None:
    """Each key the file accepts fills its field, and the file's defaults are the code's."""
    written = config(
        tmp_path,
        """
        [bot]
        support_channels = []

        [areas.finance]
        name = "Finance"
        superusers = []

        [escalation]
        claim_within = "2h"
        answer_within = "1d"
        reminder_grace = "2h"
        business_hours = "08:00-17:00"
        business_days = ["mon", "tue", "wed", "thu", "fri"]
        timezone = "Europe/Stockholm"
        holidays = "SE"
        closed_eves = true
        admins = []

        [vendor]
        name = "leverantören"

        [ops]
        channel = "C0OPS"
        repeat_down_alert = "1h"
        digest = "mon 08:00"

        [[ops.checks]]
        id = "erp"
        name = "erp"
        url = "https://erp.example"
        method = "GET"
        expect_status = 200
        timeout = 10
        interval = 60
        fail_after = 3
        recover_after = 2
        """,
    )
    plain = config(
        tmp_path,
        '[areas.finance]\n[ops]\nchannel = "C0OPS"\n'
        '[[ops.checks]]\nid = "erp"\nurl = "https://erp.example"\n',
    )
    assert written == plain
    assert (plain.escalation, plain.vendor) == (Escalation(), Vendor())
    assert plain.ops == Ops(channel="C0OPS", checks=plain.ops.checks)
    assert plain.ops.checks == (Check(id="erp", name="erp", url="https://erp.example"),)
    assert plain.area("finance") == Area("finance", "Finance")


def test_answer_within_defaults_to_one_business_day_of_the_configured_hours(
    tmp_path: Path,
) -> None:
    s = config(tmp_path, '[escalation]\nbusiness_hours = "07:30-16:00"\n')
    assert s.escalation.answer_within == timedelta(hours=8, minutes=30)
    assert s.escalation.claim_within == Escalation().claim_within == timedelta(hours=2)
    assert Escalation().answer_within == timedelta(hours=9)


def test_smtp_defaults_come_from_the_smtp_settings() -> None:
    smtp = settings({"SMTP_HOST": "mail.example"}).smtp
    assert smtp == Smtp("mail.example")
    assert (smtp.port, smtp.sender, smtp.starttls) == (587, "firstline@localhost", True)


def test_people_have_an_id_per_channel_and_the_file_names_them_by_key(tmp_path: Path) -> None:
    settings = config(
        tmp_path,
        "[people.anna]\nname = 'Anna Lind'\nslack = 'U0ANNA'\nteams = '29:anna-teams'\n"
        "[people.bo]\nteams = '29:bo'\n"
        "[areas.finance]\nsuperusers = ['anna', 'U0CARL']\n"
        "[areas.warehouse]\nsuperusers = ['U0ANNA', 'bo']\n"
        "[escalation]\nadmins = ['bo']\n[ops]\nuptime_owner = 'U0ANNA'\n",
    )
    finance, warehouse = settings.areas
    # a member's Slack id in a list is the member: the core knows them by one name
    assert finance.superusers == ("anna", "U0CARL")
    assert warehouse.superusers == ("anna", "bo")
    assert settings.ops.uptime_owner == "anna"
    assert settings.person("slack", "U0ANNA") == "anna"
    assert settings.person("teams", "29:anna-teams") == "anna"
    assert settings.person("slack", "U0CARL") == "U0CARL"  # not in [people]: their own id
    assert settings.reach("slack", "anna") == "U0ANNA"
    assert settings.reach("teams", "anna") == "29:anna-teams"
    assert settings.reach("slack", "bo") is None  # bo has no Slack id
    assert settings.reach("slack", "U0CARL") == "U0CARL"
    assert settings.name_of("anna") == "Anna Lind"
    assert settings.name_of("bo") == "bo"
    assert settings.may_handle(settings.person("teams", "29:bo"), "warehouse")
    assert settings.is_admin(settings.person("teams", "29:bo"))
    assert not settings.may_handle(settings.person("slack", "U0CARL"), "warehouse")


def test_teams_is_off_without_its_settings() -> None:
    assert settings().teams is None


def test_teams_settings_with_a_secret_or_a_certificate(tmp_path: Path) -> None:
    given = {"TEAMS_APP_ID": "app-1", "TEAMS_TENANT_ID": "tenant-1"}
    teams = settings({**given, "TEAMS_APP_PASSWORD": "s3cret"}).teams
    assert teams == Teams(app_id="app-1", password="s3cret", tenant_id="tenant-1")
    assert "s3cret" in settings({**given, "TEAMS_APP_PASSWORD": "s3cret"}).secrets
    pfx = tmp_path / "bot.pfx"
    pfx.write_bytes(b"not checked here")
    teams = settings({**given, "TEAMS_CERTIFICATE": str(pfx)}).teams
    assert teams is not None and teams.certificate == pfx and teams.password is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TEAMS_APP_ID": "app-1"}, "TEAMS_TENANT_ID, TEAMS_APP_PASSWORD (or TEAMS_CERTIFICATE)"),
        ({"TEAMS_APP_PASSWORD": "x", "TEAMS_TENANT_ID": "t"}, "TEAMS_APP_ID not set"),
        ({"TEAMS_AUTH": "off"}, "TEAMS_AUTH must be 'none'"),
        (
            {"TEAMS_APP_ID": "a", "TEAMS_TENANT_ID": "t", "TEAMS_CERTIFICATE": "/no/such.pfx"},
            "TEAMS_CERTIFICATE '/no/such.pfx' is not a file",
        ),
        (
            {
                "TEAMS_APP_ID": "a",
                "TEAMS_TENANT_ID": "t",
                "TEAMS_APP_PASSWORD": "p",
                "TEAMS_CERTIFICATE": "/no/such.pfx",
            },
            "not both",
        ),
    ],
)
def test_half_configured_teams_is_one_clear_error(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=re.escape(message)):
        settings(env)


def test_teams_without_token_checks_for_local_testing() -> None:
    teams = settings({"TEAMS_AUTH": "None"}).teams
    assert teams == Teams(auth_off=True)
