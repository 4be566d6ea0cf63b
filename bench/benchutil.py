"""Shared helpers for the benchmarks: what was measured, and on which machine.

Both benchmarks take `--at COMMIT`: they then measure that commit's bot/ (and, for the quality
benchmark, its knowledge/ and question sets) from a `git archive` in a temporary folder, so
uncommitted changes in the working tree don't leak into the numbers.
"""

from __future__ import annotations

import io
import os
import platform
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# What a measured commit contributes, with its held-out sets (bench/heldout*.jsonl), the other
# companies' knowledge bases (bench/kbs/) and the small-talk sets; a held-out set
# a commit does not have yet is skipped (pass the working tree's file with --heldout to measure an
# older commit on it).
SNAPSHOT_PATHS = ("bot", "knowledge", "tests/eval")
_SOURCE = "FIRSTLINE_BENCH_SOURCE"
_COMMIT = "FIRSTLINE_BENCH_COMMIT"


def machine() -> dict[str, Any]:
    """CPU model, core count and Python version of this machine."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def source_root() -> Path:
    """The tree whose knowledge/ and question sets are measured (a snapshot under --at)."""
    return Path(os.environ.get(_SOURCE, ROOT))


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


def revision() -> dict[str, Any]:
    """The commit measured, whether bot/ or knowledge/ had local changes, and where `bot` was
    imported from (it must be the measured tree)."""
    import bot

    bot_path = Path(bot.__file__).resolve().parent
    if not bot_path.is_relative_to(source_root().resolve()):
        raise SystemExit(f"bot was imported from {bot_path}, not from {source_root()}")
    if _COMMIT in os.environ:
        return {"commit": os.environ[_COMMIT], "modified": False, "source": "git archive"}
    try:
        commit = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--", "bot", "knowledge")
    except (OSError, subprocess.CalledProcessError):
        return {"commit": "unknown", "modified": None, "source": "working tree"}
    return {"commit": commit, "modified": bool(dirty), "source": "working tree"}


def describe(rev: dict[str, Any]) -> str:
    """`abc1234 (git archive)` or `abc1234 + local changes in bot/ or knowledge/`."""
    if rev["source"] == "git archive":
        return f"{rev['commit']} (git archive, no local changes)"
    suffix = " + local changes in bot/ or knowledge/" if rev["modified"] else ""
    return f"{rev['commit']}{suffix} (working tree)"


def split_at(argv: Sequence[str] | None) -> tuple[str | None, list[str]]:
    """(commit given with --at, the other arguments)."""
    args = list(sys.argv[1:] if argv is None else argv)
    for i, arg in enumerate(args):
        if arg == "--at" and i + 1 < len(args):
            return args[i + 1], args[:i] + args[i + 2 :]
        if arg.startswith("--at="):
            return arg.split("=", 1)[1], args[:i] + args[i + 1 :]
    return None, args


def run_at(commit: str, script: Path, argv: Sequence[str]) -> int:
    """Run `script` with `argv` against a `git archive` of `commit` (bot/ on PYTHONPATH)."""
    sha = _git("rev-parse", "--verify", f"{commit}^{{commit}}")
    present = _git("ls-tree", "--name-only", sha, "--", *SNAPSHOT_PATHS, "bench/").split()
    paths = [
        p
        for p in present
        if p in SNAPSHOT_PATHS
        or p == "bench/kbs"
        or fnmatch(p, "bench/heldout*.jsonl")
        or fnmatch(p, "bench/smalltalk*.jsonl")
    ]
    archive = subprocess.run(
        ["git", "archive", "--format=tar", sha, *paths],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    with tempfile.TemporaryDirectory(prefix="firstline-at-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        env = {**os.environ, "PYTHONPATH": tmp, _SOURCE: tmp, _COMMIT: sha[:7]}
        return subprocess.run([sys.executable, str(script), *argv], env=env).returncode
