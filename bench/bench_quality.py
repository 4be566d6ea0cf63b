"""Compare firstline's matcher with a plain BM25 baseline on the real sample knowledge.

    python bench/bench_quality.py

Both systems answer the questions of the tuning set (tests/eval/cases*.jsonl, the files the
confidence calibration is fitted on) and of each held-out set (bench/heldout*.jsonl, never used
for tuning) from knowledge/. Reported per set, and for the
held-out sets together, side by side:

- top-1 accuracy on answerable questions: answered, with the expected entry;
- correct abstention on unanswerable questions (`expected: null`): did not answer;
- ranking top-1: the best guess is the expected entry, whether or not it was answered;

and, for the held-out sets together, the same per question `style`, plus where firstline goes
wrong. The targets must hold on each held-out set.

The baseline is rank-bm25's `BM25Okapi` over each entry's heading + `Also asked` + answer,
tokenised by a lower-case split on whitespace and punctuation (no stemming, no synonyms). It
abstains when its top score is below a threshold chosen on the tuning set to maximise
(accuracy + abstention) / 2, then applied unchanged to the held-out set.

Only aggregates are printed and written (bench/results/quality-*.json), never the questions.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchutil import describe, machine, revision, run_at, source_root, split_at
from rank_bm25 import BM25Okapi

from bot.faq.knowledge import Knowledge
from bot.faq.loader import DEFAULT_AREAS
from bot.faq.model import Entry

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TARGET_TOP1 = 0.90
TARGET_ABSTENTION = 0.90
_SPLIT = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Case:
    question: str
    expected: str | None
    style: str


@dataclass(frozen=True)
class Prediction:
    """A system's verdict: its best guess (heading or None) and whether it answers with it."""

    guess: str | None
    answered: bool


@dataclass
class Score:
    """Counts for one system on one group of cases.

    Not `bot.faq.evaluate.EvalResult`: with `--at` the measured commit's `bot` is imported, and
    this script must count the same way whatever that commit's version of it looks like."""

    answerable: int = 0
    correct: int = 0
    ranked: int = 0
    wrong_answer: int = 0
    abstained_right_guess: int = 0
    abstained_wrong_guess: int = 0
    unanswerable: int = 0
    abstained: int = 0

    def add(self, case: Case, pred: Prediction) -> None:
        if case.expected is None:
            self.unanswerable += 1
            self.abstained += not pred.answered
            return
        self.answerable += 1
        right = pred.guess == case.expected
        self.ranked += right
        if pred.answered:
            self.correct += right
            self.wrong_answer += not right
        elif right:
            self.abstained_right_guess += 1
        else:
            self.abstained_wrong_guess += 1

    @property
    def accuracy(self) -> float:
        return self.correct / self.answerable if self.answerable else math.nan

    @property
    def abstention(self) -> float:
        return self.abstained / self.unanswerable if self.unanswerable else math.nan

    @property
    def ranking(self) -> float:
        return self.ranked / self.answerable if self.answerable else math.nan

    @property
    def balanced(self) -> float:
        return (self.accuracy + self.abstention) / 2

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.__dict__,
            "top1_accuracy": _round(self.accuracy),
            "abstention": _round(self.abstention),
            "ranking_top1": _round(self.ranking),
            "balanced": _round(self.balanced),
        }


def _round(x: float) -> float | None:
    return None if math.isnan(x) else round(x, 4)


def read_cases(path: Path, headings: set[str]) -> list[Case]:
    """The cases of a JSON Lines file, with their style; every expected heading must exist."""
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        data = json.loads(line)
        expected = data.get("expected")
        if expected is not None and expected not in headings:
            raise SystemExit(f"{path}:{n}: expected entry is not in the knowledge base")
        cases.append(Case(data["question"], expected, data.get("style") or "unknown"))
    return cases


def bm25_tokens(text: str) -> list[str]:
    """Lower-case split on whitespace and punctuation; no stemming, no folding, no stopwords."""
    return [t for t in _SPLIT.split(text.lower()) if t]


class Bm25Baseline:
    """BM25Okapi over heading + Also asked + answer of each entry, abstaining below a threshold."""

    def __init__(self, entries: Sequence[Entry], threshold: float = 0.0) -> None:
        self.entries = list(entries)
        docs = [" ".join((e.question, *e.also_asked, e.answer)) for e in self.entries]
        self.index = BM25Okapi([bm25_tokens(d) for d in docs])
        self.threshold = threshold

    def top(self, question: str) -> tuple[str | None, float]:
        """(best heading or None when no word matches, its score)."""
        scores = self.index.get_scores(bm25_tokens(question))
        best = max(range(len(scores)), key=lambda i: (scores[i], -i))
        score = float(scores[best])
        return (self.entries[best].question if score > 0 else None), score

    def predict(self, question: str) -> Prediction:
        guess, score = self.top(question)
        return Prediction(guess, guess is not None and score >= self.threshold)

    def fit_threshold(self, cases: Sequence[Case]) -> dict[str, Any]:
        """Choose the threshold maximising (accuracy + abstention) / 2 on `cases`.

        Candidates are the cases' own top scores (answer iff score >= candidate) and +inf (never
        answer); ties go to the lowest candidate. The threshold is then put halfway between it
        and the next lower top score, which makes the same decisions on `cases`."""
        tops = [self.top(c.question) for c in cases]
        candidates = [*sorted({s for _, s in tops if s > 0}), math.inf]
        best_t, best_value = math.inf, -1.0
        for t in candidates:
            score = Score()
            for case, (guess, s) in zip(cases, tops, strict=True):
                score.add(case, Prediction(guess, guess is not None and s >= t))
            if score.balanced > best_value:
                best_t, best_value = t, score.balanced
        lower = [s for _, s in tops if 0 < s < best_t]
        self.threshold = (best_t + max(lower)) / 2 if lower and best_t < math.inf else best_t
        return {"threshold": self.threshold, "tuning_balanced": round(best_value, 4)}


def firstline_predictor(knowledge: Knowledge) -> Callable[[str], Prediction]:
    def predict(question: str) -> Prediction:
        match = knowledge.match(question)
        guess = match.entry.question if match.entry else None
        return Prediction(guess, match.answered and guess is not None)

    return predict


def score_cases(
    cases: Sequence[Case], predict: Callable[[str], Prediction]
) -> tuple[Score, dict[str, Score]]:
    """Overall and per-style scores."""
    overall = Score()
    by_style: dict[str, Score] = {}
    for case in cases:
        pred = predict(case.question)
        overall.add(case, pred)
        by_style.setdefault(case.style, Score()).add(case, pred)
    return overall, dict(sorted(by_style.items()))


def pct(x: float, num: int | None = None, den: int | None = None) -> str:
    if math.isnan(x):
        return "-"
    return f"{100 * x:5.1f}% ({num}/{den})" if num is not None else f"{100 * x:5.1f}%"


def print_overall(results: dict[str, dict[str, Score]], sizes: dict[str, int]) -> None:
    """One row per question set; top-1 on answerable, abstention on unanswerable, ranking."""
    columns: list[tuple[str, Callable[[Score], str]]] = [
        ("top-1", lambda s: pct(s.accuracy, s.correct, s.answerable)),
        ("abstention", lambda s: pct(s.abstention, s.abstained, s.unanswerable)),
        ("ranking", lambda s: pct(s.ranking, s.ranked, s.answerable)),
    ]
    width = max(len(f"{name} (n={n})") for name, n in sizes.items()) + 2
    for system in ("firstline", "bm25"):
        print(f"{system:<{width}}" + "".join(f"{label:<18}" for label, _ in columns))
        for name, by_system in results.items():
            cells = "".join(f"{cell(by_system[system]):<18}" for _, cell in columns)
            print(f"{f'{name} (n={sizes[name]})':<{width}}{cells}")
        print()


def print_styles(fl: dict[str, Score], bm: dict[str, Score]) -> None:
    print(
        f"{'style':<11}{'ans':>4}{'unans':>6}   "
        f"{'firstline top-1':<17}{'abstain':<9}{'ranking':<9}  "
        f"{'BM25 top-1':<12}{'abstain':<9}{'ranking':<9}"
    )
    for style, s in fl.items():
        b = bm[style]
        print(
            f"{style:<11}{s.answerable:>4}{s.unanswerable:>6}   "
            f"{pct(s.accuracy):<17}{pct(s.abstention):<9}{pct(s.ranking):<9}  "
            f"{pct(b.accuracy):<12}{pct(b.abstention):<9}{pct(b.ranking):<9}"
        )


def print_failures(fl: dict[str, Score]) -> None:
    print(
        f"{'style':<11}{'ans':>4}{'wrong entry':>13}{'abstained, guess right':>24}"
        f"{'abstained, guess wrong':>24}{'unans':>7}{'answered anyway':>17}"
    )
    for style, s in fl.items():
        print(
            f"{style:<11}{s.answerable:>4}{s.wrong_answer:>13}{s.abstained_right_guess:>24}"
            f"{s.abstained_wrong_guess:>24}{s.unanswerable:>7}{s.unanswerable - s.abstained:>17}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    commit, rest = split_at(argv)
    if commit:
        return run_at(commit, Path(__file__).resolve(), rest)
    source = source_root()
    parser = argparse.ArgumentParser(description="firstline vs BM25 on the sample knowledge.")
    parser.add_argument("--at", metavar="COMMIT", help="measure this commit (git archive)")
    parser.add_argument("--knowledge", type=Path, default=source / "knowledge")
    parser.add_argument(
        "--tuning",
        type=Path,
        nargs="+",
        default=sorted((source / "tests" / "eval").glob("cases*.jsonl")),
        help="tuning set files (default tests/eval/cases*.jsonl, what the calibration is "
        "fitted on); the BM25 threshold is fitted on them",
    )
    parser.add_argument(
        "--heldout",
        type=Path,
        nargs="+",
        default=sorted((source / "bench").glob("heldout*.jsonl")),
        help="held-out set files (default bench/heldout*.jsonl)",
    )
    args = parser.parse_args(rest)

    knowledge = Knowledge.load(args.knowledge, DEFAULT_AREAS)
    entries = knowledge.base.entries
    headings = {e.question for e in entries}
    heldout = {f"held-out {path.name}": read_cases(path, headings) for path in args.heldout}
    sets = {
        "tuning": [c for path in args.tuning for c in read_cases(path, headings)],
        **heldout,
        "held-out, all": [c for cases in heldout.values() for c in cases],
    }
    baseline = Bm25Baseline(entries)
    fit = baseline.fit_threshold(sets["tuning"])
    firstline = firstline_predictor(knowledge)

    results: dict[str, dict[str, Score]] = {}
    styles: dict[str, dict[str, dict[str, Score]]] = {}
    for name, cases in sets.items():
        fl, fl_styles = score_cases(cases, firstline)
        bm, bm_styles = score_cases(cases, baseline.predict)
        results[name] = {"firstline": fl, "bm25": bm}
        styles[name] = {"firstline": fl_styles, "bm25": bm_styles}

    rev = revision()
    print(
        f"quality benchmark at {describe(rev)}\n"
        f"tuning set: {', '.join(p.name for p in args.tuning)}; "
        f"held-out: {', '.join(p.name for p in args.heldout)}\n"
        f"knowledge: {len(entries)} entries; firstline threshold {knowledge.matcher.threshold}; "
        f"BM25 threshold {fit['threshold']:.4f} (fitted on the tuning set, "
        f"(acc + abst) / 2 = {fit['tuning_balanced']:.4f} there)\n"
    )
    print_overall(results, {name: len(cases) for name, cases in sets.items()})
    print("\nheld-out sets by style (ans = answerable, unans = unanswerable)")
    print_styles(styles["held-out, all"]["firstline"], styles["held-out, all"]["bm25"])
    print("\nfirstline on the held-out sets: where it goes wrong, by style")
    print_failures(styles["held-out, all"]["firstline"])

    targets = []
    for name in heldout:
        held = results[name]["firstline"]
        targets += [
            (f"{name} top-1 >= 90%", held.accuracy, held.accuracy >= TARGET_TOP1),
            (
                f"{name} abstention >= 90%",
                held.abstention,
                held.abstention >= TARGET_ABSTENTION,
            ),
        ]
    print("\ntargets")
    for name, value, passed in targets:
        print(f"  {'PASS' if passed else 'FAIL':<5} {name:<45} measured {pct(value)}")

    out = {
        "benchmark": "quality",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "revision": rev,
        "tuning_files": [p.name for p in args.tuning],
        "heldout_files": [p.name for p in args.heldout],
        "knowledge_entries": len(entries),
        "firstline_threshold": knowledge.matcher.threshold,
        "bm25": fit,
        "results": {
            name: {system: score.as_dict() for system, score in by_system.items()}
            for name, by_system in results.items()
        },
        "by_style": {
            name: {
                system: {style: score.as_dict() for style, score in per_style.items()}
                for system, per_style in by_system.items()
            }
            for name, by_system in styles.items()
        },
        "targets": [{"target": n, "measured": round(v, 4), "pass": p} for n, v, p in targets],
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"quality-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {path.relative_to(ROOT)}")
    return 0 if all(p for _, _, p in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
