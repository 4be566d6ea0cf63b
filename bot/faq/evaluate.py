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
    """Counts over a set of cases; an answerable case ends up right, answered wrong, or
    abstained (with the right or a wrong best guess)."""

    answerable: int = 0
    correct: int = 0
    ranked_first: int = 0
    wrong_answer: int = 0
    abstained_right_guess: int = 0
    abstained_wrong_guess: int = 0
    unanswerable: int = 0
    abstained: int = 0
    failures: list[dict] = field(default_factory=list)

    def add(self, expected: str | None, guess: str | None, answered: bool) -> None:
        """Count one verdict: the best guess (a heading or None) and whether it was answered."""
        if expected is None:
            self.unanswerable += 1
            self.abstained += not answered
            return
        self.answerable += 1
        right = guess == expected
        self.ranked_first += right
        if answered:
            self.correct += right
            self.wrong_answer += not right
        elif right:
            self.abstained_right_guess += 1
        else:
            self.abstained_wrong_guess += 1

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
            "wrong_answer": self.wrong_answer,
            "abstained_right_guess": self.abstained_right_guess,
            "abstained_wrong_guess": self.abstained_wrong_guess,
            "unanswerable": self.unanswerable,
            "abstained": self.abstained,
            "abstention_rate": round(self.abstention, 4),
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
        guess = match.entry.question if match.entry else None
        answered = match.answered and guess is not None
        result.add(case.expected, guess, answered)
        got = guess if answered else None
        if got != case.expected:
            result.failures.append(
                {
                    "line": case.line,
                    "question": case.question,
                    "expected": case.expected,
                    "got": got,
                    "best_guess": guess,
                    "confidence": match.confidence,
                }
            )
    return result
