"""Senders for the outbox routes the core can serve itself: e-mail over SMTP and HTTPS webhooks."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from bot.settings import Smtp
from bot.support.outbox import Delivery, PermanentFailure, Sender, TemporaryFailure

WEBHOOK_TIMEOUT = aiohttp.ClientTimeout(total=15)


def email_sender(smtp: Smtp) -> Sender:
    """Payload: to, subject, body, message_id (stable, so a repeat is recognisable)."""

    def send(payload: dict[str, Any]) -> str:
        message = EmailMessage()
        message["From"] = smtp.sender
        message["To"] = payload["to"]
        message["Subject"] = payload["subject"]
        message["Message-ID"] = payload["message_id"]
        message.set_content(payload["body"])
        try:
            with smtplib.SMTP(smtp.host, smtp.port, timeout=20) as client:
                if smtp.starttls:
                    client.starttls()
                if smtp.username:
                    client.login(smtp.username, smtp.password or "")
                client.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
            raise PermanentFailure(f"the mail server refused the message: {exc}") from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise PermanentFailure(f"SMTP login failed: {exc.smtp_error!r}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(f"SMTP {smtp.host}:{smtp.port}: {exc}") from exc
        return payload["message_id"]

    async def send_async(payload: dict[str, Any], _delivery: Delivery) -> str:
        return await asyncio.to_thread(send, payload)

    return send_async


def webhook_sender(url: str) -> Sender:
    """Posts to `url` (from the settings, never stored with the message). Payload: body (JSON),
    key (sent as Idempotency-Key so the receiver can drop repeats)."""

    async def send(payload: dict[str, Any], _delivery: Delivery) -> str:
        headers = {"Idempotency-Key": payload["key"], "User-Agent": "firstline"}
        try:
            async with (
                aiohttp.ClientSession(timeout=WEBHOOK_TIMEOUT) as session,
                session.post(url, json=payload["body"], headers=headers) as response,
            ):
                status = response.status
                retry_after = response.headers.get("Retry-After")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TemporaryFailure(f"webhook {_where(url)}: {_why(exc)}") from exc
        if 200 <= status < 300:
            return str(status)
        if status in (408, 429) or status >= 500:
            wait = float(retry_after) if retry_after and retry_after.isdigit() else None
            raise TemporaryFailure(f"webhook answered HTTP {status}", retry_after=wait)
        raise PermanentFailure(f"webhook answered HTTP {status}")

    return send


def _where(url: str) -> str:
    """A webhook by scheme, host and port only: its path and query often hold its secret."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def _why(exc: Exception) -> str:
    """Why a webhook call failed, in words without its URL: a connector error names only the
    host and port, but others (a timeout connecting, a bad URL, a redirect) quote it whole."""
    return str(exc) if isinstance(exc, aiohttp.ClientConnectorError) else type(exc).__name__
