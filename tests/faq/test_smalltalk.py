"""The small-talk recogniser: whole messages that are not questions, in Swedish and English."""

from __future__ import annotations

import pytest

from bot.faq.smalltalk import Kind, SmallTalk, small_talk


@pytest.mark.parametrize(
    ("text", "kind", "language"),
    [
        # thanks, with short forms, repeated letters, names and emoji
        ("tack!", Kind.THANKS, "sv"),
        ("Tackkk!!", Kind.THANKS, "sv"),
        ("tack så mkt", Kind.THANKS, "sv"),
        ("tack sa mycket for hjalpen", Kind.THANKS, "sv"),  # typed without å, ä, ö
        ("Tusen tack Anna!", Kind.THANKS, "sv"),
        ("ok tack 🙏", Kind.THANKS, "sv"),
        ("tack, det löste sig!", Kind.THANKS, "sv"),
        ("thx", Kind.THANKS, "en"),
        ("tnx!", Kind.THANKS, "en"),
        ("Thank you so much for your help :pray:", Kind.THANKS, "en"),
        ("cheers mate", None, None),  # an unknown word that is no name: not sure, so not small talk
        # greetings
        ("hej", Kind.GREETING, "sv"),
        ("Hejjj :wave:", Kind.GREETING, "sv"),
        ("tja", Kind.GREETING, "sv"),
        ("God morgon allihop!", Kind.GREETING, "sv"),
        ("hej, jag har en fråga", Kind.GREETING, "sv"),
        ("Hi there!", Kind.GREETING, "en"),
        ("good morning", Kind.GREETING, "en"),
        # goodbyes and acknowledgements
        ("hej då", Kind.BYE, "sv"),
        ("Ha det bra!", Kind.BYE, "sv"),
        ("bye!", Kind.BYE, "en"),
        ("ok", Kind.ACK, "sv"),
        ("okej då", Kind.ACK, "sv"),
        ("kk", Kind.ACK, "sv"),
        ("got it", Kind.ACK, "en"),
        ("perfekt!", Kind.ACK, "sv"),
        # help and leaving
        ("help", Kind.HELP, "en"),
        ("HJÄLP!", Kind.HELP, "sv"),
        ("vad kan du göra?", Kind.HELP, "sv"),
        ("what can you do?", Kind.HELP, "en"),
        ("?", Kind.HELP, "sv"),
        ("exit", Kind.EXIT, "en"),
        ("quit", Kind.EXIT, "en"),
        ("Avsluta.", Kind.EXIT, "sv"),
        # numbers, emoji, chitchat about the bot, noise
        ("1", Kind.NUMBER, "sv"),
        ("nummer 3", Kind.NUMBER, "sv"),
        ("option 2 please", Kind.NUMBER, "en"),
        ("den andra", Kind.NUMBER, "sv"),
        # feedback on the bot's help, praise or complaint
        ("du är ju helt grym", Kind.FEEDBACK, "sv"),
        ("riktigt dålig hjälp", Kind.FEEDBACK, "sv"),
        ("you're not helping", Kind.FEEDBACK, "en"),
        ("good bot", Kind.FEEDBACK, "en"),
        # more of the others, from a set written blind (bench/smalltalk2.jsonl)
        ("fattar", Kind.ACK, "sv"),
        ("gotta go, bye", Kind.BYE, "en"),
        ("hejdå så länge", Kind.BYE, "sv"),
        ("pratar du svenska?", Kind.CHITCHAT, "sv"),
        ("how old are you", Kind.CHITCHAT, "en"),
        ("hur funkar det?", Kind.HELP, "sv"),
        ("klar", Kind.EXIT, "sv"),
        # a signature after small talk is part of it; after a question it is not small talk
        ("tack för svaret /Per", Kind.THANKS, "sv"),
        ("tack! mvh Jonas", Kind.THANKS, "sv"),
        ("thanks, regards anna", Kind.THANKS, "en"),
        ("hur krediterar jag en faktura? /Per", None, None),
        ("faktura mvh Per", None, None),
        ("2.", Kind.NUMBER, "sv"),
        ("42", Kind.NUMBER, "sv"),
        ("👍", Kind.EMOJI, "sv"),
        (":thumbsup:", Kind.EMOJI, "sv"),
        (":+1::skin-tone-3:", Kind.EMOJI, "sv"),
        (":-)", Kind.EMOJI, "sv"),
        ("är du en robot?", Kind.CHITCHAT, "sv"),
        ("Vem är du?", Kind.CHITCHAT, "sv"),
        ("test", Kind.CHITCHAT, "sv"),
        ("testing testing", Kind.CHITCHAT, "en"),
        ("are you a bot?", Kind.CHITCHAT, "en"),
        ("what's up", Kind.CHITCHAT, "en"),
        ("asdf", Kind.NOISE, "sv"),
        ("sdfsdf", Kind.NOISE, "sv"),
        ("hmm", Kind.NOISE, "sv"),
        ("hmmmm...", Kind.NOISE, "sv"),
        ("haha", Kind.NOISE, "sv"),
        ("hahahaha", Kind.NOISE, "sv"),
        ("lol", Kind.NOISE, "en"),
        ("...", Kind.NOISE, "sv"),
    ],
)
def test_small_talk(text: str, kind: Kind | None, language: str | None) -> None:
    expected = SmallTalk(kind, language) if kind and language else None
    assert small_talk(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # real questions that merely start or end politely
        "hej! hur gör jag en inventering?",
        "Hej Anna, hur gör jag en inventering?",
        "tack, men hur krediterar jag en faktura?",
        "tack! och hur bokför jag en kreditnota?",
        "hi, how do I reprint a delivery note?",
        "thanks, but how do I credit an invoice?",
        "ok men hur gör jag en kreditnota",
        "hjälp med faktura",
        "help with the month-end closing please",
        "test av kreditnota",
        "Hej! Tack för hjälpen igår. Hur stänger jag perioden?",
        # the vague, the off-topic and the numbers that mean something are the matcher's
        "faktura",
        "vad blir det till lunch?",
        "vpn",
        "order 1004877?",
        "kl 10:30",
        "",
        "   ",
    ],
)
def test_questions_are_not_small_talk(text: str) -> None:
    assert small_talk(text) is None


def test_a_name_only_counts_right_after_a_greeting_or_thanks() -> None:
    assert small_talk("Tack Per Olsson!") == SmallTalk(Kind.THANKS, "sv")
    assert small_talk("Hej då Anna") == SmallTalk(Kind.BYE, "sv")
    assert small_talk("tack. Kreditnota") is None  # a new sentence, not a name
    assert small_talk("Kreditnota tack") is None


def test_mixed_kinds_take_the_most_telling() -> None:
    assert small_talk("hej hjälp") == SmallTalk(Kind.HELP, "sv")
    assert small_talk("ok, hej då!") == SmallTalk(Kind.BYE, "sv")
    assert small_talk("tack och hej") == SmallTalk(Kind.THANKS, "sv")
    assert small_talk("hej, är du en robot?") == SmallTalk(Kind.CHITCHAT, "sv")
