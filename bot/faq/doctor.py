"""What to add to the FAQ so the bot answers better.

Three kinds of advice, each from the knowledge base as it is loaded now:

- confusable entries: an entry whose own heading the bot matches to another entry, or only just
  to itself, so questions about the two get mixed up;
- entries findable in one language only: every phrasing (heading and `Also asked`) is Swedish,
  or every one is English, and entries with no `Also asked` line at all;
- near misses from real use: questions the bot declined whose best guess is close to the answer
  threshold, so one `Also asked` line may be all the entry lacks.

Pure functions over entries and a matcher; the caller reads the asked questions from wherever it
keeps them (`firstline kb doctor` reads the database).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.faq.loader import question_key
from bot.faq.matcher import PLAUSIBLE_FROM, Matcher
from bot.faq.model import Entry
from bot.faq.text import detect_language

# An entry whose own heading beats the runner-up by less than this share of its score is easily
# confused with the runner-up (the matcher's "margin" feature).
CONFUSABLE_MARGIN = 0.2
# A declined question whose best guess has at least this confidence (the matcher offers such a
# guess as a similar question) nearly matches it.
NEAR_MISS_FROM = PLAUSIBLE_FROM
LANGUAGE_NAMES = {"sv": "Swedish", "en": "English"}
OTHER_LANGUAGE = {"sv": "en", "en": "sv"}


@dataclass(frozen=True)
class Confusable:
    """Entry `entry`'s own heading matches `other` best (`margin` None), or matches `entry`
    with `other` as a close runner-up (`margin` below CONFUSABLE_MARGIN)."""

    entry: Entry
    other: Entry
    margin: float | None

    @property
    def advice(self) -> str:
        text = (
            f"Add an `Also asked:` line to «{self.entry.question}» that says what makes it "
            f"different from «{self.other.question}» (which side: customer or supplier, goods "
            "in or out, which document)."
        )
        if self.margin is None:
            text += (
                f" And check that the `Also asked:` lines of «{self.other.question}» name what "
                "is specific to it, not only words the two share."
            )
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "entry": self.entry.question,
            "location": self.entry.location,
            "other": self.other.question,
            "other_location": self.other.location,
            "heading_matches_other": self.margin is None,
            "margin": None if self.margin is None else round(self.margin, 4),
            "advice": self.advice,
        }


@dataclass(frozen=True)
class OneLanguage:
    """An entry whose heading and `Also asked` phrasings are all in `language` ('sv' or 'en')."""

    entry: Entry
    language: str

    @property
    def missing(self) -> str:
        return OTHER_LANGUAGE[self.language]

    @property
    def advice(self) -> str:
        other = LANGUAGE_NAMES[self.missing]
        return (
            f"Add one `Also asked:` phrasing in {other} so colleagues who ask in {other} find it."
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "entry": self.entry.question,
            "location": self.entry.location,
            "language": self.language,
            "missing": self.missing,
            "advice": self.advice,
        }


@dataclass(frozen=True)
class Asked:
    """A question someone asked and the bot left unresolved."""

    text: str
    asked_at: datetime
    escalation: int | None = None  # its escalation's number (#42), if it has one


@dataclass(frozen=True)
class NearMiss:
    """An asked question (the latest of `times` alike) whose best guess now is `entry`, with a
    confidence from NEAR_MISS_FROM up to, not including, the answer threshold."""

    question: Asked
    entry: Entry
    confidence: float
    times: int = 1

    @property
    def advice(self) -> str:
        text = (
            f"«{self.question.text}» nearly matches «{self.entry.question}» "
            f"({self.confidence:.2f}): if that entry answers it, add the question as an "
            f"`Also asked:` line of it ({self.entry.location})"
        )
        number = self.question.escalation
        if number is not None:
            text += f"; if not, answer #{number} and `/support faq {number}` adds it as a new entry"
        return text + "."

    def as_dict(self) -> dict[str, object]:
        return {
            "question": self.question.text,
            "asked_at": self.question.asked_at.isoformat(),
            "times": self.times,
            "escalation": self.question.escalation,
            "entry": self.entry.question,
            "location": self.entry.location,
            "confidence": round(self.confidence, 4),
            "advice": self.advice,
        }


@dataclass(frozen=True)
class Report:
    """Everything `firstline kb doctor` says. `near_misses` is None when no questions could be
    read (`note` says why); `checked` is how many unresolved questions were looked at."""

    entries: int
    confusable: tuple[Confusable, ...]
    one_language: tuple[OneLanguage, ...]
    without_phrasings: tuple[Entry, ...]
    near_misses: tuple[NearMiss, ...] | None
    checked: int = 0
    note: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "entries": self.entries,
            "confusable": [c.as_dict() for c in self.confusable],
            "one_language": [o.as_dict() for o in self.one_language],
            "without_also_asked": [
                {"entry": e.question, "location": e.location} for e in self.without_phrasings
            ],
            "near_misses": (
                None if self.near_misses is None else [n.as_dict() for n in self.near_misses]
            ),
            "questions_checked": self.checked,
            "note": self.note,
        }


def confusable_entries(
    matcher: Matcher, entries: Sequence[Entry], margin: float = CONFUSABLE_MARGIN
) -> list[Confusable]:
    """Entries whose own heading matches another entry best, or whose runner-up scores nearly
    as well; each pair once (the first entry of the pair in `entries` is the one to change)."""
    found: list[Confusable] = []
    seen: set[frozenset[str]] = set()
    for entry in entries:
        match = matcher.match(entry.question)
        if match.entry is None:
            continue
        if match.entry.question != entry.question:
            pair = Confusable(entry, match.entry, None)
        elif match.runners_up and match.features.get("margin", 1.0) < margin:
            pair = Confusable(entry, match.runners_up[0], match.features["margin"])
        else:
            continue
        key = frozenset((question_key(entry.question), question_key(pair.other.question)))
        if key not in seen:
            seen.add(key)
            found.append(pair)
    return found


def one_language_entries(entries: Iterable[Entry]) -> list[OneLanguage]:
    """Entries with `Also asked` lines whose phrasings, heading included, are all in one
    language. Entries with no `Also asked` at all are `entries_without_phrasings`."""
    found = []
    for entry in entries:
        if not entry.also_asked:
            continue
        languages = {detect_language(p) for p in (entry.question, *entry.also_asked)}
        if len(languages) == 1:
            found.append(OneLanguage(entry, languages.pop()))
    return found


def entries_without_phrasings(entries: Iterable[Entry]) -> list[Entry]:
    return [entry for entry in entries if not entry.also_asked]


def near_misses(matcher: Matcher, asked: Iterable[Asked]) -> list[NearMiss]:
    """The asked questions whose best guess, matched again now, has a confidence from
    NEAR_MISS_FROM up to the answer threshold; the same question asked again counts once, as
    its latest asking. Closest first."""
    latest: dict[str, Asked] = {}
    times: dict[str, int] = {}
    for question in asked:
        key = question_key(question.text)
        times[key] = times.get(key, 0) + 1
        if key not in latest or question.asked_at > latest[key].asked_at:
            latest[key] = question
    found = []
    for key, question in latest.items():
        match = matcher.match(question.text)
        if match.entry is not None and NEAR_MISS_FROM <= match.confidence < matcher.threshold:
            found.append(NearMiss(question, match.entry, match.confidence, times[key]))
    found.sort(key=lambda n: (-n.confidence, -n.question.asked_at.timestamp()))
    return found


def diagnose(
    matcher: Matcher, asked: Sequence[Asked] | None = None, note: str | None = None
) -> Report:
    """The whole report; `asked` None when no questions could be read (`note` says why)."""
    entries = matcher.entries
    return Report(
        entries=len(entries),
        confusable=tuple(confusable_entries(matcher, entries)),
        one_language=tuple(one_language_entries(entries)),
        without_phrasings=tuple(entries_without_phrasings(entries)),
        near_misses=None if asked is None else tuple(near_misses(matcher, asked)),
        checked=0 if asked is None else len(asked),
        note=note,
    )
