"""Evaluate the matcher on a JSON Lines file of questions with their expected entries.

Each line: {"question": "...", "expected": "<the entry's ## heading>" or null}. `expected: null`
means the FAQ does not answer it and the bot should abstain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from bot.faq.matcher import Matcher


class CasesError(Exception):
    pass


@dataclass(frozen=True)
class Case:
    question: str
    expected: str | None
    line: int


@dataclass
class EvalResult:
    answerable: int = 0
    correct: int = 0
    ranked_first: int = 0
    unanswerable: int = 0
    abstained: int = 0
    declined_answerable: int = 0
    suggested_right: int = 0
    suggested_unanswerable: int = 0
    failures: list[dict] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.answerable if self.answerable else 0.0

    @property
    def ranking(self) -> float:
        """Best guess right, whether or not the bot was confident enough to answer."""
        return self.ranked_first / self.answerable if self.answerable else 0.0

    @property
    def abstention(self) -> float:
        return self.abstained / self.unanswerable if self.unanswerable else 0.0

    def as_dict(self) -> dict:
        return {
            "answerable": self.answerable,
            "top1_correct": self.correct,
            "top1_accuracy": round(self.accuracy, 4),
            "best_guess_correct": self.ranked_first,
            "best_guess_accuracy": round(self.ranking, 4),
            "unanswerable": self.unanswerable,
            "abstained": self.abstained,
            "abstention_rate": round(self.abstention, 4),
            "declined_answerable": self.declined_answerable,
            "suggested_right": self.suggested_right,
            "suggested_unanswerable": self.suggested_unanswerable,
        }


def read_cases(path: Path) -> list[Case]:
    cases = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CasesError(f"cannot read {path}: {exc.strerror}") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CasesError(f"{path}:{n}: not valid JSON: {exc.msg}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("question"), str):
            raise CasesError(f"{path}:{n}: expected an object with a 'question' string")
        expected = data.get("expected")
        if expected is not None and not isinstance(expected, str):
            raise CasesError(f"{path}:{n}: 'expected' must be a heading text or null")
        cases.append(Case(data["question"], expected, n))
    return cases


def evaluate(matcher: Matcher, cases: list[Case]) -> EvalResult:
    headings = {e.question for e in matcher.entries}
    unknown = [c for c in cases if c.expected is not None and c.expected not in headings]
    if unknown:
        c = unknown[0]
        raise CasesError(
            f"line {c.line}: expected entry {c.expected!r} is not in the knowledge base "
            f"({len(unknown)} such case(s))"
        )
    result = EvalResult()
    for case in cases:
        match = matcher.match(case.question)
        got = match.entry.question if match.answered and match.entry else None
        suggested = [e.question for e in match.suggestions]
        if case.expected is None:
            result.unanswerable += 1
            result.abstained += got is None
            result.suggested_unanswerable += bool(suggested)
        else:
            result.answerable += 1
            result.correct += got == case.expected
            result.ranked_first += match.entry is not None and match.entry.question == case.expected
            result.declined_answerable += not match.answered
            result.suggested_right += case.expected in suggested
        if got != case.expected:
            result.failures.append(
                {
                    "line": case.line,
                    "question": case.question,
                    "expected": case.expected,
                    "got": got,
                    "best_guess": match.entry.question if match.entry else None,
                    "confidence": match.confidence,
                }
            )
    return result
