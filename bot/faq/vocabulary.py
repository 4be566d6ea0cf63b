"""The knowledge base's own words, and what a word typed in a question or an entry stands for.

The matcher (bot/faq/matcher.py) indexes and scores; it asks the vocabulary what each word means:

- **Roots:** the inflected forms of a word (`faktura`, `fakturor`, `fakturan`), whose roots
  (`text.roots`) meet, form one cluster, named by one of them. A word is known when one of its
  roots belongs to a cluster.
- **Compounds:** a word of seven letters or more is split, where it can be, into two known words
  (`leverantörsfakturor` -> `leverantör` + `faktura`, with or without the linking s), choosing the
  split with the longest shorter half.
- **Typos:** an unknown word of five letters or more is corrected to the vocabulary word within
  one edit (two from eight letters), found through an index of the words with one letter deleted;
  the nearest wins, then the more frequent, then the first alphabetically, so the same question
  gets the same answer in every process.
- **Synonyms:** each synonym group (the lexicon and the company's synonyms.yml) is a concept
  `~n`. A one-word member gives its cluster the concept; a longer member is a phrase, a sequence
  of clusters, and stands for the concept wherever the sequence occurs.

The vocabulary is built from the words of the entries and of the synonym groups and does not
change after that; what it makes of each word is cached.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence

from bot.faq.text import is_stopword, roots, words

# Questions bring new words forever: the per-word analysis cache starts over past this size.
# Hand-set, not checked; it bounds memory and changes no answer.
WORD_CACHE_LIMIT = 100_000

# Word lengths, in letters; hand-set, and no check of them is recorded. Shorter words
# are too often another real word one edit away to be corrected, or too short to split.
TYPO_FROM = 5  # an unknown word is corrected from this length
TWO_EDITS_FROM = 8  # and within two edits from this length
COMPOUND_FROM = 7  # a word is split into two known words from this length
PART_FROM = 3  # each part at least this long (a linking s makes the left part one longer)

# A word's cluster (or the word itself when it has none), its own terms and its parts' terms.
TokenTerms = tuple[str, tuple[str, ...], tuple[str, ...]]
# Synonym phrases by their first two clusters: [(the whole phrase's clusters, its concept)].
Phrases = Mapping[tuple[str, str], list[tuple[tuple[str, ...], str]]]


class Vocabulary:
    """The words of a knowledge base and of its synonym groups, immutable once built."""

    def __init__(
        self,
        word_counts: Iterable[tuple[tuple[str, str], int]],
        synonyms: Iterable[Sequence[str]] = (),
    ) -> None:
        """`word_counts`: each distinct (folded word, as typed) of the entries and how often it
        occurs; `synonyms`: the synonym groups, each a sequence of words and phrases."""
        extra = [words(p) for group in synonyms for p in group]
        self._build_words(word_counts, extra)
        self._build_synonyms(synonyms)

    def _build_words(
        self, word_counts: Iterable[tuple[tuple[str, str], int]], extra: list[list[str]]
    ) -> None:
        """Group the vocabulary's words into clusters of inflected forms of the same word, and
        index them for typo correction."""
        self._word_freq: Counter[str] = Counter()
        for (word, typed), n in word_counts:
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
        # a word, or the words, each deletion leads to: most lead to one, kept as the word
        # itself (a set each took 15 MiB for the sample knowledge, a third of the bot at rest)
        self._deletes: dict[str, str | tuple[str, ...]] = {}
        for word in vocab:
            if len(word) >= TYPO_FROM and not word.isdigit():
                self._add_delete(word, word)
                for i in range(len(word)):
                    self._add_delete(word[:i] + word[i + 1 :], word)
        self._cache: dict[str, tuple[str | None, tuple[str, ...]]] = {}
        self._terms_cache: dict[tuple[str, str], TokenTerms] = {}

    def _add_delete(self, deleted: str, word: str) -> None:
        have = self._deletes.get(deleted)
        if have is None:
            self._deletes[deleted] = word
        elif isinstance(have, str):
            if have != word:
                self._deletes[deleted] = (have, word)
        elif word not in have:
            self._deletes[deleted] = (*have, word)

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

    # -- words ------------------------------------------------------------------------------

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
        for i in range(PART_FROM, len(word) - PART_FROM):
            right = self._cluster(word[i:])
            if right is None:
                continue
            left_word = word[:i]
            left = self._cluster(left_word) if len(left_word) >= PART_FROM else None
            if left is None and left_word.endswith("s") and len(left_word) > PART_FROM:
                left = self._cluster(left_word[:-1])
            if left is None and left_word in self._root_cluster:
                left = self._root_cluster[left_word]
            if left is not None and min(i, len(word) - i) > best_len:
                best, best_len = (left, right), min(i, len(word) - i)
        return best

    def analyse(self, word: str) -> tuple[str | None, tuple[str, ...]]:
        """(cluster of the word or None, clusters of its compound parts), cached."""
        cached = self._cache.get(word)
        if cached is None:
            if len(self._cache) > WORD_CACHE_LIMIT:
                self._cache.clear()  # questions bring new words forever; start over
            parts = self._split(word) if len(word) >= COMPOUND_FROM and not word.isdigit() else ()
            cached = self._cache[word] = (self._cluster(word), parts)
        return cached

    def correct(self, word: str) -> str | None:
        """The closest vocabulary word within one edit (two for long words), or None."""
        if len(word) < TYPO_FROM or word.isdigit():
            return None
        limit = 1 if len(word) < TWO_EDITS_FROM else 2
        candidates: set[str] = set()
        probes = {word}
        for _ in range(limit):
            probes |= {p[:i] + p[i + 1 :] for p in probes for i in range(len(p))}
        for probe in probes:
            found = self._deletes.get(probe)
            if isinstance(found, str):
                candidates.add(found)
            elif found is not None:
                candidates.update(found)
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

    def concepts(self, cluster: str) -> Collection[str]:
        """The synonym concepts a cluster belongs to as a single word."""
        return self._word_concepts.get(cluster, ())

    @property
    def phrases(self) -> Phrases:
        """The synonym phrases, by their first two clusters."""
        return self._phrases

    def phrase_concepts(self, clusters: list[str]) -> list[tuple[int, int, str]]:
        """(start, end, concept) for each synonym phrase found in a sequence of clusters."""
        starts = self._phrase_starts
        found = []
        for i in [i for i, cluster in enumerate(clusters[:-1]) if cluster in starts]:
            for phrase, concept in self._phrases.get((clusters[i], clusters[i + 1]), ()):
                if tuple(clusters[i : i + len(phrase)]) == phrase:
                    found.append((i, i + len(phrase), concept))
        return found

    # -- document words ---------------------------------------------------------------------

    def token_terms(self, token: tuple[str, str]) -> TokenTerms:
        """A document word's cluster, the terms it adds at full weight (its cluster and its
        synonym concepts) and at the matcher's PART_WEIGHT (its compound parts and theirs).
        Cached per (word, as typed)."""
        cached = self._terms_cache.get(token)
        if cached is not None:
            return cached
        word, typed = token
        cluster, parts = self.analyse(word)
        own: tuple[str, ...] = ()
        of_parts: tuple[str, ...] = ()
        if cluster is not None and not is_stopword(word, typed):
            own = (cluster, *self._word_concepts.get(cluster, ()))
            of_parts = tuple(t for p in parts for t in (p, *self._word_concepts.get(p, ())))
        info = self._terms_cache[token] = (cluster or word, own, of_parts)
        return info

    def clear_term_cache(self) -> None:
        """Forget the cached terms of document words (`token_terms`)."""
        self._terms_cache.clear()


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
