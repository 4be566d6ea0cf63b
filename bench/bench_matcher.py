"""Benchmark the matcher's speed and memory on a synthetic knowledge base.

    python bench/bench_matcher.py [--entries 10000] [--queries 2000] [--profile]

Generates a knowledge folder with bench/synthetic.py, then measures:

- index build time: `Knowledge.load` (read and parse the folder + build the Matcher) and the
  Matcher construction alone, best of 3, each from a cold word-root cache (as at bot start);
- per-question latency (p50/p95/p99/max) over paraphrases of the synthetic questions mixed with
  off-topic questions;
- memory: tracemalloc peak and retained size of building the index; RSS (resource.getrusage
  peak and /proc current) of building it in a fresh process, and this whole run's peak RSS.

Prints a table with PASS/FAIL per target and writes a JSON result to bench/results/.
`--profile` adds a cProfile of one build and of the query run, a build phase breakdown and the
number of postings each question visits.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import synthetic
from benchutil import describe, machine, revision, run_at, split_at

import bot.faq.matcher as matcher_module
import bot.faq.text as text_module
from bot.faq.knowledge import Knowledge
from bot.faq.lexicon import lexicon
from bot.faq.loader import DEFAULT_AREAS, load_knowledge
from bot.faq.matcher import Matcher
from bot.faq.text import roots, tokens

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
TARGET_P99_MS = 10.0
TARGET_BUILD_S = 2.0
TARGET_ENTRIES = 10_000


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (p in 0..100)."""
    if not sorted_values:
        return 0.0
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


def rss_peak_mb() -> float:
    """Peak resident set size of this process so far, in MiB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def cold() -> None:
    """Forget the process-wide word caches and collect garbage, as before a fresh start."""
    roots.cache_clear()
    # the fold cache was called _fold_token before 9b354fb; --at may measure such a commit
    (getattr(text_module, "fold_word", None) or text_module._fold_token).cache_clear()
    gc.collect()


def measure_build(root: Path, repeat: int) -> dict[str, Any]:
    """Best-of-`repeat` times for Knowledge.load and for Matcher construction alone."""
    lexicon_s, _ = timed(lexicon)  # parsed once per process, then cached
    full = []
    for _ in range(repeat):
        cold()
        seconds, knowledge = timed(lambda: Knowledge.load(root, DEFAULT_AREAS))
        full.append(seconds)
        del knowledge
    base = load_knowledge(root, DEFAULT_AREAS)
    synonyms = [*lexicon(), *base.synonyms]
    construct = []
    for _ in range(repeat):
        cold()
        seconds, m = timed(lambda: Matcher(base.entries, synonyms))
        construct.append(seconds)
        del m
    return {
        "entries": len(base.entries),
        "files": base.files,
        "problems": len(base.problems),
        "lexicon_parse_s": lexicon_s,
        "load_and_construct_s": full,
        "construct_only_s": construct,
        "load_and_construct_best_s": min(full),
        "construct_only_best_s": min(construct),
    }


def measure_memory(root: Path) -> dict[str, Any]:
    """tracemalloc peak and retained bytes of building the index (Knowledge.load)."""
    cold()
    tracemalloc.start()
    knowledge = Knowledge.load(root, DEFAULT_AREAS)
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del knowledge
    return {"tracemalloc_peak_mb": peak / 2**20, "tracemalloc_retained_mb": retained / 2**20}


def measure_rss(root: Path) -> dict[str, float]:
    """RSS of building the index in a fresh process (so tracemalloc and the other runs don't
    count): baseline after imports, peak (ru_maxrss) and current after `Knowledge.load`."""
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--rss-child", str(root)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout)


def _rss_child(root: Path) -> None:
    lexicon()
    before = _rss_now_mb()
    knowledge = Knowledge.load(root, DEFAULT_AREAS)
    result = {
        "rss_baseline_mb": before,
        "rss_after_build_mb": _rss_now_mb(),
        "rss_peak_build_mb": rss_peak_mb(),
        "entries": len(knowledge.base.entries),
    }
    print(json.dumps(result))


def _rss_now_mb() -> float:
    """Current resident set size in MiB (Linux /proc; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure_latency(
    knowledge: Knowledge, queries: Sequence[synthetic.Query], warmup: Sequence[synthetic.Query]
) -> dict[str, Any]:
    """Per-question latency (ms) over `queries`, after a few `warmup` questions."""
    for q in warmup:
        knowledge.match(q.question)
    by_kind: dict[str, list[float]] = {"all": [], "paraphrase": [], "offtopic": []}
    ranked = answered_right = answerable = abstained = offtopic = 0
    for q in queries:
        start = time.perf_counter_ns()
        match = knowledge.match(q.question)
        ms = (time.perf_counter_ns() - start) / 1e6
        kind = "offtopic" if q.expected is None else "paraphrase"
        by_kind["all"].append(ms)
        by_kind[kind].append(ms)
        best = match.entry.question if match.entry else None
        if q.expected is None:
            offtopic += 1
            abstained += not match.answered
        else:
            answerable += 1
            ranked += best == q.expected
            answered_right += match.answered and best == q.expected
    stats = {}
    for kind, values in by_kind.items():
        values.sort()
        stats[kind] = {
            "n": len(values),
            "mean_ms": statistics.fmean(values) if values else 0.0,
            "p50_ms": percentile(values, 50),
            "p95_ms": percentile(values, 95),
            "p99_ms": percentile(values, 99),
            "max_ms": values[-1] if values else 0.0,
        }
    sanity = {
        "ranking_top1": ranked / answerable if answerable else 0.0,
        "answered_correct": answered_right / answerable if answerable else 0.0,
        "offtopic_abstention": abstained / offtopic if offtopic else 0.0,
    }
    return {"latency": stats, "synthetic_quality": sanity}


def profile(root: Path, queries: Sequence[synthetic.Query], top: int = 15) -> dict[str, Any]:
    """cProfile of a build and the query run, build phases, and postings visited per question."""
    base = load_knowledge(root, DEFAULT_AREAS)
    synonyms = [*lexicon(), *base.synonyms]
    phases = _build_phases(base.entries, synonyms)
    cold()
    build_prof = cProfile.Profile()
    build_prof.enable()
    m = Matcher(base.entries, synonyms)
    build_prof.disable()
    query_prof = cProfile.Profile()
    query_prof.enable()
    for q in queries:
        m.match(q.question)
    query_prof.disable()
    visits, scored = _postings_visited(m, queries)
    # the Matcher held its vocabulary itself before bot/faq/vocabulary.py; --at may measure that
    vocabulary = getattr(m, "_vocabulary", m)
    print("\n== profile: Matcher construction (cProfile, sorted by own time) ==")
    print(_stats_text(build_prof, top))
    print("== profile: match() over the queries (cProfile, sorted by own time) ==")
    print(_stats_text(query_prof, top))
    return {
        "build_phases_s": phases,
        "postings_visited_per_question": _summary(visits),
        "entries_scored_per_question": _summary(scored),
        "index": {
            "variants": len(m._variant_entry),
            "vocabulary": len(vocabulary._word_freq),
            "terms": len(m._term_ids),
            "body_postings": len(m._b_postings.docs),
            "question_postings": len(m._q_postings.docs),
            "typo_deletes": len(vocabulary._deletes),
            "longest_body_posting": int(np.diff(m._b_postings.bounds).max()),
        },
    }


def _build_phases(entries: Sequence[Any], synonyms: list[tuple[str, ...]]) -> dict[str, float]:
    """Wall time of each phase of Matcher construction, by wrapping its steps (bench only)."""
    spent: dict[str, float] = {}

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def inner(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - start

        return inner

    # the Matcher built its vocabulary itself before bot/faq/vocabulary.py; --at may measure that
    vocabulary = getattr(matcher_module, "Vocabulary", None)
    steps = {
        "word ids (tokenise)": (matcher_module._WordIds, "documents"),
        "vocabulary + typo index": (
            (vocabulary, "_build_words") if vocabulary else (Matcher, "_build_vocabulary")
        ),
        "synonyms": (vocabulary or Matcher, "_build_synonyms"),
        "BM25 index (terms, phrases, postings)": (Matcher, "_build_index"),
    }
    originals = {name: getattr(owner, attr) for name, (owner, attr) in steps.items()}
    cold()
    try:
        for name, (owner, attr) in steps.items():
            setattr(owner, attr, wrap(name, originals[name]))
        total, _ = timed(lambda: Matcher(entries, synonyms))
    finally:
        for name, (owner, attr) in steps.items():
            setattr(owner, attr, originals[name])
    spent["total"] = total
    spent["other"] = total - sum(v for k, v in spent.items() if k != "total")
    return spent


def _postings_visited(m: Matcher, queries: Sequence[synthetic.Query]) -> tuple[list, list]:
    """Per question: postings the scoring loop walks, and distinct entries it scores."""
    visits, scored = [], []
    for q in queries:
        n = 0
        docs: set[int] = set()
        for position in m._positions(tokens(q.question)):
            for term in position.alternatives:
                body = m._postings(m._b_postings, term)[0]
                question = m._postings(m._q_postings, term)[0]
                n += len(question) + len(body)
                docs.update(body.tolist())
        visits.append(n)
        scored.append(len(docs))
    return visits, scored


def _summary(values: list[int]) -> dict[str, float]:
    values = sorted(values)
    return {
        "median": statistics.median(values),
        "p95": percentile(values, 95),
        "max": values[-1],
    }


def _stats_text(prof: cProfile.Profile, top: int) -> str:
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    return "\n".join(lines[2:])


def report(result: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """Print the results table; return (target, measured, passed) rows."""
    build, lat, mem = result["build"], result["latency"]["all"], result["memory"]
    n = build["entries"]
    print(
        f"\nmatcher benchmark at {describe(result['revision'])}: {n} entries "
        f"({build['files']} files), {lat['n']} questions"
    )
    print(f"{'measure':<48} {'value':>12}")
    rows = [
        ("build: Knowledge.load, best of 3 (s)", build["load_and_construct_best_s"]),
        ("build: Matcher construction, best of 3 (s)", build["construct_only_best_s"]),
        ("build: lexicon parse, once per process (s)", build["lexicon_parse_s"]),
    ]
    for kind in ("all", "paraphrase", "offtopic"):
        s = result["latency"][kind]
        rows += [
            (f"latency {kind} (n={s['n']}) p50 (ms)", s["p50_ms"]),
            (f"latency {kind} p95 (ms)", s["p95_ms"]),
            (f"latency {kind} p99 (ms)", s["p99_ms"]),
            (f"latency {kind} max (ms)", s["max_ms"]),
        ]
    rows += [
        ("memory: tracemalloc peak, build (MiB)", mem["tracemalloc_peak_mb"]),
        ("memory: tracemalloc retained, entries+index (MiB)", mem["tracemalloc_retained_mb"]),
        ("memory: fresh process, RSS before load (MiB)", mem["rss_baseline_mb"]),
        ("memory: fresh process, RSS after load (MiB)", mem["rss_after_build_mb"]),
        ("memory: fresh process, peak RSS (MiB)", mem["rss_peak_build_mb"]),
        ("memory: this run's peak RSS (MiB)", mem["rss_peak_mb"]),
    ]
    q = result["synthetic_quality"]
    rows += [
        ("sanity: ranking top-1 on paraphrases", q["ranking_top1"]),
        ("sanity: answered correctly on paraphrases", q["answered_correct"]),
        ("sanity: abstention on off-topic", q["offtopic_abstention"]),
    ]
    for name, value in rows:
        print(f"{name:<48} {value:>12.3f}")
    print("build runs (s): load+construct " + _runs(build["load_and_construct_s"]))
    print("                construct only " + _runs(build["construct_only_s"]))
    scale = "" if n == TARGET_ENTRIES else f" (target is for {TARGET_ENTRIES} entries)"
    targets: list[tuple[str, str, bool | None]] = [
        (
            f"p99 latency < {TARGET_P99_MS:g} ms",
            f"{lat['p99_ms']:.2f} ms",
            lat["p99_ms"] < TARGET_P99_MS,
        ),
        (
            f"build (Knowledge.load) < {TARGET_BUILD_S:g} s{scale}",
            f"{build['load_and_construct_best_s']:.2f} s",
            build["load_and_construct_best_s"] < TARGET_BUILD_S if not scale else None,
        ),
    ]
    print("\ntargets")
    for name, measured, passed in targets:
        verdict = "n/a" if passed is None else ("PASS" if passed else "FAIL")
        print(f"  {verdict:<5} {name:<58} measured {measured}")
    return targets


def _runs(values: list[float]) -> str:
    return ", ".join(f"{v:.3f}" for v in values)


def main(argv: Sequence[str] | None = None) -> int:
    commit, rest = split_at(argv)
    if commit:
        return run_at(commit, Path(__file__).resolve(), rest)
    parser = argparse.ArgumentParser(description="Benchmark matcher speed and memory.")
    parser.add_argument("--at", metavar="COMMIT", help="measure this commit's bot/ (git archive)")
    parser.add_argument("--entries", type=int, default=TARGET_ENTRIES)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="build runs (best is reported)")
    parser.add_argument("--kb-dir", type=Path, help="write the synthetic folder here (kept)")
    parser.add_argument("--profile", action="store_true", help="also profile build and queries")
    parser.add_argument("--rss-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(rest)
    if args.rss_child:
        _rss_child(args.rss_child)
        return 0

    with tempfile.TemporaryDirectory(prefix="firstline-bench-") as tmp:
        root = args.kb_dir or Path(tmp) / "knowledge"
        specs = synthetic.generate(args.entries, args.seed)
        synthetic.write_folder(specs, root, args.seed)
        queries = synthetic.make_queries(specs, args.queries, seed=args.seed + 1)
        warmup = synthetic.make_queries(specs, 50, seed=args.seed + 1000)

        build = measure_build(root, args.repeat)
        memory = {**measure_rss(root), **measure_memory(root)}
        cold()
        knowledge = Knowledge.load(root, DEFAULT_AREAS)
        latency = measure_latency(knowledge, queries, warmup)
        memory["rss_peak_mb"] = rss_peak_mb()
        result: dict[str, Any] = {
            "benchmark": "matcher",
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "revision": revision(),
            "params": {
                "entries": args.entries,
                "queries": args.queries,
                "seed": args.seed,
                "repeat": args.repeat,
                "off_topic_share": 0.25,
            },
            "build": build,
            "memory": memory,
            **latency,
        }
        targets = report(result)
        result["targets"] = [
            {"target": name, "measured": measured, "pass": passed}
            for name, measured, passed in targets
        ]
        if args.profile:
            result["profile"] = profile(root, queries)
            _print_profile_summary(result["profile"])

    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"matcher-{args.entries}-{stamp}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {out.relative_to(BENCH.parent)}")
    return 0 if all(p is not False for _, _, p in targets) else 1


def _print_profile_summary(prof: dict[str, Any]) -> None:
    print("== build phases (wall time, s) ==")
    for name, seconds in prof["build_phases_s"].items():
        print(f"  {name:<32} {seconds:8.3f}")
    for key in ("postings_visited_per_question", "entries_scored_per_question"):
        s = prof[key]
        print(f"{key.replace('_', ' ')}: median {s['median']:.0f}, p95 {s['p95']}, max {s['max']}")
    print("index: " + ", ".join(f"{k} {v}" for k, v in prof["index"].items()))


if __name__ == "__main__":
    sys.exit(main())
