"""The vocabulary on a tiny knowledge base: inflections, compounds, typos and synonyms."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.faq.text import tokens
from bot.faq.vocabulary import Vocabulary

TEXT = """Hur krediterar jag en kundfaktura? Skapa en kreditnota för fakturan.
Hur registrerar jag en leverantörsfaktura? Ange leverantörens fakturanummer.
Hur skriver jag ut en följesedel igen? Öppna utleveransen och välj Skriv ut.
"""
SYNONYMS = [("makulera", "kreditera", "credit"), ("följesedel", "delivery note")]


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary(Counter(tokens(TEXT)).items(), SYNONYMS)


def test_inflected_forms_of_a_known_word_share_its_cluster(vocabulary: Vocabulary) -> None:
    assert vocabulary.analyse("fakturan") == ("fakturan", ())
    assert vocabulary.analyse("faktura") == ("fakturan", ())
    assert vocabulary.analyse("fakturor") == ("fakturan", ())
    assert vocabulary.analyse("foljesedlar") == ("foljesedel", ())
    assert vocabulary.analyse("kundfakturorna") == ("kundfaktura", ())


def test_an_unknown_word_has_no_cluster(vocabulary: Vocabulary) -> None:
    assert vocabulary.analyse("lunch") == (None, ())
    assert vocabulary.analyse("kund") == (None, ())  # only ever seen inside "kundfaktura"


def test_a_compound_is_split_into_two_known_words(vocabulary: Vocabulary) -> None:
    assert vocabulary.analyse("leverantorsfakturor") == (
        "leverantorsfaktura",
        ("leverantorens", "fakturan"),
    )


def test_a_typo_is_corrected_within_one_edit_or_two_for_long_words(vocabulary: Vocabulary) -> None:
    assert vocabulary.correct("fakturna") == "fakturan"  # two letters swapped
    assert vocabulary.correct("kreditnot") == "kreditnota"
    assert vocabulary.correct("registrerat") == "registrerar"
    assert vocabulary.correct("fakturanumer") == "fakturanummer"
    assert vocabulary.correct("fakutra") is None  # two edits from "fakturan": one under 8 letters
    assert vocabulary.correct("lunch") is None  # nothing within one edit


def test_synonym_groups_are_concepts_of_words_and_phrases(vocabulary: Vocabulary) -> None:
    credit = {"~0"}
    assert vocabulary.concepts("kreditera") == credit
    assert vocabulary.concepts(vocabulary.analyse("credit")[0] or "") == credit
    assert vocabulary.concepts(vocabulary.analyse("makulerade")[0] or "") == credit
    assert vocabulary.concepts("foljesedel") == {"~1"}
    assert vocabulary.concepts("fakturan") == ()
    assert dict(vocabulary.phrases) == {("delivery", "note"): [(("delivery", "note"), "~1")]}
    assert vocabulary.phrase_concepts(["skriv", "delivery", "note", "igen"]) == [(1, 3, "~1")]


def test_a_document_word_adds_its_cluster_its_concepts_and_its_parts(
    vocabulary: Vocabulary,
) -> None:
    assert vocabulary.token_terms(("krediterar", "krediterar")) == (
        "kreditera",
        ("kreditera", "~0"),
        (),
    )
    assert vocabulary.token_terms(("leverantorsfaktura", "leverantörsfaktura")) == (
        "leverantorsfaktura",
        ("leverantorsfaktura",),
        ("leverantorens", "fakturan"),
    )
    assert vocabulary.token_terms(("jag", "jag")) == ("jag", (), ())  # a stopword adds nothing
