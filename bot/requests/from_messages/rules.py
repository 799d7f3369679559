"""What a message becomes as a request, and which department a request emoji files it with. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.requests.rules import DepartmentSnapshot, RoutableDepartment, route_by_keywords
from bot.text import truncate

# A thread's replies copied into the request, oldest first.
REPLIES_COPIED = 20
# How much a request filed from a message keeps of it and its thread.
DESCRIPTION_MAX = 6000
NO_TEXT = "(a message with no text)"


@dataclass(frozen=True)
class Reply:
    author: str
    text: str


def description(text: str, replies: Sequence[Reply]) -> str:
    """The message's text, then its thread's replies, each with its author's name."""
    lines = [text.strip() or NO_TEXT]
    if replies:
        lines += ["", f"Thread ({len(replies)} {'reply' if len(replies) == 1 else 'replies'}):"]
        lines += [f"{reply.author}: {reply.text.strip()}" for reply in replies]
    return truncate("\n".join(lines), DESCRIPTION_MAX)


def suggested_department(
    departments: Sequence[DepartmentSnapshot], *, channel_id: str, text: str
) -> str | None:
    """The department whose channel the message is in, else the one its keywords name."""
    for department in departments:
        if department.channel_id == channel_id:
            return department.key
    routable = [RoutableDepartment(d.key, d.aliases, d.keywords) for d in departments]
    return route_by_keywords(text, routable).department_key


def is_request_emoji(
    departments: Sequence[DepartmentSnapshot], emoji: str, *, workspace_emoji: str
) -> bool:
    return bool(emoji) and (
        emoji == workspace_emoji or any(d.request_emoji == emoji for d in departments)
    )


def emoji_department(
    departments: Sequence[DepartmentSnapshot],
    emoji: str,
    *,
    channel_id: str,
    text: str,
) -> str | None:
    """The department a request emoji files a message with: the one it belongs to, else (the
    workspace's emoji) the one the message's channel or keywords suggest; None: no way to
    tell."""
    for department in departments:
        if department.request_emoji == emoji:
            return department.key
    return suggested_department(departments, channel_id=channel_id, text=text)
