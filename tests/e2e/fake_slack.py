"""A fake Slack Web API served by a real aiohttp server on 127.0.0.1, for e2e tests."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TEAM_ID = "T0001"
TEAM_DOMAIN = "firstline-test"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
APP_ID = "A0001"
BOT_NAME = "firstline"
WORKSPACE_URL = f"https://{TEAM_DOMAIN}.slack.com/"

# Default payload templates (shapes from Slack's Web API reference).
# fmt: off
AUTH_TEST = {"ok": True, "url": WORKSPACE_URL, "team": "Firstline Test", "user": BOT_NAME,
             "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID,
             "is_enterprise_install": False}
BOT_MESSAGE = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "app_id": APP_ID,
               "team": TEAM_ID}
USER = {"team_id": TEAM_ID, "deleted": False, "tz": "Europe/Stockholm",
        "tz_label": "Central European Time", "tz_offset": 3600, "is_admin": False,
        "is_owner": False, "is_bot": False, "is_app_user": False, "updated": 1700000000}
CHANNEL = {"created": 1700000000, "is_archived": False, "is_member": True, "is_mpim": False,
           "is_ext_shared": False}
VIEW = {"team_id": TEAM_ID, "type": "modal", "blocks": [], "private_metadata": "",
        "callback_id": "", "state": {"values": {}}, "external_id": "", "previous_view_id": None,
        "app_id": APP_ID, "app_installed_team_id": TEAM_ID, "bot_id": BOT_ID}
# fmt: on

# Fields slack_sdk (or a hand-rolled client) may send as JSON strings in form bodies.
JSON_FIELDS = frozenset({"blocks", "attachments", "view", "metadata", "unfurls", "files"})

Responder = Callable[["Call"], dict[str, Any]]


@dataclass
class Call:
    """One recorded Web API request (successful or not)."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    failed: bool = False
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)
    peer: tuple[str, int] | None = None  # the client's address: which connection it came on
    at: float = field(default_factory=time.monotonic)  # when the fake took it

    @property
    def token(self) -> str | None:
        """The bearer token sent in the Authorization header, if any."""
        auth = next((v for k, v in self.headers.items() if k.lower() == "authorization"), "")
        return auth[7:] if auth.startswith("Bearer ") else None


@dataclass
class _Fault:
    status: int
    error: str | None
    retry_after: int | None
    remaining: int
    after_posting: bool = False


def _err(error: str) -> dict[str, Any]:
    return {"ok": False, "error": error}


def _decode_json_fields(args: dict[str, Any]) -> dict[str, Any]:
    """Decode JSON-string fields (blocks, view, ...) that arrived form-encoded."""
    for key in JSON_FIELDS & args.keys():
        value = args[key]
        if isinstance(value, str) and value[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)
    return args


class FakeSlackAPI:
    """Fake Slack Web API. Use ``async with FakeSlackAPI() as slack:`` and pass ``slack.url``."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.url = ""
        self.root_url = ""
        self._runner: web.AppRunner | None = None
        self._cond = asyncio.Condition()
        self._faults: dict[str, list[_Fault]] = {}
        self._responders: dict[str, Responder] = {}
        self._delays: dict[str, float] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._channels: dict[str, dict[str, Any]] = {}
        self._reactions: set[tuple[str, str, str]] = set()
        self.posted: list[dict[str, Any]] = []  # messages as Slack keeps them, for history
        self._limits: dict[str, tuple[float, int]] = {}
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._ts_seq = itertools.count(1)
        self._view_seq = itertools.count(1)
        self._file_seq = itertools.count(1)
        # files.getUploadURLExternal's files, by id: name, length, alt_txt, and the bytes
        # uploaded to their URL (None until then)
        self.files: dict[str, dict[str, Any]] = {}

    # ---- lifecycle -------------------------------------------------------
    async def start(self) -> None:
        """Bind a random free port on 127.0.0.1 and start serving."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/hooks/{path:.*}", self._handle_hook)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.root_url = f"http://127.0.0.1:{port}/"
        self.url = f"{self.root_url}api/"

    async def stop(self) -> None:
        """Stop the server."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlackAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- configuration ---------------------------------------------------
    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        after_posting: bool = False,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (HTTP status and/or ok=false);
        ``after_posting``: Slack did the work (a message is posted) but the answer is lost, as
        when the connection or the caller dies before it arrives."""
        fault = _Fault(status, error, retry_after, times, after_posting)
        self._faults.setdefault(method, []).append(fault)

    def rate_limit(self, method: str, per_second: float, burst: int = 1) -> None:
        """Answer ``method`` as Slack's rate limiter does, per channel: ``burst`` calls at once,
        then ``per_second``; a call over the limit gets 429 with the whole seconds to wait in
        Retry-After."""
        self._limits[method] = (per_second, burst)

    def slow_down(self, method: str, seconds: float) -> None:
        """Make every call of ``method`` take ``seconds`` before it answers."""
        self._delays[method] = seconds

    def set_response(self, method: str, response: dict[str, Any] | Responder) -> None:
        """Override the success response of ``method`` (a dict, or a function of the Call)."""
        self._responders[method] = response if callable(response) else (lambda _c: dict(response))

    def set_user(self, user_id: str, **fields: Any) -> None:
        """Configure what ``users.info`` returns for ``user_id`` (merged over defaults)."""
        self._users[user_id] = fields

    def set_channel(self, channel_id: str, **fields: Any) -> None:
        """Configure what ``conversations.info`` returns for ``channel_id``."""
        self._channels[channel_id] = fields

    def reset(self) -> None:
        """Forget recorded calls, pending faults, overrides and reactions."""
        self.calls.clear()
        self._faults.clear()
        self._responders.clear()
        self._delays.clear()
        self._reactions.clear()
        self.posted.clear()
        self.files.clear()
        self._limits.clear()
        self._buckets.clear()

    def response_url(self, key: str = "1") -> str:
        """A ``response_url`` pointing at this fake; posts are recorded as method 'response_url'."""
        return f"{self.root_url}hooks/commands/{TEAM_ID}/{key}/fake"

    # ---- inspection ------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        """All recorded calls of ``method``, in order."""
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until at least ``count`` calls of ``method`` were recorded; return them."""
        async with self._cond:
            try:
                ready = self._cond.wait_for(lambda: len(self.calls_to(method)) >= count)
                await asyncio.wait_for(ready, timeout)
            except TimeoutError:
                seen = [c.method for c in self.calls]
                msg = f"expected {count} call(s) to {method} within {timeout}s; seen: {seen}"
                raise TimeoutError(msg) from None
        return self.calls_to(method)

    # ---- request handling ------------------------------------------------
    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        async with self._cond:
            self._cond.notify_all()

    async def _handle_hook(self, request: web.Request) -> web.Response:
        body = await request.text()
        args = json.loads(body) if body.startswith("{") else {"raw": body}
        args["_path"] = request.match_info["path"]
        await self._record(Call("response_url", args, dict(request.headers)))
        return web.Response(text="ok", content_type="text/plain")

    async def _handle_upload(self, request: web.Request) -> web.Response:
        """The upload URL files.getUploadURLExternal handed out: the file's bytes as the body
        (no token needed, as at Slack); recorded as method 'upload'."""
        file_id = request.match_info["file_id"]
        data = await request.read()
        call = Call("upload", {"file_id": file_id, "size": len(data)}, dict(request.headers))
        if file_id not in self.files:
            call.failed, call.status = True, 404
            await self._record(call)
            return web.Response(status=404, text="unknown upload URL")
        self.files[file_id]["data"] = data
        await self._record(call)
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            raw = await request.text()
            args.update(json.loads(raw) if raw else {})
        elif request.can_read_body:
            form = await request.post()
            args.update({k: getattr(v, "filename", v) for k, v in form.items()})
        call = Call(method, _decode_json_fields(args), dict(request.headers))
        call.peer = request.transport.get_extra_info("peername") if request.transport else None
        await asyncio.sleep(self._delays.get(method, 0))

        status, body, headers = 200, self._auth_error(call), {}
        if body is None:
            fault = self._take_fault(method) or self._over_limit(call)
            if fault and fault[3]:
                self._respond(call)  # done, but the answer is lost
            status, body, headers = fault[:3] if fault else (200, self._respond(call), {})
        call.failed, call.status, call.response = status != 200 or not body.get("ok"), status, body
        await self._record(call)
        return web.json_response(body, status=status, headers=headers)

    @staticmethod
    def _auth_error(call: Call) -> dict[str, Any] | None:
        token = call.token
        if not token:
            return _err("not_authed")
        if not token.startswith(("xoxb-", "xoxp-", "xapp-")):
            return _err("invalid_auth")
        app_only = call.method.startswith("apps.connections.")
        if app_only != token.startswith("xapp-"):
            return _err("not_allowed_token_type")
        return None

    def _over_limit(self, call: Call) -> tuple[int, dict[str, Any], dict[str, str], bool] | None:
        """A token bucket per (method, channel), refilled at the limit's rate."""
        if call.method not in self._limits:
            return None
        per_second, burst = self._limits[call.method]
        key = (call.method, str(call.args.get("channel")))
        now = time.monotonic()
        tokens, then = self._buckets.get(key, (float(burst), now))
        tokens = min(float(burst), tokens + (now - then) * per_second)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return None
        self._buckets[key] = (tokens, now)
        wait = max(1, math.ceil((1 - tokens) / per_second))
        return 429, _err("ratelimited"), {"Retry-After": str(wait)}, False

    def _take_fault(self, method: str) -> tuple[int, dict[str, Any], dict[str, str], bool] | None:
        """Consume a pending fault for ``method``: (status, body, headers, after_posting)."""
        if not (queue := self._faults.get(method)):
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.pop(0)
        status = fault.status
        default = "internal_error" if status >= 500 else "fatal_error"
        error = fault.error or ("ratelimited" if status == 429 else default)
        retry_after = 1 if fault.retry_after is None and status == 429 else fault.retry_after
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        return status, _err(error), headers, fault.after_posting

    def _next_ts(self) -> str:
        micros = 1_700_000_000_000_000 + next(self._ts_seq) * 100
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _respond(self, call: Call) -> dict[str, Any]:
        if call.method in self._responders:
            return self._responders[call.method](call)
        handler = getattr(self, "_m_" + call.method.replace(".", "_"), None)
        return handler(call.args) if handler else {"ok": True}

    # ---- default method implementations ---------------------------------
    def _m_auth_test(self, _a: dict[str, Any]) -> dict[str, Any]:
        return dict(AUTH_TEST)

    @staticmethod
    def _message(a: dict[str, Any], ts: str) -> dict[str, Any]:
        msg: dict[str, Any] = {**BOT_MESSAGE, "text": a.get("text", ""), "ts": ts}
        extra = ("blocks", "attachments", "thread_ts", "metadata")
        msg.update({k: a[k] for k in extra if a.get(k)})
        return msg

    @staticmethod
    def _check_message(a: dict[str, Any]) -> dict[str, Any] | None:
        blocks = a.get("blocks")
        if not a.get("channel"):
            return _err("channel_not_found")
        if not (a.get("text") or blocks or a.get("attachments")):
            return _err("no_text")
        valid = isinstance(blocks, list) and all(
            isinstance(b, dict) and "type" in b for b in blocks
        )
        if blocks is not None and not valid:
            return _err("invalid_blocks")
        return None

    def _m_chat_postMessage(self, a: dict[str, Any]) -> dict[str, Any]:
        if err := self._check_message(a):
            return err
        ts = self._next_ts()
        channel = str(a["channel"])
        kept = "D" + channel.lstrip("UW") if channel[:1] in "UW" else channel  # a DM
        self.posted.append({**self._message(a, ts), "channel": kept})
        # as Slack does, the answer names the channel the message is in: a person's DM channel
        return {"ok": True, "channel": kept, "ts": ts, "message": self._message(a, ts)}

    def _kept(self, a: dict[str, Any], thread: str | None) -> list[dict[str, Any]]:
        metadata = str(a.get("include_all_metadata", "")).lower() in ("1", "true")
        return [
            {k: v for k, v in m.items() if k != "channel" and (metadata or k != "metadata")}
            for m in self.posted
            if m["channel"] == a.get("channel") and m.get("thread_ts") == thread
        ]

    def _m_conversations_history(self, a: dict[str, Any]) -> dict[str, Any]:
        """The channel's top-level messages posted through this API, newest first."""
        messages = list(reversed(self._kept(a, None)))[: int(a.get("limit") or 100)]
        return {"ok": True, "messages": messages, "has_more": False}

    def _m_conversations_replies(self, a: dict[str, Any]) -> dict[str, Any]:
        """The replies posted through this API in the thread ``ts``, oldest first."""
        messages = self._kept(a, str(a.get("ts")))[: int(a.get("limit") or 100)]
        return {"ok": True, "messages": messages, "has_more": False}

    def _m_chat_postEphemeral(self, a: dict[str, Any]) -> dict[str, Any]:
        if err := self._check_message(a) or (None if a.get("user") else _err("user_not_found")):
            return err
        return {"ok": True, "message_ts": self._next_ts()}

    def _m_chat_update(self, a: dict[str, Any]) -> dict[str, Any]:
        """Updates a message posted through this API, found by its channel (a DM's own, not the
        person's id) and ts, as Slack does."""
        if err := self._check_message(a):
            return err
        kept = next(
            (
                m
                for m in self.posted
                if m["channel"] == a.get("channel") and m["ts"] == str(a.get("ts"))
            ),
            None,
        )
        if kept is None:
            return _err("message_not_found")
        kept.update(text=a.get("text", ""), blocks=a.get("blocks") or [])
        msg = self._message(a, str(a["ts"]))
        return dict(ok=True, channel=a["channel"], ts=msg["ts"], text=msg["text"], message=msg)

    def _m_chat_getPermalink(self, a: dict[str, Any]) -> dict[str, Any]:
        channel, ts = a.get("channel", ""), str(a.get("message_ts", ""))
        if not channel or not ts:
            return _err("message_not_found")
        link = f"{WORKSPACE_URL}archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": link}

    def _view(self, a: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(view := a.get("view"), dict):
            return _err("invalid_arguments")
        seq = next(self._view_seq)
        view_id = a.get("view_id") or f"V{seq:08d}"
        full = {**VIEW, **view, "id": view_id, "root_view_id": view_id, "state": {"values": {}}}
        full["hash"] = f"{int(time.time())}.{seq:08d}"
        return {"ok": True, "view": full}

    def _m_views_open(self, a: dict[str, Any]) -> dict[str, Any]:
        return self._view(a) if a.get("trigger_id") else _err("invalid_trigger_id")

    def _m_views_publish(self, a: dict[str, Any]) -> dict[str, Any]:
        return self._view(a) if a.get("user_id") else _err("invalid_arguments")

    def _m_views_update(self, a: dict[str, Any]) -> dict[str, Any]:
        return self._view(a) if a.get("view_id") or a.get("external_id") else _err("not_found")

    def _m_reactions_add(self, a: dict[str, Any]) -> dict[str, Any]:
        key = (str(a.get("channel")), str(a.get("timestamp")), str(a.get("name")))
        if not all(a.get(k) for k in ("channel", "timestamp", "name")):
            return _err("invalid_arguments")
        if key in self._reactions:
            return _err("already_reacted")
        self._reactions.add(key)
        return {"ok": True}

    def _m_users_info(self, a: dict[str, Any]) -> dict[str, Any]:
        if not (uid := str(a.get("user", ""))):
            return _err("user_not_found")
        is_bot = uid == BOT_USER_ID
        over = dict(self._users.get(uid, {}))
        name = over.pop("name", BOT_NAME if is_bot else uid.lower())
        real_name = over.pop("real_name", "Firstline" if is_bot else f"User {uid}")
        profile = {"real_name": real_name, "display_name": name, "email": f"{name}@example.com"}
        profile["image_72"] = f"https://example.com/avatars/{uid}.png"
        profile.update(over.pop("profile", {}))
        user = {**USER, "id": uid, "name": name, "real_name": real_name, "is_bot": is_bot}
        return {"ok": True, "user": {**user, "profile": profile, **over}}

    def _m_conversations_info(self, a: dict[str, Any]) -> dict[str, Any]:
        if not (cid := str(a.get("channel", ""))):
            return _err("channel_not_found")
        kind = cid[:1]
        channel: dict[str, Any] = {**CHANNEL, "id": cid, "is_private": kind in "GD"}
        channel.update(is_channel=kind == "C", is_group=kind == "G", is_im=kind == "D")
        if kind == "D":
            channel["user"] = "U" + cid[1:]
        else:
            channel["name"] = cid.lower()
        return {"ok": True, "channel": {**channel, **self._channels.get(cid, {})}}

    def _m_conversations_open(self, a: dict[str, Any]) -> dict[str, Any]:
        if a.get("channel"):
            return {"ok": True, "channel": {"id": a["channel"]}}
        users = [u for u in str(a.get("users", "")).split(",") if u]
        if len(users) != 1:
            return _err("not_enabled" if users else "users_list_not_supplied")
        return {"ok": True, "channel": {"id": "D" + users[0].lstrip("UW")}}

    def _m_files_getUploadURLExternal(self, a: dict[str, Any]) -> dict[str, Any]:
        if not a.get("filename") or not str(a.get("length", "")).isdigit():
            return _err("invalid_arguments")
        file_id = f"F{next(self._file_seq):08d}"
        self.files[file_id] = {
            "name": a["filename"],
            "length": int(a["length"]),
            "alt_txt": a.get("alt_txt"),
            "data": None,
        }
        return {"ok": True, "upload_url": f"{self.root_url}upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, a: dict[str, Any]) -> dict[str, Any]:
        """Finish the uploads named in ``files``; with ``channel_id`` share them there in one
        message (with ``initial_comment`` as its text), as Slack shows it in history."""
        given = a.get("files")
        if not isinstance(given, list) or not given:
            return _err("invalid_arguments")
        done = []
        for item in given:
            kept = self.files.get(str(item.get("id")))
            if kept is None or kept["data"] is None or len(kept["data"]) != kept["length"]:
                return _err("file_not_found")
            title = item.get("title") or kept["name"]
            done.append({"id": item["id"], "name": kept["name"], "title": title})
        channel = a.get("channel_id")
        if channel:
            for item in done:
                self.files[item["id"]]["channel"] = channel
            message = {**BOT_MESSAGE, "text": a.get("initial_comment", ""), "ts": self._next_ts()}
            message.update(upload=True, files=done, channel=channel)
            if a.get("thread_ts"):
                message["thread_ts"] = a["thread_ts"]
            self.posted.append(message)
        return {"ok": True, "files": done}

    def _m_apps_connections_open(self, _a: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"wss://wss-primary.slack.com/link/?ticket=fake&app_id={APP_ID}"}
