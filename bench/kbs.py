"""The knowledge bases the quality benchmarks measure, and their question sets.

- `sample`: the bundled sample company (knowledge/), with phrasings (`Also asked`) and
  synonyms.yml; its tuning questions are tests/eval/cases*.jsonl and its held-out questions
  bench/heldout*.jsonl (never fitted on).
- every folder bench/kbs/<name>/ with a faq/ folder and questions.jsonl: another fictional
  company's FAQ in the plain format a company starts with (heading and answer only), each written
  blind with its questions (bench/kbs/<name>/README.md says who and what). Its areas are the
  folder names under faq/. Its optional phrasings.json ({heading: [phrasing, ...]}) holds
  `Also asked` phrasings written later, blind, by someone who saw the FAQ but not the questions.

Each can be measured "plain" (no `Also asked`, no synonyms file: how a company's own FAQ looks on
its first day) and, where it has phrasings, "phrased" (with them).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

from bot.faq.loader import DEFAULT_AREAS, KnowledgeBase, load_knowledge


@dataclass(frozen=True)
class Case:
    question: str
    expected: str | None
    style: str


@dataclass(frozen=True)
class KnowledgeSet:
    """A knowledge base and its questions: `tuning` may be fitted on when this knowledge base is
    not the one measured; `heldout` never is."""

    name: str
    root: Path
    areas: tuple[str, ...]
    tuning: tuple[Case, ...]
    heldout: dict[str, tuple[Case, ...]]

    @property
    def phrasings_file(self) -> Path:
        return self.root / "phrasings.json"

    @property
    def has_phrasings(self) -> bool:
        return self.name == "sample" or self.phrasings_file.is_file()

    def load(self, *, plain: bool) -> KnowledgeBase:
        base = load_knowledge(self.root, self.areas, log_problems=False)
        if base.problems:
            raise SystemExit(f"{self.root}: {base.problems[0]}")
        if plain:
            return strip_phrasings(base)
        if self.phrasings_file.is_file():
            return add_phrasings(base, self.phrasings_file)
        return base


def strip_phrasings(base: KnowledgeBase) -> KnowledgeBase:
    """The same knowledge base as a company writes it on day one: no phrasings, no synonyms."""
    return dataclasses.replace(
        base,
        entries=[dataclasses.replace(e, also_asked=()) for e in base.entries],
        synonyms=[],
    )


def add_phrasings(base: KnowledgeBase, path: Path) -> KnowledgeBase:
    """The knowledge base with the `Also asked` phrasings of a phrasings.json added."""
    phrasings = json.loads(path.read_text(encoding="utf-8"))
    headings = {e.question for e in base.entries}
    unknown = sorted(set(phrasings) - headings)
    if unknown:
        raise SystemExit(f"{path}: no entry with the heading {unknown[0]!r}")
    return dataclasses.replace(
        base,
        entries=[
            dataclasses.replace(e, also_asked=(*e.also_asked, *phrasings.get(e.question, ())))
            for e in base.entries
        ],
    )


def read_cases(path: Path, headings: set[str] | None = None) -> tuple[Case, ...]:
    """The cases of a JSON Lines file; every expected heading must exist when `headings` is
    given."""
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        data = json.loads(line)
        expected = data.get("expected")
        if headings is not None and expected is not None and expected not in headings:
            raise SystemExit(f"{path}:{n}: expected entry is not in the knowledge base")
        cases.append(Case(data["question"], expected, data.get("style") or "unknown"))
    return tuple(cases)


def discover(source: Path) -> list[KnowledgeSet]:
    """The sample knowledge base, then every bench/kbs/<name>/, by name."""
    sample_root = source / "knowledge"
    headings = {e.question for e in load_knowledge(sample_root, log_problems=False).entries}
    sets = [
        KnowledgeSet(
            name="sample",
            root=sample_root,
            areas=DEFAULT_AREAS,
            tuning=tuple(
                c
                for p in sorted((source / "tests" / "eval").glob("cases*.jsonl"))
                for c in read_cases(p, headings)
            ),
            heldout={
                p.stem: read_cases(p, headings)
                for p in sorted((source / "bench").glob("heldout*.jsonl"))
            },
        )
    ]
    for folder in sorted((source / "bench" / "kbs").glob("*/")):
        questions = folder / "questions.jsonl"
        if not (folder / "faq").is_dir() or not questions.is_file():
            continue
        areas = tuple(sorted(p.name for p in (folder / "faq").iterdir() if p.is_dir()))
        base = load_knowledge(folder, areas, log_problems=False)
        cases = read_cases(questions, {e.question for e in base.entries})
        sets.append(KnowledgeSet(folder.name, folder, areas, cases, {"questions": cases}))
    return sets
