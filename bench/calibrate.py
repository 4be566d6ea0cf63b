"""Fit the matcher's confidence calibration on the tuning sets (never on the held-out sets).

    python bench/calibrate.py tests/eval/cases*.jsonl

Fits a logistic regression from the matcher's features to "the best guess is the right answer",
prints the coefficients to paste into `bot/faq/matcher.py` (CALIBRATION), the resulting figures on
the same cases, and a k-fold cross-validated estimate of how the fit does on questions it has not
seen.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.faq.evaluate import read_cases
from bot.faq.lexicon import lexicon
from bot.faq.loader import load_knowledge
from bot.faq.matcher import DEFAULT_THRESHOLD, FEATURES, Matcher

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Row:
    features: list[float]
    answerable: bool
    best_guess_right: bool


def fit(rows: list[Row], l2: float, steps: int = 3000) -> list[float]:
    """Plain gradient descent on the L2-regularised log loss; the data is tiny."""
    weights = [0.0] * (len(FEATURES) + 1)
    for _ in range(steps):
        grad = [0.0] * len(weights)
        for row in rows:
            error = probability(weights, row.features) - row.best_guess_right
            grad[0] += error
            for i, value in enumerate(row.features, 1):
                grad[i] += error * value
        for i in range(len(weights)):
            penalty = l2 * weights[i] if i else 0.0
            weights[i] -= 0.5 * (grad[i] / len(rows) + penalty)
    return weights


def probability(weights: list[float], features: list[float]) -> float:
    z = weights[0] + sum(w * v for w, v in zip(weights[1:], features, strict=True))
    return 1 / (1 + math.exp(-z))


def score(weights: list[float], rows: list[Row]) -> tuple[float, float]:
    """(top-1 accuracy on answerable, correct abstention on unanswerable)."""
    answered = [probability(weights, r.features) >= DEFAULT_THRESHOLD for r in rows]
    right = sum(
        a and r.best_guess_right for a, r in zip(answered, rows, strict=True) if r.answerable
    )
    declined = sum(not a for a, r in zip(answered, rows, strict=True) if not r.answerable)
    answerable = sum(r.answerable for r in rows) or 1
    return right / answerable, declined / ((len(rows) - answerable) or 1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("cases", type=Path, nargs="+")
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--l2", type=float, default=0.01, help="regularisation strength")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds")
    args = parser.parse_args()
    kb = load_knowledge(args.knowledge)
    matcher = Matcher(kb.entries, [*lexicon(), *kb.synonyms])
    rows = []
    for case in (case for path in args.cases for case in read_cases(path)):
        match = matcher.match(case.question)
        features = [match.features.get(name, 0.0) for name in FEATURES]
        right = match.entry is not None and match.entry.question == case.expected
        rows.append(Row(features, case.expected is not None, right))
    weights = fit(rows, args.l2)
    print("CALIBRATION = (" + ", ".join(f"{w:.3f}" for w in weights) + ")")
    accuracy, abstention = score(weights, rows)
    print(f"on the tuning cases: top-1 {accuracy:.1%}, abstention {abstention:.1%}")
    folds = [rows[i :: args.folds] for i in range(args.folds)]
    results = [
        score(fit([r for j, f in enumerate(folds) if j != i for r in f], args.l2), fold)
        for i, fold in enumerate(folds)
    ]
    accuracy = sum(r[0] for r in results) / len(results)
    abstention = sum(r[1] for r in results) / len(results)
    print(f"{args.folds}-fold cross-validated: top-1 {accuracy:.1%}, abstention {abstention:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
