"""A Slack workspace's state: conversations, modals, Home tabs, triggers and response URLs.

Who is who comes from a `Directory`: the sandbox's sample people, or a test's scripted ones.
The state can be kept in a SQLite file, so that a sandbox survives a restart. What the Web API
methods do to it is bot/sandbox/web_api.py.
"""

from __future__ import annotations

import itertools
import json
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.sandbox.files import WorkspaceFiles

# Slack keeps a trigger_id usable for 3 seconds and a response URL for 30 minutes; the
# sandbox remembers the latest ones only.
TRIGGERS_KEPT = 200
RESPONSE_URLS_KEPT = 1000


class Directory(Protocol):
    """Who is in the workspace, as users.info, users.list and conversations.members see it."""

    def user(self, user_id: str) -> dict[str, Any]: ...

    def everyone(self) -> list[dict[str, Any]]: ...

    def members_of(self, channel: str) -> list[str]: ...


@dataclass(frozen=True)
class Identity:
    team_id: str
    bot_user_id: str
    app_id: str = "A0PULSE"
    bot_id: str = "B0BOT"
    team_name: str = "Test"


Listener = Callable[[dict[str, Any]], None]


class Workspace(WorkspaceFiles):
    def __init__(
        self,
        identity: Identity,
        directory: Directory,
        *,
        keep_content: bool = True,
        strict_triggers: bool = True,
        next_ts: Callable[[], str] | None = None,
        store: Path | None = None,
    ) -> None:
        """`keep_content=False` keeps only what conversations.history must find (a message's
        ts and metadata): a benchmark's memory is then the bot's. `strict_triggers=False`
        answers a view opened with a trigger this workspace did not issue, for tests that
        make up their own. `next_ts` makes message timestamps (the sandbox's follow its
        clock); `store` is the SQLite file kept."""
        self.identity = identity
        self.directory = directory
        self._keep_content = keep_content
        self.strict_triggers = strict_triggers
        counter = itertools.count(1)
        self._next_ts = next_ts or (lambda: f"1700000000.{next(counter):06d}")
        self._ids = itertools.count(1)
        self._run = secrets.token_hex(3).upper()
        self._lock = threading.RLock()
        self._listeners: list[Listener] = []
        self._store = store
        self._state: dict[str, Any] = _empty_state()
        if store is not None:
            self._state.update(_load(store))

    # -- state -----------------------------------------------------------------------------
    @contextmanager
    def _changing(self, *changes: dict[str, Any]) -> Iterator[dict[str, Any]]:
        with self._lock:
            yield self._state
            if self._store is not None:
                _save(self._store, self._state)
        for change in changes:
            self.notify(change)

    def notify(self, change: dict[str, Any]) -> None:
        for listener in list(self._listeners):
            listener(change)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with each change ({"kind": "messages", "channel": ...} and the like);
        returns the function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def reset(self) -> None:
        with self._changing({"kind": "reset"}) as state:
            state.clear()
            state.update(_empty_state())

    def setting(self, name: str, default: Any = None) -> Any:
        with self._lock:
            return self._state["settings"].get(name, default)

    def set_setting(self, name: str, value: Any) -> None:
        with self._changing() as state:
            state["settings"][name] = value

    def new_id(self, prefix: str) -> str:
        """An id unique across restarts too: views, triggers and response URLs are kept."""
        return f"{prefix}{next(self._ids):06d}{self._run}"

    # -- conversations ---------------------------------------------------------------------
    def dm_channel(self, user_id: str) -> str:
        return "D" + user_id[1:]

    def history(self) -> dict[str, list[dict[str, Any]]]:
        """Every conversation's messages, newest first."""
        with self._lock:
            return {
                channel: [dict(m) for m in reversed(kept)]
                for channel, kept in self._state["messages"].items()
            }

    def messages(self, channel: str, *, viewer: str | None = None) -> list[dict[str, Any]]:
        """A conversation oldest first, with the ephemeral messages only `viewer` sees."""
        with self._lock:
            stored = [dict(m) for m in self._state["messages"].get(channel, [])]
            private = [
                dict(m)
                for m in self._state["ephemeral"]
                if m["channel"] == channel and m["viewer"] == viewer
            ]
        return sorted(stored + private, key=lambda m: float(m["ts"]))

    def thread(self, channel: str, thread_ts: str) -> list[dict[str, Any]] | None:
        """A thread oldest first, its parent first; None when there is no such message. Asked
        for by one of its replies, the whole thread, as Slack answers."""
        with self._lock:
            kept = self._state["messages"].get(channel, [])
            found = next((m for m in kept if m["ts"] == thread_ts), None)
            if found is None:
                return None
            parent = str(found.get("thread_ts") or thread_ts)
            return [dict(m) for m in kept if m["ts"] == parent or m.get("thread_ts") == parent]

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        with self._lock:
            for message in self._state["messages"].get(channel, []):
                if message["ts"] == ts:
                    return dict(message)
        return None

    def post(self, channel: str, message: dict[str, Any]) -> dict[str, Any]:
        """Store a message in a conversation; returns it with its ts."""
        stored = {"ts": self._next_ts(), "metadata": message.get("metadata")}
        # Where a reply belongs is kept whatever else is: conversations.replies finds it by it.
        if message.get("thread_ts"):
            stored["thread_ts"] = str(message["thread_ts"])
        # As are a file share's files: an upload is found again by its file's name.
        if message.get("files"):
            stored["files"] = message["files"]
        if self._keep_content:
            stored.update(
                user=message.get("user", self.identity.bot_user_id),
                is_bot=message.get("is_bot", True),
                text=message.get("text", ""),
                blocks=message.get("blocks"),
                reactions=[],
            )
            if stored["is_bot"]:
                # As Slack marks an app's messages.
                stored["bot_id"] = message.get("bot_id", self.identity.bot_id)
        with self._changing({"kind": "messages", "channel": channel}) as state:
            state["messages"].setdefault(channel, []).append(stored)
        return stored

    def post_ephemeral(self, channel: str, viewer: str, message: dict[str, Any]) -> str:
        ts = self._next_ts()
        if self._keep_content:
            kept = {
                "ts": ts,
                "channel": channel,
                "viewer": viewer,
                "user": self.identity.bot_user_id,
                "is_bot": True,
                "ephemeral": True,
                "text": message.get("text", ""),
                "blocks": message.get("blocks"),
                "reactions": [],
            }
            with self._changing({"kind": "messages", "channel": channel}) as state:
                state["ephemeral"].append(kept)
        return ts

    def update(self, channel: str, ts: str, message: dict[str, Any]) -> bool:
        """Replace a message's text and blocks (chat.update, replace_original)."""
        with self._changing({"kind": "messages", "channel": channel}) as state:
            for kept in [*state["messages"].get(channel, []), *state["ephemeral"]]:
                if kept["ts"] == ts and self._keep_content:
                    kept["text"] = message.get("text", kept.get("text", ""))
                    kept["blocks"] = message.get("blocks")
                    if "metadata" in message:
                        kept["metadata"] = message["metadata"]
                    return True
        return False

    def delete(self, channel: str, ts: str) -> None:
        with self._changing({"kind": "messages", "channel": channel}) as state:
            state["ephemeral"] = [m for m in state["ephemeral"] if m["ts"] != ts]
            kept = state["messages"].get(channel, [])
            state["messages"][channel] = [m for m in kept if m["ts"] != ts]

    def toggle_reaction(self, channel: str, ts: str, user: str, name: str) -> bool | None:
        """Add `user`'s reaction, or take it back if there: True if added, False if taken
        back, None if there is no such message."""
        with self._changing({"kind": "messages", "channel": channel}) as state:
            for message in state["messages"].get(channel, []):
                if message["ts"] != ts:
                    continue
                reactions = message.setdefault("reactions", [])
                found = next((r for r in reactions if r["name"] == name), None)
                if found is None:
                    reactions.append({"name": name, "users": [user], "count": 1})
                    return True
                if user in found["users"]:
                    found["users"].remove(user)
                    found["count"] = len(found["users"])
                    if not found["users"]:
                        reactions.remove(found)
                    return False
                found["users"].append(user)
                found["count"] = len(found["users"])
                return True
        return None

    # -- surfaces: modals and Home ---------------------------------------------------------
    def issue_trigger(self, user: str) -> str:
        """A trigger_id for a click or command of `user`: views.open with it opens for them."""
        trigger = self.new_id("trigger-")
        with self._lock:
            triggers = self._state["triggers"]
            triggers[trigger] = user
            while len(triggers) > TRIGGERS_KEPT:
                del triggers[next(iter(triggers))]
        return trigger

    def take_trigger(self, trigger: str) -> str | None:
        """Whose click or command issued a trigger; a trigger is good for one view."""
        with self._lock:
            return self._state["triggers"].pop(trigger, None)  # type: ignore[no-any-return]

    def modal(self, user: str) -> dict[str, Any] | None:
        with self._lock:
            stack = self._state["modals"].get(user) or []
            return dict(stack[-1]) if stack else None

    def find_view(self, view_id: str) -> tuple[str, dict[str, Any]] | None:
        """The person a modal is open for, and the modal."""
        with self._lock:
            for user, stack in self._state["modals"].items():
                for view in stack:
                    if view["id"] == view_id:
                        return user, dict(view)
        return None

    def shown(self, view: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        """A view as Slack shows it: with its id and a hash."""
        return {**view, "id": view_id or self.new_id("V"), "hash": self.new_id("h")}

    def open_modal(self, user: str, view: dict[str, Any], *, push: bool = False) -> dict[str, Any]:
        shown = self.shown(view)
        with self._changing({"kind": "modal", "user": user}) as state:
            stack = state["modals"].setdefault(user, [])
            if not push:
                stack.clear()
            stack.append(shown)
        return shown

    def update_modal(self, view_id: str, view: dict[str, Any]) -> dict[str, Any] | None:
        found = self.find_view(view_id)
        if found is None:
            return None
        user, _old = found
        shown = self.shown(view, view_id)
        with self._changing({"kind": "modal", "user": user}) as state:
            stack = state["modals"].get(user, [])
            state["modals"][user] = [shown if v["id"] == view_id else v for v in stack]
        return shown

    def close_modal(
        self, user: str, view_id: str | None = None, *, all_views: bool = False
    ) -> None:
        with self._changing({"kind": "modal", "user": user}) as state:
            stack = state["modals"].get(user, [])
            if all_views or view_id is None:
                stack.clear()
            else:
                state["modals"][user] = [v for v in stack if v["id"] != view_id]

    def home(self, user: str) -> dict[str, Any] | None:
        with self._lock:
            view = self._state["homes"].get(user)
            return dict(view) if view else None

    def publish_home(self, user: str, view: dict[str, Any]) -> dict[str, Any]:
        shown = self.shown(view)
        if self._keep_content:
            with self._changing({"kind": "home", "user": user}) as state:
                state["homes"][user] = shown
        return shown

    # -- response URLs ---------------------------------------------------------------------
    def issue_response_url(self, *, channel: str, user: str, ts: str | None = None) -> str:
        """The id of a response URL for a command or click of `user` in `channel` (on the
        message `ts`)."""
        # Unguessable, like Slack's: a response URL is all it takes to post as the app.
        key = secrets.token_hex(16)
        with self._lock:
            responses = self._state["responses"]
            responses[key] = {"channel": channel, "user": user, "ts": ts}
            while len(responses) > RESPONSE_URLS_KEPT:
                del responses[next(iter(responses))]
        return key

    def respond(self, key: str, body: dict[str, Any]) -> bool:
        """What Slack does with a post to a response URL; False if it knows no such URL."""
        with self._lock:
            target = self._state["responses"].get(key)
        if target is None:
            return False
        channel, user, ts = target["channel"], target["user"], target["ts"]
        if body.get("delete_original") and ts:
            self.delete(channel, ts)
        elif body.get("replace_original") and ts:
            self.update(channel, ts, body)
        elif body.get("response_type") == "in_channel":
            self.post(channel, body)
        else:
            self.post_ephemeral(channel, user, body)
        return True


def _empty_state() -> dict[str, Any]:
    return {
        "messages": {},
        "ephemeral": [],
        "modals": {},
        "homes": {},
        "triggers": {},
        "responses": {},
        "settings": {},
        "files": {},
    }


def _connect(store: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(store)
    connection.execute("CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT)")
    return connection


def _load(store: Path) -> dict[str, Any]:
    if not store.exists():
        return {}
    with _connect(store) as connection:
        rows = connection.execute("SELECT key, value FROM state").fetchall()
    connection.close()
    return {key: json.loads(value) for key, value in rows}


def _save(store: Path, state: dict[str, Any]) -> None:
    rows = [(key, json.dumps(value)) for key, value in state.items()]
    with _connect(store) as connection:
        connection.execute("DELETE FROM state")
        connection.executemany("INSERT INTO state (key, value) VALUES (?, ?)", rows)
    connection.close()
