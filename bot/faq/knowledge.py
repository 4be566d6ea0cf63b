"""The loaded knowledge base and its matcher, swapped as one unit on reload."""

from __future__ import annotations

import dataclasses
import gc
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from bot.faq.lexicon import lexicon
from bot.faq.loader import KnowledgeBase, load_knowledge, question_key
from bot.faq.matcher import DEFAULT_THRESHOLD, Match, Matcher
from bot.faq.model import Entry
from bot.faq.semantic import Semantic

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Knowledge:
    base: KnowledgeBase
    matcher: Matcher

    @classmethod
    def load(
        cls,
        root: Path,
        areas: tuple[str, ...],
        threshold: float = DEFAULT_THRESHOLD,
        learned: Mapping[str, Sequence[str]] | None = None,
        semantic: Semantic | None = None,
    ) -> Knowledge:
        """The FAQ under `root`, with the phrasings learned from use (by `question_key` of the
        entry's heading; those of entries no longer in the FAQ are ignored), matched with the
        semantic signal too when one is given."""
        with _collector_paused():
            base = load_knowledge(root, areas)
            if learned:
                base.entries = [_with_learned(e, learned) for e in base.entries]
            matcher = Matcher(
                base.entries,
                [*lexicon(), *base.synonyms],
                threshold=threshold,
                semantic=semantic.index(base.entries) if semantic else None,
            )
        log.info(
            "knowledge: %d entries from %d files in %s (%d skipped problems)",
            len(base.entries),
            base.files,
            root,
            len(base.problems),
        )
        return cls(base, matcher)

    def match(self, question: str) -> Match:
        return self.matcher.match(question)

    def entry(self, question: str) -> Entry | None:
        """The entry with this `## question` heading, if the FAQ (as loaded now) still has it."""
        return self._by_question.get(question_key(question))

    @cached_property
    def _by_question(self) -> dict[str, Entry]:
        return {question_key(e.question): e for e in self.base.entries}


def _with_learned(entry: Entry, learned: Mapping[str, Sequence[str]]) -> Entry:
    """The entry with its learned phrasings, less those the file says already (a superuser may
    have added one as an `Also asked` line since)."""
    written = {question_key(p) for p in (entry.question, *entry.also_asked)}
    new = tuple(
        p for p in learned.get(question_key(entry.question), ()) if question_key(p) not in written
    )
    return dataclasses.replace(entry, learned=new) if new else entry


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading allocates about a million small objects and no cyclic garbage, so the garbage
    collector's passes over them while it runs are overhead. One full pass at the end moves them
    all to the oldest generation at once; without it, the first collections after loading would
    each walk them all, and a question that happened to trigger one would wait 50-100 ms."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect()
