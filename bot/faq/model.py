"""Records for FAQ entries."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    """One FAQ entry: a level-2 heading (the question) and the markdown below it."""

    question: str
    answer: str
    area: str
    file: str
    line: int
    also_asked: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    owner: str | None = None
    why: str | None = None
    why_title: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    # Questions the bot learned from use (an asker confirmed this entry answered them); kept in
    # the database, not in the file, and matched like `Also asked` phrasings.
    learned: tuple[str, ...] = ()

    @property
    def phrasings(self) -> tuple[str, ...]:
        """Every other way the question is asked: written (`Also asked`), then learned."""
        return (*self.also_asked, *self.learned)

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"
