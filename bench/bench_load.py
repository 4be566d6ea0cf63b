"""Load benchmark of `firstline run` (HTTP mode): acks, replies, loss, CPU and memory.

    python bench/bench_load.py [--db sqlite|postgres] [--concurrency 200] [--events 12000]
                               [--channels 200] [--processes 1|2] [--floor | --with-floor]
                               [--quick] [--at COMMIT]

One run: a fake Slack Web API (`tests/e2e/fake_slack.py`, in its own process, see
`bench/loadgen.py`), then the bot as a separate process (`firstline run --http`, with
SLACK_API_URL pointing at the fake, a fresh SQLite file or PostgreSQL database, and a config file
whose support channels are the `--channels` channels), then a burst of `--events` signed
`event_callback` message events sent by `--concurrency` workers, spread over the channels in
turn. The questions are FAQ headings and `Also asked` lines of the sample knowledge, and a share
(`--unanswerable`) of the held-out sets' unanswerable questions, which the bot escalates.

Measured: ack latency (time to the HTTP 200) p50/p99, acks per second, replies per second (posts
the fake records in an event's thread; escalation progress notices in the thread are counted
apart), event-to-reply latency, lost replies (acked with 200, never answered) and duplicate replies
(more than one reply in an event's thread), CPU time per event of the bot process(es) (utime +
stime from /proc/PID/stat, from the start of the burst until the replies stopped), and their RSS
(/proc/PID/status VmRSS) idle before the burst and at its peak. The run waits after the burst
until every acked event has a reply and no post came for `--quiet` seconds, or no post came for
`--settle` seconds, or `--timeout` passed.

`--floor` runs the same burst against a bare Bolt AsyncApp that only acks (aiohttp, its own
process); `--with-floor` runs the floor and then the bot, and keeps the floor's figures in the
bot's JSON line. `--processes 2` starts two bots on two ports against one PostgreSQL database
and sends the events round-robin. `--quick` is a smoke run of about a minute.

`--at COMMIT` runs the bot of that commit (a `git archive` of its bot/, handlers/ and knowledge/,
with `python -m handlers.terminal.cli run --http`) instead of the working tree's
`.venv/bin/firstline run --http`.

Prints one table row per run and a JSON line; appends the JSON to bench/results/load.jsonl and
keeps each bot's log in bench/results/load-logs/. Not a test: no targets are asserted here (see
docs/benchmarks.md, "Load").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import random
import re
import resource
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from loadgen import ROOT, SECRET, SLACK_PATH, Burst, build_events, send_burst

RESULTS = ROOT / "bench" / "results"
CLK_TCK = os.sysconf("SC_CLK_TCK")
DEFAULT_POSTGRES = os.environ.get(
    "FIRSTLINE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
# The sample config's areas and superusers, so unanswered questions are escalated as in use.
CONFIG_REST = """
[areas.finance]
name = "Ekonomi / Finance"
superusers = ["U0ANNA00001", "U0PER000002"]

[areas.warehouse]
name = "Lager / Warehouse"
superusers = ["U0JOHAN0001"]

[areas.purchasing]
name = "Inköp / Purchasing"
superusers = ["U0SARA00001"]

[escalation]
triage_channel = "C0TRIAGE001"
"""


# ---- questions -------------------------------------------------------------------------------
def answerable_questions(knowledge: Path) -> list[str]:
    """Every FAQ heading (`## ...`) and `Also asked` phrasing of the knowledge folder."""
    found: list[str] = []
    for path in sorted((knowledge / "faq").rglob("*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("## "):
                found.append(line[3:].strip())
            elif line.startswith("Also asked:"):
                found += [p.strip() for p in line[len("Also asked:") :].split("|") if p.strip()]
    return found


def unanswerable_questions() -> list[str]:
    """The held-out sets' questions the FAQ has no entry for."""
    found = []
    for path in sorted((ROOT / "bench").glob("heldout*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and (case := json.loads(line))["expected"] is None:
                found.append(case["question"])
    return found


def text_patterns(templates: list[str]) -> re.Pattern[str]:
    alternatives = []
    for template in templates:
        parts = re.split(r"\{\w+\}", template)
        alternatives.append(".*?".join(re.escape(p) for p in parts))
    return re.compile("|".join(f"(?:{a})" for a in alternatives), re.DOTALL)


def progress_patterns() -> re.Pattern[str]:
    """The escalation's progress notices to the asker (they come in the asker's thread too)."""
    from bot.texts import PROGRESS

    return text_patterns([t for templates in PROGRESS.values() for t in templates.values()])


def busy_patterns() -> re.Pattern[str]:
    """The notice that many questions wait, in the asker's thread before the answer."""
    from bot.texts import TEXTS

    return text_patterns([TEXTS[lang]["busy"] for lang in TEXTS])


# ---- processes -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def _cpu_line() -> list[int]:
    return [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent busy (all cores, every process and the kernel)."""
    user, nice, system, _idle, _iowait, irq, softirq = _cpu_line()[:7]
    return (user + nice + system + irq + softirq) / CLK_TCK


def steal_seconds() -> float:
    """CPU time the hypervisor gave to other guests while this machine wanted it."""
    return _cpu_line()[7] / CLK_TCK


async def busy_share(seconds: float = 5.0) -> float:
    """The share of all cores busy over the next `seconds`."""
    before = machine_busy_seconds() + steal_seconds()
    await asyncio.sleep(seconds)
    busy = machine_busy_seconds() + steal_seconds() - before
    return busy / seconds / (os.cpu_count() or 1)


async def wait_quiet(limit: float, threshold: float) -> float:
    """Wait (up to `limit` s) until the machine is quiet; the busy share last seen."""
    deadline = time.time() + limit
    share = await busy_share()
    while share > threshold and time.time() < deadline:
        print(f"the machine is {share:.0%} busy; waiting for it to be quiet", file=sys.stderr)
        share = await busy_share(10.0)
    return share


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


@dataclass
class Source:
    """Where the bot comes from: the working tree, or a git archive of a commit."""

    commit: str
    note: str
    command: list[str]
    cwd: Path
    pythonpath: str | None
    knowledge: Path


def bot_source(at: str | None, tmp: Path) -> Source:
    if at is None:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--", "bot", "handlers", "knowledge")
        note = "working tree" + (" + local changes in bot/, handlers/ or knowledge/" * bool(dirty))
        firstline = Path(sys.executable).parent / "firstline"
        cli = [sys.executable, "-m", "handlers.terminal.cli"]
        command = [str(firstline)] if firstline.exists() else cli
        return Source(commit, note, [*command, "run", "--http"], tmp, None, ROOT / "knowledge")
    sha = git("rev-parse", "--verify", f"{at}^{{commit}}")
    archive = subprocess.run(
        ["git", "archive", "--format=tar", sha, "bot", "handlers", "knowledge"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    tree = tmp / "src"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    command = [sys.executable, "-m", "handlers.terminal.cli", "run", "--http"]
    return Source(sha[:7], "git archive", command, tree, str(tree), tree / "knowledge")


@dataclass
class Target:
    """A server the events are sent to: a bot, or the floor."""

    name: str
    process: subprocess.Popen[bytes]
    url: str
    log: Path


def start_process(
    command: list[str], env: dict[str, str], cwd: Path, log: Path
) -> subprocess.Popen[bytes]:
    with log.open("wb") as stderr:
        return subprocess.Popen(command, env=env, cwd=cwd, stdout=stderr, stderr=stderr)


def base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FIRSTLINE_"))}


async def wait_ready(http: aiohttp.ClientSession, url: str, process: subprocess.Popen) -> None:
    for _ in range(1200):
        if process.poll() is not None:
            raise SystemExit(f"{url}: the process exited with {process.returncode}")
        with contextlib.suppress(aiohttp.ClientError, OSError):
            async with http.get(url) as response:
                if response.status == 200:
                    return
        await asyncio.sleep(0.1)
    raise SystemExit(f"{url} did not come up within 120 s")


def stop_process(process: subprocess.Popen[bytes], timeout: float = 30) -> int | None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return None
    return process.returncode


# ---- PostgreSQL ------------------------------------------------------------------------------
async def create_database(admin_url: str) -> tuple[str, str]:
    import asyncpg

    name = f"firstline_load_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = admin_url.rsplit("/", 1)[0].split("://", 1)[1]
    return name, f"postgresql+asyncpg://{base}/{name}"


async def drop_database(admin_url: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@dataclass
class Backends:
    """CPU seconds of the PostgreSQL backends serving the bots (database `name`), polled every
    second so that a backend that exits during the run still counts."""

    admin_url: str
    name: str
    base: dict[int, float] = field(default_factory=dict)
    last: dict[int, float] = field(default_factory=dict)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def read(self) -> dict[int, float]:
        import asyncpg

        conn = await asyncpg.connect(self.admin_url)
        try:
            sql = "SELECT pid FROM pg_stat_activity WHERE datname = $1"
            rows = await conn.fetch(sql, self.name)
        finally:
            await conn.close()
        found = {}
        for row in rows:
            with contextlib.suppress(OSError):
                found[row["pid"]] = cpu_seconds(row["pid"])
        return found

    async def poll(self) -> None:
        self.base = await self.read()
        while not self.stop.is_set():
            self.last.update(await self.read())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), 1.0)
        self.last.update(await self.read())

    @property
    def cpu(self) -> float:
        return sum(t - self.base.get(pid, 0.0) for pid, t in self.last.items())


# ---- measuring -------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


@dataclass
class Memory:
    """Peak RSS per pid, sampled every `every` seconds while running."""

    pids: list[int]
    peak: dict[int, float] = field(default_factory=dict)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def sample(self, every: float = 0.2) -> None:
        while not self.stop.is_set():
            for pid in self.pids:
                with contextlib.suppress(OSError):
                    self.peak[pid] = max(self.peak.get(pid, 0.0), rss_mib(pid))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), every)


@dataclass
class Replies:
    """The posts the fake recorded, sorted to the events whose thread they are in."""

    thread_of: dict[tuple[str, str], int]
    progress: re.Pattern[str]
    busy: re.Pattern[str]
    replies: dict[int, list[float]] = field(default_factory=dict)
    progress_notices: int = 0
    busy_notices: int = 0
    other_posts: int = 0
    failed_posts: int = 0
    seen: int = 0
    last_post: float = 0.0

    def add(self, posts: list[list[Any]]) -> None:
        for at, channel, thread, ok, text in posts:
            self.seen += 1
            self.last_post = max(self.last_post, at)
            if not ok:
                self.failed_posts += 1
                continue
            event = self.thread_of.get((channel, thread)) if thread else None
            if event is None:
                self.other_posts += 1
            elif self.progress.fullmatch(text or ""):
                self.progress_notices += 1
            elif self.busy.fullmatch(text or ""):
                self.busy_notices += 1
            else:
                self.replies.setdefault(event, []).append(at)


async def fetch_posts(http: aiohttp.ClientSession, fake: str, since: int) -> dict[str, Any]:
    async with http.get(f"{fake}_bench/posts", params={"since": str(since)}) as response:
        return await response.json()


async def settle(
    http: aiohttp.ClientSession,
    fake: str,
    replies: Replies,
    acked: set[int],
    args: argparse.Namespace,
) -> tuple[str, dict[str, int]]:
    """Collect posts until every acked event has a reply and nothing came for `--quiet` s, or
    nothing came for `--settle` s, or `--timeout` passed. Returns why it stopped, and the Web API
    calls by method."""
    started = time.time()
    replies.last_post = max(replies.last_post, started)
    while True:
        await asyncio.sleep(1)
        data = await fetch_posts(http, fake, replies.seen)
        replies.add(data["posts"])
        now = time.time()
        quiet = now - replies.last_post
        if acked <= replies.replies.keys() and quiet >= args.quiet:
            return "all answered", data["methods"]
        if quiet >= args.settle:
            return f"no post for {args.settle:g} s", data["methods"]
        if now - started >= args.timeout:
            return f"timeout {args.timeout:g} s", data["methods"]


def log_summary(logs: list[Path]) -> dict[str, Any]:
    """Lines by level, tracebacks, and the most frequent warning and error messages (digits
    replaced by #) in the bots' logs."""
    levels: Counter[str] = Counter()
    messages: Counter[str] = Counter()
    tracebacks = 0
    level = re.compile(r"^\S+ \S+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) (.*)$")
    for path in logs:
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("Traceback"):
                tracebacks += 1
            if match := level.match(line):
                levels[match[1]] += 1
                if match[1] in ("WARNING", "ERROR", "CRITICAL"):
                    messages[f"{match[1]} {re.sub(r'[0-9]+', '#', match[2])[:240]}"] += 1
            elif re.match(r"^\w+(\.\w+)*(Error|Exception|Timeout)\b", line):
                messages[f"exception {re.sub(r'[0-9]+', '#', line)[:240]}"] += 1
    return {
        "levels": dict(levels),
        "tracebacks": tracebacks,
        "top": [f"{n} × {m}" for m, n in messages.most_common(8)],
    }


# ---- one run ---------------------------------------------------------------------------------
def config_text(channels: list[str]) -> str:
    listed = ",\n".join(f'  "{c}"' for c in channels)
    return f"[bot]\nsupport_channels = [\n{listed},\n]\n{CONFIG_REST}"


def texts_for(args: argparse.Namespace, knowledge: Path) -> list[str]:
    rng = random.Random(args.seed)
    answerable, unanswerable = answerable_questions(knowledge), unanswerable_questions()
    return [
        rng.choice(unanswerable if rng.random() < args.unanswerable else answerable)
        for _ in range(args.events)
    ]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    tag = time.strftime("%Y%m%d-%H%M%S")
    kind = "floor" if args.floor else f"{args.db}-p{args.processes}"
    label = f"{kind}-c{args.concurrency}-n{args.events}"
    logs_dir = RESULTS / "load-logs"
    logs_dir.mkdir(parents=True, exist_ok=True)
    busy_before = await wait_quiet(args.wait_quiet, args.quiet_below)
    with tempfile.TemporaryDirectory(prefix="firstline-load-") as tmp_name:
        tmp = Path(tmp_name)
        source = bot_source(None if args.floor else args.at, tmp)
        channels = [f"C0LOAD{i:04d}" for i in range(1, args.channels + 1)]
        rng = random.Random(args.seed + 1)
        users = [f"U0ASK{rng.randrange(args.users):05d}" for _ in range(args.events)]
        texts = texts_for(args, source.knowledge)
        pg_name = None
        fake_port = free_port()
        fake_log = tmp / "fake.log"
        fake_proc = start_process(
            [sys.executable, str(ROOT / "bench" / "loadgen.py"), "fake", "--port", str(fake_port)],
            base_env(),
            ROOT,
            fake_log,
        )
        fake = f"http://127.0.0.1:{fake_port}/"
        targets: list[Target] = []
        try:
            async with aiohttp.ClientSession() as http:
                await wait_ready(http, f"{fake}_bench/counts", fake_proc)
                if args.floor:
                    port = free_port()
                    log = logs_dir / f"{tag}-{label}.log"
                    command = [sys.executable, str(ROOT / "bench" / "loadgen.py"), "floor"]
                    command += ["--port", str(port), "--api", f"{fake}api/"]
                    process = start_process(command, base_env(), ROOT, log)
                    targets.append(Target("floor", process, f"http://127.0.0.1:{port}", log))
                else:
                    if args.db == "postgres":
                        pg_name, database = await create_database(args.postgres_url)
                    else:
                        database = f"sqlite:///{tmp / 'load.db'}"
                    config = tmp / "firstline.toml"
                    config.write_text(config_text(channels), encoding="utf-8")
                    for k in range(args.processes):
                        port = free_port()
                        env = base_env()
                        env.update(
                            SLACK_BOT_TOKEN="xoxb-load-benchmark",
                            SLACK_SIGNING_SECRET=SECRET,
                            SLACK_API_URL=f"{fake}api/",
                            DATABASE_URL=database,
                            PORT=str(port),
                            FIRSTLINE_CONFIG=str(config),
                            KNOWLEDGE_DIR=str(source.knowledge),
                        )
                        if source.pythonpath:
                            env["PYTHONPATH"] = source.pythonpath
                        log = logs_dir / f"{tag}-{label}-bot{k + 1}.log"
                        process = start_process(source.command, env, source.cwd, log)
                        targets.append(
                            Target(f"bot{k + 1}", process, f"http://127.0.0.1:{port}", log)
                        )
                        # migrations first in one process, then the next one starts
                        await wait_ready(http, targets[-1].url + "/healthz", process)
                for target in targets:
                    await wait_ready(http, target.url + "/healthz", target.process)
                await asyncio.sleep(args.idle_wait)
                pids = [t.process.pid for t in targets]
                idle = {pid: rss_mib(pid) for pid in pids}

                events = build_events(texts, channels, users, uuid.uuid4().hex[:8].upper())
                thread_of = {(e.channel, e.ts): i for i, e in enumerate(events)}
                replies = Replies(thread_of, progress_patterns(), busy_patterns())
                before = await fetch_posts(http, fake, 0)
                replies.add(before["posts"])

                memory = Memory(pids)
                sampler = asyncio.create_task(memory.sample())
                cpu_before = {pid: cpu_seconds(pid) for pid in pids}
                machine_before = machine_busy_seconds()
                steal_before = steal_seconds()
                backends = Backends(args.postgres_url, pg_name) if pg_name else None
                pg_poller = asyncio.create_task(backends.poll()) if backends else None
                fake_cpu_before = cpu_seconds(fake_proc.pid)
                self_before = resource.getrusage(resource.RUSAGE_SELF)
                urls = [t.url + SLACK_PATH for t in targets]
                burst = await send_burst(events, urls, args.concurrency)
                self_after = resource.getrusage(resource.RUSAGE_SELF)
                acked = {i for i, s in enumerate(burst.status) if s == 200}
                if args.floor:
                    await asyncio.sleep(1)
                    stopped, methods = (
                        "floor: no replies",
                        (await fetch_posts(http, fake, 0))["methods"],
                    )
                else:
                    stopped, methods = await settle(http, fake, replies, acked, args)
                cpu_after = {pid: cpu_seconds(pid) for pid in pids}
                machine_after = machine_busy_seconds()
                steal_after = steal_seconds()
                if backends and pg_poller:
                    backends.stop.set()
                    await pg_poller
                measured_until = time.time()
                fake_cpu_after = cpu_seconds(fake_proc.pid)
                end_rss = {pid: rss_mib(pid) for pid in pids}
                memory.stop.set()
                await sampler
        finally:
            exits = {t.name: stop_process(t.process) for t in targets}
            stop_process(fake_proc)
            if pg_name:
                await drop_database(args.postgres_url, pg_name)
        fake_log_text = fake_log.read_text(errors="replace")

    result = summarise(
        args,
        label=label,
        source=source,
        burst=burst,
        acked=acked,
        replies=replies,
        stopped=stopped,
        methods=methods,
        cpu=sum(cpu_after[p] - cpu_before[p] for p in pids),
        generator_cpu=(self_after.ru_utime + self_after.ru_stime)
        - (self_before.ru_utime + self_before.ru_stime),
        fake_cpu=fake_cpu_after - fake_cpu_before,
        machine_cpu=machine_after - machine_before,
        steal=steal_after - steal_before,
        postgres_cpu=backends.cpu if backends else 0.0,
        measured_s=measured_until - burst.started,
        idle=idle,
        peak=memory.peak,
        end_rss=end_rss,
    )
    result["machine_busy_before"] = round(busy_before, 3)
    result["exit_codes"] = exits
    result["logs"] = [str(t.log.relative_to(ROOT)) for t in targets]
    result["log_summary"] = log_summary([t.log for t in targets])
    if "Traceback" in fake_log_text:
        result["fake_traceback"] = fake_log_text[-2000:]
    return result


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def summarise(
    args: argparse.Namespace,
    *,
    label: str,
    source: Source,
    burst: Burst,
    acked: set[int],
    replies: Replies,
    stopped: str,
    methods: dict[str, int],
    cpu: float,
    generator_cpu: float,
    fake_cpu: float,
    machine_cpu: float,
    steal: float,
    postgres_cpu: float,
    measured_s: float,
    idle: dict[int, float],
    peak: dict[int, float],
    end_rss: dict[int, float],
) -> dict[str, Any]:
    n = args.events
    latencies = [burst.latency[i] for i in acked]
    last_ack = max((burst.sent_at[i] + burst.latency[i] for i in acked), default=burst.ended)
    first_reply = {i: min(ts) for i, ts in replies.replies.items()}
    reply_latency = [first_reply[i] - burst.sent_at[i] for i in first_reply]
    answered_acked = [i for i in acked if i in first_reply]
    last_reply = max(first_reply.values(), default=burst.started)
    reply_span = last_reply - burst.started
    statuses = Counter(str(s) for s in burst.status if s != 200)
    result: dict[str, Any] = {
        "label": label,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "target": "bare Bolt floor" if args.floor else "firstline run",
        "commit": source.commit if not args.floor else None,
        "source": source.note if not args.floor else None,
        "db": None if args.floor else args.db,
        "processes": 1 if args.floor else args.processes,
        "concurrency": args.concurrency,
        "events": n,
        "channels": args.channels,
        "unanswerable_share": args.unanswerable,
        "acked": len(acked),
        "not_acked": dict(statuses),
        "client_errors": dict(burst.errors),
        "ack_ms": {
            "p50": ms(percentile(latencies, 50)),
            "p90": ms(percentile(latencies, 90)),
            "p99": ms(percentile(latencies, 99)),
            "max": ms(max(latencies, default=None)),
            "over_3s": sum(1 for x in latencies if x > 3),
        },
        "burst_s": round(last_ack - burst.started, 2),
        "acks_per_s": round(len(acked) / max(last_ack - burst.started, 1e-9), 1),
        "cpu_ms_per_event": round(cpu / n * 1000, 2),
        "generator_cpu_ms_per_event": round(generator_cpu / n * 1000, 3),
        "fake_slack_cpu_ms_per_event": round(fake_cpu / n * 1000, 3),
        # the PostgreSQL backends serving the bots
        "postgres_cpu_ms_per_event": round(postgres_cpu / n * 1000, 2),
        # the rest of the machine's busy CPU while measuring: the kernel, and anything else
        # running on the machine (other people's work disturbs the figures)
        "other_cpu_s": round(machine_cpu - cpu - generator_cpu - fake_cpu - postgres_cpu, 1),
        "steal_s": round(steal, 1),
        "measured_s": round(measured_s, 1),
        "rss_mib": {
            "idle": [round(idle[p], 1) for p in idle],
            "peak": [round(peak.get(p, 0.0), 1) for p in idle],
            "end": [round(end_rss[p], 1) for p in idle],
        },
        "web_api_calls": methods,
    }
    if not args.floor:
        result.update(
            {
                "replied": len(first_reply),
                "replies_per_s": round(len(first_reply) / max(reply_span, 1e-9), 1),
                "reply_span_s": round(reply_span, 2),
                "reply_latency_s": {
                    "p50": round(percentile(reply_latency, 50) or 0, 3),
                    "p99": round(percentile(reply_latency, 99) or 0, 3),
                    "max": round(max(reply_latency, default=0), 3),
                },
                "lost": len(acked) - len(answered_acked),
                "duplicate_events": sum(1 for ts in replies.replies.values() if len(ts) > 1),
                "duplicate_posts": sum(len(ts) - 1 for ts in replies.replies.values()),
                "replies_to_unacked": sum(1 for i in first_reply if i not in acked),
                "progress_notices_in_threads": replies.progress_notices,
                "busy_notices_in_threads": replies.busy_notices,
                "other_posts": replies.other_posts,
                "failed_posts": replies.failed_posts,
                "stopped": stopped,
            }
        )
    return result


# ---- output ----------------------------------------------------------------------------------
COLUMNS = [
    ("run", 22),
    ("acked", 11),
    ("ack p50", 8),
    ("ack p99", 8),
    ("acks/s", 7),
    ("replies/s", 9),
    ("reply p99", 9),
    ("lost", 6),
    ("dup", 4),
    ("CPU/ev", 7),
    ("RSS idle", 8),
    ("RSS peak", 8),
]


def header() -> str:
    cells = [
        f"{name:>{width}}" if i else f"{name:<{width}}" for i, (name, width) in enumerate(COLUMNS)
    ]
    return "  ".join(cells)


def row(result: dict[str, Any]) -> str:
    replies = "floor" not in result["label"]
    rss = result["rss_mib"]
    values = [
        result["label"],
        f"{result['acked']}/{result['events']}",
        f"{result['ack_ms']['p50']} ms",
        f"{result['ack_ms']['p99']} ms",
        f"{result['acks_per_s']:.0f}",
        f"{result['replies_per_s']:.0f}" if replies else "-",
        f"{result['reply_latency_s']['p99']:.1f} s" if replies else "-",
        str(result["lost"]) if replies else "-",
        str(result["duplicate_events"]) if replies else "-",
        f"{result['cpu_ms_per_event']} ms",
        "+".join(f"{x:.0f}" for x in rss["idle"]) + " M",
        "+".join(f"{x:.0f}" for x in rss["peak"]) + " M",
    ]
    return "  ".join(
        f"{v:>{w}}" if i else f"{v:<{w}}"
        for i, (v, (_, w)) in enumerate(zip(values, COLUMNS, strict=True))
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Load benchmark of firstline run (see the module docstring)."
    )
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--events", type=int, default=12_000)
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--processes", type=int, choices=(1, 2), default=1)
    parser.add_argument("--floor", action="store_true", help="a bare Bolt app that only acks")
    parser.add_argument(
        "--with-floor", action="store_true", help="run the floor first, then the bot, at once"
    )
    parser.add_argument("--quick", action="store_true", help="a 1-minute smoke run")
    parser.add_argument("--at", help="run the bot of this commit (a git archive)")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES, help="an admin URL")
    parser.add_argument("--unanswerable", type=float, default=0.2, help="share of the events")
    parser.add_argument("--users", type=int, default=1000, help="distinct askers")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--idle-wait", type=float, default=3.0, help="s before the idle RSS")
    parser.add_argument("--quiet", type=float, default=12.0, help="s without a post, all replied")
    parser.add_argument("--settle", type=float, default=60.0, help="s without any post")
    parser.add_argument("--timeout", type=float, default=900.0, help="s after the burst at most")
    parser.add_argument(
        "--wait-quiet", type=float, default=0.0, help="wait up to this many s for a quiet machine"
    )
    parser.add_argument(
        "--quiet-below", type=float, default=0.15, help="quiet: this share of the cores busy"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.concurrency, args.events, args.settle, args.quiet = 20, 600, 20.0, 5.0
    if args.processes == 2 and args.db != "postgres" and not args.floor:
        parser.error("--processes 2 needs --db postgres (two processes share one database)")
    return args


def report(result: dict[str, Any]) -> None:
    """The table row, what else was seen, and the JSON line; the JSON is kept in
    bench/results/load.jsonl too."""
    print(header())
    print(row(result))
    extra = []
    if "replied" in result:
        extra.append(
            f"replies {result['replied']}, progress notices in threads "
            f"{result['progress_notices_in_threads']}, busy notices in threads "
            f"{result.get('busy_notices_in_threads', 0)}, other posts {result['other_posts']}, "
            f"failed posts {result['failed_posts']}; stopped: {result['stopped']}"
        )
    extra.append(
        f"not acked {result['not_acked'] or 0}, client errors {result['client_errors'] or 0}, "
        f"acks over 3 s {result['ack_ms']['over_3s']}; generator CPU "
        f"{result['generator_cpu_ms_per_event']} ms/event, fake Slack "
        f"{result['fake_slack_cpu_ms_per_event']} ms/event, PostgreSQL "
        f"{result['postgres_cpu_ms_per_event']} ms/event; other CPU on the machine "
        f"{result['other_cpu_s']} s and steal {result['steal_s']} s in "
        f"{result['measured_s']} s (busy before: "
        f"{result['machine_busy_before']:.0%}); Web API calls "
        f"{result['web_api_calls']}"
    )
    logs = result["log_summary"]
    extra.append(f"log lines {logs['levels']}, tracebacks {logs['tracebacks']}")
    extra += [f"  {line}" for line in logs["top"]]
    print("\n".join(extra))
    print(json.dumps(result, ensure_ascii=False), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    with (RESULTS / "load.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps(result, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    floor = None
    if args.with_floor and not args.floor:
        floor = asyncio.run(run(argparse.Namespace(**{**vars(args), "floor": True})))
        report(floor)
        args.wait_quiet = 0.0  # the bot right after its floor
    result = asyncio.run(run(args))
    if floor is not None:
        keys = ("label", "date", "ack_ms", "acks_per_s", "cpu_ms_per_event", "other_cpu_s")
        result["floor"] = {k: floor[k] for k in (*keys, "steal_s", "measured_s")}
    report(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
