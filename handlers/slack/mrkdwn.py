"""Slack's mrkdwn: escaping user text and converting FAQ markdown."""

from __future__ import annotations

import re

from bot.faq.markdown import unwrap
from bot.support.actions import without_controls
from handlers.results import shorten

_CODE = re.compile(r"(```.*?```|`[^`\n]+`)", re.DOTALL)
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+|mailto:[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![*\w])")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$", re.MULTILINE)
_BULLET = re.compile(r"^(\s*)[-*+]\s+", re.MULTILINE)


def escape(text: str) -> str:
    """Make user text inert: `<!channel>`, `<@U123>` and links become plain characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quote(text: str, limit: int = 300) -> str:
    """User text as a Slack block quote, escaped and shortened."""
    return "\n".join("> " + escape(line) for line in shorten(text, limit).splitlines() or [""])


def to_mrkdwn(markdown: str) -> str:
    """Convert the FAQ's markdown (or an answer a superuser or the vendor wrote) to Slack
    mrkdwn. Code spans are escaped too (Slack asks for `&`, `<` and `>` to be escaped in all
    text and shows `&lt;` in code as `<`), so no part of an answer can carry a mention."""
    parts = _CODE.split(unwrap(markdown))
    return "".join(escape(part) if i % 2 else _convert(part) for i, part in enumerate(parts))


def _convert(text: str) -> str:
    links: list[str] = []

    def keep_link(m: re.Match[str]) -> str:
        links.append(f"<{m.group(2)}|{escape(m.group(1))}>")
        return f"\x00{len(links) - 1}\x00"

    text = escape(_LINK.sub(keep_link, text))
    text = _BULLET.sub(lambda m: f"{m.group(1)}• ", text)
    text = _ITALIC.sub(r"_\1_", text)
    text = _BOLD.sub(lambda m: f"*{m.group(1) or m.group(2)}*", text)
    text = _HEADING.sub(lambda m: f"*{m.group(1)}*", text)
    return re.sub("\x00(\\d+)\x00", lambda m: links[int(m.group(1))], text)


def split_sections(text: str, limit: int = 2900) -> list[str]:
    """Split long mrkdwn at paragraph or line breaks into chunks under Slack's 3,000 limit."""
    chunks: list[str] = []
    current = ""
    for paragraph in text.split("\n"):
        candidate = f"{current}\n{paragraph}" if current else paragraph
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        while len(paragraph) > limit:
            chunks.append(paragraph[:limit])
            paragraph = paragraph[limit:]
        current = paragraph
    if current:
        chunks.append(current)
    return chunks or [""]


_SLACK_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]+))?>")
_SLACK_MENTION = re.compile(r"<([@#!])([^>|]*)(?:\|([^>]*))?>")


def plain_text(text: str) -> str:
    """A Slack message as the plain text of a question for the core: a link as its label (or
    its address), a date as its text, `&lt;` `&gt;` `&amp;` as typed; mentions of people,
    groups and channels, and @here/@channel, are left out (who is asked, not what); control
    characters too."""
    text = _SLACK_LINK.sub(lambda m: m.group(2) or m.group(1), without_controls(text))
    text = _SLACK_MENTION.sub(_plain_mention, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _plain_mention(m: re.Match[str]) -> str:
    kind, target, label = m.group(1), m.group(2), m.group(3)
    return (label or "") if kind == "!" and target.startswith("date^") else " "


def from_mrkdwn(text: str) -> str:
    """What someone wrote in Slack, as the markdown the core keeps (and the FAQ is written in),
    without control characters."""
    text = _SLACK_LINK.sub(
        lambda m: f"[{m.group(2)}]({m.group(1)})" if m.group(2) else m.group(1),
        without_controls(text),
    )
    text = _SLACK_MENTION.sub(lambda m: m.group(3) or f"{m.group(1)}{m.group(2)}", text)
    text = re.sub(r"(?<![*\w])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![*\w])", r"**\1**", text)
    text = re.sub(r"(?<![_\w])_(?!\s)([^_\n]+?)(?<!\s)_(?![_\w])", r"*\1*", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
