"""The built-in Swedish-English lexicon of everyday business and ERP words.

It ships with the bot (`lexicon.yml` beside this file) so that a Swedish question finds an English
entry and back for any company's FAQ; a company's own `synonyms.yml` adds to it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.faq.loader import parse_synonyms

LEXICON = Path(__file__).resolve().parent / "lexicon.yml"


@cache
def lexicon() -> tuple[tuple[str, ...], ...]:
    groups, problems = parse_synonyms(LEXICON.read_text(encoding="utf-8"), str(LEXICON))
    if problems:
        raise RuntimeError(f"the built-in lexicon is broken: {problems[0]}")
    return tuple(groups)
