"""The loader's fast paths (for large FAQs) give what the regular expressions they replace gave."""

from __future__ import annotations

import random
import re

from bot.faq.loader import EXTRA_LINE, _extra_line, question_key

ODD = ["", " ", "?", "a?b", "  Hur gör jag?!  ", "x.:y", "\u00a0Ändra\u2028datum\x1c?", "ÅÄÖ ß İ"]


def old_question_key(question: str) -> str:
    return re.sub(r"[\s?!.:]+", " ", question.casefold()).strip()


def test_question_key_is_the_regular_expression_s() -> None:
    # \s is exactly what str.split() splits at
    assert all(bool(re.match(r"\s", chr(c))) == chr(c).isspace() for c in range(0x110000))
    rng = random.Random(11)
    alphabet = "aZåÖ?!.:;- \t\n\u00a0\u2003\u2028\x1c\x85İß"
    texts = ODD + ["".join(rng.choice(alphabet) for _ in range(12)) for _ in range(3000)]
    for text in texts:
        assert question_key(text) == old_question_key(text), repr(text)


def test_extra_lines_are_those_the_regular_expression_finds() -> None:
    lines = [
        "Also asked: a | b",
        "  tags: x, y",
        "OWNER: Lisa",
        "also asked:",
        "Also  asked : x",
        "1. Öppna",
        "",
        "Tagg: x",
        "- Owner: no",
        "ALSO ASKED: x",
    ]
    for line in lines:
        expected = EXTRA_LINE.match(line.strip())
        got = _extra_line(line)
        assert (got and got.groups()) == (expected and expected.groups()), line
    # no other first letter can start a match, whatever the case folding
    firsts = {
        chr(c)
        for c in range(0x110000)
        for rest in ("lso asked:", "ags:", "wner:")
        if EXTRA_LINE.match(chr(c) + rest)
    }
    assert firsts <= set("aAtToO")
