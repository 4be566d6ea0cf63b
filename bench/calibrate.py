"""Fit the matcher's confidence calibration on the tuning set (never on the held-out set).

    python bench/calibrate.py tests/eval/cases.jsonl

Fits a logistic regression from the matcher's features to "the best guess is the right answer",
prints the coefficients to paste into `bot/faq/matcher.py` (CALIBRATION), and the resulting
accuracy and abstention at the default threshold on the same cases.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from bot.faq.evaluate import evaluate, read_cases
from bot.faq.lexicon import lexicon
from bot.faq.loader import load_knowledge
from bot.faq.matcher import FEATURES, Matcher

ROOT = Path(__file__).resolve().parent.parent


def fit(
    rows: list[list[float]], labels: list[int], l2: float = 0.05, steps: int = 3000
) -> list[float]:
    """Plain gradient descent on the L2-regularised log loss; the data is tiny."""
    weights = [0.0] * (len(rows[0]) + 1)
    rate = 0.5
    for _ in range(steps):
        grad = [0.0] * len(weights)
        for x, y in zip(rows, labels, strict=True):
            z = weights[0] + sum(w * v for w, v in zip(weights[1:], x, strict=True))
            p = 1 / (1 + math.exp(-z))
            grad[0] += p - y
            for i, v in enumerate(x, 1):
                grad[i] += (p - y) * v
        for i in range(len(weights)):
            penalty = l2 * weights[i] if i else 0.0
            weights[i] -= rate * (grad[i] / len(rows) + penalty)
    return weights


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("cases", type=Path)
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--l2", type=float, default=0.01, help="regularisation strength")
    args = parser.parse_args()
    kb = load_knowledge(args.knowledge)
    synonyms = [*lexicon(), *kb.synonyms]
    matcher = Matcher(kb.entries, synonyms)
    cases = read_cases(args.cases)
    rows, labels = [], []
    for case in cases:
        match = matcher.match(case.question)
        if match.entry is None:
            continue
        rows.append([match.features[name] for name in FEATURES])
        labels.append(int(case.expected is not None and match.entry.question == case.expected))
    weights = fit(rows, labels, l2=args.l2)
    print("CALIBRATION = (" + ", ".join(f"{w:.3f}" for w in weights) + ")")
    calibrated = Matcher(kb.entries, synonyms, calibration=weights)
    result = evaluate(calibrated, cases)
    print(result.as_dict())
    return 0


if __name__ == "__main__":
    sys.exit(main())
