"""Text normalisation for matching Swedish and English questions.

Words are folded to plain ASCII (å, ä -> a, ö -> o) on both sides, so a question typed without
Swedish letters still matches. Instead of a stemmer, each word gets a small set of *roots* (the word
with a Swedish or English inflection removed); two words are the same term when their roots meet.
That keeps `bokför`, `bokföra` and `bokföring` together without letting a stemmer collapse
`leverans` (delivery) into `leverantör` (supplier).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from itertools import chain

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "æ": "a", "ø": "o"})
_TOKEN = re.compile(r"[a-z0-9]+")
_RAW_TOKEN = re.compile(r"[^\W_]+")
_MIN_ROOT = 4

# Swedish noun, verb and adjective endings, then English ones; by length, longest first.
_SUFFIXES = frozenset(
    """
    arnas ernas ornas arna erna orna heten heter hetens ande ende andet ades ade aste are
    ast ens ets ar er or en et na an as es ad at a e n s t erade erar ering eringen
    eringar era erat erad ning ningen ningar ningarna ningens ningens
    ations ation ings ing ies ied ed ly
    """.split()
)
_SUFFIXES_BY_LENGTH = tuple(
    (length, frozenset(s for s in _SUFFIXES if len(s) == length))
    for length in sorted({len(s) for s in _SUFFIXES}, reverse=True)
)

# Function words and chat filler in both languages: they say nothing about which entry is meant.
STOPWORDS = frozenset(
    """
    a about after again all also am an and any are as at be because been before being but by can
    could did do does doing done for from get gets getting got had has have having he her here hi
    hello hey how i if in into is it its just let me might more most my need needs no not now of
    on once one only or other our out over please pls really right should so some still such than
    thank thanks that the their them then there these they thing this those to too try trying up
    us use using want wants was way we were what when where which while who why will with would
    you your yes ok okay something anyone someone know tell wonder wondering question quick help
    guys team anybody today yesterday tomorrow currently sorry think since does i'm im there's
    aldrig alla allt alltid andra annan annat att av bara bra de dem den denna deras dess det
    detta dig din dina ditt du efter eftersom eller en ett fick finns fixa for fram fran fraga
    fragan fragor ga gar gor gora gjorde ha hade han har hej hejsan hallo hon hur i idag igar igen
    in inom inte ja jag kan kanske kolla kunde man med mig mitt mina min mot mycket nagon nagot
    nagra nar nej nu och ocksa om oss pa sa sadan sag sager samma se sedan sen ser sig sin sina
    sitt ska skall skulle snalla som sta star tack till tips typ under undrar upp ut utan vad
    var vara varfor varje vart vem vi vid vill visst aven at da dar darfor hos hit dit ni er
    era ert bli blir blev behover behova lite mer mest borde brukar tror tycker vet hjalp hjalpa
    hjalpen tacksam morgon mvh halsningar gang egentligen liksom alltsa ju nog val nan nat
    hallaa tjena tjenare halla god dag hello undrade fundering funderar far fatt
    langre fortfarande ingen inget inga anymore
    won isn aren wasn weren hasn haven hadn doesn didn don couldn shouldn wouldn ve re ll
    dont doesnt didnt isnt arent wasnt werent hasnt havent hadnt wont cant couldnt shouldnt
    wouldnt ive youre theyre theyve weve thats whats
    morning afternoon evening folks everyone everybody thx cheers regards ago actually usually
    basically officially apparently probably maybe perhaps anyway guess fine lot lots
    precis totalt hela forhand faktiskt ungefar imorgon forut
    """.split()
)

# The stopwords above that are written with å, ä or ö, as they are typed.
ACCENTED_STOPWORDS = frozenset(
    """
    för på så är då där när nån nåt någon något några också även från fråga frågan frågor gå går
    gör göra hjälp hjälpa hjälpen här måste sån sådan säg säger stå står snälla varför vår vårt
    våra väl ändå åt både hälsningar gång behöver behöva hallå nåt nån tjänare fundering får fått
    längre igår förhand ungefär förut
    """.split()
)

# Words that are everywhere in an ERP support channel and never tell entries apart.
DOMAIN_FILLER = frozenset(
    """
    erp bc business central dynamics nav systemet system affarssystemet affarssystem navision
    programmet program
    """.split()
)

_SWEDISH_HINTS = frozenset(
    """
    och att det som en ett jag hur var vad kan inte med for har pa ar till den av om ska vill
    man nar gor mitt min fran hej tack varfor
    """.split()
)
_ENGLISH_HINTS = frozenset(
    """
    the and to is how do i a an of in for on it my can what why when where with does should we
    you hi please thanks
    """.split()
)


def tokens(text: str) -> list[tuple[str, str]]:
    """(folded, as typed) for each word, numbers included; `ändra` gives ("andra", "ändra")."""
    return list(chain.from_iterable(map(fold_word, typed_words(text))))


def typed_words(text: str) -> list[str]:
    """The words as typed (lower case); `fold_word` makes tokens of them."""
    return _RAW_TOKEN.findall(unicodedata.normalize("NFC", text).lower())


def words_in(piece: str) -> list[str]:
    """The words of text already normalised as `typed_words` normalises it (NFC, lower case)."""
    return _RAW_TOKEN.findall(piece)


@lru_cache(maxsize=200_000)
def fold_word(raw: str) -> tuple[tuple[str, str], ...]:
    """The tokens of one typed word: usually one, (folded, as typed)."""
    folded = unicodedata.normalize("NFKD", raw.translate(_FOLD)).encode("ascii", "ignore")
    return tuple((piece, raw) for piece in _TOKEN.findall(folded.decode()))


def words(text: str) -> list[str]:
    """Folded word tokens, numbers included."""
    return [folded for folded, _ in tokens(text)]


@lru_cache(maxsize=200_000)
def roots(word: str) -> tuple[str, ...]:
    """The word and what is left after removing one inflection ending (never shorter than 4).

    `lagret` also yields `lagr`, the stem `lager` shows after its unstressed e drops
    (lager/lagret, sedel/sedlar, artikel/artiklar).
    """
    found = [word]
    if len(word) > _MIN_ROOT and not word.isdigit():
        for length, suffixes in _SUFFIXES_BY_LENGTH:
            # a long ending needs a longer stem: sparning is not spar (spara), räkning not räk
            min_root = _MIN_ROOT + (length >= 3)
            if len(word) - length >= min_root and word[-length:] in suffixes:
                found.append(word[:-length])
        if len(word) >= 5 and word[-2] == "e" and word[-1] in "lrn" and word[-3] not in "aeiouy":
            found.append(word[:-2] + word[-1])
    return tuple(dict.fromkeys(found))


def is_stopword(word: str, typed: str | None = None) -> bool:
    """Whether a folded word carries no meaning. `typed` is the word as written: `ändra` (change)
    folds to `andra` (other), a stopword, but was clearly not meant as one."""
    if word in DOMAIN_FILLER:
        return True
    if word not in STOPWORDS:
        return False
    return typed is None or typed == word or typed in ACCENTED_STOPWORDS


# Opposite poles a question can take: selling to customers or buying from suppliers, goods
# coming in or going out. Each pole is a set of word prefixes (so compounds such as kundfaktura
# and inköpsorder count) and whole words; the two poles of a pair are bits 2k and 2k + 1.
POLES: tuple[tuple[tuple[str, ...], frozenset[str]], ...] = (
    (("kund", "customer", "forsalj", "salj", "sale"), frozenset()),
    (("leverantor", "supplier", "vendor", "inkop", "purchas"), frozenset({"lev", "po", "io"})),
    (("inlever", "receiv", "receipt", "mottag", "godsmottag"), frozenset({"emot"})),
    (("utlever", "ship", "plock", "pick", "frakt"), frozenset()),
)


def poles(pairs: Iterable[tuple[str, str]]) -> int:
    """A bit mask of the POLES that (folded, as typed) words name; 0 when they name none."""
    mask = 0
    for word, typed in pairs:
        mask |= word_poles(word, typed)
    return mask


@lru_cache(maxsize=200_000)
def word_poles(word: str, typed: str) -> int:
    """The POLES one word names, as a bit mask: `kundfaktura` names the customer pole."""
    if is_stopword(word, typed):
        return 0
    mask = 0
    for bit, (prefixes, whole) in enumerate(POLES):
        if word in whole or word.startswith(prefixes):
            mask |= 1 << bit
    return mask


def detect_language(text: str) -> str:
    """'sv' or 'en', by counting common function words; Swedish letters tip the balance."""
    raw = text.lower()
    tokens = words(text)
    sv = sum(1 for t in tokens if t in _SWEDISH_HINTS) + 2 * sum(raw.count(c) for c in "åäö")
    en = sum(1 for t in tokens if t in _ENGLISH_HINTS)
    return "en" if en > sv else "sv"
