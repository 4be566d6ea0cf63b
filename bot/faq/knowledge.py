"""The loaded knowledge base and its matcher, swapped as one unit on reload."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from bot.faq.lexicon import lexicon
from bot.faq.loader import KnowledgeBase, load_knowledge
from bot.faq.matcher import DEFAULT_THRESHOLD, Match, Matcher

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
        base = load_knowledge(root, areas)
        log.info(
            "knowledge: %d entries from %d files in %s (%d skipped problems)",
            len(base.entries),
            base.files,
            root,
            len(base.problems),
        )
        synonyms = [*lexicon(), *base.synonyms]
        return cls(base, Matcher(base.entries, synonyms, threshold=threshold))

    def match(self, question: str) -> Match:
        return self.matcher.match(question)
