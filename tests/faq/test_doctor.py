"""`firstline kb doctor`'s advice, on a small knowledge base written for it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.faq.doctor import (
    CONFUSABLE_MARGIN,
    NEAR_MISS_FROM,
    Asked,
    confusable_entries,
    diagnose,
    entries_without_phrasings,
    near_misses,
    one_language_entries,
)
from bot.faq.knowledge import Knowledge

FILES = {
    "ekonomi.md": """---
area: finance
---

## Hur skickar jag en faktura till kunden?
Also asked: Kunden har inte fått fakturan
Also asked: How do I send an invoice to a customer?

Öppna den bokförda försäljningsfakturan och välj Skicka.

## Hur skickar jag en påminnelse till kunden?
Also asked: Kunden har inte betalat fakturan, hur skickar jag en påminnelse om fakturan?
Also asked: skicka påminnelse på en förfallen faktura till kunden
Also asked: How do I send a payment reminder for an overdue invoice?

Kör Skapa påminnelser och skicka dem.

## Hur krediterar jag en leverantörsfaktura?
Also asked: Leverantören har fakturerat för mycket
Also asked: The supplier sent a credit note, how do I post it?

Registrera leverantörens kreditnota som en inköpskreditnota.

## Hur bokför jag ett utlägg som jag betalat privat?
Also asked: Jag har köpt något med mitt eget kort | Hur får jag tillbaka pengar för ett utlägg?

Lägg upp utlägget i utläggsappen med kvittot.
""",
    "inkop.md": """---
area: purchasing
---

## Hur ändrar jag en inköpsorder?

Öppna den och välj Öppna igen.

## Hur ändrar jag leveransdatum på en inköpsorder?
Also asked: ändra inköpsorder | ändrar inköpsorder | hur ändrar jag inköpsordern
Also asked: How do I change a purchase order date?

Ändra inköpsordern: öppna inköpsordern, ändra datum på inköpsorderns rader och skicka den
ändrade inköpsordern.
""",
    "lager.md": """---
area: warehouse
---

## How do I reprint a delivery note?
Also asked: Hur skriver jag ut en följesedel igen? | Kunden vill ha en ny följesedel
Also asked: print the packing slip again

Open the posted shipment and choose Print.

## Hur gör jag en cykelinventering?

Skapa en inventeringsjournal för lagerplatsens artiklar och räkna dem.

## How do I block a customer who has not paid?
Also asked: How do I stop deliveries to a customer with overdue invoices?
Also asked: Can I put a customer on hold?

Set Blocked to Ship on the customer card.
""",
}

INVOICE = "Hur skickar jag en faktura till kunden?"
REMINDER = "Hur skickar jag en påminnelse till kunden?"
SUPPLIER_CREDIT = "Hur krediterar jag en leverantörsfaktura?"
EXPENSE = "Hur bokför jag ett utlägg som jag betalat privat?"
CHANGE_ORDER = "Hur ändrar jag en inköpsorder?"
ORDER_DATE = "Hur ändrar jag leveransdatum på en inköpsorder?"
REPRINT = "How do I reprint a delivery note?"
CYCLE_COUNT = "Hur gör jag en cykelinventering?"
BLOCK = "How do I block a customer who has not paid?"
NOW = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
# a question the expense entry nearly answers
TRAIN = "var lägger jag in kvittot för tåget"


def write_knowledge(root: Path) -> Path:
    (root / "faq").mkdir(parents=True)
    for name, text in FILES.items():
        (root / "faq" / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def knowledge(tmp_path: Path) -> Knowledge:
    return Knowledge.load(
        write_knowledge(tmp_path / "knowledge"), ("finance", "warehouse", "purchasing")
    )


def test_confusable_pairs_are_the_entries_whose_heading_finds_another_or_only_just_itself(
    knowledge: Knowledge,
) -> None:
    pairs = confusable_entries(knowledge.matcher, knowledge.base.entries)
    by_pair = {(p.entry.question, p.other.question): p for p in pairs}
    assert set(by_pair) == {(INVOICE, REMINDER), (CHANGE_ORDER, ORDER_DATE)}
    close = by_pair[INVOICE, REMINDER]
    assert close.margin is not None and 0 < close.margin < CONFUSABLE_MARGIN
    assert close.advice == (
        f"Add an `Also asked:` line to «{INVOICE}» that says what makes it different from "
        f"«{REMINDER}» (which side: customer or supplier, goods in or out, which document)."
    )
    # the delivery-date entry's phrasings ("ändra inköpsorder") take the plain order entry's own
    # heading: the pair is reported, and the other entry's phrasings are to be checked too
    taken = by_pair[CHANGE_ORDER, ORDER_DATE]
    assert taken.margin is None
    assert taken.as_dict()["heading_matches_other"] is True
    assert f"the `Also asked:` lines of «{ORDER_DATE}»" in taken.advice
    reported = {q for pair in by_pair for q in pair}
    assert not reported & {SUPPLIER_CREDIT, EXPENSE, REPRINT, CYCLE_COUNT, BLOCK}


def test_a_pair_is_reported_once_even_when_both_headings_find_each_other(
    knowledge: Knowledge,
) -> None:
    # with a generous margin the reminder's heading has the invoice entry as a close runner-up
    # too; the pair is still one, named from the entry that comes first
    pairs = confusable_entries(knowledge.matcher, knowledge.base.entries, margin=0.8)
    named = [frozenset((p.entry.question, p.other.question)) for p in pairs]
    assert len(named) == len(set(named))
    assert named.count(frozenset((INVOICE, REMINDER))) == 1
    assert (pairs[0].entry.question, pairs[0].other.question) == (INVOICE, REMINDER)


def test_entries_in_one_language_and_entries_without_phrasings(knowledge: Knowledge) -> None:
    entries = knowledge.base.entries
    one = {(o.entry.question, o.language, o.missing) for o in one_language_entries(entries)}
    assert one == {(EXPENSE, "sv", "en"), (BLOCK, "en", "sv")}
    advice = {o.entry.question: o.advice for o in one_language_entries(entries)}
    assert advice[EXPENSE] == (
        "Add one `Also asked:` phrasing in English so colleagues who ask in English find it."
    )
    assert "in Swedish so colleagues who ask in Swedish" in advice[BLOCK]
    # an entry with no phrasings at all is listed apart, not as one-language
    assert [e.question for e in entries_without_phrasings(entries)] == [CHANGE_ORDER, CYCLE_COUNT]


def test_near_misses_are_declined_questions_close_to_an_entry_once_each_closest_first(
    knowledge: Knowledge,
) -> None:
    asked = [
        Asked("kvittot från hotellet, vem betalar", NOW - timedelta(days=9), escalation=7),
        Asked("Kvittot från hotellet, vem betalar?", NOW - timedelta(days=2), escalation=9),
        Asked(TRAIN, NOW - timedelta(days=1)),
        Asked("taxi med eget kort", NOW),  # the bot answers it now
        Asked("jag betalade parkering själv", NOW),  # a guess too weak to call near
        Asked("vad blir det till lunch?", NOW),  # nothing in the FAQ comes close
    ]
    misses = near_misses(knowledge.matcher, asked)
    assert {(m.question.text, m.entry.question, m.times) for m in misses} == {
        ("Kvittot från hotellet, vem betalar?", EXPENSE, 2),  # the latest of the two
        (TRAIN, EXPENSE, 1),
    }
    assert all(NEAR_MISS_FROM <= m.confidence < knowledge.matcher.threshold for m in misses)
    assert [m.confidence for m in misses] == sorted((m.confidence for m in misses), reverse=True)
    by_text = {m.question.text: m for m in misses}
    hotel, train = by_text["Kvittot från hotellet, vem betalar?"], by_text[TRAIN]
    assert hotel.advice == (
        f"«Kvittot från hotellet, vem betalar?» nearly matches «{EXPENSE}» "
        f"({hotel.confidence:.2f}): if that entry answers it, add the question as an "
        f"`Also asked:` line of it ({hotel.entry.location}); if not, answer #9 and "
        "`/support faq 9` adds it as a new entry."
    )
    assert "/support faq" not in train.advice  # asked in the terminal chat: no escalation


def test_near_misses_stop_at_the_answer_threshold(tmp_path: Path) -> None:
    root = write_knowledge(tmp_path / "knowledge")
    areas = ("finance", "warehouse", "purchasing")
    asked = [Asked("kvittot från hotellet, vem betalar", NOW), Asked(TRAIN, NOW)]
    misses = near_misses(Knowledge.load(root, areas).matcher, asked)
    low, high = sorted(m.confidence for m in misses)
    # with the threshold between the two, the bot answers the closer one: no near miss any more
    lenient = Knowledge.load(root, areas, threshold=(low + high) / 2)
    assert [m.confidence for m in near_misses(lenient.matcher, asked)] == [low]


def test_the_report_without_and_with_questions(knowledge: Knowledge) -> None:
    unread = diagnose(knowledge.matcher, None, "No database at x.db: no questions recorded yet.")
    assert unread.entries == 9
    assert unread.near_misses is None and unread.checked == 0
    assert len(unread.confusable) == 2 and len(unread.one_language) == 2
    assert len(unread.without_phrasings) == 2
    data = json.loads(json.dumps(unread.as_dict()))
    assert data["near_misses"] is None
    assert data["note"] == "No database at x.db: no questions recorded yet."
    assert data["without_also_asked"][0] == {
        "entry": CHANGE_ORDER,
        "location": "knowledge/faq/inkop.md:5",
    }
    read = diagnose(knowledge.matcher, [Asked(TRAIN, NOW, 3)])
    assert read.checked == 1 and read.note is None
    [miss] = json.loads(json.dumps(read.as_dict()))["near_misses"]
    assert miss["question"] == TRAIN
    assert (miss["entry"], miss["escalation"], miss["times"]) == (EXPENSE, 3, 1)
    assert miss["asked_at"] == "2026-11-03T09:00:00+00:00"
