"""Answer quality on every knowledge base, plain and with phrasings, leave-one-knowledge-base-out.

    python bench/bench_quality.py [--at COMMIT] [--semantic]

The knowledge bases are those of bench/kbs.py: the sample company (knowledge/) and each blind-
written company under bench/kbs/. Each is measured on questions nobody tuned on (the sample's
bench/heldout*.jsonl, the others' questions.jsonl), in two variants:

- plain: every `Also asked` line and the synonyms file taken away, the FAQ a company writes on its
  first day (for the bench/kbs/ companies that is how they were written);
- phrased: with its phrasings (the sample's `Also asked` lines; a company's phrasings.json).

and with the confidence calibration fitted **without the knowledge base measured** (leave one
knowledge base out, bench/calibrate.py): that is the figure a company installing firstline on its
own FAQ can expect. The sample is also measured with the shipped calibration (fitted on every
knowledge base's fitting questions, never on the sample's held-out sets).

Per row, at the default threshold:
- answered correctly: answered, with the expected entry (share of answerable questions);
- abstention: did not answer an unanswerable question (`expected: null`);
- best guess: the best guess is the expected entry, answered or not;
- answered wrong: answered with another entry (share of answerable questions);
- right or offered: answered correctly, or the expected entry is among the similar questions
  offered when the bot declines (share of answerable questions);
- BM25 best guess: rank-bm25's BM25Okapi over heading + Also asked + answer, for reference.

With --semantic the matcher uses the semantic signal (bot/faq/semantic.py; needs the semantic
extra), with a calibration fitted the same way, leave one knowledge base out.

Only aggregates are printed and written (bench/results/quality-*.json), never the questions.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchutil import describe, machine, revision, run_at, source_root, split_at
from calibrate import fit, fitting_rows, matcher_for, shipped, use_semantic
from kbs import Case, KnowledgeSet, discover
from rank_bm25 import BM25Okapi

from bot.faq.knowledge import Knowledge
from bot.faq.loader import KnowledgeBase
from bot.faq.matcher import Match, Matcher

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TARGETS = (
    ("answered correctly", "accuracy", ">=", 0.85),
    ("abstention", "abstention", ">=", 0.90),
    ("best guess", "ranking", ">=", 0.92),
    ("answered wrong", "wrong_rate", "<=", 0.03),
    ("right or offered", "offered_rate", ">=", 0.96),
)
_SPLIT = re.compile(r"[\W_]+")


@dataclass
class Score:
    """Counts for one group of questions.

    Not `bot.faq.evaluate.EvalResult`: with `--at` the measured commit's `bot` is imported, and
    this script must count the same way whatever that commit's version of it looks like."""

    answerable: int = 0
    correct: int = 0
    ranked: int = 0
    wrong_answer: int = 0
    offered: int = 0
    bm25_ranked: int = 0
    unanswerable: int = 0
    abstained: int = 0

    def add(self, case: Case, matcher: Matcher, bm25: Bm25 | None = None) -> Match:
        """Count the matcher's verdict on one case (and BM25's best guess, if given)."""
        match = matcher.match(case.question)
        if case.expected is None:
            self.unanswerable += 1
            self.abstained += not match.answered
            return match
        self.answerable += 1
        right = match.entry is not None and match.entry.question == case.expected
        self.ranked += right
        if bm25 is not None:
            self.bm25_ranked += bm25.top(case.question) == case.expected
        if match.answered:
            self.correct += right
            self.wrong_answer += not right
            self.offered += right
        else:
            self.offered += case.expected in {e.question for e in match.suggestions}
        return match

    def merge(self, other: Score) -> Score:
        return Score(**{k: getattr(self, k) + getattr(other, k) for k in self.__dict__})

    def rate(self, count: int, of: int) -> float:
        return count / of if of else math.nan

    @property
    def accuracy(self) -> float:
        return self.rate(self.correct, self.answerable)

    @property
    def abstention(self) -> float:
        return self.rate(self.abstained, self.unanswerable)

    @property
    def ranking(self) -> float:
        return self.rate(self.ranked, self.answerable)

    @property
    def wrong_rate(self) -> float:
        return self.rate(self.wrong_answer, self.answerable)

    @property
    def offered_rate(self) -> float:
        return self.rate(self.offered, self.answerable)

    @property
    def bm25_ranking(self) -> float:
        return self.rate(self.bm25_ranked, self.answerable)

    def as_dict(self) -> dict[str, Any]:
        rates = ("accuracy", "abstention", "ranking", "wrong_rate", "offered_rate", "bm25_ranking")
        return {**self.__dict__, **{name: _round(getattr(self, name)) for name in rates}}


@dataclass
class Row:
    kb: str
    variant: str
    calibration: str
    total: Score = field(default_factory=Score)
    by_style: dict[str, Score] = field(default_factory=dict)


def _round(x: float) -> float | None:
    return None if math.isnan(x) else round(x, 4)


class Bm25:
    """BM25Okapi over heading + Also asked + answer, split on whitespace and punctuation."""

    def __init__(self, base: KnowledgeBase) -> None:
        self.headings = [e.question for e in base.entries]
        docs = [" ".join((e.question, *e.also_asked, e.answer)) for e in base.entries]
        self.index = BM25Okapi([self.split(d) for d in docs])

    @staticmethod
    def split(text: str) -> list[str]:
        return [t for t in _SPLIT.split(text.lower()) if t]

    def top(self, question: str) -> str | None:
        scores = self.index.get_scores(self.split(question))
        best = max(range(len(scores)), key=lambda i: (scores[i], -i))
        return self.headings[best] if scores[best] > 0 else None


def measure(ks: KnowledgeSet, plain: bool, calibration: Mapping[str, float], label: str) -> Row:
    base = ks.load(plain=plain)
    matcher, bm25 = matcher_for(base, calibration), Bm25(base)
    row = Row(ks.name, "plain" if plain else "phrased", label)
    for case in (c for cases in ks.heldout.values() for c in cases):
        row.total.add(case, matcher, bm25)
        row.by_style.setdefault(case.style, Score()).add(case, matcher, bm25)
    return row


@dataclass
class SmallTalkScore:
    """What the bot made of messages that are not questions, on one knowledge base."""

    messages: int = 0
    recognised: int = 0
    answered: int = 0
    escalated: int = 0


def small_talk_scores(
    knowledge: Knowledge, path: Path, consider: Callable[[str, Knowledge], tuple]
) -> SmallTalkScore:
    from bot.support.questions import Outcome

    score = SmallTalkScore()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        outcome = consider(json.loads(line)["text"], knowledge)[0]
        score.messages += 1
        score.recognised += outcome is Outcome.SMALL_TALK
        score.answered += outcome is Outcome.ANSWERED
        score.escalated += outcome is Outcome.UNRESOLVED
    return score


def pct(x: float) -> str:
    return "-" if math.isnan(x) else f"{100 * x:.1f}%"


def print_rows(rows: Sequence[Row]) -> None:
    header = (
        f"{'knowledge base':<22}{'variant':<9}{'calibration':<16}{'ans':>5}{'unans':>6}"
        f"{'correct':>9}{'abstain':>9}{'best':>8}{'wrong':>8}{'offered':>9}{'BM25 best':>11}"
    )
    print(header)
    for r in rows:
        s = r.total
        print(
            f"{r.kb:<22}{r.variant:<9}{r.calibration:<16}{s.answerable:>5}{s.unanswerable:>6}"
            f"{pct(s.accuracy):>9}{pct(s.abstention):>9}{pct(s.ranking):>8}"
            f"{pct(s.wrong_rate):>8}{pct(s.offered_rate):>9}{pct(s.bm25_ranking):>11}"
        )


def print_styles(by_style: dict[str, Score]) -> None:
    print(f"{'style':<14}{'ans':>5}{'unans':>6}{'correct':>9}{'abstain':>9}{'best':>8}{'wrong':>8}")
    for style, s in sorted(by_style.items()):
        print(
            f"{style:<14}{s.answerable:>5}{s.unanswerable:>6}{pct(s.accuracy):>9}"
            f"{pct(s.abstention):>9}{pct(s.ranking):>8}{pct(s.wrong_rate):>8}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    commit, rest = split_at(argv)
    if commit:
        return run_at(commit, Path(__file__).resolve(), rest)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--at", metavar="COMMIT", help="measure this commit (git archive)")
    parser.add_argument("--semantic", action="store_true", help="with the semantic signal")
    args = parser.parse_args(rest)
    if args.semantic:
        use_semantic()

    sets = discover(source_root())
    fitting = fitting_rows(sets)
    rows: list[Row] = []
    for ks in sets:
        others = [r for r in fitting if r.kb != ks.name]
        if not others:
            raise SystemExit("leave-one-out needs a second knowledge base under bench/kbs/")
        left_out = fit(others)
        for plain in (True, False) if ks.has_phrasings else (True,):
            rows.append(measure(ks, plain, left_out, "without it"))
            if ks.name == "sample":
                rows.append(measure(ks, plain, shipped(), "shipped"))

    pooled = {variant: Row("pooled", variant, "without it") for variant in ("plain", "phrased")}
    for r in rows:
        if r.calibration == "without it":
            into = pooled[r.variant]
            into.total = into.total.merge(r.total)
            for style, s in r.by_style.items():
                into.by_style[style] = into.by_style.get(style, Score()).merge(s)
    pooled_rows = [p for p in pooled.values() if p.total.answerable]

    rev = revision()
    signal = "lexical and semantic" if args.semantic else "lexical"
    print(f"quality benchmark at {describe(rev)}; threshold {Matcher([]).threshold}; {signal}")
    print("questions: the sample's held-out sets; each other knowledge base's questions.jsonl\n")
    print_rows([*rows, *pooled_rows])
    print("\npooled, plain, calibration fitted without the knowledge base measured, by style")
    print_styles(pooled["plain"].by_style)

    small_talk = {}
    try:
        from bot.support.questions import consider
    except ImportError:  # a commit from before small talk was told apart
        consider = None
    if consider is not None:
        print("\nsmall talk (bench/smalltalk*.jsonl): each knowledge base plain, fitted without it")
        for path in sorted(source_root().glob("bench/smalltalk*.jsonl")):
            for ks in sets:
                others = [r for r in fitting if r.kb != ks.name]
                base = ks.load(plain=True)
                knowledge = Knowledge(base, matcher_for(base, fit(others)))
                score = small_talk_scores(knowledge, path, consider)
                small_talk[f"{path.name} {ks.name}"] = score
                print(
                    f"  {path.name:<20} {ks.name:<22} {score.messages} messages: "
                    f"{score.recognised} small talk, {score.answered} answered with an FAQ "
                    f"entry, {score.escalated} escalated"
                )

    targets = []
    for name, score in small_talk.items():
        wrong = score.answered + score.escalated
        targets.append((f"small talk {name}: none answered or escalated", wrong, wrong == 0))
    for label, attr, op, goal in TARGETS:
        value = getattr(pooled["plain"].total, attr)
        ok = value >= goal if op == ">=" else value <= goal
        targets.append((f"pooled plain {label} {op} {goal:.0%}", value, ok))
    for r in rows:
        if r.variant == "plain" and r.calibration == "without it":
            value = r.total.abstention
            targets.append((f"{r.kb} plain abstention >= 90%", value, value >= 0.90))
    print("\ntargets")
    for name, value, ok in targets:
        shown = str(value) if isinstance(value, int) else pct(value)
        print(f"  {'PASS' if ok else 'FAIL':<5} {name:<48} measured {shown}")

    out = {
        "benchmark": "quality",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "revision": rev,
        "semantic": args.semantic,
        "rows": [
            {
                "kb": r.kb,
                "variant": r.variant,
                "calibration": r.calibration,
                "total": r.total.as_dict(),
                "by_style": {k: v.as_dict() for k, v in sorted(r.by_style.items())},
            }
            for r in [*rows, *pooled_rows]
        ],
        "small_talk": {name: score.__dict__ for name, score in small_talk.items()},
        "targets": [
            {"target": n, "measured": v if isinstance(v, int) else _round(v), "pass": ok}
            for n, v, ok in targets
        ],
    }
    RESULTS.mkdir(exist_ok=True)
    kind = "quality-semantic" if args.semantic else "quality"
    path = RESULTS / f"{kind}-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {path.relative_to(ROOT)}")
    return 0 if all(ok for _, _, ok in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
