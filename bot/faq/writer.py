"""Write what support learned into the knowledge base.

An answered escalation becomes a new entry in `faq/<area>/fran-support.md` (created with front
matter when missing), so the superusers can review them in one place and move or polish them
later. A question that a suggested entry solved becomes an `Also asked:` line of that entry, so
the bot recognises it next time.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection
from pathlib import Path

from bot.faq.loader import (
    EXTRA_LINE,
    display_path,
    knowledge_file,
    parse_faq_file,
    question_key,
)
from bot.faq.model import Entry

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
    relative = display_path(path, root)
    entries, problems = parse_faq_file(after, relative, (area,))
    if problems or not any(e.question == heading for e in entries):
        raise FaqWriteError(f"the entry would not parse: {problems[0] if problems else heading}")
    _replace(path, after)
    return f"{relative}:{line}"


def add_phrasing(root: Path, entry: Entry, phrasing: str) -> str:
    """Add a question as an `Also asked:` line of `entry`, after its other extras (or right
    under its heading); returns the entry's location. The rest of the file is kept byte for
    byte (line endings included), and the file is replaced in one step."""
    text = " ".join(phrasing.split()).replace("|", "/")
    if not text:
        raise FaqWriteError("the question is empty")
    known = {question_key(p) for p in (entry.question, *entry.also_asked)}
    if question_key(text) in known:
        raise FaqWriteError(f"'{entry.question}' already has that phrasing")
    path = knowledge_file(root, entry.file)
    try:
        before = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FaqWriteError(f"{entry.file} can't be read: {exc}") from exc
    # The loader numbers lines as str.splitlines() splits them; keepends lets them be put back.
    lines = before.splitlines(keepends=True)
    current, _ = parse_faq_file(before, entry.file, (entry.area,))
    heading = next((e.line - 1 for e in current if e.question == entry.question), None)
    if heading is None:
        raise FaqWriteError(f"'{entry.question}' is no longer in {entry.file}")
    below = heading + 1
    while below < len(lines) and not lines[below].strip():
        below += 1
    extras_end = below
    while extras_end < len(lines) and EXTRA_LINE.match(lines[extras_end].strip()):
        extras_end += 1
    at = extras_end if extras_end > below else heading + 1
    ending = lines[heading][len(lines[heading].rstrip("\r\n")) :] or "\n"
    if not lines[at - 1].endswith(("\n", "\r")):
        lines[at - 1] += ending  # the heading or extra was the file's last line
    lines.insert(at, f"Also asked: {text}{ending}")
    after = "".join(lines)
    entries, _ = parse_faq_file(after, entry.file, (entry.area,))
    if not any(e.question == entry.question and text in e.also_asked for e in entries):
        raise FaqWriteError(f"the phrasing would not parse under '{entry.question}'")
    _replace(path, after)
    return entry.location


def _replace(path: Path, text: str) -> None:
    """Write the file in one step: the bot reloading, or a crash, never sees half of it."""
    temporary = path.with_name(f".{path.name}.writing")
    temporary.write_bytes(text.encode("utf-8"))
    os.replace(temporary, path)
