"""Generate a realistic synthetic knowledge folder for benchmarking the matcher.

    python bench/synthetic.py --entries 10000 --out /tmp/kb

The folder has the real format (knowledge/README.md): `faq/<area>/*.md` files with front matter,
`## question` headings, `Also asked:` / `Tags:` / `Owner:` lines, answers of 40-150 words, some
`### Varför...` parts, and a `synonyms.yml`. Questions mix Swedish and English and are built from a
vocabulary of several hundred ERP words (verbs, objects, contexts) plus codes (locations, order
numbers, cost centres, companies), so every heading is distinct. The same seed gives the same
folder, byte for byte.

`make_queries` draws benchmark questions from the same vocabulary: paraphrases of the generated
questions (other wording, the other language, no å/ä/ö, typos, chat filler, keywords only,
inflected forms) mixed with off-topic questions the bot should not answer.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

AREAS = ("finance", "warehouse", "purchasing")
ENTRIES_PER_FILE = 25

# -- vocabulary ---------------------------------------------------------------------------------
# Objects: (Swedish noun, its article "en"/"ett", English noun), grouped by area.
OBJECTS: dict[str, list[tuple[str, str, str]]] = {
    "finance": [
        ("kundfaktura", "en", "customer invoice"),
        ("leverantörsfaktura", "en", "supplier invoice"),
        ("kreditnota", "en", "credit note"),
        ("inbetalning", "en", "incoming payment"),
        ("utbetalning", "en", "outgoing payment"),
        ("betalningsfil", "en", "payment file"),
        ("bankkonto", "ett", "bank account"),
        ("bankavstämning", "en", "bank reconciliation"),
        ("betalningspåminnelse", "en", "payment reminder"),
        ("dröjsmålsränta", "en", "late payment interest"),
        ("kundreskontra", "en", "receivables ledger"),
        ("leverantörsreskontra", "en", "payables ledger"),
        ("verifikation", "en", "voucher"),
        ("huvudbokskonto", "ett", "general ledger account"),
        ("kontoplan", "en", "chart of accounts"),
        ("momskod", "en", "VAT code"),
        ("momsdeklaration", "en", "VAT return"),
        ("periodisering", "en", "accrual"),
        ("bokföringsperiod", "en", "posting period"),
        ("bokslut", "ett", "year-end closing"),
        ("budget", "en", "budget"),
        ("kostnadsställe", "ett", "cost centre"),
        ("projekt", "ett", "project"),
        ("dimension", "en", "dimension"),
        ("valutakurs", "en", "exchange rate"),
        ("utlägg", "ett", "expense claim"),
        ("reseräkning", "en", "travel expense report"),
        ("anläggningstillgång", "en", "fixed asset"),
        ("avskrivning", "en", "depreciation"),
        ("kassaflödesrapport", "en", "cash flow report"),
        ("intäktskonto", "ett", "revenue account"),
        ("attestflöde", "ett", "approval workflow"),
        ("betalningsvillkor", "ett", "payment terms"),
        ("förfallodatum", "ett", "due date"),
        ("kreditgräns", "en", "credit limit"),
        ("inkassoärende", "ett", "debt collection case"),
        ("bankgiro", "ett", "bank giro"),
        ("autogiro", "ett", "direct debit"),
        ("faktureringsplan", "en", "invoicing schedule"),
        ("förskottsbetalning", "en", "prepayment"),
        ("koncernfaktura", "en", "intercompany invoice"),
        ("lönefil", "en", "payroll file"),
        ("SIE-fil", "en", "SIE file"),
        ("saldolista", "en", "balance list"),
        ("resultaträkning", "en", "income statement"),
        ("balansräkning", "en", "balance sheet"),
        ("kassakonto", "ett", "cash account"),
        ("kortbetalning", "en", "card payment"),
        ("revisionsrapport", "en", "audit report"),
        ("räntefaktura", "en", "interest invoice"),
    ],
    "warehouse": [
        ("lagerplats", "en", "bin"),
        ("lagerställe", "ett", "location"),
        ("artikelkort", "ett", "item card"),
        ("artikel", "en", "item"),
        ("plocklista", "en", "pick list"),
        ("plockning", "en", "warehouse pick"),
        ("utleverans", "en", "warehouse shipment"),
        ("inleverans", "en", "goods receipt"),
        ("inlagring", "en", "put-away"),
        ("följesedel", "en", "delivery note"),
        ("fraktsedel", "en", "shipping label"),
        ("returorder", "en", "return order"),
        ("kundretur", "en", "customer return"),
        ("inventering", "en", "stock count"),
        ("inventeringsdifferens", "en", "count difference"),
        ("lagersaldo", "ett", "stock level"),
        ("lagervärde", "ett", "inventory value"),
        ("serienummer", "ett", "serial number"),
        ("batchnummer", "ett", "lot number"),
        ("streckkod", "en", "barcode"),
        ("handdator", "en", "handheld scanner"),
        ("överföringsorder", "en", "transfer order"),
        ("pall", "en", "pallet"),
        ("kolli", "ett", "parcel"),
        ("speditör", "en", "carrier"),
        ("spårningsnummer", "ett", "tracking number"),
        ("måttenhet", "en", "unit of measure"),
        ("förpackning", "en", "package"),
        ("artikeljournal", "en", "item journal"),
        ("omklassificering", "en", "reclassification"),
        ("reservation", "en", "reservation"),
        ("minussaldo", "ett", "negative stock"),
        ("hyllplats", "en", "shelf location"),
        ("plockzon", "en", "picking zone"),
        ("lastkaj", "en", "loading dock"),
        ("godsmottagning", "en", "goods reception"),
        ("reklamation", "en", "complaint"),
        ("kassation", "en", "scrapping"),
        ("varuprov", "ett", "product sample"),
        ("artikelkategori", "en", "item category"),
        ("varugrupp", "en", "product group"),
        ("bruttovikt", "en", "gross weight"),
        ("transportbokning", "en", "transport booking"),
        ("tullfaktura", "en", "customs invoice"),
        ("ursprungsland", "ett", "country of origin"),
        ("leveransadress", "en", "ship-to address"),
        ("packlista", "en", "packing list"),
        ("lagerflytt", "en", "bin movement"),
        ("cykelinventering", "en", "cycle count"),
        ("etikettskrivare", "en", "label printer"),
    ],
    "purchasing": [
        ("inköpsorder", "en", "purchase order"),
        ("leverantör", "en", "supplier"),
        ("leverantörskort", "ett", "vendor card"),
        ("inköpsförslag", "ett", "purchase suggestion"),
        ("beställningspunkt", "en", "reorder point"),
        ("säkerhetslager", "ett", "safety stock"),
        ("ledtid", "en", "lead time"),
        ("prislista", "en", "price list"),
        ("inköpspris", "ett", "purchase price"),
        ("rabatt", "en", "discount"),
        ("ramavtal", "ett", "blanket order"),
        ("avrop", "ett", "call-off"),
        ("offertförfrågan", "en", "request for quotation"),
        ("orderbekräftelse", "en", "order confirmation"),
        ("inköpsretur", "en", "purchase return"),
        ("direktleverans", "en", "drop shipment"),
        ("valutakod", "en", "currency code"),
        ("leveransvillkor", "ett", "delivery terms"),
        ("leverantörsbedömning", "en", "supplier evaluation"),
        ("avtalsperiod", "en", "contract period"),
        ("orderkvantitet", "en", "order quantity"),
        ("inköpare", "en", "purchaser"),
        ("fraktkostnad", "en", "freight cost"),
        ("försäljningsorder", "en", "sales order"),
        ("försäljningsoffert", "en", "sales quote"),
        ("kund", "en", "customer"),
        ("kundkort", "ett", "customer card"),
        ("prisjustering", "en", "price adjustment"),
        ("planeringsparameter", "en", "planning parameter"),
        ("produktionsorder", "en", "production order"),
        ("stycklista", "en", "bill of materials"),
        ("efterfrågeprognos", "en", "demand forecast"),
        ("kampanjpris", "ett", "campaign price"),
        ("provision", "en", "commission"),
        ("expeditionsavgift", "en", "handling fee"),
        ("användare", "en", "user"),
        ("behörighet", "en", "permission"),
        ("rollcenter", "ett", "role centre"),
        ("rapport", "en", "report"),
        ("dokumentmall", "en", "document template"),
        ("nummerserie", "en", "number series"),
        ("jobbkö", "en", "job queue"),
        ("integration", "en", "integration"),
        ("e-faktura", "en", "e-invoice"),
        ("PDF-bilaga", "en", "PDF attachment"),
        ("Excel-export", "en", "Excel export"),
        ("arbetsdatum", "ett", "work date"),
        ("notifiering", "en", "notification"),
        ("leveransplan", "en", "delivery schedule"),
        ("restorder", "en", "backorder"),
    ],
}

# Verbs: (Swedish present tense, Swedish infinitive, English).
VERBS: list[tuple[str, str, str]] = [
    ("skapar", "skapa", "create"),
    ("ändrar", "ändra", "change"),
    ("tar bort", "ta bort", "delete"),
    ("bokför", "bokföra", "post"),
    ("krediterar", "kreditera", "credit"),
    ("makulerar", "makulera", "cancel"),
    ("skriver ut", "skriva ut", "print"),
    ("skickar", "skicka", "send"),
    ("godkänner", "godkänna", "approve"),
    ("spärrar", "spärra", "block"),
    ("importerar", "importera", "import"),
    ("exporterar", "exportera", "export"),
    ("kopierar", "kopiera", "copy"),
    ("flyttar", "flytta", "move"),
    ("hittar", "hitta", "find"),
    ("kontrollerar", "kontrollera", "check"),
    ("stämmer av", "stämma av", "reconcile"),
    ("justerar", "justera", "adjust"),
    ("registrerar", "registrera", "register"),
    ("uppdaterar", "uppdatera", "update"),
    ("frisläpper", "frisläppa", "release"),
    ("återöppnar", "återöppna", "reopen"),
    ("slår ihop", "slå ihop", "merge"),
    ("delar upp", "dela upp", "split"),
    ("fördelar", "fördela", "allocate"),
    ("beräknar", "beräkna", "calculate"),
    ("kopplar", "koppla", "link"),
    ("bifogar", "bifoga", "attach"),
    ("arkiverar", "arkivera", "archive"),
    ("returnerar", "returnera", "return"),
    ("fakturerar", "fakturera", "invoice"),
    ("betalar", "betala", "pay"),
    ("reserverar", "reservera", "reserve"),
    ("räknar om", "räkna om", "recalculate"),
    ("låser upp", "låsa upp", "unblock"),
    ("ersätter", "ersätta", "replace"),
    ("filtrerar", "filtrera", "filter"),
    ("sorterar", "sortera", "sort"),
    ("jämför", "jämföra", "compare"),
    ("signerar", "signera", "sign"),
    ("aktiverar", "aktivera", "activate"),
    ("inaktiverar", "inaktivera", "deactivate"),
    ("periodiserar", "periodisera", "accrue"),
    ("skriver av", "skriva av", "write off"),
    ("omvärderar", "omvärdera", "revalue"),
    ("förnyar", "förnya", "renew"),
    ("bekräftar", "bekräfta", "confirm"),
    ("planerar", "planera", "plan"),
    ("tilldelar", "tilldela", "assign"),
    ("validerar", "validera", "validate"),
    ("sparar", "spara", "save"),
    ("rättar", "rätta", "correct"),
    ("ångrar", "ångra", "undo"),
    ("stänger", "stänga", "close"),
]

# Contexts: (Swedish, English) phrases that narrow a question down.
CONTEXTS: list[tuple[str, str]] = [
    ("i förväg", "in advance"),
    ("efter bokföring", "after posting"),
    ("före bokslutet", "before the year-end closing"),
    ("i euro", "in euro"),
    ("i utländsk valuta", "in a foreign currency"),
    ("för flera bolag", "for several companies"),
    ("per kostnadsställe", "per cost centre"),
    ("per projekt", "per project"),
    ("på handdatorn", "on the handheld"),
    ("i webbklienten", "in the web client"),
    ("i mobilappen", "in the mobile app"),
    ("via EDI", "via EDI"),
    ("via mejl", "by email"),
    ("i Excel", "in Excel"),
    ("för en enskild rad", "for a single line"),
    ("för hela ordern", "for the whole order"),
    ("i efterhand", "afterwards"),
    ("när perioden är stängd", "when the period is closed"),
    ("utan attest", "without approval"),
    ("vid delleverans", "for a partial delivery"),
    ("vid månadsskiftet", "at month end"),
    ("för en ny leverantör", "for a new supplier"),
    ("för en utländsk kund", "for a foreign customer"),
    ("på flera lagerställen", "across several locations"),
    ("i en batch", "in a batch"),
    ("automatiskt", "automatically"),
    ("manuellt", "manually"),
    ("för föregående år", "for the previous year"),
    ("innan leveransen", "before delivery"),
    ("efter inventeringen", "after a stock count"),
    ("med omvänd moms", "with reverse charge VAT"),
    ("inom EU", "within the EU"),
    ("utanför EU", "outside the EU"),
    ("med rabatt", "with a discount"),
    ("för en spärrad artikel", "for a blocked item"),
    ("åt en annan användare", "for another user"),
    ("i testmiljön", "in the test environment"),
    ("i produktionsmiljön", "in production"),
    ("varje vecka", "every week"),
    ("från jobbkön", "from the job queue"),
]

LOCATIONS = ("JKPG", "GBG", "STHLM", "MALMO", "UMEA", "LKPG", "OREBRO", "VXO", "SUNDSV", "KARLST")
COMPANIES = (
    "Byggmax",
    "Clas Ohlson",
    "Ahlsell",
    "Beijer",
    "Würth",
    "Bauhaus",
    "Jula",
    "Granngården",
    "Hornbach",
    "Elektroskandia",
    "Bergendahls",
    "Optimera",
    "Dahl",
    "Swedol",
    "Biltema",
    "Mekonomen",
)
PEOPLE = (
    ("Anna Lind", "ekonomi", "finance"),
    ("Johan Berg", "lager", "warehouse"),
    ("Sara Ek", "inköp", "purchasing"),
    ("Mikael Holm", "IT", "IT"),
    ("Lena Sjöberg", "ekonomi", "finance"),
    ("Erik Dahlgren", "lager", "warehouse"),
    ("Maria Nyström", "inköp", "purchasing"),
    ("Peter Lund", "controller", "controlling"),
)
MENUS_SV = ("Ekonomi", "Försäljning", "Inköp", "Lager", "Planering", "Administration", "Rapporter")
MENUS_EN = ("Finance", "Sales", "Purchasing", "Warehouse", "Planning", "Administration", "Reports")
ACTIONS_SV = (
    "Bokför",
    "Frisläpp",
    "Skapa dokument",
    "Hämta källdokument",
    "Beräkna plan",
    "Föreslå rader",
    "Skicka begäran om godkännande",
    "Korrigera",
    "Navigera",
    "Skriv ut",
)
ACTIONS_EN = (
    "Post",
    "Release",
    "Create Document",
    "Get Source Documents",
    "Calculate Plan",
    "Suggest Lines",
    "Send Approval Request",
    "Correct",
    "Find Entries",
    "Print",
)
FIELDS_SV = (
    "Bokföringsdatum",
    "Externt dokumentnr",
    "Orsakskod",
    "Leveransdatum",
    "Antal att leverera",
    "Enhetspris exkl. moms",
    "Kostnadsställekod",
    "Projektkod",
    "Lagerställekod",
    "Momsproduktbokföringsmall",
    "Betalningsvillkorskod",
    "Valutakod",
)
FIELDS_EN = (
    "Posting Date",
    "External Document No.",
    "Reason Code",
    "Shipment Date",
    "Qty. to Ship",
    "Unit Price Excl. VAT",
    "Cost Centre Code",
    "Project Code",
    "Location Code",
    "VAT Prod. Posting Group",
    "Payment Terms Code",
    "Currency Code",
)
FILLER_SV = (
    "Det här gäller alla bolag i koncernen.",
    "Ändringen syns direkt för alla användare.",
    "Spara alltid innan du stänger sidan.",
    "Gör det helst före klockan 15 så hinner ekonomi stämma av samma dag.",
    "Rapporten uppdateras varje natt via jobbkön.",
    "Om fältet är grått saknar du behörighet; be din chef om rätt roll.",
    "Kontrollera resultatet i förhandsgranskningen innan du bokför.",
    "Det går inte att ångra efter bokföring, så dubbelkolla beloppen.",
    "Sidan laddas om av sig själv efter ett par sekunder.",
    "Vid frågor om behörigheter, skapa ett ärende till IT via portalen.",
    "Samma rutin används på alla våra lagerställen.",
    "Vänta med nästa steg tills statusen har blivit Frisläppt.",
    "Använd alltid mallen som ligger på intranätet.",
    "Den gamla rutinen med pappersblankett används inte längre.",
    "Avvikelser över 2 % hamnar automatiskt i granskningskön.",
    "Under bokslutsveckan är sidan låst för alla utom controllers.",
    "Filtrera gärna listan på din egen användar-id för att slippa andras rader.",
    "Historiken finns kvar i sju år enligt arkiveringspolicyn.",
    "Kvartalsvis följer vi upp antalet ärenden på ledningsgruppens möte.",
    "Glöm inte att uppdatera kommentaren om något ändras senare.",
)
FILLER_EN = (
    "This applies to every company in the group.",
    "The change is visible to all users straight away.",
    "Always save before you close the page.",
    "Do it before 3 pm so finance can reconcile it the same day.",
    "The report is refreshed every night by the job queue.",
    "If the field is greyed out you lack the permission; ask your manager for the right role.",
    "Check the result in the preview before you post.",
    "Posting cannot be undone, so double-check the amounts.",
    "The page reloads by itself after a couple of seconds.",
    "For questions about permissions, raise a ticket with IT in the portal.",
    "The same routine is used at all our warehouses.",
    "Wait with the next step until the status has changed to Released.",
    "Always use the template on the intranet.",
    "The old paper form is no longer used.",
    "Deviations above 2% end up in the review queue automatically.",
    "During closing week the page is locked for everyone except controllers.",
    "Filter the list on your own user ID to hide other people's lines.",
    "The history is kept for seven years under the retention policy.",
    "Every quarter we review the number of tickets at the management meeting.",
    "Remember to update the comment if anything changes later.",
)
WHY_SV = (
    "Revisorerna kräver att varje ändring går att spåra till en person och ett datum.",
    "Annars stämmer inte lagervärdet mot huvudboken vid månadsbokslutet.",
    "Bokföringslagen tillåter inte att bokförda verifikationer ändras.",
    "Det sparar tid för ekonomi och ger kunden rätt underlag direkt.",
)
WHY_EN = (
    "The auditors require every change to be traceable to a person and a date.",
    "Otherwise the inventory value will not match the general ledger at month end.",
    "Accounting law does not allow posted vouchers to be changed.",
    "It saves finance time and gives the customer the right documents straight away.",
)

QUESTION_SV = (
    "Hur {vp1} jag {vp2}{obj} {ctx}{code}?",
    "Varför kan jag inte {vi} {obj} {ctx}{code}?",
    "Vad gör jag om jag inte kan {vi} {obj} {ctx}{code}?",
    "Går det att {vi} {obj} {ctx}{code}?",
    "Vem får {vi} {obj} {ctx}{code}?",
    "Felmeddelande {err} när jag {vp} {obj} {ctx}{code} – vad betyder det?",
)
QUESTION_EN = (
    "How do I {v} {obj} {ctx}{code}?",
    "Why can't I {v} {obj} {ctx}{code}?",
    "What should I do if I cannot {v} {obj} {ctx}{code}?",
    "Is it possible to {v} {obj} {ctx}{code}?",
    "Who is allowed to {v} {obj} {ctx}{code}?",
    "Error {err} when I {v} {obj} {ctx}{code} – what does it mean?",
)

OFF_TOPIC_SV = (
    "Vad blir det för lunch på {day}?",
    "Hur bokar jag {room} till mötet på {day}?",
    "Vem har nyckeln till {room}?",
    "När är {event} i år?",
    "Får man ta med hunden till kontoret på {day}?",
    "Hur ansöker jag om {leave}?",
    "Var parkerar man om garaget är fullt på {day}?",
    "Vilket lösenord har gäst-wifi:t på {site}?",
    "Kan någon tipsa om en bra tandläkare nära {site}?",
    "Fungerar kaffemaskinen på {site} igen?",
    "Vem ordnar {event} och hur anmäler jag mig?",
    "Hur byter jag däck på tjänstebilen före {day}?",
)
OFF_TOPIC_EN = (
    "What's for lunch on {day}?",
    "How do I book {room} for the meeting on {day}?",
    "Who has the key to {room}?",
    "When is {event} this year?",
    "Can I bring my dog to the office on {day}?",
    "How do I apply for {leave}?",
    "Where do I park when the garage is full on {day}?",
    "What is the guest wifi password at {site}?",
    "Can anyone recommend a good dentist near {site}?",
    "Is the coffee machine at {site} working again?",
    "Who organises {event} and how do I sign up?",
    "How do I change the tyres on the company car before {day}?",
)
DAYS_SV = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag")
DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
ROOMS_SV = ("stora konferensrummet", "cykelrummet", "gymmet", "styrelserummet", "förrådet")
ROOMS_EN = ("the big meeting room", "the bike room", "the gym", "the board room", "the storeroom")
EVENTS_SV = ("julbordet", "kickoffen", "sommarfesten", "friskvårdsdagen", "afterworken")
EVENTS_EN = ("the Christmas party", "the kick-off", "the summer party", "wellness day", "the AW")
LEAVE_SV = ("föräldraledighet", "tjänstledighet", "semester i juli", "friskvårdsbidrag")
LEAVE_EN = ("parental leave", "a leave of absence", "holiday in July", "the wellness allowance")
SITES = ("Jönköping", "Göteborg", "Malmö", "Stockholm", "Umeå", "huvudkontoret", "HQ")

CHATTY_SV = ("Hej! ", "Hejsan, snabb fråga: ", "Tjena, ", "God morgon! Jag undrar ")
CHATTY_SV_END = (" Tack!", " Tack på förhand!", " /Lisa", "")
CHATTY_EN = ("Hi all, quick one: ", "Hey, ", "Morning! ", "Sorry if this was asked before, ")
CHATTY_EN_END = (" Thanks!", " Cheers", " thx", "")


@dataclass(frozen=True)
class Spec:
    """The parts a synthetic question was built from, so it can be paraphrased."""

    area: str
    lang: str
    template: int
    verb: int
    obj: int
    ctx: int
    code: str
    question: str


def _objects() -> list[tuple[str, tuple[str, str, str]]]:
    return [(area, obj) for area in AREAS for obj in OBJECTS[area]]


ALL_OBJECTS = _objects()


def vocabulary() -> set[str]:
    """Every distinct lower-case word in the question vocabulary (for the docs: its size)."""
    text = " ".join(
        [" ".join(o[0] + " " + o[2] for _, o in ALL_OBJECTS)]
        + [" ".join(v) for v in VERBS]
        + [" ".join(c) for c in CONTEXTS]
    )
    return set(re.findall(r"[^\W\d_]+", text.lower()))


def _code(rng: random.Random) -> str:
    kind = rng.randrange(8)
    if kind == 0:
        return f" (lagerställe {rng.choice(LOCATIONS)})"
    if kind == 1:
        return f" för {rng.choice(COMPANIES)}"
    if kind == 2:
        return f" på order IO-{rng.randrange(10000, 99999)}"
    if kind == 3:
        return f" (kostnadsställe {rng.randrange(1000, 9999)})"
    if kind == 4:
        return f" på konto {rng.randrange(1000, 8999)}"
    return ""


def _code_en(code: str) -> str:
    return (
        code.replace("lagerställe", "location")
        .replace(" för ", " for ")
        .replace(" på order", " on order")
        .replace("kostnadsställe", "cost centre")
        .replace(" på konto", " on account")
    )


def _obj_phrase(obj: tuple[str, str, str], lang: str, form: str = "indef") -> str:
    sv, article, en = obj
    if lang == "en":
        if form == "def":
            return f"the {en}"
        if form == "plural":
            return en if en.endswith("s") else f"{en}s"
        return f"an {en}" if en[0] in "aeiouAEIOU" else f"a {en}"
    if form == "def":
        return _sv_definite(sv, article)
    if form == "plural":
        return _sv_plural(sv)
    return f"{article} {sv}"


def _sv_definite(word: str, article: str) -> str:
    if article == "ett":
        return word + ("t" if word[-1] in "aeiouyåäö" else "et")
    if word.endswith("a"):
        return word + "n"
    if word.endswith(("e", "el", "er")):
        return word + "n"
    return word + "en"


def _sv_plural(word: str) -> str:
    if word.endswith("a"):
        return word[:-1] + "or"
    if word.endswith(("ing", "ning", "tion", "het")):
        return word + "ar" if word.endswith("ing") else word + "er"
    if word.endswith("e"):
        return word + "n"
    return word + "er"


def render(spec: Spec, lang: str | None = None, template: int | None = None) -> str:
    """The question of `spec`, optionally in another language or with another template."""
    lang = lang or spec.lang
    template = spec.template if template is None else template
    sv_present, sv_inf, en_verb = VERBS[spec.verb]
    obj = ALL_OBJECTS[spec.obj][1]
    ctx_sv, ctx_en = CONTEXTS[spec.ctx]
    err = f"E{(spec.verb * 131 + spec.obj * 17 + spec.ctx) % 9000 + 1000}"
    if lang == "sv":
        verb, _, particle = sv_present.partition(" ")
        return QUESTION_SV[template].format(
            vp=sv_present,
            vp1=verb,
            vp2=particle + " " if particle else "",
            vi=sv_inf,
            obj=_obj_phrase(obj, "sv"),
            ctx=ctx_sv,
            code=spec.code,
            err=err,
        )
    return QUESTION_EN[template].format(
        v=en_verb, obj=_obj_phrase(obj, "en"), ctx=ctx_en, code=_code_en(spec.code), err=err
    )


def _answer(spec: Spec, rng: random.Random) -> tuple[str, str | None]:
    """(answer markdown of 40-150 words, optional why text) for one entry."""
    sv = spec.lang == "sv"
    sv_present, sv_inf, en_verb = VERBS[spec.verb]
    obj = ALL_OBJECTS[spec.obj][1]
    other = ALL_OBJECTS[rng.randrange(len(ALL_OBJECTS))][1]
    other2 = ALL_OBJECTS[rng.randrange(len(ALL_OBJECTS))][1]
    menus, actions, fields = (
        (MENUS_SV, ACTIONS_SV, FIELDS_SV) if sv else (MENUS_EN, ACTIONS_EN, FIELDS_EN)
    )
    person = rng.choice(PEOPLE)
    code = f"{rng.choice(LOCATIONS)}-{rng.randrange(10, 99)}"
    ref = f"{rng.choice(('SO', 'IO', 'RMA', 'INV'))}-{rng.randrange(100000, 999999)}"
    ctx = CONTEXTS[spec.ctx][0 if sv else 1]
    page = _sv_plural(obj[0]).capitalize() if sv else _obj_phrase(obj, "en", "plural").title()
    if sv:
        openers = [
            f"Öppna **{rng.choice(menus)} > {page}** och sök fram {_obj_phrase(obj, 'sv', 'def')}.",
            f"Gå till **{rng.choice(menus)} > {page}** och filtrera på **{rng.choice(fields)}**.",
            f"Sök efter *{page}* med förstoringsglaset och markera "
            f"{_obj_phrase(obj, 'sv', 'def')}.",
        ]
        steps = [
            f"Välj **{rng.choice(actions)}** och kontrollera fältet **{rng.choice(fields)}**.",
            f"Fyll i **{rng.choice(fields)}** med `{code}` innan du {sv_present} "
            f"{_obj_phrase(obj, 'sv', 'def')}.",
            f"Gäller det {ctx}: se till att först {sv_inf} {_obj_phrase(other, 'sv', 'def')} "
            f"och därefter {_obj_phrase(other2, 'sv', 'def')}.",
            f"Välj **{rng.choice(actions)}** och bekräfta med **OK**.",
            f"Under snabbfliken **Allmänt** anger du **{rng.choice(fields)}**.",
            f"Kör **{rng.choice(actions)}** från menyfliksområdet.",
            f"Skriv referensen `{ref}` i kommentarsfältet så att {person[1]} kan följa upp.",
        ]
        tail = [
            f"Tänk på att {_obj_phrase(obj, 'sv', 'def')} påverkar "
            f"{_obj_phrase(other, 'sv', 'def')} på lagerställe `{rng.choice(LOCATIONS)}`.",
            f"Kontakta {person[0]} ({person[1]}) om {_obj_phrase(other2, 'sv', 'def')} saknas.",
            *FILLER_SV,
        ]
        why = rng.choice(WHY_SV)
    else:
        openers = [
            f"Open **{rng.choice(menus)} > {page}** and find {_obj_phrase(obj, 'en', 'def')}.",
            f"Go to **{rng.choice(menus)} > {page}** and filter on **{rng.choice(fields)}**.",
            f"Search for *{page}* with the magnifying glass and select "
            f"{_obj_phrase(obj, 'en', 'def')}.",
        ]
        steps = [
            f"Choose **{rng.choice(actions)}** and check the **{rng.choice(fields)}** field.",
            f"Fill in **{rng.choice(fields)}** with `{code}` before you {en_verb} "
            f"{_obj_phrase(obj, 'en', 'def')}.",
            f"If this is {ctx}, {en_verb} {_obj_phrase(other, 'en', 'def')} first and then "
            f"{_obj_phrase(other2, 'en', 'def')}.",
            f"Choose **{rng.choice(actions)}** and confirm with **OK**.",
            f"On the **General** FastTab, enter **{rng.choice(fields)}**.",
            f"Run **{rng.choice(actions)}** from the action bar.",
            f"Put the reference `{ref}` in the comment so {person[2]} can follow up.",
        ]
        tail = [
            f"Note that {_obj_phrase(obj, 'en', 'def')} affects {_obj_phrase(other, 'en', 'def')} "
            f"at location `{rng.choice(LOCATIONS)}`.",
            f"Contact {person[0]} ({person[2]}) if {_obj_phrase(other2, 'en', 'def')} is missing.",
            *FILLER_EN,
        ]
        why = rng.choice(WHY_EN)
    target = rng.randint(40, 150)
    rng.shuffle(tail)
    chosen = [rng.choice(openers), *rng.sample(steps, rng.randint(1, 4))]
    numbered = rng.random() < 0.6
    lines = [f"{i}. {s}" if numbered else f"- {s}" for i, s in enumerate(chosen, 1)]
    count = sum(len(s.split()) for s in lines)
    for sentence in tail:
        if count >= 40 and count + len(sentence.split()) > target:
            break
        lines.append(sentence)
        count += len(sentence.split())
    return "\n".join(lines), (why if rng.random() < 0.15 else None)


def generate(n: int = 10_000, seed: int = 1) -> list[Spec]:
    """`n` distinct question specs (no two headings equal after normalisation)."""
    rng = random.Random(seed)
    seen: set[str] = set()
    specs: list[Spec] = []
    while len(specs) < n:
        obj = rng.randrange(len(ALL_OBJECTS))
        lang = "sv" if rng.random() < 0.6 else "en"
        spec = Spec(
            area=ALL_OBJECTS[obj][0],
            lang=lang,
            template=rng.randrange(len(QUESTION_SV)),
            verb=rng.randrange(len(VERBS)),
            obj=obj,
            ctx=rng.randrange(len(CONTEXTS)),
            code=_code(rng),
            question="",
        )
        question = render(spec)
        key = re.sub(r"[\s?!.:]+", " ", question.casefold()).strip()
        if key in seen:
            continue
        seen.add(key)
        specs.append(Spec(**{**spec.__dict__, "question": question}))
    return specs


def write_folder(specs: Sequence[Spec], out: Path, seed: int = 1) -> Path:
    """Write `specs` as a knowledge folder under `out` (faq/<area>/*.md and synonyms.yml)."""
    rng = random.Random(seed + 1)
    out.mkdir(parents=True, exist_ok=True)
    by_area: dict[str, list[Spec]] = {area: [] for area in AREAS}
    for spec in specs:
        by_area[spec.area].append(spec)
    for area, items in by_area.items():
        folder = out / "faq" / area
        folder.mkdir(parents=True, exist_ok=True)
        for start in range(0, len(items), ENTRIES_PER_FILE):
            chunk = items[start : start + ENTRIES_PER_FILE]
            first = ALL_OBJECTS[chunk[0].obj][1]
            tags = ", ".join([first[0], first[2]])
            parts = [f"---\narea: {area}\ntags: [{tags}]\n---\n", f"# {first[0].capitalize()}\n"]
            for spec in chunk:
                parts.append(_entry_markdown(spec, rng))
            name = f"{area}-{start // ENTRIES_PER_FILE + 1:04d}.md"
            (folder / name).write_text("\n".join(parts), encoding="utf-8")
    (out / "synonyms.yml").write_text(_synonyms_yaml(), encoding="utf-8")
    return out


def _entry_markdown(spec: Spec, rng: random.Random) -> str:
    lines = [f"## {spec.question}"]
    if rng.random() < 0.35:
        alternatives = []
        for _ in range(rng.randint(1, 3)):
            lang = rng.choice(("sv", "en"))
            alt = render(spec, lang=lang, template=rng.randrange(len(QUESTION_SV)))
            if alt != spec.question and alt not in alternatives:
                alternatives.append(alt)
        if alternatives:
            lines.append("Also asked: " + " | ".join(alternatives))
    obj = ALL_OBJECTS[spec.obj][1]
    if rng.random() < 0.3:
        lines.append(f"Tags: {obj[0].lower()}, {VERBS[spec.verb][1]}")
    if rng.random() < 0.2:
        person = rng.choice(PEOPLE)
        lines.append(f"Owner: {person[0]} ({person[1]})")
    answer, why = _answer(spec, rng)
    lines += ["", answer, ""]
    if why:
        title = "Varför gör vi så?" if spec.lang == "sv" else "Why we do it this way"
        lines += [f"### {title}", why, ""]
    return "\n".join(lines)


def _synonyms_yaml() -> str:
    """One group per object: the Swedish and the English word (what a company would add)."""
    lines = ["# Synthetic company synonyms: the Swedish and English name of each object."]
    for _, (sv, _, en) in ALL_OBJECTS:
        if sv.lower() != en.lower():
            lines.append(f"- [{sv.lower()}, {en.lower()}]")
    return "\n".join(lines) + "\n"


# -- queries ------------------------------------------------------------------------------------

STYLES = ("plain", "crosslang", "noaccents", "typo", "chatty", "short", "inflected")
_NOACCENTS = str.maketrans("åäöÅÄÖü", "aaoAAOu")


def paraphrase(spec: Spec, style: str, rng: random.Random) -> str:
    """A question a colleague might type for the entry `spec`, in the given style."""
    other_template = rng.choice([t for t in range(len(QUESTION_SV)) if t != spec.template])
    if style == "plain":
        return render(spec, template=other_template)
    if style == "crosslang":
        return render(spec, lang="en" if spec.lang == "sv" else "sv", template=other_template)
    if style == "noaccents":
        return render(spec, template=other_template).translate(_NOACCENTS).lower()
    if style == "typo":
        return _typo(render(spec, template=other_template), ALL_OBJECTS[spec.obj][1], rng)
    if style == "chatty":
        if spec.lang == "sv":
            return rng.choice(CHATTY_SV) + render(spec).lower() + rng.choice(CHATTY_SV_END)
        return rng.choice(CHATTY_EN) + render(spec).lower() + rng.choice(CHATTY_EN_END)
    if style == "short":
        sv_present, _, en_verb = VERBS[spec.verb]
        sv, _, en = ALL_OBJECTS[spec.obj][1]
        ctx = CONTEXTS[spec.ctx][0 if spec.lang == "sv" else 1]
        words = [sv, sv_present, ctx] if spec.lang == "sv" else [en, en_verb, ctx]
        code = spec.code if spec.lang == "sv" else _code_en(spec.code)
        return " ".join(words) + code.replace("(", "").replace(")", "")
    if style == "inflected":
        sv_present, _, en_verb = VERBS[spec.verb]
        obj = ALL_OBJECTS[spec.obj][1]
        ctx = CONTEXTS[spec.ctx][0 if spec.lang == "sv" else 1]
        if spec.lang == "sv":
            verb, _, particle = sv_present.partition(" ")
            plural = _obj_phrase(obj, "sv", "plural")
            return f"Hur {verb} man {particle + ' ' if particle else ''}{plural} {ctx}{spec.code}?"
        participle = _participle(en_verb)
        return (
            f"How are {_obj_phrase(obj, 'en', 'plural')} {participle} {ctx}{_code_en(spec.code)}?"
        )
    raise ValueError(f"unknown style {style!r}")


_IRREGULAR = {
    "send": "sent",
    "find": "found",
    "pay": "paid",
    "split": "split",
    "undo": "undone",
    "plan": "planned",
    "cancel": "cancelled",
    "write off": "written off",
}


def _participle(verb: str) -> str:
    """English past participle of the verbs in VERBS."""
    if verb in _IRREGULAR:
        return _IRREGULAR[verb]
    return verb + ("d" if verb.endswith("e") else "ed")


def _typo(question: str, obj: tuple[str, str, str], rng: random.Random) -> str:
    """One keyboard slip in the object word (swap, drop or double a letter)."""
    words = question.split()
    candidates = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not candidates:
        return question
    i = rng.choice(candidates)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    elif kind == 1:
        w = w[:j] + w[j + 1 :]
    else:
        w = w[:j] + w[j] + w[j:]
    words[i] = w
    return " ".join(words)


def off_topic(rng: random.Random) -> str:
    """A question the FAQ does not answer (lunch, parking, wifi, parties...)."""
    if rng.random() < 0.5:
        return rng.choice(OFF_TOPIC_SV).format(
            day=rng.choice(DAYS_SV),
            room=rng.choice(ROOMS_SV),
            event=rng.choice(EVENTS_SV),
            leave=rng.choice(LEAVE_SV),
            site=rng.choice(SITES),
        )
    return rng.choice(OFF_TOPIC_EN).format(
        day=rng.choice(DAYS_EN),
        room=rng.choice(ROOMS_EN),
        event=rng.choice(EVENTS_EN),
        leave=rng.choice(LEAVE_EN),
        site=rng.choice(SITES),
    )


@dataclass(frozen=True)
class Query:
    question: str
    expected: str | None
    style: str


def make_queries(
    specs: Sequence[Spec], n: int, seed: int = 2, off_topic_share: float = 0.25
) -> list[Query]:
    """`n` benchmark questions: paraphrases of random entries mixed with off-topic questions."""
    rng = random.Random(seed)
    queries = []
    for _ in range(n):
        if rng.random() < off_topic_share:
            queries.append(Query(off_topic(rng), None, "offtopic"))
            continue
        spec = specs[rng.randrange(len(specs))]
        style = rng.choice(STYLES)
        queries.append(Query(paraphrase(spec, style, rng), spec.question, style))
    return queries


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="folder to write (created)")
    args = parser.parse_args(argv)
    specs = generate(args.entries, args.seed)
    write_folder(specs, args.out, args.seed)
    files = sum(1 for _ in (args.out / "faq").rglob("*.md"))
    print(f"wrote {len(specs)} entries in {files} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
