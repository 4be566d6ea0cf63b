"""Write an answered escalation into the knowledge base as a proper FAQ entry.

New entries go to `faq/<area>/fran-support.md` (created with front matter when missing), so the
superusers can review them in one place and move or polish them later.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from bot.faq.loader import parse_faq_file, question_key

FILE_NAME = "fran-support.md"
HEADER = """---
area: {area}
tags: [från-support]
---

# Från supporten

Svar som superanvändarna gav på frågor som FAQ:n inte kunde svara på. Flytta gärna en fråga
till rätt fil och skriv om den när den har visat sig användbar.
"""


class FaqWriteError(Exception):
    """The entry can't be written: the message says why (duplicate question, bad text)."""


def add_entry(
    root: Path,
    area: str,
    question: str,
    answer: str,
    *,
    owner: str | None = None,
    existing: Collection[str] = (),
) -> str:
    """Append an entry; returns its location (`faq/<area>/fran-support.md:LINE`)."""
    heading = " ".join(question.split()).rstrip()
    if not heading:
        raise FaqWriteError("the question is empty")
    if question_key(heading) in set(existing):
        raise FaqWriteError(f"the FAQ already has the question '{heading}'")
    body = "\n".join(
        re.sub(r"^(#{1,2})(\s)", r"###\2", line) for line in answer.strip().splitlines()
    )
    if not body.strip():
        raise FaqWriteError("the answer is empty")
    path = root / "faq" / area / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    before = path.read_text(encoding="utf-8") if path.exists() else HEADER.format(area=area)
    entry = f"\n## {heading}\n" + (f"Owner: {owner}\n" if owner else "") + f"\n{body}\n"
    after = before.rstrip("\n") + "\n" + entry
    line = after.count("\n", 0, after.index(f"\n## {heading}\n") + 1) + 1
    relative = f"{root.name}/faq/{area}/{FILE_NAME}"
    entries, problems = parse_faq_file(after, relative, (area,))
    if problems or not any(e.question == heading for e in entries):
        raise FaqWriteError(f"the entry would not parse: {problems[0] if problems else heading}")
    path.write_text(after, encoding="utf-8")
    return f"{relative}:{line}"
