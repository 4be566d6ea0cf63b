"""Match a free-text question to the best FAQ entry, with a calibrated confidence.

The index is BM25 over two fields (the question with its `Also asked` phrasings, and the whole
entry), with terms that survive the ways staff actually type: inflections (word roots), compounds
(split against the knowledge base's own vocabulary), missing å/ä/ö (folded), typos (edit distance
against the vocabulary) and synonyms across Swedish and English (concepts from synonyms.yml).

The confidence is a logistic function of how much of the question the entry explains (coverage,
weighted by rarity) and how clearly it beats the runner-up; the coefficients were fitted with
`bench/calibrate.py` on the tuning set in tests/eval/. Words the knowledge base has never seen
count against coverage, which is what makes the bot abstain on "what's for lunch?".
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain

import numpy as np

from bot.faq.model import Entry
from bot.faq.text import is_stopword, roots, tokens, words

K1 = 1.2
B = 0.75
BODY_WEIGHT = 0.35
PART_WEIGHT = 0.7
SYNONYM_WEIGHT = 0.9
TYPO_WEIGHT = 0.8
WORD_CACHE_LIMIT = 100_000

DEFAULT_THRESHOLD = 0.5
FEATURES = (
    "coverage",
    "coverage_question",
    "margin",
    "unknown",
    "strength",
    "missing",
    "missing_question",
)
# Fitted by bench/calibrate.py on tests/eval/cases*.jsonl (l2 0.01): the intercept, then one
# weight per feature in FEATURES.
CALIBRATION = (-2.380, 1.132, 1.078, 1.404, -0.756, 1.620, 0.266, 0.270)


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


@dataclass
class _Position:
    """One meaningful word of the question and the index terms that would satisfy it."""

    word: str
    alternatives: dict[str, float]
    weight: float = 0.0
    known: bool = True


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
            [i for i, e in enumerate(self.entries) for _ in (e.question, *e.also_asked)],
            dtype=np.int64,
        )
        self._variant_start = np.array(
            np.cumsum([0] + [1 + len(e.also_asked) for e in self.entries[:-1]]), dtype=np.int64
        )
        q_tokens = [tokens(v) for e in self.entries for v in (e.question, *e.also_asked)]
        b_tokens = []
        for e, first in zip(self.entries, self._variant_start.tolist(), strict=True):
            own = list(chain.from_iterable(q_tokens[first : first + 1 + len(e.also_asked)]))
            b_tokens.append(own + tokens(" ".join((e.answer, e.why or "", " ".join(e.tags)))))
        synonym_words = [words(p) for group in synonyms for p in group]
        self._build_vocabulary(b_tokens, synonym_words)
        self._build_synonyms(synonyms)
        q_terms = [self._doc_terms(t) for t in q_tokens]
        b_terms = [self._doc_terms(t) for t in b_tokens]
        self._build_postings(q_terms, b_terms)
        self._terms_cache.clear()  # only needed while indexing

    # -- vocabulary -------------------------------------------------------------------------

    def _build_vocabulary(self, docs: list[list[tuple[str, str]]], extra: list[list[str]]) -> None:
        """Group the vocabulary's words into clusters of inflected forms of the same word."""
        counts: Counter[tuple[str, str]] = Counter()
        for doc in docs:
            counts.update(doc)
        self._word_freq: Counter[str] = Counter()
        for (word, typed), n in counts.items():
            if not is_stopword(word, typed):
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
        best_key: tuple[int, int] | None = None
        for cand in candidates:
            dist = _edit_distance(word, cand)
            if dist <= limit:
                key = (dist, -self._word_freq[cand])
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

    def _doc_terms(self, doc: list[tuple[str, str]]) -> Counter[str]:
        clusters: list[str] = []
        whole: list[str] = []
        parts: list[str] = []
        cache = self._terms_cache
        for token in doc:
            cluster, own, of_parts = cache.get(token) or self._token_terms(token)
            clusters.append(cluster)
            whole += own
            if of_parts:
                parts += of_parts
        terms: Counter[str] = Counter(whole)
        for term, count in Counter(parts).items():
            terms[term] += count * PART_WEIGHT
        terms.update(concept for _, _, concept in self._phrase_concepts(clusters))
        return terms

    def _token_terms(self, token: tuple[str, str]) -> _TokenTerms:
        """A document word's cluster, the terms it adds at full weight (its cluster and its
        synonym concepts) and at PART_WEIGHT (its compound parts and theirs). Cached per
        (word, as typed)."""
        word, typed = token
        cluster, parts = self._analyse(word)
        own: tuple[str, ...] = ()
        of_parts: tuple[str, ...] = ()
        if cluster is not None and not is_stopword(word, typed):
            own = (cluster, *self._word_concepts.get(cluster, ()))
            of_parts = tuple(t for p in parts for t in (p, *self._word_concepts.get(p, ())))
        info = self._terms_cache[token] = (cluster or word, own, of_parts)
        return info

    def _build_postings(self, q_terms: list[Counter[str]], b_terms: list[Counter[str]]) -> None:
        """BM25 weights per term: for each question variant (the heading and each `Also asked`)
        and for each whole entry. IDF counts entries, so a variant can't inflate it."""
        n = max(len(self.entries), 1)
        df: Counter[str] = Counter()
        for terms in b_terms:
            df.update(terms.keys())
        self._idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self._unknown_idf = math.log(1 + (n - 0.5) / 1.5)
        self._q_postings = self._bm25(q_terms)
        self._b_postings = self._bm25(b_terms)

    def _bm25(self, docs: list[Counter[str]]) -> dict[str, _Postings]:
        """term -> (documents in ascending order, BM25 weight in each), computed in bulk."""
        names: dict[str, int] = {}
        term_ids: list[int] = []
        doc_ids: list[int] = []
        tfs: list[float] = []
        for doc, terms in enumerate(docs):
            term_ids += [names.setdefault(term, len(names)) for term in terms]
            doc_ids += [doc] * len(terms)
            tfs += terms.values()
        if not names:
            return {}
        lengths = np.array([sum(t.values()) for t in docs])
        tf, doc_id, term_id = np.array(tfs), np.array(doc_ids), np.array(term_ids)
        length = lengths[doc_id] / (lengths.mean() or 1.0)
        idf = np.array([self._idf[term] for term in names])
        weight = idf[term_id] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length))
        order = np.argsort(term_id, kind="stable")
        bounds = np.searchsorted(term_id[order], np.arange(len(names) + 1))
        return {
            term: (
                doc_id[order[bounds[i] : bounds[i + 1]]],
                weight[order[bounds[i] : bounds[i + 1]]],
            )
            for term, i in names.items()
        }

    # -- questions --------------------------------------------------------------------------

    def _positions(self, question: str) -> list[_Position]:
        pairs = tokens(question)
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
                corrected = self._correct(word)
                if corrected is not None:
                    c = self._analyse(corrected)[0]
                    positions.append(self._position(word, [(c, TYPO_WEIGHT)], phrase_at[i]))
                    continue
            if cluster is None and not parts:
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
        positions = self._positions(question)
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
                    docs, values = postings.get(term, _EMPTY)
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
        top_k = min(limit, len(candidates))
        pool = candidates[np.argpartition(-scores[candidates], top_k - 1)[:top_k]]
        ranked = pool[np.lexsort((pool, -scores[pool]))]
        top = int(ranked[0])
        top_score = float(scores[top])
        second = float(scores[ranked[1]]) if len(ranked) > 1 else 0.0
        first = int(self._variant_start[top])
        phrasings = variant_score[first : first + 1 + len(self.entries[top].also_asked)]
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
        }
        confidence = self._confidence(features)
        return Match(
            question=question,
            entry=self.entries[top],
            confidence=round(confidence, 4),
            answered=confidence >= self.threshold,
            runners_up=tuple(self.entries[int(doc)] for doc in ranked[1:limit]),
            features=features,
        )

    def _confidence(self, f: dict[str, float]) -> float:
        z = self.calibration[0] + sum(
            w * f[name] for w, name in zip(self.calibration[1:], FEATURES, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-z))


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
