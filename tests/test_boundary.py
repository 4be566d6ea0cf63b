"""The core is channel-free: nothing under bot/ imports a chat platform's SDK or an adapter.

Walks every module's imports (top level and inside functions), so a lazy import can't slip by.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parent.parent / "bot"
FORBIDDEN = ("slack_bolt", "slack_sdk", "slack", "microsoft_agents", "botbuilder", "handlers")


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import statement in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def forbidden(module: str) -> bool:
    top = module.split(".")[0]
    return top in FORBIDDEN or top.startswith(("slack_", "microsoft_agents"))


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: str(p.relative_to(CORE)))
def test_the_core_imports_no_channel(path: Path) -> None:
    bad = [f"line {line}: {module}" for line, module in imported(path) if forbidden(module)]
    assert not bad, f"{path.relative_to(CORE.parent)} imports a channel: {', '.join(bad)}"


def test_the_walk_sees_a_lazy_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from handlers.slack.runner import run_slack\n")
    assert [m for _, m in imported(module) if forbidden(m)] == ["handlers.slack.runner"]
