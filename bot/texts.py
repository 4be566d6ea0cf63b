"""Everything the bot says, in Swedish and English. Channel adapters pick the language per asker."""

from __future__ import annotations

from collections.abc import Sequence

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
            "Jag hittar inget säkert svar på det i vår FAQ, så jag gissar inte. Frågan är sparad "
            "som obesvarad{area_part}: superanvändarna går igenom obesvarade frågor och lägger "
            "till svaren i FAQ:n."
        ),
        "unknown_area_part": " inom {area}",
        "help_now": "Behöver du hjälp nu? {route}",
        "route_holder_channel": "{who} har frågan: skriv till hen direkt, eller fråga i {channel}.",
        "route_holder": "{who} har frågan: skriv till hen direkt.",
        "route_contact_channel": "Kontakta {contact} eller fråga i {channel}.",
        "route_contact": "Kontakta {contact}.",
        "route_channel": "Fråga i {channel}.",
        "route_none": "Fråga en superanvändare för ditt område.",
        "not_helpful_ack": (
            "Tack för att du säger till. Frågan är sparad som olöst{area_part}: superanvändarna "
            "går igenom olösta frågor och förbättrar FAQ:n."
        ),
        "question_gone": "Den frågan finns inte längre hos mig. Ställ den gärna igen.",
        "teams_error": "Något gick fel hos mig med det där. Försök gärna igen om en stund.",
        "no_question_button": (
            "Den här knappen pekar inte på någon fråga jag känner till. Ställ gärna frågan igen."
        ),
        "already_unresolved": "Frågan är redan sparad som obesvarad.",
        "solved_ack": "Skönt! Markerad som löst av {user}.",
        "not_helpful_marked": "Markerad som inte till hjälp av {user}.",
        "only_asker": "Bara {asker} som ställde frågan kan markera svaret.",
        "already": "Den här frågan är redan markerad ({state}).",
        "state_solved": "löst",
        "state_unresolved": "olöst",
        "nothing_to_mark": "Det finns inget svar att markera: ställ en fråga först.",
        "suggestions_intro": "Liknande frågor i FAQ:n:",
        "suggestions_pick": "Skriv siffran för att läsa svaret.",
        "suggestion_read": "Skriv /ja om det löste din fråga.",
        "suggestion_gone": (
            "Den frågan har ändrats eller tagits bort i FAQ:n. Ställ gärna din fråga igen."
        ),
        "suggestion_solved_button": "Det löste min fråga",
        "suggestion_solved": "Skönt att det löste sig! Frågan är markerad som löst.",
        "suggestion_case_closed": "Ärende #{n} är stängt.",
        "ticket_closed": "Ärendet för den här frågan är redan stängt.",
        "nothing_suggested": "Det finns inget förslag med den siffran.",
        "usage": (
            "*/support* — första linjens support för affärssystemet\n"
            "• `/support <fråga>` eller `/support fråga <fråga>`: svar ur FAQ:n, bara till dig\n"
            "• `/support obesvarade`: de senaste frågorna som FAQ:n inte kunde svara på\n"
            "• `/support hjälp`: den här hjälpen\n"
            "Du kan också skriva frågan i supportkanalen, skicka ett DM till mig eller "
            "@nämna mig.\n"
            "*För superanvändare:* `queue [område|mine|all]` · `claim N` · `release N` · "
            "`answer N svar` · `escalate N [varför]` · `reassign N område` · `close N [anteckning]`"
            " · `status N` · `vendor-reply N svar` · `faq N` · `owners` · `uptime` · "
            "`learned [N|remove ID]`"
        ),
        "learned_title": "Inlärda formuleringar",
        "learned_header": "{title} (de senaste {count}, inom dina områden)",
        "learned_none": (
            "Boten har inte lärt sig några formuleringar inom dina områden än. När någon säger att "
            "ett svar ur FAQ:n löste frågan sparas frågan som en formulering av den posten."
        ),
        "learned_line": "• `{id}` «{text}» → «{entry}» ({area}, {source})",
        "learned_source_confirmed": "svaret löste det",
        "learned_source_suggestion": "en liknande fråga löste det",
        "learned_hint": (
            "Ta bort en som inte hör till posten: `/support learned remove ID`. Vill du ha en kvar "
            "för gott, lägg den som en `Also asked:`-rad i FAQ-filen."
        ),
        "learned_usage": "Så här: `/support learned [antal]` eller `/support learned remove ID`",
        "learned_unknown": "Det finns ingen inlärd formulering med id {id}.",
        "learned_not_yours": (
            "Bara superanvändarna inom {area} (och administratörerna) kan ta bort den "
            "formuleringen."
        ),
        "learned_removed": (
            "Formuleringen `{id}` «{text}» är borttagen; boten använder den inte längre."
        ),
        "unknown_command": "Det kommandot känner jag inte till: `{name}`.",
        "ask_usage": "Skriv frågan efter kommandot: `/support fråga <din fråga>`",
        "unresolved_title": "Obesvarade frågor",
        "unresolved_header": "{title} (de senaste {count})",
        "unresolved_none": "Inga obesvarade frågor just nu.",
        "unresolved_with": "hos {who}",
        "unresolved_queue": "i supportkön",
        "unresolved_no_ticket": "inget ärende",
        "no_answer": "Inget säkert svar i FAQ:n (närmast: {guess}, säkerhet {confidence}).",
        "busy": "Många frågor just nu: jag svarar här i tråden inom ungefär {minutes} min.",
        "trouble": (
            "Jag har tekniska problem just nu och kan inte svara direkt. Jag svarar här i tråden "
            "så snart det fungerar igen."
        ),
        "trouble_command": (
            "Jag har tekniska problem just nu och kunde inte ta emot kommandot. Försök igen om "
            "en liten stund."
        ),
        "greeting": (
            "Hej! Jag svarar på frågor om affärssystemet utifrån vår FAQ "
            "(ekonomi, lager, inköp). Skriv din fråga, gärna med ett par ord om vad du "
            "försöker göra."
        ),
        "small_talk_thanks": "Varsågod! Fråga gärna igen om det är något mer.",
        "small_talk_greeting": (
            "Hej! Jag svarar på frågor om affärssystemet utifrån vår FAQ. Skriv din fråga med "
            "egna ord, till exempel: {example}"
        ),
        "small_talk_help": (
            "Jag är supportboten för affärssystemet. Jag svarar utifrån vår FAQ, och när jag "
            "inte vet skickar jag frågan vidare till en superanvändare. Skriv din fråga med egna "
            "ord, gärna med vad du försöker göra. Till exempel:"
        ),
        "small_talk_exit": "Här finns inget att avsluta: skriv bara när du har en fråga.",
        "small_talk_bye": "Hej då! Välkommen tillbaka när du har en fråga.",
        "small_talk_ack": "Okej! Skriv gärna om det är något mer.",
        "small_talk_number": (
            "Jag ser bara en siffra. Skriv frågan med några ord, så letar jag i FAQ:n."
        ),
        "small_talk_emoji": "Skriv gärna din fråga med några ord, så letar jag i FAQ:n.",
        "small_talk_feedback": (
            "Tack för att du säger det! Om ett svar inte hjälpte, markera det som inte till hjälp, "
            "så ser superanvändarna det och förbättrar FAQ:n."
        ),
        "small_talk_chitchat": (
            "Jag är firstline, en bot som svarar på frågor om affärssystemet utifrån vår FAQ. "
            "Jag är igång: skriv din fråga."
        ),
        "small_talk_noise": (
            "Det där förstod jag inte riktigt. Skriv din fråga om affärssystemet med några ord."
        ),
        "clarify_intro": "Menar du någon av de här?",
        "clarify_pick": "Tryck på en fråga för att läsa svaret, eller skriv frågan med fler ord.",
        "clarify_pick_chat": (
            "Skriv siffran för att läsa svaret, eller skriv frågan med fler ord. Ingen av dem? "
            "Skriv /fråga så går frågan till en superanvändare."
        ),
        "none_of_them_button": "Ingen av dem – fråga en superanvändare",
        "off_topic": (
            "Det här verkar inte handla om affärssystemet, så det kan jag inte svara på. "
            "{elsewhere}"
        ),
        "elsewhere": "IT-frågor (dator, VPN, lösenord): IT-supporten. Personalfrågor: HR.",
        "off_topic_anyway": (
            "Gäller det ändå affärssystemet? Tryck på knappen, så tar en superanvändare det."
        ),
        "off_topic_anyway_chat": (
            "Gäller det ändå affärssystemet? Skriv /fråga (eller /ask) så går frågan till en "
            "superanvändare."
        ),
        "ask_anyway_button": "Fråga en superanvändare ändå",
        "asked_anyway_note": "{user} bad om en superanvändare.",
        "asked_anyway_saved": (
            "Okej, frågan är sparad som obesvarad: superanvändarna går igenom obesvarade frågor "
            "och lägger till svaren i FAQ:n."
        ),
        "already_asked": "Frågan är redan skickad till en superanvändare.",
        "only_asker_send": "Bara {asker}, som ställde frågan, kan skicka den vidare.",
        "nothing_to_ask": "Det finns ingen fråga att skicka vidare: ställ en fråga först.",
        "ask_after_answer": "Skriv /nej om svaret inte hjälpte, så sparas frågan som olöst.",
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
            "I can't find a reliable answer to that in our FAQ, so I won't guess. The question is "
            "saved as unanswered{area_part}: the superusers go through unanswered questions and "
            "add the answers to the FAQ."
        ),
        "unknown_area_part": " for {area}",
        "help_now": "Need help now? {route}",
        "route_holder_channel": (
            "{who} has your question: write to them directly, or ask in {channel}."
        ),
        "route_holder": "{who} has your question: write to them directly.",
        "route_contact_channel": "Contact {contact} or ask in {channel}.",
        "route_contact": "Contact {contact}.",
        "route_channel": "Ask in {channel}.",
        "route_none": "Ask a superuser for your area.",
        "not_helpful_ack": (
            "Thanks for telling me. The question is saved as unresolved{area_part}: the "
            "superusers go through unresolved questions and improve the FAQ."
        ),
        "question_gone": "I no longer have that question. Please ask it again.",
        "teams_error": "Something went wrong on my side with that. Please try again shortly.",
        "no_question_button": (
            "This button doesn't point to any question I know of. Please ask it again."
        ),
        "already_unresolved": "The question is already saved as unanswered.",
        "solved_ack": "Great! Marked as solved by {user}.",
        "not_helpful_marked": "Marked as not helpful by {user}.",
        "only_asker": "Only {asker}, who asked the question, can mark the answer.",
        "already": "This question is already marked ({state}).",
        "state_solved": "solved",
        "state_unresolved": "unresolved",
        "nothing_to_mark": "There is no answer to mark: ask a question first.",
        "suggestions_intro": "Similar questions in the FAQ:",
        "suggestions_pick": "Type the number to read the answer.",
        "suggestion_read": "Type /yes if it solved your question.",
        "suggestion_gone": (
            "That question has been changed or removed in the FAQ. Please ask again."
        ),
        "suggestion_solved_button": "That solved my question",
        "suggestion_solved": "Great, glad that solved it! The question is marked as solved.",
        "suggestion_case_closed": "Ticket #{n} is closed.",
        "ticket_closed": "The ticket for this question is already closed.",
        "nothing_suggested": "There is no suggestion with that number.",
        "usage": (
            "*/support* — first-line support for our ERP system\n"
            "• `/support <question>` or `/support ask <question>`: an answer from the FAQ, "
            "only to you\n"
            "• `/support unresolved`: the latest questions the FAQ could not answer\n"
            "• `/support help`: this help\n"
            "You can also post your question in the support channel, DM me, or @mention me.\n"
            "*For superusers:* `queue [area|mine|all]` · `claim N` · `release N` · "
            "`answer N text` · `escalate N [why]` · `reassign N area` · `close N [note]` · "
            "`status N` · `vendor-reply N text` · `faq N` · `owners` · `uptime` · "
            "`learned [N|remove ID]`"
        ),
        "learned_title": "Learned phrasings",
        "learned_header": "{title} (the latest {count}, in your areas)",
        "learned_none": (
            "The bot hasn't learned any phrasings in your areas yet. When someone says an FAQ "
            "answer solved their question, the question is kept as a phrasing of that entry."
        ),
        "learned_line": "• `{id}` «{text}» → «{entry}» ({area}, {source})",
        "learned_source_confirmed": "the answer solved it",
        "learned_source_suggestion": "a similar question solved it",
        "learned_hint": (
            "Remove one that doesn't belong to its entry: `/support learned remove ID`. To keep "
            "one for good, add it to the FAQ file as an `Also asked:` line."
        ),
        "learned_usage": "Like this: `/support learned [count]` or `/support learned remove ID`",
        "learned_unknown": "There is no learned phrasing with id {id}.",
        "learned_not_yours": (
            "Only the superusers of {area} (and the admins) may remove that phrasing."
        ),
        "learned_removed": "The phrasing `{id}` «{text}» is removed; the bot no longer uses it.",
        "unknown_command": "I don't know that command: `{name}`.",
        "ask_usage": "Put the question after the command: `/support ask <your question>`",
        "unresolved_title": "Unanswered questions",
        "unresolved_header": "{title} (the latest {count})",
        "unresolved_none": "No unanswered questions right now.",
        "unresolved_with": "with {who}",
        "unresolved_queue": "in the support queue",
        "unresolved_no_ticket": "no ticket",
        "no_answer": "No confident answer in the FAQ (closest: {guess}, confidence {confidence}).",
        "busy": "Many questions right now: I will answer in this thread in about {minutes} min.",
        "trouble": (
            "I have a technical problem right now and can't answer at once. I will answer in "
            "this thread as soon as it works again."
        ),
        "trouble_command": (
            "I have a technical problem right now and could not take the command. Please try "
            "again in a little while."
        ),
        "greeting": (
            "Hi! I answer questions about our ERP system from our FAQ (finance, warehouse, "
            "purchasing). Type your question, ideally with a few words on what you're trying to do."
        ),
        "small_talk_thanks": "You're welcome! Just ask again if there's anything else.",
        "small_talk_greeting": (
            "Hi! I answer questions about our ERP system from our FAQ. Type your question in your "
            "own words, for example: {example}"
        ),
        "small_talk_help": (
            "I'm the support bot for our ERP system. I answer from our FAQ, and when I don't "
            "know, I pass the question on to a superuser. Type your question in your own words, "
            "ideally with what you're trying to do. For example:"
        ),
        "small_talk_exit": "There's nothing to exit here: just write whenever you have a question.",
        "small_talk_bye": "Bye! Come back any time you have a question.",
        "small_talk_ack": "OK! Just write if there's anything else.",
        "small_talk_number": (
            "I only see a number. Type your question in a few words and I'll look in the FAQ."
        ),
        "small_talk_emoji": "Type your question in a few words and I'll look in the FAQ.",
        "small_talk_feedback": (
            "Thanks for telling me! If an answer didn't help, mark it as not helpful, so the "
            "superusers see it and improve the FAQ."
        ),
        "small_talk_chitchat": (
            "I'm firstline, a bot that answers questions about our ERP system from our FAQ. "
            "I'm up and running: type your question."
        ),
        "small_talk_noise": "I didn't quite get that. Type your ERP question in a few words.",
        "clarify_intro": "Did you mean one of these?",
        "clarify_pick": "Press a question to read its answer, or ask again in more words.",
        "clarify_pick_chat": (
            "Type the number to read the answer, or ask again in more words. None of them? "
            "Type /ask to send the question to a superuser."
        ),
        "none_of_them_button": "None of them – ask a superuser",
        "off_topic": (
            "This doesn't seem to be about our ERP system, so I can't answer it. {elsewhere}"
        ),
        "elsewhere": (
            "IT questions (computer, VPN, passwords): the IT service desk. HR questions: HR."
        ),
        "off_topic_anyway": (
            "Is it about the ERP system after all? Press the button and a superuser will take it."
        ),
        "off_topic_anyway_chat": (
            "Is it about the ERP system after all? Type /ask (or /fråga) to send it to a superuser."
        ),
        "ask_anyway_button": "Ask a superuser anyway",
        "asked_anyway_note": "{user} asked for a superuser.",
        "asked_anyway_saved": (
            "OK, the question is saved as unanswered: the superusers go through unanswered "
            "questions and add the answers to the FAQ."
        ),
        "already_asked": "The question has already gone to a superuser.",
        "only_asker_send": "Only {asker}, who asked the question, can pass it on.",
        "nothing_to_ask": "There is no question to pass on: ask a question first.",
        "ask_after_answer": "Type /no if the answer didn't help, and the question is saved as "
        "unresolved.",
    },
}


def t(language: str, key: str, **values: str) -> str:
    table = TEXTS.get(language, TEXTS["en"])
    return table[key].format(**values)


def wording(key: str, language: str | None = None) -> str:
    """The text `key` before its values are filled in: in `language` from TEXTS, or, without
    one, the superusers' Swedish from DESK."""
    return TEXTS.get(language, TEXTS["en"])[key] if language else DESK[key]


def small_talk_text(language: str, kind: str, examples: Sequence[str] = ()) -> str:
    """The reply to small talk of a kind (bot.faq.smalltalk.Kind); greetings and help name a few
    of the FAQ's questions as examples (escaped for the channel by the caller)."""
    if kind in ("greeting", "help") and not examples:
        return t(language, "greeting")
    if kind == "greeting":
        return t(language, "small_talk_greeting", example=examples[0])
    if kind == "help":
        return t(language, "small_talk_help") + "".join(f"\n• {e}" for e in examples)
    return t(language, f"small_talk_{kind}")


def off_topic_text(language: str, elsewhere: str | None) -> str:
    """The decline of a question that is not about the ERP, with where to ask instead (the
    configured text, else the built-in one)."""
    return t(language, "off_topic", elsewhere=elsewhere or t(language, "elsewhere"))


def help_now(
    language: str, contact: str | None, channel: str | None, holder: str | None = None
) -> str:
    """'Need help now? Contact Anna or ask in #ekonomi.' with what is configured, or, when the
    question went to a superuser (`holder`), that they have it."""
    if holder and channel:
        route = t(language, "route_holder_channel", who=holder, channel=channel)
    elif holder:
        route = t(language, "route_holder", who=holder)
    elif contact and channel:
        route = t(language, "route_contact_channel", contact=contact, channel=channel)
    elif contact:
        route = t(language, "route_contact", contact=contact)
    elif channel:
        route = t(language, "route_channel", channel=channel)
    else:
        route = t(language, "route_none")
    return t(language, "help_now", route=route)


# What the asker is told about their escalation, per audit action. {n} number, {who} the person
# who has it now, {area} the area, {vendor} the vendor's name.
PROGRESS: dict[str, dict[str, str]] = {
    "sv": {
        "opened": "Jag har skickat frågan vidare som ärende #{n} till {who} ({area}). Svaret "
        "kommer här i tråden.",
        "unassigned": "Frågan är sparad som ärende #{n}, men ingen superanvändare är utsedd för "
        "området. Den ligger i supportkön tills någon tar den.",
        "not_claimed_in_time": "Ärende #{n} har gått vidare till {who}, eftersom ingen hann ta "
        "det i tid.",
        "claimed": "{who} har tagit ärende #{n} och svarar här i tråden.",
        "released": "Ärende #{n} är tillbaka i kön hos {who}.",
        "reassigned": "Ärende #{n} gäller {area} och ligger nu hos {who}.",
        "not_solved": "Ärende #{n} är öppet igen och ligger hos {who}.",
        "to_vendor": "Ärende #{n} har skickats till {vendor}. Svaret kommer här i tråden.",
        "closed": "Ärende #{n} är stängt.",
        "solved_by_suggestion": "Ärende #{n} är stängt: ett svar ur FAQ:n löste frågan.",
    },
    "en": {
        "opened": "I've passed your question on as ticket #{n} to {who} ({area}). The answer "
        "will come here in this thread.",
        "unassigned": "Your question is saved as ticket #{n}, but no superuser is set up for the "
        "area. It waits in the support queue until someone takes it.",
        "not_claimed_in_time": "Ticket #{n} has moved on to {who}, as nobody took it in time.",
        "claimed": "{who} has taken ticket #{n} and will answer here in the thread.",
        "released": "Ticket #{n} is back in the queue with {who}.",
        "reassigned": "Ticket #{n} is about {area} and is now with {who}.",
        "not_solved": "Ticket #{n} is open again and with {who}.",
        "to_vendor": "Ticket #{n} has gone to {vendor}. The answer will come here in the thread.",
        "closed": "Ticket #{n} is closed.",
        "solved_by_suggestion": "Ticket #{n} is closed: an answer from the FAQ solved the "
        "question.",
    },
}

ESCALATION_TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "answer_intro": "Svar på ärende #{n} från {who}:",
        "solved_button": "Det löste det",
        "not_solved_button": "Inte löst",
        "confirmed": "Tack! Ärende #{n} är stängt.",
        "sent_on": "Okej, ärende #{n} går vidare.",
    },
    "en": {
        "answer_intro": "Answer to ticket #{n} from {who}:",
        "solved_button": "That solved it",
        "not_solved_button": "Not solved",
        "confirmed": "Thanks! Ticket #{n} is closed.",
        "sent_on": "OK, ticket #{n} goes on.",
    },
}

# Why a superuser action was refused (bot.support.escalations.Refused codes), in Swedish: the
# superusers' working language.
REFUSED = {
    "not_found": "Det finns inget ärende #{number}.",
    "not_allowed": "Bara superanvändarna för {area} (och administratörer) kan göra det.",
    "claimed_by_other": "{user} har redan tagit ärendet.",
    "wrong_state": "Det går inte nu: ärendet är {state}.",
    "staff_only": "Bara superanvändare och administratörer kan göra det.",
    "unknown_area": "Okänt område {area}. Områden: {known}.",
    "no_area": (
        "#{number} har inget område än: flytta det till rätt område först "
        "(`/support reassign {number} område`)."
    ),
    "no_vendor": "Ingen leverantör är konfigurerad ([vendor] i konfigurationen).",
    "not_with_vendor": "Ärendet ligger inte hos leverantören.",
    "empty_answer": "Skriv svaret efter numret.",
    "only_asker": "Bara {asker}, som frågade, kan svara på det.",
    "no_answer": "Ärendet har inget svar att lägga till i FAQ:n.",
    "already_in_faq": "Svaret finns redan i FAQ:n: {location}",
    "faq_empty_question": "Frågan är tom, så den kan inte bli en FAQ-post.",
    "faq_empty_answer": "Svaret är tomt, så det finns inget att lägga till i FAQ:n.",
    "faq_too_long": (
        "Frågan är för lång för en rubrik i FAQ:n ({length} tecken, högst {limit}). Lägg in en "
        "kortare version för hand i FAQ-filen."
    ),
    "faq_has_question": (
        "FAQ:n har redan frågan «{question}». Lägg till svaret i den posten i FAQ-filen om det "
        "behövs."
    ),
    "faq_has_phrasing": "«{entry}» i FAQ:n har redan den formuleringen.",
    "faq_entry_gone": "«{entry}» finns inte längre i FAQ:n.",
    "faq_unparsable": (
        "Posten skulle inte gå att läsa in i FAQ:n som den är skriven. Lägg in den för hand i "
        "FAQ-filen."
    ),
    "faq_unreadable": "FAQ-filen {file} går inte att läsa. Be systemägaren titta i loggen.",
    "faq_unwritable": "FAQ-filen {file} går inte att skriva. Be systemägaren titta i loggen.",
    "faq_bad_area": "Området {area} kan inte bli en mapp i FAQ:n. Be systemägaren titta i loggen.",
    "faq_outside": "Filen ligger utanför FAQ-mappen. Be systemägaren titta i loggen.",
}

# What the superusers' actions (bot.support.actions) say, in Swedish like REFUSED: what a step
# did, how an action is used, the words of their listings and forms.
DESK = {
    "no_thread_ticket": "Den här tråden har inget ärende. Använd genvägen i frågans tråd.",
    "claimed": "Du har tagit #{n}.",
    "released": "#{n} är tillbaka i kön.",
    "answered": "Svaret på #{n} är skickat till den som frågade.",
    "escalated": "#{n} är skickat till {vendor}.",
    "reassigned": "#{n} ligger nu hos {area}.",
    "closed": "#{n} är stängt.",
    "vendor_replied": "Leverantörens svar på #{n} är skickat till den som frågade.",
    "added_to_faq": "#{n} är tillagt i FAQ:n ({location}).",
    "usage_claim": "Så här: `/support claim N`",
    "usage_release": "Så här: `/support release N`",
    "usage_answer": "Så här: `/support answer N svaret`",
    "usage_escalate": "Så här: `/support escalate N [varför]`",
    "usage_reassign": "Så här: `/support reassign N område`",
    "usage_close": "Så här: `/support close N [anteckning]`",
    "usage_status": "Så här: `/support status N`",
    "usage_vendor_reply": "Så här: `/support vendor-reply N svaret`",
    "usage_faq": "Så här: `/support faq N`",
    "unknown_action": "Den här knappen eller formuläret känner jag inte till ({name}).",
    "no_ticket_number": "Den här knappen eller formuläret pekar inte på något ärende.",
    "form_incomplete": "Formuläret kom fram utan sitt fält. Stäng det och försök igen.",
    "queue_mine": "Dina ärenden",
    "queue_all": "Alla öppna ärenden",
    "queue_area": "Öppna ärenden inom {area}",
    "queue_header": "{title} ({count})",
    "queue_empty": "*{title}*: inga.",
    "queue_age": "{age} gammal",
    "queue_left": "{left} arbetstid kvar",
    "queue_overdue": "försenat",
    "nobody": "ingen",
    "owners_title": "Superanvändare per område",
    "owners_header": "{title} (den första tar frågan, sedan ersättarna)",
    "owners_none": "ingen utsedd",
    "owners_then": "Därefter: {vendor}",
    "uptime_none": "Inga driftkontroller är konfigurerade ([[ops.checks]] i konfigurationen).",
    "uptime_title": "Drift",
    "uptime_header": "{title} (andel lyckade kontroller: 24 h · 7 d · 30 d)",
    "uptime_down": "nere sedan {since}: {error}",
    "uptime_owner": "Ansvarig för drift: {owner}",
    "status_answer": "Svar: {answer}",
    "status_step": "{when} {what} av {actor}",
    "the_bot": "boten",
    "form_cancel": "Avbryt",
    "form_answer_title": "Svara på #{n}",
    "form_answer_submit": "Skicka svaret",
    "form_escalate_title": "#{n} till {vendor}",
    "form_escalate_submit": "Skicka",
    "form_escalate_label": "Anteckning till leverantören",
    "form_reassign_title": "Flytta #{n}",
    "form_reassign_submit": "Flytta",
    "form_reassign_label": "Vilket område gäller frågan?",
}

# Why a ticket went to the vendor, as the vendor reads it, when the ladder sent it (a
# superuser's own reason is their note).
VENDOR_REASONS = {
    "not_claimed_in_time": "ingen superanvändare hann ta frågan i tid",
    "not_answered_in_time": "superanvändaren hann inte svara i tid",
    "not_solved": "vårt svar löste inte frågan",
}

# The posts about an escalation (a superuser's direct message, the triage channel's post, the
# request in the vendor's channel), in the superusers' Swedish; each is updated in place as the
# ticket moves. {n} the number, {area} the area's name, {who} a person, {vendor} the vendor.
POSTS = {
    "new": "Ny fråga till dig: #{n}",
    "new_text": "Ny fråga #{n}",
    "claim_within": "Ta den inom {within} arbetstid, annars går den vidare.",
    "reminder": "Påminnelse: ärende #{n}",
    "reminder_text": "Påminnelse #{n}",
    "reminder_then": "väntar på ditt svar. Om {grace} går det till {vendor}.",
    "from": "Från {who}",
    "where": " i {channel}",
    "thread_link": "Öppna tråden",
    "best_guess": "Botens bästa gissning: {entry}",
    "note": "Anteckning: {note}",
    "answer_from": "Svar från {who}:",
    "unknown_area": "okänt område",
    "support_queue": "supportkön",
    "by": " av {who}",
    # where the ticket is now
    "waiting": "väntar på att {who} tar det",
    "queue": "väntar i supportkön",
    "claimed": "taget av {who}",
    "vendor": "hos {vendor}",
    "answered": "besvarat av {who}, väntar på frågeställaren",
    "closed": "stängt",
    # the buttons
    "claim_button": "Ta den",
    "answer_button": "Svara",
    "escalate_button": "Till leverantören",
    "reassign_button": "Fel område",
    "faq_button": "Lägg till i FAQ:n",
    # the request in the vendor's channel
    "vendor_head": "Supportärende #{n}",
    "vendor_asked_by": "Frågat av {who}",
    "vendor_why": "Varför till er: {why}",
    "vendor_reply_here": "Svara i tråden här, så går svaret till den som frågade.",
    "vendor_answered": "Besvarat: svaret har gått till den som frågade. Tack!",
    "vendor_closed": "Stängt: inget mer behövs från er.",
    "vendor_back": "Tillbaka hos oss: inget behövs från er just nu.",
}

STATE_NAMES = {
    "open": "öppet",
    "claimed": "taget",
    "vendor": "hos leverantören",
    "answered": "besvarat",
    "closed": "stängt",
}

# The audit trail's actions, as superusers read them in triage and `/support status`.
ACTION_NAMES = {
    "opened": "öppnat",
    "unassigned": "väntar i supportkön",
    "not_claimed_in_time": "inte taget i tid, vidare",
    "claimed": "taget",
    "released": "tillbaka i kön",
    "answered": "besvarat",
    "vendor_replied": "besvarat av leverantören",
    "to_vendor": "skickat till leverantören",
    "reassigned": "flyttat till annat område",
    "not_solved": "inte löst enligt frågeställaren",
    "confirmed": "löst enligt frågeställaren",
    "closed": "stängt",
    "solved_by_suggestion": "löst med ett FAQ-svar enligt frågeställaren",
    "reminded": "påminnelse skickad",
    "overdue": "försenat",
    "added_to_faq": "tillagt i FAQ:n",
    "unanswered": "boten hade inget svar",
    "not_helpful": "boten svarade fel",
    "not_answered_in_time": "inte besvarat i tid",
    "asked_anyway": "boten avböjde eller frågade vad som menades; frågeställaren ville ha en "
    "superanvändare",
}

# The weekly digest's chart, for the system owner and the superusers (Swedish, like the digest).
CHART_TEXTS = {
    "title": "Supporten vecka {first}–{last} ({starts}–{ends})",
    "week_label": "v{week}",
    "per_area": "Frågor per område",
    "no_area": "Utan område",
    "answered_share": "Andel som boten besvarade ur FAQ:n",
    "escalations": "Ärenden till superanvändarna",
    "opened": "öppnade",
    "closed": "stängda",
    "hours_to_answer": "Mediantid till svar på ärenden (timmar)",
    "nothing": "inget att visa de här veckorna",
    "alt": (
        "{title}: frågor per område, andel som boten besvarade, ärenden öppnade och stängda, "
        "mediantid till svar, vecka för vecka"
    ),
    "terminal": "{title} (diagram: firstline digest --dry-run --chart FIL sparar det)",
}
