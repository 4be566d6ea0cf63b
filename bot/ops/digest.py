"""The weekly roadmap digest: what changed in the plan, what is due, the next upgrade, last
week's uptime and support figures, and who owns what. Plain text sections here; channel adapters
render them (Slack blocks, the terminal for `firstline digest --dry-run`)."""

from __future__ import annotations

import bisect
import json
import logging
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from bot.ops.chart import SupportChart, WeekFigures
from bot.ops.roadmap import Roadmap, load_roadmap
from bot.ops.upgrades import UpgradeBook
from bot.settings import Settings
from bot.store.db import Database
from bot.store.models import Escalation, Question, Snapshot, UptimeResult, utcnow
from bot.support.notices import DigestChartNotice, DigestNotice
from bot.support.outbox import enqueue_notice
from bot.support.questions import ASKABLE, SOLVED_BY_SUGGESTION, Outcome
from bot.texts import CHART_TEXTS

log = logging.getLogger(__name__)

CHART_WEEKS = 12  # the chart shows the last 12 full weeks


@dataclass
class Digest:
    title: str
    week_key: str
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    owners: list[tuple[str, str | None]] = field(default_factory=list)  # (role, user id)
    roadmap_snapshot: dict[str, dict[str, str]] = field(default_factory=dict)
    chart: SupportChart = field(default_factory=lambda: SupportChart(""))

    def as_text(self) -> str:
        return digest_text(self.title, self.sections, self.owners)


OWNERS_HEADING = "Ansvariga"
NO_OWNER = "ingen utsedd ([ops] i konfigurationen)"


def digest_text(
    title: str, sections: list[tuple[str, list[str]]], owners: list[tuple[str, str | None]]
) -> str:
    """The digest as plain text (the terminal; adapters render their own)."""
    parts = [title]
    for heading, lines in sections:
        parts += ["", heading, *lines]
    parts += ["", OWNERS_HEADING, *(f"{role}: {user or NO_OWNER}" for role, user in owners)]
    return "\n".join(parts)


class DigestMaker:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        book: UpgradeBook,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.db = db
        self.book = book
        self.clock = clock

    def last_week(self, now: datetime) -> tuple[datetime, datetime]:
        zone = self.settings.escalation.hours.zone
        today = now.astimezone(zone).date()
        monday = datetime.combine(today - timedelta(days=today.weekday()), time.min, zone)
        return monday - timedelta(days=7), monday

    async def make(self) -> Digest:
        now = self.clock()
        zone = self.settings.escalation.hours.zone
        start, end = self.last_week(now)
        iso = start.isocalendar()
        last_day = end - timedelta(days=1)
        digest = Digest(
            title=(
                f"Veckorapport för affärssystemet, vecka {iso.week} "
                f"({start:%Y-%m-%d}–{last_day:%Y-%m-%d})"
            ),
            week_key=f"{iso.year}-{iso.week:02d}",
        )
        roadmap = load_roadmap(self.settings.knowledge_dir / "roadmap.md")
        digest.roadmap_snapshot = {i.title: i.as_dict() for i in roadmap.items}
        previous = await self._snapshot("roadmap")
        digest.sections.append(
            ("Roadmap: ändringar sedan förra veckan", _changes(previous, roadmap))
        )
        digest.sections.append(("Roadmap: förfaller eller är sena", _due(roadmap, now, zone)))
        plan = self.book.plan()
        upgrade = plan.next_upgrade(now)
        if upgrade is None:
            upgrade_line = ["Ingen uppgradering är planerad."]
        else:
            when = upgrade.starts.astimezone(zone)
            who = f", ansvarig {upgrade.responsible}" if upgrade.responsible else ""
            upgrade_line = [f"{upgrade.title}: {when:%Y-%m-%d %H:%M}{who}."]
        digest.sections.append(("Nästa uppgradering", upgrade_line))
        digest.sections.append(("Drift förra veckan", await self._uptime(start, end)))
        digest.sections.append(("Supporten förra veckan", await self._support(start, end)))
        ops = self.settings.ops
        digest.owners = [
            ("Drift", ops.uptime_owner),
            ("Förbättringar (roadmap)", ops.improvements_owner),
            ("Uppgraderingar", ops.upgrades_owner),
        ]
        for name, problems in (("roadmap.md", roadmap.problems), ("upgrades.md", plan.problems)):
            if problems:
                digest.sections.append((f"Kan inte läsas i {name}", [str(p) for p in problems]))
        digest.chart = await self.chart(end)
        return digest

    async def post(self) -> bool:
        """Queue this week's digest once (unique outbox key) and remember the roadmap."""
        channel = self.settings.ops.channel
        if not channel:
            log.warning("no [ops] channel: the weekly digest is not posted")
            return False
        digest = await self.make()
        now = self.clock()
        notice = DigestNotice(channel, digest.title, digest.sections, digest.owners)
        async with self.db.session() as session:
            snapshot = await session.get(Snapshot, "roadmap")
            # the chart right after the report, in the channel's lane: in that order
            key, chart_key = outbox_keys(digest.week_key)
            enqueue_notice(session, notice, "digest", key, now, lane=channel)
            if digest.chart.empty:
                log.info("no support figures in the last %d weeks: no chart", CHART_WEEKS)
            else:
                chart = DigestChartNotice(channel, digest.chart.as_dict())
                enqueue_notice(session, chart, "digest_chart", chart_key, now, lane=channel)
            body = json.dumps(digest.roadmap_snapshot, ensure_ascii=False)
            if snapshot is None:
                session.add(Snapshot(key="roadmap", taken_at=now, body=body))
            else:
                snapshot.taken_at, snapshot.body = now, body
            try:
                await session.commit()
            except IntegrityError:
                return False
        return True

    async def chart(self, end: datetime, weeks: int = CHART_WEEKS) -> SupportChart:
        """The support figures of the `weeks` full weeks before `end` (a Monday 00:00 in the
        business hours' zone), oldest first: questions per area, how many the bot answered,
        escalations opened and closed, and the median time from opening to answer of the
        escalations answered in each week."""
        starts = [end - timedelta(days=7 * (weeks - n)) for n in range(weeks)]
        first = starts[0]

        def week_of(at: datetime) -> int:
            return bisect.bisect_right(starts, at) - 1

        asked: list[Counter[str]] = [Counter() for _ in starts]
        answered, opened, closed = [0] * weeks, [0] * weeks, [0] * weeks
        spans: dict[int, list[float]] = defaultdict(list)
        names = {area.key: area.name for area in self.settings.areas}
        async with self.db.session() as session:
            for at, area, was_answered in await session.execute(
                select(Question.created_at, Question.matched_area, Question.answered).where(
                    Question.created_at >= first, Question.created_at < end
                )
            ):
                n = week_of(at)
                asked[n][names.get(area or "", area or CHART_TEXTS["no_area"])] += 1
                answered[n] += bool(was_answered)
            for created, answered_at, closed_at in await session.execute(
                select(Escalation.created_at, Escalation.answered_at, Escalation.closed_at).where(
                    (Escalation.created_at >= first)
                    | (Escalation.answered_at >= first)
                    | (Escalation.closed_at >= first)
                )
            ):
                if first <= created < end:
                    opened[week_of(created)] += 1
                if closed_at is not None and first <= closed_at < end:
                    closed[week_of(closed_at)] += 1
                if answered_at is not None and first <= answered_at < end:
                    spans[week_of(answered_at)].append((answered_at - created).total_seconds())
        order = [*names.values()]
        figures = []
        for n, start in enumerate(starts):
            iso = start.isocalendar()
            per_area = dict(sorted(asked[n].items(), key=lambda kv: _place(order, kv[0])))
            median = statistics.median(spans[n]) / 3600 if spans[n] else None
            figures.append(
                WeekFigures(
                    week=f"{iso.year}-{iso.week:02d}",
                    starts=f"{start:%Y-%m-%d}",
                    questions=per_area,
                    answered=answered[n],
                    opened=opened[n],
                    closed=closed[n],
                    hours_to_answer=round(median, 2) if median is not None else None,
                )
            )
        last_day = end - timedelta(days=1)
        title = CHART_TEXTS["title"].format(
            first=first.isocalendar().week,
            last=starts[-1].isocalendar().week,
            starts=f"{first:%Y-%m-%d}",
            ends=f"{last_day:%Y-%m-%d}",
        )
        return SupportChart(title, figures)

    async def _snapshot(self, key: str) -> dict[str, dict[str, str]] | None:
        async with self.db.session() as session:
            snapshot = await session.get(Snapshot, key)
        return json.loads(snapshot.body) if snapshot else None

    async def _uptime(self, start: datetime, end: datetime) -> list[str]:
        if not self.settings.ops.checks:
            return ["Inga driftkontroller är konfigurerade."]
        lines = []
        async with self.db.session() as session:
            for check in self.settings.ops.checks:
                total, ok = (
                    await session.execute(
                        select(
                            func.count(UptimeResult.id),
                            func.sum(case((UptimeResult.ok, 1), else_=0)),
                        ).where(
                            UptimeResult.check_id == check.id,
                            UptimeResult.at >= start,
                            UptimeResult.at < end,
                        )
                    )
                ).one()
                share = (
                    "inga mätningar" if not total else f"{(ok or 0) / total:.2%}".replace(".", ",")
                )
                lines.append(f"{check.name}: {share}")
        return lines

    def _area_name(self, key: str | None) -> str:
        area = self.settings.area(key)
        return area.name if area else key or "okänt område"

    async def _support(self, start: datetime, end: datetime) -> list[str]:
        async with self.db.session() as session:
            questions = list(
                await session.scalars(
                    select(Question).where(Question.created_at >= start, Question.created_at < end)
                )
            )
            escalations = list(
                await session.scalars(
                    select(Escalation).where(
                        Escalation.created_at >= start, Escalation.created_at < end
                    )
                )
            )
        answered = sum(q.answered for q in questions)
        by_suggestion = [q for q in questions if q.feedback == SOLVED_BY_SUGGESTION]
        off_topic = sum(q.outcome == Outcome.OFF_TOPIC for q in questions)
        vague = sum(q.outcome == Outcome.CLARIFY for q in questions)
        to_claim = _median([(e.claimed_at, e.created_at) for e in escalations])
        to_answer = _median([(e.answered_at, e.created_at) for e in escalations])
        lines = [
            f"Frågor: {len(questions)}, besvarade av FAQ:n: {answered}, "
            f"lösta med ett förslag ur FAQ:n: {len(by_suggestion)}, "
            f"eskalerade: {len(escalations)}",
            f"Mediantid tills någon tog ett ärende: {to_claim}",
            f"Mediantid till svar: {to_answer}",
        ]
        if off_topic or vague:
            # neither escalated unless the asker asked for a superuser (then counted above too)
            lines.append(
                f"Inte om affärssystemet (avböjda): {off_topic}, för vaga (boten frågade vad som "
                f"menades): {vague}"
            )
        # the FAQ had the answer but not the words: each is an `Also asked` to add (not the one-
        # or two-word questions the bot asked about: those are no phrasing of one entry)
        phrasings = [q for q in by_suggestion if q.outcome != Outcome.CLARIFY]
        if phrasings:
            lines.append(
                "Lösta med ett förslag ur FAQ:n (Lägg till i FAQ:n i triagekanalen lägger "
                "frågan på en Also asked:-rad under posten):"
            )
            lines += [f"  {q.text[:100]} → {q.solved_by_entry}" for q in phrasings[:5]]
        # the FAQ's gaps: not what the bot declined or asked about, unless sent on anyway
        unanswered = [
            q
            for q in questions
            if not q.answered and q.feedback != SOLVED_BY_SUGGESTION and q.status not in ASKABLE
        ]
        if unanswered:
            asked = Counter(" ".join(q.text.casefold().split()) for q in unanswered)
            areas = Counter(self._area_name(q.matched_area) for q in unanswered)
            lines.append(
                "Obesvarade per område: "
                + ", ".join(f"{area} {n}" for area, n in areas.most_common())
            )
            lines.append("Vanligaste obesvarade frågor (luckor i FAQ:n):")
            lines += [
                f"  {n} st: {text[:120]}" if n > 1 else f"  {text[:120]}"
                for text, n in asked.most_common(5)
            ]
        return lines


def outbox_keys(week_key: str) -> tuple[str, str]:
    """The outbox keys of a week's digest and of its chart: each is sent once."""
    return f"digest:{week_key}", f"digest:{week_key}:chart"


def _changes(previous: dict[str, dict[str, str]] | None, roadmap: Roadmap) -> list[str]:
    if previous is None:
        return ["Första rapporten: inget att jämföra med än."]
    current = {i.title: i.as_dict() for i in roadmap.items}
    lines = [
        f"Ny: {t} ({v['section']}, {v['owner']})" for t, v in current.items() if t not in previous
    ]
    unsure = " (eller oläslig, se nedan)" if roadmap.problems else ""
    lines += [f"Borttagen{unsure}: {t}" for t in previous if t not in current]
    for title, now in current.items():
        before = previous.get(title)
        if before is None:
            continue
        for key, label in (
            ("status", "status"),
            ("section", "flyttad"),
            ("target", "måldatum"),
            ("owner", "ansvarig"),
        ):
            if before.get(key) != now.get(key):
                lines.append(f"{title}: {label} {before.get(key) or '-'} → {now.get(key) or '-'}")
    return lines or ["Inga ändringar."]


def _due(roadmap: Roadmap, now: datetime, zone: object) -> list[str]:
    today = now.astimezone(zone).date()  # type: ignore[arg-type]
    lines = []
    for item in sorted(
        (i for i in roadmap.items if i.target and not i.done), key=lambda i: i.target
    ):
        assert item.target is not None
        if item.target < today:
            lines.append(f"Sen sedan {item.target}: {item.title} ({item.owner}, {item.status})")
        elif item.target <= today + timedelta(days=14):
            lines.append(f"Förfaller {item.target}: {item.title} ({item.owner}, {item.status})")
    return lines or ["Inget förfaller de närmaste två veckorna."]


def _place(order: list[str], area: str) -> tuple[int, str]:
    """Configured areas in the config's order, then the rest by name."""
    return (order.index(area), "") if area in order else (len(order), area)


def _median(pairs: list[tuple[datetime | None, datetime]]) -> str:
    spans = [(late - early).total_seconds() / 3600 for late, early in pairs if late is not None]
    if not spans:
        return "-"
    hours = statistics.median(spans)
    return (
        f"{hours:.1f} h".replace(".", ",")
        if hours < 48
        else f"{hours / 24:.1f} d".replace(".", ",")
    )
