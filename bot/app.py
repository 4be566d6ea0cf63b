"""The app factory: settings in, a ready core out (database migrated, knowledge loaded, the
escalation ladder hooked to unresolved questions, learning hooked to confirmed answers, the
outbox's own senders registered). A channel adapter then attaches itself (`Core.attach`) to
deliver the chat's notices and to say which of its questions can be followed up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.faq.knowledge import Knowledge
from bot.faq.loader import question_key
from bot.faq.semantic import open_semantic
from bot.faq.writer import FaqWriteError, add_entry, add_phrasing
from bot.ops.channel import OpsChannel
from bot.ops.digest import DigestMaker
from bot.ops.metrics import Metrics
from bot.ops.reminders import UpgradeReminders
from bot.ops.upgrades import UpgradeBook
from bot.ops.uptime import Uptime
from bot.settings import Settings
from bot.store.db import Database
from bot.store.models import Escalation, Question, utcnow
from bot.support.delivery import email_sender, webhook_sender
from bot.support.escalations import Ladder, Refused, record_post
from bot.support.inbox import Inbox
from bot.support.learning import Learned, Learning, Source
from bot.support.notices import KEPT, Tone
from bot.support.outbox import SENDING_AT_ONCE, Outbox, Sender
from bot.support.questions import SupportDesk, escalation_reason, record_reply
from bot.support.references import References

log = logging.getLogger(__name__)

# After a send, the outbox is delivered again when a held-back message (a rate limit's
# Retry-After) is due within this long; later ones are left to the scheduled job.
FOLLOW_UP_SECONDS = 10.0
MIN_WAIT_SECONDS = 0.05


@dataclass(frozen=True)
class Channel:
    """A chat channel adapter as the core sees it: its name (also its outbox route: its own
    replies, and the notices to those who asked through it), the sender that delivers them, and
    the question sources (`Origin.source`) it can follow up where they were asked. Only those
    are escalated: an answer must have somewhere to go. The channel attached with `chat` also
    delivers the chat's notices (`notices.CHAT`: superusers, the triage, ops and vendor
    channels); one at a time. `close` lets go of what it holds (its HTTP connections) when the
    core closes."""

    name: str
    sender: Sender
    follows_up: frozenset[str] = frozenset()
    close: Callable[[], Awaitable[None]] | None = None
    chat: bool = True


@dataclass
class Core:
    settings: Settings
    db: Database
    desk: SupportDesk
    ladder: Ladder
    outbox: Outbox
    uptime: Uptime
    upgrades: UpgradeBook
    reminders: UpgradeReminders
    digest: DigestMaker
    ops: OpsChannel
    learning: Learning
    inbox: Inbox
    references: References
    metrics: Metrics = field(default_factory=Metrics)
    escalating_sources: frozenset[str] = frozenset()
    _closing: bool = field(default=False, repr=False)
    _channels: list[Channel] = field(default_factory=list, repr=False)
    _waiting: bool = field(default=False, repr=False)
    _delivering: asyncio.Task[None] | None = field(default=None, repr=False)
    _kicked: asyncio.Event = field(default_factory=asyncio.Event, repr=False)
    _reloading: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    @property
    def knowledge(self) -> Knowledge:
        return self.desk.knowledge

    def attach(self, channel: Channel) -> None:
        """Let `channel` deliver what goes out on its route (and, as the chat, the chat's
        notices), and escalate the questions it can follow up."""
        if channel.chat:
            taken = next((c.name for c in self._channels if c.chat), None)
            if taken is not None:
                raise ValueError(f"{taken} is attached as the chat already; {channel.name} too")
            self.outbox.attach(channel.sender)
        self.outbox.register(channel.name, channel.sender)
        self.escalating_sources |= channel.follows_up
        self._channels.append(channel)

    @property
    def delivering(self) -> bool:
        """The outbox is being delivered in the background (after a kick), not just waiting
        for a held-back message to come due."""
        alive = self._delivering is not None and not self._delivering.done()
        return alive and not self._waiting

    def kick(self) -> None:
        """Deliver the outbox now, in the background, and again when a held-back message is
        due (a rate limit's Retry-After) within a short while; the scheduled job takes what
        is due later, or what failed."""
        self._kicked.set()
        self._waiting = False
        if self._delivering is None or self._delivering.done():
            self._delivering = asyncio.get_running_loop().create_task(self._deliver())

    async def deliver(self) -> int:
        """Send everything that is due now, each lane's messages in turn; the number sent."""
        sent = 0
        while count := await self.outbox.deliver_due():
            sent += count
        return sent

    async def deliver_within(self, seconds: float) -> None:
        """Deliver what is due, and what comes due within `seconds` (a retry after a rate
        limit's Retry-After or a backoff): for a command that queued messages and then exits.
        A delivery a kick started in the background is waited for first."""
        deadline = self.outbox.clock() + timedelta(seconds=seconds)
        while True:
            if self._delivering is not None:
                await asyncio.gather(self._delivering, return_exceptions=True)
            await self.deliver()
            due = await self.outbox.next_due()
            if due is None or due > deadline:
                return
            await asyncio.sleep(max((due - self.outbox.clock()).total_seconds(), MIN_WAIT_SECONDS))

    async def _deliver(self) -> None:
        try:
            while not self._closing:
                self._kicked.clear()
                await self.deliver()
                due = await self.outbox.next_due()
                wait = (due - self.outbox.clock()).total_seconds() if due else None
                if self._kicked.is_set():  # kicked while delivering: there is more
                    continue
                if wait is None or wait > FOLLOW_UP_SECONDS:
                    return  # no await from the check to the end: a kick now starts anew
                self._waiting = True
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._kicked.wait(), max(wait, MIN_WAIT_SECONDS))
                self._waiting = False
        except Exception:
            log.exception("outbox delivery failed; the scheduled job will try again")

    async def add_to_faq(self, number: int, user: str) -> str:
        """Write what an escalation taught into the FAQ and reload, so the bot answers the
        question next time: a superuser's answer as a new entry, or, when a suggested entry
        solved it, the question as that entry's `Also asked`. Returns where it went."""
        status = await self.ladder.status(number)
        esc, question = status.escalation, status.question
        if question.solved_by_entry:
            return await self._add_phrasing(esc, user, question.text, question.solved_by_entry)
        self.ladder.check_allowed(user, esc)
        if esc.faq_location:
            raise Refused("already_in_faq", location=esc.faq_location)
        if not esc.answer:
            raise Refused("no_answer")
        area = self.settings.area(esc.area or question.matched_area)
        if area is None:
            raise Refused("no_area", number=str(number))
        existing = [question_key(e.question) for e in self.knowledge.base.entries]
        try:
            location = add_entry(
                self.settings.knowledge_dir,
                area.key,
                question.text,
                esc.answer,
                owner=area.contact,
                existing=existing,
            )
        except FaqWriteError as exc:
            raise faq_refused(number, exc) from exc
        await self.reload_knowledge()
        await self.ladder.set_faq_location(number, user, location)
        return location

    async def _add_phrasing(self, esc: Escalation, user: str, text: str, heading: str) -> str:
        """The superusers of the ticket's area, or of the entry's, may add to the entry."""
        entry = self.knowledge.entry(heading)
        if entry is None or not self.settings.may_handle(user, entry.area):
            self.ladder.check_allowed(user, esc)
        if esc.faq_location:
            raise Refused("already_in_faq", location=esc.faq_location)
        if entry is None:
            raise Refused("faq_entry_gone", entry=heading)
        try:
            location = add_phrasing(self.settings.knowledge_dir, entry, text)
        except FaqWriteError as exc:
            raise faq_refused(esc.id, exc) from exc
        await self.reload_knowledge()
        await self.ladder.set_faq_location(esc.id, user, location)
        return location

    async def ops_message(
        self,
        key: str,
        text: str,
        owner_role: str | None,
        *,
        daily: bool = False,
        tone: Tone = Tone.CALENDAR,
    ) -> bool:
        """A message to the ops channel, at most once a day (`daily`) or once an hour per key."""
        now = self.ladder.clock()
        period = now.strftime("%Y-%m-%d") if daily else now.strftime("%Y-%m-%dT%H")
        posted = await self.ops.post(f"{key}:{period}", text, owner_role=owner_role, tone=tone)
        if posted:
            self.kick()
        return posted

    async def reload_knowledge(self) -> None:
        """Load the FAQ files and the learned phrasings again and swap them in. One reload at a
        time, so an older load can't replace a newer one; the load runs in a thread, so a large
        FAQ doesn't hold up the questions meanwhile."""
        async with self._reloading:
            self.desk.knowledge = await asyncio.to_thread(
                load_knowledge, self.settings, await self.learning.by_entry()
            )

    async def learned_for(self, user: str, limit: int) -> list[Learned]:
        """The newest learned phrasings in the areas `user` looks after (all, for an admin)."""
        settings = self.settings
        areas = (
            None
            if settings.is_admin(user)
            else tuple(a.key for a in settings.areas if user in a.superusers)
        )
        return await self.learning.latest(limit, areas)

    async def unlearn(self, user: str, learned_id: int) -> Learned:
        """Forget a learned phrasing: its entry's superusers and the admins may; Refused says
        why not (learned_unknown, learned_not_yours)."""
        learned = await self.learning.get(learned_id)
        if learned is None:
            raise Refused("learned_unknown", id=str(learned_id))
        if not self.settings.may_handle(user, learned.area):
            area = self.settings.area(learned.area)
            raise Refused("learned_not_yours", area=area.name if area else learned.area)
        await self.learning.remove(learned.id)
        return learned

    async def learn_from(self, question: Question, heading: str, source: Source) -> None:
        """An asker confirmed the entry `heading` answered `question`: keep it as a phrasing."""
        entry = self.knowledge.entry(heading)
        if entry is not None:
            await self.learning.learn(
                entry, question.text, source=source, by=question.asker, question_id=question.id
            )

    async def close(self) -> None:
        """Stop the inbox's workers and the outbox's delivery (letting a send under way finish),
        then the channels and the database."""
        self._closing = True
        self._kicked.set()
        await self.inbox.stop()
        if self._delivering is not None:
            await asyncio.gather(self._delivering, return_exceptions=True)
        for channel in self._channels:
            if channel.close is not None:
                await channel.close()
        await self.db.close()


def faq_refused(number: int, exc: FaqWriteError) -> Refused:
    """Why a ticket could not go into the FAQ: logged as it happened, refused in words."""
    log.warning("escalation #%d: the FAQ was not written: %s", number, exc)
    return Refused(f"faq_{exc.code}", **exc.values)


def load_knowledge(settings: Settings, learned: Mapping[str, Sequence[str]]) -> Knowledge:
    return Knowledge.load(
        settings.knowledge_dir,
        settings.area_keys,
        settings.answer_threshold,
        learned,
        open_semantic(settings.semantic, settings.semantic_cache),
    )


async def create_core(settings: Settings, clock: Callable[[], datetime] = utcnow) -> Core:
    # the inbox's workers, the outbox's sends and the requests being acknowledged
    db = Database(settings.database_url, connections=settings.workers + SENDING_AT_ONCE + 4)
    await db.upgrade()
    learning = Learning(db)
    knowledge = load_knowledge(settings, await learning.by_entry())
    desk = SupportDesk(settings, db, knowledge, clock)
    await desk.prune_events()
    ladder = Ladder(settings, db, clock)
    outbox = Outbox(db, clock)
    outbox.on_sent("reply", record_reply)
    for step in KEPT:
        outbox.on_sent(str(step), record_post)
    if settings.smtp is not None:
        outbox.register("email", email_sender(settings.smtp))
    if settings.vendor.webhook_url:
        outbox.register("webhook", webhook_sender(settings.vendor.webhook_url))
    book = UpgradeBook(settings.knowledge_dir / "upgrades.md", settings.escalation.hours.zone)
    ops = OpsChannel(settings, outbox)
    core = Core(
        settings,
        db,
        desk,
        ladder,
        outbox,
        Uptime(settings, db, clock, book),
        book,
        UpgradeReminders(settings, ops, book, clock),
        DigestMaker(settings, db, book, clock),
        ops,
        learning,
        Inbox(db, clock, settings.workers),
        References(db),
    )
    core.metrics.gauge(
        "firstline_faq_entries", "FAQ entries loaded (with what was learned from use)."
    ).set_function(lambda: len(core.knowledge.base.entries))
    core.metrics.gauge(
        "firstline_knowledge_problems",
        "Problems in the knowledge folder this process skipped (firstline kb lint lists them).",
    ).set_function(lambda: len(core.knowledge.base.problems))
    learning.on_learned(core.reload_knowledge)
    desk.on_confirmed(core.learn_from)
    ladder.on_confirmed(core.learn_from)

    async def escalate(session: AsyncSession, question: Question) -> None:
        """The adapter that took the question kicks the outbox once this has committed."""
        if question.source in core.escalating_sources:
            await ladder.open_in(session, question, escalation_reason(question))

    desk.on_unresolved(escalate)
    return core
