"""Support services: questions asked and what the bot made of them, the asker's feedback, the
escalation ladder, business hours, learning from confirmed answers, and the outbox."""
