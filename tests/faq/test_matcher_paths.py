"""The matcher's ways of doing the same work (bot/faq/matcher.py, made fast for large FAQs) give
the same index and the same answers whichever way a question or a knowledge base takes."""

from __future__ import annotations

import json

import numpy as np
import pytest

import bot.faq.matcher as matcher_module
from bot.faq.lexicon import lexicon
from bot.faq.loader import DEFAULT_AREAS, load_knowledge
from bot.faq.matcher import Match, Matcher, _BestCache, _stable_order, _WordIds
from bot.faq.text import fold_word, typed_words
from tests.conftest import KNOWLEDGE, ROOT

TRICKY = [
    "Hur krediterar jag en **kundfaktura** (order IO-20344)?",
    "",
    "   ",
    "** __ _x_ a_b",
    "İstanbul ÅÄÖ åäö Ångström",
    "µ ㏂ kund-faktura ㏂µ 12",
    "ﬁnd ﬀ Straße",
    "a\u00a0b\u2028c\x1cd\te\nf",
    "é e\u0301 E\u0301",
    "kundfaktura, kundfaktura. KUNDFAKTURA!",
]


def questions() -> list[str]:
    """The sample's tuning questions, and the tricky texts."""
    found = []
    for path in sorted((ROOT / "tests" / "eval").glob("cases*.jsonl")):
        found += [json.loads(line)["question"] for line in path.read_text().splitlines() if line]
    return found + TRICKY


def verdict(match: Match) -> tuple:
    return (
        match.entry.question if match.entry else None,
        match.confidence,
        match.answered,
        tuple(e.question for e in match.runners_up),
        match.vague,
        tuple(sorted(match.features.items())),
    )


def build() -> Matcher:
    base = load_knowledge(KNOWLEDGE, DEFAULT_AREAS)
    return Matcher(base.entries, [*lexicon(), *base.synonyms])


@pytest.fixture(scope="module")
def reference() -> tuple[Matcher, list[tuple]]:
    matcher = build()
    return matcher, [verdict(matcher.match(q)) for q in questions()]


def test_word_ids_are_the_words_of_typed_words() -> None:
    """Texts are split at their spaces and the pieces remembered; the words are still exactly
    those `typed_words` finds, in order, each folded as `fold_word` folds it."""
    ids = _WordIds()
    for _ in range(2):  # the second time every piece is known
        starts, words = ids.documents(TRICKY)
        distinct = ids.distinct
        for doc, text in enumerate(TRICKY):
            got = [distinct[i] for i in words[starts[doc] : starts[doc + 1]]]
            assert got == [token for word in typed_words(text) for token in fold_word(word)]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SPARSE_COST", 1),  # nearly every question word document by document
        ("SPARSE_COST", 10**9),  # every one over whole arrays
        ("FLAG_BITS", 2),  # most positions past the flags
        ("BEST_CACHE_BYTES", 0),  # nothing cached
        ("COUNT_CHUNK", 7),  # the index counted seven documents at a time
    ],
)
def test_the_same_answers_every_way(
    monkeypatch: pytest.MonkeyPatch, reference: tuple[Matcher, list[tuple]], name: str, value: int
) -> None:
    monkeypatch.setattr(matcher_module, name, value)
    matcher = build()
    assert [verdict(matcher.match(q)) for q in questions()] == reference[1]
    if name == "COUNT_CHUNK":
        base = reference[0]
        for field in ("_q_postings", "_b_postings"):
            ours, theirs = getattr(matcher, field), getattr(base, field)
            assert np.array_equal(ours.bounds, theirs.bounds)
            assert np.array_equal(ours.docs, theirs.docs)
            assert np.array_equal(ours.weights, theirs.weights)


def test_asking_again_gives_the_same_answers(reference: tuple[Matcher, list[tuple]]) -> None:
    """The second time, the common words' bests come from the cache."""
    matcher, expected = reference
    assert [verdict(matcher.match(q)) for q in questions()] == expected


def test_best_cache_keeps_the_newest_within_its_bytes() -> None:
    cache = _BestCache(limit=3 * 80)
    arrays = {key: np.full(10, float(key)) for key in range(5)}  # 80 bytes each
    for key, best in arrays.items():
        assert cache.put(((str(key), 1.0),), best) is best
        assert not best.flags.writeable
    assert cache.size <= cache.limit
    assert cache.get((("0", 1.0),)) is None
    assert cache.get((("4", 1.0),)) is arrays[4]
    cache.put((("big", 1.0),), np.zeros(100))  # larger than the whole cache: not kept
    assert cache.get((("big", 1.0),)) is None


def test_stable_order_is_a_stable_argsort() -> None:
    rng = np.random.default_rng(3)
    for keys in (
        rng.integers(0, 5, 1000),
        rng.integers(0, 2**40, 1000),
        rng.integers(2**61, 2**62, 50),  # too large to pair with a position: argsort itself
        np.zeros(0, dtype=np.int64),
    ):
        assert np.array_equal(_stable_order(keys), np.argsort(keys, kind="stable"))
