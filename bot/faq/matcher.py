"""Match a free-text question to the best FAQ entry, with a calibrated confidence.

The index is BM25 over two fields (the question with its `Also asked` phrasings, and the whole
entry), with terms that survive the ways staff actually type: inflections (word roots), compounds
(split against the knowledge base's own vocabulary), missing å/ä/ö (folded), typos (edit distance
against the vocabulary) and synonyms across Swedish and English (concepts from synonyms.yml). The
vocabulary, which tells what each word stands for, is in bot/faq/vocabulary.py.

Two checks then look at the best candidates the way a superuser would. An entry that only names
the other side of a pair the question names (customer or supplier, goods in or out) is pushed
down. And the top few are re-ranked by how much of their closest phrasing the question accounts
for ("explained"): coverage asks whether the entry explains the question, this asks the reverse.

The confidence is a logistic function of those signals: how much of the question the entry
explains (coverage, weighted by rarity), how much of the entry the question explains, how
clearly it beats the runner-up, and words the knowledge base has never seen (which is what makes
the bot abstain on "what's for lunch?"). Names and numbers it has never seen ("Karlssons Måleri",
"invoice 1004877") are the asker's context and don't count at all. The coefficients
(bot/faq/calibration.py) were fitted with `bench/calibrate.py` on every knowledge base of
bench/kbs.py (the sample's tuning sets and each company's questions, plain and phrased).
"""

from __future__ import annotations

import math
import re
import unicodedata
from array import array
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter

import numpy as np

from bot.faq.calibration import (
    CALIBRATION,
    DEFAULT_THRESHOLD,
    FEATURES,
    KNOWN_WORDS_FULL,
    PHRASINGS_FULL,
    SEMANTIC_CALIBRATION,
)
from bot.faq.model import Entry
from bot.faq.semantic import SemanticIndex
from bot.faq.text import POLES, fold_word, is_stopword, poles, tokens, word_poles, words_in
from bot.faq.vocabulary import Vocabulary

# Where the constants were checked, in docs/benchmarks.md:
# - §0, "Tried this session and not kept": varied on the plain sample, the best guess stayed
#   within ±1 point, so left as it was;
# - §2, "What changed, and what it did": re-checked on the sample's 820 tuning questions, kept.

# BM25 term-frequency saturation: hand-set, not checked.
K1 = 1.2
# BM25 length normalisation: checked on the plain sample (§0).
B = 0.75
# The whole entry's score, added to its closest phrasing's: checked on the 820 (§2) and on the
# plain sample (§0).
BODY_WEIGHT = 1.4
# A compound's parts count this much in an entry's text: checked on the plain sample (§0).
PART_WEIGHT = 0.7
# A question word also stands for its synonym concepts at this weight: checked on the plain
# sample (§0).
SYNONYM_WEIGHT = 0.9
# A question word corrected as a typo counts this much: checked on the plain sample (§0).
TYPO_WEIGHT = 0.8
# An entry only about the other side of the question's pair keeps this share of its score:
# checked on the 820 (§2).
OPPOSITE_PENALTY = 0.3
# How many of the best candidates are re-ranked by "explained", and how much it weighs: each
# checked on the 820 (§2) and on the plain sample (§0).
RERANK = 5
# With the semantic signal, the best SEMANTIC_RERANK lexical candidates are re-ranked: each score
# times exp(SEMANTIC_WEIGHT * (its similarity - the pool's closest)). Chosen by the best guess on
# the plain tuning questions of sample, grossist-livs and tillverkare-verkstad from a pool of 5 or
# 10 and a weight of 0.5, 1, 2, 3 or 5 (docs/benchmarks.md §0, "The semantic signal").
SEMANTIC_RERANK = 10
SEMANTIC_WEIGHT = 3.0
EXPLAINED_WEIGHT = 0.15
# An entry whose closest phrasing covers more of the question ranks higher: on a plain FAQ the
# heading is the one phrasing, and a heading that says what was asked beats a long answer that
# mentions it in passing. Chosen on sample, grossist-livs and tillverkare-verkstad from 0.2-0.8:
# best guess +1.1 points on each (§0, "Which figures chose anything").
PHRASING_COVER_WEIGHT = 0.6

# Below the threshold the bot doesn't answer, but from this confidence on it offers its closest
# entries (up to SUGGESTIONS) as similar questions in the FAQ: a button is cheap, and on a plain
# FAQ the right entry is among the closest three far more often than it is the best guess. Chosen
# on sample, grossist-livs and tillverkare-verkstad against the earlier rule (one or two entries
# from 0.2, with an "explained" gate): right or offered 69.7% -> 90.3% on the three (§0, "Which
# figures chose anything"); no other values recorded.
SUGGEST_FROM = 0.1
SUGGESTIONS = 3
# A guess this confident that accounts for this much of its phrasing ("explained") is plausible:
# a question with one is about the FAQ's subjects, however many words it has that the FAQ lacks.
# The values are the earlier suggestion gates, chosen on the sample's tuning questions (§2,
# "Suggestions"); here they are part of the off-topic rule below.
PLAUSIBLE_FROM = 0.2
PLAUSIBLE_EXPLAINED = 0.4
# A question of one or two words that many entries use ("faktura", "order") is too vague to
# answer: the bot asks which of the closest entries it means instead. Rarity is the words' BM25
# IDF in this knowledge base (below 1.5: used by about a fifth of the entries or more), so what
# counts as generic is measured on each company's own FAQ. Checked on sample, grossist-livs and
# tillverkare-verkstad: affects none of their answerable questions (§0, "Which figures chose
# anything"); no other values recorded.
VAGUE_WORDS = 2
VAGUE_RARITY = 1.5
# How many entries a vague question is offered: hand-set, not checked.
CLARIFY_OPTIONS = 3
# A declined question most of whose weight lies in words the knowledge base has never seen
# ("vad blir det till lunch?") is not about the ERP at all: declined, not escalated. The rule
# catches 21 of 40 off-topic questions (two companies) and calls 5 of 30 missing-ERP questions
# off-topic (§0, "Which figures chose anything"); no other value than 0.5 recorded.
OFF_TOPIC_UNKNOWN = 0.5


# A question word in fewer than one in SPARSE_COST documents of a field has its sums updated
# document by document, else over whole arrays (and its bests may be cached). Chosen from 2, 5,
# 10 and 20 on bench/bench_scale.py's questions at 100,000 entries (CPU time a question, mean:
# 5.7, 4.3, 4.0 and 4.1 ms); changes no answer.
SPARSE_COST = 10
# How many documents are indexed at a time: bounds the memory the index takes while it is
# built. Hand-set; changes no answer.
COUNT_CHUNK = 4096
# How many of a question's positions are bits of one flag per document (see `_Hits`; at most
# 16): the table of their weights' sums has 2**FLAG_BITS entries. Hand-set; changes no answer.
FLAG_BITS = 12
# The bests of question words in many entries kept for the next question, per field, in bytes
# (about 80 words per field at 100,000 entries; `_BestCache`). On bench/bench_scale.py's
# questions at 100,000 entries, 0, 32, 64 and 128 MiB gave a p99 of 11.6, 11.3, 9.8 and 9.5 ms
# (CPU time, one run each on a busy machine); changes no answer.
BEST_CACHE_BYTES = 64 * 2**20

_Postings = tuple[np.ndarray, np.ndarray]
_EMPTY: _Postings = (np.zeros(0, dtype=np.int64), np.zeros(0))


@dataclass(frozen=True)
class Match:
    """The matcher's verdict on one question."""

    question: str
    entry: Entry | None
    confidence: float
    answered: bool
    runners_up: tuple[Entry, ...] = ()
    features: dict[str, float] = field(default_factory=dict, compare=False)
    vague: bool = False

    @property
    def off_topic(self) -> bool:
        """Declined, and mostly about things the knowledge base never mentions."""
        if self.answered or self.vague:
            return False
        plausible = (
            self.confidence >= PLAUSIBLE_FROM
            and self.features.get("explained", 0.0) >= PLAUSIBLE_EXPLAINED
        )
        return self.entry is None or (
            self.features.get("unknown", 0.0) >= OFF_TOPIC_UNKNOWN and not plausible
        )

    @property
    def clarifications(self) -> tuple[Entry, ...]:
        """The entries a too vague question may mean, best first (none unless it is vague)."""
        if not self.vague or self.entry is None:
            return ()
        return (self.entry, *self.runners_up)[:CLARIFY_OPTIONS]

    @property
    def suggestions(self) -> tuple[Entry, ...]:
        """Entries worth offering when the question is not answered, best first (none when it is,
        when it is too vague: then `clarifications` offers them, or off-topic)."""
        if self.answered or self.vague or self.entry is None or self.confidence < SUGGEST_FROM:
            return ()
        if self.off_topic:
            return ()
        return (self.entry, *self.runners_up)[:SUGGESTIONS]


@dataclass
class _Position:
    """One meaningful word of the question and the index terms that would satisfy it."""

    word: str
    alternatives: dict[str, float]
    weight: float = 0.0
    known: bool = True


@dataclass(frozen=True)
class _Index:
    """BM25 postings of every term id t: `docs[bounds[t]:bounds[t + 1]]` (each once) and the
    term's weight in each."""

    bounds: np.ndarray
    docs: np.ndarray
    weights: np.ndarray
    size: int  # how many documents
    cache: _BestCache = field(default_factory=lambda: _BestCache(BEST_CACHE_BYTES), compare=False)


@dataclass(frozen=True)
class _TermTable:
    """The index terms of every distinct word, by word id: `ids[ptr[w]:ptr[w + 1]]`, each with
    the weight it counts with (1, or PART_WEIGHT for a compound's parts)."""

    ptr: np.ndarray
    ids: np.ndarray
    weights: np.ndarray

    def counts(
        self,
        chunks: Iterable[tuple[np.ndarray, np.ndarray]],
        cluster_of: np.ndarray,
        phrases: _PhraseFinder,
    ) -> _Counts:
        """(document, term, term frequency) of each term of each document, from the documents'
        word occurrences a few thousand documents at a time (in each chunk `doc[i]` holds word
        `word[i]`, in reading order, `doc` ascending), so the occurrences of their terms are
        never all in memory at once."""
        found = _Counts()
        for doc, word in chunks:
            if len(doc):
                found.add(*self.expand(doc, word, cluster_of, phrases))
        return found

    def expand(
        self, doc: np.ndarray, word: np.ndarray, cluster_of: np.ndarray, phrases: _PhraseFinder
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(document, term, term frequency) for each term of each document, by term and
        document (the postings' order), from the documents' word occurrences; a term's
        frequency sums its occurrences in reading order, its phrases' last."""
        starts = self.ptr[word]
        counts = self.ptr[word + 1] - starts
        index = np.arange(int(counts.sum())) - np.repeat(
            np.cumsum(counts) - counts - starts, counts
        )
        phrase_doc, phrase_term = phrases.find(doc, cluster_of[word])
        docs = np.concatenate((np.repeat(doc, counts), phrase_doc))
        terms = np.concatenate((self.ids[index], phrase_term))
        weights = np.concatenate((self.weights[index], np.ones(len(phrase_doc))))
        if not len(terms):  # no words, or only words that say nothing (stopwords)
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0)
        low = int(doc[0])
        width = int(doc[-1]) - low + 1
        keys = terms * width + (docs - low)
        order = _stable_order(keys)
        keys = keys[order]
        first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        tf = np.add.reduceat(weights[order], first)
        keys = keys[first]
        return keys % width + low, keys // width, tf


class _Counts:
    """(document, term, term frequency) triples in parts of a few thousand documents, each part
    by term and document; and each document's length (its term frequencies summed in term
    order)."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.lengths: list[tuple[int, np.ndarray]] = []

    def add(self, doc: np.ndarray, term: np.ndarray, tf: np.ndarray) -> None:
        if len(doc):
            low = int(doc.min())
            self.lengths.append((low, np.bincount(doc - low, weights=tf)))
            self.parts.append((doc.astype(np.int32), term.astype(np.int32), tf))

    def df(self, n_terms: int) -> np.ndarray:
        """How many documents each term is in."""
        found = np.zeros(n_terms, dtype=np.int64)
        for _, term, _ in self.parts:
            found += np.bincount(term, minlength=n_terms)
        return found

    def postings(self, idf: np.ndarray, n_docs: int, slot: np.ndarray | None = None) -> _Index:
        """BM25 postings by term, each term's documents ascending; with `slot`, each document
        is stored as `slot[document]`."""
        lengths = np.zeros(n_docs)
        for low, part in self.lengths:
            lengths[low : low + len(part)] = part
        average = (lengths.mean() if n_docs else 0.0) or 1.0
        per_term = self.df(len(idf))
        bounds = np.concatenate(([0], np.cumsum(per_term)))
        docs = np.empty(int(bounds[-1]), dtype=np.int64)
        weights = np.empty(int(bounds[-1]))
        cursor = bounds[:-1].copy()  # where each term's next documents go
        while self.parts:  # each part freed once placed
            doc, term, tf = self.parts.pop(0)
            doc, term = doc.astype(np.int64), term.astype(np.int64)
            length = lengths[doc] / average
            weight = idf[term] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length))
            per_part = np.bincount(term, minlength=len(idf))
            start = np.cumsum(per_part) - per_part
            at = cursor[term] + np.arange(len(term)) - start[term]
            docs[at] = doc if slot is None else slot[doc]
            weights[at] = weight
            cursor += per_part
        return _Index(bounds, docs, weights, n_docs)


class _PhraseFinder:
    """Finds the synonym phrases (sequences of cluster ids, each standing for a concept) in
    documents' cluster sequences; prepared once per index."""

    def __init__(
        self, phrases: dict[tuple[int, int], list[tuple[tuple[int, ...], int]]], n_clusters: int
    ) -> None:
        self.width = n_clusters
        # the clusters a phrase starts with, and those that are second in one
        self.firsts = np.zeros(n_clusters, dtype=bool)
        self.seconds = np.zeros(n_clusters, dtype=bool)
        found_two: list[tuple[int, int]] = []  # (first two clusters as one key, concept)
        found_longer: list[tuple[int, tuple[int, ...], int]] = []  # and the whole phrase
        for (first, second), found in phrases.items():
            self.firsts[first] = self.seconds[second] = True
            key = first * n_clusters + second
            for phrase, concept in found:
                if len(phrase) == 2:
                    found_two.append((key, concept))
                else:
                    found_longer.append((key, phrase, concept))
        # by the key of their first two clusters (a key's phrases in the order they came)
        found_two.sort(key=lambda f: f[0])
        found_longer.sort(key=lambda f: f[0])
        self.keys = np.array([k for k, _ in found_two], dtype=np.int64)
        self.concepts = np.array([c for _, c in found_two], dtype=np.int64)
        self.long_keys = np.array([k for k, _, _ in found_longer], dtype=np.int64)
        self.long_concepts = np.array([c for _, _, c in found_longer], dtype=np.int64)
        self.long_lengths = np.array([len(p) for _, p, _ in found_longer], dtype=np.int64)
        width = int(self.long_lengths.max(initial=0))
        self.long_phrases = np.full((len(found_longer), width), -1, dtype=np.int64)
        for i, (_, phrase, _) in enumerate(found_longer):
            self.long_phrases[i, : len(phrase)] = phrase
        # a bit per hashed pair key: most pairs of a text are no phrase's, and are let go here
        self.maybe = np.zeros(1 << _PAIR_BITS, dtype=bool)
        self.maybe[_pair_hash(np.concatenate((self.keys, self.long_keys)))] = True

    def find(self, doc: np.ndarray, clusters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(document, concept) for each phrase in the documents' cluster sequences (`doc`
        ascending): the two-word phrases at each place in order, then the longer ones."""
        empty = np.zeros(0, dtype=np.int64)
        if len(clusters) < 2 or not (len(self.keys) or len(self.long_keys)):
            return empty, empty
        # only the places where a phrase can start: two clusters of phrases, in one document
        at = np.flatnonzero(
            self.firsts[clusters[:-1]] & self.seconds[clusters[1:]] & (doc[:-1] == doc[1:])
        )
        pairs = clusters[at] * self.width + clusters[at + 1]
        maybe = self.maybe[_pair_hash(pairs)]
        at, pairs = at[maybe], pairs[maybe]
        # Two-word phrases (nearly all of them): every occurrence of each wanted pair.
        place, phrase = _each_match(self.keys, pairs)
        found_doc, found_concept = [doc[at[place]]], [self.concepts[phrase]]
        # Longer ones: each place whose pair starts one, and each of those phrases, then the
        # phrase's clusters compared with those from that place on (-1 pads never match).
        place, phrase = _each_match(self.long_keys, pairs)
        if len(place):
            start = at[place]
            end = start + self.long_lengths[phrase]
            span = start[:, None] + np.arange(self.long_phrases.shape[1])
            inside = span < end[:, None]
            seen = clusters[np.minimum(span, len(clusters) - 1)]
            same = np.where(inside, seen == self.long_phrases[phrase], True).all(axis=1)
            last = doc[np.minimum(end, len(doc)) - 1]
            ok = same & (end <= len(clusters)) & (last == doc[start])
            found_doc.append(doc[start[ok]])
            found_concept.append(self.long_concepts[phrase[ok]])
        return np.concatenate(found_doc), np.concatenate(found_concept)


_PAIR_BITS = 22  # the phrase finder's bits of pair keys: 4 MiB, few false hits


def _pair_hash(keys: np.ndarray) -> np.ndarray:
    """A _PAIR_BITS-bit hash of non-negative integer keys (Fibonacci hashing)."""
    return (keys.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - _PAIR_BITS)


def _stable_order(keys: np.ndarray) -> np.ndarray:
    """What `np.argsort(keys, kind="stable")` gives for non-negative integer `keys`: when the
    key and the position fit in one 63-bit number, by sorting those (unique) numbers, which is
    several times faster."""
    n = len(keys)
    if n and int(keys.max()) < 2**62 // n:
        return np.sort(keys * n + np.arange(n)) % n
    return np.argsort(keys, kind="stable")


def _each_match(keys: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(i, j) for each `wanted[i] == keys[j]` (`keys` ascending), by i, then j."""
    low = np.searchsorted(keys, wanted, "left")
    counts = np.searchsorted(keys, wanted, "right") - low
    place = np.repeat(np.arange(len(wanted)), counts)
    shift = np.cumsum(counts) - counts - low
    return place, np.arange(len(place)) - np.repeat(shift, counts)


_ID = "i"  # array and numpy type code of word ids while texts are read (C int)
_ID_BYTES = array(_ID).itemsize


class _WordIds:
    """Ids for distinct (word, as typed) tokens, and documents as arrays of them."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, str], int] = {}
        self._single: dict[str, int] = {}  # typed words that fold to one token: nearly all
        self._other: dict[str, tuple[int, ...]] = {}  # to none ("µ") or to several ("㏂")
        # The ids of the words of each whitespace-separated piece of text seen (lower case), as
        # the bytes of an array of _ID: "**kundfaktura**," -> kundfaktura's id. A text is split
        # at its spaces, which is much faster than finding its words, texts are mostly pieces
        # seen before, and bytes are joined fast.
        self._pieces: dict[str, bytes] = {}
        self._piece_words: dict[str, list[str]] = {}  # and the words themselves

    @property
    def distinct(self) -> list[tuple[str, str]]:
        return list(self.ids)

    def documents(self, texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """(where each document starts, word ids): the ids of every word of the texts, in
        reading order, document `d` at `[starts[d]:starts[d + 1]]`."""
        found: list[bytes] = []
        pieces = self._pieces
        for text in texts:
            # typed_words' words are those of the pieces: no space is part of a word
            split = unicodedata.normalize("NFC", text).lower().split()
            try:  # every piece seen before: nearly always, and fast
                if len(split) > 1:
                    found.append(b"".join(itemgetter(*split)(pieces)))
                else:
                    found.append(pieces[split[0]])
            except (KeyError, IndexError):
                found.append(self._new(split))
        lengths = np.fromiter(map(len, found), dtype=np.int64, count=len(found)) // _ID_BYTES
        words = np.frombuffer(b"".join(found), dtype=_ID)
        return np.concatenate(([0], np.cumsum(lengths))), words.astype(np.int64)

    def _new(self, split: list[str]) -> bytes:
        """The ids of the words of a text with pieces not seen before (split at its spaces),
        giving new words theirs in the order they always got them (by a set of the text's
        words, as `typed_words` gives them)."""
        single, other, ids, words_of = self._single, self._other, self.ids, self._piece_words
        new = set(split).difference(words_of)
        for piece in new:
            words_of[piece] = words_in(piece)
        # New words are in new pieces. Two or more get their ids in the order of the set of
        # the text's words (mostly there is one: a new number)
        unseen = {word for piece in new for word in words_of[piece]}.difference(single, other)
        if len(unseen) > 1:
            typed = chain.from_iterable(map(words_of.__getitem__, split))
            unseen = set(typed).difference(single, other)
        for word in unseen:
            folded = tuple(ids.setdefault(t, len(ids)) for t in fold_word(word))
            if len(folded) == 1:
                single[word] = folded[0]
            else:
                other[word] = folded
        for piece in new:
            found = [other[w] if w in other else (single[w],) for w in words_of[piece]]
            self._pieces[piece] = array(_ID, chain.from_iterable(found)).tobytes()
        return b"".join(map(self._pieces.__getitem__, split))


class Matcher:
    """An immutable index over a list of entries. Build a new one to reload."""

    def __init__(
        self,
        entries: Sequence[Entry],
        synonyms: Iterable[Sequence[str]] = (),
        threshold: float = DEFAULT_THRESHOLD,
        calibration: Mapping[str, float] | None = None,
        semantic: SemanticIndex | None = None,
    ) -> None:
        if calibration is None:
            calibration = CALIBRATION if semantic is None else SEMANTIC_CALIBRATION
        mismatched = {"intercept", *FEATURES}.symmetric_difference(calibration)
        if mismatched:
            raise ValueError(
                f"a calibration names 'intercept' and each of FEATURES; unknown or missing: "
                f"{sorted(mismatched)}"
            )
        self.entries = list(entries)
        self.threshold = threshold
        self.calibration = dict(calibration)
        self.semantic = semantic
        self._variant_entry = np.array(
            [i for i, e in enumerate(self.entries) for _ in (e.question, *e.phrasings)],
            dtype=np.int64,
        )
        self._variant_start = np.cumsum(
            [0] + [1 + len(e.phrasings) for e in self.entries], dtype=np.int64
        )[:-1]
        self._variant_text = [v for e in self.entries for v in (e.question, *e.phrasings)]
        # The question field numbers the phrasings by layer (`_per_entry`): first every
        # heading, in entry order, then each entry's first `Also asked` (or learned) phrasing,
        # of the entries that have one, then the second ones, and so on. `_slot[v]` is the
        # place of phrasing v (numbered entry by entry, as everywhere else) in that order.
        phrasings = np.array([len(e.phrasings) for e in self.entries], dtype=np.int64)
        self._layers: list[tuple[np.ndarray, int]] = []
        self._slot = np.empty(len(self._variant_text), dtype=np.int64)
        self._slot[self._variant_start] = np.arange(len(self.entries))
        start = len(self.entries)
        for j in range(1, int(phrasings.max(initial=0)) + 1):
            having = np.flatnonzero(phrasings >= j)
            self._slot[self._variant_start[having] + j] = np.arange(start, start + len(having))
            self._layers.append((having, start))
            start += len(having)
        # Every distinct (word, as typed) gets an id and documents become arrays of ids, so the
        # per-word work below runs once per distinct word, not once per occurrence.
        words_of = _WordIds()
        q_starts, q_tok = words_of.documents(self._variant_text)
        a_starts, a_tok = words_of.documents(
            " ".join((e.answer, e.why or "", *e.tags)) for e in self.entries
        )
        distinct = words_of.distinct
        q_doc = _doc_ids(q_starts, 0, len(self._variant_text))
        poles_of_word = np.array([word_poles(*token) for token in distinct], dtype=np.int64)
        variant_poles = np.zeros(len(self._variant_text), dtype=np.int64)
        np.bitwise_or.at(variant_poles, q_doc, poles_of_word[q_tok])
        entry_poles = (
            np.bitwise_or.reduceat(variant_poles, self._variant_start)
            if self.entries
            else np.zeros(0, dtype=np.int64)
        )
        # per pair of POLES, which of its two poles each entry names (bits 1 and 2)
        self._pair_poles = [
            ((entry_poles >> pair) & 3).astype(np.uint8) for pair in range(0, len(POLES), 2)
        ]
        del q_doc
        counts = np.bincount(q_tok, minlength=len(distinct))
        counts += np.bincount(a_tok, minlength=len(distinct))
        self._vocabulary = Vocabulary(zip(distinct, counts.tolist(), strict=True), synonyms)
        counted = self._count_terms(distinct, (q_starts, q_tok), (a_starts, a_tok))
        del q_starts, q_tok, a_starts, a_tok  # the words are counted: memory for the postings
        self._build_index(*counted)
        # The per-word terms were needed for every word while indexing; from now on only for the
        # words of the phrasings "explained" reads, so the cache starts over and fills as needed.
        self._vocabulary.clear_term_cache()
        self._variant_cache: dict[int, tuple[tuple[float, tuple[str, ...]], ...]] = {}

    # -- index ------------------------------------------------------------------------------

    def _count_terms(
        self,
        distinct: list[tuple[str, str]],
        variants: tuple[np.ndarray, np.ndarray],
        answers: tuple[np.ndarray, np.ndarray],
    ) -> tuple[_Counts, _Counts, dict[str, int]]:
        """How often each index term is in each question variant (the heading and each `Also
        asked`) and in each whole entry (its phrasings, then its answer, why and tags), from
        the words of the variants and of the answers (`_WordIds.documents`); and the terms'
        ids."""
        terms: dict[str, int] = {}
        clusters: dict[str, int] = {}
        term_ptr, term_id, term_weight, cluster_of = [0], [], [], []
        for token in distinct:
            cluster, own, of_parts = self._vocabulary.token_terms(token)
            cluster_of.append(clusters.setdefault(cluster, len(clusters)))
            for term in own:
                term_id.append(terms.setdefault(term, len(terms)))
                term_weight.append(1.0)
            for term in of_parts:
                term_id.append(terms.setdefault(term, len(terms)))
                term_weight.append(PART_WEIGHT)
            term_ptr.append(len(term_id))
        table = _TermTable(
            np.array(term_ptr), np.array(term_id, dtype=np.int64), np.array(term_weight)
        )
        phrases = _PhraseFinder(self._phrase_table(clusters, terms), len(clusters))
        cluster_ids = np.array(cluster_of, dtype=np.int64)
        in_variants = table.counts(self._variant_chunks(*variants), cluster_ids, phrases)
        in_bodies = table.counts(self._entry_chunks(variants, answers), cluster_ids, phrases)
        return in_variants, in_bodies, terms

    def _build_index(self, in_variants: _Counts, in_bodies: _Counts, terms: dict[str, int]) -> None:
        """BM25 postings for the question variants and the whole entries. IDF counts entries,
        so a variant can't inflate it."""
        n = max(len(self.entries), 1)
        df = in_bodies.df(len(terms))
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        self._idf = {name: float(idf[i]) for name, i in terms.items() if df[i]}
        self._unknown_idf = math.log(1 + (n - 0.5) / 1.5)
        self._term_ids = {name: i for name, i in terms.items() if df[i]}
        self._q_postings = in_variants.postings(idf, len(self._variant_text), self._slot)
        self._b_postings = in_bodies.postings(idf, len(self.entries))

    def _variant_chunks(
        self, starts: np.ndarray, words: np.ndarray
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(variant, word id) of the words of COUNT_CHUNK variants at a time, in reading order."""
        n = len(self._variant_text)
        for low in range(0, n, COUNT_CHUNK):
            high = min(low + COUNT_CHUNK, n)
            yield _doc_ids(starts, low, high), words[starts[low] : starts[high]]

    def _entry_chunks(
        self, variants: tuple[np.ndarray, np.ndarray], answers: tuple[np.ndarray, np.ndarray]
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(entry, word id) of the words of COUNT_CHUNK entries at a time: each entry's
        phrasings, then its answer, in reading order."""
        (q_starts, q_words), (a_starts, a_words) = variants, answers
        n = len(self.entries)
        for low in range(0, n, COUNT_CHUNK):
            high = min(low + COUNT_CHUNK, n)
            first = int(self._variant_start[low])
            last = int(self._variant_start[high]) if high < n else len(self._variant_text)
            doc = np.concatenate(
                (
                    self._variant_entry[_doc_ids(q_starts, first, last)],
                    _doc_ids(a_starts, low, high),
                )
            )
            word = np.concatenate(
                (
                    q_words[q_starts[first] : q_starts[last]],
                    a_words[a_starts[low] : a_starts[high]],
                )
            )
            order = _stable_order(doc)
            yield doc[order], word[order]

    def _phrase_table(
        self, clusters: dict[str, int], terms: dict[str, int]
    ) -> dict[tuple[int, int], list[tuple[tuple[int, ...], int]]]:
        """The synonym phrases as cluster ids: (first, second) -> [(whole phrase, concept)]."""
        table: dict[tuple[int, int], list[tuple[tuple[int, ...], int]]] = defaultdict(list)
        for (first, second), found in self._vocabulary.phrases.items():
            if first not in clusters or second not in clusters:
                continue
            for phrase, concept in found:
                if all(c in clusters for c in phrase):
                    table[clusters[first], clusters[second]].append(
                        (tuple(clusters[c] for c in phrase), terms.setdefault(concept, len(terms)))
                    )
        return table

    def _postings(self, postings: _Index, term: str) -> _Postings:
        term_id = self._term_ids.get(term)
        if term_id is None:
            return _EMPTY
        start, end = postings.bounds[term_id], postings.bounds[term_id + 1]
        return postings.docs[start:end], postings.weights[start:end]

    # -- questions --------------------------------------------------------------------------

    def _positions(
        self,
        pairs: list[tuple[str, str]],
        names: frozenset[str] = frozenset(),
        starts: frozenset[str] = frozenset(),
    ) -> list[_Position]:
        """The question's meaningful words; `names` and `starts` are the capitalised words
        inside and at the start of a sentence (see `_names`)."""
        vocabulary = self._vocabulary
        clusters = [vocabulary.analyse(w)[0] or w for w, _ in pairs]
        phrase_at: dict[int, set[str]] = defaultdict(set)
        for start, end, concept in vocabulary.phrase_concepts(clusters):
            for i in range(start, end):
                phrase_at[i].add(concept)
        positions: list[_Position] = []
        for i, (word, typed) in enumerate(pairs):
            if is_stopword(word, typed) or (len(word) < 2 and not word.isdigit()):
                continue
            cluster, parts = vocabulary.analyse(word)
            if cluster is None and not parts:
                # A word the knowledge base has never seen. A name or a number ("Würth",
                # "order 203455") is the asker's context, not what the question is about.
                if typed in names or any(c.isdigit() for c in word):
                    continue
                corrected = vocabulary.correct(word)
                if corrected is not None:
                    c = vocabulary.analyse(corrected)[0]
                    positions.append(self._position(word, [(c, TYPO_WEIGHT)], phrase_at[i]))
                    continue
                if typed in starts:
                    continue  # a capitalised first word that isn't a typo either: a name
                alternatives = {concept: SYNONYM_WEIGHT for concept in phrase_at[i]}
                positions.append(_Position(word, alternatives, known=bool(alternatives)))
                continue
            if parts:
                for part in parts:
                    alts = [(part, 1.0)] + ([(cluster, 1.0)] if cluster else [])
                    positions.append(self._position(word, alts, phrase_at[i]))
            else:
                positions.append(self._position(word, [(cluster, 1.0)], phrase_at[i]))
        for position in positions:
            idfs = [self._idf.get(t, 0.0) for t in position.alternatives]
            position.weight = max(idfs) if position.known and idfs else self._unknown_idf
        return positions

    def _position(
        self, word: str, clusters: list[tuple[str | None, float]], phrase_concepts: set[str]
    ) -> _Position:
        alternatives: dict[str, float] = {}
        for cluster, weight in clusters:
            if cluster is None:
                continue
            alternatives[cluster] = max(alternatives.get(cluster, 0.0), weight)
            for concept in self._vocabulary.concepts(cluster):
                alternatives[concept] = max(alternatives.get(concept, 0.0), weight * SYNONYM_WEIGHT)
        for concept in phrase_concepts:
            alternatives[concept] = max(alternatives.get(concept, 0.0), SYNONYM_WEIGHT)
        known = any(t in self._idf for t in alternatives)
        return _Position(
            word, {t: w for t, w in alternatives.items() if t in self._idf}, known=known
        )

    def match(self, question: str, limit: int = 3) -> Match:
        semantic = self.semantic
        pairs = tokens(question)
        positions = self._positions(pairs, *_names(question))
        total_weight = sum(p.weight for p in positions)
        if not positions or total_weight <= 0 or not self.entries:
            return Match(question, None, 0.0, False)
        variant_score, variant_cover, in_question = self._field(self._q_postings, positions)
        body_score, body_cover, in_body = self._field(self._b_postings, positions)
        candidates = np.flatnonzero(body_cover > 0)
        if not len(candidates):
            return Match(question, None, 0.0, False, features={"unknown": 1.0})
        # The best question phrasing of each entry, plus the whole entry at a lower weight; then
        # scaled by the share of the question the entry explains, so an entry that matches
        # every word beats one that matches a few words many times.
        best_phrasing, phrasing_cover = self._per_entry(variant_score, variant_cover)
        # (best_phrasing + BODY_WEIGHT * body_score) * body_cover / total_weight, in place
        scores = body_score * BODY_WEIGHT
        scores += best_phrasing
        scores *= body_cover
        scores /= total_weight
        phrasing_cover /= total_weight
        # and times 1 - PHRASING_COVER_WEIGHT + PHRASING_COVER_WEIGHT * phrasing_cover
        phrasing_cover *= PHRASING_COVER_WEIGHT
        phrasing_cover += 1 - PHRASING_COVER_WEIGHT
        scores *= phrasing_cover
        opposite = self._opposite(poles(pairs))
        if opposite.any():
            scores *= np.where(opposite, OPPOSITE_PENALTY, 1.0)
        rerank = RERANK if semantic is None else SEMANTIC_RERANK
        top_k = min(max(limit, rerank), len(candidates))
        values = scores if len(candidates) == len(scores) else scores[candidates]
        pool = candidates[np.argpartition(-values, top_k - 1)[:top_k]]
        asked = {term for p in positions for term in p.alternatives}
        explained = {int(doc): self._explained(int(doc), asked) for doc in pool}
        for doc, share in explained.items():
            scores[doc] *= 1 - EXPLAINED_WEIGHT + EXPLAINED_WEIGHT * share
        # The semantic signal re-ranks the pool; the strength and margin stay the lexical ones
        # (of the entry it ranks first), so they mean the same with it as without it.
        lexical = scores[pool].copy()
        if semantic is not None:
            similarity = semantic.similarities(question)
            closest = float(similarity[pool].max())
            scores[pool] *= np.exp(SEMANTIC_WEIGHT * (similarity[pool] - closest))
        order = np.lexsort((pool, -scores[pool]))
        ranked = pool[order]
        top = int(ranked[0])
        top_score = float(lexical[order[0]])
        second = float(np.delete(lexical, order[0]).max(initial=0.0))
        first = int(self._variant_start[top])
        slots = self._slot[first : first + 1 + len(self.entries[top].phrasings)]
        variant = int(slots[int(np.argmax(variant_score.take(slots)))])
        heaviest = max(p.weight for p in positions)
        weights = [p.weight for p in positions]
        features = {
            "missing": max(
                (w for i, w in enumerate(weights) if not in_body.holds(i, top)),
                default=0.0,
            )
            / heaviest,
            "missing_question": max(
                (w for i, w in enumerate(weights) if not in_question.holds(i, variant)),
                default=0.0,
            )
            / heaviest,
            "coverage": float(body_cover[top]) / total_weight,
            "coverage_question": float(variant_cover[variant]) / total_weight,
            "margin": (top_score - second) / top_score if top_score else 0.0,
            "unknown": sum(p.weight for p in positions if not p.known) / total_weight,
            "strength": top_score / total_weight,
            "opposite": float(opposite[top]),
            "explained": explained[top],
            "phrasings": min(len(self.entries[top].phrasings), PHRASINGS_FULL) / PHRASINGS_FULL,
            "known_words": min(sum(p.known for p in positions), KNOWN_WORDS_FULL)
            / KNOWN_WORDS_FULL,
        }
        confidence = self._confidence(features)
        # Too vague: a word or two, each of which many entries use ("faktura", "order").
        known = [p for p in positions if p.known]
        vague = (
            len({p.word for p in known}) <= VAGUE_WORDS
            and max((p.weight for p in known), default=0.0) < VAGUE_RARITY
            and len(ranked) > 1
        )
        return Match(
            question=question,
            entry=self.entries[top],
            confidence=round(confidence, 4),
            # An entry only about the other side of the question's pair stays a guess, however
            # well its words match.
            answered=confidence >= self.threshold and not vague and not opposite[top],
            runners_up=tuple(
                self.entries[int(doc)]
                for doc in ranked[1 : max(limit, SUGGESTIONS, CLARIFY_OPTIONS)]
            ),
            features=features,
            vague=vague,
        )

    def _field(
        self, postings: _Index, positions: list[_Position]
    ) -> tuple[np.ndarray, np.ndarray, _Hits]:
        """(score, coverage, hits) of every document of a field: each position adds the best of
        its alternatives' weighted values to a document's score, and its weight to the
        coverage where it has one.

        Both sums run position by position, in order, as floating point needs for the same
        answer every time; the coverage is looked up by which positions a document has, in a
        table of those sums (`_Hits`).
        """
        n = postings.size
        score = np.zeros(n)
        hits = _Hits(n, [p.weight for p in positions])
        done: dict[tuple[tuple[str, float], ...], tuple[np.ndarray | None, np.ndarray]] = {}
        masks: dict[tuple[tuple[str, float], ...], np.ndarray] = {}
        for i, position in enumerate(positions):
            key = tuple(position.alternatives.items())
            if key not in done:  # "lagerställe" and "lagerställen" in one question
                done[key] = self._best_of(postings, position.alternatives)
            docs, best = done[key]
            if docs is None:
                score += best
                if key not in masks:
                    masks[key] = best > 0
                hits.add(i, masks[key])
            else:
                # a document in several alternatives is written the same sum each time
                score[docs] = score.take(docs) + best
                hits.add_sparse(i, docs)
        return score, hits.cover(), hits

    def _best_of(
        self, postings: _Index, alternatives: Mapping[str, float]
    ) -> tuple[np.ndarray | None, np.ndarray]:
        """The best of the alternatives' weighted values in each document of a field:
        (None, a value per document) for a position in many documents, or (documents, their
        values) for one in fewer than one in SPARSE_COST, whose sums are then updated document
        by document: most of a large knowledge base has none of its words."""
        n = postings.size
        found = [(*self._postings(postings, t), w) for t, w in alternatives.items()]
        found.sort(key=lambda f: -len(f[0]))  # the longest first: it is only written
        if sum(len(f[0]) for f in found) * SPARSE_COST >= n:
            key = tuple(alternatives.items())
            best = postings.cache.get(key)
            if best is None:
                best = postings.cache.put(key, _best(n, found))
            return None, best
        if len(found) < 2:
            docs, values, weight = found[0] if found else (*_EMPTY, 1.0)
            return docs, values * weight
        docs = np.concatenate([f[0] for f in found])
        return docs, _best(n, found).take(docs)

    def _per_entry(
        self, variant_score: np.ndarray, variant_cover: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The best score and the best coverage of each entry's phrasings: its heading's, then
        each further phrasing's where the entry has one, a layer at a time (`_layers`)."""
        n = len(self.entries)
        found = []
        for values in (variant_score, variant_cover):
            best = values[:n].copy()
            for entries, start in self._layers:
                layer = values[start : start + len(entries)]
                best[entries] = np.maximum(best.take(entries), layer)
            found.append(best)
        return found[0], found[1]

    def _opposite(self, asked: int) -> np.ndarray:
        """Entries that name only the other pole of a pair of which the question names one: a
        question about customers is not answered by an entry only about suppliers, and back."""
        found = np.zeros(len(self.entries), dtype=bool)
        for pair in range(0, len(POLES), 2):
            pole = (asked >> pair) & 3
            if pole in (1, 2):
                found |= self._pair_poles[pair // 2] == 3 - pole
        return found

    def _explained(self, entry: int, asked: set[str]) -> float:
        """How much of the entry's closest phrasing the question accounts for (rarity-weighted).

        Coverage asks whether the entry explains the question; this asks the reverse. An entry
        whose every phrasing is about more than the question ("the customer got the wrong price
        on a posted invoice" for "how do I change an item's price") is probably another topic.
        `asked` holds every index term the question's words could stand for.
        """
        first = int(self._variant_start[entry])
        best = 0.0
        for variant in range(first, first + 1 + len(self.entries[entry].phrasings)):
            total = found = 0.0
            for weight, terms in self._variant_words(variant):
                total += weight
                if not asked.isdisjoint(terms):
                    found += weight
            if total:
                best = max(best, found / total)
        return best

    def _variant_words(self, variant: int) -> tuple[tuple[float, tuple[str, ...]], ...]:
        """(weight, index terms) of each meaningful word of a phrasing; computed when first
        needed, since only the candidates' phrasings ever are."""
        words = self._variant_cache.get(variant)
        if words is None:
            found = []
            for token in tokens(self._variant_text[variant]):
                _, own, of_parts = self._vocabulary.token_terms(token)
                terms = tuple(t for t in (*own, *of_parts) if t in self._idf)
                if terms:
                    found.append((max(self._idf[t] for t in terms), terms))
            words = self._variant_cache[variant] = tuple(found)
        return words

    def _confidence(self, f: dict[str, float]) -> float:
        weights = self.calibration
        z = weights["intercept"] + sum(weights[name] * f[name] for name in FEATURES)
        return 1.0 / (1.0 + math.exp(-z))


_CAPITALISED = re.compile(r"(?:^|(?<=[.!?:\n])\s*|(\s+))\b([A-ZÅÄÖ][a-zåäöéü]+)")


def _names(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Capitalised words inside a sentence (names of customers, suppliers, places) and those
    at a sentence start, lower-cased."""
    inside, starts = set(), set()
    for space, word in _CAPITALISED.findall(text.strip()):
        (inside if space else starts).add(word.lower())
    return frozenset(inside), frozenset(starts)


def _best(n: int, found: list[tuple[np.ndarray, np.ndarray, float]]) -> np.ndarray:
    """Per document, the best weighted value of the alternatives `found` (documents, values,
    weight), longest first (0 where none is)."""
    best = np.zeros(n)
    for i, (docs, values, weight) in enumerate(found):
        weighted = values if weight == 1.0 else values * weight
        best[docs] = weighted if i == 0 else np.maximum(best.take(docs), weighted)
    return best


class _BestCache:
    """The last whole-array bests of question words (`Matcher._best_of`) by their alternatives,
    up to `limit` bytes: the words in many entries are the common ones, asked again and again.
    The arrays are read-only. Like the vocabulary's caches it is not locked: the bot matches on
    one thread."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._arrays: OrderedDict[tuple[tuple[str, float], ...], np.ndarray] = OrderedDict()

    def get(self, key: tuple[tuple[str, float], ...]) -> np.ndarray | None:
        found = self._arrays.get(key)
        if found is not None:
            self._arrays.move_to_end(key)
        return found

    def put(self, key: tuple[tuple[str, float], ...], best: np.ndarray) -> np.ndarray:
        best.flags.writeable = False
        if key not in self._arrays and best.nbytes <= self.limit:
            self._arrays[key] = best
            self.size += best.nbytes
            while self.size > self.limit:
                self.size -= self._arrays.popitem(last=False)[1].nbytes
        return best


class _Hits:
    """Which positions of a question each document of a field has, and the coverage that makes.

    The first FLAG_BITS positions are bits of one flag per document, and the coverage is looked
    up in a table of the weights' sums for each combination of them, each summed in position
    order: one pass over the flags instead of one per position. Later positions (rare) keep a
    mask each and are added in order after.
    """

    def __init__(self, n: int, weights: list[float]) -> None:
        self.n = n
        self.weights = weights
        self.flags = np.zeros(n, dtype=np.uint16)
        self.later: list[np.ndarray] = []

    def add(self, position: int, hit: np.ndarray) -> None:
        """Position `position` is in the documents where the mask `hit` is set."""
        if position < FLAG_BITS:
            bit = np.multiply(hit, np.uint16(1 << position), dtype=np.uint16)
            np.bitwise_or(self.flags, bit, out=self.flags)
        else:
            self.later.append(hit)

    def add_sparse(self, position: int, docs: np.ndarray) -> None:
        """Position `position` is in the documents `docs` (a document may repeat)."""
        if position < FLAG_BITS:
            self.flags[docs] = self.flags.take(docs) | np.uint16(1 << position)
        else:
            hit = np.zeros(self.n, dtype=bool)
            hit[docs] = True
            self.later.append(hit)

    def holds(self, position: int, doc: int) -> bool:
        if position < FLAG_BITS:
            return bool((int(self.flags[doc]) >> position) & 1)
        return bool(self.later[position - FLAG_BITS][doc])

    def cover(self) -> np.ndarray:
        """Per document, the sum of the weights of the positions it has, in position order."""
        table = np.zeros(1)  # by flags: the combinations without a position, then with it
        for weight in self.weights[:FLAG_BITS]:
            table = np.concatenate((table, table + weight))
        cover = table.take(self.flags.astype(np.intp))  # take is slow with small integers
        for weight, hit in zip(self.weights[FLAG_BITS:], self.later, strict=True):
            cover += weight * hit
        return cover


def _doc_ids(starts: np.ndarray, low: int, high: int) -> np.ndarray:
    """The document of each word of documents `low` to `high` (`_WordIds.documents`)."""
    return np.repeat(np.arange(low, high, dtype=np.int64), np.diff(starts[low : high + 1]))
