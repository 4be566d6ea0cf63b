"""Calling the listeners other parts of the core hooked onto an event."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

log = logging.getLogger(__name__)


async def notify(
    listeners: Sequence[Callable[..., Awaitable[None]]], *args: object, event: str
) -> None:
    """Call each listener with `args`; one that fails is logged, and the others still run."""
    for listener in listeners:
        try:
            await listener(*args)
        except Exception:
            log.exception("a listener of %s failed", event)
