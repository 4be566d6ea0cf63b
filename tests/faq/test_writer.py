"""Writing what support learned into the FAQ: a question as an existing entry's phrasing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.faq.loader import load_knowledge
from bot.faq.writer import FaqWriteError, add_phrasing

FAQ = """---
area: finance
---

## Hur krediterar jag en kundfaktura?

Also asked: Hur makulerar jag en faktura?
Tags: kreditnota

Skapa en kreditnota.

## Hur registrerar jag en leverantörsfaktura?
Skapa en inköpsfaktura.

##Vem attesterar? ##

Attestordningen finns på intranätet.
"""


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    (root / "faq").mkdir(parents=True)
    (root / "faq" / "ekonomi.md").write_text(FAQ, encoding="utf-8")
    return root


def entry(root: Path, question: str):
    return next(e for e in load_knowledge(root, ("finance",)).entries if e.question == question)


def test_a_phrasing_goes_after_the_entrys_extras_or_under_its_heading(knowledge: Path) -> None:
    credit = entry(knowledge, "Hur krediterar jag en kundfaktura?")
    assert add_phrasing(knowledge, credit, "kunden fick  fel pris | hur\nrättar jag?") == (
        credit.location
    )
    assert add_phrasing(knowledge, entry(knowledge, "Vem attesterar?"), "who approves bills?")
    supplier = entry(knowledge, "Hur registrerar jag en leverantörsfaktura?")
    add_phrasing(knowledge, supplier, "lev-faktura i BC?")
    text = (knowledge / "faq" / "ekonomi.md").read_text(encoding="utf-8")
    assert "Tags: kreditnota\nAlso asked: kunden fick fel pris / hur rättar jag?\n\nSkapa" in text
    assert "##Vem attesterar? ##\nAlso asked: who approves bills?\n\nAttestordningen" in text
    assert "## Hur registrerar jag en leverantörsfaktura?\nAlso asked: lev-faktura i BC?\n" in text
    kb = load_knowledge(knowledge, ("finance",))
    assert not kb.problems
    by_question = {e.question: e for e in kb.entries}
    assert by_question["Hur krediterar jag en kundfaktura?"].also_asked == (
        "Hur makulerar jag en faktura?",
        "kunden fick fel pris / hur rättar jag?",
    )
    assert by_question["Hur krediterar jag en kundfaktura?"].tags == ("kreditnota",)
    assert by_question["Vem attesterar?"].answer == "Attestordningen finns på intranätet."


def test_a_phrasing_that_is_there_already_or_an_entry_that_is_gone(knowledge: Path) -> None:
    credit = entry(knowledge, "Hur krediterar jag en kundfaktura?")
    for known in ("hur makulerar jag en faktura", "Hur krediterar jag en kundfaktura?"):
        with pytest.raises(FaqWriteError, match="already has that phrasing"):
            add_phrasing(knowledge, credit, known)
    with pytest.raises(FaqWriteError, match="empty"):
        add_phrasing(knowledge, credit, "  \n ")
    faq = knowledge / "faq" / "ekonomi.md"
    faq.write_text(FAQ.replace("## Hur krediterar", "## Så krediterar"), encoding="utf-8")
    with pytest.raises(FaqWriteError, match=r"no longer in knowledge/faq/ekonomi\.md"):
        add_phrasing(knowledge, credit, "kreditera")
    faq.unlink()
    with pytest.raises(FaqWriteError, match="can't be read"):
        add_phrasing(knowledge, credit, "kreditera")


def test_the_rest_of_the_file_is_kept_byte_for_byte(knowledge: Path) -> None:
    faq = knowledge / "faq" / "ekonomi.md"
    odd = (
        FAQ.replace("\n", "\r\n")
        .replace("Skapa en kreditnota.", "Skapa en kreditnota.\u2028Se även\x0cbilagan.")
        .replace("##Vem attesterar? ##", "```\n## Vem attesterar?\n```\n\n##Vem attesterar? ##")
        .rstrip("\r\n")
    )
    faq.write_bytes(odd.encode("utf-8"))
    attest = entry(knowledge, "Vem attesterar?")
    add_phrasing(knowledge, attest, "vem godkänner?")
    add_phrasing(knowledge, entry(knowledge, "Hur krediterar jag en kundfaktura?"), "kreditera")
    after = faq.read_bytes().decode("utf-8")
    assert after == odd.replace(
        "Tags: kreditnota\r\n", "Tags: kreditnota\r\nAlso asked: kreditera\r\n"
    ).replace(
        "```\n\n##Vem attesterar? ##\r\n",
        "```\n\n##Vem attesterar? ##\r\nAlso asked: vem godkänner?\r\n",
    )
    by_question = {e.question: e for e in load_knowledge(knowledge, ("finance",)).entries}
    assert by_question["Vem attesterar?"].also_asked == ("vem godkänner?",)


def test_a_knowledge_folder_given_as_the_current_directory(
    knowledge: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(knowledge)
    credit = entry(Path("."), "Hur krediterar jag en kundfaktura?")
    add_phrasing(Path("."), credit, "kreditera")
    assert "Also asked: kreditera" in (knowledge / "faq" / "ekonomi.md").read_text()
