"""What a person does on the sandbox's page, done as Slack does it: a slash command, a click, a
form or a reaction becomes the signed request Slack would send the app, with a trigger_id and a
response URL the workspace honours; the clock control moves the bot's clock and runs what fell
due."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any
from zoneinfo import ZoneInfo

from bot.manifest import BOT_EVENTS, SLASH_COMMANDS
from bot.sandbox import payloads, people
from bot.sandbox.clock import CLOCK_SETTING, SandboxClock, clock_step
from bot.sandbox.sender import NO_ANSWER, Answer, Sender
from bot.sandbox.workspace import Workspace

logger = logging.getLogger(__name__)

COMMANDS = [command["command"] for command in SLASH_COMMANDS]
MAX_MESSAGE_CHARS = 4000
_MENTION = re.compile(r"(?<![\w<])@([a-z][a-z0-9._-]*)", re.IGNORECASE)


def escape(text: str) -> str:
    """What Slack does to what people type before an app sees it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Refused(Exception):
    """What the person did cannot be done; the message says why."""


def with_mentions(text: str) -> str:
    """@name becomes a mention, as Slack's composer makes it."""
    by_name = {p.handle: p for p in people.PEOPLE}

    def mention(match: re.Match[str]) -> str:
        person = by_name.get(match.group(1).lower())
        return f"<@{person.id}|{match.group(1).lower()}>" if person else match.group(0)

    return _MENTION.sub(mention, text)


def subscription(event: dict[str, Any]) -> str:
    """The event subscription that delivers `event`: a message's depends on where it is."""
    if event["type"] != "message":
        return str(event["type"])
    kinds = {"C": "channels", "G": "groups", "D": "im"}
    return f"message.{kinds.get(str(event.get('channel', ''))[:1], 'channels')}"


def _refuse_unless_acked(answer: Answer) -> None:
    if answer.status == NO_ANSWER:
        raise Refused(f"The app did not answer in time ({answer.body}).")
    if answer.status != 200:
        raise Refused(f"The app answered HTTP {answer.status}.")


class Sandbox:
    def __init__(
        self,
        *,
        workspace: Workspace,
        sender: Sender,
        clock: SandboxClock,
        response_base: str,
        run_due: Callable[[], None],
        quiet: Callable[[], AbstractContextManager[None]],
        start_over: Callable[[], None],
    ) -> None:
        """`run_due` runs the bot's due jobs until none is left; `quiet` holds the bot's
        scheduled work while the clock moves, once the jobs running have finished (raising
        Refused if they do not); `start_over` empties the bot's database and sets it up
        again."""
        self.workspace = workspace
        self._sender = sender
        self.clock = clock
        self._response_base = response_base
        self._run_due = run_due
        self._quiet = quiet
        self._start_over = start_over
        self._people = {person.id: person for person in people.PEOPLE}
        self._clock_lock = threading.Lock()

    # -- what the page reads ---------------------------------------------------------------
    def state(self, user: str) -> dict[str, Any]:
        """The workspace as `user` sees it; anyone unknown (a first visit) is the first person."""
        me = self._people.get(user) or people.PEOPLE[0]
        return {
            "me": me.id,
            "workspace": people.WORKSPACE_NAME,
            "bot": {"id": people.BOT_USER_ID, "name": people.BOT_NAME},
            "people": [
                {"id": p.id, "name": p.name, "role": p.role, "tz": p.tz} for p in people.PEOPLE
            ],
            "channels": [{"id": c.id, "name": c.name} for c in people.channels()],
            "dm": self.workspace.dm_channel(me.id),
            "clock": self.clock_state(),
            "reactions": people.REACTIONS,
            "commands": COMMANDS,
        }

    def clock_state(self) -> dict[str, Any]:
        return self.clock.state()

    def messages(self, channel: str, user: str) -> list[dict[str, Any]]:
        self._person(user)
        shown = []
        for message in self.workspace.messages(channel, viewer=user):
            shown.append({key: value for key, value in message.items() if key != "viewer"})
        return shown

    def _conversation_of(self, person: people.Person, channel: str) -> None:
        """Refuse a conversation that is not the workspace's, nor the person's own DM."""
        known = {c.id for c in people.channels()} | {self.workspace.dm_channel(person.id)}
        if channel not in known:
            raise Refused("There is no such conversation, or it is not yours.")

    def _person(self, user: str) -> people.Person:
        person = self._people.get(user)
        if person is None:
            raise Refused(f"There is no one called {user!r} in the sandbox.")
        return person

    # -- what a person does ----------------------------------------------------------------
    def send(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> None:
        person = self._person(user)
        text = text.strip()
        if not text:
            raise Refused("Type a message or a command first.")
        if len(text) > MAX_MESSAGE_CHARS:
            raise Refused(f"Messages are limited to {MAX_MESSAGE_CHARS} characters.")
        self._conversation_of(person, channel)
        if text.startswith("/"):
            if thread_ts:
                raise Refused("Commands are sent in the conversation, not in a thread.")
            command, _, rest = text.partition(" ")
            self._command(person, channel, command, rest.strip())
            return
        if thread_ts:
            parent = self.workspace.message(channel, thread_ts)
            if parent is None or parent.get("thread_ts") not in (None, thread_ts):
                raise Refused("That thread is gone.")
        said = with_mentions(escape(text))
        message: dict[str, Any] = {"user": person.id, "is_bot": False, "text": said}
        if thread_ts:
            message["thread_ts"] = thread_ts
        posted = self.workspace.post(channel, message)
        event = {
            "type": "message",
            "channel": channel,
            "channel_type": "im" if channel.startswith("D") else "channel",
            "user": person.id,
            "text": said,
            "ts": posted["ts"],
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        self._event(event)

    def _command(self, person: people.Person, channel: str, command: str, text: str) -> None:
        if command not in COMMANDS:
            raise Refused(f"{command} is not a command here. Try {', '.join(COMMANDS)}.")
        fields = payloads.slash_command(
            person,
            channel=channel,
            command=command,
            text=with_mentions(escape(text)),
            response_url=self._response_url(channel=channel, user=person.id),
            trigger_id=self.workspace.issue_trigger(person.id),
        )
        answer = self._sender.form(fields)
        self._show_ack(answer, channel=channel, user=person.id)

    def _show_ack(self, answer: Answer, *, channel: str, user: str) -> None:
        """An ack with a message in it is shown to the person, as Slack shows it."""
        _refuse_unless_acked(answer)
        body = answer.json()
        if isinstance(body, dict) and (body.get("text") or body.get("blocks")):
            if body.get("response_type") == "in_channel":
                self.workspace.post(channel, body)
            else:
                self.workspace.post_ephemeral(channel, user, body)
        elif answer.body.strip() and body is None:
            self.workspace.post_ephemeral(channel, user, {"text": answer.body.strip()})

    def _response_url(self, *, channel: str, user: str, ts: str | None = None) -> str:
        key = self.workspace.issue_response_url(channel=channel, user=user, ts=ts)
        return f"{self._response_base}{key}"

    def act(
        self,
        user: str,
        container: dict[str, Any],
        action: dict[str, Any],
        values: dict[str, Any] | None = None,
    ) -> None:
        """A click or a choice; in a view, `values` is what its inputs hold, which Slack sends
        with the action as the view's state."""
        person = self._person(user)
        if not isinstance(action.get("action_id"), str):
            raise Refused("That control has no action_id.")
        payload: dict[str, Any] = {
            **self._interaction_base(person, "block_actions"),
            "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
        }
        if container.get("type") == "view":
            found = self.workspace.find_view(str(container.get("view_id", "")))
            home = self.workspace.home(person.id)
            if found is not None:
                view = found[1]
            elif home is not None and home["id"] == container.get("view_id"):
                view = home
            else:
                raise Refused("That form is no longer open.")
            payload["container"] = {"type": "view", "view_id": view["id"]}
            payload["view"] = {**view, "state": {"values": values or {}}}
        else:
            channel, ts = str(container.get("channel", "")), str(container.get("ts", ""))
            message = self.workspace.message(channel, ts)
            ephemeral = message is None
            if message is None:
                message = {"ts": ts, "text": "", "blocks": []}
            payload["container"] = {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel,
                "is_ephemeral": ephemeral,
            }
            payload["channel"] = {"id": channel, "name": channel}
            payload["message"] = {
                "type": "message",
                "ts": ts,
                "text": message.get("text", ""),
                "blocks": message.get("blocks") or [],
                "metadata": message.get("metadata"),
            }
            payload["response_url"] = self._response_url(channel=channel, user=person.id, ts=ts)
        _refuse_unless_acked(self._sender.interaction(payload))

    def shortcut(self, user: str, channel: str, ts: str) -> None:
        """File a request, chosen in a message's menu."""
        person = self._person(user)
        self._conversation_of(person, channel)
        message, thread = self.workspace.message(channel, ts), self.workspace.thread(channel, ts)
        if message is None or thread is None:
            raise Refused("That message is gone.")
        payload = payloads.message_shortcut(
            person,
            channel=channel,
            message=message,
            thread=thread,
            trigger_id=self.workspace.issue_trigger(person.id),
            response_url=self._response_url(channel=channel, user=person.id, ts=ts),
        )
        _refuse_unless_acked(self._sender.interaction(payload))

    def submit(self, user: str, view_id: str, values: dict[str, Any]) -> dict[str, str]:
        """Submit a modal; the app's inline errors, if it gave any."""
        person = self._person(user)
        found = self.workspace.find_view(view_id)
        if found is None or found[0] != person.id:
            raise Refused("That form is no longer open.")
        view = {**found[1], "state": {"values": values}}
        payload = {
            **self._interaction_base(person, "view_submission"),
            "view": view,
            "response_urls": [],
        }
        answer = self._sender.interaction(payload)
        _refuse_unless_acked(answer)
        body = answer.json() or {}
        action = body.get("response_action")
        if action == "errors":
            return {str(k): str(v) for k, v in (body.get("errors") or {}).items()}
        if action == "update":
            self.workspace.update_modal(view_id, body.get("view") or {})
        elif action == "push":
            self.workspace.open_modal(person.id, body.get("view") or {}, push=True)
        elif action == "clear":
            self.workspace.close_modal(person.id, all_views=True)
        else:
            self.workspace.close_modal(person.id, view_id)
        return {}

    def close(self, user: str, view_id: str) -> None:
        person = self._person(user)
        found = self.workspace.find_view(view_id)
        self.workspace.close_modal(person.id, view_id)
        if found is not None and found[1].get("notify_on_close"):
            payload = {**self._interaction_base(person, "view_closed"), "view": found[1]}
            self._sender.interaction(payload)

    def react(self, user: str, channel: str, ts: str, name: str) -> None:
        person = self._person(user)
        self._conversation_of(person, channel)
        if not re.fullmatch(r"[a-z0-9_+'-]{1,100}", name):
            raise Refused("That is not an emoji name.")
        message = self.workspace.message(channel, ts)
        added = self.workspace.toggle_reaction(channel, ts, person.id, name)
        if added is None or message is None:
            raise Refused("That message is gone.")
        event_type = "reaction_added" if added else "reaction_removed"
        self._event(
            {
                "type": event_type,
                "user": person.id,
                "reaction": name,
                "item": {"type": "message", "channel": channel, "ts": ts},
                "item_user": message.get("user"),
            }
        )

    def home_opened(self, user: str) -> None:
        person = self._person(user)
        home = self.workspace.home(person.id)
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": person.id,
            "channel": self.workspace.dm_channel(person.id),
            "tab": "home",
        }
        if home is not None:
            event["view"] = home
        self._event(event)

    def _event(self, event: dict[str, Any]) -> None:
        if subscription(event) not in BOT_EVENTS:
            return
        envelope = payloads.event_envelope(event, event_id=self.workspace.new_id("Ev"))
        answer = self._sender.event(envelope)
        if answer.status != 200:
            logger.warning("sandbox.event_refused", extra={"status": answer.status})

    def _interaction_base(self, person: people.Person, kind: str) -> dict[str, Any]:
        return payloads.interaction(
            person, kind, trigger_id=self.workspace.issue_trigger(person.id)
        )

    # -- the clock -------------------------------------------------------------------------
    def advance(self, how: str, user: str) -> dict[str, Any]:
        person = self._person(user)
        with self._clock_lock:
            by = clock_step(how, self.clock.now(), ZoneInfo(person.tz))
            if by is None:
                raise Refused("The clock moves by an hour, a day, or to next Monday 10:00.")
            with self._quiet():
                self.clock.advance(by)
                self.workspace.set_setting(CLOCK_SETTING, self.clock.offset.total_seconds())
                self._run_due()
        self.workspace.notify({"kind": "clock"})
        return self.clock_state()

    def reset(self) -> None:
        with self._clock_lock, self._quiet():
            self.clock.restart()
            self.workspace.reset()
            self._start_over()
