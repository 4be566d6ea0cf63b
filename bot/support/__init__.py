"""Support services: questions asked and what the bot made of them, the asker's feedback, the
escalation ladder, business hours, learning from confirmed answers, the typed notices for the
chat, and the outbox with its e-mail and webhook senders."""
