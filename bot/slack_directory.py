"""What the bot reads of the workspace's people and channels: profiles, the members of the
workspace and of a channel (cached for a while), and replies in a thread."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient

from bot.clock import Clock

MEMBERSHIP_CACHE_TTL = timedelta(minutes=5)
# How far a thread is read: pages of replies, oldest first.
THREAD_PAGE_SIZE = 200
THREAD_PAGES = 10


@dataclass(frozen=True)
class Member:
    user_id: str
    timezone: str | None


@dataclass(frozen=True)
class SlackProfile:
    timezone: str | None
    name: str | None
    is_bot: bool
    deactivated: bool


SLACKBOT_ID = "USLACKBOT"
USERS_PAGE_SIZE = 200


def _is_person(user: dict[str, Any]) -> bool:
    return not (
        user.get("deleted")
        or user.get("is_bot")
        or user.get("is_app_user")
        or user.get("is_ultra_restricted")
        or user.get("id") == SLACKBOT_ID
    )


class SlackDirectory:
    """The reads of SlackGateway that ask Slack about people and conversations."""

    _client: WebClient
    _clock: Clock
    _lock: threading.Lock
    _members: dict[str, tuple[datetime, frozenset[str]]]

    def message_and_replies(
        self, *, channel: str, ts: str, limit: int
    ) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """The message at `ts` and, when it starts a thread, its first `limit` replies; a reply
        comes without the rest of its thread."""
        response = self._client.conversations_replies(channel=channel, ts=ts, limit=limit + 1)
        messages = list(response.get("messages") or [])
        message = next((m for m in messages if m.get("ts") == ts), None)
        if message is None or message.get("thread_ts") not in (None, ts):
            return message, []
        return message, [m for m in messages if m.get("ts") != ts][:limit]

    def thread_replies(self, *, channel: str, ts: str, limit: int) -> list[dict[str, Any]]:
        """The latest `limit` replies in the thread of the message at `ts`, oldest first: a
        thread reads from its start, so a long one is paged through."""
        replies: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(THREAD_PAGES):
            response = self._client.conversations_replies(
                channel=channel, ts=ts, limit=THREAD_PAGE_SIZE, cursor=cursor
            )
            replies += [m for m in response.get("messages") or [] if m.get("ts") != ts]
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not response.get("has_more") or not cursor:
                break
        return replies[-limit:]

    def user_profile(self, user_id: str) -> SlackProfile:
        """What Slack says of a user now (callers cache it): time zone, name, bot or not,
        deactivated or not."""
        response = self._client.users_info(user=user_id)
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("real_name")
        return SlackProfile(
            timezone=str(user["tz"]) if user.get("tz") else None,
            name=str(name or user.get("name") or "") or None,
            is_bot=bool(user.get("is_bot") or user.get("is_app_user") or user_id == SLACKBOT_ID),
            deactivated=bool(user.get("deleted")),
        )

    def workspace_people(self) -> list[Member]:
        """Every active human in the workspace (users.list, all pages): not bots or apps, not
        Slackbot, not deactivated, not single-channel guests."""
        people: list[Member] = []
        cursor: str | None = None
        while True:
            response = self._client.users_list(cursor=cursor, limit=USERS_PAGE_SIZE)
            for user in response.get("members") or []:
                if _is_person(user):
                    people.append(Member(str(user["id"]), user.get("tz") or None))
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return people

    def channel_members(self, channel: str) -> frozenset[str]:
        now = self._clock.now()
        with self._lock:
            cached = self._members.get(channel)
            if cached and cached[0] > now:
                return cached[1]
        members: set[str] = set()
        cursor: str | None = None
        while True:
            response = self._client.conversations_members(channel=channel, cursor=cursor, limit=200)
            members.update(response.get("members") or [])
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        result = frozenset(members)
        with self._lock:
            self._members[channel] = (now + MEMBERSHIP_CACHE_TTL, result)
        return result
