"""The FAQ writers never write outside the knowledge folder's faq/: hostile area keys, entry
files, headings and answers, links out of the folder, NUL bytes and very long names."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import Core, create_core
from bot.faq.loader import load_knowledge
from bot.faq.model import Entry
from bot.faq.writer import MAX_HEADING, FaqWriteError, add_entry, add_phrasing
from bot.settings import Area
from bot.support.escalations import Refused
from tests.conftest import START, make_settings, record_unresolved, small_knowledge

ANNA = "U0ANNA"
HOSTILE_AREAS = [
    "",
    ".",
    "..",
    "../..",
    "../outside",
    "finance/../../outside",
    "/tmp/firstline-absolute",
    "a/b",
    "a\\b",
    "c:evil",
    ".hidden",
    " finance",
    "fin\x00ance",
    "fin\nance",
    "x" * 300,
    "ä" * 200,  # 400 bytes: past any file system's name limit
]


def everything(folder: Path) -> dict[str, bytes | str]:
    """Every file and link under `folder`, with its content (a link: where it points)."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        if path.name.startswith("firstline.db"):
            continue  # the test's database
        if path.is_symlink():
            found[str(path)] = "-> " + os.readlink(path)
        elif path.is_file():
            found[str(path)] = path.read_bytes()
        else:
            found[str(path)] = "dir"
    return found


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    return small_knowledge(tmp_path)


@pytest.mark.parametrize("area", HOSTILE_AREAS)
def test_a_hostile_area_key_writes_nothing_anywhere(tmp_path: Path, knowledge: Path, area: str):
    before = everything(tmp_path)
    with pytest.raises(FaqWriteError, match="area key"):
        add_entry(knowledge, area, "Hur gör jag en inventering?", "Så här.")
    assert everything(tmp_path) == before
    assert not Path("/tmp/firstline-absolute").exists()


def test_a_link_out_of_the_faq_folder_is_not_followed(tmp_path: Path, knowledge: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "fran-support.md").write_text("---\narea: finance\n---\n## Old?\nOld.\n")
    (knowledge / "faq" / "finance").symlink_to(outside, target_is_directory=True)
    (knowledge / "faq" / "warehouse").mkdir()
    (knowledge / "faq" / "warehouse" / "fran-support.md").symlink_to(outside / "fran-support.md")
    before = everything(tmp_path)
    for area in ("finance", "warehouse"):
        with pytest.raises(FaqWriteError, match="not a file in the knowledge folder's faq/"):
            add_entry(knowledge, area, "Hur gör jag en inventering?", "Så här.")
    assert everything(tmp_path) == before


@pytest.mark.parametrize(
    "file",
    [
        "knowledge/faq/../../outside.md",
        "knowledge/../outside.md",
        "/tmp/firstline-absolute.md",
        "knowledge/faq/a.txt",
        "knowledge/faq",
        "knowledge/faq/a\x00.md",
        "knowledge/faq/" + "x" * 300 + ".md",
    ],
)
def test_an_entry_whose_file_is_outside_the_faq_is_not_written(
    tmp_path: Path, knowledge: Path, file: str
) -> None:
    (tmp_path / "outside.md").write_text("---\narea: finance\n---\n## Q?\nA.\n")
    (knowledge / "faq" / "a.txt").write_text("---\narea: finance\n---\n## Q?\nA.\n")
    entry = Entry("Q?", "A.", "finance", file, 4)
    before = everything(tmp_path)
    with pytest.raises(FaqWriteError):
        add_phrasing(knowledge, entry, "en annan fråga")
    assert everything(tmp_path) == before
    assert not Path("/tmp/firstline-absolute.md").exists()


def test_paths_in_a_heading_or_an_answer_are_only_text(tmp_path: Path, knowledge: Path) -> None:
    question = "../../etc/passwd /etc/shadow C:\\Windows hur\x00 gör jag\x1b[31m en inventering?"
    answer = "## ../../utanför\nSe /etc/hosts\x00 och ../knowledge.\x07"
    location = add_entry(knowledge, "finance", question, answer, owner="Anna ../x")
    assert location == "knowledge/faq/finance/fran-support.md:11"
    written = (knowledge / "faq" / "finance" / "fran-support.md").read_text(encoding="utf-8")
    heading = "../../etc/passwd /etc/shadow C:\\Windows hur gör jag[31m en inventering?"
    assert f"## {heading}\n" in written
    assert "### ../../utanför\nSe /etc/hosts och ../knowledge.\n" in written
    assert "\x00" not in written and "\x1b" not in written and "\x07" not in written
    files = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert files == {"knowledge/faq/a.md", "knowledge/faq/finance/fran-support.md"}
    kb = load_knowledge(knowledge, ("finance",))
    assert not kb.problems
    entry = next(e for e in kb.entries if e.question == heading)
    add_phrasing(knowledge, entry, "../../x \x00/etc/passwd | rm -rf /")
    kb = load_knowledge(knowledge, ("finance",))
    [entry] = [e for e in kb.entries if e.question == heading]
    assert entry.also_asked == ("../../x /etc/passwd / rm -rf /",)
    files = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert files == {"knowledge/faq/a.md", "knowledge/faq/finance/fran-support.md"}


def test_a_heading_too_long_for_slack_is_refused(tmp_path: Path, knowledge: Path) -> None:
    before = everything(tmp_path)
    with pytest.raises(FaqWriteError, match="too long"):
        add_entry(knowledge, "finance", "hur " * 40_000, "Så här.")
    assert everything(tmp_path) == before
    assert add_entry(knowledge, "finance", "x" * MAX_HEADING, "Så här.").endswith(":11")


@settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(area=st.text(max_size=40), question=st.text(max_size=80), answer=st.text(max_size=80))
def test_whatever_the_key_and_text_the_only_file_written_is_the_areas(
    area: str, question: str, answer: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        knowledge = small_knowledge(base)
        before = everything(base)
        try:
            add_entry(knowledge, area, question, answer)
        except FaqWriteError:
            assert everything(base) == before
            return
        target = (knowledge / "faq" / area / "fran-support.md").resolve()
        assert target.is_relative_to((knowledge / "faq").resolve())
        changed = {
            path for path, content in everything(base).items() if before.get(path) != content
        }
        assert {Path(p) for p in changed if Path(p).is_file()} == {
            knowledge / "faq" / area / "fran-support.md"
        }


# ---- the core's writer: adding an answered ticket to the FAQ ----------------------------------


@pytest_asyncio.fixture
async def core(database_url: str, tmp_path: Path) -> AsyncIterator[Core]:
    settings = make_settings(
        database_url,
        knowledge_dir=small_knowledge(tmp_path),
        areas=(
            Area("finance", "Ekonomi", superusers=(ANNA,)),
            Area("../../outside", "Utanför", superusers=(ANNA,)),
        ),
    )
    core = await create_core(settings)
    yield core
    await core.close()


async def test_adding_an_answer_in_a_hostile_area_is_refused(core: Core, tmp_path: Path) -> None:
    """Area keys come from the config file, which allows only plain names; even a key set
    some other way can't take the FAQ writer out of the knowledge folder."""
    question = await record_unresolved(core, "Hur bokar jag om en faktura?", START)
    await core.ladder.open(question, "unresolved")
    await core.ladder.reassign(1, ANNA, "../../outside")
    await core.ladder.claim(1, ANNA)
    await core.ladder.answer(1, ANNA, "Så här gör du.")
    before = everything(tmp_path)
    with pytest.raises(Refused) as refused:
        await core.add_to_faq(1, ANNA)
    assert refused.value.code == "faq_bad_area"
    assert refused.value.values == {"area": "../../outside"}
    assert everything(tmp_path) == before
    assert (await core.ladder.status(1)).escalation.faq_location is None
