"""The first weeks on a company's own FAQ: how answer quality grows as the bot learns from use.

    python bench/bench_learning.py [--weeks 4] [--at COMMIT]

For each knowledge base of bench/kbs.py, plain (no `Also asked`, no synonyms), with the confidence
calibration fitted without it (leave one knowledge base out), its questions arrive in `--weeks`
batches, in a fixed shuffled order. After each week the superusers do what firstline asks of them:

- a question answered with the right entry, which the asker confirms ("Det löste det"), becomes a
  learned phrasing of that entry;
- an answerable question the bot declined or answered wrongly is escalated, and the superuser adds
  it as a phrasing of the right entry;
- an unanswerable question about the ERP (style `nearmiss` or `erp_missing`) becomes a new entry;
- a question that is not about the ERP (style `offtopic`) is left as it is.

Reported per week and pooled: answered correctly and abstention on the week's questions as they
arrived (the bot had learned only from earlier weeks), and, after the last week, on all questions
again (the ones it learned from included, which is what a returning question sees).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from bench_quality import Score, pct
from benchutil import describe, revision, run_at, source_root, split_at
from calibrate import fit, fitting_rows, matcher_for
from kbs import Case, KnowledgeSet, discover

from bot.faq.loader import KnowledgeBase
from bot.faq.model import Entry

ERP_UNANSWERABLE = ("nearmiss", "erp_missing")
SEED = 20261203


def learn(
    base: KnowledgeBase, week: Sequence[Case], matcher_answers: dict[str, str | None]
) -> KnowledgeBase:
    """The knowledge base after the superusers have handled one week's questions."""
    learned: dict[str, list[str]] = {}
    new_entries: list[Entry] = []
    for case in week:
        if case.expected is not None:
            learned.setdefault(case.expected, []).append(case.question)
        elif case.style in ERP_UNANSWERABLE and matcher_answers.get(case.question) is None:
            new_entries.append(
                Entry(
                    question=case.question,
                    answer="(the superuser's answer)",
                    area=base.entries[0].area,
                    file="fran-support.md",
                    line=0,
                )
            )
    entries = [
        dataclasses.replace(e, learned=(*e.learned, *learned.get(e.question, ())))
        for e in base.entries
    ]
    return dataclasses.replace(base, entries=[*entries, *new_entries])


def simulate(ks: KnowledgeSet, calibration: Mapping[str, float], weeks: int) -> list[Score]:
    cases = list(ks.tuning)
    random.Random(SEED).shuffle(cases)
    batches = [cases[i::weeks] for i in range(weeks)]
    base = ks.load(plain=True)
    scores = []
    for week in batches:
        matcher = matcher_for(base, calibration)
        score = Score()
        answers: dict[str, str | None] = {}
        for case in week:
            match = score.add(case, matcher)
            answers[case.question] = (
                match.entry.question if match.answered and match.entry else None
            )
        scores.append(score)
        base = learn(base, week, answers)
    final = Score()
    matcher = matcher_for(base, calibration)
    new_headings = {e.question for e in base.entries}
    for case in cases:
        # A question that became a new entry is answerable now, by that entry.
        if case.expected is None and case.question in new_headings:
            case = dataclasses.replace(case, expected=case.question)
        final.add(case, matcher)
    scores.append(final)
    return scores


def main(argv: Sequence[str] | None = None) -> int:
    commit, rest = split_at(argv)
    if commit:
        return run_at(commit, Path(__file__).resolve(), rest)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--at", metavar="COMMIT", help="measure this commit (git archive)")
    parser.add_argument("--weeks", type=int, default=4)
    args = parser.parse_args(rest)
    sets = [ks for ks in discover(source_root()) if ks.name != "sample"]
    rows = fitting_rows(discover(source_root()))
    print(f"learning benchmark at {describe(revision())}; {args.weeks} weeks, seed {SEED}\n")
    labels = [f"week {n}" for n in range(1, args.weeks + 1)] + ["all, after"]
    pooled = [Score() for _ in labels]
    print(f"{'knowledge base':<22}" + "".join(f"{label:>18}" for label in labels))
    for ks in sets:
        calibration = fit([r for r in rows if r.kb != ks.name])
        scores = simulate(ks, calibration, args.weeks)
        pooled = [p.merge(s) for p, s in zip(pooled, scores, strict=True)]
        cells = "".join(f"{pct(s.accuracy) + ' / ' + pct(s.abstention):>18}" for s in scores)
        print(f"{ks.name:<22}{cells}")
    cells = "".join(f"{pct(s.accuracy) + ' / ' + pct(s.abstention):>18}" for s in pooled)
    print(f"{'pooled':<22}{cells}")
    print("\n(answered correctly / abstention; weeks: on that week's questions as they arrived)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
