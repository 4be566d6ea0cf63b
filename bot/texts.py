"""Everything the bot says, in Swedish and English. Channel adapters pick the language per asker."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "answer_intro": "Det här står i vår FAQ:",
        "area": "Område",
        "matched": "Från FAQ:n",
        "why": "Varför",
        "owner": "Ansvarig",
        "solved_button": "Det löste det",
        "not_helpful_button": "Inte det jag behövde",
        "unknown": (
            "Jag hittar inget svar på det i vår FAQ, och jag vill inte gissa. "
            "Jag har sparat frågan som obesvarad{area_part}, så att superanvändarna ser den."
        ),
        "unknown_area_part": " inom {area}",
        "contact": "Vill du ha hjälp direkt: {contact}.",
        "no_contact": "Vill du ha hjälp direkt: fråga en superanvändare i supportkanalen.",
        "not_helpful_ack": (
            "Tack, då var det inte rätt svar. Jag har sparat frågan som olöst{area_part}, "
            "så att superanvändarna ser den och kan förbättra FAQ:n."
        ),
        "solved_ack": "Skönt! Markerad som löst av {user}.",
        "not_helpful_marked": "Markerad som inte till hjälp av {user}.",
        "only_asker": "Bara {asker} som ställde frågan kan markera svaret.",
        "already": "Den här frågan är redan markerad ({state}).",
        "state_solved": "löst",
        "state_unresolved": "olöst",
        "unsupported": "Skriv din fråga som text, så letar jag i FAQ:n.",
        "nothing_to_mark": "Det finns inget svar att markera: ställ en fråga först.",
        "no_answer": "Inget säkert svar i FAQ:n (närmast: {guess}, säkerhet {confidence}).",
        "greeting": (
            "Hej! Jag svarar på frågor om affärssystemet utifrån vår FAQ "
            "(ekonomi, lager, inköp). Skriv din fråga, gärna med ett par ord om vad du "
            "försöker göra."
        ),
    },
    "en": {
        "answer_intro": "Here's what our FAQ says:",
        "area": "Area",
        "matched": "From the FAQ",
        "why": "Why",
        "owner": "Owner",
        "solved_button": "That solved it",
        "not_helpful_button": "Not what I needed",
        "unknown": (
            "I can't find an answer to that in our FAQ, and I'd rather not guess. "
            "I've logged the question as unanswered{area_part} so the superusers see it."
        ),
        "unknown_area_part": " for {area}",
        "contact": "For help right away: {contact}.",
        "no_contact": "For help right away, ask a superuser in the support channel.",
        "not_helpful_ack": (
            "Thanks, so that wasn't the right answer. I've logged the question as unresolved"
            "{area_part} so the superusers see it and can improve the FAQ."
        ),
        "solved_ack": "Great! Marked as solved by {user}.",
        "not_helpful_marked": "Marked as not helpful by {user}.",
        "only_asker": "Only {asker}, who asked the question, can mark the answer.",
        "already": "This question is already marked ({state}).",
        "state_solved": "solved",
        "state_unresolved": "unresolved",
        "unsupported": "Type your question as text and I'll look in the FAQ.",
        "nothing_to_mark": "There is no answer to mark: ask a question first.",
        "no_answer": "No confident answer in the FAQ (closest: {guess}, confidence {confidence}).",
        "greeting": (
            "Hi! I answer questions about our ERP system from our FAQ (finance, warehouse, "
            "purchasing). Type your question, ideally with a few words on what you're trying to do."
        ),
    },
}


def t(language: str, key: str, **values: str) -> str:
    table = TEXTS.get(language, TEXTS["en"])
    return table[key].format(**values)
