"""Small talk: messages that are not questions at all ("tack!", "hej", "help", "2", ":+1:").

A message is small talk only when the whole of it is: every word belongs to a small-talk phrase
in Swedish or English (or is a name right after "hej"/"tack"), or it is only a number, emoji or
punctuation. "hej! hur gör jag en inventering?" is a question that starts politely, not small
talk. Words are compared folded (å, ä -> a, ö -> o) and with repeated letters squashed, so
"Tackkk!!", "hejjj" and "tack sa mkt" count too.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass

from bot.faq.text import detect_language


class Kind(enum.StrEnum):
    GREETING = "greeting"
    THANKS = "thanks"
    BYE = "bye"
    ACK = "ack"
    HELP = "help"
    EXIT = "exit"
    NUMBER = "number"
    EMOJI = "emoji"
    CHITCHAT = "chitchat"  # about the bot itself: "är du en robot?", "test"
    FEEDBACK = "feedback"  # about its help: "bra bot", "du hjälper inte"
    NOISE = "noise"  # "asdf", "hmm", "haha"


@dataclass(frozen=True)
class SmallTalk:
    kind: Kind
    language: str  # "sv" or "en"


# When a message mixes kinds, the first of these decides the reply ("ok tack" is thanks).
PRIORITY = (
    Kind.HELP,
    Kind.EXIT,
    Kind.THANKS,
    Kind.FEEDBACK,
    Kind.CHITCHAT,
    Kind.NUMBER,
    Kind.BYE,
    Kind.GREETING,
    Kind.ACK,
    Kind.NOISE,
)

# Phrases per kind and language ("" for both); one per line or comma-separated.
PHRASES: dict[Kind, dict[str, str]] = {
    Kind.GREETING: {
        "sv": """hej, hejsan, hejhej, hej hej, halla, hallå, hallåj, hallå där, tja, tjabba, tjena,
            tjenare, tjo, tjenixen, tjenis, tjabba tjena, morsning, mors, hej igen, hallå igen,
            god morgon, godmorgon, god dag, goddag,
            god eftermiddag, god kväll, hej på dig, hej alla, hej allihop, hejsan hoppsan,
            jag har en fråga, har en fråga, en fråga, en snabb fråga, snabb fråga, kort fråga""",
        "en": """hi, hey, hello, hiya, howdy, greetings, good morning, good afternoon,
            good evening, morning, hi there, hey there, hello there, yo, heya, hey all,
            hi all, hi everyone, hello everyone, hi again, hello again, i have a question,
            quick question,
            a quick question, i got a question""",
    },
    Kind.THANKS: {
        "sv": """tack, tackar, tack tack, tack så mycket, tack så jättemycket, tack så mkt,
            tack sa mkt, tusen tack, stort tack, tack för hjälpen, tack för svaret,
            tack för det, tack ska du ha, tackar så mycket, tack snälla, tack igen,
            tack det löste sig, tack det hjälpte, det hjälpte, det hjälpte tack,
            perfekt tack, toppen tack, bra tack, grymt tack, kanon tack, tack så länge,
            tackar tackar, tack för all hjälp, tack för info, tack för informationen, så mycket,
            tackar och bugar, tackar och bockar, tack och bock, tackar ödmjukast, stort tack,
            jättemycket, för hjälpen, för all hjälp, för svaret, för snabbt svar,
            för det snabba svaret""",
        "en": """thanks, thank you, thankyou, thanks a lot, thanks so much, thank you so much,
            thank you very much, thanks very much, many thanks, thx, tnx, thnx, thanx, ty, tyvm,
            much appreciated, appreciated, appreciate it, i appreciate it, thanks for the help,
            thanks for your help, thank you for your help, thanks for that, cheers,
            that helped, that helps, thanks again, great thanks, perfect thanks, so much, very much,
            a lot, for the help, for your help, for helping, for all the help, for the answer,
            for the quick answer, for the quick reply""",
    },
    Kind.BYE: {
        "sv": """hej då, hejdå, hej då då, adjö, adjöss, vi ses, ses, ha det bra, ha det,
            ha en bra dag, ha en fin dag, trevlig helg, trevlig kväll, god natt, godnatt,
            över och ut, hörs, vi hörs, så länge, hej så länge, hejdå så länge, ha det så länge,
            jag drar, måste dra, måste gå, jag måste gå, nu drar jag, vi hörs sen, syns, hej svejs,
            ha en bra helg, ha en skön helg, trevlig helg, ses imorgon, ses på måndag""",
        "en": """bye, bye bye, byebye, goodbye, good bye, see you, see ya, see you later, cya,
            later, have a nice day, have a good day, good night, take care, talk later,
            gotta go, got to go, i have to go, i need to go, gtg, im off, talk soon,
            have a nice weekend, have a good weekend, see you tomorrow, see you monday""",
    },
    Kind.ACK: {
        "sv": """okej, okej då, jaha, jahaa, ja, jo, japp, jepp, jajamen, nej, nä, nää, näe,
            bra, toppen, perfekt, super, grymt, fint, kanon, utmärkt, suveränt, strålande,
            uppfattat, förstår, jag förstår, förstått, precis, exakt, absolut, visst,
            det löste sig, det funkade, det funkar, nu funkar det, funkar, funkade, löst,
            det är löst, ok då, då så, jaså, jasså, aha, ah, oj, ojdå, ajdå, hoppsan, sorry,
            förlåt, ursäkta, ingen fara, lugnt, fattar, jag fattar, fattat, jamen, jamen bra,
            jamen okej, ah okej, aha okej, ja precis, okej tack, schysst, nice, najs""",
        "en": """okay, alright, all right, yes, yep, yeah, yup, sure, no, nope, nah, fine,
            great, perfect, awesome, nice, cool, excellent, got it, understood, i see,
            noted, makes sense, that worked, it worked, works, worked, solved,
            sounds good, good, ok then, oh, oops, my bad, never mind, nevermind, nvm, no worries,
            i get it, gotcha, got you, roger, roger that, will do""",
        "": "ok, okey, k, kk, okidoki, okido, oki, ok ok, mkay",
    },
    Kind.HELP: {
        "sv": """hjälp, hjälp mig, jag behöver hjälp, behöver hjälp, kan du hjälpa mig,
            kan du hjälpa till, vad kan du, vad kan du göra, vad kan du svara på, vad gör du,
            hur funkar det här, hur fungerar det här, hur funkar du, hur fungerar du,
            hur använder jag dig, vad kan jag fråga, vad kan jag fråga om, meny, kommandon,
            instruktioner, hjälp snälla, visa hjälp, hjälpmeny, hur pratar jag med dig,
            hur gör jag för att prata med dig, hur frågar jag dig, hur frågar jag, hur funkar det,
            hur fungerar det, visa hjälpen, hjälpen, vad kan jag göra här, hur gör man här,
            visa vad du kan, vad kan du hjälpa till med, vad kan du hjälpa mig med,
            hur ska jag skriva, hur ska jag fråga, vad ska jag skriva""",
        "en": """help, help me, i need help, need help, can you help me, can you help,
            what can you do, what do you do, how does this work, how do you work,
            how do i use this, how do i use you, what can i ask, what can i ask you,
            menu, commands, instructions, help please, show help, how do i talk to you,
            how do i ask you, how does it work, how does this bot work, show the help,
            show me what you can do, what can you help with, what can you help me with,
            how should i write, how should i ask, what should i write""",
    },
    Kind.EXIT: {
        "sv": """avsluta, avsluta chatten, stopp, stäng, sluta, avbryt, glöm det,
            strunta i det, skit i det, klar, jag är klar, klart, färdig, jag är färdig""",
        "en": "exit, quit, exit chat, quit chat, stop, end, cancel, abort, forget it",
    },
    Kind.CHITCHAT: {
        "sv": """testar, testar testar, bara testar, jag testar, är du en robot, är du en bot,
            är du en människa, är du en ai, är du riktig, är du på riktigt, vem är du,
            vad är du, vad heter du, hur mår du, hur är läget, läget, hur är det, är du där,
            finns du, lever du, är du vaken, du är bäst, bra bot, dålig bot, duktig bot,
            jag älskar dig, är du smart, berätta ett skämt, vem har gjort dig, fungerar du,
            funkar du, är du igång, är du på, pratar du svenska, pratar du engelska, kan du svenska,
            kan du engelska, sover du, hur gammal är du, var bor du, har du semester, har du
            semester snart, är du ledig, jobbar du, jobbar du idag, är du en riktig person,
            är du en person, vem har byggt dig, vem har gjort dig, vem skapade dig,
            vad gör du i helgen, vad gör du på fredag, ska du göra något kul i helgen,
            vilket väder, fint väder, vilket väder idag, trevlig fredag, äntligen fredag,
            har du helg snart, har du helg, jobbar du på helgen, är det fredag snart""",
        "en": """testing, just testing, testing testing, are you a robot, are you a bot,
            are you human, are you a human, are you an ai, are you real, who are you,
            what are you, whats your name, what is your name, how are you, how are you doing,
            hows it going, how is it going, whats up, sup, wassup, are you there,
            are you alive, are you awake, i love you, are you smart, tell me a joke, who made you,
            do you work, are you working, are you on, how old are you, are you a real person,
            are you a person, do you speak swedish, do you speak english, do you sleep,
            are you sleeping, where do you live, who built you, who created you, are you on
            vacation, do you ever sleep, what are you doing this weekend, nice weather,
            happy friday""",
        "": "test, test test, ping, bot, boten, botten, robot, firstline, chatbot",
    },
    Kind.FEEDBACK: {
        "sv": """du är bäst, du är grym, du är så bra, du är fantastisk, du är underbar, du är
            smart, du är kass, du är dålig, du är värdelös, du är usel, du är sämst, du är
            inte bra, du hjälper inte, du hjälper inte alls, du förstår inte, du fattar inte,
            du fattar ingenting, bra bot, dålig bot, duktig bot, värdelös bot, usel bot, kass bot,
            bra hjälp, dålig hjälp, grym hjälp, bra svar, dåligt svar, inget bra svar, bra jobbat,
            snyggt jobbat, bra gjort, det var inte till någon hjälp, det hjälpte inte, inte till
            hjälp, helt fel, fel svar, du är, grym, bäst, kass, dålig, värdelös, usel, sämst,
            fantastisk, underbar, du förstår ingenting, du fattar noll, konstigt svar,
            svaret var konstigt, det där svaret var konstigt, svaret var fel, det var fel,
            vad snabb du är, vad snabbt, snabbt svar, inte till någon hjälp, inte till nån hjälp,
            nu blev det rätt, det blev rätt, rätt svar""",
        "en": """you are the best, youre the best, you are great, youre great, you are awesome,
            youre awesome, you are useless, youre useless, you are bad, youre bad, you dont help,
            you are not helping, youre not helping, you dont understand, good bot, bad bot,
            great bot, useless bot, great help, good help, bad help, good answer, bad answer,
            wrong answer, great job, good job, well done, not helpful, very helpful, helpful,
            that didnt help, that was not helpful, thats wrong, you dont understand anything,
            you dont get it, that was fast, you are fast, youre fast, right answer, that was right,
            weird answer, strange answer, useless""",
    },
    Kind.NUMBER: {
        "sv": """nummer, nr, alternativ, alt, val, förslag, den första, den andra, den tredje,
            första, andra, tredje, fjärde, den första tack, nummer ett, nummer två, nummer tre,
            ett, två, tre""",
        "en": """number, no, option, choice, the first, the second, the third, the first one,
            the second one, the third one, first, second, third, fourth, first one, second one,
            third one, number one, number two, number three, one, two, three""",
    },
    Kind.NOISE: {
        "sv": "öh, öhm, äh, hmm, mm, jaha ja, bla bla, bla, blabla, pff, oj oj",
        "en": "uh, um, umm, er, erm, eh, meh, huh, blah, blah blah, lol, lmao, rofl, xd, wtf",
        "": "asdf, asd, qwe, qwerty, jkl, hm, hmm, mhm, hah, aaa, xxx, zzz",
    },
}

# Words that may come with any small talk without changing it ("tack så mycket igen!").
FILLER = """så då igen och o & nu bara verkligen just really so and again now please pls plz
    snälla alla allihop allihopa everyone all guys folks team ju helt riktigt jätte väldigt
    very totally pretty va idag today alls wow""".split()

# A signature ends a message: "tack! mvh Jonas", "tack för svaret /Per". After one of these words
# (or a slash), the rest of the message, up to SIGNATURE_WORDS words, is taken as a name.
SIGN_OFF = """mvh vh hälsningar hälsning regards best br""".split()
SIGNATURE_WORDS = 2

# After these, a capitalised word is taken as a name: "Tack Anna!", "Hej Per Olsson".
ADDRESSING = """hej hejsan tjena tjenare tja hallå tack tackar thanks thank thx hi hey hello
    morning cheers bye då""".split()

KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "æ": "a", "ø": "o"})
_SLACK_EMOJI = re.compile(r":(?:[+-]1|(?=[^:\s]*[a-z])[a-z0-9_+'\-]+):", re.IGNORECASE)
_EMOTICON = re.compile(
    r"(?<!\S)(?:[:;=8][-'^o]?[)(\]\[dpo3*/\\|]+|x[-']?[)(dp]|<3+|\^_*\^)(?!\S)", re.IGNORECASE
)
_APOSTROPHE = re.compile(r"(?<=\w)['’´`](?=\w)")
_WORD = re.compile(r"[^\W_]+")
_SENTENCE_END = re.compile(r"[.!?]")
_EMOJI_JOINERS = {"\ufe0f", "\ufe0e", "\u200d", "\u20e3"}
_LAUGH = re.compile(r"^h?(?:[aeiou]h)+[aeiou]?$")
MAX_WORDS = 20


def _squash(word: str) -> str:
    """Folded, with every run of one letter made one: "tackkk" -> "tack", "hallå" -> "hala"."""
    folded = word.lower().translate(_FOLD)
    return "".join(c for i, c in enumerate(folded) if i == 0 or c != folded[i - 1])


def _key(phrase: str) -> tuple[str, ...]:
    return tuple(_squash(w) for w in _WORD.findall(_APOSTROPHE.sub("", phrase.lower())))


def _phrase_table() -> dict[str, list[tuple[tuple[str, ...], Kind, str]]]:
    """Phrases by their first word, longest first."""
    table: dict[str, list[tuple[tuple[str, ...], Kind, str]]] = {}
    for kind, by_language in PHRASES.items():
        for language, listed in by_language.items():
            for phrase in re.split(r"[,\n]", listed):
                key = _key(phrase)
                if key:
                    table.setdefault(key[0], []).append((key, kind, language))
    for options in table.values():
        options.sort(key=lambda option: -len(option[0]))
    return table


_PHRASES = _phrase_table()
_FILLER = frozenset(_squash(w) for w in FILLER)
_ADDRESSING = frozenset(_squash(w) for w in ADDRESSING)
_SIGN_OFF = frozenset(_squash(w) for w in SIGN_OFF)


def _is_mash(word: str) -> bool:
    """Keyboard mashing: "asdf", "sdfsdf", "qwerty", "jkljkl"."""
    if len(word) < 4:
        return False
    for size in range(3, len(word) + 1):
        unit = word[:size]
        repeated = len(word) % size == 0 and unit * (len(word) // size) == word
        if repeated and any(unit in row for row in KEYBOARD_ROWS):
            return True
    return False


def _noise_word(word: str) -> bool:
    return len(word) == 1 or bool(_LAUGH.match(word)) or _is_mash(word)


@dataclass(frozen=True)
class _Word:
    typed: str
    key: str
    after_sentence_end: bool  # a . ! or ? between this word and the one before
    after_slash: bool = False  # a / between this word and the one before ("tack /Per")


def _strip_emoji(text: str) -> tuple[str, int]:
    """The text without emoji (Unicode, Slack :codes: and emoticons), and how many there were."""
    text, codes = _SLACK_EMOJI.subn(" ", text)
    text, emoticons = _EMOTICON.subn(" ", text)
    kept, symbols = [], 0
    for char in text:
        if char in _EMOJI_JOINERS:
            continue
        if unicodedata.category(char) in ("So", "Sk", "Cs", "Co"):
            symbols += 1
            kept.append(" ")
        else:
            kept.append(char)
    return "".join(kept), codes + emoticons + symbols


def small_talk(text: str) -> SmallTalk | None:
    """What kind of small talk the message is, and in which language; None for anything that
    may be a question."""
    text = unicodedata.normalize("NFC", text)
    bare, emoji = _strip_emoji(text)
    bare = _APOSTROPHE.sub("", bare)
    found = list(_WORD.finditer(bare))
    if not found:
        if emoji:
            return SmallTalk(Kind.EMOJI, detect_language(text))
        if "?" in bare:
            return SmallTalk(Kind.HELP, detect_language(text))
        if bare.strip():
            return SmallTalk(Kind.NOISE, detect_language(text))
        return None
    if len(found) > MAX_WORDS:
        return None
    if all(m.group().isdecimal() for m in found):
        return SmallTalk(Kind.NUMBER, detect_language(text))
    words = [
        _Word(
            m.group(),
            _squash(m.group()),
            i > 0 and bool(_SENTENCE_END.search(bare, found[i - 1].end(), m.start())),
            "/" in bare[found[i - 1].end() if i else 0 : m.start()],
        )
        for i, m in enumerate(found)
    ]
    segments = _segment(words)
    if segments is None:
        return None
    kinds = {kind for kind, _ in segments if kind is not None}
    if not kinds:
        return SmallTalk(Kind.NOISE, detect_language(text))
    kind = next(k for k in PRIORITY if k in kinds)
    swedish = sum(1 for _, language in segments if language == "sv")
    english = sum(1 for _, language in segments if language == "en")
    if swedish != english:
        language = "sv" if swedish > english else "en"
    else:
        language = detect_language(text)
    return SmallTalk(kind, language)


_Segment = tuple[Kind | None, str | None]


def _segment(words: list[_Word]) -> list[_Segment] | None:
    """Cover the words with the fewest small-talk phrases, filler words and names; None if some
    word is not small talk."""
    n = len(words)
    best: list[list[_Segment] | None] = [None] * (n + 1)
    best[0] = []
    for start in range(n):
        done = best[start]
        if done is None:
            continue
        word = words[start]
        steps: list[tuple[int, _Segment]] = []
        for key, kind, language in _PHRASES.get(word.key, ()):
            end = start + len(key)
            if tuple(w.key for w in words[start:end]) == key:
                steps.append((end, (kind, language or None)))
        if word.key in _FILLER:
            steps.append((start + 1, (None, None)))
        if word.typed.isdecimal():
            steps.append((start + 1, (Kind.NUMBER, None)))
        elif _noise_word(word.key):
            steps.append((start + 1, (Kind.NOISE, None)))
        if _is_name(words, start):
            steps.append((start + 1, (None, None)))
        if word.key in _SIGN_OFF or word.after_slash:
            signature = start + (word.key in _SIGN_OFF)
            if n - signature <= SIGNATURE_WORDS:
                steps.append((n, (None, None)))
        for end, segment in steps:
            candidate = [*done, segment]
            if best[end] is None or len(candidate) < len(best[end] or ()):
                best[end] = candidate
    return best[n]


def _is_name(words: list[_Word], index: int) -> bool:
    """A capitalised word right after a greeting or thanks (or after another such name), in
    the same sentence: "Tack Anna!", "Hej Per Olsson"."""
    word = words[index]
    if index == 0 or word.after_sentence_end or not word.typed[:1].isupper():
        return False
    if word.typed[1:] != word.typed[1:].lower() or word.typed.isdecimal():
        return False
    before = words[index - 1]
    return before.key in _ADDRESSING or _is_name(words, index - 1)
