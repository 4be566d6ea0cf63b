"""Markdown helpers shared by every channel: undo soft wrapping, and plain text for terminals."""

from __future__ import annotations

import re

_BLOCK_START = re.compile(r"^(?:[-*+]\s|\d+[.)]\s|#|>|\||```|~~~)")
_FENCE = re.compile(r"^\s*(```|~~~)")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def unwrap(markdown: str) -> str:
    """Join lines that an editor wrapped inside a paragraph or list item, as markdown renders
    them; chat clients would otherwise break the sentence where the file did."""
    lines: list[str] = []
    in_fence = False
    for line in markdown.splitlines():
        stripped = line.strip()
        fence = bool(_FENCE.match(line))
        joinable = (
            lines
            and not in_fence
            and not fence
            and stripped
            and lines[-1].strip()
            and not _FENCE.match(lines[-1])
            and not _BLOCK_START.match(stripped)
            and not lines[-1].rstrip().endswith("  ")
        )
        if joinable:
            lines[-1] = f"{lines[-1].rstrip()} {stripped}"
        else:
            lines.append(line)
        if fence:
            in_fence = not in_fence
    return "\n".join(lines)


def plain(markdown: str) -> str:
    """Markdown made readable in a terminal."""
    text = _BOLD.sub(lambda m: m.group(1) or m.group(2), unwrap(markdown))
    return _LINK.sub(r"\1 (\2)", text)
