"""The loaded knowledge base and its matcher, swapped as one unit on reload."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from bot.faq.lexicon import lexicon
from bot.faq.loader import KnowledgeBase, load_knowledge, question_key
from bot.faq.matcher import DEFAULT_THRESHOLD, Match, Matcher
from bot.faq.model import Entry

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
    ) -> Knowledge:
        with _collector_paused():
            base = load_knowledge(root, areas)
            matcher = Matcher(base.entries, [*lexicon(), *base.synonyms], threshold=threshold)
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
