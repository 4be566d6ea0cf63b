"""Match a free-text question to the best FAQ entry, with a calibrated confidence.

The index is BM25 over two fields (the question with its `Also asked` phrasings, and the whole
entry), with terms that survive the ways staff actually type: inflections (word roots), compounds
(split against the knowledge base's own vocabulary), missing å/ä/ö (folded), typos (edit distance
against the vocabulary) and synonyms across Swedish and English (concepts from synonyms.yml).

Two checks then look at the best candidates the way a superuser would. An entry that only names
the other side of a pair the question names (customer or supplier, goods in or out) is pushed
down. And the top few are re-ranked by how much of their closest phrasing the question accounts
for ("explained"): coverage asks whether the entry explains the question, this asks the reverse.

The confidence is a logistic function of those signals: how much of the question the entry
explains (coverage, weighted by rarity), how much of the entry the question explains, how
clearly it beats the runner-up, and words the knowledge base has never seen (which is what makes
the bot abstain on "what's for lunch?"). Names and numbers it has never seen ("Karlssons Måleri",
"invoice 1004877") are the asker's context and don't count at all. The coefficients were fitted
with `bench/calibrate.py` on the tuning sets in tests/eval/.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence, Sized
from dataclasses import dataclass, field

import numpy as np

from bot.faq.model import Entry
from bot.faq.text import (
    POLES,
    fold_word,
    is_stopword,
    poles,
    roots,
    tokens,
    typed_words,
    word_poles,
    words,
)

K1 = 1.2
B = 0.75
BODY_WEIGHT = 1.4
PART_WEIGHT = 0.7
SYNONYM_WEIGHT = 0.9
TYPO_WEIGHT = 0.8
OPPOSITE_PENALTY = 0.3
RERANK = 5
EXPLAINED_WEIGHT = 0.15
# An entry whose closest phrasing covers more of the question ranks higher: on a plain FAQ the
# heading is the one phrasing, and a heading that says what was asked beats a long answer that
# mentions it in passing.
PHRASING_COVER_WEIGHT = 0.6
WORD_CACHE_LIMIT = 100_000

DEFAULT_THRESHOLD = 0.5
# Below the threshold the bot doesn't answer, but from this confidence on it offers its closest
# entries (up to SUGGESTIONS) as similar questions in the FAQ: a button is cheap, and on a plain
# FAQ the right entry is among the closest three far more often than it is the best guess. Chosen
# on the sample, grossist-livs and tillverkare-verkstad (docs/benchmarks.md, "Suggestions").
SUGGEST_FROM = 0.1
SUGGESTIONS = 3
# A guess this confident that accounts for this much of its phrasing ("explained") is plausible:
# a question with one is about the FAQ's subjects, however many words it has that the FAQ lacks.
PLAUSIBLE_FROM = 0.2
PLAUSIBLE_EXPLAINED = 0.4
# A question of one or two words that many entries use ("faktura", "order") is too vague to
# answer: the bot asks which of the closest entries it means instead. Rarity is the words' BM25
# IDF in this knowledge base (below 1.5: used by about a fifth of the entries or more), so what
# counts as generic is measured on each company's own FAQ.
VAGUE_WORDS = 2
VAGUE_RARITY = 1.5
CLARIFY_OPTIONS = 3
# A declined question most of whose weight lies in words the knowledge base has never seen
# ("vad blir det till lunch?") is not about the ERP at all: declined, not escalated.
OFF_TOPIC_UNKNOWN = 0.5
FEATURES = (
    "coverage",
    "coverage_question",
    "margin",
    "unknown",
    "strength",
    "missing",
    "missing_question",
    "opposite",
    "explained",
    "phrasings",
    "known_words",
)
# An entry with many `Also asked` phrasings matches its questions more fully than a plain one, so
# the same coverage means less there: the calibration sees how phrased the best guess is.
PHRASINGS_FULL = 8
# How many of the question's words the knowledge base knows, up to this many: a match on one word
# says less than the same coverage of six.
KNOWN_WORDS_FULL = 8
# Fitted by bench/calibrate.py on every knowledge base of bench/kbs.py (the sample's tuning sets
# and each blind-written company's questions, each plain and phrased; l2 0.01, unanswerable
# questions weighted 2.25): the intercept, then one weight per feature in FEATURES.
CALIBRATION = (
    -3.601,
    0.239,
    0.269,
    1.339,
    -0.009,
    1.466,
    0.097,
    0.075,
    -0.114,
    1.314,
    -0.472,
    1.365,
)


_Postings = tuple[np.ndarray, np.ndarray]
_TokenTerms = tuple[str, tuple[str, ...], tuple[str, ...]]
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
    """BM25 postings of every term id t: `docs[bounds[t]:bounds[t + 1]]` in ascending order and
    the term's weight in each."""

    bounds: np.ndarray
    docs: np.ndarray
    weights: np.ndarray


@dataclass(frozen=True)
class _TermTable:
    """The index terms of every distinct word, by word id: `ids[ptr[w]:ptr[w + 1]]`, each with
    the weight it counts with (1, or PART_WEIGHT for a compound's parts)."""

    ptr: np.ndarray
    ids: np.ndarray
    weights: np.ndarray

    def expand(
        self,
        doc: np.ndarray,
        word: np.ndarray,
        cluster_of: np.ndarray,
        phrases: dict[tuple[int, int], list[tuple[tuple[int, ...], int]]],
        cluster_names: Sized,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(document, term, term frequency) for each term of each document, from the documents'
        word occurrences (`doc[i]` holds word `word[i]`, in reading order)."""
        starts = self.ptr[word]
        counts = self.ptr[word + 1] - starts
        index = np.arange(int(counts.sum())) - np.repeat(
            np.cumsum(counts) - counts - starts, counts
        )
        phrase_doc, phrase_term = _phrase_hits(doc, cluster_of[word], phrases, cluster_names)
        docs = np.concatenate((np.repeat(doc, counts), phrase_doc))
        terms = np.concatenate((self.ids[index], phrase_term))
        weights = np.concatenate((self.weights[index], np.ones(len(phrase_doc))))
        if not len(terms):  # no words, or only words that say nothing (stopwords)
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0)
        width = int(terms.max()) + 1
        keys = docs * width + terms
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        tf = np.add.reduceat(weights[order], first)
        keys = keys[first]
        return keys // width, keys % width, tf


class _WordIds:
    """Ids for distinct (word, as typed) tokens, and documents as arrays of them."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, str], int] = {}
        self._single: dict[str, int] = {}  # typed words that fold to one token: nearly all
        self._other: dict[str, tuple[int, ...]] = {}  # to none ("µ") or to several ("㏂")

    @property
    def distinct(self) -> list[tuple[str, str]]:
        return list(self.ids)

    def documents(self, texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """(document, word id) of every word of the texts, in reading order."""
        lengths: list[int] = []
        flat: list[int] = []
        single, other, ids = self._single, self._other, self.ids
        for text in texts:
            typed = typed_words(text)
            found = list(map(single.get, typed))
            if None in found:
                for word in set(typed).difference(single, other):
                    pieces = tuple(ids.setdefault(t, len(ids)) for t in fold_word(word))
                    if len(pieces) == 1:
                        single[word] = pieces[0]
                    else:
                        other[word] = pieces
                found = list(map(single.get, typed))
            if None in found:
                found = [i for word in typed for i in other.get(word, (single.get(word),))]
            flat.extend(found)
            lengths.append(len(found))
        return _doc_ids(lengths), np.array(flat, dtype=np.int64)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent.setdefault(x, x)
        if parent != x:
            parent = self.parent[x] = self.find(parent)
        return parent

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


class Matcher:
    """An immutable index over a list of entries. Build a new one to reload."""

    def __init__(
        self,
        entries: Sequence[Entry],
        synonyms: Iterable[Sequence[str]] = (),
        threshold: float = DEFAULT_THRESHOLD,
        calibration: Sequence[float] = CALIBRATION,
    ) -> None:
        self.entries = list(entries)
        self.threshold = threshold
        self.calibration = tuple(calibration)
        self._variant_entry = np.array(
            [i for i, e in enumerate(self.entries) for _ in (e.question, *e.phrasings)],
            dtype=np.int64,
        )
        self._variant_start = np.cumsum(
            [0] + [1 + len(e.phrasings) for e in self.entries], dtype=np.int64
        )[:-1]
        self._variant_text = [v for e in self.entries for v in (e.question, *e.phrasings)]
        # Every distinct (word, as typed) gets an id and documents become arrays of ids, so the
        # per-word work below runs once per distinct word, not once per occurrence.
        words_of = _WordIds()
        q_doc, q_tok = words_of.documents(self._variant_text)
        a_doc, a_tok = words_of.documents(
            " ".join((e.answer, e.why or "", *e.tags)) for e in self.entries
        )
        distinct = words_of.distinct
        poles_of_word = np.array([word_poles(*token) for token in distinct], dtype=np.int64)
        variant_poles = np.zeros(len(self._variant_text), dtype=np.int64)
        np.bitwise_or.at(variant_poles, q_doc, poles_of_word[q_tok])
        self._entry_poles = (
            np.bitwise_or.reduceat(variant_poles, self._variant_start)
            if self.entries
            else np.zeros(0, dtype=np.int64)
        )
        # An entry's whole text: its phrasings, then its answer, why and tags.
        b_doc = np.concatenate((self._variant_entry[q_doc], a_doc))
        order = np.argsort(b_doc, kind="stable")
        b_doc, b_tok = b_doc[order], np.concatenate((q_tok, a_tok))[order]
        counts = np.bincount(b_tok, minlength=len(distinct))
        synonym_words = [words(p) for group in synonyms for p in group]
        self._build_vocabulary(distinct, counts.tolist(), synonym_words)
        self._build_synonyms(synonyms)
        self._build_index(distinct, (q_doc, q_tok), (b_doc, b_tok))
        # The per-word terms were needed for every word while indexing; from now on only for the
        # words of the phrasings "explained" reads, so the caches start over and fill as needed.
        self._terms_cache.clear()
        self._variant_cache: dict[int, tuple[tuple[float, tuple[str, ...]], ...]] = {}

    # -- vocabulary -------------------------------------------------------------------------

    def _build_vocabulary(
        self, distinct: list[tuple[str, str]], counts: list[int], extra: list[list[str]]
    ) -> None:
        """Group the vocabulary's words into clusters of inflected forms of the same word."""
        self._word_freq: Counter[str] = Counter()
        for (word, typed), n in zip(distinct, counts, strict=True):
            if n and not is_stopword(word, typed):
                self._word_freq[word] += n
        vocab = set(self._word_freq)
        vocab.update(w for tokens in extra for w in tokens if not is_stopword(w))
        uf = _UnionFind()
        by_root: dict[str, str] = {}
        for word in sorted(vocab, key=lambda w: (len(w), w)):
            uf.find(word)
            for root in roots(word):
                if root in by_root:
                    uf.union(word, by_root[root])
                else:
                    by_root[root] = word
        self._root_cluster = {root: uf.find(word) for root, word in by_root.items()}
        self._deletes: dict[str, set[str]] = defaultdict(set)
        for word in vocab:
            if len(word) >= 5 and not word.isdigit():
                self._deletes[word].add(word)
                for i in range(len(word)):
                    self._deletes[word[:i] + word[i + 1 :]].add(word)
        self._cache: dict[str, tuple[str | None, tuple[str, ...]]] = {}
        self._terms_cache: dict[tuple[str, str], _TokenTerms] = {}

    def _cluster(self, word: str) -> str | None:
        for root in roots(word):
            cluster = self._root_cluster.get(root)
            if cluster is not None:
                return cluster
        return None

    def _split(self, word: str) -> tuple[str, ...]:
        """Split a compound into two known words (leverantörsfakturor -> leverantör + faktura)."""
        best: tuple[str, ...] = ()
        best_len = 0
        for i in range(3, len(word) - 3):
            right = self._cluster(word[i:])
            if right is None:
                continue
            left_word = word[:i]
            left = self._cluster(left_word) if len(left_word) >= 3 else None
            if left is None and left_word.endswith("s") and len(left_word) >= 4:
                left = self._cluster(left_word[:-1])
            if left is None and left_word in self._root_cluster:
                left = self._root_cluster[left_word]
            if left is not None and min(i, len(word) - i) > best_len:
                best, best_len = (left, right), min(i, len(word) - i)
        return best

    def _analyse(self, word: str) -> tuple[str | None, tuple[str, ...]]:
        """(cluster of the word or None, clusters of its compound parts), cached."""
        cached = self._cache.get(word)
        if cached is None:
            if len(self._cache) > WORD_CACHE_LIMIT:
                self._cache.clear()  # questions bring new words forever; start over
            parts = self._split(word) if len(word) >= 7 and not word.isdigit() else ()
            cached = self._cache[word] = (self._cluster(word), parts)
        return cached

    def _correct(self, word: str) -> str | None:
        """The closest vocabulary word within one edit (two for long words), or None."""
        if len(word) < 5 or word.isdigit():
            return None
        limit = 1 if len(word) < 8 else 2
        candidates: set[str] = set()
        probes = {word}
        for _ in range(limit):
            probes |= {p[:i] + p[i + 1 :] for p in probes for i in range(len(p))}
        for probe in probes:
            candidates |= self._deletes.get(probe, set())
        best = None
        best_key: tuple[int, int, str] | None = None
        for cand in candidates:
            dist = _edit_distance(word, cand)
            if dist <= limit:
                key = (dist, -self._word_freq[cand], cand)
                if best_key is None or key < best_key:
                    best, best_key = cand, key
        return best

    # -- synonyms ---------------------------------------------------------------------------

    def _build_synonyms(self, groups: Iterable[Sequence[str]]) -> None:
        """Each synonym group is a concept; words and phrases map to the concepts they belong to."""
        self._word_concepts: dict[str, set[str]] = defaultdict(set)
        self._phrases: dict[tuple[str, str], list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for n, group in enumerate(groups):
            concept = f"~{n}"
            for phrase in group:
                tokens = tuple(words(phrase))
                if len(tokens) == 1:
                    cluster = self._cluster(tokens[0])
                    if cluster is not None:
                        self._word_concepts[cluster].add(concept)
                elif tokens:
                    clusters = tuple(self._cluster(t) or t for t in tokens)
                    self._phrases[clusters[0], clusters[1]].append((clusters, concept))
        self._phrase_starts = frozenset(first for first, _ in self._phrases)

    def _phrase_concepts(self, clusters: list[str]) -> list[tuple[int, int, str]]:
        """(start, end, concept) for each synonym phrase found in a sequence of clusters."""
        starts = self._phrase_starts
        found = []
        for i in [i for i, cluster in enumerate(clusters[:-1]) if cluster in starts]:
            for phrase, concept in self._phrases.get((clusters[i], clusters[i + 1]), ()):
                if tuple(clusters[i : i + len(phrase)]) == phrase:
                    found.append((i, i + len(phrase), concept))
        return found

    # -- documents --------------------------------------------------------------------------

    def _token_terms(self, token: tuple[str, str]) -> _TokenTerms:
        """A document word's cluster, the terms it adds at full weight (its cluster and its
        synonym concepts) and at PART_WEIGHT (its compound parts and theirs). Cached per
        (word, as typed)."""
        cached = self._terms_cache.get(token)
        if cached is not None:
            return cached
        word, typed = token
        cluster, parts = self._analyse(word)
        own: tuple[str, ...] = ()
        of_parts: tuple[str, ...] = ()
        if cluster is not None and not is_stopword(word, typed):
            own = (cluster, *self._word_concepts.get(cluster, ()))
            of_parts = tuple(t for p in parts for t in (p, *self._word_concepts.get(p, ())))
        info = self._terms_cache[token] = (cluster or word, own, of_parts)
        return info

    def _build_index(
        self,
        distinct: list[tuple[str, str]],
        variants: tuple[np.ndarray, np.ndarray],
        bodies: tuple[np.ndarray, np.ndarray],
    ) -> None:
        """BM25 postings for each question variant (the heading and each `Also asked`) and for
        each whole entry, from (document, word id) occurrence arrays. IDF counts entries, so a
        variant can't inflate it."""
        terms: dict[str, int] = {}
        clusters: dict[str, int] = {}
        term_ptr, term_id, term_weight, cluster_of = [0], [], [], []
        for token in distinct:
            cluster, own, of_parts = self._token_terms(token)
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
        phrases = self._phrase_table(clusters, terms)
        cluster_ids = np.array(cluster_of, dtype=np.int64)
        q_doc, q_term, q_tf = table.expand(*variants, cluster_ids, phrases, clusters)
        b_doc, b_term, b_tf = table.expand(*bodies, cluster_ids, phrases, clusters)
        n = max(len(self.entries), 1)
        df = np.bincount(b_term, minlength=len(terms))
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        self._idf = {name: float(idf[i]) for name, i in terms.items() if df[i]}
        self._unknown_idf = math.log(1 + (n - 0.5) / 1.5)
        self._term_ids = {name: i for name, i in terms.items() if df[i]}
        self._q_postings = _bm25(q_doc, q_term, q_tf, idf, len(self._variant_text))
        self._b_postings = _bm25(b_doc, b_term, b_tf, idf, len(self.entries))

    def _phrase_table(
        self, clusters: dict[str, int], terms: dict[str, int]
    ) -> dict[tuple[int, int], list[tuple[tuple[int, ...], int]]]:
        """The synonym phrases as cluster ids: (first, second) -> [(whole phrase, concept)]."""
        table: dict[tuple[int, int], list[tuple[tuple[int, ...], int]]] = defaultdict(list)
        for (first, second), found in self._phrases.items():
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
        clusters = [self._analyse(w)[0] or w for w, _ in pairs]
        phrase_at: dict[int, set[str]] = defaultdict(set)
        for start, end, concept in self._phrase_concepts(clusters):
            for i in range(start, end):
                phrase_at[i].add(concept)
        positions: list[_Position] = []
        for i, (word, typed) in enumerate(pairs):
            if is_stopword(word, typed) or (len(word) < 2 and not word.isdigit()):
                continue
            cluster, parts = self._analyse(word)
            if cluster is None and not parts:
                # A word the knowledge base has never seen. A name or a number ("Würth",
                # "order 203455") is the asker's context, not what the question is about.
                if typed in names or any(c.isdigit() for c in word):
                    continue
                corrected = self._correct(word)
                if corrected is not None:
                    c = self._analyse(corrected)[0]
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
            for concept in self._word_concepts.get(cluster, ()):
                alternatives[concept] = max(alternatives.get(concept, 0.0), weight * SYNONYM_WEIGHT)
        for concept in phrase_concepts:
            alternatives[concept] = max(alternatives.get(concept, 0.0), SYNONYM_WEIGHT)
        known = any(t in self._idf for t in alternatives)
        return _Position(
            word, {t: w for t, w in alternatives.items() if t in self._idf}, known=known
        )

    def match(self, question: str, limit: int = 3) -> Match:
        pairs = tokens(question)
        positions = self._positions(pairs, *_names(question))
        total_weight = sum(p.weight for p in positions)
        if not positions or total_weight <= 0 or not self.entries:
            return Match(question, None, 0.0, False)
        n_variants = len(self._variant_entry)
        variant_score, variant_cover = np.zeros(n_variants), np.zeros(n_variants)
        body_score, body_cover = np.zeros(len(self.entries)), np.zeros(len(self.entries))
        in_question, in_body = [], []
        for position in positions:
            for postings, score, cover, seen in (
                (self._q_postings, variant_score, variant_cover, in_question),
                (self._b_postings, body_score, body_cover, in_body),
            ):
                best = np.zeros(len(score))
                for term, weight in position.alternatives.items():
                    docs, values = self._postings(postings, term)
                    best[docs] = np.maximum(best[docs], values * weight)
                hit = best > 0
                score += best
                cover += position.weight * hit
                seen.append(hit)
        candidates = np.flatnonzero(body_cover)
        if not len(candidates):
            return Match(question, None, 0.0, False, features={"unknown": 1.0})
        # The best question phrasing of each entry, plus the whole entry at a lower weight; then
        # scaled by the share of the question the entry explains, so an entry that matches
        # every word beats one that matches a few words many times.
        best_phrasing = np.maximum.reduceat(variant_score, self._variant_start)
        scores = (best_phrasing + BODY_WEIGHT * body_score) * body_cover / total_weight
        phrasing_cover = np.maximum.reduceat(variant_cover, self._variant_start) / total_weight
        scores *= 1 - PHRASING_COVER_WEIGHT + PHRASING_COVER_WEIGHT * phrasing_cover
        opposite = self._opposite(poles(pairs))
        scores = np.where(opposite, scores * OPPOSITE_PENALTY, scores)
        top_k = min(max(limit, RERANK), len(candidates))
        pool = candidates[np.argpartition(-scores[candidates], top_k - 1)[:top_k]]
        asked = {term for p in positions for term in p.alternatives}
        explained = {int(doc): self._explained(int(doc), asked) for doc in pool}
        for doc, share in explained.items():
            scores[doc] *= 1 - EXPLAINED_WEIGHT + EXPLAINED_WEIGHT * share
        ranked = pool[np.lexsort((pool, -scores[pool]))]
        top = int(ranked[0])
        top_score = float(scores[top])
        second = float(scores[ranked[1]]) if len(ranked) > 1 else 0.0
        first = int(self._variant_start[top])
        phrasings = variant_score[first : first + 1 + len(self.entries[top].phrasings)]
        variant = first + int(np.argmax(phrasings))
        heaviest = max(p.weight for p in positions)
        weights = [p.weight for p in positions]
        features = {
            "missing": max(
                (w for w, h in zip(weights, in_body, strict=True) if not h[top]), default=0.0
            )
            / heaviest,
            "missing_question": max(
                (w for w, h in zip(weights, in_question, strict=True) if not h[variant]),
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

    def _opposite(self, asked: int) -> np.ndarray:
        """Entries that name only the other pole of a pair of which the question names one: a
        question about customers is not answered by an entry only about suppliers, and back."""
        found = np.zeros(len(self.entries), dtype=bool)
        for pair in range(0, len(POLES), 2):
            pole = (asked >> pair) & 3
            if pole in (1, 2):
                found |= ((self._entry_poles >> pair) & 3) == 3 - pole
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
                _, own, of_parts = self._token_terms(token)
                terms = tuple(t for t in (*own, *of_parts) if t in self._idf)
                if terms:
                    found.append((max(self._idf[t] for t in terms), terms))
            words = self._variant_cache[variant] = tuple(found)
        return words

    def _confidence(self, f: dict[str, float]) -> float:
        z = self.calibration[0] + sum(
            w * f[name] for w, name in zip(self.calibration[1:], FEATURES, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-z))


_CAPITALISED = re.compile(r"(?:^|(?<=[.!?:\n])\s*|(\s+))\b([A-ZÅÄÖ][a-zåäöéü]+)")


def _names(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Capitalised words inside a sentence (names of customers, suppliers, places) and those
    at a sentence start, lower-cased."""
    inside, starts = set(), set()
    for space, word in _CAPITALISED.findall(text.strip()):
        (inside if space else starts).add(word.lower())
    return frozenset(inside), frozenset(starts)


def _doc_ids(lengths: list[int]) -> np.ndarray:
    """The document of each occurrence, for documents of these lengths laid end to end."""
    return np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)


def _phrase_hits(
    doc: np.ndarray,
    clusters: np.ndarray,
    phrases: dict[tuple[int, int], list[tuple[tuple[int, ...], int]]],
    cluster_names: Sized,
) -> tuple[np.ndarray, np.ndarray]:
    """(document, concept) for each synonym phrase in the documents' cluster sequences (cluster
    ids below `len(cluster_names)`)."""
    empty = np.zeros(0, dtype=np.int64)
    if not phrases or len(clusters) < 2:
        return empty, empty
    width = len(cluster_names)
    pairs = np.where(doc[:-1] == doc[1:], clusters[:-1] * width + clusters[1:], -1)
    pair_keys, pair_concepts = [], []
    longer: dict[int, list[tuple[tuple[int, ...], int]]] = defaultdict(list)
    for (first, second), found in phrases.items():
        for phrase, concept in found:
            if len(phrase) == 2:
                pair_keys.append(first * width + second)
                pair_concepts.append(concept)
            else:
                longer[first * width + second].append((phrase, concept))
    # Two-word phrases (nearly all of them) in bulk: every occurrence of each wanted pair.
    order = np.argsort(pair_keys, kind="stable")
    keys = np.array(pair_keys, dtype=np.int64)[order]
    concepts = np.array(pair_concepts, dtype=np.int64)[order]
    low = np.searchsorted(keys, pairs, "left")
    counts = np.searchsorted(keys, pairs, "right") - low
    starts = np.flatnonzero(counts)
    counts = counts[starts]
    shift = np.cumsum(counts) - counts - low[starts]
    found_doc = [np.repeat(doc[starts], counts)]
    found_concept = [concepts[np.arange(int(counts.sum())) - np.repeat(shift, counts)]]
    if longer:
        wanted = np.sort(np.array(list(longer), dtype=np.int64))
        at = np.minimum(np.searchsorted(wanted, pairs), len(wanted) - 1)
        for i in np.flatnonzero(wanted[at] == pairs).tolist():
            for phrase, concept in longer[int(pairs[i])]:
                end = i + len(phrase)
                if (
                    end <= len(clusters)
                    and doc[end - 1] == doc[i]
                    and tuple(clusters[i:end].tolist()) == phrase
                ):
                    found_doc.append(np.array([doc[i]]))
                    found_concept.append(np.array([concept]))
    return np.concatenate(found_doc), np.concatenate(found_concept)


def _bm25(
    doc: np.ndarray, term: np.ndarray, tf: np.ndarray, idf: np.ndarray, n_docs: int
) -> _Index:
    lengths = np.bincount(doc, weights=tf, minlength=n_docs)
    length = lengths[doc] / ((lengths.mean() if n_docs else 0.0) or 1.0)
    weight = idf[term] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length))
    order = np.argsort(term * n_docs + doc)  # by term, then document; the pairs are unique
    bounds = np.searchsorted(term[order], np.arange(len(idf) + 1))
    return _Index(bounds, doc[order], weight[order])


def _edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance (Levenshtein plus adjacent transpositions)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]
