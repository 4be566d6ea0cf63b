"""The development plan in `knowledge/roadmap.md`: now / next / later, one item per line.

    ## Nu
    - Automatisk bankavstämning | Anna Lind | 2026-12-15 | pågår

Each item: title | owner | target date (YYYY-MM-DD, or -) | status. Headings `Nu`/`Now`,
`Nästa`/`Next`, `Senare`/`Later`. Anything else in the file is for people and is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.faq.loader import LoadProblem, read_knowledge_file

SECTIONS = {
    "nu": "nu",
    "now": "nu",
    "nästa": "nästa",
    "next": "nästa",
    "senare": "senare",
    "later": "senare",
}
DONE = {"klar", "klart", "done", "levererad", "delivered"}
_ITEM = re.compile(r"^\s*[-*]\s+(.*)$")


@dataclass(frozen=True)
class Item:
    title: str
    owner: str
    target: date | None
    status: str
    section: str
    line: int

    @property
    def done(self) -> bool:
        return self.status.lower() in DONE

    def as_dict(self) -> dict[str, str]:
        return {
            "section": self.section,
            "owner": self.owner,
            "target": self.target.isoformat() if self.target else "",
            "status": self.status,
        }


@dataclass
class Roadmap:
    items: list[Item] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)


def load_roadmap(path: Path) -> Roadmap:
    if not path.exists():
        return Roadmap()
    name = f"{path.parent.name}/{path.name}"
    text, unreadable = read_knowledge_file(path, name)
    if text is None:
        return Roadmap(problems=[unreadable])
    return parse_roadmap(text, name)


def parse_roadmap(text: str, file: str) -> Roadmap:
    roadmap = Roadmap()
    section: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("## "):
            section = SECTIONS.get(line[3:].strip().lower())
            if section is None:
                roadmap.problems.append(
                    LoadProblem(
                        file, number, "a section must be Nu, Nästa or Senare (Now, Next, Later)"
                    )
                )
            continue
        match = _ITEM.match(line)
        if not match or section is None:
            continue
        parts = [p.strip() for p in match.group(1).split("|")]
        if len(parts) != 4 or not parts[0]:
            roadmap.problems.append(
                LoadProblem(file, number, "an item is: title | owner | YYYY-MM-DD or - | status")
            )
            continue
        title, owner, target, status = parts
        try:
            when = None if target in ("", "-") else date.fromisoformat(target)
        except ValueError:
            roadmap.problems.append(
                LoadProblem(file, number, f"target {target!r} is not YYYY-MM-DD")
            )
            continue
        roadmap.items.append(Item(title, owner, when, status or "-", section, number))
    return roadmap
