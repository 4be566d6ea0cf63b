"""Planned updates and upgrades, read from `knowledge/upgrades.md`, and their reminders.

Format (documented in knowledge/README.md):

    ---
    release_train: false      # true if the vendor upgrades on its own schedule (cloud)
    remind_before: [7d, 1d, 1h]
    quiet_warning: 90d        # remind when nothing has been planned for this long
    ---
    ## 2026-12-12 18:00 - 22:00 Business Central 27.2
    Version: 27.2
    Ansvarig: Sara Nilsson
    Kontroller: erp-web, erp-api     (the uptime checks the window silences; default: all)

    What changes, in plain words.

Each reminder is queued in the outbox with a unique key, so it is sent exactly once however
often the job runs and however many processes there are.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from bot.faq.loader import LoadProblem, read_knowledge_file

_HEADING = re.compile(
    r"^##\s+(\d{4}-\d\d-\d\d)\s+(\d{1,2}:\d\d)\s*[-–]\s*(?:(\d{4}-\d\d-\d\d)\s+)?(\d{1,2}:\d\d)\s+(.+?)\s*$"
)
_FIELD = re.compile(r"^(version|ansvarig|responsible|kontroller|checks)\s*:\s*(.*)$", re.IGNORECASE)
_DURATION = re.compile(r"^(\d+)\s*([dhm])$")


@dataclass(frozen=True)
class Upgrade:
    title: str
    starts: datetime
    ends: datetime
    version: str | None = None
    responsible: str | None = None
    checks: tuple[str, ...] = ()  # empty: every check
    description: str = ""
    line: int = 0

    @property
    def key(self) -> str:
        digest = hashlib.sha1(f"{self.starts.isoformat()} {self.title}".encode()).hexdigest()[:10]
        return f"{self.starts:%Y%m%d%H%M}-{digest}"

    def covers(self, check_id: str, moment: datetime) -> bool:
        return self.starts <= moment < self.ends and (not self.checks or check_id in self.checks)


@dataclass
class UpgradePlan:
    upgrades: list[Upgrade] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    release_train: bool = False
    remind_before: tuple[timedelta, ...] = (
        timedelta(days=7),
        timedelta(days=1),
        timedelta(hours=1),
    )
    quiet_warning: timedelta = timedelta(days=90)

    def next_upgrade(self, now: datetime) -> Upgrade | None:
        return min((u for u in self.upgrades if u.ends > now), key=lambda u: u.starts, default=None)

    def window_for(self, check_id: str, now: datetime) -> Upgrade | None:
        return next((u for u in self.upgrades if u.covers(check_id, now)), None)


def load_upgrades(path: Path, zone: ZoneInfo) -> UpgradePlan:
    if not path.exists():
        return UpgradePlan()
    name = f"{path.parent.name}/{path.name}"
    text, unreadable = read_knowledge_file(path, name)
    if text is None:
        return UpgradePlan(problems=[unreadable])
    return parse_upgrades(text, name, zone)


def parse_upgrades(text: str, file: str, zone: ZoneInfo) -> UpgradePlan:
    plan = UpgradePlan()
    lines = text.splitlines()
    start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is None:
            plan.problems.append(LoadProblem(file, 1, "broken front matter: no closing '---'"))
            return plan
        try:
            meta = yaml.safe_load("\n".join(lines[1:end])) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 2 if mark is not None else 2
            plan.problems.append(LoadProblem(file, line, f"broken front matter: {exc}"))
            meta = {}  # the windows below still count
        _settings(plan, meta if isinstance(meta, dict) else {}, file)
        start = end + 1
    current: list[str] | None = None
    heading: re.Match[str] | None = None
    heading_line = 0
    for number, line in enumerate(lines[start:], start + 1):
        if line.startswith("## "):
            _finish(plan, heading, current, heading_line, zone, file)
            heading, current, heading_line = _HEADING.match(line), [], number
            if heading is None:
                plan.problems.append(
                    LoadProblem(
                        file,
                        number,
                        "an upgrade heading must look like '## 2026-12-12 18:00 - 22:00 Title'",
                    )
                )
        elif current is not None:
            current.append(line)
    _finish(plan, heading, current, heading_line, zone, file)
    plan.upgrades.sort(key=lambda u: u.starts)
    return plan


def _settings(plan: UpgradePlan, meta: dict, file: str) -> None:
    train = meta.get("release_train", False)
    if not isinstance(train, bool):
        plan.problems.append(LoadProblem(file, 2, "release_train must be true or false"))
        train = False
    plan.release_train = train
    remind = meta.get("remind_before", ["7d", "1d", "1h"])
    durations = [_duration(str(v)) for v in (remind if isinstance(remind, list) else [remind])]
    if any(d is None for d in durations):
        plan.problems.append(LoadProblem(file, 2, "remind_before must be a list like [7d, 1d, 1h]"))
    else:
        plan.remind_before = tuple(sorted((d for d in durations if d), reverse=True))
    quiet = _duration(str(meta.get("quiet_warning", "90d")))
    if quiet is None:
        plan.problems.append(LoadProblem(file, 2, "quiet_warning must look like 90d"))
    else:
        plan.quiet_warning = quiet


def _finish(
    plan: UpgradePlan,
    heading: re.Match[str] | None,
    body: list[str] | None,
    line: int,
    zone: ZoneInfo,
    file: str,
) -> None:
    if heading is None or body is None:
        return
    day, start, end_day, end, title = heading.groups()
    try:
        starts = datetime.combine(date.fromisoformat(day), _clock(start), zone)
        ends = datetime.combine(date.fromisoformat(end_day or day), _clock(end), zone)
    except ValueError as exc:
        plan.problems.append(LoadProblem(file, line, f"bad date or time: {exc}"))
        return
    if ends <= starts:
        plan.problems.append(LoadProblem(file, line, "the window must end after it starts"))
        return
    fields: dict[str, str] = {}
    description = []
    for text in body:
        match = _FIELD.match(text.strip())
        if match and not description:
            fields[match.group(1).lower()] = match.group(2).strip()
        elif text.strip() or description:
            description.append(text)
    checks = fields.get("kontroller") or fields.get("checks") or ""
    plan.upgrades.append(
        Upgrade(
            title=title,
            starts=starts,
            ends=ends,
            version=fields.get("version"),
            responsible=fields.get("ansvarig") or fields.get("responsible"),
            checks=tuple(c.strip() for c in checks.split(",") if c.strip()),
            description="\n".join(description).strip(),
            line=line,
        )
    )


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _duration(value: str) -> timedelta | None:
    match = _DURATION.match(value.strip())
    if not match:
        return None
    amount, unit = int(match.group(1)), match.group(2)
    return {
        "d": timedelta(days=amount),
        "h": timedelta(hours=amount),
        "m": timedelta(minutes=amount),
    }[unit]


def due_reminders(
    plan: UpgradePlan, now: datetime, grace: timedelta = timedelta(hours=6)
) -> Iterable[tuple[Upgrade, str, datetime]]:
    """(upgrade, kind, moment): per upgrade, the latest reminder whose moment has come, at most
    `grace` ago. A bot that was down does not send stale reminders ("in 1 hour" after the start);
    the caller makes each (upgrade, kind) go out once."""
    for upgrade in plan.upgrades:
        starts = upgrade.starts.astimezone(UTC)  # absolute time: DST nights have no 02:00
        moments = [(f"before_{_label(d)}", starts - d) for d in plan.remind_before]
        moments += [("starts", upgrade.starts), ("ends", upgrade.ends)]
        due = [(moment, kind) for kind, moment in moments if moment <= now < moment + grace]
        if due:
            moment, kind = max(due)
            yield upgrade, kind, moment


def _label(duration: timedelta) -> str:
    if duration % timedelta(days=1) == timedelta(0):
        return f"{duration.days}d"
    if duration % timedelta(hours=1) == timedelta(0):
        return f"{int(duration.total_seconds() // 3600)}h"
    return f"{int(duration.total_seconds() // 60)}m"


def quiet_since(plan: UpgradePlan, now: datetime) -> datetime | None:
    """When nothing is planned and the last upgrade is older than `quiet_warning`: since when."""
    if plan.release_train or plan.next_upgrade(now) is not None:
        return None
    last = max((u.ends for u in plan.upgrades), default=None)
    if last is not None and now - last < plan.quiet_warning:
        return None
    return last


class UpgradeBook:
    """The upgrade plan, re-read whenever the file changes (superusers edit it in git)."""

    def __init__(self, path: Path, zone: ZoneInfo) -> None:
        self.path = path
        self.zone = zone
        self._stamp: float | None = None
        self._plan = UpgradePlan()

    def plan(self) -> UpgradePlan:
        stamp = self.path.stat().st_mtime if self.path.exists() else None
        if stamp != self._stamp:
            self._plan, self._stamp = load_upgrades(self.path, self.zone), stamp
        return self._plan

    def silenced(self, check_id: str, now: datetime) -> Upgrade | None:
        """The upgrade whose window silences this check's alerts right now, if any."""
        return self.plan().window_for(check_id, now)


def reminder_text(upgrade: Upgrade, kind: str, zone: ZoneInfo) -> str:
    starts, ends = upgrade.starts.astimezone(zone), upgrade.ends.astimezone(zone)
    same_day = starts.date() == ends.date()
    window = (
        f"{starts:%Y-%m-%d %H:%M}–{ends:%H:%M}"
        if same_day
        else f"{starts:%Y-%m-%d %H:%M}–{ends:%Y-%m-%d %H:%M}"
    )
    what = upgrade.title + (f" (version {upgrade.version})" if upgrade.version else "")
    who = f" Ansvarig: {upgrade.responsible}." if upgrade.responsible else ""
    checks = ", ".join(upgrade.checks) if upgrade.checks else "alla kontroller"
    if kind == "starts":
        return (
            f"Uppgraderingen {what} börjar nu och pågår till {ends:%H:%M}. "
            f"Driftlarm för {checks} är pausade under fönstret.{who}"
        )
    if kind == "ends":
        return f"Uppgraderingsfönstret för {what} är slut. Driftlarmen är på igen.{who}"
    ahead = kind.removeprefix("before_")
    amount, unit = ahead[:-1], {"d": "dagar", "h": "timmar", "m": "minuter"}[ahead[-1]]
    if amount == "1":
        unit = {"dagar": "dag", "timmar": "timme", "minuter": "minut"}[unit]
    summary = upgrade.description.splitlines()[0] if upgrade.description else ""
    details = f" {summary}" if summary else ""
    return f"Om {amount} {unit}: uppgradering {what}, {window}.{who}{details}"
