"""The Microsoft Teams adapter, on the Microsoft 365 Agents SDK: `app.py` wires it (served at
POST /api/messages by the same aiohttp server as Slack), `turns.py` handles what Teams sends,
`cards.py` renders Adaptive Cards, `notify.py` is its outbox sender. The SDK is imported only
by those, so `identity.py` can describe the settings without it."""
