"""Loading the knowledge folder: the format, and clear messages for every kind of bad file."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.faq.loader import (
    KnowledgeError,
    load_knowledge,
    parse_faq_file,
    unconfigured_areas_problem,
)
from tests.conftest import KNOWLEDGE

GOOD = """---
area: finance
tags: [kundreskontra]
---

# Kundfakturor

## Hur krediterar jag en kundfaktura?
Also asked: Hur makulerar jag en faktura? | How do I credit an invoice?
Tags: kreditnota
Owner: Anna Lind

Öppna **Försäljning > Bokförda försäljningsfakturor**.

```
## not a heading inside a code block
```

### Varför gör vi så?
Bokföringslagen.

## How do I send a reminder?
Run **Reminders** every Monday.
"""


def write(root: Path, name: str, text: str) -> Path:
    path = root / "faq" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_entries_extras_and_why() -> None:
    entries, problems = parse_faq_file(GOOD, "faq/finance.md")
    assert problems == []
    first, second = entries
    assert first.question == "Hur krediterar jag en kundfaktura?"
    assert first.also_asked == ("Hur makulerar jag en faktura?", "How do I credit an invoice?")
    assert first.tags == ("kundreskontra", "kreditnota")
    assert first.owner == "Anna Lind"
    assert first.area == "finance" and first.line == 8
    assert "## not a heading inside a code block" in first.answer
    assert first.why == "Bokföringslagen." and first.why_title == "Varför gör vi så?"
    assert "Varför" not in first.answer
    assert second.question == "How do I send a reminder?" and second.why is None
    assert second.also_asked == () and second.tags == ("kundreskontra",)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("## Q?\nA.\n", "broken front matter: the file must start with '---'", 1),
        ("---\narea: [finance\n---\n## Q?\nA.\n", "broken front matter", 2),
        ("---\narea: finance\n## Q?\nA.\n", "broken front matter: no closing '---'", 1),
        ("---\ntags: [x]\n---\n## Q?\nA.\n", "missing area", 1),
        ("---\narea: hr\n---\n## Q?\nA.\n", "unknown area 'hr'", 1),
        ("---\narea: finance\n---\n## Q?\n\n## R?\nB.\n", "empty answer for 'Q?'", 4),
        ("---\narea: finance\n---\nJust text.\n", "no entries", 4),
    ],
)
def test_bad_files_get_a_message_with_file_and_line(text: str, message: str, line: int) -> None:
    _, problems = parse_faq_file(text, "faq/bad.md")
    assert problems, "expected a problem"
    assert problems[0].file == "faq/bad.md"
    assert problems[0].line == line
    assert message in problems[0].message


def test_bad_files_are_skipped_and_valid_entries_kept(tmp_path: Path) -> None:
    write(tmp_path, "finance/good.md", GOOD)
    write(tmp_path, "warehouse/broken.md", "---\narea: [\n---\n## Q?\nA.\n")
    write(
        tmp_path,
        "purchasing/dup.md",
        "---\narea: purchasing\n---\n## how do I send a reminder\nX.\n## Ny fråga?\nSvar.\n",
    )
    kb = load_knowledge(tmp_path)
    assert [e.question for e in kb.entries] == [
        "Hur krediterar jag en kundfaktura?",
        "How do I send a reminder?",
        "Ny fråga?",
    ]
    messages = [str(p) for p in kb.problems]
    assert any(
        m.startswith(f"{tmp_path.name}/faq/warehouse/broken.md:2: broken front matter")
        for m in messages
    )
    assert any(
        "purchasing/dup.md:4: duplicate question, first at" in m and "finance/good.md:22" in m
        for m in messages
    )


def test_a_folder_with_only_faq_works_and_a_missing_faq_folder_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "one.md", "---\narea: warehouse\n---\n## Var är lagret?\nI Jönköping.\n")
    kb = load_knowledge(tmp_path)
    assert len(kb.entries) == 1 and kb.synonyms == [] and kb.problems == []
    with pytest.raises(KnowledgeError, match="no faq/ folder"):
        load_knowledge(tmp_path / "nowhere")


def test_synonym_problems_are_reported_with_line(tmp_path: Path) -> None:
    write(tmp_path, "one.md", "---\narea: warehouse\n---\n## Var är lagret?\nI Jönköping.\n")
    (tmp_path / "synonyms.yml").write_text("- [följesedel, delivery note]\n- [ensam]\n- hej\n")
    kb = load_knowledge(tmp_path)
    assert kb.synonyms == [("följesedel", "delivery note")]
    assert [p.line for p in kb.problems] == [2, 3]
    (tmp_path / "synonyms.yml").write_text("- [a, b\n")
    kb = load_knowledge(tmp_path)
    assert "broken YAML" in kb.problems[0].message


def test_custom_areas(tmp_path: Path) -> None:
    write(tmp_path, "hr.md", "---\narea: hr\n---\n## Semester?\nAnsök i portalen.\n")
    assert load_knowledge(tmp_path, areas=("hr",)).entries[0].area == "hr"
    assert "unknown area 'hr'" in load_knowledge(tmp_path).problems[0].message


def test_faq_areas_the_config_lacks_are_counted_and_said_in_one_error_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """[areas] without two of the sample's areas: 47 of its 71 entries can't be loaded, and the
    log says so once, as an error, with what to do (not a warning per file)."""
    caplog.set_level(logging.WARNING, logger="bot.faq.loader")
    kb = load_knowledge(KNOWLEDGE, areas=("finance", "hr"))
    assert len(kb.entries) == 24
    assert kb.unconfigured_areas == {"warehouse": 24, "purchasing": 23}
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert record.getMessage() == unconfigured_areas_problem(kb)
    assert record.getMessage() == (
        "knowledge: 47 of 71 FAQ entries are skipped: their files name areas the config "
        "does not define: purchasing (23 entries), warehouse (24 entries); defined: finance, hr. "
        "Add [areas.purchasing] and [areas.warehouse] to the config file (FIRSTLINE_CONFIG), "
        "or change `area:` in those files"
    )
    assert unconfigured_areas_problem(load_knowledge(KNOWLEDGE)) is None


def test_sample_knowledge_base_is_clean_and_big_enough() -> None:
    kb = load_knowledge(KNOWLEDGE)
    assert kb.problems == []
    for area in ("finance", "warehouse", "purchasing"):
        assert sum(e.area == area for e in kb.entries) >= 20
    assert len(kb.synonyms) >= 50


def test_files_that_are_not_utf8_are_reported_and_the_rest_loads(tmp_path: Path) -> None:
    write(tmp_path, "one.md", "---\narea: warehouse\n---\n## Var är lagret?\nI Jönköping.\n")
    (tmp_path / "faq" / "latin1.md").write_bytes("## Fråga?\nSvar.\n".encode("latin-1"))
    (tmp_path / "synonyms.yml").write_bytes("- [följesedel, delivery note]\n".encode("latin-1"))
    kb = load_knowledge(tmp_path)
    assert [e.question for e in kb.entries] == ["Var är lagret?"]
    assert kb.synonyms == []
    messages = [str(p) for p in kb.problems]
    assert any("faq/latin1.md:1: cannot read the file (save it as UTF-8)" in m for m in messages)
    assert any("synonyms.yml:1: cannot read the file (save it as UTF-8)" in m for m in messages)
