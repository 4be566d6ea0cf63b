"""Matching at scale: build time, peak memory and per-question latency at 100,000 entries.

    python bench/bench_scale.py [--entries 100000] [--questions 2000] [--seed 1]
                                [--compare 10000] [--repeat 1] [--at COMMIT] [--profile]

For `--entries` (and, for comparison, `--compare` entries; 0 skips it) this writes a synthetic
knowledge folder with bench/synthetic.py (Swedish and English ERP headings and answers of 40-150
words in finance, warehouse and purchasing, with `Also asked`, tags, owners and `why` parts; the
same seed gives the same folder) and then, in a fresh process each time, does what the bot does
at start-up (bot/app.py `load_knowledge`: `Knowledge.load` of the folder, no learned phrasings):

- build: wall time of parsing the built-in lexicon and of `Knowledge.load` (read and parse the
  files, build the Matcher), from a cold process;
- memory: the process's resident set from /proc/self/status: VmRSS after the imports and after
  the build, and VmHWM (peak RSS) after the build and after every question; in another fresh
  process, tracemalloc's peak and retained size of the same build;
- latency: `time.perf_counter_ns()` around each `Knowledge.match` over `--questions` questions
  (after 50 warm-up questions): exact headings, paraphrases (another template, the other
  language, no å/ä/ö, chat filler, keywords only, inflected), typos, and unanswerable questions
  (off-topic ones, and the ERP questions of bench/heldout*.jsonl that the sample FAQ can't answer).
  Percentiles are nearest-rank.

It also prints a digest of every answer (best entry, confidence as the bot rounds it, answered,
runners-up): two runs with the same arguments print the same digest when the matcher gave the
same answers, so a speed-up can be checked to change none. Each run says the machine's load
average before and after it, since other work on the cores slows it. `--profile` adds a
cProfile of one build and of the questions. The targets (issue 11) are judged at `--entries` on
the median of `--repeat` runs. Writes a JSON result to bench/results/ and exits 1 if a target
fails.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import pstats
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import synthetic
from benchutil import describe, machine, revision, run_at, split_at

from bot.faq.knowledge import Knowledge
from bot.faq.lexicon import lexicon
from bot.faq.loader import DEFAULT_AREAS

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
TARGET_P99_MS = 10.0
TARGET_BUILD_S = 15.0
TARGET_PEAK_MIB = 1024.0
WARMUP = 50
# The question mix: exact headings, paraphrases, typos and unanswerable questions.
SHARES = {"exact": 0.2, "paraphrase": 0.35, "typo": 0.15, "unanswerable": 0.3}
PARAPHRASES = tuple(s for s in synthetic.STYLES if s != "typo")
KINDS = ("all", *SHARES)


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (p in 0..100)."""
    if not sorted_values:
        return 0.0
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


def status_mib(*fields: str) -> dict[str, float]:
    """Fields of /proc/self/status (VmRSS, VmHWM) in MiB; 0 where there is no /proc."""
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return dict.fromkeys(fields, 0.0)
    found = {}
    for name in fields:
        m = re.search(rf"^{name}:\s+(\d+) kB", text, re.MULTILINE)
        found[name] = int(m.group(1)) / 1024 if m else 0.0
    return found


def unanswerable_erp() -> list[str]:
    """The ERP questions of the held-out sets that the sample FAQ can't answer."""
    found = []
    for path in sorted(BENCH.glob("heldout*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line) if line.strip() else {}
            if case and case.get("expected") is None:
                found.append(case["question"])
    return found


def make_questions(
    specs: Sequence[synthetic.Spec], n: int, seed: int, erp: Sequence[str]
) -> list[dict[str, Any]]:
    """`n` questions in the SHARES mix, each {question, expected heading or None, kind, style}."""
    rng = random.Random(seed)
    kinds, weights = list(SHARES), list(SHARES.values())
    questions = []
    for _ in range(n):
        kind = rng.choices(kinds, weights)[0]
        if kind == "unanswerable":
            if erp and rng.random() < 0.5:
                text, style = rng.choice(erp), "erp"
            else:
                text, style = synthetic.off_topic(rng), "offtopic"
            questions.append({"question": text, "expected": None, "kind": kind, "style": style})
            continue
        spec = specs[rng.randrange(len(specs))]
        if kind == "exact":
            text, style = spec.question, "exact"
        else:
            style = "typo" if kind == "typo" else rng.choice(PARAPHRASES)
            text = synthetic.paraphrase(spec, style, rng)
        questions.append(
            {"question": text, "expected": spec.question, "kind": kind, "style": style}
        )
    return questions


# -- in a fresh process -------------------------------------------------------------------------


def child_run(root: Path, questions_file: Path) -> dict[str, Any]:
    """Build as the bot does at start-up, then time every question (run in a fresh process)."""
    plan = json.loads(questions_file.read_text(encoding="utf-8"))
    questions, warmup = plan["questions"], plan["warmup"]
    rss_start = status_mib("VmRSS")["VmRSS"]
    start = time.perf_counter()
    lexicon()
    lexicon_s = time.perf_counter() - start
    knowledge = Knowledge.load(root, DEFAULT_AREAS)
    build_s = time.perf_counter() - start
    after_build = status_mib("VmRSS", "VmHWM")
    for q in warmup:
        knowledge.match(q["question"])
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    digest = hashlib.sha256()
    ranked = right = answerable = 0
    abstained: dict[str, list[int]] = {"offtopic": [0, 0], "erp": [0, 0]}
    for q in questions:
        begin = time.perf_counter_ns()
        match = knowledge.match(q["question"])
        ms = (time.perf_counter_ns() - begin) / 1e6
        times["all"].append(ms)
        times[q["kind"]].append(ms)
        best = match.entry.question if match.entry else None
        runners = [e.question for e in match.runners_up]
        line = json.dumps([q["question"], best, match.confidence, match.answered, runners])
        digest.update(line.encode())
        if q["expected"] is None:
            abstained[q["style"]][0] += not match.answered
            abstained[q["style"]][1] += 1
        else:
            answerable += 1
            ranked += best == q["expected"]
            right += match.answered and best == q["expected"]
    latency = {}
    for kind, values in times.items():
        values.sort()
        latency[kind] = {
            "n": len(values),
            "mean_ms": statistics.fmean(values) if values else 0.0,
            "p50_ms": percentile(values, 50),
            "p99_ms": percentile(values, 99),
            "max_ms": values[-1] if values else 0.0,
        }
    end = status_mib("VmRSS", "VmHWM")
    return {
        "entries": len(knowledge.base.entries),
        "files": knowledge.base.files,
        "lexicon_s": lexicon_s,
        "build_s": build_s,
        "rss_start_mib": rss_start,
        "rss_after_build_mib": after_build["VmRSS"],
        "hwm_after_build_mib": after_build["VmHWM"],
        "rss_end_mib": end["VmRSS"],
        "hwm_end_mib": end["VmHWM"],
        "latency": latency,
        "sanity": {
            "best_guess_right": ranked / answerable if answerable else 0.0,
            "answered_right": right / answerable if answerable else 0.0,
            **{f"abstention_{k}": a / n if n else 0.0 for k, (a, n) in abstained.items()},
        },
        "answers_digest": digest.hexdigest()[:16],
    }


def child_trace(root: Path) -> dict[str, float]:
    """tracemalloc peak and retained size of the start-up build (run in a fresh process)."""
    tracemalloc.start()
    knowledge = Knowledge.load(root, DEFAULT_AREAS)
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del knowledge
    return {"tracemalloc_peak_mib": peak / 2**20, "tracemalloc_retained_mib": retained / 2**20}


def child_profile(root: Path, questions_file: Path, top: int = 25) -> None:
    """cProfile of the build and of the questions, by own time (run in a fresh process)."""
    questions = json.loads(questions_file.read_text(encoding="utf-8"))["questions"]
    build = cProfile.Profile()
    build.enable()
    knowledge = Knowledge.load(root, DEFAULT_AREAS)
    build.disable()
    asking = cProfile.Profile()
    asking.enable()
    for q in questions:
        knowledge.match(q["question"])
    asking.disable()
    for title, prof in (("build (Knowledge.load)", build), ("questions", asking)):
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
        lines = [line for line in out.getvalue().splitlines() if line.strip()]
        print(f"\n== profile: {title}, by own time ==")
        print("\n".join(lines[2:]))


def _in_child(*args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout)


# -- the parent ---------------------------------------------------------------------------------


def measure(n: int, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """Write the `n`-entry folder and its questions, then run the fresh-process measurements."""
    root = tmp / f"kb-{n}"
    start = time.perf_counter()
    specs = synthetic.generate(n, args.seed)
    synthetic.write_folder(specs, root, args.seed)
    erp = unanswerable_erp()
    plan = {
        "questions": make_questions(specs, args.questions, args.seed + 1, erp),
        "warmup": make_questions(specs, WARMUP, args.seed + 1000, erp),
    }
    questions_file = tmp / f"questions-{n}.json"
    questions_file.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    print(f"{n} entries: folder and questions written in {time.perf_counter() - start:.1f} s")
    runs = []
    for i in range(args.repeat):
        load = os.getloadavg()[0]
        runs.append(_in_child("--child-run", str(root), str(questions_file)))
        # the machine's load (1-minute average) before and after: other work on the cores
        # slows the run, so each result says how busy the machine was
        runs[-1]["load_before"], runs[-1]["load_after"] = load, os.getloadavg()[0]
        print(
            f"  run {i + 1}: build {runs[-1]['build_s']:.2f} s, p99 "
            f"{runs[-1]['latency']['all']['p99_ms']:.2f} ms, peak RSS "
            f"{runs[-1]['hwm_end_mib']:.0f} MiB (load average {load:.2f} before, "
            f"{runs[-1]['load_after']:.2f} after)",
            flush=True,
        )
    trace = _in_child("--child-trace", str(root))
    if args.profile:
        subprocess.run(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--child-profile",
                str(root),
                str(questions_file),
            ],
            check=True,
        )
    return {"entries": n, "runs": runs, "tracemalloc": trace}


def _median(runs: list[dict[str, Any]], *path: str) -> float:
    values = []
    for run in runs:
        value: Any = run
        for key in path:
            value = value[key]
        values.append(value)
    return statistics.median(values)


def report(sizes: list[dict[str, Any]], main_n: int) -> list[tuple[str, str, bool]]:
    """Print one column per size (medians of its runs); return the targets at `main_n`."""
    header = f"{'measure':<52}" + "".join(f"{s['entries']:>14,}" for s in sizes)
    print("\n" + header)
    rows: list[tuple[str, tuple[str, ...], str]] = [
        ("build: lexicon parse + Knowledge.load (s)", ("build_s",), "{:.2f}"),
        ("  of which the lexicon parse (s)", ("lexicon_s",), "{:.2f}"),
        ("memory: RSS after imports (MiB)", ("rss_start_mib",), "{:.0f}"),
        ("memory: RSS after build (MiB)", ("rss_after_build_mib",), "{:.0f}"),
        ("memory: peak RSS (VmHWM) after build (MiB)", ("hwm_after_build_mib",), "{:.0f}"),
        ("memory: peak RSS (VmHWM) after questions (MiB)", ("hwm_end_mib",), "{:.0f}"),
    ]
    for kind in KINDS:
        rows += [
            (f"latency {kind}: p50 (ms)", ("latency", kind, "p50_ms"), "{:.2f}"),
            (f"latency {kind}: p99 (ms)", ("latency", kind, "p99_ms"), "{:.2f}"),
            (f"latency {kind}: max (ms)", ("latency", kind, "max_ms"), "{:.2f}"),
        ]
    rows += [
        ("sanity: best guess right (answerable)", ("sanity", "best_guess_right"), "{:.3f}"),
        ("sanity: answered right (answerable)", ("sanity", "answered_right"), "{:.3f}"),
        ("sanity: abstention, off-topic", ("sanity", "abstention_offtopic"), "{:.3f}"),
        ("sanity: abstention, unanswerable ERP", ("sanity", "abstention_erp"), "{:.3f}"),
    ]
    for name, path, fmt in rows:
        print(
            f"{name:<52}" + "".join(f"{fmt.format(_median(s['runs'], *path)):>14}" for s in sizes)
        )
    for key in ("tracemalloc_peak_mib", "tracemalloc_retained_mib"):
        name = f"memory: {key.replace('_mib', '').replace('_', ' ')} (MiB)"
        print(f"{name:<52}" + "".join(f"{s['tracemalloc'][key]:>14.0f}" for s in sizes))
    n_questions = sizes[0]["runs"][0]["latency"]["all"]["n"]
    print(f"{'questions per run':<52}" + f"{n_questions:>14}" * len(sizes))
    print(f"{'runs (fresh processes)':<52}" + "".join(f"{len(s['runs']):>14}" for s in sizes))
    for s in sizes:
        builds = ", ".join(f"{r['build_s']:.2f}" for r in s["runs"])
        digests = sorted({r["answers_digest"] for r in s["runs"]})
        print(f"{s['entries']:,} entries: build runs (s) {builds}; answers digest", *digests)
    main = next(s for s in sizes if s["entries"] == main_n)
    runs = main["runs"]
    p99 = _median(runs, "latency", "all", "p99_ms")
    build = _median(runs, "build_s")
    peak = _median(runs, "hwm_end_mib")
    targets = [
        (f"p99 latency < {TARGET_P99_MS:g} ms", f"{p99:.2f} ms", p99 < TARGET_P99_MS),
        (f"build < {TARGET_BUILD_S:g} s", f"{build:.2f} s", build < TARGET_BUILD_S),
        (f"peak RSS < {TARGET_PEAK_MIB:g} MiB", f"{peak:.0f} MiB", peak < TARGET_PEAK_MIB),
    ]
    print(f"\ntargets at {main_n:,} entries (median of {len(runs)} run(s))")
    for name, measured, passed in targets:
        print(f"  {'PASS' if passed else 'FAIL':<5} {name:<30} measured {measured}")
    return targets


def main(argv: Sequence[str] | None = None) -> int:
    commit, rest = split_at(argv)
    if commit:
        return run_at(commit, Path(__file__).resolve(), rest)
    parser = argparse.ArgumentParser(description="Matcher build, memory and latency at scale.")
    parser.add_argument("--at", metavar="COMMIT", help="measure this commit's bot/ (git archive)")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--compare", type=int, default=10_000, help="also this size; 0: no")
    parser.add_argument("--repeat", type=int, default=1, help="fresh-process runs per size")
    parser.add_argument("--profile", action="store_true", help="cProfile build and questions")
    parser.add_argument("--child-run", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-trace", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-profile", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(rest)
    if args.child_run:
        print(json.dumps(child_run(*args.child_run)))
        return 0
    if args.child_trace:
        print(json.dumps(child_trace(args.child_trace)))
        return 0
    if args.child_profile:
        child_profile(*args.child_profile)
        return 0

    counts = sorted({n for n in (args.compare, args.entries) if n > 0})
    rev = revision()
    print(f"scale benchmark at {describe(rev)}")
    with tempfile.TemporaryDirectory(prefix="firstline-scale-") as tmp:
        sizes = [measure(n, args, Path(tmp)) for n in counts]
    targets = report(sizes, args.entries)
    result = {
        "benchmark": "scale",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "revision": rev,
        "params": {k: v for k, v in vars(args).items() if not k.startswith("child")}
        | {
            "shares": SHARES,
            "warmup": WARMUP,
        },
        "sizes": sizes,
        "targets": [{"target": t, "measured": m, "pass": p} for t, m, p in targets],
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"scale-{args.entries}-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nwrote {out.relative_to(BENCH.parent)}")
    return 0 if all(p for _, _, p in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
