"""The Dockerfile and compose.yaml, tested without Docker (no image can be built here: no
container registry is reachable): the compose file names PostgreSQL and the Procfile's web and
worker; the Dockerfile copies what the README's install needs, installs with the README's own
command, runs as a user without rights, migrates before it starts, and its health check passes
against the bot its command starts. The last two run the image's steps here, in a folder laid
out like the image's /app (the install takes about a minute)."""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import shutil
import socket
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.store.db import head_revision
from tests.conftest import ROOT
from tests.e2e.fake_slack import FakeSlackAPI

README_INSTALL = "python3 -m venv .venv && .venv/bin/pip install -q -e ."


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, (NAME, arguments), continuation lines joined."""
    joined = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    found = []
    for line in joined.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, rest = line.strip().partition(" ")
            found.append((name.upper(), " ".join(rest.split())))
    return found


def only(name: str) -> str:
    [value] = [rest for instruction, rest in instructions() if instruction == name]
    return value


def procfile() -> dict[str, list[str]]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return {kind: shlex.split(command) for kind, _, command in (x.partition(": ") for x in lines)}


def test_the_readme_installs_with_the_command_the_dockerfile_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    assert f"{README_INSTALL} && .venv/bin/firstline chat" in readme  # the Quick start
    runs = [rest for name, rest in instructions() if name == "RUN"]
    assert any(run.startswith(README_INSTALL) for run in runs)


def test_the_image_is_slim_runs_without_rights_and_migrates_before_it_starts() -> None:
    steps = instructions()
    base = only("FROM")
    assert base.startswith("python:3.") and base.endswith("-slim")
    names = [name for name, _ in steps]
    user = only("USER")
    assert user not in ("root", "0") and names.index("USER") > max(
        i for i, (name, rest) in enumerate(steps) if name == "RUN"
    )
    entrypoint, command = json.loads(only("ENTRYPOINT")), json.loads(only("CMD"))
    assert entrypoint[:2] == ["/bin/sh", "-c"]
    assert entrypoint[2].startswith("firstline db upgrade && exec ")
    assert command == procfile()["web"]
    assert "/healthz" in only("HEALTHCHECK")
    copied = {source for name, rest in steps if name == "COPY" for source in rest.split()[:-1]}
    assert copied == {"pyproject.toml", "README.md", "bot", "handlers", "knowledge"}


def test_compose_starts_web_and_worker_on_postgresql() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "db"}
    assert services["db"]["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    kinds = procfile()
    for name in ("web", "worker"):
        service = services[name]
        assert service["build"] == "."
        assert service["command"] == kinds[name]
        assert service["depends_on"] == {"db": {"condition": "service_healthy"}}
        assert service["environment"]["DATABASE_URL"].startswith("postgresql://firstline:")
        assert service["environment"]["DATABASE_URL"].endswith("@db:5432/firstline")
    assert services["web"]["ports"] == ["${PORT:-3000}:3000"]
    assert services["worker"]["healthcheck"] == {"disable": True}  # Socket Mode: no HTTP port


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder laid out as the image's /app: what the Dockerfile copies, installed with its
    RUN command (network: the package registry, as `docker build` would)."""
    app = tmp_path_factory.mktemp("image") / "app"
    app.mkdir()
    for name, rest in instructions():
        if name == "COPY":
            *sources, target = rest.split()
            for source in sources:
                copy = shutil.copytree if (ROOT / source).is_dir() else shutil.copy
                copy(ROOT / source, app / target if (ROOT / source).is_dir() else app)
    [install] = [rest for name, rest in instructions() if name == "RUN" and "pip" in rest]
    step = install.split(" && chown")[0]  # the owner change needs the image's user
    subprocess.run(["/bin/sh", "-c", step], cwd=app, check=True, timeout=600)
    yield app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_image_migrates_starts_and_its_health_check_passes(
    image: Path, tmp_path: Path
) -> None:
    database = tmp_path / "firstline.db"
    port = free_port()
    async with FakeSlackAPI() as slack:
        env = {
            "PATH": f"{image / '.venv' / 'bin'}:{os.environ['PATH']}",
            "HOME": str(tmp_path),
            "KNOWLEDGE_DIR": str(image / "knowledge"),
            "DATABASE_URL": f"sqlite:///{database}",  # the image's /data/firstline.db
            "PORT": str(port),
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": "secret",
            "SLACK_API_URL": slack.url,
        }
        started = [*json.loads(only("ENTRYPOINT")), *json.loads(only("CMD"))]
        bot = await asyncio.create_subprocess_exec(
            *started,
            cwd=image,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            check = only("HEALTHCHECK").split(" CMD ", 1)[1]
            for _ in range(120):
                probe = await asyncio.create_subprocess_exec("/bin/sh", "-c", check, env=env)
                if await probe.wait() == 0:
                    break
                assert bot.returncode is None, "the bot stopped"
                await asyncio.sleep(0.5)
            else:
                raise AssertionError("the health check never passed")
        finally:
            bot.terminate()
            said = (await asyncio.wait_for(bot.communicate(), 30))[0].decode()
    assert said.index("database is up to date") < said.index("firstline is listening on")
    with sqlite3.connect(database) as db:
        assert list(db.execute("SELECT version_num FROM alembic_version")) == [(head_revision(),)]
    failing = await asyncio.create_subprocess_exec("/bin/sh", "-c", check, env=env)
    assert await failing.wait() != 0  # and it fails when the bot is gone
