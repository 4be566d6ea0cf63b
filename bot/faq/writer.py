"""Write what support learned into the knowledge base.

An answered escalation becomes a new entry in `faq/<area>/fran-support.md` (created with front
matter when missing), so the superusers can review them in one place and move or polish them
later. A question that a suggested entry solved becomes an `Also asked:` line of that entry, so
the bot recognises it next time.

Nothing is written outside the knowledge folder's `faq/`: an area key must be a plain folder
name, and every file written must resolve (symbolic links followed) to a `.md` file inside it.
Control characters are left out of what is written, and a heading is at most `MAX_HEADING`
characters, so Slack can show it.
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
MAX_HEADING = 500  # characters: an entry's heading is shown whole, bold, in one Slack section
MAX_AREA_KEY = 100
# Control characters, but tab and line breaks (PostgreSQL refuses NUL; terminals act on escapes).
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
HEADER = """---
area: {area}
tags: [från-support]
---

# Från supporten

Svar som superanvändarna gav på frågor som FAQ:n inte kunde svara på. Flytta gärna en fråga
till rätt fil och skriv om den när den har visat sig användbar.
"""


class FaqWriteError(Exception):
    """The entry can't be written. The message says why in English, for the log; `code` and
    `values` let a channel say it in the superuser's words (`texts.REFUSED["faq_<code>"]`)."""

    def __init__(self, code: str, message: str, **values: str) -> None:
        super().__init__(message)
        self.code = code
        self.values = values


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
    heading = " ".join(_CONTROLS.sub("", question).split()).rstrip()
    if not heading:
        raise FaqWriteError("empty_question", "the question is empty")
    if len(heading) > MAX_HEADING:
        raise FaqWriteError(
            "too_long",
            f"the question is too long for a heading ({len(heading)} characters, "
            f"at most {MAX_HEADING}): shorten it in the file by hand",
            length=str(len(heading)),
            limit=str(MAX_HEADING),
        )
    if question_key(heading) in set(existing):
        raise FaqWriteError(
            "has_question", f"the FAQ already has the question '{heading}'", question=heading
        )
    body = "\n".join(
        re.sub(r"^(#{1,2})(\s)", r"###\2", line)
        for line in _CONTROLS.sub("", answer).strip().splitlines()
    )
    if not body.strip():
        raise FaqWriteError("empty_answer", "the answer is empty")
    _check_area_key(area)
    path = _inside_faq(root, root / "faq" / area / FILE_NAME)
    try:
        before = path.read_text(encoding="utf-8") if path.exists() else HEADER.format(area=area)
    except (OSError, UnicodeDecodeError) as exc:
        raise FaqWriteError(
            "unreadable",
            f"faq/{area}/{FILE_NAME} can't be read: {_reason(exc)}",
            file=f"faq/{area}/{FILE_NAME}",
        ) from exc
    entry = f"\n## {heading}\n" + (f"Owner: {owner}\n" if owner else "") + f"\n{body}\n"
    after = before.rstrip("\n") + "\n" + entry
    line = after.count("\n", 0, after.index(f"\n## {heading}\n") + 1) + 1
    relative = display_path(path, root)
    entries, problems = parse_faq_file(after, relative, (area,))
    if problems or not any(e.question == heading for e in entries):
        raise FaqWriteError(
            "unparsable", f"the entry would not parse: {problems[0] if problems else heading}"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FaqWriteError(
            "unwritable", f"faq/{area} can't be made: {_reason(exc)}", file=f"faq/{area}"
        ) from exc
    _replace(_inside_faq(root, path), after)  # checked again: the folder may be a link by now
    return f"{relative}:{line}"


def add_phrasing(root: Path, entry: Entry, phrasing: str) -> str:
    """Add a question as an `Also asked:` line of `entry`, after its other extras (or right
    under its heading); returns the entry's location. The rest of the file is kept byte for
    byte (line endings included), and the file is replaced in one step."""
    text = " ".join(_CONTROLS.sub("", phrasing).split()).replace("|", "/")
    if not text:
        raise FaqWriteError("empty_question", "the question is empty")
    known = {question_key(p) for p in (entry.question, *entry.also_asked)}
    if question_key(text) in known:
        raise FaqWriteError(
            "has_phrasing",
            f"'{entry.question}' already has that phrasing",
            entry=entry.question,
        )
    path = _inside_faq(root, knowledge_file(root, entry.file))
    try:
        before = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FaqWriteError(
            "unreadable", f"{entry.file} can't be read: {_reason(exc)}", file=entry.file
        ) from exc
    # The loader numbers lines as str.splitlines() splits them; keepends lets them be put back.
    lines = before.splitlines(keepends=True)
    current, _ = parse_faq_file(before, entry.file, (entry.area,))
    heading = next((e.line - 1 for e in current if e.question == entry.question), None)
    if heading is None:
        raise FaqWriteError(
            "entry_gone", f"'{entry.question}' is no longer in {entry.file}", entry=entry.question
        )
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
        raise FaqWriteError("unparsable", f"the phrasing would not parse under '{entry.question}'")
    _replace(path, after)
    return entry.location


def _check_area_key(area: str) -> None:
    """An area key names one folder under `faq/`: no separators, no `..`, nothing hidden."""
    if (
        not area
        or len(area) > MAX_AREA_KEY
        or area.startswith(".")
        or any(c in area for c in "/\\:")
        or not area.isprintable()
        or area != area.strip()
    ):
        raise FaqWriteError(
            "bad_area",
            f"the area key {area[:MAX_AREA_KEY]!r} can't be a folder name",
            area=area[:MAX_AREA_KEY],
        )


def _inside_faq(root: Path, path: Path) -> Path:
    """`path` when it is a `.md` file inside the knowledge folder's `faq/` (links followed)."""
    try:
        faq = (root / "faq").resolve()
        resolved = path.resolve()
    except (OSError, RuntimeError, ValueError) as exc:  # a link loop, a NUL byte
        raise FaqWriteError(
            "outside", f"{str(path)[:200]!r} is not a file of the FAQ: {exc}"
        ) from exc
    if not resolved.is_relative_to(faq) or resolved == faq or resolved.suffix != ".md":
        shown = display_path(path, root)[:200]
        raise FaqWriteError("outside", f"{shown!r} is not a file in the knowledge folder's faq/")
    return path


def _reason(exc: BaseException) -> str:
    """Why reading or writing failed, without the server's absolute paths."""
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__


def _replace(path: Path, text: str) -> None:
    """Write the file in one step: the bot reloading, or a crash, never sees half of it."""
    temporary = path.with_name(f".{path.name}.writing")
    try:
        temporary.write_bytes(text.encode("utf-8"))
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise FaqWriteError(
            "unwritable", f"{path.name} can't be written: {_reason(exc)}", file=path.name
        ) from exc
