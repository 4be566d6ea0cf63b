"""The superusers' actions, each declared once: the names it answers to (in English and Swedish),
how it is used, what it takes, who may run it, the core call it makes and the texts it answers
with (keys in `bot.texts`).

Typed commands, buttons and forms of every channel look an action up here by name; a name that is
not here is an error (`Unknown`), never some other action. What an action answers is data: a
`Text` (a key in `bot.texts` and its values), a `Refusal`, or rows (a queue, a ticket's history,
the uptime...), with times in the configured time zone. Each channel adapter renders that in its
own format; nothing here knows a channel.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.app import Core
from bot.faq.text import detect_language
from bot.logs import bind
from bot.settings import Area
from bot.store.models import Escalation, EscalationEvent, Question
from bot.support.escalations import BOT, Refused, State, Status, known_areas
from bot.support.hours import BusinessHours
from bot.support.questions import Origin, Reply
from bot.texts import ACTION_NAMES, STATE_NAMES

MOST_LEARNED = 50  # `learned N` lists at most this many
LISTED = 15  # what `unresolved` and `learned` list


@dataclass(frozen=True)
class Person:
    """A value that is a person (their id in the channel), for the adapter to show as one."""

    id: str


@dataclass(frozen=True)
class Quote:
    """A value that quotes what someone wrote, for the adapter to show (shortened) as such."""

    text: str


Value = str | int | Person | Quote


@dataclass(frozen=True)
class Text:
    """A sentence by its key: in `language` from `texts.TEXTS`, or, without a language, in the
    superusers' Swedish from `texts.DESK`."""

    key: str
    values: Mapping[str, Value] = field(default_factory=dict)
    language: str | None = None


@dataclass(frozen=True)
class Refusal:
    """Why an action was not done: a `texts.REFUSED` key and its values (the state by name)."""

    code: str
    values: Mapping[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class Unknown:
    """A name no action answers to, and the language it seems to be in."""

    name: str
    language: str


@dataclass(frozen=True)
class Asked:
    """A question asked with a command, and the desk's reply."""

    question: str
    reply: Reply


@dataclass(frozen=True)
class Queued:
    """One ticket in a queue: who has it, how old it is, how much business time it has left
    (None without a deadline; `overdue` once the deadline has passed)."""

    number: int
    state: str
    holder: str | None
    age: timedelta
    left: timedelta | None
    overdue: bool
    question: str


@dataclass(frozen=True)
class Queue:
    title: Text
    tickets: tuple[Queued, ...]


@dataclass(frozen=True)
class Owners:
    """Each area's superusers in the order they get a question, then the vendor if reachable."""

    areas: tuple[Area, ...]
    vendor: str | None


@dataclass(frozen=True)
class CheckLine:
    """One uptime check: up, down or unknown, its share of successful runs per window (None
    without runs), and since when and why it is down."""

    name: str
    status: str
    shares: tuple[float | None, ...]
    down_since: datetime | None
    error: str | None


@dataclass(frozen=True)
class UptimeReport:
    checks: tuple[CheckLine, ...]
    owner: str | None


@dataclass(frozen=True)
class Step:
    """A step in a ticket's history; `actor` None is the bot. `detail` as people read it: what
    someone wrote, an area's name, the person reminded, or the bot's reason in words."""

    at: datetime
    action: str
    actor: str | None
    detail: Value | None


@dataclass(frozen=True)
class Ticket:
    """A ticket's status: its state, who has it (None in the queue or with the vendor), its
    area's name, the question, the answer and the history."""

    number: int
    state: str
    holder: str | None
    area: str | None
    question: str
    answer: str | None
    history: tuple[Step, ...]


@dataclass(frozen=True)
class UnresolvedQuestion:
    """An open question the FAQ could not answer: its ticket's number and who has the ticket (a
    person, or the vendor by name; None while it waits in the support queue), or no ticket at
    all (`ticket` None: asked where nobody follows up)."""

    ticket: int | None
    holder: Person | str | None
    at: datetime
    asker: str
    channel: str | None
    text: str


@dataclass(frozen=True)
class Unresolved:
    language: str
    questions: tuple[UnresolvedQuestion, ...]


@dataclass(frozen=True)
class LearnedLine:
    """A learned phrasing: its id, the words, the entry it leads to, the area's name, and how it
    was learned (a `texts` key)."""

    id: int
    text: str
    entry: str
    area: str
    source: str


@dataclass(frozen=True)
class LearnedList:
    language: str
    phrasings: tuple[LearnedLine, ...]


Result = (
    Text
    | Refusal
    | Unknown
    | Asked
    | Queue
    | Owners
    | UptimeReport
    | Ticket
    | Unresolved
    | LearnedList
)


class Need(enum.Enum):
    """What an action takes after its name (and its ticket number)."""

    NOTHING = "nothing"  # anything more is ignored
    OPTIONAL = "optional"  # a note, a choice
    REQUIRED = "required"  # an answer, an area: without it, the usage
    QUESTION = "question"  # a question to ask, as plain text: without it, the usage


class Who(enum.Enum):
    """Who may run an action. The core call refuses anyone else (`Refused`); a channel checks
    it (`ticket_for`) before it shows a form, so nobody fills one in only to be refused."""

    ANYONE = "anyone"
    HANDLERS = "handlers"  # the ticket area's superusers and the admins (any superuser without one)
    ASKER_OR_HANDLERS = "asker_or_handlers"


@dataclass(frozen=True)
class Request:
    """An action called: by whom, about which ticket, with what text, in which language (for
    actions that answer in two), and from where (a question's `Origin.source` and channel)."""

    user: str
    number: int | None = None
    text: str = ""
    language: str = "sv"
    source: str = ""
    channel: str | None = None

    @property
    def ticket(self) -> int:
        if self.number is None:
            raise ValueError("this action takes a ticket number")
        return self.number


Call = Callable[[Core, Request], Awaitable[Result]]


@dataclass(frozen=True, eq=False)  # each action is declared once: it is itself, by identity
class Action:
    """One action: `name` (English, as buttons and forms name it), `aliases` (each with its
    language), the text key of its usage, whether it takes a ticket number and a text, who may
    run it, the core call, and the keys of the texts it answers with. A `bilingual` action answers
    in the language of the name it was called by (`texts.TEXTS`), the others in the superusers'
    Swedish (`texts.DESK`)."""

    name: str
    call: Call
    results: tuple[str, ...]
    aliases: Mapping[str, str] = field(default_factory=dict)
    usage: str | None = None
    number: bool = False
    text: Need = Need.NOTHING
    who: Who = Who.ANYONE
    bilingual: bool = False

    def usage_text(self, language: str) -> Text:
        if self.usage is None:
            raise ValueError(f"{self.name} takes nothing, so it has no usage")
        return Text(self.usage, language=language if self.bilingual else None)


@dataclass(frozen=True)
class Found:
    """The action a name called, and the language of that name."""

    action: Action
    language: str


@dataclass(frozen=True)
class Typed:
    """A command as typed: the action, the language of its name, and the words after it."""

    action: Action
    language: str
    rest: str


def refusal(exc: Refused) -> Refusal:
    """A core refusal as data: a state by its name, the person who has the ticket as a person."""
    values: dict[str, Value] = {}
    for key, value in exc.values.items():
        if key == "state":
            values[key] = STATE_NAMES.get(value, value)
        elif key in ("user", "asker") and value:
            values[key] = Person(value)
        else:
            values[key] = value
    return Refusal(exc.code, values)


def _done(core: Core, key: str, **values: Value) -> Text:
    """A step taken: its messages go out now (the outbox job retries what fails)."""
    core.kick()
    return Text(key, values)


async def _claim(core: Core, request: Request) -> Result:
    await core.ladder.claim(request.ticket, request.user)
    return _done(core, "claimed", n=request.ticket)


async def _release(core: Core, request: Request) -> Result:
    await core.ladder.release(request.ticket, request.user)
    return _done(core, "released", n=request.ticket)


async def _answer(core: Core, request: Request) -> Result:
    await core.ladder.answer(request.ticket, request.user, request.text)
    return _done(core, "answered", n=request.ticket)


async def _escalate(core: Core, request: Request) -> Result:
    await core.ladder.escalate(request.ticket, request.user, request.text)
    return _done(core, "escalated", n=request.ticket, vendor=core.settings.vendor.name)


async def _reassign(core: Core, request: Request) -> Result:
    esc = await core.ladder.reassign(request.ticket, request.user, request.text)
    area = core.settings.area(esc.area)
    return _done(core, "reassigned", n=request.ticket, area=area.name if area else "")


async def _close(core: Core, request: Request) -> Result:
    await core.ladder.close(request.ticket, request.user, request.text)
    return _done(core, "closed", n=request.ticket)


async def _vendor_reply(core: Core, request: Request) -> Result:
    await core.ladder.vendor_reply(request.ticket, request.user, request.text)
    return _done(core, "vendor_replied", n=request.ticket)


async def _faq(core: Core, request: Request) -> Result:
    location = await core.add_to_faq(request.ticket, request.user)
    return _done(core, "added_to_faq", n=request.ticket, location=location)


# The steps whose detail is the bot's reason for them (`escalation_reason`, a rung's): a key.
REASONED = ("opened", "unassigned", "to_vendor")


def step_detail(core: Core, event: EscalationEvent) -> Value | None:
    """An audit event's detail as people read it: the bot's reason in words, the area moved to
    by its name, the person reminded as a person; what someone wrote as it is."""
    detail = event.detail
    if detail is None:
        return None
    if event.action in REASONED and detail in ACTION_NAMES:
        return ACTION_NAMES[detail]
    if event.action == "reassigned":
        area = core.settings.area(detail)
        return area.name if area else detail
    if event.action == "reminded":
        return Person(detail)
    return detail


async def _status(core: Core, request: Request) -> Result:
    status = await core.ladder.status(request.ticket)
    esc, zone = status.escalation, core.settings.escalation.hours.zone
    history = tuple(
        Step(
            event.at.astimezone(zone),
            event.action,
            None if event.actor == BOT else event.actor,
            step_detail(core, event),
        )
        for event in status.history
    )
    held = holder(core, esc)
    area = core.settings.area(esc.area)
    return Ticket(
        esc.id,
        esc.state,
        held.id if isinstance(held, Person) else None,
        area.name if area else None,
        status.question.text,
        esc.answer,
        history,
    )


def queued(esc: Escalation, question: Question, now: datetime, hours: BusinessHours) -> Queued:
    """A ticket as a queue shows it at `now`, its time left counted in business hours."""
    due = esc.due_at
    return Queued(
        esc.id,
        esc.state,
        esc.claimed_by or esc.assignee,
        now - esc.created_at,
        hours.between(now, due) if due is not None and due > now else None,
        due is not None and due <= now,
        question.text,
    )


async def _queue(core: Core, request: Request) -> Result:
    """`queue` or `queue mine`: the user's tickets; `queue all`; `queue <area>`: the area's."""
    which, settings = request.text.strip().lower(), core.settings
    area = settings.area(which)
    if which in ("", "mine", "mina"):
        rows, title = await core.ladder.queue(user=request.user), Text("queue_mine")
    elif which in ("all", "alla"):
        rows, title = await core.ladder.queue(), Text("queue_all")
    elif area is not None:
        rows = await core.ladder.queue(area=area.key)
        title = Text("queue_area", {"area": area.name})
    else:
        return Refusal("unknown_area", {"area": which, "known": known_areas(settings)})
    now, hours = core.ladder.clock(), settings.escalation.hours
    return Queue(title, tuple(queued(esc, question, now, hours) for esc, question in rows))


async def _owners(core: Core, request: Request) -> Result:
    vendor = core.settings.vendor
    return Owners(core.settings.areas, vendor.name if vendor.reachable else None)


async def _uptime(core: Core, request: Request) -> Result:
    statuses = await core.uptime.status()
    if not statuses:
        return Text("uptime_none")
    zone = core.settings.escalation.hours.zone
    checks = tuple(
        CheckLine(
            item.check.name,
            item.status,
            tuple(item.uptime.values()),
            item.down_since.astimezone(zone) if item.down_since else None,
            item.last_error,
        )
        for item in statuses
    )
    return UptimeReport(checks, core.settings.ops.uptime_owner)


def holder(core: Core, esc: Escalation) -> Person | str | None:
    """Who has a ticket now: the superuser who claimed it or whose turn it is, the vendor (by
    name), or nobody (the support queue)."""
    if esc.state == State.VENDOR:
        return core.settings.vendor.name
    person = esc.claimed_by or esc.assignee
    return Person(person) if person else None


async def _unresolved(core: Core, request: Request) -> Result:
    rows = await core.ladder.unanswered(limit=LISTED)
    if not rows:
        return Text("unresolved_none", language=request.language)
    zone = core.settings.escalation.hours.zone
    return Unresolved(
        request.language,
        tuple(
            UnresolvedQuestion(
                esc.id if esc else None,
                holder(core, esc) if esc else None,
                q.created_at.astimezone(zone),
                q.asker,
                q.channel,
                q.text,
            )
            for q, esc in rows
        ),
    )


REMOVE = ("remove", "ta-bort", "bort")


async def _learned(core: Core, request: Request) -> Result:
    """`learned [N]` lists the newest learned phrasings in the user's areas; `learned remove ID`
    forgets one (the entry's superusers and the admins only)."""
    lang, words = request.language, request.text.lower().split()
    if words and words[0] in REMOVE:
        phrasing = record_id(words[1]) if len(words) == 2 else None
        if phrasing is None:
            return LEARNED.usage_text(lang)
        try:
            learned = await core.unlearn(request.user, phrasing)
        except Refused as exc:  # worded for everyone, in two languages
            return Text(exc.code, exc.values, lang)
        return Text("learned_removed", {"id": str(learned.id), "text": Quote(learned.text)}, lang)
    if words and not (len(words) == 1 and words[0].isdecimal()):
        return LEARNED.usage_text(lang)
    limit = min(int(words[0]), MOST_LEARNED) if words else LISTED
    rows = await core.learned_for(request.user, limit)
    if not rows:
        return Text("learned_none", language=lang)
    lines = []
    for row in rows:
        area = core.settings.area(row.area)
        lines.append(
            LearnedLine(
                row.id,
                row.text,
                row.entry_question,
                area.name if area else row.area,
                f"learned_source_{row.source}",
            )
        )
    return LearnedList(lang, tuple(lines))


async def _help(core: Core, request: Request) -> Result:
    return Text("usage", language=request.language)


async def _ask(core: Core, request: Request) -> Result:
    origin = Origin(request.source, request.user, channel=request.channel)
    reply = await core.desk.ask(request.text, origin)
    core.kick()  # an escalation it opened tells the superuser now
    return Asked(request.text, reply)


CLAIM = Action("claim", _claim, ("claimed",), usage="usage_claim", who=Who.HANDLERS, number=True)
RELEASE = Action(
    "release", _release, ("released",), usage="usage_release", who=Who.HANDLERS, number=True
)
ANSWER = Action(
    "answer",
    _answer,
    ("answered",),
    usage="usage_answer",
    text=Need.REQUIRED,
    who=Who.HANDLERS,
    number=True,
)
ESCALATE = Action(
    "escalate",
    _escalate,
    ("escalated",),
    usage="usage_escalate",
    text=Need.OPTIONAL,
    who=Who.HANDLERS,
    number=True,
)
REASSIGN = Action(
    "reassign",
    _reassign,
    ("reassigned",),
    usage="usage_reassign",
    text=Need.REQUIRED,  # the area's key
    who=Who.HANDLERS,
    number=True,
)
CLOSE = Action(
    "close",
    _close,
    ("closed",),
    usage="usage_close",
    text=Need.OPTIONAL,
    who=Who.ASKER_OR_HANDLERS,
    number=True,
)
STATUS = Action("status", _status, (), usage="usage_status", number=True)
VENDOR_REPLY = Action(
    "vendor-reply",
    _vendor_reply,
    ("vendor_replied",),
    usage="usage_vendor_reply",
    text=Need.REQUIRED,
    who=Who.HANDLERS,
    number=True,
)
# the handlers of the ticket's area, or of the FAQ entry that solved it
FAQ = Action("faq", _faq, ("added_to_faq",), usage="usage_faq", who=Who.HANDLERS, number=True)
QUEUE = Action("queue", _queue, ("queue_mine", "queue_all", "queue_area"), text=Need.OPTIONAL)
OWNERS = Action("owners", _owners, ())
UPTIME = Action("uptime", _uptime, ("uptime_none",), aliases={"drift": "sv"})
UNRESOLVED = Action(
    "unresolved",
    _unresolved,
    ("unresolved_none",),
    aliases={"obesvarade": "sv"},
    bilingual=True,
)
# anyone may list (their own areas' phrasings); removing one is for the entry's superusers
LEARNED = Action(
    "learned",
    _learned,
    ("learned_none", "learned_removed"),
    aliases={"inlärda": "sv", "inlarda": "sv"},
    usage="learned_usage",
    text=Need.OPTIONAL,
    bilingual=True,
)
HELP = Action("help", _help, ("usage",), aliases={"hjälp": "sv", "hjalp": "sv"}, bilingual=True)
ASK = Action(
    "ask",
    _ask,
    (),
    aliases={"fråga": "sv", "fraga": "sv"},
    usage="ask_usage",
    text=Need.QUESTION,
    bilingual=True,
)

ACTIONS = (
    QUEUE,
    CLAIM,
    RELEASE,
    ANSWER,
    ESCALATE,
    REASSIGN,
    CLOSE,
    STATUS,
    VENDOR_REPLY,
    FAQ,
    OWNERS,
    UPTIME,
    LEARNED,
    UNRESOLVED,
    HELP,
    ASK,
)


def _by_name() -> dict[str, Found]:
    found: dict[str, Found] = {}
    for action in ACTIONS:
        for name, language in {action.name: "en", **action.aliases}.items():
            if name in found:
                raise ValueError(f"two actions are called {name!r}")
            found[name] = Found(action, language)
    return found


BY_NAME = _by_name()


def lookup(name: str) -> Found | Unknown:
    """The action called `name` (any case), or `Unknown`."""
    return BY_NAME.get(name.lower()) or Unknown(name.lower(), detect_language(name))


def typed(text: str) -> Typed | Unknown:
    """The command typed after a channel's command (`/support …`): its first word names the
    action, `hjälp` when there is none; words that name none but read as a question (more than
    one word, or ending in ?) are asked; a lone unknown word is `Unknown`."""
    text = " ".join(text.split())
    if not text:
        return Typed(HELP, "sv", "")
    name, _, rest = text.partition(" ")
    found = lookup(name)
    if isinstance(found, Found):
        return Typed(found.action, found.language, rest)
    if rest or text.endswith("?"):
        return Typed(ASK, "sv", text)
    return found


def record_id(text: object) -> int | None:
    """A database id (a question's, a learned phrasing's) as typed or as a button carries it:
    decimal digits, few enough for the database's integer (PostgreSQL's holds 2**31 - 1); None
    for anything else (a crafted value, a missing one)."""
    word = str(text or "").strip()
    return int(word) if word.isdecimal() and len(word) < 10 else None


def ticket_number(text: object) -> int | None:
    """A ticket number as typed (`42`, `#42`) or as a button or form carries it; None for
    anything else."""
    return record_id(str(text or "").strip().lstrip("#"))


def arguments(action: Action, rest: str) -> tuple[int | None, str] | None:
    """(ticket number, text) from the words after the action's name; None when they don't fit
    its usage (no number, or no text it needs)."""
    number = None
    if action.number:
        word, _, rest = rest.partition(" ")
        number = ticket_number(word)
        if number is None:
            return None
    text = rest.strip() if action.text is not Need.NOTHING else ""
    if action.text in (Need.REQUIRED, Need.QUESTION) and not text:
        return None
    return number, text


# Control characters but tab and line breaks, and lone halves of UTF-16 surrogate pairs: no text
# needs them, PostgreSQL refuses NUL in text and can't encode a lone surrogate, and a terminal or
# a log acts on the others. (The Slack adapter drops them from questions the same way.)
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def without_controls(text: str) -> str:
    """The text without control characters (tab, line feed and carriage return are kept) and
    without lone surrogates."""
    return _CONTROLS.sub("", text)


async def run(core: Core, action: Action, request: Request) -> Result:
    """Do `action` for `request`: its result, or the refusal when the core refuses. Its text
    loses control characters first, whichever channel it came from."""
    request = replace(request, text=without_controls(request.text))
    if request.number is not None:
        bind(escalation=request.number)
    try:
        return await action.call(core, request)
    except Refused as exc:
        return refusal(exc)


async def perform(
    core: Core, command: Typed, user: str, *, source: str, channel: str | None = None
) -> Result:
    """A typed command: its arguments read from the words after the name (the usage when they
    don't fit), then run."""
    action, language = command.action, command.language
    parsed = arguments(action, command.rest)
    if parsed is None:
        return action.usage_text(language)
    number, text = parsed
    request = Request(user, number, text, language, source, channel)
    return await run(core, action, request)


async def ticket_for(core: Core, action: Action, user: str, number: int) -> Status | Refusal:
    """The ticket a form for `action` is about, once the action's `who` allows `user` (a
    refusal otherwise)."""
    try:
        status = await core.ladder.status(number)
        if action.who is Who.HANDLERS or (
            action.who is Who.ASKER_OR_HANDLERS and status.question.asker != user
        ):
            core.ladder.check_allowed(user, status.escalation)
    except Refused as exc:
        return refusal(exc)
    return status
